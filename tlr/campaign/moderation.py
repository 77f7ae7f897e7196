"""Moderation (复核): excluding or overriding one expert's score, only with a written reason, audited.

A moderation never changes the score. Each action — ``exclude``, ``override`` (with a value checked
against the indicator's scale like any score) or ``undo`` — is one append-only row of the
``moderations`` table, written with its own audit entry (``moderation.exclude`` ...), naming the
moderator, the reason and the audit position (``score_seq``) and value of the score it judged.

The state of a cell (project, expert, indicator) is its latest action; ``undo`` ends a moderation. A
moderation *applies* only while the score it judged is still the cell's score: when the expert
changes the answer (in a re-scoring round, :mod:`tlr.campaign.rounds`, or otherwise) the moderation
is *stale* — listed, counted, not applied — since nobody judged the new answer.

:func:`apply_moderation` gives the evaluation's scores (:func:`tlr.campaign.cube.score_cube`):
excluded scores become missing, overridden ones take the override. :func:`moderation_summary` is
what ``Evaluation.method["moderation"]`` records (the report's methodology is written from it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from tlr.errors import CampaignError, Location

from .ledger import Ledger, default_actor
from .scoring import _validator

ACTIONS = ("exclude", "override")
REASON_MAX = 2000          # characters of a reason
ENV_MODERATOR = "TLR_MODERATOR"


@dataclass(frozen=True)
class Moderation:
    """The moderation in force on one cell (its latest action, not an undo)."""

    id: int
    project_id: str
    expert_id: str
    indicator_id: str
    action: str                 # exclude | override (undo: as returned by undo())
    value: float | None         # the override
    raw: str | None
    reason: str
    moderator: str
    score_value: float | None   # the score it judged
    score_seq: int | None       # ... and that score's audit position
    created_at: str
    audit_seq: int
    active: bool                # the judged score is still the cell's score

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "project": self.project_id, "expert": self.expert_id,
                "indicator": self.indicator_id, "action": self.action, "value": self.value, "raw": self.raw,
                "reason": self.reason, "moderator": self.moderator, "score": self.score_value,
                "created_at": self.created_at, "audit_seq": self.audit_seq, "active": self.active}


# --------------------------------------------------------------------------- checks


def check_reason(reason: Any, *, field: str = "--reason") -> str:
    """A reason is required: one line of safe text (:mod:`tlr.safetext`), not blank, at most REASON_MAX chars."""
    from tlr.safetext import text_problem

    text = "" if reason is None else str(reason).strip()
    if not text:
        raise CampaignError("必须写明理由 / a written reason is required", location=Location(field=field),
                            hint='加 --reason "…" 说明为何处理这个评分 / add --reason "…" saying why', code="no_reason")
    problem = text_problem(text)
    if problem:
        raise CampaignError(f"理由 / reason: {problem}", location=Location(field=field), code="invalid_reason",
                            hint="理由须为一行普通文字 / the reason must be one line of plain text")
    if len(text) > REASON_MAX:
        raise CampaignError(f"理由超过 {REASON_MAX} 个字符 / the reason is longer than {REASON_MAX} characters",
                            location=Location(field=field), code="invalid_reason")
    return text


def moderator_actor(moderator: str | None) -> tuple[str, str]:
    """(moderator name recorded in the row, audit actor): ``--moderator NAME`` (else ``$TLR_MODERATOR``) is
    recorded as ``moderator:NAME via user:login``; without one, the login actor (``$TLR_ACTOR``) itself."""
    import os

    from tlr.safetext import text_problem

    name = (moderator if moderator is not None else os.environ.get(ENV_MODERATOR, "")).strip()
    if name:
        problem = text_problem(name)
        if problem:
            raise CampaignError(f"审核人 / moderator: {problem}", location=Location(field="--moderator"),
                                code="invalid_moderator")
        return name, f"moderator:{name} via {default_actor()}"
    actor = default_actor()
    return actor, actor


@contextmanager
def _at(field: str) -> Iterator[None]:
    """Name the argument a refusal is about (``PROJECT``, ``VALUE`` ...) where the error does not say where."""
    try:
        yield
    except CampaignError as exc:
        if not str(exc.location):
            raise CampaignError(exc.message, location=Location(field=field), hint=exc.hint, code=exc.code) from None
        raise


def _check_ids(ledger: Ledger, project_id: str, expert_id: str, indicator_id: str | None = None) -> None:
    with _at("PROJECT"):
        ledger.project(project_id)
    with _at("EXPERT"):
        ledger.expert(expert_id)
    if indicator_id is not None:
        known = [i.id for i in ledger.rubric.indicators]
        if indicator_id not in known:
            raise CampaignError(f"未知指标 / unknown indicator '{indicator_id}'", code="unknown_indicator",
                                location=Location(field="INDICATOR"), hint="指标 / indicators: " + ", ".join(known))


def _score_row(ledger: Ledger, project_id: str, expert_id: str, indicator_id: str) -> tuple:
    """(value, raw, audit_seq) of the stored score; unknown ids and a missing score are refused by name."""
    _check_ids(ledger, project_id, expert_id, indicator_id)
    row = ledger.conn.execute("SELECT value, raw, audit_seq FROM scores WHERE project_id = ? AND expert_id = ? "
                              "AND indicator_id = ?", (project_id, expert_id, indicator_id)).fetchone()
    if row is None:
        raise CampaignError(f"专家 {expert_id} 没有给项目 {project_id} 的 {indicator_id} 评分，无可处理 / expert "
                            f"{expert_id} has no score for {project_id}/{indicator_id}: nothing to moderate",
                            code="no_score", location=Location(field="PROJECT EXPERT INDICATOR"), hint="`tlr moderate` 列出可疑评分 / lists the outlying scores")
    return row


# --------------------------------------------------------------------------- writing


def _next_id(conn) -> int:
    return (conn.execute("SELECT coalesce(max(id), 0) FROM moderations").fetchone()[0] or 0) + 1


def moderate(ledger: Ledger, action: str, project_id: str, expert_id: str, indicator_id: str, *, reason: str,
             value: Any = None, moderator: str | None = None) -> Moderation:
    """Exclude (``action="exclude"``) or override (``"override"``, with ``value`` in the indicator's
    scale) one score, with a written ``reason``; returns the moderation now in force."""
    if action not in ACTIONS:
        raise CampaignError(f"未知操作 / unknown action {action!r}", code="usage")
    reason = check_reason(reason)
    name, actor = moderator_actor(moderator)
    _score_row(ledger, project_id, expert_id, indicator_id)     # refuse unknown ids before the value
    stored = raw = None
    if action == "override":
        if value is None or not str(value).strip():
            raise CampaignError("改判须给出分值 / an override needs a value", location=Location(field="VALUE"),
                                code="missing_value")
        with _at("VALUE"):
            _info, stored = _validator(ledger).value(project_id, indicator_id, value)
        raw = str(value).strip()
    with ledger.write(f"moderation.{action}", actor=actor) as tx:
        score_value, _raw, score_seq = _score_row(ledger, project_id, expert_id, indicator_id)
        row = {"id": _next_id(tx.conn), "project_id": project_id, "expert_id": expert_id,
               "indicator_id": indicator_id, "action": action, "value": stored, "raw": raw, "reason": reason,
               "moderator": name, "score_value": score_value, "score_seq": score_seq, "created_at": tx.ts}
        tx.put("moderations", [row])
    return current(ledger, project_id, expert_id, indicator_id)  # type: ignore[return-value]


def undo(ledger: Ledger, project_id: str, expert_id: str, indicator_id: str, *, reason: str,
         moderator: str | None = None) -> Moderation:
    """End the moderation in force on a cell (audited, with a reason); returns the undo (``action="undo"``)."""
    reason = check_reason(reason)
    name, actor = moderator_actor(moderator)
    _check_ids(ledger, project_id, expert_id, indicator_id)
    before = current(ledger, project_id, expert_id, indicator_id)
    if before is None:
        raise CampaignError(f"{project_id}/{expert_id}/{indicator_id} 没有可撤销的处理 / no moderation of "
                            f"{project_id}/{expert_id}/{indicator_id} to undo", code="no_moderation",
                            location=Location(field="PROJECT EXPERT INDICATOR"),
                            hint="`tlr moderate history` 查看处理记录 / shows the moderations")
    with ledger.write("moderation.undo", actor=actor) as tx:
        new_id = _next_id(tx.conn)
        tx.put("moderations", [{"id": new_id, "project_id": project_id, "expert_id": expert_id,
                                "indicator_id": indicator_id, "action": "undo", "value": None, "raw": None,
                                "reason": reason, "moderator": name, "score_value": before.score_value,
                                "score_seq": before.score_seq, "created_at": tx.ts}])
        tx.info["undoes"] = before.id
    return replace(before, id=new_id, action="undo", value=None, raw=None, reason=reason, moderator=name,
                   created_at=tx.ts, audit_seq=tx.seq, active=False)


# --------------------------------------------------------------------------- reading


_CURRENT = (
    "SELECT m.id, m.project_id, m.expert_id, m.indicator_id, m.action, m.value, m.raw, m.reason, m.moderator, "
    "m.score_value, m.score_seq, m.created_at, m.audit_seq, s.audit_seq FROM moderations m "
    "LEFT JOIN scores s ON s.project_id = m.project_id AND s.expert_id = m.expert_id "
    "AND s.indicator_id = m.indicator_id "
    "WHERE m.id = (SELECT max(id) FROM moderations l WHERE l.project_id = m.project_id "
    "AND l.expert_id = m.expert_id AND l.indicator_id = m.indicator_id) AND m.action != 'undo'")


def _moderation(row: tuple) -> Moderation:
    *fields, seq_now = row
    return Moderation(*fields, active=seq_now is not None and seq_now == fields[10])


def current_moderations(ledger: Ledger) -> list[Moderation]:
    """Every moderation in force (applied or stale), oldest first."""
    if not _has_table(ledger):
        return []
    return [_moderation(r) for r in ledger.conn.execute(_CURRENT + " ORDER BY m.id")]


def current(ledger: Ledger, project_id: str, expert_id: str, indicator_id: str) -> Moderation | None:
    row = ledger.conn.execute(_CURRENT + " AND m.project_id = ? AND m.expert_id = ? AND m.indicator_id = ?",
                              (project_id, expert_id, indicator_id)).fetchone()
    return _moderation(row) if row else None


def history(ledger: Ledger) -> list[dict[str, Any]]:
    """Every moderation action (undo included), oldest first."""
    if not _has_table(ledger):
        return []
    return [{k: r[k] for k in ("id", "project_id", "expert_id", "indicator_id", "action", "value", "raw", "reason",
                               "moderator", "score_value", "created_at", "audit_seq")}
            for r in ledger.rows("moderations", order="id")]


def _has_table(ledger: Ledger) -> bool:
    # a ledger opened without migrating (Ledger.open(migrate=False)) may predate the table
    return ledger.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'moderations'"
                               ).fetchone() is not None


def apply_moderation(ledger: Ledger, values, experts, projects, indicators) -> list[Moderation]:
    """Apply the moderations in force to ``values`` (E, P, I, writable) in place: excluded scores become
    NaN, overridden ones take the override. Returns the moderations applied (stale ones are not)."""
    import math

    ei = {x: k for k, x in enumerate(experts)}
    pi = {x: k for k, x in enumerate(projects)}
    ii = {x: k for k, x in enumerate(indicators)}
    applied = []
    for m in current_moderations(ledger):
        if not m.active:
            continue
        at = (ei.get(m.expert_id), pi.get(m.project_id), ii.get(m.indicator_id))
        if None in at:
            continue
        values[at] = math.nan if m.action == "exclude" else m.value
        applied.append(m)
    return applied


def moderation_summary(ledger: Ledger) -> dict[str, Any]:
    """What the evaluation records (``method["moderation"]``): moderated scores per action and per (action,
    reason), and the stale ones (language-free; :mod:`tlr.app.report_data` words it)."""
    mods = current_moderations(ledger)
    applied = [m for m in mods if m.active]
    by_action = {a: sum(m.action == a for m in applied) for a in ACTIONS}
    reasons: dict[tuple[str, str], int] = {}
    for m in applied:
        reasons[(m.action, m.reason)] = reasons.get((m.action, m.reason), 0) + 1
    return {
        "moderated": len(applied),
        "by_action": by_action,
        "by_reason": [{"action": a, "reason": r, "count": n} for (a, r), n in sorted(reasons.items())],
        "stale": sum(not m.active for m in mods),
    }


__all__ = ["ACTIONS", "Moderation", "apply_moderation", "check_reason", "current", "current_moderations", "history",
           "moderate", "moderation_summary", "moderator_actor", "undo"]
