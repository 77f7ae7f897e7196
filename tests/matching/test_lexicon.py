"""The shipped lexicon and users' lexicon files."""

from __future__ import annotations

import pytest

from tlr.errors import ValidationError
from tlr.matching.lexicon import SHIPPED, load_lexicon, shipped_lexicon


def test_shipped_lexicon_size_and_licence_header():
    lexicon = shipped_lexicon()
    assert len(lexicon.groups) >= 150
    head = SHIPPED.read_text(encoding="utf-8")[:600]
    assert "Licence" in head and "same licence as tlr" in head


@pytest.mark.parametrize("a, b", [("锂电", "锂离子电池"), ("ai", "人工智能"), ("scr", "选择性催化还原"),
                                  ("光伏", "太阳能电池"), ("转炉渣", "钢渣")])
def test_synonyms_share_a_group(a, b):
    lexicon = shipped_lexicon()
    assert lexicon.group_of(a) is not None
    assert lexicon.group_of(a) == lexicon.group_of(b)


def test_broader_relation_is_transitive_with_distance():
    lexicon = shipped_lexicon()
    ancestors = dict(lexicon.ancestors(lexicon.group_of("钢渣")))
    assert ancestors["metallurgical_solid_waste"] == 1
    assert ancestors["industrial_solid_waste"] == 2


def test_every_industry_of_the_plan_is_covered():
    lexicon = shipped_lexicon()
    for word in ("钢渣", "工业机器人", "人工智能", "光伏", "石墨烯", "脱硝", "体外诊断", "羊绒", "滴灌", "冻干", "催化裂化"):
        assert lexicon.group_of(word), word


def test_user_file_adds_extends_and_moves(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("groups:\n"
                    "  slag_cement:\n"
                    "    terms: [钢渣水泥, 钢渣]\n"          # moves 钢渣 out of the shipped steel_slag group
                    "    broader: [metallurgical_solid_waste]\n"
                    "  ai:\n"
                    "    terms: [智能体]\n", encoding="utf-8")
    lexicon = load_lexicon(path)
    assert lexicon.group_of("钢渣水泥") == "slag_cement"
    assert lexicon.group_of("钢渣") == "slag_cement"
    assert lexicon.group_of("转炉渣") == "steel_slag"
    assert lexicon.group_of("智能体") == "ai" == lexicon.group_of("人工智能")
    assert dict(lexicon.ancestors("slag_cement"))["industrial_solid_waste"] == 2
    assert lexicon.sources == ("shipped", str(path))
    assert shipped_lexicon().group_of("钢渣") == "steel_slag"  # the shipped one is untouched


def test_a_broader_cycle_terminates(tmp_path):
    path = tmp_path / "cycle.yaml"
    path.write_text("groups:\n  x1: {terms: [甲词], broader: [x2]}\n  x2: {terms: [乙词], broader: [x1]}\n",
                    encoding="utf-8")
    lexicon = load_lexicon(path)
    assert dict(lexicon.ancestors("x1")) == {"x2": 1}


@pytest.mark.parametrize("body, line, text", [
    ("groups:\n  ok_one: {terms: [好词]}\n  steel: {terms: [钢 铁]}\n", 3, "invalid term"),
    ("groups:\n  a1: {terms: [同词]}\n  a2: {terms: [同词]}\n", 3, "already in group a1"),
    ("groups:\n  a1: {terms: [某词], broader: [no_such_group]}\n", 2, "unknown broader group"),
    ("groups:\n  Bad-Id: {terms: [某词]}\n", 2, "invalid group id"),
    ("groups:\n  a1: {terms: []}\n", 2, "needs 1-"),
    ("groups:\n  a1: {terms: [某词], narrower: [x]}\n", 2, "unknown field"),
    ("groups: [1, 2]\n", 1, "needs a `groups:` mapping"),
    ("groups:\n  a1: {terms: [某词]\n", 3, "YAML"),
])
def test_bad_files_give_located_errors(tmp_path, body, line, text):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_lexicon(path)
    err = caught.value
    assert err.exit_code == 2
    first = err.diagnostics[0]
    assert first.location.file == str(path)
    assert first.location.line == line
    assert text in err.format()


def test_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("groups:\n" + "".join(f"  g{i}: {{terms: [词{i}]}}\n" for i in range(400)), encoding="utf-8")
    monkeypatch.setenv("TLR_MAX_FILE_SIZE", "1k")
    with pytest.raises(Exception) as caught:
        load_lexicon(path)
    assert getattr(caught.value, "exit_code", None) == 2
