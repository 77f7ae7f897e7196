"""Stage 7: robustness — seeded and reproducible; a bootstrap that cannot run is skipped with a note."""

from __future__ import annotations

import numpy as np

from tlr.evaluation.composite import Composite
from tlr.evaluation.decisions import Decisions, Tiers
from tlr.evaluation.options import EvaluationOptions
from tlr.evaluation.robustness import robustness_of
from tlr.ranking.tiers import TierRule

NAN = np.nan


def setup(seed=1, P=6, E=4, L=3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (E, P, L))
    U = X.mean(axis=0)
    w = np.array([0.5, 0.3, 0.2])
    comp = Composite(scored=(0, 1, 2), weights=w, dimensions=(), dimension_scores=np.zeros((P, 0)), value=U @ w,
                     incomplete=np.zeros(P, bool), unscored=np.zeros(P, bool), aggregation="weighted_sum")
    tiers = Tiers(tier=("B",) * P, codes=("A", "B"), labels={}, rules=(TierRule("A", 0.5),))
    dec = Decisions(gates=(), knocked_out=np.zeros(P, bool), tiers=tiers, route=(None,) * P, route_labels={},
                    rank=np.arange(1, P + 1.0))
    return comp, U, X, dec


def test_same_seed_same_result_and_the_seed_matters():
    comp, U, X, dec = setup()
    opts = EvaluationOptions(draws=300, bootstrap_draws=100, seed=11)
    a = robustness_of(comp, U, X, np.ones(U.shape, bool), dec, opts)
    b = robustness_of(comp, U, X, np.ones(U.shape, bool), dec, opts)
    for field in ("rank_q05", "rank_q50", "rank_q95", "p_top_k", "p_tier"):
        np.testing.assert_array_equal(getattr(a.weights, field), getattr(b.weights, field))
        np.testing.assert_array_equal(getattr(a.bootstrap, field), getattr(b.bootstrap, field))
    c = robustness_of(comp, U, X, np.ones(U.shape, bool), dec, EvaluationOptions(draws=300, bootstrap_draws=100, seed=12))
    assert not np.array_equal(a.weights.acceptability, c.weights.acceptability)
    assert a.weights.seed == 11 and a.weights.n_draws == 300 and a.bootstrap.n_draws == 100
    assert a.weights.tier_codes == ["A", "B"] and a.notes == ()


def test_no_bootstrap_asked_none_run():
    comp, U, X, dec = setup()
    r = robustness_of(comp, U, X, np.ones(U.shape, bool), dec, EvaluationOptions(draws=50, bootstrap_draws=0))
    assert r.bootstrap is None and r.notes == ()


def test_a_bootstrap_that_cannot_run_is_skipped_with_the_reason():
    comp, U, X, dec = setup()
    X[:, 2, 1] = NAN   # nobody scored indicator 1 of project 2: resampling its experts is not defined
    U = U.copy()
    U[2, 1] = NAN
    r = robustness_of(comp, U, X, np.ones(U.shape, bool), dec, EvaluationOptions(draws=50, bootstrap_draws=20))
    assert r.bootstrap is None and [n.code for n in r.notes] == ["note_bootstrap_skipped"]
    assert "nobody scored" in r.notes[0].params["reason"]
    assert np.isfinite(r.weights.rank_q50).all()   # the weight draws impute the hole and still run
