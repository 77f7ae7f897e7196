"""The portfolio MILP against brute force, by hand, and its conflict report."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.portfolio.problem import Quota, make_problem
from tlr.portfolio.solve import solve

from .brute import assignments, best_all_or_nothing, best_partial, group_masks, structural
from .conftest import random_problem


def _check_conflict(problem, conflict):
    """The named set is infeasible on its own (brute force) and feasible without any one of its members."""
    assert conflict, "an infeasible problem must name its conflict"
    assert best_all_or_nothing(problem, active=set(conflict)) is None
    for g in conflict:
        assert best_all_or_nothing(problem, active=set(conflict) - {g}) is not None, g


@pytest.mark.parametrize("objective", ["sum", "ratio"])
def test_matches_brute_force_on_random_instances(objective):
    rng = np.random.default_rng(20261130 if objective == "sum" else 7)
    feasible = infeasible = 0
    for _ in range(40 if objective == "sum" else 25):
        problem = random_problem(rng, objective=objective)
        expected = best_all_or_nothing(problem)
        got = solve(problem, gap=0.0)
        if expected is None:
            infeasible += 1
            assert got.status == "infeasible"
            _check_conflict(problem, got.conflict)
            continue
        feasible += 1
        assert got.status == "optimal"
        if np.isnan(expected):
            assert np.isnan(got.value) and not got.selected.any()
            continue
        assert got.value == pytest.approx(expected, abs=1e-6)
        # the solution itself satisfies every constraint (checked by the brute-force masks)
        a = got.pool[None, :]
        assert structural(problem, a)[0]
        assert all(m[0] for m in group_masks(problem, a).values())
    assert feasible >= 10 and infeasible >= 3, (feasible, infeasible)


def test_partial_funding_matches_brute_force():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(12):
        problem = random_problem(rng, P=5, partial=True)
        expected = best_partial(problem)
        got = solve(problem, gap=0.0)
        if expected is None:
            assert got.status == "infeasible"
            continue
        checked += 1
        assert got.status == "optimal"
        assert got.value == pytest.approx(expected, abs=1e-5)
        funded = got.pool >= 0
        assert (got.share[funded] >= problem.min_share[funded] - 1e-9).all()
        assert (got.share[~funded] == 0).all()
    assert checked >= 5


def test_partial_funding_by_hand():
    # one pool, one year, budget 100; A (value 10, ticket 80, min share 0.5) and B (value 6, ticket 40, all or
    # nothing). All or nothing would give max(10, 6) = 10; partial: B in full (40) + 60/80 = 0.75 of A -> 6 + 7.5
    problem = make_problem([10, 6], [80, 40], [[80], [40]], [[100]], [[True], [True]], min_share=[0.5, 1.0])
    got = solve(problem, gap=0.0)
    assert got.value == pytest.approx(13.5)
    assert got.share.tolist() == pytest.approx([0.75, 1.0])
    assert got.total_cost == pytest.approx(100)
    # with a minimum share of 0.8, 0.75 is not allowed: A alone (10) beats B alone (6) and B + nothing else
    problem = make_problem([10, 6], [80, 40], [[80], [40]], [[100]], [[True], [True]], min_share=[0.8, 1.0])
    assert solve(problem, gap=0.0).value == pytest.approx(10)


def test_one_pool_per_project_and_mandates():
    # two pools of 50; a project of 80 fits neither alone and is never split across pools
    problem = make_problem([5, 1], [80, 50], [[80], [50]], [[50], [50]], [[True, True], [False, True]])
    got = solve(problem, gap=0.0)
    assert got.pool.tolist() == [-1, 1]
    # B's mandate admits only pool 1: it is never funded by pool 0
    problem = make_problem([1, 5], [10, 10], [[10], [10]], [[10], [0]], [[True, True], [False, True]])
    assert solve(problem, gap=0.0).pool.tolist() == [0, -1]


def test_infeasible_case_names_exactly_its_conflict():
    # pool 0 (the only pool admitting project 0) has 100 in year 1; project 0 must be funded and costs 150 in
    # year 1. Two other rules are satisfiable and must not be named.
    values = [5, 4, 3, 2]
    costs = [150, 40, 30, 20]
    spend = [[150, 0], [40, 0], [30, 0], [20, 0]]
    budgets = [[100, 100], [500, 500]]
    eligible = [[True, False], [True, True], [True, True], [True, True]]
    quotas = [Quota("at-most-2", np.array([0, 1, 1, 1], bool), "count", None, 2)]
    problem = make_problem(values, costs, spend, budgets, eligible, quotas=quotas, needs=[(2, 1)], include=[0])
    got = solve(problem, gap=0.0)
    assert got.status == "infeasible"
    assert set(got.conflict) == {("include", 0), ("budget", 0, 0)}
    # a conflict among the committee's own rules: 2 and 3 exclude each other, a count quota wants both
    both = Quota("both", np.array([0, 0, 1, 1], bool), "count", 2, None)
    problem = make_problem(values, costs, spend, budgets, eligible, quotas=[both], exclusions=[(2, 3)])
    got = solve(problem, gap=0.0)
    assert set(got.conflict) == {("quota_min", 0), ("exclusion", 0)}
    # dependency on an excluded project that must be funded
    problem = make_problem(values, costs, spend, budgets, eligible, needs=[(1, 2)], include=[1], exclude=[2])
    assert set(solve(problem, gap=0.0).conflict) == {("needs", 0), ("include", 1), ("exclude", 2)}


def test_tranche_budgets_are_checked_per_year():
    # a ticket of 100 paid 60/40 with tranche 2 released with p = 0.5: expected use 60 then 20
    problem = make_problem([1], [100], [[60, 20]], [[60, 20]], [[True]])
    assert solve(problem, gap=0.0).pool.tolist() == [0]
    assert solve(problem.with_budgets([[60, 19.9]]), gap=0.0).pool.tolist() == [-1]
    got = solve(make_problem([1], [100], [[60, 20]], [[60, 20]], [[True]], spend_full=[[60, 40]]), gap=0.0)
    assert got.use.tolist() == [[60, 20]] and got.use_full.tolist() == [[60, 40]]


def test_quota_values_and_slack_reported():
    q = Quota("a", np.array([1, 1, 0], bool), "money", None, 50)
    problem = make_problem([3, 2, 1], [30, 20, 10], [[30], [20], [10]], [[100]], [[True]] * 3, quotas=[q])
    got = solve(problem, gap=0.0)
    assert got.quota_values.tolist() == [50]
    assert got.slack[("quota_max", 0)] == pytest.approx(0)
    assert got.slack[("budget", 0, 0)] == pytest.approx(40)
    assert got.mip_gap == pytest.approx(0, abs=1e-9)
    assert len(assignments(3, 1)) == 8
