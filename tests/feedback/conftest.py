"""A small generated round for the feedback letters: 12 projects, 3 experts (every expert scores every
project), marker strings planted in every identity, and comments naming other projects and experts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

N_PROJECTS = 12  # scored; one more project, UNSCORED, has no scores at all
UNSCORED = N_PROJECTS
N_EXPERTS = 3
KNOCKED_OUT = 11  # this project's panel says its IP is unclear: knocked out by the gate
WEIGHTS = {"novelty": 0.5, "demand": 0.3, "team_q": 0.2}  # one indicator per dimension
DIMENSION_OF = {"novelty": "tech", "demand": "market", "team_q": "team"}
THRESHOLDS = {"A": 75.0, "B": 50.0}  # written in RUBRIC below; C is the default tier

RUBRIC = """\
format: 1
id: feedback-test
version: "1.0"
title: {zh: 反馈测试, en: Feedback test}
panel: {consensus: mean, min_experts: 3, quorum: 0.67}
scales:
  likert5:
    kind: likert
    min: 1
    max: 5
    anchors:
      1: {zh: 很差, en: poor}
      5: {zh: 优秀, en: excellent}
  yesno: {kind: boolean}
dimensions:
  - id: tech
    label: {zh: 技术, en: Technology}
    weight: 0.5
    children:
      - {id: novelty, label: {zh: 创新性, en: Novelty}, scale: likert5, weight: 1}
  - id: market
    label: {zh: 市场, en: Market}
    weight: 0.3
    children:
      - {id: demand, label: {zh: 市场需求, en: Demand}, scale: likert5, weight: 1}
  - id: team
    label: {zh: 团队, en: Team}
    weight: 0.2
    children:
      - {id: team_q, label: {zh: 团队能力, en: Team strength}, scale: likert5, weight: 1}
      - {id: ip_clear, label: {zh: 权属清晰, en: Clear IP}, role: gate, scale: yesno}
gates:
  - id: ip_gate
    label: {zh: 知识产权权属不清, en: IP ownership unclear}
    when: {ref: ip_clear, op: "==", value: false}
    effect: knockout
    reason: {zh: 权属不清的成果不能进入基金, en: the fund cannot invest in unclear ownership}
tiers:
  - {id: A, label: {zh: 推荐投资, en: Recommended}, min_score: 75}
  - {id: B, label: {zh: 重点培育, en: Incubate}, min_score: 50}
  - {id: C, label: {zh: 暂不推荐, en: Not now}}
"""


def expert(i: int) -> dict:
    return {"id": f"XEID{i}", "name": f"Xename{i} Marker", "institution": f"Xeorg{i} Institute",
            "email": f"xemail{i}@example.org", "fields": ["新材料"]}


def project(k: int) -> dict:
    return {"id": f"XPID{k:02d}", "name": f"Xpname{k:02d} Widget", "applicant": f"Xpapp{k:02d} Ltd",
            "industry": "新材料", "achievement_type": "technology_development"}


def identity_markers(item: dict) -> list[str]:
    """The unique marker of every identity field (one word each: a PDF line break cannot split it)."""
    return [str(v).split()[0] for k, v in item.items() if k in ("id", "name", "institution", "email", "applicant")]


def score(k: int, e: int, indicator: str) -> int:
    """A likert answer 1..5, varied so that every project's composite differs (projects 0 and 1 reach tier A)."""
    if k < 2:
        return {"novelty": (5, 5, 5, 4, 5, 4), "demand": (5, 4, 5, 4, 4, 4), "team_q": (4, 4, 5, 5, 4, 4)}[indicator][3 * k + e]
    base = {"novelty": 7 * k + 3, "demand": 5 * k + 1, "team_q": 3 * k + 2}[indicator]
    return 1 + (base + 2 * e + (k * e) % 3) % 5


def comment(k: int, e: int) -> str:
    other, other_e = project((k + 1) % N_PROJECTS), expert((e + 1) % N_EXPERTS)
    return (f"Stronger than {other['name']} ({other['id'].lower()}) of {other['applicant']}; "
            f"{other_e['name']} of {other_e['institution']} ({other_e['id']}, {other_e['email']}) agrees. "
            f"Own: {project(k)['id']}.")


@pytest.fixture(scope="session")
def round_dir(tmp_path_factory) -> Path:
    from tlr.campaign import (
        assign_experts,
        import_experts,
        import_projects,
        init_campaign,
        record_score,
    )
    from tlr.rubric import load_rubric

    base = tmp_path_factory.mktemp("feedback")
    (base / "rubric.yaml").write_text(RUBRIC, encoding="utf-8")
    (base / "p.json").write_text(json.dumps([project(k) for k in range(N_PROJECTS + 1)]), encoding="utf-8")
    (base / "e.json").write_text(json.dumps([expert(i) for i in range(N_EXPERTS)]), encoding="utf-8")
    led = init_campaign(base / "round", load_rubric(base / "rubric.yaml"), name="Test round")
    try:
        import_projects(led, base / "p.json")
        import_experts(led, base / "e.json")
        assign_experts(led, N_EXPERTS, seed=0)
        for k in range(N_PROJECTS):
            pid = project(k)["id"]
            for e in range(N_EXPERTS):
                eid = expert(e)["id"]
                for ind in WEIGHTS:
                    text = comment(k, e) if ind == "novelty" or (ind == "team_q" and e == 0) else ""
                    record_score(led, eid, pid, ind, str(score(k, e, ind)), comment=text)
                record_score(led, eid, pid, "ip_clear", "no" if k == KNOCKED_OUT else "yes")
    finally:
        led.close()
    return base / "round"


def expected(k: int) -> dict:
    """Hand calculation: the mean of the experts' answers, its utility (x - 1) / 4, dimension scores on
    0..100, the weighted composite and the tier from the thresholds."""
    dims = {DIMENSION_OF[ind]: 100 * (sum(score(k, e, ind) for e in range(N_EXPERTS)) / N_EXPERTS - 1) / 4
            for ind in WEIGHTS}
    composite = sum(WEIGHTS[ind] * dims[DIMENSION_OF[ind]] for ind in WEIGHTS)
    eps = 1e-9  # project 3 sits exactly on the line of tier B
    tier = "C" if k == KNOCKED_OUT else ("A" if composite >= 75 - eps else "B" if composite >= 50 - eps else "C")
    return {"dims": dims, "composite": composite, "tier": tier}
