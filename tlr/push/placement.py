"""Place achievements under mandates: what fits each sub-fund and each recipient, and why the rest missed.

Pure: :class:`tlr.matching.items.Achievement` records and :class:`Mandate` rules in, a :class:`Placement` out.
No text is made here: every miss is a :class:`Failure` with a code and the values compared.

**The rule.** An achievement fits a mandate when every condition the mandate states holds:

====================  ========================================================================
condition             fails with (code: value vs limit)
====================  ========================================================================
eligible              ``knocked_out`` / ``unscored`` (the caller's *blocked*): never pushed
tier                  ``tier_outside``: the tier is not among the mandate's tiers
route                 ``route_outside`` (or ``route_none`` when the achievement has no route)
readiness (TRL)       ``trl_below`` / ``trl_above`` the inclusive range, ``trl_unknown``
ticket (万元)         ``ask_below`` / ``ask_above`` the inclusive range, ``ask_unknown``
industry              ``industry_outside`` (``industry_unknown`` when the achievement has none)
region                ``region_outside`` (``region_unknown`` when the achievement has none)
====================  ========================================================================

A condition the mandate leaves out (``None``) always holds. Regions compare as written, after Unicode
normalisation (NFKC) and trimming: "唐山市" is not "唐山".

**Order.** Each pack lists its achievements in the order they are given (the caller passes the round's
ranking, best first).

**Unplaced and the nearest mandate.** An achievement that fits no sub-fund's mandate is *unplaced* (it may
still be pushed to the recipients of its region). Its nearest mandate is the sub-fund whose conditions it
fails the fewest of; on a tie, the one whose focus it shares (fewest failures on industry and region: a
ticket or readiness just outside the range is a nearer miss than another industry), then the sub-fund
listed first in funds.yaml. When funds.yaml names no sub-fund,
the recipients take their place: unplaced is in no recipient's pack, the nearest is a recipient.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Sequence  # noqa: UP035 - as the rest of tlr

from tlr.matching.items import Achievement

Kind = Literal["fund", "recipient"]

# the conditions in the order they are checked and listed
CONDITIONS = ("eligible", "tier", "route", "trl", "ticket", "industry", "region")
BLOCKED_CODES = ("knocked_out", "unscored")
FOCUS = ("industry", "region")  # what a mandate is about; a miss here is farther than a number just outside


def norm_place(text: str | None) -> str:
    """A place name as compared: NFKC (full-width to half-width), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass(frozen=True)
class Mandate:
    """One sub-fund's mandate or one recipient's focus, resolved (industry ids, tier and route ids)."""

    id: str
    kind: Kind
    name: Mapping[str, str] = field(default_factory=dict)  # {"zh": ..., "en": ...}
    industries: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    trl: tuple[int, int] | None = None
    ticket: tuple[float, float] | None = None
    routes: tuple[str, ...] | None = None
    tiers: tuple[str, ...] | None = None
    tiers_default: bool = False  # tiers not written: the rubric's fundable tiers
    recipient_kind: str | None = None  # city | county | zone | incubator


@dataclass(frozen=True)
class Failure:
    """One condition an achievement fails: ``code`` with the value compared and the mandate's limit."""

    code: str
    condition: str
    value: Any = None
    limit: Any = None

    def to_dict(self) -> dict[str, Any]:
        limit = list(self.limit) if isinstance(self.limit, tuple) else self.limit
        return {"code": self.code, "condition": self.condition, "value": self.value, "limit": limit}


@dataclass(frozen=True)
class Unplaced:
    """An achievement that fits no sub-fund, the nearest sub-fund and the conditions it fails there."""

    achievement: str
    nearest: str | None  # None when funds.yaml names no mandate
    failures: tuple[Failure, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"achievement": self.achievement, "nearest": self.nearest,
                "failures": [f.to_dict() for f in self.failures]}


@dataclass(frozen=True)
class Placement:
    """Per mandate (in funds.yaml order) its achievements (in the given order); the unplaced (in no sub-fund's
    pack); every miss."""

    packs: dict[str, tuple[str, ...]]
    unplaced: tuple[Unplaced, ...]
    misses: dict[str, dict[str, tuple[Failure, ...]]]  # achievement -> mandate -> failures (fits: absent)

    def placed_in(self, achievement: str) -> list[str]:
        return [m for m, ids in self.packs.items() if achievement in ids]

    def to_dict(self) -> dict[str, Any]:
        return {"packs": {m: list(ids) for m, ids in self.packs.items()},
                "unplaced": [u.to_dict() for u in self.unplaced]}


def _inside(value: float, bounds: tuple[float, float], below: str, above: str, condition: str) -> list[Failure]:
    lo, hi = bounds
    if value < lo:
        return [Failure(below, condition, value, lo)]
    if value > hi:
        return [Failure(above, condition, value, hi)]
    return []


def check(a: Achievement, m: Mandate, blocked: str | None = None) -> tuple[Failure, ...]:
    """The conditions of *m* that *a* fails, in :data:`CONDITIONS` order (empty: it fits)."""
    out: list[Failure] = []
    if blocked is not None:
        out.append(Failure(blocked, "eligible", a.id))
    if m.tiers is not None and a.tier not in m.tiers:
        out.append(Failure("tier_outside", "tier", a.tier, m.tiers))
    if m.routes is not None:
        route = a.route
        if route is None:
            out.append(Failure("route_none", "route", None, m.routes))
        elif route not in m.routes:
            out.append(Failure("route_outside", "route", route, m.routes))
    if m.trl is not None:
        out += ([Failure("trl_unknown", "trl", None, m.trl)] if a.trl is None
                else _inside(a.trl, m.trl, "trl_below", "trl_above", "trl"))
    if m.ticket is not None:
        out += ([Failure("ask_unknown", "ticket", None, m.ticket)] if a.ask is None
                else _inside(a.ask, m.ticket, "ask_below", "ask_above", "ticket"))
    if m.industries is not None:
        if not a.industry:
            out.append(Failure("industry_unknown", "industry", None, m.industries))
        elif a.industry not in m.industries:
            out.append(Failure("industry_outside", "industry", a.industry, m.industries))
    if m.regions is not None:
        region = norm_place(a.region)
        if not region:
            out.append(Failure("region_unknown", "region", None, m.regions))
        elif region not in {norm_place(r) for r in m.regions}:
            out.append(Failure("region_outside", "region", a.region, m.regions))
    return tuple(out)


def nearest(misses: Mapping[str, Sequence[Failure]], mandates: Sequence[Mandate]) -> str | None:
    """The mandate of *mandates* with the fewest failures; ties: fewest failures on its focus (industry,
    region), then a sub-fund before a recipient, then the order of *mandates* (funds.yaml order)."""
    ranked = [(len(misses[m.id]), sum(f.condition in FOCUS for f in misses[m.id]), m.kind != "fund", k, m.id)
              for k, m in enumerate(mandates) if m.id in misses]
    return min(ranked)[-1] if ranked else None


def place(achievements: Iterable[Achievement], mandates: Sequence[Mandate], *,
          blocked: Mapping[str, str] | None = None) -> Placement:
    """Place *achievements* (in the round's order, best first) under *mandates* (funds.yaml order).

    *blocked*: achievement id -> ``knocked_out`` or ``unscored``: fits nothing, but is still explained.
    """
    blocked = dict(blocked or {})
    bad = sorted({c for c in blocked.values() if c not in BLOCKED_CODES})
    if bad:
        raise ValueError(f"unknown blocked code(s): {bad}")
    ids = [m.id for m in mandates]
    if len(set(ids)) != len(ids):
        raise ValueError("mandate ids must be unique")
    scope = [m for m in mandates if m.kind == "fund"] or list(mandates)  # what "placed" means
    packs: dict[str, list[str]] = {m.id: [] for m in mandates}
    misses: dict[str, dict[str, tuple[Failure, ...]]] = {}
    unplaced: list[Unplaced] = []
    seen: set[str] = set()
    for a in achievements:
        if a.id in seen:
            raise ValueError(f"achievement {a.id!r} given twice")
        seen.add(a.id)
        failed: dict[str, tuple[Failure, ...]] = {}
        for m in mandates:
            f = check(a, m, blocked.get(a.id))
            if f:
                failed[m.id] = f
            else:
                packs[m.id].append(a.id)
        misses[a.id] = failed
        if all(m.id in failed for m in scope):
            best = nearest(failed, scope)
            unplaced.append(Unplaced(a.id, best, failed[best] if best is not None else ()))
    return Placement({k: tuple(v) for k, v in packs.items()}, tuple(unplaced), misses)


__all__ = ["BLOCKED_CODES", "CONDITIONS", "FOCUS", "Failure", "Mandate", "Placement", "Unplaced", "check", "nearest",
           "norm_place", "place"]
