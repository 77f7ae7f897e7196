"""Budget-constrained portfolio selection: which projects a fixed budget should fund, and why.

Two layers:

* :func:`select_portfolio` — the plain exact program below (Σ score), kept for callers that bring
  their own scores.
* :func:`select_budget` — what a funding committee signs: a *named* objective over the candidates
  (``above-line``, ``value-for-money`` or ``sum``), beside the rank-order fill, with a reason and a swap
  for every candidate left out and the efficient frontier (budget -> best value). Formulas and the
  known failure of each objective: docs/scoring.md §7.

The plain program is a 0-1 knapsack with side constraints, solved exactly as a mixed-integer program with
``scipy.optimize.milp`` (HiGHS, relative gap 0):

    maximise   sum_i s_i x_i
    subject to sum_i c_i x_i <= budget
               sum_{i in g} x_i <= count_cap_g          (optional, per industry/group g)
               sum_{i in g} c_i x_i <= budget_cap_g     (optional)
               x_i = 1 for must-include, x_i = 0 for must-exclude, x_i in {0, 1}

Projects without a score (NaN) cannot be selected: they are excluded and listed in
``excluded_unscored`` (never silently dropped).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InfeasibleError, InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin


@dataclass(frozen=True)
class SelectionResult(ResultMixin):
    """Optimal selection.

    Attributes:
        selected: (projects,) bool.
        total_score, total_cost: of the selection.
        budget: the budget.
        excluded_unscored: indices of projects excluded because they have no score.
        status: solver message.
        group_counts, group_costs: per group (if groups were given): number and cost selected.
    """

    selected: np.ndarray
    total_score: float
    total_cost: float
    budget: float
    excluded_unscored: np.ndarray
    status: str
    group_counts: dict = field(default_factory=dict)
    group_costs: dict = field(default_factory=dict)


def select_portfolio(scores, costs, budget: float, *, must_include=None, must_exclude=None, groups=None,
                     count_caps: Mapping | None = None, budget_caps: Mapping | None = None,
                     time_limit: float | None = 60.0) -> SelectionResult:
    """Exact budget-constrained selection (see module doc).

    Args:
        scores: (projects,) value of funding each project (e.g. composite); NaN = unscored.
        costs: (projects,) requested funding, >= 0.
        budget: total budget, >= 0.
        must_include, must_exclude: boolean masks or index lists.
        groups: (projects,) group label per project (e.g. industry); needed for caps.
        count_caps: {group: max number of projects}; budget_caps: {group: max total cost}.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    s = as_float_array(scores, "scores", ndim=1)
    c = as_float_array(costs, "costs", ndim=1)
    P = s.shape[0]
    if c.shape != (P,):
        raise ShapeError(f"费用个数须为项目数 {P} / costs must have {P} entries")
    if np.isnan(c).any() or (c < 0).any():
        raise InvalidValueError("申请经费须为非负数 / costs must be non-negative numbers")
    if not np.isfinite(budget) or budget < 0:
        raise InvalidValueError(f"预算须为非负数 / budget must be a non-negative number, got {budget}")

    def mask(m, name):
        if m is None:
            return np.zeros(P, bool)
        a = np.asarray(m)
        if a.dtype == bool:
            if a.shape != (P,):
                raise ShapeError(f"{name} 长度须为 {P} / {name} must have {P} entries")
            return a
        out = np.zeros(P, bool)
        out[a.astype(np.int64)] = True
        return out

    inc = mask(must_include, "must_include")
    exc = mask(must_exclude, "must_exclude")
    if (inc & exc).any():
        raise InfeasibleError(f"项目同时被要求入选和排除 / projects both included and excluded: "
                              f"{np.flatnonzero(inc & exc).tolist()}")
    unscored = np.isnan(s)
    if (inc & unscored).any():
        raise InfeasibleError(f"必选项目没有评分 / must-include projects have no score: "
                              f"{np.flatnonzero(inc & unscored).tolist()}")
    lb = inc.astype(float)
    ub = np.where(exc | unscored, 0.0, 1.0)
    rows = [c]
    lo = [-np.inf]
    hi = [float(budget)]
    gcount, gcost = {}, {}
    labels = None
    if count_caps or budget_caps:
        if groups is None:
            raise InvalidValueError("设置行业上限需要项目分组 / caps need a group label per project")
    if groups is not None:
        labels = np.asarray(groups, dtype=object)
        if labels.shape != (P,):
            raise ShapeError(f"分组长度须为 {P} / groups must have {P} entries")
        for g, cap in (count_caps or {}).items():
            rows.append((labels == g).astype(float))
            lo.append(-np.inf)
            hi.append(float(cap))
        for g, cap in (budget_caps or {}).items():
            rows.append(np.where(labels == g, c, 0.0))
            lo.append(-np.inf)
            hi.append(float(cap))
    obj = -np.nan_to_num(s)
    opts = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    with _quiet_stdout():
        res = milp(obj, constraints=LinearConstraint(np.vstack(rows), lo, hi), integrality=np.ones(P),
                   bounds=Bounds(lb, ub), options=opts)
    if res.status == 2 or res.x is None:
        raise InfeasibleError(f"无可行组合 / no feasible selection: {res.message}",
                              hint="must-include projects may exceed the budget or a cap")
    if res.status != 0:
        raise InfeasibleError(f"求解未完成 / solver did not finish: {res.message}",
                              hint="raise time_limit or reduce the number of projects")
    x = np.round(res.x).astype(bool)
    if labels is not None:
        for g in np.unique(labels):
            m = (labels == g) & x
            gcount[str(g)] = int(m.sum())
            gcost[str(g)] = float(c[m].sum())
    return SelectionResult(selected=x, total_score=float(np.nan_to_num(s)[x].sum()), total_cost=float(c[x].sum()),
                           budget=float(budget), excluded_unscored=np.flatnonzero(unscored), status=res.message,
                           group_counts=gcount, group_costs=gcost)


@contextmanager
def _quiet_stdout():
    """Keep file descriptor 1 clean while HiGHS runs.

    HiGHS 1.12 (shipped with SciPy 1.17) may ``printf`` a stray debug line
    ("HighsMipSolverData::transformNewIntegerFeasibleSolution ...") to the process's stdout, which
    would corrupt ``tlr rank --json``. The line carries no information; send it to /dev/null.
    """
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError):  # pragma: no cover - closed or replaced stream
        pass
    try:
        saved = os.dup(1)
    except OSError:  # pragma: no cover - no fd 1 (embedded interpreter)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


# =========================================================================== committee selection

OBJECTIVES = ("above-line", "value-for-money", "sum")
LEFT_OUT_REASONS = ("over_budget", "displaces_more", "equal_value", "would_improve", "no_value", "cap")
_REL_TOL = 1e-9     # values closer than this x (1 + scale) count as equal (solver-independent)
_STEP_TOL = 1e-6    # the frontier's next point must add at least this x (1 + largest value)


@dataclass(frozen=True)
class LeftOut(ResultMixin):
    """Why one candidate is not in the selection, and the cheapest swap (in value) that brings it in.

    Attributes:
        project: index of the candidate.
        reason: ``over_budget`` (costs more than the whole budget), ``displaces_more`` (it would push
            out selected projects worth more than itself), ``equal_value`` (a swap of equal value:
            a tie), ``would_improve`` (the swap raises the objective: the selection rule is not the
            optimum, e.g. value-for-money), ``no_value`` (it adds nothing: value ≤ 0), ``cap``
            (no swap respects the group caps).
        value, cost: its objective value and cost.
        remaining: budget the selection leaves unspent (its cost exceeds this, or it would be in).
        drop: selected projects that would have to leave (least total value that frees enough room).
        dropped_value: their total value (NaN: no swap).
        delta: change of the objective if it came in and ``drop`` left (NaN: no swap).
    """

    project: int
    reason: str
    value: float
    cost: float
    remaining: float
    drop: tuple[int, ...]
    dropped_value: float
    delta: float


@dataclass(frozen=True)
class Frontier(ResultMixin):
    """Best objective value as a function of the budget (a step function), with the selections.

    Point k holds for budgets from ``budgets[k]`` up to the next point's budget.

    Attributes:
        budgets: (K,) ascending; ``budgets[0] = 0``.
        values: (K,) best objective value at that budget (exact).
        costs: (K,) cost of that best selection (= ``budgets[k]`` at a breakpoint).
        selected: (K, projects) bool, the best selection at each point.
        rank_fill_values: (K,) value of the rank-order fill at the same budget.
        rule_values: (K,) value of the value-for-money ratio rule at the same budget (NaN for the
            other objectives).
        breakpoints: True if the points are every budget at which the best value rises (exact);
            False if there were more than the point limit and the points are an even grid instead.
    """

    budgets: np.ndarray
    values: np.ndarray
    costs: np.ndarray
    selected: np.ndarray
    rank_fill_values: np.ndarray
    rule_values: np.ndarray
    breakpoints: bool


@dataclass(frozen=True)
class BudgetSelection(ResultMixin):
    """A committee's budget selection: the chosen rule's selection, the baseline and the explanations.

    Attributes:
        objective: one of :data:`OBJECTIVES`; line: the fundable line it measures value from.
        budget: the budget.
        values: (projects,) objective value per project (composite − line, or composite for ``sum``);
            NaN outside the candidates.
        costs: (projects,) as given; candidates: (projects,) bool.
        selected: (projects,) bool, the selection under the objective; total_value, total_cost,
            remaining (= budget − total_cost) of it.
        optimum: (projects,) bool, the exact maximum of Σ value (equal to ``selected`` except under
            ``value-for-money``, whose selection is the ratio rule); optimum_value.
        rank_fill: (projects,) bool, going down the ranking taking each candidate that still fits;
            rank_fill_value, rank_fill_cost.
        left_out: one :class:`LeftOut` per candidate not selected, in ranking order.
        frontier: :class:`Frontier` or None (not asked for).
    """

    objective: str
    line: float
    budget: float
    values: np.ndarray
    costs: np.ndarray
    candidates: np.ndarray
    selected: np.ndarray
    total_value: float
    total_cost: float
    remaining: float
    optimum: np.ndarray
    optimum_value: float
    rank_fill: np.ndarray
    rank_fill_value: float
    rank_fill_cost: float
    left_out: tuple[LeftOut, ...]
    frontier: Frontier | None


def objective_values(composite, line: float, objective: str) -> np.ndarray:
    """Per-project value under *objective*: ``composite − line`` (above-line, value-for-money) or ``composite``."""
    if objective not in OBJECTIVES:
        raise InvalidValueError(f"未知的目标 / unknown objective {objective!r}",
                                hint="choose " + ", ".join(OBJECTIVES))
    s = as_float_array(composite, "composite", ndim=1)
    return s.copy() if objective == "sum" else s - float(line)


class _Caps:
    """Per-group count and budget caps, as milp rows and as a greedy feasibility test."""

    def __init__(self, P: int, groups, count_caps: Mapping | None, budget_caps: Mapping | None):
        self.count_caps = dict(count_caps or {})
        self.budget_caps = dict(budget_caps or {})
        self.labels = None
        if self.count_caps or self.budget_caps:
            if groups is None:
                raise InvalidValueError("设置行业上限需要项目分组 / caps need a group label per project")
        if groups is not None:
            self.labels = np.asarray(groups, dtype=object)
            if self.labels.shape != (P,):
                raise ShapeError(f"分组长度须为 {P} / groups must have {P} entries")

    def rows(self, costs: np.ndarray) -> tuple[list[np.ndarray], list[float]]:
        """Rows ``a·x <= b`` of the caps."""
        rows, rhs = [], []
        if self.labels is None:
            return rows, rhs
        for g, cap in self.count_caps.items():
            rows.append((self.labels == g).astype(float))
            rhs.append(float(cap))
        for g, cap in self.budget_caps.items():
            rows.append(np.where(self.labels == g, costs, 0.0))
            rhs.append(float(cap))
        return rows, rhs

    def allows(self, chosen: np.ndarray, j: int, costs: np.ndarray) -> bool:
        if self.labels is None:
            return True
        g = self.labels[j]
        if g in self.count_caps and int((chosen & (self.labels == g)).sum()) + 1 > self.count_caps[g]:
            return False
        if g in self.budget_caps and float(costs[chosen & (self.labels == g)].sum()) + costs[j] > \
                self.budget_caps[g] * (1 + _REL_TOL) + _REL_TOL:
            return False
        return True


def _check(values, costs, budget: float, name: str = "values") -> tuple[np.ndarray, np.ndarray]:
    v = as_float_array(values, name, ndim=1)
    c = as_float_array(costs, "costs", ndim=1)
    if c.shape != v.shape:
        raise ShapeError(f"费用个数须为项目数 {v.shape[0]} / costs must have {v.shape[0]} entries")
    if np.isnan(c).any() or (c < 0).any():
        raise InvalidValueError("申请经费须为非负数 / costs must be non-negative numbers")
    if not np.isfinite(budget) or budget < 0:
        raise InvalidValueError(f"预算须为非负数 / budget must be a non-negative number, got {budget}")
    return v, c


def _fits(cost: float, room: float) -> bool:
    return cost <= room + _REL_TOL * (1.0 + abs(room))


def _milp(objective: np.ndarray, rows: list[np.ndarray], lo: list[float], hi: list[float], ub: np.ndarray,
          time_limit: float | None) -> np.ndarray | None:
    """Minimise ``objective · x`` over binary x with ``lo <= rows · x <= hi``; None when infeasible."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = objective.shape[0]
    if n == 0:
        return np.zeros(0, bool)
    opts: dict = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    constraints = LinearConstraint(np.vstack(rows), lo, hi) if rows else ()
    with _quiet_stdout():
        res = milp(objective, constraints=constraints, integrality=np.ones(n), bounds=Bounds(np.zeros(n), ub),
                   options=opts)
    if res.status == 2 or res.x is None:
        return None
    if res.status != 0:
        raise InfeasibleError(f"求解未完成 / solver did not finish: {res.message}",
                              hint="raise the time limit or reduce the number of candidates")
    return np.round(res.x).astype(bool)


def _lex_max(primary: np.ndarray, secondary: np.ndarray | None, rows, lo, hi, ub, time_limit) -> np.ndarray | None:
    """Maximise *primary*; among the selections within tolerance of its optimum, maximise *secondary*."""
    x = _milp(-primary, rows, lo, hi, ub, time_limit)
    if x is None or secondary is None:
        return x
    best = float(primary[x].sum())
    tol = _REL_TOL * (1.0 + float(np.abs(primary).sum()))
    y = _milp(-secondary, rows + [primary], lo + [best - tol], hi + [np.inf], ub, time_limit)
    if y is None or float(primary[y].sum()) < best - tol:
        return x
    return y


def best_selection(values, costs, budget: float, *, allowed=None, tiebreak=None, groups=None,
                   count_caps: Mapping | None = None, budget_caps: Mapping | None = None,
                   time_limit: float | None = 60.0) -> np.ndarray:
    """Exact maximum of Σ value over the *allowed* projects within *budget* (and caps): a (projects,) bool mask.

    Among selections of equal value (within 1e-9 relative) the one with the larger Σ *tiebreak* wins.
    Projects with a value ≤ 0 are taken only through the tie-break. NaN values are never allowed.
    """
    v, c = _check(values, costs, budget)
    P = v.shape[0]
    ok = ~np.isnan(v) if allowed is None else (np.asarray(allowed, bool) & ~np.isnan(v))
    caps = _Caps(P, groups, count_caps, budget_caps)
    rows, rhs = caps.rows(c)
    t = None if tiebreak is None else np.nan_to_num(as_float_array(tiebreak, "tiebreak", ndim=1))
    x = _lex_max(np.nan_to_num(v), t, [c] + rows, [-np.inf] * (1 + len(rows)), [float(budget)] + rhs,
                 ok.astype(float), time_limit)
    if x is None:  # pragma: no cover - the empty selection is always feasible
        raise InfeasibleError("无可行组合 / no feasible selection")
    return x


def rank_order_fill(costs, budget: float, order, *, allowed=None, groups=None, count_caps: Mapping | None = None,
                    budget_caps: Mapping | None = None) -> np.ndarray:
    """Go down *order* (project indices, best first) and take each allowed project that still fits."""
    c = as_float_array(costs, "costs", ndim=1)
    P = c.shape[0]
    ok = np.ones(P, bool) if allowed is None else np.asarray(allowed, bool)
    caps = _Caps(P, groups, count_caps, budget_caps)
    chosen = np.zeros(P, bool)
    room = float(budget)
    for j in np.asarray(order, dtype=np.int64):
        if ok[j] and _fits(c[j], room) and caps.allows(chosen, j, c):
            chosen[j] = True
            room -= c[j]
    return chosen


def ratio_order(values, costs, order) -> np.ndarray:
    """Indices by value per unit cost, highest first (value-for-money); equal ratios keep *order*.

    A project of zero cost and positive value comes first; value ≤ 0 comes after every positive value.
    """
    v = np.nan_to_num(as_float_array(values, "values", ndim=1), nan=-np.inf)
    c = as_float_array(costs, "costs", ndim=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(c > 0, v / np.where(c > 0, c, 1.0), np.where(v > 0, np.inf, v))
    position = np.empty(v.shape[0], dtype=np.int64)
    position[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
    return np.lexsort((position, -np.nan_to_num(ratio, nan=-np.inf)))


def value_for_money_fill(values, costs, budget: float, order, *, allowed=None, groups=None,
                         count_caps: Mapping | None = None, budget_caps: Mapping | None = None) -> np.ndarray:
    """The value-for-money rule: take candidates by value per unit cost (:func:`ratio_order`) while they fit.

    Projects with a negative value are never taken.
    """
    v = as_float_array(values, "values", ndim=1)
    ok = ~np.isnan(v) & (v >= 0) if allowed is None else (np.asarray(allowed, bool) & ~np.isnan(v) & (v >= 0))
    return rank_order_fill(costs, budget, ratio_order(v, costs, order), allowed=ok, groups=groups,
                           count_caps=count_caps, budget_caps=budget_caps)


def explain_left_out(values, costs, budget: float, selected, candidates, order, *, groups=None,
                     count_caps: Mapping | None = None, budget_caps: Mapping | None = None,
                     time_limit: float | None = 60.0) -> tuple[LeftOut, ...]:
    """For every candidate not in *selected* (in *order*): the reason and the swap that would bring it in.

    The swap drops the selected projects of least total value whose cost frees enough room (and keeps
    the caps), fewest projects among equal values; ``delta`` = its value − their value. Money freed
    beyond its cost is not re-spent, so ``delta`` is what this one exchange does, nothing more.
    """
    v, c = _check(values, costs, budget)
    P = v.shape[0]
    sel = np.asarray(selected, bool)
    cand = np.asarray(candidates, bool)
    caps = _Caps(P, groups, count_caps, budget_caps)
    vz = np.nan_to_num(v)
    remaining = float(budget) - float(c[sel].sum())
    scale = 1.0 + float(np.abs(vz[cand]).max(initial=0.0))
    eq = _REL_TOL * scale * max(1, int(sel.sum()))
    in_sel = np.flatnonzero(sel)
    out = []
    for j in np.asarray(order, dtype=np.int64):
        if not cand[j] or sel[j]:
            continue
        base = dict(project=int(j), value=float(v[j]), cost=float(c[j]), remaining=remaining)
        if not _fits(c[j], float(budget)):
            out.append(LeftOut(reason="over_budget", drop=(), dropped_value=np.nan, delta=np.nan, **base))
            continue
        if vz[j] <= eq:
            out.append(LeftOut(reason="no_value", drop=(), dropped_value=np.nan, delta=np.nan, **base))
            continue
        # choose r (subset of the selection to drop): min Σ v_i r_i subject to the budget and caps
        # holding after the exchange: cost(S) − Σ c_i r_i + c_j <= budget, and per capped group g of j
        n = in_sel.size
        rows = [c[in_sel]]
        lo = [float(c[sel].sum()) + float(c[j]) - float(budget)]
        if caps.labels is not None:
            g = caps.labels[j]
            members = (caps.labels[in_sel] == g).astype(float)
            if g in caps.count_caps:
                rows.append(members)
                lo.append(float(members.sum()) + 1 - float(caps.count_caps[g]))
            if g in caps.budget_caps:
                rows.append(members * c[in_sel])
                lo.append(float((members * c[in_sel]).sum()) + float(c[j]) - float(caps.budget_caps[g]))
        hi = [np.inf] * len(rows)
        lo = [x - _REL_TOL * (1.0 + abs(x)) for x in lo]
        if all(b <= 0 for b in lo):
            r = np.zeros(n, bool)
        else:
            r = _lex_max(-vz[in_sel], -np.ones(n), rows, lo, hi, np.ones(n), time_limit) if n else None
        if r is None:
            out.append(LeftOut(reason="cap", drop=(), dropped_value=np.nan, delta=np.nan, **base))
            continue
        drop = tuple(int(i) for i in sorted(in_sel[r], key=lambda i: list(order).index(i)))
        dropped = float(vz[in_sel][r].sum())
        delta = float(vz[j]) - dropped
        reason = "equal_value" if abs(delta) <= eq else ("displaces_more" if delta < 0 else "would_improve")
        out.append(LeftOut(reason=reason, drop=drop, dropped_value=dropped, delta=delta, **base))
    return tuple(out)


def efficient_frontier(values, costs, *, allowed=None, tiebreak=None, order=None, rule: str | None = None,
                       groups=None, count_caps: Mapping | None = None, budget_caps: Mapping | None = None,
                       max_points: int = 50, time_limit: float | None = 60.0) -> Frontier:
    """Best Σ value for every budget, as its exact breakpoints (at most *max_points*, else an even grid).

    From budget 0, the next breakpoint is the least cost of any selection worth more than the current
    best (a milp), and the best selection at that budget is then solved exactly. Values closer than
    1e-6 × (1 + largest value) count as equal. Beside each point: the rank-order fill's value at the
    same budget and, with ``rule="value-for-money"``, the ratio rule's.
    """
    v, c = _check(values, costs, 0.0)
    P = v.shape[0]
    ok = ~np.isnan(v) if allowed is None else (np.asarray(allowed, bool) & ~np.isnan(v))
    vz = np.where(ok, np.nan_to_num(v), 0.0)
    order = np.argsort(-vz, kind="stable") if order is None else np.asarray(order, dtype=np.int64)
    caps = _Caps(P, groups, count_caps, budget_caps)
    cap_rows, cap_rhs = caps.rows(c)
    step = _STEP_TOL * (1.0 + float(np.abs(vz).max(initial=0.0)))
    max_points = max(2, int(max_points))

    def best(b: float) -> np.ndarray:
        return best_selection(vz, c, b, allowed=ok, tiebreak=tiebreak, groups=groups, count_caps=count_caps,
                              budget_caps=budget_caps, time_limit=time_limit)

    points = [(0.0, best(0.0))]
    exact = True
    while True:
        current = float(vz[points[-1][1]].sum())
        # least cost of a selection worth at least current + step
        x = _milp(c.copy(), [vz] + cap_rows, [current + step] + [-np.inf] * len(cap_rows),
                  [np.inf] + cap_rhs, ok.astype(float), time_limit)
        if x is None:
            break
        b = float(c[x].sum())
        chosen = best(b)
        if float(vz[chosen].sum()) < current + step / 2:  # pragma: no cover - solver tolerance guard
            break
        points.append((b, chosen))
        if len(points) > max_points:
            exact = False
            break
    if not exact:
        top = float(c[ok & (vz > 0)].sum())
        grid = np.linspace(0.0, top, max_points)
        points = [(float(b), best(float(b))) for b in grid]
    budgets = np.array([b for b, _ in points])
    selected = np.array([s for _, s in points], dtype=bool).reshape(len(points), P)
    fill = np.array([vz[rank_order_fill(c, b, order, allowed=ok, groups=groups, count_caps=count_caps,
                                        budget_caps=budget_caps)].sum() for b in budgets])
    if rule == "value-for-money":
        rule_values = np.array([vz[value_for_money_fill(vz, c, b, order, allowed=ok, groups=groups,
                                                        count_caps=count_caps, budget_caps=budget_caps)].sum()
                                for b in budgets])
    else:
        rule_values = np.full(len(points), np.nan)
    return Frontier(budgets=budgets, values=selected.astype(float) @ vz, costs=selected.astype(float) @ c,
                    selected=selected, rank_fill_values=fill, rule_values=rule_values, breakpoints=exact)


def select_budget(composite, costs, budget: float, *, candidates, objective: str = "above-line", line: float = 0.0,
                  order=None, groups=None, count_caps: Mapping | None = None, budget_caps: Mapping | None = None,
                  frontier_points: int | None = 50, time_limit: float | None = 60.0) -> BudgetSelection:
    """The committee's selection under a named *objective* (see module doc and docs/scoring.md §7).

    Args:
        composite: (projects,) composite scores; NaN never selectable.
        costs: (projects,) requested amounts (>= 0; anything for non-candidates).
        budget: the budget, in the units of *costs*.
        candidates: (projects,) bool — who may be funded (gates passed, fundable tier, priced ...).
        objective: ``above-line`` maximise Σ (composite − line); ``value-for-money`` take candidates by
            (composite − line) / cost while they fit; ``sum`` maximise Σ composite.
        line: the fundable line (lowest fundable tier's minimum score; 0 without tiers).
        order: project indices best first (the ranking); default by composite.
        groups, count_caps, budget_caps: optional per-group caps (e.g. at most 2 per industry).
        frontier_points: at most this many frontier points (None: no frontier).

    Ties: under ``above-line`` and ``value-for-money`` the exact optimum prefers, among selections of
    equal value, the larger Σ composite (a project exactly on the line is funded if it fits); under
    ``sum`` the smaller cost.
    """
    s = as_float_array(composite, "composite", ndim=1)
    v = objective_values(s, line, objective)
    c_raw = as_float_array(costs, "costs", ndim=1)
    if c_raw.shape != s.shape:
        raise ShapeError(f"费用个数须为项目数 {s.shape[0]} / costs must have {s.shape[0]} entries")
    cand = np.asarray(candidates, bool) & ~np.isnan(s) & ~np.isnan(c_raw)
    c = np.where(cand, np.nan_to_num(c_raw), 0.0)
    v, c = _check(v, c, budget)
    P = s.shape[0]
    order = np.argsort(np.where(np.isnan(s), np.inf, -s), kind="stable") if order is None else \
        np.asarray(order, dtype=np.int64)
    vz = np.where(cand, v, 0.0)
    tiebreak = -c if objective == "sum" else np.where(cand, s, 0.0)
    kw = dict(groups=groups, count_caps=count_caps, budget_caps=budget_caps)
    optimum = best_selection(vz, c, budget, allowed=cand, tiebreak=tiebreak, time_limit=time_limit, **kw)
    if objective == "value-for-money":
        selected = value_for_money_fill(vz, c, budget, order, allowed=cand, **kw)
    else:
        selected = optimum
    fill = rank_order_fill(c, budget, order, allowed=cand, **kw)
    left = explain_left_out(vz, c, budget, selected, cand, order, time_limit=time_limit, **kw)
    frontier = None
    if frontier_points:
        frontier = efficient_frontier(vz, c, allowed=cand, tiebreak=tiebreak, order=order, rule=objective,
                                      max_points=frontier_points, time_limit=time_limit, **kw)
    total_cost = float(c[selected].sum())
    return BudgetSelection(
        objective=objective, line=float(line), budget=float(budget), values=np.where(cand, v, np.nan),
        costs=c_raw, candidates=cand, selected=selected, total_value=float(vz[selected].sum()),
        total_cost=total_cost, remaining=float(budget) - total_cost, optimum=optimum,
        optimum_value=float(vz[optimum].sum()), rank_fill=fill, rank_fill_value=float(vz[fill].sum()),
        rank_fill_cost=float(c[fill].sum()), left_out=left, frontier=frontier)
