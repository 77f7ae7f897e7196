"""The rubric applied to a panel's scores: hand-calculated composites and the rules a fund relies on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.app.records import knockout_reasons
from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.explain import explanation
from tlr.numeric.errors import NoScoresError
from tlr.rubric import rubric_from_data

from ..evaluation.rubrics import make_rubric as stage_rubric

NAN = np.nan
FAST = EvaluationOptions(draws=200, bootstrap_draws=0)


def make_rubric(consensus="mean", **extra):
    """The stage tests' rubric (tests/evaluation/rubrics.py) with this file's panel: *consensus*, trim 1, 3 experts."""
    return stage_rubric(panel={"consensus": consensus, "trim": 1, "min_experts": 3}, **extra)


def labelled(rubric, cube):
    E, P, _ = cube.shape
    return ScoreCube.of(cube, projects=[f"p{i}" for i in range(P)], experts=[f"e{i}" for i in range(E)],
                        indicators=[n.id for n in rubric.indicators])


def run(rubric, cube, **kw):
    return evaluate(rubric, labelled(rubric, cube), options=kw.pop("options", FAST), **kw)


def cube_of(rows):
    """rows[e][p] = (novelty, trl, demand, ip)."""
    return np.array(rows, dtype=float)


def test_composite_matches_hand_calculation():
    # one project, three experts; mean consensus: novelty 4 -> u 0.75; demand 3 -> 0.5; TRL lower median 6 -> 5/8
    cube = cube_of([[[5, 6, 3, 1]], [[4, 7, 2, 1]], [[3, 5, 4, 1]]])
    ev = run(make_rubric(), cube)
    expected = 100 * (0.5 * (0.6 * 0.75 + 0.4 * 5 / 8) + 0.5 * 0.5)
    assert ev.composite[0] == pytest.approx(expected)
    assert ev.dimension_scores[0, ev.dimensions.index("tech")] == pytest.approx(100 * (0.6 * 0.75 + 0.4 * 5 / 8))
    assert ev.readiness[0] == 6 and ev.readiness_source[0] == "panel"


def test_levels_take_the_lower_median_never_the_mean():
    cube = cube_of([[[3, 3, 3, 1]], [[3, 4, 3, 1]], [[3, 5, 3, 1]], [[3, 9, 3, 1]]])  # mean 5.25, lower median 4
    ev = run(make_rubric(), cube)
    assert ev.consensus[0, ev.indicators.index("trl")] == 4


def test_assessment_overrides_panel_readiness_and_drives_routes_and_tiers():
    cube = cube_of([[[5, 7, 5, 1], [5, 7, 5, 1]]] * 3)
    ev = run(make_rubric(), cube, readiness_assessed={"p1": 3})
    assert ev.readiness.tolist() == [7, 3]
    assert ev.readiness_source == ("panel", "assessment")
    assert ev.route == ("land", "research")
    assert ev.tier[0] == "A" and ev.tier[1] == "B"  # p1 scores >= 80 but readiness 3 < 6 keeps it out of A


def test_boolean_tie_is_undecided_and_flags_re_review():
    cube = cube_of([[[4, 6, 4, 1]], [[4, 6, 4, 0]], [[4, 6, 4, 1]], [[4, 6, 4, 0]]])
    ev = run(make_rubric(), cube)
    gate = ev.gates[0]
    assert not gate.hit[0] and gate.unknown[0]
    assert ev.review[0]
    assert [(f.code, f.params["gate_id"]) for f in ev.review_reasons[0] if f.code == "gate_undecided"] == \
        [("gate_undecided", "ip_gate")]
    assert not ev.knocked_out[0]


def test_knocked_out_project_stays_ranked_with_reason():
    cube = cube_of([[[5, 8, 5, 0], [2, 5, 2, 1]]] * 3)
    ev = run(make_rubric(), cube)
    assert ev.knocked_out.tolist() == [True, False]
    assert ev.tier[0] == "D"
    assert ev.rank[0] == 1  # best score, still ranked, marked
    assert knockout_reasons(ev, 0) == ["知识产权不清"] and knockout_reasons(ev, 0, "en") == ["IP unclear"]
    assert ev.route[0] is None  # a knocked-out project gets no support route


def test_unscored_project_is_last_and_flagged_never_dropped():
    cube = cube_of([[[4, 6, 4, 1], [NAN] * 4, [2, 3, 2, 1]]] * 3)
    ev = run(make_rubric(), cube)
    assert len(ev.projects) == 3
    assert ev.unscored.tolist() == [False, True, False]
    assert ev.rank[1] == 3 and np.isnan(ev.composite[1])
    assert ev.tier[1] == "D"
    assert [f.code for f in ev.flags(1)][:1] == ["unscored"]
    assert ev.flags(1)[0].text("en") == "no scores" and ev.flags(1)[0].text("zh") == "无人评分"
    assert ev.review[1]


def test_indicator_nobody_scored_renormalises_and_flags():
    cube = cube_of([[[4, 6, NAN, 1]]] * 3)
    ev = run(make_rubric(), cube)
    tech = 0.6 * 0.75 + 0.4 * 5 / 8
    assert ev.composite[0] == pytest.approx(100 * tech)  # only the tech half is scored
    assert ev.incomplete[0]


def test_trimmed_mean_ignores_one_wild_expert():
    base = [[[4, 6, 4, 1]]] * 4
    wild = base + [[[1, 6, 1, 1]]]
    rubric = make_rubric("trimmed_mean")
    a = run(rubric, cube_of(base + [[[4, 6, 4, 1]]]))
    b = run(rubric, cube_of(wild))
    assert a.composite[0] == pytest.approx(b.composite[0])


def test_no_scores_is_a_clear_error():
    with pytest.raises(NoScoresError, match="no scores"):
        run(make_rubric(), np.full((3, 2, 4), NAN))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_dominating_project_never_ranks_below(seed):
    rng = np.random.default_rng(seed)
    E, P = 5, 6
    cube = np.empty((E, P, 4))
    cube[:, :, 0] = rng.integers(1, 6, (E, P))
    cube[:, :, 1] = rng.integers(1, 10, (E, P))
    cube[:, :, 2] = rng.integers(1, 6, (E, P))
    cube[:, :, 3] = 1
    # project 0 dominates project 1: at least as good on every indicator for every expert
    cube[:, 0, :3] = np.maximum(cube[:, 0, :3], cube[:, 1, :3])
    ev = run(make_rubric(), cube)
    assert ev.rank[0] <= ev.rank[1]
    assert ev.robustness.rank_q50[0] <= ev.robustness.rank_q50[1] + 1e-9


def test_same_seed_same_result():
    rng = np.random.default_rng(3)
    cube = np.stack([rng.integers(1, 6, (4, 8)), rng.integers(1, 10, (4, 8)), rng.integers(1, 6, (4, 8)),
                     np.ones((4, 8))], axis=2).astype(float)
    opts = EvaluationOptions(draws=500, bootstrap_draws=50, seed=7)
    a, b = run(make_rubric(), cube, options=opts), run(make_rubric(), cube, options=opts)
    np.testing.assert_array_equal(a.robustness.rank_q95, b.robustness.rank_q95)
    np.testing.assert_array_equal(a.bootstrap.p_top_k, b.bootstrap.p_top_k)


def test_explain_contributions_sum_to_composite():
    cube = cube_of([[[4, 6, 3, 1]]] * 3)
    ev = run(make_rubric(), cube)
    body = explanation(ev, "p0")
    assert sum(c["contribution"] for c in body["contributions"]) == pytest.approx(ev.composite[0])
    assert body["tier"] == ev.tier[0]


def test_tier_line_reached_exactly_and_any_default_tier_name():
    # six equal weights of 1/6 and ratings that put the composite exactly on the Hold line (50):
    # float rounding gives 49.999999999999993, which must still count as 50
    rubric = rubric_from_data({
        "id": "g", "version": "1", "title": "G", "normalize": True,
        "scales": {"s": {"kind": "likert", "min": 0, "max": 10}},
        "dimensions": [{"id": "d", "label": "D", "children": [
            {"id": f"f{k}", "label": f"F{k}", "scale": "s", "weight": 1} for k in range(6)]}],
        "tiers": [{"id": "Go", "label": "Go", "min_score": 60}, {"id": "Hold", "label": "Hold", "min_score": 50},
                  {"id": "Kill", "label": "Kill"}]})
    cube = np.full((3, 2, 6), 5.0)
    cube[:, 1, :] = 2.0
    ev = evaluate(rubric, ScoreCube.of(cube, projects=["a", "b"], experts=["x", "y", "z"],
                                       indicators=[f"f{k}" for k in range(6)]),
                  options=EvaluationOptions(draws=50, bootstrap_draws=20))
    assert ev.tier == ("Hold", "Kill")
    assert ev.robustness.tier_codes == ["Go", "Hold", "Kill"]
    assert ev.robustness.p_tier[0, 1] == pytest.approx(1.0, abs=0.2)


def test_too_few_experts_to_trim_is_stated_not_silent():
    rubric = make_rubric("trimmed_mean")  # trim 1 per end; trims only when 3 scores remain
    cube = cube_of([[[4, 6, 4, 1]], [[2, 6, 3, 1]], [[5, 6, 5, 1]], [[5, 6, 2, 1]]])  # four experts: 2 would remain
    ev = run(rubric, cube)
    assert [(n.code, n.params["cells"]) for n in ev.notes] == [("note_trim_fallback", 2)]  # novelty and demand (levels and yes/no never trim)
    assert ev.consensus[0, ev.indicators.index("novelty")] == 4.5  # the documented fallback: the median
