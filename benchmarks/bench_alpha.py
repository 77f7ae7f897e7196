"""Benchmark for Krippendorff's alpha with its bootstrap interval (issue 15, "Done when").

Target: 1,000 projects x 60 experts with 5 scores per project (a sparse assignment: 5,000 scores in a
60 x 1,000 matrix, 92 % missing), interval alpha with 1,000 bootstrap draws in <= 3 s. The ordinal
level (TRL 1-9) is timed too.

Run:  python benchmarks/bench_alpha.py [--projects 1000 --experts 60 --per-project 5 --draws 1000]

Timings are wall-clock (time.perf_counter), the median of --repeat runs, input generation excluded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):   # as `tlr` runs (tlr.cli.run): single-threaded BLAS
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402


def sparse_panel(projects: int, experts: int, per_project: int, seed: int = 2026) -> np.ndarray:
    """(experts, projects) scores: each project scored by *per_project* random experts, quality + noise."""
    rng = np.random.default_rng(seed)
    x = np.full((experts, projects), np.nan)
    quality = rng.normal(60, 12, projects)
    for p in range(projects):
        who = rng.choice(experts, per_project, replace=False)
        x[who, p] = quality[p] + rng.normal(0, 8, per_project)
    return x


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--experts", type=int, default=60)
    ap.add_argument("--per-project", type=int, default=5)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from tlr.panel.krippendorff import krippendorff_alpha

    x = sparse_panel(args.projects, args.experts, args.per_project)
    trl = np.clip(np.round((x - 20) / 10), 1, 9)          # the same panel on a TRL-like 1-9 ladder
    target = 3.0
    failed = False
    for level, data in (("interval", x), ("ordinal", trl)):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = krippendorff_alpha(data, level=level, bootstrap=args.draws, seed=1)
            times.append(time.perf_counter() - t0)
        t = statistics.median(times)
        ok = t <= target
        failed |= level == "interval" and not ok
        print(f"{level:8s} alpha={float(r.alpha):.4f} CI95=[{float(r.ci_low):.4f}, {float(r.ci_high):.4f}] "
              f"units={int(r.n_units)} values={int(r.n_values)} draws={args.draws}: {t:.3f} s "
              f"({'ok' if ok else 'SLOW'}, target {target:g} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
