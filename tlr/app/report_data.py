"""Fill the report contract (:class:`tlr.report.model.ReportData`) from a campaign and its evaluation.

Every per-project figure comes from :func:`tlr.app.records.project_records` — the same records the CLI
table and ``--json`` print — so the paper cannot disagree with them. The methodology text is generated
from the rules the evaluation actually applied (``Evaluation.method``), never written beside them.

Provenance: the frozen rubric's hash, a hash of the scores, the audit-chain head and whether it
verified, the tool version, and the time of the last change in the ledger (the report's time, so the
same ledger renders the same report).
"""

from __future__ import annotations

import math
from typing import Any

from tlr.report.model import (
    AuditCheck,
    AuditEntry,
    Comment,
    CompletenessInfo,
    CTEReadiness,
    DimensionInfo,
    ExpertAnswers,
    GateRow,
    IndicatorResult,
    KnockOut,
    Methodology,
    PanelCount,
    ProjectResult,
    RankInterval,
    ReportData,
    ReviewFlag,
    RoundMeta,
    RouteInfo,
    TierInfo,
    rubric_tree_rows,
    weight_method_text,
)
from tlr.rubric.conditions import describe_condition
from tlr.text import I18nText, tr

EXPERT_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def shown(text, *, newlines: bool = False) -> str:
    """Applicant-supplied text as the paper shows it: imports refuse control and bidi characters, and a
    ledger written before that rule shows them as visible escapes instead of letting them reorder the page."""
    from tlr.safetext import terminal_safe

    return terminal_safe(text, newlines=newlines) if text is not None else ""
BASIS = {"evidenced": ("有证据", "evidence-based"), "asserted": ("评估人断言", "assessor-asserted"),
         "none": ("未达 1 级", "below level 1")}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return I18nText(**value)
    return value


def _i18n(pair: dict | str) -> I18nText:
    if isinstance(pair, str):
        return I18nText(zh=pair, en=pair)
    return I18nText(zh=pair.get("zh") or pair.get("en"), en=pair.get("en") or pair.get("zh"))


def _cte_rows(readiness) -> dict[str, list[CTEReadiness]]:
    out: dict[str, list[CTEReadiness]] = {}
    for pid, r in readiness.items():
        for cte in r.ctes:
            basis = BASIS.get(cte.basis, (cte.basis, cte.basis))
            nxt = f" → TRL {cte.next_level}" if cte.next_level is not None else ""
            out.setdefault(pid, []).append(CTEReadiness(
                name=cte.name, level=cte.level, target=cte.target,
                evidence=f"{basis[0]} / {basis[1]}; {cte.assessor}, {cte.recorded_at[:10]}{nxt}"))
    return out


def build_report_data(ledger, evaluation, *, lang: str = "zh", organisation: str | None = None,
                      audit=None) -> ReportData:
    """The report contract for *evaluation* of the campaign in *ledger*.

    *audit*: the :class:`tlr.app.audit_gate.AuditStatus` checked before evaluating (None: not checked).
    """
    import numpy as np

    from tlr import __version__
    from tlr.app.records import completeness_summary, industry_label, project_records
    from tlr.campaign.cube import score_cube
    from tlr.campaign.trl import assessed_readiness
    from tlr.rubric.scales import score_label

    ev = evaluation
    rubric = ev.rubric
    doc = rubric.document
    meta = dict(ledger.meta)
    last = ledger.audit_head()
    last_ts, audit_head = (last[2], last[1]) if last else (meta.get("created_at", ""), "")
    cube = score_cube(ledger)
    data_hash = cube.content_hash()

    tiers = [TierInfo(code=t.id, label=t.label, min_score=t.min_score, description=t.description)
             for t in doc.tiers or []]
    if not any(t.code == c for t in tiers for c in ev.tier_codes[-1:]):
        tiers.append(TierInfo(code=ev.tier_codes[-1], label=_text(ev.tier_labels.get(ev.tier_codes[-1], "—"))))
    routes = [RouteInfo(id=r.id, label=r.label, short=r.short, description=r.description) for r in doc.routes or []]
    top_dims = [n for n in rubric.nodes if n.kind == "dimension" and n.depth == 0]
    dimensions = [DimensionInfo(id=n.id, label=n.label, short=n.model.short, strength=n.model.strength,
                                weight=n.global_weight) for n in top_dims]

    projects_info = {p["id"]: p for p in ledger.projects()}
    records = project_records(ev, projects_info, lang)
    comments = _comments(ledger, lang)
    cte_info = _cte_rows(assessed_readiness(ledger))
    cov = ev.completeness
    gate_models = {g.id: g for g in doc.gates or []}
    index = {pid: p for p, pid in enumerate(ev.projects)}
    nodes = rubric.indicators
    projects = []
    for rec in records:
        pid = rec["project"]
        p = index[pid]
        info = projects_info.get(pid, {})
        scored = not ev.unscored[p]
        interval = None
        if rec["rank_interval"] is not None:
            lo, hi = rec["rank_interval"]
            mid = rec["simulated_rank_median"]
            interval = RankInterval(p5=min(lo, mid), p50=mid, p95=max(hi, mid))
        knockouts = []
        for g in ev.gates:
            if g.hit[p]:
                gate = gate_models[g.id]
                effect = "knockout" if g.effect == "knockout" else ("cap" if g.max_tier else "flag")
                knockouts.append(KnockOut(gate_id=g.id, label=g.label, reason=gate.reason, effect=effect))
        flags = [ReviewFlag(code=f["code"], message=_i18n(f["text"]),
                            severity="review" if f["severity"] == "review" else "note")
                 for f in (x.to_dict() for x in ev.flags(p))]
        panel = int(cov.panel[p]) if cov is not None else 0
        indicators = []
        for i, node in enumerate(nodes):
            value = _num(ev.consensus[p, i])
            top = next((a for a in node.path if rubric.node(a).depth == 0), node.path[0])
            indicators.append(IndicatorResult(
                id=node.id, label=node.label, dimension=top, weight=node.global_weight, consensus=value,
                display=score_label(node.scale, value, lang) if value is not None else None,
                utility=None if _num(ev.utilities[p, i]) is None else 100 * float(ev.utilities[p, i]),
                spread=_num(ev.spread[p, i]), spread_kind="sd", n_experts=panel, n_used=int(ev.n_experts[p, i])))
        experts = rec.get("experts")
        projects.append(ProjectResult(
            id=pid, name=shown(info.get("name", pid)), applicant=shown(info.get("applicant", "")),
            industry=industry_label(info.get("industry"), lang, short=True),
            summary=shown(info.get("summary"), newlines=True) or None,
            rank=rec["rank"] if scored else None, rank_interval=interval, p_top_k=rec["p_top_k"],
            tier=rec["tier"], tier_probabilities=rec["p_tier"] or {}, composite=rec["composite"],
            dimension_scores=dict(rec["dimensions"]), readiness_level=rec["readiness"],
            readiness_source=rec["readiness_source"], readiness=cte_info.get(pid, []), route=rec["route"],
            knockouts=knockouts, flags=flags, indicators=indicators, comments=comments.get(pid, []),
            panel=PanelCount(**experts) if experts else None))

    dim_index = {d: k for k, d in enumerate(ev.dimensions)}
    cohort = {}
    for n in top_dims:
        values = ev.dimension_scores[~ev.unscored, dim_index[n.id]]
        values = values[~np.isnan(values)]
        if values.size:
            cohort[n.id] = float(np.median(values))
    summary = completeness_summary(ev, ledger.experts())
    completeness = None
    if summary is not None:
        completeness = CompletenessInfo(
            answers_expected=summary["answers_expected"], answers_received=summary["answers_received"],
            experts=[ExpertAnswers(expert=x["expert"], expected=x["expected"], received=x["received"])
                     for x in summary["experts"]],
            **{k: summary[k] for k in ("silent_experts", "incomplete_experts", "unscored_projects",
                                       "projects_below_quorum", "projects_below_min_experts", "quorum",
                                       "min_experts")})
    audit_check = (AuditCheck(verified=audit.verified, head=audit.head, entries=audit.entries,
                              problems=list(audit.problems)) if audit is not None else None)
    audit_rows = [
        AuditEntry(label=I18nText(zh="评价体系", en="rubric"), value=f"{rubric.id} {rubric.version}"),
        AuditEntry(label=I18nText(zh="评价体系内容哈希", en="rubric content hash"), value=rubric.content_hash),
        AuditEntry(label=I18nText(zh="评分数据哈希", en="scores hash"), value=data_hash),
        AuditEntry(label=I18nText(zh="审计链末端哈希", en="audit chain head"), value=audit_head),
        AuditEntry(label=I18nText(zh="审计核验", en="audit verification"),
                   value=_audit_value(audit_check, lang)),
        AuditEntry(label=I18nText(zh="批次编号", en="campaign id"), value=str(meta.get("campaign_id", ""))),
        AuditEntry(label=I18nText(zh="评分条数", en="scores"), value=str(int((~np.isnan(cube.values)).sum()))),
        AuditEntry(label=I18nText(zh="工具版本", en="tool version"), value=f"tlr {__version__}"),
        AuditEntry(label=I18nText(zh="数据最后更新时间", en="last change in the ledger"), value=last_ts),
    ]
    round_meta = RoundMeta(
        title=meta.get("name", "tlr"), round_id=str(ledger.path.parent.name),
        organisation=organisation, date=str(meta.get("created_at", ""))[:10], rubric_id=rubric.id,
        rubric_version=rubric.version, rubric_title=rubric.title, rubric_hash=rubric.content_hash,
        data_hashes={"scores": data_hash, "audit_head": audit_head}, tool_version=__version__,
        generated_at=last_ts, confidentiality=I18nText(zh="内部资料 注意保密", en="Internal — confidential"))
    used = {p.industry for p in projects}
    from tlr.campaign.vocab import INDUSTRIES

    order = [industry_label(key, lang, short=True) for key in INDUSTRIES]
    return ReportData(meta=round_meta, tiers=tiers, routes=routes, dimensions=dimensions,
                      industries=[i for i in order if i in used], projects=projects,
                      cohort_median=cohort, methodology=methodology(ev, lang), audit=audit_rows,
                      top_k=int(ev.method.get("robustness", {}).get("top_k") or 10),
                      completeness=completeness, audit_check=audit_check)


def _audit_value(check: AuditCheck | None, lang: str) -> str:
    if check is None:
        return "未核验" if lang == "zh" else "not checked"
    if check.verified:
        return (f"通过（{check.entries} 条记录）" if lang == "zh" else f"passed ({check.entries} entries)")
    first = check.problems[0] if check.problems else ""
    return ("未通过：" if lang == "zh" else "FAILED: ") + first


# ------------------------------------------------------------------------------------------- methodology

_CONSENSUS = {"mean": ("平均值", "the mean"), "median": ("中位数", "the median"),
              "trimmed_mean": ("去掉最高、最低各 {trim} 个评分后的平均值", "the mean after dropping the {trim} highest "
                               "and {trim} lowest scores"),
              "weighted_mean": ("按专家权重的加权平均值", "the mean weighted by expert weight")}
_AGGREGATION = {
    "weighted_sum": ("加权求和：各指标效用（0–1）乘以全局权重后相加，按 0–{scale:g} 分计。",
                     "Weighted sum: each indicator's utility (0-1) times its global weight, on 0-{scale:g}."),
    "topsis": ("TOPSIS：按各项目到理想解与负理想解的相对接近度排序，按 0–{scale:g} 分计。",
               "TOPSIS: relative closeness to the ideal and anti-ideal solutions, on 0-{scale:g}."),
    "fuzzy": ("模糊综合评价：按专家评判频率构造隶属度矩阵，与权重合成后按等第值折算，按 0–{scale:g} 分计。",
              "Fuzzy comprehensive evaluation: membership by the share of experts per grade, composed with the "
              "weights and scored by the grade values, on 0-{scale:g}."),
}
_PANEL_FIELDS = {"consensus": ("共识方法", "consensus rule"), "trim": ("每端去掉的评分数", "scores trimmed per end"),
                 "min_after_trim": ("去掉后至少保留的评分数", "scores that must remain after trimming"),
                 "min_experts": ("最少专家数", "minimum experts"), "quorum": ("法定人数比例", "quorum"),
                 "leniency_correction": ("宽严偏差校正", "leniency correction")}


def _panel_value(name: str, rubric, lang: str) -> str:
    value = getattr(rubric.document.panel, name)
    if name == "quorum":
        return f"{value:.0%}"
    if name == "consensus":
        return _CONSENSUS[value][0 if lang == "zh" else 1].format(trim=rubric.document.panel.trim)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


def methodology(ev, lang: str = "zh") -> Methodology:
    """The methodology appendix, every sentence generated from the rule the evaluation applied."""
    rubric = ev.rubric
    doc = rubric.document
    m = ev.method
    zh = lang == "zh"
    rule = m["consensus"]
    base = _CONSENSUS[rule][0 if zh else 1].format(trim=m.get("trim", 0))
    parts_zh = [f"李克特与数值指标取{base}"]
    parts_en = [f"Ratings and numbers take {base}"]
    if rule == "trimmed_mean":
        parts_zh.append(f"去掉后不足 {m['min_after_trim']} 个评分的，改用中位数（本轮 {m['trim_fallback_cells']} 个"
                        "“项目×指标”单元格）")
        parts_en.append(f"where fewer than {m['min_after_trim']} scores would remain the median is used "
                        f"({m['trim_fallback_cells']} project-indicator cells this round)")
    if m.get("leniency_correction"):
        parts_zh.append("并先校正每位专家的宽严偏差")
        parts_en.append("after correcting each expert's leniency")
    consensus_zh = "，".join(parts_zh) + "。等级指标（技术就绪水平等）取下中位数，绝不求平均；是/否指标取多数，平票记为无法判定。"
    consensus_en = "; ".join(parts_en) + (". Ordinal levels (TRL ...) take the lower median, never a mean; yes/no "
                                          "takes the majority, and a tie is undecided.")
    review = m.get("review", {})
    readiness_zh = ("项目技术就绪水平优先采用正式评估结果：每个“是”都有证据（文件哈希或引用）的标 *，部分“是”缺少证据的为评估人断言，"
                    "标 †；无评估时取专家组评分的下中位数。")
    readiness_en = ("A project's readiness is the formal assessment when there is one — marked * when every 'yes' "
                    "carries evidence (a file hash or a reference), † when the assessor asserted some without "
                    "evidence — else the lower median of the panel's levels.")
    missing_zh = ("缺失数据：某指标无人评分时，综合分按已评指标的权重重新归一化，并标注；无人评分的项目排在最后。"
                  f"每个指标至少 {review.get('min_experts')} 位专家评分、且不少于分配专家的 "
                  f"{review.get('quorum', 0):.0%}，否则标注需复议。专家综合分标准差超过 {review.get('sd', 0):g} "
                  f"或极差超过 {review.get('range', 0):g} 时标注需复议。")
    missing_en = ("Missing data: an indicator nobody scored leaves the composite to the indicators scored (weights "
                  "renormalised), marked; a project nobody scored is ranked last. Every indicator needs at least "
                  f"{review.get('min_experts')} experts and {review.get('quorum', 0):.0%} of the assigned panel, "
                  f"else the project is flagged for re-review; so is a spread of the experts' composites above "
                  f"sd {review.get('sd', 0):g} or range {review.get('range', 0):g}.")
    defaults = m.get("panel_defaults")
    if defaults is not None and rule != "trimmed_mean":  # trimming rules were not applied: not "used"
        defaults = [d for d in defaults if d not in ("trim", "min_after_trim")]
    if defaults is None:
        defaults_zh = "（本批次创建时未记录评价体系省略了哪些专家组规则。）"
        defaults_en = "(This campaign did not record which panel rules the rubric left to their defaults.)"
    elif defaults:
        listed_zh = "、".join(f"{_PANEL_FIELDS[d][0]} {_panel_value(d, rubric, 'zh')}" for d in defaults)
        listed_en = ", ".join(f"{_PANEL_FIELDS[d][1]} {_panel_value(d, rubric, 'en')}" for d in defaults)
        defaults_zh = f"评价体系未规定、按默认值执行的规则：{listed_zh}。"
        defaults_en = f"Rules the rubric does not state, applied at their defaults: {listed_en}."
    else:
        defaults_zh, defaults_en = "专家组规则均由评价体系明确规定。", "Every panel rule is stated by the rubric."
    rob = m.get("robustness", {})
    boot = rob.get("expert_bootstrap_draws") or 0
    robustness_zh = (f"权重按 Dirichlet 分布（集中度 {rob.get('concentration')}）围绕评价体系权重抽样 {rob.get('draws')} 次"
                     + (f"，并对专家进行 {boot} 次自助重抽样" if boot else "，未进行专家自助重抽样")
                     + f"；排名区间为模拟排名的 5%–95% 分位，圆点为模拟排名中位数；随机种子 {rob.get('seed')}，结果可复现。"
                     "一票否决的项目按得分列出但不参与入选概率计算。")
    robustness_en = (f"{rob.get('draws')} Dirichlet draws of the weights around the rubric's (concentration "
                     f"{rob.get('concentration')})" + (f" and {boot} bootstrap resamples of the experts" if boot else
                                                       "; no expert bootstrap")
                     + f"; rank intervals are the 5-95 % quantiles of the simulated ranks, the dot their median; "
                       f"seed {rob.get('seed')}, reproducible. Knocked-out projects are listed by score but get no "
                       "P(top k).")
    agg = _AGGREGATION.get(m["aggregation"], (m["aggregation"], m["aggregation"]))
    scale = float(m.get("score_scale", 100))
    root_ahp = rubric.ahp.get("root")
    gates = []
    route_labels = {r.id: r.label for r in doc.routes or []}
    for g in doc.gates or []:
        if g.effect == "knockout":
            effect = "一票否决" if zh else "knock-out"
            if g.route:
                effect += ("，转入" if zh else ", sent to ") + tr(route_labels.get(g.route, g.route), lang)
        else:
            effect = ("提示" if zh else "flag") + (
                (f"（档次不高于 {g.max_tier}）" if zh else f" (tier at most {g.max_tier})") if g.max_tier else "")
        gates.append(GateRow(id=g.id, label=g.label, rule=describe_condition(g.when, lang), effect=effect,
                             reason=g.reason))
    return Methodology(
        rubric_tree=rubric_tree_rows(rubric, lang),
        root_weight_method=weight_method_text(root_ahp, lang),
        root_cr=(_num(root_ahp.gci if str(root_ahp.consistency_measure).lower() == "gci" else root_ahp.cr)
                 if root_ahp is not None else None),
        root_cr_threshold=_num(root_ahp.threshold) if root_ahp is not None else None,
        gates=gates,
        aggregation=I18nText(zh=agg[0].format(scale=scale), en=agg[1].format(scale=scale)),
        consensus_method=I18nText(zh=f"{consensus_zh}{readiness_zh}{missing_zh}{defaults_zh}",
                                  en=f"{consensus_en} {readiness_en} {missing_en} {defaults_en}"),
        robustness_method=I18nText(zh=robustness_zh, en=robustness_en),
        draws=rob.get("draws"), seed=rob.get("seed"), top_k=rob.get("top_k"),
        min_experts=review.get("min_experts"),
        notes=[I18nText(zh=n.text("zh"), en=n.text("en")) for n in ev.notes])


def _comments(ledger, lang: str = "zh") -> dict[str, list[Comment]]:
    """Non-empty comments per project, experts anonymised per project (专家 A, B ...) in a fixed order."""
    rows = ledger.comments()
    out: dict[str, list[Comment]] = {}
    letters: dict[tuple[str, str], str] = {}
    for project, expert, text in rows:
        key = (project, expert)
        if key not in letters:
            n = len({e for (p, e) in letters if p == project})
            letters[key] = EXPERT_LETTERS[n % 26]
        who = f"专家 {letters[key]}" if lang == "zh" else f"Expert {letters[key]}"
        out.setdefault(project, []).append(Comment(expert=who, text=shown(text, newlines=True)))
    return out


__all__ = ["build_report_data", "methodology"]
