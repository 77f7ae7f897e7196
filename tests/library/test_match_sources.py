"""The readers that feed the matcher: Demand and Achievement records from files, the library and a campaign."""

from __future__ import annotations

import pytest

from tlr.errors import ValidationError


def test_demands_from_file(demand_file):
    from tlr.app.match_sources import demands_from_file
    from tlr.matching.items import Demand

    got = demands_from_file(demand_file)
    assert [d.id for d in got] == ["D001", "D002", "D003"]
    d1 = got[0]
    assert d1 == Demand(id="D001", name="钢渣资源化利用", enterprise="唐山钢铁公司", industry="steel", region="唐山市",
                        description="钢渣制备建材", indicators="利用率≥90%", cooperation=("技术转让", "合作开发"),
                        budget=500.0, min_trl=6, keywords=())
    assert "13800000001" not in repr(got) and "张三" not in repr(got)        # personal data never reaches a record


def test_demands_from_file_derives_ids_and_refuses_bad_files(tmp_path):
    from tlr.app.match_sources import demands_from_file
    from tlr.library.demands import derived_id

    path = tmp_path / "d.csv"
    path.write_text("需求名称,企业名称,所属行业,需求描述\n甲,乙,钢铁,丙\n", encoding="utf-8")
    (d,) = demands_from_file(path)
    assert d.id == derived_id({"enterprise": "乙", "name": "甲"})
    path.write_text("需求名称,企业名称,所属行业,需求描述,期望成熟度\n甲,乙,钢铁,丙,十\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        demands_from_file(path)
    assert info.value.diagnostics[0].location.row == 2 and info.value.diagnostics[0].code == "bad_trl"


def test_achievements_from_file(tmp_path):
    from tlr.app.match_sources import achievements_from_file

    path = tmp_path / "a.csv"
    path.write_text("项目编号,项目名称,申报单位,行业,成果简介,关键词,技术成熟度,投资需求（万元）,所在地区\n"
                    "A1,钢渣微粉,燕山大学,钢铁,钢渣制备微粉,钢渣;建材,TRL 5,300,秦皇岛市\n"
                    "A2,视觉检测,河工大,信息智能,,,,,\n", encoding="gbk")
    a1, a2 = achievements_from_file(path)
    assert (a1.id, a1.industry, a1.region, a1.summary, a1.keywords, a1.trl, a1.trl_source, a1.ask) == (
        "A1", "steel", "秦皇岛市", "钢渣制备微粉", ("钢渣", "建材"), 5, "declared", 300.0)
    assert (a2.trl, a2.trl_source, a2.ask, a2.region, a2.tier) == (None, "", None, "", None)
    path.write_text("项目编号,项目名称,申报单位,行业,投资需求\nA1,x,y,钢铁,-3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 2: E \(投资需求\): error: .*not a number"):
        achievements_from_file(path)


def test_from_the_library(lib, demand_file):
    from tlr.app.match_sources import achievements_from_library, demands_from_library
    from tlr.library.achievements import add_round
    from tlr.library.demands import import_demands, set_status

    import_demands(lib, demand_file)
    set_status(lib, "D002", "matched", "已对接")
    assert [d.id for d in demands_from_library(lib)] == ["D001", "D003"]
    assert [d.id for d in demands_from_library(lib, status=None)] == ["D001", "D002", "D003"]
    base = {"name": "x", "applicant": "y", "industry": "steel", "region": "唐山市", "keywords": ["钢渣"], "summary": "s",
            "composite": 70.0, "route": "transfer", "ask": 50.0, "rank": 1, "knocked_out": False}
    rnd = {"kind": "evaluation", "source": "/x", "head": "h", "entries": 1, "verified": 1, "rules": {}}
    add_round(lib, {**rnd, "name": "r1", "year": 2026, "source_id": "1"},
              [{**base, "project_id": "P1", "tier": "C", "readiness": 4, "readiness_source": "panel"}])
    add_round(lib, {**rnd, "name": "r2", "year": 2027, "source_id": "2"},
              [{**base, "project_id": "P1", "tier": "B", "readiness": 6, "readiness_source": "assessment"}])
    (a,) = achievements_from_library(lib)
    assert (a.id, a.trl, a.trl_source, a.tier, a.region, a.ask, a.extra["round"]) == (
        "P1", 6, "assessment", "B", "唐山市", 50.0, "r2")                 # the latest round


def test_achievements_from_campaign(demo_campaign):
    import json

    from tlr.app.match_sources import achievements_from_campaign
    from tlr.campaign import open_campaign

    with open_campaign(demo_campaign) as led:
        got = achievements_from_campaign(led)
    ranking = json.loads((demo_campaign.parent / "ranking.json").read_text("utf-8"))["projects"]
    assert [a.id for a in got] == [p["project"] for p in ranking]
    for a, p in zip(got, ranking):
        assert (a.tier, a.trl) == (p["tier"], p["readiness"])
        assert a.trl_source == ("" if p["readiness_source"] == "none" else p["readiness_source"])
        assert a.ask is not None and a.ask > 0
