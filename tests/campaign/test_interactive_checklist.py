"""The TRL checklist flow inside the interactive `tlr score` session, through a pseudo-terminal:
the level recorded is the cumulative rule's (hand-checked against trl-cn-development), SIGKILL in
the middle of the checklist loses no answer and resumes at the next question, direct level, back /
skip / leave / quit inside the checklist, --from with a plain level, --checklists listing."""

from __future__ import annotations

import json
import os
import signal
import sys

import pexpect
import pytest

from tests.timing import budget
from tlr.campaign import open_campaign, verify_audit

from .conftest import FIXTURES, run_cli
from .support import assigned, checklist_round, checklist_rows

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal"), pytest.mark.slow]  # pexpect sessions in a pseudo-terminal

ROOT = FIXTURES.parents[2]
PROMPT = "评分 / score:"
ANSWER = r"答案 / answer \["
COMMENT = "comment \\(optional\\):"

@pytest.fixture
def round_dir(tmp_path):
    """A campaign whose `trl` indicator uses the shipped checklist ladder; E04 scores two projects."""
    led = checklist_round(tmp_path)
    projects = assigned(led, "E04")
    led.close()
    return tmp_path / "round", projects


def spawn(path, *extra):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "TLR_CAMPAIGN": str(path)}
    return pexpect.spawn(sys.executable, ["-m", "tlr", "score", "--expert", "E04", *extra], env=env,
                         encoding="utf-8", timeout=budget(20), dimensions=(50, 200))


def into_checklist(path):
    """Start E04's session, score the first indicator 3 with no comment, and open the TRL checklist."""
    child = spawn(path)
    child.expect(PROMPT)
    child.sendline("3")
    child.expect(COMMENT)
    child.sendline("")
    child.expect(PROMPT)
    child.sendline("c")
    return child


def q(child, qid, value):
    """Wait for question ``qid`` and answer it."""
    child.expect(rf"\] {qid} \(")
    child.expect(ANSWER)
    child.sendline(value)


def db(path):
    led = open_campaign(path)
    try:
        return checklist_rows(led)
    finally:
        led.close()


def test_checklist_records_the_cumulative_level(round_dir):
    path, (first, _second) = round_dir
    child = spawn(path)
    child.expect(PROMPT)
    child.sendline("4")                                   # novelty
    child.expect(COMMENT)
    child.sendline("")
    child.expect(r"\] trl ")
    child.expect("Enter or c = walk the TRL checklist")   # the checklist is offered, as the default
    child.expect(PROMPT)
    child.sendline("")                                    # Enter: checklist
    child.expect("── TRL 1: 基本原理清晰")
    child.expect("evidence needed: 论文 paper")           # the question shows the evidence it needs
    child.expect(ANSWER)
    child.sendline("80")                                  # a percent on a yes/no question: refused, re-asked
    child.expect("takes yes, no or na")
    child.expect(ANSWER)
    child.sendline("y")
    q(child, "trl1.q2", "是")
    q(child, "trl1.q3", "y")
    child.expect(r"TRL 1: 达到 / reached \(100%\)")
    q(child, "trl2.q1", "y")
    q(child, "trl2.q2", "y")
    child.expect(r"\] trl2.q3 \(")
    child.expect(ANSWER)
    child.sendline("b")                                   # back inside the checklist
    child.expect(r"\] trl2.q2 \(")
    child.expect("current answer: yes")
    child.expect(ANSWER)
    child.sendline("")                                    # Enter keeps it
    q(child, "trl2.q3", "na")                             # not applicable: out of the denominator
    q(child, "trl2.q4", "y")
    q(child, "trl2.q5", "y")
    child.expect(r"TRL 2: 达到 / reached \(100%\)")
    for k in range(1, 7):
        q(child, f"trl3.q{k}", "y")
    q(child, "trl4.q1", "y")
    q(child, "trl4.q2", "n")                              # TRL 4 cannot be green any more: the walk stops
    child.expect(r"TRL 4: 未达到 / not met")
    child.expect("累积规则 / cumulative rule: TRL 3")
    child.expect(r"trl4.q2 \[no\]")
    child.expect(r"trl4.q6 \[未答 / unanswered\]")
    child.expect(COMMENT)
    child.sendline("样机资料不全")
    child.expect("已保存 / saved")
    child.expect(r"\] novelty")                           # next project
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    answers, sessions, scores = db(path)
    # hand-check against trl-cn-development: TRL 1 (3 q) and 2 (5 q, one na) and 3 (6 q) all yes,
    # TRL 4: q1 yes, q2 no -> TRL 4 is red, the cumulative rule gives TRL 3.
    mine = {qid: a for (p, qid), a in answers.items() if p == first}
    assert len(mine) == 3 + 5 + 6 + 2 and mine["trl2.q3"] == "na" and mine["trl4.q2"] == "no"
    value, raw, comment, source = scores[(first, "trl")]
    assert (value, raw, source) == (3.0, "3", "checklist")
    assert comment == ("核查清单 / checklist: TRL 3; 缺 / missing for TRL 4: trl4.q2, trl4.q3, trl4.q4, trl4.q5, "
                       "trl4.q6 — 样机资料不全")
    assert sessions[first] == ("done", None)
    from tlr.campaign.checklist import conclusion, ladder_of
    from tlr.trl import determine_level

    led = open_campaign(path)
    ladder = ladder_of(led.rubric.indicator("trl").scale)
    assert determine_level(ladder, mine).achieved == 3 == value
    assert conclusion(ladder, mine)[0].next_level == 4
    assert verify_audit(led).ok
    n_audit = led.conn.execute("SELECT count(*) FROM audit WHERE action = 'checklist.answer'").fetchone()[0]
    assert n_audit == 16                                  # one audited entry per answer (Enter kept: none)
    led.close()


def test_sigkill_inside_checklist_then_resume(round_dir):
    path, (first, second) = round_dir
    child = into_checklist(path)
    for qid in ("trl1.q1", "trl1.q2", "trl1.q3", "trl2.q1", "trl2.q2", "trl2.q3", "trl2.q4", "trl2.q5",
                "trl3.q1", "trl3.q2"):
        q(child, qid, "y")
    child.expect(r"\] trl3.q3 \(")                        # trl3.q2 was committed before this prompt appeared
    child.expect(ANSWER)
    child.kill(signal.SIGKILL)
    child.close(force=True)

    answers, sessions, scores = db(path)
    assert len(answers) == 10 and all(a == "yes" for a in answers.values())
    assert sessions[first] == ("open", "trl3.q3") and (first, "trl") not in scores

    child = spawn(path)                                   # resumes inside the checklist at once
    child.expect(r"checklist: 10/48 answered, continuing at trl3.q3")
    for k in range(3, 7):
        q(child, f"trl3.q{k}", "y")
    for k in range(1, 7):
        q(child, f"trl4.q{k}", "y")
    q(child, "trl5.q1", "y")
    child.expect(r"\] trl5.q2 \(")
    child.expect(r"\[y/n/na/0-100/")                       # a percent question
    child.sendline("80%")                                 # 80 % < green threshold 100 %: stop
    child.expect("累积规则 / cumulative rule: TRL 4")
    child.expect(r"trl5.q2 \[80%\]")
    child.expect(COMMENT)
    child.kill(signal.SIGKILL)                            # killed at the comment: the answers are all kept
    child.close(force=True)
    answers, sessions, scores = db(path)
    assert len(answers) == 22 and answers[(first, "trl5.q2")] == "80"
    assert sessions[first] == ("open", None) and (first, "trl") not in scores

    child = spawn(path)                                   # nothing left to ask: straight to the conclusion
    child.expect("continuing at 结论 / conclusion")
    child.expect("累积规则 / cumulative rule: TRL 4")
    child.expect(COMMENT)
    child.sendline("")
    child.expect(f"saved {first}/trl = TRL 4")
    child.expect(r"\] novelty")                           # second project
    child.expect(PROMPT)
    child.sendline("5")
    child.expect(COMMENT)
    child.sendline("")
    child.expect(PROMPT)
    child.sendline("")                                    # Enter: checklist
    q(child, "trl1.q1", "y")
    child.expect(r"\] trl1.q2 \(")
    child.expect(ANSWER)
    child.sendline("q")                                   # quit inside the checklist
    child.expect(f"resume at {second}/trl \\(TRL 核查清单 checklist trl1.q2\\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    answers, sessions, scores = db(path)
    assert scores[(first, "trl")][:2] == (4.0, "4") and sessions[first] == ("done", None)
    assert sessions[second] == ("open", "trl1.q2") and answers[(second, "trl1.q1")] == "yes"
    led = open_campaign(path)
    assert verify_audit(led).ok
    led.close()


def test_direct_level_skip_leave_and_below_level_one(round_dir, capsys):
    path, (first, second) = round_dir
    child = spawn(path)
    child.expect(PROMPT)
    child.sendline("2")
    child.expect(COMMENT)
    child.sendline("")
    child.expect("or type a level 1-9 directly")
    child.expect(PROMPT)
    child.sendline("6")                                   # direct level
    child.expect(COMMENT)
    child.sendline("已另行评估")
    child.expect(f"saved {first}/trl = 6")
    child.expect(PROMPT)                                  # second project, novelty
    child.sendline("4")
    child.expect(COMMENT)
    child.sendline("")
    child.expect(PROMPT)
    child.sendline("c")
    q(child, "trl1.q1", "y")
    q(child, "trl1.q2", "s")                              # skip a question
    q(child, "trl1.q3", "y")
    child.expect(r"TRL 1: 部分达到 / partly met \(67%\)")  # the skipped question counts as not met
    child.expect(r"\] trl2.q1 \(")                        # ... but TRL 1 can still be green: go on
    child.expect(ANSWER)
    child.sendline("x")                                   # leave the checklist
    child.expect("left the checklist")
    child.expect("Enter or c = continue the checklist")
    child.expect(PROMPT)
    child.sendline("")                                    # back in, where it stopped
    child.expect(r"\] trl2.q1 \(")
    child.expect(ANSWER)
    child.sendline("b")
    q(child, "trl1.q3", "b")
    q(child, "trl1.q2", "n")                              # TRL 1 red: the walk stops below TRL 1
    child.expect("累积规则 / cumulative rule: 未达到 / below TRL 1")
    child.expect("nothing recorded")
    child.expect(PROMPT)
    child.sendline("")                                    # Enter: back into the checklist, at TRL 1, to revise
    child.expect(r"continuing at trl1.q2")             # the question that blocks TRL 1
    child.expect(r"\] trl1.q2 \(")
    child.expect("current answer: no")
    child.expect(ANSWER)
    child.sendline("x")
    child.expect(PROMPT)
    child.sendline("s")                                   # skip the item
    child.expect("still missing")
    child.expect("核查清单 / checklists:")               # the summary line
    child.expect(pexpect.EOF)
    child.close()

    answers, sessions, scores = db(path)
    assert scores[(first, "trl")] == (6.0, "6", "已另行评估", "interactive")
    assert (second, "trl") not in scores
    assert {qid: a for (p, qid), a in answers.items() if p == second} == {
        "trl1.q1": "yes", "trl1.q2": "no", "trl1.q3": "yes"}

    # --from keeps accepting a plain level for a TRL indicator
    csv = path.parent / "answers.csv"
    csv.write_text(f"project,indicator,value\n{second},trl,2\n", encoding="utf-8")
    code, out, err = run_cli(["score", "--expert", "E04", "--from", csv, "--campaign", path], capsys)
    assert code == 0, err
    assert db(path)[2][(second, "trl")][:2] == (2.0, "2")

    # the per-expert judgements and answers are available (never averaged, not an assessment)
    code, out, err = run_cli(["score", "--checklists", "--json", "--campaign", path], capsys)
    assert code == 0, err
    data = json.loads(out)
    (j,) = data["judgements"]
    assert (j["expert"], j["project"], j["level"], j["next_level"]) == ("E04", second, None, 1)
    assert j["missing_for_next"] == ["trl1.q2"] and j["score"] == 2.0 and not j["score_matches"]
    assert [a["question_id"] for a in data["answers"]] == ["trl1.q1", "trl1.q2", "trl1.q3"]
    out_csv = path.parent / "checklist.csv"
    code, out, err = run_cli(["score", "--checklists", "--out", out_csv, "--campaign", path], capsys)
    assert code == 0 and "wrote 3 answers" in out
    assert out_csv.read_text(encoding="utf-8-sig").splitlines()[0].startswith("expert_id,project_id,indicator_id")
    led = open_campaign(path)
    assert led.conn.execute("SELECT count(*) FROM trl_assessments").fetchone()[0] == 0
    led.close()
    code, out, err = run_cli(["score", "--campaign", path], capsys)     # no --expert: a usage error
    assert code == 2 and "--expert" in err


def test_checklist_api_refuses_recused_and_hides_their_judgement(round_dir):
    from tlr.campaign import recuse
    from tlr.campaign.checklist import (
        checklist_answers,
        checklist_judgements,
        save_answer,
    )
    from tlr.errors import CampaignError

    path, (first, second) = round_dir
    led = open_campaign(path)
    try:
        save_answer(led, "E04", first, "trl", "trl1.q1", "yes", next_question="trl1.q2")
        save_answer(led, "E04", first, "trl", "trl5.q2", "62.5%", next_question=None)   # a percent question
        for qid, value, code in [("trl1.q2", 50, "invalid_value"), ("trl1.q9", "yes", "unknown_question"),
                                 ("trl1.q2", "maybe", "invalid_value")]:
            with pytest.raises(CampaignError) as exc:
                save_answer(led, "E04", first, "trl", qid, value, next_question=None)
            assert exc.value.code == code
        with pytest.raises(CampaignError) as exc:
            save_answer(led, "E04", first, "novelty", "trl1.q2", "yes", next_question=None)
        assert exc.value.code == "no_checklist"
        assert [a["answer"] for a in checklist_answers(led, "E04")] == ["yes", "62.5"]
        (j,) = checklist_judgements(led, "E04")
        assert j["level"] is None and j["missing_for_next"] == ["trl1.q2", "trl1.q3"]
        recuse(led, "E04", first, reason="declared")
        with pytest.raises(CampaignError) as exc:
            save_answer(led, "E04", first, "trl", "trl1.q3", "yes", next_question=None)
        assert exc.value.code == "recused"
        assert checklist_judgements(led, "E04") == [] and checklist_answers(led) == []
        assert verify_audit(led).ok
    finally:
        led.close()


def test_skipped_question_blocks_the_level_then_reopen(round_dir):
    path, (first, _second) = round_dir
    child = into_checklist(path)
    q(child, "trl1.q1", "y")
    q(child, "trl1.q2", "s")
    q(child, "trl1.q3", "y")
    q(child, "trl2.q1", "n")                              # TRL 2 cannot be green: stop
    child.expect("累积规则 / cumulative rule: 未达到 / below TRL 1")
    child.expect(r"TRL 1 还有未答的问题 / still has unanswered questions: trl1.q2")
    child.expect("no score recorded")
    child.expect(PROMPT)
    child.sendline("")                                    # continue: at the skipped question
    q(child, "trl1.q2", "y")
    child.expect(r"\] trl1.q3 \(")
    child.expect(ANSWER)
    child.sendline("")                                    # keep yes
    child.expect(r"TRL 1: 达到 / reached")
    child.expect(r"\] trl2.q1 \(")
    child.expect(ANSWER)
    child.sendline("")                                    # keep no: stop
    child.expect("累积规则 / cumulative rule: TRL 1")
    child.expect(COMMENT)
    child.sendline("")
    child.expect(f"saved {first}/trl = TRL 1")
    child.expect(r"\] novelty")
    child.expect(PROMPT)
    child.sendline("b")                                   # back to the scored TRL item
    child.expect(r"当前 / current: 1")
    child.expect("c = 重新打开核查清单 / reopen the checklist")
    child.expect(PROMPT)
    child.sendline("c")
    child.expect(r"\] trl2.q1 \(")                        # the lowest level not yet green
    child.expect("current answer: no")
    child.expect(ANSWER)
    child.sendline("x")                                   # nothing changed: still done
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    answers, sessions, scores = db(path)
    assert scores[(first, "trl")][:2] == (1.0, "1") and sessions[first] == ("done", None)
    assert answers[(first, "trl1.q2")] == "yes" and answers[(first, "trl2.q1")] == "no" and len(answers) == 4


def test_checklist_answers_are_audited_and_go_with_a_recusal(round_dir):
    import sqlite3

    from tlr.campaign.assign import recuse
    from tlr.campaign.checklist import save_answer

    path, projects = round_dir
    led = open_campaign(path)
    save_answer(led, "E04", projects[0], "trl", "trl1.q1", "yes", next_question="trl1.q2")
    save_answer(led, "E04", projects[0], "trl", "trl1.q2", "no", next_question=None)
    assert verify_audit(led).ok
    led.close()
    # an edit behind the tool's back is detected
    conn = sqlite3.connect(path / "campaign.sqlite")
    conn.execute("UPDATE checklist_answers SET answer = 'yes' WHERE question_id = 'trl1.q2'")
    conn.commit()
    conn.close()
    led = open_campaign(path)
    assert not verify_audit(led).ok
    led.close()
    # a recusal removes the expert's checklist answers for that project, audited
    conn = sqlite3.connect(path / "campaign.sqlite")
    conn.execute("UPDATE checklist_answers SET answer = 'no' WHERE question_id = 'trl1.q2'")
    conn.commit()
    conn.close()
    led = open_campaign(path)
    recuse(led, "E04", projects[0], reason="late conflict")
    left = led.conn.execute("SELECT count(*) FROM checklist_answers WHERE expert_id = 'E04' AND project_id = ?",
                            (projects[0],)).fetchone()[0]
    assert left == 0
    assert verify_audit(led).ok
    led.close()
