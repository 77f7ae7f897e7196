"""tlr push on the demo round (regions added, one applicant a spreadsheet formula): the packs hold what the
funds.yaml rules select from the round's records, the files say what they were made from, nothing is
written outside --out."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.campaign.support import ledger_rows

from .conftest import FORMULA, PLACES, PLANTED, region_of

pytestmark = pytest.mark.slow  # one demo round, one full run with PDFs: about 20 s for the module

DATA = Path(__file__).parent / "data"
FUNDS = DATA / "funds.yaml"
DRAWS, SEED = 300, 20240601

# funds.yaml (tests/push/data/funds.yaml), written out again here as plain Python: the test's own reading
EQUIP = dict(industries={"high_end_equipment", "information_intelligence"}, trl=(6, 9), ticket=(300, 3000),
             routes={"transfer", "land"}, tiers={"A", "B"})  # tiers: the rubric's fundable tiers (A, B)
MATERIALS = dict(industries={"new_materials", "new_energy", "steel"}, regions={"唐山市", "迁安市", "唐山高新区", "石家庄市"},
                 trl=(4, 9), tiers={"A", "B", "C"})
ANGEL = dict(trl=(3, 6), ticket=(0, 800), tiers={"B", "C"}, routes={"research", "transfer"})
TANGSHAN = dict(regions={"唐山市", "迁安市", "唐山高新区"})
HENGSHUI = dict(regions={"衡水市"}, industries={"energy_saving_environment", "modern_agriculture", "food"})
RULES = {"equip": EQUIP, "materials": MATERIALS, "angel": ANGEL, "tangshan": TANGSHAN, "hengshui": HENGSHUI}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "tlr", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def pushed(push_campaign: Path):
    """One `tlr push --json` run (HTML and PDF); the JSON, the out folder, and the files around it before/after."""
    base = push_campaign.parent.parent
    out = base / "push-out"
    before = tree(base)
    rows_before = ledger_rows(push_campaign, schema=True)
    proc = run("push", str(push_campaign), "--funds", str(FUNDS), "--out", str(out), "--json", "--draws",
               str(DRAWS), "--seed", str(SEED))
    assert proc.returncode == 0, proc.stderr
    after = tree(base)
    return {"doc": json.loads(proc.stdout), "out": out, "before": before, "after": after, "base": base,
            "ledger_unchanged": ledger_rows(push_campaign, schema=True) == rows_before}


@pytest.fixture(scope="module")
def records(push_campaign: Path):
    """The round's records (the report's and `tlr rank --json`'s), with each project's ledger row."""
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.records import project_records
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions

    ledger = open_campaign(push_campaign)
    try:
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=DRAWS, seed=SEED))
        rows = {p["id"]: p for p in ledger.projects()}
        recs = project_records(ev, rows, "zh")
        head = ledger.audit_head()[1]
        rubric_hash = ledger.rubric.content_hash
    finally:
        ledger.close()
    return {"records": recs, "rows": rows, "head": head, "rubric_hash": rubric_hash}


def _facts(records) -> list[dict]:
    """Per project (rank order): what the rules look at, read from the records and the fixture's own data."""
    order = list(records["rows"])  # import order = row order of projects.csv
    out = []
    for rec in records["records"]:
        row = records["rows"][rec["project"]]
        out.append({"id": rec["project"], "tier": rec["tier"], "route": rec["route"], "trl": rec["readiness"],
                    "industry": row["industry"], "region": region_of(order.index(rec["project"])),
                    "ask": float(row["extra"]["申请经费（万元）"]),
                    "eligible": rec["composite"] is not None and not rec["knocked_out"]})
    return out


def _fails(f: dict, rule: dict) -> int:
    n = 0 if f["eligible"] else 1
    n += "tiers" in rule and f["tier"] not in rule["tiers"]
    n += "routes" in rule and f["route"] not in rule["routes"]
    n += "trl" in rule and not (f["trl"] is not None and rule["trl"][0] <= f["trl"] <= rule["trl"][1])
    n += "ticket" in rule and not (rule["ticket"][0] <= f["ask"] <= rule["ticket"][1])
    n += "industries" in rule and f["industry"] not in rule["industries"]
    n += "regions" in rule and f["region"] not in rule["regions"]
    return n


def test_every_pack_holds_what_its_rule_selects_in_rank_order(pushed, records):
    facts = _facts(records)
    packs = {p["id"]: p for p in pushed["doc"]["packs"]}
    assert list(packs) == list(RULES)
    for mid, rule in RULES.items():
        expected = [f["id"] for f in facts if _fails(f, rule) == 0]
        assert packs[mid]["achievements"] == expected, mid
    assert all(packs[m]["achievements"] for m in RULES), "every pack of the test file has someone"


FUNDS_ORDER = ["equip", "materials", "angel"]  # the sub-funds of the test file, in file order


def test_unplaced_are_those_in_no_fund_with_the_nearest_fund_by_fewest_failures(pushed, records):
    facts = _facts(records)
    packs = {p["id"]: p["achievements"] for p in pushed["doc"]["packs"]}
    in_a_fund = {a for m in FUNDS_ORDER for a in packs[m]}
    unplaced = {u["project"]: u for u in pushed["doc"]["unplaced"]}
    assert set(unplaced) == {f["id"] for f in facts} - in_a_fund
    assert [u["project"] for u in pushed["doc"]["unplaced"]] == [f["id"] for f in facts if f["id"] in unplaced]
    for f in facts:
        if f["id"] not in unplaced:
            continue
        u = unplaced[f["id"]]
        counts = {m: _fails(f, RULES[m]) for m in FUNDS_ORDER}
        focus = {m: _fails(f, {k: v for k, v in RULES[m].items() if k in ("industries", "regions")}) - (
            not f["eligible"]) for m in FUNDS_ORDER}
        fewest = min(counts.values())
        assert len(u["failures"]) == counts[u["nearest"]] == fewest
        tied = [m for m in FUNDS_ORDER if counts[m] == fewest]
        assert u["nearest"] == min(tied, key=lambda m: (focus[m], FUNDS_ORDER.index(m)))
        assert all(x["text"] for x in u["failures"])
        assert u["pushed_to"] == [m for m in ("tangshan", "hengshui") if f["id"] in packs[m]]
    assert any(u["pushed_to"] for u in unplaced.values()), "some are pushed to their region all the same"


def test_the_knocked_out_are_never_pushed(pushed, records):
    placed = {a for p in pushed["doc"]["packs"] for a in p["achievements"]}
    knocked = {r["project"] for r in records["records"] if r["knocked_out"]}
    assert knocked and not knocked & placed
    unplaced = {u["project"]: u for u in pushed["doc"]["unplaced"]}
    assert all("knocked_out" in [x["code"] for x in unplaced[k]["failures"]] for k in knocked)


def test_json_shape_and_basis(pushed, records):
    doc = pushed["doc"]
    assert set(doc) >= {"packs", "unplaced", "basis", "funds", "audit", "index", "unplaced_files", "stamp"}
    pack = doc["packs"][0]
    assert set(pack) == {"id", "kind", "recipient_kind", "name", "rule", "achievements", "files"}
    assert [f["format"] for f in pack["files"]] == ["html", "pdf", "csv", "xlsx"]
    for f in pack["files"]:
        assert hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest() == f["sha256"]
    u = doc["unplaced"][0]
    assert set(u) == {"project", "nearest", "failures", "pushed_to"}
    assert set(u["failures"][0]) == {"code", "condition", "value", "limit", "text"}
    basis = doc["basis"]
    from tlr import __version__

    assert basis["rubric_hash"] == records["rubric_hash"]
    assert basis["audit_head"] == records["head"]
    assert basis["funds_sha256"] == hashlib.sha256(FUNDS.read_bytes()).hexdigest() == doc["funds"]["sha256"]
    assert basis["tool_version"] == __version__
    assert doc["audit"]["verified"] is True and doc["stamp"] is None


def test_the_csv_carries_the_records_figures(pushed, records):
    by_id = {r["project"]: r for r in records["records"]}
    for pack in pushed["doc"]["packs"]:
        raw = (pushed["out"] / f"{pack['kind']}-{pack['id']}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:3] == ["排名 / rank", "编号 / id", "成果名称 / name"]
        assert [r[1] for r in rows[1:]] == pack["achievements"]
        for r in rows[1:]:
            rec = by_id[r[1]]
            assert int(r[0]) == rec["rank"] and float(r[7]) == rec["composite"] and r[6] == rec["tier"]
            assert int(r[8]) == rec["readiness"]


def test_a_formula_cell_is_neutralised_in_csv_and_xlsx(pushed):
    from openpyxl import load_workbook

    tangshan = next(p for p in pushed["doc"]["packs"] if p["id"] == "tangshan")
    assert PLANTED in tangshan["achievements"]
    rows = list(csv.reader(io.StringIO((pushed["out"] / "recipient-tangshan.csv").read_text(encoding="utf-8-sig"))))
    cell = next(r[3] for r in rows if r[1] == PLANTED)
    assert cell == "'" + FORMULA
    ws = load_workbook(pushed["out"] / "recipient-tangshan.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert [c.value for c in cells] == ["'" + FORMULA] and cells[0].data_type == "s"


def test_the_pdf_reads_back_in_chinese_with_every_name(pushed, records):
    from pypdf import PdfReader

    pack = next(p for p in pushed["doc"]["packs"] if p["id"] == "materials")
    text = "".join(page.extract_text() for page in PdfReader(pushed["out"] / "fund-materials.pdf").pages)
    flat = "".join(text.split())
    assert "新材料与新能源子基金" in flat and "推荐成果清单" in flat
    for pid in pack["achievements"]:
        assert "".join(records["rows"][pid]["name"].split()) in flat
    assert "TRL4–9" in flat  # the rule, as generated from the mandate
    assert pushed["doc"]["basis"]["funds_sha256"] in flat


def test_each_html_states_what_it_was_made_from(pushed):
    basis = pushed["doc"]["basis"]
    for name in ["fund-equip.html", "recipient-hengshui.html", "index.html", "unplaced.html"]:
        html = (pushed["out"] / name).read_text(encoding="utf-8")
        for key in ("rubric_hash", "audit_head", "funds_sha256", "scores_hash"):
            assert basis[key] in html, (name, key)
        assert f"tlr {basis['tool_version']}" in html


def test_nothing_is_written_outside_out(pushed):
    inside = "push-out" + os.sep
    changed = {k for k in set(pushed["before"]) | set(pushed["after"])
               if pushed["before"].get(k) != pushed["after"].get(k) and not k.startswith(inside)}
    ledger = "demo/round-2026/campaign.sqlite"
    assert changed <= {ledger, ledger + "-wal", ledger + "-shm"}, changed  # SQLite's own upkeep of its pages
    assert pushed["ledger_unchanged"], "every table, the schema and the audit head are as before"
    written = {k[len(inside):] for k in pushed["after"] if k.startswith(inside)}
    expected = {f"{p['kind']}-{p['id']}.{x}" for p in pushed["doc"]["packs"] for x in ("html", "pdf", "csv", "xlsx")}
    assert written == expected | {"index.html", "unplaced.html", "unplaced.csv", ".tlr-manifest.json"}


def test_a_rerun_replaces_its_own_files_and_refuses_a_foreign_one(push_campaign, tmp_path):
    out = tmp_path / "out"
    args = ["push", str(push_campaign), "--funds", str(DATA / "funds-minimal.yaml"), "--format", "html",
            "--draws", "50"]
    assert run(*args, "--out", str(out)).returncode == 0
    first = tree(out)
    assert run(*args, "--out", str(out)).returncode == 0
    assert set(tree(out)) == set(first)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "fund-any.csv").write_text("mine", encoding="utf-8")
    proc = run(*args, "--out", str(foreign))
    assert proc.returncode == 2 and "fund-any.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["fund-any.csv"]
    assert (foreign / "fund-any.csv").read_text(encoding="utf-8") == "mine"


def test_a_bad_funds_file_is_one_located_line_and_exit_2(push_campaign, tmp_path):
    bad = tmp_path / "funds.yaml"
    bad.write_text("funds:\n  - id: x\n    name: X\n    tiers: [A, Z]\n    trl: [5, 7]\n", encoding="utf-8")
    proc = run("push", str(push_campaign), "--funds", str(bad), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and f"{bad}:4:" in lines[0] and "tiers[1]" in lines[0] and "'Z'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_matched_demands_show_per_achievement_only_when_given(push_campaign, tmp_path):
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.push import build_push, render_push, vocabulary
    from tlr.app.report_data import build_report_data
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.push.model import load_funds

    ledger = open_campaign(push_campaign)
    try:
        funds = load_funds(DATA / "funds-minimal.yaml", vocabulary(ledger.rubric))
        audit = check_audit(ledger)
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=50))
        report = build_report_data(ledger, ev, lang="zh", audit=audit)
        plain = build_push(ledger, ev, funds, lang="zh", audit=audit)
        first = plain.packs[0]["achievements"][0]
        demands = {first: [{"demand": "D-007", "name": "钢渣综合利用", "enterprise": "某钢铁公司", "score": 0.8125,
                            "reasons": ["共同词：钢渣", "成熟度满足"]}]}
        with_demands = build_push(ledger, ev, funds, lang="zh", audit=audit, demands=demands)
    finally:
        ledger.close()
    render_push(plain, report, tmp_path / "a", formats=("html",))
    render_push(with_demands, report, tmp_path / "b", formats=("html",))
    a = (tmp_path / "a" / "fund-any.html").read_text(encoding="utf-8")
    b = (tmp_path / "b" / "fund-any.html").read_text(encoding="utf-8")
    assert "匹配的企业技术需求" not in a and "D-007" not in a
    assert "匹配的企业技术需求" in b and "D-007" in b and "钢渣综合利用" in b and "0.81" in b and "共同词：钢渣" in b
    assert "无匹配的企业需求" in b  # the other achievements of the pack say so
    header = (tmp_path / "b" / "fund-any.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith("匹配的企业需求 / matched demands")
    assert not (tmp_path / "a" / "fund-any.csv").read_text(encoding="utf-8-sig").splitlines()[0].endswith(
        "matched demands")


def test_english_packs(push_campaign, tmp_path):
    proc = run("push", str(push_campaign), "--funds", str(FUNDS), "--out", str(tmp_path), "--lang", "en",
               "--format", "html", "--draws", "50")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "fund-equip.html").read_text(encoding="utf-8")
    assert "High-end equipment sub-fund" in html and "readiness: TRL 6–9 (inclusive)" in html
    unplaced = (tmp_path / "unplaced.html").read_text(encoding="utf-8")
    assert "Unplaced achievements" in unplaced and "fit no sub-fund" in unplaced


def test_places_cover_the_fixture():
    assert region_of(0) == PLACES[0] and len(set(PLACES)) == len(PLACES)


def test_a_failed_audit_refuses_or_stamps_every_page(push_campaign, tmp_path):
    import shutil
    import sqlite3

    copy = tmp_path / "round"
    shutil.copytree(push_campaign, copy)
    with sqlite3.connect(copy / "campaign.sqlite") as conn:  # an edit behind the tool's back
        conn.execute("UPDATE projects SET name = 'changed' WHERE id = ?", (PLANTED,))
    args = ["push", str(copy), "--funds", str(DATA / "funds-minimal.yaml"), "--format", "html", "--draws", "50"]
    proc = run(*args, "--out", str(tmp_path / "refused"))
    assert proc.returncode == 2 and "audit" in proc.stderr and not (tmp_path / "refused").exists()
    proc = run(*args, "--out", str(tmp_path / "stamped"), "--allow-unverified", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["audit"]["verified"] is False and doc["stamp"] == {"zh": "审计未通过", "en": "audit failed"}
    for name in ("fund-any.html", "index.html", "unplaced.html"):
        assert "审计未通过 / AUDIT FAILED" in (tmp_path / "stamped" / name).read_text(encoding="utf-8")


def test_help_is_bilingual_with_an_example():
    proc = run("push", "--help")
    assert proc.returncode == 0
    for text in ("推送清单 / Push lists", "Example / 示例", "--funds", "--allow-unverified", "docs/push.md"):
        assert text in proc.stdout


def test_packs_carry_each_achievements_valuation_page_with_the_same_numbers(push_campaign, tmp_path):
    """With valuation inputs, every profiled achievement of a pack is followed by its valuation page, showing the
    figures of `tlr value --json` for the same draws and seed (one truth)."""
    import re

    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.push import build_push, render_push, vocabulary
    from tlr.app.report_data import build_report_data
    from tlr.app.report_valuation import campaign_valuation
    from tlr.app.valuation import read_inputs
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.push.model import load_funds

    ROOT = Path(__file__).resolve().parents[2]
    ledger = open_campaign(push_campaign)
    try:
        funds = load_funds(DATA / "funds-minimal.yaml", vocabulary(ledger.rubric))
        audit = check_audit(ledger)
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=50, seed=SEED))
        valuation = campaign_valuation(ledger, ev, inputs=read_inputs(ROOT / "examples" / "round-2026" / "valuation.csv"),
                                       draws=400, seed=SEED, audit=audit)
        report = build_report_data(ledger, ev, lang="zh", audit=audit, valuation=valuation)
        plain_report = build_report_data(ledger, ev, lang="zh", audit=audit)
        push = build_push(ledger, ev, funds, lang="zh", audit=audit)
    finally:
        ledger.close()
    render_push(push, report, tmp_path / "v", formats=("html",))
    render_push(push, plain_report, tmp_path / "plain", formats=("html",))
    html = (tmp_path / "v" / "fund-any.html").read_text(encoding="utf-8")
    assert "估值 ·" not in (tmp_path / "plain" / "fund-any.html").read_text(encoding="utf-8")
    doc = {p["id"]: p for p in valuation.to_dict()["projects"]}
    pack = push.packs[0]["achievements"]
    pages = re.findall(r'<article class="profile" id="val-[^"]+">(.*?)</article>', html, re.S)
    assert len(pages) == sum(1 for pid in pack if pid in doc)
    for pid, page in zip([pid for pid in pack if pid in doc], pages):
        assert pid in page
        if doc[pid]["rnpv"] is not None:   # the report's number format: thousands separated from 10,000
            mean = doc[pid]["rnpv"]["mean"]
            shown = f"{mean:,.0f}" if abs(mean) >= 10000 else f"{mean:.0f}"
            assert f'<td class="num b">{shown}</td>' in page
