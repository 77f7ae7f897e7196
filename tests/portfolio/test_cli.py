"""`tlr portfolio` on a small scored campaign: budgets per pool and year, tranche arithmetic by hand, values from
the valuation JSON (rnpv null = no value), located errors and a conflict named with its lines, the charts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .campaign import build

ASKS = {"P01": 300, "P02": 500, "P03": 200, "P04": 150, "P05": 400, "P06": 250, "P07": 600}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("portfolio") / "c").parent


@pytest.fixture
def case(base, tmp_path) -> Path:
    shutil.copytree(base, tmp_path / "c")
    return tmp_path / "c"


def run(case: Path, *extra: str, spec: str | None = None, funds: str | None = None):
    from tlr.cli import main

    if spec is not None:
        (case / "portfolio.yaml").write_text(spec, encoding="utf-8")
    if funds is not None:
        (case / "funds.yaml").write_text(funds, encoding="utf-8")
    return main(["portfolio", str(case / "round"), "--funds", str(case / "funds.yaml"), "--spec",
                 str(case / "portfolio.yaml"), "--draws", "50", *extra])


def test_budgets_hold_per_pool_and_year_with_tranches_by_hand(case, capsys):
    assert run(case, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "optimal" and data["mip_gap"] == 0
    assert [p["id"] for p in data["pools"]] == ["fa", "prov"]           # push_only has no budget: not a pool
    budgets = {"fa": {"2027": 500, "2028": 300}, "prov": {"2027": 400, "2028": 200}}
    funded = {}
    for pool in data["pools"]:
        for year in ("2027", "2028"):
            # split 50/50; tranche 2 released with p_default 0.5 (no TRL known): counted = ask/2, then ask/4
            counted = sum(ASKS[p["project"]] * (0.5 if year == "2027" else 0.25) for p in pool["projects"])
            assert pool["years"][year]["counted"] == pytest.approx(counted)
            assert counted <= budgets[pool["id"]][year] + 1e-9
            assert pool["years"][year]["full"] == pytest.approx(sum(ASKS[p["project"]] * 0.5
                                                                    for p in pool["projects"]))
        for p in pool["projects"]:
            funded[p["project"]] = pool["id"]
    # fa's mandate: steel and new materials only
    assert all(pid in ("P01", "P03", "P05", "P06") for pid, pool in funded.items() if pool == "fa")
    # the tier-C projects (below the fundable line) and the one without an ask are left out, with their reason
    reasons = {x["project"]: x["reason"] for x in data["left_out"]}
    assert reasons["P08"] == "no_ask" and reasons["P04"] == "no_pool" and reasons["P07"] == "no_pool"
    assert data["basis"]["funds"]["sha256"] and data["audit"]["verified"] is True


def test_worst_case_counts_every_tranche_in_full(case, capsys):
    spec = (case / "portfolio.yaml").read_text(encoding="utf-8") + "budget_use: worst-case\n"
    assert run(case, "--json", spec=spec) == 0
    data = json.loads(capsys.readouterr().out)
    for pool in data["pools"]:
        assert pool["years"]["2028"]["counted"] == pytest.approx(pool["years"]["2028"]["full"])
        assert pool["years"]["2028"]["over_if_all_succeed"] == 0


def test_rnpv_objective_reads_the_valuation_json(case, capsys):
    values = {"tool": "tlr", "projects": [
        {"id": "P01", "rnpv": {"mean": 900.0}, "stages": [{"from_trl": 4, "to_trl": 6, "p_success": 0.5},
                                                          {"from_trl": 6, "to_trl": 7, "p_success": 0.8}]},
        {"id": "P03", "rnpv": None, "missing": ["market_size"], "stages": []},
        {"id": "P05", "rnpv": {"mean": 100.0}, "stages": []},
        {"id": "P06", "rnpv": {"mean": -50.0}, "stages": []},
        {"id": "P02", "rnpv": {"mean": 300.0}}]}
    (case / "value.json").write_text(json.dumps(values), encoding="utf-8")
    spec = (case / "portfolio.yaml").read_text(encoding="utf-8").replace('["+1"]', "[7]")
    assert run(case, "--json", "--values", str(case / "value.json"), "--objective", "rnpv", spec=spec) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {p["project"]: p for pool in data["pools"] for p in pool["projects"]}
    assert set(rows) == {"P01", "P02", "P05"}       # P06 has a negative rNPV, P03 none
    # P01's tranche 2 at TRL 7: released with p = 0.5 × 0.8 (its stages), so counted 300 × 0.5 × 0.4 = 60
    assert rows["P01"]["by_year"]["2028"]["counted"] == pytest.approx(60)
    assert rows["P01"]["tranches"] == [{"milestone_trl": 7, "p": pytest.approx(0.4), "source": "stages"}]
    assert rows["P05"]["tranches"][0]["source"] == "default"     # no stages: p_default
    assert data["total_value"] == pytest.approx(1300)
    reasons = {x["project"]: x for x in data["left_out"]}
    assert reasons["P03"]["reason"] == "no_value" and "market_size" in reasons["P03"]["text"]["en"]
    assert {"project": "P03", "reason": "no_value", "missing": ["market_size"]} in data["no_value"]
    assert reasons["P06"]["reason"] == "no_value_above_line"


def test_rnpv_without_values_is_refused(case, capsys):
    assert run(case, "--objective", "rnpv") == 2
    assert "--values" in capsys.readouterr().err


def test_an_infeasible_spec_names_its_conflict_with_lines(case, capsys):
    spec = (case / "portfolio.yaml").read_text(encoding="utf-8") + (
        "must_include:\n  - {project: P07, reason: 示例}\n"
        "quotas:\n  - {id: cap, by: industry, values: [钢铁], measure: count, max: 1}\n"
        "  - {id: steel, by: industry, values: [钢铁], measure: count, min: 2}\n")
    assert run(case, spec=spec) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # P07 (tier C) fits no pool: must-include alone is a conflict; the two steel quotas are another, and the
    # deletion filter names one irreducible set — here the must-include, with the nearest pool's reason
    assert len(err) == 1 and "portfolio.yaml:10" in err[0] and "P07" in err[0] and "tier C" in err[0]
    spec = spec.replace("must_include:\n  - {project: P07, reason: 示例}\n", "")
    assert run(case, spec=spec) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert any("portfolio.yaml:10" in line and "quota cap max 1" in line and "配额 cap max 1" in line for line in err)
    assert any("portfolio.yaml:11" in line and "steel min 2" in line for line in err)


def test_a_budget_in_conflict_is_located_in_funds_yaml(case, capsys):
    # four must-includes that only fa admits (prov is no pool here): 2027 needs (300 + 200 + 400 + 250) / 2 = 575
    # against fa's 500
    spec = (case / "portfolio.yaml").read_text(encoding="utf-8") + "must_include:\n" + "".join(
        f"  - {{project: {p}, reason: 示例}}\n" for p in ("P01", "P03", "P05", "P06"))
    funds = (case / "funds.yaml").read_text(encoding="utf-8").replace("    budget: {2027: 400, 2028: 200}\n", "")
    assert run(case, spec=spec, funds=funds) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5
    assert sum("funds.yaml:7" in line and "fa" in line and "2027" in line and "500" in line for line in err) == 1
    assert sorted(line.split("portfolio.yaml:")[1].split(":")[0] for line in err if "portfolio.yaml:" in line) == \
        ["10", "11", "12", "13"]


def test_bad_spec_lines_are_located(case, capsys):
    spec = ("version: 1\nyears: [2027]\nmust_include:\n  - {project: P99, reason: x}\n"
            "quotas:\n  - {id: q, by: industry, values: [钢轨], min: 1}\n")
    assert run(case, spec=spec) == 2
    err = capsys.readouterr().err
    assert "portfolio.yaml:4" in err and "P99" in err
    assert "portfolio.yaml:6" in err and "钢轨" in err


def test_out_writes_the_charts_and_the_json(case, capsys):
    out = case / "out"
    assert run(case, "--frontier", "4", "--out", str(out), "--lang", "en") == 0
    assert (out / "portfolio-value-for-money.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "portfolio-frontier.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    values = [p["value"] for p in data["frontier"]["points"] if p["value"] is not None]
    assert values == sorted(values) and len(data["frontier"]["points"]) == 4
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "portfolio-frontier.png", "portfolio-value-for-money.png", "portfolio.json"]


def test_a_year_without_budget_counts_as_zero_and_is_named(case, capsys):
    # prov lists only 2027; P02 (new energy: only prov admits it) must be funded, its tranche 2 falls in 2028
    funds = (case / "funds.yaml").read_text(encoding="utf-8").replace("{2027: 400, 2028: 200}", "{2027: 400}")
    spec = (case / "portfolio.yaml").read_text(encoding="utf-8") + "must_include:\n  - {project: P02, reason: x}\n"
    assert run(case, "--lang", "en", spec=spec, funds=funds) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert any("funds.yaml:10" in line and "pool prov budget 0 万元 in 2028 (year not in funds.yaml: counts as 0)"
               in line for line in err)
    assert any("portfolio.yaml:10" in line and "must include P02" in line for line in err)


def test_value_for_money_maximises_the_ratio(case, capsys):
    values = {"projects": [{"id": pid, "rnpv": {"mean": mean}, "stages": []} for pid, mean in
                           (("P01", 600.0), ("P02", 520.0), ("P03", 500.0), ("P05", 420.0), ("P06", 240.0))]}
    (case / "value.json").write_text(json.dumps(values), encoding="utf-8")
    ratios = {}
    for objective in ("rnpv", "value-for-money"):
        assert run(case, "--json", "--values", str(case / "value.json"), "--objective", objective) == 0
        data = json.loads(capsys.readouterr().out)
        ratios[objective] = data["total_value"] / data["total_committed"]
        if objective == "value-for-money":
            assert data["value"] == pytest.approx(ratios[objective])
            # P03 alone: 500 / 200 = 2.5 per 万元, the best ratio of any non-empty subset (by hand: every other
            # project returns less than 2.5 per 万元, so adding one lowers the ratio)
            assert [p["project"] for pool in data["pools"] for p in pool["projects"]] == ["P03"]
    assert ratios["value-for-money"] >= ratios["rnpv"]
