"""`tlr weights answer` at a terminal (pexpect): answers saved at once, a killed session keeps them and the next
run resumes at the first open pair; a complete node shows CR and, when inconsistent, the judgement to revisit."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

from tlr.cli import main

pytestmark = pytest.mark.slow  # pexpect sessions in a pseudo-terminal

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "fund-screening.yaml"
PROMPT = "判断 / judgement:"


@pytest.fixture()
def rnd(tmp_path):
    experts = tmp_path / "experts.csv"
    experts.write_text("id,name,institution,fields\nE01,甲,单位甲,新材料\n", encoding="utf-8")
    out = tmp_path / "round"
    assert main(["weights", "survey", "-r", str(RUBRIC), "--experts", str(experts), "--out", str(out)]) == 0
    return out


def spawn(rnd, *extra):
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "COLUMNS": "120", "TLR_CAMPAIGN": str(rnd)}
    return pexpect.spawn(sys.executable, ["-m", "tlr", "weights", "answer", "--expert", "E01", *extra], env=env,
                         encoding="utf-8", timeout=30, dimensions=(50, 160))


def stored(rnd) -> dict:
    conn = sqlite3.connect(rnd / "campaign.sqlite")
    rows = {(n, a, b): (v, raw) for n, a, b, v, raw in
            conn.execute("SELECT node_id, item_a, item_b, value, raw FROM pairwise_answers")}
    conn.close()
    return rows


def test_killed_session_keeps_its_answers_and_resumes(rnd):
    child = spawn(rnd)
    child.expect("0/21")
    child.expect(r"\[1/21\] root: A = maturity")
    child.expect(PROMPT)
    child.sendline("a 明显重要")
    child.expect("已保存 / saved")
    child.expect(r"\[2/21\] root: A = maturity 与 / vs  B = feasibility")
    child.expect(PROMPT)
    child.sendline("b3")
    child.expect("已保存 / saved")
    child.expect(r"\[3/21\]")
    child.kill(signal.SIGKILL)
    child.close(force=True)
    got = stored(rnd)
    assert got == {("root", "maturity", "advancedness"): (5.0, "a 明显重要"),
                   ("root", "maturity", "feasibility"): (pytest.approx(1 / 3), "b3")}

    child = spawn(rnd)                                  # resumes at the first open pair
    child.expect("2/21")
    child.expect(r"\[3/21\] root: A = maturity 与 / vs  B = market")
    child.expect(PROMPT)
    child.sendline("十分重要")                           # not on the scale: said, asked again
    child.expect("not a judgement")
    child.expect(PROMPT)
    child.sendline("0")
    child.expect("must be positive")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and len(stored(rnd)) == 2
    assert main(["audit", "verify", "-C", str(rnd)]) == 0


def test_complete_node_shows_cr_and_the_judgement_to_revisit(rnd, tmp_path):
    # the root node answered from a file, so the session starts at industrialisation
    f = tmp_path / "root.csv"
    kids = ["maturity", "advancedness", "feasibility", "market", "industrialisation", "risk"]
    f.write_text("node,a,b,value\n" + "".join(f"root,{kids[i]},{kids[j]},1\n" for i in range(6)
                                              for j in range(i + 1, 6)), encoding="utf-8")
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f)]) == 0
    child = spawn(rnd)
    child.expect(r"\[16/21\] industrialisation: A = industry_fit 与 / vs  B = scale_up")
    child.expect(PROMPT)
    child.sendline("3")
    child.expect(PROMPT)
    child.sendline("a 明显重要")                          # scale_up over economic_benefit
    child.expect(PROMPT)
    child.sendline("b5")                                # economic_benefit over industry_fit: circular
    child.expect(r"CR = (\d\.\d+)")
    before = float(child.match.group(1))
    assert before > 0.05
    child.expect("一致性不足 / inconsistent")
    child.expect(r"revisit \((\w+), (\w+)\): (\S+) → (\S+) （修改后 CR (\d\.\d+)")
    a, b, _cur, new, promised = child.match.groups()
    child.expect("revise it now")
    child.sendline("r")                                 # jumps to that judgement
    child.expect(rf"A = {a} 与 / vs  B = {b}")
    child.expect("当前 / current")
    child.expect(PROMPT)
    child.sendline(new)
    child.expect(r"CR = (\d\.\d+)")
    after = float(child.match.group(1))
    assert after == float(promised) < before           # the CR the hint promised
    if child.expect(["revise it now", PROMPT]) == 0:    # still over the threshold: Enter goes on
        child.sendline("")
        child.expect(r"risk: A = tech_risk")
        child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored(rnd)[("industrialisation", a, b)][1] == new
