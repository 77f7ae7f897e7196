"""`tlr rank --budget` and `tlr report --budget` on a small campaign: candidates, objectives, errors, report.

The campaign has 8 projects whose quality grows with their number: P07 (tier A, asks 800) is the best,
P06 (A) and P05 (B) follow, P04..P01 are tier D, P00 is knocked out (TRL 3). Everyone but P07 asks 150.
This is the issue's round: Σ composite over every tier funds six cheap D-tier projects and leaves P07 out.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tlr.campaign import open_campaign
from tlr.cli import main
from tlr.errors import TlrError

from .rounds import scored_round

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "fund-screening.yaml"
COSTS = [150, 150, 150, 150, 150, 150, 150, 800]


def build(base: Path, rubric_path: Path) -> Path:
    return scored_round(base, "项目编号,项目名称,申报单位,行业,成果类型,申请经费（万元）\n" + "\n".join(
        f"P{i:02d},项目{i},单位{i % 4},{'新材料' if i % 2 else '新能源'},技术开发和产业化,{COSTS[i]}"
        for i in range(8)) + "\n", name="预算测试", rubric=rubric_path)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("budget"), RUBRIC)


@pytest.fixture(scope="module")
def evaluation(campaign):
    from tlr.app.evaluation import evaluate_campaign
    from tlr.evaluation import EvaluationOptions

    ledger = open_campaign(campaign)
    return ledger, evaluate_campaign(ledger, EvaluationOptions(draws=100, bootstrap_draws=0))


FAST = ["--json", "--all", "--draws", "100", "--bootstrap", "0"]


def rank_json(campaign, capsys, *extra):
    assert main(["rank", str(campaign), *FAST, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_fixture_is_the_issue_round(campaign, capsys):
    rows = {r["project"]: r for r in rank_json(campaign, capsys)["projects"]}
    assert [r["rank"] for r in (rows["P07"], rows["P06"], rows["P05"])] == [1, 2, 3]
    assert (rows["P07"]["tier"], rows["P06"]["tier"], rows["P05"]["tier"]) == ("A", "A", "B")
    assert all(rows[f"P0{i}"]["tier"] == "D" for i in range(5)) and rows["P00"]["knocked_out"]


def test_default_funds_the_top_project_and_never_a_d_tier(campaign, capsys):
    data = rank_json(campaign, capsys, "--budget", "1000")
    rows = {r["project"]: r for r in data["projects"]}
    sel = data["selection"]
    assert sel["objective"] == "above-line" and sel["line"] == 70 and sel["fundable_tiers"] == ["A", "B"]
    assert [c["project"] for c in sel["candidates"]] == ["P07", "P06", "P05"]
    # P07 800 + P06 150 = 950 fits; value (c7 - 70) + (c6 - 70) beats P06 + P05 (300)
    assert sel["selected"] == ["P07", "P06"] and sel["total_cost"] == 950 and sel["remaining"] == 50
    c5, c6, c7 = (rows[p]["composite"] for p in ("P05", "P06", "P07"))
    assert sel["total_value"] == pytest.approx(c7 + c6 - 140, abs=1e-3)
    assert all(rows[p]["tier"] in ("A", "B") for p in sel["selected"])
    (p05,) = sel["left_out"]
    # P05 asks 150, 50 left: dropping P06 (150) makes room, worth c6 - 70 > c5 - 70
    assert (p05["project"], p05["reason"], p05["drop"]) == ("P05", "displaces_more", ["P06"])
    assert p05["delta"] == pytest.approx(c5 - c6, abs=1e-3) and p05["remaining"] == 50
    assert "P06" in p05["explanation"]["zh"] and "P06" in p05["explanation"]["en"]
    assert sel["rank_fill"]["selected"] == ["P07", "P06"]
    assert "tier D is not fundable" in " ".join(sel["not_eligible"]["P04"])
    assert any("knocked out" in r for r in sel["not_eligible"]["P00"])
    json.dumps(data, allow_nan=False)


def test_sum_over_every_tier_reproduces_the_issue_and_is_the_exact_sum_optimum(campaign, capsys):
    data = rank_json(campaign, capsys, "--budget", "1000", "--objective", "sum", "--fundable-tiers", "all")
    rows = {r["project"]: r for r in data["projects"]}
    sel = data["selection"]
    assert "P07" not in sel["selected"] and any(rows[p]["tier"] == "D" for p in sel["selected"])
    cands = [c["project"] for c in sel["candidates"]]
    assert cands == ["P07", "P06", "P05", "P04", "P03", "P02", "P01"]  # P00 knocked out
    best = max(sum(rows[p]["composite"] for p in s) for k in range(len(cands) + 1)
               for s in itertools.combinations(cands, k)
               if sum(COSTS[int(p[1:])] for p in s) <= 1000)
    assert sel["total_value"] == pytest.approx(best, abs=1e-3)
    p07 = next(x for x in sel["left_out"] if x["project"] == "P07")
    assert p07["reason"] == "displaces_more" and p07["delta"] < 0
    assert "cheap weak" in sel["failure_mode"]["en"]


@pytest.mark.parametrize("budget", [150, 300, 800, 1100])
def test_above_line_matches_enumeration(campaign, capsys, budget):
    data = rank_json(campaign, capsys, "--budget", str(budget))
    rows = {r["project"]: r for r in data["projects"]}
    cands = [c["project"] for c in data["selection"]["candidates"]]
    best = max(sum(rows[p]["composite"] - 70 for p in s) for k in range(len(cands) + 1)
               for s in itertools.combinations(cands, k) if sum(COSTS[int(p[1:])] for p in s) <= budget)
    sel = data["selection"]
    assert sel["total_value"] == pytest.approx(best, abs=1e-3) and sel["total_cost"] <= budget
    frontier = sel["frontier"]
    here = frontier["points"][frontier["at_budget"]]
    assert here["budget"] <= budget and here["value"] == pytest.approx(best, abs=1e-3)


def test_terminal_shows_selection_fill_left_out_and_frontier(campaign, capsys):
    assert main(["rank", str(campaign), "--draws", "100", "--bootstrap", "0", "--budget", "1000"]) == 0
    out = capsys.readouterr().out
    for text in ("资金安排建议", "above-line", "已知缺陷", "按排名顺序填充", "未入选的可资助项目", "有效前沿", "◀ 本次预算"):
        assert text in out
    assert "#3 P05" in out


@pytest.mark.parametrize("args, message", [
    (["--min-trl", "9"], "no project meets --min-trl 9 (最高就绪水平 / highest readiness: 8)"),
    (["--industries", "钢铁"], "no project is in --industries 钢铁"),
    (["--budget", "100"], "no candidate fits in the budget 100 (最便宜 / cheapest: P06 项目6 150 万)"),
    (["--cost-column", "投资额"], "no fundable project has a requested amount (column 投资额"),
    (["--max-ticket", "100"], "no project asks for at most --max-ticket 100 (最小申请 / smallest request: P01 项目1 150 万)"),
    (["--fundable-tiers", "C"], "no project is in a fundable tier (C)"),
    (["--fundable-tiers", "Z"], "unknown tier(s) in --fundable-tiers: Z"),
])
def test_errors_name_the_binding_cause(campaign, capsys, args, message):
    base = ["--budget", "1000"] if "--budget" not in args else []
    assert main(["rank", str(campaign), "--draws", "50", "--bootstrap", "0", *base, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_min_trl_error_reports_the_highest_readiness_left(campaign, capsys):
    # new energy projects are the even ones: P06 (TRL 7) is the most ready of them
    assert main(["rank", str(campaign), "--draws", "50", "--bootstrap", "0", "--budget", "1000",
                 "--industries", "新能源", "--min-trl", "8"]) == 2
    assert "highest readiness: 7)" in capsys.readouterr().err


def test_rubric_without_fundable_tiers(tmp_path, capsys):
    text = RUBRIC.read_text(encoding="utf-8").replace("    fundable: true\n", "")
    rubric = tmp_path / "fund-screening.yaml"
    rubric.write_text(text, encoding="utf-8")
    (tmp_path / "readiness").symlink_to(RUBRIC.parent / "readiness")
    campaign = build(tmp_path / "c", rubric)
    assert main(["rank", str(campaign), "--draws", "50", "--bootstrap", "0", "--budget", "1000"]) == 2
    err = capsys.readouterr().err
    assert "none of the tiers of rubric fund-screening 1.0.0 is marked fundable (tiers: A, B, C, D)" in err
    assert "--fundable-tiers" in err
    data = rank_json(campaign, capsys, "--budget", "1000", "--fundable-tiers", "A,B")
    assert data["selection"]["selected"] == ["P07", "P06"]


def test_no_tiers_every_gate_passing_project_is_a_candidate_line_zero(evaluation):
    from tlr.app.funding import fundable_tiers, select_for_budget

    ledger, ev = evaluation
    bare = SimpleNamespace(id="bare", version="1", document=SimpleNamespace(tiers=None))
    assert fundable_tiers(bare) == (None, 0.0)
    names = {p["id"]: p for p in ledger.projects()}
    sel = select_for_budget(dataclasses.replace(ev, rubric=bare), names, 1000, frontier_points=10)
    assert sel["line"] == 0 and sel["fundable_tiers"] is None
    assert [c["project"] for c in sel["candidates"]] == ["P07", "P06", "P05", "P04", "P03", "P02", "P01"]
    assert "no tiers" in sel["candidate_rule"]["en"] and "未设档次" in sel["candidate_rule"]["zh"]
    with pytest.raises(TlrError, match="no tiers"):
        fundable_tiers(bare, ["A"])


def test_undecided_knock_out_gate_is_not_a_candidate(evaluation):
    from tlr.app.funding import select_for_budget

    ledger, ev = evaluation
    names = {p["id"]: p for p in ledger.projects()}
    p07 = ev.projects.index("P07")
    gates = list(ev.gates)
    k = next(i for i, g in enumerate(gates) if g.effect == "knockout" and not g.hit[p07])
    unknown = gates[k].unknown.copy()
    unknown[p07] = True
    gates[k] = dataclasses.replace(gates[k], unknown=unknown)
    sel = select_for_budget(dataclasses.replace(ev, gates=tuple(gates)), names, 1000, frontier_points=5)
    assert "P07" not in [c["project"] for c in sel["candidates"]]
    assert any("undecided knock-out gate" in r for r in sel["not_eligible"]["P07"])


@pytest.mark.slow
def test_report_adds_the_selection_section_only_with_a_budget(campaign, tmp_path):
    assert main(["report", str(campaign), "--out", str(tmp_path / "a"), "--format", "html", "--draws", "100",
                 "--top", "0", "--budget", "1000", "--data-json"]) == 0
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="selection"'):]
    section = section[:section.index("</section>")]
    for text in ("资金安排建议", "已知缺陷", "按排名顺序填充", "未入选的可资助项目", "有效前沿", "项目7", "项目6",
                 "ch-frontier", "本次预算"):
        assert text in section
    data = json.loads((tmp_path / "a" / "report-data.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in data["selection"]["selected"]] == ["P07", "P06"]
    assert data["selection"]["left_out"][0]["drop"] == ["P06"]


@pytest.mark.slow
def test_report_without_budget_has_no_section_and_english_labels(campaign, tmp_path):
    assert main(["report", str(campaign), "--out", str(tmp_path / "b"), "--format", "html", "--draws", "100",
                 "--top", "0"]) == 0
    assert 'id="selection"' not in (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert main(["report", str(campaign), "--out", str(tmp_path / "c"), "--format", "html", "--draws", "100",
                 "--top", "0", "--budget", "1000", "--lang", "en", "--objective", "value-for-money"]) == 0
    en = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert "Budget selection" in en and "Value-for-money rule" in en and "Known failure" in en


def test_report_with_an_impossible_budget_writes_nothing(campaign, tmp_path, capsys):
    assert main(["report", str(campaign), "--out", str(tmp_path / "x"), "--format", "html", "--draws", "50",
                 "--budget", "100"]) == 2
    assert "no candidate fits in the budget 100" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_report_pdf_has_the_selection_pages(campaign, tmp_path):
    from pypdf import PdfReader

    assert main(["report", str(campaign), "--out", str(tmp_path), "--format", "pdf", "--draws", "100",
                 "--top", "0", "--budget", "1000"]) == 0
    text = "".join(page.extract_text() or "" for page in PdfReader(tmp_path / "report.pdf").pages)
    assert "资金安排建议" in text and "有效前沿" in text and "项目7" in text


def test_frontier_chart_is_deterministic_svg():
    from tlr.report.charts import frontier

    args = ([0, 400, 800, 1200], [0, 10.9, 25.3, 36.2], [0, 10.9, 25.3, 36.2])
    kw = dict(rule_values=[0, 10.9, 10.9, 36.2], budget=1000, names=("最大价值", "排名填充", "性价比规则"),
              budget_label="预算 1000", xlabel="预算（万元）", ylabel="价值", title="有效前沿", uid="t")
    a, b = frontier(*args, **kw), frontier(*args, **kw)
    assert a == b and a.startswith("<svg") and 'class="chart"' in a and "<title>有效前沿</title>" in a
    assert "Date" not in a and frontier(*args, **{**kw, "budget": 1100}) != a


def test_report_contract_rejects_a_selection_naming_an_unknown_project():
    from tlr.report.model import BudgetSelection, ReportData
    from tlr.report.sample import sample_report

    data = sample_report(5, seed=1)
    pid = data.projects[0].id
    section = dict(budget=100, objective="sum", objective_text="x", failure_mode="y", candidate_rule="z", line=0,
                   n_candidates=1, candidates_cost=50, total_cost=50, total_value=80, remaining=50,
                   optimum_value=80, rank_fill_value=80, rank_fill_cost=50,
                   selected=[dict(id=pid, name="n", tier=data.projects[0].tier, cost=50, value=80)])
    ok = ReportData.model_validate({**data.model_dump(), "selection": BudgetSelection(**section)})
    assert ok.selection.selected[0].id == pid
    with pytest.raises(ValueError, match="unknown project"):
        ReportData.model_validate({**data.model_dump(), "selection": {**section, "rank_fill": ["NOPE"]}})
