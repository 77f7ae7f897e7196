"""An expert's TRL checklist in the interactive ``tlr score`` session: answers, position, judgement.

A ``levels`` indicator whose scale has checklist questions (e.g. the imported ladder
``trl-cn-development``) can be scored through its checklist: the expert answers the questions
level by level and the level given by the cumulative rule (:func:`tlr.trl.determine_level`) is
recorded as the expert's score. This module holds the storage (no user interface):

* ``checklist_answers`` — one row per (expert, project, indicator, question): ``yes`` / ``no`` /
  ``na`` or a percent (``"80"``). Each answer is written in its own transaction with an audit entry
  ``checklist.answer`` whose payload carries the row (``put``), together with the position.
* ``checklist_sessions`` — per (expert, project, indicator): ``open`` (question to resume at, NULL
  = every step done, only the conclusion is pending) or ``done`` (the level was recorded).

The checklist is the expert's own judgement: it is never turned into the project's evidence-based
assessment (``trl_assessments``, an assessor's role). Levels are ordinal: never averaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlr.errors import CampaignError, TlrError

from .ledger import Ledger, Transaction, expert_actor, now
from .rules import indicator_applies
from .scoring import _check_pair, _validator

ANSWERS_TABLE = "checklist_answers"
ANSWER_COLUMNS = ("expert_id", "project_id", "indicator_id", "question_id", "answer", "answered_at")

__all__ = ["ChecklistState", "has_checklist", "ladder_of", "load_state", "save_answer", "set_position",
           "mark_done", "level_can_be_green", "conclusion", "format_answer", "abbreviation", "checklist_answers",
           "checklist_judgements"]


def has_checklist(scale: Any) -> bool:
    """True for a ``levels`` scale with at least one checklist question."""
    from tlr.rubric.kinds import kind_of

    return kind_of(scale).ladder and any(level.checklist for level in scale.levels)


_LADDERS: dict[int, Any] = {}


def ladder_of(scale: Any):
    """The checked :class:`tlr.trl.Ladder` of a rubric's levels scale (cached per scale object)."""
    from tlr.trl import ladder_from_scale

    lad = _LADDERS.get(id(scale))
    if lad is None or lad.scale is not scale:
        lad = _LADDERS[id(scale)] = ladder_from_scale(scale)
    return lad


def abbreviation(scale: Any, indicator_id: str = "") -> str:
    """What precedes a level number: the scale's ``abbreviation``, else ``TRL``/``MRL``… from the id."""
    abbr = getattr(scale, "abbreviation", None)
    if abbr:
        return abbr
    base = indicator_id.split("_")[0]
    return base.upper() if base.isalpha() and len(base) <= 4 else "Level"


def format_answer(value: Any) -> str:
    """Stored text of an answer: ``yes`` / ``no`` / ``na`` or the percent (``"80"``, ``"62.5"``)."""
    return value if isinstance(value, str) else f"{float(value):g}"


@dataclass
class ChecklistState:
    """One expert's checklist on one project x indicator, as stored."""

    expert_id: str
    project_id: str
    indicator_id: str
    answers: dict[str, Any] = field(default_factory=dict)   # question id -> 'yes' | 'no' | 'na' | float
    status: str | None = None                                # None (never opened), 'open', 'done'
    position: str | None = None                              # question to resume at (status 'open')

    @property
    def started(self) -> bool:
        return self.status is not None or bool(self.answers)


def _decode(ladder, qid: str, text: str) -> Any:
    from tlr.trl import parse_answer

    try:
        _level, item = ladder.question(qid)
    except KeyError:
        return None
    try:
        return parse_answer(text, item)
    except TlrError:  # a damaged value behind the tool's back: treated as unanswered
        return None


def load_state(ledger: Ledger, expert_id: str, project_id: str, indicator_id: str, ladder) -> ChecklistState:
    state = ChecklistState(expert_id, project_id, indicator_id)
    for qid, text in ledger.conn.execute(
            "SELECT question_id, answer FROM checklist_answers WHERE expert_id = ? AND project_id = ? "
            "AND indicator_id = ?", (expert_id, project_id, indicator_id)):
        value = _decode(ladder, qid, text)
        if value is not None:
            state.answers[qid] = value
    row = ledger.conn.execute("SELECT status, question_id FROM checklist_sessions WHERE expert_id = ? AND "
                              "project_id = ? AND indicator_id = ?", (expert_id, project_id, indicator_id)).fetchone()
    if row:
        state.status, state.position = row[0], row[1]
    return state


def _put_position(conn, expert_id: str, project_id: str, indicator_id: str, status: str,
                  question_id: str | None, ts: str) -> None:
    conn.execute("INSERT OR REPLACE INTO checklist_sessions VALUES (?, ?, ?, ?, ?, ?)",
                 (expert_id, project_id, indicator_id, status, question_id, ts))


def save_answer(ledger: Ledger, expert_id: str, project_id: str, indicator_id: str, question_id: str, value: Any,
                *, next_question: str | None, actor: str | None = None) -> None:
    """Commit one checklist answer (audited, ``checklist.answer``) and the position to resume at.

    ``value``: anything :func:`tlr.trl.parse_answer` takes, checked against the question (a percent
    only for ``answer: percent`` questions); an unknown indicator or question is refused.
    """
    text = format_answer(_checked(ledger, project_id, indicator_id, question_id, value))
    with ledger.write("checklist.answer", actor=actor or expert_actor(expert_id)) as tx:
        _check_pair(tx.conn, expert_id, project_id)
        old = tx.conn.execute("SELECT answer FROM checklist_answers WHERE expert_id = ? AND project_id = ? AND "
                              "indicator_id = ? AND question_id = ?",
                              (expert_id, project_id, indicator_id, question_id)).fetchone()
        if old is not None:
            tx.info["previous"] = old[0]
        row = {"expert_id": expert_id, "project_id": project_id, "indicator_id": indicator_id,
               "question_id": question_id, "answer": text, "answered_at": tx.ts}
        _put_answer(tx, row)
        _put_position(tx.conn, expert_id, project_id, indicator_id, "open", next_question, tx.ts)


def _checked(ledger: Ledger, project_id: str, indicator_id: str, question_id: str, value: Any) -> Any:
    from tlr.trl import parse_answer

    validator = _validator(ledger)
    info = validator.indicator(indicator_id)
    if not has_checklist(info.scale):
        raise CampaignError(f"指标 {indicator_id} 没有核查清单 / indicator {indicator_id} has no checklist",
                            code="no_checklist")
    achievement = ledger.conn.execute("SELECT achievement_type FROM projects WHERE id = ?",
                                      (project_id,)).fetchone()
    if achievement and not indicator_applies(ledger.rubric, info, achievement[0]):
        raise CampaignError(f"指标 {indicator_id} 不适用于项目 {project_id} 的成果类型 / indicator {indicator_id} "
                            f"does not apply to project {project_id}'s achievement type", code="not_applicable")
    try:
        _level, item = ladder_of(info.scale).question(question_id)
    except KeyError:
        raise CampaignError(f"未知核查问题 / unknown checklist question '{question_id}' ({indicator_id})",
                            code="unknown_question") from None
    try:
        return parse_answer(value, item)
    except TlrError as exc:
        raise CampaignError(f"{question_id}: {exc.message}", code="invalid_value", hint=exc.hint) from None


def _put_answer(tx: Transaction, row: dict) -> None:
    tx.put(ANSWERS_TABLE, [dict(row)])


def set_position(ledger: Ledger, expert_id: str, project_id: str, indicator_id: str, question_id: str | None,
                 *, status: str = "open") -> None:
    """Remember where the expert is inside the checklist (a position, not evaluation data: not audited)."""
    ledger._begin()
    try:
        _put_position(ledger.conn, expert_id, project_id, indicator_id, status, question_id, now())
        ledger.conn.execute("COMMIT")
    except BaseException:
        ledger.conn.execute("ROLLBACK")
        raise


def mark_done(expert_id: str, project_id: str, indicator_id: str):
    """A hook for :func:`tlr.campaign.scoring.record_score`: the checklist is done in the score's transaction."""
    def hook(tx: Transaction) -> None:
        _put_position(tx.conn, expert_id, project_id, indicator_id, "done", None, tx.ts)
        tx.info["checklist"] = "done"
    return hook


# --------------------------------------------------------------------------- the rule


def level_can_be_green(ladder, number: int, answers: dict[str, Any], green: float | None = None) -> bool:
    """Could level ``number`` still be green if every unanswered question of it were answered yes?"""
    from tlr.trl.determine import EPS, question_score

    g = ladder.scale.green_threshold if green is None else green
    level = ladder.level(number)
    total, n = 0.0, 0
    for item in level.checklist:
        value = answers.get(item.id)
        score = 1.0 if value is None else question_score(value)
        if score is None:
            continue
        total += score
        n += 1
    if n == 0:
        return False   # no applicable question: only an assessor's written assertion can reach it
    return total / n >= g - EPS


def conclusion(ladder, answers: dict[str, Any], prefix: str = "TRL") -> tuple[Any, str]:
    """(determination, comment) for these answers: ``核查清单 / checklist: TRL 5; 缺 / missing for TRL 6: ...``."""
    from tlr.trl import determine_level

    det = determine_level(ladder, answers)
    head = (f"核查清单 / checklist: {prefix} {det.achieved}" if det.achieved is not None
            else f"核查清单 / checklist: 未达到 / below {prefix} {ladder.numbers[0]}")
    nxt = det.next
    if nxt is None:
        return det, head + "（最高级 / top level）"
    if nxt.missing:
        ids = ", ".join(m.question for m in nxt.missing)
        return det, f"{head}; 缺 / missing for {prefix} {nxt.level}: {ids}"
    return det, f"{head}; {prefix} {nxt.level}: 无适用问题 / no applicable question"


# --------------------------------------------------------------------------- reading and export


# only pairs still assigned and not recused (a recusal withdraws the expert's scores; the checklist
# rows stay in the ledger, with their audit entries, but are no longer shown as a judgement)
_CURRENT = ("EXISTS (SELECT 1 FROM assignments a WHERE a.expert_id = t.expert_id AND a.project_id = t.project_id) "
            "AND NOT EXISTS (SELECT 1 FROM recusals r WHERE r.expert_id = t.expert_id "
            "AND r.project_id = t.project_id)")


def checklist_answers(ledger: Ledger, expert_id: str | None = None) -> list[dict]:
    """Every stored checklist answer (optionally of one expert) on pairs still assigned and not recused,
    in expert / project / ladder order."""
    sql = ("SELECT expert_id, project_id, indicator_id, question_id, answer, answered_at, audit_seq "
           f"FROM checklist_answers t WHERE {_CURRENT}")
    params: tuple = ()
    if expert_id is not None:
        sql += " AND expert_id = ?"
        params = (expert_id,)
    cols = (*ANSWER_COLUMNS, "audit_seq")
    rows = [dict(zip(cols, r, strict=True)) for r in ledger.conn.execute(sql, params)]
    order = _question_order(ledger)
    rows.sort(key=lambda r: (r["expert_id"], r["project_id"], r["indicator_id"],
                             order.get((r["indicator_id"], r["question_id"]), 10**6), r["question_id"]))
    return rows


def _question_order(ledger: Ledger) -> dict[tuple[str, str], int]:
    out = {}
    for info in ledger.rubric.indicators:
        if has_checklist(info.scale):
            for k, (_level, item) in enumerate(ladder_of(info.scale).questions()):
                out[(info.id, item.id)] = k
    return out


def checklist_judgements(ledger: Ledger, expert_id: str | None = None) -> list[dict]:
    """Per expert x project x indicator with checklist answers: the level by the cumulative rule, the
    next level and what it misses, the status, and the expert's stored score beside it.

    A per-expert judgement; not the project's evidence-based assessment, and never averaged.
    """
    if expert_id is not None:
        ledger.expert(expert_id)
    rubric = ledger.rubric
    keys: dict[tuple[str, str, str], None] = {}
    where, params = (f"WHERE {_CURRENT} AND expert_id = ?", (expert_id,)) if expert_id else (f"WHERE {_CURRENT}", ())
    for table in ("checklist_answers", "checklist_sessions"):
        for key in ledger.conn.execute(f"SELECT expert_id, project_id, indicator_id FROM {table} t {where}", params):
            keys[tuple(key)] = None
    out = []
    for e, p, i in sorted(keys):
        try:
            info = rubric.indicator(i)
        except KeyError:
            continue
        if not has_checklist(info.scale):
            continue
        ladder = ladder_of(info.scale)
        state = load_state(ledger, e, p, i, ladder)
        prefix = abbreviation(info.scale, i)
        try:
            det, comment = conclusion(ladder, state.answers, prefix)
        except TlrError:
            continue
        nxt = det.next
        score = ledger.conn.execute("SELECT value, raw, source FROM scores WHERE expert_id = ? AND project_id = ? "
                                    "AND indicator_id = ?", (e, p, i)).fetchone()
        out.append({
            "expert": e, "project": p, "indicator": i, "status": state.status or "open",
            "level": det.achieved, "prefix": prefix, "next_level": det.next_level,
            "missing_for_next": [m.question for m in nxt.missing] if nxt else [],
            "answers": len(state.answers), "questions": len(ladder.questions()), "summary": comment,
            "score": score[0] if score else None, "score_source": score[2] if score else None,
            "score_matches": bool(score) and det.achieved is not None and float(score[0]) == float(det.achieved),
        })
    return out
