"""Brute force for small portfolio problems: every assignment of every project to no pool or one pool.

Independent of the MILP: constraints are evaluated directly on each assignment with numpy (all-or-nothing), or
with a small LP over the partial shares of one fixed assignment (scipy.optimize.linprog) when some projects may
be funded partially.
"""

from __future__ import annotations

import itertools

import numpy as np

TOL = 1e-7


def assignments(P: int, K: int) -> np.ndarray:
    """(N, P) every assignment: -1 not funded, else the pool."""
    return np.array(list(itertools.product(range(-1, K), repeat=P)), int)


def group_masks(problem, A: np.ndarray, share: np.ndarray | None = None) -> dict:
    """Group key -> (N,) bool: the named constraint holds for each assignment (shares: full unless given)."""
    P, K, T = problem.shape
    y = (A >= 0).astype(float) if share is None else share
    funded = A >= 0
    out = {}
    for k in range(K):
        for t in range(T):
            use = ((A == k) * y * problem.spend[:, t]).sum(axis=1)
            out[("budget", k, t)] = use <= problem.budgets[k, t] + TOL
    money = y * problem.costs
    total = money.sum(axis=1)
    for q, quota in enumerate(problem.quotas):
        if quota.measure == "count":
            m = (funded & quota.members).sum(axis=1)
        elif quota.measure == "money":
            m = money[:, quota.members].sum(axis=1)
        if quota.measure == "share":
            g = money[:, quota.members].sum(axis=1)
            if quota.min is not None:
                out[("quota_min", q)] = g - quota.min * total >= -TOL
            if quota.max is not None:
                out[("quota_max", q)] = g - quota.max * total <= TOL
        else:
            if quota.min is not None:
                out[("quota_min", q)] = m >= quota.min - TOL
            if quota.max is not None:
                out[("quota_max", q)] = m <= quota.max + TOL
    for d, (i, j) in enumerate(problem.needs):
        out[("needs", d)] = ~funded[:, i] | funded[:, j]
    for e, group in enumerate(problem.exclusions):
        out[("exclusion", e)] = funded[:, list(set(group))].sum(axis=1) <= 1
    for i in problem.include:
        out[("include", i)] = funded[:, i]
    for i in problem.exclude:
        out[("exclude", i)] = ~funded[:, i]
    return out


def structural(problem, A: np.ndarray) -> np.ndarray:
    """Each funded project is in a pool whose mandate admits it and has a value."""
    ok = np.ones(len(A), bool)
    has_value = np.isfinite(problem.values)
    for i in range(A.shape[1]):
        k = A[:, i]
        fine = (k < 0) | (problem.eligible[i, np.clip(k, 0, None)] & has_value[i])
        ok &= fine
    return ok


def best_all_or_nothing(problem, active=None) -> float | None:
    """The best objective over all assignments (None: infeasible), every project all-or-nothing."""
    A = assignments(*problem.shape[:2])
    ok = structural(problem, A)
    for g, m in group_masks(problem, A).items():
        if active is None or g in active:
            ok &= m
    if not ok.any():
        return None
    y = (A[ok] >= 0).astype(float)
    v = (y * np.nan_to_num(problem.values)).sum(axis=1)
    if problem.objective == "sum":
        return float(v.max())
    c = (y * problem.costs).sum(axis=1)
    pos = c > 0
    return float((v[pos] / c[pos]).max()) if pos.any() else float("nan")  # only the empty portfolio


def best_partial(problem) -> float | None:
    """The best Σ v·y with partial shares: per assignment passing the count rules, an LP over the shares."""
    from scipy.optimize import linprog

    P, K, T = problem.shape
    A = assignments(P, K)
    ok = structural(problem, A)
    masks = group_masks(problem, A)
    for g, m in masks.items():
        if g[0] in ("needs", "exclusion", "include", "exclude") or \
                (g[0] in ("quota_min", "quota_max") and problem.quotas[g[1]].measure == "count"):
            ok &= m
    best = None
    v = np.nan_to_num(problem.values)
    c = problem.costs
    for a in A[ok]:
        funded = np.flatnonzero(a >= 0)
        lo = np.where(problem.min_share[funded] < 1, problem.min_share[funded], 1.0)
        rows, rhs = [], []
        for k in range(K):
            for t in range(T):
                rows.append(np.where(a[funded] == k, problem.spend[funded, t], 0.0))
                rhs.append(problem.budgets[k, t])
        for quota in problem.quotas:
            mem = quota.members[funded].astype(float)
            if quota.measure == "money":
                if quota.min is not None:
                    rows.append(-mem * c[funded]); rhs.append(-quota.min)
                if quota.max is not None:
                    rows.append(mem * c[funded]); rhs.append(quota.max)
            elif quota.measure == "share":
                if quota.min is not None:
                    rows.append(-(mem - quota.min) * c[funded]); rhs.append(0.0)
                if quota.max is not None:
                    rows.append((mem - quota.max) * c[funded]); rhs.append(0.0)
        if len(funded) == 0:
            if all(r <= TOL for r in [0.0 - h for h in rhs]) or all(h >= -TOL for h in rhs):
                best = 0.0 if best is None else max(best, 0.0)
            continue
        res = linprog(-v[funded], A_ub=np.array(rows), b_ub=np.array(rhs) + TOL,
                      bounds=list(zip(lo, np.ones(len(funded)))), method="highs")
        if res.status == 0:
            best = -res.fun if best is None else max(best, -res.fun)
    return best
