"""The Bayesian rater-effects model against a dense posterior, its limits, a hand-worked case and the
marginal likelihood maximised by a general-purpose optimiser."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import multivariate_normal

from tlr.panel.calibration import CalibrationError, bayesian_posterior, fit_additive, fit_bayesian


def _sparse(rng, E, P, k, quality=None, leniency=None, sd=None):
    y = np.full((E, P), np.nan)
    quality = rng.normal(60, 10, P) if quality is None else quality
    leniency = np.zeros(E) if leniency is None else leniency
    sd = np.full(E, 4.0) if sd is None else sd
    for p in range(P):
        for e in rng.choice(E, size=k, replace=False):
            y[e, p] = quality[p] + leniency[e] + rng.normal(0, sd[e])
    return y


def _design(y):
    E, P = y.shape
    rows, cols = np.nonzero(~np.isnan(y))
    X = np.zeros((rows.size, P + E))
    X[np.arange(rows.size), cols] = 1.0
    X[np.arange(rows.size), P + rows] = 1.0
    return X, rows, cols


def _dense_posterior(y, sd, tq, tb, mu):
    """The textbook Gaussian posterior from the explicit design matrix (no elimination, no batching)."""
    E, P = y.shape
    X, rows, cols = _design(y)
    w = 1.0 / sd[rows] ** 2
    prior_prec = np.diag(np.r_[np.full(P, tq ** -2.0), np.full(E, tb ** -2.0)])
    prior_mean = np.r_[np.full(P, mu), np.zeros(E)]
    cov = np.linalg.inv(X.T @ (X * w[:, None]) + prior_prec)
    mean = cov @ (X.T @ (w * y[rows, cols]) + prior_prec @ prior_mean)
    marginal = multivariate_normal(X @ prior_mean, X @ np.linalg.inv(prior_prec) @ X.T + np.diag(1.0 / w))
    return mean[:P], mean[P:], np.sqrt(np.diag(cov)[:P]), np.sqrt(np.diag(cov)[P:]), \
        marginal.logpdf(y[rows, cols])


def test_posterior_equals_the_dense_design_matrix_posterior():
    rng = np.random.default_rng(1)
    y = _sparse(rng, 6, 14, 3, leniency=rng.normal(0, 3, 6))
    sd = rng.uniform(2, 6, 6)
    fit = bayesian_posterior(y, noise_sd=sd, tau_quality=7.0, tau_leniency=3.0, mu=58.0)
    q, b, q_sd, b_sd, log_ev = _dense_posterior(y, sd, 7.0, 3.0, 58.0)
    np.testing.assert_allclose(fit.quality, q, atol=1e-9)
    np.testing.assert_allclose(fit.leniency, b, atol=1e-9)
    np.testing.assert_allclose(fit.quality_se, q_sd, rtol=1e-9)
    np.testing.assert_allclose(fit.leniency_se, b_sd, rtol=1e-9)
    assert fit.log_evidence == pytest.approx(log_ev, rel=1e-10)


def test_posterior_is_vectorised_over_indicators():
    rng = np.random.default_rng(2)
    cube = np.where(rng.random((5, 12, 3)) < 0.7, rng.normal(60, 8, (5, 12, 3)), np.nan)
    sd = rng.uniform(2, 5, (5, 3))
    tq, tb, mu = np.array([5.0, 8.0, 12.0]), np.array([1.0, 2.0, 4.0]), np.array([50.0, 60.0, 70.0])
    whole = bayesian_posterior(cube, noise_sd=sd, tau_quality=tq, tau_leniency=tb, mu=mu)
    for i in range(3):
        q, b, q_sd, _, log_ev = _dense_posterior(cube[:, :, i], sd[:, i], tq[i], tb[i], mu[i])
        np.testing.assert_allclose(whole.quality[:, i], q, atol=1e-9)
        np.testing.assert_allclose(whole.leniency[:, i], b, atol=1e-9)
        np.testing.assert_allclose(whole.quality_se[:, i], q_sd, rtol=1e-9)
        assert whole.log_evidence[i] == pytest.approx(log_ev, rel=1e-10)


def test_hand_worked_two_by_two():
    # 2 experts x 2 projects, noise sd 1, tau_leniency 1, quality flat (tau_quality huge).
    # Quality integrated out, each project gives the contrast y1 - y2 = b1 - b2 + N(0, 2): contrasts 3 and 5,
    # their mean 4 has variance 1; prior b1 - b2 ~ N(0, 2) -> posterior mean 4 * 2/3 = 8/3, variance 2/3.
    # b1 + b2 is only the prior's, N(0, 2). So b = (4/3, -4/3), var b_e = (2/3 + 2)/4 = 2/3;
    # quality = column means (5.5, 6.5), var = 1/2 (noise) + var(b1 + b2)/4 = 1.
    y = np.array([[7.0, 9.0], [4.0, 4.0]])
    fit = bayesian_posterior(y, noise_sd=[1.0, 1.0], tau_quality=1e7, tau_leniency=1.0, mu=0.0)
    np.testing.assert_allclose(fit.leniency, [4 / 3, -4 / 3], atol=1e-9)
    np.testing.assert_allclose(fit.leniency_se, np.sqrt([2 / 3, 2 / 3]), atol=1e-9)
    np.testing.assert_allclose(fit.quality, [5.5, 6.5], atol=1e-9)
    np.testing.assert_allclose(fit.quality_se, [1.0, 1.0], atol=1e-9)


def test_unlimited_leniency_prior_gives_the_additive_fit():
    rng = np.random.default_rng(3)
    y = _sparse(rng, 7, 30, 3, leniency=rng.normal(0, 5, 7), sd=rng.uniform(2, 8, 7))
    add = fit_additive(y)
    # quality's prior far flatter still, so the one free direction is pinned by sum(leniency^2) -> sum = 0
    fit = bayesian_posterior(y, noise_sd=add.noise_sd, tau_quality=1e8, tau_leniency=1e3, mu=0.0)
    np.testing.assert_allclose(fit.quality, add.quality, atol=1e-4)     # the gap shrinks as 1 / tau_b^2
    np.testing.assert_allclose(fit.leniency, add.leniency, atol=1e-4)
    # the posterior sd adds the panel's overall leniency, which only the prior knows: variance tau_b^2 / E,
    # common to every project; what is left is the additive fit's standard error
    np.testing.assert_allclose(fit.quality_se ** 2 - 1e6 / 7, add.quality_se ** 2, rtol=1e-4)


def test_vanishing_leniency_prior_gives_the_weighted_project_means():
    rng = np.random.default_rng(4)
    y = _sparse(rng, 6, 20, 3, leniency=rng.normal(0, 5, 6))
    sd = rng.uniform(2, 6, 6)
    w = np.where(np.isnan(y), 0.0, 1.0 / sd[:, None] ** 2)
    weighted_means = (w * np.nan_to_num(y)).sum(axis=0) / w.sum(axis=0)
    fit = bayesian_posterior(y, noise_sd=sd, tau_quality=1e7, tau_leniency=1e-7, mu=0.0)
    np.testing.assert_allclose(fit.leniency, 0.0, atol=1e-9)
    np.testing.assert_allclose(fit.quality, weighted_means, atol=1e-6)
    np.testing.assert_allclose(fit.quality_se, 1.0 / np.sqrt(w.sum(axis=0)), rtol=1e-6)
    # and with a proper quality prior: each mean shrunk towards mu by precision weighting
    shrunk = bayesian_posterior(y, noise_sd=sd, tau_quality=5.0, tau_leniency=1e-7, mu=50.0)
    expected = ((w * np.nan_to_num(y)).sum(axis=0) + 50.0 / 25.0) / (w.sum(axis=0) + 1 / 25.0)
    np.testing.assert_allclose(shrunk.quality, expected, atol=1e-6)


def test_empirical_bayes_reaches_the_maximum_of_the_marginal_likelihood():
    rng = np.random.default_rng(5)
    E, P = 5, 30
    y = _sparse(rng, E, P, 3, leniency=np.array([4.0, -3.0, 0.5, 6.0, -5.0]),
                sd=np.array([2.0, 3.0, 6.0, 2.5, 4.0]))
    X, rows, cols = _design(y)
    obs = y[rows, cols]

    def negative_log_evidence(theta):
        mu, log_tq, log_tb, log_sd = theta[0], theta[1], theta[2], theta[3:]
        cov = (np.exp(2 * log_tq) * X[:, :P] @ X[:, :P].T + np.exp(2 * log_tb) * X[:, P:] @ X[:, P:].T
               + np.diag(np.exp(2 * log_sd[rows])))
        chol = np.linalg.cholesky(cov)
        z = np.linalg.solve(chol, obs - mu)
        return 0.5 * z @ z + np.log(np.diag(chol)).sum() + 0.5 * obs.size * np.log(2 * np.pi)

    fit = fit_bayesian(y, noise_prior_dof=0.0, tol=1e-10, max_iter=5000)
    start = np.r_[np.nanmean(y) + 2.0, np.log(8.0), np.log(3.0), np.log(np.full(E, 3.0))]
    best = minimize(negative_log_evidence, start, method="BFGS", options={"gtol": 1e-8, "maxiter": 2000})
    assert fit.log_evidence == pytest.approx(-best.fun, abs=1e-6)
    assert fit.log_evidence >= -best.fun - 1e-6
    np.testing.assert_allclose(fit.tau_quality, np.exp(best.x[1]), rtol=1e-3)
    np.testing.assert_allclose(fit.tau_leniency, np.exp(best.x[2]), rtol=1e-3)
    np.testing.assert_allclose(fit.noise_sd, np.exp(best.x[3:]), rtol=1e-3)
    # given those components, the fit's posterior is the textbook one
    q, b, q_sd, *_ = _dense_posterior(y, fit.noise_sd, float(fit.tau_quality), float(fit.tau_leniency), float(fit.mu))
    np.testing.assert_allclose(fit.quality, q, atol=1e-8)
    np.testing.assert_allclose(fit.quality_se, q_sd, rtol=1e-8)


def test_recovers_a_lenient_a_harsh_and_a_noisy_expert():
    rng = np.random.default_rng(6)
    E, P = 12, 300
    leniency = np.zeros(E)
    leniency[0], leniency[1] = 8.0, -8.0
    sd = np.full(E, 3.0)
    sd[2] = 12.0
    quality = rng.normal(60, 10, P)
    y = _sparse(rng, E, P, 4, quality=quality, leniency=leniency, sd=sd)
    fit = fit_bayesian(y)
    assert np.argmax(fit.leniency) == 0 and np.argmin(fit.leniency) == 1
    assert np.argmax(fit.noise_sd) == 2
    assert fit.noise_sd[2] == pytest.approx(12.0, rel=0.2)
    assert fit.tau_quality == pytest.approx(10.0, rel=0.15)
    # the posterior sd is honest: about 95 % of the true qualities lie within 2 sd (mu absorbs the mean shift)
    z = (fit.quality - (quality + leniency.mean())) / fit.quality_se
    assert 0.9 <= np.mean(np.abs(z) < 1.96) <= 0.99


def test_indicator_axis_is_vectorised_like_separate_fits():
    rng = np.random.default_rng(7)
    y = np.where(rng.random((6, 25, 3)) < 0.6, rng.normal(60, 10, (6, 25, 3)) + rng.normal(0, 4, (6, 1, 3)), np.nan)
    whole = fit_bayesian(y)
    for i in range(3):
        one = fit_bayesian(y[:, :, i])
        np.testing.assert_allclose(whole.quality[:, i], one.quality, atol=1e-9)
        np.testing.assert_allclose(whole.noise_sd[:, i], one.noise_sd, atol=1e-9)
        assert whole.tau_leniency[i] == pytest.approx(float(one.tau_leniency), rel=1e-9)


def test_guards_are_those_of_the_additive_model():
    y = np.full((4, 6), np.nan)
    y[:2, :3] = [[60, 70, 80], [65, 72, 81]]
    y[2:, 3:] = [[50, 55, 52], [58, 60, 57]]
    with pytest.raises(CalibrationError, match="disconnected"):
        fit_bayesian(y, expert_ids=["E1", "E2", "E3", "E4"])
    few = np.array([[70, 80, 60, 90.0], [75, 85, 65, 95.0], [62, np.nan, np.nan, np.nan]])
    with pytest.raises(CalibrationError, match=r"E3 \(1\)"):
        fit_bayesian(few, expert_ids=["E1", "E2", "E3"])


def test_unscored_project_and_idle_expert_are_nan_not_invented():
    y = np.array([[70, 80, 60, np.nan, 75], [75, 85, 65, np.nan, 79], [np.nan] * 5])
    fit = fit_bayesian(y)
    assert np.isnan(fit.quality[3]) and np.isnan(fit.quality_se[3])
    assert np.isnan(fit.leniency[2]) and np.isnan(fit.noise_sd[2])
    assert np.isfinite(fit.quality[[0, 1, 2, 4]]).all()


def test_given_components_are_checked():
    with pytest.raises(ValueError, match="tau_leniency"):
        bayesian_posterior(np.ones((2, 2)), noise_sd=[1, 1], tau_quality=1.0, tau_leniency=0.0, mu=0.0)
