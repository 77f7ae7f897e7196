"""Re-scoring rounds (复议): after the panel's discussion, a project is scored again, the first round kept.

Opening round ``r + 1`` for a project (``rescore.open``, one audited transaction for all the projects
named) copies every answer of round ``r`` for that project into ``score_rounds`` (append-only) and
records the round in ``rescore_rounds``. The ``scores`` table goes on holding each expert's *latest*
answer, so every way of scoring (``tlr score``, answer files, scoresheets) and every reader of
``scores`` works unchanged, imports stay all-or-nothing, and the evaluation uses the latest round per
(expert, project, indicator) cell: the round-2 answer where one was given, else the round-1 answer,
which stands. An answer withdrawn in round 2 is withdrawn (the evaluation no longer uses it); round 1
still shows it.

An answer belongs to the new round when it was written after the round was opened (its audit
position ``audit_seq`` is after the ``rescore.open`` entry's).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tlr.errors import CampaignError, Location

from .ledger import Ledger, default_actor
from .moderation import check_reason

SCORE_COLUMNS = ("expert_id", "indicator_id", "value", "raw", "comment", "evidence", "scored_at", "source",
                 "audit_seq")


def _has_tables(ledger: Ledger) -> bool:
    return ledger.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rescore_rounds'"
                               ).fetchone() is not None


def current_rounds(ledger: Ledger) -> dict[str, dict[str, Any]]:
    """project id -> its latest opened round ``{round, reason, opened_by, opened_at, audit_seq}`` (projects
    never re-scored are absent: they are in round 1)."""
    if not _has_tables(ledger):
        return {}
    rows = ledger.conn.execute(
        "SELECT r.project_id, r.round, r.reason, r.opened_by, r.opened_at, r.audit_seq FROM rescore_rounds r "
        "JOIN projects p ON p.id = r.project_id "
        "WHERE r.round = (SELECT max(round) FROM rescore_rounds x WHERE x.project_id = r.project_id) "
        "ORDER BY p.seq").fetchall()
    return {p: {"round": r, "reason": why, "opened_by": who, "opened_at": ts, "audit_seq": seq}
            for p, r, why, who, ts, seq in rows}


def rescored_projects(ledger: Ledger) -> list[dict[str, Any]]:
    """The projects with a re-scoring round, in project order: ``{project, round, reason}``."""
    return [{"project": p, "round": r["round"], "reason": r["reason"]} for p, r in current_rounds(ledger).items()]


def _project_ids(ledger: Ledger, project_ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(p.strip() for p in project_ids if p and p.strip()))
    if not wanted:
        raise CampaignError("请用 --projects 指定项目 / name the projects with --projects P001,P002",
                            location=Location(field="--projects"), code="usage")
    known = {r[0] for r in ledger.conn.execute("SELECT id FROM projects")}
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise CampaignError(f"未知项目 / unknown project(s): {', '.join(unknown)}", location=Location(field="--projects"),
                            hint="`tlr projects list` 查看项目 / lists the projects", code="unknown_project")
    return wanted


def open_rescore(ledger: Ledger, project_ids: Iterable[str], *, reason: str = "",
                 actor: str | None = None) -> dict[str, dict[str, int]]:
    """Open the next round for each project (all or none); returns project -> {round, kept} (``kept``:
    answers of the closed round copied to ``score_rounds``)."""
    projects = _project_ids(ledger, project_ids)
    reason = check_reason(reason) if reason and reason.strip() else ""
    actor = actor or default_actor()
    out: dict[str, dict[str, int]] = {}
    with ledger.write("rescore.open", actor=actor, info={"projects": projects, "reason": reason}) as tx:
        rounds = current_rounds(ledger)
        for pid in projects:
            closing = rounds.get(pid, {}).get("round", 1)
            kept = [dict(zip(SCORE_COLUMNS, r)) for r in tx.conn.execute(
                f"SELECT {', '.join(SCORE_COLUMNS)} FROM scores WHERE project_id = ? ORDER BY expert_id, indicator_id",
                (pid,))]
            tx.put("score_rounds", [{**{k: v for k, v in r.items() if k != "audit_seq"}, "score_seq": r["audit_seq"],
                                     "project_id": pid, "round": closing} for r in kept])
            tx.put("rescore_rounds", [{"project_id": pid, "round": closing + 1, "reason": reason, "opened_by": actor,
                                       "opened_at": tx.ts}])
            out[pid] = {"round": closing + 1, "kept": len(kept)}
    return out


def round_changes(ledger: Ledger, project_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Per re-scored project, expert and indicator: the previous round's answer and the current one.

    ``before``/``after`` are stored values (``None``: no answer in that round); ``rescored`` says whether
    the expert answered again in the new round (else the earlier answer stands, ``change`` 0);
    ``change`` = after − before when both exist. Ordered by project, expert (import order), indicator
    (rubric order).
    """
    rounds = current_rounds(ledger)
    if project_ids is not None:
        wanted = _project_ids(ledger, project_ids)
        missing = [p for p in wanted if p not in rounds]
        if missing:
            raise CampaignError(f"项目未开启复议 / no re-scoring round opened for: {', '.join(missing)}",
                                location=Location(field="--projects"), code="not_rescored",
                                hint="`tlr moderate rescore open --projects …` 开启 / opens one")
        rounds = {p: rounds[p] for p in wanted}
    order_e = {r[0]: r[1] for r in ledger.conn.execute("SELECT id, seq FROM experts")}
    order_i = {info.id: k for k, info in enumerate(ledger.rubric.indicators)}
    out: list[dict[str, Any]] = []
    for pid, info in rounds.items():
        before = {(e, i): (v, raw) for e, i, v, raw in ledger.conn.execute(
            "SELECT expert_id, indicator_id, value, raw FROM score_rounds WHERE project_id = ? AND round = ?",
            (pid, info["round"] - 1))}
        after = {(e, i): (v, raw, seq) for e, i, v, raw, seq in ledger.conn.execute(
            "SELECT expert_id, indicator_id, value, raw, audit_seq FROM scores WHERE project_id = ?", (pid,))}
        cells = sorted(before.keys() | after.keys(), key=lambda c: (order_e.get(c[0], 1 << 62), c[0],
                                                                    order_i.get(c[1], 1 << 30), c[1]))
        for e, i in cells:
            b, a = before.get((e, i)), after.get((e, i))
            rescored = a is not None and a[2] > info["audit_seq"]
            out.append({"project": pid, "expert": e, "indicator": i, "round_before": info["round"] - 1,
                        "round_after": info["round"], "before": b[0] if b else None, "before_raw": b[1] if b else None,
                        "after": a[0] if a else None, "after_raw": a[1] if a else None, "rescored": rescored,
                        "withdrawn": b is not None and a is None,
                        "change": (a[0] - b[0]) if a is not None and b is not None else None})
    return out


__all__ = ["current_rounds", "open_rescore", "rescored_projects", "round_changes"]
