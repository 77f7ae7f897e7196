"""The library keeps the ledger's discipline: its own identity and schema version, every write audited in a
hash chain that `tlr library verify` replays; edits behind the tool's back are found."""

from __future__ import annotations

import sqlite3
import struct

import pytest

from tlr.errors import CampaignError

from .conftest import run


def test_identity_and_version_are_in_the_file_header(lib):
    head = lib.path.read_bytes()[:100]
    assert head.startswith(b"SQLite format 3\x00")
    assert struct.unpack(">I", head[68:72])[0] == 0x544C524C      # application_id: "TLRL"
    assert head[68:72] == b"TLRL"
    assert struct.unpack(">I", head[60:64])[0] == 2               # user_version: schema 2 (follow-up events)


def test_a_new_library_verifies_with_one_init_entry(lib):
    report = lib.verify()
    assert report.ok and report.entries == 1
    (seq, ts, actor, action, payload, prev, digest), = sqlite3.connect(lib.path).execute("SELECT * FROM audit")
    assert action == "library.init" and prev == "0" * 64


def test_every_write_is_one_chained_entry(lib, demand_file):
    from tlr.library.demands import import_demands, set_status

    import_demands(lib, demand_file)
    set_status(lib, "D001", "matched", "对接成功")
    rows = sqlite3.connect(lib.path).execute("SELECT seq, action, prev_hash, hash FROM audit ORDER BY seq").fetchall()
    assert [r[1] for r in rows] == ["library.init", "demands.import", "demand.status"]
    assert all(rows[k][2] == rows[k - 1][3] for k in range(1, len(rows)))
    assert lib.verify().ok


@pytest.mark.parametrize("sql, words", [
    ("UPDATE demands SET budget = 1 WHERE id = 'D001'", ("demands D001", "budget")),
    ("UPDATE demands SET phone = '110' WHERE id = 'D002'", ("demands D002", "phone")),
    ("DELETE FROM demands WHERE id = 'D003'", ("demands D003", "deleted")),
    ("DELETE FROM demand_status", ("demand_status",)),
    ("INSERT INTO demands (id, seq, name, enterprise, industry, description, status, imported_at) "
     "VALUES ('X', 9, 'x', 'x', 'steel', 'x', 'open', 't')", ("demands X", "not in the audit log")),
])
def test_tampering_is_detected(lib, demand_file, sql, words):
    from tlr.library.demands import import_demands, set_status

    import_demands(lib, demand_file)
    set_status(lib, "D001", "closed", "需求取消")
    conn = sqlite3.connect(lib.path)
    conn.execute("DROP TRIGGER IF EXISTS demand_status_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()
    report = lib.verify()
    assert not report.ok
    assert any(all(w in p for w in words) for p in report.problems), report.problems


def test_an_audit_entry_edited_breaks_the_chain(lib, demand_file, tmp_path, capsys):
    from tlr.library.demands import import_demands

    import_demands(lib, demand_file)
    conn = sqlite3.connect(lib.path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    conn.commit()
    conn.close()
    report = lib.verify()
    assert not report.chain_ok and not report.schema_ok and report.first_bad_seq == 2
    code, out, err = run(["library", "verify", "--library", lib.path], capsys)
    assert code == 1 and "FAILED" in err and "audit_no_update" in err


def test_verify_cli_on_an_intact_library(lib, capsys):
    code, out, _ = run(["library", "verify", "--library", lib.path, "--json"], capsys)
    assert code == 0 and '"ok": true' in out


def test_a_campaign_is_not_a_library_and_back(lib, tmp_path):
    from tlr.campaign import open_campaign
    from tlr.library.store import open_library

    from ..campaign.support import new_round

    new_round(tmp_path / "round", with_data=False).close()
    with pytest.raises(CampaignError, match="not a tlr library: .*another application"):
        open_library(tmp_path / "round" / "campaign.sqlite")
    with pytest.raises(CampaignError, match="not a tlr campaign: .*another application"):
        open_campaign(lib.path)


def test_missing_library_is_refused_for_reading(tmp_path, capsys):
    code, _out, err = run(["demands", "list", "--library", tmp_path / "none.sqlite"], capsys)
    assert code == 2 and "none.sqlite" in err and "not a tlr library" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_library_found_by_environment_variable(tmp_path, monkeypatch, demand_file, capsys):
    monkeypatch.setenv("TLR_LIBRARY", str(tmp_path / "env.sqlite"))
    assert run(["demands", "import", demand_file], capsys)[0] == 0
    assert (tmp_path / "env.sqlite").is_file()


def test_a_newer_schema_is_refused(lib):
    from tlr.library.store import open_library

    lib.conn.execute("PRAGMA user_version = 99")
    with pytest.raises(CampaignError, match="newer tlr"):
        open_library(lib.path)


def test_the_library_schema_reuses_the_campaign_audit_statements():
    from tlr.campaign import schema as campaign_schema
    from tlr.library import schema

    v1 = schema.MIGRATIONS[0]
    assert campaign_schema.META_TABLE in v1 and campaign_schema.SEALS_TABLE in v1
    assert all(s in v1 for s in campaign_schema.AUDIT_LOG)
    assert campaign_schema.META_TABLE in campaign_schema.MIGRATIONS[0]
