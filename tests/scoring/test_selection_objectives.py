"""Budget selection a committee signs: named objectives, rank-order fill, left-out reasons and swaps.

Every expected selection, value and swap below is worked out by hand in the comments, and the
random cases are checked against enumeration of every subset.
"""

from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.numeric.errors import InvalidValueError
from tlr.ranking.selection import (
    _quiet_stdout,
    efficient_frontier,
    explain_left_out,
    objective_values,
    rank_order_fill,
    select_budget,
    value_for_money_fill,
)

LINE = 70.0


def ids(mask, names="ABCDEFGHIJ"):
    return "".join(names[i] for i in np.flatnonzero(mask))


# ------------------------------------------------------------------ hand cases
# A 90/600, B 85/500, C 81/450, D 75/100 (composite/cost), line 70, budget 1000.
# Values above the line: A 20, B 15, C 11, D 5.
# Feasible pairs: AD 25 (700), BC 26 (950), BD 20, CD 16; ABx, ACx, BCD exceed 1000.
# Rank-order fill: A (400 left), B no, C no, D (300 left) -> AD, value 25.
# Optimum: BC, value 26 — the greedy and the optimum differ.
HAND = dict(composite=[90.0, 85.0, 81.0, 75.0], costs=[600.0, 500.0, 450.0, 100.0], budget=1000.0)


def hand(objective):
    return select_budget(HAND["composite"], HAND["costs"], HAND["budget"], candidates=np.ones(4, bool),
                         objective=objective, line=LINE)


def test_above_line_optimum_differs_from_rank_order_fill_and_explains_each_left_out():
    r = hand("above-line")
    assert ids(r.selected) == "BC" and r.total_value == pytest.approx(26) and r.total_cost == 950
    assert r.remaining == 50
    assert ids(r.rank_fill) == "AD" and r.rank_fill_value == pytest.approx(25) and r.rank_fill_cost == 700
    assert ids(r.optimum) == "BC" and r.optimum_value == pytest.approx(26)
    a, d = r.left_out  # in ranking order
    # A costs 600, 50 left: dropping B (500) or C (450) alone frees too little; both (26) must go: 20 - 26
    assert (a.project, a.reason, a.drop) == (0, "displaces_more", (1, 2))
    assert a.dropped_value == pytest.approx(26) and a.delta == pytest.approx(-6) and a.remaining == 50
    # D costs 100, 50 left: drop the cheaper-in-value of B (15) and C (11): C. 5 - 11
    assert (d.project, d.reason, d.drop) == (3, "displaces_more", (2,))
    assert d.dropped_value == pytest.approx(11) and d.delta == pytest.approx(-6)


def test_value_for_money_takes_the_ratio_order_and_shows_the_gap_to_the_optimum():
    r = hand("value-for-money")
    # ratios: D 5/100 = .05, A 20/600 = .033, B 15/500 = .03, C 11/450 = .024
    # D (900 left), A (300 left), B 500 no, C 450 no -> AD, value 25; the exact optimum is BC, 26
    assert ids(r.selected) == "AD" and r.total_value == pytest.approx(25) and r.remaining == 300
    assert ids(r.optimum) == "BC" and r.optimum_value == pytest.approx(26)
    b, c = r.left_out
    # B costs 500, 300 left: needs 200 more; dropping D (100) is not enough, A (600, value 20) is: 15 - 20
    assert (b.project, b.reason, b.drop, b.delta) == (1, "displaces_more", (0,), pytest.approx(-5))
    # C costs 450: needs 150 more: drop A: 11 - 20
    assert (c.project, c.reason, c.drop, c.delta) == (2, "displaces_more", (0,), pytest.approx(-9))


def test_sum_on_the_hand_case():
    r = hand("sum")
    # AD 165, BC 166, BD 160, CD 156, A 90 ... -> BC
    assert ids(r.selected) == "BC" and r.total_value == pytest.approx(166)
    a, d = r.left_out
    assert a.drop == (1, 2) and a.delta == pytest.approx(90 - 166)
    assert d.drop == (2,) and d.delta == pytest.approx(75 - 81)


def test_sum_lets_cheap_weak_projects_beat_one_strong_above_line_does_not():
    # A 95/800 (value 25), E 80/250 (10), B 72/300 (2), C 71/300 (1); budget 1000, line 70.
    composite, costs = [95.0, 80.0, 72.0, 71.0], [800.0, 250.0, 300.0, 300.0]
    s = select_budget(composite, costs, 1000, candidates=np.ones(4, bool), objective="sum", line=LINE)
    # sum: EBC = 223 (850) beats A + nothing = 95 (no other project fits in the 200 left)
    assert ids(s.selected, "AEBC") == "EBC" and s.total_value == pytest.approx(223)
    (a,) = s.left_out
    # A costs 800, 150 left: needs 650 more: only all three (850) free enough: 95 - 223
    assert a.drop == (1, 2, 3) and a.delta == pytest.approx(-128) and a.reason == "displaces_more"
    line = select_budget(composite, costs, 1000, candidates=np.ones(4, bool), objective="above-line", line=LINE)
    # above the line: A = 25 beats EBC = 13
    assert ids(line.selected, "AEBC") == "A" and line.total_value == pytest.approx(25)
    e, b, c = line.left_out
    # E costs 250, 200 left: drop A (25): 10 - 25; B, C cost 300: drop A: 2 - 25, 1 - 25
    assert [x.drop for x in (e, b, c)] == [(0,), (0,), (0,)]
    assert [x.delta for x in (e, b, c)] == pytest.approx([-15, -23, -24])


def test_value_for_money_known_failure_cheap_first_budget_unused():
    # X: value 10 for 100 (ratio .1), Y: value 90 for 1000 (ratio .09); budget 1000
    r = select_budget([80.0, 160.0], [100.0, 1000.0], 1000, candidates=np.ones(2, bool),
                      objective="value-for-money", line=LINE)
    assert ids(r.selected, "XY") == "X" and r.remaining == 900
    assert ids(r.optimum, "XY") == "Y" and r.optimum_value == pytest.approx(90)
    (y,) = r.left_out
    # Y costs 1000, 900 left: drop X (10) -> +80: the rule's own failure, reported as such
    assert (y.reason, y.drop, y.delta) == ("would_improve", (0,), pytest.approx(80))


def test_over_budget_no_value_and_the_line_tie_break():
    # P 90/500 (value 20), Q exactly on the line 70/100 (value 0), R 85/2000 (more than the budget)
    composite, costs = [90.0, 70.0, 85.0], [500.0, 100.0, 2000.0]
    r = select_budget(composite, costs, 550, candidates=np.ones(3, bool), line=LINE)
    assert ids(r.selected, "PQR") == "P"
    rr, q = r.left_out  # ranking order: R (85) before Q (70)
    assert (q.reason, q.drop) == ("no_value", ()) and np.isnan(q.delta)
    assert (rr.reason, rr.drop) == ("over_budget", ()) and np.isnan(rr.delta)
    # when it fits, a project on the line is funded: equal value, larger Σ composite
    r = select_budget(composite, costs, 600, candidates=np.ones(3, bool), line=LINE)
    assert ids(r.selected, "PQR") == "PQ" and r.total_value == pytest.approx(20)


def test_equal_value_swap_is_a_tie():
    # two identical projects, room for one: the other's swap changes nothing
    r = select_budget([80.0, 80.0], [500.0, 500.0], 600, candidates=np.ones(2, bool), line=LINE)
    (other,) = r.left_out
    assert other.reason == "equal_value" and other.delta == pytest.approx(0) and len(other.drop) == 1


def test_non_candidates_are_never_selected_nor_explained():
    cand = np.array([False, True, True, True])
    r = select_budget(HAND["composite"], HAND["costs"], 1000, candidates=cand, line=LINE)
    # without A: B C (26, 950) still best
    assert not r.selected[0] and not r.rank_fill[0] and np.isnan(r.values[0])
    assert all(x.project != 0 for x in r.left_out)


def test_count_cap_swap_stays_within_the_cap():
    # two projects of group g (cap 1) and one of h; plenty of budget
    r = select_budget([90.0, 85.0, 75.0], [100.0, 100.0, 100.0], 1000, candidates=np.ones(3, bool), line=LINE,
                      groups=["g", "g", "h"], count_caps={"g": 1})
    assert ids(r.selected) == "AC"
    (b,) = r.left_out
    # B fits the budget but not the cap: it must replace A, the only g project: 15 - 20
    assert b.drop == (0,) and b.delta == pytest.approx(-5) and b.reason == "displaces_more"
    zero = select_budget([90.0, 85.0], [100.0, 100.0], 1000, candidates=np.ones(2, bool), line=LINE,
                         groups=["g", "h"], count_caps={"h": 0})
    assert zero.left_out[0].reason == "cap"


def test_objective_values_and_unknown_objective():
    np.testing.assert_allclose(objective_values([90, 70], 70, "above-line"), [20, 0])
    np.testing.assert_allclose(objective_values([90, 70], 70, "sum"), [90, 70])
    with pytest.raises(InvalidValueError):
        objective_values([1.0], 0, "max-score")


def test_result_is_strict_json():
    r = hand("value-for-money")
    body = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert body["objective"] == "value-for-money" and body["frontier"]["breakpoints"] is True
    assert body["left_out"][0]["drop"] == [0]


def test_stray_solver_output_never_reaches_stdout(capfd):
    with _quiet_stdout():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
    print("after")
    assert capfd.readouterr().out == "after\n"


# ------------------------------------------------------------------ brute force
def subsets(n):
    return np.array(list(itertools.product([0, 1], repeat=n)), bool)


def feasible(X, c, budget, cand, groups, caps):
    ok = (X.astype(float) @ c <= budget + 1e-9) & ~X[:, ~cand].any(axis=1)
    for g, cap in caps.items():
        ok &= X[:, groups == g].sum(axis=1) <= cap
    return ok


def reference_fill(order, c, budget, cand, groups, caps):
    chosen, room = np.zeros(len(c), bool), budget
    for j in order:
        if cand[j] and c[j] <= room + 1e-9 and (groups[j] not in caps or
                                                (chosen & (groups == groups[j])).sum() + 1 <= caps[groups[j]]):
            chosen[j], room = True, room - c[j]
    return chosen


def case(seed, n=9):
    rng = np.random.default_rng(seed)
    s = np.round(rng.uniform(60, 100, n), 2)
    c = rng.integers(1, 20, n).astype(float)
    budget = float(rng.integers(5, 60))
    cand = rng.uniform(size=n) < 0.8
    groups = rng.choice(np.array(["bio", "ict", "mat"]), n)
    caps = {"bio": int(rng.integers(0, 3)), "ict": int(rng.integers(1, 4))} if seed % 2 else {}
    return s, c, budget, cand, groups, caps


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.sampled_from(["above-line", "sum", "value-for-money"]))
def test_selection_fill_and_swaps_match_enumeration(seed, objective):
    s, c, budget, cand, groups, caps = case(seed)
    n = len(s)
    r = select_budget(s, c, budget, candidates=cand, objective=objective, line=LINE, groups=groups,
                      count_caps=caps or None, frontier_points=None)
    v = s - LINE if objective != "sum" else s
    X = subsets(n)
    ok = feasible(X, c, budget, cand, groups, caps)
    values = X.astype(float) @ v
    best = values[ok].max()
    assert r.optimum_value == pytest.approx(best, abs=1e-6)
    assert ok[np.flatnonzero((X == r.optimum).all(axis=1))[0]]
    order = np.argsort(-s, kind="stable")
    assert (r.rank_fill == reference_fill(order, c, budget, cand, groups, caps)).all()
    if objective == "value-for-money":
        ratio = np.where(cand & (v >= 0), v / c, -np.inf)
        by_ratio = sorted(range(n), key=lambda j: (-ratio[j], list(order).index(j)))
        expected = reference_fill(by_ratio, c, budget, cand & (v >= 0), groups, caps)
        assert (r.selected == expected).all()
    else:
        assert (r.selected == r.optimum).all()
    sel = r.selected
    left = [x.project for x in r.left_out]
    assert left == [j for j in order if cand[j] and not sel[j]]
    for x in r.left_out:
        j = x.project
        if x.reason in ("over_budget", "no_value"):
            assert (c[j] > budget) if x.reason == "over_budget" else v[j] <= 1e-9
            continue
        # the cheapest-in-value set of selected projects to drop so that j fits (budget and caps)
        best_drop, best_val = None, np.inf
        members = np.flatnonzero(sel)
        for k in range(len(members) + 1):
            for drop in itertools.combinations(members, k):
                after = sel.copy()
                after[list(drop)] = False
                after[j] = True
                if feasible(after[None, :], c, budget, cand, groups, caps)[0] and v[list(drop)].sum() < best_val - 1e-9:
                    best_drop, best_val = drop, v[list(drop)].sum()
        if best_drop is None:
            assert x.reason == "cap"
            continue
        assert x.dropped_value == pytest.approx(best_val, abs=1e-9)
        assert x.delta == pytest.approx(v[j] - best_val, abs=1e-9)
        after = sel.copy()
        after[list(x.drop)] = False
        after[j] = True
        assert feasible(after[None, :], c, budget, cand, groups, caps)[0]
        if objective != "value-for-money":  # at the optimum no single exchange can gain
            assert x.delta <= 1e-9 and x.reason in ("displaces_more", "equal_value")


def staircase(v, c, cand, groups, caps, step):
    """Every budget at which the best value rises, by enumeration: (budgets, values)."""
    X = subsets(len(v))
    ok = feasible(X, c, np.inf, cand, groups, caps)
    cost, val = X[ok].astype(float) @ c, X[ok].astype(float) @ v
    budgets, values, best = [], [], -np.inf
    for b in np.unique(cost):
        top = val[cost <= b].max()
        if top > best + step:
            budgets.append(b)
            values.append(top)
            best = top
    return np.array(budgets), np.array(values)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 100_000))
def test_frontier_is_every_breakpoint_of_the_best_value(seed):
    s, c, _, cand, groups, caps = case(seed, n=8)
    v = s - LINE
    f = efficient_frontier(v, c, allowed=cand, groups=groups, count_caps=caps or None, tiebreak=s)
    budgets, values = staircase(np.where(cand, v, 0), c, cand, groups, caps, 1e-6 * (1 + np.abs(v).max()))
    assert f.breakpoints
    np.testing.assert_allclose(f.budgets, budgets)
    np.testing.assert_allclose(f.values, values, atol=1e-9)
    # each point's selection is feasible, costs its budget and is worth its value
    np.testing.assert_allclose(f.costs, f.budgets)
    np.testing.assert_allclose(f.selected.astype(float) @ np.where(cand, v, 0), f.values, atol=1e-9)
    assert not f.selected[:, ~cand].any()
    # the rank-order fill never beats the optimum
    assert (f.rank_fill_values <= f.values + 1e-9).all() and np.isnan(f.rule_values).all()


def test_frontier_grid_when_there_are_more_breakpoints_than_points():
    s, c, _, cand, groups, _ = case(7, n=8)
    cand[:] = True
    v = s - LINE
    f = efficient_frontier(v, c, max_points=4)
    assert not f.breakpoints and len(f.budgets) == 4
    np.testing.assert_allclose(f.budgets, np.linspace(0, c[v > 0].sum(), 4))
    X = subsets(8)
    for b, value in zip(f.budgets, f.values):
        ok = X.astype(float) @ c <= b + 1e-9
        assert value == pytest.approx((X[ok].astype(float) @ v).max(), abs=1e-9)


def test_frontier_rule_values_for_value_for_money():
    f = efficient_frontier([10.0, 90.0], [100.0, 1000.0], rule="value-for-money")
    # breakpoints: 100 -> X (10), 1000 -> Y (90), 1100 -> both (100)
    np.testing.assert_allclose(f.budgets, [0, 100, 1000, 1100])
    np.testing.assert_allclose(f.values, [0, 10, 90, 100])
    # the ratio rule takes X first, then Y no longer fits at 1000: 10
    np.testing.assert_allclose(f.rule_values, [0, 10, 10, 100])
    np.testing.assert_allclose(f.rank_fill_values, [0, 10, 90, 100])  # rank order: Y (90) first


def test_fill_helpers_directly():
    order = [0, 1, 2, 3]
    assert ids(rank_order_fill(HAND["costs"], 1000, order)) == "AD"
    v = np.array(HAND["composite"]) - LINE
    assert ids(value_for_money_fill(v, HAND["costs"], 1000, order)) == "AD"
    left = explain_left_out(v, HAND["costs"], 1000, np.array([0, 1, 1, 0], bool), np.ones(4, bool), order)
    assert [x.project for x in left] == [0, 3]
