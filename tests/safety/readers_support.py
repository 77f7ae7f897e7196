"""Helpers shared by the test_readers_* tests: a campaign, a snapshot of the ledger, running the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "campaign" / "fixtures"
RUBRIC = FIXTURES / "mini-rubric.yaml"
HEADER = "id,name,applicant,industry\n"


def new_campaign(tmp_path: Path, *, with_data: bool = True) -> Path:
    """A campaign directory (mini rubric); with the fixture projects, experts and assignments."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    directory = tmp_path / "round"
    with init_campaign(directory, load_rubric(RUBRIC), name="safety round") as led:
        if with_data:
            import_projects(led, FIXTURES / "projects.csv")
            import_experts(led, FIXTURES / "experts.csv")
            assign_experts(led, 3, seed=1)
    return directory


def snapshot(campaign: Path) -> dict:
    """Every table's rows and the audit head (``SELECT max(seq), hash FROM audit``), read directly."""
    conn = sqlite3.connect(f"file:{campaign / 'campaign.sqlite'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        snap = {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        snap["_audit_head"] = conn.execute("SELECT max(seq), hash FROM audit").fetchone()
        return snap
    finally:
        conn.close()


def run(args, capsys) -> tuple[int, str, str]:
    """``tlr ARGS`` in this process: (exit code, stdout, stderr)."""
    from tlr.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_proc(args, *, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """``tlr ARGS`` in a fresh process (for files that could hang a reader)."""
    return subprocess.run([sys.executable, "-m", "tlr", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def error_lines(err: str) -> list[str]:
    """The diagnostic lines of stderr (``file: ... error: ...``)."""
    return [line for line in err.splitlines() if ": error: " in line]


def rewrite_zip(src: Path, dst: Path, change) -> Path:
    """Copy an XLSX (zip), passing every member's bytes through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return dst
