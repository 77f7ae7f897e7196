"""Scoring through the API and from files; status; the score cube; exports."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from openpyxl import load_workbook

from tlr.campaign import campaign_status, import_answers, record_score, score_cube, scores_frame, verify_audit
from tlr.campaign.export import export_scores, neutralise
from tlr.campaign.scoring import expert_items
from tlr.errors import CampaignError, ValidationError

from .conftest import ANSWER, run_cli


def _assigned(led, expert):
    return [p for (p,) in led.conn.execute("SELECT project_id FROM assignments WHERE expert_id = ? "
                                           "ORDER BY project_id", (expert,))]


def _unassigned(led, expert):
    rec = {p for (p,) in led.conn.execute("SELECT project_id FROM recusals WHERE expert_id = ?", (expert,))}
    return [p["id"] for p in led.projects() if p["id"] not in _assigned(led, expert) and p["id"] not in rec]


def test_record_score_validates_and_stores(ledger):
    p = _assigned(ledger, "E04")[0]
    rec = record_score(ledger, "E04", p, "team", "是", comment="团队齐全", evidence="名单")
    assert rec.value == 1.0 and rec.raw == "是" and rec.previous is None
    rec2 = record_score(ledger, "E04", p, "team", "否")
    assert rec2.previous == 1.0 and rec2.value == 0.0
    row = ledger.rows("scores", "expert_id = 'E04'")[0]
    assert row["value"] == 0.0 and row["audit_seq"] == rec2.audit_seq
    for bad in ("6", "abc", ""):
        with pytest.raises(CampaignError):
            record_score(ledger, "E04", p, "novelty", bad)
    with pytest.raises(CampaignError, match="unknown indicator"):
        record_score(ledger, "E04", p, "nope", "3")


def test_expert_can_only_score_assigned_projects(ledger):
    other = _unassigned(ledger, "E04")[0]
    with pytest.raises(CampaignError, match="not assigned"):
        record_score(ledger, "E04", other, "novelty", "3")
    recused = ledger.rows("recusals")[0]
    with pytest.raises(CampaignError, match="recused"):
        record_score(ledger, recused["expert_id"], recused["project_id"], "novelty", "3")
    with pytest.raises(CampaignError, match="no expert"):
        record_score(ledger, "E99", other, "novelty", "3")
    assert ledger.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 0


def test_answers_file_all_or_nothing(ledger, tmp_path):
    mine = _assigned(ledger, "E04")
    other = _unassigned(ledger, "E04")[0]
    good = tmp_path / "good.csv"
    good.write_text("项目编号,指标编号,分值,意见\n" + "".join(
        f"{p},{i},{v},ok\n" for p in mine for i, v in ANSWER.items()), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("project,indicator,value\n"
                   f"{mine[0]},novelty,4\n"
                   f"{other},novelty,4\n"        # row 3: not assigned
                   f"{mine[0]},novelty,3\n"      # row 4: duplicate
                   f"{mine[0]},trl,12\n"         # row 5: out of range
                   f"{mine[0]},ghost,1\n", encoding="utf-8")  # row 6: unknown indicator
    with pytest.raises(ValidationError) as info:
        import_answers(ledger, "E04", bad)
    assert {(d.code, d.location.row) for d in info.value.diagnostics} == {
        ("not_assigned", 3), ("duplicate", 4), ("invalid_value", 5), ("unknown_indicator", 6)}
    assert ledger.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 0
    counts = import_answers(ledger, "E04", good)
    assert counts["set"] == 4 * len(mine)
    assert import_answers(ledger, "E04", good)["unchanged"] == 4 * len(mine)
    assert verify_audit(ledger).ok


def test_cli_score_from_file(ledger, tmp_path, capsys):
    p = _assigned(ledger, "E04")[0]
    f = tmp_path / "a.json"
    f.write_text(json.dumps([{"project": p, "indicator": "novelty", "value": 5}]), encoding="utf-8")
    code, out, _ = run_cli(["score", "--expert", "E04", "--from", f, "--campaign", ledger.path.parent, "--json"],
                           capsys)
    assert code == 0 and json.loads(out)["set"] == 1


def test_status_counts(ledger, capsys):
    e04 = _assigned(ledger, "E04")
    for i, v in ANSWER.items():
        record_score(ledger, "E04", e04[0], i, v)
    record_score(ledger, "E04", e04[1], "novelty", "2")
    st = campaign_status(ledger)
    e = next(x for x in st.experts if x.id == "E04")
    assert (e.assigned, e.done, e.partial, e.missing) == (len(e04), 1, 1, len(e04) - 2)
    assert e.answers == 5 and e.expected == 4 * len(e04)
    p = next(x for x in st.projects if x.id == e04[0])
    assert p.done == 1 and "E04" not in p.missing_experts and not p.quorum_met
    p3 = next(x for x in st.projects if x.id == "P003")
    assert {r["expert"] for r in p3.recused} == {"E01", "E02"}
    code, out, _ = run_cli(["status", "--json", "--campaign", ledger.path.parent], capsys)
    data = json.loads(out)
    assert code == 0 and data["totals"]["answers"] == 5 and data["totals"]["recusals"] == 5
    code, out, _ = run_cli(["status", "--campaign", ledger.path.parent, "--missing"], capsys)
    assert code == 0 and "E04" in out


def test_quorum(ledger):
    pid = "P006"
    experts = [e for (e,) in ledger.conn.execute("SELECT expert_id FROM assignments WHERE project_id = ?", (pid,))]
    for e in experts[:2]:
        for i, v in ANSWER.items():
            record_score(ledger, e, pid, i, v)
    p = next(x for x in campaign_status(ledger).projects if x.id == pid)
    assert p.done == 2 and p.quorum_met  # 2 of 3 meets a quorum written as 0.67
    assert not p.min_experts_met  # min_experts 3


def test_cube_dense_and_tidy(ledger):
    e04 = _assigned(ledger, "E04")
    for i, v in ANSWER.items():
        record_score(ledger, "E04", e04[0], i, v)
    cube = score_cube(ledger)
    assert cube.values.shape == (8, 6, 4)
    assert cube.experts[3] == "E04" and cube.indicators == ("novelty", "trl", "market_size", "team")
    e, p = cube.experts.index("E04"), cube.projects.index(e04[0])
    np.testing.assert_array_equal(cube.values[e, p], [4.0, 3.0, 12.5, 1.0])
    assert np.isnan(cube.values).sum() == 8 * 6 * 4 - 4
    assert cube.assigned.sum() == 18 and cube.recused.sum() == 5 and cube.applicable.all()
    assert cube.rubric_hash == ledger.rubric.content_hash
    with pytest.raises(ValueError):
        cube.values[0, 0, 0] = 1.0
    df = cube.to_frame()
    assert list(df.columns) == ["expert", "project", "indicator", "value"] and len(df) == 4
    assert df.set_index("indicator")["value"]["market_size"] == 12.5
    full = scores_frame(ledger)
    assert len(full) == 4 and {"comment", "scored_at", "audit_seq"} <= set(full.columns)
    sub = score_cube(ledger, indicators=["team"])
    assert sub.values.shape == (8, 6, 1)


def test_indicator_applies_to(tmp_path):
    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric
    from .conftest import FIXTURES, RUBRIC

    text = RUBRIC.read_text(encoding="utf-8").replace(
        "      - {id: team,", "      - {id: team, applies_to: [technology_development],")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    led = init_campaign(tmp_path / "c", load_rubric(path))
    import_projects(led, FIXTURES / "projects.csv")
    import_experts(led, FIXTURES / "experts.csv")
    assign_experts(led, 3, seed=1)
    p3 = [e for (e,) in led.conn.execute("SELECT expert_id FROM assignments WHERE project_id = 'P003'")][0]
    items = [i.indicator.id for i in expert_items(led, p3) if i.project["id"] == "P003"]
    assert items == ["novelty", "trl", "market_size"]  # P003 is applied research
    with pytest.raises(CampaignError, match="does not apply"):
        record_score(led, p3, "P003", "team", "是")
    cube = score_cube(led)
    assert not cube.applicable[cube.projects.index("P003"), 3]
    led.close()


def test_exports_neutralise_formulas(ledger, tmp_path, capsys):
    p = _assigned(ledger, "E04")[0]
    record_score(ledger, "E04", p, "novelty", "4", comment="=HYPERLINK(\"http://x\")", evidence="@SUM(A1)")
    record_score(ledger, "E04", p, "team", "是", comment="+1", evidence="-2")
    assert neutralise("=1") == "'=1" and neutralise(-3.0) == -3.0 and neutralise("ok") == "ok"
    text = export_scores(ledger, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["comment"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "'+1"}
    assert {r["evidence"] for r in rows} == {"'@SUM(A1)", "'-2"}
    out = tmp_path / "s.xlsx"
    export_scores(ledger, "xlsx", out)
    ws = load_workbook(out)["scores"]
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values and not any(isinstance(v, str) and v.startswith("=") for v in values)
    data = json.loads(export_scores(ledger, "json"))
    assert data["rubric"]["content_hash"] == ledger.rubric.content_hash and len(data["scores"]) == 2
    assert data["scores"][0]["comment"].startswith("=")  # JSON is not a spreadsheet: unchanged
    code, out_text, _ = run_cli(["export", "scores", "--format", "json", "--campaign", ledger.path.parent], capsys)
    assert code == 0 and json.loads(out_text)["scores"]
    code, _o, err = run_cli(["export", "scores", "--format", "xlsx", "--campaign", ledger.path.parent], capsys)
    assert code == 2 and "--out" in err
    # projects with a formula-like summary survive the scoresheet too
    assert ledger.project("P003")["summary"].startswith("=")


def test_cli_listing_and_filters(ledger, capsys):
    c = ["--campaign", ledger.path.parent]
    code, out, _ = run_cli(["campaign", "info", *c], capsys)
    assert code == 0 and "mini-campaign" in out and "projects" in out
    code, out, _ = run_cli(["projects", "list", *c], capsys)
    assert code == 0 and "高强钢连铸新工艺" in out
    code, out, _ = run_cli(["experts", "list", "--json", *c], capsys)
    assert code == 0 and len(json.loads(out)) == 8
    code, out, _ = run_cli(["status", "--expert", "E04", "--json", *c], capsys)
    data = json.loads(out)
    assert [e["id"] for e in data["experts"]] == ["E04"]
    code, out, _ = run_cli(["status", "--project", "P003", *c], capsys)
    assert code == 0 and "P003" in out and "P001" not in out.split("project", 1)[-1]
    for cmd in (["campaign"], ["projects"], ["experts"], ["assign"], ["status"], ["export"], ["audit"],
                ["score"], ["sheets"], ["audit", "verify"], ["sheets", "export"], ["export", "scores"]):
        code, out, _ = run_cli([*cmd, "--help"], capsys)
        assert code == 0 and "示例" in out, cmd


def test_actor_records_expert_and_login(ledger):
    p = _assigned(ledger, "E04")[0]
    record_score(ledger, "E04", p, "novelty", "3")
    actor = ledger.conn.execute("SELECT actor FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert actor.startswith("expert:E04 via ")


def test_export_assignments_with_recusal_reasons(ledger, capsys):
    code, out, _ = run_cli(["export", "assignments", "--format", "json", "--campaign", ledger.path.parent], capsys)
    rows = json.loads(out)["assignments"]
    assert code == 0 and len(rows) == 18 + 5
    rec = [r for r in rows if r["status"] == "recused"]
    assert {r["reason"] for r in rec} == {"co_applicant", "same_institution", "declared_org"}
    assert all(" / " in r["reason_text"] for r in rec)
