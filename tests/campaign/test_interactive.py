"""The interactive `tlr score` session, driven through a pseudo-terminal: answer, go back, skip,
quit, get killed with SIGKILL, and resume exactly where it stopped without losing an answer."""

from __future__ import annotations

import os
import signal
import sys

import pexpect
import pytest

from tests.timing import budget
from tlr.campaign import open_campaign, verify_audit

pytestmark = pytest.mark.slow  # pexpect sessions in a pseudo-terminal

PROMPT = "评分 / score:"
COMMENT = "comment \\(optional\\):"


def spawn(ledger, expert="E04", *extra):
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "COLUMNS": "120", "TLR_CAMPAIGN": str(ledger.path.parent)}
    child = pexpect.spawn(sys.executable, ["-m", "tlr", "score", "--expert", expert, *extra], env=env,
                          encoding="utf-8", timeout=budget(30), dimensions=(50, 160))
    return child


def scores(path):
    led = open_campaign(path)
    try:
        return {(p, i): (v, c) for p, i, v, c in led.conn.execute(
            "SELECT project_id, indicator_id, value, comment FROM scores WHERE expert_id = 'E04'")}
    finally:
        led.close()


def answer(child, value, comment=""):
    child.expect(PROMPT)
    child.sendline(value)
    child.expect(COMMENT)
    child.sendline(comment)
    child.expect("已保存 / saved")


def test_session_answer_back_skip_kill_resume(ledger):
    path = ledger.path.parent
    projects = [p for (p,) in ledger.conn.execute(
        "SELECT a.project_id FROM assignments a JOIN projects p ON p.id = a.project_id "
        "WHERE a.expert_id = 'E04' ORDER BY p.seq")]
    first, second = projects[0], projects[1]
    ledger.close()

    child = spawn(ledger)
    child.expect("0/8")
    child.expect(f"项目 / Project 1/2: {first}")
    child.expect("5  优秀 / excellent")          # anchored descriptors shown
    answer(child, "4", "创新明显")
    child.expect(r"\[2/8")
    answer(child, "3")
    child.expect(PROMPT)
    child.sendline("abc")                         # invalid: re-asked, nothing saved
    child.expect("expected a number")
    answer(child, "12.5")
    child.expect(r"\[4/8")
    child.expect(PROMPT)
    child.sendline("b")                           # back to market_size
    child.expect(r"\[3/8")
    child.expect("当前 / current: 12.5")
    child.expect(PROMPT)
    child.sendline("")                            # Enter keeps it
    child.expect(r"\[4/8")
    answer(child, "是", "齐全")
    child.expect(f"项目 / Project 2/2: {second}")
    child.expect(r"\[5/8")
    child.expect(PROMPT)
    child.sendline("5")
    child.expect(COMMENT)                          # value typed but not confirmed ...
    child.kill(signal.SIGKILL)                     # ... when the session is killed
    child.close(force=True)

    got = scores(path)
    assert got == {(first, "novelty"): (4.0, "创新明显"), (first, "trl"): (3.0, ""),
                   (first, "market_size"): (12.5, ""), (first, "team"): (1.0, "齐全")}

    child = spawn(ledger)                          # resumes exactly at item 5
    child.expect("4/8")
    child.expect(r"\[5/8 · 已答 answered 4\] novelty")
    answer(child, "5")
    child.expect(r"\[6/8")
    child.expect(PROMPT)
    child.sendline("s")                            # skip trl
    child.expect(r"\[7/8")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(f"resume at {second}/market_size")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    child = spawn(ledger)
    child.expect(r"\[7/8 · 已答 answered 5\] market_size")
    answer(child, "100")
    answer(child, "否")
    child.expect("still missing")                  # the skipped item is reported
    child.expect(f"{second}/trl")
    child.expect(pexpect.EOF)

    child = spawn(ledger)                          # next run goes to the missing one
    child.expect(r"\[6/8 · 已答 answered 7\] trl")
    answer(child, "2")
    child.expect("all 8 answers given")
    child.expect(pexpect.EOF)

    got = scores(path)
    assert len(got) == 8 and got[(second, "novelty")] == (5.0, "") and got[(second, "team")] == (0.0, "")
    led = open_campaign(path)
    report = verify_audit(led)
    assert report.ok
    sources = {s for (s,) in led.conn.execute("SELECT DISTINCT source FROM scores")}
    assert sources == {"interactive"}
    led.close()


def test_kill_at_random_moments_never_loses_confirmed(ledger):
    """Kill the session right after a random number of confirmations, several times."""
    import random

    rng = random.Random(3)
    path = ledger.path.parent
    ledger.close()
    confirmed = 0
    values = {"novelty": "3", "trl": "2", "market_size": "7", "team": "否"}
    while confirmed < 8:
        child = spawn(ledger)
        k = rng.randint(1, 3)
        for _ in range(k):
            idx = child.expect([r"\] (novelty|trl|market_size|team)", "all 8 answers"])
            if idx == 1:
                break
            ind = child.match.group(1)
            answer(child, values[ind])
            confirmed += 1
            if confirmed == 8:
                break
        child.kill(signal.SIGKILL)
        child.close(force=True)
        assert len(scores(path)) == confirmed
    led = open_campaign(path)
    assert verify_audit(led).ok
    led.close()


def test_unknown_expert_and_nothing_assigned(ledger):
    child = spawn(ledger, "E99")
    child.expect("no expert with id E99")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    from tlr.campaign import recuse

    led = open_campaign(ledger.path.parent)
    for (p,) in led.conn.execute("SELECT project_id FROM assignments WHERE expert_id = 'E02'").fetchall():
        recuse(led, "E02", p, reason="test")
    led.close()
    child = spawn(ledger, "E02")
    child.expect("no projects are assigned")
    child.expect(pexpect.EOF)
