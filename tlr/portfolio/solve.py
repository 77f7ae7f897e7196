"""The portfolio program, solved exactly (docs/portfolio.md has it written out).

Variables, for every project i and pool k whose mandate admits it (and i has a value):

* ``x[i,k]`` ∈ {0, 1}: pool k funds project i;
* ``y[i,k]`` ∈ [0, 1]: the share of the ticket funded — ``y = x`` for an all-or-nothing project; for a project
  that may be funded partially, ``min_share · x ≤ y ≤ x``.

maximise ``Σ v_i y[i,k]`` (objective ``sum``) or ``Σ v_i y / Σ c_i y`` (``ratio``: value for money, solved
exactly by Dinkelbach's method: a short sequence of the same program with objective ``Σ (v_i − λ c_i) y``),
subject to

* at most one pool per project: ``Σ_k x[i,k] ≤ 1`` (hard);
* ``("budget", k, t)``: ``Σ_i spend[i,t] · y[i,k] ≤ budget[k,t]``;
* ``("quota_min"|"quota_max", q)``: count ``Σ x``, money ``Σ c y`` or share ``Σ (1[i∈g] − r) c y ≥ 0 (≤ 0)``;
* ``("needs", d)``: ``Σ_k x[i,k] ≤ Σ_k x[j,k]``; ``("exclusion", e)``: ``Σ_{i∈S} Σ_k x[i,k] ≤ 1``;
* ``("include", i)``: ``Σ_k x[i,k] ≥ 1``; ``("exclude", i)``: ``Σ_k x[i,k] ≤ 0``.

Solver: HiGHS through ``scipy.optimize.milp`` (branch and bound with cuts; exact up to the relative gap asked
for, which is reported with the dual bound). When the problem is infeasible, :mod:`tlr.portfolio.conflicts`
names an irreducible set of the constraints above that cannot hold together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.results import ResultMixin
from tlr.portfolio.problem import Problem

_TOL = 1e-7


@dataclass(frozen=True)
class Solution(ResultMixin):
    """A solved portfolio.

    Attributes:
        status: ``optimal`` (within the gap asked for), ``feasible`` (stopped by the time limit with a
            solution: see ``mip_gap``), ``infeasible`` (see ``conflict``), ``no_solution`` (time limit, none found).
        objective: ``sum`` or ``ratio``; value: the objective's value (Σ v y, or Σ v y / Σ c y).
        total_value (Σ v y), total_cost (committed 万元, Σ c y).
        pool: (P,) the funding pool's index, -1 not funded; share: (P,) share of the ticket funded (0: none).
        use, use_full: (K, T) budget use as counted (expected or worst case) and with every tranche in full.
        quota_values: (Q,) the measure each quota counts, at the solution.
        slack: group key -> room left in that constraint (budgets and quotas; 0 = binding).
        mip_gap: relative gap between the solution and the dual bound (0: proved optimal); dual_bound.
        conflict: when infeasible, an irreducible set of named constraint groups that cannot hold together.
        solves: number of MILPs solved; message: the solver's last message.
    """

    status: str
    objective: str
    value: float
    total_value: float
    total_cost: float
    pool: np.ndarray
    share: np.ndarray
    use: np.ndarray
    use_full: np.ndarray
    quota_values: np.ndarray
    slack: dict = field(default_factory=dict)
    mip_gap: float = float("nan")
    dual_bound: float = float("nan")
    conflict: tuple = ()
    solves: int = 0
    message: str = ""

    @property
    def selected(self) -> np.ndarray:
        return self.pool >= 0

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass
class Model:
    """The program's columns and named rows (built once; rows chosen by group for the conflict search)."""

    problem: Problem
    pair_i: np.ndarray            # x columns: project of each pair
    pair_k: np.ndarray            # and its pool
    ycol: np.ndarray              # column of y for each pair (= the x column for all-or-nothing projects)
    n: int
    integrality: np.ndarray
    rows: list = field(default_factory=list)   # (cols, coefs, lo, hi, group or None)

    def row_bounds(self, group) -> tuple[float, float]:
        for cols, coefs, lo, hi, g in self.rows:
            if g == group:
                return lo, hi
        raise KeyError(group)


def build(problem: Problem) -> Model:
    """The columns and rows of *problem* (module doc)."""
    v, c = problem.values, problem.costs
    P, K, T = problem.shape
    ok = problem.eligible & np.isfinite(v)[:, None]
    pair_i, pair_k = np.nonzero(ok)
    n_pairs = len(pair_i)
    partial = problem.min_share[pair_i] < 1.0
    ycol = np.arange(n_pairs)
    ycol[partial] = n_pairs + np.arange(int(partial.sum()))
    n = n_pairs + int(partial.sum())
    integrality = np.zeros(n)
    integrality[:n_pairs] = 1
    m = Model(problem, pair_i, pair_k, ycol, n, integrality)
    rows = m.rows
    by_project: dict[int, list[int]] = {}
    for p, i in enumerate(pair_i):
        by_project.setdefault(int(i), []).append(p)

    def xs(i: int) -> list[int]:
        return by_project.get(int(i), [])

    for i, ps in by_project.items():
        if len(ps) > 1:
            rows.append((np.array(ps), np.ones(len(ps)), -np.inf, 1.0, None))
    for p in np.flatnonzero(partial):
        y, x = ycol[p], p
        rows.append((np.array([y, x]), np.array([1.0, -1.0]), -np.inf, 0.0, None))
        rows.append((np.array([y, x]), np.array([1.0, -problem.min_share[pair_i[p]]]), 0.0, np.inf, None))
    for k in range(K):
        ps = np.flatnonzero(pair_k == k)
        for t in range(T):
            coef = problem.spend[pair_i[ps], t]
            keep = coef > 0
            rows.append((ycol[ps[keep]], coef[keep], -np.inf, float(problem.budgets[k, t]), ("budget", k, t)))
    for q, quota in enumerate(problem.quotas):
        mem = quota.members[pair_i]
        if quota.measure == "count":
            cols, coef = np.flatnonzero(mem), np.ones(int(mem.sum()))
            bounds = [("quota_min", quota.min, np.inf), ("quota_max", -np.inf, quota.max)]
            for name, lo, hi in bounds:
                if (quota.min if name == "quota_min" else quota.max) is not None:
                    rows.append((cols, coef, float(lo), float(hi), (name, q)))
        elif quota.measure == "money":
            cols, coef = ycol[mem], c[pair_i[mem]]
            if quota.min is not None:
                rows.append((cols, coef, float(quota.min), np.inf, ("quota_min", q)))
            if quota.max is not None:
                rows.append((cols, coef, -np.inf, float(quota.max), ("quota_max", q)))
        else:  # share of committed money
            for name, r in (("quota_min", quota.min), ("quota_max", quota.max)):
                if r is None:
                    continue
                coef = (mem.astype(float) - float(r)) * c[pair_i]
                lo, hi = (0.0, np.inf) if name == "quota_min" else (-np.inf, 0.0)
                rows.append((ycol, coef, lo, hi, (name, q)))
    for d, (i, j) in enumerate(problem.needs):
        cols = xs(i) + xs(j)
        rows.append((np.array(cols, int), np.array([1.0] * len(xs(i)) + [-1.0] * len(xs(j))), -np.inf, 0.0,
                     ("needs", d)))
    for e, group in enumerate(problem.exclusions):
        cols = [p for i in dict.fromkeys(group) for p in xs(i)]
        rows.append((np.array(cols, int), np.ones(len(cols)), -np.inf, 1.0, ("exclusion", e)))
    for i in problem.include:
        rows.append((np.array(xs(i), int), np.ones(len(xs(i))), 1.0, np.inf, ("include", i)))
    for i in problem.exclude:
        rows.append((np.array(xs(i), int), np.ones(len(xs(i))), -np.inf, 0.0, ("exclude", i)))
    return m


def run(model: Model, objective: np.ndarray, *, active=None, gap: float = 1e-4,
        time_limit: float | None = 60.0) -> tuple[str, np.ndarray | None, float, float, str]:
    """Minimise ``objective · z`` over the model's rows (named groups in *active*, or all; unnamed always).

    Returns ``(status, z, mip_gap, dual_bound, message)``; status ``optimal``, ``feasible``, ``infeasible`` or
    ``no_solution``.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array

    from tlr.ranking.selection import _quiet_stdout

    rows = [r for r in model.rows if r[4] is None or active is None or r[4] in active]
    if model.n == 0:
        ok = all(lo <= 1e-9 and hi >= -1e-9 for _c, _k, lo, hi, _g in rows)
        return ("optimal", np.zeros(0), 0.0, 0.0, "empty") if ok else ("infeasible", None, math.nan, math.nan,
                                                                          "empty")
    constraints = []
    if rows:
        indptr = np.cumsum([0] + [len(r[0]) for r in rows])
        indices = np.concatenate([np.asarray(r[0], int) for r in rows]) if indptr[-1] else np.zeros(0, int)
        data = np.concatenate([np.asarray(r[1], float) for r in rows]) if indptr[-1] else np.zeros(0)
        A = csr_array((data, indices, indptr), shape=(len(rows), model.n))
        constraints = [LinearConstraint(A, np.array([r[2] for r in rows], float),
                                        np.array([r[3] for r in rows], float))]
    opts = {"mip_rel_gap": float(gap), "presolve": True}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    with _quiet_stdout():
        res = milp(objective, constraints=constraints, integrality=model.integrality,
                   bounds=Bounds(np.zeros(model.n), np.ones(model.n)), options=opts)
    mip_gap = float(getattr(res, "mip_gap", math.nan) or 0.0) if res.x is not None else math.nan
    bound = float(getattr(res, "mip_dual_bound", math.nan) or math.nan) if res.x is not None else math.nan
    if res.status == 2:
        return "infeasible", None, math.nan, math.nan, str(res.message)
    if res.x is None:
        return "no_solution", None, math.nan, math.nan, str(res.message)
    status = "optimal" if res.status == 0 else "feasible"
    z = res.x.copy()
    z[:int(model.integrality.sum())] = np.round(z[:int(model.integrality.sum())])
    return status, z, mip_gap, bound, str(res.message)


def _objective(model: Model, weights: np.ndarray) -> np.ndarray:
    obj = np.zeros(model.n)
    obj[model.ycol] = -weights[model.pair_i]
    return obj


def solve(problem: Problem, *, gap: float = 1e-4, time_limit: float | None = 60.0,
          name_conflict: bool = True) -> Solution:
    """Solve *problem* (module doc). Infeasible: ``status="infeasible"`` and ``conflict`` names the clash."""
    model = build(problem)
    v = np.nan_to_num(problem.values)
    status, z, mip_gap, bound, msg = run(model, _objective(model, v), gap=gap, time_limit=time_limit)
    solves = 1
    if z is not None and problem.objective == "ratio":
        value, cost = _totals(model, z)
        ratio = value / cost if cost > 0 else math.nan
        for _ in range(60):
            if not cost > 0:
                break
            s2, z2, g2, b2, m2 = run(model, _objective(model, v - ratio * problem.costs), gap=gap,
                                     time_limit=time_limit)
            solves += 1
            if z2 is None:
                break
            value2, cost2 = _totals(model, z2)
            if not cost2 > 0 or value2 / cost2 <= ratio + 1e-12 * (1 + abs(ratio)):
                break
            status, z, mip_gap, bound, msg = s2, z2, g2, b2, m2
            value, cost, ratio = value2, cost2, value2 / cost2
        bound = ratio if status == "optimal" else math.nan
    conflict: tuple = ()
    if status == "infeasible" and name_conflict:
        from tlr.portfolio.conflicts import irreducible

        conflict, more = irreducible(model, time_limit=time_limit)
        solves += more
    return _solution(model, status, z, mip_gap, bound, msg, conflict, solves)


def _totals(model: Model, z: np.ndarray) -> tuple[float, float]:
    y = z[model.ycol]
    p = model.problem
    return float(np.nan_to_num(p.values)[model.pair_i] @ y), float(p.costs[model.pair_i] @ y)


def _solution(model: Model, status: str, z, mip_gap, bound, msg, conflict, solves) -> Solution:
    p = model.problem
    P, K, T = p.shape
    pool = -np.ones(P, int)
    share = np.zeros(P)
    full = p.spend if p.spend_full is None else p.spend_full
    use = np.zeros((K, T))
    use_full = np.zeros((K, T))
    qv = np.full(len(p.quotas), np.nan)
    slack: dict = {}
    if z is None:
        return Solution(status, p.objective, math.nan, math.nan, math.nan, pool, share, use, use_full, qv, slack,
                        mip_gap, bound, conflict, solves, msg)
    y = z[model.ycol]
    chosen = z[:len(model.pair_i)] > 0.5
    for idx in np.flatnonzero(chosen):
        i, k = model.pair_i[idx], model.pair_k[idx]
        pool[i] = k
        share[i] = 1.0 if p.min_share[i] >= 1 else float(np.clip(y[idx], p.min_share[i], 1.0))
        use[k] += p.spend[i] * share[i]
        use_full[k] += full[i] * share[i]
    total_value = float(np.nan_to_num(p.values) @ share)
    total_cost = float(p.costs @ share)
    for k in range(K):
        for t in range(T):
            slack[("budget", k, t)] = float(p.budgets[k, t] - use[k, t])
    money = p.costs * share
    for q, quota in enumerate(p.quotas):
        if quota.measure == "count":
            qv[q] = float((quota.members & (pool >= 0)).sum())
        elif quota.measure == "money":
            qv[q] = float(money[quota.members].sum())
        else:
            qv[q] = float(money[quota.members].sum() / total_cost) if total_cost > 0 else math.nan
        if quota.min is not None:
            slack[("quota_min", q)] = float(qv[q] - quota.min)
        if quota.max is not None:
            slack[("quota_max", q)] = float(quota.max - qv[q])
    value = total_value if p.objective == "sum" else (total_value / total_cost if total_cost > 0 else math.nan)
    return Solution(status, p.objective, value, total_value, total_cost, pool, share, use, use_full, qv, slack,
                    mip_gap, bound, conflict, solves, msg)
