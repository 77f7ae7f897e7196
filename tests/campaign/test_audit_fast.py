"""The audit replay's shortcuts change nothing: the inlined row digest is the reference one, and a table
compared as a set of row digests gives the report the key-by-key comparison gives, intact or tampered."""

from __future__ import annotations

import hashlib
import math
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tlr.campaign import audit, open_campaign, verify_audit
from tlr.campaign.schema import TABLES

from .support import edit_behind
from .test_audit_property import OPS, _apply, _build


def _reference_digest(values) -> bytes:
    # the digest as first written: every value through _norm
    return hashlib.blake2b(repr([audit._norm(v) for v in values]).encode("utf-8", "surrogatepass"),
                           digest_size=16).digest()


SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2 ** 990, max_value=2 ** 1100)
           | st.floats(allow_nan=True) | st.text() | st.binary(max_size=8) | st.just(-0.0) | st.just(2 ** 1000))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                           max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(VALUES, max_size=12))
def test_digest_is_the_reference_digest(values):
    assert audit._digest(values) == _reference_digest(values)
    assert audit._digest(tuple(values)) == _reference_digest(values)


def test_digest_equates_what_the_comparison_equates():
    same = [([4, "a", None], [4.0, "a", None]), ([0.0], [-0.0]), ([{"b": 1, "a": [2]}], [{"a": [2.0], "b": 1}]),
            ([True], [True])]
    for a, b in same:
        assert audit._digest(a) == audit._digest(b)
    differ = [([1], ["1"]), ([True], [1]), ([None], ["None"]), ([2 ** 1100], [2 ** 1100 + 1]), ([b"x"], ["x"]),
              ([math.inf], [-math.inf]), (["a", "b"], ["a, b"])]
    for a, b in differ:
        assert audit._digest(a) != audit._digest(b)


def _report(path) -> dict:
    led = open_campaign(path)
    try:
        return verify_audit(led).to_dict()
    finally:
        led.close()


def _key_by_key(monkeypatch, path) -> dict:
    """The report with the set comparison switched off: every table compared key by key."""
    with monkeypatch.context() as m:
        m.setattr(audit, "_same_rows", lambda *a: False)
        return _report(path)


def test_an_intact_ledger_is_checked_by_the_sql_replay(ledger, monkeypatch):
    """Replayed into SQLite and compared there: no digest per row, the tables never read into Python."""
    from tlr.campaign import record_score

    record_score(ledger, "E01", "P004", "novelty", "4", comment="x")
    calls = []
    real = audit._SqlReplay.tables_match

    def spy(self):
        calls.append(real(self))
        return calls[-1]

    monkeypatch.setattr(audit._SqlReplay, "tables_match", spy)
    monkeypatch.setattr(audit, "_check_tables", lambda *a: pytest.fail("compared row by row"))
    report = verify_audit(ledger)
    assert report.ok and calls == [True]
    assert ledger.conn.execute("PRAGMA database_list").fetchall()[-1][1] == "main"   # the replay is detached


def test_the_set_comparison_still_finds_an_intact_ledger_intact(ledger, monkeypatch):
    """Inside a write (no ATTACH there) the digest replay does it, set by set."""
    from tlr.campaign import record_score

    record_score(ledger, "E01", "P004", "novelty", "4", comment="x")
    calls = []
    real = audit._same_rows

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(audit, "_same_rows", spy)
    monkeypatch.setattr(audit._SqlReplay, "start", classmethod(lambda cls, led: None))
    report = verify_audit(ledger)
    assert report.ok and calls == [True] * len(TABLES)


TAMPER = ["edit", "delete", "insert", "swap", "json"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, kind=st.sampled_from(TAMPER), pick=st.integers(0, 10_000), col_pick=st.integers(0, 100))
def test_tampered_ledger_reports_as_key_by_key(rubric, monkeypatch, ops, kind, pick, col_pick):
    with tempfile.TemporaryDirectory() as tmp:
        led = _build(Path(tmp) / "c", rubric)
        _apply(led, ops)
        path = led.path
        tables = [(name, spec) for name, spec in TABLES.items()
                  if led.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]]
        led.close()
        name, spec = tables[pick % len(tables)]
        if kind == "json":
            candidates = [(n, s) for n, s in tables if s.json_columns]
            name, spec = candidates[pick % len(candidates)]
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(f"SELECT {', '.join(spec.columns)} FROM {name} ORDER BY "
                                f"{', '.join(spec.key)}").fetchall()
            key_at = [spec.columns.index(k) for k in spec.key]
            where = " AND ".join(f"{k} = ?" for k in spec.key)
            values = list(rows[pick % len(rows)])
            key = [values[i] for i in key_at]
            col = spec.columns[col_pick % len(spec.columns)]
            at = spec.columns.index(col)
            if kind == "edit":
                new = values[at] + 1 if isinstance(values[at], (int, float)) else f"{values[at]}*"
                conn.execute(f"UPDATE {name} SET {col} = ? WHERE {where}", (new, *key))
            elif kind == "delete":
                conn.execute(f"DELETE FROM {name} WHERE {where}", key)
            elif kind == "insert":
                last = key_at[-1]
                values[last] = values[last] + 1000 if isinstance(values[last], int) else f"{values[last]}-copy"
                conn.execute(f"INSERT INTO {name} ({', '.join(spec.columns)}) VALUES "
                             f"({', '.join('?' * len(values))})", values)
            elif kind == "swap":
                assume(len(rows) > 1 and col not in spec.key)
                other = rows[(pick + 1) % len(rows)]
                conn.execute(f"UPDATE {name} SET {col} = ? WHERE {where}", (other[at], *key))
                conn.execute(f"UPDATE {name} SET {col} = ? WHERE {where}", (values[at], *[other[i] for i in key_at]))
            else:
                jcol = sorted(spec.json_columns)[col_pick % len(spec.json_columns)]
                conn.execute(f"UPDATE {name} SET {jcol} = ? WHERE {where}", ("{not json", *key))
            conn.commit()
        except sqlite3.IntegrityError:   # the schema refuses this edit
            assume(False)
        finally:
            conn.close()
        fast = _report(path)
        assert fast == _key_by_key(monkeypatch, path)
        if kind != "swap" or rows[pick % len(rows)][at] != rows[(pick + 1) % len(rows)][at]:
            assert not fast["state_ok"]


@pytest.mark.parametrize("table", ["scores", "projects"])
def test_a_duplicated_row_is_not_taken_for_a_match(ledger, monkeypatch, table):
    """Without its primary key a table can hold a row twice: the set of digests alone would not see it."""
    from tlr.campaign import record_score

    record_score(ledger, "E01", "P004", "novelty", "4")
    cols = ", ".join(TABLES[table].columns)
    path = edit_behind(ledger, "PRAGMA foreign_keys = OFF", f"CREATE TABLE copy AS SELECT {cols} FROM {table}",
                       f"DROP TABLE {table}", f"CREATE TABLE {table} AS SELECT {cols} FROM copy",
                       f"INSERT INTO {table} SELECT {cols} FROM copy LIMIT 1", "DROP TABLE copy")
    fast = _report(path)
    assert not fast["state_ok"] and any("in the table but not in the audit log" in p for p in fast["problems"])
    assert fast == _key_by_key(monkeypatch, path)
