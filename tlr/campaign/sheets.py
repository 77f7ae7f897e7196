"""XLSX scoresheets: export one per expert, import the returned (possibly corrected) sheets.

Layout of an exported workbook:

- ``评分表 Scores``: one row per project x indicator: project id and name, indicator
  id and label, the scale's anchored descriptors (visible, wrapped), then the three
  cells the expert fills: score (drop-down list or number check from data
  validation, both offering the withdrawal marker ``撤回`` / ``withdraw``), comment,
  evidence. Every other cell is locked and the sheet is protected (no password-grade
  security: it prevents accidental edits; the import re-validates everything).
- ``说明 Guide``: instructions and the expert's projects with their summaries.
- ``_lists`` (hidden): the drop-down values; ``_meta`` (very hidden): campaign id,
  expert id, rubric hash, export time, the audit position the sheet reflects (seq and
  head hash) and a random token whose SHA-256 the ledger records at export with that
  position (``sheet_exports``, audited): a returned sheet is accepted only for the
  expert it was issued to, and its position cannot be moved by editing the sheet.

Importing a sheet never loses an answer: a score given sets it, the marker ``撤回`` /
``withdraw`` withdraws it, and an empty cell or a deleted row changes nothing. An answer
changed in the ledger after the sheet's position is not overwritten unless asked
(``on_newer``). Formula cells are refused, never read as empty. One ``sheet.import``
audit entry per sheet lists every change.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError
from tlr.safetext import text_problem
from tlr.text import both, tr

from .export import clean_cell, neutralise
from .ledger import Ledger, expert_actor
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
FILLED = ("score", "comment", "evidence")
WITHDRAW = ("撤回", "withdraw")   # typed in a score cell (any case): withdraw that answer
WITHDRAW_HELP = ("填“撤回”或 withdraw 撤回该项评分；留空或删行不改变已有评分 / type 撤回 or withdraw to withdraw the "
                 "score; an empty cell or a deleted row changes nothing")
ON_NEWER = ("refuse", "keep", "overwrite")


def is_withdraw(text: str) -> bool:
    return text.strip().casefold() in WITHDRAW


def scale_choices(scale: Any) -> list[str] | None:
    """Values offered in the drop-down (accepted by parse_score), or None for a free number."""
    from tlr.rubric.kinds import kind_of

    return kind_of(scale).choices(scale)


def describe_anchors(scale: Any, lang: str | None = None) -> str:
    """The anchored descriptors of a scale, one per line (both languages unless ``lang``)."""
    from tlr.rubric.kinds import kind_of

    t = (lambda x: tr(x, lang)) if lang else both
    return "\n".join(kind_of(scale).anchor_lines(scale, t))


def export_sheet(ledger: Ledger, expert_id: str, out: str | Path, *, actor: str | None = None) -> Path:
    """Write the expert's scoresheet (current answers prefilled) to ``out``.

    The answers are read in the same transaction that records the export, so the audit position
    written into the sheet (the last entry before the ``sheet.export`` entry) is exactly the state
    the sheet shows.
    """
    from tlr.outputs import write_file

    expert = ledger.expert(expert_id)
    out = Path(out)
    with ledger.write("sheet.export", actor=actor, info={"expert": expert_id, "file": out.name}) as tx:
        items = expert_items(ledger, expert_id)
        if not items:
            raise CampaignError(f"专家 {expert_id} 没有待评项目 / expert {expert_id} has no assigned projects",
                                code="nothing_assigned", hint="先运行 / first run `tlr assign`")
        token = secrets.token_hex(16)
        position = {"audit_seq": tx.seq - 1, "audit_head": tx.prev_hash}
        meta = [("format", FORMAT), ("campaign_id", ledger.meta.get("campaign_id")), ("expert_id", expert_id),
                ("rubric_hash", ledger.rubric_row().get("content_hash")), ("exported_at", tx.ts),
                ("items", len(items)), ("audit_seq", position["audit_seq"]), ("audit_head", position["audit_head"]),
                ("token", token)]
        data = _workbook_bytes(ledger, expert, items, expert_scores(ledger, expert_id), meta)
        write_file(out, data)  # only a new file or one tlr wrote; OSError -> one line
        tx.put("sheet_exports", [{"token_sha256": hashlib.sha256(token.encode()).hexdigest(),
                                  "expert_id": expert_id, "exported_at": tx.ts, "items": len(items), **position}])
    return out


def _score_validation(info: Any, list_range: str | None, cell: str | None):
    """The score cell's data validation: the scale's values or numbers, and the withdrawal marker."""
    from openpyxl.worksheet.datavalidation import DataValidation

    common = dict(allow_blank=True, showErrorMessage=True, errorTitle="无效评分 / invalid score")
    if list_range:
        dv = DataValidation(type="list", formula1=list_range,
                            error="请从下拉列表中选择 / choose a value from the list", **common)
    else:
        # a number check that also lets the marker through (Excel compares text without case)
        lo, hi = getattr(info.scale, "min", None), getattr(info.scale, "max", None)
        checks = [f"ISNUMBER({cell})"] + ([f"{cell}>={float(lo)!r}"] if lo is not None else []) + \
                 ([f"{cell}<={float(hi)!r}"] if hi is not None else [])
        marker = ",".join(f'{cell}="{m}"' for m in WITHDRAW)
        rng = (f"{lo:g}–{hi:g}" if lo is not None and hi is not None else
               f"≥ {lo:g}" if lo is not None else f"≤ {hi:g}" if hi is not None else "")
        dv = DataValidation(type="custom", formula1=f"OR(AND({','.join(checks)}),{marker})",
                            error=f"请输入数字{(' ' + rng) if rng else ''}，或“撤回” / enter a number"
                                  f"{(' ' + rng) if rng else ''}, or withdraw", **common)
    dv.promptTitle = "评分 / score"
    dv.prompt = (WITHDRAW_HELP + "\n" + describe_anchors(info.scale, "zh"))[:250]
    dv.showInputMessage = True
    return dv


def _workbook_bytes(ledger: Ledger, expert: dict, items: list, current: dict, meta_rows: list) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection

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

    # one drop-down list per indicator (its values, then the withdrawal marker), in a hidden sheet
    list_ranges: dict[str, str] = {}
    for k, info in enumerate(rubric.indicators, start=1):
        choices = scale_choices(info.scale)
        if choices:
            letter = column_letter(k)
            lists.cell(row=1, column=k, value=info.id)
            for r, c in enumerate([*choices, *WITHDRAW], start=2):
                lists.cell(row=r, column=k, value=c)
            list_ranges[info.id] = f"'{LISTS}'!${letter}$2:${letter}${len(choices) + len(WITHDRAW) + 1}"
    shared: dict[str, Any] = {}
    score_letter = column_letter(COL["score"])
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
            if key in FILLED:
                cell.protection = Protection(locked=False)
                cell.fill = fill
        ref = f"{score_letter}{r}"
        if info.id in list_ranges:   # one validation per indicator, covering all its rows
            if info.id not in shared:
                shared[info.id] = _score_validation(info, list_ranges[info.id], None)
                ws.add_data_validation(shared[info.id])
            shared[info.id].add(ref)
        else:                        # a formula check refers to its own cell: one per row
            dv = _score_validation(info, None, ref)
            ws.add_data_validation(dv)
            dv.add(ref)
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
                                   "保存后将文件交回秘书处。 / Fill the yellow cells of the Scores sheet (score from "
                                   "the drop-down, comment, evidence); other cells are locked. Save and return the "
                                   "file."])
    guide.append(["撤回 / Withdraw", "要撤回某项评分，在评分单元格中填“撤回”（或 withdraw）。清空单元格或删除行不会撤回"
                                     "任何评分，已有的评分、意见和依据保持不变。请不要填写公式。 / To withdraw a score, "
                                     "type 撤回 (or withdraw) in its score cell. Emptying a cell or deleting a row "
                                     "withdraws nothing: the stored score, comment and evidence are kept. Do not "
                                     "enter formulas."])
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

    for k, v in meta_rows:
        meta.append([k, v])
    wb.security = WorkbookProtection(workbookPassword=PROTECT_PASSWORD, lockStructure=True)
    wb.active = 1  # open on the scores sheet
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- reading a returned sheet


@dataclass
class ReturnedSheet:
    """What one returned scoresheet says, before it is compared with the ledger."""

    path: Path
    expert_id: str = ""
    token_sha256: str = ""
    position: int = 0                  # the last audit entry the sheet reflects
    head: str | None = None
    answers: dict[tuple[str, str], dict] = field(default_factory=dict)   # score given
    withdraw: dict[tuple[str, str], int] = field(default_factory=dict)   # marker -> row
    empty: dict[tuple[str, str], int] = field(default_factory=dict)      # score cell empty -> row
    diags: list[Diagnostic] = field(default_factory=list)
    sha256: str = ""                   # of the bytes that were checked and read

    @property
    def file(self) -> str:
        return str(self.path)

    def rows_present(self) -> set[tuple[str, str]]:
        return set(self.answers) | set(self.withdraw) | set(self.empty)

    def loc(self, row: int, key: str) -> Location:
        return Location(file=self.file, row=row, field=f"{column_letter(COL[key])} ({dict(HEADERS)[key]})")


def _load_workbook(data: bytes):
    """Open a returned XLSX: the one place a returned scoresheet is parsed.

    The raw bytes have passed :func:`tlr.inputs.check_xlsx` (zip size and compression-ratio caps, DOCTYPE
    refusal) before openpyxl reads anything. Formulas are loaded as formulas (``data_only=False``)
    so they can be refused: their cached value may be missing or stale, never a value to import.
    """
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), data_only=False)


def _read_sheet(ledger: Ledger, path: Path) -> ReturnedSheet:
    """Parse one returned scoresheet and check it against its export record (not yet against the scores)."""
    sheet = ReturnedSheet(path)
    file = str(path)

    def fail(message: str, **kw: Any) -> ReturnedSheet:
        sheet.diags.append(Diagnostic("error", message, kw.pop("location", None) or Location(file=file), **kw))
        return sheet

    from tlr.errors import InputFileError
    from tlr.inputs import check_xlsx, read_input

    try:  # a regular file within the size cap (never a FIFO or device), then no zip bomb and no DOCTYPE
        data = read_input(path)
        check_xlsx(data, file)
    except InputFileError as exc:
        return fail(exc.message, hint=exc.hint, code=exc.code)
    sheet.sha256 = hashlib.sha256(data).hexdigest()
    try:
        wb = _load_workbook(data)
    except Exception as exc:  # any parser failure on an untrusted file is "not a valid XLSX", never a traceback
        return fail(f"不是有效的 XLSX 文件 / not a valid XLSX file ({type(exc).__name__}: {exc})"[:300])
    if META not in wb.sheetnames or SHEET not in wb.sheetnames:
        return fail("不是 tlr 评分表 / not a tlr scoresheet (use `tlr sheets export`)", code="not_a_scoresheet")
    meta = {str(r[0]): r[1] for r in wb[META].iter_rows(values_only=True) if r and r[0]}
    sheet.expert_id = expert_id = str(meta.get("expert_id") or "")
    if meta.get("campaign_id") != ledger.meta.get("campaign_id"):
        fail("评分表属于另一个评价批次 / the scoresheet belongs to another campaign", code="wrong_campaign")
    if meta.get("rubric_hash") != ledger.rubric_row().get("content_hash"):
        fail("评分表的指标体系版本与批次不符 / the scoresheet was made for another rubric version", code="wrong_rubric")
    if sheet.diags:
        return sheet
    sheet.token_sha256 = hashlib.sha256(str(meta.get("token") or "").encode()).hexdigest()
    issued = ledger.conn.execute("SELECT expert_id, audit_seq, audit_head FROM sheet_exports WHERE token_sha256 = ?",
                                 (sheet.token_sha256,)).fetchone()
    not_issued = (f"评分表不是本批次为专家 {expert_id} 签发的（隐藏信息被改动？） / the scoresheet was not issued by this "
                  f"campaign to expert {expert_id} (hidden data altered?)")
    hint = "用 `tlr sheets export` 重新导出 / export a fresh one"
    if issued is None or issued[0] != expert_id:
        return fail(not_issued, hint=hint, code="not_issued")
    if issued[1] is not None:
        sheet.position, sheet.head = int(issued[1]), issued[2]
        if str(meta.get("audit_seq")) != str(issued[1]) or meta.get("audit_head") != issued[2]:
            return fail(not_issued, hint=hint, code="not_issued")
    else:  # exported before the position was recorded: the state just before its `sheet.export` entry
        entry = ledger.conn.execute("SELECT seq, prev_hash FROM audit WHERE action = 'sheet.export' AND "
                                    "instr(payload, ?) > 0 ORDER BY seq LIMIT 1", (sheet.token_sha256,)).fetchone()
        if entry is not None:
            sheet.position, sheet.head = entry[0] - 1, entry[1]
    ws = wb[SHEET]
    header = [str(c.value or "") for c in ws[1]]
    expected = [h for _k, h in HEADERS]
    if header[: len(expected)] != expected:
        return fail("评分表表头被改动 / the scoresheet's header row was changed", location=Location(file=file, row=1),
                    code="bad_header")
    _read_rows(ledger, ws, sheet)
    return sheet


def _cell_problem(cell: Any) -> str | None:
    """Why a cell cannot be read as an answer: a formula, an Excel error, a number that is not finite."""
    if cell.data_type == "f":
        return (f"单元格 {cell.coordinate} 是公式，不能导入；请填写数值或文字 / cell {cell.coordinate} holds a formula "
                f"({str(cell.value)[:40]}): type the value itself")
    if cell.data_type == "e":
        return f"单元格 {cell.coordinate} 是错误值 / cell {cell.coordinate} holds an Excel error ({cell.value})"
    if isinstance(cell.value, float) and not math.isfinite(cell.value):
        return f"单元格 {cell.coordinate} 不是有限数字 / cell {cell.coordinate} is not a finite number ({cell.value})"
    return None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _unquote(text: str) -> str:
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]  # our own neutralisation, undone
    return text


def _read_rows(ledger: Ledger, ws: Any, sheet: ReturnedSheet) -> None:
    validator = _validator(ledger)
    allowed = {i.key for i in expert_items(ledger, sheet.expert_id)}
    seen: dict[tuple[str, str], int] = {}
    diags = sheet.diags
    for r, cells in enumerate(ws.iter_rows(min_row=2, max_col=len(HEADERS)), start=2):
        bad = False
        for key, cell in zip(COL, cells):
            why = _cell_problem(cell)
            if why:
                diags.append(Diagnostic("error", why, sheet.loc(r, key), code="bad_cell",
                                        hint="在 Excel 中复制后“选择性粘贴 → 数值” / in Excel: copy, Paste Special → Values"))
                bad = True
        if bad:
            continue
        get = {key: _text(cells[COL[key] - 1].value) if len(cells) >= COL[key] else "" for key in COL}
        if not any(get.values()):
            continue
        for key in ("comment", "evidence"):  # the text policy of every other import (tlr.safetext, free text)
            problem = text_problem(get[key], multiline=True) if get[key] else None
            if problem:
                diags.append(Diagnostic("error", problem, sheet.loc(r, key), code="bad_text"))
                bad = True
        if bad:
            continue
        pid, iid = get["project"], get["indicator"]
        if (pid, iid) not in allowed:
            diags.append(Diagnostic("error", f"{pid}/{iid} 不在该专家的评分任务中 / {pid}/{iid} is not among this "
                                    f"expert's assigned items", sheet.loc(r, "project"), code="not_assigned"))
            continue
        if (pid, iid) in seen:
            diags.append(Diagnostic("error", f"{pid}/{iid} 重复（第 {seen[(pid, iid)]} 行） / duplicate row",
                                    sheet.loc(r, "indicator"), code="duplicate"))
            continue
        seen[(pid, iid)] = r
        score = get["score"]
        if not score:
            sheet.empty[(pid, iid)] = r
            if get["comment"] or get["evidence"]:
                diags.append(Diagnostic("warning", f"{pid}/{iid} 有意见但无评分，未导入 / comment without a score "
                                        f"ignored", sheet.loc(r, "score"), code="comment_without_score"))
            continue
        if is_withdraw(score):
            sheet.withdraw[(pid, iid)] = r
            continue
        try:
            _info, value = validator.value(pid, iid, score)
        except CampaignError as exc:
            diags.append(Diagnostic("error", exc.message, sheet.loc(r, "score"), code=exc.code,
                                    hint=f"或填“撤回” / or {WITHDRAW[1]} to withdraw"))
            continue
        sheet.answers[(pid, iid)] = {"row": r, "raw": score, "value": value, "comment": _unquote(get["comment"]),
                                     "evidence": _unquote(get["evidence"])}


# --------------------------------------------------------------------------- comparing with the ledger


def newer_changes(ledger: Ledger, expert_id: str, position: int, token_sha256: str = "") -> dict[tuple, dict]:
    """The expert's answers changed in the ledger after audit entry ``position``: (project, indicator) ->
    the latest change (seq, ts, actor, action, raw — None when withdrawn). Changes made by importing
    the same exported sheet (same token) are the sheet's own and are left out."""
    conn = ledger.conn
    own = {seq for (seq,) in conn.execute(
        "SELECT seq FROM audit WHERE seq > ? AND action = 'sheet.import' AND instr(payload, ?) > 0",
        (position, token_sha256))} if token_sha256 else set()
    out: dict[tuple, dict] = {}
    for pid, iid, raw, seq, ts, actor, action in conn.execute(
            "SELECT s.project_id, s.indicator_id, s.raw, s.audit_seq, a.ts, a.actor, a.action "
            "FROM scores s LEFT JOIN audit a ON a.seq = s.audit_seq WHERE s.expert_id = ? AND s.audit_seq > ?",
            (expert_id, position)):
        if seq not in own:
            out[(pid, iid)] = {"seq": seq, "ts": ts, "actor": actor, "action": action, "raw": raw}
    standing = {(p, i) for p, i in conn.execute("SELECT project_id, indicator_id FROM scores WHERE expert_id = ?",
                                                (expert_id,))}
    for seq, ts, actor, action, payload in conn.execute(
            "SELECT seq, ts, actor, action, payload FROM audit WHERE seq > ? AND instr(payload, '\"del\":') > 0 "
            "ORDER BY seq", (position,)):
        try:
            data = json.loads(payload)
            dels = (data.get("del") or {}).get("scores") or []
        except (ValueError, AttributeError):
            continue
        for key in dels:
            if len(key) != 3 or key[0] != expert_id or (key[1], key[2]) in standing:
                continue
            if seq in own:
                out.pop((key[1], key[2]), None)
            else:
                out[(key[1], key[2])] = {"seq": seq, "ts": ts, "actor": actor, "action": action, "raw": None}
    return out


@dataclass
class ImportPlan:
    rows: list[dict]
    withdraw: list[tuple[str, str]]
    counts: dict[str, int]
    conflicts: list[Diagnostic]
    kept_newer: list[str]
    overwritten_newer: list[str]


def plan_import(ledger: Ledger, sheet: ReturnedSheet, on_newer: str = "refuse") -> ImportPlan:
    """What importing ``sheet`` would change, and the answers newer in the ledger it would revert.

    ``on_newer``: ``refuse`` (conflicts are errors), ``keep`` (the ledger's newer answers stay, the rest
    is imported) or ``overwrite`` (the sheet wins).
    """
    if on_newer not in ON_NEWER:
        raise ValueError(on_newer)
    eid = sheet.expert_id
    stored = {(p, i): (v, raw, c, e) for p, i, v, raw, c, e in ledger.conn.execute(
        "SELECT project_id, indicator_id, value, raw, comment, evidence FROM scores WHERE expert_id = ?", (eid,))}
    newer = newer_changes(ledger, eid, sheet.position, sheet.token_sha256)
    plan = ImportPlan([], [], {}, [], [], [])

    def clash(key: tuple[str, str], row: int, sheet_text: str) -> bool:
        """True when the change must not be made (a conflict, or the ledger's newer answer is kept)."""
        change = newer.get(key)
        if change is None:
            return False
        name = "/".join(key)
        if on_newer == "overwrite":
            plan.overwritten_newer.append(name)
            return False
        if on_newer == "keep":
            plan.kept_newer.append(name)
            return True
        ledger_text = change["raw"] if change["raw"] is not None else "（已撤回 / withdrawn）"
        plan.conflicts.append(Diagnostic(
            "error", f"{name}: 表中为 {sheet_text}，账本中有更新的值 {ledger_text}（第 {change['seq']} 条，"
                     f"{str(change['ts'])[:19]}，{change['actor']}，{change['action']}）/ sheet says {sheet_text}, the "
                     f"ledger has a newer value {ledger_text} (entry {change['seq']}, {str(change['ts'])[:19]}, by "
                     f"{change['actor']}, {change['action']})",
            sheet.loc(row, "score"), code="newer_in_ledger",
            hint="--keep-newer 保留账本中的新值并导入其余 / keeps the ledger's newer answers and imports the rest; "
                 "--overwrite-newer 以表中的值覆盖 / replaces them with the sheet's; 或重新导出评分表 / or export a "
                 "fresh sheet"))
        return True

    unchanged = 0
    for key, a in sheet.answers.items():
        cur = stored.get(key)
        # an empty comment / evidence cell keeps what is stored (an empty cell never erases anything)
        comment = a["comment"] or (cur[2] if cur else "")
        evidence = a["evidence"] or (cur[3] if cur else "")
        if cur is not None and cur == (a["value"], a["raw"], comment, evidence):
            unchanged += 1
            continue
        if clash(key, a["row"], a["raw"]):
            continue
        plan.rows.append({"expert_id": eid, "project_id": key[0], "indicator_id": key[1], "value": a["value"],
                          "raw": a["raw"], "comment": comment, "evidence": evidence, "source": "sheet"})
    for key, row in sheet.withdraw.items():
        if key not in stored:
            unchanged += 1
            continue
        if clash(key, row, WITHDRAW[0]):
            continue
        plan.withdraw.append(key)
    present = sheet.rows_present()
    missing = [i.key for i in expert_items(ledger, eid) if i.key not in present]
    plan.counts = {"set": len(plan.rows), "withdrawn": len(plan.withdraw), "unchanged": unchanged,
                   "empty": len(sheet.empty), "empty_kept": sum(1 for k in sheet.empty if k in stored),
                   "missing_rows": len(missing), "missing_kept": sum(1 for k in missing if k in stored),
                   "kept_newer": len(plan.kept_newer), "overwritten_newer": len(plan.overwritten_newer)}
    return plan


def import_sheets(ledger: Ledger, paths: list[str | Path], *, actor: str | None = None, dry_run: bool = False,
                  on_newer: str = "refuse") -> list[dict[str, Any]]:
    """Validate every sheet first (cells, export record, answers newer in the ledger); if any has a problem,
    import none. Each sheet is then one audited transaction, re-checked inside it."""
    if on_newer not in ON_NEWER:
        raise CampaignError(f"on_newer: {on_newer!r}", code="usage")
    sheets = [_read_sheet(ledger, Path(p)) for p in paths]
    diags = [d for s in sheets for d in s.diags]
    plans = {}
    if not any(d.severity == "error" for d in diags):
        for s in sheets:
            plans[s.file] = plan_import(ledger, s, on_newer)
            diags += plans[s.file].conflicts
    _raise_errors(diags)
    results: list[dict[str, Any]] = []
    for s in sheets:
        warnings = [d.to_dict() for d in s.diags if d.severity == "warning"]
        if dry_run:
            results.append({"file": s.file, "expert": s.expert_id, "dry_run": True, **plans[s.file].counts,
                            "warnings": warnings})
            continue
        with ledger.write("sheet.import", actor=actor or expert_actor(s.expert_id),
                          info={"expert": s.expert_id, "file": s.path.name, "sha256": s.sha256, "sheet": s.token_sha256,
                                "position": s.position}) as tx:
            plan = plan_import(ledger, s, on_newer)   # again, inside the transaction: nothing slips in between
            if plan.conflicts:  # an answer changed between the check and this sheet's turn
                done = ", ".join(r["file"] for r in results) or "-"
                raise ValidationError(plan.conflicts, summary=f"{s.file}: 检查后账本又有更新，未导入此表；已导入 / the "
                                                              f"ledger changed after the check, this sheet was not "
                                                              f"imported; already imported: {done}")
            for r in plan.rows:
                r["scored_at"] = tx.ts
            written = replace_scores(tx, s.expert_id, plan.rows, plan.withdraw)
            counts = {**plan.counts, **written, "unchanged": plan.counts["unchanged"] + written["unchanged"]}
            tx.info.update({k: v for k, v in counts.items() if v})
            if plan.kept_newer:
                tx.info["kept_newer"] = plan.kept_newer
            if plan.overwritten_newer:
                tx.info["overwritten_newer"] = plan.overwritten_newer
        results.append({"file": s.file, "expert": s.expert_id, **counts, "warnings": warnings})
    return results


def _raise_errors(diags: list[Diagnostic]) -> None:
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ValidationError(diags, summary=f"{len(errors)} 个问题，未导入任何评分表 / {len(errors)} problem(s), "
                                             "no sheet imported")
