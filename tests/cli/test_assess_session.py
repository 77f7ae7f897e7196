"""The readiness calculator (``tlr trl assess``) in-process, with a scripted person: the paths of
tests/trl/test_interactive.py and their edges. What is checked is the assessment file on disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tlr.app.interactive.assess import run_session
from tlr.trl.store import load_assessment

from .scripted import INTERRUPT, KILL, Killed, ScriptedTerminal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trl"
NEW = ["Demo project", "Sensor array", "2", "7"]          # title, element name, baseline, target


def run(path, inputs, *, code=0, **options):
    term = ScriptedTerminal(inputs)
    options.setdefault("lang", "en")
    assert run_session(path, term, **options) == code
    assert term.unused == [], f"inputs left over: {term.unused}"
    return term


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # evidence paths are stored relative to the working folder
    return tmp_path


def answers(path, cte="sensor"):
    return {k: a.value for k, a in load_assessment(path).cte(cte).answers.items()}


def test_new_file_kill_and_resume(here):
    f = here / "p.yaml"
    term = ScriptedTerminal([*NEW, "y", "yes", "y", "y", "n", KILL])
    with pytest.raises(Killed):
        run_session(f, term, cte_id="sensor", lang="en", by="tester")
    out = term.output
    assert "Creating assessment file" in out and "TRL 1: Basic principles" in term.bold[0]
    assert "[1/48] trl1.q1 (technical)" in out and "Evidence needed: paper" in out
    assert "TRL 1: reached (100%)" in out and term.prompts[-1].startswith("Answer [")
    assert "[6/48] trl2.q3" in out                               # trl2.q2 was saved before this prompt
    doc = load_assessment(f)                                     # whole and valid after the kill
    cte = doc.cte("sensor")
    assert answers(f) == {"trl1.q1": "yes", "trl1.q2": "yes", "trl1.q3": "yes", "trl2.q1": "yes", "trl2.q2": "no"}
    assert cte.answers["trl1.q1"].by == "tester" and (cte.baseline, cte.target) == (2, 7)
    assert doc.session.question == "trl2.q3" and doc.project.title == "Demo project"

    term = run(f, ["q"])                                          # one CTE: picked without asking
    out = term.output
    assert "Resuming: 5/48 answered, starting at trl2.q3" in out
    assert "Currently (cumulative rule): TRL 1" in out and "Project readiness: TRL 1" in out
    assert len(answers(f)) == 5 and load_assessment(f).session.question == "trl2.q3"


def test_ctrl_c_exits_130_with_the_file_intact(here):
    f = here / "p.yaml"
    term = run(f, [*NEW, "y", INTERRUPT], code=130, cte_id="sensor")
    assert any("Interrupted" in line for line in term.errors)
    assert list(answers(f)) == ["trl1.q1"]
    run(f, [], code=130)                                         # the end of the input at once: the same


def test_back_skip_bad_input_evidence_and_reaching_a_level(here):
    f = here / "p.yaml"
    (here / "report.txt").write_text("lab test", encoding="utf-8")
    term = run(f, [*NEW,
                   "50", "maybe",                                # a percent on a yes/no question; nonsense
                   "e", "nope.pdf", "",                          # evidence: a missing file is named
                   "e", "report.txt", "bogus", "test_report",    # a kind not offered is asked again
                   "e", "",                                      # blank: cancelled
                   "y", "s", "b", "b", "", "y", "na",            # skip, back twice, Enter keeps
                   *["y"] * 5, *["y"] * 6, "y", "y", "n", "n", "n", "n",
                   "n"],                                         # do not go on above TRL 4
               cte_id="sensor")
    out = term.output
    assert "takes yes, no or na" in out and "unrecognised answer" in out
    assert "evidence file not found" in out and "nope.pdf" in out and "Evidence saved ev1 sha256" in out
    assert "TRL 1: reached" in out and "TRL 4: not met (33%)" in out
    assert "Cumulative rule: currently TRL 3" in out and "Continue with higher levels?" in term.prompts[-1]
    assert "Achieved: TRL 3" in out and "Project readiness: TRL 3" in out and "trl4.q3 [no]" in out
    cte = load_assessment(f).cte("sensor")
    assert cte.current == 3 and cte.answers["trl1.q3"].value == "na"
    assert cte.evidence[0].questions == ["trl1.q1"] and len(cte.evidence[0].sha256) == 64
    assert "Evidence attached: report.txt" in term.after("[1/48] trl1.q1")   # shown at the question it backs
    assert "Current answer: yes" in term.after("[1/48] trl1.q1")


def test_going_on_above_a_level_not_met(here):
    f = here / "p.yaml"
    term = run(f, [*NEW, "y", "y", "n", "y", "y", "q"], cte_id="sensor")
    assert "TRL 1: partly met (67%)" in term.output and "Cumulative rule: TRL 1 not reached yet." in term.output
    assert "[4/48] trl2.q1" in term.output and len(answers(f)) == 4


def test_enter_keeps_an_answer_and_shows_the_help_on_a_new_question(here):
    f = here / "p.yaml"
    term = run(f, [*NEW, "", "?", "y", "b", "", "n", "q"], cte_id="sensor", lang="zh")
    out = term.output
    assert out.count("回车=保留当前答案") == 3                        # at the start, Enter on a new question, ?
    assert "当前答案: yes" in term.after("[1/48]")                   # back: the answer is shown, Enter keeps it
    assert answers(f) == {"trl1.q1": "yes", "trl1.q2": "no"}


def test_every_question_answered(here):
    f = here / "p.yaml"
    run(f, [*NEW, *["y"] * 48], cte_id="sensor")
    term = run(f, [])
    assert "Every question of this element is answered." in term.output
    assert "Project readiness: TRL 9" in term.output and load_assessment(f).session.question is None


def test_a_level_whose_questions_are_all_not_applicable_can_be_asserted(here):
    f = here / "p.yaml"
    term = run(f, [*NEW, "na", "na", "na", "y", "", "依据 ev1 现场核查", "y", "q"], cte_id="sensor", lang="zh")
    out = term.output
    assert "TRL 1: 未达到 (n/a)" in out and "该等级所有问题均为“不适用”" in out
    cte = load_assessment(f).cte("sensor")
    assert [(a.level, a.justification) for a in cte.assertions] == [(1, "依据 ev1 现场核查")]
    assert cte.answers["trl2.q1"].value == "yes"                 # and the walk went on
    g = here / "g.yaml"                                          # declined: the cumulative rule, go on?
    term = run(g, [*NEW, "na", "na", "na", "n", "n"], cte_id="sensor")
    assert "Cumulative rule: TRL 1 not reached yet." in term.output and not load_assessment(g).cte("sensor").assertions


def test_levels_without_questions_are_asserted(here):
    f = here / "irl.yaml"
    term = run(f, ["IRL demo", "link", "", "", "?", "y", "", "接口联调报告", "n", "b", "s", "s", "q"],
               cte_id="link", ladder_ref="irl")
    out = term.output
    assert "IRL 1 has no checklist questions" in out and "Assert IRL 1 is reached? [y/n/b/s/q]" in out
    assert "y=yes  n=no" in out                                   # ? and anything else: the help
    assert term.prompts.count("Justification (cite the evidence)") == 2   # a blank justification is asked again
    assert "IRL 1: reached (n/a)" in out
    cte = load_assessment(f).cte("link")
    assert [a.level for a in cte.assertions] == [1] and cte.answers == {}
    assert load_assessment(f).session.question == "assert:4"     # n = skip IRL 2, b back to it, s, s: at IRL 4


def test_choosing_among_several_elements(here):
    dest = here / "ex"
    shutil.copytree(EXAMPLES, dest)
    f = dest / "assessment.yaml"
    term = run(f, ["2", "q"])                                     # pick the second by number
    assert "1. sensor" in term.output and "element: algorithm" in term.output
    assert "starting at trl6.q1" in term.output and "Next level TRL 5 (red, 48%) still needs" in term.output
    term = run(f, ["", "q"])                                      # Enter: the first
    assert "element: sensor" in term.output
    term = run(f, ["9 bad", "bad id!", "valve", "", "", "", "q"])  # a new element: its id must be valid
    assert "An id starts with a letter" in term.output
    doc = load_assessment(f)
    assert doc.cte("valve").name == "valve" and len(doc.ctes) == 3


def test_new_element_levels_and_ladder_rules(here):
    from tlr.trl.errors import LadderError, TrlError

    f = here / "p.yaml"
    term = run(f, ["", "", "", "12", "x", "3", "", "q"])          # default title, id cte1 and name
    assert term.output.count("   1-9") == 2
    doc = load_assessment(f)
    assert doc.project.title == "p" and doc.cte("cte1").baseline == 3 and doc.cte("cte1").target is None
    with pytest.raises(LadderError, match="cannot switch"):
        run_session(f, ScriptedTerminal([]), cte_id="cte1", ladder_ref="trl-nasa")
    term = run(f, ["", "", "", "q"], cte_id="other", ladder_ref="trl-nasa")   # a new CTE may use its own ladder
    assert load_assessment(f).cte("other").ladder == "trl-nasa" and "[1/12]" in term.output
    with pytest.raises(TrlError):
        run_session(here / "q.yaml", ScriptedTerminal(["t"]), cte_id="x", ladder_ref="no-such-ladder")
    assert not (here / "q.yaml").exists()                         # refused before anything was written


@pytest.mark.parametrize("given", [0, 1, 4, 9, 17])
def test_a_kill_leaves_exactly_the_answers_given(here, given):
    f = here / "p.yaml"
    sequence = [f"trl{lv}.q{n}" for lv, count in [(1, 3), (2, 5), (3, 6), (4, 6)] for n in range(1, count + 1)]
    values = ["y" if i % 3 else "na" for i in range(len(sequence))]
    with pytest.raises(Killed):
        run_session(f, ScriptedTerminal([*NEW, *values[:given], KILL]), cte_id="sensor", lang="en")
    got = answers(f)
    assert list(got) == sequence[:given]
    assert all(got[q] == {"y": "yes", "na": "na"}[v] for q, v in zip(sequence, values[:given]))


def test_a_live_session_holds_the_file(here):
    from tlr.trl.errors import TrlError

    f = here / "p.yaml"
    run(f, [*NEW, "q"], cte_id="sensor")
    lock = here / "p.yaml.lock"
    lock.write_text(f"{os.getppid()}\n", encoding="utf-8")         # another live process
    with pytest.raises(TrlError, match="another session"):
        run_session(f, ScriptedTerminal([]), lang="en")
    lock.write_text("999999999\n", encoding="utf-8")               # a dead one: taken over
    run(f, ["q"])
    assert not lock.exists()


def test_a_broken_sibling_element_is_reported_at_the_end(here):
    f = here / "p.yaml"
    run(f, [*NEW, "q"], cte_id="sensor")
    from tlr.trl.model import CTE
    from tlr.trl.store import save_assessment

    doc = load_assessment(f)
    doc.ctes.append(CTE(id="other", name="other", ladder="no-such-ladder"))
    save_assessment(doc, f)
    term = run(f, ["y", "q"], cte_id="sensor")                   # the answer is saved regardless
    assert "no-such-ladder" in term.output and answers(f)["trl1.q1"] == "yes"


def test_answers_the_ladder_does_not_know_are_reported_not_fatal(here):
    from tlr.trl.model import Answer
    from tlr.trl.store import save_assessment

    f = here / "p.yaml"
    run(f, [*NEW, "y", "q"], cte_id="sensor")
    doc = load_assessment(f)
    doc.cte("sensor").answers["zz.q9"] = Answer(value="yes")         # e.g. a question renamed in the ladder
    save_assessment(doc, f)
    term = run(f, ["q"])
    assert "Resuming: 1/48 answered" in term.output and "Currently (cumulative rule): below TRL 1" in term.output
    assert "unknown question 'zz.q9'" in term.output                  # said once more at the end, not a crash
