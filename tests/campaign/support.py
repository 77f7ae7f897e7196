"""Campaigns shared by the test folders: the fixture round (mini rubric, its projects and experts, three
experts per project), the round whose `trl` indicator walks the shipped TRL checklist, and a campaign's
rows read with plain sqlite3 (not through tlr)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RUBRIC = FIXTURES / "mini-rubric.yaml"
LADDER = FIXTURES.parents[2] / "rubrics" / "readiness" / "trl-cn-development.yaml"

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


def new_round(directory: Path, rubric=None, *, name: str | None = None, with_data: bool = True):
    """A campaign in *directory* for *rubric* (a loaded one; the mini rubric if None), its ledger open; with
    the fixture projects and experts imported and three experts per project assigned (seed 1)."""
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    led = init_campaign(directory, load_rubric(RUBRIC) if rubric is None else rubric, name=name)
    try:
        if with_data:
            import_projects(led, FIXTURES / "projects.csv")
            import_experts(led, FIXTURES / "experts.csv")
            assign_experts(led, 3, seed=1)
    except BaseException:
        led.close()
        raise
    return led


def assigned(led, expert: str) -> list[str]:
    """The projects assigned to *expert*, in the order of the projects table."""
    return [p for (p,) in led.conn.execute(
        "SELECT a.project_id FROM assignments a JOIN projects p ON p.id = a.project_id "
        "WHERE a.expert_id = ? ORDER BY p.seq", (expert,))]


def checklist_round(base: Path):
    """``base/round``, its ledger open: :data:`CHECKLIST_RUBRIC`'s round, whose `trl` indicator uses the shipped
    checklist ladder (copied to ``base/readiness``); E04 scores two projects."""
    from tlr.rubric import load_rubric

    (base / "readiness").mkdir()
    shutil.copy(LADDER, base / "readiness" / LADDER.name)
    (base / "rubric.yaml").write_text(CHECKLIST_RUBRIC, encoding="utf-8")
    led = new_round(base / "round", load_rubric(base / "rubric.yaml"))
    assert len(assigned(led, "E04")) == 2
    return led


def checklist_rows(led, expert: str = "E04") -> tuple[dict, dict, dict]:
    """*expert*'s checklist answers {(project, question): answer}, checklist sessions {project: (status,
    question)} and scores {(project, indicator): (value, raw, comment, source)}."""
    answers = {(p, q): a for p, q, a in led.conn.execute(
        "SELECT project_id, question_id, answer FROM checklist_answers WHERE expert_id = ?", (expert,))}
    sessions = {p: (s, q) for p, s, q in led.conn.execute(
        "SELECT project_id, status, question_id FROM checklist_sessions WHERE expert_id = ?", (expert,))}
    scores = {(p, i): (v, raw, c, src) for p, i, v, raw, c, src in led.conn.execute(
        "SELECT project_id, indicator_id, value, raw, comment, source FROM scores WHERE expert_id = ?", (expert,))}
    return answers, sessions, scores


def edit_behind(ledger, *statements: str) -> Path:
    """Close *ledger* and run *statements* on its file with plain sqlite3, behind the tool's back (the
    append-only triggers still in force); returns the file."""
    ledger.close()
    conn = sqlite3.connect(ledger.path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return ledger.path


def ledger_rows(campaign: Path, *, schema: bool = False, file: str = "campaign.sqlite") -> dict:
    """Every table's rows (sorted) and the audit head (``SELECT max(seq), hash FROM audit``), read directly;
    with *schema*, the schema too. ``file``: another store in the folder (``library.sqlite``)."""
    conn = sqlite3.connect(f"file:{campaign / file}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        if schema:
            rows["_schema"] = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        rows["_audit_head"] = conn.execute("SELECT max(seq), hash FROM audit").fetchone()
        return rows
    finally:
        conn.close()


# ------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def rubric():
    from tlr.rubric import load_rubric

    return load_rubric(RUBRIC)


@pytest.fixture
def ledger(tmp_path, rubric):
    """The fixture round (mini rubric) in ``tmp_path/round``: E04 scores two projects x four indicators."""
    led = new_round(tmp_path / "round", rubric, name="test round")
    yield led
    led.close()
