"""Benchmarks for the numeric scoring core (issue 6, "Done when").

Targets:
  A. 1,000 projects x 9 experts x 40 indicators -> consensus, composite, tiers and 10,000-draw
     robustness in <= 2 s.
  B. 1,000,000 projects x 40 indicators -> composite and ranking in <= 10 s and <= 4 GB peak memory.

Run:  /tmp/venv/bin/python benchmarks/bench_scoring.py           (both)
      /tmp/venv/bin/python benchmarks/bench_scoring.py --only A

Timings are wall-clock (time.perf_counter) of the computation only (input generation excluded);
memory is the tracemalloc peak of a second, traced run of the same section (NumPy allocations are
traced) and the process peak RSS (resource.getrusage, includes the input arrays and the interpreter).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np


def _rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20


def timed(label, fn, *args, repeat: int = 1, **kw):
    """Run ``repeat`` times untraced (median wall time reported), then once under tracemalloc for the
    peak (tracing slows Python-object-heavy code, so the two are measured separately)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        times.append(time.perf_counter() - t0)
        del out
    dt = float(np.median(times))
    if repeat > 1:
        label = f"{label} (median of {repeat}, min {min(times):.3f})"
    tracemalloc.start()
    out = fn(*args, **kw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  {label:<52s} {dt:8.3f} s   traced peak {peak / 2**20:9.1f} MB")
    return out, dt, peak


def bench_a(seed: int = 1) -> bool:
    from tlr.engine.aggregation import weighted_sum
    from tlr.engine.utility import likert
    from tlr.panel.consensus import consensus
    from tlr.ranking.robustness import weight_monte_carlo
    from tlr.ranking.tiers import assign_tiers, default_rules, rank

    E, P, L = 9, 1000, 40
    rng = np.random.default_rng(seed)
    quality = rng.uniform(1, 5, (P, L))
    scores = np.clip(np.rint(quality[None] + rng.normal(0, 0.7, (E, P, L))), 1, 5)
    scores[rng.uniform(size=(E, P, L)) < 0.03] = np.nan          # missing scores
    scores[0, :20] = np.nan                                       # expert 0 recused from 20 projects
    w = rng.dirichlet(np.ones(L) * 5)
    rules = default_rules([0.75, 0.6, 0.45])
    gates = rng.uniform(size=(P, 2)) < 0.02

    def pipeline():
        cons = consensus(scores, "trimmed", trim=1, min_remaining=3)
        U = likert(cons.values, 1, 5)
        comp = weighted_sum(U, w, missing="renormalize").composite
        rk = rank(comp)
        tiers = assign_tiers(comp, rules, gates=gates, gate_reasons=["gate1", "gate2"])
        rob = weight_monte_carlo(U, w, concentration=200, n_draws=10_000, seed=seed, top_k=50,
                                 tier_rules=rules, knocked_out=tiers.knocked_out)
        return cons, comp, rk, tiers, rob

    print(f"A. {P} projects x {E} experts x {L} indicators, 10,000 draws")
    pipeline()  # warm-up (imports, first-touch)
    (_, _, _, _, rob), dt, peak = timed("consensus+composite+rank+tiers+robustness", pipeline, repeat=3)
    ok = dt <= 2.0
    print(f"  -> {dt:.3f} s (target <= 2 s): {'OK' if ok else 'MISSED'}; "
          f"P(top 50) of rank-1 project = {rob.p_top_k[np.argmin(rob.base_rank)]:.3f}")

    from tlr.panel.agreement import expert_diagnostics, panel_agreement
    from tlr.ranking.robustness import expert_bootstrap
    timed("(extra) agreement: Kendall W + ICC per indicator/overall", panel_agreement, scores)
    timed("(extra) expert diagnostics", expert_diagnostics, scores)
    timed("(extra) expert bootstrap, 2,000 draws", expert_bootstrap, likert(scores, 1, 5), w,
          n_draws=2000, seed=seed)
    return ok


def bench_b(seed: int = 2) -> bool:
    from tlr.engine.aggregation import topsis, weighted_sum
    from tlr.ranking.tiers import assign_tiers, default_rules, rank

    P, L = 1_000_000, 40
    rng = np.random.default_rng(seed)
    U = rng.uniform(size=(P, L))
    w = rng.dirichlet(np.ones(L) * 5)
    print(f"B. {P:,} projects x {L} indicators (input {U.nbytes / 2**20:.0f} MB)")

    def composite_and_rank():
        comp = weighted_sum(U, w).composite
        return comp, rank(comp)

    (comp, rk), dt, peak = timed("composite + ranking", composite_and_rank)
    ok_t = dt <= 10.0
    timed("(extra) tiers A-D for all projects", assign_tiers, comp, default_rules([0.6, 0.5, 0.4]))
    timed("(extra) TOPSIS, chunked", topsis, U, w)
    rss = _rss_mb()
    ok_m = rss <= 4096
    print(f"  -> {dt:.3f} s (target <= 10 s): {'OK' if ok_t else 'MISSED'}; process peak RSS {rss:.0f} MB "
          f"(target <= 4096 MB): {'OK' if ok_m else 'MISSED'}")
    return ok_t and ok_m


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["A", "B"])
    args = ap.parse_args(argv)
    import os
    print(f"numpy {np.__version__}; cores {os.cpu_count()}; load average {os.getloadavg()[0]:.2f} "
          "(other processes on the machine slow the timings)")
    ok = True
    if args.only in (None, "A"):
        ok &= bench_a()
    if args.only in (None, "B"):
        ok &= bench_b()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
