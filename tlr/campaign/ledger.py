"""The campaign ledger: one SQLite file (WAL), the one place evaluation data is written.

Every change goes through :meth:`Ledger.write`: a ``BEGIN IMMEDIATE`` transaction
(retried on ``SQLITE_BUSY`` within a bounded time) in which the rows are written with
:meth:`Transaction.put` / :meth:`Transaction.delete` and described by one hash-chained audit
entry (:mod:`tlr.campaign.audit`), or for a large write by several consecutive entries, its
*parts* (:meth:`Transaction.put_stream`). The audit payload carries the exact rows written,
so ``tlr audit verify`` can replay the log and compare it with the tables.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import random
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from tlr.errors import CampaignError, Location

from . import audit, schema
from .chain import GENESIS, canonical, entry_text
from .rules import rubric_summary

SQLITE_MAGIC = b"SQLite format 3\x00"
ENV_CAMPAIGN = "TLR_CAMPAIGN"
ENV_ACTOR = "TLR_ACTOR"
ENV_SYNC = "TLR_SYNC"
BUSY_TIMEOUT_MS = 5000
BEGIN_BUSY_TIMEOUT_MS = 1
RETRY_SECONDS = 60.0
COUNTED_TABLES = ("projects", "experts", "assignments", "recusals", "scores", "trl_assessments", "audit")


def now() -> str:
    """UTC timestamp, ISO 8601 with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def default_actor() -> str:
    env = os.environ.get(ENV_ACTOR)
    if env:
        return env
    try:
        return "user:" + getpass.getuser()
    except Exception:  # pragma: no cover - no login name (containers)
        return "user:unknown"


_DEFAULT_ACTOR: str | None = None


def expert_actor(expert_id: str) -> str:
    """Actor of an expert's answers: ``expert:E07 via user:alice`` (who was logged in as well)."""
    global _DEFAULT_ACTOR
    if _DEFAULT_ACTOR is None:
        _DEFAULT_ACTOR = default_actor()
    return f"expert:{expert_id} via {_DEFAULT_ACTOR}"


# --------------------------------------------------------------------------- locating


def resolve_path(location: str | os.PathLike | None) -> Path:
    """The database file for ``--campaign`` (a directory or the file itself); default ``$TLR_CAMPAIGN`` or ``.``."""
    if location is None or str(location) == "":
        location = os.environ.get(ENV_CAMPAIGN) or "."
    path = Path(location)
    try:
        return path / schema.DB_FILENAME if path.is_dir() else path
    except OSError as exc:  # e.g. a name too long for the file system, a folder that cannot be searched
        raise _not_campaign(path, f"无法访问（{exc.strerror}）", f"cannot be accessed ({exc.strerror})") from None


def _not_campaign(path: Path, why_zh: str, why_en: str, hint: str | None = None) -> CampaignError:
    return CampaignError(
        f"不是 tlr 评价批次 / not a tlr campaign: {why_zh} / {why_en}",
        location=Location(file=str(path)),
        hint=hint or "用 `tlr campaign init DIR --rubric R` 创建批次，或用 --campaign 指向批次目录 / "
                     "create one with `tlr campaign init DIR --rubric R`, or point --campaign at its directory",
        code="not_a_campaign",
    )


def database_error(path: Path | str, exc: sqlite3.Error) -> CampaignError:
    """A clear message for a low-level SQLite failure (read-only file, disk full, corrupt page ...)."""
    return CampaignError(f"批次数据库出错 / campaign database error: {exc}", location=Location(file=str(path)),
                         hint="检查文件权限、磁盘空间，或从备份恢复 / check file permissions and disk space, or "
                              "restore from a backup", code="database_error")


# --------------------------------------------------------------------------- the ledger


def _is_json(text: Any) -> bool:
    try:
        json.loads(text)
    except (TypeError, ValueError):
        return False
    return True


class Ledger:
    """An open campaign database. Use :meth:`create` or :meth:`open`; close with :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._rubric = None
        self._meta: dict[str, str] | None = None

    # -- connection -----------------------------------------------------------------

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL + NORMAL: a commit survives the process being killed (SIGKILL) — the WAL is in the OS
        # cache — but not a power cut; TLR_SYNC=FULL fsyncs every commit (slower, power-safe).
        sync = os.environ.get(ENV_SYNC, "NORMAL").upper()
        conn.execute(f"PRAGMA synchronous = {sync if sync in ('NORMAL', 'FULL', 'EXTRA') else 'NORMAL'}")
        return conn

    @classmethod
    def create(cls, directory: str | os.PathLike, rubric: Any, *, name: str | None = None,
               actor: str | None = None) -> "Ledger":
        """Create a campaign in ``directory`` (created if needed) with a frozen copy of ``rubric``."""
        directory = Path(directory)
        path = directory / schema.DB_FILENAME if directory.suffix != ".sqlite" else directory
        if path.exists():
            raise CampaignError(f"批次已存在 / a campaign already exists here: {path}",
                                location=Location(file=str(path)), code="exists",
                                hint="换一个目录 / choose another directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        try:
            # identity and schema first, written straight to the main file; then WAL
            conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
            ledger = cls(path, conn)
            ledger._migrate(0)
            conn.execute("PRAGMA journal_mode = WAL")
            campaign_id = uuid.uuid4().hex
            ts = now()
            doc = rubric.to_json()
            meta = {"campaign_id": campaign_id, "name": name or directory.name or "campaign",
                    "created_at": ts, "tool": "tlr",
                    "rubric_summary": json.dumps(rubric_summary(rubric), ensure_ascii=False, sort_keys=True)}
            with ledger.write("campaign.init", actor=actor) as tx:
                tx.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", list(meta.items()))
                tx.put("rubric", [{"id": 1, "rubric_id": rubric.id, "version": str(rubric.version),
                                   "content_hash": rubric.content_hash, "document": doc, "frozen_at": ts}])
                tx.info.update({"meta": meta, "rubric": {"id": rubric.id, "version": str(rubric.version),
                                                          "content_hash": rubric.content_hash},
                                "schema_version": schema.SCHEMA_VERSION})
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            raise
        return ledger

    @classmethod
    def open(cls, location: str | os.PathLike | None = None, *, migrate: bool = True) -> "Ledger":
        """Open an existing campaign; a missing, foreign or corrupt file raises :class:`CampaignError`."""
        path = resolve_path(location)
        if not path.exists():
            raise _not_campaign(path, "找不到批次数据库", "no campaign database found")
        if path.is_dir() or not path.is_file():
            raise _not_campaign(path, "不是文件", "not a regular file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise _not_campaign(path, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})") from None
        if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
            raise _not_campaign(path, "不是 SQLite 数据库", "not an SQLite database")
        try:
            conn = cls._connect(path)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != schema.APPLICATION_ID:
                conn.close()
                raise _not_campaign(path, "这是别的程序的 SQLite 数据库", "an SQLite database of another application")
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_meta = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'"
                                    ).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _not_campaign(path, f"数据库已损坏（{exc}）", f"the database is corrupt ({exc})",
                                hint="从备份恢复 / restore it from a backup") from None
        if version > schema.SCHEMA_VERSION:
            conn.close()
            raise CampaignError(
                f"批次由更新版本的 tlr 创建（模式 {version} > {schema.SCHEMA_VERSION}） / the campaign was written "
                f"by a newer tlr (schema {version} > {schema.SCHEMA_VERSION})",
                location=Location(file=str(path)), hint="升级 tlr / upgrade tlr", code="schema_too_new")
        if version == 0 or not has_meta:
            conn.close()
            raise _not_campaign(path, "缺少批次元数据", "the campaign metadata is missing")
        ledger = cls(path, conn)
        if version < schema.SCHEMA_VERSION and migrate:
            ledger._migrate(version)
        try:
            ledger.meta  # noqa: B018 - touch: a corrupt page shows here
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _not_campaign(path, f"数据库已损坏（{exc}）", f"the database is corrupt ({exc})",
                                hint="从备份恢复 / restore it from a backup") from None
        return ledger

    def _migrate(self, current: int) -> None:
        for version in range(current, schema.SCHEMA_VERSION):
            self._begin()
            try:
                for statement in schema.MIGRATIONS[version]:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        return self._meta

    @property
    def rubric(self):
        """The frozen rubric (a :class:`tlr.rubric.Rubric`) stored at ``campaign init``."""
        if self._rubric is None:
            from tlr.rubric import Rubric

            doc = self.conn.execute("SELECT document FROM rubric WHERE id = 1").fetchone()
            if doc is None:
                raise CampaignError("批次中没有评价指标体系 / the campaign holds no rubric",
                                    location=Location(file=str(self.path)), code="no_rubric")
            try:
                self._rubric = Rubric.from_json(doc[0])
            except ValueError as exc:  # JSON damaged behind the tool's back (RubricError is a TlrError)
                raise CampaignError(f"批次中冻结的指标体系已损坏 / the campaign's frozen rubric is damaged: {exc}",
                                    location=Location(file=str(self.path)), code="damaged_rubric",
                                    hint="运行 `tlr audit verify` 查看 / run `tlr audit verify`") from None
        return self._rubric

    def rubric_summary(self) -> dict[str, Any]:
        """Indicator ids with the achievement types they apply to, and the panel rules, without
        loading (and validating) the frozen rubric: what `tlr status` needs, fast."""
        text = self.meta.get("rubric_summary")
        if text:
            try:
                return json.loads(text)
            except ValueError:
                pass
        return rubric_summary(self.rubric)

    def rubric_row(self) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM rubric WHERE id = 1").fetchone()
        return schema.row_from_db(schema.TABLES["rubric"], row) if row else {}

    def rows(self, table: str, where: str = "", params: tuple = (), order: str | None = None) -> list[dict]:
        spec = schema.TABLES[table]
        sql = f"SELECT {', '.join(spec.columns)} FROM {table}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order or ', '.join(spec.key)}"
        out = []
        for r in self.conn.execute(sql, params):
            try:
                out.append(schema.row_from_db(spec, r))
            except (TypeError, ValueError):  # a JSON column edited behind the tool's back
                key = "/".join(str(v) for c, v in zip(spec.columns, r) if c in spec.key)
                bad = next((c for c in spec.json_columns if not _is_json(r[spec.columns.index(c)])), "?")
                raise CampaignError(
                    f"批次数据被改动：{table} {key} 的 {bad} 不是合法 JSON / the ledger was altered: {table} {key}: "
                    f"{bad} is not valid JSON", location=Location(file=str(self.path), field=f"{table}.{bad}"),
                    hint="运行 `tlr audit verify` 查看；从备份恢复 / run `tlr audit verify`; restore from a backup",
                    code="damaged_row") from None
        return out

    def projects(self) -> list[dict]:
        return self.rows("projects", order="seq")

    def experts(self) -> list[dict]:
        return self.rows("experts", order="seq")

    def expert(self, expert_id: str) -> dict:
        rows = self.rows("experts", "id = ?", (expert_id,))
        if not rows:
            raise CampaignError(f"没有编号为 {expert_id} 的专家 / no expert with id {expert_id}",
                                code="unknown_expert", hint="`tlr experts list` 查看专家 / lists the experts")
        return rows[0]

    def project(self, project_id: str) -> dict:
        rows = self.rows("projects", "id = ?", (project_id,))
        if not rows:
            raise CampaignError(f"没有编号为 {project_id} 的项目 / no project with id {project_id}",
                                code="unknown_project", hint="`tlr projects list` 查看项目 / lists the projects")
        return rows[0]

    # -- named queries: what the application layer and the CLI read ------------------

    def counts(self) -> dict[str, int]:
        """Rows per table of the evaluation data and of the audit log (``tlr campaign info``)."""
        return {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES}

    def assignment_pairs(self) -> list[tuple[str, str]]:
        """(expert id, project id) of every assignment, by expert id then project id."""
        return self.conn.execute("SELECT expert_id, project_id FROM assignments "
                                 "ORDER BY expert_id, project_id").fetchall()

    def assignment_list(self) -> list[tuple[str, str, str, str]]:
        """(expert, project, source, created_at) of every assignment, projects then experts in import order."""
        return self.conn.execute(
            "SELECT a.expert_id, a.project_id, a.source, a.created_at FROM assignments a "
            "JOIN experts e ON e.id = a.expert_id JOIN projects p ON p.id = a.project_id "
            "ORDER BY p.seq, e.seq").fetchall()

    def recusal_list(self) -> list[tuple[str, str, str, str]]:
        """(expert, project, reason, detail) of every recusal, by project id then expert id."""
        return self.conn.execute("SELECT expert_id, project_id, reason, detail FROM recusals "
                                 "ORDER BY project_id, expert_id").fetchall()

    def assigned_experts(self) -> list[str]:
        """Ids of the experts with at least one assignment, in import order."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT e.id FROM experts e JOIN assignments a ON a.expert_id = e.id ORDER BY e.seq")]

    def comments(self) -> list[tuple[str, str, str]]:
        """(project, expert, comment) of every non-empty comment: by project, then expert in import order,
        then indicator — the fixed order a report lists them in."""
        return self.conn.execute(
            "SELECT s.project_id, s.expert_id, s.comment FROM scores s JOIN experts e ON e.id = s.expert_id "
            "WHERE s.comment != '' ORDER BY s.project_id, e.seq, s.indicator_id").fetchall()

    def audit_head(self) -> tuple[int, str, str] | None:
        """(seq, hash, ts) of the newest audit entry (None: no entry)."""
        return self.conn.execute("SELECT seq, hash, ts FROM audit ORDER BY seq DESC LIMIT 1").fetchone()

    def verify(self, *, key: Any = None, strict: bool = False, heads: Iterable[str] = ()) -> audit.AuditReport:
        """``tlr audit verify``: the chain, the tables, the schema, the seals and the expected ``heads``
        (see :func:`tlr.campaign.audit.verify`)."""
        return audit.verify(self, key=key, strict=strict, heads=heads)

    # -- writing --------------------------------------------------------------------

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE`` with a bounded retry on ``SQLITE_BUSY``.

        SQLite's own busy handler sleeps in growing steps (up to 100 ms), which wastes
        most of the time under contention; here the lock is retried with short
        randomised sleeps instead (the busy timeout is lowered just for the BEGIN).
        """
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.0005
        self.conn.execute(f"PRAGMA busy_timeout = {BEGIN_BUSY_TIMEOUT_MS}")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    msg = str(exc).lower()
                    if "locked" not in msg and "busy" not in msg:
                        raise
                    if time.monotonic() > deadline:
                        raise CampaignError(
                            "批次数据库正忙，请稍后重试 / the campaign database is busy, please retry",
                            location=Location(file=str(self.path)), code="busy",
                            hint="其他进程正长时间写入 / another process has been writing for a long time") from None
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 1.5, 0.02)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def write(self, action: str, *, actor: str | None = None, info: dict | None = None) -> Iterator["Transaction"]:
        """One write transaction with one audit entry ``action``; rolled back on any exception."""
        self._begin()
        tx = Transaction(self, action, actor or default_actor(), dict(info or {}))
        try:
            last = self.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            tx.seq = (last[0] + 1) if last else 1
            tx.prev_hash = last[1] if last else GENESIS
            yield tx
            tx._append_audit()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:  # pragma: no cover
                pass
            if isinstance(exc, sqlite3.DatabaseError):
                raise database_error(self.path, exc) from None
            raise

    def set_session(self, expert_id: str, project_id: str | None, indicator_id: str | None) -> None:
        """Remember where an interactive session is (not evaluation data: not audited)."""
        self._begin()
        try:
            self.conn.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                              (expert_id, project_id, indicator_id, now()))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def get_session(self, expert_id: str) -> tuple[str | None, str | None] | None:
        row = self.conn.execute("SELECT project_id, indicator_id FROM sessions WHERE expert_id = ?",
                                (expert_id,)).fetchone()
        return (row[0], row[1]) if row else None


PART_ROWS = 5_000          # rows in one audit entry of a write split into parts (see Transaction.put_stream)
PART_CHARS = 4_000_000    # ... and about this many characters of row values
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # = json.dumps(v, ensure_ascii=False, sort_keys=True)


def _size(value: Any) -> int:
    """About how many characters ``value`` takes in the audit payload."""
    cls = value.__class__
    if cls is str:
        return len(value) + 3
    if cls is dict:
        return sum(len(str(k)) + _size(v) for k, v in value.items()) + 2
    if cls is list or cls is tuple:
        return sum(map(_size, value)) + 2
    return 8


@dataclass
class Transaction:
    """An open write: rows put / deleted here are recorded in the audit entry's payload.

    A large write (an import of 500,000 rows) is split into *parts* (:meth:`put_stream`,
    :meth:`split`): consecutive audit entries of the same action, each listing a bounded number of
    rows, all in this one SQLite transaction, so the write still commits or rolls back as a whole.
    Each part's payload carries ``"part": k`` (1, 2, ...) and the last one also ``"parts": n``; a
    write that is not split is one entry without these keys, as before.
    """

    ledger: Ledger
    action: str
    actor: str
    info: dict[str, Any]
    seq: int = 0
    prev_hash: str = GENESIS
    puts: dict[str, list[dict]] = field(default_factory=dict)
    dels: dict[str, list[list]] = field(default_factory=dict)
    ts: str = field(default_factory=now)
    parts: int = 0          # entries already closed by split()
    part_rows: int = 0      # rows put or deleted in the current entry
    part_chars: int = 0     # characters of the values put in the current entry (estimated)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.ledger.conn

    def put(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert or replace full rows (JSON columns given as Python values)."""
        if not rows:
            return
        spec = schema.TABLES[table]
        encoded = []
        logged = self.puts.setdefault(table, [])
        chars = 0
        for row in rows:
            if spec.seq_column:
                row = {**row, spec.seq_column: self.seq}
            values = []
            for col in spec.columns:
                value = row.get(col)
                if col in spec.json_columns:
                    value = _JSON(value if value is not None else ({} if col == "extra" else []))
                if value.__class__ is str:
                    chars += len(value)
                values.append(value)
            encoded.append(values)
            logged.append({c: row.get(c) for c in spec.columns if c != spec.seq_column})
        placeholders = ", ".join("?" * len(spec.columns))
        self.conn.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(spec.columns)}) "
                              f"VALUES ({placeholders})", encoded)
        self.part_rows += len(rows)
        self.part_chars += chars + 16 * len(spec.columns) * len(rows)

    def put_stream(self, table: str, rows: Iterable[dict[str, Any]], *, batch: int = 500) -> int:
        """Put rows from an iterator, starting a new audit entry (:meth:`split`) whenever the current
        one holds :data:`PART_ROWS` rows or about :data:`PART_CHARS` characters; returns the number of
        rows put. Memory stays bounded by one part, whatever the number of rows."""
        count = 0
        pending: list[dict[str, Any]] = []
        chars = 0
        for row in rows:
            if pending or self.part_rows:
                if (self.part_rows + len(pending) >= PART_ROWS or self.part_chars + chars >= PART_CHARS):
                    self.put(table, pending)
                    pending, chars = [], 0
                    self.split()
                elif len(pending) >= batch:
                    self.put(table, pending)
                    pending, chars = [], 0
            pending.append(row)
            for value in row.values():
                chars += len(value) + 6 if value.__class__ is str else _size(value)
            count += 1
        self.put(table, pending)
        return count

    def delete(self, table: str, keys: list[tuple]) -> None:
        if not keys:
            return
        spec = schema.TABLES[table]
        where = " AND ".join(f"{k} = ?" for k in spec.key)
        self.conn.executemany(f"DELETE FROM {table} WHERE {where}", [tuple(k) for k in keys])
        self.dels.setdefault(table, []).extend(list(k) for k in keys)
        self.part_rows += len(keys)

    def split(self) -> None:
        """Close the current audit entry and continue in a new one (next seq, same transaction)."""
        self.parts += 1
        self.prev_hash = self._append_audit(last=False)
        self.seq += 1
        self.puts, self.dels = {}, {}
        self.part_rows = self.part_chars = 0

    def _append_audit(self, last: bool = True) -> str:
        payload: dict[str, Any] = dict(self.info)
        if self.parts:
            payload["part"] = self.parts + (1 if last else 0)
            if last:
                payload["parts"] = self.parts + 1
        if self.puts:
            payload["put"] = self.puts
        if self.dels:
            payload["del"] = self.dels
        text = canonical(payload)
        digest = hashlib.sha256((self.prev_hash + entry_text(self.seq, self.ts, self.actor, self.action, text)
                                 ).encode("utf-8")).hexdigest()
        self.conn.execute("INSERT INTO audit(seq, ts, actor, action, payload, prev_hash, hash) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (self.seq, self.ts, self.actor, self.action, text, self.prev_hash, digest))
        return digest


def open_campaign(location: str | os.PathLike | None = None) -> Ledger:
    """Open the campaign at ``location`` (directory or file; default ``$TLR_CAMPAIGN`` or ``.``)."""
    return Ledger.open(location)


def init_campaign(directory: str | os.PathLike, rubric: Any, *, name: str | None = None,
                  actor: str | None = None) -> Ledger:
    """Create a campaign in ``directory`` holding a frozen copy of ``rubric`` (a loaded :class:`Rubric`)."""
    return Ledger.create(directory, rubric, name=name, actor=actor)
