"""Concurrent writers and crashes: every confirmed answer survives, no 'database is locked'."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tlr.campaign import open_campaign, verify_audit

from .conftest import make_full_panel

pytestmark = pytest.mark.slow  # eight processes writing at once

WRITER = r"""
import sys
from tlr.campaign import open_campaign, record_score
from tlr.campaign.scoring import expert_items
values = {"novelty": "4", "trl": "3", "market_size": "12.5", "team": "是"}
led = open_campaign(sys.argv[1])
expert = sys.argv[2]
limit = int(sys.argv[3])
for k, item in enumerate(expert_items(led, expert)[:limit]):
    record_score(led, expert, item.project["id"], item.indicator.id, values[item.indicator.id])
    print(item.project["id"], item.indicator.id, flush=True)
"""

N_PROC = 8
N_ANSWERS = 100  # the benchmark runs 8 x 500


def test_eight_concurrent_writers(tmp_path, rubric):
    led = make_full_panel(tmp_path / "c", rubric, N_ANSWERS // 4, N_PROC)
    path = str(led.path.parent)
    led.close()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, path, f"E{k:02d}", str(N_ANSWERS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for k in range(N_PROC)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "locked" not in err and "busy" not in err
        assert len(out.splitlines()) == N_ANSWERS
    led = open_campaign(path)
    assert led.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == N_PROC * N_ANSWERS
    per = dict(led.conn.execute("SELECT expert_id, count(*) FROM scores GROUP BY expert_id").fetchall())
    assert set(per.values()) == {N_ANSWERS}
    report = verify_audit(led)
    assert report.ok, report.problems
    assert report.entries == 4 + N_PROC * N_ANSWERS
    led.close()


def test_sigkill_keeps_every_confirmed_answer(tmp_path, rubric):
    led = make_full_panel(tmp_path / "c", rubric, 50, 2)
    path = str(led.path.parent)
    led.close()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rng = random.Random(7)
    confirmed: set[tuple[str, str]] = set()
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-u", "-c", WRITER, path, "E00", "200"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, env=env)
        # wait for a few confirmations, then kill at a random moment
        lines = []
        deadline = time.monotonic() + 30
        target = rng.randint(3, 40)
        while len(lines) < target and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        time.sleep(rng.random() * 0.01)
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        for line in lines + rest.splitlines(keepends=True):
            if line.endswith("\n") and line.strip():  # a line cut by the kill is ignored
                p, i = line.split()
                confirmed.add((p, i))
    led = open_campaign(path)
    stored = {(p, i) for p, i in led.conn.execute("SELECT project_id, indicator_id FROM scores")}
    assert confirmed and confirmed <= stored
    assert verify_audit(led).ok
    led.close()
