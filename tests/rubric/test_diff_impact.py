"""``tlr rubric diff -C``: the demo round re-evaluated under the county variant, checked against an
independent evaluation (the scores read as a table, the cube built here, :func:`tlr.evaluation.evaluate`)
and against the demo's own ranking file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tlr.cli import main

pytestmark = pytest.mark.slow  # the shared demo round (built once per session, about 20 s)

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "rubrics" / "fund-screening.yaml"
COUNTY = ROOT / "rubrics" / "fund-screening-county.yaml"


def _independent(ledger, rubric):
    """Evaluate the campaign's scores under *rubric* without the module under test."""
    from tlr.campaign import scores_frame
    from tlr.campaign.rules import indicator_applies
    from tlr.campaign.trl import assessed_readiness
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate

    frame = scores_frame(ledger)
    experts = [e["id"] for e in ledger.experts()]
    projects = ledger.projects()
    pids = [p["id"] for p in projects]
    iids = [n.id for n in rubric.indicators]
    values = np.full((len(experts), len(pids), len(iids)), np.nan)
    for row in frame.itertuples():
        if row.indicator in iids:
            values[experts.index(row.expert), pids.index(row.project), iids.index(row.indicator)] = row.value
    assigned = np.zeros((len(experts), len(pids)), dtype=bool)
    for e, p in ledger.assignment_pairs():
        assigned[experts.index(e), pids.index(p)] = True
    recused = np.zeros_like(assigned)
    for e, p, *_ in ledger.recusal_list():
        recused[experts.index(e), pids.index(p)] = True
    applicable = np.array([[indicator_applies(rubric, n, p["achievement_type"]) for n in rubric.indicators]
                           for p in projects], dtype=bool)
    cube = ScoreCube(values, tuple(experts), tuple(pids), tuple(iids), assigned, recused, applicable)
    readiness = assessed_readiness(ledger)
    return evaluate(rubric, cube, readiness_assessed={k: r.level for k, r in readiness.items()},
                    readiness_asserted=[k for k, r in readiness.items() if r.basis != "evidenced"],
                    options=EvaluationOptions(draws=50, bootstrap_draws=0))


@pytest.fixture(scope="module")
def county_impact(demo):
    from tlr.app.rubric_impact import rubric_impact
    from tlr.campaign import open_campaign
    from tlr.rubric import load_rubric

    ledger = open_campaign(demo / "round-2026")
    try:
        county = load_rubric(COUNTY)
        impact = rubric_impact(ledger, load_rubric(BASE), county, top_k=10)
        after = _independent(ledger, county)
    finally:
        ledger.close()
    return impact, after


def test_before_is_the_demos_own_ranking(demo, county_impact):
    impact, _ = county_impact
    ranking = {p["project"]: p for p in json.loads((demo / "ranking.json").read_text(encoding="utf-8"))["projects"]}
    assert impact.n_projects == len(ranking) == 58
    for p in impact.projects:
        r = ranking[p.id]
        assert (p.rank_before, p.tier_before) == (r["rank"], r["tier"])
        assert p.composite_before == pytest.approx(r["composite"], abs=1e-6)
    assert impact.old_matches_frozen and impact.baseline["id"] == "fund-screening"


def test_after_matches_an_independent_evaluation(county_impact):
    from scipy.stats import kendalltau

    impact, after = county_impact
    index = {pid: k for k, pid in enumerate(after.projects)}
    for p in impact.projects:
        k = index[p.id]
        assert p.rank_after == int(after.rank[k])
        assert p.tier_after == after.tier[k]
        assert p.composite_after == pytest.approx(float(after.composite[k]), abs=1e-9)
    before = np.array([next(m.rank_before for m in impact.projects if m.id == pid) for pid in after.projects])
    expected = kendalltau(before, np.asarray(after.rank, dtype=float)).statistic
    assert impact.tau == pytest.approx(expected, abs=1e-12)
    assert impact.tau < 1  # the county weights do move some projects
    # what could not be carried over is named
    assert impact.missing == ("local_jobs",) and impact.unused == ("substitution",) and impact.dropped == ()
    # tier moves add up to the projects, and agree with the per-project rows
    assert sum(n for row in impact.tier_moves.values() for n in row.values()) == 58
    moved = sum(n for a, row in impact.tier_moves.items() for b, n in row.items() if a != b)
    assert moved == sum(p.tier_before != p.tier_after for p in impact.projects)
    # top 10 and fundable sets from the rows themselves
    top_after = {p.id for p in impact.projects if p.rank_after <= 10}
    assert set(impact.top_after) == top_after
    assert set(impact.fundable_after) == {p.id for p in impact.projects if p.tier_after in ("A", "B")}


def test_trivial_diff_on_the_demo(demo, capsys):
    assert main(["rubric", "diff", str(BASE), str(BASE), "-C", str(demo / "round-2026"), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    impact = body["impact"]
    assert body["empty"] and body["changes"] == []
    assert impact["kendall_tau"] == {"tau_b": 1.0, "p_value": impact["kendall_tau"]["p_value"], "n": 58}
    assert all(p["rank_before"] == p["rank_after"] and not p["tier_changed"] for p in impact["projects"])
    assert impact["top"]["overlap"] == 10 and impact["missing"] == [] and impact["old_matches_frozen"]


def test_old_other_than_frozen_is_named(demo, capsys):
    # OLD = the county variant, NEW = the campaign's own rubric: "before" is still the frozen rubric, said so,
    # and NEW re-evaluates to exactly the same ranking
    assert main(["rubric", "diff", str(COUNTY), str(BASE), "-C", str(demo / "round-2026"), "--json"]) == 0
    impact = json.loads(capsys.readouterr().out)["impact"]
    assert not impact["old_matches_frozen"] and impact["baseline"]["id"] == "fund-screening"
    assert impact["kendall_tau"]["tau_b"] == 1.0 and impact["missing"] == []
    assert main(["rubric", "diff", str(COUNTY), str(BASE), "-C", str(demo / "round-2026")]) == 0
    assert "OLD differs from the campaign's frozen rubric" in capsys.readouterr().out


def test_no_shared_scores_is_refused(demo, tmp_path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text('format: 1\nid: other\nversion: "1"\ntitle: other\ndimensions:\n  - id: d\n    label: d\n'
                     '    weight: 1\n    children:\n      - {id: zzz, label: z, weight: 1, '
                     'scale: {kind: likert, min: 1, max: 5}}\n', encoding="utf-8")
    assert main(["rubric", "diff", str(BASE), str(other), "-C", str(demo / "round-2026")]) == 2
    err = capsys.readouterr().err
    assert "none of the new rubric's scored indicators has a score" in err and "Traceback" not in err


def test_narrower_scale_drops_out_of_range_scores(demo, tmp_path):
    from tlr.app.rubric_impact import rubric_impact
    from tlr.campaign import open_campaign, scores_frame
    from tlr.rubric import load_rubric

    text = BASE.read_text(encoding="utf-8")
    old = "  likert5:\n    kind: likert\n    label: {zh: 五级评分, en: Five-point rating}\n    min: 1\n    max: 5\n"
    assert text.count(old) == 1
    (tmp_path / "readiness").symlink_to(ROOT / "rubrics" / "readiness")
    edited = tmp_path / "narrow.yaml"
    edited.write_text(text.replace(old, old.replace("max: 5", "max: 4")).replace(
        "      5: {zh: 很好, en: very good}\n", ""), encoding="utf-8")
    new = load_rubric(edited)
    ledger = open_campaign(demo / "round-2026")
    try:
        impact = rubric_impact(ledger, load_rubric(BASE), new)
        frame = scores_frame(ledger)
    finally:
        ledger.close()
    likert5 = {n.id for n in new.indicators if n.model.scale == "likert5"}
    expected = frame[frame.indicator.isin(likert5) & (frame.value > 4)].groupby("indicator", observed=True).size()
    got = {d["id"]: d["cells"] for d in impact.dropped}
    assert got and got == {k: int(v) for k, v in expected.items() if v}
    assert all(d["reason"] == "out_of_range" for d in impact.dropped)


def test_html_page_with_campaign(demo, tmp_path):
    out = tmp_path / "diff.html"
    assert main(["rubric", "diff", str(BASE), str(COUNTY), "-C", str(demo / "round-2026"), "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "对本轮评审的影响" in html and "P2026-011" in html and "Kendall" in html


def test_a_ledger_that_fails_its_audit_is_refused_or_stamped(demo, tmp_path, capsys):
    import shutil
    import sqlite3

    campaign = tmp_path / "round"
    shutil.copytree(demo / "round-2026", campaign)
    conn = sqlite3.connect(campaign / "campaign.sqlite")
    conn.execute("UPDATE scores SET value = 5 WHERE (expert_id, project_id, indicator_id) IN "
                 "(SELECT expert_id, project_id, indicator_id FROM scores WHERE indicator_id = 'innovation' "
                 "AND value < 5 LIMIT 3)")
    conn.commit()
    conn.close()
    argv = ["rubric", "diff", str(BASE), str(COUNTY), "-C", str(campaign)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "audit" in err and "Traceback" not in err
    page = tmp_path / "diff.html"
    assert main([*argv, "--allow-unverified", "--json", "--html", str(page)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["audit"]["verified"] is False and body["audit"]["stamp"]["en"] == "audit failed"
    assert '<div class="stamp-banner">审计未通过 / AUDIT FAILED</div>' in page.read_text(encoding="utf-8")
    assert main([*argv, "--allow-unverified"]) == 0
    assert "审计未通过 / audit failed" in capsys.readouterr().out
