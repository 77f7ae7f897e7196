"""XLSX scoresheets: export one per expert, import the returned (possibly corrected) sheets.

Layout of an exported workbook:

- ``评分表 Scores``: one row per project x indicator: project id and name, indicator
  id and label, the scale's anchored descriptors (visible, wrapped), then the three
  cells the expert fills: score (drop-down list or number check from data
  validation), comment, evidence. Every other cell is locked and the sheet is
  protected (no password-grade security: it prevents accidental edits; the import
  re-validates everything).
- ``说明 Guide``: instructions and the expert's projects with their summaries.
- ``_lists`` (hidden): the drop-down values; ``_meta`` (very hidden): campaign id,
  expert id, rubric hash, export time and a random token whose SHA-256 the ledger
  records at export (``sheet_exports``, audited): a returned sheet is accepted only
  for the expert it was issued to.

Importing a sheet replaces that expert's scores on the projects in the sheet with
exactly what the sheet holds (an emptied score cell withdraws the score), recorded as
one ``sheet.import`` audit entry listing every change.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError
from tlr.text import both, tr

from .export import clean_cell, neutralise
from .ledger import Ledger, expert_actor, now
from .scoring import _validator, expert_items, expert_scores, replace_scores
from .tables import column_letter

SHEET = "评分表 Scores"
GUIDE = "说明 Guide"
LISTS = "_lists"
META = "_meta"
FORMAT = "tlr-scoresheet-1"
PROTECT_PASSWORD = "tlr"
HEADERS = [("project", "项目编号 Project"), ("project_name", "项目名称 Name"), ("indicator", "指标编号 Indicator"),
           ("indicator_label", "指标 Indicator name"), ("descriptors", "评分标准 Anchors"),
           ("score", "评分 Score"), ("comment", "意见 Comment"), ("evidence", "依据 Evidence")]
COL = {key: i + 1 for i, (key, _h) in enumerate(HEADERS)}


def scale_choices(scale: Any) -> list[str] | None:
    """Values offered in the drop-down (accepted by parse_score), or None for a free number."""
    from tlr.rubric.model import BooleanScale, GradesScale, LevelsScale, LikertScale

    if isinstance(scale, LevelsScale):
        return [str(lv.level) for lv in scale.levels]
    if isinstance(scale, LikertScale):
        n = round((scale.max - scale.min) / scale.step)
        if n <= 40:
            return [f"{scale.min + k * scale.step:g}" for k in range(n + 1)]
        return None
    if isinstance(scale, BooleanScale):
        return [tr(scale.true_label, "zh"), tr(scale.false_label, "zh")]
    if isinstance(scale, GradesScale):
        return [g.id for g in scale.grades]
    return None


def describe_anchors(scale: Any, lang: str | None = None) -> str:
    """The anchored descriptors of a scale, one per line (both languages unless ``lang``)."""
    from tlr.rubric.model import BooleanScale, GradesScale, LevelsScale, LikertScale, NumericScale

    t = (lambda x: tr(x, lang)) if lang else both
    lines: list[str] = []
    if isinstance(scale, LevelsScale):
        for lv in scale.levels:
            text = f"{lv.level}  {t(lv.label)}"
            if lv.descriptor:
                text += f" — {t(lv.descriptor)}"
            lines.append(text)
    elif isinstance(scale, LikertScale):
        lines.append(f"{scale.min:g}–{scale.max:g}（步长 / step {scale.step:g}）")
        for value, text in sorted(scale.anchors.items()):
            lines.append(f"{value:g}  {t(text)}")
        for band in scale.bands:
            line = f"{band.min:g}–{band.max:g}  {t(band.label)}"
            if band.descriptor:
                line += f" — {t(band.descriptor)}"
            lines.append(line)
    elif isinstance(scale, NumericScale):
        unit = f" {scale.unit}" if scale.unit else ""
        rng = []
        if scale.min is not None:
            rng.append(f"≥ {scale.min:g}")
        if scale.max is not None:
            rng.append(f"≤ {scale.max:g}")
        lines.append(f"数值 / number{unit}" + (f" ({', '.join(rng)})" if rng else ""))
    elif isinstance(scale, BooleanScale):
        lines.append(f"{t(scale.true_label)} / {t(scale.false_label)}")
    elif isinstance(scale, GradesScale):
        for g in scale.grades:
            lines.append(f"{g.id}  {t(g.label)}")
    return "\n".join(lines)


def export_sheet(ledger: Ledger, expert_id: str, out: str | Path, *, actor: str | None = None) -> Path:
    """Write the expert's scoresheet (current answers prefilled) to ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.workbook.protection import WorkbookProtection

    expert = ledger.expert(expert_id)
    items = expert_items(ledger, expert_id)
    if not items:
        raise CampaignError(f"专家 {expert_id} 没有待评项目 / expert {expert_id} has no assigned projects",
                            code="nothing_assigned", hint="先运行 / first run `tlr assign`")
    current = expert_scores(ledger, expert_id)
    rubric = ledger.rubric
    row = ledger.rubric_row()

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    meta = wb.create_sheet(META)
    meta.sheet_state = "veryHidden"
    guide = wb.create_sheet(GUIDE, 0)

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([h for _k, h in HEADERS])
    for cell in ws[1]:
        cell.font = bold
    widths = {"project": 12, "project_name": 28, "indicator": 16, "indicator_label": 22, "descriptors": 60,
              "score": 12, "comment": 36, "evidence": 28}
    for key, w in widths.items():
        ws.column_dimensions[column_letter(COL[key])].width = w

    # one drop-down list per indicator, in a hidden sheet
    list_ranges: dict[str, str] = {}
    validations: dict[str, DataValidation] = {}
    for k, info in enumerate(rubric.indicators, start=1):
        choices = scale_choices(info.scale)
        letter = column_letter(k)
        if choices:
            lists.cell(row=1, column=k, value=info.id)
            for r, c in enumerate(choices, start=2):
                lists.cell(row=r, column=k, value=c)
            list_ranges[info.id] = f"'{LISTS}'!${letter}$2:${letter}${len(choices) + 1}"
            dv = DataValidation(type="list", formula1=list_ranges[info.id], allow_blank=True,
                                showErrorMessage=True, errorTitle="无效评分 / invalid score",
                                error="请从下拉列表中选择 / choose a value from the list")
        else:
            lo = getattr(info.scale, "min", None)
            hi = getattr(info.scale, "max", None)
            if lo is not None and hi is not None:
                dv = DataValidation(type="decimal", operator="between", formula1=str(lo), formula2=str(hi),
                                    allow_blank=True, showErrorMessage=True, errorTitle="无效评分 / invalid score",
                                    error=f"请输入 {lo:g}–{hi:g} 之间的数 / enter a number from {lo:g} to {hi:g}")
            elif lo is not None:
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(lo),
                                    allow_blank=True, showErrorMessage=True)
            else:
                dv = DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300",
                                    allow_blank=True, showErrorMessage=True, error="请输入数字 / enter a number")
        dv.promptTitle = "评分 / score"
        dv.prompt = describe_anchors(info.scale, "zh")[:250]
        dv.showInputMessage = True
        validations[info.id] = dv
        ws.add_data_validation(dv)

    for r, item in enumerate(items, start=2):
        info, proj = item.indicator, item.project
        cur = current.get(item.key)
        values = {"project": proj["id"], "project_name": proj["name"], "indicator": info.id,
                  "indicator_label": both(info.label), "descriptors": describe_anchors(info.scale),
                  "score": cur["raw"] if cur else None, "comment": cur["comment"] if cur else None,
                  "evidence": cur["evidence"] if cur else None}
        for key, value in values.items():
            cell = ws.cell(row=r, column=COL[key], value=clean_cell(value) if key == "score" else neutralise(value))
            cell.alignment = wrap
            if key in ("score", "comment", "evidence"):
                cell.protection = Protection(locked=False)
                cell.fill = fill
        validations[info.id].add(f"{column_letter(COL['score'])}{r}")
    ws.freeze_panes = "C2"
    ws.protection.sheet = True
    ws.protection.password = PROTECT_PASSWORD
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False

    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 90
    guide.append(["评分表 / Scoresheet", neutralise(f"{ledger.meta.get('name', '')}")])
    guide.append(["专家 / Expert", neutralise(f"{expert['id']} {expert['name']}（{expert['institution']}）")])
    guide.append(["指标体系 / Rubric", f"{row.get('rubric_id')} {row.get('version')}"])
    guide.append(["说明 / How to", "在“评分表 Scores”的黄色单元格中填写评分（下拉选择）、意见和依据；其他单元格已锁定。"
                                   "保存后将文件交回秘书处。清空评分单元格即撤回该项评分。 / Fill the yellow cells "
                                   "of the Scores sheet (score from the drop-down, comment, evidence); other cells "
                                   "are locked. Save and return the file. Emptying a score cell withdraws it."])
    guide.append([])
    guide.append(["项目 / Project", "简介 / Summary"])
    seen = set()
    for item in items:
        p = item.project
        if p["id"] in seen:
            continue
        seen.add(p["id"])
        guide.append([p["id"], neutralise(f"{p['name']}（{p['applicant']}）{p.get('summary') or ''}")])
    for r in guide.iter_rows():
        for cell in r:
            cell.alignment = wrap
    guide.protection.sheet = True
    guide.protection.password = PROTECT_PASSWORD

    token = secrets.token_hex(16)
    exported_at = now()
    for k, v in [("format", FORMAT), ("campaign_id", ledger.meta.get("campaign_id")), ("expert_id", expert_id),
                 ("rubric_hash", row.get("content_hash")), ("exported_at", exported_at), ("items", len(items)),
                 ("token", token)]:
        meta.append([k, v])
    wb.security = WorkbookProtection(workbookPassword=PROTECT_PASSWORD, lockStructure=True)
    wb.active = 1  # open on the scores sheet
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    with ledger.write("sheet.export", actor=actor, info={"expert": expert_id, "file": out.name}) as tx:
        tx.put("sheet_exports", [{"token_sha256": hashlib.sha256(token.encode()).hexdigest(),
                                  "expert_id": expert_id, "exported_at": exported_at, "items": len(items)}])
    return out


def _read_sheet(ledger: Ledger, path: Path) -> tuple[str, list[dict], set[str], list[Diagnostic]]:
    """(expert id, score rows, projects covered, problems) of one returned scoresheet."""
    import zipfile

    from openpyxl import load_workbook

    file = str(path)
    diags: list[Diagnostic] = []
    if not path.is_file():
        return "", [], set(), [Diagnostic("error", "找不到文件 / file not found", Location(file=file))]
    try:
        wb = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return "", [], set(), [Diagnostic("error", f"不是有效的 XLSX 文件 / not a valid XLSX file ({exc})",
                                          Location(file=file))]
    if META not in wb.sheetnames or SHEET not in wb.sheetnames:
        return "", [], set(), [Diagnostic("error", "不是 tlr 评分表 / not a tlr scoresheet (use `tlr sheets export`)",
                                          Location(file=file), code="not_a_scoresheet")]
    meta = {str(r[0]): r[1] for r in wb[META].iter_rows(values_only=True) if r and r[0]}
    expert_id = str(meta.get("expert_id") or "")
    if meta.get("campaign_id") != ledger.meta.get("campaign_id"):
        diags.append(Diagnostic("error", "评分表属于另一个评价批次 / the scoresheet belongs to another campaign",
                                Location(file=file), code="wrong_campaign"))
    if meta.get("rubric_hash") != ledger.rubric_row().get("content_hash"):
        diags.append(Diagnostic("error", "评分表的指标体系版本与批次不符 / the scoresheet was made for another rubric "
                                "version", Location(file=file), code="wrong_rubric"))
    token = str(meta.get("token") or "")
    issued = ledger.conn.execute("SELECT expert_id FROM sheet_exports WHERE token_sha256 = ?",
                                 (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
    if not diags and (issued is None or issued[0] != expert_id):
        diags.append(Diagnostic("error", f"评分表不是本批次为专家 {expert_id} 签发的（隐藏信息被改动？） / the scoresheet "
                                f"was not issued by this campaign to expert {expert_id} (hidden data altered?)",
                                Location(file=file), hint="用 `tlr sheets export` 重新导出 / export a fresh one",
                                code="not_issued"))
    if diags:
        return expert_id, [], set(), diags
    ws = wb[SHEET]
    header = [str(c.value or "") for c in ws[1]]
    expected = [h for _k, h in HEADERS]
    if header[: len(expected)] != expected:
        return expert_id, [], set(), [Diagnostic("error", "评分表表头被改动 / the scoresheet's header row was "
                                                 "changed", Location(file=file, row=1), code="bad_header")]
    validator = _validator(ledger)
    allowed = {i.key for i in expert_items(ledger, expert_id)}
    rows: list[dict] = []
    scope: set[str] = set()
    seen: dict[tuple[str, str], int] = {}

    def loc(r: int, key: str) -> Location:
        return Location(file=file, row=r, field=f"{column_letter(COL[key])} ({dict(HEADERS)[key]})")

    def text(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    for r, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        get = {key: text(values[COL[key] - 1]) if len(values) >= COL[key] else "" for key in COL}
        if not any(get.values()):
            continue
        pid, iid = get["project"], get["indicator"]
        if (pid, iid) not in allowed:
            diags.append(Diagnostic("error", f"{pid}/{iid} 不在该专家的评分任务中 / {pid}/{iid} is not among this "
                                    f"expert's assigned items", loc(r, "project"), code="not_assigned"))
            continue
        if (pid, iid) in seen:
            diags.append(Diagnostic("error", f"{pid}/{iid} 重复（第 {seen[(pid, iid)]} 行） / duplicate row",
                                    loc(r, "indicator"), code="duplicate"))
            continue
        seen[(pid, iid)] = r
        scope.add(pid)
        if not get["score"]:
            if get["comment"] or get["evidence"]:
                diags.append(Diagnostic("warning", f"{pid}/{iid} 有意见但无评分，未导入 / comment without a score "
                                        f"ignored", loc(r, "score"), code="comment_without_score"))
            continue
        comment, evidence = get["comment"], get["evidence"]
        for key in ("comment", "evidence"):
            val = get[key]
            if val.startswith("'") and val[1:2] in ("=", "+", "-", "@"):
                val = val[1:]  # our own neutralisation, undone
            if key == "comment":
                comment = val
            else:
                evidence = val
        try:
            _info, value = validator.value(pid, iid, get["score"])
        except CampaignError as exc:
            diags.append(Diagnostic("error", exc.message, loc(r, "score"), code=exc.code))
            continue
        rows.append({"expert_id": expert_id, "project_id": pid, "indicator_id": iid, "value": value,
                     "raw": get["score"], "comment": comment, "evidence": evidence, "source": "sheet"})
    return expert_id, rows, scope, diags


def import_sheets(ledger: Ledger, paths: list[str | Path], *, actor: str | None = None,
                  dry_run: bool = False) -> list[dict[str, Any]]:
    """Validate every sheet first; if any has a problem, import none. Each sheet is one audited transaction."""
    parsed = []
    diags: list[Diagnostic] = []
    for p in paths:
        path = Path(p)
        expert_id, rows, scope, d = _read_sheet(ledger, path)
        diags.extend(d)
        parsed.append((path, expert_id, rows, scope))
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ValidationError(diags, summary=f"{len(errors)} 个问题，未导入任何评分表 / {len(errors)} problem(s), "
                                             "no sheet imported")
    results = []
    for path, expert_id, rows, scope in parsed:
        if dry_run:
            results.append({"file": str(path), "expert": expert_id, "answers": len(rows), "dry_run": True})
            continue
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        with ledger.write("sheet.import", actor=actor or expert_actor(expert_id),
                          info={"expert": expert_id, "file": path.name, "sha256": sha}) as tx:
            for r in rows:
                r["scored_at"] = tx.ts
            counts = replace_scores(tx, expert_id, rows, scope)
            tx.info.update(counts)
        results.append({"file": str(path), "expert": expert_id, "answers": len(rows), **counts,
                        "warnings": [d.to_dict() for d in diags if d.location.file == str(path)]})
    return results
