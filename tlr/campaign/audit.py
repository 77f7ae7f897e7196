"""The hash-chained, append-only audit log and its verification.

Each entry is ``{seq, ts, actor, action, payload}``; its hash is
``sha256(prev_hash + canonical_json(entry))`` where ``prev_hash`` is the previous
entry's hash (64 zeros for the first). The payload lists the exact rows the change
wrote (``put``: table -> rows) and removed (``del``: table -> keys), so
:func:`verify` can (1) recompute the chain and (2) replay the log and compare the
result with the tables: an audit entry edited, deleted or inserted behind the
tool's back breaks the chain; a score (or project, expert, assignment, recusal,
TRL assessment, the frozen rubric) edited directly no longer matches the replay.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 characters kept."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of the entry)``."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def _entry_text(seq: int, ts: str, actor: str, action: str, payload_text: str) -> str:
    """canonical({seq, ts, actor, action, payload}) built around the stored canonical payload text
    (keys in sorted order), so verification does not re-serialise large payloads."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return (f'{{"action":{q(action)},"actor":{q(actor)},"payload":{payload_text},"seq":{int(seq)},'
            f'"ts":{q(ts)}}}')


@dataclass
class AuditReport:
    """Result of :func:`verify`. ``ok`` is true when the chain and the tables agree."""

    entries: int = 0
    head: str = GENESIS
    chain_ok: bool = True
    state_ok: bool = True
    problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.chain_ok and self.state_ok

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "chain_ok": self.chain_ok,
                "state_ok": self.state_ok, "first_bad_seq": self.first_bad_seq, "problems": self.problems}


MAX_PROBLEMS = 50


def verify(ledger: "Ledger") -> AuditReport:
    """Recompute the hash chain and check that the tables are exactly what the log says."""
    from .ledger import TABLES, row_from_db, row_key

    report = AuditReport()
    state: dict[str, dict[tuple, dict]] = {name: {} for name in TABLES}
    prev = GENESIS
    expected_seq = 1
    init_meta: dict | None = None

    def problem(text: str) -> None:
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(text)

    cur = ledger.conn.execute("SELECT seq, ts, actor, action, payload, prev_hash, hash FROM audit ORDER BY seq")
    for seq, ts, actor, action, payload_text, prev_hash, digest in cur:
        report.entries += 1
        try:
            payload = json.loads(payload_text)
        except (TypeError, ValueError):
            payload = None
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
                text = _entry_text(seq, ts, actor, action, payload_text)
                if hashlib.sha256((prev + text).encode("utf-8")).hexdigest() != digest:
                    bad = f"审计记录 {seq}（{action}）被改动 / audit entry {seq} ({action}) was altered"
            if bad:
                report.chain_ok = False
                report.first_bad_seq = seq
                problem(bad)
        expected_seq = seq + 1
        prev = digest
        if not isinstance(payload, dict):
            continue
        if action == "campaign.init" and isinstance(payload.get("meta"), dict):
            init_meta = payload["meta"]
        for table, keys in (payload.get("del") or {}).items():
            spec = TABLES.get(table)
            if spec is None:
                continue
            for key in keys:
                state[table].pop(tuple(key), None)
        for table, rows in (payload.get("put") or {}).items():
            spec = TABLES.get(table)
            if spec is None:
                continue
            for row in rows:
                row = dict(row)
                if spec.seq_column:
                    row[spec.seq_column] = seq
                state[table][row_key(spec, row)] = row
    report.head = prev

    if init_meta is None:
        report.state_ok = False
        problem("审计日志缺少创建记录 / the audit log has no campaign.init entry")
    else:
        meta = dict(ledger.conn.execute("SELECT key, value FROM meta").fetchall())
        for key, value in init_meta.items():
            if meta.get(key) != value:
                report.state_ok = False
                problem(f"meta {key}: {_short(meta.get(key))}，审计日志记录为 {_short(value)} / is "
                        f"{_short(meta.get(key))} in the table but {_short(value)} in the audit log")
    for table, spec in TABLES.items():
        actual = {}
        for r in ledger.conn.execute(f"SELECT {', '.join(spec.columns)} FROM {table}"):
            try:
                row = row_from_db(spec, r)
            except (TypeError, ValueError):
                row = dict(zip(spec.columns, r))
            actual[row_key(spec, row)] = row
        expected = state[table]
        for key in expected.keys() - actual.keys():
            report.state_ok = False
            problem(f"{table} {'/'.join(map(str, key))}: 审计日志中有，数据表中被删除 / in the audit log but "
                    f"deleted from the table")
        for key in actual.keys() - expected.keys():
            report.state_ok = False
            problem(f"{table} {'/'.join(map(str, key))}: 数据表中有，审计日志中没有 / in the table but not in "
                    f"the audit log")
        for key in expected.keys() & actual.keys():
            exp, act = expected[key], actual[key]
            if exp == act:  # fast path (4 == 4.0 holds; only a real difference goes column by column)
                continue
            for col in spec.columns:
                if not _same(exp.get(col), act.get(col)):
                    report.state_ok = False
                    problem(f"{table} {'/'.join(map(str, key))}: {col} 为 {_short(act.get(col))}，审计日志记录为 "
                            f"{_short(exp.get(col))} / {col} is {_short(act.get(col))} in the table but "
                            f"{_short(exp.get(col))} in the audit log")
    return report


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


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
