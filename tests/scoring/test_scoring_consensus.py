"""Consensus: hand calculations and properties (never the code's own output)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tlr.errors import TlrError
from tlr.panel.consensus import consensus, leniency_correct
from tlr.numeric.errors import NoScoresError

nan = np.nan


def cube_1cell(vals):
    return np.asarray(vals, float)[:, None, None]


def test_mean_median_hand():
    # scores 2, 4, 9 (+ one missing): mean 5, median 4, sd = sqrt(((−3)²+(−1)²+4²)/2)= sqrt(13)
    r = consensus(cube_1cell([2, 4, nan, 9]), "mean")
    assert r.values[0, 0] == pytest.approx(5.0)
    assert r.n_experts[0, 0] == 3
    assert r.sd[0, 0] == pytest.approx(np.sqrt(13))
    assert r.range[0, 0] == 7
    # IQR with the linear rule: q1 at h=0.5 -> 3, q3 at h=1.5 -> 6.5
    assert r.iqr[0, 0] == pytest.approx(3.5)
    assert consensus(cube_1cell([2, 4, nan, 9]), "median").values[0, 0] == 4
    assert consensus(cube_1cell([2, 4, 8, 9]), "median").values[0, 0] == 6


def test_trimmed_hand_and_fallback():
    # 5 experts, trim 1: drop 1 and 10 -> mean(3,4,5)=4
    r = consensus(cube_1cell([10, 3, 1, 5, 4]), "trimmed", trim=1, min_remaining=3)
    assert r.values[0, 0] == pytest.approx(4.0)
    assert r.n_used[0, 0] == 3 and not r.fallback[0, 0]
    # only 4 present: 4-2=2 < 3 -> fallback to median of (1,3,4,10) = 3.5, flagged
    r = consensus(cube_1cell([10, 3, 1, nan, 4]), "trimmed", trim=1, min_remaining=3)
    assert r.fallback[0, 0] and r.values[0, 0] == pytest.approx(3.5)
    r = consensus(cube_1cell([10, 3, 1, nan, 4]), "trimmed", trim=1, min_remaining=3, fallback="mean")
    assert r.values[0, 0] == pytest.approx(4.5)


def test_weighted_renormalised_over_present():
    # weights 1,2,3 ; expert 2 missing -> (1*2 + 3*6)/(1+3) = 5
    r = consensus(cube_1cell([2, nan, 6]), "weighted", expert_weights=[1, 2, 3])
    assert r.values[0, 0] == pytest.approx(5.0)


def test_empty_cell_and_unscored_project_flagged_not_dropped():
    x = np.full((3, 3, 2), 5.0)
    x[:, 1, :] = nan          # every expert recused from project 1
    x[0, 2, 1] = 7.0
    x[1:, 2, 1] = nan
    for m in ("mean", "median", "trimmed", "leniency"):
        r = consensus(x, m, lo=0, hi=10)
        assert r.values.shape == (3, 2)
        assert list(r.unscored_projects) == [1]
        assert r.empty[1].all() and np.isnan(r.values[1]).all()
        assert not np.isnan(r.values[~r.empty]).any()
        assert r.n_experts[2, 1] == 1 and not r.sd_defined[2, 1]


def test_no_scores_raises_bilingual():
    with pytest.raises(NoScoresError) as ei:
        consensus(np.full((2, 2, 2), nan))
    assert "没有任何评分" in ei.value.message and "no scores" in ei.value.message
    with pytest.raises(TlrError):
        consensus(np.zeros((0, 2, 2)))
    with pytest.raises(TlrError):
        consensus(np.array([[[np.inf]]]))
    with pytest.raises(TlrError):
        consensus(np.ones((2, 2, 2)), "weighted", expert_weights=[1, -1])


def test_leniency_hand():
    # indicator scale 0..10; expert A lenient (+2) with the same pattern as B
    A = [7, 8, 9]
    B = [5, 6, 7]
    x = np.array([A, B], float)[:, :, None]
    y, ok = leniency_correct(x, 0, 10)
    # m_A=8, m_B=6, s_A=s_B=1 -> M=7, S=1 -> both become 6,7,8
    assert ok.all()
    np.testing.assert_allclose(y[0, :, 0], [6, 7, 8])
    np.testing.assert_allclose(y[1, :, 0], [6, 7, 8])
    r = consensus(x, "leniency", lo=0, hi=10)
    np.testing.assert_allclose(r.values[:, 0], [6, 7, 8])


def test_leniency_flat_expert_left_as_given():
    x = np.array([[5, 5, 5], [1, 2, 3]], float)[:, :, None]
    y, ok = leniency_correct(x, 0, 10)
    assert not ok[0, 0] and ok[1, 0]
    np.testing.assert_allclose(y[0, :, 0], [5, 5, 5])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=5, max_size=9), st.floats(-1e6, 1e6))
def test_trimmed_ignores_one_wild_expert(vals, wild):
    """Property: with trim=1, replacing one expert's score by any value beyond the others never moves
    the trimmed mean outside [min, max] of the sane experts."""
    sane = np.array(vals)
    r = consensus(cube_1cell(list(sane) + [wild]), "trimmed", trim=1, min_remaining=3)
    v = r.values[0, 0]
    assert sane.min() - 1e-9 <= v <= sane.max() + 1e-9


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (4, 3, 2), elements=st.floats(0, 10)), st.permutations(range(4)),
       st.permutations(range(3)))
def test_permutation_equivariance(x, pe, pp):
    for m in ("mean", "median", "trimmed"):
        a = consensus(x, m, trim=1, min_remaining=1).values
        b = consensus(x[list(pe)][:, list(pp)], m, trim=1, min_remaining=1).values
        np.testing.assert_allclose(b, a[list(pp)], atol=1e-9)


def test_median_low_is_a_given_level():
    # TRL 5, 6 from two experts: median = 5.5 (not a level), median_low = 5
    x = cube_1cell([6, 5, nan])
    assert consensus(x, "median").values[0, 0] == 5.5
    assert consensus(x, "median_low").values[0, 0] == 5
    assert consensus(cube_1cell([7, 3, 5]), "median_low").values[0, 0] == 5


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (6,), elements=st.floats(3, 7)), st.integers(0, 3), st.floats(-2, 2))
def test_leniency_removes_a_constant_shift(pattern, e, shift):
    """Property (from the formula): four experts share one scoring pattern; expert e adds a
    constant. After correction every expert's scores are identical again (the shift is removed
    from the comparison), and the panel location moves by shift / 4 (M_i is the mean of the
    experts' means). Scores stay inside [0, 10], so no clipping."""
    if np.std(pattern) < 1e-3:
        return
    x = np.tile(pattern, (4, 1))[:, :, None]
    y = x.copy()
    y[e] += shift
    b, ok = leniency_correct(y, 0, 10)
    assert ok.all()
    np.testing.assert_allclose(b[e], b[(e + 1) % 4], atol=1e-9)
    np.testing.assert_allclose(consensus(y, "leniency", lo=0, hi=10).values[:, 0],
                               pattern + shift / 4, atol=1e-9)
