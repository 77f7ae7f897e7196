"""The top-level guard: an unexpected exception is a bug — one line naming a saved traceback, exit 70."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlr.cli import INTERNAL_ERROR, main

from .conftest import one_line, snapshot

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^内部错误，请报告 / internal error — please report: (.+)$")


@pytest.fixture
def bug(monkeypatch):
    """`tlr rubric schema` hits a bug; TLR_DEBUG is off, as for a user."""
    import tlr.rubric.schema

    def broken():
        raise ValueError("boom: a bug, not the user's input")

    monkeypatch.setattr(tlr.rubric.schema, "rubric_json_schema", broken)
    monkeypatch.delenv("TLR_DEBUG", raising=False)


def _saved(err: str) -> Path:
    match = LINE.match(one_line(err))
    assert match, err
    return Path(match.group(1))


def test_a_bug_is_one_line_exit_70_and_a_traceback_in_the_cache(bug, tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["rubric", "schema"]) == INTERNAL_ERROR == 70
    saved = _saved(capsys.readouterr().err)
    assert saved.parent == cache / "tlr"
    text = saved.read_text("utf-8")
    assert "Traceback" in text and "ValueError: boom" in text and "rubric', 'schema" in text
    assert saved.stat().st_mode & 0o077 == 0                      # private: it may name the user's files
    assert snapshot(work) == {}                                   # nothing in the current folder


def test_without_a_usable_cache_the_traceback_goes_to_the_temp_folder(bug, tmp_path, monkeypatch, capsys):
    import tempfile

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))            # not a folder: cannot hold tlr/
    monkeypatch.setenv("HOME", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["rubric", "schema"]) == 70
    saved = _saved(capsys.readouterr().err)
    assert saved.parent.parent == tmp_path / "tmp" and saved.is_file()


def test_a_relative_cache_setting_is_ignored_never_the_current_folder(bug, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert main(["rubric", "schema"]) == 70
    saved = _saved(capsys.readouterr().err)
    assert saved.parent == tmp_path / "home" / ".cache" / "tlr"
    assert not (tmp_path / "relative-cache").exists()


def test_tlr_debug_reraises_for_developers(bug, monkeypatch):
    monkeypatch.setenv("TLR_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        main(["rubric", "schema"])


def test_user_errors_and_interrupts_are_not_bugs(monkeypatch, tmp_path, capsys):
    import tlr.rubric.schema

    monkeypatch.delenv("TLR_DEBUG", raising=False)
    assert main(["rubric", "check", str(tmp_path / "missing.yaml")]) == 2
    assert "internal error" not in capsys.readouterr().err

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(tlr.rubric.schema, "rubric_json_schema", interrupted)
    assert main(["rubric", "schema"]) == 130


def test_exit_70_is_documented():
    from click.testing import CliRunner

    from tlr.cli import cli

    help_text = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    assert "70 internal error" in help_text
    readme = (ROOT / "README.md").read_text("utf-8")
    assert re.search(r"\b70\b[^.]*(bug|internal error)", readme)
