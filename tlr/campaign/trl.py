"""TRL assessments stored in the ledger as JSON documents (from :mod:`tlr.trl`), audited.

Each record: project, critical technology element (``cte``), the document's canonical
JSON and its SHA-256, who assessed, when. Records are append-only: a new assessment
of the same project and CTE is a new record; the latest one counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError

from .chain import canonical
from .ledger import Ledger


def _document_json(document: Any) -> str:
    if hasattr(document, "model_dump"):
        document = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    elif isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except ValueError:
            raise CampaignError("TRL 评估文档不是合法 JSON / the TRL assessment is not valid JSON",
                                code="invalid") from None
    return canonical(document)


def record_trl_assessment(ledger: Ledger, project_id: str, cte: str, document: Any, *, assessor: str,
                          actor: str | None = None) -> dict:
    """Store one TRL assessment document (pydantic model, dict or JSON text). Returns the stored record."""
    ledger.project(project_id)
    if not cte:
        raise CampaignError("必须指明关键技术单元 / a critical technology element (cte) is required", code="invalid")
    text = _document_json(document)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with ledger.write("trl.record", actor=actor or assessor,
                      info={"project": project_id, "cte": cte, "sha256": sha}) as tx:
        next_id = tx.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM trl_assessments").fetchone()[0]
        row = {"id": next_id, "project_id": project_id, "cte": cte, "document": text, "sha256": sha,
               "assessor": assessor, "recorded_at": tx.ts}
        tx.put("trl_assessments", [row])
    return {**row, "audit_seq": tx.seq}


def trl_assessments(ledger: Ledger, project_id: str | None = None, *, latest: bool = False) -> list[dict]:
    """Stored assessments (oldest first) with ``document`` decoded; ``latest``: one per (project, cte)."""
    if project_id is None:
        rows = ledger.rows("trl_assessments", order="id")
    else:
        rows = ledger.rows("trl_assessments", "project_id = ?", (project_id,), order="id")
    for r in rows:
        r["document"] = json.loads(r["document"])
    if latest:
        keep: dict[tuple[str, str], dict] = {}
        for r in rows:
            keep[(r["project_id"], r["cte"])] = r
        rows = list(keep.values())
    return rows


@dataclass(frozen=True)
class CTEReading:
    """One critical technology element of a recorded assessment, as the ranking and report use it."""

    name: str
    level: int | None
    target: int | None
    basis: str              # evidenced | asserted | none
    next_level: int | None
    assessor: str
    recorded_at: str


@dataclass(frozen=True)
class ProjectReadiness:
    """A project's assessed readiness: the minimum over its latest assessment records."""

    level: int
    basis: str              # evidenced only when every record is
    ctes: tuple[CTEReading, ...]


def assessed_readiness(ledger: Ledger) -> dict[str, ProjectReadiness]:
    """Project id -> readiness from the latest TRL assessment records (the one place they are evaluated).

    A project's level is the minimum over its records; it is evidence-based only when every 'yes' up
    to the achieved level of every record carries evidence (see :attr:`tlr.trl.assess.CTEResult.basis`).
    """
    from tlr.trl import Assessment, evaluate as evaluate_trl  # pydantic models: imported when needed

    levels: dict[str, int] = {}
    bases: dict[str, list[str]] = {}
    ctes: dict[str, list[CTEReading]] = {}
    for record in trl_assessments(ledger, latest=True):
        doc = Assessment.model_validate(record["document"])
        result = evaluate_trl(doc, Path(ledger.path).parent, check_files=False)
        pid = record["project_id"]
        for cte in result.ctes:
            ctes.setdefault(pid, []).append(CTEReading(
                name=cte.name, level=cte.level, target=cte.target, basis=cte.basis,
                next_level=cte.determination.next_level, assessor=record["assessor"],
                recorded_at=record["recorded_at"]))
        if result.level is None:
            continue
        levels[pid] = min(levels.get(pid, result.level), result.level)
        bases.setdefault(pid, []).append(result.basis)
    return {pid: ProjectReadiness(level, "evidenced" if all(b == "evidenced" for b in bases[pid]) else "asserted",
                                  tuple(ctes.get(pid, ())))
            for pid, level in levels.items()}
