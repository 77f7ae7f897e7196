"""Demand lists: survey headers, numbers and readiness levels parsed, derived ids, located errors with nothing
imported, re-imports refused, personal data kept out of listings, statuses with history."""

from __future__ import annotations

import hashlib
import json
import unicodedata

import pytest

from tlr.errors import CampaignError, ValidationError

from .conftest import DEMAND_HEADER, run, snapshot, table_rows


def test_survey_file_is_imported_with_each_value_parsed(lib, demand_file):
    from tlr.library.demands import import_demands

    result = import_demands(lib, demand_file)
    assert result.count == 3 and result.ids == ["D001", "D002", "D003"]
    rows = {r["id"]: r for r in lib.rows("demands")}
    d1, d2, d3 = rows["D001"], rows["D002"], rows["D003"]
    assert (d1["name"], d1["enterprise"], d1["industry"], d1["region"]) == ("钢渣资源化利用", "唐山钢铁公司", "steel", "唐山市")
    assert d1["cooperation"] == ["技术转让", "合作开发"] and d1["budget"] == 500.0 and d1["min_trl"] == 6
    assert d2["budget"] == 1200.0 and d2["min_trl"] == 6 and d2["industry"] == "high_end_equipment"
    assert d3["budget"] is None and d3["min_trl"] is None and d3["contact"] == ""
    assert {r["status"] for r in rows.values()} == {"open"}
    # the bytes on disk: the phone number is stored (for the office), in its own column
    raw = {r[0]: r for r in table_rows(lib.path, "demands")}
    assert "13800000001" in raw["D001"] and "13900000002" in raw["D002"]


@pytest.mark.parametrize("cell, level", [("6", 6), ("TRL6", 6), ("TRL 6", 6), ("6级", 6), ("trl-7", 7), ("ＴＲＬ９", 9),
                                         ("1", 1), ("6.0", 6), ("TRL：3", 3)])
def test_readiness_forms(lib, tmp_path, cell, level):
    from tlr.campaign.imports import parse_trl
    from tlr.library.demands import import_demands

    assert parse_trl(cell) == level
    path = tmp_path / "d.csv"
    path.write_text(DEMAND_HEADER + f"D9,名,企,钢铁,,描述,,,,{cell},,\n", encoding="utf-8")
    import_demands(lib, path)
    assert lib.rows("demands")[0]["min_trl"] == level


@pytest.mark.parametrize("column, cell, code", [
    (9, "10", "bad_trl"), (9, "TRL", "bad_trl"), (9, "六级", "bad_trl"), (9, "0", "bad_trl"), (9, "6.5", "bad_trl"),
    (8, "-5", "bad_number"), (8, "abc", "bad_number"), (8, "nan", "bad_number"), (8, "inf", "bad_number"),
    (8, "1e3", "bad_number"), (3, "区块链", "unknown_industry"), (5, "", "missing_value"), (1, "", "missing_value"),
])
def test_bad_cells_are_located_and_nothing_is_imported(lib, tmp_path, column, cell, code):
    from tlr.campaign.tables import column_letter
    from tlr.library.demands import import_demands

    cells = ["D9", "名", "企", "钢铁", "", "描述", "", "", "", "", "", ""]
    cells[column] = cell
    good = "D8,好,企,钢铁,,描述,,,,,,\n"
    path = tmp_path / "d.csv"
    path.write_text(DEMAND_HEADER + good + ",".join(cells) + "\n", encoding="utf-8")
    before = snapshot(lib.path)
    with pytest.raises(ValidationError) as info:
        import_demands(lib, path)
    (diag,) = [d for d in info.value.diagnostics if d.severity == "error"]
    assert diag.code == code and diag.location.row == 3
    header = DEMAND_HEADER.strip().split(",")[column]
    assert diag.location.field == f"{column_letter(column + 1)} ({header})"
    assert diag.hint or code in ("missing_value",)
    assert snapshot(lib.path) == before


def test_cli_refusal_is_one_line_per_problem_exit_2(lib, tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text(DEMAND_HEADER + "D1,名,企,钢铁,,描述,,,-1,TRL12,,\nD1,名2,企,火星产业,,描述,,,,,,\n", encoding="utf-8")
    before = snapshot(lib.path)
    code, out, err = run(["demands", "import", path, "--library", lib.path], capsys)
    assert code == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) == 4                                     # budget, TRL, industry, duplicate id
    assert all(line.startswith(f"{path}: row ") for line in lines)
    assert any("row 2: I (可投入资金（万元）)" in line for line in lines)
    assert any("row 2: J (期望成熟度)" in line for line in lines)
    assert any("row 3" in line and "duplicate" in line for line in lines)
    assert snapshot(lib.path) == before


def test_derived_id_is_a_hash_of_enterprise_and_name(lib, tmp_path):
    from tlr.library.demands import import_demands

    path = tmp_path / "d.csv"
    path.write_text("需求名称,企业名称,所属行业,需求描述\n钢渣 资源化,唐山钢铁公司,钢铁,描述\n", encoding="utf-8")
    result = import_demands(lib, path)
    key = "唐山钢铁公司" + "\x1f" + "钢渣资源化"                   # normalised: white space removed
    assert result.ids == ["D-" + hashlib.sha256(key.encode()).hexdigest()[:12]]
    # the same row written differently (full-width, spaces) gets the same id: refused as already imported
    again = tmp_path / "again.csv"
    again.write_text("需求名称,企业名称,所属行业,需求描述\n钢渣资源化 ,唐山钢铁公司,钢铁,另一描述\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="already in the library"):
        import_demands(lib, again)
    assert unicodedata.normalize("NFKC", "ＡＢ") == "AB"


def test_two_rows_deriving_one_id_are_duplicates(lib, tmp_path):
    from tlr.library.demands import import_demands

    path = tmp_path / "d.csv"
    path.write_text("需求名称,企业名称,所属行业,需求描述\n甲,企,钢铁,一\n甲,企,钢铁,二\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate demand id"):
        import_demands(lib, path)
    assert lib.count("demands") == 0


def test_english_headers_json_and_xlsx(lib, tmp_path):
    from openpyxl import Workbook

    from tlr.library.demands import import_demands

    rows = [{"id": "E1", "name": "Slag reuse", "enterprise": "Acme Steel", "industry": "steel",
             "description": "turn slag into cement", "cooperation": ["licence", "joint development"],
             "budget": 300, "expected_trl": "TRL 5", "region": "Tangshan"}]
    (tmp_path / "d.json").write_text(json.dumps(rows), encoding="utf-8")
    import_demands(lib, tmp_path / "d.json")
    wb = Workbook()
    ws = wb.active
    ws.append(["需求编号", "需求名称", "企业名称", "所属行业", "需求描述", "可投入资金（万元）", "期望成熟度"])
    ws.append(["X1", "余热回收", "某企业", "节能环保", "余热", 88.5, 7])
    wb.save(tmp_path / "d.xlsx")
    import_demands(lib, tmp_path / "d.xlsx")
    got = {r["id"]: r for r in lib.rows("demands")}
    assert got["E1"]["cooperation"] == ["licence", "joint development"] and got["E1"]["budget"] == 300.0
    assert got["E1"]["min_trl"] == 5 and got["X1"]["budget"] == 88.5 and got["X1"]["min_trl"] == 7


def test_gbk_csv(lib, tmp_path, demand_file):
    from tlr.library.demands import import_demands

    path = tmp_path / "gbk.csv"
    path.write_bytes(demand_file.read_text(encoding="utf-8").replace("≥", ">=").encode("gbk"))
    result = import_demands(lib, path)
    assert result.encoding == "GB18030" and result.count == 3


def test_dry_run_writes_nothing_and_needs_no_library(tmp_path, demand_file, capsys):
    target = tmp_path / "lib.sqlite"
    code, out, _ = run(["demands", "import", demand_file, "--library", target, "--dry-run"], capsys)
    assert code == 0 and "3" in out and not target.exists()


def test_a_refused_first_import_creates_no_library(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("需求名称,企业名称\n甲,乙\n", encoding="utf-8")
    code, _out, err = run(["demands", "import", bad, "--library", tmp_path / "lib.sqlite"], capsys)
    assert code == 2 and "missing required column" in err
    assert not (tmp_path / "lib.sqlite").exists()


def test_personal_data_only_when_asked(lib, demand_file, capsys):
    from tlr.library.demands import import_demands

    import_demands(lib, demand_file)
    for args in (["demands", "list"], ["demands", "list", "--json"], ["demands", "show", "D001"],
                 ["demands", "show", "D001", "--json"]):
        code, out, _ = run([*args, "--library", lib.path], capsys)
        assert code == 0 and "13800000001" not in out and "张三" not in out, args
    for args in (["demands", "list", "--json"], ["demands", "show", "D001", "--json"], ["demands", "list"]):
        code, out, _ = run([*args, "--library", lib.path, "--personal"], capsys)
        assert "13800000001" in out and "张三" in out


def test_statuses_with_history(lib, demand_file, capsys):
    from tlr.library.demands import history, import_demands, set_status

    import_demands(lib, demand_file)
    set_status(lib, "D001", "matched", "与 P2026-011 对接", actor="user:a")
    set_status(lib, "D001", "open", "对接未成", actor="user:b")
    set_status(lib, "D001", "closed", "企业撤回", actor="user:c")
    set_status(lib, "D001", "open", "企业重新提出", actor="user:c")
    hist = history(lib, "D001")
    assert [(h["previous"], h["status"], h["reason"], h["actor"]) for h in hist] == [
        ("open", "matched", "与 P2026-011 对接", "user:a"), ("matched", "open", "对接未成", "user:b"),
        ("open", "closed", "企业撤回", "user:c"), ("closed", "open", "企业重新提出", "user:c")]
    assert lib.rows("demands", "id = 'D001'")[0]["status"] == "open"
    assert lib.verify().ok
    code, out, _ = run(["demands", "list", "--status", "open", "--library", lib.path, "--json"], capsys)
    assert [d["id"] for d in json.loads(out)] == ["D001", "D002", "D003"]


@pytest.mark.parametrize("steps, status, match", [
    ((), "open", "cannot become open"), (("closed",), "matched", "cannot become matched"),
    (("matched",), "matched", "cannot become matched"), ((), "done", "unknown status"),
])
def test_refused_transitions(lib, demand_file, steps, status, match):
    from tlr.library.demands import import_demands, set_status

    import_demands(lib, demand_file)
    for s in steps:
        set_status(lib, "D001", s, "x")
    before = snapshot(lib.path)
    with pytest.raises(CampaignError, match=match):
        set_status(lib, "D001", status, "why")
    assert snapshot(lib.path) == before


def test_status_needs_a_reason_and_a_known_demand(lib, demand_file, capsys):
    from tlr.library.demands import import_demands

    import_demands(lib, demand_file)
    code, _out, err = run(["demands", "status", "D001", "matched", "--reason", "", "--library", lib.path], capsys)
    assert code == 2 and "reason" in err
    code, _out, err = run(["demands", "status", "D404", "matched", "--reason", "x", "--library", lib.path], capsys)
    assert code == 2 and "D404" in err


def test_list_filters(lib, demand_file, capsys):
    from tlr.library.demands import import_demands

    import_demands(lib, demand_file)
    code, out, _ = run(["demands", "list", "--industry", "钢铁", "--library", lib.path, "--json"], capsys)
    assert [d["id"] for d in json.loads(out)] == ["D001"]
    code, out, _ = run(["demands", "list", "--region", "迁安", "--library", lib.path, "--json"], capsys)
    assert [d["id"] for d in json.loads(out)] == ["D002"]
    code, _out, err = run(["demands", "list", "--industry", "火星", "--library", lib.path], capsys)
    assert code == 2 and "火星" in err


def test_list_and_show_print_the_industry_name(lib, demand_file, capsys):
    from tlr.library.demands import import_demands

    import_demands(lib, demand_file)
    code, out, _ = run(["demands", "list", "--library", lib.path], capsys)
    assert code == 0 and "钢铁" in out and "steel" not in out
    code, out, _ = run(["demands", "show", "D001", "--library", lib.path], capsys)
    assert code == 0 and "industry: 钢铁" in out
