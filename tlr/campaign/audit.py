"""The hash-chained, append-only audit log and its verification.

Each entry is ``{seq, ts, actor, action, payload}``; its hash is
``sha256(prev_hash + canonical_json(entry))`` (:mod:`tlr.campaign.chain`) where ``prev_hash`` is the previous
entry's hash (64 zeros for the first). The payload lists the exact rows the change
wrote (``put``: table -> rows) and removed (``del``: table -> keys), so
:func:`verify` can (1) recompute the chain and (2) replay the log and compare the
result with the tables: an audit entry edited, deleted or inserted behind the
tool's back breaks the chain; a score (or project, expert, assignment, recusal,
TRL assessment, the frozen rubric) edited directly no longer matches the replay. A large write
is several consecutive entries (``"part": 1, 2, ...``, the last with ``"parts": n``) in one
transaction; :func:`verify` also checks that each such series is complete.

The chain has no secret, so it cannot show an entry appended (or a history rewritten)
with every hash recomputed; seals (:mod:`tlr.campaign.seal`), signatures over the head
made with a key kept outside the ledger, can. :func:`verify` also checks the schema
against what the migrations create (a dropped append-only trigger, a foreign trigger)
and that every ``meta`` key was recorded at ``campaign.init``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from hashlib import blake2b as _blake2b
from typing import TYPE_CHECKING, Any, Iterable

from . import schema
from .schema import row_from_db
from .chain import GENESIS, column_json as _JSON, entry_text
from .seal import seal_message, short_id

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store as Ledger

@dataclass
class AuditReport:
    """Result of :func:`verify`. ``ok`` is true when the chain, the tables, the schema and the seals agree.

    ``problems`` make it fail; ``warnings`` are findings that need a person's judgement (entries
    appended after the last seal, seals not checked) and do not, unless ``strict`` was asked.
    """

    entries: int = 0
    head: str = GENESIS
    chain_ok: bool = True
    state_ok: bool = True
    schema_ok: bool = True
    seal_ok: bool = True
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None
    seals: list[dict[str, Any]] = field(default_factory=list)
    unsealed: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.chain_ok and self.state_ok and self.schema_ok and self.seal_ok

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "chain_ok": self.chain_ok,
                "state_ok": self.state_ok, "schema_ok": self.schema_ok, "seal_ok": self.seal_ok,
                "first_bad_seq": self.first_bad_seq, "problems": self.problems, "warnings": self.warnings,
                "seals": self.seals, "unsealed": self.unsealed}


MAX_PROBLEMS = 50


# -- row digests: the replay keeps 16 bytes per key and per row, not the rows themselves -------------


def _norm(value: Any) -> Any:
    """A form whose repr is equal exactly when the old column-by-column comparison said "same":
    numbers as floats (4 == 4.0, -0.0 == 0.0), JSON objects regardless of key order."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is float or kind is int:
        try:
            return float(value) + 0.0
        except OverflowError:
            return value
    if kind is list or kind is tuple:
        return [_norm(v) for v in value]
    if kind is dict:
        return ("\0object", tuple(sorted((str(k), _norm(v)) for k, v in value.items())))
    return ("\0other", repr(value))  # bytes or anything else a hand edit can store: never a logged value


_AS_IS = frozenset({str, type(None), bool})   # what _norm returns unchanged
_EXACT = 2 ** 1000                              # ints that float() takes without OverflowError


def _digest(values: Iterable[Any]) -> bytes:
    normed = []
    for v in values:   # _norm inlined for the common kinds (a digest per key and per row adds up)
        kind = v.__class__
        if kind in _AS_IS:
            normed.append(v)
        elif kind is float:
            normed.append(v + 0.0)
        elif kind is int and -_EXACT < v < _EXACT:
            normed.append(float(v))
        else:
            normed.append(_norm(v))
    return _blake2b(repr(normed).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _key_digest(key: Any) -> bytes:
    return _digest(list(key))


def _row_digest(spec: Any, row: dict[str, Any]) -> bytes:
    return _digest([row.get(c) for c in spec.columns])


def _db_row(spec: Any, values: tuple) -> dict[str, Any]:
    try:
        return row_from_db(spec, values)
    except (TypeError, ValueError):  # a JSON column damaged by hand: compared as the raw text
        return dict(zip(spec.columns, values))


def _db_values(spec: Any, values: tuple) -> Any:
    """The values of :func:`_db_row` in column order, without building the dict."""
    if not spec.json_columns:
        return values
    try:
        return [json.loads(v) if c in spec.json_columns else v for c, v in zip(spec.columns, values)]
    except (TypeError, ValueError):
        return values


def _layout(spec: Any) -> tuple[list[int], int | None]:
    """Positions of the key columns and of the column filled with the audit seq."""
    columns = spec.columns
    return [columns.index(k) for k in spec.key], (columns.index(spec.seq_column) if spec.seq_column else None)


def _key_text(key: Any) -> str:
    return "/".join(map(str, key))


def _replay(ledger: "Ledger", report: AuditReport | None, visit, *, with_text: bool = False) -> None:
    """Stream the log once in seq order; call ``visit(seq, action, payload, digest)`` per entry (and the
    payload's text as a fifth argument with ``with_text``).

    With a ``report`` the hash chain is checked on the way (the first break is reported).
    """
    prev = GENESIS
    expected_seq = 1
    cur = ledger.conn.execute("SELECT seq, ts, actor, action, payload, prev_hash, hash FROM audit ORDER BY seq")
    for seq, ts, actor, action, payload_text, prev_hash, digest in cur:
        try:
            payload = json.loads(payload_text)
        except (TypeError, ValueError):
            payload = None
        if report is not None:
            report.entries += 1
            if report.chain_ok:
                bad = None
                if seq != expected_seq:
                    bad = (f"审计记录序号不连续：期望 {expected_seq}，实为 {seq} / audit entries missing or "
                           f"reordered: expected seq {expected_seq}, found {seq}")
                elif prev_hash != prev:
                    bad = f"审计记录 {seq} 的前序哈希不符 / audit entry {seq}: previous-hash link broken"
                elif payload is None:
                    bad = f"审计记录 {seq} 的内容不是合法 JSON / audit entry {seq}: payload is not valid JSON"
                else:
                    text = entry_text(seq, ts, actor, action, payload_text)
                    if hashlib.sha256((prev + text).encode("utf-8")).hexdigest() != digest:
                        bad = f"审计记录 {seq}（{action}）被改动 / audit entry {seq} ({action}) was altered"
                if bad:
                    report.chain_ok = False
                    report.first_bad_seq = seq
                    report.problem(bad)
            expected_seq = seq + 1
            prev = digest
            report.head = digest
        if isinstance(payload, dict):
            if with_text:
                visit(seq, action, payload, digest, payload_text)
            else:
                visit(seq, action, payload, digest)


def _streamed(table: Any) -> tuple[list, dict, list] | None:
    """``(columns, same, values)`` of a table of rows logged by :meth:`Transaction.put_stream`, or None when
    it is not shaped so (an edited log: its rows are then not replayed, as a row that is not an object)."""
    if not isinstance(table, dict):
        return None
    columns, same, values = table.get("columns"), table.get("same") or {}, table.get("values")
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns) and isinstance(same, dict)
            and isinstance(values, list)):
        return None
    return columns, same, values


def _changes(payload: dict[str, Any], tables: dict[str, Any]):
    """(table, spec, "del", key) and (table, spec, "put", row) of one entry, in the order applied."""
    for table, keys in (payload.get("del") or {}).items():
        spec = tables.get(table)
        if spec is not None and isinstance(keys, list):
            for key in keys:
                yield table, spec, "del", key
    for table, rows in (payload.get("put") or {}).items():
        spec = tables.get(table)
        if spec is not None and isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict):
                    yield table, spec, "put", row
    streamed = payload.get("rows")
    for table, logged in (streamed.items() if isinstance(streamed, dict) else ()):
        spec = tables.get(table)
        shaped = _streamed(logged) if spec is not None else None
        if shaped is not None:
            columns, same, values = shaped
            width = len(columns)
            for row in values:
                if isinstance(row, list) and len(row) == width:
                    yield table, spec, "put", {**same, **dict(zip(columns, row))}


def verify(ledger: "Ledger", *, key: Any = None, strict: bool = False, heads: Iterable[str] = ()) -> AuditReport:
    """Recompute the hash chain, check every table against the log, the schema against what tlr creates,
    and the seals (signatures checked with ``key``, a :class:`tlr.campaign.seal.SealKey`).

    ``strict``: entries after the last seal made with ``key`` (or no such seal) fail the check.
    ``heads``: head hashes written down earlier (e.g. in the minutes); each must still be an entry of
    the chain, else the newest entries were cut off or replaced.
    Memory does not grow with the ledger: the log is streamed entry by entry and replayed into a private
    temporary SQLite database (on disk, bounded page cache) that SQLite compares with the tables
    (:class:`_SqlReplay`). Only when a table differs (or inside an open transaction, where no database can
    be attached) is the log replayed again into a 16-byte digest per key and per row, which names each
    difference.
    """
    report = AuditReport()
    tables = ledger.schema.TABLES
    state: dict[str, dict[bytes, bytes]] = {name: {} for name in tables}
    init_meta: dict | None = None
    seal_seqs = _sealed_seqs(ledger)
    chain_at: dict[int, str] = {}
    seal_entry: dict[Any, int] = {}
    layouts: dict[str, tuple[list[int], int | None]] = {}

    init_action = ledger.schema.INIT_ACTION
    split: dict[str, Any] = {"next": 0, "action": None, "first": 0}   # the write split into parts being read

    def broken(seq: int, text: str) -> None:
        report.chain_ok = False
        if report.first_bad_seq is None:
            report.first_bad_seq = seq
        report.problem(text)

    def parts(seq: int, action: str, payload: dict) -> None:
        part = payload.get("part")
        if split["next"] and (part != split["next"] or action != split["action"]):
            broken(seq, f"审计记录 {split['first']}–{seq - 1}（{split['action']}）是一次分段写入，缺少其后各段 / audit "
                        f"entries {split['first']}–{seq - 1} ({split['action']}) are parts of one write whose later "
                        f"parts are missing")
            split["next"] = 0
        if part is None:
            return
        if not split["next"]:
            if part != 1:
                broken(seq, f"审计记录 {seq} 是分段写入的第 {part} 段，缺少前面各段 / audit entry {seq} is part {part} "
                            f"of a write whose earlier parts are missing")
                return
            split.update(next=1, action=action, first=seq)
        split["next"] += 1
        if "parts" in payload:
            if payload["parts"] != part:
                broken(seq, f"审计记录 {seq}：分段数不符 / audit entry {seq}: part count does not match")
            split["next"] = 0

    def visit(seq: int, action: str, payload: dict, digest: str, text: str) -> None:
        nonlocal init_meta
        parts(seq, action, payload)
        if seq in seal_seqs:
            chain_at[seq] = digest
        if action == init_action and isinstance(payload.get("meta"), dict):
            init_meta = payload["meta"]
        if sql is not None:
            sql.apply(seq, payload, text)
            for _table, spec, kind, item in _changes(_only(payload, "seals"), tables):
                if kind == "put":
                    seal_entry[spec.with_defaults(item).get("seq")] = seq
        else:
            replay_digests(state, seq, payload)

    def replay_digests(state: dict[str, dict[bytes, bytes]], seq: int, payload: dict, *, seals: bool = True) -> None:
        for table, spec, kind, item in _changes(payload, tables):
            if kind == "del":
                state[table].pop(_key_digest(item), None)
                continue
            key_at, seq_at = layouts.get(table) or layouts.setdefault(table, _layout(spec))
            item = spec.with_defaults(item)
            values = [item.get(c) for c in spec.columns]   # the row as the ledger wrote it
            if seq_at is not None:
                values[seq_at] = seq
            state[table][_digest([values[i] for i in key_at])] = _digest(values)
            if seals and table == "seals":
                seal_entry[values[spec.columns.index("seq")]] = seq

    sql = _SqlReplay.start(ledger)
    try:
        _replay(ledger, report, visit, with_text=True)
        if split["next"]:
            broken(split["first"], f"审计日志在一次分段写入中间结束（第 {split['first']} 条起，{split['action']}）：其后各段被截去 / "
                                   f"the audit log ends inside a write split into parts (from entry {split['first']}, "
                                   f"{split['action']}): its later parts were cut off")
        _check_meta(ledger, report, init_meta)
        if sql is None or not sql.tables_match():
            if sql is not None:   # a difference (or a value the SQL replay does not take): the exact replay names it
                sql.close()
                sql = None
                _replay(ledger, None, lambda seq, _action, payload, _digest: replay_digests(state, seq, payload,
                                                                                            seals=False))
            _check_tables(ledger, report, state)
    finally:
        if sql is not None:
            sql.close()
    _check_schema(ledger, report)
    _check_seals(ledger, report, key, strict, chain_at, seal_entry)
    _check_heads(ledger, report, heads)
    return report


def _only(payload: dict, table: str) -> dict:
    """The part of ``payload`` that writes ``table``."""
    out: dict[str, Any] = {}
    for kind in ("del", "put", "rows"):
        part = payload.get(kind)
        if isinstance(part, dict) and table in part:
            out[kind] = {table: part[table]}
    return out


# -- the replay in SQLite: the usual path ----------------------------------------------------------

_LITERALS = ("true", "false", "NaN", "Infinity")   # JSON values SQLite would store differently (searched as text)
_REPLAY = "tlr_replay"
REPLAY_CACHE_KIB = 64 * 1024


def _same_value(a: str, b: str) -> str:
    """SQL: columns ``a`` and ``b`` hold the same value as :func:`_digest` sees it: numbers compared as numbers
    (4 = 4.0), anything else by type and content. The unary + takes the columns' affinity away, so the text
    '4' is not converted to compare equal to the number 4."""
    return f"+{a} IS +{b}"


def sql_literal(value: Any) -> str | None:
    """``value`` as an SQL literal of the same type (None, an integer of 64 bits, text without NUL), or None
    when it is to be bound instead."""
    cls = value.__class__
    if value is None:
        return "NULL"
    if cls is int:
        return str(value) if -2 ** 63 <= value < 2 ** 63 else None
    if cls is str:
        return None if "\x00" in value else "'" + value.replace("'", "''") + "'"
    return None


class _SqlReplay:
    """The log replayed into a private temporary database (``ATTACH ''``: on disk, deleted when closed, a
    bounded page cache) and compared with the tables by SQLite: memory does not grow with the ledger.

    Sound, never lax: it says "same" only when the digest replay of :func:`verify` would; any value it
    cannot store as the digest replay sees it (a boolean, NaN, a list in a plain column, an integer
    beyond 64 bits, a lone surrogate) or any difference sends :func:`verify` to the digest replay, which
    also describes the difference. Replay columns have no type, so a value is stored as logged; JSON
    columns are compared as the text the ledger writes (:data:`tlr.campaign.chain.column_json`), which is
    stricter than comparing the parsed values.
    """

    def __init__(self, ledger: "Ledger"):
        self.conn = ledger.conn
        self.tables = ledger.schema.TABLES
        self.made: set[str] = set()
        self.ok = True

    @classmethod
    def start(cls, ledger: "Ledger") -> "_SqlReplay | None":
        conn = ledger.conn
        if conn.in_transaction:   # ATTACH is not allowed inside a transaction: the digest replay does it
            return None
        try:
            conn.execute(f"ATTACH DATABASE '' AS {_REPLAY}")
        except sqlite3.Error:
            return None
        replay = cls(ledger)
        try:
            conn.execute(f"PRAGMA {_REPLAY}.journal_mode = OFF")
            conn.execute(f"PRAGMA {_REPLAY}.synchronous = OFF")
            conn.execute(f"PRAGMA {_REPLAY}.cache_size = -{REPLAY_CACHE_KIB}")
            conn.execute("BEGIN")   # one snapshot of the ledger for the whole check; the replay's writes batched
        except sqlite3.Error:
            replay.close()
            return None
        return replay

    def close(self) -> None:
        conn = self.conn
        try:
            if conn.in_transaction:
                conn.execute("COMMIT")   # nothing of the ledger was written: this ends the read snapshot
        finally:
            conn.execute(f"DETACH DATABASE {_REPLAY}")

    def _table(self, name: str, spec: Any, names: list[str] | None = None, rows: list | None = None) -> None:
        """The replay's table for ``name`` (created on first use). Its key is the table's, its columns in the
        order that changes least often from one of the first ``rows`` (values of ``names``) to the next: rows
        logged project by project then go in near the rows before them, not all over the table (a set of
        keys is the same set in any column order)."""
        if name in self.made:
            return
        key = list(spec.key)
        if names is not None and rows and len(rows) > 1 and set(key) <= set(names):
            at = [names.index(k) for k in key]
            sample = rows[:1000]
            changes = {k: sum(a[i] != b[i] for a, b in zip(sample, sample[1:])) for k, i in zip(key, at)}
            key.sort(key=changes.__getitem__)   # stable: ties keep the table's order
        self.conn.execute(f"CREATE TABLE {_REPLAY}.{name} ({', '.join(spec.columns)}, PRIMARY KEY "
                          f"({', '.join(key)})) WITHOUT ROWID")
        self.made.add(name)

    def apply(self, seq: int, payload: dict, text: str) -> None:
        if not self.ok:
            return
        try:
            self._apply(seq, payload, any(literal in text for literal in _LITERALS))
        except (sqlite3.Error, OverflowError, UnicodeError, TypeError, ValueError):
            self.ok = False

    def _apply(self, seq: int, payload: dict, check: bool) -> None:
        conn, tables = self.conn, self.tables
        dels, puts, streamed = payload.get("del"), payload.get("put"), payload.get("rows")
        for part in (dels, puts, streamed):
            if part is not None and not isinstance(part, dict):
                raise ValueError("not a mapping")
        for table, keys in (dels or {}).items():
            spec = tables.get(table)
            if spec is None or not isinstance(keys, list):
                continue
            width = len(spec.key)
            if not all(isinstance(k, list) and len(k) == width for k in keys) or (check and not _plain(keys)):
                raise ValueError("a key the SQL replay does not take")
            self._table(table, spec)
            conn.executemany(f"DELETE FROM {_REPLAY}.{table} WHERE "
                             + " AND ".join(f"{k} = ?" for k in spec.key), keys)
        for table, rows in (puts or {}).items():
            spec = tables.get(table)
            if spec is None or not isinstance(rows, list):
                continue
            self._insert(table, spec, seq, [r for r in rows if isinstance(r, dict)], check)
        for table, logged in (streamed or {}).items():
            spec = tables.get(table)
            shaped = _streamed(logged) if spec is not None else None
            if shaped is None:
                continue
            columns, same, values = shaped
            width = len(columns)
            simple = (len(set(columns)) == width and set(columns) <= set(spec.columns)
                      and spec.seq_column not in columns and not (set(same) & set(columns)))
            if not simple or not values or set(map(type, values)) != {list} or set(map(len, values)) != {width}:
                self._insert(table, spec, seq, [{**same, **dict(zip(columns, r))} for r in values
                                                if isinstance(r, list) and len(r) == width], check)
                continue
            if check and not _plain(values):
                raise ValueError("a value the SQL replay does not take")
            fixed = spec.with_defaults({c: v for c, v in same.items() if c in spec.columns})
            fixed = {c: v for c, v in fixed.items() if c != spec.seq_column and c not in columns}
            if check and not _plain([list(fixed.values())]):
                raise ValueError("a value the SQL replay does not take")
            tail = [_JSON(v) if c in spec.json_columns else v for c, v in fixed.items()]
            if spec.seq_column:
                tail.append(seq)
            names = columns + list(fixed) + ([spec.seq_column] if spec.seq_column else [])
            json_at = [k for k, c in enumerate(columns) if c in spec.json_columns]
            # the values every row shares go into the statement (as literals of their type) when they can
            literals = [sql_literal(v) for v in tail]
            end = tuple(v for v, lit in zip(tail, literals) if lit is None)
            marks = ", ".join(["?"] * width + [lit or "?" for lit in literals])
            if json_at:
                def row_values(r: list) -> tuple:
                    r = list(r)
                    for k in json_at:
                        r[k] = _JSON(r[k])
                    return (*r, *end)
                params: Any = map(row_values, values)
            else:
                params = [(*r, *end) for r in values] if end else values
            self._table(table, spec, columns, values)
            conn.executemany(f"INSERT OR REPLACE INTO {_REPLAY}.{table} ({', '.join(names)}) VALUES ({marks})",
                             params)

    def _insert(self, table: str, spec: Any, seq: int, rows: list[dict], check: bool) -> None:
        """Rows logged as objects, as :func:`verify`'s digest replay reads them."""
        if not rows:
            return
        columns = spec.columns
        seq_at = columns.index(spec.seq_column) if spec.seq_column else None
        json_at = [k for k, c in enumerate(columns) if c in spec.json_columns]
        params = []
        for item in rows:
            item = spec.with_defaults(item)
            values = [item.get(c) for c in columns]
            if seq_at is not None:
                values[seq_at] = seq
            for k in json_at:
                values[k] = _JSON(values[k])
            params.append(values)
        if check and not _plain(params):
            raise ValueError("a value the SQL replay does not take")
        self._table(table, spec, list(columns), params)
        self.conn.executemany(f"INSERT OR REPLACE INTO {_REPLAY}.{table} ({', '.join(columns)}) "
                              f"VALUES ({', '.join('?' * len(columns))})", params)

    def tables_match(self) -> bool:
        """Whether every table holds exactly the replayed rows (False also when the replay gave up)."""
        if not self.ok:
            return False
        conn = self.conn
        try:
            for name, spec in self.tables.items():
                have = conn.execute(f"SELECT count(*) FROM main.{name}").fetchone()[0]
                if name not in self.made:
                    if have:
                        return False
                    continue
                if conn.execute(f"SELECT count(*) FROM {_REPLAY}.{name}").fetchone()[0] != have:
                    return False
                on = " AND ".join(f"m.{k} = r.{k}" for k in spec.key)
                same = " AND ".join(_same_value(f"m.{c}", f"r.{c}") for c in spec.columns)
                matched = conn.execute(f"SELECT count(*) FROM main.{name} AS m JOIN {_REPLAY}.{name} AS r ON {on} "
                                       f"WHERE {same}").fetchone()[0]
                if matched != have:
                    return False
        except sqlite3.Error:
            return False
        return True


def _plain(rows: Iterable[Iterable[Any]]) -> bool:
    """No value SQLite would store as another (booleans become integers, NaN becomes NULL)."""
    for row in rows:
        for v in row:
            if v.__class__ is bool or (v.__class__ is float and v != v):
                return False
    return True


def _check_heads(ledger: "Ledger", report: AuditReport, heads: Iterable[str]) -> None:
    for head in heads:
        head = head.strip().lower()
        if not ledger.conn.execute("SELECT 1 FROM audit WHERE hash = ?", (head,)).fetchone():
            report.chain_ok = False
            report.problems.append(f"记下的链头 {head[:16]}… 不在审计链中（记录被截断或替换） / the recorded head "
                                   f"{head[:16]}… is not in the chain (entries cut off or replaced)")


def _check_meta(ledger: "Ledger", report: AuditReport, init_meta: dict | None) -> None:
    meta = dict(ledger.conn.execute("SELECT key, value FROM meta").fetchall())
    if init_meta is None:
        report.state_ok = False
        report.problem(f"审计日志缺少创建记录 / the audit log has no {ledger.schema.INIT_ACTION} entry")
        return
    for key, value in init_meta.items():
        if meta.get(key) != value:
            report.state_ok = False
            report.problem(f"meta {key}: {_short(meta.get(key))}，审计日志记录为 {_short(value)} / is "
                           f"{_short(meta.get(key))} in the table but {_short(value)} in the audit log")
    for key in sorted(meta.keys() - init_meta.keys()):
        report.state_ok = False
        report.problem(f"meta {key}: 数据表中有，审计日志中没有（未经本工具写入）/ in the table but not in the audit "
                       f"log (written behind the tool's back)")


def _check_tables(ledger: "Ledger", report: AuditReport, state: dict[str, dict[bytes, bytes]]) -> None:
    """Stream every table and compare each row's digest with the replay's; name the differences."""
    detail: dict[str, dict[bytes, dict | None]] = {}   # rows to describe column by column (bounded)
    for table, spec in ledger.schema.TABLES.items():
        expected = state[table]
        if _same_rows(ledger, table, spec, expected):
            continue
        mismatched: dict[bytes, dict] = {}
        for values in ledger.conn.execute(f"SELECT {', '.join(spec.columns)} FROM {table}"):
            row = _db_row(spec, values)
            key = [row.get(k) for k in spec.key]
            kd = _key_digest(key)
            want = expected.pop(kd, None)
            if want is None:
                report.state_ok = False
                report.problem(f"{table} {_key_text(key)}: 数据表中有，审计日志中没有 / in the table but not in "
                               f"the audit log")
            elif want != _row_digest(spec, row):
                report.state_ok = False
                if len(mismatched) < MAX_PROBLEMS:
                    mismatched[kd] = row
        # what is left was in the log but is no longer in the table
        if expected or mismatched:
            detail[table] = {**{kd: None for kd in list(expected)[:MAX_PROBLEMS]}, **mismatched}
        if expected:
            report.state_ok = False
    if detail:
        _describe(ledger, report, detail)


def _same_rows(ledger: "Ledger", table: str, spec: Any, expected: dict[bytes, bytes]) -> bool:
    """Whether the table holds exactly the replayed rows: the set of its row digests is the replay's.

    A row's digest covers its key columns too, so equal sets mean every key holds the logged row and no
    row is missing or extra — what the key-by-key comparison of :func:`_check_tables` finds, without a
    key digest per row. Anything else (or a digest seen twice) is left to that comparison to describe.
    """
    want = set(expected.values())   # the digests themselves are shared with `expected`
    if len(want) != len(expected):
        return False
    for values in ledger.conn.execute(f"SELECT {', '.join(spec.columns)} FROM {table}"):
        digest = _digest(_db_values(spec, values))
        if digest not in want:   # not logged, differs, or a second copy of a row already matched
            return False
        want.remove(digest)
    return not want


def _describe(ledger: "Ledger", report: AuditReport, detail: dict[str, dict[bytes, dict | None]]) -> None:
    """Second pass over the log, only for the rows that differ: their logged form, column by column."""
    logged: dict[str, dict[bytes, dict | None]] = {t: {} for t in detail}

    tables = ledger.schema.TABLES

    def visit(seq: int, action: str, payload: dict, digest: str) -> None:
        for table, spec, kind, item in _changes(payload, tables):
            wanted = detail.get(table)
            if not wanted:
                continue
            if kind == "del":
                kd = _key_digest(item)
                if kd in wanted:
                    logged[table][kd] = None
                continue
            row = dict(spec.with_defaults(item))
            if spec.seq_column:
                row[spec.seq_column] = seq
            kd = _key_digest([row.get(k) for k in spec.key])
            if kd in wanted:
                logged[table][kd] = row

    _replay(ledger, None, visit)
    for table, rows in detail.items():
        spec = tables[table]
        for kd, actual in rows.items():
            exp = logged[table].get(kd)
            if actual is None:
                if exp is not None:
                    report.problem(f"{table} {_key_text([exp.get(k) for k in spec.key])}: 审计日志中有，数据表中被删除 "
                                   f"/ in the audit log but deleted from the table")
                continue
            key = _key_text([actual.get(k) for k in spec.key])
            for col in spec.columns:
                have, want = actual.get(col), (exp or {}).get(col)
                if _digest([have]) != _digest([want]):
                    report.problem(f"{table} {key}: {col} 为 {_short(have)}，审计日志记录为 {_short(want)} / {col} "
                                   f"is {_short(have)} in the table but {_short(want)} in the audit log")


def _sealed_seqs(ledger: "Ledger") -> set[int]:
    try:
        return {r[0] for r in ledger.conn.execute("SELECT seq FROM seals")}
    except sqlite3.DatabaseError:  # the table is gone: reported by the schema check
        return set()


# -- the schema: what tlr's migrations create, nothing more, nothing less ----------------------------


def expected_schema(migrations: list[list[str]] | None = None) -> dict[tuple[str, str], str]:
    """(type, name) -> SQL of every object the migrations create (applied to an empty in-memory database);
    default: the campaign's migrations."""
    conn = sqlite3.connect(":memory:")
    try:
        for statements in (schema.MIGRATIONS if migrations is None else migrations):
            for statement in statements:
                conn.execute(statement)
        return _schema_of(conn)
    finally:
        conn.close()


def _schema_of(conn: Any) -> dict[tuple[str, str], str]:
    return {(t, n): " ".join((sql or "").split()) for t, n, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


def _check_schema(ledger: "Ledger", report: AuditReport) -> None:
    want = expected_schema(ledger.schema.MIGRATIONS)
    have = _schema_of(ledger.conn)
    for (kind, name), sql in sorted(want.items()):
        if (kind, name) not in have:
            report.schema_ok = False
            if kind == "trigger":
                report.problem(f"只追加触发器 {name} 被删除（审计日志可被改写）/ the append-only trigger {name} was "
                               f"dropped (the audit log could be rewritten)")
            else:
                report.problem(f"数据库对象 {kind} {name} 缺失 / {kind} {name} is missing from the database")
        elif have[(kind, name)] != sql:
            report.schema_ok = False
            report.problem(f"数据库对象 {kind} {name} 的定义被改动 / the definition of {kind} {name} was changed")
    for kind, name in sorted(have.keys() - want.keys()):
        report.schema_ok = False
        report.problem(f"数据库对象 {kind} {name} 不是本工具创建的 / {kind} {name} was not created by tlr")


# -- seals ----------------------------------------------------------------------------------------


def _check_seals(ledger: "Ledger", report: AuditReport, key: Any, strict: bool, chain_at: dict[int, str],
                 seal_entry: dict[Any, int]) -> None:
    try:
        seals = ledger.rows("seals", order="seq")
    except sqlite3.DatabaseError:
        seals = []
    campaign_id = ledger.meta.get("campaign_id", "")
    valid: list[dict] = []
    for s in seals:
        status = "unchecked"
        seq = s.get("seq")
        if chain_at.get(seq) != s.get("head"):
            report.seal_ok = False
            status = "history_rewritten"
            report.problem(f"签封（第 {seq} 条，{s.get('ts')}）与审计链不符：之前的记录被改写或删除 / the seal of entry "
                           f"{seq} ({s.get('ts')}) no longer matches the chain: history up to it was rewritten or cut")
        if key is not None:
            if s.get("key_id") != key.key_id or s.get("alg") != key.alg:
                status = "other_key" if status == "unchecked" else status
            elif not key.verify(seal_message(campaign_id, s), str(s.get("signature") or "")):
                report.seal_ok = False
                status = "bad_signature"
                report.problem(f"签封（第 {seq} 条）的签名不能用此密钥验证：签封被伪造或改动 / the seal of entry {seq}: "
                               f"signature does not verify with this key (forged or altered)")
            elif status == "unchecked":
                status = "ok"
                valid.append(s)
        report.seals.append({k: s.get(k) for k in ledger.schema.TABLES["seals"].columns if k != "signature"} | {"status": status})
    if key is None:
        if seals:
            report.warnings.append(f"有 {len(seals)} 个签封（最后一个在第 {seals[-1]['seq']} 条），未核对签名：请用 --key 给出"
                                   f"公钥或密钥 / {len(seals)} seal(s) (the last at entry {seals[-1]['seq']}); their "
                                   f"signatures were not checked: give --key")
        return
    mine = [s for s in seals if s.get("key_id") == key.key_id]
    others = sorted({short_id(str(s.get("key_id"))) for s in seals if s.get("key_id") != key.key_id})
    if not seals:
        report.seal_ok = False
        report.problem(f"批次中没有签封，无法用密钥 {short_id(key.key_id)} 核对 / the campaign holds no seal: nothing "
                       f"to check with key {short_id(key.key_id)} (never sealed, or the seals were removed)")
    elif not mine:
        report.seal_ok = False
        report.problem(f"密钥不符：{len(seals)} 个签封都不是用密钥 {short_id(key.key_id)} 做的（签封所用密钥："
                       f"{', '.join(others)}）/ wrong key: none of the {len(seals)} seal(s) was made with key "
                       f"{short_id(key.key_id)} (they were made with {', '.join(others)})")
    elif others:
        report.warnings.append(f"有签封用其他密钥（{', '.join(others)}）做出，未核对 / seal(s) made with other keys "
                               f"({', '.join(others)}) were not checked")
    if not valid:
        if strict and report.seal_ok:
            report.seal_ok = False
            report.problem("没有可核对的有效签封 / no valid seal made with this key")
        return
    last = valid[-1]
    _unsealed_tail(ledger, report, last, seal_entry.get(last["seq"]), strict)


def _unsealed_tail(ledger: "Ledger", report: AuditReport, last: dict, own_entry: int | None, strict: bool) -> None:
    """Entries after the last valid seal (its own ``audit.seal`` entry excepted), summarised."""
    actions: Counter = Counter()
    actors: Counter = Counter()
    first = last_seq = None
    first_ts = last_ts = None
    for seq, ts, actor, action in ledger.conn.execute(
            "SELECT seq, ts, actor, action FROM audit WHERE seq > ? ORDER BY seq", (last["seq"],)):
        if seq == own_entry:
            continue
        actions[action] += 1
        actors[actor] += 1
        if first is None:
            first, first_ts = seq, ts
        last_seq, last_ts = seq, ts
    count = sum(actions.values())

    def top(c: Counter) -> str:
        items = [f"{k} ×{n}" for k, n in c.most_common(5)]
        return ", ".join(items) + (f", … (+{len(c) - 5})" if len(c) > 5 else "")

    report.unsealed = {"sealed_seq": last["seq"], "sealed_at": last["ts"], "count": count, "first_seq": first,
                       "last_seq": last_seq, "first_ts": first_ts, "last_ts": last_ts,
                       "actions": dict(actions.most_common()), "actors": dict(actors.most_common())}
    if not count:
        return
    text = (f"最后一个签封（第 {last['seq']} 条，{last['ts'][:19]}）之后还有 {count} 条记录（第 {first}–{last_seq} 条），"
            f"未被签封覆盖，写入者未经证实 / {count} entr{'y' if count == 1 else 'ies'} after the last seal (entry "
            f"{last['seq']}, {last['ts'][:19]}): seq {first}–{last_seq}, not covered by a seal — who wrote them is "
            f"not proven. 操作 / actions: {top(actions)}; 操作者 / actors: {top(actors)}")
    if strict:
        report.seal_ok = False
        report.problem(text)
    else:
        report.warnings.append(text)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def log_entries(ledger: "Ledger", *, limit: int | None = None, action: str | None = None) -> list[dict[str, Any]]:
    """Audit entries, newest last; ``payload`` decoded. ``limit`` keeps the newest ``limit`` entries."""
    sql = "SELECT seq, ts, actor, action, payload, hash FROM audit"
    params: tuple = ()
    if action:
        sql += " WHERE action = ?"
        params = (action,)
    sql += " ORDER BY seq DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = ledger.conn.execute(sql, params).fetchall()
    out = []
    for seq, ts, actor, act, payload, digest in reversed(rows):
        out.append({"seq": seq, "ts": ts, "actor": actor, "action": act, "payload": json.loads(payload),
                    "hash": digest})
    return out
