"""The ledger file, schema versioning, and the hash-chained audit log (including tampering)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tlr.campaign import open_campaign, record_score, verify_audit
from tlr.campaign import schema
from tlr.campaign.scoring import expert_items
from tlr.errors import CampaignError

from .conftest import ANSWER, RUBRIC, run_cli


def _score_some(led, expert="E04", n=4):
    for item in expert_items(led, expert)[:n]:
        record_score(led, expert, item.project["id"], item.indicator.id, ANSWER[item.indicator.id], comment="c")


def test_init_creates_wal_database_with_frozen_rubric(ledger, rubric):
    conn = ledger.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    row = ledger.rubric_row()
    assert row["content_hash"] == rubric.content_hash
    assert ledger.rubric.content_hash == rubric.content_hash
    assert [i.id for i in ledger.rubric.indicators] == ["novelty", "trl", "market_size", "team"]


def test_init_refuses_existing(tmp_path, rubric):
    from tlr.campaign import init_campaign

    init_campaign(tmp_path / "c", rubric).close()
    with pytest.raises(CampaignError, match="already exists"):
        init_campaign(tmp_path / "c", rubric)


@pytest.mark.parametrize("content", [b"", b"hello, this is a CSV file\n1,2,3\n" * 10,
                                     b"SQLite format 3\x00" + b"\x00" * 200, bytes(range(256)) * 8])
def test_foreign_or_corrupt_file_is_refused_cleanly(tmp_path, content):
    path = tmp_path / "campaign.sqlite"
    path.write_bytes(content)
    with pytest.raises(CampaignError) as info:
        open_campaign(tmp_path)
    assert "not a tlr campaign" in info.value.format()


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(CampaignError, match="another application"):
        open_campaign(path)


def test_truncated_campaign_is_refused(ledger, tmp_path):
    data = ledger.path.read_bytes()
    ledger.close()
    bad = tmp_path / "bad" / "campaign.sqlite"
    bad.parent.mkdir()
    bad.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    with pytest.raises(CampaignError):
        led = open_campaign(bad.parent)
        led.rows("scores")


def test_cli_on_foreign_file_no_traceback(tmp_path, capsys):
    (tmp_path / "campaign.sqlite").write_text("not a database", encoding="utf-8")
    code, out, err = run_cli(["status", "--campaign", tmp_path], capsys)
    assert code == 2
    assert "Traceback" not in err and "not a tlr campaign" in err
    code, _out, err = run_cli(["status", "--campaign", tmp_path / "missing"], capsys)
    assert code == 2 and "no campaign database" in err


def test_newer_schema_is_refused(ledger):
    ledger.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    path = ledger.path
    ledger.close()
    with pytest.raises(CampaignError, match="newer tlr"):
        open_campaign(path)


def test_migrations_are_applied_in_order(tmp_path, monkeypatch, rubric):
    from tlr.campaign import init_campaign

    led = init_campaign(tmp_path / "c", rubric)
    path = led.path
    led.close()
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [["CREATE TABLE extra_v2 (x INTEGER)"]])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    led = open_campaign(path)
    assert led.conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    assert led.conn.execute("SELECT count(*) FROM extra_v2").fetchone()[0] == 0
    led.close()


def test_v1_campaign_is_migrated_on_open(tmp_path, monkeypatch, rubric):
    from tlr.campaign import init_campaign

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        m.setattr(schema, "SCHEMA_VERSION", 1)
        led = init_campaign(tmp_path / "old", rubric)
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == 1
        path = led.path
        led.close()
    led = open_campaign(path)
    assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION >= 2
    assert led.conn.execute("SELECT count(*) FROM sheet_exports").fetchone()[0] == 0
    assert verify_audit(led).ok
    led.close()


def test_env_var_locates_campaign(ledger, monkeypatch, capsys):
    monkeypatch.setenv("TLR_CAMPAIGN", str(ledger.path.parent))
    code, out, _ = run_cli(["campaign", "info", "--json"], capsys)
    assert code == 0 and '"projects": 6' in out


def test_audit_intact_after_normal_use(ledger):
    _score_some(ledger)
    report = verify_audit(ledger)
    assert report.ok, report.problems
    assert report.entries >= 5
    actions = [r[0] for r in ledger.conn.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions[:4] == ["campaign.init", "projects.import", "experts.import", "assign"]
    assert actions.count("score.set") == 4


def test_audit_log_is_append_only_through_sqlite(ledger):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.conn.execute("UPDATE audit SET actor = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.conn.execute("DELETE FROM audit WHERE seq = 1")


def _tamper(path, *statements, restore_triggers=False):
    """Edit the database behind the tool's back, as someone with the sqlite3 shell would (a careful
    one re-creates the append-only triggers afterwards, exactly as the schema writes them)."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for s in statements:
        conn.execute(s)
    if restore_triggers:
        for s in schema.MIGRATIONS[0]:
            if s.startswith("CREATE TRIGGER"):
                conn.execute(s)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("statements, expect", [
    (["UPDATE scores SET value = 5 WHERE indicator_id = 'novelty'"], "value is 5.0 in the table"),
    (["UPDATE scores SET comment = 'changed' WHERE indicator_id = 'trl'"], "comment is 'changed'"),
    (["DELETE FROM scores WHERE indicator_id = 'team'"], "deleted from the table"),
    (["INSERT INTO scores VALUES ('E01','P002','novelty',5,'5','','','2026-01-01','cli',1)"],
     "not in the audit log"),
    (["UPDATE projects SET applicant = '别的单位' WHERE id = 'P001'"], "applicant"),
    (["DELETE FROM recusals WHERE reason = 'same_institution'"], "recusals"),
    (["UPDATE rubric SET document = replace(document, '\"max\":5', '\"max\":9')"], "document"),
    (["UPDATE audit SET payload = replace(payload, '\"raw\":\"4\"', '\"raw\":\"5\"') "
      "WHERE action = 'score.set'"], "was altered"),
    (["DELETE FROM audit WHERE seq = 6"], "missing or reordered"),
    (["UPDATE audit SET actor = 'expert:E99' WHERE seq = 5"], "was altered"),
])
def test_tampering_is_detected(ledger, capsys, statements, expect):
    _score_some(ledger)
    path = ledger.path
    ledger.close()
    _tamper(path, *statements)
    led = open_campaign(path)
    report = verify_audit(led)
    led.close()
    assert not report.ok
    assert any(expect in p for p in report.problems), report.problems
    code, _out, err = run_cli(["audit", "verify", "--campaign", path.parent], capsys)
    assert code == 1 and "FAILED" in err


def test_rewritten_chain_still_caught_by_state_check(ledger):
    """Editing a score *and* its audit entry breaks the chain from that entry on."""
    _score_some(ledger)
    path = ledger.path
    ledger.close()
    _tamper(path, "UPDATE scores SET value = 1, raw = '1' WHERE indicator_id = 'novelty'",
            "UPDATE audit SET payload = replace(replace(payload, '\"raw\":\"4\"', '\"raw\":\"1\"'), "
            "'\"value\":4.0', '\"value\":1.0') WHERE action = 'score.set'")
    led = open_campaign(path)
    report = verify_audit(led)
    led.close()
    assert not report.chain_ok and report.first_bad_seq is not None


def test_cli_audit_verify_ok_and_log(ledger, capsys):
    _score_some(ledger, n=2)
    code, out, _ = run_cli(["audit", "verify", "--campaign", ledger.path.parent], capsys)
    assert code == 0 and "intact" in out
    code, out, _ = run_cli(["audit", "log", "--campaign", ledger.path.parent, "--action", "score.set", "--json"], capsys)
    assert code == 0 and '"score.set"' in out and "E04" in out


def test_trl_assessments_recorded_and_audited(ledger):
    from tlr.campaign import record_trl_assessment, trl_assessments

    doc = {"project": "P001", "cte": "caster", "level": 5, "checklist": {"a": True}}
    rec = record_trl_assessment(ledger, "P001", "caster", doc, assessor="expert:E04")
    record_trl_assessment(ledger, "P001", "caster", {**doc, "level": 6}, assessor="expert:E04")
    assert len(rec["sha256"]) == 64
    all_ = trl_assessments(ledger, "P001")
    assert [a["document"]["level"] for a in all_] == [5, 6]
    assert trl_assessments(ledger, "P001", latest=True)[0]["document"]["level"] == 6
    assert verify_audit(ledger).ok
    with pytest.raises(CampaignError):
        record_trl_assessment(ledger, "NOPE", "x", doc, assessor="a")


def test_init_via_cli(tmp_path, capsys):
    code, out, _ = run_cli(["campaign", "init", tmp_path / "r", "--rubric", RUBRIC, "--json"], capsys)
    assert code == 0 and '"rubric": "mini-campaign"' in out
    code, _, err = run_cli(["campaign", "init", tmp_path / "r2", "--rubric", tmp_path / "nope.yaml"], capsys)
    assert code == 2 and "Traceback" not in err


def test_meta_edit_detected(ledger):
    path = ledger.path
    ledger.close()
    _tamper(path, "UPDATE meta SET value = 'other' WHERE key = 'campaign_id'")
    led = open_campaign(path)
    report = verify_audit(led)
    led.close()
    assert not report.ok and any("campaign_id" in p for p in report.problems)


def test_read_only_database_gives_clear_error(ledger, capsys):
    import os
    import stat

    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    path = ledger.path
    ledger.close()
    os.chmod(path, stat.S_IREAD)
    try:
        code, _out, err = run_cli(["assign", "--per-project", "4", "--campaign", path.parent], capsys)
        assert code == 2 and "Traceback" not in err
    finally:
        os.chmod(path, stat.S_IREAD | stat.S_IWRITE)


def test_database_error_during_write_is_a_campaign_error(ledger):
    ledger.conn.execute("DROP TABLE sessions")
    with pytest.raises(CampaignError, match="database error"):
        with ledger.write("test") as tx:
            tx.conn.execute("INSERT INTO sessions VALUES ('a', 'b', 'c', 'd')")


def test_damaged_schema_gives_clear_cli_error(ledger, capsys):
    path = ledger.path
    ledger.close()
    _tamper(path, "DROP TABLE recusals")
    code, _out, err = run_cli(["status", "--campaign", path.parent], capsys)
    assert code == 2 and "database error" in err and "Traceback" not in err


def test_recorded_head_detects_truncation(ledger, capsys):
    _score_some(ledger, n=3)
    c = ["--campaign", ledger.path.parent]
    code, out, _ = run_cli(["audit", "verify", "--json", *c], capsys)
    head = json.loads(out)["head"]
    assert run_cli(["audit", "verify", "--head", head, *c], capsys)[0] == 0
    path = ledger.path
    ledger.close()
    # cut off the newest entry together with its score: the chain alone is still consistent
    _tamper(path, "DELETE FROM scores WHERE audit_seq = (SELECT max(seq) FROM audit)",
            "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)", restore_triggers=True)
    assert run_cli(["audit", "verify", *c], capsys)[0] == 0
    code, _out, err = run_cli(["audit", "verify", "--head", head, *c], capsys)
    assert code == 1 and "not in the chain" in err


def test_cli_trl_record_and_list(ledger, tmp_path, capsys):
    doc = tmp_path / "a.json"
    doc.write_text(json.dumps({"assessors": ["E04"], "ctes": [{"id": "caster", "name": "连铸"}]},
                              ensure_ascii=False), encoding="utf-8")
    c = ["--campaign", ledger.path.parent]
    code, out, _ = run_cli(["campaign", "trl-record", doc, "--project", "P001", "--json", *c], capsys)
    rec = json.loads(out)
    assert code == 0 and rec["assessor"] == "E04" and rec["cte"] == "*"
    code, out, _ = run_cli(["campaign", "trl-record", doc, "--project", "P001", "--cte", "caster", *c], capsys)
    assert code == 0
    code, _out, err = run_cli(["campaign", "trl-record", doc, "--project", "P001", "--cte", "nope", *c], capsys)
    assert code == 2 and "no CTE" in err
    code, out, _ = run_cli(["campaign", "trl-list", "--json", *c], capsys)
    rows = json.loads(out)
    assert [r["cte"] for r in rows] == ["*", "caster"] and rows[0]["document"]["kind"] == "trl_assessment"
    code, out, _ = run_cli(["audit", "verify", *c], capsys)
    assert code == 0


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_campaign_every_command_clean_error(ledger, tmp_path, capsys, damage):
    _score_some(ledger, n=2)
    data = ledger.path.read_bytes()
    ledger.close()
    bad = tmp_path / "bad"
    bad.mkdir()
    if damage == "truncate":
        (bad / "campaign.sqlite").write_bytes(data[: len(data) // 3])
    else:
        (bad / "campaign.sqlite").write_bytes(data[:4096] + bytes(len(data) - 4096))
    answers = tmp_path / "a.csv"
    answers.write_text("project,indicator,value\nP001,novelty,3\n", encoding="utf-8")
    for cmd in (["status"], ["audit", "verify"], ["campaign", "info"], ["export", "scores"],
                ["score", "--expert", "E04", "--from", answers], ["sheets", "export", "--expert", "E04"],
                ["assign", "--per-project", "3"], ["projects", "list"]):
        code, _out, err = run_cli([*cmd, "--campaign", bad], capsys)
        assert "Traceback" not in err, (cmd, err)
        assert code in (1, 2), (cmd, code, err)


def test_damaged_rubric_document_clean_error(ledger, capsys):
    path = ledger.path
    ledger.close()
    _tamper(path, "UPDATE rubric SET document = substr(document, 1, 50)", "DELETE FROM meta WHERE key = 'rubric_summary'")
    for cmd in (["status"], ["export", "scores"], ["score", "--expert", "E04"]):
        code, _out, err = run_cli([*cmd, "--campaign", path.parent], capsys)
        assert code == 2 and "Traceback" not in err and "rubric" in err, (cmd, err)
