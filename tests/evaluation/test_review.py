"""Stage 6: review findings — each code with its numbers, worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.evaluation.decisions import GateOutcome
from tlr.evaluation.options import EvaluationOptions
from tlr.evaluation.review import review_of

NAN = np.nan
W = np.array([0.5, 0.5])


def run(X, *, active=None, gates=(), quorum=0.5, min_experts=2, options=EvaluationOptions()):
    """X: (E, P, 2) expert utilities on two scored indicators (every indicator answered where X is not NaN)."""
    X = np.asarray(X, dtype=float)
    E, P, _ = X.shape
    answered = ~np.isnan(X)
    active = answered.any(axis=2) if active is None else np.asarray(active)
    unscored = ~answered.any(axis=(0, 2))
    return review_of(X, W, answered, active, np.ones((P, 2), bool), unscored, list(gates), quorum=quorum,
                     min_experts=min_experts, options=options, scale=100)


def codes(review, p):
    return [(f.code, dict(f.params)) for f in review.reasons.get(p, [])]


def test_a_wide_spread_of_the_experts_composites_asks_for_review():
    # project 0: composites 0.2 and 0.6 -> sd 0.2 * sqrt(2) = 0.2828 > 0.12, range 0.4 > 0.35
    # project 1: composites 0.5 and 0.6 -> sd 0.0707, range 0.1: fine
    r = run([[[0.2, 0.2], [0.5, 0.5]], [[0.6, 0.6], [0.6, 0.6]]])
    (c1, p1), (c2, p2) = codes(r, 0)
    assert (c1, c2) == ("review_sd", "review_range")
    assert p1["value"] == pytest.approx(100 * 0.4 / np.sqrt(2)) and p1["threshold"] == pytest.approx(12)
    assert p2["value"] == pytest.approx(40) and p2["threshold"] == pytest.approx(35)
    assert r.needed.tolist() == [True, False] and 1 not in r.reasons


def test_too_few_experts_behind_a_project():
    # three experts assigned to both projects; project 0 answered by one only
    X = [[[0.5, 0.5], [0.5, 0.5]], [[NAN, NAN], [0.5, 0.5]], [[NAN, NAN], [0.5, 0.5]]]
    r = run(X, active=np.ones((3, 2), bool), quorum=0.6, min_experts=2)
    assert codes(r, 0) == [("below_quorum", {"n": 1, "panel": 3, "quorum": 0.6}),
                           ("below_min_experts", {"n": 1, "min": 2})]
    assert r.completeness.experts_behind.tolist() == [1, 3] and r.needed.tolist() == [True, False]


def test_an_undecided_gate_asks_for_review():
    gate = GateOutcome("ip_gate", {"zh": "知识产权", "en": "IP"}, "knockout", None, hit=np.array([False, False]),
                       unknown=np.array([False, True]))
    r = run([[[0.5, 0.5], [0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]]], gates=[gate])
    assert codes(r, 1) == [("gate_undecided", {"gate_id": "ip_gate", "gate": {"zh": "知识产权", "en": "IP"}})]
    assert r.needed.tolist() == [False, True]


def test_an_unscored_project_needs_review_without_a_reason_here():
    r = run([[[0.5, 0.5], [NAN, NAN]], [[0.5, 0.5], [NAN, NAN]]])
    assert r.needed.tolist() == [False, True] and 1 not in r.reasons   # Evaluation.flags adds 'unscored'


def test_findings_keep_their_order_spread_coverage_gates():
    gate = GateOutcome("g", "G", "flag", None, hit=np.array([False]), unknown=np.array([True]))
    X = [[[0.0, 0.0]], [[1.0, 1.0]], [[NAN, NAN]], [[NAN, NAN]]]
    r = run(X, active=np.ones((4, 1), bool), gates=[gate], quorum=0.75, min_experts=3)
    assert [c for c, _ in codes(r, 0)] == ["review_sd", "review_range", "below_quorum", "below_min_experts",
                                          "gate_undecided"]
