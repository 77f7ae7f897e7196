"""`tlr demo` and `tlr report` end to end on the bundled example round."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tlr.cli import main

pytestmark = pytest.mark.slow  # the whole demo pipeline, about 20 s

ROOT = Path(__file__).resolve().parents[2]


def test_demo_writes_campaign_ranking_and_reports(demo: Path):
    assert (demo / "round-2026" / "campaign.sqlite").is_file()
    ranking = json.loads((demo / "ranking.json").read_text(encoding="utf-8"))
    assert len(ranking["projects"]) == 58
    assert ranking["method"]["provenance"]["rubric_id"] == "fund-screening"
    assert (demo / "reports" / "report.html").is_file() and (demo / "reports" / "report.pdf").is_file()
    # nothing written outside the output folder: every file the demo made is under it
    assert all(p.resolve().is_relative_to(demo.resolve()) for p in demo.rglob("*"))


def test_demo_shows_the_example_structure(demo: Path):
    rows = {r["project"]: r for r in json.loads((demo / "ranking.json").read_text(encoding="utf-8"))["projects"]}
    assert rows["P2026-034"]["knocked_out"] and rows["P2026-051"]["knocked_out"]       # unclear IP
    assert rows["P2026-046"]["readiness_source"] == "assessment"                       # evidence beats opinion
    assert rows["P2026-046"]["readiness_marker"] == "*"
    assert rows["P2026-022"]["readiness_source"] == "asserted"                         # 'yes' without evidence
    assert rows["P2026-022"]["readiness_marker"] == "†"
    assert rows["P2026-051"]["route"] is None and rows["P2026-051"]["p_top_k"] is None  # knocked out: no route
    assert rows["P2026-015"]["readiness"] == 4                                         # min over two CTEs
    a, b = rows["P2026-021"], rows["P2026-022"]                                         # not robust: overlap
    assert max(a["rank_interval"][0], b["rank_interval"][0]) <= min(a["rank_interval"][1], b["rank_interval"][1])


def test_pdf_has_chinese_names_and_embeds_the_cjk_font(demo: Path):
    reader = PdfReader(demo / "reports" / "report.pdf")
    text = "".join(page.extract_text() or "" for page in reader.pages[:12])
    names = [r["项目名称"] for r in csv.DictReader(open(ROOT / "examples" / "round-2026" / "projects.csv",
                                                      encoding="utf-8"))]
    assert sum(name in text for name in names) >= 10
    fonts = set()
    for page in reader.pages[:3]:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            for descendant in font.get("/DescendantFonts", []) or []:
                descriptor = descendant.get_object().get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    fonts.add(str(font.get("/BaseFont")))
    assert any("CJK" in f or "Noto" in f for f in fonts), fonts


def test_demo_refuses_a_non_empty_folder(tmp_path: Path, capsys):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["demo", "--out", str(tmp_path), "--force"]) == 2  # not a demo folder: never cleared
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_report_is_reproducible_from_the_same_ledger(demo: Path, tmp_path: Path):
    for name in ("a", "b"):
        assert main(["report", str(demo / "round-2026"), "--out", str(tmp_path / name), "--format", "html",
                     "--draws", "300", "--top", "3"]) == 0
    assert (tmp_path / "a" / "report.html").read_bytes() == (tmp_path / "b" / "report.html").read_bytes()


def test_budget_selection_is_the_best_subset_of_eligible_projects(demo: Path, capsys):
    import itertools

    assert main(["rank", str(demo / "round-2026"), "--json", "--all", "--draws", "100", "--bootstrap", "0",
                 "--industries", "新材料,新能源", "--min-trl", "5", "--budget", "3000", "--objective", "sum"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["project"]: r for r in data["projects"]}
    costs = {r["项目编号"]: float(r["申请经费（万元）"]) for r in
             csv.DictReader(open(ROOT / "examples" / "round-2026" / "projects.csv", encoding="utf-8"))}
    eligible = [pid for pid, r in rows.items() if r["fund_fit"] and r["tier"] in ("A", "B")]  # fundable tiers
    assert sorted(c["project"] for c in data["selection"]["candidates"]) == sorted(eligible)
    assert 0 < len(eligible) <= 16
    assert all(r["industry"] in ("new_materials", "new_energy") and r["readiness"] >= 5 and not r["knocked_out"]
               for pid, r in rows.items() if r["fund_fit"])
    best, best_set = -1.0, None
    for k in range(len(eligible) + 1):  # brute force over every subset
        for subset in itertools.combinations(eligible, k):
            cost = sum(costs[p] for p in subset)
            score = sum(rows[p]["composite"] for p in subset)
            if cost <= 3000 and score > best + 1e-9:
                best, best_set = score, set(subset)
    selection = data["selection"]
    assert set(selection["selected"]) == best_set
    assert selection["total_cost"] <= 3000
    assert selection["total_score"] == pytest.approx(best)


def test_one_truth_on_the_demo(demo: Path, tmp_path, capsys):
    """Every project of the demo: the same figures in the CLI table, the JSON, the report data, HTML and PDF."""
    from ..evaluate.truth import assert_one_truth

    assert_one_truth(demo / "round-2026", tmp_path / "report", capsys)


def test_demo_runs_the_four_batches_beyond_one_round(demo: Path):
    """A second round, the library across both, the demand list, matches both ways and push lists."""
    import sqlite3

    assert (demo / "round-2027" / "campaign.sqlite").is_file()
    conn = sqlite3.connect(f"file:{demo / 'library.sqlite'}?mode=ro", uri=True)
    try:
        (n_demands,) = conn.execute("SELECT count(*) FROM demands").fetchone()
    finally:
        conn.close()
    with open(ROOT / "examples" / "demands.csv", encoding="utf-8") as handle:
        assert n_demands == sum(1 for _ in csv.DictReader(handle))
    matches = json.loads((demo / "matches.json").read_text(encoding="utf-8"))
    assert len(matches["matches"]) == n_demands and matches["sources"]["demands"]["kind"] == "library"
    pairs = [(m["demand"], c["achievement"], c["score"]) for m in matches["matches"] for c in m["candidates"]]
    assert pairs and all(0.15 <= s <= 1 for _d, _a, s in pairs)
    # both directions read one matrix: a pair listed on both sides has one score
    back = {(d["demand"], a["achievement"]): d["score"] for a in matches["by_achievement"] for d in a["candidates"]}
    assert all(back[(d, a)] == s for d, a, s in pairs if (d, a) in back)
    assert (demo / "push" / "index.html").is_file() and any((demo / "push").glob("fund-*.html"))
    assert all(p.resolve().is_relative_to(demo.resolve()) for p in demo.rglob("*"))
