"""A realistic synthetic :class:`~tlr.report.model.ReportData` for tests, benchmarks and template work.

``sample_report(n=12, seed=7)`` is deterministic: the same ``n`` and ``seed`` give the same data.
The structure follows the shipped ``rubrics/fund-screening.yaml`` (six dimensions, their indicators
and weights, tiers A-D, three support routes); names and numbers are invented.
"""

from __future__ import annotations

import random
from statistics import median

from tlr.report.model import (
    AuditEntry, CTEReadiness, Comment, DimensionInfo, GateRow, IndicatorResult, KnockOut, Methodology,
    ProjectResult, RankInterval, ReportData, ReviewFlag, RoundMeta, RouteInfo, RubricNodeRow, TierInfo,
)
from tlr.text import I18nText

INDUSTRIES = ["钢铁", "高端装备", "信息智能", "新能源", "新材料", "节能环保", "生物医药与健康", "县域特色产业"]

_SUBJECTS = {
    "钢铁": ["高强韧耐候桥梁钢", "氢冶金竖炉", "薄带连铸连轧", "高牌号无取向硅钢", "转炉煤气深度净化", "钢渣固废高值化利用",
           "超高强汽车钢", "电弧炉短流程智能冶炼"],
    "高端装备": ["五轴联动数控机床", "精密减速器", "大型盾构机主轴承", "工业机器人关节模组", "高端液压元件", "智能农机装备",
              "航空发动机叶片精密加工", "特种电机驱动系统"],
    "信息智能": ["工业互联网标识解析", "多模态大模型推理加速", "矿山智能巡检机器人", "边缘计算网关", "城市数字孪生平台",
              "国产工业软件内核", "车路协同感知系统", "高可靠工控芯片"],
    "新能源": ["钙钛矿叠层太阳电池", "固态锂电池电解质", "兆瓦级质子交换膜电解槽", "钠离子电池正极材料", "风电叶片回收",
             "分布式储能能量管理", "氢燃料电池电堆", "地热梯级利用"],
    "新材料": ["碳化硅单晶衬底", "高性能碳纤维", "稀土永磁材料", "电子级多晶硅", "生物基可降解材料", "高纯氧化铝陶瓷",
             "石墨烯导热膜", "高温合金粉末"],
    "节能环保": ["工业烟气超低排放", "高盐废水零排放", "餐厨垃圾厌氧发酵", "余热余压发电", "土壤重金属修复",
              "挥发性有机物治理", "污泥低碳干化", "城市污水再生利用"],
    "生物医药与健康": ["mRNA 疫苗递送系统", "抗体偶联药物", "中药经典名方二次开发", "可降解心血管支架", "医用机器人",
                 "细胞治疗制备工艺", "体外诊断微流控芯片", "医学影像人工智能辅助诊断"],
    "县域特色产业": ["特色果蔬冷链保鲜", "食用菌工厂化栽培", "茶叶清洁化加工", "中药材规范化种植", "畜禽粪污资源化",
               "小杂粮精深加工", "竹木制品智能制造", "农产品溯源区块链"],
}
_ACTIONS = ["关键技术研发及产业化", "中试熟化与示范应用", "工程化关键技术攻关", "成套装备研制与推广", "成果转化及产业化示范",
            "核心部件国产化替代"]
_CITIES = ["济源", "临川", "青州", "德阳", "常宁", "安平", "嘉禾", "兴城", "江阴", "高密", "瑞安", "永康", "武安", "邹平"]
_ORG_KINDS = ["科技有限公司", "新材料股份有限公司", "智能装备有限公司", "生物科技有限公司", "能源科技有限公司", "研究院有限公司"]
_UNIS = ["省工业技术研究院", "省理工大学", "省农业科学院", "省医科大学", "省冶金研究院", "省科学院新材料研究所"]

# (dimension id, zh, en, global weight, [(indicator id, zh, en, local weight, kind)])
_TREE = [
    ("maturity", "技术成熟度", "Technology readiness", 0.233, [
        ("trl", "技术就绪水平", "Technology readiness level", 0.6, "trl"),
        ("mrl_evidence", "工艺与制造成熟度", "Process and manufacturing maturity", 0.4, "l5")]),
    ("advancedness", "前瞻性与先进性", "Foresight and advancedness", 0.197, [
        ("sota_level", "技术水平", "Level against the state of the art", 0.4, "grade"),
        ("innovation", "创新程度", "Degree of innovation", 0.35, "l5"),
        ("foresight", "前瞻性与引领性", "Foresight and leadership", 0.25, "l5")]),
    ("feasibility", "可行性", "Feasibility", 0.123, [
        ("team", "团队能力", "Team capability", 0.4, "l5"),
        ("plan", "实施方案与进度", "Implementation plan and schedule", 0.3, "l5"),
        ("funding", "资金与配套条件", "Funding and supporting conditions", 0.3, "l5")]),
    ("market", "市场价值", "Market value", 0.233, [
        ("market_size", "目标市场规模", "Addressable market size", 0.3, "num"),
        ("demand", "市场需求与用户痛点", "Demand and customer pain", 0.25, "l5"),
        ("cost_advantage", "成本降低幅度", "Cost reduction vs. incumbent", 0.225, "pct"),
        ("substitution", "进口替代与自主可控", "Import substitution and self-reliance", 0.225, "l5")]),
    ("industrialisation", "产业化前景", "Industrialisation prospects", 0.139, [
        ("industry_fit", "与本省重点产业链契合度", "Fit with the province's key industrial chains", 0.297, "l5"),
        ("scale_up", "放大与量产条件", "Scale-up and volume-production conditions", 0.163, "l5"),
        ("economic_benefit", "预期经济效益", "Expected economic benefit", 0.54, "l5")]),
    ("risk", "转化风险（分值越高风险越低）", "Transfer risk (higher is lower risk)", 0.076, [
        ("tech_risk", "技术风险", "Technical risk", 0.4, "l5"),
        ("market_risk", "市场风险", "Market risk", 0.35, "l5"),
        ("policy_risk", "政策与合规风险", "Policy and compliance risk", 0.25, "l5")]),
]
_L5 = {1: "很弱", 2: "较弱", 3: "一般", 4: "较强", 5: "很强"}
_GRADES = {1: "国内一般", 2: "国内先进", 3: "国内领先", 4: "国际先进", 5: "国际领先"}
_COMMENTS = [
    "核心指标已在用户现场连续运行验证，数据可信。", "中试线尚未建成，量产良率存在不确定性，建议尽调时重点核查。",
    "团队产学研结合紧密，但市场开拓经验不足。", "与本省重点产业链契合度高，可带动上下游配套。",
    "关键原材料依赖进口，供应链风险需评估。", "专利布局较完整，建议核实权属及许可情况。",
    "技术路线先进，但与国际领先水平仍有差距。", "经济效益测算偏乐观，建议按保守情景复核。",
    "已有意向订单，市场需求明确。", "建议补充第三方检测报告后再行评估。",
]
_CTE = ["核心工艺", "关键材料", "控制系统", "检测方法", "关键部件", "软件算法"]


def _t(zh: str, en: str) -> I18nText:
    return I18nText(zh=zh, en=en)


def sample_report(n: int = 12, seed: int = 7, *, hostile: bool = False) -> ReportData:
    """A deterministic synthetic round of *n* projects.

    ``hostile=True`` renames the first project ``<script>alert(1)</script>`` (escaping tests).
    """
    rng = random.Random(seed)
    tiers = [
        TierInfo(code="A", label=_t("推荐投资/尽调", "Recommend for investment / due diligence"), min_score=80.0,
                 description=_t("综合得分 ≥ 80 且技术就绪水平 ≥ 6", "composite ≥ 80 and TRL ≥ 6")),
        TierInfo(code="B", label=_t("重点培育", "Priority incubation"), min_score=70.0),
        TierInfo(code="C", label=_t("储备跟踪", "Pipeline, follow up"), min_score=60.0),
        TierInfo(code="D", label=_t("暂不推荐", "Not recommended for now"), min_score=None),
    ]
    routes = [
        RouteInfo(id="research", label=_t("研发支持（研究批）", "Research support (research batch)"),
                  short=_t("研究批", "Research")),
        RouteInfo(id="transfer", label=_t("中试熟化与转化（转化批）", "Pilot and transfer (transfer batch)"),
                  short=_t("转化批", "Transfer")),
        RouteInfo(id="land", label=_t("投资落地（落地批）", "Investment and landing (landing batch)"),
                  short=_t("落地批", "Landing")),
    ]
    shorts = {"maturity": ("成熟度", "Maturity"), "advancedness": ("先进性", "Advanced"),
              "feasibility": ("可行性", "Feasible"), "market": ("市场", "Market"),
              "industrialisation": ("产业化", "Industr."), "risk": ("风险", "Risk")}
    dims = [DimensionInfo(id=d, label=_t(zh, en), short=_t(*shorts[d]), weight=w) for d, zh, en, w, _ in _TREE]

    projects: list[ProjectResult] = []
    used_names: set[str] = set()
    for i in range(n):
        industry = INDUSTRIES[i % len(INDUSTRIES)] if i < len(INDUSTRIES) else rng.choice(INDUSTRIES)
        subject = rng.choice(_SUBJECTS[industry])
        name = f"{subject}{rng.choice(_ACTIONS)}"
        for _ in range(12):  # distinct names while the vocabulary lasts
            if name not in used_names:
                break
            subject = rng.choice(_SUBJECTS[industry])
            name = f"{subject}{rng.choice(_ACTIONS)}"
        if name in used_names:
            name = f"{name}（{i + 1}）"
        used_names.add(name)
        if rng.random() < 0.6:
            applicant = f"{rng.choice(_CITIES)}{rng.choice(['华', '中', '恒', '瑞', '泰', '鑫', '博', '正'])}" \
                        f"{rng.choice(['兴', '达', '远', '创', '源', '德', '宇', '通'])}{rng.choice(_ORG_KINDS)}"
        else:
            applicant = rng.choice(_UNIS)
        quality = rng.gauss(0.45, 0.9)
        trl = max(2, min(9, round(5.3 + 1.6 * quality + rng.gauss(0, 1.0))))
        indicators: list[IndicatorResult] = []
        dim_scores: dict[str, float | None] = {}
        for d, _zh, _en, dw, inds in _TREE:
            acc = 0.0
            for ind, izh, ien, lw, kind in inds:
                n_exp = rng.choice([5, 5, 6, 7, 7])
                if kind == "trl":
                    cons: float = float(trl)
                    util = (trl - 1) / 8 * 100
                    display = f"TRL {trl}"
                    spread = abs(rng.gauss(0.6, 0.35))
                elif kind in ("l5", "grade"):
                    cons = max(1.0, min(5.0, round(3.1 + 0.9 * quality + rng.gauss(0, 0.7), 1)))
                    util = (cons - 1) / 4 * 100
                    display = (_GRADES if kind == "grade" else _L5)[int(round(cons))]
                    spread = abs(rng.gauss(0.55, 0.3))
                elif kind == "num":
                    cons = round(max(0.2, 10 ** (1.2 + 0.5 * quality + rng.gauss(0, 0.4))), 1)
                    util = max(0.0, min(100.0, 35 + 30 * quality + rng.gauss(0, 10)))
                    display = f"{cons:g} 亿元"
                    spread = abs(rng.gauss(0.3, 0.2)) * cons
                else:  # pct
                    cons = round(max(0.0, 18 + 10 * quality + rng.gauss(0, 6)), 1)
                    util = max(0.0, min(100.0, cons * 2.5))
                    display = f"{cons:g}%"
                    spread = abs(rng.gauss(4, 2))
                util = max(0.0, min(100.0, util))
                acc += lw * util
                spread = round(spread, 2)
                agreement = "high" if spread < 0.5 else ("medium" if spread < 0.9 else "low")
                if kind in ("num", "pct"):
                    agreement = "high" if spread < 0.25 * max(cons, 1) else "medium"
                indicators.append(IndicatorResult(
                    id=ind, label=_t(izh, ien), dimension=d, weight=round(dw * lw, 4), consensus=cons,
                    display=display, utility=round(util, 1), spread=spread, n_experts=n_exp,
                    n_used=n_exp - 2 if n_exp >= 5 else n_exp, agreement=agreement))
            dim_scores[d] = round(acc, 1)
        composite = round(sum(w * dim_scores[d] for d, _z, _e, w, _ in _TREE), 2)
        knockouts: list[KnockOut] = []
        if trl < 4:
            knockouts.append(KnockOut(gate_id="trl_floor", label=_t("技术就绪水平低于 4 级", "Readiness below TRL 4"),
                                      reason=_t("尚未完成实验室验证，不具备投资条件，转研发支持",
                                                "not yet validated in the lab; route to research support")))
        if rng.random() < 0.03:
            knockouts.append(KnockOut(gate_id="ip_unclear", label=_t("知识产权权属不清", "IP ownership unclear"),
                                      reason=_t("权属不清的成果不能进入基金",
                                                "the fund cannot invest in achievements with unclear ownership")))
        if rng.random() < 0.04:
            knockouts.append(KnockOut(gate_id="blocker", label=_t("存在准入或合规障碍", "Regulatory blocker"),
                                      reason=_t("障碍解除前最高列入储备跟踪", "at most tier C until the blocker is resolved"),
                                      effect="cap"))
        flags: list[ReviewFlag] = []
        low = [x for x in indicators if x.agreement == "low"]
        if len(low) >= 3:
            flags.append(ReviewFlag(code="disagreement", message=_t(
                f"{len(low)} 项指标专家意见分歧较大", f"{len(low)} indicators with strong expert disagreement")))
        if rng.random() < 0.05:
            flags.append(ReviewFlag(code="outlier", message=_t("一名专家评分整体偏离组内共识", "one expert far from the panel")))
        if rng.random() < 0.03:
            flags.append(ReviewFlag(code="missing", message=_t("有效评分专家数不足法定人数", "panel below quorum")))
        n_cte = rng.choice([2, 3, 3, 4])
        ctes = []
        for k, cte in enumerate(rng.sample(_CTE, n_cte)):
            lvl = max(1, min(9, trl + (0 if k == 0 else rng.choice([0, 0, 1, 1, 2]))))
            ctes.append(CTEReadiness(name=f"{cte}：{subject[:6]}", level=lvl,
                                     evidence=rng.choice(["第三方检测报告", "中试运行记录", "用户使用证明", "实验室测试数据",
                                                          "样机鉴定意见"])))
        route = "research" if trl <= 3 else ("transfer" if trl <= 6 else "land")
        comments = [Comment(expert=f"专家 {chr(65 + j)}", text=c, dimension=rng.choice(_TREE)[0])
                    for j, c in enumerate(rng.sample(_COMMENTS, rng.choice([2, 3, 4])))]
        projects.append(ProjectResult(
            id=f"P{i + 1:04d}", name=name, applicant=applicant, industry=industry,
            region=rng.choice(_CITIES) + "市",
            summary=f"项目面向{industry}领域，围绕{subject}开展研发与工程化，目前技术就绪水平为 {trl} 级。",
            composite=composite, dimension_scores=dim_scores, readiness_level=trl, readiness=ctes,
            route=route, knockouts=knockouts, flags=flags, indicators=indicators, comments=comments,
            tier="D", requested_funding=float(rng.choice([300, 500, 800, 1000, 1500, 2000, 3000]))))
    if hostile and projects:
        projects[0] = projects[0].model_copy(update={"name": "<script>alert(1)</script>",
                                                     "applicant": "<b>&\"'</b>"})

    # tiers, ranks, robustness
    top_k = max(1, min(10, n // 4 or 1))
    eligible = [p for p in projects if not p.knocked_out]
    eligible.sort(key=lambda p: -(p.composite or 0))
    for r, p in enumerate(eligible, 1):
        p.rank = r
        c = p.composite or 0.0
        capped = any(k.effect == "cap" for k in p.knockouts)
        if c >= 80 and (p.readiness_level or 0) >= 6:
            tier = "A"
        elif c >= 70:
            tier = "B"
        elif c >= 60:
            tier = "C"
        else:
            tier = "D"
        if capped and tier in ("A", "B"):
            tier = "C"
        p.tier = tier
        width = max(0.5, rng.uniform(0.02, 0.12) * len(eligible) ** 0.9)
        p5 = max(1.0, r - width * rng.uniform(0.5, 1.0))
        p95 = min(float(len(eligible)), r + width * rng.uniform(0.5, 1.2))
        p50 = min(max(float(r), p5), p95)
        p.rank_interval = RankInterval(p5=round(p5, 1), p50=round(p50, 1), p95=round(p95, 1))
        p.p_top_k = round(max(0.0, min(1.0, (top_k + 0.5 - p5) / max(p95 - p5, 1.0))), 3)
        # tier probabilities: mass around the assigned tier
        codes = [t.code for t in tiers]
        ti = codes.index(tier)
        probs = {code: 0.0 for code in codes}
        stay = rng.uniform(0.6, 0.97)
        probs[tier] = stay
        rest = 1 - stay
        nbrs = [j for j in (ti - 1, ti + 1) if 0 <= j < len(codes)]
        for j in nbrs:
            probs[codes[j]] += rest / len(nbrs)
        p.tier_probabilities = {k: round(v, 3) for k, v in probs.items()}
    for p in projects:
        if p.knocked_out:
            p.tier = "D"
            p.tier_probabilities = {"D": 1.0}

    medians = {d.id: round(median([p.dimension_scores[d.id] for p in projects]), 1) for d in dims} if projects else {}
    tree: list[RubricNodeRow] = []
    for d, zh, en, w, inds in _TREE:
        ahp = d == "industrialisation"
        tree.append(RubricNodeRow(id=d, label=_t(zh, en), kind="dimension", depth=0, local_weight=w, global_weight=w,
                                  weight_method="AHP (eigenvector)" if ahp else "direct",
                                  cr=0.0088 if ahp else None, cr_threshold=0.05 if ahp else None,
                                  consistent=True if ahp else None))
        for ind, izh, ien, lw, kind in inds:
            scale = {"trl": "TRL 1–9", "l5": "Likert 1–5", "grade": "5 grades", "num": "numeric, 亿元",
                     "pct": "numeric, %"}[kind]
            tree.append(RubricNodeRow(id=ind, label=_t(izh, ien), kind="indicator", depth=1, local_weight=lw,
                                      global_weight=round(w * lw, 4), scale=scale))
    methodology = Methodology(
        rubric_tree=tree,
        root_weight_method="AHP (eigenvector)", root_cr=0.0116, root_cr_threshold=0.1,
        gates=[
            GateRow(id="trl_floor", label=_t("技术就绪水平低于 4 级", "Readiness below TRL 4"), rule="trl < 4",
                    effect="knockout", reason=_t("尚未完成实验室验证，转研发支持", "not yet validated in the lab")),
            GateRow(id="ip_unclear", label=_t("知识产权权属不清", "IP ownership unclear"), rule="ip_clear == false",
                    effect="knockout", reason=_t("权属不清的成果不能进入基金", "unclear ownership")),
            GateRow(id="blocker", label=_t("存在准入或合规障碍", "Regulatory blocker"), rule="regulatory_blocker == true",
                    effect="cap C", reason=_t("障碍解除前最高列入储备跟踪", "at most tier C until resolved")),
        ],
        aggregation=_t("指标效用（0–100）按全局权重加权求和得到综合得分。",
                       "Indicator utilities (0–100) are combined by a weighted sum with the global weights."),
        consensus_method=_t("每项指标取专家评分的截尾均值（去掉一个最高分和一个最低分），至少 5 名专家；"
                            "离散程度以标准差表示，标准差大于 0.9 视为分歧较大。",
                            "Each indicator takes the trimmed mean of the panel (highest and lowest removed), at "
                            "least 5 experts; spread is the standard deviation, above 0.9 counts as disagreement."),
        robustness_method=_t("对专家评分重抽样并在权重不确定范围内随机扰动，重复计算排名 2,000 次，报告排名的 "
                             "5%、50%、95% 分位数、进入前 k 名的概率和各档次概率。",
                             "Expert scores are resampled and weights perturbed within their uncertainty; the ranking "
                             "is recomputed 2,000 times and the 5/50/95% rank quantiles, P(top k) and tier "
                             "probabilities are reported."),
        draws=2000, seed=20260101, top_k=top_k, min_experts=5)
    meta = RoundMeta(
        title=_t("2026 年度科技成果评投联动筛选评价报告", "2026 evaluation-investment screening report"),
        round_id="2026-R1", organisation=_t("省科学技术厅 · 科技成果转化引导基金", "Provincial Department of Science and Technology"),
        date="2026-11-20", rubric_id="fund-screening", rubric_version="1.0.0",
        rubric_title=_t("科技成果评投联动筛选评价体系（省级）", "Evaluation-investment screening rubric (provincial)"),
        rubric_hash="8dd2de31586c7c675ea88de9ba6c5226bf331eb674f4a826ead0e5edc44393f1",
        data_hashes={"projects.xlsx": "3f1c" + "0" * 56, "scores.sqlite": "a9b2" + "1" * 56},
        tool_version="0.1.0", generated_at="2026-11-28T09:00:00+08:00",
        confidentiality=_t("内部资料 · 注意保密", "Internal · confidential"))
    audit = [AuditEntry(label=_t("评价轮次", "Round"), value=meta.round_id),
             AuditEntry(label=_t("专家人数", "Experts"), value="42"),
             AuditEntry(label=_t("有效评分条数", "Scores recorded"), value=str(sum(
                 x.n_experts for p in projects for x in p.indicators)))]
    return ReportData(meta=meta, tiers=tiers, routes=routes, dimensions=dims, industries=INDUSTRIES,
                      projects=projects, cohort_median=medians, methodology=methodology, audit=audit, top_k=top_k)
