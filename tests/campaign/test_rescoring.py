"""Re-scoring rounds (复议): round 2 beside round 1; the evaluation takes each expert's latest answer."""

from __future__ import annotations

import json

import pytest

from tlr.campaign import clear_score, import_answers, record_score, verify_audit
from tlr.campaign.rounds import current_rounds, open_rescore, round_changes
from tlr.errors import CampaignError, ValidationError

from .conftest import run_cli
from .test_moderation import _consensus, _panel


@pytest.fixture
def round1(ledger):
    """The first project: novelty 2, 4, 5 and trl 1, 2, 3 by its three experts (round 1)."""
    pid, experts = _panel(ledger)
    for e, nov, trl in zip(experts, ("2", "4", "5"), ("1", "2", "3")):
        record_score(ledger, e, pid, "novelty", nov)
        record_score(ledger, e, pid, "trl", trl)
    return ledger, pid, experts


def _round_rows(led, pid, rnd=1):
    return led.conn.execute("SELECT expert_id, indicator_id, value, raw, score_seq FROM score_rounds "
                            "WHERE project_id = ? AND round = ? ORDER BY expert_id, indicator_id",
                            (pid, rnd)).fetchall()


def test_round_two_leaves_round_one_as_it_was_and_the_evaluation_uses_round_two(round1):
    led, pid, (a, b, c) = round1
    kept = led.conn.execute("SELECT expert_id, indicator_id, value, raw, audit_seq FROM scores WHERE project_id = ? "
                            "ORDER BY expert_id, indicator_id", (pid,)).fetchall()
    assert open_rescore(led, [pid], reason="评审会讨论") == {pid: {"round": 2, "kept": 6}}
    assert _round_rows(led, pid) == kept
    record_score(led, a, pid, "novelty", "4")        # a: 2 -> 4
    record_score(led, c, pid, "novelty", "3")        # c: 5 -> 3; b gives no new answer: 4 stands
    assert _round_rows(led, pid) == kept             # round 1 untouched
    assert _consensus(led, pid)[0] == pytest.approx((4 + 4 + 3) / 3)
    assert current_rounds(led)[pid]["round"] == 2
    assert verify_audit(led).ok


def test_round_two_by_answer_file_is_all_or_nothing(round1, tmp_path):
    led, pid, (a, b, c) = round1
    open_rescore(led, [pid])
    bad = tmp_path / "bad.csv"
    bad.write_text(f"project,indicator,value\n{pid},novelty,1\n{pid},trl,9\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        import_answers(led, a, bad)
    assert round_changes(led)[0]["rescored"] is False          # nothing of the bad file was written
    good = tmp_path / "good.csv"
    good.write_text(f"project,indicator,value\n{pid},novelty,1\n{pid},trl,2\n", encoding="utf-8")
    import_answers(led, a, good)
    changes = {(r["expert"], r["indicator"]): r for r in round_changes(led)}
    assert (changes[(a, "novelty")]["before"], changes[(a, "novelty")]["after"]) == (2.0, 1.0)
    assert changes[(a, "novelty")]["change"] == -1.0 and changes[(a, "trl")]["change"] == 1.0
    assert _round_rows(led, pid)[0][:3] == (a, "novelty", 2.0)


def test_changes_lists_each_expert_and_indicator_round_one_to_round_two(round1, capsys):
    led, pid, (a, b, c) = round1
    code, out, _ = run_cli(["moderate", "rescore", "open", "--projects", pid, "--reason", "复议", "-C",
                            led.path.parent, "--json"], capsys)
    assert code == 0 and json.loads(out)["opened"] == [{"project": pid, "round": 2, "kept": 6}]
    record_score(led, a, pid, "novelty", "5")               # +3
    record_score(led, b, pid, "trl", "2")                   # given again, same value: 0, re-scored
    clear_score(led, c, pid, "trl")                         # withdrawn
    code, out, _ = run_cli(["moderate", "changes", "--projects", pid, "--json", "-C", led.path.parent], capsys)
    assert code == 0
    got = [(r["expert"], r["indicator"], r["before"], r["after"], r["change"], r["rescored"], r["withdrawn"])
           for r in json.loads(out)["changes"]]
    assert got == [(a, "novelty", 2.0, 5.0, 3.0, True, False), (a, "trl", 1.0, 1.0, 0.0, False, False),
                   (b, "novelty", 4.0, 4.0, 0.0, False, False), (b, "trl", 2.0, 2.0, 0.0, True, False),
                   (c, "novelty", 5.0, 5.0, 0.0, False, False), (c, "trl", 3.0, None, None, False, True)]
    code, out, _ = run_cli(["moderate", "changes", "-C", led.path.parent], capsys)
    assert code == 0 and "1 → 2" in out and "+3" in out and "withdrawn" in out


def test_the_methodology_names_the_rescored_projects(round1):
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.report_data import build_report_data

    led, pid, _ = round1
    open_rescore(led, [pid], reason="讨论")
    ev = evaluate_campaign(led)
    assert ev.method["rescored"] == [{"project": pid, "round": 2, "reason": "讨论"}]
    text = build_report_data(led, ev).methodology.moderation
    assert f"复议：项目 {pid}（第 2 轮）" in text.zh and f"projects {pid} (round 2)" in text.en
    assert "没有专家评分被剔除或改判" in text.zh


def test_a_third_round_keeps_the_second(round1):
    led, pid, (a, b, c) = round1
    open_rescore(led, [pid])
    record_score(led, a, pid, "novelty", "3")
    assert open_rescore(led, [pid, pid]) == {pid: {"round": 3, "kept": 6}}
    assert [r[2] for r in _round_rows(led, pid, 2) if r[:2] == (a, "novelty")] == [3.0]
    assert [r[2] for r in _round_rows(led, pid, 1) if r[:2] == (a, "novelty")] == [2.0]
    (row,) = [r for r in round_changes(led) if (r["expert"], r["indicator"]) == (a, "novelty")]
    assert (row["round_before"], row["round_after"], row["before"], row["after"]) == (2, 3, 3.0, 3.0)


@pytest.mark.parametrize("args, message", [
    (["rescore", "open", "--projects", "P001,P999"], "P999"),
    (["rescore", "open"], "--projects"),
    (["changes", "--projects", "P999"], "P999"),
])
def test_bad_rescore_input_exits_2_and_opens_nothing(round1, capsys, args, message):
    led, pid, _ = round1
    code, out, err = run_cli(["moderate", *args, "-C", led.path.parent], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert led.conn.execute("SELECT count(*) FROM rescore_rounds").fetchone()[0] == 0


def test_changes_refuses_a_project_never_rescored(round1):
    led, pid, _ = round1
    with pytest.raises(CampaignError, match="no re-scoring round"):
        round_changes(led, [pid])
