"""The campaign ledger's SQLite schema and its migrations.

The database file carries ``PRAGMA application_id = APPLICATION_ID`` (so a foreign
SQLite file is recognised) and ``PRAGMA user_version`` = the schema version. A
migration is a list of SQL statements taking the schema from version ``n - 1`` to
``n``; :func:`tlr.campaign.ledger.Ledger.open` applies the missing ones in order,
each in its own transaction, and refuses a file written by a newer ``tlr``.

:data:`TABLES` describes each table's key and columns as the ledger writes them and the audit
replay compares them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

APPLICATION_ID = 0x544C5243  # "TLRC"
INIT_ACTION = "campaign.init"   # the first audit entry; its payload records the meta keys
DB_FILENAME = "campaign.sqlite"

# What every store holds (the campaign ledger, the achievement library): its meta keys, the append-only
# hash-chained audit log, and seals over its head. Other stores' migrations reuse these statements.
META_TABLE = """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )"""
AUDIT_LOG = [
    """CREATE TABLE audit (
        seq        INTEGER PRIMARY KEY,
        ts         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL,
        payload    TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    )""",
    # append-only: the tool never updates or deletes an audit entry. (Someone with the
    # sqlite3 shell can drop these triggers; `tlr audit verify` still detects the edit.)
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SEALS_TABLE = """CREATE TABLE seals (
        seq        INTEGER PRIMARY KEY,
        head       TEXT NOT NULL,
        ts         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        alg        TEXT NOT NULL,
        key_id     TEXT NOT NULL,
        signature  TEXT NOT NULL
    )"""

# Follow-up events (投后跟踪): the same table in the campaign ledger (v8) and in the achievement library (v2),
# written by :mod:`tlr.library.followup`; ``achievement_id`` is the project id (ledger) or the library's id.
FOLLOWUP_TABLE = """CREATE TABLE followup_events (
        id               TEXT PRIMARY KEY,
        seq              INTEGER NOT NULL,
        achievement_id   TEXT NOT NULL,
        date             TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('milestone', 'trl', 'investment', 'contract', 'revenue')),
        amount           REAL,
        trl              INTEGER,
        counterparty     TEXT NOT NULL DEFAULT '',
        period           TEXT NOT NULL DEFAULT '',
        evidence         TEXT NOT NULL DEFAULT '',
        evidence_sha256  TEXT NOT NULL DEFAULT '',
        assessor         TEXT NOT NULL DEFAULT '',
        note             TEXT NOT NULL DEFAULT '',
        source           TEXT NOT NULL,
        imported_at      TEXT NOT NULL,
        audit_seq        INTEGER NOT NULL
    )"""
FOLLOWUP_COLUMNS = ("id", "seq", "achievement_id", "date", "kind", "amount", "trl", "counterparty", "period",
                    "evidence", "evidence_sha256", "assessor", "note", "source", "imported_at", "audit_seq")

_V1 = [
    META_TABLE,
    """CREATE TABLE rubric (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        rubric_id     TEXT NOT NULL,
        version       TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        document      TEXT NOT NULL,
        frozen_at     TEXT NOT NULL
    )""",
    """CREATE TABLE projects (
        id                TEXT PRIMARY KEY,
        seq               INTEGER NOT NULL,
        name              TEXT NOT NULL,
        applicant         TEXT NOT NULL,
        industry          TEXT NOT NULL,
        achievement_type  TEXT,
        co_applicants     TEXT NOT NULL DEFAULT '[]',
        excluded_experts  TEXT NOT NULL DEFAULT '[]',
        keywords          TEXT NOT NULL DEFAULT '[]',
        summary           TEXT NOT NULL DEFAULT '',
        extra             TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE experts (
        id                 TEXT PRIMARY KEY,
        seq                INTEGER NOT NULL,
        name               TEXT NOT NULL,
        institution        TEXT NOT NULL,
        fields             TEXT NOT NULL DEFAULT '[]',
        conflict_orgs      TEXT NOT NULL DEFAULT '[]',
        conflict_projects  TEXT NOT NULL DEFAULT '[]',
        title              TEXT NOT NULL DEFAULT '',
        email              TEXT NOT NULL DEFAULT '',
        extra              TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE assignments (
        expert_id   TEXT NOT NULL REFERENCES experts(id),
        project_id  TEXT NOT NULL REFERENCES projects(id),
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (expert_id, project_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX assignments_by_project ON assignments(project_id)",
    """CREATE TABLE recusals (
        expert_id   TEXT NOT NULL REFERENCES experts(id),
        project_id  TEXT NOT NULL REFERENCES projects(id),
        reason      TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT '',
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (expert_id, project_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE scores (
        expert_id     TEXT NOT NULL,
        project_id    TEXT NOT NULL,
        indicator_id  TEXT NOT NULL,
        value         REAL NOT NULL,
        raw           TEXT NOT NULL,
        comment       TEXT NOT NULL DEFAULT '',
        evidence      TEXT NOT NULL DEFAULT '',
        scored_at     TEXT NOT NULL,
        source        TEXT NOT NULL,
        audit_seq     INTEGER NOT NULL,
        PRIMARY KEY (expert_id, project_id, indicator_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE trl_assessments (
        id           INTEGER PRIMARY KEY,
        project_id   TEXT NOT NULL REFERENCES projects(id),
        cte          TEXT NOT NULL,
        document     TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        assessor     TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        audit_seq    INTEGER NOT NULL
    )""",
    """CREATE TABLE sessions (
        expert_id     TEXT PRIMARY KEY,
        project_id    TEXT,
        indicator_id  TEXT,
        updated_at    TEXT NOT NULL
    )""",
    *AUDIT_LOG,
]

# v2: every exported scoresheet carries a random token whose SHA-256 is recorded here, so a returned
# sheet is accepted only for the expert it was issued to (the hidden sheet cannot be re-labelled).
_V2 = [
    """CREATE TABLE sheet_exports (
        token_sha256  TEXT PRIMARY KEY,
        expert_id     TEXT NOT NULL REFERENCES experts(id),
        exported_at   TEXT NOT NULL,
        items         INTEGER NOT NULL
    )""",
]

# v3: an expert's TRL checklist answers in the interactive `tlr score` session (one row per question,
# written with an audit entry `checklist.answer`) and where each expert's checklist stands (status and
# the question to resume at; like `sessions`, a position, not evaluation data).
_V3 = [
    """CREATE TABLE checklist_answers (
        expert_id     TEXT NOT NULL,
        project_id    TEXT NOT NULL,
        indicator_id  TEXT NOT NULL,
        question_id   TEXT NOT NULL,
        answer        TEXT NOT NULL,
        answered_at   TEXT NOT NULL,
        audit_seq     INTEGER NOT NULL,
        PRIMARY KEY (expert_id, project_id, indicator_id, question_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE checklist_sessions (
        expert_id     TEXT NOT NULL,
        project_id    TEXT NOT NULL,
        indicator_id  TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
        question_id   TEXT,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (expert_id, project_id, indicator_id)
    ) WITHOUT ROWID""",
]

# v4: (1) a scoresheet records the audit position it was exported at (the last entry its answers
# reflect), so an import can refuse to revert answers changed in the ledger since; NULL for sheets
# exported before v4 (their position is then found from the `sheet.export` audit entry).
# (2) seals: the secretary's signature over the audit head (seq, hash) made with a key kept outside
# the ledger (`tlr audit seal`); each seal is written with its own `audit.seal` entry.
_V4 = [
    "ALTER TABLE sheet_exports ADD COLUMN audit_seq INTEGER",
    "ALTER TABLE sheet_exports ADD COLUMN audit_head TEXT",
    SEALS_TABLE,
]

# v5: moderation and re-scoring (复核 / 复议, :mod:`tlr.campaign.moderation`). (1) `moderations`: every
# exclusion or override of one score, and every undo, as an append-only event with its written reason and
# the audit position of the score it judged (a score changed since is no longer moderated by it); the
# score itself is never changed. (2) `rescore_rounds`: a further scoring round opened for a project;
# `score_rounds`: the answers of the round it closed, kept as they were (`scores` keeps holding every
# expert's latest answer, so imports and every reader of `scores` are unchanged).
_V5 = [
    """CREATE TABLE moderations (
        id            INTEGER PRIMARY KEY,
        project_id    TEXT NOT NULL,
        expert_id     TEXT NOT NULL,
        indicator_id  TEXT NOT NULL,
        action        TEXT NOT NULL CHECK (action IN ('exclude', 'override', 'undo')),
        value         REAL,
        raw           TEXT,
        reason        TEXT NOT NULL,
        moderator     TEXT NOT NULL,
        score_value   REAL,
        score_seq     INTEGER,
        created_at    TEXT NOT NULL,
        audit_seq     INTEGER NOT NULL
    )""",
    "CREATE INDEX moderations_by_cell ON moderations(project_id, expert_id, indicator_id)",
    """CREATE TRIGGER moderations_no_update BEFORE UPDATE ON moderations
       BEGIN SELECT RAISE(ABORT, 'moderations are append-only'); END""",
    """CREATE TRIGGER moderations_no_delete BEFORE DELETE ON moderations
       BEGIN SELECT RAISE(ABORT, 'moderations are append-only'); END""",
    """CREATE TABLE rescore_rounds (
        project_id  TEXT NOT NULL,
        round       INTEGER NOT NULL,
        reason      TEXT NOT NULL DEFAULT '',
        opened_by   TEXT NOT NULL,
        opened_at   TEXT NOT NULL,
        audit_seq   INTEGER NOT NULL,
        PRIMARY KEY (project_id, round)
    ) WITHOUT ROWID""",
    """CREATE TABLE score_rounds (
        project_id    TEXT NOT NULL,
        round         INTEGER NOT NULL,
        expert_id     TEXT NOT NULL,
        indicator_id  TEXT NOT NULL,
        value         REAL NOT NULL,
        raw           TEXT NOT NULL,
        comment       TEXT NOT NULL DEFAULT '',
        evidence      TEXT NOT NULL DEFAULT '',
        scored_at     TEXT NOT NULL,
        source        TEXT NOT NULL,
        score_seq     INTEGER NOT NULL,
        PRIMARY KEY (project_id, round, expert_id, indicator_id)
    ) WITHOUT ROWID""",
    """CREATE TRIGGER score_rounds_no_update BEFORE UPDATE ON score_rounds
       BEGIN SELECT RAISE(ABORT, 'earlier rounds are kept as they were'); END""",
    """CREATE TRIGGER score_rounds_no_delete BEFORE DELETE ON score_rounds
       BEGIN SELECT RAISE(ABORT, 'earlier rounds are kept as they were'); END""",
]

# v6 (weighting rounds, `tlr weights`): the round's questions (the rubric nodes whose children the panel
# compares pairwise) and each expert's pairwise judgements, one row per pair with an audit entry each.
_V6 = [
    """CREATE TABLE weight_round (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        scope       TEXT NOT NULL,
        nodes       TEXT NOT NULL,
        created_at  TEXT NOT NULL
    )""",
    """CREATE TABLE pairwise_answers (
        expert_id    TEXT NOT NULL,
        node_id      TEXT NOT NULL,
        item_a       TEXT NOT NULL,
        item_b       TEXT NOT NULL,
        value        REAL NOT NULL,
        raw          TEXT NOT NULL,
        answered_at  TEXT NOT NULL,
        source       TEXT NOT NULL,
        audit_seq    INTEGER NOT NULL,
        PRIMARY KEY (expert_id, node_id, item_a, item_b)
    ) WITHOUT ROWID""",
]

# v7: a project's region (所在地区: the city or county as written in the file), for matching achievements
# to enterprise demands and push lists by place. Rows logged before v7 carry no region: the replay takes
# the column's default ('', :attr:`TableSpec.defaults`).
_V7 = [
    "ALTER TABLE projects ADD COLUMN region TEXT NOT NULL DEFAULT ''",
]

# v8: follow-up of funded projects (投后跟踪, :mod:`tlr.library.followup`) when no achievement library exists yet: one row
# per dated event (milestone, TRL reached with evidence, follow-on investment, contract, revenue), keyed by the
# project id. A new table: ledgers written before v8 replay unchanged (no row of it in their log).
_V8 = [
    FOLLOWUP_TABLE,
    "CREATE INDEX followup_by_achievement ON followup_events(achievement_id, date)",
]

# v9: no table changes. Audit entries may now log streamed rows as a table of values (``"rows"``, see
# :class:`tlr.campaign.store.Transaction`), which a tlr of schema 8 would not replay: its ``audit verify``
# would call those rows tampered with. The version makes it refuse the ledger ("written by a newer tlr").
_V9: list[str] = []

# MIGRATIONS[i] takes the schema from version i to version i + 1.
MIGRATIONS: list[list[str]] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9]
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------- table specs


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    json_columns: frozenset[str] = frozenset()
    seq_column: str | None = None  # filled with the audit entry's seq on write
    # columns added by a later migration (ALTER TABLE ... DEFAULT): their value in a row logged before it
    defaults: tuple[tuple[str, Any], ...] = ()

    def with_defaults(self, row: dict[str, Any]) -> dict[str, Any]:
        """*row* with each column added later set to its default when the row lacks it."""
        if not self.defaults:
            return row
        return {**{c: v for c, v in self.defaults if c not in row}, **row}

    def without_added(self) -> "TableSpec":
        """The spec before the migrations that added its defaulted columns (for tests of old stores)."""
        added = {c for c, _v in self.defaults}
        return TableSpec(self.name, self.key, tuple(c for c in self.columns if c not in added), self.json_columns,
                         self.seq_column)


TABLES: dict[str, TableSpec] = {
    "rubric": TableSpec("rubric", ("id",), ("id", "rubric_id", "version", "content_hash", "document", "frozen_at")),
    "projects": TableSpec(
        "projects", ("id",),
        ("id", "seq", "name", "applicant", "industry", "achievement_type", "co_applicants",
         "excluded_experts", "keywords", "summary", "extra", "region"),
        frozenset({"co_applicants", "excluded_experts", "keywords", "extra"}), defaults=(("region", ""),)),
    "experts": TableSpec(
        "experts", ("id",),
        ("id", "seq", "name", "institution", "fields", "conflict_orgs", "conflict_projects", "title",
         "email", "extra"),
        frozenset({"fields", "conflict_orgs", "conflict_projects", "extra"})),
    "assignments": TableSpec("assignments", ("expert_id", "project_id"),
                             ("expert_id", "project_id", "source", "created_at")),
    "recusals": TableSpec("recusals", ("expert_id", "project_id"),
                          ("expert_id", "project_id", "reason", "detail", "source", "created_at")),
    "scores": TableSpec("scores", ("expert_id", "project_id", "indicator_id"),
                        ("expert_id", "project_id", "indicator_id", "value", "raw", "comment", "evidence",
                         "scored_at", "source", "audit_seq"), seq_column="audit_seq"),
    "trl_assessments": TableSpec("trl_assessments", ("id",),
                                 ("id", "project_id", "cte", "document", "sha256", "assessor", "recorded_at",
                                  "audit_seq"), seq_column="audit_seq"),
    "sheet_exports": TableSpec("sheet_exports", ("token_sha256",),
                               ("token_sha256", "expert_id", "exported_at", "items", "audit_seq", "audit_head")),
    "checklist_answers": TableSpec("checklist_answers", ("expert_id", "project_id", "indicator_id", "question_id"),
                                   ("expert_id", "project_id", "indicator_id", "question_id", "answer",
                                    "answered_at", "audit_seq"), seq_column="audit_seq"),
    "seals": TableSpec("seals", ("seq",), ("seq", "head", "ts", "actor", "alg", "key_id", "signature")),
    "moderations": TableSpec("moderations", ("id",),
                             ("id", "project_id", "expert_id", "indicator_id", "action", "value", "raw", "reason",
                              "moderator", "score_value", "score_seq", "created_at", "audit_seq"),
                             seq_column="audit_seq"),
    "rescore_rounds": TableSpec("rescore_rounds", ("project_id", "round"),
                                ("project_id", "round", "reason", "opened_by", "opened_at", "audit_seq"),
                                seq_column="audit_seq"),
    "score_rounds": TableSpec("score_rounds", ("project_id", "round", "expert_id", "indicator_id"),
                              ("project_id", "round", "expert_id", "indicator_id", "value", "raw", "comment",
                               "evidence", "scored_at", "source", "score_seq")),
    "weight_round": TableSpec("weight_round", ("id",), ("id", "scope", "nodes", "created_at"), frozenset({"nodes"})),
    "followup_events": TableSpec("followup_events", ("id",), FOLLOWUP_COLUMNS, seq_column="audit_seq"),
    "pairwise_answers": TableSpec("pairwise_answers", ("expert_id", "node_id", "item_a", "item_b"),
                                  ("expert_id", "node_id", "item_a", "item_b", "value", "raw", "answered_at",
                                   "source", "audit_seq"), seq_column="audit_seq"),
}


def row_from_db(spec: TableSpec, row: tuple) -> dict[str, Any]:
    out = dict(zip(spec.columns, row))
    for col in spec.json_columns:
        out[col] = json.loads(out[col])
    return out
