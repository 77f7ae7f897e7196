"""Repair suggestions: the corrupted judgement is found first, values and CR-after are independently checked."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tlr.weighting import ahp, snap_to_scale

from .conftest import consistent_matrix, perron


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 9))
def test_single_corrupted_judgement_is_ranked_first(seed, n):
    rng = np.random.default_rng(seed)
    w = np.exp(rng.normal(0, 0.7, n))
    a = consistent_matrix(w)
    i, j = sorted(rng.choice(n, 2, replace=False))
    f = 6.0 if rng.random() < 0.5 else 1 / 6.0
    a[i, j] *= f
    a[j, i] /= f
    r = ahp(a)
    top = r.suggestions[0]
    assert (top.i, top.j) == (i, j)
    assert top.cr_after < r.cr
    # suggested value is w_i / w_j of the matrix's own priorities
    assert top.suggested == pytest.approx(r.weights[i] / r.weights[j], rel=1e-12)
    assert top.deviation == pytest.approx(a[i, j] * r.weights[j] / r.weights[i], rel=1e-12)


def test_cr_after_matches_independent_recomputation():
    a = np.array([[1, 3, 1 / 5, 5], [1 / 3, 1, 1 / 7, 2], [5, 7, 1, 9], [1 / 5, 1 / 2, 1 / 9, 1]], dtype=float)
    a[0, 3], a[3, 0] = 1 / 4, 4            # make it clearly inconsistent
    r = ahp(a, ri="saaty1980", suggestions=6)
    assert not r.consistent
    crs = [s.cr_after for s in r.suggestions]
    assert crs == sorted(crs)
    for s in r.suggestions:
        b = a.copy()
        b[s.i, s.j], b[s.j, s.i] = s.suggested, 1 / s.suggested
        _, lam = perron(b)
        assert s.cr_after == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-10)
        b[s.i, s.j], b[s.j, s.i] = s.suggested_scale, 1 / s.suggested_scale
        _, lam = perron(b)
        assert s.cr_after_scale == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-10)
    assert r.suggestions[0].row == "1" and r.suggestions[0].rank == 1


def test_snap_to_scale_in_log_space():
    assert snap_to_scale([2.9, 1.45, 0.26, 12, 1 / 7.4]).tolist() == pytest.approx([3, 2, 1 / 4, 9, 1 / 7])
    # the log-space midpoint between 1 and 2 is sqrt(2) = 1.414
    assert snap_to_scale([1.40])[0] == 1 and snap_to_scale([1.43])[0] == 2


def test_consistent_matrix_has_no_suggestions():
    assert ahp(consistent_matrix([5, 3, 2, 1])).suggestions == ()


def test_geometric_mean_suggestions_ranked_by_gci():
    a = np.array([[1, 2, 9, 3], [1 / 2, 1, 2, 1 / 4], [1 / 9, 1 / 2, 1, 3], [1 / 3, 4, 1 / 3, 1]])
    r = ahp(a, method="geometric_mean")
    g = [s.gci_after for s in r.suggestions]
    assert g == sorted(g) and g[0] < r.gci


def test_repair_plan_reaches_threshold_and_cumulative_cr_is_right():
    from tlr.weighting import repair_plan

    a = np.array([[1, 5, 1 / 3, 7], [1 / 5, 1, 1 / 7, 2], [3, 7, 1, 1 / 5], [1 / 7, 1 / 2, 5, 1]])
    r = ahp(a, ri="saaty1980")
    assert not r.consistent and r.repair_plan
    b = a.copy()
    for s in r.repair_plan:
        b[s.i, s.j], b[s.j, s.i] = s.suggested_scale, 1 / s.suggested_scale
        _, lam = perron(b)
        assert s.cr_after == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-10)
    assert r.repair_plan[-1].cr_after <= r.threshold
    assert repair_plan(consistent_matrix([3, 2, 1])) == ()
    # each applied value is on Saaty's scale (or the exact value when rounding would not help)
    assert all(s.suggested_scale in set(np.round([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5,
                                                  6, 7, 8, 9], 12)) or s.suggested_scale == s.suggested
               for s in [type(s)(**{**s.__dict__, "suggested_scale": round(s.suggested_scale, 12)})
                         for s in r.repair_plan])
