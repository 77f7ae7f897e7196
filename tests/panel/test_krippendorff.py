"""Krippendorff's alpha: the published example, hand calculations, properties, an independent implementation."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tlr.panel.krippendorff import krippendorff_alpha

nan = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for Communication,
# University of Pennsylvania (repository.upenn.edu/asc_papers/43), section C/E: 4 observers x 12 units with
# missing values; printed alpha: nominal .743, ordinal .815, interval .849 (ratio .797). The same values
# are pinned by the `krippendorff` package's tests (github.com/pln-fing-udelar/fast-krippendorff,
# tests/test_krippendorff.py: ordinal 0.815, ratio 0.797) and reproduced by hand below.
K2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])


def test_published_example_three_levels():
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}
    for level, value in published.items():
        r = krippendorff_alpha(K2011, level=level)
        assert round(float(r.alpha), 3) == value, level
        # unit 12 has one value only: it drops out; 11 units, 40 pairable values, 4 observers
        assert (int(r.n_units), int(r.n_values), int(r.n_raters)) == (11, 40, 4)
        assert r.defined


def test_nominal_by_hand():
    """Coincidence matrix of K2011 (Krippendorff 2011): n_1..n_5 = 9, 13, 10, 5, 3 (n = 40) and
    disagreeing coincidences summing to 8 (units 2, 6 and 8). D_o = 8 / 40,
    D_e = (40^2 - (81 + 169 + 100 + 25 + 9)) / (40 * 39) = 1216 / 1560, alpha = 1 - 312 / 1216."""
    r = krippendorff_alpha(K2011, level="nominal")
    assert float(r.D_o) == pytest.approx(8 / 40)
    assert float(r.D_e) == pytest.approx(1216 / 1560)
    assert float(r.alpha) == pytest.approx(1 - 312 / 1216)


def test_interval_by_hand_small():
    """Two raters, three units (1,2), (3,3), (5,4): n = 6, values 1 2 3 3 5 4, mean 3, SS_total = 10.
    Within: ordered pairs per unit (x - y)^2 / (m - 1): 2, 0, 2 -> D_o = 4 / 6; D_e = 2 * 10 / 5 = 4.
    alpha = 1 - (4/6) / 4 = 5 / 6."""
    x = np.array([[1, 3, 5], [2, 3, 4]], float)
    r = krippendorff_alpha(x, level="interval")
    assert float(r.D_o) == pytest.approx(4 / 6)
    assert float(r.D_e) == pytest.approx(4.0)
    assert float(r.alpha) == pytest.approx(5 / 6)


def test_ordinal_by_hand_small():
    """Same data, ordinal. Values 1..5 each once except 3 twice: n_g = 1 1 2 1 1.
    delta^2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2: d(1,2) = (2 - 1)^2 = 1, d(4,5) = 1.
    D_o = (2 * 1 + 2 * 1) / 6 = 4/6 (ordered pairs, m - 1 = 1; unit (3,3) adds nothing).
    D_e = sum_{c,k} n_c n_k delta^2 / (6 * 5): pairs (c<k) with weight n_c n_k and delta^2:
    (1,2):1*1*1  (1,3):1*2*2.5^2  (1,4):1*1*4^2  (1,5):1*1*5^2  (2,3):1*2*1.5^2  (2,4):1*1*3^2
    (2,5):1*1*4^2  (3,4):2*1*1.5^2  (3,5):2*1*2.5^2  (4,5):1*1*1
    = 1 + 12.5 + 16 + 25 + 4.5 + 9 + 16 + 4.5 + 12.5 + 1 = 102; both orders: 204 / 30."""
    x = np.array([[1, 3, 5], [2, 3, 4]], float)
    r = krippendorff_alpha(x, level="ordinal")
    assert float(r.D_o) == pytest.approx(4 / 6)
    assert float(r.D_e) == pytest.approx(204 / 30)
    assert float(r.alpha) == pytest.approx(1 - (4 / 6) / (204 / 30))


def test_perfect_agreement_and_no_information():
    same = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, nan]], float)
    for level in ("interval", "ordinal", "nominal"):
        assert float(krippendorff_alpha(same, level=level).alpha) == pytest.approx(1.0)
    constant = np.full((3, 4), 7.0)
    r = krippendorff_alpha(constant)
    assert not r.defined and np.isnan(r.alpha)             # D_e = 0: alpha undefined, never 1 or 0
    lonely = np.array([[1, nan], [nan, 2]], float)          # no unit has two values
    r = krippendorff_alpha(lonely)
    assert not r.defined and int(r.n_units) == 0 and int(r.n_values) == 0


def test_units_with_one_value_drop_out():
    extra = np.concatenate([K2011, np.array([[9.0], [nan], [nan], [nan]])], axis=1)
    for level in ("interval", "ordinal", "nominal"):
        assert float(krippendorff_alpha(extra, level=level).alpha) == pytest.approx(
            float(krippendorff_alpha(K2011, level=level).alpha))


def test_blocks_are_independent_and_vectorised():
    rng = np.random.default_rng(4)
    cube = rng.integers(1, 10, size=(6, 20, 3)).astype(float)
    cube[rng.random(cube.shape) < 0.5] = nan
    together = krippendorff_alpha(cube, level="ordinal", bootstrap=200, seed=9)
    for i in range(3):
        alone = krippendorff_alpha(cube[:, :, i], level="ordinal")
        assert together.alpha[i] == pytest.approx(float(alone.alpha))
    assert together.alpha.shape == (3,) and together.ci_low.shape == (3,)


def test_bootstrap_is_seeded_and_brackets_alpha():
    a = krippendorff_alpha(K2011, level="interval", bootstrap=500, seed=7)
    b = krippendorff_alpha(K2011, level="interval", bootstrap=500, seed=7)
    c = krippendorff_alpha(K2011, level="interval", bootstrap=500, seed=8)
    assert (float(a.ci_low), float(a.ci_high)) == (float(b.ci_low), float(b.ci_high))
    assert (float(a.ci_low), float(a.ci_high)) != (float(c.ci_low), float(c.ci_high))
    assert a.ci_low < a.alpha <= a.ci_high <= 1.0
    assert a.n_boot == 500 and 0 < int(a.n_boot_defined) <= 500 and a.seed == 7
    assert 0 <= float(a.p_below["0.8"]) <= 1 and float(a.p_below["0.667"]) <= float(a.p_below["0.8"])
    none = krippendorff_alpha(K2011)
    assert np.isnan(none.ci_low) and none.n_boot == 0 and none.seed is None


def test_bootstrap_of_a_perfect_panel_is_one():
    x = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]], float)
    r = krippendorff_alpha(x, bootstrap=300, seed=1)
    assert float(r.ci_low) == pytest.approx(1.0) and float(r.ci_high) == pytest.approx(1.0)


def test_bootstrap_interval_narrows_with_more_units():
    rng = np.random.default_rng(11)

    def panel(units):
        truth = rng.normal(0, 1, units)
        x = truth + rng.normal(0, 0.7, (5, units))
        x[rng.random(x.shape) < 0.5] = nan
        r = krippendorff_alpha(x, bootstrap=400, seed=2)
        return float(r.ci_high - r.ci_low)

    assert panel(400) < panel(25)


def test_bad_arguments():
    with pytest.raises(Exception, match="level"):
        krippendorff_alpha(K2011, level="ratio")
    with pytest.raises(Exception):
        krippendorff_alpha(K2011, bootstrap=-1)
    with pytest.raises(Exception):
        krippendorff_alpha(np.array([1.0, 2.0]))


# ------------------------------------------------------------------ properties
def _sparse(draw, max_raters=7, max_units=25, values=st.integers(1, 9)):
    raters = draw(st.integers(2, max_raters))
    units = draw(st.integers(2, max_units))
    x = np.array(draw(st.lists(values, min_size=raters * units, max_size=raters * units)), float)
    x = x.reshape(raters, units)
    mask = np.array(draw(st.lists(st.booleans(), min_size=raters * units, max_size=raters * units)))
    x[mask.reshape(raters, units)] = nan
    return x


sparse = st.composite(_sparse)


@settings(max_examples=60, deadline=None)
@given(sparse(), st.sampled_from(["interval", "ordinal", "nominal"]))
def test_matches_the_krippendorff_package_on_random_sparse_data(x, level):
    kd = pytest.importorskip("krippendorff")
    ours = krippendorff_alpha(x, level=level)
    try:
        ref = kd.alpha(reliability_data=x, level_of_measurement=level)
    except ValueError:           # the package refuses data with no pairable unit or one value only
        assert not ours.defined
        return
    if np.isnan(ref):
        assert not ours.defined
    else:
        assert float(ours.alpha) == pytest.approx(ref, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(sparse(), st.floats(0.1, 10), st.floats(-50, 50))
def test_interval_alpha_is_invariant_to_linear_rescaling(x, scale, shift):
    a = krippendorff_alpha(x, level="interval")
    b = krippendorff_alpha(x * scale + shift, level="interval")
    if a.defined:
        assert float(b.alpha) == pytest.approx(float(a.alpha), abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(sparse())
def test_ordinal_alpha_is_invariant_to_monotone_recoding(x):
    a = krippendorff_alpha(x, level="ordinal")
    b = krippendorff_alpha(np.exp(x / 3.0) + 100, level="ordinal")     # order kept, spacing changed
    if a.defined:
        assert float(b.alpha) == pytest.approx(float(a.alpha), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(sparse(), st.permutations(range(1, 10)))
def test_nominal_alpha_is_invariant_to_relabelling(x, perm):
    table = np.array([nan] + list(perm), float)
    relabelled = np.where(np.isnan(x), nan, table[np.nan_to_num(x).astype(int)])
    a = krippendorff_alpha(x, level="nominal")
    if a.defined:
        assert float(krippendorff_alpha(relabelled, level="nominal").alpha) == pytest.approx(float(a.alpha))


@settings(max_examples=30, deadline=None)
@given(sparse())
def test_rater_order_and_unit_order_do_not_matter(x):
    rng = np.random.default_rng(0)
    y = x[rng.permutation(x.shape[0])][:, rng.permutation(x.shape[1])]
    for level in ("interval", "ordinal"):
        a = krippendorff_alpha(x, level=level)
        if a.defined:
            assert float(krippendorff_alpha(y, level=level).alpha) == pytest.approx(float(a.alpha))
