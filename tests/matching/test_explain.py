"""Bilingual sentences for a why, and the loose comparison of place names."""

from __future__ import annotations

from tlr.matching import Achievement, Demand, match
from tlr.matching.explain import explain_zh_en
from tlr.matching.fit import region_key


def test_sentences_are_bilingual_and_name_the_reasons():
    demand = Demand("D1", "锂电回收", description="报废锂电回收钴镍", industry="new_energy", region="唐山市",
                    budget=100.0, min_trl=6)
    ach = Achievement("A1", "锂离子电池回收", summary="废旧锂离子电池回收钴镍", industry="steel", region="邯郸市",
                      trl=3, trl_source="assessment", ask=400.0)
    (c,) = match([demand], [ach], min_score=0.0).matches[0].candidates
    lines = explain_zh_en(c.why)
    assert all(" / " in line for line in lines)
    text = "\n".join(lines)
    assert "锂电 ≈ 锂离子电池" in text
    assert "成熟度远低于期望：TRL 3（assessment），期望 6（差 3 级），得分 ×0.40" in text
    assert "readiness far below the need: TRL 3 (assessment) vs 6 needed (3 levels), score ×0.40" in text
    assert "行业不同" in text and "different places: 唐山市 — 邯郸市" in text
    assert "投资需求 400 万元 > 可投入 100 万元" in text


def test_meeting_readiness_same_place_and_empty_why():
    demand = Demand("D1", "钢渣微粉", region="唐山", industry="steel", budget=500.0, min_trl=6)
    ach = Achievement("A1", "钢渣微粉", region="唐山市", industry="steel", trl=8, ask=300.0)
    (c,) = match([demand], [ach]).matches[0].candidates
    text = "\n".join(explain_zh_en(c.why))
    assert "成熟度满足：TRL 8 ≥ 期望 6" in text
    assert "同一地区：唐山 / same place: 唐山" in text
    assert "行业相同：steel" in text
    assert "funding ask 300 ≤ budget 500" in text
    assert explain_zh_en({}) == []


def test_region_key():
    assert region_key("唐山市") == region_key("唐山") == region_key("河北省唐山市") == "唐山"
    assert region_key("迁安市") != region_key("唐山市")
    assert region_key(" 清河县 ") == "清河"
    assert region_key("") == ""
