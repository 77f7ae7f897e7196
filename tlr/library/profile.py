"""What ``tlr library show`` and ``tlr library list`` print: an achievement's timeline, whether it progressed,
and its stage-wise support; the latest state of every achievement, filtered."""

from __future__ import annotations

from typing import Any

from tlr.campaign.vocab import INDUSTRIES, norm_token

from .achievements import latest_rows, rounds, timeline
from .store import Library
from .support import support


# readiness levels compare only within one kind of source: an assessment against the ladder, the panel's
# median, an applicant's own declaration
SOURCE_KIND = {"assessment": "assessed", "asserted": "assessed", "panel": "panel", "declared": "declared"}


def progress(steps: list[dict[str, Any]], tiers: list[str]) -> str:
    """``single`` (one round), ``progressed``, ``regressed``, ``unchanged``, ``incomparable`` or ``unknown``: the
    latest round against the first, by readiness level when both levels come from the same kind of source
    (:data:`SOURCE_KIND`), else by tier (in the order of ``tiers``, best first). ``incomparable``: the tier
    did not move and the levels come from different kinds of source (TRL 4 assessed, TRL 6 by the panel);
    ``unknown``: a level is missing and the tier did not move."""
    if len(steps) < 2:
        return "single"
    first, last = steps[0], steps[-1]
    a, b = first.get("readiness"), last.get("readiness")
    known = a is not None and b is not None
    same_basis = known and SOURCE_KIND.get(first.get("readiness_source")) == SOURCE_KIND.get(last.get("readiness_source"))
    if same_basis and a != b:
        return "progressed" if b > a else "regressed"
    ta, tb = first.get("tier"), last.get("tier")
    if ta in tiers and tb in tiers and ta != tb:
        return "progressed" if tiers.index(tb) < tiers.index(ta) else "regressed"
    if not known:
        return "unknown"
    return "unchanged" if same_basis else "incomparable"


PROGRESS_LABELS = {"single": ("仅一轮", "one round only"), "progressed": ("有进展", "progressed"),
                   "regressed": ("有退步", "regressed"), "unchanged": ("无变化", "unchanged"),
                   "unknown": ("无法判断（缺少就绪度）", "cannot tell (readiness missing)"),
                   "incomparable": ("无法判断（两轮就绪度来源不同）", "cannot tell (readiness from different sources)")}


def industry_label(code: str | None) -> dict[str, str] | None:
    """{zh, en} of an industry id of the vocabulary (None for an empty or unknown id)."""
    if code not in INDUSTRIES:
        return None
    zh, en = INDUSTRIES[code]
    return {"zh": zh, "en": en}


def route_label(rules: dict[str, Any], route: str | None) -> dict[str, str] | None:
    """The route's {zh, en} label in the round's rubric rules (None if the rubric does not name it)."""
    for r in (rules or {}).get("routes") or []:
        if r["id"] == route:
            return r["label"]
    return None


def show(lib: Library, aid: str) -> dict[str, Any]:
    ach, steps = timeline(lib, aid)
    by_name = rounds(lib)
    evaluated = [s for s in steps if s["kind"] == "evaluation"]
    rules = by_name[evaluated[-1]["round"]]["rules"] if evaluated else {}
    tiers = [t["id"] for t in rules.get("tiers") or []]
    out = {"achievement": ach["id"], "name": ach["name"], "applicant": ach["applicant"], "aliases": ach["aliases"],
           "timeline": [{k: s.get(k) for k in ("round", "year", "kind", "project_id", "readiness", "readiness_source",
                                               "tier", "composite", "route", "ask", "rank", "knocked_out", "region",
                                               "industry")}
                        | {"route_label": route_label(by_name[s["round"]]["rules"], s.get("route")),
                           "industry_label": industry_label(s.get("industry"))} for s in steps],
           "progress": progress(steps, tiers),
           "support": support(rules, evaluated[-1]) if evaluated else None}
    return out


def list_latest(lib: Library, *, industry: str | None = None, min_trl: int | None = None, tier: str | None = None,
                region: str | None = None) -> list[dict[str, Any]]:
    """Every achievement with its latest round, filtered (``region``: a part of the region as written)."""
    out = []
    want_region = norm_token(region) if region else None
    by_name = rounds(lib)
    for ach, row in latest_rows(lib):
        if industry and row["industry"] != industry:
            continue
        if min_trl is not None and (row["readiness"] is None or row["readiness"] < min_trl):
            continue
        if tier and row["tier"] != tier:
            continue
        if want_region and want_region not in norm_token(row["region"]):
            continue
        out.append({"achievement": ach["id"], "name": ach["name"], "applicant": ach["applicant"],
                    "round": row["round"], "industry": row["industry"], "region": row["region"],
                    "readiness": row["readiness"], "readiness_source": row["readiness_source"], "tier": row["tier"],
                    "composite": row["composite"], "route": row["route"], "ask": row["ask"],
                    "route_label": route_label(by_name[row["round"]]["rules"], row["route"]),
                    "industry_label": industry_label(row["industry"])})
    return out
