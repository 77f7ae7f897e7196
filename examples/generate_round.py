"""Generate the bundled example evaluation rounds (examples/round-2026/, round-2027/). Seeded: same output every run.

    python examples/generate_round.py              # rewrites examples/round-2026/
    python examples/generate_round.py --year 2027  # rewrites examples/round-2027/ (the 2026 files are not touched)

A fictitious provincial "four batches" round under rubrics/fund-screening.yaml: 60 projects across the
plan's industries, 12 experts with institutions and declared conflicts, and every expert's opinion of
every project (the demo imports the opinions of the experts actually assigned). All names are invented.

The opinions have the structure real panels show, on purpose:

* each project has a latent quality per dimension and a true readiness level (TRL);
* expert E03 is lenient (+0.8 on five-point ratings), expert E09 is erratic (large noise, weak signal),
  expert E11 is harsh (-0.6); the others are honest with small noise;
* about 3 % of answers are missing, and expert E05 left one project entirely unscored;
* expert E07 declares a conflict after assignment for project P2026-017 (recusals.csv);
* projects P2026-021 and P2026-022 have near-equal composites with opposite profiles (strong technology
  vs strong market): their order depends on the weights, so their ranks are not robust;
* P2026-034 and P2026-051 have unclear IP ownership (knock-outs), P2026-027 a regulatory blocker;
* four projects carry a formal TRL assessment (trl/ and, for P2026-015, the two-CTE example in
  examples/trl/), one of them two levels below what the panel believes; P2026-021 and P2026-046 back
  every 'yes' with a referenced report (evidence-based), P2026-022 and P2026-015 do not fully
  (assessor-asserted).

Summaries, keywords and places (所在地区) are written texts (examples/round_texts.py), not random draws.

The 2027 round (``--year 2027``, its own seed) is the same programme a year later: 30 projects of which 12 are
2026 achievements coming back under the same name and applicant (six keep their 2026 id, six were given a new
2027 id, so a library has to link them by name + applicant), ten of those progressed (higher true TRL, better
market evidence) and two did not (P2026-017, P2026-046); the other 18 are new. Its opinions come from the same
model of experts as 2026 (E09 left the panel; E13 and E14 joined).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

SEED = 20261127
SEED_2027 = 20271127
HERE = Path(__file__).resolve().parent
OUT = HERE / "round-2026"
OUT_2027 = HERE / "round-2027"
ROOT = HERE.parent

sys.path.insert(0, str(HERE))
from round_texts import DETAILS_2026, NEW_2027, RETURNING_2027  # noqa: E402

INDUSTRIES = {
    "steel": ("钢铁", [
        "氢基竖炉直接还原铁中试工艺", "高强耐候桥梁钢控轧控冷技术", "转炉煤气深度净化与余热回收系统",
        "钢渣微粉高值化利用技术", "薄板坯连铸连轧表面缺陷在线检测", "特种不锈钢真空感应熔炼工艺",
        "高炉智能布料专家系统"]),
    "high_end_equipment": ("高端装备", [
        "大型风电主轴承国产化设计与试制", "五轴联动数控机床热误差补偿系统", "轨道交通齿轮箱健康监测装置",
        "工业机器人高精度减速器", "重型矿用自卸车电驱动系统", "精密液压伺服阀批量制造工艺",
        "盾构机主驱动密封国产化"]),
    "information_intelligence": ("信息智能", [
        "工业管道泄漏声学监测系统", "面向中小企业的工业互联网标识解析平台", "基于大模型的电网调度辅助决策系统",
        "车路协同边缘计算单元", "国产化工业控制系统安全网关", "智慧矿山井下精确定位系统",
        "农产品质量追溯区块链平台", "多光谱遥感作物长势监测服务"]),
    "new_energy": ("新能源", [
        "兆瓦级质子交换膜电解水制氢装备", "钙钛矿叠层光伏组件中试线", "退役动力电池梯次利用储能系统",
        "风光储一体化微电网能量管理系统", "固态锂电池硫化物电解质制备技术", "生物质气化多联产示范",
        "高压储氢瓶碳纤维缠绕工艺"]),
    "new_materials": ("新材料", [
        "高性能碳化硅单晶衬底生长技术", "航空用高温合金粉末制备", "石墨烯导热膜卷对卷制备工艺",
        "聚酰亚胺光刻胶国产化", "高纯氧化铝陶瓷基板", "可降解聚乳酸改性材料",
        "稀土永磁材料晶界扩散技术", "玄武岩纤维连续制备工艺"]),
    "energy_saving_environment": ("节能环保", [
        "焦化废水深度处理与回用技术", "工业窑炉低氮燃烧改造成套装备", "垃圾焚烧飞灰资源化利用",
        "城镇污水厂智慧曝气节能系统", "挥发性有机物吸附浓缩催化燃烧装置", "钢铁行业超低排放烟气脱硝催化剂",
        "建筑垃圾再生骨料制备技术"]),
    "biomedicine_health": ("生物医药与健康", [
        "新型长效GLP-1受体激动剂制剂", "肿瘤早筛多组学液体活检试剂盒", "国产化高通量基因测序仪",
        "中药配方颗粒质量标准化技术", "可吸收镁合金心血管支架", "细胞治疗产品自动化封闭制备系统",
        "兽用mRNA疫苗递送平台"]),
    "county_featured": ("县域特色产业", [
        "安国中药材标准化种植与初加工技术", "清河羊绒高端纺纱工艺", "白沟箱包智能裁切设备",
        "辛集皮革清洁鞣制技术", "平乡自行车碳纤维车架制造", "安平丝网智能编织装备",
        "永清胡萝卜采后保鲜加工"]),
}

APPLICANTS = {
    "steel": ["冀东特钢集团有限公司", "燕赵冶金研究院", "渤海钢铁股份有限公司", "燕赵理工大学"],
    "high_end_equipment": ["太行重工装备有限公司", "燕赵理工大学", "渤海精密机械研究所", "滹沱河智能装备公司"],
    "information_intelligence": ["冀中信息技术研究院", "雄安智联科技有限公司", "燕赵理工大学", "渤海数据科技公司"],
    "new_energy": ["燕山新能源科技有限公司", "冀北电力科学研究院", "燕赵理工大学", "坝上风光储能公司"],
    "new_materials": ["渤海新材料研究院", "冀南先进材料有限公司", "燕赵理工大学", "太行碳材料科技公司"],
    "energy_saving_environment": ["冀中环保科技有限公司", "燕赵环境工程研究院", "渤海清洁技术公司", "燕赵理工大学"],
    "biomedicine_health": ["石门生物医药研究院", "冀药创新制药有限公司", "燕赵医科大学", "渤海医疗器械公司"],
    "county_featured": ["安国药都农业科技公司", "清河羊绒产业技术研究院", "白沟箱包智造有限公司", "安平丝网产业研究院"],
}

EXPERTS = [
    # id, name, institution, fields, declared conflicts, title, behaviour
    ("E01", "王建国", "燕山大学材料学院", "新材料;钢铁", "渤海新材料研究院", "教授", "honest"),
    ("E02", "李秀兰", "省科学技术情报研究院", "信息智能;高端装备", "", "研究员", "honest"),
    ("E03", "张伟", "冀中产业投资基金管理公司", "新能源;新材料;生物医药与健康", "", "投资总监", "lenient"),
    ("E04", "刘洋", "燕赵理工大学机械学院", "高端装备;钢铁", "", "教授", "honest"),
    ("E05", "陈静", "省环境科学研究院", "节能环保;新能源", "冀中环保科技有限公司", "正高级工程师", "honest"),
    ("E06", "杨帆", "石门医学院", "生物医药与健康", "冀药创新制药有限公司", "教授", "honest"),
    ("E07", "赵磊", "太行重工装备有限公司", "高端装备;新能源", "", "总工程师", "honest"),
    ("E08", "黄丽", "省农林科学院", "县域特色产业;生物医药与健康", "安国药都农业科技公司", "研究员", "honest"),
    ("E09", "周强", "某咨询公司", "信息智能;县域特色产业;节能环保", "", "高级咨询师", "erratic"),
    ("E10", "吴敏", "冀北电力科学研究院", "新能源;信息智能", "", "正高级工程师", "honest"),
    ("E11", "徐刚", "省钢铁产业技术研究院", "钢铁;节能环保;新材料", "冀东特钢集团有限公司", "正高级工程师", "harsh"),
    ("E12", "孙婷", "燕赵科技成果转化服务中心", "县域特色产业;信息智能;高端装备", "", "高级经济师", "honest"),
]

# dimension of each indicator of rubrics/fund-screening.yaml (the latent quality that drives it)
DIMENSION = {
    "mrl_evidence": "maturity", "sota_level": "advancedness", "innovation": "advancedness",
    "foresight": "advancedness", "team": "feasibility", "plan": "feasibility", "funding": "feasibility",
    "market_size": "market", "demand": "market", "cost_advantage": "market", "substitution": "market",
    "industry_fit": "industrialisation", "scale_up": "industrialisation", "economic_benefit": "industrialisation",
    "tech_risk": "risk", "market_risk": "risk", "policy_risk": "risk",
}
DIMS = ["maturity", "advancedness", "feasibility", "market", "industrialisation", "risk"]
COMMENTS = {
    "positive": ["技术路线清晰，已有中试数据支撑。", "团队工程化经验丰富，产业链配套较好。", "市场需求明确，已有意向用户。",
                 "关键指标优于国内同类产品。"],
    "negative": ["关键工艺尚未经中试验证，放大风险较大。", "市场规模测算依据不足，建议补充用户调研。",
                 "知识产权布局较薄弱，核心专利尚在申请中。", "资金配套方案不明确。"],
}


def projects(rng: np.random.Generator) -> list[dict]:
    out = []
    number = 1
    for industry, (zh, names) in INDUSTRIES.items():
        for name in names:
            if number > 60:
                break
            applicants = APPLICANTS[industry]
            summary, keywords, region = DETAILS_2026[name]
            out.append({"id": f"P2026-{number:03d}", "name": name, "applicant": applicants[number % len(applicants)],
                        "industry": zh, "achievement_type": "技术开发和产业化" if rng.random() < 0.8 else "应用研究",
                        "co_applicants": "燕赵理工大学" if rng.random() < 0.15 else "",
                        "summary": summary, "keywords": "；".join(keywords), "region": region})
            number += 1
    return out[:60]


def latent(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per project: dimension qualities (n, 6) in roughly [-2, 2] and the true TRL (n,)."""
    base = rng.normal(0, 0.8, n)
    q = base[:, None] + rng.normal(0, 0.6, (n, len(DIMS)))
    trl = np.clip(np.round(5 + 1.6 * (base + q[:, 0]) / 2 + rng.normal(0, 0.8, n)), 2, 9).astype(int)
    # two projects with opposite profiles and near-equal totals: not robust to the weights
    q[20] = [1.5, 1.7, 0.8, -0.2, 0.2, 0.5]
    q[21] = [0.2, -0.2, 0.5, 1.5, 1.2, 0.2]
    trl[20], trl[21] = 6, 6
    return q, trl


def opinion(rng, indicator: dict, quality: float, trl: int, behaviour: str, project_flags: dict) -> str:
    kind, iid = indicator["kind"], indicator["id"]
    bias = {"lenient": 0.8, "harsh": -0.6}.get(behaviour, 0.0)
    noise = 1.4 if behaviour == "erratic" else 0.45
    signal = 0.3 if behaviour == "erratic" else 1.0
    if kind == "levels":
        shift = rng.choice([-1, 0, 0, 0, 1]) + (1 if behaviour == "lenient" and rng.random() < 0.5 else 0)
        if behaviour == "erratic":
            shift = rng.integers(-2, 3)
        return str(int(np.clip(trl + shift, 1, 9)))
    if kind == "likert":
        value = 3 + 1.1 * signal * quality + bias + rng.normal(0, noise)
        return str(int(np.clip(np.round(value), 1, 5)))
    if kind == "grades":  # 0 = 国际领先 ... 4 = 国内一般
        value = 2.2 - 1.0 * signal * quality - 0.6 * bias + rng.normal(0, noise)
        return ["intl_leading", "intl_advanced", "dom_leading", "dom_advanced", "dom_general"][int(np.clip(np.round(value), 0, 4))]
    if kind == "boolean":
        truth = project_flags[iid]
        if rng.random() < (0.15 if behaviour == "erratic" else 0.03):
            truth = not truth
        return "是" if truth else "否"
    if iid == "market_size":  # 亿元, log-normal around the project's market quality
        return f"{float(np.exp(2.2 + 0.9 * quality + rng.normal(0, 0.35 if behaviour != 'erratic' else 0.9))):.1f}"
    if iid == "cost_advantage":  # %
        return f"{float(np.clip(12 + 9 * quality + rng.normal(0, 4 if behaviour != 'erratic' else 12), -20, 80)):.0f}"
    raise ValueError(iid)


PROJECT_HEADER = ["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "项目简介", "关键词", "所在地区",
                  "申请经费（万元）"]


def project_row(p: dict, ask: int) -> list:
    return [p["id"], p["name"], p["applicant"], p["industry"], p["achievement_type"], p["co_applicants"],
            p["summary"], p["keywords"], p["region"], ask]


def rubric_indicators() -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tlr.rubric import load_rubric

    rubric = load_rubric(ROOT / "rubrics" / "fund-screening.yaml")
    return [{"id": n.id, "kind": n.scale.kind} for n in rubric.indicators]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate an example round (seeded).")
    parser.add_argument("--year", type=int, choices=(2026, 2027), default=2026)
    year = parser.parse_args(argv).year
    if year == 2027:
        main_2027()
        return
    rng = np.random.default_rng(SEED)
    indicators = rubric_indicators()
    plist = projects(rng)
    q, trl = latent(rng, len(plist))
    flags = [{"ip_clear": True, "regulatory_blocker": False} for _ in plist]
    flags[33]["ip_clear"] = False            # P2026-034: unclear IP ownership, a knock-out
    flags[50]["ip_clear"] = False            # P2026-051: a strong project knocked out all the same
    flags[26]["regulatory_blocker"] = True   # P2026-027: a regulatory blocker caps the tier at C
    OUT.mkdir(parents=True, exist_ok=True)
    funding = np.random.default_rng(SEED + 1)  # its own stream: adding it leaves the opinions unchanged
    asks = [int(round(float(np.exp(funding.normal(6.6, 0.6))), -1)) for _ in plist]  # 万元, ~ 300-2000
    write_csv(OUT / "projects.csv", PROJECT_HEADER, [project_row(p, ask) for p, ask in zip(plist, asks)])
    write_csv(OUT / "experts.csv", ["专家编号", "姓名", "单位", "领域", "回避单位", "职称"],
              [list(e[:6]) for e in EXPERTS])
    rows = opinion_rows(rng, EXPERTS, plist, indicators, q, trl, flags, skip={("E05", 40)})  # E05 never scored it
    write_csv(OUT / "opinions.csv", ["expert", "project", "indicator", "value", "comment"], rows)
    write_csv(OUT / "recusals.csv", ["expert", "project", "reason"],
              [["E07", "P2026-017", "评审前声明：与申报单位存在合作研发关系 / declared: joint R&D with the applicant"]])
    write_trl_assessments(plist, trl)
    print(f"wrote {shown(OUT)}: {len(plist)} projects, {len(EXPERTS)} experts, {len(rows)} opinions")


def opinion_rows(rng, experts, plist, indicators, q, trl, flags, skip=frozenset()) -> list[list]:
    """Every expert's answer to every indicator of every project, in a fixed order (the stream depends on it)."""
    rows = []
    for eid, *_rest, behaviour in experts:
        for p, project in enumerate(plist):
            if (eid, p) in skip:
                continue
            for ind in indicators:
                if rng.random() < 0.03:
                    continue  # a missing answer
                dim = "maturity" if ind["id"] == "trl" else DIMENSION.get(ind["id"], "risk")
                quality = float(q[p, DIMS.index(dim)])
                value = opinion(rng, ind, quality, int(trl[p]), behaviour, flags[p])
                comment = ""
                if ind["id"] == "economic_benefit" and rng.random() < 0.25:
                    comment = rng.choice(COMMENTS["positive" if quality > 0 else "negative"])
                rows.append([eid, project["id"], ind["id"], value, comment])
    return rows


# The 2027 panel: E09 (the erratic one) left, E13 and E14 joined; the others serve again.
EXPERTS_2027 = [e for e in EXPERTS if e[0] != "E09"] + [
    ("E13", "郑凯", "冀东产业技术研究院", "信息智能;县域特色产业;节能环保", "", "正高级工程师", "honest"),
    ("E14", "冯雪", "燕赵医科大学附属第一医院", "生物医药与健康;高端装备", "燕赵医科大学", "主任医师", "honest"),
]


def main_2027() -> None:
    """The round a year later. Reads the 2026 latent state (same seed, nothing written) and draws from its own seed."""
    rng26 = np.random.default_rng(SEED)
    plist26 = projects(rng26)
    q26, trl26 = latent(rng26, len(plist26))
    funding26 = np.random.default_rng(SEED + 1)
    asks26 = [int(round(float(np.exp(funding26.normal(6.6, 0.6))), -1)) for _ in plist26]
    index26 = {p["id"]: i for i, p in enumerate(plist26)}

    rng = np.random.default_rng(SEED_2027)
    funding = np.random.default_rng(SEED_2027 + 1)
    plist, qs, trls, asks = [], [], [], []
    number = 1
    for old_id, (keep, gained, name, applicant, summary, keywords, region) in RETURNING_2027.items():
        i = index26[old_id]
        old = plist26[i]
        assert (old["name"], old["applicant"]) == (name, applicant), old_id
        new_id = old_id if keep else f"P2027-{number:03d}"
        number += 0 if keep else 1
        plist.append({"id": new_id, "name": name, "applicant": applicant, "industry": old["industry"],
                      "achievement_type": "技术开发和产业化", "co_applicants": old["co_applicants"],
                      "summary": summary, "keywords": "；".join(keywords), "region": region})
        q = q26[i] + rng.normal(0, 0.2, len(DIMS))
        q[DIMS.index("maturity")] += 0.5 * gained
        evidence = 0.6 if gained > 0 else -0.3  # market evidence came in, or did not
        q[DIMS.index("market")] += evidence
        q[DIMS.index("industrialisation")] += evidence
        qs.append(q)
        trls.append(int(min(9, trl26[i] + gained)))
        asks.append(int(round(asks26[i] * (1.5 if gained > 0 else 1.0), -1)))  # scaling up costs more
    for name, applicant, industry, true_trl, summary, keywords, region in NEW_2027:
        plist.append({"id": f"P2027-{number:03d}", "name": name, "applicant": applicant, "industry": industry,
                      "achievement_type": "技术开发和产业化" if true_trl >= 5 else "应用研究",
                      "co_applicants": "燕赵理工大学" if rng.random() < 0.15 else "",
                      "summary": summary, "keywords": "；".join(keywords), "region": region})
        number += 1
        base = rng.normal(0, 0.7) + 0.25 * (true_trl - 6)
        qs.append(base + rng.normal(0, 0.6, len(DIMS)))
        trls.append(true_trl)
        asks.append(int(round(float(np.exp(funding.normal(6.7, 0.6))), -1)))
    q = np.array(qs)
    trl = np.array(trls)
    flags = [{"ip_clear": True, "regulatory_blocker": False} for _ in plist]
    sodium = next(i for i, p in enumerate(plist) if p["name"].startswith("钠离子电池"))
    flags[sodium]["ip_clear"] = False  # core patent co-owned with a university, terms not settled: a knock-out

    OUT_2027.mkdir(parents=True, exist_ok=True)
    write_csv(OUT_2027 / "projects.csv", PROJECT_HEADER, [project_row(p, a) for p, a in zip(plist, asks)])
    write_csv(OUT_2027 / "experts.csv", ["专家编号", "姓名", "单位", "领域", "回避单位", "职称"],
              [list(e[:6]) for e in EXPERTS_2027])
    rows = opinion_rows(rng, EXPERTS_2027, plist, rubric_indicators(), q, trl, flags)
    write_csv(OUT_2027 / "opinions.csv", ["expert", "project", "indicator", "value", "comment"], rows)
    roll = next(p["id"] for p in plist if p["name"] == "轧辊激光熔覆再制造技术")
    write_csv(OUT_2027 / "recusals.csv", ["expert", "project", "reason"],
              [["E04", roll, "评审前声明：本人指导的研究生参与该项目 / declared: own graduate student works on the project"]])
    kept = sum(1 for v in RETURNING_2027.values() if v[0])
    print(f"wrote {shown(OUT_2027)}: {len(plist)} projects ({len(RETURNING_2027)} returning, {kept} with "
          f"their 2026 id), {len(EXPERTS_2027)} experts, {len(rows)} opinions")


def write_trl_assessments(plist: list[dict], trl: np.ndarray) -> None:
    """Evidence-based assessments for four projects: checklists answered 'yes' up to the assessed level."""
    import yaml

    from tlr.trl import load_ladder

    ladder = load_ladder("trl-cn-development")
    folder = OUT / "trl"
    folder.mkdir(exist_ok=True)
    # P2026-015 uses the hand-made two-CTE assessment in examples/trl/; P2026-046 is assessed 2 below the panel
    chosen = {20: 6, 21: 6, 45: max(2, int(trl[45]) - 2)}
    evidenced = {20, 45}  # every 'yes' backed by a registered report; P2026-022 stays assessor-asserted
    for p, level in chosen.items():
        project = plist[p]
        answers = {}
        backing: dict[int, list[str]] = {}
        for lv, item in ladder.questions():
            lv_number = lv.level if hasattr(lv, "level") else int(lv)
            answers[item.id] = "yes" if lv_number <= level else "no"
            if lv_number <= level:
                backing.setdefault(lv_number, []).append(item.id)
        cte = {"id": "core", "name": f"{project['name']}核心技术", "claimed": min(9, level + 1), "answers": answers}
        if p in evidenced:
            cte["evidence"] = [{"id": f"ev{lv}", "kind": "test_report", "questions": ids,
                                "url": f"https://reports.example.org/{project['id']}/trl{lv}",
                                "description": f"TRL {lv} 核查材料（示例） / TRL {lv} review file (example)"}
                               for lv, ids in sorted(backing.items())]
        doc = {
            "project": {"id": project["id"], "title": project["name"]},
            "ladder": "trl-cn-development",
            "assessors": ["省科技评估中心评估组"],
            "ctes": [cte],
        }
        path = folder / f"{project['id']}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
