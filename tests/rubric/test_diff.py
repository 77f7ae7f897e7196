"""``tlr rubric diff``: the structural difference of two rubrics, checked against what the YAML files say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tlr.cli import main
from tlr.rubric import load_rubric
from tlr.rubric.diff import diff_rubrics

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "rubrics" / "fund-screening.yaml"
COUNTY = ROOT / "rubrics" / "fund-screening-county.yaml"

# AHP of the root (the fund's dimension judgements): the market dimension's weight, unchanged by the
# county variant; read from the loaded base rubric rather than re-derived.


@pytest.fixture(scope="module")
def base():
    return load_rubric(BASE)


@pytest.fixture(scope="module")
def county():
    return load_rubric(COUNTY)


def test_county_variant_exact_changes(base, county):
    # Hand-read from fund-screening-county.yaml: new id and title; remove substitution; add local_jobs
    # under market; relabel industry_fit; weights market_size .3->.25, demand .25->.2,
    # competitiveness .45->.4, cost_advantage .5->1.0 (its only sibling is gone), local_jobs .15.
    d = diff_rubrics(base, county)
    got = [(c.section, c.change, c.id, c.field) for c in d.changes]
    assert got == [
        ("rubric", "changed", None, "id"),
        ("rubric", "changed", None, "title"),
        ("node", "removed", "substitution", "indicator"),
        ("node", "added", "local_jobs", "indicator"),
        ("node", "renamed", "industry_fit", "label"),
    ]
    relabel = d.changes[4]
    assert relabel.before == {"zh": "与本省重点产业链契合度", "en": "Fit with the province's key industrial chains"}
    assert relabel.after == {"zh": "与县域特色产业集群契合度", "en": "Fit with the county's specialty cluster"}
    assert d.renamed_ids == {}  # substitution and local_jobs differ in parent, position and scale: no id rename
    local = {w.id: (w.local_before, w.local_after) for w in d.weight_changes}
    assert local == {"market_size": (0.3, 0.25), "demand": (0.25, 0.2), "competitiveness": (0.45, 0.4),
                     "cost_advantage": (0.5, 1.0), "substitution": (0.5, None), "local_jobs": (None, 0.15)}
    market = base.node("market").global_weight
    assert county.node("market").global_weight == market
    rows = {w.id: w for w in d.weight_changes}
    assert rows["market_size"].global_after == pytest.approx(market * 0.25)
    assert rows["cost_advantage"].global_before == pytest.approx(market * 0.45 * 0.5)
    assert rows["cost_advantage"].global_after == pytest.approx(market * 0.4 * 1.0)
    assert rows["local_jobs"].global_after == pytest.approx(market * 0.15)
    # nothing else moved: every other node keeps its weights
    assert {w.id for w in d.weights if w.changed} == set(local)
    assert not d.empty


def test_trivial_diff_is_empty(base):
    d = diff_rubrics(base, load_rubric(BASE))
    assert d.changes == () and d.weight_changes == () and d.empty and d.same_content


def _edited(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = BASE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / "readiness").mkdir(exist_ok=True)
    src = ROOT / "rubrics" / "readiness"
    for f in src.iterdir():
        (tmp_path / "readiness" / f.name).write_bytes(f.read_bytes())
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_weight_only_edit(tmp_path, base):
    # team 0.4 / plan 0.3 / funding 0.3 -> team 0.5 / plan 0.2: exactly those two local weights move
    path = _edited(tmp_path, "        scale: likert5\n        weight: 0.4\n      - id: plan\n"
                             "        label: {zh: 实施方案与进度, en: Implementation plan and schedule}\n"
                             "        scale: likert5\n        weight: 0.3\n",
                   "        scale: likert5\n        weight: 0.5\n      - id: plan\n"
                   "        label: {zh: 实施方案与进度, en: Implementation plan and schedule}\n"
                   "        scale: likert5\n        weight: 0.2\n")
    d = diff_rubrics(base, load_rubric(path))
    assert d.changes == ()
    feas = base.node("feasibility").global_weight
    rows = {w.id: w for w in d.weight_changes}
    assert set(rows) == {"team", "plan"}
    assert (rows["team"].local_before, rows["team"].local_after) == (0.4, 0.5)
    assert (rows["plan"].local_before, rows["plan"].local_after) == (0.3, 0.2)
    assert rows["team"].global_after == pytest.approx(feas * 0.5)
    assert rows["plan"].global_after == pytest.approx(feas * 0.2)


def test_rules_scale_and_panel_edits(tmp_path, base):
    text_edits = [("min_score: 80", "min_score: 85"), ("min_experts: 5", "min_experts: 4"),
                  ("      3: {zh: 风险中等，有初步应对措施, en: \"moderate risk, some mitigation\"}\n", "")]
    path = tmp_path / "x.yaml"
    _edited(tmp_path, *text_edits[0], name="x.yaml")
    text = path.read_text(encoding="utf-8")
    for old, new in text_edits[1:]:
        assert text.count(old) == 1
        text = text.replace(old, new)
    text = text.replace("    effect: flag\n    max_tier: C\n", "    effect: flag\n    max_tier: B\n")
    path.write_text(text, encoding="utf-8")
    d = diff_rubrics(base, load_rubric(path))
    got = {(c.section, c.id, c.field): (c.before, c.after) for c in d.changes}
    assert got[("tier", "A", "min_score")] == (80.0, 85.0)
    assert got[("panel", None, "min_experts")] == (5, 4)
    assert got[("gate", "blocker", "max_tier")] == ("C", "B")
    # risk5 lost its anchor 3: every indicator on it shows the anchor change
    anchors = {c.id for c in d.changes if c.section == "scale" and c.field == "anchors"}
    assert anchors == {"tech_risk", "market_risk", "policy_risk"}
    assert len(d.changes) == 6
    assert d.weight_changes == ()


def test_unambiguous_id_rename(tmp_path, base):
    path = _edited(tmp_path, "      - id: foresight\n", "      - id: foresight2\n")
    d = diff_rubrics(base, load_rubric(path))
    assert d.renamed_ids == {"foresight": "foresight2"}
    assert [(c.change, c.before, c.after) for c in d.changes] == [("id_renamed", "foresight", "foresight2")]
    row = next(w for w in d.weights if w.id == "foresight")
    assert row.after_id == "foresight2" and not row.changed


def test_cli_table_and_json(capsys):
    assert main(["rubric", "diff", str(BASE), str(COUNTY), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in body["changes"] if c["section"] == "node"] == ["substitution", "local_jobs",
                                                                           "industry_fit"]
    assert {w["id"] for w in body["weight_changes"]} == {"market_size", "demand", "competitiveness", "cost_advantage",
                                                  "substitution", "local_jobs"}
    assert body["impact"] is None and body["empty"] is False
    assert main(["rubric", "diff", str(BASE), str(COUNTY), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "substitution" in out and "Local jobs created" in out and "0.2500" in out
    assert main(["rubric", "diff", str(BASE), str(BASE)]) == 0
    assert "无变化 / no changes" in capsys.readouterr().out


def test_cli_bad_rubric_is_located(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text(encoding="utf-8").replace("min_experts: 5", "min_experts: -5"), encoding="utf-8")
    (tmp_path / "readiness").symlink_to(ROOT / "rubrics" / "readiness")
    assert main(["rubric", "diff", str(BASE), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "min_experts" in err and "Traceback" not in err


def test_cli_campaign_not_found(tmp_path, capsys):
    assert main(["rubric", "diff", str(BASE), str(COUNTY), "-C", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and len(err.strip().splitlines()) <= 2


def test_html_page_structural(tmp_path):
    out = tmp_path / "diff.html"
    assert main(["rubric", "diff", str(BASE), str(COUNTY), "--html", str(out), "--lang", "en"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Structural changes" in html and "local_jobs" in html and "<svg" in html
    assert "Fit with the county&#39;s specialty cluster" in html  # auto-escaped
    assert "Impact on this round" not in html


def test_carry_scores_by_id(tmp_path):
    import numpy as np

    from tlr.app.rubric_impact import carry_scores
    from tlr.evaluation import ScoreCube

    path = tmp_path / "new.yaml"
    path.write_text(
        'format: 1\nid: new\nversion: "2"\ntitle: new\ndimensions:\n  - id: d\n    label: d\n    weight: 1\n'
        '    children:\n'
        '      - {id: a, label: a, weight: 0.4, scale: {kind: numeric, transform: {kind: linear, lower: 0, upper: 9}}}\n'
        '      - {id: b, label: b, weight: 0.4, scale: {kind: likert, min: 1, max: 3}}\n'
        '      - {id: c, label: c, weight: 0.2, applies_to: [basic_research], scale: {kind: likert, min: 1, max: 5}}\n',
        encoding="utf-8")
    new = load_rubric(path)
    # 2 experts x 2 projects on the old indicators a, b, x (all likert 1-5); one score missing
    values = np.array([[[1, 5, 2], [3, 2, 2]], [[4, 3, np.nan], [5, 4, 1]]], dtype=float)
    cube = ScoreCube.of(values, experts=["E1", "E2"], projects=["P1", "P2"], indicators=["a", "b", "x"])
    out, carried, missing, dropped, unused = carry_scores(
        cube, new, {"P1": "basic_research", "P2": "technology_development"},
        {"a": "likert", "b": "likert", "x": "likert"})
    assert out.indicators == ("a", "b", "c")
    assert carried == ["b"] and missing == ["c"] and unused == ["x"]
    # a: likert -> numeric, all 4 scores dropped; b: 5 and 4 are outside 1-3 (2 cells)
    assert dropped == [{"id": "a", "reason": "scale_kind", "cells": 4, "before": "likert", "after": "numeric"},
                       {"id": "b", "reason": "out_of_range", "cells": 2, "range": [1.0, 3.0]}]
    assert np.isnan(out.values[:, :, 0]).all()
    np.testing.assert_array_equal(out.values[:, :, 1], [[np.nan, 2], [3, np.nan]])
    assert np.isnan(out.values[:, :, 2]).all()
    # applicability follows NEW: c applies only to basic research (P1)
    assert out.applicable.tolist() == [[True, True, True], [True, True, False]]
