"""Benchmark the rater-calibration models (issue 15): the additive fit and the Bayesian fit.

Target: 1,000 projects x 60 experts, 5 scores per project, in <= 2 s per model for one indicator;
the figure for 20 indicators (fitted together, vectorised) is reported too.

Run:  python benchmarks/bench_calibration.py                 (1 and 20 indicators, 3 repeats)
      python benchmarks/bench_calibration.py --indicators 1 --repeat 5

Like the `tlr` command (tlr.cli.run), BLAS runs single-threaded: these are many small products, and a
thread pool only adds hand-over latency (on a busy machine, much more). Set OPENBLAS_NUM_THREADS
yourself to measure otherwise. Timings: median wall-clock of --repeat runs of the fit alone (input
generation excluded); the rounds each model took are printed beside.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):   # before numpy loads its BLAS, as the CLI does
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tlr.panel.calibration import fit_additive, fit_bayesian  # noqa: E402

TARGET_S = 2.0


def make_scores(projects: int, experts: int, per_project: int, indicators: int, seed: int = 0) -> np.ndarray:
    """(E, P, I): true quality + expert leniency + per-expert noise, each project by *per_project* experts."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(60, 10, (projects, indicators))
    leniency = rng.normal(0, 4, (experts, 1))
    noise = rng.uniform(3, 10, (experts, 1))
    y = np.full((experts, projects, indicators), np.nan)
    load = np.zeros(experts)
    for p in range(projects):
        chosen = np.lexsort((rng.random(experts), load))[:per_project]
        load[chosen] += 1
        y[chosen, p, :] = quality[p] + leniency[chosen] + noise[chosen] * rng.normal(0, 1, (per_project, indicators))
    return y


def timed(fn, y: np.ndarray, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(y)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=60)
    parser.add_argument("--per-project", type=int, default=5)
    parser.add_argument("--indicators", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cpu, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    fit_additive(make_scores(50, 10, 4, 1))   # imports (scipy.sparse) and first-call costs outside the timing
    print(f"{'indicators':>10}  {'model':<9} {'median s':>9} {'rounds':>7}  target")
    for n_ind in args.indicators or [1, 20]:
        y = make_scores(args.projects, args.experts, args.per_project, n_ind)
        for name, fn in (("additive", fit_additive), ("bayesian", fit_bayesian)):
            seconds, fit = timed(fn, y, args.repeat)
            rounds = int(np.max(fit.iterations))
            verdict = ("ok" if seconds <= TARGET_S else "SLOW") if n_ind == 1 else "(reported)"
            print(f"{n_ind:>10}  {name:<9} {seconds:>9.3f} {rounds:>7}  {verdict}")


if __name__ == "__main__":
    main()
