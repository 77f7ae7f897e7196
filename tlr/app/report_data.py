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
    CalibrationRow,
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
                      audit=None, followup_library: str | None = None, valuation=None) -> ReportData:
    """The report contract for *evaluation* of the campaign in *ledger*.

    *audit*: the :class:`tlr.app.audit_gate.AuditStatus` checked before evaluating (None: not checked).
    *followup_library*: the achievement library holding this round's outcomes (else the ledger's own, if any).
    *valuation*: a :class:`tlr.app.valuation.CampaignValuation` for the valuation chapter (None: no chapter).
    """
    from tlr.app.report_followup import followup_section

    from tlr.app.records import industry_label, project_records
    from tlr.campaign.cube import score_cube
    from tlr.campaign.trl import assessed_readiness
    from tlr.campaign.vocab import INDUSTRIES

    ev = evaluation
    cube = score_cube(ledger)
    projects_info = {p["id"]: p for p in ledger.projects()}
    context = _ProjectContext(ev, lang, _comments(ledger, lang), _cte_rows(assessed_readiness(ledger)))
    projects = [context.result(rec, projects_info.get(rec["project"], {}))
                for rec in project_records(ev, projects_info, lang)]
    tiers, routes, dimensions = _vocabulary(ev)
    audit_check = (AuditCheck(verified=audit.verified, head=audit.head, entries=audit.entries,
                              problems=list(audit.problems)) if audit is not None else None)
    meta, audit_rows = _provenance(ledger, ev.rubric, cube, audit_check, organisation, lang,
                                   (ev.method.get("moderation") or {}).get("moderated", 0))
    used = {p.industry for p in projects}
    order = [industry_label(key, lang, short=True) for key in INDUSTRIES]
    return ReportData(meta=meta, tiers=tiers, routes=routes, dimensions=dimensions,
                      industries=[i for i in order if i in used], projects=projects,
                      cohort_median=_cohort_median(ev), methodology=methodology(ev, lang), audit=audit_rows,
                      top_k=int(ev.method.get("robustness", {}).get("top_k") or 10),
                      completeness=_completeness_info(ev, ledger.experts()), audit_check=audit_check,
                      followup=followup_section(ledger, library=followup_library),
                      valuation=_valuation(valuation, lang))


def _valuation(valuation, lang: str) -> dict | None:
    if valuation is None:
        return None
    from tlr.app.report_valuation import section

    return section(valuation, lang)


def _vocabulary(ev) -> tuple[list[TierInfo], list[RouteInfo], list[DimensionInfo]]:
    """The rubric's tiers (with the default tier), routes and top-level dimensions, as the paper names them."""
    doc = ev.rubric.document
    tiers = [TierInfo(code=t.id, label=t.label, min_score=t.min_score, description=t.description)
             for t in doc.tiers or []]
    if not any(t.code == c for t in tiers for c in ev.tier_codes[-1:]):
        tiers.append(TierInfo(code=ev.tier_codes[-1], label=_text(ev.tier_labels.get(ev.tier_codes[-1], "—"))))
    routes = [RouteInfo(id=r.id, label=r.label, short=r.short, description=r.description) for r in doc.routes or []]
    dimensions = [DimensionInfo(id=n.id, label=n.label, short=n.model.short, strength=n.model.strength,
                                weight=n.global_weight) for n in _top_dimensions(ev.rubric)]
    return tiers, routes, dimensions


def _top_dimensions(rubric) -> list:
    return [n for n in rubric.nodes if n.kind == "dimension" and n.depth == 0]


class _ProjectContext:
    """What every project's page needs besides its record: comments, readiness per CTE, gate texts."""

    def __init__(self, ev, lang: str, comments: dict, cte_info: dict):
        self.ev, self.lang, self.comments, self.cte_info = ev, lang, comments, cte_info
        self.gates = {g.id: g for g in ev.rubric.document.gates or []}
        self.index = {pid: p for p, pid in enumerate(ev.projects)}

    def result(self, rec: dict, info: dict) -> ProjectResult:
        from tlr.app.records import industry_label

        pid = rec["project"]
        p = self.index[pid]
        interval = None
        if rec["rank_interval"] is not None:
            lo, hi = rec["rank_interval"]
            mid = rec["simulated_rank_median"]
            interval = RankInterval(p5=min(lo, mid), p50=mid, p95=max(hi, mid))
        experts = rec.get("experts")
        return ProjectResult(
            id=pid, name=shown(info.get("name", pid)), applicant=shown(info.get("applicant", "")),
            industry=industry_label(info.get("industry"), self.lang, short=True),
            summary=shown(info.get("summary"), newlines=True) or None,
            rank=rec["rank"] if not self.ev.unscored[p] else None, rank_interval=interval, p_top_k=rec["p_top_k"],
            tier=rec["tier"], tier_probabilities=rec["p_tier"] or {}, composite=rec["composite"],
            composite_se=rec.get("composite_se"),
            dimension_scores=dict(rec["dimensions"]), readiness_level=rec["readiness"],
            readiness_source=rec["readiness_source"], readiness=self.cte_info.get(pid, []), route=rec["route"],
            knockouts=self.knockouts(p), flags=self.flags(p), indicators=self.indicators(p),
            comments=self.comments.get(pid, []), panel=PanelCount(**experts) if experts else None)

    def knockouts(self, p: int) -> list[KnockOut]:
        out = []
        for g in self.ev.gates:
            if g.hit[p]:
                effect = "knockout" if g.effect == "knockout" else ("cap" if g.max_tier else "flag")
                out.append(KnockOut(gate_id=g.id, label=g.label, reason=self.gates[g.id].reason, effect=effect))
        return out

    def flags(self, p: int) -> list[ReviewFlag]:
        return [ReviewFlag(code=f["code"], message=_i18n(f["text"]),
                           severity="review" if f["severity"] == "review" else "note")
                for f in (x.to_dict() for x in self.ev.flags(p))]

    def indicators(self, p: int) -> list[IndicatorResult]:
        from tlr.rubric.scales import score_label

        ev, rubric = self.ev, self.ev.rubric
        panel = int(ev.completeness.panel[p]) if ev.completeness is not None else 0
        out = []
        for i, node in enumerate(rubric.indicators):
            value = _num(ev.consensus[p, i])
            top = next((a for a in node.path if rubric.node(a).depth == 0), node.path[0])
            utility = _num(ev.utilities[p, i])
            out.append(IndicatorResult(
                id=node.id, label=node.label, dimension=top, weight=node.global_weight, consensus=value,
                display=score_label(node.scale, value, self.lang) if value is not None else None,
                utility=None if utility is None else 100 * utility, spread=_num(ev.spread[p, i]), spread_kind="sd",
                n_experts=panel, n_used=int(ev.n_experts[p, i])))
        return out


def _cohort_median(ev) -> dict[str, float]:
    """Each top-level dimension's median score over the scored projects (the radar's reference)."""
    import numpy as np

    dim_index = {d: k for k, d in enumerate(ev.dimensions)}
    out = {}
    for n in _top_dimensions(ev.rubric):
        values = ev.dimension_scores[~ev.unscored, dim_index[n.id]]
        values = values[~np.isnan(values)]
        if values.size:
            out[n.id] = float(np.median(values))
    return out


def _completeness_info(ev, experts) -> CompletenessInfo | None:
    from tlr.app.records import completeness_summary

    summary = completeness_summary(ev, experts)
    if summary is None:
        return None
    return CompletenessInfo(
        answers_expected=summary["answers_expected"], answers_received=summary["answers_received"],
        experts=[ExpertAnswers(expert=x["expert"], expected=x["expected"], received=x["received"])
                 for x in summary["experts"]],
        **{k: summary[k] for k in ("silent_experts", "incomplete_experts", "unscored_projects",
                                   "projects_below_quorum", "projects_below_min_experts", "quorum", "min_experts")})


def _provenance(ledger, rubric, cube, audit_check: AuditCheck | None, organisation: str | None,
                lang: str, moderated: int = 0) -> tuple[RoundMeta, list[AuditEntry]]:
    """The cover's facts and the audit appendix: what the report was made from, and when the data last changed."""
    import numpy as np

    from tlr import __version__

    meta = dict(ledger.meta)
    last = ledger.audit_head()
    last_ts, audit_head = (last[2], last[1]) if last else (meta.get("created_at", ""), "")
    data_hash = cube.content_hash()
    rows = [
        AuditEntry(label=I18nText(zh="评价体系", en="rubric"), value=f"{rubric.id} {rubric.version}"),
        AuditEntry(label=I18nText(zh="评价体系内容哈希", en="rubric content hash"), value=rubric.content_hash),
        AuditEntry(label=I18nText(zh="评分数据哈希", en="scores hash"), value=data_hash),
        AuditEntry(label=I18nText(zh="审计链末端哈希", en="audit chain head"), value=audit_head),
        AuditEntry(label=I18nText(zh="审计核验", en="audit verification"), value=_audit_value(audit_check, lang)),
        AuditEntry(label=I18nText(zh="批次编号", en="campaign id"), value=str(meta.get("campaign_id", ""))),
        AuditEntry(label=I18nText(zh="评分条数", en="scores"), value=str(int((~np.isnan(cube.values)).sum()))),
        AuditEntry(label=I18nText(zh="经复核剔除或改判的评分", en="scores excluded or overridden by moderation"),
                   value=str(moderated)),
        AuditEntry(label=I18nText(zh="工具版本", en="tool version"), value=f"tlr {__version__}"),
        AuditEntry(label=I18nText(zh="数据最后更新时间", en="last change in the ledger"), value=last_ts),
    ]
    round_meta = RoundMeta(
        title=meta.get("name", "tlr"), round_id=str(ledger.path.parent.name),
        organisation=organisation, date=str(meta.get("created_at", ""))[:10], rubric_id=rubric.id,
        rubric_version=rubric.version, rubric_title=rubric.title, rubric_hash=rubric.content_hash,
        data_hashes={"scores": data_hash, "audit_head": audit_head}, tool_version=__version__,
        generated_at=last_ts, confidentiality=I18nText(zh="内部资料 注意保密", en="Internal — confidential"))
    return round_meta, rows


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
    "topsis": ("TOPSIS（效用模式）：以各指标效用（0–1，均视为效益型）计算到理想解与负理想解的相对接近度，"
               "按 0–{scale:g} 分计；结果随效用函数的上下界而变。",
               "TOPSIS (utility mode): relative closeness to the ideal and anti-ideal solutions over the indicators' "
               "utilities (0-1, every criterion a benefit), on 0-{scale:g}; the result moves with the utility bounds."),
    "topsis_raw": ("TOPSIS（原始值模式，Hwang & Yoon 1981）：以各指标的共识原始值（数值指标按其单位及效益/成本方向，"
                   "评分与等级指标按其自身量表）向量归一化后计算到理想解与负理想解的相对接近度，按 0–{scale:g} 分计；"
                   "缺少原始值的项目不参与排序。",
                   "TOPSIS (raw-value mode, Hwang & Yoon 1981): relative closeness to the ideal and anti-ideal "
                   "solutions over the consensus values themselves (numeric indicators in their units with their "
                   "benefit/cost direction, rating and level indicators on their own scale), vector-normalised, on "
                   "0-{scale:g}; projects lacking a raw value are not ranked."),
    "fuzzy": ("模糊综合评价：按专家评判频率构造隶属度矩阵，与权重合成后按等第值折算，按 0–{scale:g} 分计。",
              "Fuzzy comprehensive evaluation: membership by the share of experts per grade, composed with the "
              "weights and scored by the grade values, on 0-{scale:g}."),
}
_PANEL_FIELDS = {"consensus": ("共识方法", "consensus rule"), "trim": ("每端去掉的评分数", "scores trimmed per end"),
                 "min_after_trim": ("去掉后至少保留的评分数", "scores that must remain after trimming"),
                 "min_experts": ("最少专家数", "minimum experts"), "quorum": ("法定人数比例", "quorum"),
                 "leniency_correction": ("宽严偏差校正", "leniency correction"),
                 "calibration": ("评分校正", "rater calibration")}
_CALIBRATION = {"none": ("不校正", "none"), "leniency": ("宽严偏差校正（z 分数）", "leniency correction (z-scores)"),
                "additive": ("加性评分者效应模型", "additive rater-effects model"),
                "bayesian": ("贝叶斯部分汇集模型", "Bayesian partial-pooling model"),
                "scaled": ("含尺度的评分者效应模型", "rater-effects model with expert scale")}


def _panel_value(name: str, rubric, lang: str) -> str:
    value = getattr(rubric.document.panel, name)
    if name == "quorum":
        return f"{value:.0%}"
    if name == "consensus":
        return _CONSENSUS[value][0 if lang == "zh" else 1].format(trim=rubric.document.panel.trim)
    if name == "calibration":
        return _CALIBRATION[rubric.document.panel.calibration_method][0 if lang == "zh" else 1]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


def methodology(ev, lang: str = "zh") -> Methodology:
    """The methodology appendix, every sentence generated from the rule the evaluation applied."""
    rubric = ev.rubric
    m = ev.method
    texts = [_consensus_text(m), _readiness_text(), _review_text(m.get("review", {})), _defaults_text(m, rubric)]
    rob = m.get("robustness", {})
    agg_key = "topsis_raw" if m["aggregation"] == "topsis" and m.get("topsis_mode") == "raw" else m["aggregation"]
    agg = _AGGREGATION.get(agg_key, (m["aggregation"], m["aggregation"]))
    scale = float(m.get("score_scale", 100))
    root_ahp = rubric.ahp.get("root")
    return Methodology(
        rubric_tree=rubric_tree_rows(rubric, lang),
        root_weight_method=weight_method_text(root_ahp, lang),
        root_cr=(_num(root_ahp.gci if str(root_ahp.consistency_measure).lower() == "gci" else root_ahp.cr)
                 if root_ahp is not None else None),
        root_cr_threshold=_num(root_ahp.threshold) if root_ahp is not None else None,
        gates=_gate_rows(rubric, lang),
        aggregation=I18nText(zh=agg[0].format(scale=scale), en=agg[1].format(scale=scale)),
        consensus_method=I18nText(zh="".join(t[0] for t in texts), en=" ".join(t[1] for t in texts)),
        robustness_method=_robustness_text(rob),
        draws=rob.get("draws"), seed=rob.get("seed"), top_k=rob.get("top_k"),
        min_experts=m.get("review", {}).get("min_experts"),
        notes=[I18nText(zh=n.text("zh"), en=n.text("en")) for n in ev.notes],
        calibration=_calibration_rows(ev),
        moderation=moderation_text(m.get("moderation"), m.get("rescored")))


def _calibration_rows(ev) -> list[CalibrationRow]:
    from tlr.app.records import calibration_summary

    summary = calibration_summary(ev)
    return [CalibrationRow(**x) for x in summary["experts"]] if summary else []


_MODEL_TEXT = {
    "additive": ("李克特与数值指标按加性评分者效应模型校正：评分 = 项目质量 + 专家宽严偏差 + 随机误差（每位专家各有误差方差），"
                 "以加权最小二乘估计；共识值为校正后的项目质量（即专家组平均宽严的专家会给出的分数，截断至量表范围），"
                 "并给出其标准误",
                 "Ratings and numbers are calibrated by the additive rater-effects model: score = project quality + "
                 "expert leniency + noise (each expert with their own noise variance), fitted by weighted least "
                 "squares; the consensus is the calibrated quality (the score the panel's average expert would give, "
                 "clipped to the scale), with its standard error"),
    "bayesian": ("李克特与数值指标按贝叶斯评分者效应模型校正：评分 = 项目质量 + 专家宽严偏差 + 随机误差，专家宽严与项目质量"
                 "分别向其平均值收缩（部分汇集），方差分量由经验贝叶斯估计；共识值为项目质量的后验均值（截断至量表范围），"
                 "不确定度为其后验标准差",
                 "Ratings and numbers are calibrated by the Bayesian rater-effects model: score = project quality + "
                 "expert leniency + noise, leniency and quality shrunk towards their averages (partial pooling), the "
                 "variances by empirical Bayes; the consensus is the posterior mean quality (clipped to the scale), "
                 "its uncertainty the posterior standard deviation"),
    "scaled": ("李克特与数值指标按含尺度的评分者效应模型校正：评分 = 专家宽严偏差 + 专家尺度 × 项目质量 + 随机误差"
               "（专家可能放大或压缩分差），以交替加权最小二乘估计；共识值为校正后的项目质量（截断至量表范围），"
               "标准误以专家参数为已知（偏小）",
               "Ratings and numbers are calibrated by the rater-effects model with expert scale: score = expert "
               "leniency + expert scale x project quality + noise (an expert may spread or compress their scores), "
               "fitted by alternating weighted least squares; the consensus is the calibrated quality (clipped to "
               "the scale), its standard error taking the experts' parameters as known (a lower bound)"),
}


_ACTION = {"exclude": ("剔除", "excluded"), "override": ("改判", "overridden")}


def moderation_text(summary: dict | None, rescored: list | None = None) -> I18nText | None:
    """How many scores were moderated and why, and which projects were re-scored (None: neither happened)."""
    summary = summary or {}
    if not (summary.get("moderated") or summary.get("stale") or rescored):
        return None
    zh, en = [], []
    n = summary.get("moderated", 0)
    if n:
        by = summary.get("by_action", {})
        zh.append(f"经书面说明理由并记入审计日志，{n} 个专家评分未按原值使用（剔除 {by.get('exclude', 0)} 个，"
                  f"改判 {by.get('override', 0)} 个）；原始评分保留在批次中不变。理由：" + "；".join(
                      f"{_ACTION[r['action']][0]} {r['count']} 个：{shown(r['reason'])}" for r in summary["by_reason"]) + "。")
        en.append(f"With a written reason recorded in the audit log, {n} expert score(s) were not used as given "
                  f"({by.get('exclude', 0)} excluded, {by.get('override', 0)} overridden); the original scores "
                  "are kept unchanged in the ledger. Reasons: " + "; ".join(
                      f"{_ACTION[r['action']][1]} {r['count']}: {shown(r['reason'])}" for r in summary["by_reason"])
                  + ".")
    else:
        zh.append("没有专家评分被剔除或改判。")
        en.append("No expert score was excluded or overridden.")
    if summary.get("stale"):
        zh.append(f"另有 {summary['stale']} 项处理因专家此后改了评分而不再适用。")
        en.append(f"{summary['stale']} further moderation(s) no longer apply: the expert changed the score since.")
    if rescored:
        listed = ", ".join(f"{r['project']}（第 {r['round']} 轮）" for r in rescored)
        zh.append(f"复议：项目 {listed} 经讨论后重新评分，各专家以最新一轮评分计，未重评的沿用上一轮；上一轮评分完整保留。")
        listed = ", ".join(f"{r['project']} (round {r['round']})" for r in rescored)
        en.append(f"Re-scoring: projects {listed} were scored again after discussion; each expert's latest round "
                  "counts, an answer not given again stands, and the earlier round is kept in full.")
    return I18nText(zh="".join(zh), en=" ".join(en))


def _consensus_text(m: dict) -> tuple[str, str]:
    rule = m["consensus"]
    zh_base, en_base = (x.format(trim=m.get("trim", 0)) for x in _CONSENSUS[rule])
    parts_zh, parts_en = [f"李克特与数值指标取{zh_base}"], [f"Ratings and numbers take {en_base}"]
    model = _MODEL_TEXT.get(m.get("calibration"))
    if model:
        zh_se = ("；综合分的标准误由各指标标准误按权重合成（假定各指标误差相互独立）" if m["aggregation"] == "weighted_sum"
                 else "")
        en_se = ("; the composite's standard error combines the indicators' by their weights (their errors "
                 "assumed independent)" if m["aggregation"] == "weighted_sum" else "")
        parts_zh, parts_en = [model[0] + zh_se], [model[1] + en_se]
    elif rule == "trimmed_mean":
        parts_zh.append(f"去掉后不足 {m['min_after_trim']} 个评分的，改用中位数（本轮 {m['trim_fallback_cells']} 个"
                        "“项目×指标”单元格）")
        parts_en.append(f"where fewer than {m['min_after_trim']} scores would remain the median is used "
                        f"({m['trim_fallback_cells']} project-indicator cells this round)")
    if m.get("leniency_correction"):
        parts_zh.append("并先校正每位专家的宽严偏差")
        parts_en.append("after correcting each expert's leniency")
    return ("，".join(parts_zh) + "。等级指标（技术就绪水平等）取下中位数，绝不求平均；是/否指标取多数，平票记为无法判定。",
            "; ".join(parts_en) + ". Ordinal levels (TRL ...) take the lower median, never a mean; yes/no takes the "
                                  "majority, and a tie is undecided.")


def _readiness_text() -> tuple[str, str]:
    return ("项目技术就绪水平优先采用正式评估结果：每个“是”都有证据（文件哈希或引用）的标 *，部分“是”缺少证据的为评估人断言，"
            "标 †；无评估时取专家组评分的下中位数。",
            "A project's readiness is the formal assessment when there is one — marked * when every 'yes' carries "
            "evidence (a file hash or a reference), † when the assessor asserted some without evidence — else the "
            "lower median of the panel's levels.")


def _review_text(review: dict) -> tuple[str, str]:
    n, quorum, sd, rng = review.get("min_experts"), review.get("quorum", 0), review.get("sd", 0), review.get("range", 0)
    return ("缺失数据：某指标无人评分时，综合分按已评指标的权重重新归一化，并标注；无人评分的项目排在最后。"
            f"每个项目至少 {n} 位专家评分（给出评分的已分配专家，回避者不计），且不少于所分配专家的 {quorum:.0%}，"
            f"否则标注需复议。专家综合分标准差超过 {sd:g} 或极差超过 {rng:g} 时标注需复议。",
            "Missing data: an indicator nobody scored leaves the composite to the indicators scored (weights "
            "renormalised), marked; a project nobody scored is ranked last. Every project needs at least "
            f"{n} experts who scored it (assigned and not recused) and {quorum:.0%} of its assigned panel, else it "
            f"is flagged for re-review; so is a spread of the experts' composites above sd {sd:g} or range {rng:g}.")


def _defaults_text(m: dict, rubric) -> tuple[str, str]:
    defaults = m.get("panel_defaults")
    if defaults is None:
        return ("（本批次创建时未记录评价体系省略了哪些专家组规则。）",
                "(This campaign did not record which panel rules the rubric left to their defaults.)")
    if m["consensus"] != "trimmed_mean":  # trimming rules were not applied: not "used"
        defaults = [d for d in defaults if d not in ("trim", "min_after_trim")]
    if "calibration" in defaults or rubric.document.panel.calibration is not None:
        # one rule, two names: listed once as the calibration, and not at all when the rubric stated either
        defaults = [d for d in defaults if d != "leniency_correction"
                    and (d != "calibration" or "leniency_correction" in defaults)]
    if not defaults:
        return "专家组规则均由评价体系明确规定。", "Every panel rule is stated by the rubric."
    listed_zh = "、".join(f"{_PANEL_FIELDS[d][0]} {_panel_value(d, rubric, 'zh')}" for d in defaults)
    listed_en = ", ".join(f"{_PANEL_FIELDS[d][1]} {_panel_value(d, rubric, 'en')}" for d in defaults)
    return (f"评价体系未规定、按默认值执行的规则：{listed_zh}。",
            f"Rules the rubric does not state, applied at their defaults: {listed_en}.")


def _robustness_text(rob: dict) -> I18nText:
    boot = rob.get("expert_bootstrap_draws") or 0
    zh = (f"权重按 Dirichlet 分布（集中度 {rob.get('concentration')}）围绕评价体系权重抽样 {rob.get('draws')} 次"
          + (f"，并对专家进行 {boot} 次自助重抽样" if boot else "，未进行专家自助重抽样")
          + f"；排名区间为模拟排名的 5%–95% 分位，圆点为模拟排名中位数；随机种子 {rob.get('seed')}，结果可复现。"
          "一票否决的项目按得分列出但不参与入选概率计算。")
    en = (f"{rob.get('draws')} Dirichlet draws of the weights around the rubric's (concentration "
          f"{rob.get('concentration')})" + (f" and {boot} bootstrap resamples of the experts" if boot else
                                            "; no expert bootstrap")
          + f"; rank intervals are the 5-95 % quantiles of the simulated ranks, the dot their median; seed "
            f"{rob.get('seed')}, reproducible. Knocked-out projects are listed by score but get no P(top k).")
    return I18nText(zh=zh, en=en)


def _gate_rows(rubric, lang: str) -> list[GateRow]:
    zh = lang == "zh"
    route_labels = {r.id: r.label for r in rubric.document.routes or []}
    rows = []
    for g in rubric.document.gates or []:
        if g.effect == "knockout":
            effect = "一票否决" if zh else "knock-out"
            if g.route:
                effect += ("，转入" if zh else ", sent to ") + tr(route_labels.get(g.route, g.route), lang)
        else:
            effect = ("提示" if zh else "flag") + (
                (f"（档次不高于 {g.max_tier}）" if zh else f" (tier at most {g.max_tier})") if g.max_tier else "")
        rows.append(GateRow(id=g.id, label=g.label, rule=describe_condition(g.when, lang), effect=effect,
                            reason=g.reason))
    return rows


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


__all__ = ["build_report_data", "methodology", "moderation_text"]
