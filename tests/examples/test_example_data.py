"""Integrity of the shipped data: the matching benchmark, the example demand list, the 2026 and 2027 rounds and
funds.yaml. These files are hand-written (or generated from hand-written texts); the checks below are the facts
the matcher, the library and the push lists rely on."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tlr.campaign.vocab import industry_id

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "matching" / "data"
EXAMPLES = ROOT / "examples"

DEMAND_COLUMNS = ["需求编号", "需求名称", "企业名称", "所属行业", "所在地区", "需求描述", "期望技术指标", "期望合作方式",
                  "可投入资金（万元）", "期望成熟度"]
ACHIEVEMENT_COLUMNS = ["成果编号", "成果名称", "第一完成单位", "所属行业", "所在地区", "成果简介", "关键词", "技术成熟度",
                       "投资需求（万元）"]
PROJECT_COLUMNS = ["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "项目简介", "关键词", "所在地区",
                   "申请经费（万元）"]


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 without BOM"
    reader = csv.DictReader(raw.decode("utf-8").splitlines())
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def trl(value: str) -> int:
    assert re.fullmatch(r"[1-9]", value), f"TRL {value!r} is not an integer 1-9"
    return int(value)


def keywords(value: str) -> list[str]:
    return [k for k in value.split("；") if k.strip()]


# --- the labelled matching benchmark -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bench():
    a_head, achievements = read(BENCH / "achievements.csv")
    d_head, demands = read(BENCH / "demands.csv")
    l_head, labels = read(BENCH / "labels.csv")
    assert a_head == ACHIEVEMENT_COLUMNS
    assert d_head == DEMAND_COLUMNS
    assert l_head == ["需求编号", "成果编号", "相关度"]
    return ({r["成果编号"]: r for r in achievements}, {r["需求编号"]: r for r in demands}, labels,
            len(achievements), len(demands))


def test_benchmark_sizes_and_unique_ids(bench):
    achievements, demands, labels, n_a, n_d = bench
    assert n_a == len(achievements) >= 120
    assert n_d == len(demands) >= 40
    pairs = [(r["需求编号"], r["成果编号"]) for r in labels]
    assert len(pairs) == len(set(pairs)), "a pair is labelled twice"


def test_benchmark_fields(bench):
    achievements, demands, _labels, _n_a, _n_d = bench
    for row in achievements.values():
        assert industry_id(row["所属行业"]), row["成果编号"]
        trl(row["技术成熟度"])
        assert float(row["投资需求（万元）"]) > 0
        assert 3 <= len(keywords(row["关键词"])) <= 6, row["成果编号"]
        assert 2 <= row["成果简介"].count("。") <= 4, row["成果编号"]
        assert row["所在地区"]
    for row in demands.values():
        assert industry_id(row["所属行业"]), row["需求编号"]
        trl(row["期望成熟度"])
        assert float(row["可投入资金（万元）"]) > 0
        assert row["需求描述"] and row["期望合作方式"]


def test_labels_refer_to_existing_ids_and_are_graded(bench):
    achievements, demands, labels, _n_a, _n_d = bench
    for row in labels:
        assert row["需求编号"] in demands
        assert row["成果编号"] in achievements
        assert row["相关度"] in {"1", "2"}


def test_a_full_answer_is_ready_enough(bench):
    """Label 2 means the achievement answers the demand *including* readiness (README, labelling protocol)."""
    achievements, demands, labels, _n_a, _n_d = bench
    for row in labels:
        if row["相关度"] == "2":
            assert trl(achievements[row["成果编号"]]["技术成熟度"]) >= trl(demands[row["需求编号"]]["期望成熟度"]), row


def test_the_documented_hard_cases_are_there(bench):
    achievements, demands, labels, _n_a, _n_d = bench
    labelled = Counter(r["需求编号"] for r in labels)
    assert len(set(demands) - set(labelled)) >= 5, "at least five demands without any answer"
    traps = {r["需求编号"] for r in labels if r["相关度"] == "1"
             and trl(achievements[r["成果编号"]]["技术成熟度"]) < trl(demands[r["需求编号"]]["期望成熟度"])}
    assert len(traps) >= 5, "at least five readiness traps (a close achievement too immature, labelled 1)"
    assert all(1 <= n <= 3 for n in labelled.values())


# --- the example demand list ---------------------------------------------------------------------------------


def test_example_demands():
    header, rows = read(EXAMPLES / "demands.csv")
    assert header[:len(DEMAND_COLUMNS)] == DEMAND_COLUMNS
    assert set(header) - set(DEMAND_COLUMNS) <= {"联系人"}
    assert len(rows) >= 45
    assert len({r["需求编号"] for r in rows}) == len(rows)
    for row in rows:
        for column in DEMAND_COLUMNS:
            assert row[column].strip(), (row["需求编号"], column)
        assert industry_id(row["所属行业"]), row["需求编号"]
        trl(row["期望成熟度"])
        float(row["可投入资金（万元）"])
        assert not row.get("联系人"), "contact persons stay empty in the example"
    clusters = {"清河县", "安平县", "高碑店市", "辛集市", "平乡县", "安国市", "邢台市南和区"}
    assert clusters <= {r["所在地区"] for r in rows}, "the county clusters are all asked for"


# --- the example rounds --------------------------------------------------------------------------------------


def projects(year: int) -> list[dict[str, str]]:
    header, rows = read(EXAMPLES / f"round-{year}" / "projects.csv")
    assert header == PROJECT_COLUMNS
    return rows


@pytest.mark.parametrize("year", [2026, 2027])
def test_round_projects_have_real_texts(year):
    rows = projects(year)
    assert len({r["项目编号"] for r in rows}) == len(rows)
    for row in rows:
        assert industry_id(row["行业"]), row["项目编号"]
        assert 3 <= len(keywords(row["关键词"])) <= 5, row["项目编号"]
        assert row["所在地区"], row["项目编号"]
        assert "开展关键技术攻关与工程化验证" not in row["项目简介"], "templated summary"
        assert 2 <= row["项目简介"].count("。") <= 3, row["项目编号"]
        # expert assignment adds a bonus per keyword equal to an expert field (an industry name): none here,
        # so the texts leave the 2026 assignment, and with it the demo, as they were
        assert not any(industry_id(k) for k in keywords(row["关键词"])), row["项目编号"]


def test_2027_returning_achievements_exist_in_2026():
    old = {(r["项目名称"], r["申报单位"]): r for r in projects(2026)}
    new = projects(2027)
    returning = [r for r in new if (r["项目名称"], r["申报单位"]) in old]
    assert len(returning) == 12
    kept = [r for r in returning if r["项目编号"] == old[(r["项目名称"], r["申报单位"])]["项目编号"]]
    assert len(kept) == 6, "half keep their 2026 id, half need a name + applicant link"
    for row in returning:
        assert row["行业"] == old[(row["项目名称"], row["申报单位"])]["行业"]
    ids_2026 = {r["项目编号"] for r in old.values()}
    for row in new:
        if row["项目编号"] in ids_2026:
            assert row in kept, f"{row['项目编号']} reuses a 2026 id for another achievement"
        else:
            assert row["项目编号"].startswith("P2027-")
    assert 28 <= len(new) <= 32


def test_2027_opinions_and_recusals_refer_to_the_round():
    ids = {r["项目编号"] for r in projects(2027)}
    _h, experts = read(EXAMPLES / "round-2027" / "experts.csv")
    expert_ids = {r["专家编号"] for r in experts}
    _h, opinions = read(EXAMPLES / "round-2027" / "opinions.csv")
    assert {r["project"] for r in opinions} == ids
    assert {r["expert"] for r in opinions} == expert_ids
    _h, recusals = read(EXAMPLES / "round-2027" / "recusals.csv")
    assert recusals and all(r["project"] in ids and r["expert"] in expert_ids for r in recusals)


# --- funds.yaml ----------------------------------------------------------------------------------------------


def test_funds_yaml_mandates():
    doc = yaml.safe_load((EXAMPLES / "funds.yaml").read_text(encoding="utf-8"))
    assert doc["version"] == 1
    funds, recipients = doc["funds"], doc["recipients"]
    ids = [m["id"] for m in funds + recipients]
    assert len(ids) == len(set(ids))
    assert 5 <= len(funds) <= 8 and 8 <= len(recipients) <= 12
    assert {r["kind"] for r in recipients} == {"city", "county", "zone", "incubator"}
    for mandate in funds + recipients:
        assert mandate["name"]["zh"] and mandate["name"]["en"]
        assert all(industry_id(i) for i in mandate.get("industries", [])), mandate["id"]
        for key in ("trl", "ticket"):
            if key in mandate:
                low, high = mandate[key]
                assert low <= high
    covered = {place for r in recipients for place in r["regions"]}
    places = {r["所在地区"] for year in (2026, 2027) for r in projects(year)}
    assert places <= covered, f"places no recipient covers: {places - covered}"


# --- the generator -------------------------------------------------------------------------------------------


def test_generator_reproduces_both_rounds_byte_for_byte(tmp_path, monkeypatch):
    """The shipped files are what the seeded generator writes (so the 2026 opinions did not move when the texts
    and the 2027 round were added)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_round", EXAMPLES / "generate_round.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "round-2026")
    monkeypatch.setattr(module, "OUT_2027", tmp_path / "round-2027")
    module.main([])
    module.main(["--year", "2027"])
    for year, names in ((2026, ["projects.csv", "experts.csv", "opinions.csv", "recusals.csv", "trl/P2026-021.yaml",
                                "trl/P2026-022.yaml", "trl/P2026-046.yaml"]),
                        (2027, ["projects.csv", "experts.csv", "opinions.csv", "recusals.csv"])):
        for name in names:
            written = (tmp_path / f"round-{year}" / name).read_bytes()
            assert written == (EXAMPLES / f"round-{year}" / name).read_bytes(), f"round-{year}/{name}"
