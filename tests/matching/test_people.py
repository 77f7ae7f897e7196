"""Commissioners (科技特派员) for demands: hand-checkable factors, the floor, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tlr.matching.affinity import Person
from tlr.matching.fit import FitPolicy
from tlr.matching.items import Demand
from tlr.matching.people import Commissioner, match_people

ROOT = Path(__file__).resolve().parents[2]


def _c(cid, text, industries=(), regions=()):
    return Commissioner(Person(cid, text=text), industries=frozenset(industries), regions=tuple(regions))


def test_the_factors_multiply_the_affinity_as_documented():
    d = Demand("D1", "钢渣资源化利用", industry="steel", region="唐山市", description="转炉钢渣制建材")
    same = _c("A", "钢渣资源化利用 转炉钢渣制建材", {"steel"}, ["唐山"])
    other_place = _c("B", "钢渣资源化利用 转炉钢渣制建材", {"steel"}, ["邯郸市"])
    other_field = _c("C", "钢渣资源化利用 转炉钢渣制建材", {"food"}, ["唐山市"])
    unknown = _c("D", "钢渣资源化利用 转炉钢渣制建材")
    r = match_people([same, other_place, other_field, unknown], [d], top=4, min_score=0.0)
    score = {c.id: c.score for c in r.matches[0].candidates}
    p = FitPolicy()
    assert score["A"] == pytest.approx(1.0, abs=1e-6)      # the demand's own words: affinity 1
    assert score["B"] == pytest.approx(p.region_different, abs=1e-6)
    assert score["C"] == pytest.approx(p.industry_different, abs=1e-6)
    assert score["D"] == pytest.approx(p.industry_unknown * p.region_unknown, abs=1e-6)
    assert [c.id for c in r.matches[0].candidates] == ["A", "B", "D", "C"]   # 1, 0.95, 0.95 × 0.975, 0.85


def test_a_demand_no_one_covers_gets_no_list():
    d = Demand("D1", "宠物食品冻干工艺", description="冻干宠物零食的水分控制")
    r = match_people([_c("A", "高炉炼铁降碳与余热回收")], [d])
    assert r.matches[0].candidates == ()


def test_cli_on_the_example_commissioners(capsys):
    from tlr.cli import main

    code = main(["match", "--demands", str(ROOT / "examples" / "demands.csv"), "--commissioners",
                 str(ROOT / "examples" / "commissioners.csv"), "--top", "2", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads(out.out)
    best = {m["demand"]: m["candidates"][0]["commissioner"] for m in doc["matches"] if m["candidates"]}
    # read by hand: 带钢表面缺陷 is K02's field (表面缺陷在线检测), 机器人关节减速机 K03's (工业机器人减速器)
    assert best["XQ2026-007"] == "K02" and best["XQ2026-011"] == "K03"
    assert doc["sources"]["commissioners"]["file"] == "commissioners.csv"
