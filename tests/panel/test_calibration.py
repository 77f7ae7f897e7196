"""The additive rater-effects model against hand calculations and an explicit design-matrix fit."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.panel.calibration import CalibrationError, components, fit_additive


def _design_fit(y: np.ndarray, w_e: np.ndarray):
    """Independent weighted LS on the explicit design matrix, with sum(leniency) = 0 as a constraint row."""
    E, P = y.shape
    rows, cols = np.nonzero(~np.isnan(y))
    X = np.zeros((rows.size, P + E))
    X[np.arange(rows.size), cols] = 1.0
    X[np.arange(rows.size), P + rows] = 1.0
    sw = np.sqrt(w_e[rows])
    Xw, yw = X * sw[:, None], y[rows, cols] * sw
    # constrained LS via the KKT system
    K = np.zeros((P + E + 1, P + E + 1))
    K[:P + E, :P + E] = Xw.T @ Xw
    K[P + E, P:P + E] = K[P:P + E, P + E] = 1.0
    rhs = np.concatenate([Xw.T @ yw, [0.0]])
    sol = np.linalg.solve(K, rhs)
    cov = np.linalg.inv(K)[:P + E, :P + E]
    hat = np.einsum("nk,kl,nl->n", X, cov, X) * w_e[rows]
    return sol[:P], sol[P:P + E], cov, hat, rows, cols


def test_complete_balanced_panel_is_row_and_column_means():
    # 3 experts x 4 projects, every expert scored every project: quality = project mean,
    # leniency = expert mean - grand mean (hand calculation)
    y = np.array([[70, 80, 60, 90],
                  [75, 85, 65, 95],
                  [62, 74, 53, 87]], dtype=float)
    fit = fit_additive(y, max_iter=0)
    np.testing.assert_allclose(fit.quality, y.mean(axis=0))
    np.testing.assert_allclose(fit.leniency, y.mean(axis=1) - y.mean())
    np.testing.assert_allclose(fit.leniency.sum(), 0.0, atol=1e-12)


def test_exact_additive_data_is_recovered_on_a_sparse_connected_design():
    rng = np.random.default_rng(3)
    E, P = 8, 30
    quality = rng.uniform(40, 90, P)
    leniency = rng.normal(0, 6, E)
    leniency -= leniency.mean()
    y = np.full((E, P), np.nan)
    for p in range(P):  # each project by 3 consecutive experts (a connected chain)
        for e in (p % E, (p + 1) % E, (p + 3) % E):
            y[e, p] = quality[p] + leniency[e]
    fit = fit_additive(y)
    np.testing.assert_allclose(fit.quality, quality, atol=1e-8)
    np.testing.assert_allclose(fit.leniency, leniency, atol=1e-8)
    np.testing.assert_allclose(np.nan_to_num(fit.residuals), 0.0, atol=1e-8)


def test_unweighted_fit_equals_explicit_design_matrix_least_squares():
    rng = np.random.default_rng(7)
    E, P = 6, 15
    y = np.full((E, P), np.nan)
    for p in range(P):
        for e in rng.choice(E, size=3, replace=False):
            y[e, p] = rng.normal(60, 10)
    y[0, 0] = y[1, 0] = y[2, 0] = 50.0  # make sure the chain is connected through project 0
    y[3, 1] = y[4, 1] = y[5, 1] = y[0, 1] = 55.0
    q, b, cov, hat, rows, cols = _design_fit(y, np.ones(E))
    one = fit_additive(y, max_iter=0)  # equal weights: ordinary least squares
    np.testing.assert_allclose(one.quality, q, atol=1e-8)
    np.testing.assert_allclose(one.leniency, b, atol=1e-8)
    np.testing.assert_allclose(one.leverage[rows, cols], hat, atol=1e-8)
    # the hat matrix's trace is the number of free parameters: P + E - 1
    np.testing.assert_allclose(np.nansum(one.leverage), P + E - 1, atol=1e-8)
    # standard errors: sigma^2 * diag of the constrained covariance
    resid = one.residuals[rows, cols]
    sigma2 = (resid ** 2).sum() / (rows.size - (P + E - 1))
    np.testing.assert_allclose(one.quality_se, np.sqrt(sigma2 * np.diag(cov)[:P]), rtol=1e-6)


def test_weighted_fit_equals_explicit_weighted_least_squares_at_convergence():
    rng = np.random.default_rng(11)
    E, P = 5, 40
    sd = np.array([2.0, 2.0, 8.0, 2.0, 4.0])
    y = np.full((E, P), np.nan)
    for p in range(P):
        for e in rng.choice(E, size=3, replace=False):
            y[e, p] = 60 + rng.normal(0, sd[e])
    fit = fit_additive(y)
    q, b, *_ = _design_fit(y, 1.0 / fit.noise_sd ** 2)
    np.testing.assert_allclose(fit.quality, q, atol=1e-6)
    np.testing.assert_allclose(fit.leniency, b, atol=1e-6)
    # the noisy expert is found noisiest
    assert np.argmax(fit.noise_sd) == 2


def test_indicator_axis_is_vectorised_like_separate_fits():
    rng = np.random.default_rng(5)
    y = np.where(rng.random((6, 20, 3)) < 0.6, rng.normal(60, 10, (6, 20, 3)), np.nan)
    whole = fit_additive(y)
    for i in range(3):
        one = fit_additive(y[:, :, i])
        np.testing.assert_allclose(whole.quality[:, i], one.quality, atol=1e-9)
        np.testing.assert_allclose(whole.noise_sd[:, i], one.noise_sd, atol=1e-9)


def test_single_score_project_is_fitted_exactly_with_leverage_one():
    y = np.array([[70, 80, 60, np.nan],
                  [75, 85, 65, 90.0],
                  [62, 74, 53, np.nan]])
    fit = fit_additive(y)
    assert fit.leverage[1, 3] == pytest.approx(1.0)
    assert np.isnan(fit.standardized[1, 3])
    assert fit.quality[3] == pytest.approx(90.0 - fit.leniency[1])


def test_disconnected_assignment_is_refused_with_the_groups():
    y = np.full((4, 6), np.nan)
    y[:2, :3] = [[60, 70, 80], [65, 72, 81]]
    y[2:, 3:] = [[50, 55, 52], [58, 60, 57]]
    assert components(~np.isnan(y))[0] == 2
    with pytest.raises(CalibrationError, match="disconnected") as info:
        fit_additive(y, expert_ids=["E1", "E2", "E3", "E4"])
    assert "{E1, E2}" in str(info.value) and "{E3, E4}" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_expert_with_too_few_scores_is_refused_by_name():
    y = np.array([[70, 80, 60, 90.0],
                  [75, 85, 65, 95.0],
                  [62, np.nan, np.nan, np.nan]])
    with pytest.raises(CalibrationError, match=r"E3 \(1\)"):
        fit_additive(y, expert_ids=["E1", "E2", "E3"])
    fit = fit_additive(y, min_scores=1)
    assert np.isfinite(fit.leniency).all()


def test_an_expert_without_scores_is_left_out_not_refused():
    y = np.array([[70, 80, 60, 90.0],
                  [75, 85, 65, 95.0],
                  [np.nan] * 4])
    fit = fit_additive(y)
    assert np.isnan(fit.leniency[2]) and np.isnan(fit.noise_sd[2])
    np.testing.assert_allclose(fit.leniency[:2].sum(), 0.0, atol=1e-12)
