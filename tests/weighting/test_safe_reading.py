"""`tlr ahp FILE` reads judgement files with the shared limits: exit 2, located, never a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.timing import budget
from tlr.cli import main


def run(capsys, *args):
    start = time.perf_counter()
    rc = main(["ahp", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert time.perf_counter() - start < budget(2)
    return rc, err


@pytest.mark.parametrize("text, line, words", [
    ("labels: [A, B]\nmatrix:\n  - [1, .nan]\n  - [1, 1]\n", 3, "not a finite number: .nan"),
    ("labels: [A, B]\nmatrix:\n  - [1, 3]\n  - [.inf, 1]\n", 4, "not a finite number: .inf"),
    ("labels: [A, B]\njudgements:\n  A: {B: " + "9" * 5000 + "}\n", 3, "number too long"),
    ("labels: [A, \"B\\u202e\"]\njudgements:\n  A: {B: 3}\n", 1, "U+202E"),
    ("labels: [A, B]\njudgements:\n  A: {B: 3}\n  A: {B: 5}\n", 4, "duplicate key 'A'"),
    ("labels: [A, B]\njudgements:\n  A: {C: 3}\n", 3, "unknown item 'C'"),
    ("labels: [A, B]\nmatrix:\n  - [1, 3]\n  - [x, 1]\n", 4, "cannot read judgement 'x'"),
])
def test_hostile_yaml_judgements_are_located(tmp_path: Path, capsys, text, line, words):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    rc, err = run(capsys, path)
    assert rc == 2
    errors = [e for e in err.splitlines() if ": error: " in e]
    assert len(errors) == 1 and words in errors[0]
    assert errors[0].startswith(f"{path}:{line}:")


def test_alias_bomb_in_a_judgement_file(tmp_path: Path, capsys):
    text = "labels: [A, B]\nmatrix: [[1, 1], [1, 1]]\nl0: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        text += f"l{i}: &{'abcdefgh'[i]} [" + ", ".join([f"*{'abcdefgh'[i - 1]}"] * 10) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    rc, err = run(capsys, path)
    assert rc == 2 and "too many aliases" in err


def test_non_regular_and_oversized_files(tmp_path: Path, capsys, monkeypatch):
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        rc, err = run(capsys, fifo)
        assert rc == 2 and "not a regular file" in err
    big = tmp_path / "big.csv"
    big.write_text(",A,B\nA,1,3\nB,1/3,1\n" + "#" * 2000, encoding="utf-8")
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "1k")
    rc, err = run(capsys, big)
    assert rc == 2 and "file too large" in err
