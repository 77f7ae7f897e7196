"""Alternative aggregations chosen in the rubric (TOPSIS, fuzzy comprehensive evaluation) and weight sensitivity."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.composite import impute_missing
from tlr.evaluation.explain import neighbour_swaps
from tlr.rubric import rubric_from_data

FAST = EvaluationOptions(draws=100, bootstrap_draws=0)


def run(rubric, cube):
    E, P, _ = cube.shape
    labelled = ScoreCube.of(cube, projects=[f"p{i}" for i in range(P)], experts=[f"e{i}" for i in range(E)],
                            indicators=[n.id for n in rubric.indicators])
    return evaluate(rubric, labelled, options=FAST)


def test_topsis_matches_hand_calculation():
    rubric = rubric_from_data({
        "id": "t", "version": "1", "title": "T", "aggregation": {"method": "topsis"},
        "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}},
        "dimensions": [{"id": "d", "label": "D", "children": [
            {"id": "a", "label": "A", "scale": "l5", "weight": 0.75},
            {"id": "b", "label": "B", "scale": "l5", "weight": 0.25}]}]})
    # utilities (1, 0), (0, 1), (0.5, 0.5); weights 0.75 / 0.25. By hand (Hwang & Yoon's steps):
    # column norms sqrt(1.25); A+ = (0.75, 0.25)/sqrt(1.25), A- = 0 -> closeness 0.75, 0.25, 0.5.
    cube = np.array([[[5, 1], [1, 5], [3, 3]]], dtype=float)
    ev = run(rubric, cube)
    np.testing.assert_allclose(ev.composite, [75, 25, 50], atol=1e-9)


def test_fuzzy_comprehensive_evaluation_matches_hand_calculation():
    rubric = rubric_from_data({
        "id": "f", "version": "1", "title": "F", "aggregation": {"method": "fuzzy", "grades": "g"},
        "scales": {"g": {"kind": "grades", "grades": [
            {"id": "excellent", "label": "优", "value": 100}, {"id": "good", "label": "良", "value": 80},
            {"id": "fair", "label": "中", "value": 60}, {"id": "poor", "label": "差", "value": 40}]}},
        "dimensions": [{"id": "d", "label": "D", "children": [
            {"id": "a", "label": "A", "scale": "g", "weight": 0.6},
            {"id": "b", "label": "B", "scale": "g", "weight": 0.4}]}]})
    # four experts; indicator a: grades 0,0,1,2 -> r = (.5,.25,.25,0); b: 1,1,1,3 -> r = (0,.75,0,.25)
    cube = np.array([[[0, 1]], [[0, 1]], [[1, 1]], [[2, 3]]], dtype=float)
    ev = run(rubric, cube)
    # B = .6 r_a + .4 r_b = (.30, .45, .15, .10); score = 30 + 36 + 9 + 4 = 79 on 40..100 -> (79-40)/60
    assert ev.composite[0] == pytest.approx(100 * (79 - 40) / 60)


def test_neighbour_swap_weight_makes_the_two_composites_equal():
    rng = np.random.default_rng(4)
    rubric = rubric_from_data({
        "id": "s", "version": "1", "title": "S", "normalize": True,
        "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}},
        "dimensions": [{"id": "d", "label": "D", "children": [
            {"id": f"i{k}", "label": f"I{k}", "scale": "l5", "weight": float(rng.uniform(0.5, 2))} for k in range(5)]}]})
    cube = rng.integers(1, 6, (4, 6, 5)).astype(float)
    ev = run(rubric, cube)
    w = np.array([rubric.node(f"i{k}").global_weight for k in range(5)])
    U = impute_missing(ev.utilities, w)
    checked = 0
    for pid in ev.projects:
        for item in neighbour_swaps(ev, pid):
            if item["swap"] is None:
                continue
            k = int(item["swap"]["indicator"][1:])
            t = item["swap"]["new_weight"]
            w2 = w * (1 - t) / (1 - w[k])
            w2[k] = t
            a, b = ev.project_index(pid), ev.project_index(item["neighbour"])
            assert U[a] @ w2 == pytest.approx(U[b] @ w2, abs=1e-9)
            checked += 1
    assert checked > 0
