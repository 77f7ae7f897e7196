"""The achievement library: one SQLite file, a :class:`tlr.campaign.store.Store` with its own schema.

Found with ``--library PATH`` (the file, or a folder holding ``library.sqlite``), else ``$TLR_LIBRARY``,
else ``library.sqlite`` in the current folder. Commands that add to the library create it on first use
(an audited ``library.init`` entry); commands that only read refuse a missing one.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from tlr.campaign.store import Store, now
from tlr.errors import CampaignError, Location

from . import schema

ENV_LIBRARY = "TLR_LIBRARY"


def library_path(location: str | os.PathLike | None = None) -> Path:
    """The database file for ``--library`` (a folder or the file itself); default ``$TLR_LIBRARY`` or ``library.sqlite``."""
    if location is None or str(location) == "":
        location = os.environ.get(ENV_LIBRARY) or schema.DB_FILENAME
    path = Path(location)
    try:
        return path / schema.DB_FILENAME if path.is_dir() else path
    except OSError as exc:
        raise Library._not_mine(path, f"无法访问（{exc.strerror}）", f"cannot be accessed ({exc.strerror})") from None


class Library(Store):
    """An open achievement library. Use :func:`open_library`; close with :meth:`close`."""

    schema = schema
    KIND_ZH = "成果库"
    KIND_EN = "library"
    NOT_MINE_ZH = "不是 tlr 成果库"
    NOT_MINE_CODE = "not_a_library"
    CREATE_HINT = ("用 `tlr demands import` 或 `tlr library add-round` 创建成果库，或用 --library 指向它 / create one "
                   "with `tlr demands import` or `tlr library add-round`, or point --library at it")
    VERIFY = "tlr library verify"

    @classmethod
    def create(cls, path: Path, *, actor: str | None = None) -> "Library":
        if path.exists():
            raise CampaignError(f"成果库已存在 / a library already exists here: {path}",
                                location=Location(file=str(path)), code="exists")
        if not path.parent.is_dir():
            raise CampaignError(f"成果库所在的目录不存在 / the library's folder does not exist: {path.parent}",
                                location=Location(file=str(path)), code="no_folder",
                                hint="先建好目录，或用 --library 指向已有目录 / create the folder first, or point --library "
                                     "at an existing one")

        def init(lib: "Library") -> None:
            meta = {"library_id": uuid.uuid4().hex, "created_at": now(), "tool": "tlr"}
            with lib.write(schema.INIT_ACTION, actor=actor) as tx:
                tx.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", list(meta.items()))
                tx.info.update({"meta": meta, "schema_version": schema.SCHEMA_VERSION})

        return cls._create_file(path, init)

    # -- named queries ----------------------------------------------------------------

    def ids(self, table: str) -> set[str]:
        return {r[0] for r in self.conn.execute(f"SELECT id FROM {table}")}

    def next_id(self, table: str) -> int:
        """The next integer key of an append-only table (``demand_status``)."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]


def open_library(location: str | os.PathLike | None = None, *, create: bool = False,
                 actor: str | None = None) -> Library:
    """Open the library at ``location``; with ``create`` a missing one is created first."""
    path = library_path(location)
    try:
        missing = not path.exists() and not path.is_symlink()
    except OSError as exc:  # a name too long, a folder that cannot be searched
        raise Library._not_mine(path, f"无法访问（{exc.strerror}）", f"cannot be accessed ({exc.strerror})") from None
    if create and missing:
        try:
            return Library.create(path, actor=actor)
        except sqlite3.DatabaseError as exc:
            raise Library._not_mine(path, f"无法创建（{exc}）", f"cannot be created ({exc})") from None
        except OSError as exc:
            raise Library._not_mine(path, f"无法创建（{exc.strerror}）", f"cannot be created ({exc.strerror})") from None
    return Library._open_file(path)
