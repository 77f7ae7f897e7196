"""Stage-wise support (分阶段支持): the batch an achievement is on now and what would move it on.

Derived from the rules of the round that evaluated it (the rubric's routes, tiers and readiness ladder,
kept with the round), never written beside them:

- the routes are tried in order and the first whose condition holds wins, so an achievement on route
  *k* reaches route *k + 1* when route *k*'s condition stops holding and route *k + 1*'s holds; the
  requirement is that negation and that condition, less the parts that already hold;
- a readiness bound (``trl > 3`` → TRL ≥ 4) names the levels to climb, each with its ladder definition and
  the evidence the ladder lists for it;
- the next better tier needs its minimum composite and its own condition.

Pure: plain dicts in, plain dicts out (language at the edges: every text is ``{"zh", "en"}``).
"""

from __future__ import annotations

import math
from typing import Any

KNOCKED_OUT = {"zh": "先消除一票否决项", "en": "first clear the knock-out gate"}
NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
SYMBOL = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


def negate(cond: dict[str, Any]) -> dict[str, Any]:
    """The condition that holds exactly when *cond* does not (De Morgan for all/any)."""
    if cond.get("ref") is not None:
        return {"ref": cond["ref"], "op": NEGATE[cond["op"]], "value": cond.get("value")}
    if cond.get("all") is not None:
        return {"any": [negate(c) for c in cond["all"]]}
    if cond.get("any") is not None:
        return {"all": [negate(c) for c in cond["any"]]}
    return cond["not"]


def _is_readiness(ref: str, rules: dict[str, Any]) -> bool:
    return ref == "readiness" or (rules.get("readiness") is not None and ref == rules["readiness"])


def _holds(cond: dict[str, Any], values: dict[str, float | None]) -> bool | None:
    """Three-valued: True, False, or None (a value it compares is unknown)."""
    if cond.get("ref") is not None:
        have = values.get(cond["ref"])
        want = cond.get("value")
        if have is None or not isinstance(want, (int, float)) or isinstance(want, bool):
            return None
        return {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want, "==": have == want,
                "!=": have != want}[cond["op"]]
    if cond.get("all") is not None:
        parts = [_holds(c, values) for c in cond["all"]]
        return False if False in parts else (None if None in parts else True)
    if cond.get("any") is not None:
        parts = [_holds(c, values) for c in cond["any"]]
        return True if True in parts else (None if None in parts else False)
    inner = _holds(cond["not"], values)
    return None if inner is None else not inner


def _unmet(cond: dict[str, Any], values: dict[str, float | None]) -> list[dict[str, Any]]:
    """The parts of *cond* that do not hold yet (an ``all`` split into its parts)."""
    if cond.get("all") is not None:
        return [part for c in cond["all"] for part in _unmet(c, values)]
    return [] if _holds(cond, values) is True else [cond]


def describe(cond: dict[str, Any], rules: dict[str, Any], lang: str) -> str:
    """Readable text of a condition; a readiness bound as whole levels (``trl > 3`` → ``TRL ≥ 4``)."""
    if cond.get("ref") is not None:
        ref, op, value = cond["ref"], cond["op"], cond.get("value")
        if _is_readiness(ref, rules) and isinstance(value, (int, float)) and not isinstance(value, bool):
            if op == ">":
                op, value = ">=", math.floor(value) + 1
            elif op == "<":
                op, value = "<=", math.ceil(value) - 1
            return f"TRL {SYMBOL[op]} {value:g}"
        name = {"composite": ("综合得分", "composite")}.get(ref, (ref, ref))[0 if lang == "zh" else 1]
        if isinstance(value, bool):
            value = ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        elif isinstance(value, float):
            value = f"{value:g}"
        return f"{name} {SYMBOL.get(op, op)} {value}"
    for key, zh, en in (("all", " 且 ", " and "), ("any", " 或 ", " or ")):
        if cond.get(key) is not None:
            return "(" + (zh if lang == "zh" else en).join(describe(c, rules, lang) for c in cond[key]) + ")"
    return ("非 " if lang == "zh" else "not ") + describe(cond["not"], rules, lang)


def _text(cond: dict[str, Any], rules: dict[str, Any]) -> dict[str, str]:
    return {"zh": describe(cond, rules, "zh"), "en": describe(cond, rules, "en")}


def _lowest_level(conds: list[dict[str, Any]], rules: dict[str, Any]) -> int | None:
    """The lowest readiness level the simple readiness bounds among *conds* ask for, or None."""
    need = None
    for c in conds:
        if c.get("ref") is None or not _is_readiness(c["ref"], rules):
            continue
        value = c.get("value")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if c["op"] == ">":
            level = math.floor(value) + 1
        elif c["op"] in (">=", "=="):
            level = math.ceil(value)
        else:
            continue
        need = level if need is None else max(need, level)
    return need


def support(rules: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Where the achievement of *row* (its latest evaluated round) stands and what would move it on."""
    routes = rules.get("routes") or []
    tiers = rules.get("tiers") or []
    ref = rules.get("readiness")
    readiness = row.get("readiness")
    values = {"composite": row.get("composite"), "readiness": readiness}
    if ref:
        values[ref] = readiness
    out: dict[str, Any] = {"route": row.get("route"), "route_label": None, "knocked_out": bool(row.get("knocked_out")),
                           "next_route": None, "next_route_label": None, "requirements": [], "levels": [],
                           "last_route": False, "next_tier": None}
    # a knock-out decides the tier (and a route only its gate names) whatever the scores: it goes first
    knocked = [dict(KNOCKED_OUT)] if out["knocked_out"] else []
    ids = [r["id"] for r in routes]
    here = ids.index(row["route"]) if row.get("route") in ids else None
    if here is not None:
        out["route_label"] = routes[here]["label"]
        if here + 1 < len(routes):
            nxt = routes[here + 1]
            out["next_route"], out["next_route_label"] = nxt["id"], nxt["label"]
            conds = ([negate(routes[here]["when"])] if routes[here].get("when") else []) + \
                    ([nxt["when"]] if nxt.get("when") else [])
            unmet = [part for c in conds for part in _unmet(c, values)]
            out["requirements"] = knocked + [_text(c, rules) for c in unmet]
            target = _lowest_level(unmet, rules)
            if target is not None and readiness is not None:
                out["levels"] = [lv for lv in rules.get("levels") or [] if readiness < lv["level"] <= target]
        else:
            out["last_route"] = True
    tier_ids = [t["id"] for t in tiers]
    if row.get("tier") in tier_ids and tier_ids.index(row["tier"]) > 0:
        better = tiers[tier_ids.index(row["tier"]) - 1]
        needs = list(knocked)
        if better.get("min_score") is not None and (row.get("composite") is None
                                                    or row["composite"] < better["min_score"]):
            needs.append({"zh": f"综合得分 ≥ {better['min_score']:g}", "en": f"composite ≥ {better['min_score']:g}"})
        if better.get("when"):
            needs += [_text(c, rules) for c in _unmet(better["when"], values)]
        out["next_tier"] = {"id": better["id"], "label": better["label"], "requirements": needs}
    return out
