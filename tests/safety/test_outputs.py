"""The manifest of written files, clearing a folder, the preflight checks and OSError -> one line."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

import tlr.outputs as outputs
from tlr.outputs import (MANIFEST, OutputError, check_file, check_folder, clear_folder, io_error, make_folder,
                         owned_by_tlr, record_ledger, write_file)

from .conftest import snapshot


def _tlr_ledger(path: Path) -> None:
    """A SQLite file with tlr's application id (what the campaign ledger is)."""
    from tlr.campaign.schema import APPLICATION_ID

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()


def _previous_output(out: Path) -> None:
    """What a demo leaves: files, a sub-folder tlr made, a ledger with its sidecars."""
    make_folder(out)
    write_file(out / "ranking.json", '{"a": 1}\n')
    reports = make_folder(out / "reports")
    write_file(reports / "report.html", "<html>")
    campaign = make_folder(out / "round")
    _tlr_ledger(campaign / "campaign.sqlite")
    record_ledger(campaign / "campaign.sqlite")


# ------------------------------------------------------------------------------------- manifest


def test_the_manifest_records_the_bytes_actually_on_disk(tmp_path):
    write_file(tmp_path / "a.csv", b"x,y\n1,2\n")
    doc = json.loads((tmp_path / MANIFEST).read_text("utf-8"))
    assert doc["files"]["a.csv"]["sha256"] == hashlib.sha256((tmp_path / "a.csv").read_bytes()).hexdigest()
    assert doc["files"]["a.csv"]["bytes"] == 8
    assert owned_by_tlr(tmp_path / "a.csv")


def test_a_file_tlr_did_not_write_is_never_overwritten(tmp_path):
    (tmp_path / "scores.csv").write_bytes(b"mine")
    with pytest.raises(OutputError) as exc:
        write_file(tmp_path / "scores.csv", b"tlr")
    assert exc.value.code == "foreign_file" and exc.value.exit_code == 2
    assert (tmp_path / "scores.csv").read_bytes() == b"mine"


def test_tlr_replaces_its_own_file_but_not_once_someone_changed_it(tmp_path):
    target = tmp_path / "scores.csv"
    write_file(target, b"v1")
    write_file(target, b"v2")                      # its own, unchanged: replaced
    assert target.read_bytes() == b"v2"
    target.write_bytes(b"v2 + the secretary's notes")
    with pytest.raises(OutputError):
        write_file(target, b"v3")
    assert target.read_bytes() == b"v2 + the secretary's notes"


def test_a_symlink_or_a_pipe_is_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "report.html")
    with pytest.raises(OutputError):
        write_file(out / "report.html", b"x")
    assert victim.read_bytes() == b"precious" and (out / "report.html").is_symlink()
    os.mkfifo(out / "pipe.csv")
    with pytest.raises(OutputError):
        write_file(out / "pipe.csv", b"x")


def test_a_damaged_manifest_is_refused_not_overwritten(tmp_path):
    (tmp_path / MANIFEST).write_bytes(b"not json")
    with pytest.raises(OutputError) as exc:
        write_file(tmp_path / "a.csv", b"x")
    assert exc.value.code == "bad_manifest"
    assert (tmp_path / MANIFEST).read_bytes() == b"not json" and not (tmp_path / "a.csv").exists()


# ------------------------------------------------------------------------------------- clearing


def test_clear_removes_only_what_tlr_wrote(tmp_path):
    out = tmp_path / "out"
    _previous_output(out)
    (out / "round" / "campaign.sqlite-wal").write_bytes(b"wal")   # sidecars tlr's SQLite keeps changing
    (out / "round" / "campaign.sqlite-shm").write_bytes(b"shm")
    _tlr_ledger(out / "round" / "campaign.sqlite")                 # the ledger changed since: still tlr's
    clear_folder(out)
    assert snapshot(out) == {MANIFEST: (out / MANIFEST).read_bytes()}
    doc = json.loads((out / MANIFEST).read_text("utf-8"))
    assert doc["created"] is True and doc["files"] == {}  # the folder tlr made is kept, now empty


@pytest.mark.parametrize("intrude", [
    lambda out: (out / "important.txt").write_text("keep"),
    lambda out: (out / "reports" / "notes.md").write_text("keep"),
    lambda out: (out / "ranking.json").write_text("edited by hand"),
    lambda out: (out / "round" / "campaign.sqlite").write_bytes(b"a different file under the ledger's name"),
    lambda out: os.symlink("/etc/passwd", out / "reports" / "link"),
    lambda out: (out / "sub" / "deep").mkdir(parents=True) or (out / "sub" / "deep" / "x").write_text("keep"),
    lambda out: (out / "reports" / MANIFEST).write_text("{}"),
])
def test_clear_refuses_and_leaves_every_byte_when_anything_else_is_there(tmp_path, intrude):
    out = tmp_path / "out"
    _previous_output(out)
    intrude(out)
    before = snapshot(out)
    with pytest.raises(OutputError) as exc:
        clear_folder(out)
    assert exc.value.code == "foreign_files" and "nothing was deleted" in exc.value.message
    assert snapshot(out) == before


def test_the_refusal_names_the_first_few_and_counts_them(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _previous_output(out)
    for k in range(12):
        (out / f"user-{k:02d}.txt").write_text("keep")
    with pytest.raises(OutputError) as exc:
        clear_folder(out)
    message = exc.value.message
    assert "user-00.txt, user-01.txt, user-02.txt, user-03.txt, user-04.txt" in message
    assert "user-05.txt" not in message and "12 in all" in message
    monkeypatch.setattr(outputs, "SURVEY_LIMIT", 4)         # a huge folder (`--out ~`) is not walked to the end
    with pytest.raises(OutputError) as exc:
        clear_folder(out)
    assert "4+" in exc.value.message


def test_a_folder_tlr_did_not_create_is_kept_even_when_emptied(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    keep = out / "made-by-user"
    keep.mkdir()
    write_file(keep / "report.html", "x")
    clear_folder(out)
    assert keep.is_dir() and list(keep.iterdir()) == [] and list(out.iterdir()) == [keep]


# ------------------------------------------------------------------------------------- preflight


@pytest.mark.parametrize("target", ["/proc/x", "/proc/self/fd", "/sys/x", "/dev/full", "/dev/null", "/dev/x"])
def test_system_places_are_never_output_targets(target):
    with pytest.raises(OutputError):
        check_folder(target)
    with pytest.raises(OutputError):
        check_file(target)
    with pytest.raises(OutputError):
        write_file(target, b"x")


def test_folder_and_file_targets(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(OutputError, match="a folder is expected"):
        check_folder(a_file)
    with pytest.raises(OutputError, match="is a file"):
        check_folder(a_file / "below")
    with pytest.raises(OutputError, match="a file name is expected"):
        check_file(tmp_path)
    with pytest.raises(OutputError, match="folder does not exist"):
        check_file(tmp_path / "missing" / "dir" / "x.csv")
    with pytest.raises(OutputError, match="was not written by tlr"):
        check_file(a_file)
    with pytest.raises(OutputError, match="was not written by tlr"):
        check_folder(tmp_path, names=["a-file"])
    assert check_folder(tmp_path / "new" / "deep") == tmp_path / "new" / "deep"
    assert not (tmp_path / "new").exists()                       # a check creates nothing
    assert check_file(tmp_path / "fresh.csv") == tmp_path / "fresh.csv"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (see test_regressions)")
def test_read_only_folder_is_refused_before_work(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError):
            check_folder(ro)
        with pytest.raises(OutputError):
            check_file(ro / "x.csv")
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT,
                                  errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EFBIG, errno.EIO, errno.EXDEV])
def test_every_os_error_becomes_one_located_line(code, tmp_path, monkeypatch):
    def fail(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(outputs, "atomic_write_bytes", fail)
    with pytest.raises(OutputError) as exc:
        write_file(tmp_path / "x.csv", b"x")
    error = exc.value
    assert error.exit_code == 2 and error.location.file == str(tmp_path / "x.csv")
    assert len(error.format().splitlines()) == 1
    assert io_error(OSError(code, "x"), "p").format().startswith("p: error: ")
