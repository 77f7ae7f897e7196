"""Shared fixtures: a small rubric, a campaign with projects, experts and assignments (tests/campaign/support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import support
from .support import FIXTURES, RUBRIC  # noqa: F401  (imported from here by the tests)

rubric = support.rubric   # fixtures shared with tests/cli
ledger = support.ledger

ANSWER = {"novelty": "4", "trl": "3", "market_size": "12.5", "team": "是"}


@pytest.fixture
def empty_ledger(tmp_path, rubric):
    from tlr.campaign import init_campaign

    led = init_campaign(tmp_path / "round", rubric)
    yield led
    led.close()


def make_full_panel(directory: Path, rubric, n_projects: int, n_experts: int):
    """A campaign where every expert is assigned every project (no conflicts)."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign

    led = init_campaign(directory, rubric)
    projects = [{"id": f"P{k:04d}", "name": f"项目{k}", "applicant": f"申报单位{k}", "industry": "新材料",
                 "achievement_type": "technology_development"} for k in range(n_projects)]
    experts = [{"id": f"E{k:02d}", "name": f"专家{k}", "institution": f"专家单位{k}", "fields": ["新材料"]}
               for k in range(n_experts)]
    (directory / "p.json").write_text(json.dumps(projects, ensure_ascii=False), encoding="utf-8")
    (directory / "e.json").write_text(json.dumps(experts, ensure_ascii=False), encoding="utf-8")
    import_projects(led, directory / "p.json")
    import_experts(led, directory / "e.json")
    assign_experts(led, n_experts, seed=0)
    return led


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    from tlr.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err
