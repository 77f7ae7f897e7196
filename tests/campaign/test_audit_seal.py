"""Seals over the audit chain: an entry appended with a recomputed hash after a seal, and history
rewritten before it, are detected with the right key; a wrong key is reported as such."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from tlr.campaign import open_campaign, record_score, verify_audit
from tlr.campaign import schema
from tlr.campaign.chain import entry_hash
from tlr.campaign.scoring import expert_items
from tlr.campaign.seal import load_key

from .conftest import ANSWER, run_cli
from .support import edit_behind


def _score(led, expert="E04", n=3, start=0):
    for item in expert_items(led, expert)[start:start + n]:
        record_score(led, expert, item.project["id"], item.indicator.id, ANSWER[item.indicator.id])


@pytest.fixture
def keys(tmp_path, capsys):
    out = tmp_path / "keys"
    code, text, _ = run_cli(["audit", "keygen", "--out", out / "secretary.pem", "--json"], capsys)
    assert code == 0
    info = json.loads(text)
    code, text, _ = run_cli(["audit", "keygen", "--out", out / "other.pem", "--json"], capsys)
    other = json.loads(text)
    code, text, _ = run_cli(["audit", "keygen", "--hmac", "--out", out / "hmac.key", "--json"], capsys)
    return {"private": info["private"], "public": info["public"], "other_public": other["public"],
            "hmac": json.loads(text)["private"], "key_id": info["key_id"]}


def _sealed(ledger, keys, capsys, key="private"):
    _score(ledger)
    c = ["--campaign", ledger.path.parent]
    code, out, _ = run_cli(["audit", "seal", "--key", keys[key], "--json", *c], capsys)
    assert code == 0
    return json.loads(out), c


def _raw(ledger):
    """Close *ledger*: the sqlite3 shell of someone with write access to its file (and no key)."""
    ledger.close()
    conn = sqlite3.connect(ledger.path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    return conn


def _close_restoring_triggers(conn):
    for s in schema.MIGRATIONS[0]:
        if s.startswith("CREATE TRIGGER"):
            conn.execute(s)
    conn.commit()
    conn.close()


def _rechain(conn, start):
    """Recompute every hash from entry ``start`` on, as an attacker covering an edit would."""
    prev = conn.execute("SELECT hash FROM audit WHERE seq = ?", (start - 1,)).fetchone()[0]
    for seq, ts, actor, action, payload in conn.execute(
            "SELECT seq, ts, actor, action, payload FROM audit WHERE seq >= ? ORDER BY seq", (start,)).fetchall():
        digest = entry_hash(prev, {"seq": seq, "ts": ts, "actor": actor, "action": action,
                                   "payload": json.loads(payload)})
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    return prev


def _rewrite_history(conn):
    """Rewrite who did entry 5 and recompute every hash from there (the chain alone stays consistent)."""
    conn.execute("UPDATE audit SET actor = 'expert:E99' WHERE seq = 5")
    _rechain(conn, 5)


def _append_forged(conn, action="score.set", actor="expert:E04 via user:secretary"):
    seq, prev = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    item = ("E04", "P002", "novelty")
    row = {"expert_id": item[0], "project_id": item[1], "indicator_id": item[2], "value": 1.0, "raw": "1",
           "comment": "", "evidence": "", "scored_at": "2026-05-01T00:00:00+00:00", "source": "cli"}
    payload = {"put": {"scores": [row]}}
    entry = {"seq": seq + 1, "ts": "2026-05-01T00:00:00+00:00", "actor": actor, "action": action,
             "payload": payload}
    from tlr.campaign.chain import canonical

    conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (seq + 1, entry["ts"], actor, action, canonical(payload), prev, entry_hash(prev, entry)))
    conn.execute("INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (*item, 1.0, "1", "", "", row["scored_at"], "cli", seq + 1))
    return seq + 1


def test_keygen_files_and_modes(keys, tmp_path, capsys):
    assert stat.S_IMODE(os.stat(keys["private"]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys["hmac"]).st_mode) == 0o600
    assert open(keys["public"]).read().startswith("-----BEGIN PUBLIC KEY-----")
    assert load_key(keys["public"]).key_id == load_key(keys["private"]).key_id == keys["key_id"]
    before = open(keys["private"], "rb").read()
    code, _out, err = run_cli(["audit", "keygen", "--out", keys["private"]], capsys)
    assert code == 2 and "not overwritten" in err and open(keys["private"], "rb").read() == before


def test_seal_is_stored_the_key_is_not(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    last = ledger.conn.execute("SELECT seq, hash FROM audit WHERE seq = ?", (seal["seq"],)).fetchone()
    assert (seal["seq"], seal["head"]) == last
    assert ledger.conn.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0] == "audit.seal"
    from cryptography.hazmat.primitives import serialization

    private = load_key(keys["private"]).private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pem = open(keys["private"], "rb").read()
    data = b"".join(p.read_bytes() for p in ledger.path.parent.iterdir() if p.name.startswith("campaign.sqlite"))
    assert private not in data and private.hex().encode() not in data and pem[40:80] not in data
    hmac_secret = open(keys["hmac"], "rb").read().strip()
    run_cli(["audit", "seal", "--key", keys["hmac"], *c], capsys)
    data = b"".join(p.read_bytes() for p in ledger.path.parent.iterdir() if p.name.startswith("campaign.sqlite"))
    assert hmac_secret not in data
    code, out, _ = run_cli(["audit", "verify", "--key", keys["public"], "--json", *c], capsys)
    report = json.loads(out)
    assert code == 0 and [s["status"] for s in report["seals"]] == ["ok", "other_key"]
    assert report["unsealed"]["count"] == 1 and report["unsealed"]["actions"] == {"audit.seal": 1}


def test_forged_entry_after_seal_is_reported(ledger, keys, capsys):
    """Defect 3, exact reproduction: an entry appended with a recomputed hash passes `verify --head`;
    against a seal it is listed (a warning), and fails with --strict."""
    seal, c = _sealed(ledger, keys, capsys)
    code, out, _ = run_cli(["audit", "verify", "--json", *c], capsys)
    head = json.loads(out)["head"]
    conn = _raw(ledger)
    forged = _append_forged(conn)
    _close_restoring_triggers(conn)
    assert run_cli(["audit", "verify", "--head", head, *c], capsys)[0] == 0      # what the chain alone shows
    code, out, err = run_cli(["audit", "verify", "--key", keys["public"], *c], capsys)
    assert code == 0 and "warning" in err
    warning = next(ln for ln in err.splitlines() if "after the last seal" in ln)
    assert f"1 entry after the last seal (entry {seal['seq']}" in warning and f"seq {forged}–{forged}" in warning
    assert "score.set ×1" in warning and "expert:E04 via user:secretary ×1" in warning
    assert "who wrote them is not proven" in warning
    code, _out, err = run_cli(["audit", "verify", "--key", keys["public"], "--strict", *c], capsys)
    assert code == 1 and "FAILED" in err and "after the last seal" in err
    code, _out, err = run_cli(["audit", "verify", "--key", keys["public"], "--sealed-only", *c], capsys)
    assert code == 1


def test_history_rewritten_before_the_seal_is_detected(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    conn = _raw(ledger)
    _rewrite_history(conn)
    _close_restoring_triggers(conn)
    led = open_campaign(ledger.path)
    report = verify_audit(led, key=load_key(keys["public"]))
    led.close()
    assert report.chain_ok and report.state_ok and report.schema_ok     # the chain alone is consistent
    assert not report.ok and report.seals[0]["status"] == "history_rewritten"
    assert any(f"seal of entry {seal['seq']}" in p and "rewritten" in p for p in report.problems)
    code, _out, err = run_cli(["audit", "verify", *c], capsys)            # seen even without the key
    assert code == 1 and "no longer matches the chain" in err


def test_rewritten_history_with_a_forged_seal_fails_the_signature(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    conn = _raw(ledger)
    _rewrite_history(conn)
    new_head = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seal["seq"],)).fetchone()[0]
    # make the seal row and its audit entry name the new head, then re-chain the rest
    conn.execute("UPDATE seals SET head = ?", (new_head,))
    seal_entry = conn.execute("SELECT seq, payload FROM audit WHERE action = 'audit.seal'").fetchone()
    conn.execute("UPDATE audit SET payload = ? WHERE seq = ?",
                 (seal_entry[1].replace(seal["head"], new_head), seal_entry[0]))
    _rechain(conn, seal_entry[0])
    _close_restoring_triggers(conn)
    assert run_cli(["audit", "verify", *c], capsys)[0] == 0               # without the key: consistent
    code, _out, err = run_cli(["audit", "verify", "--key", keys["public"], *c], capsys)
    assert code == 1 and "signature does not verify" in err


def test_removed_seals_fail_with_the_key(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    conn = _raw(ledger)
    conn.execute("DELETE FROM seals")
    conn.execute("DELETE FROM audit WHERE action = 'audit.seal'")
    _close_restoring_triggers(conn)
    code, _out, err = run_cli(["audit", "verify", *c], capsys)
    assert code == 0                                                      # nothing left to compare ...
    code, _out, err = run_cli(["audit", "verify", "--key", keys["public"], *c], capsys)
    assert code == 1 and "holds no seal" in err                          # ... but the key expects one


def test_wrong_key_is_reported_as_such(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    for wrong in (keys["other_public"], keys["hmac"]):
        code, _out, err = run_cli(["audit", "verify", "--key", wrong, *c], capsys)
        assert code == 1 and "wrong key" in err and keys["key_id"][:16] in err
    code, _out, err = run_cli(["audit", "seal", "--key", keys["public"], *c], capsys)
    assert code == 2 and "needs the private key" in err
    bad = ledger.path.parent / "short.key"
    bad.write_text("secret", encoding="utf-8")
    code, _out, err = run_cli(["audit", "verify", "--key", bad, *c], capsys)
    assert code == 2 and "too short" in err and "Traceback" not in err
    code, _out, err = run_cli(["audit", "verify", "--strict", *c], capsys)
    assert code == 2 and "--strict needs --key" in err


def test_hmac_seal_round_trip_and_tamper(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys, key="hmac")
    code, out, _ = run_cli(["audit", "verify", "--key", keys["hmac"], "--strict", "--json", *c], capsys)
    report = json.loads(out)
    assert code == 0 and report["seals"][0]["status"] == "ok" and report["seals"][0]["alg"] == "hmac-sha256"
    conn = _raw(ledger)
    conn.execute("UPDATE seals SET signature = ?", ("0" * 64,))
    _close_restoring_triggers(conn)
    code, _out, err = run_cli(["audit", "verify", "--key", keys["hmac"], *c], capsys)
    assert code == 1 and "signature does not verify" in err


def test_work_after_a_seal_is_a_finding_not_a_failure(ledger, keys, capsys):
    seal, c = _sealed(ledger, keys, capsys)
    led = open_campaign(ledger.path)
    _score(led, n=2, start=3)
    led.close()
    code, out, err = run_cli(["audit", "verify", "--key", keys["public"], "--json", *c], capsys)
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["unsealed"]["count"] == 2
    assert report["unsealed"]["actions"] == {"score.set": 2}
    code, _out, _err = run_cli(["audit", "seal", "--key", keys["private"], *c], capsys)
    code, out, _ = run_cli(["audit", "verify", "--key", keys["public"], "--strict", "--json", *c], capsys)
    assert code == 0 and json.loads(out)["unsealed"]["count"] == 0


# --------------------------------------------------------------------------- schema and meta


@pytest.mark.parametrize("statements, expect", [
    (["DROP TRIGGER audit_no_delete"], ["append-only trigger audit_no_delete was dropped"]),
    (["DROP TRIGGER audit_no_update", "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT 1; END"],
     ["definition of trigger audit_no_update was changed"]),
    (["CREATE TRIGGER sneaky AFTER INSERT ON scores BEGIN UPDATE scores SET value = 5; END"],
     ["trigger sneaky was not created by tlr"]),
    (["CREATE TABLE notes (x)"], ["table notes was not created by tlr"]),
    (["INSERT INTO meta VALUES ('approved_by', 'chair')"],
     ["meta approved_by:", "in the table but not in the audit log (written behind the tool's back)"]),
], ids=["dropped-trigger", "replaced-trigger-body", "foreign-trigger", "foreign-table", "meta-key"])
def test_schema_and_meta_edits_are_reported(ledger, capsys, statements, expect):
    path = edit_behind(ledger, *statements)
    code, _out, err = run_cli(["audit", "verify", "--campaign", path.parent], capsys)
    assert code == 1 and all(e in err for e in expect), err
