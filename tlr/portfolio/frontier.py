"""The efficient frontier (every pool's budget scaled together -> best objective value) and the value-for-money
curve.

A frontier point solves the same program with every budget of every pool and year multiplied by the scale; the
feasible sets grow with the scale, so the best value never falls (a property the tests check). A scale at which
the committee's own rules (must-include, lower quotas) cannot be met is reported as infeasible (value NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.results import ResultMixin
from tlr.portfolio.problem import Problem


@dataclass(frozen=True)
class Frontier(ResultMixin):
    """Attributes: scales (N,); values (N,) best objective (NaN: infeasible); total_value, total_cost (N,);
    counts (N,) projects funded; gaps (N,) relative MIP gap; selected (N, P) bool."""

    scales: np.ndarray
    values: np.ndarray
    total_value: np.ndarray
    total_cost: np.ndarray
    counts: np.ndarray
    gaps: np.ndarray
    selected: np.ndarray


def frontier(problem: Problem, scales, *, gap: float = 1e-4, time_limit: float | None = 60.0) -> Frontier:
    """Solve *problem* at each budget scale (ascending)."""
    from tlr.portfolio.solve import solve

    s = np.sort(np.asarray(scales, float))
    if s.ndim != 1 or (s < 0).any() or not np.isfinite(s).all():
        raise ValueError("scales must be finite and non-negative")
    P = problem.shape[0]
    out = {k: np.full(len(s), np.nan) for k in ("values", "total_value", "total_cost", "gaps")}
    counts = np.zeros(len(s), int)
    selected = np.zeros((len(s), P), bool)
    for n, scale in enumerate(s):
        r = solve(problem.with_budgets(problem.budgets * scale), gap=gap, time_limit=time_limit, name_conflict=False)
        if not r.feasible:
            continue
        out["values"][n], out["total_value"][n], out["total_cost"][n] = r.value, r.total_value, r.total_cost
        out["gaps"][n] = r.mip_gap
        counts[n] = int(r.selected.sum())
        selected[n] = r.selected
    return Frontier(s, out["values"], out["total_value"], out["total_cost"], counts, out["gaps"], selected)


def default_scales(points: int, top: float = 2.0) -> np.ndarray:
    """*points* evenly spaced budget scales in (0, top] (1 = the budgets as written is on the grid when
    *points* is even and top = 2)."""
    return np.linspace(top / points, top, points)


def value_for_money(values, costs, selected) -> dict[str, np.ndarray]:
    """The value-for-money curve: projects with a value in decreasing value per 万元, with the cumulative cost
    and value along that order, and whether each is selected."""
    v = np.asarray(values, float)
    c = np.asarray(costs, float)
    ok = np.flatnonzero(np.isfinite(v) & (c > 0))
    ratio = v[ok] / c[ok]
    order = ok[np.argsort(-ratio, kind="stable")]
    return {"order": order, "ratio": v[order] / c[order], "cost": c[order], "value": v[order],
            "cum_cost": np.cumsum(c[order]), "cum_value": np.cumsum(v[order]),
            "selected": np.asarray(selected, bool)[order]}
