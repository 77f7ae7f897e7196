"""Stage 5: gates (Kleene: unknown never passes), tiers, routes (unknown blocks), knock-out routes, ranks."""

from __future__ import annotations

import numpy as np

from tlr.evaluation.composite import Composite
from tlr.evaluation.decisions import NO_TIER, condition_values, decide

from .rubrics import make_rubric

NAN = np.nan


def composite(values01):
    v = np.array(values01, dtype=float)
    P = len(v)
    return Composite(scored=(0, 1, 2), weights=np.array([0.3, 0.2, 0.5]), dimensions=("tech", "market"),
                     dimension_scores=np.zeros((P, 2)), value=v, incomplete=np.zeros(P, bool),
                     unscored=np.isnan(v), aggregation="weighted_sum")


def run(rubric, comp01, ip, readiness):
    comp = composite(comp01)
    P = len(comp01)
    consensus = np.column_stack([np.full(P, 3.0), np.array(readiness, float), np.full(P, 3.0), np.array(ip, float)])
    return decide(rubric, condition_values(rubric, consensus, comp, np.array(readiness, float)), comp)


def test_an_undecided_gate_never_passes_and_never_knocks_out():
    d = run(make_rubric(), [0.9, 0.9, 0.9], ip=[NAN, 0.0, 1.0], readiness=[7, 7, 7])
    gate = d.gates[0]
    assert gate.unknown.tolist() == [True, False, False] and gate.hit.tolist() == [False, True, False]
    assert d.knocked_out.tolist() == [False, True, False]
    assert d.tiers.tier == ("A", "D", "A")        # knocked out: the default tier, whatever the score


def test_tiers_need_the_score_and_the_condition():
    d = run(make_rubric(), [0.85, 0.85, 0.5, 0.4999999999999999, 0.2], ip=[1] * 5, readiness=[6, 5, 9, 9, 9])
    assert d.tiers.tier == ("A", "B", "B", "B", "D")   # readiness 5 < 6 keeps 85 out of A; 49.99... reaches 50
    assert d.tiers.codes == ("A", "B", "D") and d.tiers.default == "D"
    assert [r.min_score for r in d.tiers.rules] == [0.8, 0.5]


def test_an_unknown_route_blocks_the_later_ones():
    d = run(make_rubric(), [0.6] * 4, ip=[1] * 4, readiness=[2, 5, 8, NAN])
    assert d.route == ("research", "transfer", "land", None)   # unknown readiness: no silent "land"


def test_knocked_out_projects_get_no_route_unless_the_gate_names_one():
    plain = run(make_rubric(), [0.6, 0.6], ip=[0, 1], readiness=[2, 2])
    assert plain.route == (None, "research")
    gates = [{"id": "ip_gate", "label": "IP", "when": {"ref": "ip", "op": "==", "value": False}, "route": "research"},
             {"id": "low", "label": "low", "when": {"ref": "readiness", "op": "<", "value": 3}, "route": "land"}]
    sent = run(make_rubric(gates=gates), [0.6, 0.6, 0.6], ip=[0, 1, 0], readiness=[5, 2, 2])
    # p0: ip gate -> research (its route, though readiness 5 would give transfer); p1: only the low gate -> land;
    # p2: both hold -> the first gate's route
    assert sent.route == ("research", "land", "research")
    assert sent.knocked_out.all()


def test_flag_gates_cap_the_tier_and_keep_the_project_in():
    gates = [{"id": "young", "label": "young", "effect": "flag", "max_tier": "B",
              "when": {"ref": "readiness", "op": "<", "value": 7}}]
    d = run(make_rubric(gates=gates), [0.9, 0.9], ip=[1, 1], readiness=[6, 8])
    assert d.tiers.tier == ("B", "A") and not d.knocked_out.any()


def test_without_a_default_tier_the_built_in_one_is_used():
    tiers = [{"id": "A", "label": "A", "min_score": 80}, {"id": "B", "label": "B", "min_score": 50}]
    d = run(make_rubric(tiers=tiers), [0.9, 0.6, 0.1], ip=[1] * 3, readiness=[7] * 3)
    assert d.tiers.tier == ("A", "B", NO_TIER[0])
    assert d.tiers.labels[NO_TIER[0]] == {"zh": NO_TIER[1], "en": NO_TIER[2]}


def test_competition_ranks_with_unscored_last():
    d = run(make_rubric(), [0.5, 0.9, NAN, 0.5, 0.1], ip=[1] * 5, readiness=[7] * 5)
    assert d.rank.tolist() == [2, 1, 5, 2, 4]
