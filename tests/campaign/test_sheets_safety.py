"""Returned scoresheets never lose an answer: an old sheet does not revert newer answers, deleting a
row or emptying a cell withdraws nothing (only the 撤回 / withdraw marker does), formulas and
non-finite numbers are refused with their cell address."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tlr.campaign import record_score, verify_audit
from tlr.campaign.sheets import LISTS, SHEET, export_sheet, import_sheets
from tlr.errors import ValidationError

from .conftest import run_cli

# E01's sheet (fixture campaign): rows 2-5 are P004 novelty/trl/market_size/team, rows 6-9 the same for P006
ROW = {("P004", "novelty"): 2, ("P004", "trl"): 3, ("P004", "market_size"): 4, ("P004", "team"): 5,
       ("P006", "novelty"): 6, ("P006", "trl"): 7, ("P006", "market_size"): 8, ("P006", "team"): 9}
FULL = {("P004", "novelty"): "4", ("P004", "trl"): "3", ("P004", "market_size"): "12.5", ("P004", "team"): "是",
        ("P006", "novelty"): "2", ("P006", "trl"): "2", ("P006", "market_size"): "7", ("P006", "team"): "否"}


def stored(ledger, expert="E01"):
    return {(p, i): (raw, c) for p, i, raw, c in ledger.conn.execute(
        "SELECT project_id, indicator_id, raw, comment FROM scores WHERE expert_id = ?", (expert,))}


def answered(ledger, expert="E01"):
    for (p, i), v in FULL.items():
        record_score(ledger, expert, p, i, v, comment=f"意见 {p}/{i}")


def edit(path, cells: dict[str, object]):
    wb = load_workbook(path)
    ws = wb[SHEET]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


def delete_rows(path, rows: list[int]):
    wb = load_workbook(path)
    ws = wb[SHEET]
    for r in sorted(rows, reverse=True):
        ws.delete_rows(r)
    wb.save(path)


def set_cell_xml(path, ref: str, xml: str):
    """Replace one cell of the Scores sheet in the raw XLSX (what Excel writes that openpyxl cannot)."""
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    book = files["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet [^>]*name="' + SHEET + r'"[^>]*r:id="(rId\d+)"', book).group(1)
    rels = files["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(r'<Relationship [^>]*Id="' + rid + r'"[^>]*Target="([^"]+)"|<Relationship [^>]*Target="([^"]+)"'
                       r'[^>]*Id="' + rid + '"', rels)
    name = (target.group(1) or target.group(2)).lstrip("/")
    name = name if name.startswith("xl/") else "xl/" + name
    sheet = files[name].decode()
    sheet, n = re.subn(r'<c r="' + ref + r'"(?: [^>]*)?(?:/>|>.*?</c>)', xml, sheet, count=1)
    assert n == 1, ref
    files[name] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)


# --------------------------------------------------------------------------- defect 1: old sheets


def test_old_sheet_does_not_revert_a_newer_answer(ledger, tmp_path, capsys):
    """Defect 1, exact reproduction: export E01's sheet, record a new value with `tlr score --from`,
    import the old sheet. Before: "set 1", exit 0, the newer answer gone."""
    answered(ledger)
    c = ["--campaign", ledger.path.parent]
    sheet = tmp_path / "E01.xlsx"
    assert run_cli(["sheets", "export", "--expert", "E01", "--out", sheet, *c], capsys)[0] == 0
    answers = tmp_path / "a.csv"
    answers.write_text("project,indicator,value\nP004,novelty,1\n", encoding="utf-8")
    assert run_cli(["score", "--expert", "E01", "--from", answers, *c], capsys)[0] == 0
    seq, ts, actor = ledger.conn.execute("SELECT seq, ts, actor FROM audit WHERE action = 'scores.import'").fetchone()

    code, out, err = run_cli(["sheets", "import", sheet, *c], capsys)
    assert code == 2 and "Traceback" not in err
    line = next(ln for ln in err.splitlines() if "P004/novelty" in ln)
    assert "row 2: F (评分 Score)" in line                          # where
    assert "sheet says 4, the ledger has a newer value 1" in line   # sheet value vs newer ledger value
    assert f"entry {seq}, {ts[:19]}, by {actor}" in line and actor.startswith("expert:E01")   # when, by whom
    assert stored(ledger)[("P004", "novelty")][0] == "1"            # the newer answer is still there

    code, out, _ = run_cli(["sheets", "import", sheet, "--dry-run", "--keep-newer", "--json", *c], capsys)
    assert code == 0 and json.loads(out)[0]["kept_newer"] == 1
    assert stored(ledger)[("P004", "novelty")][0] == "1"

    code, out, _ = run_cli(["sheets", "import", sheet, "--overwrite-newer", "--json", *c], capsys)
    res = json.loads(out)[0]
    assert code == 0 and res["set"] == 1 and res["overwritten_newer"] == 1
    assert stored(ledger)[("P004", "novelty")][0] == "4"
    payload = json.loads(ledger.conn.execute("SELECT payload FROM audit WHERE action = 'sheet.import'").fetchone()[0])
    assert payload["overwritten_newer"] == ["P004/novelty"]
    assert run_cli(["sheets", "import", sheet, "--overwrite-newer", "--keep-newer", *c], capsys)[0] == 2
    assert verify_audit(ledger).ok


def test_keep_newer_imports_the_rest(ledger, tmp_path):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    record_score(ledger, "E01", "P004", "trl", "1")
    edit(sheet, {"F6": "5"})                                      # the expert's own correction (P006/novelty)
    with pytest.raises(ValidationError, match="newer value 1"):
        import_sheets(ledger, [sheet])
    assert stored(ledger)[("P006", "novelty")][0] == "2"          # all-or-nothing: nothing imported
    res = import_sheets(ledger, [sheet], on_newer="keep")[0]
    assert (res["set"], res["kept_newer"]) == (1, 1)
    got = stored(ledger)
    assert got[("P004", "trl")][0] == "1" and got[("P006", "novelty")][0] == "5"


def test_a_sheet_can_be_corrected_and_returned_again(ledger, tmp_path):
    """Changes made by importing the same exported sheet are the sheet's own: not "newer"."""
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(sheet, {"F2": "5"})
    assert import_sheets(ledger, [sheet])[0]["set"] == 1
    edit(sheet, {"F2": "3", "F3": "4"})
    res = import_sheets(ledger, [sheet])[0]
    assert res["set"] == 2 and stored(ledger)[("P004", "novelty")][0] == "3"


def test_an_answer_withdrawn_after_the_export_is_not_brought_back(ledger, tmp_path):
    from tlr.campaign import clear_score

    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    clear_score(ledger, "E01", "P006", "team")
    with pytest.raises(ValidationError) as info:
        import_sheets(ledger, [sheet])
    [d] = [d for d in info.value.diagnostics if d.severity == "error"]
    assert d.location.row == ROW[("P006", "team")] and "withdrawn" in d.message and "score.clear" in d.message
    assert ("P006", "team") not in stored(ledger)


def test_position_is_the_audit_head_the_sheet_reflects(ledger, tmp_path):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    seq, prev = ledger.conn.execute("SELECT seq, prev_hash FROM audit WHERE action = 'sheet.export'").fetchone()
    last_before = ledger.conn.execute("SELECT seq, hash FROM audit WHERE seq = ?", (seq - 1,)).fetchone()
    meta = {r[0]: r[1] for r in load_workbook(sheet)["_meta"].iter_rows(values_only=True)}
    assert (meta["audit_seq"], meta["audit_head"]) == last_before == (seq - 1, prev)
    row = ledger.conn.execute("SELECT audit_seq, audit_head FROM sheet_exports").fetchone()
    assert row == last_before


def test_moving_the_position_in_the_sheet_is_refused(ledger, tmp_path):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    record_score(ledger, "E01", "P004", "novelty", "1")
    wb = load_workbook(sheet)
    for row in wb["_meta"].iter_rows():
        if row[0].value == "audit_seq":
            row[1].value = 10_000                      # claim a later position to dodge the check
    wb.save(sheet)
    with pytest.raises(ValidationError, match="not issued"):
        import_sheets(ledger, [sheet])


def test_sheet_exported_before_positions_were_recorded(ledger, tmp_path):
    """A sheet exported by an older tlr (no position in the sheet or its export row): the position is
    taken from its `sheet.export` audit entry."""
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    wb = load_workbook(sheet)
    ws = wb["_meta"]
    for r in range(ws.max_row, 0, -1):
        if ws.cell(row=r, column=1).value in ("audit_seq", "audit_head"):
            ws.delete_rows(r)
    wb.save(sheet)
    ledger.conn.execute("UPDATE sheet_exports SET audit_seq = NULL, audit_head = NULL")
    record_score(ledger, "E01", "P004", "novelty", "1")
    with pytest.raises(ValidationError, match="newer value 1"):
        import_sheets(ledger, [sheet])


# --------------------------------------------------------------------------- defect 2: edits withdraw nothing


def test_deleted_rows_and_empty_cells_withdraw_nothing(ledger, tmp_path, capsys):
    """Defect 2: deleting one row removed that score; emptying a cell withdrew it. Now neither does,
    and the summary says so."""
    answered(ledger)
    before = stored(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(sheet, {"F3": None, "G3": None})                         # empty score and comment of P004/trl
    delete_rows(sheet, [ROW[("P004", "market_size")]])            # delete one row
    code, out, _ = run_cli(["sheets", "import", sheet, "--json", "--campaign", ledger.path.parent], capsys)
    res = json.loads(out)[0]
    assert code == 0 and stored(ledger) == before
    assert (res["set"], res["withdrawn"], res["unchanged"]) == (0, 0, 6)
    assert (res["empty"], res["empty_kept"], res["missing_rows"], res["missing_kept"]) == (1, 1, 1, 1)
    code, out, _ = run_cli(["sheets", "import", sheet, "--campaign", ledger.path.parent], capsys)
    assert "left empty 1 (1 stored answers kept), rows missing from the sheet 1 (1 stored answers kept)" in out


def test_deleting_all_rows_of_a_project_keeps_them(ledger, tmp_path):
    answered(ledger)
    before = stored(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    delete_rows(sheet, [6, 7, 8, 9])
    res = import_sheets(ledger, [sheet])[0]
    assert stored(ledger) == before and res["missing_rows"] == 4 and res["missing_kept"] == 4


def test_empty_comment_cell_keeps_the_stored_comment(ledger, tmp_path):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(sheet, {"F2": "5", "G2": None})
    assert import_sheets(ledger, [sheet])[0]["set"] == 1
    assert stored(ledger)[("P004", "novelty")] == ("5", "意见 P004/novelty")


@pytest.mark.parametrize("marker", ["撤回", "withdraw", "WithDraw", " 撤回 "])
def test_withdraw_marker(ledger, tmp_path, marker):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(sheet, {"F3": marker, "F7": "撤回"})
    res = import_sheets(ledger, [sheet])[0]
    got = stored(ledger)
    assert res["withdrawn"] == 2 and ("P004", "trl") not in got and ("P006", "trl") not in got and len(got) == 6
    entry = json.loads(ledger.conn.execute("SELECT payload FROM audit WHERE action = 'sheet.import'").fetchone()[0])
    assert sorted(entry["del"]["scores"]) == [["E01", "P004", "trl"], ["E01", "P006", "trl"]]
    assert verify_audit(ledger).ok


def test_marker_is_offered_and_documented_in_the_sheet(ledger, tmp_path):
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    wb = load_workbook(sheet)
    lists = [c for col in wb[LISTS].iter_cols(values_only=True) for c in col]
    assert lists.count("撤回") == lists.count("withdraw") == 3           # each of the 3 drop-down indicators
    ws = wb[SHEET]
    for dv in ws.data_validations.dataValidation:
        assert "撤回" in dv.prompt and "withdraw" in dv.prompt and len(dv.prompt) <= 255
        if dv.type == "list":
            first, last = re.search(r"\$(\d+):\$\w+\$(\d+)", dv.formula1).groups()
            col = re.search(r"!\$(\w+)\$", dv.formula1).group(1)
            values = [wb[LISTS][f"{col}{r}"].value for r in range(int(first), int(last) + 1)]
            assert values[-2:] == ["撤回", "withdraw"]
    guide = " ".join(str(c) for row in wb["说明 Guide"].iter_rows(values_only=True) for c in row if c)
    assert "撤回" in guide and "withdraws nothing" in guide and "type 撤回 (or withdraw)" in guide


# --------------------------------------------------------------------------- formulas and non-finite numbers


def test_formula_without_cached_value_is_refused_not_read_as_empty(ledger, tmp_path, capsys):
    """Defect 2: a formula cell with no cached value withdrew a score. Now it is refused, by address."""
    answered(ledger)
    before = stored(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(sheet, {"F5": "=IF(1,\"是\",\"否\")", "H8": "=A1"})     # openpyxl writes no cached value
    code, _out, err = run_cli(["sheets", "import", sheet, "--campaign", ledger.path.parent], capsys)
    assert code == 2 and "Traceback" not in err
    assert "row 5: F (评分 Score): error: 单元格 F5 是公式" in err and "cell F5 holds a formula" in err
    assert "row 8: H (依据 Evidence)" in err and "cell H8 holds a formula" in err
    assert stored(ledger) == before


def test_formula_with_cached_value_is_refused(ledger, tmp_path):
    answered(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    set_cell_xml(sheet, "F2", '<c r="F2"><f>2+2</f><v>4</v></c>')
    with pytest.raises(ValidationError) as info:
        import_sheets(ledger, [sheet])
    assert [(d.location.row, d.code) for d in info.value.diagnostics] == [(2, "bad_cell")]


@pytest.mark.parametrize("xml, expect", [('<c r="F4"><v>1E999</v></c>', "cell F4 is not a finite number"),
                                         ('<c r="F4"><v>-1e999</v></c>', "cell F4 is not a finite number"),
                                         ('<c r="F4" t="e"><v>#DIV/0!</v></c>', "cell F4 holds an Excel error"),
                                         ('<c r="F4"><v>NaN</v></c>', "not a valid XLSX file")])
def test_non_finite_numbers_are_refused(ledger, tmp_path, capsys, xml, expect):
    answered(ledger)
    before = stored(ledger)
    sheet = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    set_cell_xml(sheet, "F4", xml)
    code, _out, err = run_cli(["sheets", "import", sheet, "--campaign", ledger.path.parent], capsys)
    assert code == 2 and expect in err and "Traceback" not in err
    assert stored(ledger) == before


def test_import_refuses_everything_when_one_sheet_has_a_formula(ledger, tmp_path):
    answered(ledger)
    good = export_sheet(ledger, "E04", tmp_path / "E04.xlsx")
    edit(good, {"F2": "5"})
    bad = export_sheet(ledger, "E01", tmp_path / "E01.xlsx")
    edit(bad, {"G2": "=B2"})
    with pytest.raises(ValidationError):
        import_sheets(ledger, [good, bad])
    assert ledger.conn.execute("SELECT count(*) FROM audit WHERE action = 'sheet.import'").fetchone()[0] == 0


def test_export_reads_and_records_in_one_transaction(ledger, tmp_path):
    """A sheet whose file cannot be written records no export (the token would be unusable)."""
    target = tmp_path / "blocked"
    target.write_text("a file where a folder is needed", encoding="utf-8")
    from tlr.errors import TlrError

    with pytest.raises(TlrError):
        export_sheet(ledger, "E01", target / "E01.xlsx")
    assert ledger.conn.execute("SELECT count(*) FROM sheet_exports").fetchone()[0] == 0
    assert ledger.conn.execute("SELECT count(*) FROM audit WHERE action = 'sheet.export'").fetchone()[0] == 0
