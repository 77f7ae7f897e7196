"""Input files: only regular files are read (a FIFO never opened, /dev/zero and directories refused),
within a size cap; one located line, exit 2, within a second, nothing imported."""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.timing import budget
from tlr.errors import InputFileError
from tlr.inputs import Limits, open_input, read_input

from .readers_support import HEADER, error_lines, new_campaign, run, run_proc, snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


@pytest.fixture
def campaign(tmp_path):
    return new_campaign(tmp_path)


def _fifo(tmp_path):
    path = tmp_path / "projects.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "symlink", "directory-as-answers"])
def test_non_regular_files_refused_within_a_second(campaign, tmp_path, target):
    """In a fresh process: a reader that opened the FIFO would hang until the timeout."""
    if target == "fifo":
        path, args = _fifo(tmp_path), ["projects", "import"]
    elif target == "/dev/zero":
        path, args = "/dev/zero", ["experts", "import"]
    elif target == "symlink":
        path, args = tmp_path / "link.csv", ["projects", "import"]
        os.symlink("/dev/zero", path)
    else:
        path = tmp_path / "answers.csv"
        path.mkdir()
        args = ["score", "--expert", "E01", "--from"]
    before = snapshot(campaign)
    proc = run_proc([*args, path, "--campaign", campaign], timeout=30)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: error: ") and "not a regular file" in lines[0] \
        or "directory" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(campaign) == before


def test_fifo_and_dev_zero_refused_fast_in_process(tmp_path):
    fifo = _fifo(tmp_path)
    for path in (fifo, "/dev/zero", tmp_path):
        started = time.monotonic()
        with pytest.raises(InputFileError) as info:
            read_input(path)
        assert time.monotonic() - started < budget(1)
        assert info.value.code == "not_a_file"


def test_size_cap_from_the_environment(campaign, tmp_path, capsys, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "".join(f"Q{k},名称{k},单位,钢铁\n" for k in range(200)), encoding="utf-8")
    assert path.stat().st_size > 2048
    monkeypatch.setenv("TLR_MAX_INPUT_MB", str(2048 / 1024 / 1024))
    before = snapshot(campaign)
    code, _out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"{path}: error: ") and "TLR_MAX_INPUT_MB" in line
    assert snapshot(campaign) == before
    monkeypatch.setenv("TLR_MAX_INPUT_MB", "1")
    assert run(["projects", "import", path, "--campaign", campaign], capsys)[0] == 0


@pytest.mark.parametrize("value", ["0", "-1", "lots", "nan"])
def test_bad_limit_values_are_a_usage_error(campaign, tmp_path, capsys, monkeypatch, value):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "Q1,n,a,钢铁\n", encoding="utf-8")
    monkeypatch.setenv("TLR_MAX_INPUT_MB", value)
    code, _out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 2 and "TLR_MAX_INPUT_MB" in err


def test_defaults_are_generous():
    limits = Limits()
    assert limits.max_input_mb == 512 and limits.max_xlsx_mb == 512 and limits.max_rows == 1_048_576


def test_file_replaced_after_the_check_is_checked_again(tmp_path, monkeypatch):
    """The opened file itself is checked (fstat): swapping in a FIFO between stat and open is no way round."""
    import tlr.inputs as inputs

    regular = tmp_path / "p.csv"
    regular.write_text("id\n")
    fifo = _fifo(tmp_path)
    real_open = os.open

    def swapped_open(path, flags, *args):
        return real_open(fifo, flags, *args)           # O_NONBLOCK: opening the FIFO itself cannot hang

    monkeypatch.setattr(inputs.os, "open", swapped_open)
    with pytest.raises(InputFileError) as info:
        open_input(regular)
    assert info.value.code == "not_a_file"


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_input(tmp_path / "nope.csv")
    assert info.value.code == "not_found"


def test_yaml_documents_are_read_by_the_same_reader_with_their_own_cap(tmp_path, monkeypatch):
    """Rubrics and ladders (tlr.yamlio) go through tlr.inputs: the same refusals, but their own cap and setting."""
    from tlr.yamlio import read_bytes

    fifo = _fifo(tmp_path)
    for path in (fifo, tmp_path, tmp_path / "nope.yaml", ""):
        with pytest.raises(InputFileError) as yaml_error:
            read_bytes(path)
        with pytest.raises(InputFileError) as data_error:
            read_input(path)
        assert yaml_error.value.format() == data_error.value.format()
        assert yaml_error.value.code == data_error.value.code
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 3000)
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "1k")
    monkeypatch.setenv("TLR_MAX_INPUT_MB", "1")
    with pytest.raises(InputFileError) as info:
        read_bytes(big)
    assert info.value.code == "too_large" and "3,000 bytes (limit 1,024 bytes)" in info.value.message
    assert "TLR_MAX_FILE_SIZE" in info.value.hint and "TLR_MAX_INPUT_MB" not in info.value.hint
    assert read_input(big) == b"#" * 3000
    monkeypatch.setenv("TLR_MAX_INPUT_MB", str(1024 / 1024 / 1024))
    with pytest.raises(InputFileError) as info:
        read_input(big)
    assert "TLR_MAX_INPUT_MB" in info.value.hint and "TLR_MAX_FILE_SIZE" not in info.value.hint
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "3000")
    assert read_bytes(big) == b"#" * 3000
