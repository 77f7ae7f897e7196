"""evaluate(): the composition of the stages, language-free, typed, indifferent to the cube's indicator order."""

from __future__ import annotations

import dataclasses
import inspect
import re

import numpy as np
import pytest

from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.result import Evaluation
from tlr.numeric.errors import ShapeError
from tlr.panel.agreement import ExpertDiagnostics
from tlr.panel.completeness import Completeness
from tlr.ranking.robustness import RobustnessResult

from .rubrics import INDICATORS, make_rubric

FAST = EvaluationOptions(draws=200, bootstrap_draws=50, seed=3)
CJK = re.compile(r"[\u4e00-\u9fff]")


def panel(seed=5, E=4, P=7):
    rng = np.random.default_rng(seed)
    values = np.stack([rng.integers(1, 6, (E, P)), rng.integers(1, 10, (E, P)), rng.integers(1, 6, (E, P)),
                       rng.integers(0, 2, (E, P))], axis=2).astype(float)
    values[rng.uniform(size=values.shape) < 0.1] = np.nan
    return ScoreCube.of(values, experts=[f"e{k}" for k in range(E)], projects=[f"p{k}" for k in range(P)],
                        indicators=INDICATORS)


def test_hand_calculated_project_end_to_end():
    # three experts: novelty 5, 4, 3 -> mean 4 -> u 0.75; TRL 6, 7, 5 -> lower median 6 -> 5/8; demand 3, 2, 4 -> 0.5
    cube = ScoreCube.of([[[5, 6, 3, 1]], [[4, 7, 2, 1]], [[3, 5, 4, 1]]], experts=["a", "b", "c"], projects=["x"],
                        indicators=INDICATORS)
    ev = evaluate(make_rubric(), cube, options=FAST)
    assert ev.composite[0] == pytest.approx(100 * (0.3 * 0.75 + 0.2 * 5 / 8 + 0.5 * 0.5))
    assert ev.readiness[0] == 6 and ev.readiness_source == ("panel",)
    assert ev.tier == ("B",) and ev.route == ("transfer",) and ev.rank.tolist() == [1]


def test_the_cube_may_list_indicators_in_any_order():
    cube = panel()
    order = [3, 0, 2, 1]
    shuffled = ScoreCube.of(cube.values[:, :, order], experts=cube.experts, projects=cube.projects,
                            indicators=[cube.indicators[k] for k in order])
    a, b = evaluate(make_rubric(), cube, options=FAST), evaluate(make_rubric(), shuffled, options=FAST)
    assert b.indicators == INDICATORS
    np.testing.assert_array_equal(a.composite, b.composite)
    np.testing.assert_array_equal(a.consensus, b.consensus)
    np.testing.assert_array_equal(a.robustness.rank_q95, b.robustness.rank_q95)
    assert a.tier == b.tier and a.route == b.route


def test_the_result_is_typed():
    ev = evaluate(make_rubric(), panel(), options=FAST)
    assert isinstance(ev.robustness, RobustnessResult) and isinstance(ev.bootstrap, RobustnessResult)
    assert isinstance(ev.completeness, Completeness)
    assert isinstance(ev.expert_flags, ExpertDiagnostics)
    hints = {f.name: f.type for f in dataclasses.fields(Evaluation)}
    assert hints["robustness"] == "RobustnessResult" and hints["bootstrap"] == "RobustnessResult | None"
    assert hints["expert_flags"] == "ExpertDiagnostics | None" and hints["completeness"] == "Completeness"


def test_the_result_is_language_free():
    ev = evaluate(make_rubric(), panel(), options=FAST)
    for name, member in inspect.getmembers(Evaluation, inspect.isfunction):
        assert "lang" not in inspect.signature(member).parameters, name
    assert not CJK.search(repr(ev.method)), "the method dict names rules, it does not speak"
    flagged = [f for p in range(len(ev.projects)) for f in ev.flags(p)]
    assert flagged and all(f.code and isinstance(f.params, dict) for f in flagged)


def test_steps_are_reported_in_order():
    seen = []
    evaluate(make_rubric(), panel(), options=FAST, progress=seen.append)
    assert seen == ["consensus", "utilities", "gates and tiers", "agreement", "robustness", "expert bootstrap"]


def test_a_cube_that_does_not_match_its_labels_is_refused():
    with pytest.raises(ShapeError):
        ScoreCube.of(np.ones((2, 3, 4)), experts=["a"], projects=["x", "y", "z"], indicators=INDICATORS)


def test_the_assigned_panel_sets_the_quorum():
    cube = panel(P=2)
    values = cube.values.copy()
    values[1:, 0] = np.nan       # project 0: one of four assigned experts answered
    assigned = np.ones((4, 2), bool)
    ev = evaluate(make_rubric(), dataclasses.replace(cube, values=values, assigned=assigned), options=FAST)
    assert ev.completeness.panel.tolist() == [4, 4] and ev.completeness.experts_behind[0] == 1
    assert "below_quorum" in [f.code for f in ev.review_reasons[0]] and ev.review[0]
