"""Fixtures shared by every test folder."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo(tmp_path_factory, worker_id) -> Path:
    """`tlr demo` run once per test run (about 20 s): the bundled rounds, ledgers, ranking and reports.

    Under pytest-xdist the workers share one run: the first to take the lock builds it in the run's common
    temporary folder, the others wait and read it. Tests treat it as read-only (they copy what they change).
    """
    from tlr.cli import main

    if worker_id == "master":
        out = tmp_path_factory.mktemp("demo") / "out"
        assert main(["demo", "--out", str(out), "--draws", "500"]) == 0
        return out
    shared = tmp_path_factory.getbasetemp().parent
    out, done = shared / "demo-shared" / "out", shared / "demo-shared.done"
    with open(shared / "demo-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                out.parent.mkdir(exist_ok=True)
                assert main(["demo", "--out", str(out), "--draws", "500"]) == 0
                done.write_text("ok\n")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return out
