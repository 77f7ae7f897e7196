"""The achievement library's SQLite schema and its migrations (the store discipline of the campaign ledger).

``PRAGMA application_id`` = :data:`APPLICATION_ID` ("TLRL"), ``PRAGMA user_version`` = the schema version;
:data:`TABLES` describes each table as the store writes it and the audit replay compares it. The meta
table, the audit log and seals are the campaign's own statements (:mod:`tlr.campaign.schema`).

Tables:

- ``demands``: enterprise technology demands (企业技术需求), one row each, with their current status;
  ``demand_status``: every status change (open → matched → closed, reopen) with its reason, append-only;
- ``achievements``: one row per achievement, its stable identity (``aliases``: ids it was also known by,
  joined by a confirmed link);
- ``rounds``: each evaluation round (or imported list) added, with the campaign's audit head;
- ``achievement_rounds``: one row per achievement per round: the evaluation as that round saw it;
- ``links``: identity links (same name + applicant under another id) proposed, confirmed or rejected;
- ``followup_events`` (v2): follow-up of funded achievements (投后跟踪), one dated event per row, keyed by the
  achievement id (:mod:`tlr.library.followup`); v2 also keeps each round's top-level dimension scores
  (``achievement_rounds.dimensions``) for the back-test. Rows logged before v2 replay with ``{}``.
"""

from __future__ import annotations

from tlr.campaign.schema import (AUDIT_LOG, FOLLOWUP_COLUMNS, FOLLOWUP_TABLE, META_TABLE, SEALS_TABLE,  # noqa: F401
                                 TableSpec, row_from_db)

APPLICATION_ID = 0x544C524C  # "TLRL"
INIT_ACTION = "library.init"
DB_FILENAME = "library.sqlite"

_V1 = [
    META_TABLE,
    *AUDIT_LOG,
    SEALS_TABLE,
    """CREATE TABLE demands (
        id           TEXT PRIMARY KEY,
        seq          INTEGER NOT NULL,
        name         TEXT NOT NULL,
        enterprise   TEXT NOT NULL,
        industry     TEXT NOT NULL,
        region       TEXT NOT NULL DEFAULT '',
        description  TEXT NOT NULL,
        indicators   TEXT NOT NULL DEFAULT '',
        cooperation  TEXT NOT NULL DEFAULT '[]',
        budget       REAL,
        min_trl      INTEGER,
        keywords     TEXT NOT NULL DEFAULT '[]',
        contact      TEXT NOT NULL DEFAULT '',
        phone        TEXT NOT NULL DEFAULT '',
        status       TEXT NOT NULL CHECK (status IN ('open', 'matched', 'closed')),
        imported_at  TEXT NOT NULL,
        extra        TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE demand_status (
        id          INTEGER PRIMARY KEY,
        demand_id   TEXT NOT NULL REFERENCES demands(id),
        status      TEXT NOT NULL,
        previous    TEXT NOT NULL,
        reason      TEXT NOT NULL,
        actor       TEXT NOT NULL,
        changed_at  TEXT NOT NULL,
        audit_seq   INTEGER NOT NULL
    )""",
    """CREATE TRIGGER demand_status_no_update BEFORE UPDATE ON demand_status
       BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END""",
    """CREATE TRIGGER demand_status_no_delete BEFORE DELETE ON demand_status
       BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END""",
    """CREATE TABLE achievements (
        id          TEXT PRIMARY KEY,
        seq         INTEGER NOT NULL,
        name        TEXT NOT NULL,
        applicant   TEXT NOT NULL,
        aliases     TEXT NOT NULL DEFAULT '[]',
        created_at  TEXT NOT NULL
    )""",
    """CREATE TABLE rounds (
        name          TEXT PRIMARY KEY,
        year          INTEGER,
        kind          TEXT NOT NULL CHECK (kind IN ('evaluation', 'import')),
        source        TEXT NOT NULL,
        source_id     TEXT NOT NULL,
        head          TEXT NOT NULL,
        entries       INTEGER NOT NULL,
        verified      INTEGER NOT NULL,
        rules         TEXT NOT NULL DEFAULT '{}',
        added_at      TEXT NOT NULL
    )""",
    """CREATE TABLE achievement_rounds (
        achievement_id    TEXT NOT NULL,
        round             TEXT NOT NULL REFERENCES rounds(name),
        project_id        TEXT NOT NULL,
        name              TEXT NOT NULL,
        applicant         TEXT NOT NULL,
        industry          TEXT,
        region            TEXT NOT NULL DEFAULT '',
        keywords          TEXT NOT NULL DEFAULT '[]',
        summary           TEXT NOT NULL DEFAULT '',
        tier              TEXT,
        composite         REAL,
        readiness         INTEGER,
        readiness_source  TEXT NOT NULL,
        route             TEXT,
        ask               REAL,
        rank              INTEGER,
        knocked_out       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (achievement_id, round)
    ) WITHOUT ROWID""",
    """CREATE TABLE links (
        new_id      TEXT NOT NULL,
        old_id      TEXT NOT NULL,
        round       TEXT NOT NULL,
        basis       TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected')),
        proposed_at TEXT NOT NULL,
        decided_by  TEXT NOT NULL DEFAULT '',
        decided_at  TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (new_id, old_id)
    ) WITHOUT ROWID""",
]

_V2 = [
    FOLLOWUP_TABLE,
    "CREATE INDEX followup_by_achievement ON followup_events(achievement_id, date)",
    "ALTER TABLE achievement_rounds ADD COLUMN dimensions TEXT NOT NULL DEFAULT '{}'",
]

# MIGRATIONS[i] takes the schema from version i to version i + 1.
MIGRATIONS: list[list[str]] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)

TABLES: dict[str, TableSpec] = {
    "seals": TableSpec("seals", ("seq",), ("seq", "head", "ts", "actor", "alg", "key_id", "signature")),
    "demands": TableSpec(
        "demands", ("id",),
        ("id", "seq", "name", "enterprise", "industry", "region", "description", "indicators", "cooperation",
         "budget", "min_trl", "keywords", "contact", "phone", "status", "imported_at", "extra"),
        frozenset({"cooperation", "keywords", "extra"})),
    "demand_status": TableSpec("demand_status", ("id",),
                               ("id", "demand_id", "status", "previous", "reason", "actor", "changed_at", "audit_seq"),
                               seq_column="audit_seq"),
    "achievements": TableSpec("achievements", ("id",), ("id", "seq", "name", "applicant", "aliases", "created_at"),
                              frozenset({"aliases"})),
    "rounds": TableSpec("rounds", ("name",),
                        ("name", "year", "kind", "source", "source_id", "head", "entries", "verified", "rules",
                         "added_at"), frozenset({"rules"})),
    "achievement_rounds": TableSpec(
        "achievement_rounds", ("achievement_id", "round"),
        ("achievement_id", "round", "project_id", "name", "applicant", "industry", "region", "keywords", "summary",
         "tier", "composite", "readiness", "readiness_source", "route", "ask", "rank", "knocked_out", "dimensions"),
        frozenset({"keywords", "dimensions"}), defaults=(("dimensions", {}),)),
    "followup_events": TableSpec("followup_events", ("id",), FOLLOWUP_COLUMNS, seq_column="audit_seq"),
    "links": TableSpec("links", ("new_id", "old_id"),
                       ("new_id", "old_id", "round", "basis", "status", "proposed_at", "decided_by", "decided_at")),
}

PERSONAL = ("contact", "phone")   # demand columns holding personal data: never printed unless asked
