"""Project and expert imports: encodings, formats, header synonyms, every problem listed, all-or-nothing."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from tlr.campaign import import_experts, import_projects
from tlr.campaign.tables import read_table
from tlr.errors import ValidationError

from .conftest import FIXTURES, run_cli

ZH_CSV = (FIXTURES / "projects.csv").read_text(encoding="utf-8")


def _count(led, table):
    return led.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("encoding, label", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"),
                                             ("gbk", "GB18030"), ("gb18030", "GB18030")])
def test_csv_encodings_detected_and_reported(empty_ledger, tmp_path, encoding, label):
    path = tmp_path / "projects.csv"
    path.write_bytes(ZH_CSV.encode(encoding))
    result = import_projects(empty_ledger, path)
    assert result.encoding == label
    assert result.count == 6
    p = empty_ledger.project("P001")
    assert p["name"] == "高强钢连铸新工艺" and p["industry"] == "steel"
    assert p["achievement_type"] == "technology_development"
    assert p["co_applicants"] == ["燕山大学"]
    assert empty_ledger.project("P003")["co_applicants"] == ["新材料公司", "燕山大学"]


def test_gbk_short_file_with_rare_characters(empty_ledger, tmp_path):
    text = "专家编号,姓名,单位,领域\nE01,喆䶮,燕山大学,钢铁\n"
    path = tmp_path / "e.csv"
    path.write_bytes(text.encode("gb18030"))
    result = import_experts(empty_ledger, path)
    assert result.encoding == "GB18030"
    assert empty_ledger.expert("E01")["name"] == "喆䶮"


def test_cli_reports_encoding(empty_ledger, tmp_path, capsys):
    path = tmp_path / "projects.csv"
    path.write_bytes(ZH_CSV.encode("gbk"))
    code, out, _ = run_cli(["projects", "import", path, "--campaign", empty_ledger.path.parent], capsys)
    assert code == 0 and "GB18030" in out and "6" in out


def test_xlsx_and_english_headers(empty_ledger, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Name", "Applicant", "Industry", "Achievement Type", "Co-applicants", "Notes"])
    ws.append(["A1", "Battery", "Acme Ltd", "new energy", "applied research", "Univ A; Univ B", "x"])
    ws.append(["A2", "Robot", "Robo Inc", "information_intelligence", None, None, None])
    ws.append([None, None, None, None, None, None, None])  # blank rows are ignored
    path = tmp_path / "p.xlsx"
    wb.save(path)
    result = import_projects(empty_ledger, path)
    assert result.count == 2 and result.encoding is None
    a1 = empty_ledger.project("A1")
    assert a1["industry"] == "new_energy" and a1["achievement_type"] == "applied_research"
    assert a1["co_applicants"] == ["Univ A", "Univ B"] and a1["extra"] == {"Notes": "x"}
    assert empty_ledger.project("A2")["achievement_type"] is None


def test_json_list_and_wrapped(empty_ledger, tmp_path):
    experts = [{"专家编号": "E1", "姓名": "甲", "单位": "某大学", "领域": ["钢铁", "量子计算"], "回避单位": "某公司"}]
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"experts": experts}, ensure_ascii=False), encoding="utf-8")
    import_experts(empty_ledger, path)
    e = empty_ledger.expert("E1")
    assert e["fields"] == ["steel", "量子计算"] and e["conflict_orgs"] == ["某公司"]


def test_headers_with_notes_and_stars(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("项目编号*,项目名称（必填）, 申报单位 ,行业\nP1,n,a,钢铁\n", encoding="utf-8")
    t = read_table(path)
    assert t.rows[0][0] == 2


def test_every_problem_listed_with_row_and_column_nothing_imported(empty_ledger, tmp_path):
    import_projects(empty_ledger, FIXTURES / "projects.csv")
    bad = ("项目编号,项目名称,申报单位,行业,成果类型\n"
           "X1,好项目,单位甲,钢铁,应用研究\n"            # row 2: fine
           "X2,,单位乙,新材料,\n"                        # row 3: name missing (B)
           "X1,重复,单位丙,钢铁,\n"                      # row 4: duplicate id (A)
           "X4,未知行业,单位丁,区块链,\n"                # row 5: unknown industry (D)
           "X5,未知类型,单位戊,新能源,天使投资\n"        # row 6: unknown achievement type (E)
           "P001,已存在,单位己,钢铁,\n"                  # row 7: already in the campaign (A)
           ",无编号,单位庚,钢铁,\n")                     # row 8: id missing (A)
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_projects(empty_ledger, path)
    found = {(d.code, d.location.row, d.location.field.split()[0]) for d in info.value.diagnostics}
    assert found == {("missing_value", 3, "B"), ("duplicate", 4, "A"), ("unknown_industry", 5, "D"),
                     ("unknown_achievement_type", 6, "E"), ("duplicate_existing", 7, "A"),
                     ("missing_value", 8, "A")}
    assert "nothing imported" in info.value.format().splitlines()[0] or "nothing imported" in info.value.message
    assert _count(empty_ledger, "projects") == 6  # only the earlier good import


def test_missing_required_columns(empty_ledger, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("编号,姓名\nE1,甲\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_experts(empty_ledger, path)
    missing = {d.message for d in info.value.diagnostics if d.code == "missing_column"}
    assert any("institution" in m for m in missing) and any("fields" in m for m in missing)
    assert all(d.location.row == 1 for d in info.value.diagnostics)
    assert _count(empty_ledger, "experts") == 0


def test_cli_lists_every_problem_and_exits_2(empty_ledger, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes("项目编号,项目名称,申报单位,行业\nA,,x,钢铁\nB,n,x,火星产业\n".encode("gbk"))
    code, _out, err = run_cli(["projects", "import", path, "--campaign", empty_ledger.path.parent], capsys)
    assert code == 2
    assert "row 2: B (项目名称)" in err and "row 3: D (行业)" in err and "Traceback" not in err
    code, out, _ = run_cli(["projects", "import", path, "--campaign", empty_ledger.path.parent, "--json"], capsys)
    assert code == 2 and json.loads(out[: out.rindex("}") + 1])["ok"] is False


def test_json_problems_use_item_numbers(empty_ledger, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"id": "A", "name": "n", "applicant": "x", "industry": "钢铁"},
                                {"id": "B", "name": "n", "applicant": "x", "industry": "??"}]), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_projects(empty_ledger, path)
    d = info.value.diagnostics[0]
    assert d.location.row == 2 and d.location.field == "industry"


def test_unreadable_inputs(empty_ledger, tmp_path, capsys):
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04garbage")
    for name in ("x.json", "x.xlsx", "missing.csv"):
        code, _out, err = run_cli(["projects", "import", tmp_path / name, "--campaign", empty_ledger.path.parent],
                                  capsys)
        assert code == 2 and "Traceback" not in err


def test_dry_run_imports_nothing(empty_ledger):
    result = import_projects(empty_ledger, FIXTURES / "projects.csv", dry_run=True)
    assert result.count == 6 and _count(empty_ledger, "projects") == 0


def test_import_is_audited(empty_ledger):
    from tlr.campaign import verify_audit

    import_projects(empty_ledger, FIXTURES / "projects.csv")
    entry = empty_ledger.conn.execute("SELECT payload FROM audit WHERE action = 'projects.import'").fetchone()[0]
    payload = json.loads(entry)
    assert payload["count"] == 6 and len(payload["sha256"]) == 64 and len(payload["rows"]["projects"]["values"]) == 6
    assert verify_audit(empty_ledger).ok


def test_duplicate_submission_warned_not_refused(empty_ledger, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("项目编号,项目名称,申报单位,行业\nA,电堆,某公司,新能源\nB,电 堆,某公司,新能源\n", encoding="utf-8")
    result = import_projects(empty_ledger, path)
    assert result.count == 2
    (w,) = result.warnings
    assert w.code == "duplicate_name" and w.location.row == 3 and w.location.field == "B (项目名称)"
