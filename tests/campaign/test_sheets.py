"""XLSX scoresheets: export structure, round trip, corrections replace scores (audited), validation."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from tlr.campaign import verify_audit
from tlr.campaign.sheets import COL, SHEET, export_sheet, import_sheets
from tlr.campaign.scoring import expert_items
from tlr.errors import ValidationError

from .conftest import ANSWER, run_cli

SCORE_COL = COL["score"]


def _fill(path, values: dict[tuple[str, str], str], comment: str = "", out=None):
    wb = load_workbook(path)
    ws = wb[SHEET]
    for row in ws.iter_rows(min_row=2):
        key = (row[COL["project"] - 1].value, row[COL["indicator"] - 1].value)
        if key in values:
            row[SCORE_COL - 1].value = values[key]
            row[COL["comment"] - 1].value = comment or None
    wb.save(out or path)
    return out or path


def test_export_structure(ledger, tmp_path):
    path = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["说明 Guide", SHEET]
    assert wb["_meta"].sheet_state == "veryHidden" and wb["_lists"].sheet_state == "hidden"
    assert wb.security.lockStructure
    ws = wb[SHEET]
    assert ws.protection.sheet
    items = expert_items(ledger, "E04")
    assert ws.max_row == len(items) + 1
    row2 = [c.value for c in ws[2]]
    assert row2[COL["indicator"] - 1] == "novelty"
    assert "5  优秀 / excellent" in row2[COL["descriptors"] - 1]
    assert ws.cell(row=2, column=SCORE_COL).protection.locked is False
    assert ws.cell(row=2, column=COL["project"]).protection.locked is True
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "custom"} <= kinds   # a number check that also accepts the withdrawal marker
    custom = next(dv for dv in ws.data_validations.dataValidation if dv.type == "custom")
    cell = str(custom.sqref)
    assert custom.formula1 == (f'OR(AND(ISNUMBER({cell}),{cell}>=0.0,{cell}<=10000.0),{cell}="撤回",'
                               f'{cell}="withdraw")')
    covered = set()
    for dv in ws.data_validations.dataValidation:
        covered |= {str(c) for c in dv.sqref.ranges}
    assert "F2" in covered or any(r.startswith("F") for r in covered)
    trl_rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[COL["indicator"] - 1] == "trl"]
    assert "4  实验室验证 / Lab validation" in trl_rows[0][COL["descriptors"] - 1]


def test_round_trip_and_corrected_reimport(ledger, tmp_path, capsys):
    path = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    items = expert_items(ledger, "E04")
    values = {i.key: ANSWER[i.indicator.id] for i in items}
    _fill(path, values, comment="looks good")
    res = import_sheets(ledger, [path])
    assert res[0]["set"] == len(items) and res[0]["withdrawn"] == 0
    rows = ledger.rows("scores", "expert_id = 'E04'")
    assert len(rows) == len(items) and {r["source"] for r in rows} == {"sheet"}
    assert rows[0]["comment"] == "looks good"

    # re-export prefills the answers; the expert corrects two and withdraws one
    path2 = export_sheet(ledger, "E04", tmp_path / "E04-v2.xlsx")
    wb = load_workbook(path2)
    prefilled = [r[SCORE_COL - 1] for r in wb[SHEET].iter_rows(min_row=2, values_only=True)]
    assert all(v is not None for v in prefilled)
    first, second, third = items[0].key, items[1].key, items[2].key
    _fill(path2, {first: "2", second: "1", third: "撤回"})
    res = import_sheets(ledger, [path2])
    assert res[0]["set"] == 2 and res[0]["withdrawn"] == 1
    scores = {(r["project_id"], r["indicator_id"]): r["value"] for r in ledger.rows("scores", "expert_id = 'E04'")}
    assert scores[first] == 2.0 and scores[second] == 1.0 and third not in scores
    entry = ledger.conn.execute("SELECT payload FROM audit WHERE action = 'sheet.import' ORDER BY seq DESC"
                                ).fetchone()[0]
    payload = json.loads(entry)
    assert payload["withdrawn"] == 1 and len(payload["put"]["scores"]) == 2 and len(payload["del"]["scores"]) == 1
    assert verify_audit(ledger).ok
    code, out, _ = run_cli(["sheets", "import", path2, "--campaign", ledger.path.parent], capsys)
    assert code == 0 and "unchanged" in out


def test_invalid_sheet_reports_rows_and_imports_nothing(ledger, tmp_path):
    good = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    items = expert_items(ledger, "E04")
    values = {i.key: ANSWER[i.indicator.id] for i in items}
    values[items[0].key] = "9"   # row 2: out of range
    values[items[1].key] = "x"   # row 3: not a level
    _fill(good, values)
    other = export_sheet(ledger, "E05", tmp_path / "E05.xlsx")
    _fill(other, {i.key: ANSWER[i.indicator.id] for i in expert_items(ledger, "E05")})
    with pytest.raises(ValidationError) as info:
        import_sheets(ledger, [other, good])
    found = {(d.location.row, d.location.field.split()[0]) for d in info.value.diagnostics}
    assert found == {(2, "F"), (3, "F")}
    assert ledger.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 0


def test_unassigned_rows_and_foreign_sheets_refused(ledger, tmp_path, rubric):
    path = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    mine = {i.project["id"] for i in expert_items(ledger, "E04")}
    other = next(p["id"] for p in ledger.projects() if p["id"] not in mine)
    ws.cell(row=2, column=COL["project"], value=other)
    ws.cell(row=2, column=SCORE_COL, value="3")
    wb.save(path)
    with pytest.raises(ValidationError, match="not among"):
        import_sheets(ledger, [path])
    from tlr.campaign import init_campaign

    other_campaign = init_campaign(tmp_path / "other", rubric)
    fresh = export_sheet(ledger, "E04", tmp_path / "fresh.xlsx")
    with pytest.raises(ValidationError, match="another campaign"):
        import_sheets(other_campaign, [fresh])
    other_campaign.close()
    plain = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(plain)
    with pytest.raises(ValidationError, match="not a tlr scoresheet"):
        import_sheets(ledger, [plain])


def test_cli_sheets(ledger, tmp_path, capsys):
    c = ["--campaign", ledger.path.parent]
    code, out, _ = run_cli(["sheets", "export", "--all", "--out", tmp_path / "out", "--json", *c], capsys)
    files = json.loads(out)
    assert code == 0 and len(files) == 8
    code, out, _ = run_cli(["sheets", "import", "--dry-run", *[f["file"] for f in files], *c], capsys)
    assert code == 0
    bad = tmp_path / "bad.xlsx"
    shutil.copy(files[0]["file"], bad)
    items = expert_items(ledger, files[0]["expert"])
    _fill(bad, {items[0].key: "77"})
    code, _out, err = run_cli(["sheets", "import", bad, *c], capsys)
    assert code == 2 and "row 2: F (评分 Score)" in err and "Traceback" not in err


def test_formula_like_comment_survives_round_trip(ledger, tmp_path):
    from tlr.campaign import record_score

    item = expert_items(ledger, "E04")[0]
    record_score(ledger, "E04", item.project["id"], item.indicator.id, "4", comment="=1+1 不是公式")
    path = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    ws = load_workbook(path)[SHEET]
    assert ws.cell(row=2, column=COL["comment"]).value == "'=1+1 不是公式"
    res = import_sheets(ledger, [path])
    assert res[0]["set"] == 0 and res[0]["withdrawn"] == 0
    assert ledger.rows("scores")[0]["comment"] == "=1+1 不是公式"


def test_relabelled_sheet_refused(ledger, tmp_path):
    """An expert cannot submit their sheet as another expert's by editing the hidden data."""
    path = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    wb = load_workbook(path)
    meta = wb["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "expert_id":
            row[1].value = "E06"
    wb.save(path)
    with pytest.raises(ValidationError, match="not issued"):
        import_sheets(ledger, [path])
    assert ledger.conn.execute("SELECT count(*) FROM sheet_exports").fetchone()[0] == 1
    assert ledger.conn.execute("SELECT count(*) FROM audit WHERE action = 'sheet.export'").fetchone()[0] == 1
