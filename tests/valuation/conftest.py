"""A small campaign with readiness and valuation columns, built without the demo (a few hundred ms)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

RUBRIC = """\
format: 1
id: value-test
version: "1.0"
title: {zh: 估值测试, en: Valuation test}
panel: {consensus: median, min_experts: 2, quorum: 0.5}
readiness: trl
scales:
  likert5: {kind: likert, min: 1, max: 5}
  trl:
    kind: levels
    levels:
%s
dimensions:
  - id: tech
    label: {zh: 技术, en: Technology}
    children:
      - {id: novelty, label: {zh: 创新性, en: Novelty}, scale: likert5, weight: 0.5}
      - {id: trl, label: {zh: 技术就绪度, en: Readiness}, scale: trl, weight: 0.5}
""" % "\n".join(f"      - {{level: {k}, label: {{zh: 级{k}, en: L{k}}}}}" for k in range(1, 10))

PROJECTS = """\
项目编号,项目名称,申报单位,行业,成果类型,市场规模（万元）,市场份额,毛利率,研发投入（万元）,重置成本（万元）,成新率
P1,甲,单位甲,新材料,技术开发和产业化,10000,5%,0.3,400,300,0.8
P2,乙,单位乙,生物医药与健康,技术开发和产业化,20000~50000~90000,0.02~0.05,0.5~0.6~0.7,800~1000~1600,,
P3,丙,单位丙,新能源,技术开发和产业化,8000,,0.2,300,,
"""
EXPERTS = """\
专家编号,姓名,单位,领域
E1,专家一,专家单位一,新材料
E2,专家二,专家单位二,新材料
"""
TRL = {"P1": 6, "P2": 5, "P3": 4}


def build(directory: Path, rubric_text: str = RUBRIC, projects: str = PROJECTS) -> Path:
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign, record_score
    from tlr.rubric import load_rubric

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rubric.yaml").write_text(rubric_text, encoding="utf-8")
    (directory / "projects.csv").write_text(projects, encoding="utf-8")
    (directory / "experts.csv").write_text(EXPERTS, encoding="utf-8")
    led = init_campaign(directory / "round", load_rubric(directory / "rubric.yaml"))
    try:
        import_projects(led, directory / "projects.csv")
        import_experts(led, directory / "experts.csv")
        assign_experts(led, 2, seed=0)
        for pid, level in TRL.items():
            for e in ("E1", "E2"):
                record_score(led, e, pid, "trl", str(level))
                record_score(led, e, pid, "novelty", "4")
    finally:
        led.close()
    return directory / "round"


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("value") / "c")


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
