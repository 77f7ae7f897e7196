"""Agreement: published examples (Shrout & Fleiss 1979), hand calculations, properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from tlr.panel.agreement import dispersion, expert_diagnostics, icc, kendall_w, panel_agreement

nan = np.nan

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428. Table 2: 6 targets x 4 judges.
SF_TABLE2 = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def test_icc_shrout_fleiss_table2():
    r = icc(SF_TABLE2.T)          # our layout: experts x projects
    # Published (Table 3 / Table 4 of the paper): BMS 11.24, JMS 32.49, EMS 1.02, WMS 6.26
    assert r.BMS == pytest.approx(11.24, abs=0.005)
    assert r.JMS == pytest.approx(32.49, abs=0.005)
    assert r.EMS == pytest.approx(1.02, abs=0.005)
    assert r.WMS == pytest.approx(6.26, abs=0.005)
    published = {"ICC1": .17, "ICC2": .29, "ICC3": .71, "ICC1k": .44, "ICC2k": .62, "ICC3k": .91}
    for k, v in published.items():
        assert round(float(r.values[k]), 2) == v, k


def test_icc_per_indicator_with_missing_uses_complete_block():
    x = np.stack([SF_TABLE2.T, SF_TABLE2.T], axis=2)
    x = np.concatenate([x, np.full((4, 1, 2), 3.0)], axis=1)  # a 7th project ...
    x[0, 6, 1] = nan                                           # ... recused by expert 0 on ind 1
    x[:, 6, 0] = nan                                           # and unscored on ind 0
    r = icc(x)
    assert list(r.n_targets) == [6, 6]
    assert r.values["ICC2"][0] == pytest.approx(r.values["ICC2"][1])
    assert round(float(r.values["ICC2"][0]), 2) == .29


def test_kendall_w_hand_with_ties():
    # E1 ranks 1,2,3,4; E2 ties the first two (1.5,1.5,3,4); E3 (2,1,3.5,3.5).
    # R = 4.5,4.5,9.5,11.5, mean 7.5, S = 9+9+4+16 = 38; sum T = 6+6 = 12
    # W = 12*38 / (3^2 (4^3-4) - 3*12) = 456/504 = 19/21
    x = np.array([[1, 2, 3, 4], [1, 1, 3, 4], [2, 1, 4, 4]], float)
    r = kendall_w(x)
    assert r.W == pytest.approx(19 / 21)
    assert r.ties == 12
    assert r.chi2 == pytest.approx(3 * 3 * 19 / 21)
    assert r.p_value == pytest.approx(stats.chi2.sf(3 * 3 * 19 / 21, 3))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(2, 6), st.integers(3, 8)), elements=st.integers(1, 5).map(float)))
def test_kendall_chi2_equals_friedman_with_ties(x):
    """Siegel & Castellan (1988) §7.2/§9.4: Friedman's tie-corrected chi-square = m (n - 1) W.
    scipy.stats.friedmanchisquare is an independent implementation of the Friedman statistic."""
    r = kendall_w(x)
    if not r.defined:
        assert np.isnan(r.W)
        return
    f = stats.friedmanchisquare(*x.T).statistic
    assert r.chi2 == pytest.approx(f, rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), st.integers(2, 12))
def test_w_is_one_for_identical_rankings(m, n):
    row = np.random.default_rng(m * 100 + n).permutation(n).astype(float)
    assert kendall_w(np.tile(row, (m, 1))).W == pytest.approx(1.0)


def test_w_zero_for_perfectly_balanced_rankings():
    # two experts with reversed rankings: rank sums all equal -> W = 0
    assert kendall_w(np.array([[1, 2, 3], [3, 2, 1]], float)).W == pytest.approx(0.0)


def test_w_undefined_is_flagged():
    r = kendall_w(np.array([[1, 1, 1], [2, 2, 2]], float))   # every expert ties everything
    assert not r.defined and np.isnan(r.W)
    r = kendall_w(np.array([[1, nan, 3], [1, 2, nan]], float))  # complete block has 1 project
    assert not r.defined and r.n_used == 1


def test_panel_agreement_shapes():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, (5, 7, 3)).astype(float)
    x[0, 0, 0] = nan
    pa = panel_agreement(x)
    assert pa.w_per_indicator.W.shape == (3,)
    assert pa.w_per_indicator.n_used[0] == 6 and pa.w_overall.n_used == 6
    pa.to_dict()


def test_dispersion_flags_review():
    x = np.array([[5, 5, 1], [5, 6, 9], [nan, 5, 5]], float)   # experts x projects
    d = dispersion(x, range_max=3)
    assert list(d.review) == [False, False, True]
    assert d.reasons == {2: ["range>3"]}
    assert d.range[2] == 8 and d.n_experts[0] == 2
    # cv of project 1: mean 16/3, sd = sqrt(1/3) -> cv = sqrt(1/3)/(16/3)
    assert d.cv[1] == pytest.approx(np.sqrt(1 / 3) / (16 / 3))
    d = dispersion(np.array([[5, nan], [6, nan]], float))
    assert d.too_few[1] and d.reasons == {1: ["n<2"]}


def test_expert_diagnostics_flags():
    rng = np.random.default_rng(7)
    truth = rng.uniform(2, 8, (30, 4))
    x = truth[None] + rng.normal(0, 0.3, (8, 30, 4))
    x[1] += 2.0                       # lenient expert
    x[2] = 5.0                        # same score for everything
    x[3] = rng.uniform(0, 10, (30, 4))  # random scorer
    d = expert_diagnostics(x)
    assert d.systematic[1] and d.bias[1] > 0
    assert d.non_discriminating[2] and not d.non_discriminating[0]
    assert d.erratic[3]
    assert not d.systematic[[0, 4, 5, 6, 7]].any()
    assert not d.erratic[[0, 1, 4, 5, 6, 7]].any()


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (4, 6), elements=st.integers(1, 5).map(float)), st.permutations(range(4)),
       st.permutations(range(6)))
def test_w_and_icc_invariant_to_order_of_experts_and_projects(x, pe, pp):
    a, b = kendall_w(x), kendall_w(x[list(pe)][:, list(pp)])
    assert a.defined == b.defined
    if a.defined:
        assert a.W == pytest.approx(b.W)
    ia, ib = icc(x), icc(x[list(pe)][:, list(pp)])
    if ia.defined:
        for k in ia.values:
            assert ia.values[k] == pytest.approx(ib.values[k])


def test_tie_correction_kothari_example_and_w_one_with_ties():
    """Kothari, *Research Methodology: Methods and Techniques* (Kendall's W, "Case of tied ranks"):
    the ranks 1, 2, 3.5, 5, 6, 3.5, 8, 10, 8, 8 have two tie groups (2 and 3) and
    T = [(2^3 - 2) + (3^3 - 3)] / 12 = 2.5. Two experts giving that same ranking: our ``ties`` is
    sum over experts of sum (t^3 - t) = 2 * 30, and the tie-corrected W of identical rankings is 1
    (uncorrected it would be (n^3 - n - 30) / (n^3 - n) = 960/990)."""
    ranks = np.array([1, 2, 3.5, 5, 6, 3.5, 8, 10, 8, 8])
    r = kendall_w(np.stack([ranks, ranks]))
    assert r.ties / 2 / 12 == pytest.approx(2.5)
    assert r.W == pytest.approx(1.0)
