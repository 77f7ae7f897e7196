from __future__ import annotations

import numpy as np

from tlr.portfolio.problem import Quota, make_problem


def random_problem(rng: np.random.Generator, P: int = 8, K: int = 2, T: int = 2, *, partial: bool = False,
                   objective: str = "sum"):
    """A random small problem with every kind of constraint (some instances infeasible)."""
    values = rng.uniform(-1, 10, P).round(2)
    values[rng.random(P) < 0.1] = np.nan
    costs = rng.integers(1, 10, P).astype(float) * 10
    split = np.array([0.6, 0.4])
    p2 = rng.choice([1.0, 0.5, 0.8], P)
    spend = np.c_[costs * split[0], costs * split[1] * p2][:, :T]
    budgets = rng.integers(3, 20, (K, T)).astype(float) * 10
    eligible = rng.random((P, K)) < 0.75
    groups = rng.integers(0, 3, P)
    quotas = []
    for g in range(3):
        measure = rng.choice(["count", "money", "share"])
        members = groups == g
        if measure == "count":
            lo, hi = rng.choice([None, 1]), rng.choice([None, 1, 2])
        elif measure == "money":
            lo, hi = rng.choice([None, 20.0]), rng.choice([None, 60.0, 120.0])
        else:
            lo, hi = rng.choice([None, 0.1]), rng.choice([None, 0.6])
        if lo is None and hi is None:
            hi = 3 if measure == "count" else (200.0 if measure == "money" else 0.9)
        quotas.append(Quota(f"g{g}", members, str(measure), None if lo is None else float(lo),
                            None if hi is None else float(hi)))
    perm = rng.permutation(P)
    needs = [(int(perm[0]), int(perm[1]))]
    exclusions = [tuple(int(i) for i in perm[2:5 if P >= 8 else 4])]
    include = (int(perm[-2]),) if rng.random() < 0.5 else ()
    exclude = (int(perm[-1]),)
    min_share = np.where(rng.random(P) < 0.5, 0.5, 1.0) if partial else None
    if objective == "ratio":
        values = np.abs(values)
    return make_problem(values, costs, spend, budgets, eligible, min_share=min_share, quotas=quotas, needs=needs,
                        exclusions=exclusions, include=include, exclude=exclude, objective=objective)
