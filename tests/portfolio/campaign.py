"""A small scored campaign for the app and CLI tests: 8 projects with asks and regions, 8 experts (3 per
project), two pools. Built once per module (about a second); no demo."""

from __future__ import annotations

from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "hostile" / "seeds"

PROJECTS = """项目编号,项目名称,申报单位,行业,成果类型,项目简介,所在地区,申请经费（万元）
P01,高强钢连铸,甲钢铁研究院,钢铁,技术开发和产业化,连铸工艺。,唐山市,300
P02,氢燃料电池,乙新能源公司,新能源,技术开发和产业化,电堆。,张家口市,500
P03,石墨烯膜,丙大学,新材料,技术开发和产业化,导热膜。,石家庄市,200
P04,巡检机器人,丁研究所,信息智能,技术开发和产业化,巡检。,保定市,150
P05,碳纤维,戊材料公司,新材料,技术开发和产业化,碳纤维。,石家庄市,400
P06,钢渣微粉,己钢铁公司,钢铁,技术开发和产业化,钢渣。,唐山市,250
P07,储能系统,庚能源公司,新能源,技术开发和产业化,储能。,保定市,600
P08,工业互联网,辛信息公司,信息智能,技术开发和产业化,平台。,石家庄市,
"""
NOVELTY = [5, 4, 5, 3, 4, 5, 2, 4]
TRL = [4, 3, 4, 2, 3, 4, 1, 3]
MARKET = [80, 60, 90, 40, 70, 50, 10, 60]

FUNDS = """version: 1
funds:
  - id: fa
    name: {zh: 材料钢铁子基金, en: Materials and steel}
    industries: [钢铁, 新材料]
    ticket: [100, 1000]
    budget: {2027: 500, 2028: 300}
  - id: prov
    name: {zh: 省级资金, en: Province}
    budget: {2027: 400, 2028: 200}
  - id: push_only
    name: {zh: 只推送, en: Push only}
"""

SPEC = """version: 1
years: [2027, 2028]
objective: above-line
tranches:
  split: [0.5, 0.5]
  milestones: ["+1"]
  p_default: 0.5
solver: {gap: 0}
"""


def build(root: Path) -> Path:
    """The campaign folder ``root/round`` (closed), and funds.yaml / portfolio.yaml beside it."""
    from tlr.campaign import assign_experts, import_answers, import_experts, import_projects, init_campaign
    from tlr.campaign.scoring import expert_items
    from tlr.rubric import load_rubric

    root.mkdir(parents=True, exist_ok=True)
    (root / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    index = {f"P0{k + 1}": k for k in range(8)}
    with init_campaign(root / "round", load_rubric(SEEDS / "rubric.yaml"), name="portfolio tests") as led:
        import_projects(led, root / "projects.csv")
        import_experts(led, SEEDS / "experts.csv")
        assign_experts(led, 3, seed=1)
        experts = [r[0] for r in led.conn.execute("SELECT DISTINCT expert_id FROM assignments ORDER BY expert_id")]
        for eid in experts:
            lines = ["project,indicator,value"]
            for item in expert_items(led, eid):
                k = index[item.project["id"]]
                value = {"novelty": NOVELTY[k], "trl": TRL[k], "market_size": MARKET[k], "team": "是"}
                lines.append(f"{item.project['id']},{item.indicator.id},{value[item.indicator.id]}")
            path = root / f"answers-{eid}.csv"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_answers(led, eid, path)
    (root / "funds.yaml").write_text(FUNDS, encoding="utf-8")
    (root / "portfolio.yaml").write_text(SPEC, encoding="utf-8")
    return root / "round"
