"""ICC forms with F, df, p and confidence intervals, against published numbers.

Data: Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
Psychological Bulletin 86(2), 420-428, Table 2 (6 targets x 4 judges); Table 4 gives the six ICCs.

F, df, p and the 95 % bounds: R's psych::ICC on the same data, as printed in D. Wollschläger's R examples
repository (github.com/dwoll/RExRepos, md/interRaterICC.md, "Intra-class-correlation for interval-scale
ratings"), which prints, per row: ICC, F, df1, df2, p, lower bound, upper bound:

    Single_raters_absolute   ICC1 0.17  1.8   5  18 0.16477  -0.133  0.72
    Single_random_raters     ICC2 0.29 11.0   5  15 0.00013   0.019  0.76
    Single_fixed_raters      ICC3 0.71 11.0   5  15 0.00013   0.342  0.95
    Average_raters_absolute ICC1k 0.44  1.8   5  18 0.16477  -0.884  0.91
    Average_random_raters   ICC2k 0.62 11.0   5  15 0.00013   0.071  0.93
    Average_fixed_raters    ICC3k 0.91 11.0   5  15 0.00013   0.676  0.99

psych computes the bounds with McGraw & Wong (1996), Psychological Methods 1(1), 30-46, Tables 7-8.
"""

import numpy as np
import pytest
from scipy import stats

from tlr.panel.agreement import ICC_FORMS, f_isf, icc, icc_form

SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)

# form: (ICC, F, df1, df2, p, lower, upper) as printed by psych (digits as printed)
PSYCH = {
    "ICC1": (.17, 1.8, 5, 18, .16477, -.133, .72),
    "ICC2": (.29, 11.0, 5, 15, .00013, .019, .76),
    "ICC3": (.71, 11.0, 5, 15, .00013, .342, .95),
    "ICC1k": (.44, 1.8, 5, 18, .16477, -.884, .91),
    "ICC2k": (.62, 11.0, 5, 15, .00013, .071, .93),
    "ICC3k": (.91, 11.0, 5, 15, .00013, .676, .99),
}


def _digits(printed: float) -> int:
    text = repr(printed)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("form", ICC_FORMS)
def test_every_form_matches_psych_as_printed(form):
    f = icc(SF.T).forms[form]                     # tlr's layout: judges x targets
    value, F, df1, df2, p, lo, hi = PSYCH[form]
    assert round(float(f.value), 2) == value
    assert round(float(f.F), 1) == F
    assert (float(f.df1), float(f.df2)) == (df1, df2)
    assert round(float(f.p_value), 5) == p
    assert round(float(f.ci_low), _digits(lo)) == lo
    assert round(float(f.ci_high), _digits(hi)) == hi
    assert f.confidence == 0.95


def test_shrout_fleiss_published_iccs_and_names():
    r = icc(SF.T)
    published = {"ICC(1,1)": .17, "ICC(2,1)": .29, "ICC(3,1)": .71, "ICC(1,k)": .44, "ICC(2,k)": .62,
                 "ICC(3,k)": .91}
    assert {f.name: round(float(f.value), 2) for f in r.forms.values()} == published
    assert {f.name: f.mcgraw_wong for f in r.forms.values()} == {
        "ICC(1,1)": "", "ICC(2,1)": "ICC(A,1)", "ICC(3,1)": "ICC(C,1)", "ICC(1,k)": "", "ICC(2,k)": "ICC(A,k)",
        "ICC(3,k)": "ICC(C,k)"}


def test_absolute_agreement_interval_uses_satterthwaite_df_by_hand():
    """McGraw & Wong (1996) Table 7, case 2A, from the published mean squares (S&F Table 2 exactly:
    BMS = 1349/120, JMS = 1169.5/36, EMS = 18.35/18)."""
    n, k = 6, 4
    BMS, JMS, EMS = 1349 / 120, 1169.5 / 36, 18.35 / 18
    r = icc(SF.T)
    assert (float(r.BMS), float(r.JMS), float(r.EMS)) == pytest.approx((BMS, JMS, EMS))
    rho = (BMS - EMS) / (BMS + (k - 1) * EMS + k * (JMS - EMS) / n)
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = (a * JMS + b * EMS) ** 2 / ((a * JMS) ** 2 / (k - 1) + (b * EMS) ** 2 / ((n - 1) * (k - 1)))
    assert v == pytest.approx(4.7851, abs=1e-4)
    for form in ("ICC2", "ICC2k"):
        assert float(r.forms[form].df2_ci) == pytest.approx(v, rel=1e-12)
    FL, FU = stats.f.ppf(.975, n - 1, v), stats.f.ppf(.975, v, n - 1)
    low = n * (BMS - FL * EMS) / (FL * (k * JMS + (k * n - k - n) * EMS) + n * BMS)
    high = n * (FU * BMS - EMS) / (k * JMS + (k * n - k - n) * EMS + n * FU * BMS)
    assert float(r.forms["ICC2"].ci_low) == pytest.approx(low, rel=1e-8)
    assert float(r.forms["ICC2"].ci_high) == pytest.approx(high, rel=1e-8)
    # case 2A, k raters (McGraw & Wong Table 8)
    low_k = n * (BMS - FL * EMS) / (FL * (JMS - EMS) + n * BMS)
    high_k = n * (FU * BMS - EMS) / (JMS - EMS + n * FU * BMS)
    assert float(r.forms["ICC2k"].ci_low) == pytest.approx(low_k, rel=1e-8)
    assert float(r.forms["ICC2k"].ci_high) == pytest.approx(high_k, rel=1e-8)
    # the other forms' interval df is the test's df
    assert float(r.forms["ICC3"].df2_ci) == 15 and float(r.forms["ICC1"].df2_ci) == 18


def test_confidence_level_is_a_parameter():
    wide, narrow = icc(SF.T, confidence=0.99), icc(SF.T, confidence=0.80)
    assert wide.confidence == 0.99 and wide.forms["ICC3"].confidence == 0.99
    for form in ICC_FORMS:
        assert wide.forms[form].ci_low < narrow.forms[form].ci_low < narrow.forms[form].value
        assert wide.forms[form].ci_high > narrow.forms[form].ci_high > narrow.forms[form].value
    # ICC(3,1) at 80 %: from F = BMS/EMS and the F quantiles (McGraw & Wong Table 7, case 3)
    F = 1349 / 120 / (18.35 / 18)
    FL, FU = F / stats.f.ppf(.9, 5, 15), F * stats.f.ppf(.9, 15, 5)
    assert float(narrow.forms["ICC3"].ci_low) == pytest.approx((FL - 1) / (FL + 3), rel=1e-8)
    assert float(narrow.forms["ICC3"].ci_high) == pytest.approx((FU - 1) / (FU + 3), rel=1e-8)
    with pytest.raises(Exception):
        icc(SF.T, confidence=1.0)


def test_vectorised_over_indicators_equals_one_at_a_time():
    rng = np.random.default_rng(5)
    cube = rng.integers(1, 10, size=(5, 12, 3)).astype(float)
    together = icc(cube)
    for i in range(3):
        alone = icc(cube[:, :, i])
        for form in ICC_FORMS:
            for attr in ("value", "F", "p_value", "ci_low", "ci_high", "df2_ci"):
                assert getattr(together.forms[form], attr)[i] == pytest.approx(float(getattr(alone.forms[form], attr)))


def test_undefined_block_has_no_inference():
    r = icc(np.array([[1.0, 2.0], [1.0, 2.0]]))    # EMS = 0: F infinite, no ICC test
    assert not r.defined
    assert all(np.isnan(float(r.forms[f].ci_low)) and np.isnan(float(r.forms[f].p_value)) for f in ICC_FORMS)


@pytest.mark.parametrize("text, form", [("1,1", "ICC1"), ("2,1", "ICC2"), ("3,1", "ICC3"), ("1,k", "ICC1k"),
                                        ("2,k", "ICC2k"), ("3,k", "ICC3k"), ("A,1", "ICC2"), ("C,1", "ICC3"),
                                        ("a,k", "ICC2k"), ("C,k", "ICC3k"), ("ICC(A,1)", "ICC2"),
                                        ("ICC(3,1)", "ICC3"), ("ICC2k", "ICC2k")])
def test_form_names_map_mcgraw_wong_onto_shrout_fleiss(text, form):
    assert icc_form(text) == form


def test_unknown_form_is_refused():
    with pytest.raises(KeyError, match="A,1"):
        icc_form("4,1")


def test_f_quantile_matches_scipy():
    rng = np.random.default_rng(2)
    q = np.concatenate([[.025, .975, .5, 1e-6, 1 - 1e-6], rng.uniform(.001, .999, 100)])
    d1 = np.concatenate([[5, 5, 1, 3, 3], rng.uniform(.5, 200, 100)])
    d2 = np.concatenate([[4.785, 15, 1000, 7, 7], rng.uniform(.5, 2000, 100)])
    assert f_isf(q, d1, d2) == pytest.approx(stats.f.isf(q, d1, d2), rel=1e-9)
    assert np.isnan(f_isf([0.0, 1.0, .5], [1, 1, -1], [1, 1, 1])).all()
