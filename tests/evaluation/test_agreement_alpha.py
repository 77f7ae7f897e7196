"""The campaign's agreement: Krippendorff's alpha per indicator at the scale's level, the design named, the
headline stated; advisory (never stops the ranking, never changes it)."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.agreement import REASONS, alpha_level, design_of
from tlr.panel.krippendorff import krippendorff_alpha
from tlr.rubric.kinds import registered

from .rubrics import INDICATORS, make_rubric

FAST = EvaluationOptions(draws=100, bootstrap_draws=20, seed=3)
nan = np.nan


def cube_of(novelty, trl, demand, ip=None):
    values = np.stack([novelty, trl, demand, np.ones_like(novelty) if ip is None else ip], axis=2)
    E, P = values.shape[:2]
    values[:, :, 3] = np.where(np.isnan(values[:, :, 0]), nan, values[:, :, 3])
    return ScoreCube.of(values, experts=[f"e{k}" for k in range(E)], projects=[f"p{k}" for k in range(P)],
                        indicators=INDICATORS)


def test_level_follows_the_scale_kind():
    levels = {kind.name: alpha_level(kind.example()) for kind in registered()}
    assert levels["likert"] == "interval" and levels["numeric"] == "interval"
    assert levels["levels"] == "ordinal" and levels["grades"] == "ordinal"
    assert levels["boolean"] == "nominal"


def test_design_of_blocks():
    assert design_of(np.array([[1.0, 2.0], [3.0, 4.0]])) == "complete"
    assert design_of(np.array([[1.0, nan, 5.0], [2.0, 3.0, nan], [nan, 3.0, 4.0]])) == "sparse"
    # an expert or project with no score at all does not make a complete block sparse
    assert design_of(np.array([[1.0, 2.0, nan], [3.0, 4.0, nan], [nan, nan, nan]])) == "complete"
    assert design_of(np.array([[1.0, nan], [nan, 2.0]])) == "none"


def test_sparse_assignment_uses_alpha_with_hand_values():
    """Each project scored by two of three experts: (1, 2), (3, 3), (5, 4).
    Interval alpha = 5/6 and ordinal alpha = 1 - (4/6) / (204/30) (worked in tests/panel/test_krippendorff.py);
    no complete block, so Kendall's W and the two-way ICC are not available."""
    block = np.array([[1, nan, 5], [2, 3, nan], [nan, 3, 4]], float)
    ev = evaluate(make_rubric(), cube_of(block, block + 2, block), options=FAST)
    novelty, trl = ev.agreement["novelty"], ev.agreement["trl"]
    assert novelty["alpha_level"] == "interval" and novelty["alpha"] == pytest.approx(5 / 6)
    assert trl["alpha_level"] == "ordinal" and trl["alpha"] == pytest.approx(1 - (4 / 6) / (204 / 30))
    for entry in (novelty, trl):
        assert entry["design"] == "sparse" and entry["headline"] == "krippendorff_alpha"
        assert entry["headline_reason"] == REASONS["sparse"]
        assert "Krippendorff" in entry["headline_reason"]["en"] and "稀疏" in entry["headline_reason"]["zh"]
        assert (entry["alpha_units"], entry["alpha_values"]) == (3, 6)
        assert entry["kendall_w"] is None and entry["icc2_1"] is None
    assert len(ev.rank) == 3 and np.isfinite(ev.composite).all()


def test_complete_block_shows_icc_and_w_too():
    rng = np.random.default_rng(8)
    quality = rng.integers(1, 6, 8)
    novelty = np.clip(quality + rng.integers(-1, 2, (4, 8)), 1, 5).astype(float)
    trl = np.clip(quality + 3 + rng.integers(-1, 2, (4, 8)), 1, 9).astype(float)
    ev = evaluate(make_rubric(), cube_of(novelty, trl, novelty[::-1].copy()), options=FAST)
    entry = ev.agreement["novelty"]
    assert entry["design"] == "complete" and entry["headline_reason"] == REASONS["complete"]
    assert entry["alpha"] == pytest.approx(float(krippendorff_alpha(novelty, level="interval").alpha))
    ref = krippendorff_alpha(novelty, level="interval", bootstrap=1000, seed=20240601)
    assert (entry["alpha_ci_low"], entry["alpha_ci_high"]) == pytest.approx((float(ref.ci_low), float(ref.ci_high)))
    assert entry["kendall_w"] is not None and entry["icc2_1"] is not None
    assert entry["icc2_1_ci_low"] < entry["icc2_1"] < entry["icc2_1_ci_high"]
    assert ev.agreement["trl"]["alpha"] == pytest.approx(float(krippendorff_alpha(trl, level="ordinal").alpha))


def test_degenerate_panel_never_stops_the_ranking():
    same = np.full((3, 4), 3.0)
    ev = evaluate(make_rubric(), cube_of(same, same + 2, same), options=FAST)
    entry = ev.agreement["novelty"]
    assert entry["alpha"] is None and entry["alpha_ci_low"] is None and entry["design"] == "complete"
    assert len(ev.rank) == 4


def test_agreement_does_not_change_ranks(monkeypatch):
    """The ranking with the agreement step replaced by an empty one is the same: agreement is advisory."""
    from tlr.evaluation import pipeline
    from tlr.evaluation.agreement import Agreement

    block = np.array([[1, nan, 5, 2], [2, 3, nan, 2], [nan, 3, 4, 1]], float)
    with_alpha = evaluate(make_rubric(), cube_of(block, block + 2, block), options=FAST)
    monkeypatch.setattr(pipeline, "agreement_of", lambda *a, **k: Agreement(indicators={}, expert_flags=None))
    without = evaluate(make_rubric(), cube_of(block, block + 2, block), options=FAST)
    assert with_alpha.agreement["novelty"]["alpha"] is not None and without.agreement == {}
    assert np.array_equal(with_alpha.rank, without.rank)
    assert np.array_equal(with_alpha.composite, without.composite, equal_nan=True)
    assert with_alpha.tier == without.tier
