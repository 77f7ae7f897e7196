"""Every file in broken/ is an invalid rubric whose first line says where the error is and what it says.

Header format: ``# expect: [@OTHER_FILE ]LINE[:COLUMN]: MESSAGE SUBSTRING``.
The location was read off the file by hand, not from the tool's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlr.cli import main
from tlr.rubric import check_rubric

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))
HEADER = re.compile(rb"^# expect: (?:@(?P<file>\S+) )?(?P<line>\d+)(?::(?P<col>\d+))?: (?P<msg>.+)$")


def _expectation(path: Path):
    first = path.read_bytes().split(b"\n", 1)[0]
    match = HEADER.match(first)
    assert match, f"{path.name}: first line must be '# expect: LINE:COL: message'"
    file = match["file"].decode() if match["file"] else path.name
    col = int(match["col"]) if match["col"] else None
    return file, int(match["line"]), col, match["msg"].decode()


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_rubric_is_reported_at_its_location(path: Path):
    file, line, col, message = _expectation(path)
    result = check_rubric(path)
    assert not result.ok
    assert result.rubric is None
    found = [
        d for d in result.errors
        if d.location.file and Path(d.location.file).name == file and d.location.line == line
        and (col is None or d.location.column == col) and message in d.message + (f" — {d.hint}" if d.hint else "")
    ]
    assert found, "expected {}:{}:{} '{}', got:\n{}".format(
        file, line, col, message, "\n".join(d.format() for d in result.diagnostics))


@pytest.mark.parametrize("path", CASES[:8], ids=[p.stem for p in CASES[:8]])
def test_cli_exits_2_with_one_line_per_error_and_no_traceback(path: Path, capsys):
    code = main(["rubric", "check", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert errors and all(line.count(":") >= 2 for line in errors)


def test_all_errors_reported_at_once(tmp_path: Path):
    bad = tmp_path / "many.yaml"
    bad.write_text(
        "id: many\nversion: '1'\ntitle: Many\n"
        "scales: {l5: {kind: likert, min: 1, max: 5}}\n"
        "dimensions:\n"
        "  - {id: a, label: A, weight: 0.7, children: [{id: a1, label: A1, scale: l6}]}\n"
        "  - {id: b, label: B, weight: -0.1, children: []}\n",
        encoding="utf-8",
    )
    result = check_rubric(bad)
    codes = {d.code for d in result.errors}
    assert {"unknown_scale", "empty_dimension", "weight_negative"} <= codes
