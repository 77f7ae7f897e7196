"""Small generated rounds for end-to-end tests: a campaign with chosen features, built in about a second."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from tlr.campaign import assign_experts, import_answers, import_experts, import_projects, init_campaign, record_score
from tlr.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[2]
FUND_RUBRIC = ROOT / "rubrics" / "fund-screening.yaml"


def answer(node, q: float, rng) -> str:
    """A plausible stored answer for *node* from a latent quality *q* in [0, 1]."""
    kind = node.scale.kind
    if kind == "likert":
        return str(int(np.clip(round(1 + 4 * q + rng.normal(0, 0.4)), 1, 5)))
    if kind == "levels":
        return str(int(np.clip(round(3 + 5 * q), 1, 9)))
    if kind == "boolean":
        return "no" if node.id == "regulatory_blocker" else "yes"
    if kind == "grades":
        return node.scale.grades[int(np.clip(round(4 - 4 * q), 0, len(node.scale.grades) - 1))].id
    return f"{5 + 40 * q:.1f}"


def build_round(base: Path, *, rubric: Path = FUND_RUBRIC, projects: int = 8, experts: int = 6,
                per_project: int = 5, silent: tuple[str, ...] = (), ip_unclear: tuple[str, ...] = (),
                seed: int = 0) -> Path:
    """A campaign in ``base/round``: project Pk has quality k/(projects-1); *silent* experts answer nothing;
    projects in *ip_unclear* answer 'no' on ip_clear (a knock-out in the fund rubric)."""
    base.mkdir(parents=True, exist_ok=True)
    rub = load_rubric(rubric)
    ledger = init_campaign(base / "round", rub, name="测试批次")
    with open(base / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "项目名称", "申报单位", "行业", "成果类型", "申请经费（万元）"])
        for i in range(projects):
            w.writerow([f"P{i:02d}", f"项目{i}", f"单位{i % 4}", "新材料", "技术开发和产业化", 100 + 50 * i])
    with open(base / "experts.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["专家编号", "姓名", "单位", "领域"])
        for i in range(experts):
            w.writerow([f"E{i:02d}", f"专家{i}", f"机构{i}", "新材料"])
    import_projects(ledger, base / "projects.csv")
    import_experts(ledger, base / "experts.csv")
    assign_experts(ledger, per_project, seed=1)
    rng = np.random.default_rng(seed)
    pairs = ledger.conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY expert_id, project_id")
    by_expert: dict[str, list[str]] = {}
    for e, p in pairs.fetchall():
        by_expert.setdefault(e, []).append(p)
    for e, plist in sorted(by_expert.items()):
        if e in silent:
            continue
        path = base / f"answers-{e}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["project", "indicator", "value"])
            for p in plist:
                q = int(p[1:]) / max(projects - 1, 1)
                for node in rub.indicators:
                    value = answer(node, q, rng)
                    if node.id == "ip_clear" and p in ip_unclear:
                        value = "no"
                    w.writerow([p, node.id, value])
        import_answers(ledger, e, path)
    ledger.close()
    return base / "round"


def scored_round(base: Path, projects_csv: str, *, name: str, rubric: Path = FUND_RUBRIC) -> Path:
    """A campaign in ``base/round`` from a projects table of P00..P07, six experts, five per project; every
    answer recorded one at a time (``record_score``) from the project's quality k/7 (seed 0)."""
    rub = load_rubric(rubric)
    ledger = init_campaign(base / "round", rub, name=name)
    (base / "projects.csv").write_text(projects_csv, encoding="utf-8")
    (base / "experts.csv").write_text(
        "专家编号,姓名,单位,领域\n" + "\n".join(f"E{i:02d},专家{i},机构{i},新材料" for i in range(6)) + "\n",
        encoding="utf-8")
    import_projects(ledger, base / "projects.csv")
    import_experts(ledger, base / "experts.csv")
    assign_experts(ledger, 5, seed=1)
    rng = np.random.default_rng(0)
    for e, p in ledger.conn.execute("SELECT expert_id, project_id FROM assignments").fetchall():
        for node in rub.indicators:
            record_score(ledger, e, p, node.id, answer(node, int(p[1:]) / 7, rng))
    ledger.close()
    return base / "round"
