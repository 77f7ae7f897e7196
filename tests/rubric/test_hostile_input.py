"""Hostile rubric files: refused with exit 2 and located lines, quickly, never a traceback.

Locations are computed from the text each test writes (the line it put the bad value on), not
taken from the tool's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.timing import budget
from tlr.cli import main
from tlr.rubric import check_rubric, load_rubric
from tlr.yamlio import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_NODES,
    load_yaml,
    max_file_bytes,
    read_bytes,
)

MINI = ('id: mini\nversion: "1"\ntitle: Mini\n'
        "scales:\n  l5: {kind: likert, min: 1, max: 5, anchors: {1: low, 5: high}}\n"
        "dimensions:\n"
        "  - id: a\n    label: A\n    weight: 0.5\n    children: [{id: a1, label: A1, scale: l5}]\n"
        "  - id: b\n    label: B\n    weight: 0.5\n    children: [{id: b1, label: B1, scale: l5}]\n")


def _run(capsys, path: Path) -> tuple[int, list[str], float]:
    start = time.perf_counter()
    code = main(["rubric", "check", str(path)])
    elapsed = time.perf_counter() - start
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, [line for line in captured.err.splitlines() if ": error: " in line], elapsed


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old, new, needle", [
    ("weight: 0.5\n    children: [{id: a1", "weight: .nan\n    children: [{id: a1", ".nan"),
    ("weight: 0.5\n    children: [{id: a1", "weight: .inf\n    children: [{id: a1", ".inf"),
    ("weight: 0.5\n    children: [{id: a1", "weight: -.inf\n    children: [{id: a1", "-.inf"),
    ("weight: 0.5\n    children: [{id: a1", "weight: 1.0e+400\n    children: [{id: a1", "1.0e+400"),
    ("weight: 0.5\n    children: [{id: a1", "weight: 9" + "0" * 4999 + "\n    children: [{id: a1", "9000"),
    ("weight: 0.5\n    children: [{id: a1", "weight: 10000000000000000\n    children: [{id: a1", "1000"),
    ("weight: 0.5\n    children: [{id: a1", "weight: 'nan'\n    children: [{id: a1", "'nan'"),
    ("max: 5", "max: .nan", ".nan"),
    ("min: 1,", "min: -" + "9" * 5000 + ",", "-999"),
    ("anchors: {1: low", "anchors: {.nan: low", ".nan"),
    ("anchors: {1: low", "anchors: {-.inf: low", "-.inf"),
    ("label: A1", 'label: "A\\0one"', '"A'),
    ("label: A1", 'label: "A\\x85one"', '"A'),
    ("label: A1", 'label: "A\\x7f"', '"A'),
    ("label: A1", 'label: "A\\u2067x"', '"A'),
    ("label: A1", 'label: "A\\r"', '"A'),
    ("label: B\n", 'label: {zh: 乙, en: "B\\u202d"}\n', '"B'),
])
def test_a_hostile_value_is_one_located_error(tmp_path: Path, capsys, old: str, new: str, needle: str):
    text = MINI.replace(old, new, 1)
    assert text != MINI
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    code, errors, elapsed = _run(capsys, path)
    assert code == 2
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}:{_line_of(text, needle)}:")
    assert elapsed < budget(2)


def test_newline_and_tab_are_allowed_in_text(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text(MINI.replace("label: A\n", "label: A\n    description: |\n      line one\n      \tline two\n"),
                    encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.document.dimensions[0].description == "line one\n\tline two\n"


def test_alias_bomb_is_refused_fast_and_located_at_its_use(tmp_path: Path, capsys):
    text = MINI + "lol: &a [x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for name in "bcdefghijk":
        text += f"lol{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    code, errors, elapsed = _run(capsys, path)
    assert code == 2 and len(errors) == 1 and "alias" in errors[0]
    # 10 values per *a; 91 per *b; 820 per *c; 7,381 per *d: the 10,000th expanded value is under lole
    assert errors[0].startswith(f"{path}:{_line_of(text, 'lole:')}:")
    assert elapsed < budget(1)


def test_many_aliases_of_scalars_are_bounded_too(tmp_path: Path):
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * (MAX_ALIAS_NODES + 5)) + "]\n"
    with pytest.raises(Exception) as info:
        load_yaml(tmp_path / "x.yaml", text)
    assert "too many aliases" in info.value.format()


def test_a_flat_list_beyond_the_node_limit_is_refused_quickly(tmp_path: Path):
    text = "a: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n"
    start = time.perf_counter()
    with pytest.raises(Exception) as info:
        load_yaml(tmp_path / "x.yaml", text)
    assert time.perf_counter() - start < budget(2)
    assert "document too large" in info.value.format()
    assert info.value.diagnostics[0].location.line == 1


def test_nesting_beyond_the_limit_is_refused_at_its_line(tmp_path: Path):
    text = "".join("  " * i + "- \n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(Exception) as info:
        load_yaml(tmp_path / "x.yaml", text)
    assert "nesting deeper than" in info.value.format()
    assert info.value.diagnostics[0].location.line == MAX_DEPTH + 1  # line k starts the list at depth k


def _tree(levels: int) -> str:
    text = 'id: deep\nversion: "1"\ntitle: Deep\nscales: {l5: {kind: likert}}\ndimensions:\n'
    for i in range(levels):
        indent = "  " * (i + 1)
        text += f"{indent}- id: d{i + 1}\n{indent}  label: D{i + 1}\n{indent}  children:\n"
    return text + "  " * (levels + 1) + "- {id: leaf, label: Leaf, scale: l5}\n"


def test_a_tree_of_32_levels_is_valid_and_33_is_refused(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text(_tree(31), encoding="utf-8")  # 31 dimensions + the leaf = 32 levels
    rubric = load_rubric(path)
    assert max(n.depth for n in rubric.nodes) - min(n.depth for n in rubric.nodes) == 31
    path.write_text(_tree(32), encoding="utf-8")
    result = check_rubric(path)
    assert [d.code for d in result.errors] == ["tree_too_deep"]
    assert result.errors[0].location.line == _tree(32).count("\n")  # the leaf, on the last line


def test_devices_fifos_and_directories_are_refused_without_reading(tmp_path: Path, capsys):
    paths = []
    if os.path.exists("/dev/zero"):
        paths.append("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        paths.append(str(fifo))
    if not paths:
        pytest.skip("no device or FIFO on this platform")
    start = time.perf_counter()
    code = main(["rubric", "check", *paths])
    err = capsys.readouterr().err
    assert time.perf_counter() - start < budget(2)
    assert code == 2
    assert err.count("not a regular file") == len(paths)


def test_a_fifo_given_to_extends_is_refused(tmp_path: Path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    os.mkfifo(tmp_path / "base.yaml")
    (tmp_path / "v.yaml").write_text('extends: base.yaml\nid: v\nversion: "1"\n', encoding="utf-8")
    result = check_rubric(tmp_path / "v.yaml")
    assert [(d.location.line, d.code) for d in result.errors] == [(1, "extends_missing")]
    assert "extends: not a regular file" in result.errors[0].message


def test_size_limit_default_and_environment(tmp_path: Path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\nid: x\n")
    monkeypatch.delenv("TLR_MAX_FILE_SIZE", raising=False)
    assert max_file_bytes() == 5 * 1024 * 1024
    result = check_rubric(path)
    assert [d.code for d in result.errors] == ["too_large"]
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "6MB")
    assert max_file_bytes() == 6 * 1024 * 1024
    assert "too_large" not in [d.code for d in check_rubric(path).errors]
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "100")
    with pytest.raises(Exception) as info:
        read_bytes(tmp_path / "big.yaml")
    assert "100 bytes" in info.value.format()
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "lots")
    assert main(["rubric", "check", str(path)]) == 2


def test_dev_zero_through_a_real_process_exits_2_quickly():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tlr", "rubric", "check", "/dev/zero"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not a regular file" in proc.stderr
    assert time.perf_counter() - start < budget(10)


@pytest.mark.parametrize("value", ["'1e999999999'", "'1/1e999'", "'" + "9" * 5000 + "/1'"])
def test_a_hostile_fraction_in_ahp_judgements_is_refused_fast(tmp_path: Path, value: str):
    text = MINI.replace("dimensions:\n", f"ahp:\n  judgements: [[a, b, {value}]]\ndimensions:\n", 1)
    text = text.replace("    weight: 0.5\n", "")
    path = tmp_path / "frac.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    result = check_rubric(path)
    assert time.perf_counter() - start < budget(2)
    assert [(d.location.line, d.code) for d in result.errors] == [(_line_of(text, value), "value_error")]
