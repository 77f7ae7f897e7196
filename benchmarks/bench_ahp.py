"""Benchmark tlr.weighting against AHPy, pymcdm and pyDecision, side by side in one run.

Not a test. Run from the project root:

    pip install -e '.[bench]'          # AHPy, pymcdm, pyDecision (optional; missing peers are skipped)
    python benchmarks/bench_ahp.py                 # 1 x 9x9 and 100,000 x 9x9, all libraries
    python benchmarks/bench_ahp.py --peer-n 10000  # time peers on the first 10,000 matrices only and
                                                   # extrapolate linearly (marked "extrap." in the table)
    python benchmarks/bench_ahp.py --json bench.json

Inputs: 100,000 random reciprocal 9x9 matrices, upper-triangle judgements drawn uniformly (seeded) from
the 17-value Saaty scale 1/9..9, so every peer's validator accepts them. The single-matrix case is
matrix #0. Each library is called in its native form (AHPy's dicts are built outside the timed region).
Times: peers = 10 x the median of 10 equal chunks of the full pass (robust to load spikes on a shared
machine; the plain one-pass total is shown too); tlr batch = median of --repeat full runs plus one full
run of each tlr call after every peer chunk (so both sides are sampled under the same load of the
shared machine, and with the same robustness to spikes); single matrix = per-call median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SCALE = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9])


def make_matrices(k: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(n, 1)
    idx = rng.integers(0, len(SCALE), size=(k, len(iu[0])))
    a = np.ones((k, n, n))
    a[:, iu[0], iu[1]] = SCALE[idx]
    a[:, iu[1], iu[0]] = 1.0 / SCALE[idx]
    return a


def per_call_ms(fn, calls: int = 200) -> float:
    fn()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # pragma: no cover
        return "?"


def peers():
    """List of (name, call, kind, fn(input) -> (w, cr), prepare(mats) -> inputs) for the installed peers."""
    out = []
    try:
        import ahpy

        labels = [f"c{i}" for i in range(9)]

        def to_dict(a):
            n = a.shape[0]
            return {(labels[i], labels[j]): float(a[i, j]) for i in range(n) for j in range(i + 1, n)}

        def run_ahpy(d):
            c = ahpy.Compare("x", d, precision=8, random_index="saaty")
            return np.array([c.local_weights[l] for l in labels]), c.consistency_ratio

        out.append((f"AHPy {_version('ahpy')}", "Compare(precision=8, random_index='saaty')",
                    "eigenvector", run_ahpy, lambda mats: [to_dict(a) for a in mats]))
    except ImportError:
        print("  (AHPy not installed: skipped)")
    try:
        from pymcdm.weights.subjective import AHP

        def run_pymcdm(a):
            h = AHP(matrix=a)
            return h(), h.get_cr()

        out.append((f"pymcdm {_version('pymcdm')}", "AHP(matrix=A)() + get_cr()", "eigenvector", run_pymcdm,
                    lambda mats: list(mats)))
    except ImportError:
        print("  (pymcdm not installed: skipped)")
    try:
        from pyDecision.algorithm import ahp_method

        for wd, kind in (("me", "eigenvector"), ("g", "geometric_mean"), ("m", "approximate (default)")):
            out.append((f"pyDecision {_version('pyDecision')}", f"ahp_method(A, wd='{wd}')", kind,
                        (lambda wd_: (lambda a: ahp_method(a, wd=wd_)))(wd), lambda mats: list(mats)))
    except ImportError:
        print("  (pyDecision not installed: skipped)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="number of 9x9 matrices (default 100000)")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--repeat", type=int, default=5, help="tlr batch runs before the peers (more follow every peer chunk)")
    ap.add_argument("--peer-n", type=int, default=None, help="time peers on this many matrices and extrapolate")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--json", default=None, help="write the figures to this JSON file")
    args = ap.parse_args(argv)

    from tlr.weighting import ahp, consistency_ratio, eigenvector, gci, geometric_mean

    n = 9
    mats = make_matrices(args.n, n, args.seed)
    print(f"tlr AHP benchmark: {args.n:,} random reciprocal {n}x{n} matrices (Saaty scale, seed {args.seed})")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
          f"{platform.processor() or platform.machine()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}")
    try:
        print("load average at start (1/5/15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    except OSError:  # pragma: no cover
        pass
    rows = []

    # --- tlr, batched
    def tlr_ev():
        w, lam = eigenvector(mats)
        return w, consistency_ratio(lam, n, "saaty_later")

    def tlr_gm():
        return geometric_mean(mats), gci(mats)

    def tlr_api():
        return ahp(mats, ri="saaty_later")

    # tlr samples: --repeat full runs now, then one more of each after every peer chunk, so that tlr and
    # the peers are timed under the same (shared-machine) load; each figure is the median of its samples
    samples: dict[str, list[float]] = {"ev": [], "gm": [], "api": []}

    def sample_tlr():
        for key, fn in (("ev", tlr_ev), ("gm", tlr_gm), ("api", tlr_api)):
            t = time.perf_counter()
            fn()
            samples[key].append(time.perf_counter() - t)

    w_ev, cr_ev = tlr_ev()
    w_gm, g_gm = tlr_gm()
    tlr_api()
    for _ in range(args.repeat):
        sample_tlr()

    # --- peers, one Python call per matrix
    if not args.no_peers:
        print("peers:")
        check = min(1000, args.n)
        for name, call, kind, fn, prepare in peers():
            inputs = prepare(mats if args.peer_n is None else mats[:args.peer_n])
            one = per_call_ms(lambda: fn(inputs[0]), calls=100)
            print(f"  timing {name} {call} ...", flush=True)
            # 10 chunks: the total is the full pass; 10 x the median chunk is robust to load spikes
            res, chunk_times = [], []
            for part in np.array_split(np.arange(len(inputs)), 10):
                chunk = [inputs[i] for i in part]
                t = time.perf_counter()
                res.extend(fn(x) for x in chunk)
                chunk_times.append((time.perf_counter() - t) / max(1, len(chunk)))
                sample_tlr()
            dt = sum(ct * len(p) for ct, p in zip(chunk_times, np.array_split(np.arange(len(inputs)), 10)))
            extrap = len(inputs) < args.n
            batch = statistics.median(chunk_times) * args.n
            total = dt * args.n / len(inputs)
            ref = w_ev if kind == "eigenvector" else (w_gm if kind == "geometric_mean" else w_ev)
            pw = np.array([np.asarray(r[0], dtype=float) for r in res[:check]])
            dw = float(np.abs(pw - ref[:check]).max())
            rows.append(dict(lib=name, call=call, kind=kind, one_ms=one, batch_s=batch, total_s=total, extrap=extrap,
                             dw=dw, median_cr=float(np.median([r[1] for r in res]))))

    t_ev, t_gm, t_api = (statistics.median(samples[key]) for key in ("ev", "gm", "api"))
    a0 = mats[0]
    rows[:0] = [
        dict(lib="tlr", call="eigenvector(stack) + CR", kind="eigenvector",
             one_ms=per_call_ms(lambda: ahp(a0, suggestions=0)), batch_s=t_ev, extrap=False, dw=0.0),
        dict(lib="tlr", call="geometric_mean(stack) + gci(stack)", kind="geometric_mean",
             one_ms=per_call_ms(lambda: ahp(a0, method="geometric_mean", suggestions=0)), batch_s=t_gm,
             extrap=False, dw=0.0),
        dict(lib="tlr", call="ahp(stack) validating API (+sugg. if 1)", kind="eigenvector",
             one_ms=per_call_ms(lambda: ahp(a0)), batch_s=t_api, extrap=False, dw=0.0),
    ]

    # --- report
    fastest_peer_ev = min((r["batch_s"] for r in rows if r["lib"] != "tlr" and r["kind"] == "eigenvector"),
                          default=None)
    print()
    hdr = (f"{'library':<18} {'call':<44} {'method':<22} {'1 x 9x9 ms':>10} {args.n:>8,} x 9x9 s "
           f"{'(one pass)':>11} {'max |dw| vs tlr':>16}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        b = f"{r['batch_s']:.3f}" + (" (extrap.)" if r["extrap"] else "")
        tot = f"{r['total_s']:.3f}" if "total_s" in r else ""
        print(f"{r['lib']:<18} {r['call']:<44} {r['kind']:<22} {r['one_ms']:>10.3f} {b:>17} {tot:>11} "
              f"{r['dw']:>16.1e}")
    print(f"(tlr figures: median of {len(samples['ev'])} runs each, interleaved with the peer timings)")
    print()
    try:
        print("load average at end (1/5/15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    except OSError:  # pragma: no cover
        pass
    print(f"tlr median CR (saaty_later RI): {np.median(cr_ev):.4f}; median GCI: {np.median(g_gm):.4f}")
    ok_ev = t_ev <= 0.3
    ok_gm = t_gm <= 0.1
    print(f"target eigenvector + CR <= 0.3 s: {t_ev:.3f} s  {'MET' if ok_ev else 'MISSED'}")
    print(f"target geometric mean + GCI <= 0.1 s: {t_gm:.3f} s  {'MET' if ok_gm else 'MISSED'}")
    speedup = speedup_api = None
    if fastest_peer_ev:
        speedup = fastest_peer_ev / t_ev
        speedup_api = fastest_peer_ev / t_api
        print(f"speed-up vs fastest peer eigenvector method, bare kernels (eigenvector + CR): {speedup:.1f}x  "
              f"{'MET' if speedup >= 40 else 'MISSED'} (target >= 40x)")
        print(f"speed-up vs fastest peer eigenvector method, validating ahp(stack): {speedup_api:.1f}x  "
              f"{'MET' if speedup_api >= 30 else 'MISSED'} (target >= 30x)")
    fastest_any = min((r["batch_s"] for r in rows if r["lib"] != "tlr"), default=None)
    if fastest_any:
        print(f"for reference, vs the fastest peer call of any method (incl. approximations): kernels "
              f"{fastest_any / t_ev:.0f}x, ahp(stack) {fastest_any / t_api:.0f}x")
    # --- cross-check of fuzzy AHP (Buckley) against pyDecision's implementation, if installed
    try:
        from pyDecision.algorithm import fuzzy_ahp_method

        from tlr.weighting import fuzzy_ahp

        rng = np.random.default_rng(args.seed)
        worst = 0.0
        for _ in range(200):
            m = mats[rng.integers(len(mats))][:5, :5]
            lo = np.where(m > 1, m - 1, 1 / (1 / m + 1))
            hi = np.where(m > 1, m + 1, 1 / np.maximum(1 / m - 1, 1))
            lo[m == 1], hi[m == 1] = 1, 1
            t = np.stack([lo, m, hi], -1)
            ours = fuzzy_ahp(t).weights
            theirs = np.asarray(fuzzy_ahp_method(t.tolist())[2])
            worst = max(worst, float(np.abs(ours - theirs).max()))
        print(f"fuzzy AHP (Buckley, centroid) vs pyDecision fuzzy_ahp_method on 200 random 5x5 TFN matrices: "
              f"max |dw| = {worst:.1e}")
    except ImportError:
        pass
    if args.json:
        Path(args.json).write_text(json.dumps(dict(n=args.n, seed=args.seed, rows=rows, speedup=speedup,
                                                   speedup_api=speedup_api,
                                                   numpy=np.__version__, python=platform.python_version(),
                                                   cpus=os.cpu_count()), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
