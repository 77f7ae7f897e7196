"""`tlr library add-round` on the example round: verified like a report, every project recorded with its tier,
composite, readiness and its source, route, ask (the 申请经费 column of the example file) and region."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

from .conftest import run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "round-2026" / "projects.csv"


def test_add_round_records_every_project(demo_campaign, tmp_path, capsys):
    from tlr.campaign import open_campaign

    target = tmp_path / "library.sqlite"
    code, out, err = run(["library", "add-round", demo_campaign, "--library", target, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    with open_campaign(demo_campaign) as led:
        head = led.audit_head()
    assert result["achievements"] == 58 and len(result["new"]) == 58 and result["year"] == 2026
    assert result["head"] == head[1] and result["verified"] is True
    conn = sqlite3.connect(target)
    conn.row_factory = sqlite3.Row
    rows = {r["project_id"]: dict(r) for r in conn.execute("SELECT * FROM achievement_rounds")}
    (round_row,) = conn.execute("SELECT * FROM rounds").fetchall()
    assert round_row["head"] == head[1] and round_row["source"] == str((demo_campaign / "campaign.sqlite").resolve())
    with open(EXAMPLE, encoding="utf-8", newline="") as handle:
        example = {r["项目编号"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(example)
    for pid, r in rows.items():
        assert r["ask"] == float(example[pid]["申请经费（万元）"]), pid      # read independently of tlr
        assert r["name"] == example[pid]["项目名称"]
    ranking = {p["project"]: p for p in json.loads((demo_campaign.parent / "ranking.json").read_text("utf-8"))["projects"]}
    for pid, r in rows.items():                    # the same figures the round's ranking shows
        p = ranking[pid]
        assert (r["tier"], r["route"], r["readiness"], r["readiness_source"], r["rank"]) == (
            p["tier"], p["route"], p["readiness"], p["readiness_source"], p["rank"]), pid
        assert abs((r["composite"] or 0) - (p["composite"] or 0)) < 1e-9
    assert {r["readiness_source"] for r in rows.values()} >= {"assessment", "panel"}
    code, out, _ = run(["library", "verify", "--library", target], capsys)
    assert code == 0
    code, out, _ = run(["library", "show", "P2026-001", "--library", target, "--json"], capsys)
    support = json.loads(out)["support"]
    assert support["route"] == rows["P2026-001"]["route"]
    # the same campaign cannot be added twice, even under another round name
    code, _out, err = run(["library", "add-round", demo_campaign, "--library", target, "--round", "again"], capsys)
    assert code == 2 and "already in the library" in err


def test_an_unverified_campaign_is_refused_unless_allowed(demo_campaign, tmp_path, capsys):
    copy = tmp_path / "round"
    shutil.copytree(demo_campaign, copy)
    conn = sqlite3.connect(copy / "campaign.sqlite")
    conn.execute("UPDATE scores SET comment = 'edited behind the tool' WHERE project_id = 'P2026-001'")
    conn.commit()
    conn.close()
    target = tmp_path / "library.sqlite"
    code, _out, err = run(["library", "add-round", copy, "--library", target], capsys)
    assert code == 2 and "audit" in err and not target.exists()
    code, out, err = run(["library", "add-round", copy, "--library", target, "--allow-unverified", "--json"], capsys)
    assert code == 0 and json.loads(out)["verified"] is False
    assert sqlite3.connect(target).execute("SELECT verified FROM rounds").fetchone() == (0,)


def test_a_second_round_a_year_later(demo_campaign, tmp_path, capsys):
    """Round 2027 holds one project under its old id, one renamed id with the same name and applicant, one new."""
    from tlr.app.library_round import campaign_round, record_campaign_round
    from tlr.campaign import open_campaign
    from tlr.library.achievements import add_round
    from tlr.library.store import open_library

    with open_campaign(demo_campaign) as led:
        round_row, entries, status = campaign_round(led)
    with open_library(tmp_path / "lib.sqlite", create=True) as lib:
        record_campaign_round(lib, round_row, entries, status)
        by_id = {e["project_id"]: e for e in entries}
        low = next(e for e in entries if e["route"] == "research" and e["readiness"])
        later = [{**by_id["P2026-011"]},
                 {**low, "project_id": "P2027-001", "readiness": low["readiness"] + 2, "route": "transfer",
                  "knocked_out": False}]
        result = add_round(lib, {**round_row, "name": "2027", "year": 2027, "source_id": "c2027"}, later,
                           accept_links=True)
        assert result["same_id"] == ["P2026-011"] and result["confirmed"] == [{"new": "P2027-001",
                                                                                "old": low["project_id"]}]
    code, out, _ = run(["library", "show", low["project_id"], "--library", tmp_path / "lib.sqlite", "--json"], capsys)
    data = json.loads(out)
    assert data["progress"] == "progressed" and [s["year"] for s in data["timeline"]] == [2026, 2027]
    assert data["support"]["route"] == "transfer" and data["support"]["next_route"] == "land"
