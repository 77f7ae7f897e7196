"""Stage 3: utilities in [0, 1]; NaN stays NaN, a not-applicable indicator is masked."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.evaluation.utilities import indicator_utility, level_points, utilities_of

from .rubrics import make_rubric

NAN = np.nan


def test_nan_stays_nan_and_not_applicable_is_masked():
    rubric = make_rubric()
    consensus = np.array([[3.0, 5.0, NAN, 1.0], [5.0, 9.0, 1.0, 0.0]])
    scores = np.array([[[3.0, 5.0, NAN, 1.0], [5.0, 9.0, 1.0, 0.0]]])
    applicable = np.array([[True, True, True, True], [False, True, True, True]])
    u = utilities_of(rubric.indicators, consensus, scores, applicable)
    # likert 1..5: (x - 1) / 4; TRL points (k - 1) / 8; yes/no as is
    assert u.panel[0, 0] == 0.5 and u.panel[0, 1] == 0.5 and np.isnan(u.panel[0, 2]) and u.panel[0, 3] == 1.0
    assert np.isnan(u.panel[1, 0])               # does not apply to project 1 ...
    assert u.experts[0, 1, 0] == 1.0             # ... the expert's own score stays (diagnostics use it)
    assert u.panel[1].tolist()[1:] == [1.0, 0.0, 0.0]


def test_level_points_fall_back_to_even_spacing():
    rubric = make_rubric()
    assert level_points(rubric.node("trl"))[5] == pytest.approx(0.5)
    plain = make_rubric(dimensions=[{"id": "d", "label": "D", "children": [
        {"id": "trl", "label": "TRL", "scale": "trl", "weight": 1}]}], gates=[], routes=[], tiers=[])
    points = level_points(plain.node("trl"))
    assert points[1] == 0 and points[9] == 1 and points[3] == pytest.approx(2 / 8)


def test_a_no_is_the_pass_value_when_the_scale_says_so():
    rubric = make_rubric(scales={"no": {"kind": "boolean", "pass_value": False}}, dimensions=[
        {"id": "d", "label": "D", "children": [{"id": "x", "label": "X", "scale": "no", "weight": 1}]}],
        gates=[], routes=[], tiers=[], readiness=None)
    assert indicator_utility(rubric.node("x"), np.array([1.0, 0.0, NAN]))[:2].tolist() == [0.0, 1.0]


def test_grades_take_the_mean_of_the_experts_grade_utilities():
    rubric = make_rubric(dimensions=[{"id": "d", "label": "D", "children": [
        {"id": "q", "label": "Q", "scale": "g", "weight": 1}]}], gates=[], routes=[], tiers=[], readiness=None)
    # grades A..D = 100, 80, 60, 40 -> utilities 1, 2/3, 1/3, 0; experts give A, A, D
    scores = np.array([[[0.0]], [[0.0]], [[3.0]]])
    u = utilities_of(rubric.indicators, np.array([[0.0]]), scores, np.ones((1, 1), bool))
    assert u.panel[0, 0] == pytest.approx(2 / 3)   # not the utility of the lower-median grade (A = 1)
    assert u.experts[:, 0, 0].tolist() == [1.0, 1.0, 0.0]
