"""Text in a reader's language is made at the edges (tlr.app), from the language-free evaluation."""

from __future__ import annotations

import numpy as np

from tlr.app.explain import explain_project
from tlr.app.records import knockout_reasons
from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.explain import explanation, neighbour_swaps

from .rubrics import INDICATORS, make_rubric

FAST = EvaluationOptions(draws=100, bootstrap_draws=0)


def evaluation():
    # p0 knocked out (ip no); p1..p3 close on novelty and demand so each has neighbours to swap with
    rows = [[5, 7, 5, 0], [4, 6, 2, 1], [2, 6, 4, 1], [3, 6, 3, 1]]
    values = np.array([rows, rows, rows], dtype=float)
    cube = ScoreCube.of(values, experts=["a", "b", "c"], projects=["p0", "p1", "p2", "p3"], indicators=INDICATORS)
    return evaluate(make_rubric(), cube, options=FAST)


def test_knockout_reasons_in_either_language():
    ev = evaluation()
    assert knockout_reasons(ev, 0, "zh") == ["知识产权不清"] and knockout_reasons(ev, 0, "en") == ["IP unclear"]
    assert knockout_reasons(ev, 1, "en") == []


def test_explain_labels_in_the_readers_language_numbers_unchanged():
    ev = evaluation()
    plain = explanation(ev, "p1")
    en, zh = explain_project(ev, "p1", "en"), explain_project(ev, "p1", "zh")
    swaps = [n["swap"] for n in plain["neighbours"] if n["swap"] is not None]
    assert swaps and all(isinstance(s["label"], dict) for s in swaps)      # language-free: both languages
    for lang, body in (("en", en), ("zh", zh)):
        for item, raw in zip(body["neighbours"], plain["neighbours"]):
            assert item["neighbour"] == raw["neighbour"]
            if raw["swap"] is not None:
                assert item["swap"]["label"] == raw["swap"]["label"][lang]
                assert item["swap"]["new_weight"] == raw["swap"]["new_weight"]
    assert {s["indicator"] for s in swaps} <= {"novelty", "trl", "demand"}
    assert [c["contribution"] for c in en["contributions"]] == [c["contribution"] for c in plain["contributions"]]
    assert en["knockouts"] == [] and en["flags"] == plain["flags"]


def test_a_knocked_out_project_is_explained_with_its_gate():
    body = explanation(evaluation(), "p0")
    assert body["knocked_out"] and body["knockouts"] == [{"gate": "ip_gate", "label": {"zh": "知识产权不清",
                                                                                        "en": "IP unclear"}}]
    # composites (0.3 novelty + 0.2 TRL + 0.5 demand): p0 0.95, p2 0.575, p3 0.525, p1 0.475; p0 stays ranked
    assert [n["neighbour"] for n in neighbour_swaps(evaluation(), "p0")] == ["p2"]
    assert [n["neighbour"] for n in neighbour_swaps(evaluation(), "p3")] == ["p2", "p1"]
