"""Property tests (hypothesis) and comparisons with an independent dense eigensolver."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from tlr.weighting import ahp, eigenvector, gci, geometric_mean

from .conftest import consistent_matrix, perron, random_reciprocal

pytestmark = pytest.mark.slow  # property-based search over many generated inputs (full suite)

weights_st = st.integers(2, 12).flatmap(
    lambda n: arrays(np.float64, n, elements=st.floats(0.01, 100, allow_nan=False, allow_infinity=False)))


@settings(max_examples=60, deadline=None)
@given(w=weights_st, method=st.sampled_from(["eigenvector", "geometric_mean"]))
def test_consistent_matrix_gives_cr_zero_and_exact_weights(w, method):
    r = ahp(consistent_matrix(w), method=method)
    assert r.weights == pytest.approx(w / w.sum(), rel=1e-9, abs=1e-12)
    assert r.cr == 0.0 and r.ci == 0.0
    assert r.gci == pytest.approx(0.0, abs=1e-12)
    assert r.lambda_max == pytest.approx(len(w), rel=1e-12)
    assert r.consistent


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 12), method=st.sampled_from(["eigenvector", "geometric_mean"]))
def test_permuting_criteria_permutes_weights(seed, n, method):
    rng = np.random.default_rng(seed)
    a = random_reciprocal(rng, 1, n, scale=False)[0]
    p = rng.permutation(n)
    r1 = ahp(a, method=method)
    r2 = ahp(a[np.ix_(p, p)], method=method)
    assert r2.weights == pytest.approx(r1.weights[p], rel=1e-9, abs=1e-13)
    assert r2.cr == pytest.approx(r1.cr, rel=1e-9, abs=1e-13)
    assert r2.gci == pytest.approx(r1.gci, rel=1e-9, abs=1e-13)


@settings(max_examples=40, deadline=None)
@given(w=weights_st)
def test_eigenvector_and_geometric_mean_agree_on_consistent_matrices(w):
    a = consistent_matrix(w)
    assert ahp(a).weights == pytest.approx(ahp(a, method="geometric_mean").weights, rel=1e-9, abs=1e-13)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 15), k=st.integers(1, 40), scale=st.booleans())
def test_eigenvector_matches_dense_eig_and_batch_equals_single(seed, n, k, scale):
    rng = np.random.default_rng(seed)
    a = random_reciprocal(rng, k, n, scale=scale)
    w, lam = eigenvector(a)
    for i in range(min(k, 5)):
        wr, lr = perron(a[i])
        assert w[i] == pytest.approx(wr, abs=1e-10)
        assert lam[i] == pytest.approx(lr, rel=1e-10)
    r = ahp(a)
    r0 = ahp(a[0])
    assert r.weights[0] == pytest.approx(r0.weights, abs=1e-14)
    assert r.cr[0] == pytest.approx(r0.cr, abs=1e-14)
    assert np.allclose(r.weights.sum(-1), 1.0)


def test_large_stack_against_dense_eig(rng):
    a = random_reciprocal(rng, 20000, 9)  # crosses several blocks
    w, lam, info = eigenvector(a, return_info=True)
    vals, vecs = np.linalg.eig(a[::97])
    j = vals.real.argmax(-1)
    ref_l = vals.real[np.arange(len(j)), j]
    ref_w = np.abs(vecs[np.arange(len(j)), :, j].real)
    ref_w /= ref_w.sum(-1, keepdims=True)
    assert np.abs(lam[::97] - ref_l).max() < 1e-10
    assert np.abs(w[::97] - ref_w).max() < 1e-12
    assert info["fallback"] == 0


def test_geometric_mean_and_gci_batch_match_direct_formula(rng):
    a = random_reciprocal(rng, 300, 6, scale=False)
    w = geometric_mean(a)
    ref = np.exp(np.log(a).mean(-1))
    ref /= ref.sum(-1, keepdims=True)
    assert np.abs(w - ref).max() < 1e-14
    # direct formula with explicit weights vs the fast identity used without weights
    assert gci(a) == pytest.approx(gci(a, weights=w), rel=1e-10)


def test_extreme_judgements_do_not_overflow():
    n = 40
    w = np.geomspace(1, 1e6, n)
    a = consistent_matrix(w)
    r = ahp(a, ri="saaty1980") if n <= 15 else None
    ww, lam = eigenvector(a)
    assert ww == pytest.approx(w / w.sum(), rel=1e-8)
    g = geometric_mean(a)
    assert g == pytest.approx(w / w.sum(), rel=1e-9)
    assert r is None


@pytest.mark.parametrize("n", [1, 2])
def test_cr_is_zero_for_n_at_most_two(n):
    a = np.array([[1.0]]) if n == 1 else np.array([[1, 7.0], [1 / 7, 1]])
    r = ahp(a)
    assert r.cr == 0 and r.ci == 0 and r.gci == 0 and r.consistent
    assert r.weights.sum() == pytest.approx(1)
    if n == 2:
        assert r.weights == pytest.approx([7 / 8, 1 / 8])


def test_convergence_check_falls_back_to_dense_eig(rng):
    # with no iterations allowed, nothing converges: every matrix must go through the checked fallback
    a = random_reciprocal(rng, 50, 7)
    w, lam, info = eigenvector(a, max_iter=1, return_info=True)
    assert info["fallback"] == 50
    for i in range(0, 50, 7):
        wr, lr = perron(a[i])
        assert w[i] == pytest.approx(wr, abs=1e-12) and lam[i] == pytest.approx(lr, rel=1e-12)
    w2, lam2, info2 = eigenvector(a, return_info=True)
    assert info2["fallback"] == 0 and np.abs(w2 - w).max() < 1e-12


def test_threaded_blocks_identical_to_serial(rng):
    a = random_reciprocal(rng, 20000, 6)
    w1, l1 = eigenvector(a, workers=1)
    w2, l2 = eigenvector(a, workers=3)
    assert np.array_equal(w1, w2) and np.array_equal(l1, l2)
    assert np.array_equal(geometric_mean(a, workers=1), geometric_mean(a, workers=2))
    assert np.array_equal(gci(a, workers=1), gci(a, workers=2))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 15), sigma=st.sampled_from([3.0, 6.0, 10.0]))
def test_extreme_inconsistent_judgements_match_dense_eig(seed, n, sigma):
    # judgements spread over many orders of magnitude (e^±30): scaling/overflow guard and fallback
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(n, 1)
    a = np.ones((3, n, n))
    v = np.exp(rng.normal(0, sigma, size=(3, len(iu[0]))))
    a[:, iu[0], iu[1]] = v
    a[:, iu[1], iu[0]] = 1 / v
    w, lam = eigenvector(a)
    for i in range(3):
        wr, lr = perron(a[i])
        assert lam[i] == pytest.approx(lr, rel=1e-9)
        assert w[i] == pytest.approx(wr, rel=1e-6, abs=1e-12)
