"""The TRL checklist inside the scoring session, in-process (the paths of
tests/campaign/test_interactive_checklist.py and their edges). Levels are hand-checked against the shipped
ladder trl-cn-development: TRL 1 has 3 questions, TRL 2 five, TRL 3 six, TRL 4 six, TRL 5 has a percent
question (trl5.q2); 48 in all; the green threshold is 100 %."""

from __future__ import annotations

import pytest

from tlr.app.interactive import Interrupted
from tlr.app.interactive.scoring import ScoringSession
from tlr.campaign import open_campaign, verify_audit

from ..campaign.support import checklist_rows as db
from .scripted import INTERRUPT, KILL, Killed, ScriptedTerminal

Y = "y"


def run(ledger, inputs, **kwargs):
    term = ScriptedTerminal(inputs, **kwargs)
    ScoringSession(ledger, "E04", term).run()
    assert term.unused == [], f"inputs left over: {term.unused}"
    return term


def killed(ledger, inputs):
    term = ScriptedTerminal(inputs)
    with pytest.raises(Killed):
        ScoringSession(ledger, "E04", term).run()
    path = ledger.path.parent
    ledger.close()
    return term, open_campaign(path)


def test_the_checklist_records_the_cumulative_level(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = run(led, ["4", "",                                    # novelty
                     "",                                         # Enter: the checklist (the default)
                     "80", Y, "是", Y,                           # a percent on a yes/no question is refused
                     Y, Y, "b", "", "na", Y, Y,                  # back inside the checklist, Enter keeps
                     *[Y] * 6,
                     Y, "n",                                     # TRL 4 cannot be green any more: stop
                     "样机资料不全",                               # the comment
                     "q"])
    out = term.output
    assert "Enter or c = walk the TRL checklist" in out and "── TRL 1: 基本原理清晰" in out
    assert "evidence needed: 论文 paper" in out and "takes yes, no or na" in out
    assert "TRL 1: 达到 / reached (100%)" in out and "TRL 2: 达到 / reached (100%)" in out
    assert "current answer: yes" in term.after("] trl2.q2 (")
    assert "TRL 4: 未达到 / not met" in out and "累积规则 / cumulative rule: TRL 3" in out
    assert "trl4.q2 [no]" in out and "trl4.q6 [未答 / unanswered]" in out
    assert "] trl4.q3 (" not in out                                # the walk stopped at trl4.q2
    answers, sessions, scores = db(led)
    mine = {q: a for (p, q), a in answers.items() if p == first}
    assert len(mine) == 3 + 5 + 6 + 2 and mine["trl2.q3"] == "na" and mine["trl4.q2"] == "no"
    assert scores[(first, "trl")] == (3.0, "3", "核查清单 / checklist: TRL 3; 缺 / missing for TRL 4: trl4.q2, "
                                                "trl4.q3, trl4.q4, trl4.q5, trl4.q6 — 样机资料不全", "checklist")
    assert sessions[first] == ("done", None) and verify_audit(led).ok
    assert led.conn.execute("SELECT count(*) FROM audit WHERE action = 'checklist.answer'").fetchone()[0] == 16


def test_sigkill_inside_the_checklist_then_resume(checklist_ledger, e04_checklist):
    led, (first, second) = checklist_ledger, e04_checklist
    _term, led = killed(led, ["3", "", "c", *[Y] * 10, KILL])       # killed at trl3.q3's prompt
    answers, sessions, scores = db(led)
    assert len(answers) == 10 and set(answers.values()) == {"yes"}
    assert sessions[first] == ("open", "trl3.q3") and (first, "trl") not in scores

    term, led = killed(led, [*[Y] * 4, *[Y] * 6, Y, "80%", KILL])   # resumes inside the checklist at once
    out = term.output
    assert "checklist: 10/48 answered, continuing at trl3.q3" in out and "评分 / score:" not in out
    assert "[y/n/na/0-100/" in term.prompts[-2]                    # trl5.q2 takes a percent
    assert "累积规则 / cumulative rule: TRL 4" in out and "trl5.q2 [80%]" in out
    answers, sessions, scores = db(led)
    assert len(answers) == 22 and answers[(first, "trl5.q2")] == "80"
    assert sessions[first] == ("open", None) and (first, "trl") not in scores

    term = run(led, ["",                                          # the comment: nothing left to ask
                     "5", "", "", Y, "q"])                        # second project: novelty, checklist, quit
    out = term.output
    assert "continuing at 结论 / conclusion" in out and f"saved {first}/trl = TRL 4" in out
    assert f"resume at {second}/trl (TRL 核查清单 checklist trl1.q2)" in out
    answers, sessions, scores = db(led)
    assert scores[(first, "trl")][:2] == (4.0, "4") and sessions[first] == ("done", None)
    assert sessions[second] == ("open", "trl1.q2") and answers[(second, "trl1.q1")] == "yes"
    assert led.get_session("E04") == (second, "trl") and verify_audit(led).ok


def test_direct_level_skip_leave_and_below_level_one(checklist_ledger, e04_checklist):
    led, (first, second) = checklist_ledger, e04_checklist
    term = run(led, ["2", "", "6", "已另行评估",                    # a level typed directly
                     "4", "", "c", Y, "s", Y,                     # skip trl1.q2
                     "x",                                          # leave the checklist at trl2.q1
                     "", "b", "b", "n",                            # back in where it stopped; TRL 1 red
                     "",                                           # Enter: back into the checklist to revise
                     "x", "s"])                                    # leave, skip the item
    out = term.output
    assert "or type a level 1-9 directly" in out and f"saved {first}/trl = 6" in out
    assert "TRL 1: 部分达到 / partly met (67%)" in out               # the skipped question counts as not met
    assert "left the checklist" in out and "Enter or c = continue the checklist" in out
    assert "累积规则 / cumulative rule: 未达到 / below TRL 1" in out and "nothing recorded" in out
    assert "continuing at trl1.q2" in out and "current answer: no" in term.after("continuing at trl1.q2")
    assert "still missing" in out and "核查清单 / checklists:" in out and "进行中 in progress 3/48" in out
    answers, _sessions, scores = db(led)
    assert scores[(first, "trl")] == (6.0, "6", "已另行评估", "interactive") and (second, "trl") not in scores
    assert {q: a for (p, q), a in answers.items() if p == second} == {
        "trl1.q1": "yes", "trl1.q2": "no", "trl1.q3": "yes"}


def test_a_skipped_question_blocks_the_level_then_the_checklist_is_reopened(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = run(led, ["3", "", "c", Y, "s", Y, "n",                 # TRL 2 cannot be green: stop
                     "",                                           # do not record below TRL 1 anyway
                     "",                                           # Enter: continue at the skipped question
                     Y, "", "",                                   # answer it, keep yes, keep no: stop
                     "",                                           # no comment
                     "b",                                          # back to the scored TRL item
                     "c", "x",                                     # reopen, look, leave: still done
                     "q"])
    out = term.output
    assert "TRL 1 还有未答的问题 / still has unanswered questions: trl1.q2" in out and "no score recorded" in out
    assert f"saved {first}/trl = TRL 1" in out and "c = 重新打开核查清单 / reopen the checklist" in out
    assert "current answer: no" in term.after("] trl2.q1 (")
    answers, sessions, scores = db(led)
    assert scores[(first, "trl")][:2] == (1.0, "1") and sessions[first] == ("done", None)
    assert answers[(first, "trl1.q2")] == "yes" and answers[(first, "trl2.q1")] == "no" and len(answers) == 4


def test_record_the_level_anyway_with_a_question_left_open(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    # TRL 1 green; TRL 2: q1 skipped, the rest yes -> TRL 2 could still be green; TRL 3: q1 no -> stop
    term = run(led, ["3", "", "", Y, Y, Y, "s", Y, Y, Y, Y, "n", "y", "先记 TRL 1", "q"])
    out = term.output
    assert "TRL 2 还有未答的问题 / still has unanswered questions: trl2.q1" in out
    assert "record TRL 1 as your score anyway?" in out and f"saved {first}/trl = TRL 1" in out
    assert db(led)[2][(first, "trl")][:3] == (1.0, "1", "核查清单 / checklist: TRL 1; 缺 / missing for TRL 2: "
                                                        "trl2.q1 — 先记 TRL 1")


def test_the_top_of_the_ladder(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = run(led, ["3", "", "", *[Y] * 48, "", "q"])
    assert "TRL 9: 达到 / reached (100%)" in term.output and f"saved {first}/trl = TRL 9" in term.output
    assert db(led)[2][(first, "trl")][2] == "核查清单 / checklist: TRL 9（最高级 / top level）"


def test_a_level_whose_questions_are_all_not_applicable(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = run(led, ["3", "", "", "na", "na", "na", "q"])
    out = term.output
    assert "TRL 1: 未达到 / not met (n/a)" in out
    assert "TRL 1 has no applicable checklist question (only an assessor's written assertion reaches it)" in out
    assert "nothing recorded" in out and (first, "trl") not in db(led)[2]


def test_higher_levels_met_do_not_count(checklist_ledger, e04_checklist):
    from tlr.campaign.checklist import save_answer, set_position

    led, (first, _second) = checklist_ledger, e04_checklist
    save_answer(led, "E04", first, "trl", "trl1.q1", "no", next_question=None)
    for k in range(1, 6):
        save_answer(led, "E04", first, "trl", f"trl2.q{k}", "yes", next_question=None)
    set_position(led, "E04", first, "trl", None)                   # open, every step done: conclude at once
    led.set_session("E04", first, "trl")
    term = run(led, ["", "s", "q"])
    out = term.output
    assert "continuing at 结论 / conclusion" in out
    assert "higher levels met do not count: TRL 2" in out and "nothing recorded" in out


def test_help_and_an_interruption_inside_the_checklist(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = ScriptedTerminal(["3", "", "?", "c", "?", "", Y, INTERRUPT])
    with pytest.raises(Interrupted):
        ScoringSession(led, "E04", term).run()
    out = term.output
    assert "c=TRL 核查清单 checklist" in out                        # ? at the indicator's prompt
    assert out.count("x=离开清单 leave the checklist") == 3          # the checklist's help: opening, ?, Enter
    assert led.get_session("E04") == (first, "trl")
    assert db(led)[1][first] == ("open", "trl1.q2")
    term = run(led, ["q"])                                         # resumed inside the checklist at once
    assert "checklist: 1/48 answered, continuing at trl1.q2" in term.output


def test_back_at_the_first_question_leaves_the_checklist(checklist_ledger, e04_checklist):
    led, (first, _second) = checklist_ledger, e04_checklist
    term = run(led, ["3", "", "c", "b", "q"])
    assert "left the checklist" in term.output and db(led)[1][first] == ("open", "trl1.q1")


def test_the_closing_summary_lists_each_checklist(checklist_ledger, e04_checklist):
    from tlr.app.interactive.scoring import LedgerChecklistStore
    from tlr.campaign.checklist import ladder_of

    led, (first, second) = checklist_ledger, e04_checklist
    term = run(led, ["3", "", "", Y, Y, Y, "n", "", "4", "", "5", ""])
    assert "all 4 answers given" in term.output
    assert term.lines[-1] == f"核查清单 / checklists: {first}/trl TRL 1"
    store = LedgerChecklistStore(led, "E04", first, "trl", ladder_of(led.rubric.indicator("trl").scale))
    assert store.asserted() == set() and store.status == "done"     # an expert never asserts a level
