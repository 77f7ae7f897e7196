"""panel.calibration: the rubric setting, the consensus stage with a rater-effects model, the composite
standard error, the refusal, and what `tlr rank --json` and the report show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tlr.evaluation import evaluate
from tlr.evaluation.consensus import consensus_of, panel_rule
from tlr.evaluation.cube import ScoreCube
from tlr.evaluation.options import EvaluationOptions
from tlr.panel.calibration import CalibrationError, fit_additive, fit_bayesian, fit_scaled
from tlr.rubric import rubric_from_data

from .rubrics import make_rubric

ROOT = Path(__file__).resolve().parents[2]
PANEL = {"consensus": "mean", "trim": 1, "min_experts": 2, "quorum": 0.6}


def _rubric(**panel):
    return make_rubric(panel={**PANEL, **panel})


def _panel_scores(seed=0, E=6, P=12, k=4):
    """(E, P, 4) novelty, trl, demand, ip: each project by k of E experts; expert 0 lenient, 1 harsh."""
    rng = np.random.default_rng(seed)
    s = np.full((E, P, 4), np.nan)
    quality = rng.uniform(1.5, 4.5, (P, 2))
    shift = np.zeros(E)
    shift[0], shift[1] = 0.8, -0.8
    for p in range(P):
        for e in [(p + j) % E for j in range(k)]:
            s[e, p, [0, 2]] = np.clip(np.round(quality[p] + shift[e] + rng.normal(0, 0.3, 2)), 1, 5)
            s[e, p, 1] = 3 + (p % 4)
            s[e, p, 3] = 1
    return s


# ------------------------------------------------------------------ the rubric setting

@pytest.mark.parametrize("panel, expected", [({}, "none"), ({"leniency_correction": True}, "leniency"),
                                             ({"calibration": "additive"}, "additive"),
                                             ({"calibration": "bayesian", "leniency_correction": False}, "bayesian"),
                                             ({"calibration": "leniency", "leniency_correction": True}, "leniency")])
def test_calibration_setting_and_its_synonym(panel, expected):
    rubric = _rubric(**panel)
    assert rubric.document.panel.calibration_method == expected
    assert panel_rule(rubric, EvaluationOptions()).calibration == expected


@pytest.mark.parametrize("panel", [{"calibration": "additive", "leniency_correction": True},
                                   {"calibration": "none", "leniency_correction": True},
                                   {"calibration": "leniency", "leniency_correction": False}])
def test_contradictory_settings_are_a_located_rubric_error(tmp_path, panel, capsys):
    from tlr.cli import main

    lines = "\n".join(f"  {k}: {str(v).lower()}" for k, v in panel.items())
    (tmp_path / "r.yaml").write_text(f"""id: t
version: "1"
title: T
panel:
  consensus: mean
{lines}
scales:
  l5: {{kind: likert, min: 1, max: 5}}
dimensions:
  - {{id: a, label: A, scale: l5, weight: 1}}
""", encoding="utf-8")
    code = main(["rubric", "check", str(tmp_path / "r.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "r.yaml:5:3: panel:" in err and "contradicts calibration" in err and "Traceback" not in err


def test_unstated_calibration_keeps_the_rubric_hash():
    # a rubric that does not state calibration hashes as before (frozen campaigns keep their hash)
    assert "calibration" not in make_rubric().canonical_json()
    assert '"calibration":"additive"' in _rubric(calibration="additive").canonical_json()


def test_options_override_the_rubric():
    rubric = _rubric(calibration="additive")
    assert panel_rule(rubric, EvaluationOptions(calibration="none")).calibration == "none"
    assert panel_rule(rubric, EvaluationOptions(leniency_correction=True)).calibration == "leniency"
    assert panel_rule(_rubric(leniency_correction=True),
                      EvaluationOptions(leniency_correction=False)).calibration == "none"


# ------------------------------------------------------------------ the consensus stage

@pytest.mark.parametrize("method, fit", [("additive", fit_additive), ("bayesian", fit_bayesian),
                                         ("scaled", fit_scaled)])
def test_interval_indicators_take_the_calibrated_quality_ordinal_keep_their_rule(method, fit):
    s = _panel_scores()
    c = consensus_of(_rubric(calibration=method), s, EvaluationOptions())
    direct = fit(s[:, :, [0, 2]])
    np.testing.assert_allclose(c.values[:, [0, 2]], np.clip(direct.quality, 1, 5), atol=1e-12)
    np.testing.assert_allclose(c.calibration.quality_se[:, [0, 2]], direct.quality_se, atol=1e-12)
    assert np.isnan(c.calibration.quality_se[:, [1, 3]]).all()
    # TRL: lower median of the scores, exactly as without calibration; ip: majority
    plain = consensus_of(_rubric(), s, EvaluationOptions())
    np.testing.assert_array_equal(c.values[:, [1, 3]], plain.values[:, [1, 3]])
    assert c.used == {"novelty": method, "trl": "median_low", "demand": method, "ip": "majority"}
    # the lenient expert found lenient, the harsh one harsh
    assert c.calibration.leniency[0, 0] > 0.3 and c.calibration.leniency[1, 0] < -0.3


def test_calibrated_values_are_clipped_to_the_scale():
    # project 0's experts (E0-E3) give it 5 and are harsher than E4, E5 everywhere else: their 5 means more
    s = _panel_scores()
    s[:, 0, 0] = np.where(np.isnan(s[:, 0, 0]), np.nan, 5.0)
    s[:4, 1:, 0] = np.where(np.isnan(s[:4, 1:, 0]), np.nan, np.maximum(s[:4, 1:, 0] - 1, 1.0))
    fit = fit_additive(s[:, :, [0, 2]])
    assert fit.quality[0, 0] > 5.0
    c = consensus_of(_rubric(calibration="additive"), s, EvaluationOptions())
    assert c.values[0, 0] == 5.0


def test_refusal_names_the_model_the_reason_and_the_way_out():
    s = _panel_scores()
    s[5, :, :] = np.nan
    s[5, 0, :] = [4, 5, 4, 1]          # expert 5 scored a single project
    with pytest.raises(CalibrationError) as info:
        consensus_of(_rubric(calibration="additive"), s, EvaluationOptions(), expert_ids=[f"E{k}" for k in range(6)])
    text = info.value.format()
    assert "calibration 'additive' refused" in text and "E5 (1)" in text and "calibration: none" in text
    assert "\n" not in text


def _evaluation(method, **panel):
    s = _panel_scores(E=6, P=12)
    E, P, _ = s.shape
    cube = ScoreCube.of(s, projects=[f"P{p:02d}" for p in range(P)], experts=[f"E{e}" for e in range(E)],
                        indicators=["novelty", "trl", "demand", "ip"])
    return evaluate(_rubric(calibration=method, **panel), cube, options=EvaluationOptions(draws=50, bootstrap_draws=0))


def test_composite_standard_error_by_hand():
    ev = _evaluation("additive")
    cal = ev.calibration
    # weighted sum: novelty 0.5*0.6 = 0.3, trl 0.5*0.4 = 0.2, demand 0.5; likert utility (x - 1) / 4;
    # TRL is not calibrated and contributes nothing; errors independent
    se = 100 * np.sqrt((0.3 * cal.quality_se[:, 0] / 4) ** 2 + (0.5 * cal.quality_se[:, 2] / 4) ** 2)
    np.testing.assert_allclose(ev.composite_se, se, rtol=1e-9)
    assert ev.method["calibration"] == "additive" and ev.method["leniency_correction"] is False


def test_no_calibration_no_standard_error():
    ev = _evaluation("none")
    assert ev.calibration is None and ev.composite_se is None


# ------------------------------------------------------------------ end to end: rank --json, the report, exit 2

def _calibrated_rubric(tmp_path: Path, method: str) -> Path:
    text = (ROOT / "rubrics" / "fund-screening.yaml").read_text(encoding="utf-8")
    assert "  leniency_correction: false\n" in text
    (tmp_path / "rubrics").mkdir(exist_ok=True)
    shutil.copytree(ROOT / "rubrics" / "readiness", tmp_path / "rubrics" / "readiness", dirs_exist_ok=True)
    path = tmp_path / "rubrics" / f"fund-{method}.yaml"
    path.write_text(text.replace("  leniency_correction: false\n", f"  calibration: {method}\n"), encoding="utf-8")
    return path


@pytest.mark.slow
def test_rank_json_and_report_show_the_calibration(tmp_path, capsys):
    from tests.evaluate.rounds import build_round
    from tests.evaluate.truth import rank_json, run

    campaign = build_round(tmp_path / "b", rubric=_calibrated_rubric(tmp_path, "bayesian"), projects=10, experts=6,
                           per_project=5)
    data = rank_json(campaign, capsys)
    assert data["method"]["calibration"] == "bayesian"
    records = data["projects"]
    assert all(r["composite_se"] is not None and r["composite_se"] > 0 for r in records)
    code, out, err = run(["rubric", "show", _calibrated_rubric(tmp_path, "bayesian"), "--json"], capsys)
    assert json.loads(out)["panel"]["calibration"] == {"value": "bayesian", "default": False}
    code, _, err = run(["report", campaign, "--out", tmp_path / "r", "--format", "html", "--draws", "200"], capsys)
    assert code == 0, err
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    method = html[html.index('id="methodology"'):]
    assert "贝叶斯评分者效应模型" in method and 'class="calibration"' in method
    table = method[method.index('class="calibration"'):method.index("</table>", method.index('class="calibration"'))]
    assert all(f"<td>E{k:02d}</td>" in table for k in range(6))
    se = f"± {records[0]['composite_se']:.1f}"
    assert se in html


@pytest.mark.slow
def test_refused_calibration_exits_2_in_one_line(tmp_path, capsys):
    from tests.evaluate.rounds import build_round
    from tests.evaluate.truth import run

    campaign = build_round(tmp_path / "b", rubric=_calibrated_rubric(tmp_path, "additive"), projects=3, experts=6,
                           per_project=2)
    code, out, err = run(["rank", campaign, "--json", "--draws", "100"], capsys)
    assert code == 2
    lines = [x for x in err.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "calibration 'additive' refused" in lines[0] and "calibration: none" in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("panel, listed, absent", [
    ({}, "评分校正 不校正", "宽严偏差校正"),
    ({"leniency_correction": True}, None, "评分校正"),
    ({"calibration": "additive"}, None, "宽严偏差校正"),
])
def test_defaults_sentence_names_the_calibration_once(panel, listed, absent):
    import dataclasses

    from tlr.app.report_data import methodology

    ev = _evaluation("none")
    rubric = _rubric(**panel)
    method = {**ev.method, "panel_defaults": list(rubric.panel_defaults)}
    text = methodology(dataclasses.replace(ev, rubric=rubric, method=method), "zh").consensus_method.zh
    defaults = text[text.index("评价体系未规定"):] if "评价体系未规定" in text else ""
    if listed:
        assert listed in defaults
    assert absent not in defaults
