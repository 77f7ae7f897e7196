"""Where blocks of independent work run: this process, or the workers of a Dask cluster.

An executor maps a module-level function over items with one shared argument and yields the results
*in item order*, one at a time. Callers merge them in that order, so a result never depends on the engine: the
Monte Carlo blocks carry their own random streams (:func:`tlr.ranking.robustness.block_rng`), and
their tallies add up the same way whichever worker made them.

    from tlr.parallel import executor_for
    with executor_for("dask", workers=2) as ex:          # a local cluster of 2 worker processes
        weight_monte_carlo(U, w, executor=ex)
    executor_for("dask", scheduler="tcp://10.0.0.5:8786")  # an existing cluster

Dask is an optional extra (``pip install "tlr[dask]"``); nothing here imports it until asked.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

ENGINES = ("local", "dask")


class _Executor:
    """What both executors share: a context manager that closes them."""

    def close(self) -> None:
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalExecutor(_Executor):
    """Run the items on this machine: on ``threads`` threads (default: the cores this process may use).
    NumPy releases the GIL in the array work the blocks are made of, so two blocks run on two cores."""

    name = "local"

    def __init__(self, threads: int | None = None):
        self.threads = max(1, threads or cores())

    def map(self, fn: Callable, items: Sequence, shared: Any) -> Iterator:
        """The results, in item order, as they come (a caller folding them holds one at a time)."""
        items = list(items)
        if self.threads == 1 or len(items) < 2:
            yield from (fn(item, shared) for item in items)
            return
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        # the cores go to the blocks: a multithreaded BLAS inside each would only fight over them
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=self.threads) as pool:
            pending = [pool.submit(fn, item, shared) for item in items[:2 * self.threads]]
            for nxt in items[2 * self.threads:] + [None] * len(pending):
                done = pending.pop(0).result()
                if nxt is not None:
                    pending.append(pool.submit(fn, nxt, shared))
                yield done

    def n_workers(self) -> int:
        return self.threads

    def worker_peak_mb(self) -> list[float]:
        return []


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class DaskExecutor(_Executor):
    """Run items as tasks on a Dask cluster; the shared argument is sent once to every worker.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster`` of ``workers`` processes (one thread each) that lives as long as this object.
        workers, memory_limit: of that local cluster.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int = 2, memory_limit: str | None = "auto"):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from tlr.errors import TlrError

            raise TlrError("未安装 Dask / Dask is not installed",
                           hint='pip install "tlr[dask]"') from exc
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         memory_limit=memory_limit, dashboard_address=":0")
            self.client = Client(self._cluster)
            return
        try:
            self.client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            from tlr.errors import TlrError

            raise TlrError(f"无法连接 Dask 调度器 / cannot reach the Dask scheduler {scheduler!r}: {exc}",
                           hint="检查地址与网络，或去掉 --scheduler 在本机启动集群 / check the address, or drop "
                                "--scheduler to start a cluster on this machine") from None

    def map(self, fn: Callable, items: Sequence, shared: Any) -> Iterator:
        """The results, in item order, one at a time (the client holds one, the workers the rest)."""
        items = list(items)
        if not items:
            return
        [remote] = self.client.scatter([shared], broadcast=True, hash=False)
        futures = self.client.map(fn, items, [remote] * len(items), pure=False)
        try:
            for future in futures:
                yield future.result()
                future.release()
        finally:
            del futures, remote

    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def worker_peak_mb(self) -> list[float]:
        """Peak resident memory of each worker process (MB), for the scaling benchmark."""
        return sorted(self.client.run(peak_rss_mb).values())

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def peak_rss_mb() -> float:
    """Peak resident memory of this process (MB): VmHWM, or ru_maxrss where there is no /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def executor_for(engine: str = "local", *, scheduler: str | None = None, workers: int = 2):
    """An executor by name: "local" (this process) or "dask" (``scheduler`` or a local cluster)."""
    if engine == "local":
        return LocalExecutor()
    if engine == "dask":
        return DaskExecutor(scheduler, workers=workers)
    raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")


__all__ = ["DaskExecutor", "ENGINES", "LocalExecutor", "executor_for", "peak_rss_mb"]
