"""Follow-up events (投后跟踪): import into the library or the campaign, identity, re-import, located errors, the
CLI (show, backtest) and old stores migrating with their audit still verifying."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import run, snapshot, table_rows

ROOT = Path(__file__).resolve().parents[2]
STAGES = ROOT / "tests" / "outcomes" / "stage_defaults.yaml"
HEADER = "成果编号,日期,类型,金额（万元）,技术就绪水平,证据,评定人,对方单位,期间,说明\n"
GOOD = (HEADER
        + "A1,2027-03-01,里程碑,,,,,,,中试线建成\n"
        + "A1,2027-06-01,技术就绪水平,,TRL6,中试报告,张工,,,\n"
        + "A1,2027-09-01,后续投资,500,,,,某基金,,A轮\n"
        + "A2,2027-04-01,合同,\"1,200\",,,,某钢厂,,\n"
        + "A2,2027-12-31,收入,80.5,,,,,2027-h2,\n")


def _round(lib, name, year, entries):
    from tlr.library.achievements import add_round

    rows = [{"project_id": pid, "name": f"成果{pid}", "applicant": f"单位{pid}", "industry": "steel", "region": "",
             "keywords": [], "summary": "", "tier": tier, "composite": comp, "readiness": trl,
             "readiness_source": "panel", "route": None, "ask": None, "rank": k + 1, "knocked_out": False,
             "dimensions": dims} for k, (pid, tier, comp, trl, dims) in enumerate(entries)]
    add_round(lib, {"name": name, "year": year, "kind": "evaluation", "source": "test", "source_id": name,
                    "head": name, "entries": len(rows), "verified": 1,
                    "rules": {"dimensions": [{"id": "tech", "label": {"zh": "技术", "en": "technology"}}]}}, rows)


@pytest.fixture
def library(lib, tmp_path):
    _round(lib, "r2026", 2026, [("A1", "A", 80.0, 5, {"tech": 4.0}), ("A2", "B", 60.0, 6, {"tech": 3.0})])
    _round(lib, "r2027", 2027, [("A1", "A", 82.0, 6, {"tech": 4.1}), ("B7", "C", 50.0, 4, {"tech": 2.0})])
    return lib


def _file(tmp_path, text, name="跟踪.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_import_records_events_audited_and_reimport_is_idempotent(library, tmp_path):
    from tlr.library.followup import Target, events, import_followup

    path = _file(tmp_path, GOOD)
    out = import_followup(Target.library(library), path, as_of="2027-12-31")
    assert (out["imported"], out["already"]) == (5, 0)
    rows = table_rows(library.path, "followup_events")        # the bytes on disk
    assert len(rows) == 5
    evs = events(library, "A2")
    assert [(e["kind"], e["amount"], e["counterparty"], e["period"]) for e in evs] == [
        ("contract", 1200.0, "某钢厂", ""), ("revenue", 80.5, "", "2027-H2")]
    (entry,) = library.conn.execute("SELECT payload FROM audit WHERE action = 'followup.import'").fetchall()
    payload = json.loads(entry[0])
    assert payload["count"] == 5 and len(payload["put"]["followup_events"]) == 5
    assert library.verify().ok
    head = library.audit_head()
    again = import_followup(Target.library(library), path, as_of="2027-12-31")
    assert (again["imported"], again["already"]) == (0, 5) and library.audit_head() == head
    more = _file(tmp_path, GOOD + "A2,2027-12-20,里程碑,,,,,,,首台套交付\n", "more.csv")
    third = import_followup(Target.library(library), more, as_of="2027-12-31")
    assert (third["imported"], third["already"]) == (1, 5) and library.verify().ok


def test_every_problem_is_located_and_nothing_is_written(library, tmp_path, capsys):
    bad = _file(tmp_path, HEADER
                + "ZZ9,2027-03-01,里程碑,,,,,,,x\n"            # unknown achievement
                + "A1,2027-02-30,里程碑,,,,,,,x\n"             # not a day
                + "A1,2028-01-02,里程碑,,,,,,,x\n"             # after --as-of
                + "A1,2027-03-01,技术就绪水平,,TRL6,,,,,\n"     # no evidence, no assessor
                + "A1,2027-03-01,合同,500,,,,,,\n"             # no counterparty
                + "A1,2027-03-01,里程碑,5,,,,,,x\n"            # an amount on a milestone
                + "A1,2027-03-01,收入,5,,,,,2027年,\n"         # a period that is not one
                + "A1,2027-03-01,奖金,5,,,,,,\n")              # unknown kind
    before = snapshot(library.path)
    code, out, err = run(["follow-up", "import", bad, "--library", library.path, "--as-of", "2027-12-31"], capsys)
    assert code == 2 and snapshot(library.path) == before
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 9, err
    assert all(str(bad) in line or bad.name in line for line in lines)
    for row, column, word in ((2, "A (成果编号)", "ZZ9"), (3, "B (日期)", "2027-02-30"), (4, "B (日期)", "2028-01-02"),
                              (5, "F (证据)", "evidence"), (5, "G (评定人)", "assessor"), (6, "H (对方单位)", "counterparty"),
                              (7, "D (金额（万元）)", "amount"), (8, "I (期间)", "2027年"), (9, "C (类型)", "奖金")):
        assert any(f"row {row}: {column}" in line and word in line for line in lines), (row, column, err)


def test_aliases_resolve_and_a_changed_event_id_is_refused(library, tmp_path):
    from tlr.errors import ValidationError
    from tlr.library.achievements import decide_link
    from tlr.library.followup import Target, events, import_followup

    _round(library, "r2028", 2028, [("A1-NEW", "A", 90.0, 7, {})])
    with library.write("test.link") as tx:    # propose a link the way add_round would have
        tx.put("links", [{"new_id": "A1-NEW", "old_id": "A1", "round": "r2028", "basis": "name_applicant",
                          "status": "proposed", "proposed_at": "x", "decided_by": "", "decided_at": ""}])
    decide_link(library, "A1-NEW", "A1", accept=True)
    path = _file(tmp_path, "事件编号,成果编号,日期,类型,说明\nM1,A1-NEW,2027-05-05,milestone,首批样机\n")
    import_followup(Target.library(library), path, as_of="2027-12-31")
    assert [e["id"] for e in events(library, "A1")] == ["M1"]
    changed = _file(tmp_path, "事件编号,成果编号,日期,类型,说明\nM1,A1,2027-05-05,milestone,首批样机（改）\n", "c.csv")
    with pytest.raises(ValidationError) as exc:
        import_followup(Target.library(library), changed, as_of="2027-12-31")
    assert "M1" in exc.value.diagnostics[0].message and exc.value.diagnostics[0].location.row == 2
    twice = _file(tmp_path, HEADER + "A1,2027-03-01,里程碑,,,,,,,x\nA1,2027-03-01,里程碑,,,,,,,x\n", "t.csv")
    with pytest.raises(ValidationError):
        import_followup(Target.library(library), twice, as_of="2027-12-31")


def test_gbk_xlsx_and_json_files(library, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    from tlr.library.followup import Target, events, import_followup

    gbk = _file(tmp_path, HEADER + "A1,2027-03-01,里程碑,,,,,,,中试线建成\n", "gbk.csv", "gbk")
    assert import_followup(Target.library(library), gbk, as_of="2027-12-31")["encoding"].lower() in ("gbk", "gb18030")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["achievement_id", "date", "kind", "amount", "investor"])
    ws.append(["A2", datetime(2027, 8, 1), "investment", 300, "某创投"])
    wb.save(tmp_path / "f.xlsx")
    import_followup(Target.library(library), tmp_path / "f.xlsx", as_of="2027-12-31")
    (tmp_path / "f.json").write_text(json.dumps([{"成果编号": "A2", "日期": "2027-09-09", "类型": "trl",
                                                  "技术就绪水平": 7, "证据文件SHA256": "ab" * 32,
                                                  "评定人": "专家组"}], ensure_ascii=False), encoding="utf-8")
    import_followup(Target.library(library), tmp_path / "f.json", as_of="2027-12-31")
    kinds = [(e["kind"], e["date"]) for e in events(library)]
    assert kinds == [("milestone", "2027-03-01"), ("investment", "2027-08-01"), ("trl", "2027-09-09")]
    assert events(library, "A2")[-1]["evidence_sha256"] == "ab" * 32


def test_show_and_backtest_through_the_cli(library, tmp_path, capsys):
    path = _file(tmp_path, GOOD)
    assert run(["follow-up", "import", path, "--library", library.path, "--as-of", "2027-12-31"], capsys)[0] == 0
    code, out, _ = run(["follow-up", "show", "A1", "--library", library.path, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["baseline_trl"] == 5 and data["baseline_round"] == "r2026"
    assert data["trl_reached"] == 6 and data["totals"]["investment"] == 500.0 and len(data["timeline"]) == 3
    code, out, _ = run(["follow-up", "show", "A1", "--library", library.path], capsys)
    assert code == 0 and "5 → 6" in out and "500.0 万元" in out
    code, out, _ = run(["follow-up", "backtest", "--library", library.path, "--stages", STAGES, "--json",
                        "--draws", "200"], capsys)
    data = json.loads(out)
    assert code == 0 and data["round"]["name"] == "r2026" and data["followed"] == 2   # before the first event
    assert data["window"] == {"since": "2027-01-01", "as_of": "2027-12-31"}
    assert {c["status"] for c in data["correlations"]} == {"too_few"} and all(c["n"] == 2 for c in data["correlations"])
    assert [s["id"] for s in data["scores"]] == ["composite", "tech"]
    pilot = next(s for s in data["stages"] if s["stage"] == "pilot")
    # A1 at TRL 5 reaches 6 on 2027-06-01: one success; prior Beta(5, 5) -> posterior mean 6/11
    assert (pilot["entered"], pilot["completed"], pilot["censored"]) == (1, 1, 0)
    assert pilot["posterior"]["mean"] == pytest.approx(6 / 11, abs=1e-9)
    code, _, err = run(["follow-up", "backtest", "--library", library.path, "--round", "nope"], capsys)
    assert code == 2 and "nope" in err
    code, _, err = run(["follow-up", "backtest", "--library", library.path, "-C", tmp_path], capsys)
    assert code == 2 and "--library" in err


@pytest.mark.parametrize("args", [["import", "--help"], ["show", "--help"], ["backtest", "--help"], ["--help"]])
def test_help_has_an_example(args, capsys):
    code, out, _ = run(["follow-up", *args], capsys)
    assert code == 0 and "Example / 示例" in out


def test_a_v1_library_migrates_and_its_audit_still_verifies(tmp_path, monkeypatch):
    from tlr.library import schema
    from tlr.library.followup import Target, import_followup
    from tlr.library.store import open_library

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        m.setattr(schema, "SCHEMA_VERSION", 1)
        m.setattr(schema, "TABLES", {k: v.without_added() for k, v in schema.TABLES.items() if k != "followup_events"})
        with open_library(tmp_path / "old.sqlite", create=True) as old:
            _round(old, "r2026", 2026, [("A1", "A", 80.0, 5, {}), ("A2", "B", 60.0, 6, {})])
    conn = sqlite3.connect(tmp_path / "old.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with open_library(tmp_path / "old.sqlite") as lib:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION == 2
        assert lib.verify().ok                                    # old rows replay with dimensions = {}
        assert lib.rows("achievement_rounds")[0]["dimensions"] == {}
        import_followup(Target.library(lib), _file(tmp_path, GOOD), as_of="2027-12-31")
        assert lib.verify().ok


def test_a_v7_campaign_migrates_and_takes_events(tmp_path, monkeypatch, capsys):
    from tlr.campaign import init_campaign, open_campaign, schema
    from tlr.campaign.audit import verify

    from tlr.campaign import import_projects
    from tlr.rubric import load_rubric

    from ..campaign.support import FIXTURES, RUBRIC

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:7])
        m.setattr(schema, "SCHEMA_VERSION", 7)
        m.setattr(schema, "TABLES", {k: v for k, v in schema.TABLES.items() if k != "followup_events"})
        led = init_campaign(tmp_path / "old", load_rubric(RUBRIC))
        import_projects(led, FIXTURES / "projects.csv")
        pid = led.projects()[0]["id"]
        led.close()
    path = _file(tmp_path, f"项目编号,日期,类型,说明\n{pid},2026-05-01,里程碑,样机完成\n")
    code, out, err = run(["follow-up", "import", path, "-C", tmp_path / "old", "--json"], capsys)
    assert code == 0 and json.loads(out)["imported"] == 1 and json.loads(out)["store"] == "campaign"
    with open_campaign(tmp_path / "old") as led:
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION >= 8
        assert verify(led).ok
    code, _, err = run(["follow-up", "import", _file(tmp_path, "项目编号,日期,类型,说明\nNOPE,2026-05-01,里程碑,x\n",
                                                     "n.csv"), "-C", tmp_path / "old"], capsys)
    assert code == 2 and "NOPE" in err and "row 2" in err


def test_a_malformed_stage_table_is_refused_with_located_errors(library, tmp_path, capsys):
    bad = tmp_path / "stages.yaml"
    bad.write_text("version: 1\nstages:\n  - id: pilot\n    from_trl: 6\n    to_trl: 4\n    p_success: 1.5\n"
                   "    years: [3, 2, 1]\n    confidence: maybe\n  - id: x\n", encoding="utf-8")
    code, _, err = run(["follow-up", "backtest", "--library", library.path, "--stages", bad], capsys)
    lines = [line for line in err.splitlines() if "error" in line]
    assert code == 2 and len(lines) == 7, err     # stage x lacks from_trl, to_trl and p_success: three lines
    assert all("stages.yaml:" in line for line in lines)
    for where, word in ((":5:", "to_trl"), (":6:", "p_success"), (":7:", "years"), (":8:", "confidence"),
                        (":9:", "from_trl")):
        assert any(where in line and word in line for line in lines), (where, err)


def test_push_packs_show_each_achievements_follow_up(library, tmp_path):
    """followups_for: only achievements with events, ids or aliases; the pack's view carries the totals, the TRL
    path and every event, dated, in order."""
    from tlr.app.followup import followups_for
    from tlr.app.push import _followup_view
    from tlr.library.followup import Target, import_followup

    import_followup(Target.library(library), _file(tmp_path, GOOD), as_of="2027-12-31")
    found, basis = followups_for(library, ["A1", "A2", "B7", "Z9"], as_of="2027-12-31")
    assert sorted(found) == ["A1", "A2"]                  # B7 has no event, Z9 is unknown: neither listed
    assert basis["file"] == Path(library.path).name and basis["audit_head"] == library.audit_head()[1]
    view = _followup_view(found["A2"], "zh")
    assert view["title"] == "投后跟踪（截至 2027-12-31）"
    assert "合同 1,200 万元" in view["totals"] and "收入 80.5 万元" in view["totals"]
    assert [(e["date"], e["what"]) for e in view["events"]] == [("2027-04-01", "合同 1,200 万元"),
                                                                ("2027-12-31", "收入 80.5 万元")]
    assert view["events"][0]["note"] == "某钢厂"
    assert _followup_view(None, "zh") is None
