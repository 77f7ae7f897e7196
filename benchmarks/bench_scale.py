"""How evaluation grows with the number of projects: time and peak memory per stage (issue 16).

Run from the project root:

    python benchmarks/bench_scale.py                          # 1k, 10k, 100k on this machine
    python benchmarks/bench_scale.py --sizes 1000,10000 --draws 1000
    python benchmarks/bench_scale.py --engine dask --workers 2 --sizes 1000000 --draws 1000
    python benchmarks/bench_scale.py --json scale.json
    python benchmarks/bench_scale.py --per-block 1000000              # one block's cost: Dask sizing

The panel is the one of ``bench_evaluate.py``: a pool of 9 experts, 5 per project, 41 indicators
(40 likert + a TRL axis) with gates, tiers and routes; 10,000 weight draws and 1,000 expert-bootstrap
draws by default. Each size runs in a fresh process, so its peak resident memory (``VmHWM``) is its
own. Stage times come from ``evaluate``'s progress callback in an untraced run; the memory of a stage
comes from a second, traced run (``--no-stage-memory`` skips it): the peak that ``tracemalloc`` saw
above the stage's start (NumPy reports its buffers to it). The last row fits the
growth exponent b of time ~ a * projects^b by least squares on log-log (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TARGETS = {100_000: (10.0, 2048.0)}          # projects: (seconds, MB) from the issue


def peak_rss_mb() -> float:
    from tlr.parallel import peak_rss_mb as peak

    return peak()


def make_panel(P: int, E: int, per: int, n_indicators: int, seed: int = 1):
    import numpy as np

    from bench_evaluate import make_rubric

    rubric = make_rubric(n_indicators)
    I = len(rubric.indicators)
    if P > 200_000:                       # the same law, drawn by slices of projects: no 3 GB temporaries
        cube = np.empty((E, P, I))
        step = 100_000
        for k, a in enumerate(range(0, P, step)):
            _, part = make_panel(min(step, P - a), E, per, n_indicators, seed=seed * 1_000_003 + k)
            cube[:, a:a + step] = part
        return rubric, cube
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1, P)
    cube = np.clip(np.round(3 + quality[None, :, None] + rng.normal(0, 0.7, (E, P, I))), 1, 5)
    cube[:, :, -1] = np.clip(np.round(5 + 1.5 * quality[None, :] + rng.normal(0, 0.6, (E, P))), 1, 9)
    chosen = np.argsort(rng.random((P, E)), axis=1)[:, :per]           # `per` of E experts per project
    assigned = np.zeros((E, P), bool)
    assigned[chosen.T, np.arange(P)[None, :]] = True
    cube[~assigned] = np.nan
    return rubric, cube


def child(args: argparse.Namespace) -> None:
    """One size, this process: print one JSON line."""
    import tracemalloc

    import numpy as np

    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate

    P = args.child
    rubric, values = make_panel(P, args.experts, args.per, args.indicators)
    cube = ScoreCube.of(values, experts=[f"E{e}" for e in range(args.experts)],
                        projects=[f"P{p}" for p in range(P)], indicators=[n.id for n in rubric.indicators])
    small = ScoreCube.of(values[:, :50], experts=cube.experts, projects=cube.projects[:50], indicators=cube.indicators)
    evaluate(rubric, small, options=EvaluationOptions(draws=10, bootstrap_draws=10))     # imports, once
    from tlr.parallel import executor_for

    engine = executor_for(args.engine, scheduler=args.scheduler, workers=args.workers)
    options = EvaluationOptions(draws=args.draws, bootstrap_draws=args.bootstrap, seed=args.seed)

    def run(trace: bool) -> tuple[list[dict], float, object]:
        """One evaluation; stage times (untraced run) or the stages' traced peak memory (traced run)."""
        stages: list[dict] = []
        state = {"name": None, "t": 0.0, "base": 0}
        if trace:
            tracemalloc.start()

        def step(name: str | None) -> None:
            now = time.perf_counter()
            current, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
            if state["name"] is not None:
                stages.append({"stage": state["name"], "seconds": now - state["t"],
                               "peak_mb": (peak - state["base"]) / 2**20})
            if trace:
                tracemalloc.reset_peak()
            state.update(name=name, t=time.perf_counter(), base=current)

        start = time.perf_counter()
        result = evaluate(rubric, cube, options=options, progress=step, executor=engine)
        step(None)
        seconds = time.perf_counter() - start
        if trace:
            tracemalloc.stop()
        return stages, seconds, result

    stages, seconds, result = run(trace=False)       # the time: tracing every allocation would slow it
    rss_mb = peak_rss_mb()                           # the untraced run's peak, before a second result exists
    top = np.argsort(result.rank, kind="stable")[:100].tolist()
    del result
    if args.stage_memory:
        traced, _, _ = run(trace=True)
        for s, t in zip(stages, traced):
            s["peak_mb"] = t["peak_mb"]
    else:
        for s in stages:
            s["peak_mb"] = math.nan
    print(json.dumps({"projects": P, "seconds": seconds, "stages": stages, "rss_mb": rss_mb,
                      "top100": top, "worker_rss_mb": engine.worker_peak_mb()}))
    engine.close()


class TimedExecutor:
    """Runs blocks in this process and records each block's wall time and traced peak memory."""

    def __init__(self):
        self.rows: list[dict] = []

    def n_workers(self) -> int:
        return 1

    def map(self, fn, items, shared):
        import pickle
        import tracemalloc

        out = []
        size = len(pickle.dumps(shared, protocol=5)) / 2**20
        for item in items:                        # a list here: the benchmark keeps every row
            tracemalloc.start()
            t = time.perf_counter()
            out.append(fn(item, shared))
            seconds = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            self.rows.append({"fn": fn.__name__, "draws": item[1], "seconds": seconds, "peak_mb": peak,
                              "shared_mb": size})
        return out


def per_block(args: argparse.Namespace) -> None:
    """One weight block and one bootstrap block at --per-block projects: the costs a worker pays per block."""
    import numpy as np

    from tlr.ranking.robustness import BOOTSTRAP_BLOCK, WEIGHT_BLOCK, expert_bootstrap, weight_monte_carlo
    from tlr.ranking.tiers import default_rules

    P = args.per_block
    rubric, X = make_panel(P, args.experts, args.per, args.indicators)
    U = (X - 1) / 4
    U[:, :, -1] = (X[:, :, -1] - 1) / 8
    L = U.shape[2]
    w = np.full(L, 1 / L)
    rules = default_rules([0.75, 0.6, 0.45])
    ex = TimedExecutor()
    weight_monte_carlo(np.nanmean(U, axis=0), w, n_draws=2 * WEIGHT_BLOCK, tier_rules=rules, executor=ex)
    expert_bootstrap(U, w, n_draws=2 * BOOTSTRAP_BLOCK, tier_rules=rules, executor=ex)
    print(f"per block at {P:,} projects (this process, one thread of work; second block of each kind):")
    for fn in ("_weight_block", "_bootstrap_block"):
        r = [row for row in ex.rows if row["fn"] == fn][-1]
        print(f"  {fn:<18} {r['draws']:>5} draws  {r['seconds']:6.2f} s  peak +{r['peak_mb']:6.0f} MB  "
              f"shared data sent once per worker {r['shared_mb']:6.0f} MB")
    print(json.dumps({"projects": P, "blocks": ex.rows}))


def fit_exponent(sizes, times) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--experts", type=int, default=9)
    parser.add_argument("--per", type=int, default=5, help="experts per project")
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--bootstrap", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the local Dask cluster")
    parser.add_argument("--no-stage-memory", dest="stage_memory", action="store_false",
                        help="skip the second, traced run that measures each stage's memory (the times are untraced)")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    parser.add_argument("--per-block", type=int, default=None, metavar="PROJECTS",
                        help="time one weight block and one bootstrap block at this many projects")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.per_block is not None:
        per_block(args)
        return
    if args.child is not None:
        child(args)
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        cmd = [sys.executable, __file__, "--child", str(size)] + [
            f"--{k}={getattr(args, k)}" for k in ("experts", "per", "indicators", "draws", "bootstrap", "seed",
                                                  "engine", "workers")]
        if not args.stage_memory:
            cmd.append("--no-stage-memory")
        if args.scheduler:
            cmd.append(f"--scheduler={args.scheduler}")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(HERE.parent))).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        report(row, args)
    if len(rows) > 1:
        sizes = [r["projects"] for r in rows]
        print(f"\ngrowth exponent b (time ~ projects^b): total {fit_exponent(sizes, [r['seconds'] for r in rows]):.2f}"
              + "".join(f", {s['stage']} {fit_exponent(sizes, [r['stages'][i]['seconds'] for r in rows]):.2f}"
                        for i, s in enumerate(rows[0]["stages"])))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


def report(row: dict, args: argparse.Namespace) -> None:
    P = row["projects"]
    target = TARGETS.get(P)
    tail = f"   (target <= {target[0]:.0f} s, <= {target[1]:.0f} MB)" if target and args.draws == 10_000 else ""
    print(f"\n{P:>9,} projects x {args.experts} experts ({args.per} each) x {args.indicators + 1} indicators, "
          f"{args.draws:,} weight + {args.bootstrap:,} bootstrap draws, engine {args.engine}: "
          f"{row['seconds']:.2f} s, peak RSS {row['rss_mb']:.0f} MB{tail}")
    for s in row["stages"]:
        mem = "" if math.isnan(s.get("peak_mb", math.nan)) else f"  peak +{s['peak_mb']:8.0f} MB"
        print(f"    {s['stage']:<18} {s['seconds']:8.2f} s{mem}")
    if row.get("worker_rss_mb"):
        print(f"    peak RSS per Dask worker: {', '.join(f'{m:.0f} MB' for m in row['worker_rss_mb'])}")


if __name__ == "__main__":
    main()
