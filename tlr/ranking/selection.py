"""Budget-constrained portfolio selection: maximise total score under the fund's budget.

0-1 knapsack with side constraints, solved exactly as a mixed-integer program with
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

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tlr.panel._result import ResultMixin, as_float_array
from tlr.panel.errors import InfeasibleError, InvalidValueError, ShapeError


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
