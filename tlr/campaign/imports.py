"""Importing projects and experts: all-or-nothing, every problem listed with row and column.

Column headers may be Chinese or English (see :data:`PROJECT_COLUMNS`,
:data:`EXPERT_COLUMNS`; case, spaces, '*' and a trailing "(...)" note are ignored).
List-valued cells (co-applicants, fields, conflicts) are separated by ``;`` ``；``
``,`` ``，`` ``、`` ``|`` or a line break (in JSON they may also be arrays).

Text is checked per column (:mod:`tlr.safetext`): ids must be safe ids
(``[A-Za-z0-9][A-Za-z0-9._-]*``, at most 64 characters, no ``..``); names, institutions,
industries and list items must be one line without control, bidi or invisible format
characters; only the summary may hold line breaks and tabs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError
from tlr.safetext import id_problem, terminal_safe, text_problem

from .ledger import Ledger
from .store import Store
from .tables import Table, norm_header, open_table
from .vocab import achievement_type_id, achievement_type_names, industry_id, industry_names


@dataclass(frozen=True)
class Column:
    field: str
    synonyms: tuple[str, ...]
    required: bool = False
    kind: str = "text"  # id | text | multiline | list | industry | achievement | fields | number | trl
    zh: str = ""


PROJECT_COLUMNS: list[Column] = [
    Column("id", ("id", "project_id", "编号", "项目编号", "申报编号", "项目代码", "code"), True, kind="id",
           zh="项目编号"),
    Column("name", ("name", "project_name", "title", "项目名称", "名称", "成果名称"), True, zh="项目名称"),
    Column("applicant", ("applicant", "applicant_institution", "institution", "申报单位", "承担单位",
                         "第一完成单位", "申请单位", "单位"), True, zh="申报单位"),
    Column("industry", ("industry", "sector", "行业", "所属行业", "产业领域", "所属产业", "产业"), True,
           kind="industry", zh="行业"),
    Column("achievement_type", ("achievement_type", "type", "成果类型", "类型", "成果类别"),
           kind="achievement", zh="成果类型"),
    Column("co_applicants", ("co_applicants", "coapplicants", "partners", "合作单位", "共同申报单位",
                             "参与单位", "联合申报单位"), kind="list", zh="合作单位"),
    Column("excluded_experts", ("excluded_experts", "avoid_experts", "回避专家", "申请回避专家"),
           kind="list", zh="回避专家"),
    Column("keywords", ("keywords", "关键词", "技术领域", "field", "fields"), kind="list", zh="关键词"),
    Column("summary", ("summary", "abstract", "description", "项目简介", "简介", "摘要", "成果简介"),
           kind="multiline", zh="项目简介"),
    Column("region", ("region", "所在地区", "地区", "所属地区", "所在地"), zh="所在地区"),
]

EXPERT_COLUMNS: list[Column] = [
    Column("id", ("id", "expert_id", "专家编号", "编号", "code"), True, kind="id", zh="专家编号"),
    Column("name", ("name", "姓名", "专家姓名"), True, zh="姓名"),
    Column("institution", ("institution", "affiliation", "organisation", "organization", "单位", "工作单位",
                           "所在单位"), True, zh="单位"),
    Column("fields", ("fields", "field", "expertise", "领域", "专业领域", "擅长领域", "研究领域", "熟悉领域"), True,
           kind="fields", zh="领域"),
    Column("conflict_orgs", ("conflicts", "declared_conflicts", "conflict_institutions", "回避单位",
                             "利益冲突单位", "需回避单位"), kind="list", zh="回避单位"),
    Column("conflict_projects", ("conflict_projects", "回避项目", "需回避项目"), kind="list", zh="回避项目"),
    Column("title", ("title", "职称", "职务"), zh="职称"),
    Column("email", ("email", "e-mail", "邮箱", "电子邮箱"), zh="邮箱"),
]

LIST_SPLIT = re.compile(r"[;；,，、|\n\r]+")
_TRL = re.compile(r"(?:trl)?[-:：]?([1-9])(?:\.0+)?(?:级)?")
_NUMBER = re.compile(r"[+]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_trl(text: str) -> int | None:
    """A readiness level 1-9 written as ``6``, ``TRL6``, ``TRL 6``, ``TRL-6``, ``6级`` (full-width too), else None."""
    m = _TRL.fullmatch(_token(text))
    return int(m.group(1)) if m else None


def parse_number(text: str) -> float | None:
    """A finite number ≥ 0 (``1,200.5`` and ``1，200`` allowed), else None."""
    token = _token(text).replace(",", "")
    if not _NUMBER.fullmatch(token):
        return None
    return float(token)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(text or "") if part.strip()]


@dataclass
class ImportResult:
    kind: str
    file: str
    encoding: str | None
    count: int
    ids: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "encoding": self.encoding, "imported": self.count,
                "warnings": [w.to_dict() for w in self.warnings]}


def _map_headers(table: Table, columns: list[Column], diags: "list[Diagnostic] | Findings") -> dict[str, str]:
    """field -> header in the file. Reports missing required and ambiguous columns."""
    lookup: dict[str, Column] = {}
    for col in columns:
        for syn in col.synonyms:
            lookup.setdefault(norm_header(syn), col)
    mapping: dict[str, str] = {}
    for index, header in enumerate(table.headers, start=1):
        col = lookup.get(norm_header(header)) if header else None
        if col is None:
            continue
        if col.field in mapping:
            diags.append(Diagnostic(
                "error", f"列“{terminal_safe(header)}”与“{terminal_safe(mapping[col.field])}”重复（都表示 {col.field}） / "
                f"column '{terminal_safe(header)}' duplicates '{terminal_safe(mapping[col.field])}' (both mean "
                f"{col.field})", table.where(1, header) if table.kind != "json" else
                Location(file=table.file, field=terminal_safe(header)), code="duplicate_column"))
            continue
        mapping[col.field] = header
    for col in columns:
        if col.required and col.field not in mapping:
            diags.append(Diagnostic(
                "error", f"缺少必填列“{col.zh}” / missing required column '{col.field}'",
                Location(file=table.file, row=1 if table.kind != "json" else None),
                hint=f"表头可写 / accepted headers: {', '.join(col.synonyms[:4])}", code="missing_column"))
    return mapping


def _header_of(table: Table, field: str) -> str:
    syns = {norm_header(s) for c in PROJECT_COLUMNS + EXPERT_COLUMNS if c.field == field for s in c.synonyms}
    return next((h for h in table.headers if h and norm_header(h) in syns), field)


def _where(table: Table, number: int, header: str) -> Location:
    return table.where(number, header)


LIST_KINDS = ("list", "fields")


def cell_problem(table: Table, number: int, header: str, raw: str, kind: str) -> tuple[str, str] | None:
    """``(code, message)`` saying why a cell cannot go into a column of ``kind``, or None.

    ``kind``: ``id`` (a safe id), ``text`` (one line), ``multiline``, or a list kind (``list``/``fields``:
    each item one line). Checks the cell's shape (JSON arrays and true/false only where they
    fit), then the text policy of :mod:`tlr.safetext`. Also used for the columns of an answers file.
    """
    shape = table.kind_of(number, header)
    if shape == "boolean":
        return "bad_type", "应为文字，不能是逻辑值 true/false / expected text, not true/false"
    if shape == "array" and kind not in LIST_KINDS:
        return "bad_type", "应为文字，不能是数组 / expected text, not an array"
    if kind in LIST_KINDS:
        items = table.items(number, header)
        if items is None and raw.isprintable():   # nothing either policy refuses (see tlr.campaign.tables)
            return None
        for item in items or split_list(raw):
            problem = text_problem(item)
            if problem:
                return "bad_text", problem
        return None
    problem = None if raw.isprintable() else text_problem(raw, multiline=kind == "multiline")
    if problem:
        return "bad_text", problem
    if kind == "id":
        problem = id_problem(raw)
        if problem:
            return "bad_id", problem
    return None


MAX_LISTED = 1_000  # problems listed per severity; the rest are counted


class Findings:
    """The problems found in one file, in file order: all counted, the first :data:`MAX_LISTED`
    errors and the first :data:`MAX_LISTED` warnings kept (half a million bad rows must not fill the
    memory), then a note saying how many more there are."""

    def __init__(self, file: str):
        self.file = file
        self.listed: list[Diagnostic] = []
        self.later: list[Diagnostic] = []     # listed after the rows' own problems
        self.errors = 0
        self.warnings = 0

    def append(self, diag: Diagnostic, *, later: bool = False) -> None:
        if diag.severity == "error":
            self.errors += 1
            n = self.errors
        else:
            self.warnings += 1
            n = self.warnings
        if n <= MAX_LISTED:
            (self.later if later else self.listed).append(diag)

    def diagnostics(self) -> list[Diagnostic]:
        out = self.listed + self.later
        more = max(self.errors - MAX_LISTED, 0) + max(self.warnings - MAX_LISTED, 0)
        if more:
            out.append(Diagnostic("note", f"另有 {more} 个问题未列出（错误共 {self.errors} 个，警告共 {self.warnings} 个）/ "
                                          f"{more} more problem(s) not listed ({self.errors} error(s), "
                                          f"{self.warnings} warning(s) in all)", Location(file=self.file),
                                  code="more"))
        return out


@dataclass
class _Plan:
    """What pass 1 learnt about a file that can be imported: its rows' ids (in order) and its hash."""

    findings: Findings
    mapping: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)   # id -> row number
    count: int = 0
    sha256: str = ""


_MISS = object()


class _Converter:
    """Turns a row into a record of ``columns``: the one function both passes use, so they agree.

    With ``findings`` every cell is checked and each problem reported; without (pass 2, the file
    already checked) the row is only converted.
    """

    def __init__(self, table: Table, columns: list[Column], mapping: dict[str, str],
                 derive_id: Callable[[dict], str] | None = None):
        self.table = table
        self.mapping = mapping
        self.derive_id = derive_id              # an id for a row without one (e.g. from its name and owner)
        self.columns = [(col, mapping.get(col.field)) for col in columns]
        self.mapped = set(mapping.values())
        self.arrays = bool(table.special)       # only JSON/XLSX cells can be arrays or booleans
        self._vocab: dict[tuple[str, str], str | None] = {}

    def vocab(self, kind: str, raw: str) -> str | None:
        """``industry_id`` / ``achievement_type_id``, remembered (a file repeats a few names)."""
        key = (kind, raw)
        found = self._vocab.get(key, _MISS)
        if found is _MISS:
            found = industry_id(raw) if kind == "industry" else achievement_type_id(raw)
            if len(self._vocab) < 10_000:
                self._vocab[key] = found
        return found

    def where(self, number: int, field: str) -> Location:
        return _where(self.table, number, self.mapping.get(field, field))

    def record(self, number: int, values: dict[str, str],
               findings: Findings | None = None) -> tuple[dict[str, Any], bool]:
        table = self.table
        rec: dict[str, Any] = {}
        ok = True
        for col, header in self.columns:
            raw = values.get(header, "").strip() if header else ""
            if findings is not None:
                if col.required and not raw:
                    findings.append(Diagnostic("error", f"必填项“{col.zh}”为空 / required field '{col.field}' is "
                                                        f"empty", self.where(number, col.field), code="missing_value"))
                    ok = False
                    continue
                problem = cell_problem(table, number, header, raw, col.kind) if raw else None
                if problem:
                    findings.append(Diagnostic("error", problem[1], self.where(number, col.field), code=problem[0]))
                    ok = False
                    continue
            kind = col.kind
            if kind == "text" or kind == "id" or kind == "multiline":
                rec[col.field] = raw
                continue
            items = table.items(number, header) if raw and self.arrays else None
            if kind == "list":
                rec[col.field] = items if items is not None else split_list(raw)
            elif kind == "industry" or kind == "achievement":
                found = self.vocab(kind, raw) if raw else None
                if raw and found is None and findings is not None:
                    if kind == "industry":
                        findings.append(Diagnostic(
                            "error", f"未知行业“{raw}” / unknown industry '{raw}'", self.where(number, col.field),
                            hint=f"可选 / one of: {industry_names()}", code="unknown_industry"))
                    else:
                        findings.append(Diagnostic(
                            "error", f"未知成果类型“{raw}” / unknown achievement type '{raw}'",
                            self.where(number, col.field), hint=f"可选 / one of: {achievement_type_names()}",
                            code="unknown_achievement_type"))
                    ok = False
                rec[col.field] = found
            elif kind == "fields":
                items = items if items is not None else split_list(raw)
                rec[col.field] = [self.vocab("industry", x) or x for x in items]
            elif kind == "number" or kind == "trl":
                value = (parse_number(raw) if kind == "number" else parse_trl(raw)) if raw else None
                if raw and value is None and findings is not None:
                    message, hint = _BAD_VALUE[kind](raw)
                    findings.append(Diagnostic("error", message, self.where(number, col.field), hint=hint,
                                               code=f"bad_{kind}"))
                    ok = False
                rec[col.field] = value
            else:  # pragma: no cover - every kind is handled above
                rec[col.field] = raw
            if findings is not None and col.required and kind in LIST_KINDS and not rec[col.field]:
                findings.append(Diagnostic("error", f"必填项“{col.zh}”为空 / required field '{col.field}' is empty",
                                           self.where(number, col.field), code="missing_value"))  # ";;" only
                ok = False
        mapped = self.mapped
        rec["extra"] = {h: v for h, v in values.items() if v and h not in mapped}
        if self.derive_id is not None and not rec.get("id") and ok:
            rec["id"] = self.derive_id(rec)
        return rec, ok


_BAD_VALUE = {
    "number": lambda raw: (f"“{terminal_safe(raw)}”不是不小于 0 的数 / '{terminal_safe(raw)}' is not a number ≥ 0",
                           "写数字，如 200 或 1,200.5（单位见表头）/ write a number, e.g. 200 or 1,200.5 (unit as "
                           "the header says)"),
    "trl": lambda raw: (f"“{terminal_safe(raw)}”不是 1–9 的技术成熟度 / '{terminal_safe(raw)}' is not a readiness "
                        f"level 1-9", "写作 6、TRL6、TRL 6 或 6级 / write 6, TRL6, TRL 6 or 6级"),
}


def validate_rows(table: Table, columns: list[Column], existing: set[str], what_zh: str, what_en: str,
                  extra_check: Callable[[dict, int, Callable[[str], Location], Findings], None] | None = None,
                  good: Callable[[dict, int, Findings], None] | None = None, *,
                  derive_id: Callable[[dict], str] | None = None,
                  store: tuple[str, str] = ("批次", "campaign")) -> _Plan:
    """Pass 1: read the file once, check every row, keep only the ids (for duplicates) and the findings.

    ``extra_check`` may add problems of a record; ``good`` sees each record that has no error.
    ``derive_id``: the id of a row that gives none; ``store``: what holds the ``existing`` ids (zh, en).
    """
    findings = Findings(table.file)
    mapping = _map_headers(table, columns, findings)
    plan = _Plan(findings, mapping)
    missing = any(d.code == "missing_column" for d in findings.listed)
    convert = _Converter(table, columns, mapping, derive_id)
    id_header = mapping.get("id") or mapping.get("name", "id")
    seen = plan.seen
    rows = 0
    for number, values in table.stream():
        rows += 1
        if missing:
            continue  # the reader still checks every row
        rec, ok = convert.record(number, values, findings)
        rid = rec.get("id")
        if rid:
            if rid in seen:
                findings.append(Diagnostic(
                    "error", f"{what_zh}编号“{rid}”重复（第 {seen[rid]} 行已出现） / duplicate {what_en} id "
                    f"'{rid}' (first on {table.row_label} {seen[rid]})", _where(table, number, id_header),
                    code="duplicate"))
                ok = False
            else:
                seen[rid] = number
                if rid in existing:
                    findings.append(Diagnostic(
                        "error", f"{what_zh}“{rid}”已在{store[0]}中 / {what_en} '{rid}' is already in the {store[1]}",
                        _where(table, number, id_header), code="duplicate_existing"))
                    ok = False
        if extra_check:
            before = findings.errors
            extra_check(rec, number, lambda f, n=number: convert.where(n, f), findings)
            ok = ok and findings.errors == before
        if ok:
            plan.count += 1
            if good is not None:
                good(rec, number, findings)
    if not rows and not missing:
        findings.append(Diagnostic("error", "文件中没有数据行 / the file has no data rows",
                                   Location(file=table.file), code="empty"))
    plan.sha256 = table.sha256
    return plan


def write_rows(ledger: Store, table: Table, kind: str, columns: list[Column], plan: _Plan, actor: str | None,
               dry_run: bool, *, table_name: str | None = None, prepare: Callable[[dict], None] | None = None,
               derive_id: Callable[[dict], str] | None = None) -> ImportResult:
    """Refuse the file if pass 1 found an error; else pass 2: read it again and write its rows, in
    audit entries of bounded size (:meth:`Transaction.put_stream`), all in one transaction.

    ``table_name``: the table written (default ``projects`` / ``experts`` by ``kind``); ``prepare`` completes
    each record before it is written (e.g. a status); ``derive_id`` as for :func:`validate_rows`."""
    findings = plan.findings
    diags = findings.diagnostics()
    if findings.errors:
        n = findings.errors
        raise ValidationError(diags, summary=f"{table.file}: {n} 个问题，未导入任何记录 / {n} problem(s), "
                                             f"nothing imported")
    warnings = [d for d in diags if d.severity != "error"]
    result = ImportResult(kind, table.file, table.encoding, plan.count, list(plan.seen), warnings)
    if dry_run:
        return result
    table_name = table_name or ("projects" if kind == "projects" else "experts")
    convert = _Converter(table, columns, plan.mapping, derive_id)
    with ledger.write(f"{kind}.import", actor=actor,
                      info={"file": Path(table.file).name, "sha256": plan.sha256, "encoding": table.encoding,
                            "count": plan.count}) as tx:
        # re-checked inside the write lock: another import may have added the same ids meanwhile
        clash = sorted(r[0] for r in tx.conn.execute(f"SELECT id FROM {table_name}") if r[0] in plan.seen)
        if clash:
            raise CampaignError(f"编号已被其他导入占用 / ids imported meanwhile by someone else: {', '.join(clash[:10])}",
                                hint="重新运行导入查看详情 / run the import again for details", code="conflict")
        start = tx.conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table_name}").fetchone()[0]

        def records() -> Iterator[dict[str, Any]]:
            for seq, (number, values) in enumerate(table.stream(checked=False), start=start + 1):
                rec, _ok = convert.record(number, values)
                rec["seq"] = seq
                if prepare is not None:
                    prepare(rec)
                yield rec

        written = tx.put_stream(table_name, records())
        if written != plan.count or table.sha256 != plan.sha256:
            raise CampaignError("文件在导入过程中被改动，未导入任何记录 / the file changed during the import; nothing "
                                "imported", location=Location(file=table.file),
                                hint="文件不再改动后重新导入 / import it again once it no longer changes",
                                code="file_changed")
    return result


def read_records(table: Table, columns: list[Column], plan: _Plan,
                 derive_id: Callable[[dict], str] | None = None) -> list[dict[str, Any]]:
    """Pass 2 for a reader that keeps the rows (not a table write): refuse the file if pass 1 found an error,
    else every record, in file order; a file changed between the passes is refused."""
    findings = plan.findings
    if findings.errors:
        n = findings.errors
        raise ValidationError(findings.diagnostics(), summary=f"{table.file}: {n} 个问题，未导入任何记录 / {n} "
                                                              f"problem(s), nothing imported")
    convert = _Converter(table, columns, plan.mapping, derive_id)
    records = [convert.record(number, values)[0] for number, values in table.stream(checked=False)]
    if len(records) != plan.count or table.sha256 != plan.sha256:
        raise CampaignError("文件在读取过程中被改动 / the file changed while it was read", code="file_changed",
                            location=Location(file=table.file), hint="文件不再改动后重试 / retry once it no longer changes")
    return records


def _token(text: str) -> str:
    """:func:`norm_token` (NFKC, case-folded, without white space), faster for one call per row."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def import_projects(ledger: Ledger, path: str | Path, *, actor: str | None = None,
                    dry_run: bool = False, encoding: str | None = None) -> ImportResult:
    """Validate and import a projects file; raises :class:`ValidationError` listing every problem.

    ``encoding``: the text encoding of a CSV/JSON file when it is not detected (e.g. ``big5``).
    A CSV file is read twice, streamed: once to check every row, once to write them.
    """
    table = open_table(path, sheet="项目", encoding=encoding)
    existing = {r[0] for r in ledger.conn.execute("SELECT id FROM projects")}
    expert_ids = {r[0] for r in ledger.conn.execute("SELECT id FROM experts")}

    def check(rec: dict, number: int, loc: Callable[[str], Location], findings: Findings) -> None:
        unknown = [e for e in rec.get("excluded_experts", []) if expert_ids and e not in expert_ids]
        for e in unknown:
            findings.append(Diagnostic("warning", f"回避专家“{e}”不在专家库中 / excluded expert '{e}' is not in the pool",
                                       loc("excluded_experts"), code="unknown_expert"))

    # same name and applicant: a 64-bit hash of the pair per row, not the text (a collision only adds a warning)
    first: dict[int, int] = {}
    name_header: list[str] = []

    def same_name(rec: dict, number: int, findings: Findings) -> None:
        key = hash((_token(rec["name"]), _token(rec["applicant"])))
        if key in first:
            if not name_header:
                name_header.append(_header_of(table, "name"))
            findings.append(Diagnostic(
                "warning", f"与第 {first[key]} 行项目名称和申报单位相同，可能重复申报 / same name and applicant as "
                f"{table.row_label} {first[key]}: a duplicate submission?", _where(table, number, name_header[0]),
                code="duplicate_name"), later=True)
        else:
            first[key] = number

    plan = validate_rows(table, PROJECT_COLUMNS, existing, "项目", "project", check, same_name)
    return write_rows(ledger, table, "projects", PROJECT_COLUMNS, plan, actor, dry_run)


def import_experts(ledger: Ledger, path: str | Path, *, actor: str | None = None,
                   dry_run: bool = False, encoding: str | None = None) -> ImportResult:
    """Validate and import an experts file; raises :class:`ValidationError` listing every problem."""
    table = open_table(path, sheet="专家", encoding=encoding)
    existing = {r[0] for r in ledger.conn.execute("SELECT id FROM experts")}
    plan = validate_rows(table, EXPERT_COLUMNS, existing, "专家", "expert")
    return write_rows(ledger, table, "experts", EXPERT_COLUMNS, plan, actor, dry_run)
