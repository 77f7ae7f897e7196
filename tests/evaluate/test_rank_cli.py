"""A small campaign end to end: ledger -> evaluation -> `tlr rank / explain / agreement`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tlr.cli import main
from tlr.rubric import load_rubric

from .rounds import scored_round

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "fund-screening.yaml"


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    return scored_round(tmp_path_factory.mktemp("round"), "项目编号,项目名称,申报单位,行业,成果类型\n" + "\n".join(
        f"P{i:02d},项目{i},单位{i % 4},新材料,技术开发和产业化" for i in range(8)) + "\n", name="测试批次")


def run_json(args, capsys):
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_json_orders_by_quality_and_is_reproducible(campaign, capsys):
    data = run_json(["rank", str(campaign), "--json", "--draws", "300", "--bootstrap", "50", "--all"], capsys)
    rows = data["projects"]
    assert len(rows) == 8
    assert rows[0]["project"] == "P07" and rows[-1]["project"] == "P00"
    assert data["method"]["provenance"]["rubric_hash"] == load_rubric(RUBRIC).content_hash
    assert all(r["rank_interval"][0] <= r["rank"] + 1e-9 or r["rank_interval"][0] <= r["rank_median"] for r in rows)
    again = run_json(["rank", str(campaign), "--json", "--draws", "300", "--bootstrap", "50", "--all"], capsys)
    assert again == data


def test_low_readiness_is_knocked_out_and_routed_to_research(campaign, capsys):
    rows = run_json(["rank", str(campaign), "--json", "--draws", "100", "--bootstrap", "0", "--all"], capsys)["projects"]
    p00 = next(r for r in rows if r["project"] == "P00")
    assert p00["readiness"] == 3 and p00["knocked_out"] and p00["route"] == "research"


def test_explain_and_agreement(campaign, capsys):
    body = run_json(["explain", str(campaign), "P03", "--json"], capsys)
    assert sum(c["contribution"] for c in body["contributions"]) == pytest.approx(body["composite"])
    agree = run_json(["agreement", str(campaign), "--json"], capsys)
    assert agree["indicators"]["team"]["icc1_oneway"] > 0.5
    team = agree["indicators"]["team"]                      # Krippendorff's alpha beside the old keys
    assert team["alpha_level"] in ("interval", "ordinal", "nominal") and team["alpha"] is not None
    assert team["alpha_ci_low"] <= team["alpha"] <= team["alpha_ci_high"]
    assert agree["headline"]["statistic"] == "krippendorff_alpha"
    assert agree["headline"]["design"] == team["design"] in ("sparse", "complete")


def test_human_output_and_errors(campaign, capsys, tmp_path):
    assert main(["rank", str(campaign), "--draws", "100", "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "P07" in out and "项目7" in out
    assert main(["explain", str(campaign), "P99"]) == 2
    assert "unknown project" in capsys.readouterr().err
    assert main(["rank", str(tmp_path / "nowhere")]) == 2
    changed = tmp_path / "changed.yaml"
    changed.write_text(RUBRIC.read_text(encoding="utf-8").replace('version: "1.0.0"', 'version: "1.0.1"'),
                       encoding="utf-8")
    (tmp_path / "readiness").symlink_to(ROOT / "rubrics" / "readiness")
    assert main(["rank", str(campaign), "--rubric", str(changed), "--draws", "50"]) == 2
    assert "no longer matches" in capsys.readouterr().err
