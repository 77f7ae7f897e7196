"""Completeness: expected vs received answers, experts behind a project, quorum — checked by hand."""

import numpy as np
import pytest

from tlr.panel.completeness import completeness


def _case():
    # 3 experts, 2 projects, 3 indicators; indicator 2 does not apply to project 1.
    answered = np.zeros((3, 2, 3), bool)
    answered[0, 0, :] = True          # e0 answers everything on p0
    answered[1, 0, [0, 1]] = True     # e1 misses indicator 2 on p0
    answered[2, 0, 0] = True          # e2 is recused from p0: this answer must not count
    answered[0, 1, 0] = True          # e0 answers one of two on p1
    answered[1, 1, 1] = True          # e1 is not assigned to p1: must not count
    active = np.array([[True, True], [True, False], [False, True]])
    applicable = np.array([[True, True, True], [True, True, False]])
    return answered, active, applicable


def test_counts_by_hand():
    c = completeness(*_case(), quorum=0.67, min_experts=1)
    assert c.expected.tolist() == [[3, 2], [3, 0], [0, 2]]
    assert c.received.tolist() == [[3, 1], [2, 0], [0, 0]]
    assert c.panel.tolist() == [2, 2]
    assert c.complete_experts.tolist() == [1, 0]
    assert c.silent_experts.tolist() == [0, 1]
    # p0: e0 and e1 scored it (e2's answer does not count: recused); p1: only e0 (e1 is not assigned)
    assert c.experts_behind.tolist() == [2, 1]
    assert c.quorum_met.tolist() == [True, False]           # 2/2; 1/2 < 0.67
    assert c.min_experts_met.tolist() == [True, True]
    assert completeness(*_case(), quorum=0.67, min_experts=2).min_experts_met.tolist() == [True, False]
    assert (c.total_expected, c.total_received) == (10, 6)
    assert c.received_by_expert.tolist() == [4, 2, 0]


def test_quorum_slack_and_threshold():
    answered, active, applicable = _case()
    assert completeness(answered, active, applicable, quorum=0.5, min_experts=1).quorum_met.tolist() == [True, True]
    assert completeness(answered, active, applicable, quorum=0.51, min_experts=1).quorum_met.tolist() == [True, False]
    # two of three with a quorum written as 0.67 is met (half a percent of slack)
    a = np.ones((3, 1, 1), bool)
    a[2] = False
    c = completeness(a, np.ones((3, 1), bool), np.ones((1, 1), bool), quorum=0.67, min_experts=3)
    assert c.quorum_met.tolist() == [True] and c.min_experts_met.tolist() == [False]
    assert c.experts_behind.tolist() == [2]


def test_no_panel_never_meets_quorum():
    c = completeness(np.zeros((2, 1, 2), bool), np.zeros((2, 1), bool), np.ones((1, 2), bool),
                     quorum=0.5, min_experts=0)
    assert c.panel.tolist() == [0] and not c.quorum_met[0]


def test_shapes_checked():
    with pytest.raises(ValueError):
        completeness(np.zeros((2, 2, 2), bool), np.zeros((2, 3), bool), np.ones((2, 2), bool), quorum=1,
                     min_experts=1)
