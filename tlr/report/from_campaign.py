"""Fill the report contract (:class:`tlr.report.model.ReportData`) from a campaign and its evaluation.

Everything the report states about where it came from is read here: the frozen rubric's hash,
a hash of the scores, the head of the audit chain, the tool version, and the time of the last
change in the ledger (used as the report's time, so the same ledger renders the same report).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tlr.report.model import (
    AuditEntry,
    Comment,
    CTEReadiness,
    DimensionInfo,
    GateRow,
    IndicatorResult,
    KnockOut,
    Methodology,
    ProjectResult,
    RankInterval,
    ReportData,
    ReviewFlag,
    RoundMeta,
    RouteInfo,
    TierInfo,
    rubric_tree_rows,
)
from tlr.text import I18nText, tr

EXPERT_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return I18nText(**value)
    return value


def _trl_details(ledger) -> dict[str, list[CTEReadiness]]:
    """Project id -> readiness of each assessed critical technology element (latest assessment)."""
    from tlr.campaign.trl import trl_assessments
    from tlr.trl import Assessment, evaluate as evaluate_trl

    out: dict[str, list[CTEReadiness]] = {}
    for record in trl_assessments(ledger, latest=True):
        doc = Assessment.model_validate(record["document"])
        result = evaluate_trl(doc, Path(ledger.path).parent, check_files=False)
        for cte in result.ctes:
            det = cte.determination
            missing = ""
            if getattr(det, "next_level", None) is not None:
                nxt = det.next_level
                missing = f"→ TRL {getattr(nxt, 'level', '')}"
            evidence = f"{record['assessor']}, {record['recorded_at'][:10]}" + (f" {missing}" if missing else "")
            out.setdefault(record["project_id"], []).append(
                CTEReadiness(name=cte.name, level=cte.level, target=cte.target, evidence=evidence))
    return out


def build_report_data(ledger, evaluation, *, lang: str = "zh", organisation: str | None = None) -> ReportData:
    """The report contract for *evaluation* of the campaign in *ledger*."""
    import numpy as np

    from tlr import __version__
    from tlr.campaign.evaluation import scores_hash
    from tlr.campaign.vocab import INDUSTRIES
    from tlr.rubric.scales import score_label

    ev = evaluation
    rubric = ev.rubric
    doc = rubric.document
    meta = dict(ledger.meta)
    last = ledger.conn.execute("SELECT ts, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    last_ts, audit_head = (last[0], last[1]) if last else (meta.get("created_at", ""), "")
    from tlr.campaign.cube import score_cube

    cube = score_cube(ledger)
    data_hash = scores_hash(cube)

    tiers = [TierInfo(code=t.id, label=t.label, min_score=t.min_score, description=t.description)
             for t in doc.tiers or []]
    if not any(t.code == c for t in tiers for c in ev.tier_codes[-1:]):
        tiers.append(TierInfo(code=ev.tier_codes[-1], label=_text(ev.tier_labels.get(ev.tier_codes[-1], "—"))))
    routes = [RouteInfo(id=r.id, label=r.label, short=r.short, description=r.description) for r in doc.routes or []]
    top_dims = [n for n in rubric.nodes if n.kind == "dimension" and n.depth == 0]
    dimensions = [DimensionInfo(id=n.id, label=n.label, short=n.model.short, weight=n.global_weight) for n in top_dims]
    dim_index = {d: k for k, d in enumerate(ev.dimensions)}

    projects_info = {p["id"]: p for p in ledger.projects()}
    comments = _comments(ledger)
    cte_info = _trl_details(ledger)
    rob = ev.robustness
    nodes = rubric.indicators
    projects = []
    for p, pid in enumerate(ev.projects):
        info = projects_info.get(pid, {})
        industry = info.get("industry", "")
        industry_label = INDUSTRIES.get(industry, (industry, industry))[0 if lang == "zh" else 1]
        scored = not ev.unscored[p]
        interval = None
        if scored and rob is not None:
            lo, mid, hi = float(rob.rank_q05[p]), float(rob.rank_q50[p]), float(rob.rank_q95[p])
            interval = RankInterval(p5=min(lo, mid), p50=mid, p95=max(hi, mid))
        tier_probs = {}
        if rob is not None and rob.p_tier is not None and scored:
            tier_probs = {code: float(rob.p_tier[p, t]) for t, code in enumerate(rob.tier_codes)}
        knockouts = []
        for g in ev.gates:
            if g.hit[p]:
                gate = next(x for x in doc.gates or [] if x.id == g.id)
                effect = "knockout" if g.effect == "knockout" else ("cap" if g.max_tier else "flag")
                knockouts.append(KnockOut(gate_id=g.id, label=g.label, reason=gate.reason, effect=effect))
        flags = []
        if ev.unscored[p]:
            flags.append(ReviewFlag(code="unscored", message=I18nText(zh="无人评分", en="no scores")))
        elif ev.incomplete[p]:
            flags.append(ReviewFlag(code="incomplete", message=I18nText(zh="部分指标无人评分，综合分按已评指标计算",
                                                                        en="some indicators unscored; composite "
                                                                           "over those scored")))
        for g in ev.gates:
            if g.unknown[p]:
                flags.append(ReviewFlag(code=f"gate-undecided:{g.id}", message=I18nText(
                    zh=f"无法判定：{tr(g.label, 'zh')}", en=f"undecided: {tr(g.label, 'en')}")))
        for reason in ev.review_reasons.get(p, []):
            if reason.startswith("gate "):
                continue
            flags.append(ReviewFlag(code="review", message=I18nText(zh=f"需复议：{reason}", en=f"re-review: {reason}")))
        indicators = []
        for i, node in enumerate(nodes):
            value = _num(ev.consensus[p, i])
            top = next((a for a in node.path if rubric.node(a).depth == 0), node.path[0])
            indicators.append(IndicatorResult(
                id=node.id, label=node.label, dimension=top, weight=node.global_weight, consensus=value,
                display=score_label(node.scale, value, lang) if value is not None else None,
                utility=None if _num(ev.utilities[p, i]) is None else 100 * float(ev.utilities[p, i]),
                spread=_num(ev.spread[p, i]), spread_kind="sd", n_experts=int(ev.n_experts[p, i])))
        readiness_level = None if math.isnan(ev.readiness[p]) else int(ev.readiness[p])
        projects.append(ProjectResult(
            id=pid, name=info.get("name", pid), applicant=info.get("applicant", ""), industry=industry_label,
            summary=info.get("summary") or None,
            rank=int(ev.rank[p]) if scored else None, rank_interval=interval,
            p_top_k=float(rob.p_top_k[p]) if (rob is not None and scored) else None,
            tier=ev.tier[p], tier_probabilities=tier_probs, composite=_num(ev.composite[p]),
            dimension_scores={n.id: _num(ev.dimension_scores[p, dim_index[n.id]]) for n in top_dims},
            readiness_level=readiness_level, readiness=cte_info.get(pid, []), route=ev.route[p],
            knockouts=knockouts, flags=flags, indicators=indicators, comments=comments.get(pid, [])))

    cohort = {}
    for n in top_dims:
        values = ev.dimension_scores[~ev.unscored, dim_index[n.id]]
        values = values[~np.isnan(values)]
        if values.size:
            cohort[n.id] = float(np.median(values))
    method = ev.method
    robust = method.get("robustness", {})
    root_ahp = rubric.ahp.get("root")
    consensus_text = I18nText(
        zh=f"李克特与数值指标取{_consensus_zh(method['consensus'])}（每端去掉 {method['trim']} 个）；"
           "等级指标（技术就绪水平等）取下中位数，绝不求平均；是/否指标取多数，平票记为无法判定；"
           "项目就绪度优先采用有证据的评估结果。",
        en=f"Ratings and numbers: {method['consensus'].replace('_', ' ')} (trim {method['trim']} per end); "
           "ordinal levels (TRL ...) take the lower median, never a mean; yes/no takes the majority, a tie is "
           "undecided; a project's readiness is the evidence-based assessment when there is one.")
    robustness_text = I18nText(
        zh=f"权重按 Dirichlet 分布（集中度 {robust.get('concentration')}）围绕评价体系权重抽样 {robust.get('draws')} 次，"
           f"并对专家进行 {robust.get('expert_bootstrap_draws')} 次自助重抽样；排名区间为 5%–95% 分位，"
           f"随机种子 {robust.get('seed')}，结果可复现。",
        en=f"{robust.get('draws')} Dirichlet draws of the weights around the rubric's (concentration "
           f"{robust.get('concentration')}) and {robust.get('expert_bootstrap_draws')} bootstrap resamples of the "
           f"experts; rank intervals are the 5-95 % quantiles; seed {robust.get('seed')}, reproducible.")
    methodology = Methodology(
        rubric_tree=rubric_tree_rows(rubric, lang),
        root_weight_method=(f"AHP ({root_ahp.method}, {str(root_ahp.consistency_measure).upper()})"
                            if root_ahp is not None else "direct"),
        root_cr=(_num(root_ahp.gci if str(root_ahp.consistency_measure).lower() == "gci" else root_ahp.cr)
                 if root_ahp is not None else None),
        root_cr_threshold=_num(root_ahp.threshold) if root_ahp is not None else None,
        gates=[GateRow(id=g.id, label=g.label, rule=next((o.rule for o in ev.gates if o.id == g.id), ""),
                       effect=g.effect + (f" (≤ {g.max_tier})" if g.max_tier else ""), reason=g.reason)
               for g in doc.gates or []],
        aggregation=I18nText(zh="加权求和（全局权重 × 指标效用），按 0–100 分计", en="weighted sum of indicator "
                             "utilities with global weights, on 0-100") if doc.aggregation.method == "weighted_sum"
        else doc.aggregation.method,
        consensus_method=consensus_text, robustness_method=robustness_text,
        draws=robust.get("draws"), seed=robust.get("seed"), top_k=robust.get("top_k"),
        min_experts=method.get("review", {}).get("min_experts"),
        notes=[n for n in ev.notes])
    audit = [
        AuditEntry(label=I18nText(zh="评价体系", en="rubric"), value=f"{rubric.id} {rubric.version}"),
        AuditEntry(label=I18nText(zh="评价体系内容哈希", en="rubric content hash"), value=rubric.content_hash),
        AuditEntry(label=I18nText(zh="评分数据哈希", en="scores hash"), value=data_hash),
        AuditEntry(label=I18nText(zh="审计链末端哈希", en="audit chain head"), value=audit_head),
        AuditEntry(label=I18nText(zh="批次编号", en="campaign id"), value=str(meta.get("campaign_id", ""))),
        AuditEntry(label=I18nText(zh="评分条数", en="scores"), value=str(int((~np.isnan(cube.values)).sum()))),
        AuditEntry(label=I18nText(zh="工具版本", en="tool version"), value=f"tlr {__version__}"),
        AuditEntry(label=I18nText(zh="数据最后更新时间", en="last change in the ledger"), value=last_ts),
    ]
    round_meta = RoundMeta(
        title=meta.get("name", "tlr"), round_id=str(Path(ledger.path).parent.name),
        organisation=organisation, date=str(meta.get("created_at", ""))[:10], rubric_id=rubric.id,
        rubric_version=rubric.version, rubric_title=rubric.title, rubric_hash=rubric.content_hash,
        data_hashes={"scores": data_hash, "audit_head": audit_head}, tool_version=__version__,
        generated_at=last_ts, confidentiality=I18nText(zh="内部资料 注意保密", en="Internal — confidential"))
    industries_order = [v[0 if lang == "zh" else 1] for v in INDUSTRIES.values()]
    used = {p.industry for p in projects}
    return ReportData(meta=round_meta, tiers=tiers, routes=routes, dimensions=dimensions,
                      industries=[i for i in industries_order if i in used], projects=projects,
                      cohort_median=cohort, methodology=methodology, audit=audit,
                      top_k=int(robust.get("top_k") or 10))


def _consensus_zh(name: str) -> str:
    return {"mean": "平均值", "median": "中位数", "trimmed_mean": "去掉最高最低分后的平均值",
            "weighted_mean": "专家加权平均"}.get(name, name)


def _comments(ledger) -> dict[str, list[Comment]]:
    """Non-empty comments per project, experts anonymised per project (专家 A, B ...) in a fixed order."""
    rows = ledger.conn.execute(
        "SELECT s.project_id, s.expert_id, s.comment FROM scores s JOIN experts e ON e.id = s.expert_id "
        "WHERE s.comment != '' ORDER BY s.project_id, e.seq, s.indicator_id").fetchall()
    out: dict[str, list[Comment]] = {}
    letters: dict[tuple[str, str], str] = {}
    for project, expert, text in rows:
        key = (project, expert)
        if key not in letters:
            n = len({e for (p, e) in letters if p == project})
            letters[key] = EXPERT_LETTERS[n % 26]
        out.setdefault(project, []).append(Comment(expert=f"专家 {letters[key]}", text=text))
    return out
