"""The interactive calculator, driven through a pseudo-terminal (pexpect): answer, SIGKILL, resume, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time

import pexpect
import pytest

from tests.timing import budget
from tlr.trl.store import load_assessment

from .conftest import EXAMPLES, ROOT

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal"), pytest.mark.slow]  # pexpect sessions in a pseudo-terminal


def spawn(tmp_path, *args, sigint_ignored=False):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    # sigint_ignored: started as a background job of a non-interactive shell starts it, SIGINT ignored
    preexec = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
    return pexpect.spawn(sys.executable, ["-m", "tlr", "trl", "assess", *args], cwd=str(tmp_path), env=env,
                         encoding="utf-8", timeout=budget(20), dimensions=(50, 200), preexec_fn=preexec)


def answer(child, qid, value):
    child.expect(rf"{qid} \(")
    child.expect(r"Answer \[")
    child.sendline(value)


def start_new(tmp_path, f, **kw):
    child = spawn(tmp_path, str(f), "--cte", "sensor", "--lang", "en", "--by", "tester", **kw)
    child.expect("Project title")
    child.sendline("Demo project")
    child.expect("Element name")
    child.sendline("Sensor array")
    child.expect("Baseline")
    child.sendline("2")
    child.expect("Target")
    child.sendline("7")
    return child


def test_sigkill_mid_session_then_resume_loses_nothing(tmp_path):
    f = tmp_path / "p.yaml"
    child = start_new(tmp_path, f)
    child.expect("TRL 1: Basic principles")
    child.expect(r"\[1/48\] trl1.q1 \(technical\)")
    child.expect("Evidence needed: paper")          # the question shows the evidence it needs
    child.expect(r"Answer \[")
    child.sendline("y")
    for qid, value in [("trl1.q2", "yes"), ("trl1.q3", "y")]:
        answer(child, qid, value)
    child.expect(r"TRL 1: reached \(100%\)")
    answer(child, "trl2.q1", "y")
    answer(child, "trl2.q2", "n")
    child.expect(r"\[6/48\] trl2.q3")               # trl2.q2 was saved before this prompt appeared
    child.kill(signal.SIGKILL)
    child.wait()

    doc = load_assessment(f)                        # the file is whole and valid after SIGKILL
    cte = doc.cte("sensor")
    assert {k: a.value for k, a in cte.answers.items()} == {
        "trl1.q1": "yes", "trl1.q2": "yes", "trl1.q3": "yes", "trl2.q1": "yes", "trl2.q2": "no"}
    assert cte.answers["trl1.q1"].by == "tester" and cte.baseline == 2 and cte.target == 7
    assert not list(tmp_path.glob(".*.tmp"))

    child = spawn(tmp_path, str(f), "--lang", "en")  # one CTE: picked automatically
    child.expect(r"Resuming: 5/48 answered, starting at trl2.q3")
    child.expect(r"Currently \(cumulative rule\): TRL 1")
    child.expect(r"\[6/48\] trl2.q3")
    child.expect(r"Answer \[")
    child.sendline("q")
    child.expect("Project readiness: TRL 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(load_assessment(f).cte("sensor").answers) == 5


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "inherited-ignored"])
def test_ctrl_c_exits_130_with_file_intact(tmp_path, sigint_ignored):
    """Also when the process inherits SIGINT ignored (a background job of a script): at a terminal, Ctrl-C
    still stops the session and keeps its answers."""
    f = tmp_path / "p.yaml"
    child = start_new(tmp_path, f, sigint_ignored=sigint_ignored)
    answer(child, "trl1.q1", "y")
    child.expect(r"\[2/48\] trl1.q2")
    child.expect(r"Answer \[")
    # a person presses Ctrl-C while the prompt waits, and again if nothing happens; a SIGINT landing in the window
    # between the prompt's text and the blocking read is only seen at the next key or signal
    time.sleep(0.3)
    for _ in range(10):
        child.sendintr()
        if child.expect(["Interrupted", pexpect.TIMEOUT], timeout=3) == 0:
            break
    else:
        raise AssertionError("Ctrl-C never interrupted the session")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(load_assessment(f).cte("sensor").answers) == ["trl1.q1"]


def test_back_skip_bad_input_evidence_and_newcomer_reaches_a_level(tmp_path):
    f = tmp_path / "p.yaml"
    (tmp_path / "report.txt").write_text("lab test", encoding="utf-8")
    child = start_new(tmp_path, f)
    answer(child, "trl1.q1", "50")                        # percent on a yes/no question: refused, asked again
    child.expect("takes yes, no or na")
    child.sendline("maybe")
    child.expect("unrecognised answer")
    child.sendline("e")                                   # evidence: a missing file is named, nothing lost
    child.expect("Evidence file path or URL")
    child.sendline("nope.pdf")
    child.expect("Evidence kind")
    child.sendline("")
    child.expect("evidence file not found: .*nope.pdf")
    child.expect(r"Answer \[")
    child.sendline("e")
    child.expect("Evidence file path or URL")
    child.sendline("report.txt")
    child.expect("Evidence kind")
    child.sendline("test_report")
    child.expect("Evidence saved ev1 sha256")
    child.expect(r"Answer \[")
    child.sendline("y")
    answer(child, "trl1.q2", "s")                         # skip
    answer(child, "trl1.q3", "b")                         # back to trl1.q2
    answer(child, "trl1.q2", "y")
    answer(child, "trl1.q3", "na")
    child.expect(r"TRL 1: reached")
    for n in range(1, 6):
        answer(child, f"trl2.q{n}", "y")
    for n in range(1, 7):
        answer(child, f"trl3.q{n}", "y")
    answer(child, "trl4.q1", "y")
    answer(child, "trl4.q2", "y")
    for n in range(3, 7):
        answer(child, f"trl4.q{n}", "n")
    child.expect(r"TRL 4: not met \(33%\)")
    child.expect(r"Cumulative rule: currently TRL 3")
    child.expect(r"Continue with higher levels\?")
    child.sendline("n")
    child.expect(r"Achieved: TRL 3")
    child.expect(r"Next level TRL 4 .* still needs")
    child.expect(r"trl4.q3 \[no\]")
    child.expect("evidence needed: test report")
    child.expect("Project readiness: TRL 3")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    cte = load_assessment(f).cte("sensor")
    assert cte.current == 3 and cte.answers["trl1.q3"].value == "na"
    assert cte.evidence[0].questions == ["trl1.q1"] and len(cte.evidence[0].sha256) == 64


def test_newcomer_on_the_bundled_example(tmp_path):
    dest = tmp_path / "ex"
    shutil.copytree(EXAMPLES, dest)
    child = spawn(dest, "assessment.yaml", "--cte", "algorithm", "--lang", "en")
    child.expect(r"Resuming: \d+/48 answered, starting at trl6.q1")
    child.expect("TRL 6: System or subsystem prototype")
    child.expect(r"Answer \[")
    child.sendline("q")
    child.expect(r"algorithm — ")
    child.expect(r"Achieved: TRL 4")
    child.expect(r"Next level TRL 5 \(red, 48%\) still needs")
    child.expect("Project readiness: TRL 4")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("delay", [0.4, 0.7])
def test_sigkill_at_a_random_moment_never_corrupts_or_reorders(tmp_path, delay):
    """Type-ahead many answers, SIGKILL while they are being saved: the file always loads, and what it
    holds is exactly a prefix of the answers given (each answer is saved atomically before the next)."""
    import time

    f = tmp_path / "p.yaml"
    child = start_new(tmp_path, f)
    child.expect(r"\[1/48\] trl1.q1")
    sequence = [f"trl{lv}.q{n}" for lv, count in [(1, 3), (2, 5), (3, 6), (4, 6)] for n in range(1, count + 1)]
    values = ["y" if i % 3 else "na" for i in range(len(sequence))]
    child.delaybeforesend = None
    for value in values:
        child.send(value + "\r")
    time.sleep(delay)
    child.kill(signal.SIGKILL)
    child.close(force=True)
    answers = load_assessment(f).cte("sensor").answers
    got = list(answers)
    print(f"killed after {len(got)} of {len(sequence)} answers")
    assert got == sequence[: len(got)]
    expected = {"y": "yes", "na": "na"}
    assert all(answers[q].value == expected[v] for q, v in zip(got, values))


def test_two_sessions_on_one_file_are_refused_and_a_dead_lock_is_taken_over(tmp_path):
    f = tmp_path / "p.yaml"
    first = start_new(tmp_path, f)
    first.expect(r"\[1/48\] trl1.q1")
    first.expect(r"Answer \[")
    second = spawn(tmp_path, str(f), "--lang", "en")
    second.expect("another session .* is editing")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 2
    first.kill(signal.SIGKILL)          # leaves a stale lock behind
    first.close(force=True)
    assert (tmp_path / "p.yaml.lock").exists()
    third = spawn(tmp_path, str(f), "--lang", "en")
    third.expect(r"\[1/48\] trl1.q1")
    third.expect(r"Answer \[")
    third.sendline("q")
    third.expect(pexpect.EOF)
    third.close()
    assert third.exitstatus == 0 and not (tmp_path / "p.yaml.lock").exists()
