"""``tlr portfolio``: the campaign's projects placed in pools over years, exactly (docs/portfolio.md).

Reads the evaluation (audit-gated, as ``tlr rank --budget``), the pools (funds.yaml funds with a ``budget:``),
the committee's rules (portfolio.yaml, :mod:`tlr.portfolio.spec`) and, for the rNPV objectives, the valuation
JSON of ``tlr value --json`` (contract 1: ``rnpv.mean`` per project, ``stages`` for tranche probabilities;
``rnpv: null`` = no value, never 0). Builds the arrays of :mod:`tlr.portfolio.problem`, solves them
(:func:`tlr.portfolio.solve.solve`) and returns everything JSON-ready: the selection per pool and year, pool
use, quotas, why each project is left out, the gap, the frontier and the value-for-money curve.

A pool admits a project when the fund's mandate does (:func:`tlr.push.placement.check`: tiers, routes,
readiness, ticket, industries, regions; knocked-out and unscored projects never). The ticket is the
申请经费（万元） column (:func:`tlr.app.funding.project_costs`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Mapping

from tlr.errors import Diagnostic, Location, TlrError, ValidationError

EXPLAIN = 10   # left-out candidates whose exact cost of inclusion is computed (a re-solve each)

OBJECTIVE_TEXT = {
    "above-line": ("资助线以上的综合得分之和最大", "the most composite score above the fundable line (Σ composite − line)"),
    "rnpv": ("风险调整净现值（rNPV）之和最大", "the largest sum of risk-adjusted NPV (Σ rNPV)"),
    "value-for-money": ("每万元的风险调整净现值最大（组合整体：Σ rNPV ÷ Σ 承诺金额）",
                        "the most rNPV per 万元 committed (portfolio-wide: Σ rNPV ÷ Σ money committed)"),
}
FAILURE_TEXT = {
    "above-line": ("得分不是金额：一个高分的小项目与一个同分的大项目价值相同；资助线位置改变取舍。",
                   "scores are not money: a small and a large project with equal scores count the same; moving the "
                   "line changes the choice."),
    "rnpv": ("偏好大项目：只要 rNPV 为正就值得，哪怕每万元的回报很低；估值误差直接进入选择。",
             "favours large projects: anything with a positive rNPV is worth funding however little it returns per "
             "万元; valuation errors flow straight into the choice."),
    "value-for-money": ("比值最优的组合可能很小、留下大量预算未用（加入任何比值较低的项目都会拉低比值）；需要时用 money 下限配额"
                        "规定最低投放额。",
                        "the best ratio may be a small portfolio that leaves most of the budget unspent (any project "
                        "with a lower ratio lowers it): set a money quota with a min to require a spend."),
}
REASONS = {
    "blocked_knocked_out": ("触发一票否决", "knocked out by a gate"),
    "blocked_unscored": ("无人评分", "not scored"),
    "no_ask": ("未填申请经费", "no funding ask (申请经费)"),
    "no_value": ("无估值（rNPV 为空）：{missing}", "no value (rNPV null): {missing}"),
    "not_valued": ("估值文件中没有该项目", "not in the valuation file"),
    "no_value_above_line": ("价值不为正（{value}）", "no positive value ({value})"),
    "must_exclude": ("委员会排除：{reason}", "excluded by the committee: {reason}"),
    "no_pool": ("不符合任何资金池的投向（最接近 {pool}：{why}）", "fits no pool's mandate (nearest {pool}: {why})"),
    "excluded_with": ("与已入选的 {other} 互斥", "mutually exclusive with {other}, selected"),
    "needs": ("依赖未入选的 {other}", "needs {other}, not selected"),
    "displaces": ("纳入后目标值下降 {delta}（须替换或压缩：{drop}）", "bringing it in lowers the objective by {delta} "
                                                                 "(it would displace or cut: {drop})"),
    "cannot_fit": ("纳入后无可行组合：与 {groups} 冲突", "cannot be added: it conflicts with {groups}"),
    "outvalued": ("预算与配额下不如已选项目（未逐一重算）", "outvalued by the selection within the budgets and quotas "
                                                     "(not re-solved)"),
}


def _t(pair: tuple[str, str], lang: str, **kw) -> str:
    return (pair[0] if lang == "zh" else pair[1]).format(**kw)


# ------------------------------------------------------------------------------------------------ inputs


def read_values(path: str | Path) -> dict[str, Any]:
    """The valuation JSON (contract 1): project id -> its record; located errors (file, field), exit 2."""
    from tlr.yamlio import read_bytes

    name = str(path)
    raw = read_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = Location(file=name, line=getattr(exc, "lineno", None), column=getattr(exc, "colno", None))
        raise ValidationError([Diagnostic("error", f"估值文件不是 JSON / the valuation file is not JSON: {exc}", where,
                                          "the JSON of `tlr value CAMPAIGN --json`", "bad_values")]) from None
    return values_from(doc, name)


def values_from(doc: Any, name: str) -> dict[str, Any]:
    """Contract 1 (a valuation document, read from a file or made in this process) -> project id -> its record."""

    def bad(field: str, message: str, hint: str = "the JSON of `tlr value CAMPAIGN --json`") -> ValidationError:
        return ValidationError([Diagnostic("error", message, Location(file=name, field=field), hint, "bad_values")])

    if not isinstance(doc, dict) or not isinstance(doc.get("projects"), list):
        raise bad("projects", "估值文件须有 projects 列表 / the valuation file needs a 'projects' list")
    out: dict[str, Any] = {}
    for k, rec in enumerate(doc["projects"]):
        where = f"projects[{k}]"
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            raise bad(f"{where}.id", "每个项目须有文字 id / every project needs an 'id' string")
        rnpv = rec.get("rnpv")
        mean = None
        if rnpv is not None:
            mean = rnpv.get("mean") if isinstance(rnpv, dict) else None
            if not isinstance(mean, (int, float)) or isinstance(mean, bool) or not math.isfinite(mean):
                raise bad(f"{where}.rnpv.mean", f"rnpv.mean 须为有限数或 rnpv 为 null / rnpv.mean must be a finite "
                                                f"number (or rnpv null), got {mean!r}")
        stages = rec.get("stages") or []
        if not isinstance(stages, list):
            raise bad(f"{where}.stages", "stages 须为列表 / stages must be a list")
        for j, s in enumerate(stages):
            ok = isinstance(s, dict) and all(isinstance(s.get(key), (int, float)) and not isinstance(s.get(key), bool)
                                             for key in ("from_trl", "to_trl", "p_success"))
            if not ok or not 0 <= s["p_success"] <= 1 or not s["from_trl"] < s["to_trl"]:
                raise bad(f"{where}.stages[{j}]", "阶段须有 from_trl < to_trl 与 0-1 之间的 p_success / a stage needs "
                                                  "from_trl < to_trl and p_success in [0, 1]")
        missing = rec.get("missing") or []
        out[rec["id"]] = {"rnpv": None if mean is None else float(mean), "stages": stages,
                          "missing": [str(m) for m in missing] if isinstance(missing, list) else []}
    return out


def spec_vocabulary(ledger):
    from tlr.campaign.vocab import industry_id, industry_names
    from tlr.portfolio.spec import SpecVocabulary

    doc = ledger.rubric.document
    return SpecVocabulary(projects=tuple(p["id"] for p in ledger.projects()), industry_id=industry_id,
                          industry_names=industry_names(), routes=tuple(r.id for r in doc.routes or []))


# ------------------------------------------------------------------------------------------------ the problem


def build_portfolio(ledger, evaluation, funds, spec, *, values: Mapping[str, Any] | None = None,
                    values_source: Mapping[str, Any] | None = None, objective: str | None = None,
                    frontier_points: int = 0, explain: int = EXPLAIN, audit=None, lang: str = "zh") -> dict:
    """Solve the portfolio; JSON-ready dict (module doc). Raises :class:`ValidationError` naming the conflicting
    rules (file, line) when no portfolio satisfies them."""
    import numpy as np

    from tlr import __version__
    from tlr.app.funding import fundable_tiers, project_costs
    from tlr.app.push import _Texts, achievements, project_region
    from tlr.app.records import project_records
    from tlr.portfolio.frontier import default_scales, frontier, value_for_money
    from tlr.portfolio.problem import Quota, make_problem
    from tlr.portfolio.solve import solve
    from tlr.portfolio.tranches import milestone_trl, schedule
    from tlr.valuation.stages import p_reach
    from tlr.push.placement import check

    ev = evaluation
    doc = spec.doc
    objective = objective or doc.objective
    if objective in ("rnpv", "value-for-money") and values is None:
        raise TlrError(f"目标 {objective} 需要估值：用 --values 给出 `tlr value --json` 的结果 / objective {objective} "
                       f"needs values: pass --values with the JSON of `tlr value CAMPAIGN --json`",
                       location=Location(file=spec.path, field="objective"),
                       hint="or choose --objective above-line (scores, no valuation)", code="no_values")
    pools = [m for m in funds.funds if m.id in funds.budgets]
    if not pools:
        raise TlrError("funds.yaml 中没有带预算的子基金 / no fund in funds.yaml has a budget: nothing to allocate",
                       location=Location(file=funds.path, field="funds[].budget"),
                       hint="add e.g. 'budget: {2027: 3000, 2028: 2000}' (万元 per year) to the funds that are pools",
                       code="no_pool")
    years = list(doc.years)
    K, T = len(pools), len(years)
    budgets = np.array([[funds.budgets[m.id].get(y, 0.0) for y in years] for m in pools], float)
    projects = {p["id"]: p for p in ledger.projects()}
    records = project_records(ev, projects, lang)          # best first
    ids = [r["project"] for r in records]
    index = {pid: i for i, pid in enumerate(ids)}
    P = len(ids)
    costs_by_id = dict(zip(ev.projects, project_costs(projects, ev.projects, None)))
    items, blocked = achievements(records, projects, costs_by_id)
    texts = {"zh": _Texts(ev.rubric, "zh"), "en": _Texts(ev.rubric, "en")}
    ask = np.array([costs_by_id[pid] if costs_by_id[pid] is not None else np.nan for pid in ids], float)
    eligible = np.zeros((P, K), bool)
    misses: dict[str, dict[str, tuple]] = {}
    for i, a in enumerate(items):
        misses[a.id] = {}
        for k, m in enumerate(pools):
            failures = check(a, m, blocked.get(a.id))
            if failures:
                misses[a.id][m.id] = failures
            eligible[i, k] = not failures
    no_ask = ~(np.isfinite(ask) & (ask > 0))
    eligible[no_ask] = False
    cost = np.where(no_ask, 0.0, ask)

    # values
    line = 0.0
    valued: dict[str, str] = {}   # pid -> why it has no value
    if objective == "above-line":
        try:
            _tiers, line = fundable_tiers(ev.rubric, None)
        except TlrError:
            line = 0.0
        v = np.array([r["composite"] - line if r["composite"] is not None else np.nan for r in records], float)
    else:
        v = np.full(P, np.nan)
        for i, pid in enumerate(ids):
            rec = values.get(pid)
            if rec is None:
                valued[pid] = "not_valued"
            elif rec["rnpv"] is None:
                valued[pid] = "no_value"
            else:
                v[i] = rec["rnpv"]
    v = np.where(eligible.any(axis=1), v, np.nan)

    # tranches
    tr = doc.tranches
    split = list(tr.split) if tr is not None else [1.0]
    release = np.ones((P, len(split)))
    p_source = {}
    for i, pid in enumerate(ids):
        trl = records[i]["readiness"]
        stages = (values or {}).get(pid, {}).get("stages") if values else None
        sources = []
        for j, milestone in enumerate(tr.milestones if tr is not None else []):
            target = milestone_trl(trl, milestone)
            if target is not None and trl is not None and trl >= target:
                p, src = 1.0, "reached"
            elif stages and target is not None:
                p, src = p_reach(stages, target), "stages"
            elif tr.p_default is not None:
                p, src = tr.p_default, "default"
            else:
                p, src = 1.0, "full"
            release[i, j + 1] = p
            sources.append({"milestone_trl": target, "p": p, "source": src})
        p_source[pid] = sources
    use, full = schedule(cost, split, release, T, mode=doc.budget_use)

    # partial funding
    min_share = np.ones(P)
    if doc.partial is not None:
        chosen = doc.partial.projects
        for i, pid in enumerate(ids):
            if chosen is None or pid in chosen:
                min_share[i] = doc.partial.min_share

    # quotas
    def attribute(by: str, i: int) -> str | None:
        pid = ids[i]
        if by == "industry":
            return projects[pid].get("industry")
        if by == "route":
            return records[i]["route"]
        from tlr.push.placement import norm_place

        return norm_place(project_region(projects[pid]))

    quotas = []
    for q in doc.quotas:
        if q.by == "all":
            members = np.ones(P, bool)
        else:
            wanted = set(spec.quota_values[q.id])
            if q.by == "region":
                from tlr.push.placement import norm_place

                wanted = {norm_place(w) for w in wanted}
            members = np.array([attribute(q.by, i) in wanted for i in range(P)], bool)
        quotas.append(Quota(q.id, members, q.measure, q.min, q.max))
    needs = [(index[d.project], index[d.needs]) for d in doc.dependencies]
    exclusions = [tuple(index[p] for p in e.projects) for e in doc.exclusions]
    include = [index[p.project] for p in doc.must_include]
    exclude = [index[p.project] for p in doc.must_exclude]
    core = "ratio" if objective == "value-for-money" else "sum"
    problem = make_problem(v, cost, use, budgets, eligible, min_share=min_share, quotas=quotas, needs=needs,
                           exclusions=exclusions, include=include, exclude=exclude, objective=core, spend_full=full)
    gap, limit = doc.solver.gap, doc.solver.time_limit
    result = solve(problem, gap=gap, time_limit=limit)
    ctx = _Context(ids, projects, records, pools, years, spec, funds, problem, misses, texts, lang, valued,
                   values or {})
    if result.status == "infeasible":
        raise ValidationError(conflict_diagnostics(ctx, result.conflict))
    if not result.feasible:
        raise TlrError(f"求解器在 {limit:g} 秒内未找到可行组合 / the solver found no portfolio within {limit:g} s: "
                       f"{result.message}", location=Location(file=spec.path, field="solver.time_limit"),
                       hint="raise solver.time_limit or solver.gap", code="no_solution")

    selected = result.selected
    left_out = _left_out(ctx, result, explain, gap, limit, blocked, no_ask)
    pools_out = []
    for k, m in enumerate(pools):
        rows = []
        for i in np.flatnonzero(result.pool == k):
            pid = ids[i]
            sh = float(result.share[i])
            rows.append({"project": pid, "name": projects[pid].get("name"), "rank": records[i]["rank"],
                         "industry": projects[pid].get("industry"), "tier": records[i]["tier"],
                         "trl": records[i]["readiness"], "ticket": float(cost[i]), "share": sh,
                         "committed": float(cost[i] * sh), "value": float(v[i]) * sh,
                         "value_per_wan": float(v[i] / cost[i]) if cost[i] > 0 else None,
                         "by_year": {str(y): {"full": float(full[i, t] * sh), "counted": float(use[i, t] * sh)}
                                     for t, y in enumerate(years)},
                         "tranches": p_source[pid]})
        pools_out.append({
            "id": m.id, "name": dict(m.name), "rule": texts[lang].rule(m),
            "years": {str(y): {"budget": float(budgets[k, t]), "counted": float(result.use[k, t]),
                               "full": float(result.use_full[k, t]),
                               "remaining": float(budgets[k, t] - result.use[k, t]),
                               "over_if_all_succeed": float(max(0.0, result.use_full[k, t] - budgets[k, t]))}
                      for t, y in enumerate(years)},
            "projects": rows})
    quotas_out = []
    for q, (qs, spec_q) in enumerate(zip(quotas, doc.quotas)):
        achieved = float(result.quota_values[q])
        quotas_out.append({"id": qs.name, "by": spec_q.by, "values": list(spec.quota_values[qs.name]),
                           "measure": qs.measure, "min": qs.min, "max": qs.max, "achieved": achieved,
                           "binding": [b for b in ("min", "max")
                                       if abs(result.slack.get((f"quota_{b}", q), math.inf)) <= 1e-6 * (1 + achieved)],
                           "reason": spec_q.reason})
    front = None
    if frontier_points:
        scales = default_scales(frontier_points)
        f = frontier(problem, scales, gap=gap, time_limit=limit)
        total = float(budgets.sum())
        front = {"scales": "every pool's budget × scale", "points": [
            {"scale": float(f.scales[n]), "budget": float(f.scales[n] * total),
             "value": None if math.isnan(f.values[n]) else float(f.values[n]),
             "total_value": None if math.isnan(f.total_value[n]) else float(f.total_value[n]),
             "cost": None if math.isnan(f.total_cost[n]) else float(f.total_cost[n]), "funded": int(f.counts[n])}
            for n in range(len(f.scales))], "at": {"scale": 1.0, "budget": total, "value": result.value}}
    vfm = value_for_money(np.where(eligible.any(axis=1), v, np.nan), cost, selected)
    curve = [{"project": ids[i], "name": projects[ids[i]].get("name"), "value": float(v[i]), "cost": float(cost[i]),
              "ratio": float(vfm["ratio"][n]), "cum_cost": float(vfm["cum_cost"][n]),
              "cum_value": float(vfm["cum_value"][n]), "selected": bool(vfm["selected"][n])}
             for n, i in enumerate(vfm["order"])]
    last = ledger.audit_head()
    provenance = ev.method.get("provenance") or {}
    no_value = [{"project": pid, "reason": why, "missing": (values or {}).get(pid, {}).get("missing", [])}
                for pid, why in valued.items()]
    return {
        "objective": objective, "objective_text": dict(zip(("zh", "en"), OBJECTIVE_TEXT[objective])),
        "failure_mode": dict(zip(("zh", "en"), FAILURE_TEXT[objective])), "line": line if objective == "above-line"
        else None, "years": years, "budget_use": doc.budget_use, "tranches": {"split": split, "milestones": list(
            tr.milestones) if tr is not None else [], "p_default": tr.p_default if tr is not None else None},
        "status": result.status, "mip_gap": result.mip_gap, "gap_asked": gap, "solves": result.solves,
        "value": result.value, "total_value": result.total_value, "total_committed": result.total_cost,
        "budget_total": float(budgets.sum()), "funded": int(selected.sum()),
        "pools": pools_out, "quotas": quotas_out, "left_out": left_out, "no_value": no_value,
        "frontier": front, "value_for_money": curve,
        "basis": {"campaign": str(ledger.meta.get("name") or ""), "rubric_hash": ev.rubric.content_hash,
                  "scores_hash": provenance.get("scores_hash"), "audit_head": last[1] if last else "",
                  "funds": {"path": funds.path, "sha256": funds.sha256},
                  "spec": {"path": spec.path, "sha256": spec.sha256}, "values": dict(values_source or {}) or None,
                  "tool_version": __version__},
        "audit": audit.to_dict() if audit is not None else None,
        "stamp": audit.stamp if audit is not None else None,
    }


class _Context:
    def __init__(self, ids, projects, records, pools, years, spec, funds, problem, misses, texts, lang, valued,
                 values):
        self.__dict__.update(locals())
        del self.__dict__["self"]

    def label(self, i: int) -> str:
        pid = self.ids[i]
        return f"{pid} {self.projects[pid].get('name') or ''}".strip()


def describe_group(ctx: _Context, group: tuple) -> tuple[str, str, Location]:
    """One named constraint as the committee wrote it (Chinese, English), and where."""
    doc = ctx.spec.doc
    kind = group[0]
    if kind == "budget":
        pool, year = ctx.pools[group[1]], ctx.years[group[2]]
        amount = ctx.problem.budgets[group[1], group[2]]
        lines = ctx.funds.budget_lines.get(pool.id, {})
        line = lines.get(year, min(lines.values()) if lines else None)
        listed = year in ctx.funds.budgets.get(pool.id, {})
        return (f"资金池 {pool.id} {year} 年预算 {amount:g} 万元" + ("" if listed else "（funds.yaml 未列此年，按 0 计）"),
                f"pool {pool.id} budget {amount:g} 万元 in {year}" + ("" if listed else
                                                                    " (year not in funds.yaml: counts as 0)"),
                Location(file=ctx.funds.path, line=line, field=f"funds[{pool.id}].budget[{year}]"))
    if kind in ("quota_min", "quota_max"):
        import numpy as np

        q = doc.quotas[group[1]]
        bound = "min" if kind == "quota_min" else "max"
        members = int(ctx.problem.quotas[group[1]].members.sum())
        eligible = int((ctx.problem.quotas[group[1]].members & ctx.problem.eligible.any(axis=1)
                        & np.isfinite(ctx.problem.values)).sum())
        return (f"配额 {q.id} {bound} {getattr(q, bound):g}（{q.measure}；组内 {members} 项，其中 {eligible} 项可入选）",
                f"quota {q.id} {bound} {getattr(q, bound):g} ({q.measure}; {members} in the group, {eligible} "
                f"selectable)", ctx.spec.where[("quota", group[1], bound)])
    if kind == "needs":
        d = doc.dependencies[group[1]]
        return (f"依赖：{d.project} 需要 {d.needs}", f"dependency: {d.project} needs {d.needs}",
                ctx.spec.where[("dependency", group[1])])
    if kind == "exclusion":
        e = doc.exclusions[group[1]]
        return (f"互斥：{'、'.join(e.projects)} 至多选一", f"exclusion: at most one of {', '.join(e.projects)}",
                ctx.spec.where[("exclusion", group[1])])
    pid = ctx.ids[group[1]]
    key = "must_include" if kind == "include" else "must_exclude"
    zh, en = (f"必选 {pid}", f"must include {pid}") if kind == "include" else (f"必排 {pid}", f"must exclude {pid}")
    if kind == "include" and not ctx.problem.eligible[group[1]].any():
        zh, en = f"{zh} — {_no_pool_text(ctx, pid, 'zh')}", f"{en} — {_no_pool_text(ctx, pid, 'en')}"
    elif kind == "include" and math.isnan(ctx.problem.values[group[1]]):
        zh, en = f"{zh} — 无估值", f"{en} — no value"
    return zh, en, ctx.spec.where[(key, pid)]


def _no_pool_text(ctx: _Context, pid: str, lang: str) -> str:
    from tlr.push.placement import nearest

    texts = ctx.texts[lang]
    misses = ctx.misses.get(pid, {})
    if not misses:
        return "未填申请经费" if lang == "zh" else "no funding ask"
    best = nearest(misses, ctx.pools)
    why = ("；" if lang == "zh" else "; ").join(texts.failure(f) for f in misses[best])
    return _t(REASONS["no_pool"], lang, pool=best, why=why)


def conflict_diagnostics(ctx: _Context, conflict: tuple) -> list[Diagnostic]:
    """One located line per constraint of the conflict, then what to do."""
    lines = []
    n = len(conflict)
    for g in conflict:
        zh, en, where = describe_group(ctx, g)
        lines.append(Diagnostic("error", f"无可行组合：以下 {n} 条约束不能同时满足：{zh} / no portfolio satisfies these "
                                         f"{n} rules together: {en}", where,
                                "放宽或删去其中任一条即可消除这一冲突（可能还有其他冲突）/ relax or drop any one of "
                                "them to remove this conflict (another may remain)", "portfolio_conflict"))
    return lines


def _left_out(ctx: _Context, result, explain: int, gap: float, limit: float, blocked, no_ask) -> list[dict]:
    import numpy as np

    from tlr.portfolio.solve import solve

    problem, lang = ctx.problem, ctx.lang
    selected = result.selected
    doc = ctx.spec.doc
    excluded = {ctx.ids[i]: p.reason for i, p in zip(problem.exclude, doc.must_exclude)}
    out = []
    tried = 0
    order = sorted(range(len(ctx.ids)), key=lambda i: -np.nan_to_num(problem.values[i], nan=-np.inf))
    reason_of: dict[int, tuple[str, dict]] = {}
    for i in order:
        if selected[i]:
            continue
        pid = ctx.ids[i]
        if pid in blocked:
            code, kw = f"blocked_{blocked[pid]}", {}
        elif no_ask[i]:
            code, kw = "no_ask", {}
        elif pid in excluded:
            code, kw = "must_exclude", {"reason": excluded[pid]}
        elif not problem.eligible[i].any():
            code, kw = "no_pool", None
        elif pid in ctx.valued:
            code = ctx.valued[pid]
            kw = {"missing": ", ".join(ctx.values.get(pid, {}).get("missing", [])) or "—"}
        elif not problem.values[i] > 0:
            code, kw = "no_value_above_line", {"value": f"{problem.values[i]:.1f}"}
        else:
            other = next((ctx.ids[j] for e in problem.exclusions if i in e for j in e if j != i and selected[j]), None)
            need = next((ctx.ids[j] for a, j in problem.needs if a == i and not selected[j]), None)
            if other is not None:
                code, kw = "excluded_with", {"other": other}
            elif need is not None:
                code, kw = "needs", {"other": need}
            elif tried < explain:
                tried += 1
                forced = solve(problem.with_include(i), gap=gap, time_limit=limit)
                if forced.feasible:
                    drop = [ctx.ids[j] for j in np.flatnonzero(selected & ~forced.selected)]
                    cut = [ctx.ids[j] for j in np.flatnonzero(selected & forced.selected)
                           if forced.share[j] < result.share[j] - 1e-6]
                    moved = drop + [f"{pid}（减少比例）" if lang == "zh" else f"{pid} (smaller share)" for pid in cut]
                    code, kw = "displaces", {"delta": f"{result.value - forced.value:.4g}",
                                             "drop": ("、" if lang == "zh" else ", ").join(moved) or "—",
                                             "_delta": result.value - forced.value, "_drop": drop,
                                             "_reduced": cut}
                else:
                    names = [describe_group(ctx, g)[0 if lang == "zh" else 1]
                             for g in forced.conflict if g != ("include", i)]
                    code, kw = "cannot_fit", {"groups": ("；" if lang == "zh" else "; ").join(names) or "—",
                                              "_groups": [list(map(str, g)) for g in forced.conflict]}
            else:
                code, kw = "outvalued", {}
        reason_of[i] = (code, kw)
    for i, (code, kw) in sorted(reason_of.items(), key=lambda x: x[0]):
        pid = ctx.ids[i]
        if code == "no_pool":
            text = {"zh": _no_pool_text(ctx, pid, "zh"), "en": _no_pool_text(ctx, pid, "en")}
            extra = {}
        else:
            shown = {k: v for k, v in kw.items() if not k.startswith("_")}
            text = {"zh": _t(REASONS[code], "zh", **shown), "en": _t(REASONS[code], "en", **shown)}
            extra = {k[1:]: v for k, v in kw.items() if k.startswith("_")}
        value = problem.values[i]
        out.append({"project": pid, "name": ctx.projects[pid].get("name"), "rank": ctx.records[i]["rank"],
                    "reason": code, "text": text, "value": None if math.isnan(value) else float(value),
                    "ticket": float(problem.costs[i]) if problem.costs[i] > 0 else None, **extra})
    return out


__all__ = ["build_portfolio", "conflict_diagnostics", "read_values", "spec_vocabulary"]
