"""Ranks, tiers, knock-outs, support routes: hand cases and properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tlr.engine.aggregation import weighted_sum
from tlr.numeric.errors import InvalidValueError
from tlr.ranking.tiers import (TierRule, assign_tiers, default_rules, fund_fit, rank, support_route)

nan = np.nan


def test_rank_competition_1224_and_average():
    r = rank([0.9, 0.7, 0.9, 0.5, 0.7])
    assert r.rank.tolist() == [1, 3, 1, 5, 3]
    assert r.order.tolist() == [0, 2, 1, 4, 3]
    r = rank([0.9, 0.7, 0.9, 0.5, 0.7], ties="average")
    assert r.rank.tolist() == [1.5, 3.5, 1.5, 5, 3.5]


def test_rank_unscored_last_not_dropped():
    r = rank([0.2, nan, 0.8])
    assert r.rank.tolist() == [2, 3, 1] and r.unscored.tolist() == [False, True, False]
    assert r.order.tolist() == [2, 0, 1]


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(float, (8, 5), elements=st.floats(0, 1)), st.integers(0, 7), st.integers(0, 7),
       hnp.arrays(float, (5,), elements=st.floats(0.01, 1)))
def test_dominance_never_ranks_below(U, a, b, w):
    """If project a is at least as good as b on every indicator, a never ranks below b."""
    U = U.copy()
    U[a] = np.maximum(U[a], U[b])
    c = weighted_sum(U, w).composite
    for ties in ("competition", "average"):
        r = rank(c, ties=ties).rank
        assert r[a] <= r[b]


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (9,), elements=st.floats(0, 1)), st.permutations(range(9)))
def test_rank_permutation_equivariant(x, perm):
    perm = list(perm)
    assert rank(x[perm]).rank.tolist() == rank(x).rank[perm].tolist()


def test_tiers_thresholds_conditions_knockouts():
    comp = np.array([0.9, 0.85, 0.7, 0.5, 0.3, nan])
    trl_ok = np.array([True, False, True, True, True, True])
    rules = default_rules([0.8, 0.6, 0.4], conditions=[{"TRL>=4": trl_ok}, {}, {}])
    gates = np.array([[False, False], [False, False], [True, False], [False, False], [False, True],
                      [False, False]])
    t = assign_tiers(comp, rules, gates=gates, gate_reasons=["无知识产权 / no IP", "违规 / non-compliant"])
    # p0 A; p1 would be A by score but fails TRL -> B; p2 B by score but knocked out -> D; p3 C;
    # p4 D (and knocked out); p5 unscored -> D, flagged
    assert t.tier_codes().tolist() == ["A", "B", "D", "C", "D", "D"]
    assert t.failed_conditions == {1: ["A:TRL>=4"]}
    assert t.knockout_reasons == {2: ["无知识产权 / no IP"], 4: ["违规 / non-compliant"]}
    assert t.capped.tolist() == [False, False, True, False, False, False]
    assert t.unscored[5]
    assert t.labels_zh[0] == "推荐投资/尽调"
    # cap at C instead of D
    t = assign_tiers(comp, rules, gates=gates, gate_reasons=["a", "b"], knockout_tier="C")
    assert t.tier_codes().tolist()[2] == "C"
    t.to_dict()


def test_tier_rules_must_be_ordered():
    with pytest.raises(InvalidValueError):
        assign_tiers([0.5], [TierRule("A", 0.4), TierRule("B", 0.6)])


def test_support_route_bands():
    r = support_route([1, 3, 4, 6, 7, 9, nan])
    assert r.route.tolist() == ["research", "research", "pilot_transfer", "pilot_transfer",
                                "investment_landing", "investment_landing", "unknown"]
    assert r.unknown.tolist() == [False] * 6 + [True]
    with pytest.raises(InvalidValueError):
        support_route([5.5])
    with pytest.raises(InvalidValueError):
        support_route([10])
    with pytest.raises(InvalidValueError):
        support_route([1], bands=[(1, 4, "a"), (4, 9, "b")])


def test_fund_fit():
    f = fund_fit({"industry": np.array([True, False]), "region": np.array([True, True])})
    assert f.fit.tolist() == [True, False] and f.failed == {1: ["industry"]}
