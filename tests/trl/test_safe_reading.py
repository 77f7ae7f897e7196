"""Assessment documents and ladders are read with the same limits as rubrics; every problem located.

Each test writes the hostile text itself and computes the expected line from it.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
import yaml

from tests.timing import budget
from tlr.cli import main
from tlr.errors import TlrError
from tlr.trl.errors import AssessmentFileError
from tlr.trl.ladders import load_ladder
from tlr.trl.store import load_assessment

from .conftest import EXAMPLES


@pytest.fixture
def example(tmp_path):
    dest = tmp_path / "ex"
    shutil.copytree(EXAMPLES, dest)
    return dest


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _as_json(example) -> str:
    data = yaml.safe_load((example / "assessment.yaml").read_text(encoding="utf-8"))
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


HOSTILE_YAML = [
    ("baseline: 3", "baseline: .nan", "not_finite"),
    ("baseline: 3", "baseline: -.inf", "not_finite"),
    ("baseline: 3", "baseline: " + "7" * 5000, "number_range"),
    ("zh: 压电声学传感阵列", 'zh: "压电\\0声学"', "control_char"),
    ("zh: 压电声学传感阵列", 'zh: "压电\\u202e声学"', "bidi_char"),
]
HOSTILE_JSON = [   # strict JSON: no NaN or Infinity, no duplicate keys
    ('"baseline": 3', '"baseline": NaN', "not_finite"),
    ('"baseline": 3', '"baseline": -Infinity', "not_finite"),
    ('"baseline": 3', '"baseline": 1e999', "not_finite"),
    ('"baseline": 3', '"baseline": ' + "7" * 5000, "number_range"),
    ('"baseline": 3', '"baseline": 3, "baseline": 4', "duplicate_key"),
    ('"baseline": 3', '"baseline": 3, "note": "a\\u0007b"', "control_char"),
]


@pytest.mark.parametrize("suffix, old, new, code", [("yaml", *c) for c in HOSTILE_YAML]
                         + [("json", *c) for c in HOSTILE_JSON])
def test_hostile_values_are_located(example, suffix, old, new, code):
    text = (example / "assessment.yaml").read_text(encoding="utf-8") if suffix == "yaml" else _as_json(example)
    assert old in text
    text = text.replace(old, new, 1)
    path = example / f"assessment.{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssessmentFileError) as info:
        load_assessment(path)
    [diag] = info.value.diagnostics
    assert diag.code == code
    assert diag.location.line == _line_of(text, new)


def test_json_round_trip_still_loads(example):
    path = example / "assessment.json"
    path.write_text(_as_json(example), encoding="utf-8")
    assert load_assessment(path).ctes[0].baseline == 3


def test_deep_or_huge_json_is_refused_quickly(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"ctes":\n' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    wide = tmp_path / "wide.json"
    wide.write_text('{"ctes": [' + ",".join(["1"] * 300_000) + "]}", encoding="utf-8")
    for path, words in ((deep, "nesting deeper"), (wide, "document too large")):
        start = time.perf_counter()
        with pytest.raises(AssessmentFileError) as info:
            load_assessment(path)
        assert time.perf_counter() - start < budget(2)
        assert words in info.value.format()
    with pytest.raises(AssessmentFileError) as info:
        load_assessment(deep)
    assert info.value.diagnostics[0].location.line == 2


def test_every_schema_error_is_listed_with_its_line(tmp_path):
    text = "ctes:\n  - id: a\n    name: A\n    answers:\n      trl1.q1: 150\n      trl1.q2: 170\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssessmentFileError) as info:
        load_assessment(path)
    assert sorted(d.location.line for d in info.value.diagnostics) == [5, 6]


def test_cli_trl_show_refuses_a_fifo_and_nan(example, capsys, tmp_path):
    path = example / "assessment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("baseline: 3", "baseline: .nan"), encoding="utf-8")
    assert main(["trl", "show", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "not a finite number" in err
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        assert main(["trl", "show", str(fifo)]) == 2
        assert "not a regular file" in capsys.readouterr().err


def test_a_ladder_file_with_a_bidi_character_is_refused(tmp_path):
    text = ("id: lad\nversion: '1'\nkind: scale_library\ntitle: L\nscales:\n  trl:\n    kind: levels\n"
            "    levels:\n      - {level: 1, label: one}\n      - {level: 2, label: \"t\\u202ewo\"}\n")
    path = tmp_path / "lad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TlrError) as info:
        load_ladder(str(path))
    lines = info.value.format().splitlines()
    assert any(line.startswith(f"{path}:10:") and "U+202E" in line for line in lines)
