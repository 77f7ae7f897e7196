"""Entering scores: one answer per transaction with its audit entry, or a validated batch.

An expert can score only projects assigned to them and not recused, and only the
indicators that apply to the project's achievement type. Values are validated by the
indicator's scale (:func:`tlr.rubric.scales.parse_score`) and stored as numbers with
the raw text kept beside them.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError

from .imports import Findings, cell_problem
from .ledger import Ledger, Transaction, expert_actor
from .rules import indicator_applies
from .tables import norm_header, open_table

ANSWER_COLUMNS: dict[str, tuple[str, ...]] = {
    "expert": ("expert", "expert_id", "专家编号", "专家"),
    "project": ("project", "project_id", "项目编号", "项目"),
    "indicator": ("indicator", "indicator_id", "指标编号", "指标"),
    "value": ("value", "score", "分值", "评分", "得分", "等级"),
    "comment": ("comment", "意见", "评语", "备注"),
    "evidence": ("evidence", "依据", "证据"),
}


def applicable_indicators(rubric: Any, achievement_type: str | None) -> list[Any]:
    return [i for i in rubric.indicators if indicator_applies(rubric, i, achievement_type)]


@dataclass(frozen=True)
class Item:
    """One thing an expert scores: a project x indicator."""

    project: dict
    indicator: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.project["id"], self.indicator.id)


def assigned_projects(ledger: Ledger, expert_id: str) -> list[dict]:
    """Projects assigned to the expert and not recused, in project order."""
    ledger.expert(expert_id)
    rows = ledger.conn.execute(
        "SELECT p.id FROM assignments a JOIN projects p ON p.id = a.project_id "
        "WHERE a.expert_id = ? AND NOT EXISTS (SELECT 1 FROM recusals r WHERE r.expert_id = a.expert_id "
        "AND r.project_id = a.project_id) ORDER BY p.seq", (expert_id,)).fetchall()
    ids = {r[0] for r in rows}
    return [p for p in ledger.projects() if p["id"] in ids]


def expert_items(ledger: Ledger, expert_id: str) -> list[Item]:
    rubric = ledger.rubric
    items = []
    for proj in assigned_projects(ledger, expert_id):
        for ind in applicable_indicators(rubric, proj.get("achievement_type")):
            items.append(Item(proj, ind))
    return items


def expert_scores(ledger: Ledger, expert_id: str) -> dict[tuple[str, str], dict]:
    """(project, indicator) -> score row of this expert."""
    return {(r["project_id"], r["indicator_id"]): r for r in ledger.rows("scores", "expert_id = ?", (expert_id,))}


def _check_pair(conn, expert_id: str, project_id: str) -> None:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM experts WHERE id = ?), (SELECT count(*) FROM projects WHERE id = ?), "
        "(SELECT count(*) FROM assignments WHERE expert_id = ? AND project_id = ?), "
        "(SELECT reason FROM recusals WHERE expert_id = ? AND project_id = ?)",
        (expert_id, project_id, expert_id, project_id, expert_id, project_id)).fetchone()
    if not row[0]:
        raise CampaignError(f"没有编号为 {expert_id} 的专家 / no expert with id {expert_id}", code="unknown_expert")
    if not row[1]:
        raise CampaignError(f"没有编号为 {project_id} 的项目 / no project with id {project_id}",
                            code="unknown_project")
    if row[3] is not None:
        raise CampaignError(f"专家 {expert_id} 已回避项目 {project_id}，不能打分 / expert {expert_id} is recused "
                            f"from project {project_id} and cannot score it", code="recused")
    if not row[2]:
        raise CampaignError(f"项目 {project_id} 未分配给专家 {expert_id}，不能打分 / project {project_id} is not "
                            f"assigned to expert {expert_id}", code="not_assigned",
                            hint=f"`tlr status --expert {expert_id}` 查看分配 / shows the assignments")


@dataclass(frozen=True)
class ScoreRecord:
    expert_id: str
    project_id: str
    indicator_id: str
    value: float
    raw: str
    comment: str
    evidence: str
    scored_at: str
    audit_seq: int
    previous: float | None


class _Validator:
    """Validates (project, indicator, raw value) for one ledger, caching the rubric lookups."""

    def __init__(self, ledger: Ledger):
        self.rubric = ledger.rubric
        self.ledger = ledger
        self._types: dict[str, str | None] = {}

    def indicator(self, indicator_id: str):
        try:
            return self.rubric.indicator(indicator_id)
        except KeyError:
            known = ", ".join(i.id for i in self.rubric.indicators)
            raise CampaignError(f"未知指标 / unknown indicator '{indicator_id}'", hint=f"指标 / indicators: {known}",
                                code="unknown_indicator") from None

    def value(self, project_id: str, indicator_id: str, raw: Any) -> tuple[Any, float]:
        info = self.indicator(indicator_id)
        if project_id not in self._types:
            row = self.ledger.conn.execute("SELECT achievement_type FROM projects WHERE id = ?",
                                           (project_id,)).fetchone()
            self._types[project_id] = row[0] if row else None
        if not indicator_applies(self.rubric, info, self._types[project_id]):
            raise CampaignError(f"指标 {indicator_id} 不适用于项目 {project_id} 的成果类型 / indicator {indicator_id} "
                                f"does not apply to project {project_id}'s achievement type", code="not_applicable")
        from tlr.rubric.scales import parse_score

        try:
            return info, parse_score(info.scale, raw)
        except ValueError as exc:
            raise CampaignError(f"{indicator_id}: {exc}", code="invalid_value") from None


def _validator(ledger: Ledger) -> _Validator:
    v = getattr(ledger, "_score_validator", None)
    if v is None:
        v = ledger._score_validator = _Validator(ledger)
    return v


def record_score(ledger: Ledger, expert_id: str, project_id: str, indicator_id: str, raw: Any, *,
                 comment: str = "", evidence: str = "", source: str = "cli", actor: str | None = None,
                 cursor: tuple[str | None, str | None] | None = None,
                 within: Callable[[Transaction], None] | None = None) -> ScoreRecord:
    """Validate and commit one answer, with its audit entry, in its own transaction.

    ``cursor``: also remember the interactive session's position (same transaction).
    ``within``: called with the open transaction after the score is written (e.g. to mark the
    expert's TRL checklist done in the same commit).
    """
    validator = _validator(ledger)
    _info, value = validator.value(project_id, indicator_id, raw)
    raw_text = str(raw).strip()
    with ledger.write("score.set", actor=actor or expert_actor(expert_id)) as tx:
        _check_pair(tx.conn, expert_id, project_id)
        old = tx.conn.execute("SELECT value FROM scores WHERE expert_id = ? AND project_id = ? AND indicator_id = ?",
                              (expert_id, project_id, indicator_id)).fetchone()
        if old is not None:
            tx.info["previous"] = old[0]
        row = {"expert_id": expert_id, "project_id": project_id, "indicator_id": indicator_id, "value": value,
               "raw": raw_text, "comment": comment or "", "evidence": evidence or "", "scored_at": tx.ts,
               "source": source}
        tx.put("scores", [row])
        if cursor is not None:
            tx.conn.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                            (expert_id, cursor[0], cursor[1], tx.ts))
        if within is not None:
            within(tx)
    return ScoreRecord(expert_id, project_id, indicator_id, value, raw_text, comment or "", evidence or "",
                       tx.ts, tx.seq, old[0] if old else None)


def clear_score(ledger: Ledger, expert_id: str, project_id: str, indicator_id: str, *,
                actor: str | None = None) -> bool:
    """Withdraw one answer (audited). Returns False when there was none."""
    with ledger.write("score.clear", actor=actor or expert_actor(expert_id)) as tx:
        _check_pair(tx.conn, expert_id, project_id)
        if not tx.conn.execute("SELECT 1 FROM scores WHERE expert_id = ? AND project_id = ? AND indicator_id = ?",
                               (expert_id, project_id, indicator_id)).fetchone():
            return False
        tx.delete("scores", [(expert_id, project_id, indicator_id)])
    return True


# --------------------------------------------------------------------------- batches


def replace_scores(tx: Transaction, expert_id: str, rows: list[dict],
                   withdraw: list[tuple[str, str]] | tuple = ()) -> dict[str, int]:
    """Write the answers in ``rows`` that differ from the stored ones and withdraw the (project,
    indicator) answers in ``withdraw``. Nothing else is touched: an answer not mentioned is kept."""
    current = {(p, i): rest for p, i, *rest in tx.conn.execute(
        "SELECT project_id, indicator_id, value, raw, comment, evidence FROM scores WHERE expert_id = ?",
        (expert_id,))}
    changed = [r for r in rows if current.get((r["project_id"], r["indicator_id"])) !=
               [r["value"], r["raw"], r["comment"], r["evidence"]]]
    removed = sorted((expert_id, p, i) for p, i in set(withdraw) if (p, i) in current)
    tx.delete("scores", removed)
    tx.put("scores", changed)
    return {"set": len(changed), "withdrawn": len(removed), "unchanged": len(rows) - len(changed)}


FIRST_ARRAY_CELLS = 16_000_000  # (projects x indicators) of one expert held as a flat array, 64 MB at most
ANSWER_KINDS = {"expert": "text", "project": "text", "indicator": "text", "value": "text", "comment": "multiline",
                "evidence": "multiline"}


def read_answers(ledger: Ledger, expert_id: str, path: str | Path, *,
                 encoding: str | None = None) -> tuple[list[dict], list[Diagnostic]]:
    """Read and validate an answers file (CSV/XLSX/JSON: project, indicator, value[, comment, evidence])."""
    rows: list[dict] = []
    _table, _answers, findings = _check_answers(ledger, expert_id, path, encoding, keep=rows)
    return rows, findings.diagnostics()


class _Answers:
    """Checks and converts the rows of one expert's answers file (the one function both passes use).

    Keeps, for the duplicate check, the row number of the first answer per (project, indicator), not
    the rows.
    """

    def __init__(self, ledger: Ledger, expert_id: str, table: Any, mapping: dict[str, str]):
        ledger.expert(expert_id)
        self.ledger = ledger
        self.expert_id = expert_id
        self.table = table
        self.mapping = mapping
        self.validator = _validator(ledger)
        # projects assigned to the expert and not recused (as assigned_projects(), without loading them)
        self.allowed: dict[str, int] = {r[0]: k for k, r in enumerate(ledger.conn.execute(
            "SELECT p.id FROM assignments a JOIN projects p ON p.id = a.project_id "
            "WHERE a.expert_id = ? AND NOT EXISTS (SELECT 1 FROM recusals r WHERE r.expert_id = a.expert_id "
            "AND r.project_id = a.project_id)", (expert_id,)))}
        self.indicators = {info.id: k for k, info in enumerate(self.validator.rubric.indicators)}
        # the row of the first answer for each (project, indicator): a flat array of 4-byte row numbers
        # over the expert's projects x the indicators (0 = none yet), or a dict when that would be large
        cells = len(self.allowed) * len(self.indicators)
        self.first: Any = array("I", [0]) * cells if cells <= FIRST_ARRAY_CELLS else {}
        self.count = 0                      # answers given (pass 1)
        self.sha256 = ""                    # of the file pass 1 read

    def loc(self, number: int, f: str) -> Location:
        return self.table.where(number, self.mapping.get(f, f))

    def row(self, number: int, values: dict[str, str], findings: Any = None) -> dict | None:
        """The answer of a row (``None`` for an empty answer or, with ``findings``, a refused row)."""
        mapping, table = self.mapping, self.table
        get = lambda f: values.get(mapping[f], "").strip() if f in mapping else ""  # noqa: E731
        expert_id = self.expert_id
        pid, iid, raw = get("project"), get("indicator"), get("value")
        if findings is None:  # pass 2: the file was checked
            if not raw:
                return None
            _info, value = self.validator.value(pid, iid, raw)
            return {"expert_id": expert_id, "project_id": pid, "indicator_id": iid, "value": value, "raw": raw,
                    "comment": get("comment"), "evidence": get("evidence"), "source": "file"}
        bad = False
        for f, header in mapping.items():
            text = get(f)
            if not text:
                continue
            problem = cell_problem(table, number, header, text, ANSWER_KINDS[f])
            if problem and not (f == "value" and problem[0] == "bad_type" and table.kind_of(number, header)
                                == "boolean"):
                findings.append(Diagnostic("error", problem[1], self.loc(number, f), code=problem[0]))
                bad = True
        if bad:
            return None
        if "expert" in mapping and get("expert") and get("expert") != expert_id:
            findings.append(Diagnostic("error", f"专家编号 {get('expert')} 与 --expert {expert_id} 不符 / expert "
                                       f"{get('expert')} does not match --expert {expert_id}", self.loc(number, "expert"),
                                       code="wrong_expert"))
            return None
        if not pid:
            findings.append(Diagnostic("error", "项目编号为空 / project is empty", self.loc(number, "project"),
                                       code="missing_value"))
            return None
        if pid not in self.allowed:
            if self.ledger.conn.execute("SELECT 1 FROM projects WHERE id = ?", (pid,)).fetchone() is None:
                findings.append(Diagnostic("error", f"未知项目 / unknown project '{pid}'", self.loc(number, "project"),
                                           code="unknown_project"))
            else:
                findings.append(Diagnostic("error", f"项目 {pid} 未分配给 {expert_id}（或已回避） / project {pid} is not "
                                           f"assigned to {expert_id} (or recused)", self.loc(number, "project"),
                                           code="not_assigned"))
            return None
        if not raw:
            return None  # an empty answer is simply not given
        try:
            info, value = self.validator.value(pid, iid, raw)
        except CampaignError as exc:
            field = "indicator" if exc.code in ("unknown_indicator", "not_applicable") else "value"
            findings.append(Diagnostic("error", exc.message, self.loc(number, field), hint=exc.hint, code=exc.code))
            return None
        key = self.allowed[pid] * len(self.indicators) + self.indicators[info.id]
        first = self.first[key] if isinstance(self.first, array) else self.first.get(key, 0)
        if first:
            findings.append(Diagnostic("error", f"{pid}/{iid} 重复（第 {first} 行） / duplicate answer for "
                                       f"{pid}/{iid} (first on row {first})", self.loc(number, "indicator"),
                                       code="duplicate"))
            return None
        self.first[key] = number
        return {"expert_id": expert_id, "project_id": pid, "indicator_id": iid, "value": value, "raw": raw,
                "comment": get("comment"), "evidence": get("evidence"), "source": "file"}


def _check_answers(ledger: Ledger, expert_id: str, path: str | Path, encoding: str | None,
                   keep: list[dict] | None = None):
    """Pass 1 over an answers file: ``(table, checker or None, findings)``; the answers are counted in
    ``checker.count`` (and appended to ``keep`` if given)."""
    table = open_table(path, encoding=encoding)
    findings = Findings(table.file)
    lookup = {norm_header(s): f for f, syns in ANSWER_COLUMNS.items() for s in syns}
    mapping: dict[str, str] = {}
    for h in table.headers:
        f = lookup.get(norm_header(h)) if h else None
        if f and f not in mapping:
            mapping[f] = h
    for req in ("project", "indicator", "value"):
        if req not in mapping:
            findings.append(Diagnostic("error", f"缺少必填列 / missing required column '{req}'",
                                       Location(file=table.file, row=1), code="missing_column",
                                       hint="accepted: " + ", ".join(ANSWER_COLUMNS[req])))
    if findings.errors:
        for _row in table.stream():  # the reader's own problems come first, as they always did
            pass
        return table, None, findings
    answers = _Answers(ledger, expert_id, table, mapping)
    for number, values in table.stream():
        row = answers.row(number, values, findings)
        if row is not None:
            answers.count += 1
            if keep is not None:
                keep.append(row)
    answers.sha256 = table.sha256
    return table, answers, findings


def import_answers(ledger: Ledger, expert_id: str, path: str | Path, *, actor: str | None = None,
                   dry_run: bool = False, encoding: str | None = None) -> dict[str, int]:
    """All-or-nothing import of an expert's answers file; answers given replace earlier ones.

    ``encoding``: the text encoding of a CSV/JSON file when it is not detected (e.g. ``big5``).
    The file is read twice, streamed: once to check every row, once to write the answers (in
    audit entries of bounded size, :meth:`Transaction.put_stream`, all in one transaction).
    """
    ledger.expert(expert_id)
    table, answers, findings = _check_answers(ledger, expert_id, path, encoding)
    if findings.errors:
        n = findings.errors
        raise ValidationError(findings.diagnostics(), summary=f"{path}: {n} 个问题，未导入任何评分 / {n} "
                                                              f"problem(s), no score imported")
    if dry_run:
        return {"set": answers.count, "removed": 0, "unchanged": 0}
    counts = {"unchanged": 0}
    with ledger.write("scores.import", actor=actor or expert_actor(expert_id),
                      info={"expert": expert_id, "file": Path(path).name, "sha256": answers.sha256}) as tx:
        # answers given replace earlier ones; answers not given are kept
        has_scores = tx.conn.execute("SELECT 1 FROM scores WHERE expert_id = ? LIMIT 1", (expert_id,)).fetchone()
        same = "SELECT 1 FROM scores WHERE expert_id = ? AND project_id = ? AND indicator_id = ? AND value = ? " \
               "AND raw = ? AND comment = ? AND evidence = ?"

        def changed() -> Iterator[dict]:
            for number, values in table.stream(checked=False):
                r = answers.row(number, values)
                if r is None:
                    continue
                if has_scores and tx.conn.execute(same, (expert_id, r["project_id"], r["indicator_id"], r["value"],
                                                         r["raw"], r["comment"], r["evidence"])).fetchone():
                    counts["unchanged"] += 1
                    continue
                r["scored_at"] = tx.ts
                yield r

        written = tx.put_stream("scores", changed())
        if written + counts["unchanged"] != answers.count or table.sha256 != answers.sha256:
            raise CampaignError("文件在导入过程中被改动，未导入任何评分 / the file changed during the import; no score "
                                "imported", location=Location(file=str(path)), code="file_changed",
                                hint="文件不再改动后重新导入 / import it again once it no longer changes")
        tx.info["set"] = written
    return {"set": written, "removed": 0, "unchanged": counts["unchanged"]}


__all__ = ["record_score", "clear_score", "import_answers", "read_answers", "expert_items", "expert_scores",
           "assigned_projects", "applicable_indicators", "Item", "ScoreRecord"]
