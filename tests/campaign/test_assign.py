"""Assignment: conflicts never assigned, recusals recorded with reasons, balance, seeds, overrides."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.campaign import (add_assignment, assign_experts, import_experts, import_projects, record_score,
                          recuse, remove_assignment, solve, verify_audit)
from tlr.campaign.assign import conflicts
from tlr.errors import CampaignError

from .conftest import FIXTURES, run_cli


def _pairs(led, table):
    return {(e, p) for e, p in led.conn.execute(f"SELECT expert_id, project_id FROM {table}")}


def test_conflicts_are_recused_with_reasons_and_never_assigned(ledger):
    rec = {(r["expert_id"], r["project_id"]): r["reason"] for r in ledger.rows("recusals")}
    assert rec == {("E01", "P001"): "co_applicant", ("E01", "P003"): "co_applicant",
                   ("E02", "P003"): "same_institution", ("E03", "P002"): "declared_org",
                   ("E05", "P005"): "co_applicant"}
    assert not (_pairs(ledger, "assignments") & set(rec))
    counts = {}
    for _e, p in _pairs(ledger, "assignments"):
        counts[p] = counts.get(p, 0) + 1
    assert set(counts.values()) == {3} and len(counts) == 6


def test_every_conflict_kind(empty_ledger, tmp_path):
    projects = [
        {"id": "P1", "name": "a", "applicant": "甲大学", "industry": "钢铁", "co_applicants": ["乙公司"],
         "excluded_experts": ["E5"]},
        {"id": "P2", "name": "b", "applicant": "丙所", "industry": "钢铁"},
    ]
    experts = [
        {"id": "E1", "name": "1", "institution": "甲大学", "fields": ["钢铁"]},                       # same institution
        {"id": "E2", "name": "2", "institution": "乙公司", "fields": ["钢铁"]},                       # co-applicant
        {"id": "E3", "name": "3", "institution": "丁", "fields": ["钢铁"], "conflicts": ["甲大学"]},  # declared org
        {"id": "E4", "name": "4", "institution": "戊", "fields": ["钢铁"], "conflict_projects": ["P2"]},
        {"id": "E5", "name": "5", "institution": "己", "fields": ["钢铁"]},                            # applicant asked
        {"id": "E6", "name": "6", "institution": "ＪＩＡ　大学", "fields": ["钢铁"]},
    ]
    (tmp_path / "p.json").write_text(json.dumps(projects, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps(experts, ensure_ascii=False), encoding="utf-8")
    import_experts(empty_ledger, tmp_path / "e.json")
    import_projects(empty_ledger, tmp_path / "p.json")
    result = assign_experts(empty_ledger, 5, seed=3)
    rec = {(r["expert_id"], r["project_id"]): r["reason"] for r in empty_ledger.rows("recusals")}
    assert rec == {("E1", "P1"): "same_institution", ("E2", "P1"): "co_applicant", ("E3", "P1"): "declared_org",
                   ("E4", "P2"): "declared_project", ("E5", "P1"): "applicant_request"}
    assigned = _pairs(empty_ledger, "assignments")
    assert not assigned & set(rec)
    assert {e for e, p in assigned if p == "P1"} == {"E4", "E6"}  # the only eligible ones
    assert result.shortfall == {"P1": 3}
    assert any(w.code == "below_min_experts" for w in result.warnings)


def test_institution_names_normalised():
    mask, reasons = conflicts([{"id": "E", "institution": "Ｙａｎｓｈａｎ Ｕｎｉｖｅｒｓｉｔｙ", "fields": []}],
                              [{"id": "P", "applicant": "yanshan university", "co_applicants": []}])
    assert mask[0, 0] and reasons[(0, 0)][0][0] == "same_institution"


def test_seed_reproducible_and_balanced(tmp_path, rubric):
    # balanced load on a pool of 12 experts, 40 projects, 5 each: 200 / 12 -> 16 or 17
    from tlr.campaign import init_campaign

    def build(name, seed):
        led = init_campaign(tmp_path / name, rubric)
        projects = [{"id": f"P{k}", "name": "n", "applicant": f"A{k % 7}",
                     "industry": ["钢铁", "新材料", "新能源"][k % 3]} for k in range(40)]
        experts = [{"id": f"E{k}", "name": "n", "institution": f"A{k}" if k < 3 else f"X{k}",
                    "fields": [["钢铁", "新材料", "新能源"][k % 3]]} for k in range(12)]
        (tmp_path / f"{name}p.json").write_text(json.dumps(projects), encoding="utf-8")
        (tmp_path / f"{name}e.json").write_text(json.dumps(experts), encoding="utf-8")
        import_projects(led, tmp_path / f"{name}p.json")
        import_experts(led, tmp_path / f"{name}e.json")
        res = assign_experts(led, 5, seed=seed)
        pairs = _pairs(led, "assignments")
        led.close()
        return res, pairs

    r1, a1 = build("a", 11)
    r2, a2 = build("b", 11)
    r3, a3 = build("c", 12)
    assert a1 == a2
    assert a1 != a3
    loads = list(r1.loads.values())
    assert max(loads) - min(loads) <= 1 and sum(loads) == 200


def test_topping_up_keeps_existing(ledger):
    before = _pairs(ledger, "assignments")
    result = assign_experts(ledger, 4, seed=5)
    after = _pairs(ledger, "assignments")
    assert before <= after and len(after) == 24 - sum(result.shortfall.values())
    assert verify_audit(ledger).ok


def test_manual_overrides_audited_and_conflicts_refused(ledger):
    with pytest.raises(CampaignError, match="conflict"):
        add_assignment(ledger, "E02", "P003", reason="try")  # same institution
    free = [(e["id"], p["id"]) for e in ledger.experts() for p in ledger.projects()
            if (e["id"], p["id"]) not in _pairs(ledger, "assignments") | _pairs(ledger, "recusals")]
    e, p = free[0]
    add_assignment(ledger, e, p, reason="补充专家")
    assert (e, p) in _pairs(ledger, "assignments")
    remove_assignment(ledger, e, p, reason="撤回")
    assert (e, p) not in _pairs(ledger, "assignments")
    actions = [json.loads(r[1])["reason"] for r in ledger.conn.execute(
        "SELECT action, payload FROM audit WHERE action LIKE 'assign.manual%' ORDER BY seq")]
    assert actions == ["补充专家", "撤回"]
    assert verify_audit(ledger).ok


def test_remove_with_scores_refused_recuse_removes_scores(ledger):
    e, p = sorted(_pairs(ledger, "assignments"))[0]
    record_score(ledger, e, p, "novelty", "3")
    with pytest.raises(CampaignError, match="already gave"):
        remove_assignment(ledger, e, p, reason="x")
    assert recuse(ledger, e, p, reason="专家声明曾参与该项目") == 1
    assert (e, p) in _pairs(ledger, "recusals") and (e, p) not in _pairs(ledger, "assignments")
    assert ledger.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 0
    with pytest.raises(CampaignError, match="recused"):
        record_score(ledger, e, p, "novelty", "3")
    with pytest.raises(CampaignError, match="conflict"):
        add_assignment(ledger, e, p, reason="again")
    assert verify_audit(ledger).ok


def test_cli_assign(tmp_path, capsys, rubric):
    from tlr.campaign import init_campaign

    init_campaign(tmp_path / "r", rubric).close()
    c = ["--campaign", tmp_path / "r"]
    assert run_cli(["projects", "import", FIXTURES / "projects.csv", *c], capsys)[0] == 0
    assert run_cli(["experts", "import", FIXTURES / "experts.csv", *c], capsys)[0] == 0
    code, out, _ = run_cli(["assign", "--per-project", "3", "--seed", "2", "--json", *c], capsys)
    assert code == 0 and json.loads(out)["added"] == 18
    code, out, _ = run_cli(["assign", "--list", "--json", *c], capsys)
    data = json.loads(out)
    assert len(data["assignments"]) == 18 and len(data["recusals"]) == 5
    code, _out, err = run_cli(["assign", "--add", "E02:P003", *c], capsys)
    assert code == 2 and "--reason" in err
    code, _out, err = run_cli(["assign", "--add", "E02:P003", "--reason", "x", *c], capsys)
    assert code == 2 and "conflict" in err


@settings(max_examples=25, deadline=None)
@given(E=st.integers(3, 10), P=st.integers(1, 25), k=st.integers(1, 4), seed=st.integers(0, 1000),
       density=st.floats(0, 0.4))
def test_solve_properties(E, P, k, seed, density):
    rng = np.random.default_rng(seed)
    conflict = rng.random((E, P)) < density
    eligible = ~conflict
    match = rng.random((E, P)).round()
    sol = solve(eligible, np.full(P, k), match, seed=seed)
    a = sol.assigned
    assert not (a & conflict).any()
    want = np.minimum(k, eligible.sum(axis=0))
    assert (a.sum(axis=0) == want).all()
    assert a.sum(axis=1).max() <= sol.max_load
    for p, miss in sol.shortfall.items():
        assert miss == k - eligible[:, p].sum()


def test_infeasible_balance_raises_cap_in_one_step():
    # 30 projects, 6 experts, 2 per project, but only experts 0 and 1 may take projects 0..19
    E, P = 6, 30
    eligible = np.ones((E, P), dtype=bool)
    eligible[2:, :20] = False
    sol = solve(eligible, np.full(P, 2), np.zeros((E, P)), seed=0)
    assert sol.max_load == 20  # 40 slots on projects 0..19 need experts 0 and 1 at 20 each
    assert (sol.assigned.sum(axis=0) == 2).all() and not (sol.assigned & ~eligible).any()
