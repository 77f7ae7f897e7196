"""Campaigns for the in-process session tests (the same rounds the pexpect tests use)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "campaign" / "fixtures"
LADDER = ROOT / "rubrics" / "readiness" / "trl-cn-development.yaml"

CHECKLIST_RUBRIC = """\
format: 1
id: checklist-test
version: "1.0"
title: {zh: 核查清单测试, en: Checklist test}
panel: {consensus: median, min_experts: 3, quorum: 0.67}
imports: [readiness/trl-cn-development.yaml]
scales:
  likert5:
    kind: likert
    min: 1
    max: 5
    anchors:
      1: {zh: 很差, en: poor}
      5: {zh: 优秀, en: excellent}
dimensions:
  - id: tech
    label: {zh: 技术, en: Technology}
    children:
      - {id: novelty, label: {zh: 创新性, en: Novelty}, scale: likert5, weight: 0.5}
      - {id: trl, label: {zh: 技术就绪水平, en: Readiness}, scale: trl, weight: 0.5}
"""


def _assigned(led, expert: str) -> list[str]:
    return [p for (p,) in led.conn.execute(
        "SELECT a.project_id FROM assignments a JOIN projects p ON p.id = a.project_id "
        "WHERE a.expert_id = ? ORDER BY p.seq", (expert,))]


@pytest.fixture
def ledger(tmp_path):
    """The mini rubric's round: E04 scores two projects x four indicators (novelty, trl, market_size, team)."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    led = init_campaign(tmp_path / "round", load_rubric(FIXTURES / "mini-rubric.yaml"), name="test round")
    import_projects(led, FIXTURES / "projects.csv")
    import_experts(led, FIXTURES / "experts.csv")
    assign_experts(led, 3, seed=1)
    yield led
    led.close()


@pytest.fixture
def checklist_ledger(tmp_path):
    """A round whose `trl` indicator uses the shipped checklist ladder; E04 scores two projects."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    (tmp_path / "readiness").mkdir()
    shutil.copy(LADDER, tmp_path / "readiness" / LADDER.name)
    (tmp_path / "rubric.yaml").write_text(CHECKLIST_RUBRIC, encoding="utf-8")
    led = init_campaign(tmp_path / "round", load_rubric(tmp_path / "rubric.yaml"))
    import_projects(led, FIXTURES / "projects.csv")
    import_experts(led, FIXTURES / "experts.csv")
    assign_experts(led, 3, seed=1)
    assert len(_assigned(led, "E04")) == 2
    yield led
    led.close()


@pytest.fixture
def e04(ledger):
    return _assigned(ledger, "E04")


@pytest.fixture
def e04_checklist(checklist_ledger):
    return _assigned(checklist_ledger, "E04")
