"""The whole evaluation of a campaign-sized panel through tlr.evaluation.evaluate (issue 6 targets).

Run:  python benchmarks/bench_evaluate.py [--projects 1000 --experts 9 --indicators 40 --draws 10000]
      python benchmarks/bench_evaluate.py --compare /path/to/older/checkout [--rounds 5]

Consensus, utilities, composite, gates, tiers, routes, agreement, 10,000-draw weight Monte Carlo and
the expert bootstrap, on a generated rubric (40 likert indicators in 8 dimensions, a TRL readiness axis,
gates and tiers) and random scores with 5 of 9 experts per project. Target: <= 2 s for 1,000 x 9 x 40.
The 1,000,000-project composite and ranking figure is in benchmarks/bench_scoring.py.

--stages prints the time of each stage (best of --repeat; each stage as the ``progress`` callback of
``evaluate`` names it) and the peak of the memory numpy allocates during one more evaluation (traced with
tracemalloc, on top of the score cube). With ``--draws 10 --bootstrap 0`` it isolates the stages other
than the robustness Monte Carlo (issue 16: <= ~4 s at 100,000 projects).

--compare runs this benchmark alternately on this checkout and on another one (its ``tlr`` first on
``PYTHONPATH``; one from before ``tlr.evaluation`` works too), each round in fresh processes (the
median of --repeat evaluations in each), so a before/after comparison shares the machine's load; it
prints the median of the rounds for each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# One BLAS thread, as the command line runs (tlr.cli.run; identical numbers, tests/evaluation/test_blas_threads.py):
# on the shared 2-core machine a two-thread matrix product (Krippendorff's bootstrap: 1,000 draws x 100,000
# projects x 121 statistics) waits for the busy core and takes 3-5x longer. OPENBLAS_NUM_THREADS=2 measures two.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402  (after the BLAS threads are set)


def make_rubric(n_indicators: int):
    from tlr.rubric import rubric_from_data

    per = n_indicators // 8
    dims = []
    for d in range(8):
        dims.append({"id": f"d{d}", "label": f"D{d}", "weight": 1,
                     "children": [{"id": f"d{d}_i{i}", "label": f"I{d}.{i}", "scale": "l5", "weight": 1}
                                  for i in range(per)]})
    dims.append({"id": "ready", "label": "Readiness", "weight": 1,
                 "children": [{"id": "trl", "label": "TRL", "scale": "trl", "role": "axis"}]})
    return rubric_from_data({
        "id": "bench", "version": "1", "title": "bench", "normalize": True, "readiness": "trl",
        "scales": {"l5": {"kind": "likert", "min": 1, "max": 5},
                   "trl": {"kind": "levels", "levels": [{"level": k, "label": str(k)} for k in range(1, 10)]}},
        "dimensions": dims,
        "gates": [{"id": "floor", "label": "TRL < 4", "when": {"ref": "readiness", "op": "<", "value": 4}}],
        "tiers": [{"id": "A", "label": "A", "min_score": 75}, {"id": "B", "label": "B", "min_score": 60},
                  {"id": "C", "label": "C", "min_score": 45}, {"id": "D", "label": "D"}],
        "routes": [{"id": "r", "label": "R", "when": {"ref": "readiness", "op": "<=", "value": 3}},
                   {"id": "t", "label": "T", "when": {"ref": "readiness", "op": "<=", "value": 6}},
                   {"id": "l", "label": "L"}],
    })


def evaluator():
    """(EvaluationOptions, run(rubric, values, projects, experts, options)) of the ``tlr`` imported."""
    try:
        from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
    except ImportError:  # a checkout from before tlr.evaluation (--compare)
        from tlr.evaluate import EvaluationOptions, evaluate

        def run_arrays(rubric, values, projects, experts, options, progress=None):
            return evaluate(rubric, values, projects=projects, experts=experts, options=options, progress=progress)

        return EvaluationOptions, run_arrays

    def run(rubric, values, projects, experts, options, progress=None):
        cube = ScoreCube.of(values, experts=experts, projects=projects, indicators=[n.id for n in rubric.indicators])
        return evaluate(rubric, cube, options=options, progress=progress)

    return EvaluationOptions, run


def stages(evaluate, rubric, values, projects, experts, options, repeat: int) -> tuple[dict[str, float], int]:
    """Best time of each stage over *repeat* evaluations, and the peak bytes numpy allocates in one more."""
    import tracemalloc

    best: dict[str, float] = {}
    for _ in range(repeat):
        marks = [("checks", time.perf_counter())]
        evaluate(rubric, values, projects, experts, options, progress=lambda step: marks.append((step, time.perf_counter())))
        marks.append(("", time.perf_counter()))
        for (step, start), (_, end) in zip(marks, marks[1:]):
            best[step] = min(best.get(step, float("inf")), end - start)
    tracemalloc.start()
    evaluate(rubric, values, projects, experts, options)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def compare(args: argparse.Namespace) -> None:
    """Alternate fresh-process runs on this checkout and on ``args.compare``; medians of the rounds."""
    here = Path(__file__).resolve().parents[1]
    trees = {"this checkout": str(here), f"compared ({args.compare})": str(Path(args.compare).resolve())}
    cmd = [sys.executable, __file__, "--json", "--repeat", str(args.repeat)] + [
        f"--{k}={getattr(args, k)}" for k in ("projects", "experts", "indicators", "draws", "bootstrap")]
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            env = dict(os.environ, PYTHONPATH=tree)
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=tree).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
    print(f"evaluate {args.projects} x {args.experts} x {args.indicators}, {args.draws} + {args.bootstrap} draws; "
          f"median of {args.rounds} alternating rounds")
    for name, rows in runs.items():
        assert Path(rows[0]["tlr"]).resolve().is_relative_to(trees[name]), rows[0]["tlr"]
        full = statistics.median(r["median"] for r in rows)
        weights = statistics.median(r["weights_only"] for r in rows)
        print(f"  {name:<50} {full:6.2f} s   (without the bootstrap {weights:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=9)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--bootstrap", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", default=None, help="another checkout to time alternately with this one")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds for --compare")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--stages", action="store_true", help="time each stage (best of --repeat) and trace the peak memory")
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return
    EvaluationOptions, evaluate = evaluator()

    rubric = make_rubric(args.indicators)
    E, P = args.experts, args.projects
    I = len(rubric.indicators)
    rng = np.random.default_rng(1)
    quality = rng.normal(0, 1, P)
    cube = np.clip(np.round(3 + quality[None, :, None] + rng.normal(0, 0.7, (E, P, I))), 1, 5)
    cube[:, :, -1] = np.clip(np.round(5 + 1.5 * quality[None, :] + rng.normal(0, 0.6, (E, P))), 1, 9)
    assigned = np.zeros((E, P), bool)
    for p in range(P):  # setup only: 5 of 9 experts per project
        assigned[rng.choice(E, 5, replace=False), p] = True
    cube[~assigned] = np.nan
    options = EvaluationOptions(draws=args.draws, bootstrap_draws=args.bootstrap)
    projects = [f"P{p}" for p in range(P)]
    experts = [f"E{e}" for e in range(E)]
    start = time.perf_counter()
    evaluate(rubric, cube[:, :50], projects[:50], experts, EvaluationOptions(draws=10))
    warm = time.perf_counter() - start  # the first call pays the imports once per process
    if args.stages:
        best, peak = stages(evaluate, rubric, cube, projects, experts, options, args.repeat)
        if args.json:
            print(json.dumps({"stages": best, "peak_bytes": peak, "cube_bytes": cube.nbytes}))
            return
        print(f"evaluate {P} projects x {E} experts x {I} indicators, {args.draws} weight draws, {args.bootstrap} "
              f"expert-bootstrap draws: best of {args.repeat} per stage "
              f"(OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')})")
        for step, seconds in best.items():
            print(f"  {step:<18} {seconds:6.2f} s")
        rest = sum(v for k, v in best.items() if k != "robustness")
        print(f"  {'all but robustness':<18} {rest:6.2f} s   (issue 16: <= ~4 s at 100,000 projects)")
        print(f"  peak memory numpy allocates during one evaluation: {peak / 2**20:,.0f} MiB, on top of the "
              f"{cube.nbytes / 2**20:,.0f} MiB score cube")
        return
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluate(rubric, cube, projects, experts, options)
        times.append(time.perf_counter() - start)
    no_boot = EvaluationOptions(draws=args.draws, bootstrap_draws=0)
    start = time.perf_counter()
    evaluate(rubric, cube, projects, experts, no_boot)
    weights_only = time.perf_counter() - start
    if args.json:
        import tlr

        print(json.dumps({"median": statistics.median(times), "runs": times, "weights_only": weights_only,
                          "warm": warm, "tlr": tlr.__file__}))
        return
    print(f"evaluate {P} projects x {E} experts x {I} indicators, {args.draws} weight draws, "
          f"{args.bootstrap} expert-bootstrap draws: median {statistics.median(times):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}; target <= 2 s)")
    print(f"  without the expert bootstrap: {weights_only:.2f} s")
    print(f"  (one-time imports on the first call of a process: {warm:.2f} s, not included)")


if __name__ == "__main__":
    main()
