"""The back-test's statistics against hand-computed numbers and properties (tlr.outcomes.backtest)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.outcomes.backtest import MIN_N, SMALL_N, backtest, bootstrap_ci, correlate, spearman


def test_spearman_by_hand_without_ties():
    # d = rank differences (-1, 1, -1, 1, 0): rho = 1 - 6*4 / (5*(25-1)) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8, abs=1e-12)


def test_spearman_by_hand_with_ties():
    # ranks x = (1, 2.5, 2.5, 4), y = (1, 3, 2, 4): Pearson of the ranks = 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10)
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(3 / math.sqrt(10), abs=1e-12)


def test_spearman_is_vectorised_along_the_last_axis_and_nan_when_constant():
    x = np.array([[1, 2, 3, 4, 5], [5, 5, 5, 5, 5], [1, 2, 3, 4, 5]], float)
    y = np.array([[2, 1, 4, 3, 5], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], float)
    rho = spearman(x, y)
    assert rho[0] == pytest.approx(0.8) and math.isnan(rho[1]) and rho[2] == pytest.approx(-1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=3, max_size=25))
def test_spearman_properties(pairs):
    x = np.array([p[0] for p in pairs], float)
    y = np.array([p[1] for p in pairs], float)
    rho = spearman(x, y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert math.isnan(rho)
        return
    assert -1 - 1e-12 <= rho <= 1 + 1e-12
    assert spearman(x ** 3 + 7, y) == pytest.approx(rho, abs=1e-9)      # a monotone map keeps the ranks
    assert spearman(x, -y) == pytest.approx(-rho, abs=1e-9)
    assert spearman(y, x) == pytest.approx(rho, abs=1e-9)


def test_the_small_sample_rule():
    x = np.arange(MIN_N - 1, dtype=float)
    assert correlate(x, x)["status"] == "too_few" and correlate(x, x)["rho"] is None
    x = np.arange(MIN_N, dtype=float)
    res = correlate(x, x)
    assert res["status"] == "small" and res["rho"] == pytest.approx(1.0) and res["n"] == MIN_N
    x = np.arange(SMALL_N, dtype=float)
    assert correlate(x, x[::-1])["status"] == "ok"
    assert correlate(x, np.zeros(SMALL_N))["status"] == "constant"


def test_unknown_pairs_are_left_out_and_n_says_so():
    x = np.array([1, 2, 3, np.nan, 5, 6, 7, 8, 9, 10], float)
    y = np.array([1, 2, 3, 4, np.nan, 6, 7, 8, 9, 10], float)
    res = correlate(x, y)
    assert res["n"] == 8 and res["rho"] == pytest.approx(1.0)


def test_bootstrap_interval_covers_the_known_value():
    # bivariate normal with r = 0.6: Spearman's rho is (6/pi) asin(r/2) (Pearson 1907; Kruskal 1958)
    truth = 6 / math.pi * math.asin(0.3)
    rng = np.random.default_rng(7)
    covered = 0
    for k in range(40):
        z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=80)
        lo, hi, dropped = bootstrap_ci(z[:, 0], z[:, 1], draws=1000, level=0.9, seed=k)
        covered += lo <= truth <= hi
        assert dropped == 0
    assert 30 <= covered <= 40          # ~36 expected; the percentile interval under-covers a little


def test_seeded_and_independent_of_the_other_pairs():
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(size=(3, 30))
    one = backtest({"composite": a}, {"revenue": b}, draws=500, seed=11)
    two = backtest({"composite": a, "tech": c}, {"trl_gain": c, "revenue": b}, draws=500, seed=11)
    same = next(r for r in two if r["score"] == "composite" and r["outcome"] == "revenue")
    assert one[0]["ci"] == same["ci"] and one[0]["rho"] == same["rho"]
    assert backtest({"composite": a}, {"revenue": b}, draws=500, seed=12)[0]["ci"] != one[0]["ci"]
