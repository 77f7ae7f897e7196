"""The expert-scale model: score = intercept + scale * quality + noise, by alternating least squares."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.panel.calibration import CalibrationError, fit_additive, fit_scaled


def _chain(E, P, per=3):
    mask = np.zeros((E, P), dtype=bool)
    for p in range(P):
        mask[[(p + j) % E for j in range(per)], p] = True
    return mask


def test_noise_free_lines_are_recovered_exactly():
    rng = np.random.default_rng(1)
    E, P = 6, 30
    quality = rng.uniform(40, 90, P)
    scale = np.array([1.0, 0.5, 1.5, 1.2, 0.8, 1.0])
    scale /= scale.mean()
    leniency = np.array([5.0, -3.0, 0.0, 2.0, -6.0, 1.0])
    # make the truth satisfy the normalisation: sum(leniency) = 0
    leniency -= leniency.mean()
    mask = _chain(E, P)
    y = np.where(mask, leniency[:, None] + scale[:, None] * quality[None, :], np.nan)
    fit = fit_scaled(y, tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(fit.scale, scale, rtol=1e-6)
    # leniency is reported as the offset on a project of average quality
    np.testing.assert_allclose(fit.leniency, leniency + (scale - 1) * quality.mean(), atol=1e-4)
    np.testing.assert_allclose(np.sum(fit.leniency), 0.0, atol=1e-8)
    np.testing.assert_allclose(fit.quality, quality, atol=1e-4)
    np.testing.assert_allclose(np.nan_to_num(fit.residuals), 0.0, atol=1e-4)


def test_equal_scales_give_the_additive_fit():
    rng = np.random.default_rng(2)
    E, P = 5, 40
    quality = rng.normal(60, 10, P)
    leniency = np.array([3.0, -3.0, 1.0, 0.0, -1.0])
    mask = _chain(E, P)
    y = np.where(mask, quality[None, :] + leniency[:, None], np.nan)
    fit = fit_scaled(y, tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(fit.scale, 1.0, atol=1e-6)
    add = fit_additive(y)
    np.testing.assert_allclose(fit.quality, add.quality, atol=1e-4)


def test_a_compressing_expert_is_found_and_not_mistaken_for_a_noisy_one():
    rng = np.random.default_rng(3)
    E, P = 8, 200
    quality = rng.normal(60, 10, P)
    scale = np.ones(E)
    scale[0] = 0.3                        # scores everything near the middle
    mask = _chain(E, P, per=3)
    y = np.where(mask, 60 + scale[:, None] * (quality[None, :] - 60) + rng.normal(0, 2, (E, P)), np.nan)
    fit = fit_scaled(y)
    assert fit.scale[0] / fit.scale[1:].mean() == pytest.approx(0.3, abs=0.05)
    # the additive model can only read the compression as noise; the scale model finds the true noise (sd 2)
    add = fit_additive(y)
    assert fit.noise_sd[0] == pytest.approx(2.0, rel=0.3)
    assert add.noise_sd[0] > 2.5 * fit.noise_sd[0]
    # quality in the panel's average units (mean scale 1): an affine map of the truth
    assert np.corrcoef(fit.quality, quality)[0, 1] > 0.99


def test_vectorised_over_indicators():
    rng = np.random.default_rng(4)
    mask = _chain(6, 25)
    y = np.where(mask[:, :, None], rng.normal(60, 10, (6, 25, 2)) * rng.uniform(0.5, 1.5, (6, 1, 2)), np.nan)
    whole = fit_scaled(y)
    for i in range(2):
        one = fit_scaled(y[:, :, i])
        np.testing.assert_allclose(whole.quality[:, i], one.quality, atol=1e-8)
        np.testing.assert_allclose(whole.scale[:, i], one.scale, atol=1e-8)


def test_guards():
    y = np.full((4, 6), np.nan)
    y[:2, :3] = [[60, 70, 80], [65, 72, 81]]
    y[2:, 3:] = [[50, 55, 52], [58, 60, 57]]
    with pytest.raises(CalibrationError, match="disconnected"):
        fit_scaled(y)
