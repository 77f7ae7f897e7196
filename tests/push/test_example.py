"""The shipped example: examples/funds.yaml on the example round (the content's stated near misses)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the example round (no reports): a few seconds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from tlr.app.audit_gate import check_audit
    from tlr.app.demo import run_demo
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.push import build_push, vocabulary
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.push.model import load_funds

    result = run_demo(tmp_path_factory.mktemp("example") / "demo", formats=(), draws=200)
    ledger = open_campaign(result.campaign)
    try:
        funds = load_funds(ROOT / "examples" / "funds.yaml", vocabulary(ledger.rubric))
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=200))
        push = build_push(ledger, ev, funds, lang="zh", audit=check_audit(ledger))
        projects = {p["id"]: p for p in ledger.projects()}
    finally:
        ledger.close()
    return push, projects


def test_the_example_funds_file_loads_against_the_example_rubric(example):
    push, _ = example
    assert [p["id"] for p in push.packs][:6] == ["biomed", "info", "smart_manufacturing", "energy_materials",
                                                 "green", "county"]


def test_the_photoresist_misses_the_materials_fund_on_its_ask_alone(example):
    push, projects = example
    assert float(projects["P2026-033"]["extra"]["申请经费（万元）"]) == 2540
    misses = push.placement.misses["P2026-033"]["energy_materials"]
    assert [(f.code, f.value, f.limit) for f in misses] == [("ask_above", 2540.0, 2500.0)]


def test_every_project_has_its_region_and_packs_respect_it(example):
    push, projects = example
    assert all(push.rows[pid]["region"] for pid in projects)
    for pack in push.packs:
        if pack["id"] == "biomed":
            assert all(r["region"] in {"石家庄市", "石家庄高新区", "辛集市", "保定市", "安国市"} for r in pack["rows"])
            assert all(r["tier"] in ("A", "B") and 5 <= r["trl"] <= 9 for r in pack["rows"])


def test_the_photoresist_is_unplaced_with_the_materials_fund_nearest(example):
    push, _ = example
    u = next(x for x in push.unplaced if x["project"] == "P2026-033")
    assert u["nearest"] == "energy_materials"
    assert [(f["code"], f["text"]) for f in u["failures"]] == [("ask_above", "申请经费 2540 > 2500 万元")]
