"""What the achievement library records of a round: an evaluated campaign (``tlr library add-round``) or a
list of achievements from universities and institutes (``tlr library import``).

A campaign is verified first as ``tlr report`` does (:func:`tlr.app.audit_gate.check_audit`: refused when
the audit trail does not verify, unless explicitly allowed — the round then records ``verified = 0``),
then evaluated (:func:`tlr.app.evaluation.evaluate_campaign`, without the rank-robustness simulation:
tier, composite, readiness and route do not depend on it). Each project's row is read from the one
record every output shows (:func:`tlr.app.records.project_records`), with its funding ask from the
project's cost column (:data:`tlr.app.funding.COST_COLUMNS`). The round also keeps the rubric's routes,
tiers and readiness levels, from which the stage-wise support is derived (:mod:`tlr.library.support`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tlr.library.achievements import add_round, read_achievement_file
from tlr.library.store import Library


def _both(text: Any) -> dict[str, str] | None:
    from tlr.text import tr

    return None if text is None else {"zh": tr(text, "zh"), "en": tr(text, "en")}


def _cond(cond: Any) -> dict | None:
    return None if cond is None else cond.model_dump(by_alias=True, exclude_none=True)


def rules_snapshot(rubric: Any) -> dict[str, Any]:
    """The rubric's routes, tiers and readiness ladder as plain data (kept with the round)."""
    doc = rubric.document
    ref = doc.readiness
    levels = []
    if ref:
        scale = rubric.node(ref).scale
        levels = [{"level": lv.level, "label": _both(lv.label), "descriptor": _both(lv.descriptor),
                   "evidence": [_both(e) for e in lv.evidence]} for lv in getattr(scale, "levels", None) or []]
    return {
        "rubric": {"id": rubric.id, "version": str(rubric.version), "content_hash": rubric.content_hash},
        "readiness": ref, "score_scale": getattr(doc, "score_scale", None) and _plain(doc.score_scale),
        "routes": [{"id": r.id, "label": _both(r.label), "short": _both(r.short), "when": _cond(r.when)}
                   for r in doc.routes or []],
        "tiers": [{"id": t.id, "label": _both(t.label), "min_score": t.min_score, "when": _cond(t.when),
                   "fundable": bool(t.fundable)} for t in doc.tiers or []],
        "levels": levels,
        "dimensions": [{"id": n.id, "label": _both(n.label)} for n in rubric.nodes
                       if n.kind == "dimension" and n.depth == 0],
    }


def _plain(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value


def campaign_entries(ledger, ev) -> list[dict[str, Any]]:
    """One library row per evaluated project of *ledger* (rank order): tier, composite, readiness and its
    source, route, funding ask, region, industry, keywords, summary."""
    from tlr.app.funding import project_costs
    from tlr.app.records import project_records

    names = {p["id"]: p for p in ledger.projects()}
    asks = dict(zip(ev.projects, project_costs(names, ev.projects, None)))
    out = []
    for rec in project_records(ev, names):
        p = names.get(rec["project"], {})
        out.append({"project_id": rec["project"], "name": p.get("name") or "", "applicant": p.get("applicant") or "",
                    "industry": p.get("industry"), "region": p.get("region") or "", "keywords": p.get("keywords") or [],
                    "summary": p.get("summary") or "", "tier": rec["tier"], "composite": rec["composite"],
                    "readiness": rec["readiness"], "readiness_source": rec["readiness_source"], "route": rec["route"],
                    "ask": asks.get(rec["project"]), "rank": rec["rank"], "knocked_out": rec["knocked_out"],
                    "dimensions": {k: v for k, v in (rec.get("dimensions") or {}).items() if v is not None}})
    return out


def evaluate_for_library(ledger):
    """The campaign's evaluation as the library records it (no robustness simulation)."""
    from tlr.app.evaluation import evaluate_campaign
    from tlr.evaluation import EvaluationOptions

    return evaluate_campaign(ledger, EvaluationOptions(draws=1, bootstrap_draws=0))


def _year(*texts: str) -> int | None:
    for text in texts:
        m = re.search(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", text or "")
        if m:
            return int(m.group(1))
    return None


def campaign_round(ledger, *, name: str | None = None, year: int | None = None,
                   allow_unverified: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    """(the round row, one entry per project, the audit status) of the campaign *ledger*: verified (refused
    when its audit trail does not verify, unless *allow_unverified*), then evaluated."""
    from tlr.app.audit_gate import check_audit

    status = check_audit(ledger, allow_unverified=allow_unverified)
    ev = evaluate_for_library(ledger)
    meta = ledger.meta
    round_name = name or meta.get("name") or Path(ledger.path).parent.name
    round_row = {"name": round_name, "year": year or _year(round_name, meta.get("created_at", "")),
                 "kind": "evaluation", "source": str(Path(ledger.path).resolve()),
                 "source_id": meta.get("campaign_id", ""), "head": status.head, "entries": status.entries,
                 "verified": int(status.verified), "rules": rules_snapshot(ledger.rubric)}
    return round_row, campaign_entries(ledger, ev), status


def add_campaign_round(lib: Library, ledger, *, name: str | None = None, year: int | None = None,
                       accept_links: bool = False, allow_unverified: bool = False,
                       actor: str | None = None) -> dict[str, Any]:
    """Verify, evaluate and record the campaign *ledger* as a round of *lib*."""
    round_row, entries, status = campaign_round(ledger, name=name, year=year, allow_unverified=allow_unverified)
    return record_campaign_round(lib, round_row, entries, status, accept_links=accept_links, actor=actor)


def record_campaign_round(lib: Library, round_row: dict[str, Any], entries: list[dict[str, Any]], status: Any, *,
                          accept_links: bool = False, actor: str | None = None) -> dict[str, Any]:
    result = add_round(lib, round_row, entries, accept_links=accept_links, actor=actor)
    return {**result, "year": round_row["year"], "head": status.head, "verified": status.verified}


def import_achievement_round(lib: Library | None, path: str | Path, *, name: str | None = None, year: int | None = None,
                             encoding: str | None = None, accept_links: bool = False, dry_run: bool = False,
                             actor: str | None = None) -> dict[str, Any]:
    """Record a list of achievements (成果库) as a round of kind ``import``: declared readiness and ask."""
    records, digest = read_achievement_file(path, encoding)
    if lib is None and not dry_run:
        raise ValueError("a library is needed unless dry_run")
    round_name = name or Path(path).stem
    entries = [{"project_id": r["id"], "name": r["name"], "applicant": r["applicant"], "industry": r["industry"],
                "region": r.get("region") or "", "keywords": r.get("keywords") or [], "summary": r.get("summary") or "",
                "tier": None, "composite": None, "readiness": r.get("trl"),
                "readiness_source": "declared" if r.get("trl") is not None else "none", "route": None,
                "ask": r.get("ask"), "rank": None, "knocked_out": False} for r in records]
    if dry_run:
        return {"round": round_name, "achievements": len(entries), "dry_run": True}
    round_row = {"name": round_name, "year": year or _year(round_name), "kind": "import", "source": str(path),
                 "source_id": digest, "head": digest, "entries": len(entries), "verified": 1, "rules": {}}
    return add_round(lib, round_row, entries, accept_links=accept_links, actor=actor)
