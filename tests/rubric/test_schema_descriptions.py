"""Every property of the rubric schema is described in Chinese and English, so an editor's hover help is
bilingual; every enum value is named in its property's description."""

from __future__ import annotations

import re

from tlr.rubric.schema import rubric_json_schema

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2}")


def _properties(schema):
    """(where, name, property schema) for every property of every object in the schema."""
    for def_name, definition in schema["$defs"].items():
        for name, prop in definition.get("properties", {}).items():
            yield def_name, name, prop


def _enums(prop):
    if "enum" in prop:
        yield from prop["enum"]
    if "const" in prop:
        yield prop["const"]
    for key in ("anyOf", "oneOf"):
        for part in prop.get(key, ()):
            yield from _enums(part)
    if isinstance(prop.get("items"), dict):
        yield from _enums(prop["items"])


def test_every_property_has_a_bilingual_description():
    schema = rubric_json_schema()
    props = list(_properties(schema))
    assert len(props) > 120
    missing = [f"{where}.{name}" for where, name, prop in props
               if not (CJK.search(prop.get("description", "")) and LATIN.search(prop.get("description", "")))]
    assert missing == []


def test_chinese_comes_first():
    for where, name, prop in _properties(rubric_json_schema()):
        text = prop["description"]
        chinese = text.split(" / ", 1)[0]  # '中文 / English': the part before the first ' / '
        assert CJK.search(chinese), f"{where}.{name}: {text[:60]}"


def test_every_enum_value_is_explained_in_the_description():
    unexplained = []
    for where, name, prop in _properties(rubric_json_schema()):
        for value in _enums(prop):
            if isinstance(value, str) and len(value) > 1 and value not in prop["description"]:
                unexplained.append(f"{where}.{name}={value}")
    assert unexplained == []


def test_new_fields_of_other_helpers_are_described():
    defs = rubric_json_schema()["$defs"]
    assert "bayesian" in defs["PanelRules"]["properties"]["calibration"]["description"]
    assert "raw" in defs["TopsisOptions"]["properties"]["mode"]["description"]
    assert CJK.search(defs["TopsisOptions"]["properties"]["mode"]["description"])
