"""The shipped rubric library: every file valid without warnings, published numbers reproduced.

Expected numbers below are written by hand from the sources (Payne's default weights, the legacy
sheet's plain sum, the AHP priorities the judgements were designed for), not copied from tool output.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tlr.rubric import check_rubric, load_rubric
from tlr.rubric.model import BooleanScale, LevelsScale, LikertScale, NumericScale, GradesScale

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "rubrics"
SHIPPED = sorted(RUBRICS.glob("*.yaml"))
LIBRARY = [
    "gbt44731-five-value",
    "gbt44731-basic-research",
    "gbt44731-applied-research",
    "gbt44731-technology-development",
    "legacy-tech-development-sheet",
    "stage-gate-cooper-gate3",
    "vc-payne-scorecard",
]
BASE = "gbt44731-five-value"
VARIANTS = LIBRARY[1:4]


def _load(name: str):
    return load_rubric(RUBRICS / f"{name}.yaml")


_CACHE: dict[str, object] = {}


def rubric(name: str):
    if name not in _CACHE:
        _CACHE[name] = _load(name)
    return _CACHE[name]


def gw(r, node_id: str) -> float:
    return r.node(node_id).global_weight


def lw(r, node_id: str) -> float:
    return r.node(node_id).local_weight


# --------------------------------------------------------------------------- every shipped file


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_rubric_is_valid_without_warnings(path: Path):
    result = check_rubric(path)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    assert not result.warnings, "\n".join(d.format() for d in result.warnings)
    r = result.rubric
    assert math.isclose(float(r.global_weights().sum()), 1.0, abs_tol=1e-12)
    assert all(n.global_weight >= 0 for n in r.nodes)
    assert all(bool(np.all(a.consistent)) for a in r.ahp.values())


def test_library_files_exist():
    stems = {p.stem for p in SHIPPED}
    assert set(LIBRARY) <= stems


@pytest.mark.parametrize("name", LIBRARY)
def test_metadata_bilingual_sourced(name: str):
    text = (RUBRICS / f"{name}.yaml").read_text(encoding="utf-8")
    assert "\nformat: 1\n" in text
    assert f'\nversion: "' in text, "version must be quoted"
    r = rubric(name)
    doc = r.document
    assert doc.id == name
    assert doc.title.zh and doc.title.en
    assert doc.description.zh and doc.description.en
    assert doc.applies_to
    assert doc.sources and all(s.confidence in ("V", "S", "M") for s in doc.sources)
    assert doc.tiers and doc.tiers[-1].min_score is None and doc.tiers[-1].when is None
    # the rank-robustness step expects the default tier to be called D
    assert doc.tiers[-1].id == "D"
    for n in r.nodes:
        assert n.label.zh and n.label.en, n.id


def test_ahp_used_in_base_and_other_files():
    with_ahp = [name for name in LIBRARY if rubric(name).document.ahp is not None]
    assert BASE in with_ahp and len(with_ahp) >= 2


# --------------------------------------------------------------------------- GB/T 44731 base

DIMS = ["science", "technology", "economic", "social_cultural", "transfer"]


def _eigen_weights(ids: list[str], judgements) -> tuple[np.ndarray, float]:
    n = len(ids)
    a = np.ones((n, n))
    for x, y, v in judgements:
        i, j = ids.index(x), ids.index(y)
        a[i, j] = float(v)
        a[j, i] = 1.0 / float(v)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(values[k].real)


def test_base_dimension_weights_match_independent_eigenvector():
    r = rubric(BASE)
    judgements = r.document.ahp.judgements
    assert len(judgements) == 10  # every pair of five dimensions once
    w, lam = _eigen_weights(DIMS, judgements)
    got = np.array([gw(r, d) for d in DIMS])
    np.testing.assert_allclose(got, w, atol=1e-8)
    # the priorities the judgements were designed for (hand calculation, 4 decimals)
    np.testing.assert_allclose(got, [0.1843, 0.3491, 0.1843, 0.0980, 0.1843], atol=5e-5)
    ci = (lam - 5) / 4
    assert 0 < ci / 1.12 < 0.01  # CR with Saaty's RI(5) = 1.12: nearly consistent


def test_base_structure_follows_survey():
    r = rubric(BASE)
    assert [n.id for n in r.children(None)] == DIMS
    kids = lambda d: [n.id for n in r.children(d) if n.role == "score"]  # noqa: E731
    assert kids("technology") == ["tech_innovation", "tech_advancement", "tech_difficulty", "trl_level"]
    assert kids("economic") == ["market_size", "expected_benefit", "transaction_valuation", "potential_risk"]
    assert kids("transfer") == ["application_scenarios", "industrialisation_conditions", "team", "ip_portfolio"]
    trl = r.indicator("trl_level")
    assert isinstance(trl.scale, LevelsScale) and len(trl.scale.levels) == 9
    pts = trl.model.points
    assert sorted(pts) == list(range(1, 10)) and pts[1] == 0.0 and pts[9] == 1.0
    assert all(pts[k] < pts[k + 1] for k in range(1, 9))
    assert r.document.readiness == "trl_level"
    # hand-set local weights
    assert lw(r, "tech_innovation") == 0.3 and lw(r, "trl_level") == 0.25
    assert lw(r, "expected_benefit") == 0.35 and lw(r, "social_benefit") == 0.5
    assert math.isclose(gw(r, "trl_level"), 0.25 * gw(r, "technology"))


# --------------------------------------------------------------------------- variants


def _ids(r) -> set[str]:
    return {n.id for n in r.nodes}


def test_basic_research_variant():
    base, r = rubric(BASE), rubric("gbt44731-basic-research")
    removed = {"economic", "market_size", "expected_benefit", "transaction_valuation", "potential_risk",
               "trl_level", "industrialisation_conditions"}
    assert _ids(r) == (_ids(base) - removed) | {"reproducibility"}
    # perfectly consistent judgements: science 4 : technology 2 : social 1 : transfer 1
    expected = {"science": 1 / 2, "technology": 1 / 4, "social_cultural": 1 / 8, "transfer": 1 / 8}
    for d, w in expected.items():
        assert math.isclose(gw(r, d), w, abs_tol=1e-9), d
    assert float(np.ravel(r.ahp["root"].cr)[0]) < 1e-9
    assert lw(r, "reproducibility") == 0.15 and lw(r, "sci_originality") == 0.35
    assert lw(r, "tech_innovation") == 0.4 and lw(r, "application_scenarios") == 0.5
    assert r.document.readiness is None
    assert [x.id for x in r.document.routes] == ["research"]
    assert r.document.applies_to == ["basic_research"]
    # untouched nodes keep the base's local weights
    assert lw(r, "social_benefit") == lw(base, "social_benefit") == 0.5


def test_applied_research_variant():
    base, r = rubric(BASE), rubric("gbt44731-applied-research")
    assert _ids(r) == _ids(base) | {"key_problem_solved", "user_evaluation"}
    expected = {"technology": 0.4, "social_cultural": 0.2, "transfer": 0.2, "science": 0.1, "economic": 0.1}
    for d, w in expected.items():
        assert math.isclose(gw(r, d), w, abs_tol=1e-9), d
    assert lw(r, "key_problem_solved") == 0.2 and lw(r, "tech_difficulty") == 0.1
    assert lw(r, "user_evaluation") == 0.2 and lw(r, "application_scenarios") == 0.25
    assert lw(r, "market_size") == lw(base, "market_size") == 0.25
    assert r.document.applies_to == ["applied_research"]


def test_technology_development_variant():
    base, r = rubric(BASE), rubric("gbt44731-technology-development")
    assert _ids(r) == (_ids(base) - {"peer_recognition"}) | {"market_share", "key_application"}
    expected = {"economic": 1 / 3, "transfer": 1 / 3, "technology": 1 / 6, "science": 1 / 12,
                "social_cultural": 1 / 12}
    for d, w in expected.items():
        assert math.isclose(gw(r, d), w, abs_tol=1e-9), d
    assert gw(r, "economic") + gw(r, "transfer") > 0.5  # economic value and transfer potential dominate
    assert lw(r, "market_share") == 0.15 and lw(r, "key_application") == 0.2
    assert lw(r, "industrialisation_conditions") == 0.3 and lw(r, "sci_originality") == 0.55
    assert lw(r, "trl_level") == lw(base, "trl_level") == 0.25
    assert r.document.readiness == "trl_level"


@pytest.mark.parametrize("name", VARIANTS)
def test_variants_inherit_rules_from_base(name: str):
    base, r = rubric(BASE), rubric(name)
    assert [t.id for t in r.document.tiers] == [t.id for t in base.document.tiers]
    assert [g.id for g in r.document.gates] == [g.id for g in base.document.gates]
    assert r.document.id == name and r.document.id != base.document.id


# --------------------------------------------------------------------------- legacy sheet

LEGACY_BANDS = {  # high-band and low-band keywords from the survey's table (A5 not captured)
    "A1": ("重大突破", "单项创新"),
    "A2": ("领先", "接近先进"),
    "A3": ("自创理论模型", "现有技术改进"),
    "A4": ("规模化生产", "基本成熟完备"),
}


def test_legacy_sheet_equal_weights_and_bands():
    r = rubric("legacy-tech-development-sheet")
    ids = [n.id for n in r.scored_indicators]
    assert ids == ["A1", "A2", "A3", "A4", "A5"]
    np.testing.assert_array_equal(r.global_weights(), [0.2] * 5)  # total = ΣAi: equal weights
    assert r.document.score_scale == 100
    for n in r.scored_indicators:
        s = n.scale
        assert isinstance(s, LikertScale) and (s.min, s.max, s.step) == (0, 100, 1)
        assert [(b.min, b.max) for b in s.bands] == [(90, 100), (60, 89), (0, 59)]
    for node_id, (high, low) in LEGACY_BANDS.items():
        bands = r.indicator(node_id).scale.bands
        assert high in bands[0].descriptor.zh.replace("的", "") and low in bands[2].descriptor.zh.replace("对", "").replace("的", "")
    a5 = r.indicator("A5")
    assert "未采集" in a5.model.notes.zh
    conf = {s.id: s.confidence for s in r.document.sources}
    assert conf["legacy-sheet"] == "V" and conf["tlr-a5-bands"] == "M"


# --------------------------------------------------------------------------- Cooper gate 3

FACTORS = ["strategic_fit", "competitive_advantage", "market_attractiveness", "core_competency_leverage",
           "technical_feasibility", "reward_vs_risk"]


def test_stage_gate_scorecard():
    r = rubric("stage-gate-cooper-gate3")
    assert [n.id for n in r.scored_indicators] == FACTORS
    np.testing.assert_allclose(r.global_weights(), [1 / 6] * 6, atol=1e-12)
    for n in r.scored_indicators:
        s = n.scale
        assert isinstance(s, LikertScale) and (s.min, s.max) == (0, 10)
        assert sorted(s.anchors) == [0, 4, 7, 10]
    must = [n for n in r.indicators if n.role == "gate"]
    assert len(must) >= 5 and all(isinstance(n.scale, BooleanScale) for n in must)
    gated = {g.when.ref for g in r.document.gates if g.effect == "knockout"}
    assert gated == {n.id for n in must}  # every must-meet is a knock-out
    tiers = r.document.tiers
    assert [(t.id, t.min_score) for t in tiers] == [("A", 60), ("B", 50), ("D", None)]
    assert "Go" in tiers[0].label.en and "Kill" in tiers[-1].label.en


# --------------------------------------------------------------------------- Payne

PAYNE = {"management_team": 0.30, "opportunity_size": 0.25, "product_technology": 0.15,
         "competitive_environment": 0.10, "marketing_partnerships": 0.10, "additional_investment": 0.05,
         "other_factors": 0.05}


def test_payne_default_weights_exact():
    r = rubric("vc-payne-scorecard")
    got = {n.id: n.global_weight for n in r.scored_indicators}
    assert list(got) == list(PAYNE)
    for k, w in PAYNE.items():
        assert math.isclose(got[k], w, rel_tol=0, abs_tol=1e-15), k
    for n in r.scored_indicators:
        s = n.scale
        assert isinstance(s, LikertScale) and (s.min, s.max) == (0.5, 1.5)
        assert 1.0 in s.anchors


def test_payne_multiplier_mapping():
    """Composite S = 100 (Σ w m - 0.5): the multiplier is 0.5 + S / 100."""
    from tlr.evaluation.utilities import indicator_utility

    r = rubric("vc-payne-scorecard")
    node = r.scored_indicators[0]
    m = np.array([0.5, 0.75, 1.0, 1.25, 1.5])
    np.testing.assert_allclose(indicator_utility(node, m), m - 0.5, atol=1e-12)
    rel = np.array([1.25, 1.5, 1.0, 0.75, 1.0, 0.5, 1.0])  # one deal's relative scores
    w = np.array(list(PAYNE.values()))
    multiplier = float(w @ rel)  # Payne: 0.375 + 0.375 + 0.15 + 0.075 + 0.10 + 0.025 + 0.05
    assert math.isclose(multiplier, 1.15)
    utilities = np.array([indicator_utility(n, np.array([v]))[0] for n, v in zip(r.scored_indicators, rel)])
    composite = r.document.score_scale * float(r.global_weights() @ utilities)
    assert math.isclose(0.5 + composite / 100, multiplier)


# --------------------------------------------------------------------------- the engine runs them


def _valid_score(scale, rng) -> float:
    if isinstance(scale, LevelsScale):
        return float(rng.choice([lv.level for lv in scale.levels]))
    if isinstance(scale, LikertScale):
        k = int(round((scale.max - scale.min) / scale.step))
        return scale.min + scale.step * int(rng.integers(0, k + 1))
    if isinstance(scale, NumericScale):
        lo = scale.min if scale.min is not None else 0.0
        hi = scale.max if scale.max is not None else lo + 100.0
        return float(rng.uniform(lo, hi))
    if isinstance(scale, BooleanScale):
        return 1.0 if scale.pass_value else 0.0
    if isinstance(scale, GradesScale):
        return float(rng.integers(0, len(scale.grades)))
    raise TypeError(scale)


@pytest.mark.parametrize("name", LIBRARY)
def test_engine_evaluates_library_rubric(name: str):
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate

    r = rubric(name)
    rng = np.random.default_rng(7)
    experts, projects = ["e1", "e2", "e3"], ["p1", "p2", "p3", "p4"]
    cube = np.array([[[_valid_score(n.scale, rng) for n in r.indicators] for _ in projects] for _ in experts])
    ev = evaluate(r, ScoreCube.of(cube, projects=projects, experts=experts, indicators=[n.id for n in r.indicators]),
                  options=EvaluationOptions(draws=20, bootstrap_draws=0))
    assert np.all(np.isfinite(ev.composite))
    assert np.all((ev.composite >= 0) & (ev.composite <= r.document.score_scale))
    assert not ev.knocked_out.any()  # every must-meet answered with its passing value
    assert set(ev.tier) <= {t.id for t in r.document.tiers}


def test_engine_stage_gate_decisions():
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate

    r = rubric("stage-gate-cooper-gate3")
    ids = [n.id for n in r.indicators]
    passing = {"must_meet_strategy": 1, "must_meet_market_need": 1, "must_meet_feasible": 1,
               "must_meet_ehs": 1, "must_meet_return": 1, "showstopper": 0}
    factor = [7, 4, 9]  # p1 all 7 -> 70 Go; p2 all 4 -> 40 Kill; p3 all 9 but a show-stopper
    cube = np.zeros((3, 3, len(ids)))
    for i, k in enumerate(ids):
        for p in range(3):
            cube[:, p, i] = passing[k] if k in passing else factor[p]
    cube[:, 2, ids.index("showstopper")] = 1
    ev = evaluate(r, ScoreCube.of(cube, projects=["p1", "p2", "p3"], experts=["e1", "e2", "e3"], indicators=ids),
                  options=EvaluationOptions(draws=20, bootstrap_draws=0))
    np.testing.assert_allclose(ev.composite, [70, 40, 90], atol=1e-9)
    assert list(ev.knocked_out) == [False, False, True]
    assert ev.tier[:2] == ("A", "D") and ev.tier[2] == "D"


def test_engine_legacy_sheet_total():
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate

    r = rubric("legacy-tech-development-sheet")
    scores = np.array([95, 80, 70, 60, 50], float)  # ΣAi = 355
    cube = np.broadcast_to(scores, (3, 1, 5)).copy()
    ev = evaluate(r, ScoreCube.of(cube, projects=["p1"], experts=["e1", "e2", "e3"],
                                  indicators=[n.id for n in r.indicators]),
                  options=EvaluationOptions(draws=20, bootstrap_draws=0))
    assert math.isclose(float(ev.composite[0]), 355 / 5)
    assert ev.tier[0] == "B"


def test_fraction_judgements_parse_as_written():
    # AHP judgements in the library are Saaty integers (or their reciprocals)
    for name in LIBRARY:
        spec = rubric(name).document.ahp
        if spec is None:
            continue
        for _, _, v in spec.judgements:
            f = Fraction(v).limit_denominator(9)
            assert f.numerator == 1 or f.denominator == 1, (name, v)
            assert 1 / 9 <= v <= 9
