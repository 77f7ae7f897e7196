"""OAT sensitivity (closed form vs brute force), budget selection (MILP vs enumeration), explain."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tlr.engine.aggregation import weighted_sum
from tlr.numeric.errors import InfeasibleError
from tlr.ranking.explain import explain
from tlr.ranking.selection import select_portfolio
from tlr.ranking.sensitivity import oat_sensitivity
from tlr.ranking.tiers import assign_tiers, default_rules

nan = np.nan


def brute_force_swap(U, w, a, b, l, n=20_001):
    """Scan t in [0, 1]: reweight leaf l to t, others proportionally; return the crossing nearest w_l."""
    t = np.linspace(0, 1, n)
    others = np.delete(np.arange(U.shape[1]), l)
    W = np.zeros((n, U.shape[1]))
    W[:, l] = t
    W[:, others] = np.outer(1 - t, w[others] / (1 - w[l]))
    d = W @ (U[a] - U[b])
    s0 = np.sign((U[a] - U[b]) @ w)
    flips = np.flatnonzero(np.sign(d) != s0)
    if flips.size == 0:
        return None
    return t[flips[np.argmin(np.abs(t[flips] - w[l]))]]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_oat_closed_form_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    P, L = 6, 4
    U = rng.uniform(size=(P, L))
    w = rng.dirichlet(np.ones(L) * 2)
    r = oat_sensitivity(U, w)
    for j, (a, b) in enumerate(r.pairs):
        for l in range(L):
            bf = brute_force_swap(U, w, a, b, l)
            if bf is None:
                assert not r.swappable[j, l] or abs(r.new_weight[j, l] - w[l]) < 1e-4 or \
                    r.new_weight[j, l] in (0.0, 1.0)
            else:
                assert r.swappable[j, l]
                assert r.new_weight[j, l] == pytest.approx(bf, abs=1e-4)   # grid step 5e-5
        if r.best_leaf[j] >= 0:
            assert np.nanmin(np.abs(r.delta[j])) == pytest.approx(abs(r.best_delta[j]))


def test_oat_hand_example():
    # two projects, two leaves: U = [[1, 0], [0, 1]], w = (.6, .4): C = (.6, .4).
    # Moving w_0 to t: C_0 - C_1 = t - (1 - t) = 2t - 1 -> swap at t* = .5, delta = -.1 (both leaves).
    r = oat_sensitivity(np.array([[1.0, 0.0], [0.0, 1.0]]), [0.6, 0.4])
    assert r.pairs.tolist() == [[0, 1]]
    np.testing.assert_allclose(r.new_weight[0], [0.5, 0.5])
    np.testing.assert_allclose(r.delta[0], [-0.1, 0.1])
    assert abs(r.best_delta[0]) == pytest.approx(0.1)
    assert r.gap[0] == pytest.approx(0.2)


def test_oat_unswappable_pair_flagged():
    # project 0 dominates on every leaf: no weight change can swap
    r = oat_sensitivity(np.array([[0.9, 0.8], [0.1, 0.2]]), [0.5, 0.5])
    assert not r.swappable.any() and r.best_leaf[0] == -1 and np.isnan(r.best_delta[0])


# ------------------------------------------------------------------------- selection
def brute_force_select(s, c, budget, inc, exc, groups, caps):
    best = -np.inf
    n = len(s)
    X = np.array(list(itertools.product([0, 1], repeat=n)), bool)
    ok = (X.astype(float) @ c <= budget + 1e-9) & X[:, inc].all(axis=1) & ~X[:, exc].any(axis=1)
    for g, cap in caps.items():
        ok &= X[:, groups == g].sum(axis=1) <= cap
    if not ok.any():
        return None
    return (X[ok].astype(float) @ s).max()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 100_000))
def test_selection_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 10
    s = rng.uniform(0, 1, n)
    c = rng.integers(1, 20, n).astype(float)
    budget = float(rng.integers(10, 60))
    groups = rng.choice(np.array(["bio", "ict", "mat"]), n)
    caps = {"bio": int(rng.integers(0, 3)), "ict": int(rng.integers(1, 4))}
    perm = rng.permutation(n)
    inc, exc = perm[:1], perm[1:3]
    bf = brute_force_select(s, c, budget, inc, exc, groups, caps)
    if bf is None:
        with pytest.raises(InfeasibleError):
            select_portfolio(s, c, budget, must_include=inc, must_exclude=exc, groups=groups, count_caps=caps)
        return
    r = select_portfolio(s, c, budget, must_include=inc, must_exclude=exc, groups=groups, count_caps=caps)
    assert r.total_score == pytest.approx(bf, abs=1e-9)
    assert r.total_cost <= budget + 1e-9 and r.selected[inc].all() and not r.selected[exc].any()
    for g, cap in caps.items():
        assert r.group_counts.get(g, 0) <= cap


def test_selection_unscored_excluded_and_reported():
    r = select_portfolio([0.5, nan, 0.7], [1, 1, 1], 10)
    assert r.selected.tolist() == [True, False, True] and r.excluded_unscored.tolist() == [1]
    with pytest.raises(InfeasibleError):
        select_portfolio([0.5, 0.6], [5, 5], 4, must_include=[0])


# ------------------------------------------------------------------------- explain
def test_explain_contributions_sum_and_next_tier_hand():
    U = np.array([[0.5, 0.5, 0.5], [1.0, 1.0, 0.8]])
    w = [0.5, 0.3, 0.2]
    e = explain(U, w, [0.8, 0.6, 0.4])
    np.testing.assert_allclose(e.contributions.sum(axis=1), weighted_sum(U, w).composite, atol=1e-15)
    # project 0: composite .5 -> tier C (index 2); next tier B needs .6: gap .1
    assert e.score_tier.tolist() == [2, 0] and e.gap[0] == pytest.approx(0.1)
    # leaf 0 alone: needs .5 + .1/.5 = .7 (headroom .25 >= .1: sufficient)
    # leaf 2 alone: needs .5 + .1/.2 = 1.0 (headroom .1, exactly sufficient)
    np.testing.assert_allclose(e.needed_utility[0], [0.7, 0.5 + 0.1 / 0.3, 1.0])
    assert e.sufficient[0].tolist() == [True, True, True]
    assert e.at_top[1] and e.gap[1] == 0 and not e.sufficient[1].any()
    d = e.project(0, ["a", "b", "c"])
    assert d["contributions"][0]["indicator"] == "a" and d["gap_to_next_tier"] == pytest.approx(0.1)


def test_explain_reports_blocks_from_tiers():
    U = np.array([[0.9, 0.9], [0.3, 0.3]])
    t = assign_tiers(U.mean(axis=1), default_rules([0.8, 0.6, 0.4]), gates=np.array([[True], [False]]),
                     gate_reasons=["无知识产权 / no IP"])
    e = explain(U, [1, 1], [0.8, 0.6, 0.4], tier_result=t)
    assert e.blocked_by == {0: ["无知识产权 / no IP"]}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_explain_sufficient_leaf_really_reaches_next_tier(seed):
    """Property: raising a 'sufficient' indicator to its needed utility lifts the composite to the
    next tier's minimum."""
    rng = np.random.default_rng(seed)
    U = rng.uniform(0, 0.7, (5, 4))
    w = rng.dirichlet(np.ones(4))
    mins = [0.8, 0.6, 0.4]
    e = explain(U, w, mins)
    for p, l in zip(*np.nonzero(e.sufficient)):
        V = U.copy()
        V[p, l] = e.needed_utility[p, l]
        c = weighted_sum(V, w).composite[p]
        assert c >= mins[e.score_tier[p] - 1] - 1e-9
