"""Helpers shared by the test_readers_* tests: a campaign, a snapshot of the ledger, running the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from ..campaign.support import ledger_rows as snapshot  # noqa: F401  (every table's rows, the audit head)
from ..campaign.support import new_round

HEADER = "id,name,applicant,industry\n"


def new_campaign(tmp_path: Path, *, with_data: bool = True) -> Path:
    """A campaign directory (mini rubric); with the fixture projects, experts and assignments."""
    new_round(tmp_path / "round", name="safety round", with_data=with_data).close()
    return tmp_path / "round"


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
