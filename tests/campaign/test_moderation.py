"""Moderation (复核): exclusions and overrides with a written reason, audited; the score itself never changes."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from tlr.campaign import record_score, verify_audit
from tlr.campaign.moderation import current_moderations, moderate, moderation_summary, undo
from tlr.errors import CampaignError

from .conftest import run_cli
from .support import edit_behind


def _panel(led, project: str | None = None) -> tuple[str, list[str]]:
    """A project and its three assigned experts (in expert import order)."""
    pid = project or led.conn.execute("SELECT id FROM projects ORDER BY seq LIMIT 1").fetchone()[0]
    experts = [e for (e,) in led.conn.execute(
        "SELECT a.expert_id FROM assignments a JOIN experts e ON e.id = a.expert_id WHERE a.project_id = ? "
        "ORDER BY e.seq", (pid,))]
    assert len(experts) == 3
    return pid, experts


def _score_rows(path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM scores ORDER BY expert_id, project_id, indicator_id").fetchall()
    finally:
        conn.close()


def _consensus(led, pid: str, indicator: str = "novelty") -> float:
    from tlr.app.evaluation import evaluate_campaign

    ev = evaluate_campaign(led)
    return float(ev.consensus[ev.projects.index(pid), ev.indicators.index(indicator)]), ev


@pytest.fixture
def scored(ledger):
    """The fixture round; the first project scored on novelty 2, 4, 5 by its three experts."""
    pid, experts = _panel(ledger)
    for e, v in zip(experts, ("2", "4", "5")):
        record_score(ledger, e, pid, "novelty", v, comment=f"意见 {e}")
    return ledger, pid, experts


def test_exclude_and_override_leave_the_stored_score_unchanged(scored):
    led, pid, (a, b, c) = scored
    before = _score_rows(led.path)
    moderate(led, "exclude", pid, a, "novelty", reason="利益冲突后补报 / conflict declared afterwards")
    moderate(led, "override", pid, c, "novelty", value="3", reason="专家来函更正 / written correction")
    undo(led, pid, a, "novelty", reason="复核后保留 / kept")
    assert _score_rows(led.path) == before
    rows = led.conn.execute("SELECT id, action, expert_id, value, raw, score_value, reason FROM moderations "
                            "ORDER BY id").fetchall()
    assert rows == [(1, "exclude", a, None, None, 2.0, "利益冲突后补报 / conflict declared afterwards"),
                    (2, "override", c, 3.0, "3", 5.0, "专家来函更正 / written correction"),
                    (3, "undo", a, None, None, 2.0, "复核后保留 / kept")]
    actions = [r[0] for r in led.conn.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 3")]
    assert actions == ["moderation.undo", "moderation.override", "moderation.exclude"]


def test_consensus_follows_the_moderations_as_a_hand_calculation_says(scored):
    led, pid, (a, b, c) = scored
    # mini rubric: consensus = mean. Scores 2, 4, 5.
    assert _consensus(led, pid)[0] == pytest.approx(11 / 3)
    moderate(led, "exclude", pid, a, "novelty", reason="r1")                     # 4, 5
    assert _consensus(led, pid)[0] == pytest.approx(4.5)
    moderate(led, "override", pid, c, "novelty", value="1", reason="r2")         # 4, 1
    value, ev = _consensus(led, pid)
    assert value == pytest.approx(2.5)
    assert ev.method["moderation"] == {
        "moderated": 2, "by_action": {"exclude": 1, "override": 1},
        "by_reason": [{"action": "exclude", "reason": "r1", "count": 1},
                      {"action": "override", "reason": "r2", "count": 1}], "stale": 0}
    assert ev.method["provenance"]["n_scores"] == 2
    undo(led, pid, a, "novelty", reason="r3")                                    # 2, 4, 1
    assert _consensus(led, pid)[0] == pytest.approx(7 / 3)
    # a second override of the same score replaces the first: 2, 4, 5 -> 2, 4, 4
    moderate(led, "override", pid, c, "novelty", value="4", reason="r4")
    assert _consensus(led, pid)[0] == pytest.approx(10 / 3)


def test_a_moderation_of_a_score_changed_since_is_stale_and_not_applied(scored):
    led, pid, (a, b, c) = scored
    moderate(led, "exclude", pid, a, "novelty", reason="outlier")
    record_score(led, a, pid, "novelty", "3")           # the expert answers again: 3, 4, 5
    assert _consensus(led, pid)[0] == pytest.approx(4.0)
    (m,) = current_moderations(led)
    assert m.action == "exclude" and not m.active
    assert moderation_summary(led)["moderated"] == 0 and moderation_summary(led)["stale"] == 1


def test_the_audit_chain_verifies_after_moderation_and_a_tampered_row_fails(scored):
    led, pid, (a, b, c) = scored
    moderate(led, "override", pid, b, "novelty", value="5", reason="correction")
    moderate(led, "exclude", pid, a, "novelty", reason="outlier")
    report = verify_audit(led)
    assert report.ok, report.problems
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        led.conn.execute("UPDATE moderations SET reason = 'x'")
    trigger = led.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'moderations_no_update'").fetchone()[0]
    # behind the tool's back: lift the trigger, change the override, put the trigger back as it was
    path = edit_behind(led, "DROP TRIGGER moderations_no_update",
                       "UPDATE moderations SET value = 1.0, raw = '1' WHERE id = 1", trigger)
    from tlr.campaign import open_campaign

    with open_campaign(path) as again:
        report = verify_audit(again)
        assert not report.ok and report.chain_ok and report.schema_ok and not report.state_ok
        assert any("moderations" in p for p in report.problems)


@pytest.mark.parametrize("args, field", [
    (["override", "{p}", "{a}", "novelty", "4"], "--reason"),                           # no reason
    (["override", "{p}", "{a}", "novelty", "4", "--reason", "   "], "--reason"),         # blank reason
    (["exclude", "{p}", "{a}", "novelty", "--reason", ""], "--reason"),
    (["override", "{p}", "{a}", "novelty", "6", "--reason", "r"], "VALUE"),              # off the 1-5 scale
    (["override", "{p}", "{a}", "novelty", "abc", "--reason", "r"], "VALUE"),
    (["override", "{p}", "{a}", "novelty", "-1", "--reason", "r"], "VALUE"),             # a negative value is a value
    (["exclude", "P999", "{a}", "novelty", "--reason", "r"], "PROJECT"),
    (["exclude", "{p}", "E99", "novelty", "--reason", "r"], "EXPERT"),
    (["exclude", "{p}", "{a}", "nope", "--reason", "r"], "INDICATOR"),
    (["exclude", "{p}", "{a}", "trl", "--reason", "r"], "PROJECT EXPERT INDICATOR"),     # no such score
    (["undo", "{p}", "{a}", "novelty", "--reason", "r"], "PROJECT EXPERT INDICATOR"),    # nothing to undo
])
def test_bad_moderation_input_exits_2_with_one_located_line_and_writes_nothing(scored, capsys, args, field):
    led, pid, (a, b, c) = scored
    entries = led.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    argv = ["moderate", *[x.format(p=pid, a=a) for x in args], "-C", led.path.parent]
    code, out, err = run_cli(argv, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{field}: error: "), err
    assert led.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == entries
    assert led.conn.execute("SELECT count(*) FROM moderations").fetchone()[0] == 0


def test_cli_records_the_moderator_and_prints_json(scored, capsys, monkeypatch):
    led, pid, (a, b, c) = scored
    monkeypatch.setenv("TLR_ACTOR", "user:secretary")
    code, out, _ = run_cli(["moderate", "-C", led.path.parent, "override", pid, c, "novelty", "3", "--reason",
                            "来函更正", "--moderator", "王主任", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["action"] == "override" and doc["value"] == 3.0 and doc["score"] == 5.0 and doc["active"]
    assert doc["moderator"] == "王主任" and doc["reason"] == "来函更正"
    actor = led.conn.execute("SELECT actor FROM audit WHERE action = 'moderation.override'").fetchone()[0]
    assert actor == "moderator:王主任 via user:secretary"
    # without --moderator: TLR_MODERATOR, else the login actor
    monkeypatch.setenv("TLR_MODERATOR", "李秘书")
    code, out, _ = run_cli(["moderate", "undo", pid, c, "novelty", "--reason", "撤回", "-C", led.path.parent],
                           capsys)
    assert code == 0 and "李秘书" in out
    code, out, _ = run_cli(["moderate", "history", "-C", led.path.parent, "--json"], capsys)
    doc = json.loads(out)
    assert [x["action"] for x in doc["actions"]] == ["override", "undo"] and doc["in_force"] == []


def test_rank_json_and_the_report_state_the_moderation(scored, capsys):
    led, pid, (a, b, c) = scored
    moderate(led, "exclude", pid, a, "novelty", reason="偏离过大 / far off")
    moderate(led, "exclude", pid, b, "novelty", reason="偏离过大 / far off")
    moderate(led, "override", pid, c, "novelty", value="4", reason="来函更正 / correction")
    code, out, _ = run_cli(["rank", led.path.parent, "--json", "--all"], capsys)
    assert code == 0
    method = json.loads(out)["method"]
    assert method["moderation"]["moderated"] == 3
    assert method["moderation"]["by_reason"] == [
        {"action": "exclude", "reason": "偏离过大 / far off", "count": 2},
        {"action": "override", "reason": "来函更正 / correction", "count": 1}]
    assert method["rescored"] == []

    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.report_data import build_report_data

    data = build_report_data(led, evaluate_campaign(led), lang="zh")
    text = data.methodology.moderation
    assert "3 个专家评分未按原值使用（剔除 2 个，改判 1 个）" in text.zh
    assert "剔除 2 个：偏离过大 / far off" in text.zh and "改判 1 个：来函更正 / correction" in text.zh
    assert "3 expert score(s) were not used as given (2 excluded, 1 overridden)" in text.en
    row = next(r for r in data.audit if r.label.en == "scores excluded or overridden by moderation")
    assert row.value == "3"


def test_no_moderation_no_methodology_paragraph(ledger):
    from tlr.app.report_data import moderation_text

    assert moderation_text({"moderated": 0, "by_action": {}, "by_reason": [], "stale": 0}, []) is None
    assert moderation_text(None, None) is None


def test_library_refuses_an_override_without_a_value_or_a_reason(scored):
    led, pid, (a, b, c) = scored
    with pytest.raises(CampaignError, match="reason"):
        moderate(led, "override", pid, a, "novelty", value="3", reason="")
    with pytest.raises(CampaignError, match="value"):
        moderate(led, "override", pid, a, "novelty", value="", reason="r")
    with pytest.raises(CampaignError, match="一行|one line"):
        moderate(led, "exclude", pid, a, "novelty", reason="a\u202eb")
    assert np.isclose(_consensus(led, pid)[0], 11 / 3)


def test_the_score_export_shows_each_moderation_and_the_value_the_evaluation_uses(scored):
    """Scores 2, 4, 5: a excluded, c overridden to 3, b untouched; then a answers again (stale exclusion)."""
    import csv
    import io
    import json

    from tlr.campaign.export import export_scores

    led, pid, (a, b, c) = scored
    moderate(led, "exclude", pid, a, "novelty", reason="=利益冲突 / conflict")
    moderate(led, "override", pid, c, "novelty", value="3", reason="更正 / correction")
    rows = {r["expert"]: r for r in json.loads(export_scores(led, "json"))["scores"] if r["project"] == pid}
    assert (rows[a]["moderation"], rows[a]["value"], rows[a]["value_used"]) == ("exclude", 2.0, None)
    assert (rows[c]["moderation"], rows[c]["value"], rows[c]["value_used"]) == ("override", 5.0, 3.0)
    assert (rows[b]["moderation"], rows[b]["value_used"]) == ("", 4.0)
    assert rows[c]["moderation_reason"] == "更正 / correction" and rows[c]["moderation_audit_seq"] > 0
    # the mean of value_used is the consensus the evaluation computes (mini rubric: mean of 4 and 3)
    assert _consensus(led, pid)[0] == pytest.approx((rows[b]["value_used"] + rows[c]["value_used"]) / 2)
    csv_rows = list(csv.DictReader(io.StringIO(export_scores(led, "csv").decode("utf-8-sig"))))
    assert {r["moderation_reason"] for r in csv_rows if r["expert"] == a} == {"'=利益冲突 / conflict"}
    record_score(led, a, pid, "novelty", "3")           # the exclusion judged the old score: stale, not applied
    rows = {r["expert"]: r for r in json.loads(export_scores(led, "json"))["scores"] if r["project"] == pid}
    assert (rows[a]["moderation"], rows[a]["value_used"]) == ("", 3.0)
