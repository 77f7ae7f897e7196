"""Fund fit and the budget selection a committee signs, for a campaign's evaluation.

The I/O edge of :func:`tlr.ranking.selection.select_budget`: it reads the requested amounts from the
projects' imported columns, decides who is a *candidate* and measures value from the rubric's
fundable line, then hands arrays to the numeric core.

Candidates are the projects that

1. have scores,
2. pass every knock-out gate (never knocked out, no knock-out gate left undecided),
3. fit the fund (``--industries``, ``--min-trl``, ``--max-ticket``),
4. sit in a tier the rubric marks ``fundable: true`` (or the tiers named by ``--fundable-tiers``;
   a rubric without tiers makes every project passing 1-3 a candidate, with the line at 0),
5. have a requested amount.

When nobody is left the error names the first of these steps that emptied the pool, with the figure
that shows why (the highest readiness, the smallest request, the cheapest candidate ...).
"""

from __future__ import annotations

import math
from typing import Any

from tlr.campaign.vocab import INDUSTRIES, industry_id
from tlr.errors import TlrError

COST_COLUMNS = ("申请经费（万元）", "申请经费(万元)", "申请经费", "requested_funding", "ticket", "投资需求（万元）")
ALL_TIERS = "all"


def _amount(raw: Any) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(str(raw).replace(",", "").replace("，", "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def project_costs(names: dict[str, dict], projects, column: str | None) -> list[float | None]:
    """Requested funding per project from an imported column (kept in the project's ``extra``).

    A missing, non-numeric or negative amount is ``None`` (the project cannot be selected).
    """
    out: list[float | None] = []
    for pid in projects:
        extra = (names.get(pid) or {}).get("extra") or {}
        keys = [column] if column else [k for k in COST_COLUMNS if k in extra]
        out.append(_amount(extra.get(keys[0])) if keys else None)
    return out


def _gate_reasons(ev, p: int) -> list[str]:
    from tlr.text import tr

    out = []
    for g in ev.gates:
        if g.effect != "knockout":
            continue
        if g.hit[p]:
            out.append(f"一票否决：{tr(g.label, 'zh')} / knocked out: {tr(g.label, 'en')}")
        elif g.unknown[p]:
            out.append(f"否决项无法判定：{tr(g.label, 'zh')} / undecided knock-out gate: {tr(g.label, 'en')}")
    return out


def fund_fit(ev, names: dict[str, dict], *, industries: list[str] | None = None, min_trl: int | None = None,
             max_ticket: float | None = None, cost_column: str | None = None) -> dict[str, list[str]]:
    """Project id -> reasons it does not fit the fund (empty list: fits).

    Unscored projects, knocked-out projects and projects with an undecided knock-out gate never fit.
    """
    costs = project_costs(names, ev.projects, cost_column)
    wanted = {industry_id(i) or i for i in industries} if industries else None
    out: dict[str, list[str]] = {}
    for p, pid in enumerate(ev.projects):
        reasons = []
        if ev.unscored[p]:
            reasons.append("无人评分 / no scores")
        reasons += _gate_reasons(ev, p)
        if wanted is not None and (names.get(pid) or {}).get("industry") not in wanted:
            reasons.append("行业不在基金投向内 / industry outside the fund's focus")
        if min_trl is not None and not (ev.readiness[p] >= min_trl):
            reasons.append(f"技术就绪水平低于 {min_trl} / readiness below TRL {min_trl}")
        if max_ticket is not None and costs[p] is not None and costs[p] > max_ticket:
            reasons.append(f"申请 {costs[p]:g} 万超过单笔上限 {max_ticket:g} / ticket {costs[p]:g} above {max_ticket:g}")
        out[pid] = reasons
    return out


def fundable_tiers(rubric, chosen: list[str] | None = None) -> tuple[list[str] | None, float]:
    """(fundable tier ids, the fundable line) for *rubric*; ``(None, 0.0)`` when it has no tiers.

    *chosen* overrides the rubric's ``fundable`` flags (``["all"]``: every tier). The line is the
    lowest ``min_score`` among the fundable tiers (a tier without one counts as 0).
    """
    tiers = list(rubric.document.tiers or [])
    ids = [t.id for t in tiers]
    if not tiers:
        if chosen:
            raise TlrError("评价体系没有档次，--fundable-tiers 无从适用 / the rubric has no tiers, so --fundable-tiers "
                           "does not apply", hint="leave out --fundable-tiers: every project passing the gates is "
                           "a candidate")
        return None, 0.0
    if chosen:
        if [c.lower() for c in chosen] == [ALL_TIERS]:
            fundable = ids
        else:
            unknown = [c for c in chosen if c not in ids]
            if unknown:
                raise TlrError(f"未知档次 / unknown tier(s) in --fundable-tiers: {', '.join(unknown)}",
                               hint=f"the rubric's tiers: {', '.join(ids)} (or 'all')")
            fundable = [i for i in ids if i in chosen]
    else:
        fundable = [t.id for t in tiers if getattr(t, "fundable", False)]
        if not fundable:
            raise TlrError(
                f"评价体系 {rubric.id} {rubric.version} 的档次均未标记可资助 / none of the tiers of rubric "
                f"{rubric.id} {rubric.version} is marked fundable (tiers: {', '.join(ids)})",
                hint="name them with --fundable-tiers A,B (or --fundable-tiers all), or set `fundable: true` on "
                     "those tiers in the rubric for the next campaign", code="no_fundable_tier")
    line = min(float(t.min_score or 0.0) for t in tiers if t.id in fundable)
    return fundable, line


def _industry_text(code: str | None) -> str:
    zh, en = INDUSTRIES.get(code or "", (code or "—", code or "—"))
    return f"{zh}" if zh == en else f"{zh}/{en}"


def _stages(ev, names, costs, fundable, *, industries, min_trl, max_ticket, cost_column):
    """The candidate steps in order: (code, keeps(p) -> bool, error(pool) -> TlrError)."""
    projects = ev.projects

    def label(p: int) -> str:
        return f"{projects[p]} {(names.get(projects[p]) or {}).get('name') or ''}".strip()

    def no_gates(pool):
        ko = sum(1 for p in pool if ev.knocked_out[p])
        return TlrError(f"所有已评分项目都被一票否决或否决项无法判定 / every scored project is knocked out or has an "
                        f"undecided knock-out gate ({ko} knocked out, {len(pool) - ko} undecided)",
                        hint="`tlr rank` lists each project's knock-out reasons", code="no_candidate")

    wanted = None
    if industries:
        wanted = {industry_id(i) or i for i in industries}

    def no_industry(pool):
        present = sorted({(names.get(projects[p]) or {}).get("industry") or "—" for p in pool})
        unknown = [i for i in industries if industry_id(i) is None]
        extra = (f"; unknown industry name(s): {', '.join(unknown)} (known: {', '.join(INDUSTRIES)})"
                 if unknown else "")
        return TlrError(f"没有项目属于 --industries {','.join(industries)} / no project is in --industries "
                        f"{','.join(industries)} (industries here: {', '.join(_industry_text(i) for i in present)})"
                        f"{extra}", code="no_candidate")

    def no_trl(pool):
        levels = [ev.readiness[p] for p in pool if not math.isnan(ev.readiness[p])]
        best = f"{int(max(levels))}" if levels else "—"
        return TlrError(f"没有项目满足 --min-trl {min_trl} / no project meets --min-trl {min_trl} "
                        f"(最高就绪水平 / highest readiness: {best})", hint="lower --min-trl or record TRL assessments",
                        code="no_candidate")

    def no_ticket(pool):
        priced = [p for p in pool if costs[p] is not None]
        cheapest = min(priced, key=lambda p: costs[p]) if priced else None
        what = f"{label(cheapest)} {costs[cheapest]:g} 万" if cheapest is not None else "—"
        return TlrError(f"没有项目的申请金额不超过 --max-ticket {max_ticket:g} / no project asks for at most "
                        f"--max-ticket {max_ticket:g} (最小申请 / smallest request: {what})", code="no_candidate")

    def no_tier(pool):
        best = min(pool, key=lambda p: ev.rank[p])
        return TlrError(f"没有项目处于可资助档次 {'、'.join(fundable)} / no project is in a fundable tier "
                        f"({', '.join(fundable)}); best of the rest: {label(best)}, tier {ev.tier[best]}, "
                        f"{ev.composite[best]:.1f}",
                        hint="a lower tier can be made fundable with --fundable-tiers", code="no_candidate")

    def no_cost(pool):
        tried = cost_column or " / ".join(COST_COLUMNS)
        columns = sorted({k for info in names.values() for k in ((info or {}).get("extra") or {})})
        where = (f"; the projects' extra columns: {', '.join(columns) or 'none'}"
                 if not any(c in columns for c in ([cost_column] if cost_column else COST_COLUMNS)) else "")
        return TlrError(f"可资助项目均无申请金额 / no fundable project has a requested amount (column {tried}; "
                        f"{len(pool)} fundable project(s) without one, e.g. {label(min(pool, key=lambda p: ev.rank[p]))}"
                        f"{where})",
                        hint="import the projects with an amount column, or name it with --cost-column",
                        code="no_cost")

    steps = [
        ("scored", lambda p: not ev.unscored[p],
         lambda pool: TlrError("没有已评分的项目 / no project has scores yet", hint="`tlr status` shows who owes what",
                               code="no_candidate")),
        ("gates", lambda p: not ev.knocked_out[p] and not any(g.unknown[p] for g in ev.gates if g.effect == "knockout"),
         no_gates),
    ]
    if wanted is not None:
        steps.append(("industries", lambda p: (names.get(projects[p]) or {}).get("industry") in wanted, no_industry))
    if min_trl is not None:
        steps.append(("min_trl", lambda p: ev.readiness[p] >= min_trl, no_trl))
    if max_ticket is not None:
        steps.append(("max_ticket", lambda p: costs[p] is None or costs[p] <= max_ticket, no_ticket))
    if fundable is not None:
        steps.append(("tier", lambda p: ev.tier[p] in fundable, no_tier))
    steps.append(("cost", lambda p: costs[p] is not None, no_cost))
    return steps


def candidate_rule(fundable: list[str] | None, line: float, *, industries=None, min_trl=None, max_ticket=None,
                   industry_cap=None) -> dict[str, str]:
    """The candidate rule as one sentence per language."""
    zh = ["已评分", "通过全部一票否决项（且无无法判定的否决项）"]
    en = ["scored", "passes every knock-out gate (none undecided)"]
    if industries:
        zh.append(f"行业属于 {'、'.join(industries)}")
        en.append(f"industry in {', '.join(industries)}")
    if min_trl is not None:
        zh.append(f"技术就绪水平 ≥ {min_trl}")
        en.append(f"readiness ≥ TRL {min_trl}")
    if max_ticket is not None:
        zh.append(f"申请金额 ≤ {max_ticket:g} 万")
        en.append(f"request ≤ {max_ticket:g}")
    if fundable is None:
        zh.append("评价体系未设档次，故不按档次筛选，资助线取 0")
        en.append("the rubric has no tiers, so no tier rule applies and the line is 0")
    else:
        zh.append(f"处于可资助档次 {'、'.join(fundable)}（资助线 {line:g} 分）")
        en.append(f"in a fundable tier {', '.join(fundable)} (fundable line {line:g})")
    zh.append("有申请金额")
    en.append("has a requested amount")
    if industry_cap:
        zh.append(f"每个行业最多入选 {industry_cap} 个")
        en.append(f"at most {industry_cap} selected per industry")
    return {"zh": "；".join(zh) + "。", "en": "; ".join(en) + "."}


def describe_left_out(item: dict, lang: str = "zh") -> str:
    """One sentence: why a left-out candidate is out, and the swap that would bring it in."""
    from tlr.report.strings import ui

    s = ui(lang)
    drop = "、".join(item["drop"]) if lang == "zh" else ", ".join(item["drop"])
    fields = {"cost": _g(item["cost"]), "remaining": _g(item["remaining"]), "budget": _g(item["budget"]),
              "value": _f(item["value"]), "dropped": _f(item["dropped_value"]), "delta": _signed(item["delta"]),
              "drop": drop}
    return s[f"sel_why_{item['reason']}"].format(**fields)


def _g(x) -> str:
    return "—" if x is None else f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _f(x) -> str:
    return "—" if x is None else f"{x:.1f}"


def _signed(x) -> str:
    return "—" if x is None else f"{x:+.1f}"


def select_for_budget(ev, names: dict[str, dict], budget: float, *, objective: str = "above-line",
                      cost_column: str | None = None, industries: list[str] | None = None,
                      min_trl: int | None = None, max_ticket: float | None = None, industry_cap: int | None = None,
                      fundable: list[str] | None = None, frontier_points: int = 50, lang: str = "zh",
                      fit: dict[str, list[str]] | None = None) -> dict:
    """The committee's budget selection over the candidates (module doc), JSON-ready.

    Raises :class:`TlrError` (exit 2) naming the binding cause when there is no candidate, or when no
    candidate fits in the budget.
    """
    import numpy as np

    from tlr.ranking.selection import OBJECTIVES, select_budget

    if objective not in OBJECTIVES:
        raise TlrError(f"未知的目标 / unknown objective {objective!r}", hint="choose " + ", ".join(OBJECTIVES))
    if not math.isfinite(budget) or budget < 0:
        raise TlrError(f"预算须为非负数 / --budget must be a non-negative number, got {budget:g}")
    tiers, line = fundable_tiers(ev.rubric, fundable)
    costs = project_costs(names, ev.projects, cost_column)
    fit = fit if fit is not None else fund_fit(ev, names, industries=industries, min_trl=min_trl,
                                               max_ticket=max_ticket, cost_column=cost_column)
    pool = list(range(len(ev.projects)))
    for _code, keeps, error in _stages(ev, names, costs, tiers, industries=industries, min_trl=min_trl,
                                       max_ticket=max_ticket, cost_column=cost_column):
        kept = [p for p in pool if keeps(p)]
        if not kept:
            raise error(pool)
        pool = kept
    cheapest = min(pool, key=lambda p: (costs[p], ev.rank[p]))
    if costs[cheapest] > budget:
        pid = ev.projects[cheapest]
        name = (names.get(pid) or {}).get("name") or ""
        raise TlrError(f"预算 {budget:g} 万内放不下任何候选项目 / no candidate fits in the budget {budget:g} "
                       f"(最便宜 / cheapest: {pid} {name} {costs[cheapest]:g} 万)", hint="raise --budget",
                       code="nothing_fits")
    candidates = np.zeros(len(ev.projects), bool)
    candidates[pool] = True
    cost = np.array([c if c is not None else np.nan for c in costs])
    groups = [(names.get(pid) or {}).get("industry") or "" for pid in ev.projects]
    caps = {g: industry_cap for g in set(groups)} if industry_cap else None
    result = select_budget(ev.composite, cost, budget, candidates=candidates, objective=objective, line=line,
                           order=ev.order(), groups=groups, count_caps=caps, frontier_points=frontier_points)
    return _selection_dict(ev, names, result, budget=budget, tiers=tiers, costs=costs, fit=fit,
                           industry_cap=industry_cap, rule=candidate_rule(tiers, line, industries=industries,
                                                                          min_trl=min_trl, max_ticket=max_ticket,
                                                                          industry_cap=industry_cap))


def _selection_dict(ev, names, result, *, budget, tiers, costs, fit, industry_cap, rule) -> dict:
    import numpy as np

    from tlr.report.strings import ui

    projects = ev.projects
    order = [int(p) for p in ev.order()]
    position = {p: k for k, p in enumerate(order)}

    def ids(mask) -> list[str]:
        return [projects[p] for p in sorted(np.flatnonzero(mask), key=position.__getitem__)]

    def score(mask) -> float:
        return round(float(ev.composite[mask].sum()), 4)

    def row(p: int) -> dict:
        info = names.get(projects[p]) or {}
        return {"project": projects[p], "name": info.get("name"), "industry": info.get("industry"),
                "rank": int(ev.rank[p]), "composite": round(float(ev.composite[p]), 4), "tier": ev.tier[p],
                "cost": costs[p], "value": round(float(result.values[p]), 4)}

    left_out = []
    for item in result.left_out:
        entry = {**row(item.project), "reason": item.reason, "remaining": round(item.remaining, 4),
                 "budget": float(budget), "drop": [projects[i] for i in item.drop],
                 "dropped_value": None if math.isnan(item.dropped_value) else round(item.dropped_value, 4),
                 "delta": None if math.isnan(item.delta) else round(item.delta, 4)}
        entry["explanation"] = {"zh": describe_left_out(entry, "zh"), "en": describe_left_out(entry, "en")}
        left_out.append(entry)
    frontier = None
    if result.frontier is not None:
        f = result.frontier
        at = int(np.searchsorted(f.budgets, budget, side="right")) - 1
        frontier = {
            "breakpoints": bool(f.breakpoints), "at_budget": at,
            "points": [{"budget": round(float(f.budgets[k]), 4), "value": round(float(f.values[k]), 4),
                        "cost": round(float(f.costs[k]), 4), "selected": ids(f.selected[k]),
                        "rank_fill_value": round(float(f.rank_fill_values[k]), 4),
                        "rule_value": None if math.isnan(f.rule_values[k]) else round(float(f.rule_values[k]), 4)}
                       for k in range(len(f.budgets))]}
    zh, en = ui("zh"), ui("en")
    key = result.objective.replace("-", "_")
    not_eligible = {pid: list(r) for pid, r in fit.items() if r}
    for p, pid in enumerate(projects):
        if result.candidates[p] or fit.get(pid):
            continue
        reasons = []
        if tiers is not None and ev.tier[p] not in tiers:
            reasons.append(f"档次 {ev.tier[p]} 不在可资助档次 {'、'.join(tiers)} / tier {ev.tier[p]} is not fundable "
                           f"({', '.join(tiers)})")
        if costs[p] is None:
            reasons.append("缺申请金额 / no requested amount")
        not_eligible[pid] = reasons
    return {
        "budget": float(budget), "objective": result.objective,
        "objective_text": {"zh": zh[f"sel_obj_{key}"], "en": en[f"sel_obj_{key}"]},
        "failure_mode": {"zh": zh[f"sel_fail_{key}"], "en": en[f"sel_fail_{key}"]},
        "line": result.line, "fundable_tiers": tiers, "candidate_rule": rule,
        "candidates": [row(p) for p in order if result.candidates[p]],
        "selected": ids(result.selected), "total_cost": result.total_cost, "total_value": round(result.total_value, 4),
        "total_score": score(result.selected), "remaining": result.remaining,
        "optimum": {"selected": ids(result.optimum), "total_value": round(result.optimum_value, 4),
                    "total_cost": float(np.nansum(np.asarray(result.costs)[result.optimum]))},
        "rank_fill": {"selected": ids(result.rank_fill), "total_value": round(result.rank_fill_value, 4),
                      "total_cost": result.rank_fill_cost, "total_score": score(result.rank_fill)},
        "left_out": left_out, "frontier": frontier, "industry_cap": industry_cap,
        "not_eligible": not_eligible,
        "no_cost": [pid for pid, c in zip(projects, costs) if c is None],
        "status": "optimal" if result.objective != "value-for-money" else "ratio rule",
    }
