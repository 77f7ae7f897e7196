"""Entering scores: one answer per transaction with its audit entry, or a validated batch.

An expert can score only projects assigned to them and not recused, and only the
indicators that apply to the project's achievement type. Values are validated by the
indicator's scale (:func:`tlr.rubric.scales.parse_score`) and stored as numbers with
the raw text kept beside them.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError
from tlr.safetext import FREE_TEXT_FORMAT_OK

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


_UNKNOWN = object()


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

    def value(self, project_id: str, indicator_id: str, raw: Any, *,
              achievement_type: Any = _UNKNOWN) -> tuple[Any, float]:
        """(indicator, stored number) of an answer; ``achievement_type``: the project's, when known."""
        info = self.indicator(indicator_id)
        if achievement_type is _UNKNOWN:
            if project_id not in self._types:
                row = self.ledger.conn.execute("SELECT achievement_type FROM projects WHERE id = ?",
                                               (project_id,)).fetchone()
                self._types[project_id] = row[0] if row else None
            achievement_type = self._types[project_id]
        if not indicator_applies(self.rubric, info, achievement_type):
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


FIRST_ARRAY_CELLS = 16_000_000  # (expert x project pairs) x indicators held as a flat array, 64 MB at most
ANSWER_KINDS = {"expert": "text", "project": "text", "indicator": "text", "value": "text", "comment": "multiline",
                "evidence": "multiline"}
BULK_CACHE_MB = 128             # SQLite page cache while an answers file is written (see Transaction.put_stream)
ANSWER_FIELDS = ("expert_id", "project_id", "indicator_id", "value", "raw", "comment", "evidence")
CHECKED_TEXTS = 2_000_000       # distinct (type, indicator, value) remembered as parsed
_LINE_ONLY = re.compile("[\t\n\r\u2028\u2029" + FREE_TEXT_FORMAT_OK + "]")   # refused in one line, allowed in free text


def read_answers(ledger: Ledger, expert_id: str | None, path: str | Path, *,
                 encoding: str | None = None) -> tuple[list[dict], list[Diagnostic]]:
    """Read and validate an answers file (CSV/XLSX/JSON: [expert,] project, indicator, value[, comment,
    evidence]) of one expert (``expert_id``) or of the whole panel (``None``: an expert column)."""
    rows: list[dict] = []
    table, answers, findings = _answers_checker(ledger, expert_id, path, encoding)
    if answers is not None:
        for number, values in answers.stream():
            row = answers.row(number, values, findings)
            if row is not None:
                rows.append(dict(zip(ANSWER_FIELDS, row)))
    return rows, findings.diagnostics()


class _Answers:
    """Checks and converts the rows of an answers file: one expert's (``expert_id``) or the whole panel's
    (``expert_id`` None: each row names its expert).

    Keeps, for the duplicate check, the row number of the first answer per (expert, project, indicator),
    not the rows; and, so that 2.5 million rows are checked in seconds, the cell texts already found
    clean, the values already parsed and which indicators apply to which achievement type.
    """

    def __init__(self, ledger: Ledger, expert_id: str | None, table: Any, mapping: dict[str, str]):
        self.ledger = ledger
        self.expert_id = expert_id
        self.table = table
        self.mapping = mapping
        self.validator = _validator(ledger)
        conn = ledger.conn
        # expert -> {project -> pair number}: assigned and not recused (as assigned_projects(), without loading
        # the projects), and each such project's achievement type
        self.pairs: dict[str, dict[str, int]] = {}
        self.types: dict[str, str | None] = {}
        sql = ("SELECT a.expert_id, a.project_id, p.achievement_type FROM assignments a JOIN projects p ON "
               "p.id = a.project_id WHERE NOT EXISTS (SELECT 1 FROM recusals r WHERE r.expert_id = a.expert_id "
               "AND r.project_id = a.project_id)")
        n = 0
        for e, pid, at in conn.execute(sql + (" AND a.expert_id = ?" if expert_id else ""),
                                       (expert_id,) if expert_id else ()):
            self.pairs.setdefault(e, {})[pid] = n
            self.types[pid] = at
            n += 1
        self.experts = {expert_id} if expert_id else {r[0] for r in conn.execute("SELECT id FROM experts")}
        self.projects = {r[0] for r in conn.execute("SELECT id FROM projects")}   # no query while rows are written
        self.indicators = {info.id: k for k, info in enumerate(self.validator.rubric.indicators)}
        # the row of the first answer for each (pair, indicator): a flat array of 4-byte row numbers
        # (0 = none yet), or a dict when that would be large
        cells = n * len(self.indicators)
        self.dense = cells <= FIRST_ARRAY_CELLS
        self.first: Any = array("I", [0]) * cells if self.dense else {}
        self.count = 0                      # answers given
        self.parsed: dict[tuple[Any, str, str], float] = {}  # (type, indicator, raw) -> value
        self.plain = not table.special      # a CSV: every cell is text, already stripped and checked by the reader
        order = ("expert", "project", "indicator", "value", "comment", "evidence")
        self.headers = [mapping.get(f) for f in order]
        self.fields = [(k, f, mapping[f], ANSWER_KINDS[f]) for k, f in enumerate(order) if f in mapping]
        self.lines = [k for k, f, _h, kind in self.fields if kind == "text"]

    def loc(self, number: int, f: str) -> Location:
        return self.table.where(number, self.mapping.get(f, f))

    def stream(self) -> Iterator[tuple[int, list[str]]]:
        """The file's rows as the values of (expert, project, indicator, value, comment, evidence)."""
        return self.table.stream_values(self.headers)

    def _cells_ok(self, number: int, values: list[str], findings: Any) -> bool:
        if self.plain:
            # the reader refuses what the free policy refuses (and then the import): the one-line fields may
            # in addition hold no line break, tab or the few format characters free text allows
            if "".join([values[k] for k in self.lines]).isprintable() or \
                    _LINE_ONLY.search("".join([values[k] for k in self.lines])) is None:
                return True
        table = self.table
        ok = True
        for k, f, header, kind in self.fields:
            text = values[k]
            if not text:
                continue
            problem = cell_problem(table, number, header, text, kind)
            if problem and not (f == "value" and problem[0] == "bad_type" and table.kind_of(number, header)
                                == "boolean"):
                findings.append(Diagnostic("error", problem[1], self.loc(number, f), code=problem[0]))
                ok = False
        return ok

    def row(self, number: int, values: list[str], findings: Any) -> tuple | None:
        """The answer of a row (``values`` as :meth:`stream` gives them) as values of :data:`ANSWER_FIELDS`,
        or ``None`` for an empty answer or a refused row (its problems added to ``findings``)."""
        if not self.plain:
            values = [v.strip() for v in values]
        if not self._cells_ok(number, values, findings):
            return None
        e, pid, iid, raw, comment, evidence = values
        expert_id = self.expert_id
        if expert_id is not None:
            if e and e != expert_id:
                findings.append(Diagnostic("error", f"专家编号 {e} 与 --expert {expert_id} 不符 / expert {e} does not "
                                           f"match --expert {expert_id}", self.loc(number, "expert"),
                                           code="wrong_expert"))
                return None
            e = expert_id
        elif not e:
            findings.append(Diagnostic("error", "专家编号为空 / expert is empty", self.loc(number, "expert"),
                                       code="missing_value"))
            return None
        elif e not in self.experts:
            findings.append(Diagnostic("error", f"未知专家 / unknown expert '{e}'", self.loc(number, "expert"),
                                       code="unknown_expert", hint="`tlr experts list` 查看专家 / lists the experts"))
            return None
        if not pid:
            findings.append(Diagnostic("error", "项目编号为空 / project is empty", self.loc(number, "project"),
                                       code="missing_value"))
            return None
        mine = self.pairs.get(e)
        pair = mine.get(pid) if mine is not None else None
        if pair is None:
            if pid not in self.projects:
                findings.append(Diagnostic("error", f"未知项目 / unknown project '{pid}'", self.loc(number, "project"),
                                           code="unknown_project"))
            else:
                findings.append(Diagnostic("error", f"项目 {pid} 未分配给 {e}（或已回避） / project {pid} is not "
                                           f"assigned to {e} (or recused)", self.loc(number, "project"),
                                           code="not_assigned"))
            return None
        if not raw:
            return None  # an empty answer is simply not given
        at = self.types[pid]
        value = self.parsed.get((at, iid, raw))
        if value is None:
            try:
                _info, value = self.validator.value(pid, iid, raw, achievement_type=at)
            except CampaignError as exc:
                field = "indicator" if exc.code in ("unknown_indicator", "not_applicable") else "value"
                findings.append(Diagnostic("error", exc.message, self.loc(number, field), hint=exc.hint, code=exc.code))
                return None
            if len(self.parsed) < CHECKED_TEXTS:
                self.parsed[(at, iid, raw)] = value
        key = pair * len(self.indicators) + self.indicators[iid]
        first = self.first[key] if self.dense else self.first.get(key, 0)
        if first:
            what = f"{pid}/{iid}" if expert_id is not None else f"{e}/{pid}/{iid}"
            findings.append(Diagnostic("error", f"{what} 重复（第 {first} 行） / duplicate answer for {what} (first "
                                       f"on row {first})", self.loc(number, "indicator"), code="duplicate"))
            return None
        self.first[key] = number
        self.count += 1
        return e, pid, iid, value, raw, comment, evidence


def _answers_checker(ledger: Ledger, expert_id: str | None, path: str | Path, encoding: str | None):
    """``(table, checker or None, findings)`` for an answers file; the checker is None when a required
    column is missing (the findings say which; the file was still read for the reader's own problems)."""
    table = open_table(path, encoding=encoding)
    findings = Findings(table.file)
    lookup = {norm_header(s): f for f, syns in ANSWER_COLUMNS.items() for s in syns}
    mapping: dict[str, str] = {}
    for h in table.headers:
        f = lookup.get(norm_header(h)) if h else None
        if f and f not in mapping:
            mapping[f] = h
    for req in ("project", "indicator", "value") + (() if expert_id else ("expert",)):
        if req not in mapping:
            findings.append(Diagnostic("error", f"缺少必填列 / missing required column '{req}'",
                                       Location(file=table.file, row=1), code="missing_column",
                                       hint="accepted: " + ", ".join(ANSWER_COLUMNS[req]) + (
                                           "; 或用 --expert 指定专家 / or give --expert" if req == "expert" else "")))
    if findings.errors:
        for _row in table.stream():  # the reader's own problems come first, as they always did
            pass
        return table, None, findings
    return table, _Answers(ledger, expert_id, table, mapping), findings


def _refused(path: str | Path, findings: Findings) -> ValidationError:
    n = findings.errors
    return ValidationError(findings.diagnostics(), summary=f"{path}: {n} 个问题，未导入任何评分 / {n} problem(s), "
                                                           f"no score imported")


def import_answers(ledger: Ledger, expert_id: str | None, path: str | Path, *, actor: str | None = None,
                   dry_run: bool = False, encoding: str | None = None) -> dict[str, int]:
    """All-or-nothing import of an answers file; answers given replace earlier ones, others are kept.

    ``expert_id``: the expert whose answers the file holds; ``None``: the file is the whole panel's,
    with an expert column (专家编号), e.g. exported from an online review system.
    ``encoding``: the text encoding of a CSV/JSON file when it is not detected (e.g. ``big5``).

    The file is read once, streamed: each row is checked and, while no problem has been found, written
    (in audit entries of bounded size, :meth:`Transaction.put_stream`, all in one transaction); any
    problem rolls the whole import back and every problem is listed. The file's SHA-256 is taken first
    and compared with that of the bytes read, so a file changed meanwhile imports nothing.
    """
    if expert_id is not None:
        ledger.expert(expert_id)
    table, answers, findings = _answers_checker(ledger, expert_id, path, encoding)
    if answers is None:
        raise _refused(path, findings)
    if dry_run:
        for number, values in answers.stream():
            answers.row(number, values, findings)
        if findings.errors:
            raise _refused(path, findings)
        return {"set": answers.count, "removed": 0, "unchanged": 0}
    sha256 = table.sha256 or file_sha256(path)
    info: dict[str, Any] = {"file": Path(path).name, "sha256": sha256}
    if expert_id is not None:
        info["expert"] = expert_id
    counts = {"unchanged": 0}
    with ledger.write("scores.import", actor=actor or (expert_actor(expert_id) if expert_id else None),
                      info=info) as tx:
        conn = tx.conn
        # the experts with answers already: an unchanged answer of theirs is not rewritten (its time kept)
        scored = {e for e in answers.pairs if conn.execute("SELECT 1 FROM scores WHERE expert_id = ? LIMIT 1",
                                                           (e,)).fetchone()}
        same = "SELECT 1 FROM scores WHERE expert_id = ? AND project_id = ? AND indicator_id = ? AND value = ? " \
               "AND raw = ? AND comment = ? AND evidence = ?"

        def changed() -> Iterator[tuple]:
            for number, values in answers.stream():
                r = answers.row(number, values, findings)
                if r is None or findings.errors:
                    continue   # after the first problem the file is only checked: the import will roll back
                if r[0] in scored and conn.execute(same, r).fetchone():
                    counts["unchanged"] += 1
                    continue
                yield r

        written = tx.put_stream("scores", changed(), columns=ANSWER_FIELDS, same={"scored_at": tx.ts, "source": "file"},
                                cache_mb=BULK_CACHE_MB)
        if findings.errors:
            raise _refused(path, findings)
        if table.sha256 != sha256:
            raise CampaignError("文件在导入过程中被改动，未导入任何评分 / the file changed during the import; no score "
                                "imported", location=Location(file=str(path)), code="file_changed",
                                hint="文件不再改动后重新导入 / import it again once it no longer changes")
        tx.info["set"] = written
    return {"set": written, "removed": 0, "unchanged": counts["unchanged"]}


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["record_score", "clear_score", "import_answers", "read_answers", "expert_items", "expert_scores",
           "assigned_projects", "applicable_indicators", "Item", "ScoreRecord"]
