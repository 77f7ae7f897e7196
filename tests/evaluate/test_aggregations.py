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


# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications.
# Springer, pp. 133-134 (fighter-aircraft example): max speed (Mach), ferry range (NM), max payload (lb),
# acquisition cost ($10^6, the cost criterion), reliability, manoeuvrability (rated 1-9);
# weights (0.2, 0.1, 0.1, 0.1, 0.2, 0.3); published closeness C* = 0.643, 0.268, 0.613, 0.312
# (order A1 > A3 > A4 > A2).
AIRCRAFT = [[2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5]]
HWANG_YOON_CLOSENESS = [0.643, 0.268, 0.613, 0.312]


def aircraft_rubric(mode: str | None = "raw"):
    def numeric(direction="benefit", lower=0.0, upper=1.0):
        return {"kind": "numeric", "direction": direction, "transform": {"kind": "linear", "lower": lower,
                                                                          "upper": upper}}
    agg = {"method": "topsis"} if mode is None else {"method": "topsis", "topsis": {"mode": mode}}
    return rubric_from_data({
        "id": "aircraft", "version": "1", "title": "Fighter aircraft", "aggregation": agg,
        "scales": {"speed": numeric(upper=3), "range": numeric(upper=3000), "payload": numeric(upper=25000),
                   "cost": numeric("cost", 4, 7), "rating": {"kind": "likert", "min": 1, "max": 9}},
        "dimensions": [{"id": "d", "label": "D", "children": [
            {"id": "x1", "label": "speed", "scale": "speed", "weight": 0.2},
            {"id": "x2", "label": "range", "scale": "range", "weight": 0.1},
            {"id": "x3", "label": "payload", "scale": "payload", "weight": 0.1},
            {"id": "x4", "label": "cost", "scale": "cost", "weight": 0.1},
            {"id": "x5", "label": "reliability", "scale": "rating", "weight": 0.2},
            {"id": "x6", "label": "manoeuvrability", "scale": "rating", "weight": 0.3}]}]})


def test_raw_topsis_reproduces_hwang_yoon_through_a_rubric():
    # two experts giving the same values: the consensus (mean) equals the published matrix
    cube = np.array([AIRCRAFT, AIRCRAFT], dtype=float)
    ev = run(aircraft_rubric("raw"), cube)
    # the book rounds its intermediate tables to 4 dp, so its 3-dp closeness may be 1 off in the last digit
    np.testing.assert_allclose(ev.composite / 100, HWANG_YOON_CLOSENESS, atol=6e-4)
    assert list(np.argsort(-ev.composite)) == [0, 2, 3, 1]
    assert ev.method["aggregation"] == "topsis" and ev.method["topsis_mode"] == "raw"
    assert not ev.incomplete.any()


def test_utility_topsis_is_the_default_and_depends_on_the_utility_bounds():
    cube = np.array([AIRCRAFT], dtype=float)
    ev = run(aircraft_rubric(None), cube)
    assert ev.method["topsis_mode"] == "utility"
    # by hand: utilities are the linear transforms of the published values, e.g. cost (5.5-4)/(7-4) reversed
    U = np.array(AIRCRAFT, dtype=float) / [3, 3000, 25000, 1, 1, 1]
    U[:, 3] = (7 - np.array(AIRCRAFT)[:, 3]) / 3
    U[:, 4:] = (np.array(AIRCRAFT)[:, 4:] - 1) / 8
    w = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
    V = U / np.sqrt((U ** 2).sum(axis=0)) * w
    dp = np.sqrt(((V - V.max(axis=0)) ** 2).sum(axis=1))
    dm = np.sqrt(((V - V.min(axis=0)) ** 2).sum(axis=1))
    np.testing.assert_allclose(ev.composite / 100, dm / (dp + dm), atol=1e-12)
    assert not np.allclose(ev.composite / 100, HWANG_YOON_CLOSENESS, atol=6e-4)


def test_raw_topsis_leaves_a_project_missing_a_raw_value_unranked():
    cube = np.array([AIRCRAFT, AIRCRAFT], dtype=float)
    cube[:, 3, 1] = np.nan                       # nobody gave A4's ferry range
    ev = run(aircraft_rubric("raw"), cube)
    assert np.isnan(ev.composite[3]) and ev.incomplete[3] and not ev.incomplete[:3].any()
    # the other three are ranked among themselves (ideal points from A1-A3 only): hand check via the engine
    from tlr.engine.aggregation import topsis
    ref = topsis(np.array(AIRCRAFT)[:3], [0.2, 0.1, 0.1, 0.1, 0.2, 0.3], [1, 1, 1, 0, 1, 1]).closeness
    np.testing.assert_allclose(ev.composite[:3] / 100, ref)
    assert "note_topsis_raw_excluded" in [n.code for n in ev.notes]


def test_methodology_text_names_the_topsis_mode():
    from tlr.app.report_data import methodology

    cube = np.array([AIRCRAFT], dtype=float)
    raw = methodology(run(aircraft_rubric("raw"), cube), "en").aggregation
    util = methodology(run(aircraft_rubric("utility"), cube), "zh").aggregation
    assert "raw-value mode" in raw.en and "原始值模式" in raw.zh
    assert "utility mode" in util.en and "utility bounds" in util.en and "效用函数的上下界" in util.zh


def test_topsis_options_with_another_method_warn():
    r = rubric_from_data({
        "id": "w", "version": "1", "title": "W", "aggregation": {"method": "weighted_sum", "topsis": {"mode": "raw"}},
        "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}},
        "dimensions": [{"id": "d", "label": "D", "children": [{"id": "a", "label": "A", "scale": "l5"}]}]})
    assert any(d.code == "topsis_ignored" for d in r.warnings)
