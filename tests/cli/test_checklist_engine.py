"""The checklist engine on small hand-made ladders with an in-memory store: where a walk starts, where it
stops, what each command does, what is committed (and in which order). The expected steps are worked out by
hand from the ladder below and the rules in tlr/app/interactive/checklist.py."""

from __future__ import annotations

import re

import pytest

from tlr.app.interactive.assess import AssessmentView
from tlr.app.interactive.checklist import ASSESSMENT, SCORING, ChecklistEngine, steps_of
from tlr.app.interactive.scoring import ScoringChecklistView
from tlr.rubric.model import ChecklistItem, Level, LevelsScale
from tlr.trl import determine_level
from tlr.trl.ladders import ladder_from_scale

from .scripted import ScriptedTerminal


def make_ladder(spec: dict[int, int], percent: frozenset[str] = frozenset()):
    """``spec[level]`` questions per level, ids ``L{level}.q{i}``; green = 100 %, yellow = 50 %."""
    levels = [Level(level=n, label=f"level {n}", checklist=[
        ChecklistItem(id=f"L{n}.q{i}", text=f"question {n}.{i}", answer="percent" if f"L{n}.q{i}" in percent
                      else "yes_no") for i in range(1, count + 1)]) for n, count in spec.items()]
    return ladder_from_scale(LevelsScale(kind="levels", levels=levels, green_threshold=1.0, yellow_threshold=0.5))


class MemoryStore:
    """A store in a dict; ``log`` is every commit and move, in order."""

    def __init__(self, ladder, answers=None, *, status=None, position=None, asserted=()):
        self.ladder, self._answers = ladder, dict(answers or {})
        self.status, self.position, self._asserted = status, position, set(asserted)
        self.log: list[tuple] = []

    @property
    def answers(self):
        return self._answers

    def asserted(self):
        return set(self._asserted)

    def determination(self):
        return determine_level(self.ladder, self._answers, asserted=self._asserted)

    def commit_answer(self, question, value, *, next_step):
        self._answers[question] = value
        self.status, self.position = "open", next_step
        self.log.append(("answer", question, value, next_step))

    def commit_assertion(self, level, justification, *, next_step):
        self._asserted.add(level)
        self.log.append(("assert", level, justification, next_step))

    def move(self, step):
        self.status, self.position = "open", step
        self.log.append(("move", step))

    def evidence_for(self, question):
        return []


LADDER = make_ladder({1: 2, 2: 3, 3: 2, 4: 1}, percent=frozenset({"L2.q2"}))


def engine(store, inputs, rules=SCORING, **kwargs):
    view = ScoringChecklistView() if rules is SCORING else AssessmentView("en")
    return ChecklistEngine(store.ladder, store, ScriptedTerminal(inputs), view, rules, **kwargs)


def test_steps_with_and_without_assertions():
    ladder = make_ladder({1: 1, 2: 0, 3: 2})
    assert [s.key for s in steps_of(ladder, assertions=False)] == ["L1.q1", "L3.q1", "L3.q2"]
    assert [s.key for s in steps_of(ladder, assertions=True)] == ["L1.q1", "assert:2", "L3.q1", "L3.q2"]


@pytest.mark.parametrize("answers, status, position, expected", [
    ({}, None, None, "L1.q1"),                                      # never opened: the first question
    ({"L1.q1": "yes", "L1.q2": "yes", "L2.q1": "no"}, None, None, "L2.q1"),   # first not met, lowest non-green
    ({"L1.q1": "yes", "L1.q2": "yes"}, "done", None, "L2.q1"),        # done: the next level's first question
    ({"L1.q1": "yes"}, "open", "L2.q3", "L2.q3"),                    # open: where it stopped
    ({"L1.q1": "yes"}, "open", "gone.q9", "L1.q2"),                  # a position not in the ladder: computed
    ({"L1.q1": "yes"}, "open", None, None),                          # open, every step done: conclude
    ({}, "open", None, "L1.q1"),                                     # open with nothing answered: start
    ({q: "yes" for q in ("L1.q1", "L1.q2", "L2.q1", "L2.q3", "L3.q1", "L3.q2", "L4.q1")} | {"L2.q2": 100.0},
     "done", None, "L4.q1"),                                         # the top reached: its level, to revise
])
def test_where_a_scoring_walk_starts(answers, status, position, expected):
    e = engine(MemoryStore(LADDER, answers, status=status, position=position), [])
    assert e.key(e.start()) == expected


def test_a_level_without_applicable_questions_starts_at_its_first_question():
    answers = {"L1.q1": "yes", "L1.q2": "yes", "L2.q1": "na", "L2.q2": "na", "L2.q3": "na"}
    e = engine(MemoryStore(LADDER, answers, status="done"), [])
    assert e.key(e.start()) == "L2.q1"                               # TRL 2 has nothing missing, only n/a


def test_where_an_assessment_walk_starts():
    store = MemoryStore(LADDER, {"L1.q1": "yes", "L1.q2": "no"}, status="open", position="L3.q1")
    e = engine(store, [], rules=ASSESSMENT)
    assert e.key(e.start()) == "L2.q1" and e.done() == 2             # the first unanswered, not the position


def test_the_scoring_walk_stops_when_a_level_cannot_be_green():
    store = MemoryStore(LADDER)
    e = engine(store, ["y", "y", "y", "n"])
    assert e.walk(0) == ("end", None)
    assert store.log == [("answer", "L1.q1", "yes", "L1.q2"), ("answer", "L1.q2", "yes", "L2.q1"),
                         ("answer", "L2.q1", "yes", "L2.q2"), ("answer", "L2.q2", "no", None)]
    out = e.terminal.output
    assert "■ TRL 1: 达到 / reached (100%)" in out and "□ TRL 2: 未达到 / not met (33%)" in out


def test_a_revisit_inside_a_blocked_level_goes_to_the_level_end():
    # L2.q1 is already no: the level is blocked; answering L2.q2 yes neither unblocks it nor blocks it
    # more, so the walk goes on to L2.q3 and stops at the level's end
    store = MemoryStore(LADDER, {"L1.q1": "yes", "L1.q2": "yes", "L2.q1": "no"})
    e = engine(store, ["y", "y"])
    assert e.walk(e.index["L2.q2"]) == ("end", None)
    assert store.log == [("answer", "L2.q2", "yes", "L2.q3"), ("answer", "L2.q3", "yes", None)]


def test_na_never_blocks_and_a_partial_percent_does():
    store = MemoryStore(LADDER, {"L1.q1": "yes", "L1.q2": "yes"})
    e = engine(store, ["na", "150", "62.5%"])
    assert e.walk(e.index["L2.q1"]) == ("end", None)
    assert "percent outside 0-100" in e.terminal.output
    # na leaves the level able to be green; 62.5 % < 100 % cannot be made up: the walk stops there
    assert store.log == [("answer", "L2.q1", "na", "L2.q2"), ("answer", "L2.q2", 62.5, None)]
    assert "TRL 2: 未达到 / not met (31%)" in e.terminal.output        # (0.625 + 0 unanswered) / 2


def test_keep_skip_and_back_only_move():
    store = MemoryStore(LADDER, {"L1.q1": "yes"})
    e = engine(store, ["", "s", "b", "b", "x"])
    assert e.walk(0) == ("leave", 0)
    assert store.log == [("move", "L1.q2"), ("move", "L2.q1"), ("move", "L1.q2"), ("move", "L1.q1")]
    assert store.answers == {"L1.q1": "yes"}


def test_skipping_the_last_question_ends_the_walk():
    store = MemoryStore(LADDER)
    e = engine(store, ["s"])
    assert e.walk(len(e.steps) - 1) == ("end", None) and store.log == [("move", None)]


def test_leave_is_scoring_only_and_back_at_the_start_stays_in_an_assessment():
    store = MemoryStore(LADDER)
    e = engine(store, ["x", "b", "q"], rules=ASSESSMENT)
    assert e.walk(0) == ("quit", 0)
    assert "unrecognised answer" in e.terminal.output               # x is not a command here


def test_extra_commands_run_at_the_question():
    seen = []
    store = MemoryStore(LADDER)
    e = engine(store, ["e", "E", "y", "q"], rules=ASSESSMENT, commands={"e": lambda step: seen.append(step.key)})
    assert e.walk(0) == ("quit", 1) and seen == ["L1.q1", "L1.q1"]


def test_an_assessment_asks_before_going_above_a_level_not_met():
    store = MemoryStore(LADDER)
    e = engine(store, ["y", "n", "y", "y", "y", "y", "y", "n", "n"], rules=ASSESSMENT)
    # L1 partly met (50 %): go on? y. L2 all yes (100 % on L2.q2) -> reached. L3: y, n -> partly met: stop
    assert e.walk(0) == ("end", None)
    out = e.terminal.output
    assert "◧ TRL 1: partly met (50%)" in out and "■ TRL 2: reached (100%)" in out
    assert e.terminal.prompts.count("   Continue with higher levels?") == 2
    assert store.log[-1] == ("move", "L4.q1")                        # where it stopped, for the file's record


def test_a_skipped_question_keeps_an_assessment_level_open():
    store = MemoryStore(LADDER)
    e = engine(store, ["s", "y", "y", "q"], rules=ASSESSMENT)
    assert e.walk(0) == ("quit", 3)
    assert not re.search(r"TRL 1: (reached|partly met|not met)", e.terminal.output)   # L1.q1 unanswered


def test_assert_an_all_na_level_and_a_blank_justification():
    store = MemoryStore(LADDER, {"L1.q1": "yes", "L1.q2": "yes"})
    e = engine(store, ["na", "na", "na", "y", "   ", "n", "n"], rules=ASSESSMENT)
    assert e.walk(e.index["L2.q1"]) == ("end", None)
    assert store.asserted() == set()                                  # a blank justification asserts nothing
    out = e.terminal.output
    assert "Every question of this level is 'not applicable'" in out and "Cumulative rule: currently TRL 1." in out


def test_an_assertion_step_with_a_blank_justification_is_asked_again():
    ladder = make_ladder({1: 1, 2: 0, 3: 1})
    store = MemoryStore(ladder, {"L1.q1": "yes"})
    e = engine(store, ["y", " ", "y", "已验证", "q"], rules=ASSESSMENT)
    assert e.walk(1) == ("quit", 2)
    assert store.log == [("assert", 2, "已验证", "L3.q1")] and "■ TRL 2: reached (n/a)" in e.terminal.output
