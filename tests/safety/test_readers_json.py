"""JSON is parsed strictly: NaN/Infinity, duplicate keys, objects and nested arrays where a value is
expected, deep nesting and lone surrogates are refused with item and field; booleans and null deliberately."""

from __future__ import annotations

import json
import time

import pytest

from tests.timing import budget
from tlr.campaign import open_campaign
from tlr.campaign.tables import read_table
from tlr.errors import InputFileError, ValidationError

from .readers_support import error_lines, new_campaign, run, snapshot

GOOD = {"id": "Q1", "name": "新项目", "applicant": "单位甲", "industry": "钢铁"}


@pytest.fixture
def campaign(tmp_path):
    return new_campaign(tmp_path)


def _refused(campaign, tmp_path, capsys, text: str, kind: str = "projects") -> list[str]:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    before = snapshot(campaign)
    started = time.monotonic()
    code, _out, err = run([kind, "import", path, "--campaign", campaign], capsys)
    assert time.monotonic() - started < budget(5)
    assert code == 2, err
    assert "Traceback" not in err
    assert snapshot(campaign) == before
    lines = error_lines(err)
    assert lines and all(line.startswith(f"{path}") for line in lines)
    return lines


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_refused_with_item_and_field(campaign, tmp_path, capsys, literal):
    text = json.dumps([GOOD, {**GOOD, "id": "Q2", "name": "__X__"}], ensure_ascii=False).replace('"__X__"', literal)
    (line,) = _refused(campaign, tmp_path, capsys, text)
    assert ": row 2: name: error: " in line and literal in line


def test_non_finite_numbers_were_stored_as_words_before(tmp_path):
    """The old reader stored NaN as the text 'nan'; the value must not reach the table at all."""
    path = tmp_path / "p.json"
    path.write_text('[{"id": "Q1", "name": "n", "applicant": "a", "industry": "钢铁", "score": NaN}]')
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert [(d.location.row, d.location.field) for d in info.value.diagnostics] == [(1, "score")]


def test_duplicate_keys_refused_where_they_are(campaign, tmp_path, capsys):
    text = '[{"id": "Q1", "name": "a", "applicant": "b", "industry": "钢铁"},' \
           ' {"id": "Q2", "name": "a", "applicant": "b", "industry": "钢铁", "id": "Q3"}]'
    (line,) = _refused(campaign, tmp_path, capsys, text)
    assert ": row 2: id: error: " in line and "duplicate key 'id'" in line
    (line,) = _refused(campaign, tmp_path, capsys, '{"projects": [], "projects": []}')
    assert "duplicate key 'projects'" in line


def test_an_object_is_not_an_id(campaign, tmp_path, capsys):
    text = json.dumps([{**GOOD, "id": {"$gt": ""}}])
    (line,) = _refused(campaign, tmp_path, capsys, text)
    assert ": row 1: id: error: " in line and "object" in line


@pytest.mark.parametrize("field, value", [("id", ["Q1", "Q2"]), ("name", ["a", "b"]), ("applicant", True),
                                          ("name", False), ("industry", ["钢铁"])])
def test_arrays_and_booleans_refused_where_text_is_expected(campaign, tmp_path, capsys, field, value):
    (line,) = _refused(campaign, tmp_path, capsys, json.dumps([{**GOOD, field: value}], ensure_ascii=False))
    assert f": row 1: {field}: error: " in line
    assert ("array" in line) if isinstance(value, list) else ("true/false" in line)


def test_nested_arrays_and_objects_in_list_cells_refused(campaign, tmp_path, capsys):
    (line,) = _refused(campaign, tmp_path, capsys, json.dumps([{**GOOD, "keywords": ["a", ["b"]]}]))
    assert ": row 1: keywords: error: " in line and "element 2" in line
    (line,) = _refused(campaign, tmp_path, capsys, json.dumps([{**GOOD, "keywords": [{"a": 1}]}]))
    assert "element 1" in line and "object" in line


def test_arrays_in_list_columns_are_kept_as_lists(campaign, tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{**GOOD, "co_applicants": ["甲公司;乙部", "丙大学"], "keywords": [1, 2.5]}],
                               ensure_ascii=False), encoding="utf-8")
    code, _out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 0, err
    with open_campaign(campaign) as led:
        p = led.project("Q1")
    assert p["co_applicants"] == ["甲公司;乙部", "丙大学"]        # an item is not split again
    assert p["keywords"] == ["1", "2.5"]


def test_null_is_an_empty_cell(campaign, tmp_path, capsys):
    (line,) = _refused(campaign, tmp_path, capsys, json.dumps([{**GOOD, "name": None}]))
    assert ": row 1: B" not in line and ": row 1: name: error: " in line and "empty" in line
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{**GOOD, "summary": None, "achievement_type": None}], ensure_ascii=False),
                    encoding="utf-8")
    assert run(["projects", "import", path, "--campaign", campaign], capsys)[0] == 0
    with open_campaign(campaign) as led:
        assert led.project("Q1")["summary"] == "" and led.project("Q1")["achievement_type"] is None


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deep_nesting_is_a_clear_error(campaign, tmp_path, capsys, depth):
    (line,) = _refused(campaign, tmp_path, capsys, "[" * depth + "]" * depth)
    assert "32" in line and "Recursion" not in line
    assert line.startswith(f"{tmp_path / 'in.json'}:1:33: error: ")


def test_deep_nesting_inside_an_item(campaign, tmp_path, capsys):
    text = json.dumps([{**GOOD, "extra": "__X__"}]).replace('"__X__"', "[" * 50 + "]" * 50)
    (line,) = _refused(campaign, tmp_path, capsys, text)
    assert "32" in line


def test_lone_surrogate_refused_with_item_and_field(campaign, tmp_path, capsys):
    (line,) = _refused(campaign, tmp_path, capsys, '[{"id": "Q1", "name": "a\\ud800b", "applicant": "x",'
                                                   ' "industry": "钢铁"}]')
    assert ": row 1: name: error: " in line and "U+D800" in line
    (line,) = _refused(campaign, tmp_path, capsys, '[{"id": "Q1", "name": "a", "applicant": "x", "industry": "钢铁",'
                                                   ' "k\\udfff": 1}]')
    assert "U+DFFF" in line


def test_boolean_answer_value_accepted_for_a_yes_no_indicator(campaign, tmp_path, capsys):
    with open_campaign(campaign) as led:
        expert, project = led.conn.execute("SELECT expert_id, project_id FROM assignments LIMIT 1").fetchone()
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"project": project, "indicator": "team", "value": True},
                                {"project": project, "indicator": "novelty", "value": 4}]), encoding="utf-8")
    code, _out, err = run(["score", "--expert", expert, "--from", path, "--campaign", campaign], capsys)
    assert code == 0, err
    with open_campaign(campaign) as led:
        values = dict(led.conn.execute("SELECT indicator_id, value FROM scores WHERE expert_id = ? AND project_id = ?",
                                       (expert, project)).fetchall())
    assert values == {"team": 1.0, "novelty": 4.0}
    path.write_text(json.dumps([{"project": [project], "indicator": "team", "value": True}]), encoding="utf-8")
    code, _out, err = run(["score", "--expert", expert, "--from", path, "--campaign", campaign], capsys)
    assert code == 2 and ": row 1: project: error: " in err


def test_invalid_json_is_located(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[{"id": "Q1",\n "name": }]')
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert (info.value.location.line, info.value.location.column) == (2, 10)
