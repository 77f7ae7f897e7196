"""Fill the report's selection section (:class:`tlr.report.model.BudgetSelection`) from a budget selection.

The selection itself is computed by :func:`tlr.app.funding.select_for_budget`; this only
re-shapes its JSON-ready dict into the report contract, with the projects' names.
"""

from __future__ import annotations

from tlr.report.model import BudgetSelection, FrontierPoint, SelectionLeftOut, SelectionProject
from tlr.text import I18nText


def _project(row: dict) -> dict:
    return {"id": row["project"], "name": row.get("name") or row["project"], "rank": row.get("rank"),
            "tier": row["tier"], "composite": row.get("composite"), "cost": float(row["cost"]),
            "value": float(row["value"])}


def selection_section(sel: dict) -> BudgetSelection:
    """The report section for *sel* (the dict of :func:`tlr.app.funding.select_for_budget`)."""
    rows = {c["project"]: c for c in sel["candidates"]}
    frontier = sel.get("frontier") or {}
    return BudgetSelection(
        budget=sel["budget"], objective=sel["objective"], objective_text=I18nText(**sel["objective_text"]),
        failure_mode=I18nText(**sel["failure_mode"]), candidate_rule=I18nText(**sel["candidate_rule"]),
        line=sel["line"], fundable_tiers=sel["fundable_tiers"], n_candidates=len(sel["candidates"]),
        candidates_cost=float(sum(c["cost"] for c in sel["candidates"])),
        selected=[SelectionProject(**_project(rows[pid])) for pid in sel["selected"]],
        total_cost=sel["total_cost"], total_value=sel["total_value"], remaining=sel["remaining"],
        optimum_value=sel["optimum"]["total_value"], rank_fill=list(sel["rank_fill"]["selected"]),
        rank_fill_value=sel["rank_fill"]["total_value"], rank_fill_cost=sel["rank_fill"]["total_cost"],
        left_out=[SelectionLeftOut(**_project(item), reason=item["reason"],
                                   explanation=I18nText(**item["explanation"]), drop=item["drop"],
                                   dropped_value=item["dropped_value"], delta=item["delta"])
                  for item in sel["left_out"]],
        frontier=[FrontierPoint(**pt) for pt in frontier.get("points", [])],
        frontier_breakpoints=frontier.get("breakpoints", True), frontier_at=frontier.get("at_budget"))
