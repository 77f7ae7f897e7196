"""Monte Carlo rank stability: exact probabilities (Beta law, enumeration), properties, reproducibility."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from tlr.numeric.errors import InvalidValueError, MissingValueError
from tlr.ranking.robustness import expert_bootstrap, sample_weights, weight_monte_carlo
from tlr.ranking.tiers import default_rules

nan = np.nan


def se(p, n):
    return np.sqrt(p * (1 - p) / n)


def test_dirichlet_two_projects_matches_beta_law():
    # U = I: project 0 wins iff w_0 > 1/2, and w_0 ~ Beta(c*0.6, c*0.4) under Dirichlet(c*(.6,.4)).
    c, n = 20.0, 20000
    r = weight_monte_carlo(np.eye(2), [0.6, 0.4], concentration=c, n_draws=n, seed=1, top_k=1)
    p = stats.beta.sf(0.5, c * 0.6, c * 0.4)
    assert abs(r.acceptability[0, 0] - p) < 4 * se(p, n)
    assert r.p_top_k[0] == r.acceptability[0, 0]
    np.testing.assert_allclose(r.acceptability.sum(axis=1), 1)
    np.testing.assert_allclose(r.acceptability.sum(axis=0), 1)
    # central weight vector of project 0: E[w | w_0 > 1/2] has first component > 1/2
    assert r.central_defined.all() and r.central_weights[0, 0] > 0.5 > r.central_weights[1, 0]


def test_reproducible_and_chunk_invariant():
    rng = np.random.default_rng(0)
    U = rng.uniform(size=(30, 5))
    w = [.3, .2, .2, .2, .1]
    a = weight_monte_carlo(U, w, n_draws=3000, seed=7, chunk=1000)
    b = weight_monte_carlo(U, w, n_draws=3000, seed=7, chunk=1000)
    c = weight_monte_carlo(U, w, n_draws=3000, seed=8, chunk=1000)
    e = weight_monte_carlo(U, w, n_draws=3000, seed=7, chunk=299)
    np.testing.assert_array_equal(a.acceptability, b.acceptability)
    np.testing.assert_array_equal(a.acceptability, e.acceptability)     # block size does not matter
    X = rng.uniform(size=(4, 30, 5))
    X[rng.uniform(size=X.shape) < .1] = nan
    np.testing.assert_array_equal(expert_bootstrap(X, w, n_draws=300, seed=3).acceptability,
                                  expert_bootstrap(X, w, n_draws=300, seed=3).acceptability)
    assert not np.array_equal(a.acceptability, c.acceptability)
    d = weight_monte_carlo(U, w, n_draws=3000, seed=7, chunk=1000, max_dense=0, top_r=5, top_k=3)
    np.testing.assert_array_equal(d.acceptability, a.acceptability[:, :5])
    np.testing.assert_allclose(d.p_beyond, a.acceptability[:, 5:].sum(axis=1))
    assert (d.quantile_beyond == (a.rank_q95 > 5)).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 9), st.integers(0, 9))
def test_dominating_project_never_ranks_below(seed, a, b):
    if a == b:
        return
    rng = np.random.default_rng(seed)
    U = rng.uniform(size=(10, 4))
    U[a] = np.minimum(U[b] + rng.uniform(0.01, 0.2, 4), 1.5)    # a strictly dominates b
    r = weight_monte_carlo(U, [.25] * 4, concentration=5, n_draws=500, seed=seed % 1000, top_k=3)
    cum_a = np.cumsum(r.acceptability[a])
    cum_b = np.cumsum(r.acceptability[b])
    assert (cum_a >= cum_b - 1e-12).all()        # first-order stochastic dominance of ranks
    assert r.rank_q95[a] <= r.rank_q95[b] and r.rank_q05[a] <= r.rank_q05[b]
    assert r.p_top_k[a] >= r.p_top_k[b]


def test_huge_concentration_reproduces_base_rank():
    rng = np.random.default_rng(3)
    U = rng.uniform(size=(12, 3))
    w = np.array([.5, .3, .2])
    r = weight_monte_carlo(U, w, concentration=1e9, n_draws=200, seed=1)
    assert (r.rank_q05 == r.base_rank).all() and (r.rank_q95 == r.base_rank).all()


def test_tiers_probabilities_and_knockout_cap():
    U = np.array([[0.9, 0.9], [0.7, 0.5], [0.2, 0.1], [0.95, 0.95]])
    rules = default_rules([0.8, 0.6, 0.4])
    r = weight_monte_carlo(U, [.5, .5], concentration=50, n_draws=2000, seed=2, tier_rules=rules,
                           knocked_out=[False, False, False, True], top_k=2)
    np.testing.assert_allclose(r.p_tier.sum(axis=1), 1)
    assert r.tier_codes == ["A", "B", "C", "D"]
    assert r.p_tier[0, 0] == 1.0 and r.p_tier[2, 3] == 1.0 and r.p_tier[3, 3] == 1.0
    # project 1: composite 0.7*w0 + 0.5*(1-w0) >= 0.6 iff w0 >= 0.5 -> P(B) = P(Beta(25,25) >= .5) = .5
    assert abs(r.p_tier[1, 1] - 0.5) < 4 * se(.5, 2000)
    r.to_dict()


def test_panel_single_mode():
    panel = np.array([[1.0, 0.0], [0.0, 1.0]])
    r = weight_monte_carlo(np.eye(2), panel=panel, panel_mode="single", n_draws=4000, seed=5, top_k=1)
    assert abs(r.p_top_k[0] - 0.5) < 4 * se(.5, 4000)
    # bootstrap mean of 3 vectors (1,0),(0,1),(0,1): w0 = k/3, k ~ Binomial(3, 1/3); project 0 wins
    # iff w0 > 1/2 iff k >= 2: P = 3 (1/3)^2 (2/3) + (1/3)^3 = 7/27 (no ties possible)
    panel3 = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    r = weight_monte_carlo(np.eye(2), panel=panel3, n_draws=4000, seed=5, top_k=1)
    assert abs(r.p_top_k[0] - 7 / 27) < 4 * se(7 / 27, 4000)


def test_unscored_project_ranked_last_and_flagged():
    U = np.array([[0.5, 0.5], [nan, nan], [0.2, 0.9]])
    r = weight_monte_carlo(U, [.5, .5], n_draws=100, seed=0)
    assert r.unscored.tolist() == [False, True, False]
    assert r.acceptability[1, 2] == 1.0 and r.base_rank[1] == 3
    with pytest.raises(MissingValueError):
        weight_monte_carlo(np.array([[0.5, nan], [0.1, 0.2]]), [.5, .5], n_draws=10)
    with pytest.raises(InvalidValueError):
        weight_monte_carlo(U, [.5, .5], concentration=0, n_draws=10)


def test_sample_weights_dirichlet_mean():
    rng = np.random.default_rng(0)
    W = sample_weights(20000, rng, weights=[.5, .3, .2, 0], concentration=10)
    np.testing.assert_allclose(W.sum(axis=1), 1)
    assert (W[:, 3] == 0).all()
    # Var w_l = w_l (1 - w_l) / (c + 1): for w=.5, c=10 -> sd = .1508; mean within 4 SE
    np.testing.assert_allclose(W.mean(axis=0)[:3], [.5, .3, .2], atol=4 * 0.151 / np.sqrt(20000))


def test_expert_bootstrap_exact_enumeration():
    # project 0: two experts with composites 1 and 0 -> bootstrap mean in {1, .5, 0} w.p. (1/4,1/2,1/4)
    # project 1: three experts all 0.4 -> always 0.4. P(project 0 first) = P(mean > .4) = 3/4.
    X = np.full((3, 2, 1), nan)
    X[0, 0, 0], X[1, 0, 0] = 1.0, 0.0
    X[:, 1, 0] = 0.4
    n = 8000
    r = expert_bootstrap(X, [1.0], n_draws=n, seed=11, top_k=1)
    assert abs(r.p_top_k[0] - 0.75) < 4 * se(.75, n)
    np.testing.assert_allclose(r.base_composite, [0.5, 0.4])


def test_expert_bootstrap_partial_cells_and_fallback():
    # project 0: expert 0 scored leaf 0 only, expert 1 scored both leaves. Resamples with no one
    # on leaf 1 do not exist (expert 1 is the only one on it) unless expert 1 is not drawn:
    # P(expert 1 not drawn in 2 draws) = 1/4 -> fallback cells ~ n/4.
    X = np.array([[[1.0, nan], [0.5, 0.5]], [[0.0, 0.2], [0.5, 0.5]]])
    n = 4000
    r = expert_bootstrap(X, [0.5, 0.5], n_draws=n, seed=3, top_k=1)
    assert abs(r.n_fallback_cells / n - 0.25) < 4 * se(.25, n)
    # identical panel -> no variation at all
    Y = np.repeat(np.random.default_rng(1).uniform(size=(1, 6, 3)), 4, axis=0)
    r = expert_bootstrap(Y, [1, 1, 1], n_draws=200, seed=0)
    assert (r.rank_q05 == r.base_rank).all() and (r.rank_q95 == r.base_rank).all()


def test_expert_bootstrap_hole_raises():
    X = np.array([[[1.0, nan]], [[0.0, nan]]])
    with pytest.raises(MissingValueError):
        expert_bootstrap(X, [.5, .5], n_draws=10)


def test_unscored_project_gets_default_tier_in_every_draw():
    U = np.array([[0.9, 0.9], [nan, nan], [0.5, 0.5]])
    r = weight_monte_carlo(U, [.5, .5], n_draws=50, seed=0, tier_rules=default_rules([.8, .6, .4]))
    assert r.p_tier[1].tolist() == [0, 0, 0, 1] and r.p_tier[0, 0] == 1 and r.p_tier[2, 2] == 1


def test_tier_conditions_in_monte_carlo():
    # project 0 always scores A, but fails A's condition: it lands in B in every draw
    U = np.array([[0.9, 0.9], [0.1, 0.1]])
    rules = default_rules([.8, .6, .4], conditions=[{"trl": np.array([False, True])}, {}, {}])
    r = weight_monte_carlo(U, [.5, .5], n_draws=50, seed=0, tier_rules=rules)
    assert r.p_tier[0].tolist() == [0, 1, 0, 0]


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_monte_carlo_permutation_equivariant(seed):
    """Same seed, projects given in another order: every per-project output follows its project."""
    rng = np.random.default_rng(seed)
    U = rng.uniform(size=(12, 4))
    U[3] = nan
    perm = rng.permutation(12)
    rules = default_rules([.7, .5, .3], conditions=[{"c": rng.uniform(size=12) > .3}, {}, {}])
    ko = rng.uniform(size=12) > .8
    a = weight_monte_carlo(U, [.4, .3, .2, .1], concentration=20, n_draws=400, seed=seed, tier_rules=rules,
                           knocked_out=ko, top_k=3)
    rules_p = default_rules([.7, .5, .3], conditions=[{"c": rules[0].conditions["c"][perm]}, {}, {}])
    b = weight_monte_carlo(U[perm], [.4, .3, .2, .1], concentration=20, n_draws=400, seed=seed,
                           tier_rules=rules_p, knocked_out=ko[perm], top_k=3)
    np.testing.assert_array_equal(b.acceptability, a.acceptability[perm])
    np.testing.assert_array_equal(b.p_tier, a.p_tier[perm])
    np.testing.assert_array_equal(b.rank_q95, a.rank_q95[perm])
    np.testing.assert_allclose(b.central_weights, a.central_weights[perm])
