"""The push lists read a real MatchResult (tlr.app.push.demand_matches reads it duck-typed)."""

from __future__ import annotations

from tlr.app.push import demand_matches
from tlr.matching import Achievement, Demand, match


def test_push_reads_the_matchers_result():
    demands = [Demand("D1", "锂电回收", description="报废锂电回收钴镍", enterprise="甲公司", industry="new_energy",
                      region="唐山市", min_trl=6)]
    achievements = [Achievement("A1", "锂离子电池回收", summary="废旧锂离子电池回收钴镍", industry="new_energy",
                                region="唐山市", trl=7)]
    shown = demand_matches(match(demands, achievements), demands)
    (row,) = shown["A1"]
    assert row["demand"] == "D1" and row["enterprise"] == "甲公司" and row["score"] > 0.15
    text = " ".join(row["reasons"])
    assert "同义词：锂电≈锂离子电池" in text and "同行业" in text and "同地区" in text and "TRL 7（需求 ≥ 6）" in text
