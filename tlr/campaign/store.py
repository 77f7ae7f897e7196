"""A store: one SQLite file (WAL) whose every change is one audited transaction in a hash-chained log.

The campaign ledger (:class:`tlr.campaign.ledger.Ledger`) and the achievement library
(:class:`tlr.library.store.Library`) are stores; each names its *schema*, a module with
``APPLICATION_ID``, ``MIGRATIONS``, ``SCHEMA_VERSION``, ``TABLES`` and ``INIT_ACTION`` (read at run time,
so a migration test can swap them). Every change goes through :meth:`Store.write`: a ``BEGIN IMMEDIATE``
transaction (retried on ``SQLITE_BUSY`` within a bounded time) in which the rows are written with
:meth:`Transaction.put` / :meth:`Transaction.delete` and described by one hash-chained audit entry
(:mod:`tlr.campaign.audit`), or for a large write by several consecutive entries, its *parts*
(:meth:`Transaction.put_stream`). The audit payload carries the exact rows written, so ``verify`` can
replay the log and compare it with the tables.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from operator import itemgetter
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Iterator, Sequence

from tlr.errors import CampaignError, Location

from . import audit
from .chain import GENESIS, canonical, column_json, entry_text

SQLITE_MAGIC = b"SQLite format 3\x00"
ENV_ACTOR = "TLR_ACTOR"
ENV_SYNC = "TLR_SYNC"
BUSY_TIMEOUT_MS = 5000
BEGIN_BUSY_TIMEOUT_MS = 1
RETRY_SECONDS = 60.0


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


def database_error(path: Path | str, exc: sqlite3.Error, kind_zh: str = "批次", kind_en: str = "campaign"
                   ) -> CampaignError:
    """A clear message for a low-level SQLite failure (read-only file, disk full, corrupt page ...)."""
    return CampaignError(f"{kind_zh}数据库出错 / {kind_en} database error: {exc}", location=Location(file=str(path)),
                         hint="检查文件权限、磁盘空间，或从备份恢复 / check file permissions and disk space, or "
                              "restore from a backup", code="database_error")


def _is_json(text: Any) -> bool:
    try:
        json.loads(text)
    except (TypeError, ValueError):
        return False
    return True


class Store:
    """An open store. Subclasses set :attr:`schema` and the words naming what they are."""

    schema: ModuleType
    KIND_ZH = "批次"            # in "批次数据库出错"
    KIND_EN = "campaign"
    NOT_MINE_ZH = "不是 tlr 评价批次"
    NOT_MINE_CODE = "not_a_campaign"
    CREATE_HINT = ""
    VERIFY = "tlr audit verify"

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
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
    def _not_mine(cls, path: Path, why_zh: str, why_en: str, hint: str | None = None) -> CampaignError:
        return CampaignError(f"{cls.NOT_MINE_ZH} / not a tlr {cls.KIND_EN}: {why_zh} / {why_en}",
                             location=Location(file=str(path)), hint=hint or cls.CREATE_HINT, code=cls.NOT_MINE_CODE)

    @classmethod
    def _create_file(cls, path: Path, init: "Any") -> "Store":
        """A new store at ``path``: identity and schema written straight to the main file, then WAL, then
        ``init(store)`` (its first audited write). A failure leaves no file behind."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        try:
            conn.execute(f"PRAGMA application_id = {cls.schema.APPLICATION_ID}")
            store = cls(path, conn)
            store._migrate(0)
            conn.execute("PRAGMA journal_mode = WAL")
            init(store)
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def _open_file(cls, path: Path, *, migrate: bool = True) -> "Store":
        """Open an existing store file; a missing, foreign or corrupt file raises :class:`CampaignError`."""
        schema = cls.schema
        if not path.exists():
            raise cls._not_mine(path, f"找不到{cls.KIND_ZH}数据库", f"no {cls.KIND_EN} database found")
        if path.is_dir() or not path.is_file():
            raise cls._not_mine(path, "不是文件", "not a regular file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise cls._not_mine(path, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})") from None
        if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
            raise cls._not_mine(path, "不是 SQLite 数据库", "not an SQLite database")
        try:
            conn = cls._connect(path)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != schema.APPLICATION_ID:
                conn.close()
                raise cls._not_mine(path, "这是别的程序的 SQLite 数据库", "an SQLite database of another application")
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_meta = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'"
                                    ).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise cls._not_mine(path, f"数据库已损坏（{exc}）", f"the database is corrupt ({exc})",
                                hint="从备份恢复 / restore it from a backup") from None
        if version > schema.SCHEMA_VERSION:
            conn.close()
            raise CampaignError(
                f"{cls.KIND_ZH}由更新版本的 tlr 创建（模式 {version} > {schema.SCHEMA_VERSION}） / the {cls.KIND_EN} was "
                f"written by a newer tlr (schema {version} > {schema.SCHEMA_VERSION})",
                location=Location(file=str(path)), hint="升级 tlr / upgrade tlr", code="schema_too_new")
        if version == 0 or not has_meta:
            conn.close()
            raise cls._not_mine(path, f"缺少{cls.KIND_ZH}元数据", f"the {cls.KIND_EN} metadata is missing")
        store = cls(path, conn)
        if version < schema.SCHEMA_VERSION and migrate:
            store._migrate(version)
        try:
            store.meta  # noqa: B018 - touch: a corrupt page shows here
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise cls._not_mine(path, f"数据库已损坏（{exc}）", f"the database is corrupt ({exc})",
                                hint="从备份恢复 / restore it from a backup") from None
        return store

    def _migrate(self, current: int) -> None:
        for version in range(current, self.schema.SCHEMA_VERSION):
            self._begin()
            try:
                for statement in self.schema.MIGRATIONS[version]:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        return self._meta

    def rows(self, table: str, where: str = "", params: tuple = (), order: str | None = None) -> list[dict]:
        schema = self.schema
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
                    f"{self.KIND_ZH}数据被改动：{table} {key} 的 {bad} 不是合法 JSON / the {self.KIND_EN} was altered: {table} {key}: "
                    f"{bad} is not valid JSON", location=Location(file=str(self.path), field=f"{table}.{bad}"),
                    hint=f"运行 `{self.VERIFY}` 查看；从备份恢复 / run `{self.VERIFY}`; restore from a backup",
                    code="damaged_row") from None
        return out

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {self.schema.TABLES[table].name}").fetchone()[0]

    def next_seq(self, table: str) -> int:
        """The next ``seq`` of a table whose rows carry one (import order)."""
        return self.conn.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {self.schema.TABLES[table].name}").fetchone()[0]

    def audit_head(self) -> tuple[int, str, str] | None:
        """(seq, hash, ts) of the newest audit entry (None: no entry)."""
        return self.conn.execute("SELECT seq, hash, ts FROM audit ORDER BY seq DESC LIMIT 1").fetchone()

    def verify(self, *, key: Any = None, strict: bool = False, heads: Iterable[str] = ()) -> audit.AuditReport:
        """The chain, the tables, the schema, the seals and the expected ``heads``
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
                            f"{self.KIND_ZH}数据库正忙，请稍后重试 / the {self.KIND_EN} database is busy, please retry",
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
                raise database_error(self.path, exc, self.KIND_ZH, self.KIND_EN) from None
            raise


PART_ROWS = 5_000          # rows in one audit entry of a write split into parts (see Transaction.put_stream)
PART_CHARS = 4_000_000    # ... and about this many characters of row values
_JSON = column_json


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

    Rows written with :meth:`put` are logged as objects (``"put": {table: [{column: value}]}``); rows
    streamed with :meth:`put_stream` as a table of values (``"rows": {table: {"columns": [...], "same":
    {...}, "values": [[...], ...]}}``: the columns named once, the values every row shares once), which
    is a third of the size and several times faster to write and to replay. An entry holds either kind,
    never both (the replay applies ``del``, then ``put``, then ``rows``).
    """

    ledger: Store
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
    streamed: dict[str, dict[str, Any]] = field(default_factory=dict)   # table -> rows of put_stream (this entry)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.ledger.conn

    def put(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert or replace full rows (JSON columns given as Python values)."""
        if not rows:
            return
        if self.streamed:
            self.split()
        spec = self.ledger.schema.TABLES[table]
        encoded = []
        logged = self.puts.setdefault(table, [])
        chars = 0
        for row in rows:
            row = spec.with_defaults(row)
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

    def put_stream(self, table: str, rows: Iterable[Any], *, same: dict[str, Any] | None = None,
                   columns: Sequence[str] | None = None, batch: int = 1000, cache_mb: int = 0) -> int:
        """Put rows from an iterator, starting a new audit entry (:meth:`split`) whenever the current
        one holds :data:`PART_ROWS` rows or about :data:`PART_CHARS` characters; returns the number of
        rows put. Memory stays bounded by one part, whatever the number of rows.

        ``rows``: dicts giving every column of the table (a missing one is None, a column added by a later
        migration its default), or, with ``columns``, sequences of values in that order. ``same``: values
        every row shares (e.g. the time of the write), logged once per entry; the rows need not repeat
        them. The table's ``seq_column`` is the entry's seq. Logged as a table of values (see the class doc).
        ``cache_mb``: SQLite's page cache while the rows are written (rows that arrive in no order of the
        table's key touch pages all over a large table: 2.5 million answers insert a third faster with
        128 MB than with the default 2 MB); the cache is set back afterwards.
        """
        spec = self.ledger.schema.TABLES[table]
        same = {c: v for c, v in (same or {}).items() if c != spec.seq_column}
        if columns is None:
            names = [c for c in spec.columns if c != spec.seq_column and c not in same]
            defaults = dict(spec.defaults)
            rows = ([row.get(c, defaults.get(c)) for c in names] for row in rows)
        else:
            names = list(columns)
            unknown = [c for c in names if c not in spec.columns or c == spec.seq_column or c in same]
            if unknown or len(set(names)) != len(names):
                raise ValueError(f"put_stream into {table}: bad columns {unknown or names}")
            defaults = dict(spec.defaults)
            for c in spec.columns:   # a column neither given nor shared is None (or its default), as in put()
                if c not in names and c not in same and c != spec.seq_column:
                    same[c] = defaults.get(c)
            same = {c: same[c] for c in spec.columns if c in same}
        if self.puts or self.dels or table in self.streamed:   # an entry logs one table of values per table
            self.split()
        conn = self.conn
        previous = conn.execute("PRAGMA cache_size").fetchone()[0] if cache_mb else None
        if cache_mb:
            conn.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        try:
            return self._put_stream(rows, _StreamWriter(self, table, spec, names, same), len(names), batch)
        finally:
            if previous is not None:
                try:
                    conn.execute(f"PRAGMA cache_size = {previous}")
                except sqlite3.Error:  # pragma: no cover - the error on the way out says more
                    pass

    def _put_stream(self, rows: Iterable[Any], writer: "_StreamWriter", width: int, batch: int) -> int:
        count = 0
        limit_rows, limit_chars = PART_ROWS, PART_CHARS
        it = iter(rows)
        values = next(it, _END)
        if values is _END:
            return 0
        # a row's size: the lengths of the values that were text in the first row, the lists and objects
        # sized one by one, 8 for anything else (a value that is not text where the first row had text is
        # sized one by one too)
        texts_at = [k for k, v in enumerate(values) if v.__class__ is str]
        texts = (lambda v: ()) if not texts_at else itemgetter(*texts_at) if len(texts_at) > 1 else \
            (lambda v, k=texts_at[0]: (v[k],))
        nested = [k for k, v in enumerate(values) if v.__class__ in (list, tuple, dict)]
        extra = 8 * width

        def size(v: Any) -> int:
            try:
                return sum(map(len, texts(v))) + extra + (sum([_size(v[k]) for k in nested]) if nested else 0)
            except TypeError:
                return sum(len(x) + 3 if x.__class__ is str else _size(x) for x in v) + extra

        while values is not _END:
            if self.part_rows >= limit_rows or self.part_chars >= limit_chars:   # full, and more rows come
                self.split()
            budget = limit_chars - self.part_chars
            pending = [values]
            chars = size(values)
            if chars < budget and not nested:
                for values in islice(it, min(batch, limit_rows - self.part_rows) - 1):
                    pending.append(values)
                    try:
                        chars += sum(map(len, texts(values))) + extra
                    except TypeError:
                        chars += size(values)
                    if chars >= budget:
                        break
            elif chars < budget:
                for values in islice(it, min(batch, limit_rows - self.part_rows) - 1):
                    pending.append(values)
                    chars += size(values)
                    if chars >= budget:
                        break
            writer.write(pending)
            count += len(pending)
            values = next(it, _END)
        return count

    def delete(self, table: str, keys: list[tuple]) -> None:
        if not keys:
            return
        if self.streamed:
            self.split()
        spec = self.ledger.schema.TABLES[table]
        where = " AND ".join(f"{k} = ?" for k in spec.key)
        self.conn.executemany(f"DELETE FROM {table} WHERE {where}", [tuple(k) for k in keys])
        self.dels.setdefault(table, []).extend(list(k) for k in keys)
        self.part_rows += len(keys)

    def split(self) -> None:
        """Close the current audit entry and continue in a new one (next seq, same transaction)."""
        self.parts += 1
        self.prev_hash = self._append_audit(last=False)
        self.seq += 1
        self.puts, self.dels, self.streamed = {}, {}, {}
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
        marks: dict[str, str] = {}
        if self.streamed:
            payload["rows"] = {}
            for k, (table, logged) in enumerate(self.streamed.items()):
                mark = f"\x00tlr-rows-{k}\x00"   # replaced by the values' text, encoded batch by batch
                payload["rows"][table] = {"columns": logged["columns"], "same": logged["same"], "values": mark}
                marks[canonical(mark)] = "[" + ",".join(logged["texts"]) + "]"
        text = canonical(payload)
        for mark, values in marks.items():
            if text.count(mark) != 1:   # the mark also in a value of the entry: encode it all again
                for logged in payload["rows"].values():
                    logged["values"] = json.loads(marks[canonical(logged["values"])])
                text = canonical(payload)
                break
            text = text.replace(mark, values, 1)
        digest = hashlib.sha256((self.prev_hash + entry_text(self.seq, self.ts, self.actor, self.action, text)
                                 ).encode("utf-8")).hexdigest()
        self.conn.execute("INSERT INTO audit(seq, ts, actor, action, payload, prev_hash, hash) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (self.seq, self.ts, self.actor, self.action, text, self.prev_hash, digest))
        return digest


_END = object()
# the values of streamed rows, encoded as canonical() encodes them (so the entry's text is the same either way)
_VALUES = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


class _StreamWriter:
    """Writes batches of rows streamed into one table (:meth:`Transaction.put_stream`) and logs them in the
    transaction's current entry as the JSON text of their values (the entry's payload is assembled from
    it, so no row is encoded twice)."""

    def __init__(self, tx: Transaction, table: str, spec: Any, names: list[str], same: dict[str, Any]):
        self.tx = tx
        self.table = table
        self.names = names
        self.same = same
        self.json_at = [k for k, c in enumerate(names) if c in spec.json_columns]
        self.blank = [{} if c == "extra" else [] for c in names]
        fixed = {c: (_JSON(v if v is not None else ({} if c == "extra" else [])) if c in spec.json_columns else v)
                 for c, v in same.items()}
        self.fixed = tuple(fixed.values())
        self.seq_column = spec.seq_column
        self.columns = names + list(fixed) + ([spec.seq_column] if spec.seq_column else [])
        self.sql: tuple[int, str] | None = None

    def _statement(self) -> str:
        """The INSERT for the current entry: the values every row shares (and the seq) written in as literals
        when they are plain, so a row binds only its own values."""
        seq = self.tx.seq
        if self.sql is None or self.sql[0] != seq:
            tail = [*self.fixed, *([seq] if self.seq_column else [])]
            literals = [audit.sql_literal(v) for v in tail]
            self.bound = [v for v, lit in zip(tail, literals) if lit is None]
            marks = ["?"] * len(self.names) + [lit or "?" for lit in literals]
            self.sql = (seq, f"INSERT OR REPLACE INTO {self.table} ({', '.join(self.columns)}) "
                             f"VALUES ({', '.join(marks)})")
        return self.sql[1]

    def write(self, rows: list[Any]) -> None:
        if not rows:
            return
        tx = self.tx
        sql = self._statement()
        bound = tuple(self.bound)
        if self.json_at:
            blank = self.blank

            def encoded(values: Any) -> tuple:
                values = list(values)
                for k in self.json_at:
                    item = values[k]
                    values[k] = _JSON(item if item is not None else blank[k])
                return (*values, *bound)
            tx.conn.executemany(sql, map(encoded, rows))
        elif bound:
            tx.conn.executemany(sql, [(*values, *bound) for values in rows])
        else:
            tx.conn.executemany(sql, rows)
        text = _VALUES(rows)[1:-1]
        logged = tx.streamed.get(self.table)
        if logged is None:
            logged = tx.streamed[self.table] = {"columns": self.names, "same": self.same, "texts": []}
        logged["texts"].append(text)
        tx.part_rows += len(rows)
        tx.part_chars += len(text)
