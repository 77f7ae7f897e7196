"""Readers that feed the matcher (:mod:`tlr.matching`): demand and achievement records from files, from the
achievement library, or from an evaluated campaign.

Files are read all-or-nothing with located errors (the import machinery of :mod:`tlr.campaign.imports`):
demand files with the survey columns (:data:`tlr.library.demands.DEMAND_COLUMNS`), achievement files
with the project columns plus 成果简介 / 关键词 / 技术成熟度 / 投资需求 / 所在地区
(:data:`tlr.library.achievements.ACHIEVEMENT_COLUMNS`). Personal data (联系人/联系电话) never reaches a
:class:`~tlr.matching.items.Demand`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tlr.matching.items import Achievement, Demand


def _demand(row: dict[str, Any]) -> Demand:
    return Demand(id=row["id"], name=row["name"], enterprise=row.get("enterprise") or "",
                  industry=row.get("industry"), region=row.get("region") or "",
                  description=row.get("description") or "", indicators=row.get("indicators") or "",
                  cooperation=tuple(row.get("cooperation") or ()), budget=row.get("budget"),
                  min_trl=row.get("min_trl"), keywords=tuple(row.get("keywords") or ()))


def demands_from_file(path: str | Path, encoding: str | None = None) -> list[Demand]:
    """Every demand of a demand file (CSV/XLSX/JSON), in file order; a file with any problem is refused."""
    from tlr.campaign.imports import read_records
    from tlr.library.demands import DEMAND_COLUMNS, derived_id, read_demand_rows

    table, plan = read_demand_rows(path, encoding)
    return [_demand(r) for r in read_records(table, DEMAND_COLUMNS, plan, derived_id)]


def achievements_from_file(path: str | Path, encoding: str | None = None) -> list[Achievement]:
    """Every achievement of a file (成果库), in file order, with its declared readiness and ask."""
    from tlr.library.achievements import read_achievement_file

    records, _sha = read_achievement_file(path, encoding)
    return [Achievement(id=r["id"], name=r["name"], applicant=r["applicant"], industry=r["industry"],
                        region=r.get("region") or "", summary=r.get("summary") or "",
                        keywords=tuple(r.get("keywords") or ()), trl=r.get("trl"),
                        trl_source="declared" if r.get("trl") is not None else "", ask=r.get("ask"),
                        extra={"extra": r.get("extra") or {}}) for r in records]


def demands_from_library(lib, status: str | None = "open") -> list[Demand]:
    """The library's demands with *status* (None: all), in import order."""
    from tlr.library.demands import list_demands

    return [_demand(r) for r in list_demands(lib, status=status)]


def _achievement(row: dict[str, Any], aid: str, name: str, applicant: str, extra: dict) -> Achievement:
    source = row.get("readiness_source") or ""
    return Achievement(id=aid, name=name, applicant=applicant, industry=row.get("industry"),
                       region=row.get("region") or "", summary=row.get("summary") or "",
                       keywords=tuple(row.get("keywords") or ()), trl=row.get("readiness"),
                       trl_source="" if source == "none" else source, ask=row.get("ask"), tier=row.get("tier"),
                       extra=extra)


def achievements_from_library(lib) -> list[Achievement]:
    """Every achievement of the library with its latest round's evaluation (or declared readiness)."""
    from tlr.library.achievements import latest_rows

    return [_achievement(row, ach["id"], ach["name"], ach["applicant"],
                         {"round": row["round"], "route": row["route"], "composite": row["composite"]})
            for ach, row in latest_rows(lib)]


def achievements_from_campaign(ledger) -> list[Achievement]:
    """The evaluated projects of a campaign (rank order): tier, readiness and its source, ask, region."""
    from tlr.app.library_round import campaign_entries, evaluate_for_library

    return [_achievement(e, e["project_id"], e["name"], e["applicant"],
                         {"route": e["route"], "composite": e["composite"], "rank": e["rank"]})
            for e in campaign_entries(ledger, evaluate_for_library(ledger))]
