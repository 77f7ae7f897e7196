"""Stage 4: the composite, renormalised over the weights present, and the flags that say so."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.evaluation.composite import composite_of, impute_missing, renormalised
from tlr.evaluation.utilities import Utilities

from .rubrics import make_rubric

NAN = np.nan
# global weights of make_rubric(): novelty 0.5 x 0.6 = 0.3, trl 0.5 x 0.4 = 0.2, demand 0.5; ip is a gate (0)


def run(panel, scores=None, applicable=None, rubric=None):
    panel = np.array(panel, dtype=float)
    P = panel.shape[0]
    scores = np.ones((1, P, 4)) if scores is None else scores
    applicable = np.ones((P, 4), bool) if applicable is None else np.asarray(applicable)
    return composite_of(rubric or make_rubric(), Utilities(panel=panel, experts=np.full((1, P, 4), NAN)), scores,
                        applicable)


def test_renormalised_over_the_weights_present():
    c = run([[0.5, NAN, 1.0, 1.0], [0.5, 0.25, 1.0, 0.0]])
    assert c.weights.tolist() == pytest.approx([0.3, 0.2, 0.5])
    assert c.value[0] == pytest.approx((0.3 * 0.5 + 0.5 * 1.0) / 0.8)
    assert c.value[1] == pytest.approx(0.3 * 0.5 + 0.2 * 0.25 + 0.5)
    assert c.incomplete.tolist() == [True, False]
    tech, market = c.dimensions.index("tech"), c.dimensions.index("market")
    assert c.dimension_scores[0, tech] == pytest.approx(0.5)            # novelty alone
    assert c.dimension_scores[1, tech] == pytest.approx((0.3 * 0.5 + 0.2 * 0.25) / 0.5)
    assert c.dimension_scores[0, market] == pytest.approx(1.0)
    assert c.notes == ()


def test_an_indicator_that_does_not_apply_is_not_missing():
    c = run([[0.5, NAN, 1.0, 1.0]], applicable=[[True, False, True, True]])
    assert not c.incomplete[0]


def test_a_project_nobody_scored_has_no_composite():
    scores = np.ones((2, 2, 4))
    scores[:, 1] = NAN
    c = run([[0.5, 0.5, 0.5, 1.0], [NAN] * 4], scores=scores)
    assert c.unscored.tolist() == [False, True] and np.isnan(c.value[1]) and not c.incomplete[1]
    assert np.isnan(c.dimension_scores[1]).all()


def test_another_aggregation_says_robustness_uses_the_weighted_sum():
    c = run([[1.0, 0.0, 0.5, 1.0], [0.0, 1.0, 0.5, 1.0]], rubric=make_rubric(aggregation={"method": "topsis"}))
    assert [(n.code, n.params) for n in c.notes] == [("note_robustness_weighted_sum", {"aggregation": "topsis"})]
    assert c.aggregation == "topsis" and np.isfinite(c.value).all()


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_imputing_keeps_each_composite(seed):
    rng = np.random.default_rng(seed)
    U = rng.uniform(0, 1, (6, 5))
    U[rng.uniform(size=U.shape) < 0.3] = NAN
    w = rng.uniform(0.1, 1, 5)
    filled = impute_missing(U, w)
    scored = ~np.isnan(U).all(axis=1)
    np.testing.assert_allclose((filled @ w / w.sum())[scored], renormalised(U, w)[scored], rtol=1e-12)
    assert np.isnan(filled[~scored]).all()
    np.testing.assert_array_equal(filled[~np.isnan(U)], U[~np.isnan(U)])
