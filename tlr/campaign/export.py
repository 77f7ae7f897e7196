"""Exporting a campaign's scores as CSV, XLSX or JSON.

Spreadsheet safety: in CSV and XLSX exports, a *text* cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote
``'`` so that Excel/WPS shows it as text instead of evaluating it as a formula
(CSV/formula injection). Numbers are written as numbers and are not changed. JSON
is not a spreadsheet format and is written unchanged.

Characters a spreadsheet cell cannot hold (control characters other than tab and line
breaks, lone surrogates; a ledger written before imports refused them may hold some) are
replaced by U+FFFD in CSV and XLSX cells (:func:`clean_cell`), so an export never fails
and the loss stays visible.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tlr.safetext import xlsx_clean
from tlr.text import tr

from .ledger import Ledger
from .moderation import current_moderations
from .vocab import reason_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SCORE_COLUMNS = ["expert", "expert_name", "project", "project_name", "indicator", "indicator_label", "value",
                 "value_label", "raw", "comment", "evidence", "scored_at", "source", "audit_seq",
                 "moderation", "value_used", "moderation_reason", "moderator", "moderation_audit_seq"]


def clean_cell(value: Any) -> Any:
    """A text cell with every character XLSX cannot hold replaced by U+FFFD; other values unchanged."""
    return xlsx_clean(value)


def neutralise(value: Any) -> Any:
    """Clean a text cell (:func:`clean_cell`) and prefix it with ``'`` when it starts with = + - @ (or tab / CR)."""
    value = xlsx_clean(value)
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def score_records(ledger: Ledger, lang: str = "zh") -> list[dict[str, Any]]:
    from tlr.rubric.scales import score_label

    rubric = ledger.rubric
    experts = {e["id"]: e for e in ledger.experts()}
    projects = {p["id"]: p for p in ledger.projects()}
    eorder = {e: k for k, e in enumerate(experts)}
    porder = {p: k for k, p in enumerate(projects)}
    iorder = {i.id: k for k, i in enumerate(rubric.indicators)}
    # the moderation in force on a cell, when it still judges the cell's current score (as the evaluation does)
    moderated = {(m.expert_id, m.project_id, m.indicator_id): m for m in current_moderations(ledger) if m.active}
    rows = ledger.rows("scores")
    rows.sort(key=lambda r: (eorder.get(r["expert_id"], 1 << 30), porder.get(r["project_id"], 1 << 30),
                             iorder.get(r["indicator_id"], 1 << 30)))
    out = []
    for r in rows:
        try:
            info = rubric.indicator(r["indicator_id"])
            label, vlabel = tr(info.label, lang), score_label(info.scale, r["value"], lang)
        except KeyError:
            label, vlabel = "", ""
        out.append({
            "expert": r["expert_id"], "expert_name": experts.get(r["expert_id"], {}).get("name", ""),
            "project": r["project_id"], "project_name": projects.get(r["project_id"], {}).get("name", ""),
            "indicator": r["indicator_id"], "indicator_label": label, "value": r["value"], "value_label": vlabel,
            "raw": r["raw"], "comment": r["comment"], "evidence": r["evidence"], "scored_at": r["scored_at"],
            "source": r["source"], "audit_seq": r["audit_seq"], **_moderation_cells(
                moderated.get((r["expert_id"], r["project_id"], r["indicator_id"])), r["value"]),
        })
    return out


def _moderation_cells(mod: Any, value: Any) -> dict[str, Any]:
    """What the evaluation uses for a score: ``value_used`` is the value, the override, or empty when excluded."""
    if mod is None:
        return {"moderation": "", "value_used": value, "moderation_reason": "", "moderator": "",
                "moderation_audit_seq": None}
    return {"moderation": mod.action, "value_used": mod.value if mod.action == "override" else None,
            "moderation_reason": mod.reason, "moderator": mod.moderator, "moderation_audit_seq": mod.audit_seq}


ASSIGNMENT_COLUMNS = ["project", "project_name", "applicant", "expert", "expert_name", "institution", "status",
                      "reason", "reason_text", "detail", "source", "created_at"]


def assignment_records(ledger: Ledger) -> list[dict[str, Any]]:
    """One row per assignment and per recusal (status ``assigned`` / ``recused``, with the reason)."""
    experts = {e["id"]: e for e in ledger.experts()}
    projects = {p["id"]: p for p in ledger.projects()}
    porder = {p: k for k, p in enumerate(projects)}
    eorder = {e: k for k, e in enumerate(experts)}
    out = []
    for status, rows in (("assigned", ledger.rows("assignments")), ("recused", ledger.rows("recusals"))):
        for r in rows:
            e, p = experts.get(r["expert_id"], {}), projects.get(r["project_id"], {})
            out.append({"project": r["project_id"], "project_name": p.get("name", ""),
                        "applicant": p.get("applicant", ""), "expert": r["expert_id"],
                        "expert_name": e.get("name", ""), "institution": e.get("institution", ""),
                        "status": status, "reason": r.get("reason", ""),
                        "reason_text": reason_text(r["reason"]) if r.get("reason") else "",
                        "detail": r.get("detail", ""), "source": r["source"], "created_at": r["created_at"]})
    out.sort(key=lambda r: (porder.get(r["project"], 0), r["status"], eorder.get(r["expert"], 0)))
    return out


def export_assignments(ledger: Ledger, fmt: str, out: str | Path | None = None) -> bytes:
    """Assignments and recusals (with reasons) as csv | xlsx | json."""
    return _write(ledger, fmt, out, assignment_records(ledger), ASSIGNMENT_COLUMNS, "assignments")


def export_scores(ledger: Ledger, fmt: str, out: str | Path | None = None, *, lang: str = "zh") -> bytes:
    """Write the scores in ``fmt`` (csv | xlsx | json) to ``out`` (if given); return the bytes."""
    return _write(ledger, fmt, out, score_records(ledger, lang), SCORE_COLUMNS, "scores")


def _write(ledger: Ledger, fmt: str, out: str | Path | None, records: list[dict], columns: list[str],
           name: str) -> bytes:
    if fmt == "json":
        row = ledger.rubric_row()
        doc = {"campaign": {"id": ledger.meta.get("campaign_id"), "name": ledger.meta.get("name")},
               "rubric": {"id": row.get("rubric_id"), "version": row.get("version"),
                          "content_hash": row.get("content_hash")},
               name: records}
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8", "backslashreplace")
    elif fmt == "csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow([neutralise(r[c]) for c in columns])
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = name
        ws.append(columns)
        for r in records:
            ws.append([neutralise(r[c]) for c in columns])
        ws.freeze_panes = "A2"
        info = wb.create_sheet("campaign")
        row = ledger.rubric_row()
        for k, v in [("campaign_id", ledger.meta.get("campaign_id")), ("name", ledger.meta.get("name")),
                     ("rubric_id", row.get("rubric_id")), ("rubric_version", row.get("version")),
                     ("rubric_hash", row.get("content_hash")),
                     ("formula_safety", "text cells starting with = + - @ are prefixed with '")]:
            info.append([k, neutralise(v)])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if out is not None:
        from tlr.outputs import write_file

        write_file(out, data)  # only a new file or one tlr wrote; OSError -> one located line
    return data
