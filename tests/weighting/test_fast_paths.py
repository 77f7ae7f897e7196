"""The fast paths of ahp() for large stacks give the same answers as the plain methods.

* the blocked validation screen accepts, reconciles and rejects exactly like the locating checks
  (which name the matrix and cell), on clean and corrupted inputs;
* weights, lambda_max and CR agree with a per-matrix ``numpy.linalg.eig`` to 1e-12;
* a valid float64 stack is not copied, and reconciliation of 0.33-style rounding is matrix by matrix.
"""

import numpy as np
import pytest

from tlr.errors import WeightingError
from tlr.weighting import ahp, check_pairwise, eigenvector
from tlr.weighting import validate

from .conftest import perron, random_reciprocal

SAATY_2DP = np.array([0.11, 0.13, 0.14, 0.17, 0.2, 0.25, 0.33, 0.5, 1, 2, 3, 4, 5, 6, 7, 9])  # no 8: 8 * 0.13 = 1.04


def rounded_reciprocal(rng, k, n):
    """Judgements as an expert types them: upper triangle on the scale, lower triangle 1/x to two decimals."""
    iu = np.triu_indices(n, 1)
    v = rng.choice(SAATY_2DP, size=(k, len(iu[0])))
    a = np.ones((k, n, n))
    a[:, iu[0], iu[1]] = v
    a[:, iu[1], iu[0]] = np.round(1 / v, 2)
    return a


@pytest.mark.parametrize("kind", ["scale", "continuous", "rounded"])
def test_ahp_matches_per_matrix_dense_eig(rng, kind):
    # 3 x 4 orders x 25 matrices = 300 matrices, each against an independent dense eigen-decomposition
    for n in (3, 5, 9, 14):
        if kind == "rounded":
            a = rounded_reciprocal(rng, 25, n)
        else:
            a = random_reciprocal(rng, 25, n, scale=kind == "scale")
        r = ahp(a, ri="saaty_later")
        ri = r.ri
        for i in range(len(a)):
            wr, lr = perron(r.completed[i])          # the reconciled matrix (= a unless rounded)
            assert np.abs(r.weights[i] - wr).max() <= 1e-12
            assert abs(r.lambda_max[i] - lr) <= 1e-12 * lr
            assert abs(r.cr[i] - (lr - n) / (n - 1) / ri) <= 1e-12
        if kind != "rounded":
            assert np.array_equal(r.completed, a)


def _generated_inputs():
    """Clean, rounded and corrupted single matrices and stacks (every kind of problem the checks know)."""
    rng = np.random.default_rng(16)
    out = []
    for t in range(240):
        n, k = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        a = rounded_reciprocal(rng, k, n) if t % 3 == 0 else random_reciprocal(rng, k, n, scale=t % 3 == 1)
        kk, i, j = int(rng.integers(k)), int(rng.integers(n)), int(rng.integers(n))
        problem = t % 12
        if problem == 1:
            a[kk, i, j] = np.nan
        elif problem == 2:
            a[kk, i, j] = a[kk, j, i] = np.nan
        elif problem == 3:
            a[kk, i, j] = np.inf
        elif problem == 4:
            a[kk, i, j] = 0.0
        elif problem == 5:
            a[kk, i, j] = -abs(a[kk, i, j])
        elif problem == 6:
            a[kk, i, j] *= 1.05                      # beyond the 3 % reciprocity tolerance (if off-diagonal)
        elif problem == 7:
            a[kk, i, j], a[kk, j, i] = 1e300, 1e10   # the product overflows
        elif problem == 8:
            a[kk, i, i] = 1 + 5e-10                  # within the diagonal tolerance: accepted, reconciled
        elif problem == 9:
            a[kk, i, i] = 1.01
        elif problem == 10:
            a[kk, i, j], a[kk, j, i] = 20.0, 1 / 20  # out of scale: a warning
        out.append(a[0] if t % 2 else a)
    return out


@pytest.mark.parametrize("allow_missing", [False, True])
def test_screen_accepts_and_rejects_exactly_like_the_locating_checks(monkeypatch, allow_missing):
    seen = {"accepted": 0, "rejected": 0, "screened": 0}
    screen_fast = validate._screen

    def counted(a, rtol):
        out = screen_fast(a, rtol)
        seen["screened"] += out is not None
        return out

    for a in _generated_inputs():
        results = []
        for screen in (counted, lambda a, rtol: None):   # fast screen, then the locating checks only
            monkeypatch.setattr(validate, "_screen", screen)
            try:
                arr, warns = check_pairwise(a.copy(), allow_missing=allow_missing)
                results.append(("ok", arr, warns))
            except WeightingError as e:
                results.append(("error", e.code, e.format()))
        fast, slow = results
        assert fast[0] == slow[0]
        if fast[0] == "error":
            assert fast[1:] == slow[1:]
            seen["rejected"] += 1
        else:
            assert np.array_equal(fast[1], slow[1], equal_nan=True) and fast[2] == slow[2]
            seen["accepted"] += 1
    assert seen["accepted"] > 40 and seen["rejected"] > 40 and seen["screened"] > 40


@pytest.mark.parametrize("problem,code", [("nonreciprocal", "not_reciprocal"), ("zero", "not_positive"),
                                          ("inf", "not_finite"), ("nan", "missing"), ("diagonal", "bad_diagonal")])
def test_error_in_a_large_stack_names_matrix_and_cell(rng, problem, code):
    a = random_reciprocal(rng, 10000, 9)                 # crosses several screen blocks
    m, i, j = 8765, 2, 6                                 # matrix 8766, row 3, column 7 (1-based)
    if problem == "nonreciprocal":
        a[m, i, j] = a[m, i, j] * 2
    elif problem == "zero":
        a[m, i, j] = 0.0
    elif problem == "inf":
        a[m, i, j] = np.inf
    elif problem == "nan":
        a[m, i, j] = a[m, j, i] = np.nan
    else:
        i = j = 4
        a[m, i, i] = 2.0
    with pytest.raises(WeightingError) as e:
        ahp(a)
    assert e.value.code == code
    assert e.value.location.field == f"matrix 8766: row {i + 1}, column {j + 1}"


def test_valid_stack_is_not_copied_and_cannot_be_changed_through_the_result(rng):
    a = random_reciprocal(rng, 50, 6)
    before = a.copy()
    arr, warns = check_pairwise(a)
    assert np.shares_memory(arr, a) and not arr.flags.writeable and warns == ()
    r = ahp(a)
    assert np.shares_memory(r.completed, a) and not r.completed.flags.writeable
    with pytest.raises(ValueError):
        r.completed[0, 0, 1] = 5.0
    assert np.array_equal(a, before)


def test_reconciliation_is_matrix_by_matrix_and_leaves_the_input_alone(rng):
    exact = random_reciprocal(rng, 3, 5, scale=False)
    rounded = rounded_reciprocal(rng, 1, 5)
    stack = np.concatenate([exact[:2], rounded, exact[2:]])
    before = stack.copy()
    arr, _ = check_pairwise(stack)
    assert np.array_equal(stack, before)                 # the input is never written
    assert np.array_equal(arr[[0, 1, 3]], exact)         # matrices that needed nothing are bit-identical
    fixed = arr[2]
    assert np.allclose(fixed * fixed.T, 1.0, rtol=0, atol=1e-15) and np.all(np.diag(fixed) == 1.0)
    iu = np.triu_indices(5, 1)                           # a_ij <- sqrt(a_ij / a_ji)
    assert np.allclose(fixed[iu], np.sqrt(rounded[0][iu] / rounded[0].T[iu]), rtol=1e-15)
    # each matrix gives the same answer in the stack as alone
    r = ahp(stack)
    for i in range(len(stack)):
        one = ahp(stack[i])
        assert np.array_equal(r.weights[i], one.weights) and r.cr[i] == one.cr


def test_one_wild_matrix_does_not_spoil_its_block(rng, monkeypatch):
    # judgements up to e^±75 overflow A^32 unscaled: the block is rescaled matrix by matrix (one common
    # scalar 1 / max(A) would underflow the other 199); the wild matrix itself may need the eig fallback
    from tlr.weighting import priorities

    a = random_reciprocal(rng, 200, 7)
    iu = np.triu_indices(7, 1)
    v = np.exp(rng.normal(0, 25, size=len(iu[0])))
    a[17][iu], a[17][iu[::-1]] = v, 1 / v
    rescaled = []
    power = priorities._power

    def spy(a, bufs, rescale):
        rescaled.append(rescale)
        return power(a, bufs, rescale)

    monkeypatch.setattr(priorities, "_power", spy)
    w, lam, info = eigenvector(a, return_info=True)
    assert rescaled == [False, True] and info["fallback"] <= 1
    for i in (0, 17, 199):
        wr, lr = perron(a[i])
        assert np.abs(w[i] - wr).max() <= 1e-12 and abs(lam[i] - lr) <= 1e-12 * lr


def test_change_criterion_retires_what_rounding_keeps_above_the_residual_threshold(rng):
    # tol = 1e-15 asks for a residual <= 1e-17, below rounding (~1e-15): the componentwise change
    # <= tol must then retire the matrices (a product or two later), not max_iter and the eig fallback
    a = random_reciprocal(rng, 20, 9, scale=False)
    w, lam, info = eigenvector(a, tol=1e-15, return_info=True)
    assert info["fallback"] == 0 and info["iterations"] <= 4 * 32   # row sums of A^32 + at most 3 products
    for i in range(0, len(a), 4):
        wr, lr = perron(a[i])
        assert np.abs(w[i] - wr).max() <= 1e-12 and abs(lam[i] - lr) <= 1e-12 * lr
