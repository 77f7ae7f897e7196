"""The frontier (monotone, ends at the exact optimum), the value-for-money curve and tranche arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.portfolio.frontier import default_scales, frontier, value_for_money
from tlr.portfolio.solve import solve
from tlr.portfolio.tranches import milestone_trl, schedule
from tlr.valuation.stages import p_reach

from .brute import best_all_or_nothing
from .conftest import random_problem


def test_frontier_is_monotone_and_exact_at_each_point():
    rng = np.random.default_rng(3)
    for _ in range(6):
        problem = random_problem(rng)
        f = frontier(problem, default_scales(8), gap=0.0)
        finite = f.values[np.isfinite(f.values)]
        assert (np.diff(finite) >= -1e-9).all()
        # once feasible, feasible at every larger scale
        ok = np.isfinite(f.values)
        assert not (ok[:-1] & ~ok[1:]).any()
        for n in (3, 7):
            expected = best_all_or_nothing(problem.with_budgets(problem.budgets * f.scales[n]))
            assert (expected is None and np.isnan(f.values[n])) or f.values[n] == pytest.approx(expected)


def test_value_for_money_curve_orders_by_ratio():
    vfm = value_for_money([10, np.nan, 9, 1], [5, 1, 3, 1], [True, False, False, True])
    assert vfm["order"].tolist() == [2, 0, 3]          # 3.0, 2.0, 1.0 per 万元; no value: left out
    assert vfm["cum_cost"].tolist() == [3, 8, 9]
    assert vfm["cum_value"].tolist() == [9, 19, 20]
    assert vfm["selected"].tolist() == [False, True, True]


def test_p_reach_by_hand():
    stages = [{"from_trl": 4, "to_trl": 6, "p_success": 0.5}, {"from_trl": 6, "to_trl": 7, "p_success": 0.6},
              {"from_trl": 7, "to_trl": 9, "p_success": 0.7}]
    assert p_reach(stages, 6) == pytest.approx(0.5)
    assert p_reach(stages, 7) == pytest.approx(0.3)
    assert p_reach(stages, 9) == pytest.approx(0.21)
    assert p_reach(stages, 4) == 1.0           # no stage starts below TRL 4: already there
    # a milestone inside a stage (TRL 5 in 4→6) counts the part of the stage below it, as the valuation does
    assert p_reach(stages, 5) == pytest.approx(0.5 ** 0.5)
    assert milestone_trl(4, "+2") == 6 and milestone_trl(8, "+2") == 9 and milestone_trl(None, "+1") is None
    assert milestone_trl(3, 6) == 6


def test_schedule_expected_and_worst_case_by_hand():
    # tickets 100 and 50, split 60/40 over three years; tranche 2 released with p 0.5 and 0.8
    use, full = schedule([100, 50], [0.6, 0.4], [[1, 0.5], [1, 0.8]], 3)
    assert full.tolist() == [[60, 40, 0], [30, 20, 0]]
    assert np.allclose(use, [[60, 20, 0], [30, 16, 0]])
    worst, _ = schedule([100, 50], [0.6, 0.4], [[1, 0.5], [1, 0.8]], 3, mode="worst-case")
    assert worst.tolist() == full.tolist()
    with pytest.raises(ValueError):
        schedule([100], [0.6, 0.3], [[1, 1]], 2)


def test_expected_mode_admits_what_worst_case_refuses():
    from tlr.portfolio.problem import make_problem

    use, full = schedule([100, 100], [0.5, 0.5], [[1, 0.5], [1, 0.5]], 2)
    budgets = [[100, 50]]
    expected = make_problem([1, 1], [100, 100], use, budgets, [[True], [True]], spend_full=full)
    worst = make_problem([1, 1], [100, 100], full, budgets, [[True], [True]])
    got = solve(expected, gap=0.0)
    assert got.selected.sum() == 2 and got.use_full[0, 1] == pytest.approx(100)   # 100 > 50 if both succeed
    assert solve(worst, gap=0.0).selected.sum() == 1
