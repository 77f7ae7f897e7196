"""`tlr value` on a campaign and on a plain table: contract 1, inputs and their sources, missing inputs,
located errors, the rubric's `valuation:` section."""

from __future__ import annotations

import json

import pytest

from tlr.cli import main

from .conftest import RUBRIC, build, write

KEYS = {"id", "name", "trl", "trl_source", "stages", "p_market", "rnpv", "income", "cost_floor", "interval",
        "inputs", "missing"}


def _json(args, capsys):
    code = main([str(a) for a in args] + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_campaign_json_is_contract_1(round_dir, capsys):
    doc = _json(["value", round_dir, "--draws", 2000, "--seed", 3], capsys)
    assert doc["tool"].startswith("tlr ") and doc["method"]["draws"] == 2000 and doc["method"]["seed"] == 3
    assert len(doc["sources"]["rubric"]) == 64 and doc["sources"]["ledger_audit_head"] and doc["sources"]["inputs"] is None
    by = {p["id"]: p for p in doc["projects"]}
    assert [p["id"] for p in doc["projects"]] == ["P1", "P2", "P3"]
    for p in by.values():
        assert KEYS <= set(p)
    p1 = by["P1"]
    assert (p1["trl"], p1["trl_source"]) == (6, "panel")
    assert set(p1["rnpv"]) >= {"mean", "p10", "p50", "p90", "p_positive"}
    # P1's own inputs are fixed, but its stages' probabilities and durations are the defaults' ranges
    assert p1["rnpv"]["p10"] < p1["rnpv"]["p50"] < p1["rnpv"]["p90"]
    assert p1["inputs"]["market_share"] == {"low": 0.05, "mode": 0.05, "high": 0.05, "source": "project"}
    assert p1["inputs"]["commercial_life"]["source"] == "default"
    assert p1["inputs"]["royalty"]["source"] == "default"     # profit share × margin
    assert p1["cost_floor"] == pytest.approx(240.0)            # 300 × 0.8
    assert p1["interval"] == sorted([240.0, p1["income"]["value"]])
    # the order of the two ends is said, not hidden by the sort
    assert p1["interval_note"] == ("income_below_cost" if p1["income"]["value"] < 240.0 else None)
    # TRL 6 with the packaged general stages: demonstration (6→7) then industrialisation (7→9)
    assert [s["id"] for s in p1["stages"]] == ["demonstration", "industrialisation"]
    # a stage's note travels with it: the judgement behind a low-confidence number is shown, not only its source
    assert [(s["confidence"], "Judgement" in s["note"]) for s in p1["stages"]] == [("low", True), ("low", True)]
    assert p1["p_market"] == pytest.approx(0.65 * 0.75)
    assert sum(s["cost"] for s in p1["stages"]) == pytest.approx(400.0)
    # P2 is biomedicine: clinical phases; its ranged inputs spread the value
    p2 = by["P2"]
    assert [s["id"] for s in p2["stages"]] == ["phase1", "phase2", "phase3", "launch"]
    assert {s["source"] for s in p2["stages"]} == {"industry"}
    assert p2["inputs"]["market_size"] == {"low": 20000, "mode": 50000, "high": 90000, "source": "project"}
    assert p2["inputs"]["market_share"]["mode"] == pytest.approx(0.035)        # low~high: mode midway
    assert p2["rnpv"]["p10"] < p2["rnpv"]["p50"] < p2["rnpv"]["p90"]
    assert p2["cost_floor"] is None and p2["interval"] is None
    assert set(p2["missing"]) == {"replacement_cost", "newness"}
    # P3 has no market share: named, never valued as zero
    p3 = by["P3"]
    assert p3["rnpv"] is None and p3["p_market"] is None and "market_share" in p3["missing"]


def test_closed_form_by_hand_for_p1(round_dir, capsys):
    """P1 at TRL 6: stages 6→7 (p 0.65, 2 years, share 0.25) and 7→9 (p 0.75, 2 years, share 0.35) of the
    packaged defaults; R&D 400 split 0.25:0.35; profit 10000 × 5% × 30% = 150 a year for 8 years, ramp 3,
    at 10%."""
    doc = _json(["value", round_dir, "--draws", 10], capsys)
    p1 = next(p for p in doc["projects"] if p["id"] == "P1")
    v = 1 / 1.1
    costs = 400 * 0.25 / 0.6 + 0.65 * 400 * 0.35 / 0.6 * v ** 2
    weights = [1 / 3, 2 / 3] + [1] * 6
    income = 0.65 * 0.75 * 150 * sum(w * v ** y for y, w in enumerate(weights, 1)) * v ** 4
    assert p1["rnpv"]["at_mode"] == pytest.approx(income - costs, abs=1e-6)
    # 收益法: revenue 500 × (0.25 × 0.3) × (1 − 0.25), discounted at 2% + 11% from launch (4 years)
    r = 1 / 1.13
    inc = 500 * 0.075 * 0.75 * sum(w * r ** y for y, w in enumerate(weights, 1)) * r ** 4
    assert p1["income"]["value"] == pytest.approx(inc, abs=1e-6)


def test_inputs_file_wins_and_is_hashed(round_dir, tmp_path, capsys):
    f = write(tmp_path / "v.yaml", """\
        projects:
          P3: {market_share: [0.01, 0.02, 0.04], 成新率: 0.5, 重置成本: 100}
          P1: {market_size: {low: 5000, mode: 10000, high: 20000}}
        """)
    doc = _json(["value", round_dir, "--inputs", f, "--draws", 500], capsys)
    by = {p["id"]: p for p in doc["projects"]}
    assert by["P3"]["rnpv"] is not None and by["P3"]["missing"] == []
    assert by["P3"]["inputs"]["market_share"]["source"] == "project" and by["P3"]["cost_floor"] == 50.0
    assert by["P1"]["inputs"]["market_size"]["low"] == 5000
    import hashlib

    assert doc["sources"]["inputs"]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()


def test_same_seed_same_numbers(round_dir, capsys):
    a = _json(["value", round_dir, "--draws", 800, "--seed", 9], capsys)
    b = _json(["value", round_dir, "--draws", 800, "--seed", 9], capsys)
    c = _json(["value", round_dir, "--draws", 800, "--seed", 10], capsys)
    assert a["projects"] == b["projects"]
    assert a["projects"][1]["rnpv"] != c["projects"][1]["rnpv"]


@pytest.mark.parametrize("text, where, what", [
    ("项目编号,市场份额\nP1,12a\n", "row 2: B (市场份额)", "not a number"),
    ("项目编号,市场份额\nP1,150%\n", "row 2: B (市场份额)", "between 0 and 1"),
    ("项目编号,研发投入（万元）\nP1,900~100\n", "row 2: B (研发投入（万元）)", "low <= mode <= high"),
    ("项目编号,市场规模（万元）\nP9,100\n", "P9", "not in this campaign"),
])
def test_bad_inputs_table_one_located_line(round_dir, tmp_path, capsys, text, where, what):
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    code = main(["value", str(round_dir), "--inputs", str(f), "--draws", "10"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "bad.csv" in err[0] and where in err[0] and what in err[0] and "—" in err[0]   # a hint follows


def test_bad_yaml_range_is_located(round_dir, tmp_path, capsys):
    f = write(tmp_path / "bad.yaml", """\
        P1:
          market_size: {low: 5, high: 1}
          colour: red
        """)
    code = main(["value", str(round_dir), "--inputs", str(f)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 2
    assert "bad.yaml:2" in err[0] and "low <= mode <= high" in err[0]
    assert "bad.yaml:3" in err[1] and "unknown input 'colour'" in err[1]


def test_bad_imported_cell_refused_unless_inputs_override(tmp_path, capsys):
    from .conftest import PROJECTS

    round_dir = build(tmp_path / "c", projects=PROJECTS.replace("10000,5%", "10000,lots"))
    code = main(["value", str(round_dir), "--draws", "10"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "P1: 市场份额" in err[0] and "--inputs" in err[0]
    f = write(tmp_path / "fix.csv", "项目编号,市场份额\nP1,4%\n")
    doc = _json(["value", round_dir, "--inputs", f, "--draws", "10"], capsys)
    assert doc["projects"][0]["inputs"]["market_share"]["mode"] == pytest.approx(0.04)


def test_rubric_valuation_section_sets_defaults_and_keeps_other_hashes(tmp_path, capsys):
    from tlr.rubric import load_rubric

    (tmp_path / "a.yaml").write_text(RUBRIC, encoding="utf-8")
    plain = load_rubric(tmp_path / "a.yaml")
    assert "valuation" not in plain.canonical_json()          # unstated: the hash is what it was
    stated = RUBRIC + ("valuation:\n  discount_rate: 0.12\n  commercial_life: 10\n  distribution: pert\n"
                       "  industries:\n    materials:\n      match: [新材料]\n      stages:\n"
                       "        - {id: scale_up, from_trl: 5, to_trl: 9, p_success: 0.4, years: [1, 2, 3], "
                       "cost_share: 1}\n")
    (tmp_path / "b.yaml").write_text(stated, encoding="utf-8")
    assert load_rubric(tmp_path / "b.yaml").content_hash != plain.content_hash
    round_dir = build(tmp_path / "c", rubric_text=stated)
    doc = _json(["value", round_dir, "--draws", 200], capsys)
    assert doc["method"]["discount_rate"]["source"] == "rubric" and doc["method"]["distribution"] == "pert"
    p1 = doc["projects"][0]
    assert p1["inputs"]["commercial_life"] == {"low": 10.0, "mode": 10.0, "high": 10.0, "source": "rubric"}
    assert [(s["id"], s["source"]) for s in p1["stages"]] == [("scale_up", "industry")]
    assert p1["stages"][0]["p_success"] == pytest.approx(0.4 ** 0.75)    # TRL 6: three of its four levels left


def test_rubric_valuation_errors_are_located(tmp_path, capsys):
    (tmp_path / "r.yaml").write_text(RUBRIC + "valuation:\n  discount_rate: 2\n", encoding="utf-8")
    code = main(["rubric", "check", str(tmp_path / "r.yaml")])
    out = capsys.readouterr()
    assert code == 2 and "valuation.discount_rate" in (out.err + out.out)


def test_plain_table_without_campaign(tmp_path, capsys):
    f = write(tmp_path / "t.csv", "项目编号,项目名称,行业,TRL,市场规模（万元）,市场份额,毛利率,研发投入（万元）\n"
                                 "A1,甲,新材料,7,1000~3000,3%,0.25,200\nA2,乙,新材料,,1000,3%,0.25,200\n")
    doc = _json(["value", f, "--draws", 300], capsys)
    a1, a2 = doc["projects"]
    assert (a1["trl"], a1["trl_source"]) == (7, "declared") and a1["rnpv"] is not None
    assert a2["rnpv"] is None and a2["missing"][0] == "trl"
    assert doc["sources"]["rubric"] is None and doc["sources"]["ledger_audit_head"] is None
    code = main(["value", str(f), "--draws", "300", "--top", "1"])
    out = capsys.readouterr().out
    assert code == 0 and "A1" in out and "A2" not in out.split("\n", 3)[-1].split("已估值")[0]


def test_unscored_round_uses_a_declared_trl(tmp_path, capsys):
    from tlr.campaign import import_projects, init_campaign
    from tlr.rubric import load_rubric

    from .conftest import PROJECTS

    (tmp_path / "r.yaml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "p.csv").write_text(PROJECTS.replace("成新率\n", "成新率,TRL\n").replace(",0.8\n", ",0.8,5\n"),
                                    encoding="utf-8")
    with init_campaign(tmp_path / "round", load_rubric(tmp_path / "r.yaml")) as led:
        import_projects(led, tmp_path / "p.csv")
    doc = _json(["value", tmp_path / "round", "--draws", 50], capsys)
    p1, p2 = doc["projects"][:2]
    assert (p1["trl"], p1["trl_source"]) == (5, "declared") and p1["rnpv"] is not None
    assert p2["trl"] is None and p2["rnpv"] is None and p2["missing"][0] == "trl"


def test_audit_gate(round_dir, tmp_path, capsys):
    import shutil
    import sqlite3

    copy = tmp_path / "copy"
    shutil.copytree(round_dir, copy)
    with sqlite3.connect(copy / "campaign.sqlite") as conn:
        conn.execute("UPDATE projects SET name = 'tampered' WHERE id = 'P1'")
    code = main(["value", str(copy), "--draws", "10"])
    err = capsys.readouterr().err
    assert code == 2 and "audit" in err
    doc = _json(["value", copy, "--draws", 10, "--allow-unverified"], capsys)
    assert doc["stamp"] == {"zh": "审计未通过", "en": "audit failed"} and doc["audit"]["verified"] is False


def test_xlsx_inputs(round_dir, tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "市场份额", "研发投入（万元）"])
    ws.append(["P3", 0.03, "200~300~500"])
    wb.save(tmp_path / "v.xlsx")
    doc = _json(["value", round_dir, "--inputs", tmp_path / "v.xlsx", "--draws", 50], capsys)
    p3 = doc["projects"][2]
    assert p3["inputs"]["market_share"]["mode"] == pytest.approx(0.03) and p3["rnpv"] is not None
    assert p3["inputs"]["rd_cost"] == {"low": 200, "mode": 300, "high": 500, "source": "project"}


def test_a_projects_own_stages_replace_the_defaults(round_dir, tmp_path, capsys):
    f = write(tmp_path / "v.yaml", """\
        P1:
          stages:
            - {id: line-trial, from_trl: 6, to_trl: 7, p_success: 0.9, years: 1, cost_share: 0.5}
            - {id: scale-up, from_trl: 7, to_trl: 9, p_success: 0.8, years: [1, 2, 3], cost_share: 0.5,
               source: 中试基地合同, confidence: medium}
        """)
    doc = _json(["value", round_dir, "--inputs", f, "--draws", 500], capsys)
    p1 = {p["id"]: p for p in doc["projects"]}["P1"]
    assert [(s["id"], s["source"]) for s in p1["stages"]] == [("line-trial", "project"), ("scale-up", "project")]
    assert p1["p_market"] == pytest.approx(0.9 * 0.8)                    # not the packaged 0.65 × 0.75
    assert [s["cost"] for s in p1["stages"]] == pytest.approx([200.0, 200.0])   # half each of the 400 R&D still due
    assert p1["stages"][0]["reference"] == "v.yaml" and p1["stages"][1]["reference"] == "中试基地合同"
    p2 = {p["id"]: p for p in doc["projects"]}["P2"]
    assert {s["source"] for s in p2["stages"]} == {"industry"}           # the others keep their defaults


def test_bad_project_stages_are_located(round_dir, tmp_path, capsys):
    f = write(tmp_path / "bad.yaml", """\
        P1:
          stages:
            - {id: a, from_trl: 6, to_trl: 7, p_success: 1.5, years: 1, cost_share: 0.5}
        P2:
          stages:
            - {id: a, from_trl: 5, to_trl: 6, p_success: 0.5, years: 1, cost_share: 0.5}
            - {id: b, from_trl: 7, to_trl: 9, p_success: 0.5, years: 1, cost_share: 0.5}
        """)
    code = main(["value", str(round_dir), "--inputs", str(f)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 2
    assert "bad.yaml:3" in err[0] and "less than or equal to 1" in err[0]
    assert "bad.yaml:7" in err[1] and "starts at TRL 7" in err[1]
