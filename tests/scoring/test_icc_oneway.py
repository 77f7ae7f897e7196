"""One-way ICC(1) for unbalanced designs."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.panel.agreement import icc, icc_oneway

# Shrout & Fleiss (1979), Table 2 (6 targets x 4 judges); published ICC(1,1) = .17, WMS = 6.26.
SF_TABLE2 = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def test_balanced_design_gives_shrout_fleiss_icc1():
    r = icc_oneway(SF_TABLE2.T)
    assert round(float(r.icc), 2) == 0.17
    assert r.MSW == pytest.approx(6.26, abs=0.005)
    assert r.k0 == pytest.approx(4)
    assert float(r.icc) == pytest.approx(float(icc(SF_TABLE2.T).values["ICC1"]))


def test_unbalanced_hand_calculation():
    # targets: [1, 3] (k=2), [4, 4, 7] (k=3), [2] (k=1: left out)
    x = np.full((3, 3), np.nan)
    x[0, 0], x[1, 0] = 1, 3
    x[0, 1], x[1, 1], x[2, 1] = 4, 4, 7
    x[2, 2] = 2
    # N = 5, n = 2, grand = 19/5 = 3.8; means 2 and 5
    msb = (2 * (2 - 3.8) ** 2 + 3 * (5 - 3.8) ** 2) / 1          # 10.8
    msw = ((1 - 2) ** 2 + (3 - 2) ** 2 + 1 + 1 + 4) / (5 - 2)     # 8 / 3
    k0 = (5 - (4 + 9) / 5) / 1                                    # 2.4
    expected = (msb - msw) / (msb + (k0 - 1) * msw)
    r = icc_oneway(x)
    assert r.n_targets == 2 and r.n_ratings == 5
    assert float(r.icc) == pytest.approx(expected)


def test_perfect_agreement_is_one_and_blocks_are_independent():
    x = np.array([[1, 5, 3, np.nan], [1, 5, np.nan, 2], [np.nan, 5, 3, 2]], float)
    r = icc_oneway(np.stack([x, x[:, ::-1]], axis=2))
    np.testing.assert_allclose(r.icc, [1.0, 1.0])
