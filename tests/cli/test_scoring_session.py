"""The scoring session (``tlr score``) in-process, with a scripted person: every path the pexpect tests
drive through a real terminal (tests/campaign/test_interactive*.py), and the edges around them.

SIGKILL is a :class:`Killed` raised at a prompt: nothing after it runs, the next session starts from the
ledger alone. What is checked is what the ledger holds (scores, positions, the audit chain)."""

from __future__ import annotations

import pytest

from tlr.app.interactive import Interrupted
from tlr.app.interactive.scoring import COMMANDS_HELP, TTY_LINE_LIMIT, ScoringSession
from tlr.campaign import open_campaign, verify_audit

from .scripted import INTERRUPT, KILL, UNDECODABLE, Killed, ScriptedTerminal


def run(ledger, inputs, *, expert="E04", restart=False, **terminal):
    """A session with a scripted person; returns the terminal (its transcript)."""
    term = ScriptedTerminal(inputs, **terminal)
    ScoringSession(ledger, expert, term, restart=restart).run()
    assert term.unused == [], f"inputs left over: {term.unused}"
    return term


def killed(ledger, inputs, **kwargs):
    term = ScriptedTerminal(inputs, **kwargs)
    with pytest.raises(Killed):
        ScoringSession(ledger, "E04", term).run()
    return term


def reopen(ledger):
    """What a new process sees: a fresh connection to the same campaign."""
    path = ledger.path.parent
    ledger.close()
    return open_campaign(path)


def scores(ledger, expert="E04"):
    return {(p, i): (v, c) for p, i, v, c in ledger.conn.execute(
        "SELECT project_id, indicator_id, value, comment FROM scores WHERE expert_id = ?", (expert,))}


# --------------------------------------------------------------------------- answer, back, skip, kill, resume


def test_answer_back_skip_kill_resume(ledger, e04):
    first, second = e04
    term = killed(ledger, ["4", "创新明显", "3", "", "abc", "12.5", "", "b", "", "是", "齐全", "5", KILL])
    out = term.output
    assert "0/8 已完成 / done" in out and f"项目 / Project 1/2: {first}" in out
    assert "5  优秀 / excellent" in out                            # anchored descriptors shown
    assert "expected a number" in out                            # "abc": re-asked, nothing saved
    assert "当前 / current: 12.5" in term.after("[3/8")           # back shows the current answer
    assert f"项目 / Project 2/2: {second}" in out
    assert term.prompts[-1].endswith("comment (optional)")        # killed before the comment was given
    ledger = reopen(ledger)
    assert scores(ledger) == {(first, "novelty"): (4.0, "创新明显"), (first, "trl"): (3.0, ""),
                              (first, "market_size"): (12.5, ""), (first, "team"): (1.0, "齐全")}

    term = run(ledger, ["5", "", "s", "q"])                        # resumes exactly at item 5
    assert "4/8 已完成" in term.output and "[5/8 · 已答 answered 4] novelty" in term.output
    assert "[7/8" in term.output and f"resume at {second}/market_size" in term.output
    assert ledger.get_session("E04") == (second, "market_size")

    term = run(ledger, ["100", "", "否", ""])
    assert term.output.startswith("专家 / Expert E04") and "[7/8 · 已答 answered 5] market_size" in term.output
    assert "still missing" in term.output and f"{second}/trl" in term.after("still missing")
    assert ledger.get_session("E04") == (second, "trl")           # the next run goes to the missing one

    term = run(ledger, ["2", ""])
    assert "[6/8 · 已答 answered 7] trl" in term.output and "all 8 answers given" in term.output
    assert ledger.get_session("E04") == (None, None)
    got = scores(ledger)
    assert len(got) == 8 and got[(second, "novelty")] == (5.0, "") and got[(second, "team")] == (0.0, "")
    assert verify_audit(ledger).ok
    assert {s for (s,) in ledger.conn.execute("SELECT DISTINCT source FROM scores")} == {"interactive"}


@pytest.mark.parametrize("kill_after", [1, 2, 3, 5, 7])
def test_kill_after_any_number_of_confirmations_loses_none(ledger, kill_after):
    values = {"novelty": "3", "trl": "2", "market_size": "7", "team": "否"}
    order = ["novelty", "trl", "market_size", "team"] * 2
    inputs = [x for ind in order[:kill_after] for x in (values[ind], "")] + [KILL]
    killed(ledger, inputs)
    ledger = reopen(ledger)
    assert len(scores(ledger)) == kill_after
    rest = [x for ind in order[kill_after:] for x in (values[ind], "")]
    term = run(ledger, rest)
    assert "all 8 answers given" in term.output and len(scores(ledger)) == 8
    assert verify_audit(ledger).ok


def test_end_of_input_keeps_the_position_and_is_an_interruption(ledger, e04):
    first, _second = e04
    term = ScriptedTerminal(["4", "", "3"])                        # the input ends at the comment prompt
    with pytest.raises(Interrupted):
        ScoringSession(ledger, "E04", term).run()
    assert scores(ledger) == {(first, "novelty"): (4.0, "")}
    assert ledger.get_session("E04") == (first, "trl")              # the item the person was at
    term = run(ledger, ["q"])
    assert "[2/8 · 已答 answered 1] trl" in term.output


def test_help_back_at_the_start_restart_and_enter(ledger, e04):
    first, second = e04
    term = run(ledger, ["?", "b", "", "q"])
    out = term.output
    assert out.count(COMMANDS_HELP) == 2                           # the greeting, then ?
    assert out.count("[1/8 · 已答 answered 0] novelty") == 3        # ?, and b at the first item: stays
    assert "[2/8 · 已答 answered 0] trl" in out                     # Enter leaves an item empty and goes on
    assert scores(ledger) == {} and ledger.get_session("E04") == (first, "trl")
    term = run(ledger, ["q"], restart=True)                        # --restart: the first item, not the cursor
    assert "[1/8" in term.output and "[2/8" not in term.output
    # every item answered: the session starts at the first one (to revise), Enter goes to the end
    run(ledger, [x for v in ("4", "3", "12", "是") * 2 for x in (v, "")])
    ledger.set_session("E04", None, None)
    term = run(ledger, [""])
    assert "[1/8 · 已答 answered 8]" in term.output and "all 8 answers given" in term.output


def test_nothing_assigned_and_unknown_expert(ledger, capsys):
    from tlr.campaign import recuse
    from tlr.cli import main
    from tlr.errors import CampaignError

    for (p,) in ledger.conn.execute("SELECT project_id FROM assignments WHERE expert_id = 'E02'").fetchall():
        recuse(ledger, "E02", p, reason="test")
    term = run(ledger, [], expert="E02")
    assert "no projects are assigned to E02" in term.output
    with pytest.raises(CampaignError, match="no expert with id E99"):
        ScoringSession(ledger, "E99", ScriptedTerminal([]))
    assert main(["score", "--expert", "E99", "-C", str(ledger.path.parent)]) == 2
    assert "no expert with id E99" in capsys.readouterr().err


def test_a_recusal_meanwhile_refuses_the_answer_and_keeps_the_others(ledger, e04):
    from tlr.campaign import recuse
    from tlr.errors import CampaignError

    first, _second = e04
    term = ScriptedTerminal(["4", "", "3", lambda: recuse(ledger, "E04", first, reason="late conflict") or ""])
    with pytest.raises(CampaignError) as exc:
        ScoringSession(ledger, "E04", term).run()
    assert exc.value.code == "recused"
    assert scores(ledger) == {} and verify_audit(ledger).ok        # the recusal removed the earlier answer too


# --------------------------------------------------------------------------- comments


def test_a_comment_at_the_terminal_line_limit_is_completed_in_the_editor(ledger):
    full = "评" * 300 + "x" * 4100 + "结尾"
    arrived = full.encode()[:TTY_LINE_LIMIT].decode()              # what a terminal passes on
    term = run(ledger, ["4", arrived, "y", "q"], editor=lambda text: full + "\n")
    assert "line limit" in term.output and term.edited == [arrived]
    assert scores(ledger)[next(iter(scores(ledger)))] == (4.0, full)


@pytest.mark.parametrize("typed, kept", [("y" * 4095, "y" * 4095),
                                         # a character cut in the middle arrives as undecodable bytes
                                         ("a" + "意" * 1364 + "\udce6\udc84", "a" + "意" * 1364)])
def test_declining_the_editor_saves_what_arrived(ledger, typed, kept):
    term = run(ledger, ["4", typed, "n", "q"])
    assert f"saving the {len(kept.encode())} bytes received" in term.output
    assert list(scores(ledger).values()) == [(4.0, kept)]


def test_a_long_comment_from_a_pipe_is_taken_as_it_is(ledger):
    long = "意见" * 3000
    term = run(ledger, ["4", long, "q"], line_limited=False)        # no terminal: nothing was cut
    assert "line limit" not in term.output and list(scores(ledger).values()) == [(4.0, long)]


def test_e_opens_the_editor_and_its_failures_are_said(ledger):
    from tlr.app.interactive import EditorError

    text = "第一段意见。\n\nSecond paragraph, " + "long " * 200
    answers = iter([EditorError("no editor found"), None, text + "\n"])

    def editor(_received):
        got = next(answers)
        if isinstance(got, Exception):
            raise got
        return got

    term = run(ledger, ["3", "e", "e", ":e", "q"], editor=editor)
    assert "cannot open the editor (set EDITOR): no editor found" in term.output
    assert "the editor was left without saving" in term.output
    assert term.edited == ["", "", ""]                               # no comment yet: an empty text
    assert list(scores(ledger).values()) == [(3.0, text.strip())]


def test_enter_keeps_the_comment_and_undecodable_input_is_asked_again(ledger, e04):
    first, _second = e04
    run(ledger, ["4", "原有意见", "q"])
    ledger.set_session("E04", first, "novelty")
    term = run(ledger, ["5", UNDECODABLE, "", "q"])
    assert "not complete UTF-8" in term.output
    assert scores(ledger)[(first, "novelty")] == (5.0, "原有意见")
    ledger.set_session("E04", first, "novelty")
    term = run(ledger, ["5", "e", "q"], editor=lambda text: text + " 补充\n")
    assert term.edited == ["原有意见"]                              # the editor starts from the stored comment
    assert scores(ledger)[(first, "novelty")] == (5.0, "原有意见 补充")


def test_the_project_header_shows_the_partners(ledger):
    (expert,) = ledger.conn.execute("SELECT expert_id FROM assignments WHERE project_id = 'P001' "
                                    "ORDER BY expert_id LIMIT 1").fetchone()
    term = run(ledger, ["q"], expert=expert)
    assert "项目 / Project 1/" in term.output and "合作单位 / Partners: 燕山大学" in term.output
    assert "简介 / Summary: 新型连铸工艺" in term.output
