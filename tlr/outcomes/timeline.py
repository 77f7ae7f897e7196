"""One achievement's follow-up events as a dated timeline: the TRL path and the money totals.

An event is a dict with ``date`` (ISO ``YYYY-MM-DD``), ``kind`` (milestone, trl, investment, contract, revenue)
and the fields of its kind (``trl``, ``amount`` in 万元, ``counterparty``, ``period``, ``evidence``, ``note``).
The TRL path starts at the level the round recorded (``baseline``) and keeps the highest level reached so far:
a later event naming a lower level is shown but does not lower it (readiness once shown is not un-shown; a
regression is a finding to discuss, flagged ``regression``).
"""

from __future__ import annotations

from typing import Any, Iterable

MONEY_KINDS = ("investment", "contract", "revenue")
KINDS = ("milestone", "trl", *MONEY_KINDS)


def in_window(events: Iterable[dict[str, Any]], since: str | None, as_of: str | None) -> list[dict[str, Any]]:
    """The events dated in [since, as_of] (ISO dates compare as text), oldest first (then by id)."""
    out = [e for e in events if (since is None or e["date"] >= since) and (as_of is None or e["date"] <= as_of)]
    return sorted(out, key=lambda e: (e["date"], e.get("seq") or 0, e.get("id") or ""))


def trl_path(baseline: int | None, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{date, level, reached, regression}]``: each TRL event with the highest level reached so far."""
    best = baseline
    path = []
    for e in sorted((e for e in events if e["kind"] == "trl"), key=lambda e: e["date"]):
        level = int(e["trl"])
        regression = best is not None and level < best
        best = level if best is None else max(best, level)
        path.append({"date": e["date"], "level": level, "reached": best, "regression": regression})
    return path


def summary(baseline: int | None, events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Counts per kind, totals per money kind (万元), the TRL reached and the gain over ``baseline``."""
    events = sorted(events, key=lambda e: e["date"])
    totals = {k: 0.0 for k in MONEY_KINDS}
    counts = {k: 0 for k in KINDS}
    for e in events:
        counts[e["kind"]] += 1
        if e["kind"] in MONEY_KINDS and e.get("amount") is not None:
            totals[e["kind"]] += float(e["amount"])
    path = trl_path(baseline, events)
    reached = path[-1]["reached"] if path else baseline
    gain = None if baseline is None or reached is None else reached - baseline
    return {"baseline_trl": baseline, "trl_reached": reached, "trl_gain": gain, "trl_path": path,
            "totals": totals, "counts": counts, "events": len(events),
            "first": events[0]["date"] if events else None, "last": events[-1]["date"] if events else None}
