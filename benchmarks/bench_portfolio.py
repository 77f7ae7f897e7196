"""Speed of the portfolio MILP: 1,000 candidates, 5 pools, 3 years, 20 quotas; and a 50-point frontier.

Not a test. Run from the project root:

    python benchmarks/bench_portfolio.py                     # 1,000 candidates, gap 0.1 %
    python benchmarks/bench_portfolio.py --candidates 300 --gap 0

Synthetic, seeded data shaped like a provincial round: 11 industries, 18 regions, 3 routes; tickets 100–3,000
万元 (log-uniform); rNPV values correlated with the ticket, 15 % of them negative; each of 4 sub-funds admits
2–4 industries and a ticket range, the provincial pool admits everything; budgets per pool and year sized so
about a quarter of the asks can be funded; tranches 60/40 with tranche 2 released with p in [0.3, 0.9];
20 quotas (lower and upper, count, money and share, by industry, region and route); 30 dependencies, 30
exclusion pairs, 20 % of projects fundable partially (minimum share 0.5), 5 must-include, 10 must-exclude.
Targets: the solve ≤ 10 s (optimal or gap ≤ 0.1 %), the 50-point frontier ≤ 30 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from tlr.portfolio.frontier import default_scales, frontier  # noqa: E402
from tlr.portfolio.problem import Quota, make_problem  # noqa: E402
from tlr.portfolio.solve import solve  # noqa: E402
from tlr.portfolio.tranches import schedule  # noqa: E402


def instance(n: int, pools: int = 5, years: int = 3, quotas: int = 20, seed: int = 20261130):
    rng = np.random.default_rng(seed)
    industry = rng.integers(0, 11, n)
    region = rng.integers(0, 18, n)
    route = rng.integers(0, 3, n)
    costs = np.exp(rng.uniform(np.log(100), np.log(3000), n)).round(0)
    values = (costs * rng.lognormal(0.3, 0.8, n) * np.where(rng.random(n) < 0.15, -0.3, 1.0)).round(1)
    p2 = rng.uniform(0.3, 0.9, n)
    use, full = schedule(costs, [0.6, 0.4], np.c_[np.ones(n), p2], years)
    eligible = np.zeros((n, pools), bool)
    eligible[:, -1] = True                                      # the provincial pool: any project
    for k in range(pools - 1):
        focus = rng.choice(11, rng.integers(2, 5), replace=False)
        lo, hi = sorted(rng.choice([100, 200, 300, 500, 1500, 2500, 3000], 2, replace=False))
        eligible[:, k] = np.isin(industry, focus) & (costs >= lo) & (costs <= hi)
    total = use.sum(axis=0)
    budgets = np.outer(rng.dirichlet(np.ones(pools) * 3), total) * 0.25
    qs = []
    for q in range(quotas):
        kind = q % 4
        if kind == 0:
            qs.append(Quota(f"ind{q}-min", industry == q % 11, "count", 3.0, None))
        elif kind == 1:
            qs.append(Quota(f"ind{q}-max", industry == q % 11, "share", None, 0.25))
        elif kind == 2:
            qs.append(Quota(f"reg{q}", region == q % 18, "money", 500.0, 20000.0))
        else:
            qs.append(Quota(f"route{q}", route == q % 3, "count", 10.0, 150.0))
    perm = rng.permutation(n)
    needs = [(int(perm[2 * d]), int(perm[2 * d + 1])) for d in range(30)]
    exclusions = [(int(perm[100 + 2 * e]), int(perm[101 + 2 * e])) for e in range(30)]
    order = np.argsort(-values / costs)
    include = [int(i) for i in order[:5]]
    exclude = [int(i) for i in perm[200:210] if i not in include]
    min_share = np.where(rng.random(n) < 0.2, 0.5, 1.0)
    return make_problem(values, costs, use, budgets, eligible, min_share=min_share, quotas=qs, needs=needs,
                        exclusions=exclusions, include=include, exclude=exclude, spend_full=full)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--gap", type=float, default=1e-3)
    ap.add_argument("--points", type=int, default=50)
    args = ap.parse_args()
    problem = instance(args.candidates)
    t = time.perf_counter()
    r = solve(problem, gap=args.gap)
    solve_s = time.perf_counter() - t
    print(f"solve: {args.candidates} candidates, 5 pools, 3 years, 20 quotas: {solve_s:.2f} s, status {r.status}, "
          f"gap {r.mip_gap:.2e}, funded {int(r.selected.sum())}, value {r.total_value:.0f}, "
          f"cost {r.total_cost:.0f} 万元")
    t = time.perf_counter()
    f = frontier(problem, default_scales(args.points), gap=args.gap)
    front_s = time.perf_counter() - t
    ok = np.isfinite(f.values)
    print(f"frontier: {args.points} points in {front_s:.2f} s ({int(ok.sum())} feasible), worst gap "
          f"{np.nanmax(f.gaps):.2e}")
    print(f"targets: solve <= 10 s {'OK' if solve_s <= 10 else 'MISSED'}; frontier <= 30 s "
          f"{'OK' if front_s <= 30 else 'MISSED'}")


if __name__ == "__main__":
    main()
