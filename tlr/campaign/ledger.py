"""The campaign ledger: one SQLite file (WAL), the one place evaluation data is written.

A :class:`tlr.campaign.store.Store` with the campaign's schema (:mod:`tlr.campaign.schema`): every change
goes through :meth:`Ledger.write`, one transaction described by one hash-chained audit entry (or
several consecutive *parts* for a large write); the payload carries the exact rows written, so
``tlr audit verify`` can replay the log and compare it with the tables.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Location

from . import schema
from .rules import rubric_summary
from .store import (BEGIN_BUSY_TIMEOUT_MS, BUSY_TIMEOUT_MS, ENV_ACTOR, ENV_SYNC, PART_CHARS, PART_ROWS,  # noqa: F401
                    RETRY_SECONDS, SQLITE_MAGIC, Store, Transaction, database_error, default_actor, now)

ENV_CAMPAIGN = "TLR_CAMPAIGN"
COUNTED_TABLES = ("projects", "experts", "assignments", "recusals", "scores", "trl_assessments", "audit")

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
        raise Ledger._not_mine(path, f"无法访问（{exc.strerror}）", f"cannot be accessed ({exc.strerror})") from None


# --------------------------------------------------------------------------- the ledger


class Ledger(Store):
    """An open campaign database. Use :meth:`create` or :meth:`open`; close with :meth:`close`."""

    schema = schema
    CREATE_HINT = ("用 `tlr campaign init DIR --rubric R` 创建批次，或用 --campaign 指向批次目录 / "
                   "create one with `tlr campaign init DIR --rubric R`, or point --campaign at its directory")

    def __init__(self, path: Path, conn: sqlite3.Connection):
        super().__init__(path, conn)
        self._rubric = None

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

        def init(ledger: "Ledger") -> None:
            campaign_id = uuid.uuid4().hex
            ts = now()
            doc = rubric.to_json()
            meta = {"campaign_id": campaign_id, "name": name or directory.name or "campaign",
                    "created_at": ts, "tool": "tlr",
                    "rubric_summary": json.dumps(rubric_summary(rubric), ensure_ascii=False, sort_keys=True)}
            with ledger.write(schema.INIT_ACTION, actor=actor) as tx:
                tx.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", list(meta.items()))
                tx.put("rubric", [{"id": 1, "rubric_id": rubric.id, "version": str(rubric.version),
                                   "content_hash": rubric.content_hash, "document": doc, "frozen_at": ts}])
                tx.info.update({"meta": meta, "rubric": {"id": rubric.id, "version": str(rubric.version),
                                                          "content_hash": rubric.content_hash},
                                "schema_version": schema.SCHEMA_VERSION})

        return cls._create_file(path, init)

    @classmethod
    def open(cls, location: str | os.PathLike | None = None, *, migrate: bool = True) -> "Ledger":
        """Open an existing campaign; a missing, foreign or corrupt file raises :class:`CampaignError`."""
        return cls._open_file(resolve_path(location), migrate=migrate)

    # -- reading --------------------------------------------------------------------

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



def open_campaign(location: str | os.PathLike | None = None) -> Ledger:
    """Open the campaign at ``location`` (directory or file; default ``$TLR_CAMPAIGN`` or ``.``)."""
    return Ledger.open(location)


def init_campaign(directory: str | os.PathLike, rubric: Any, *, name: str | None = None,
                  actor: str | None = None) -> Ledger:
    """Create a campaign in ``directory`` holding a frozen copy of ``rubric`` (a loaded :class:`Rubric`)."""
    return Ledger.create(directory, rubric, name=name, actor=actor)
