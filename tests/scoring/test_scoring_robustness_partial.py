"""The top ranks by partial selection equal the full sort, draw for draw (issue 16).

Same seed, same draws: keeping only the top R ranks (``max_dense`` below the number of projects, which
skips the projects that cannot reach them) must give exactly the counts of the full sort for those ranks,
and the same tier counts, with ties (identical projects, discrete panel weights), unscored projects,
knock-outs and partially scored experts.
"""

import numpy as np
import pytest

from tlr.ranking.robustness import expert_bootstrap, uniform_slots, weight_monte_carlo
from tlr.ranking.tally import full_order, top_order
from tlr.ranking.tiers import default_rules

nan = np.nan


@pytest.mark.parametrize("seed", range(6))
def test_top_order_is_the_head_of_the_stable_full_sort(seed):
    rng = np.random.default_rng(seed)
    key = rng.integers(0, 6, size=(40, 25)).astype(float)           # many exact ties
    for R in (1, 3, 7, 25):
        np.testing.assert_array_equal(top_order(key, R), np.argsort(key, axis=1, kind="stable")[:, :R])
    np.testing.assert_array_equal(full_order(key), np.argsort(key, axis=1, kind="stable"))


def assert_same_head(part, full, R):
    np.testing.assert_array_equal(part.acceptability, full.acceptability[:, :R])
    np.testing.assert_array_equal(part.p_top_k, full.p_top_k)
    N = full.n_draws
    np.testing.assert_array_equal(np.rint(part.p_beyond * N), np.rint(full.acceptability[:, R:] * N).sum(axis=1))
    for q in ("rank_q05", "rank_q50", "rank_q95"):
        a, b = getattr(part, q), getattr(full, q)
        inside = a <= R
        np.testing.assert_array_equal(a[inside], b[inside])
        assert (a[~inside] == R + 1).all() and (b[~inside] > R).all() and part.quantile_beyond[~inside].all()
    if full.p_tier is not None:
        np.testing.assert_array_equal(part.p_tier, full.p_tier)


def panel_case(seed, P=300, L=6):
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1, P)
    U = np.clip(0.5 + 0.15 * quality[:, None] + rng.normal(0, 0.1, (P, L)), 0, 1)
    U[5] = U[9] = U[2]                                  # identical projects tie in every draw
    U[rng.choice(P, 4, replace=False)] = nan            # unscored
    return rng, U


@pytest.mark.parametrize("seed", range(3))
def test_weight_monte_carlo_partial_equals_full(seed):
    rng, U = panel_case(seed)
    P, L = U.shape
    rules = default_rules([0.65, 0.5, 0.35])
    ko = rng.random(P) < 0.05
    common = dict(tier_rules=rules, knocked_out=ko, top_k=5, seed=seed, n_draws=1500, concentration=40)
    w = rng.dirichlet(np.ones(L))
    full = weight_monte_carlo(U, w, **common)                        # P <= max_dense: every rank
    part = weight_monte_carlo(U, w, max_dense=50, top_r=12, **common)
    assert full.params["dense"] and not part.params["dense"]
    assert_same_head(part, full, 12)
    np.testing.assert_allclose(part.central_weights, full.central_weights, rtol=1e-12, atol=1e-15)
    # discrete weights from a panel: exact ties between different projects in many draws
    panel = rng.integers(0, 3, size=(5, L)).astype(float) + np.eye(5, L)
    full = weight_monte_carlo(U, panel=panel, panel_mode="single", **{**common, "concentration": 1})
    part = weight_monte_carlo(U, panel=panel, panel_mode="single", max_dense=50, top_r=12,
                              **{**common, "concentration": 1})
    assert_same_head(part, full, 12)


@pytest.mark.parametrize("seed", range(3))
def test_expert_bootstrap_partial_equals_full(seed, monkeypatch):
    import tlr.ranking.robustness as robustness

    monkeypatch.setattr(robustness, "SLOT_COLUMNS", 16 + 32 * seed)        # several random streams per draw
    rng = np.random.default_rng(seed)
    E, P, L = 7, 250, 5
    quality = rng.normal(0, 1, P)
    X = np.clip(0.5 + 0.15 * quality[None, :, None] + rng.normal(0, 0.08, (E, P, L)), 0, 1)
    X[rng.random((E, P)) < 0.4] = nan                   # experts not assigned
    X[rng.random(X.shape) < 0.03] = nan                 # a skipped leaf: the slow path
    X[:, 3] = nan                                       # nobody scored project 3
    cnt = (~np.isnan(X)).sum(axis=0)
    hole = (cnt == 0) & (cnt.sum(axis=1) > 0)[:, None]
    X[0][hole] = 0.5                                    # every scored project has every leaf
    w = rng.dirichlet(np.ones(L))
    common = dict(tier_rules=default_rules([0.65, 0.5, 0.35]), top_k=4, seed=seed, n_draws=250)
    full = expert_bootstrap(X, w, **common)
    part = expert_bootstrap(X, w, max_dense=40, top_r=10, **common)
    assert_same_head(part, full, 10)
    assert part.n_fallback_cells <= full.n_fallback_cells       # only computed projects count theirs
    assert full.unscored[3] and full.acceptability[3, -1] == 1.0


def test_uniform_slots_are_uniform_and_in_range():
    rng = np.random.default_rng(0)
    n = np.array([1, 2, 3, 5, 7, 12])
    s = uniform_slots(rng, (20000, 6, 7), n)
    assert (s < n[:, None]).all() and (s >= 0).all()
    for i, k in enumerate(n):
        freq = np.bincount(s[:, i, :].ravel(), minlength=k) / s[:, i, :].size
        np.testing.assert_allclose(freq, 1 / k, atol=4 * np.sqrt((1 / k) * (1 - 1 / k) / s[:, i, :].size) + 1e-12)
