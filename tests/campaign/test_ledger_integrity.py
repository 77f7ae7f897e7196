"""Ledger integrity: a score changed behind the tool's back to text is one clear error (not a
traceback), `audit verify` keeps digests rather than rows, and v3 ledgers open, migrate and verify."""

from __future__ import annotations

import tracemalloc

import pytest

from tlr.campaign import open_campaign, record_score, verify_audit
from tlr.campaign import schema
from tlr.campaign.scoring import expert_items

from .conftest import ANSWER, run_cli
from .support import edit_behind


def _score_all(led):
    for e in led.experts():
        for item in expert_items(led, e["id"]):
            record_score(led, e["id"], item.project["id"], item.indicator.id, ANSWER[item.indicator.id])


@pytest.mark.parametrize("value, shown", [("'5abc'", "'5abc' (text)"), ("9e999", "inf (real)"),
                                          ("x'35'", "b'5' (blob)")])
def test_rank_on_a_damaged_score_is_one_clear_line(ledger, capsys, value, shown):
    """Defect 5: scores.value changed to the text '5abc' gave a traceback in `tlr rank`."""
    _score_all(ledger)
    path = edit_behind(ledger, f"UPDATE scores SET value = {value} WHERE expert_id = 'E04' AND project_id = 'P002' "
                               "AND indicator_id = 'novelty'")
    rank = ["rank", path.parent, "--draws", "20", "--bootstrap", "0"]
    for extra, says in (([], "in the table but 4.0 in the audit log"),   # the audit gate refuses first
                        (["--allow-unverified"], shown)):               # past it, the score cube refuses
        code, out, err = run_cli([*rank, *extra], capsys)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2 and "Traceback" not in err and len(lines) == 1, err
        assert "scores E04/P002/novelty: value" in lines[0] and says in lines[0]
        assert "tlr audit verify" in lines[0]
    code, _out, err = run_cli(["audit", "verify", "--campaign", path.parent], capsys)
    assert code == 1 and "scores E04/P002/novelty: value" in err



def test_rank_on_a_damaged_json_column_is_one_clear_line(ledger, capsys):
    """A project's list column edited into invalid JSON: one located line past the audit gate, not exit 70."""
    _score_all(ledger)
    path = edit_behind(ledger, "UPDATE projects SET keywords = '[broken' WHERE id = 'P002'")
    code, _out, err = run_cli(["rank", path.parent, "--draws", "20", "--bootstrap", "0", "--allow-unverified"], capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and "Traceback" not in err and len(lines) == 1, err
    assert "projects P002" in lines[0] and "keywords" in lines[0] and "tlr audit verify" in lines[0]

def test_verify_memory_is_far_below_the_data(ledger):
    """The replay keeps 16-byte digests per key and row, never the rows: peak memory while verifying
    a ledger with ~6 MB of TRL documents stays under a quarter of that (a row copy alone is 6 MB)."""
    from tlr.campaign import record_trl_assessment

    for k in range(200):
        doc = {"project": "P001", "cte": f"c{k}", "level": 5, "notes": f"{k:04d}" + "评估记录" * 2500}
        record_trl_assessment(ledger, "P001", f"c{k}", doc, assessor="E04")
    data = ledger.conn.execute("SELECT sum(length(CAST(document AS BLOB))) FROM trl_assessments").fetchone()[0]
    assert data > 5_000_000
    tracemalloc.start()
    try:
        report = verify_audit(ledger)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, report.problems
    assert peak < data / 4, (peak, data)


def test_verify_names_the_changed_column_of_a_large_row(ledger):
    from tlr.campaign import record_trl_assessment

    doc = {"project": "P001", "cte": "x", "level": 5, "notes": "n" * 100_000}
    rec = record_trl_assessment(ledger, "P001", "x", doc, assessor="E04")
    ledger.conn.execute("UPDATE trl_assessments SET assessor = 'E05' WHERE id = ?", (rec["id"],))
    report = verify_audit(ledger)
    assert not report.ok
    assert report.problems == [f"trl_assessments {rec['id']}: assessor 为 'E05'，审计日志记录为 'E04' / assessor is "
                               f"'E05' in the table but 'E04' in the audit log"]


def test_v3_ledger_with_an_old_sheet_export_migrates_and_verifies(tmp_path, monkeypatch, rubric):
    """A campaign written before v4 (sheet exports without a position, no seals table) opens, migrates
    and verifies; its old sheet's position is found from the `sheet.export` entry."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.campaign.schema import TableSpec
    from tlr.campaign.sheets import export_sheet, import_sheets
    from tlr.errors import ValidationError

    from .conftest import FIXTURES

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        m.setattr(schema, "SCHEMA_VERSION", 3)
        tables = {k: v.without_added() for k, v in schema.TABLES.items()}
        tables.pop("seals")
        tables["sheet_exports"] = TableSpec("sheet_exports", ("token_sha256",),
                                            ("token_sha256", "expert_id", "exported_at", "items"))
        m.setattr(schema, "TABLES", tables)
        led = init_campaign(tmp_path / "old", rubric)
        import_projects(led, FIXTURES / "projects.csv")
        import_experts(led, FIXTURES / "experts.csv")
        assign_experts(led, 3, seed=1)
        record_score(led, "E01", "P004", "novelty", "4")
        sheet = export_sheet(led, "E01", tmp_path / "E01.xlsx")
        path = led.path
        led.close()
    led = open_campaign(path)
    try:
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert led.conn.execute("SELECT audit_seq FROM sheet_exports").fetchone()[0] is None
        report = verify_audit(led)
        assert report.ok, report.problems
        record_score(led, "E01", "P004", "novelty", "2")
        with pytest.raises(ValidationError, match="newer value 2"):
            import_sheets(led, [sheet])
    finally:
        led.close()
