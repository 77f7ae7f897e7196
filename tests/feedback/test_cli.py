"""``tlr feedback``: exit codes, --json, --projects, output safety and the audit gate."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import pytest

from .conftest import KNOCKED_OUT, expected, project

FAST = ["--draws", "200", "--format", "html"]


def run(args, capsys) -> tuple[int, str, str]:
    from tlr.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_the_letters_with_their_hashes(round_dir, tmp_path, capsys):
    out = tmp_path / "letters"
    ids = [project(k)["id"] for k in (4, 0, KNOCKED_OUT)]
    code, stdout, stderr = run(["feedback", round_dir, "--out", out, "--projects", ",".join(ids), "--json", *FAST],
                               capsys)
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert [x["project"] for x in doc["letters"]] == [project(k)["id"] for k in (0, 4, KNOCKED_OUT)]  # rank order
    assert [x["tier"] for x in doc["letters"]] == [expected(k)["tier"] for k in (0, 4, KNOCKED_OUT)]
    manifest = json.loads((out / ".tlr-manifest.json").read_text(encoding="utf-8"))["files"]
    for item in doc["letters"]:
        (f,) = item["files"]
        path = out / f"feedback-{item['project']}.html"
        assert f["path"] == str(path) and f["format"] == "html"
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == manifest[path.name]["sha256"]
    assert sorted(p.name for p in out.iterdir()) == sorted([".tlr-manifest.json"] + [f"feedback-{i}.html" for i in ids])
    assert doc["audit"]["verified"] is True


def test_campaign_option_and_environment(round_dir, tmp_path, capsys, monkeypatch):
    pid = project(2)["id"]
    code, stdout, stderr = run(["feedback", "-C", round_dir, "--out", tmp_path / "a", "--projects", pid, *FAST], capsys)
    assert code == 0, stderr
    assert f"feedback-{pid}.html" in stdout and "1 letter(s)" in stdout
    monkeypatch.setenv("TLR_CAMPAIGN", str(round_dir))
    code, _, stderr = run(["feedback", "--out", tmp_path / "b", "--projects", pid, *FAST], capsys)
    assert code == 0, stderr
    assert (tmp_path / "b" / f"feedback-{pid}.html").read_bytes() == (tmp_path / "a" / f"feedback-{pid}.html").read_bytes()


def test_unknown_project_is_one_located_line(round_dir, tmp_path, capsys):
    out = tmp_path / "letters"
    code, stdout, stderr = run(["feedback", round_dir, "--out", out, "--projects",
                                f"{project(1)['id']},NOPE42", *FAST], capsys)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "--projects #2" in lines[0] and "NOPE42" in lines[0]
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists()  # nothing written
    code, _, stderr = run(["feedback", round_dir, "--out", out, "--projects", ",", *FAST], capsys)
    assert code == 2 and "--projects" in stderr


@pytest.mark.slow
def test_never_replaces_a_file_it_did_not_write(round_dir, tmp_path, capsys):
    pid = project(3)["id"]
    out = tmp_path / "letters"
    out.mkdir()
    mine = out / f"feedback-{pid}.html"
    mine.write_text("my own notes", encoding="utf-8")
    code, _, stderr = run(["feedback", round_dir, "--out", out, "--projects", pid, *FAST], capsys)
    assert code == 2 and str(mine) in stderr
    assert mine.read_text(encoding="utf-8") == "my own notes"
    mine.unlink()
    assert run(["feedback", round_dir, "--out", out, "--projects", pid, *FAST], capsys)[0] == 0
    assert run(["feedback", round_dir, "--out", out, "--projects", pid, *FAST], capsys)[0] == 0  # its own: replaced
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, stderr = run(["feedback", round_dir, "--out", blocker, *FAST], capsys)
    assert code == 2 and "--out" in stderr


@pytest.mark.slow
def test_failed_audit_refuses_or_stamps_every_letter(round_dir, tmp_path, capsys):
    copy = tmp_path / "round"
    shutil.copytree(round_dir, copy)
    with sqlite3.connect(copy / "campaign.sqlite") as conn:  # an edit behind the tool's back
        conn.execute("UPDATE scores SET value = 5, raw = '5' WHERE project_id = ? AND indicator_id = 'novelty'",
                     (project(5)["id"],))
    pid = project(5)["id"]
    out = tmp_path / "letters"
    code, _, stderr = run(["feedback", copy, "--out", out, "--projects", pid, *FAST], capsys)
    assert code == 2 and "audit" in stderr and not out.exists()
    for lang, stamp in (("zh", "审计未通过 / AUDIT FAILED"), ("en", "audit failed / 审计未通过")):
        code, stdout, stderr = run(["feedback", copy, "--out", out / lang, "--projects", pid, "--allow-unverified",
                                    "--lang", lang, "--json", *FAST], capsys)
        assert code == 0, stderr
        assert json.loads(stdout)["audit"]["verified"] is False
        text = (out / lang / f"feedback-{pid}.html").read_text(encoding="utf-8")
        assert stamp in text


def test_help_is_bilingual_with_an_example(capsys):
    code, stdout, _ = run(["feedback", "--help"], capsys)
    assert code == 0
    for text in ("反馈函 / Feedback letters", "Example / 示例", "tlr feedback", "--projects", "--allow-unverified",
                 "-C, --campaign"):
        assert text in stdout
    code, stdout, _ = run(["--help"], capsys)
    assert "\n  feedback " in stdout and stdout.index("\n  feedback ") < stdout.index("\n  demo ")
