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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError
from tlr.safetext import id_problem, terminal_safe, text_problem

from .ledger import Ledger
from .tables import Table, norm_header, read_table
from .vocab import achievement_type_id, achievement_type_names, industry_id, industry_names, norm_token


@dataclass(frozen=True)
class Column:
    field: str
    synonyms: tuple[str, ...]
    required: bool = False
    kind: str = "text"  # id | text | multiline | list | industry | achievement | fields
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


def _map_headers(table: Table, columns: list[Column], diags: list[Diagnostic]) -> dict[str, str]:
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
        for item in table.items(number, header) or split_list(raw):
            problem = text_problem(item)
            if problem:
                return "bad_text", problem
        return None
    problem = text_problem(raw, multiline=kind == "multiline")
    if problem:
        return "bad_text", problem
    if kind == "id":
        problem = id_problem(raw)
        if problem:
            return "bad_id", problem
    return None


def _parse_records(table: Table, columns: list[Column], existing: set[str], what_zh: str, what_en: str,
                   extra_check: Callable[[dict, int, Callable[[str], Location], list[Diagnostic]], None] | None = None,
                   ) -> tuple[list[dict], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    mapping = _map_headers(table, columns, diags)
    if any(d.code == "missing_column" for d in diags):
        return [], diags
    mapped_headers = set(mapping.values())
    records: list[dict] = []
    seen: dict[str, int] = {}
    for number, values in table.rows:
        rec: dict[str, Any] = {}
        loc: Callable[[str], Location] = lambda f, n=number: _where(table, n, mapping.get(f, f))  # noqa: E731
        ok = True
        for col in columns:
            header = mapping.get(col.field)
            raw = values.get(header, "").strip() if header else ""
            if col.required and not raw:
                diags.append(Diagnostic("error", f"必填项“{col.zh}”为空 / required field '{col.field}' is empty",
                                        loc(col.field), code="missing_value"))
                ok = False
                continue
            problem = cell_problem(table, number, header, raw, col.kind) if raw else None
            if problem:
                diags.append(Diagnostic("error", problem[1], loc(col.field), code=problem[0]))
                ok = False
                continue
            items = table.items(number, header) if raw else None
            if col.kind == "list":
                rec[col.field] = items if items is not None else split_list(raw)
            elif col.kind == "industry":
                ind = industry_id(raw) if raw else None
                if raw and ind is None:
                    diags.append(Diagnostic(
                        "error", f"未知行业“{raw}” / unknown industry '{raw}'", loc(col.field),
                        hint=f"可选 / one of: {industry_names()}", code="unknown_industry"))
                    ok = False
                rec[col.field] = ind
            elif col.kind == "achievement":
                at = achievement_type_id(raw) if raw else None
                if raw and at is None:
                    diags.append(Diagnostic(
                        "error", f"未知成果类型“{raw}” / unknown achievement type '{raw}'", loc(col.field),
                        hint=f"可选 / one of: {achievement_type_names()}", code="unknown_achievement_type"))
                    ok = False
                rec[col.field] = at
            elif col.kind == "fields":
                items = items if items is not None else split_list(raw)
                rec[col.field] = [industry_id(x) or x for x in items]
            else:
                rec[col.field] = raw
        rec["extra"] = {h: v for h, v in values.items() if h not in mapped_headers and v}
        rid = rec.get("id")
        if rid:
            if rid in seen:
                diags.append(Diagnostic(
                    "error", f"{what_zh}编号“{rid}”重复（第 {seen[rid]} 行已出现） / duplicate {what_en} id "
                    f"'{rid}' (first on {table.row_label} {seen[rid]})", loc("id"), code="duplicate"))
                ok = False
            else:
                seen[rid] = number
                if rid in existing:
                    diags.append(Diagnostic(
                        "error", f"{what_zh}“{rid}”已在批次中 / {what_en} '{rid}' is already in the campaign",
                        loc("id"), code="duplicate_existing"))
                    ok = False
        if extra_check:
            before = len(diags)
            extra_check(rec, number, loc, diags)
            ok = ok and len(diags) == before
        if ok:
            rec["_row"] = number
            records.append(rec)
    if not table.rows:
        diags.append(Diagnostic("error", "文件中没有数据行 / the file has no data rows",
                                Location(file=table.file), code="empty"))
    return records, diags


def _finish(ledger: Ledger, table: Table, kind: str, records: list[dict], diags: list[Diagnostic],
            data_sha: str, actor: str | None, dry_run: bool) -> ImportResult:
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        n = len(errors)
        raise ValidationError(diags, summary=f"{table.file}: {n} 个问题，未导入任何记录 / {n} problem(s), "
                                             f"nothing imported")
    warnings = [d for d in diags if d.severity == "warning"]
    result = ImportResult(kind, table.file, table.encoding, len(records), [r["id"] for r in records], warnings)
    if dry_run:
        return result
    table_name = "projects" if kind == "projects" else "experts"
    with ledger.write(f"{kind}.import", actor=actor,
                      info={"file": Path(table.file).name, "sha256": data_sha, "encoding": table.encoding,
                            "count": len(records)}) as tx:
        # re-checked inside the write lock: another import may have added the same ids meanwhile
        now_existing = {r[0] for r in tx.conn.execute(f"SELECT id FROM {table_name}")}
        clash = sorted(now_existing & {r["id"] for r in records})
        if clash:
            raise CampaignError(f"编号已被其他导入占用 / ids imported meanwhile by someone else: {', '.join(clash[:10])}",
                                hint="重新运行导入查看详情 / run the import again for details", code="conflict")
        start = tx.conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table_name}").fetchone()[0]
        for i, rec in enumerate(records, start=start + 1):
            rec["seq"] = i
        tx.put(table_name, records)
    return result


def import_projects(ledger: Ledger, path: str | Path, *, actor: str | None = None,
                    dry_run: bool = False, encoding: str | None = None) -> ImportResult:
    """Validate and import a projects file; raises :class:`ValidationError` listing every problem.

    ``encoding``: the text encoding of a CSV/JSON file when it is not detected (e.g. ``big5``).
    """
    table = read_table(path, sheet="项目", encoding=encoding)
    existing = {r[0] for r in ledger.conn.execute("SELECT id FROM projects")}
    expert_ids = {r[0] for r in ledger.conn.execute("SELECT id FROM experts")}

    def check(rec: dict, number: int, loc: Callable[[str], Location], diags: list[Diagnostic]) -> None:
        unknown = [e for e in rec.get("excluded_experts", []) if expert_ids and e not in expert_ids]
        for e in unknown:
            diags.append(Diagnostic("warning", f"回避专家“{e}”不在专家库中 / excluded expert '{e}' is not in the pool",
                                    loc("excluded_experts"), code="unknown_expert"))

    records, diags = _parse_records(table, PROJECT_COLUMNS, existing, "项目", "project", check)
    first: dict[tuple[str, str], int] = {}
    for rec in records:
        key = (norm_token(rec["name"]), norm_token(rec["applicant"]))
        if key in first:
            diags.append(Diagnostic(
                "warning", f"与第 {first[key]} 行项目名称和申报单位相同，可能重复申报 / same name and applicant as "
                f"{table.row_label} {first[key]}: a duplicate submission?", _where(table, rec["_row"],
                                                                                   _header_of(table, "name")),
                code="duplicate_name"))
        else:
            first[key] = rec["_row"]
    return _finish(ledger, table, "projects", records, diags, table.sha256, actor, dry_run)


def import_experts(ledger: Ledger, path: str | Path, *, actor: str | None = None,
                   dry_run: bool = False, encoding: str | None = None) -> ImportResult:
    """Validate and import an experts file; raises :class:`ValidationError` listing every problem."""
    table = read_table(path, sheet="专家", encoding=encoding)
    existing = {r[0] for r in ledger.conn.execute("SELECT id FROM experts")}
    records, diags = _parse_records(table, EXPERT_COLUMNS, existing, "专家", "expert")
    return _finish(ledger, table, "experts", records, diags, table.sha256, actor, dry_run)
