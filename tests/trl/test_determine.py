"""Level determination: cumulative rule, thresholds, not-applicable questions, partial next level."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.errors import TlrError
from tlr.rubric.model import Level, LevelsScale
from tlr.trl.determine import determine_level, parse_answer
from tlr.trl.errors import AnswerError, LadderError
from tlr.trl.ladders import ladder_from_scale

from .conftest import make_ladder


def yes(*ids):
    return {i: "yes" for i in ids}


def test_nothing_answered_is_below_first_level(ladder3):
    d = determine_level(ladder3, {})
    assert d.achieved is None and d.next_level == 1
    assert [m.question for m in d.next.missing] == ["L1.q1", "L1.q2"]


def test_cumulative_rule_stops_at_first_non_green_level(ladder3):
    answers = yes("L1.q1", "L1.q2", "L3.q1", "L3.q2", "L3.q3", "L4.q1", "L4.q2")  # level 2 unanswered
    d = determine_level(ladder3, answers)
    assert d.achieved == 1
    assert d.next_level == 2
    assert d.level(3).state == "green" and d.level(4).state == "green"
    assert d.not_counted == (3, 4)     # green above a gap never counts


def test_all_levels_green_reaches_top(ladder3):
    all_q = {f"L{n}.q{i}": "yes" for n, c in {1: 2, 2: 2, 3: 3, 4: 2}.items() for i in range(1, c + 1)}
    d = determine_level(ladder3, all_q)
    assert d.achieved == 4 and d.next_level is None and d.next is None


def test_partial_next_level_is_yellow_with_missing_questions_and_evidence(ladder3):
    d = determine_level(ladder3, {**yes("L1.q1", "L1.q2", "L2.q1", "L2.q2", "L3.q1", "L3.q2"), "L3.q3": "no"})
    assert d.achieved == 2
    nxt = d.next
    assert nxt.level == 3 and nxt.state == "yellow"
    assert nxt.share == pytest.approx(2 / 3)
    assert [(m.question, m.answer, m.evidence) for m in nxt.missing] == [("L3.q3", "no", ("test_report",))]


def test_red_below_yellow_threshold(ladder3):
    d = determine_level(ladder3, {**yes("L1.q1", "L1.q2", "L2.q1", "L2.q2", "L3.q1"), "L3.q2": "no"})
    assert d.next.state == "red" and d.next.share == pytest.approx(1 / 3)


def test_green_threshold_is_configurable():
    lad = make_ladder({1: 4, 2: 4})
    answers = {**yes("L1.q1", "L1.q2", "L1.q3"), "L1.q4": "no"}
    assert determine_level(lad, answers).achieved is None             # default 100 %
    assert determine_level(lad, answers, green=0.75).achieved == 1    # 3/4 meets 75 %
    assert determine_level(lad, answers, green=0.8).achieved is None
    with pytest.raises(AnswerError):
        determine_level(lad, answers, green=0.4, yellow=0.6)


def test_ladder_thresholds_are_used_by_default():
    lad = make_ladder({1: 2, 2: 2}, green=0.5, yellow=0.25)
    assert determine_level(lad, {"L1.q1": "yes", "L1.q2": "no"}).achieved == 1


def test_not_applicable_questions_leave_the_denominator(ladder3):
    d = determine_level(ladder3, {"L1.q1": "yes", "L1.q2": "na"})
    assert d.level(1).share == 1.0 and d.level(1).n_applicable == 1 and d.achieved == 1


def test_all_na_level_needs_an_explicit_assertion(ladder3):
    answers = {**yes("L1.q1", "L1.q2"), "L2.q1": "na", "L2.q2": "na"}
    d = determine_level(ladder3, answers)
    assert d.achieved == 1 and d.level(2).state == "red" and d.level(2).basis == "none"
    d = determine_level(ladder3, answers, asserted=[2])
    assert d.achieved == 2 and d.level(2).basis == "assertion"


def test_level_without_questions_needs_assertion_and_assertion_cannot_override_checklist():
    lad = ladder_from_scale(LevelsScale(kind="levels", levels=[
        Level(level=1, label="one"), Level(level=2, label="two")]))
    assert determine_level(lad, {}).achieved is None
    assert determine_level(lad, {}, asserted=[1]).achieved == 1
    with pytest.raises(AnswerError, match="unknown level 7"):
        determine_level(lad, {}, asserted=[7])
    with pytest.raises(AnswerError, match="answer them instead"):
        determine_level(make_ladder({1: 1, 2: 1}), {}, asserted=[1])


def test_percent_answers_count_as_their_fraction():
    lad = make_ladder({1: 2, 2: 2}, percent={"L1.q2", "L2.q1"})
    d = determine_level(lad, {"L1.q1": "yes", "L1.q2": 50})
    assert d.level(1).share == pytest.approx(0.75) and d.level(1).state == "yellow" and d.achieved is None
    d = determine_level(lad, {"L1.q1": "yes", "L1.q2": "100%"})
    assert d.achieved == 1
    assert determine_level(lad, {"L1.q1": "yes", "L1.q2": 80}, green=0.9).achieved == 1


@pytest.mark.parametrize("bad", [-1, 100.5, "120%", float("nan")])
def test_percent_outside_range_is_refused(bad):
    lad = make_ladder({1: 1, 2: 1}, percent={"L1.q1"})
    with pytest.raises(AnswerError, match="0-100|unrecognised"):
        determine_level(lad, {"L1.q1": bad})


def test_percent_on_a_yes_no_question_is_refused(ladder3):
    with pytest.raises(AnswerError, match="yes, no or na"):
        determine_level(ladder3, {"L1.q1": 50})


def test_unknown_question_is_a_clear_error(ladder3):
    with pytest.raises(AnswerError) as info:
        determine_level(ladder3, {"L9.q9": "yes"}, source="a.yaml")
    err = info.value
    assert "unknown question 'L9.q9'" in err.format() and "未知问题" in err.format()
    assert err.location.file == "a.yaml" and err.location.field == "answers.L9.q9"


@pytest.mark.parametrize("raw,expected", [("y", "yes"), ("是", "yes"), (True, "yes"), ("N", "no"), ("否", "no"),
                                          (False, "no"), ("n/a", "na"), ("不适用", "na")])
def test_answer_spellings(raw, expected):
    assert parse_answer(raw) == expected


def test_ladder_with_a_gap_is_refused():
    with pytest.raises(LadderError, match="gap"):
        ladder_from_scale(LevelsScale(kind="levels", levels=[Level(level=1, label="a"), Level(level=3, label="c")]))
    with pytest.raises(LadderError, match="twice"):
        ladder_from_scale(LevelsScale(kind="levels", levels=[Level(level=1, label="a"), Level(level=1, label="b")]))


def test_determination_is_json_ready(ladder3):
    import json

    d = determine_level(ladder3, {**yes("L1.q1", "L1.q2"), "L2.q1": "no"})
    data = json.loads(json.dumps(d.to_dict()))
    assert data["achieved"] == 1 and data["rule"] == "cumulative"
    assert [m["question"] for m in data["missing_for_next"]] == ["L2.q1", "L2.q2"]


answer_st = st.sampled_from(["yes", "no", "na", None])


@settings(max_examples=150, deadline=None)
@given(st.lists(answer_st, min_size=9, max_size=9), st.floats(0.3, 1.0))
def test_property_cumulative_and_monotone(values, green):
    lad = make_ladder({1: 3, 2: 3, 3: 3})
    ids = [f"L{n}.q{i}" for n in (1, 2, 3) for i in (1, 2, 3)]
    answers = {q: v for q, v in zip(ids, values) if v is not None}
    d = determine_level(lad, answers, green=green, yellow=min(green, 0.3))
    # every level up to the achieved one is green, the next one is not
    achieved = d.achieved or 0
    assert all(r.state == "green" for r in d.levels if r.level <= achieved)
    if d.next is not None:
        assert d.next.state != "green"
    # turning any answer into "yes" never lowers the achieved level (no compensation, no averaging)
    for q in ids:
        better = {**answers, q: "yes"}
        assert (determine_level(lad, better, green=green, yellow=min(green, 0.3)).achieved or 0) >= achieved


def test_errors_are_tlr_errors():
    assert issubclass(AnswerError, TlrError) and issubclass(LadderError, TlrError)
