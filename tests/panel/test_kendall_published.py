"""Kendall's W, its chi-square and p against published worked examples."""

import numpy as np
import pytest

from tlr.panel.agreement import kendall_w


def test_nag_g08daf_example_with_ties():
    """NAG Library, routine G08DAF (Kendall's coefficient of concordance), example program results:
    3 comparisons of 10 objects with ties; printed "Kendall's coefficient = 0.828, Significance = 0.008".

    By hand: rank sums 5.5 6.5 9 13.5 12 20 23 23.5 25.5 26.5 around 16.5 give S = 591; ties
    T = (6 + 6) + (6 + 6 + 6) + (60 + 24) = 114; W = 12 S / (3^2 (10^3 - 10) - 3 T) = 7092 / 8568.
    """
    x = np.array([[1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
                  [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
                  [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0]])
    r = kendall_w(x)
    assert r.W == pytest.approx(7092 / 8568)
    assert round(float(r.W), 3) == 0.828
    assert r.ties == 114
    assert r.chi2 == pytest.approx(3 * 9 * 7092 / 8568)          # m (n - 1) W
    assert r.df == 9
    assert round(float(r.p_value), 3) == 0.008
    assert (int(r.m_used), int(r.n_used)) == (3, 10)


def test_irr_kendall_example():
    """R irr::kendall on 6 subjects x 3 raters, as printed in D. Wollschläger's R examples
    (github.com/dwoll/RExRepos, md/interRaterICC.md): W = 0.568, Chisq(5) = 8.52, p-value = 0.13.
    By hand: rank sums 4 14 15 9 13 8 around 10.5, S = 89.5; W = 12 S / (9 * 210) = 1074 / 1890."""
    raters = np.array([[1, 6, 3, 2, 5, 4], [1, 5, 6, 2, 4, 3], [2, 3, 6, 5, 4, 1]], float)
    r = kendall_w(raters)
    assert r.W == pytest.approx(1074 / 1890)
    assert round(float(r.W), 3) == 0.568
    assert round(float(r.chi2), 2) == 8.52 and r.df == 5
    assert round(float(r.p_value), 2) == 0.13


def test_lower_is_better_gives_the_same_w():
    """W is unchanged when every ranking is reversed (the deviations of the rank sums change sign)."""
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(4, 9)).astype(float)
    assert kendall_w(x, higher_is_better=False).W == pytest.approx(float(kendall_w(x).W))
