"""Utilities and aggregation: published examples (Hwang & Yoon 1981), hand calculations, properties."""


import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tlr.engine import utility as ut
from tlr.engine.aggregation import (competition_ranks, expert_composites, fce, memberships_from_grades, topsis,
                                    weighted_sum)
from tlr.numeric.errors import InvalidValueError, MissingValueError

nan = np.nan


# ----------------------------------------------------------------------------- utilities
def test_linear_benefit_cost_clip():
    np.testing.assert_allclose(ut.linear([0, 5, 10, 12, -1], 0, 10), [0, .5, 1, 1, 0])
    np.testing.assert_allclose(ut.linear([2, 4], 0, 8, "cost"), [.75, .5])
    assert np.isnan(ut.linear([nan], 0, 1)[0])
    with pytest.raises(InvalidValueError):
        ut.linear([1], 5, 5)


def test_thresholds_bands_and_edges():
    # bands: <10 -> 0, [10,20) -> .5, >=20 -> 1
    np.testing.assert_allclose(ut.thresholds([5, 10, 19.9, 20, 99], [10, 20], [0, .5, 1]), [0, .5, .5, 1, 1])
    # cost: x <= 10 -> first value, (10,20] -> second, > 20 -> third
    np.testing.assert_allclose(ut.thresholds([10, 15, 21], [10, 20], [1, .5, 0], "cost"), [1, .5, 0])


def test_piecewise_interp_hand():
    # points (0,0) (50,0.8) (100,1): x=25 -> 0.4 ; x=75 -> 0.9 ; outside flat
    np.testing.assert_allclose(ut.piecewise([25, 75, -5, 200], [0, 50, 100], [0, .8, 1]), [.4, .9, 0, 1])


def test_levels_lookup_never_averages():
    table = {1: 0, 2: 5, 3: 10, 4: 20, 5: 35, 6: 50, 7: 70, 8: 85, 9: 100}
    np.testing.assert_allclose(ut.levels([4, 9, 1], table), [20, 100, 0])
    with pytest.raises(InvalidValueError) as ei:
        ut.levels([5.5], table)          # the mean of TRL 5 and 6 is not a level
    assert "等级" in ei.value.message
    with pytest.raises(InvalidValueError):
        ut.levels([10], table)


def test_likert():
    np.testing.assert_allclose(ut.likert([1, 3, 5], 1, 5), [0, .5, 1])
    with pytest.raises(InvalidValueError):
        ut.likert([6], 1, 5)


# ----------------------------------------------------------------------------- weighted sum
def test_weighted_sum_hand_and_dimensions():
    U = np.array([[1.0, 0.5, 0.0], [0.2, 0.4, 1.0]])
    w = [2, 1, 1]                                 # normalised to .5 .25 .25
    r = weighted_sum(U, w, dimensions=[0, 0, 1])
    np.testing.assert_allclose(r.composite, [0.625, 0.45])
    # dim 0: (.5*1 + .25*.5)/.75 = 0.8333 ; (.5*.2+.25*.4)/.75 = .26667
    np.testing.assert_allclose(r.dimension_scores, [[0.625 / .75, 0], [0.2 / .75, 1]])


def test_weighted_sum_missing_policies():
    U = np.array([[1.0, nan], [0.5, 0.5]])
    with pytest.raises(MissingValueError):
        weighted_sum(U, [1, 1])
    r = weighted_sum(U, [1, 1], missing="flag")
    assert r.incomplete.tolist() == [True, False] and np.isnan(r.composite[0]) and r.composite[1] == .5
    r = weighted_sum(U, [1, 3], missing="renormalize")
    assert r.composite[0] == 1.0 and r.incomplete[0]


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (7, 4), elements=st.floats(0, 1)), st.integers(1, 7))
def test_weighted_sum_chunk_invariant(U, chunk):
    w = np.array([.1, .2, .3, .4])
    a = weighted_sum(U, w, dimensions=[0, 1, 1, 0]).composite
    b = weighted_sum(U, w, dimensions=[0, 1, 1, 0], chunk=chunk).composite
    np.testing.assert_allclose(a, b, atol=1e-12)


# ----------------------------------------------------------------------------- FCE
R1 = np.array([[0.5, 0.3, 0.2, 0.0],
               [0.2, 0.5, 0.2, 0.1],
               [0.1, 0.3, 0.4, 0.2]])
A1 = [0.5, 0.3, 0.2]
V1 = [95, 85, 75, 60]


def test_fce_weighted_average_hand():
    # b1 = .5*.5+.3*.2+.2*.1 = .33 ; b2 = .15+.15+.06 = .36 ; b3 = .10+.06+.08 = .24 ; b4 = 0+.03+.04 = .07
    r = fce(R1, A1, V1)
    np.testing.assert_allclose(r.B, [.33, .36, .24, .07])
    np.testing.assert_allclose(r.B_normalised, [.33, .36, .24, .07])
    # score = .33*95 + .36*85 + .24*75 + .07*60 = 31.35 + 30.6 + 18 + 4.2 = 84.15
    assert r.score == pytest.approx(84.15)
    assert r.grade == 1


def test_fce_min_max_hand():
    # Zadeh M(∧,∨): b_k = max_j min(a_j, r_jk): (.5, .3, .2, .2), sum 1.2 -> normalised /1.2
    r = fce(R1, A1, V1, operator="min_max")
    np.testing.assert_allclose(r.B, [.5, .3, .2, .2])
    np.testing.assert_allclose(r.B_normalised, np.array([.5, .3, .2, .2]) / 1.2)
    assert r.score == pytest.approx(1000 / 12)
    r = fce(R1, A1, V1, operator="product_max")
    np.testing.assert_allclose(r.B, [.25, .15, .10, .04])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_fce_crisp_memberships_reduce_to_weighted_sum(grades):
    R = np.eye(4)[grades]                       # each indicator fully in one grade
    r = fce(R, A1, V1)
    assert r.score == pytest.approx(np.dot(A1, np.array(V1)[grades]))


def test_fce_degenerate_flagged_and_batched():
    R = np.stack([R1, np.zeros_like(R1)])
    r = fce(R, A1, V1, chunk=1)
    assert r.degenerate.tolist() == [False, True] and r.grade[1] == -1
    assert r.score[0] == pytest.approx(84.15) and np.isnan(r.score[1])


# ----------------------------------------------------------------------------- TOPSIS
# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications,
# Springer, fighter-aircraft example (also in Yoon & Hwang 1995, Sage QASS 104). Attributes: max
# speed, ferry range, max payload, acquisition cost (cost criterion), reliability,
# maneuverability. Published closeness: A1 0.643, A2 0.268, A3 0.613, A4 0.312.
AIRCRAFT = np.array([[2.0, 1500, 20000, 5.5, 5, 9],
                     [2.5, 2700, 18000, 6.5, 3, 5],
                     [1.8, 2000, 21000, 4.5, 7, 7],
                     [2.2, 1800, 20000, 5.0, 5, 5]])
AIRCRAFT_W = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_BENEFIT = [True, True, True, False, True, True]


def test_topsis_hwang_yoon_aircraft():
    r = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_BENEFIT)
    # the book rounds its intermediate tables (normalised matrix to 4 dp), so its 3-dp closeness can
    # differ by 1 in the last digit from exact arithmetic (A3: exact 0.61354 printed 0.613)
    np.testing.assert_allclose(r.closeness, [0.643, 0.268, 0.613, 0.312], atol=6e-4)
    assert list(np.argsort(-r.closeness)) == [0, 2, 3, 1]       # published order A1 > A3 > A4 > A2
    r2 = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_BENEFIT, chunk=1)
    np.testing.assert_allclose(r.closeness, r2.closeness)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(float, (6, 3), elements=st.floats(0.1, 10)))
def test_topsis_ideal_alternative_has_closeness_one(X):
    """An alternative equal to the ideal on every criterion has closeness 1; all lie in [0, 1]."""
    X = X.copy()
    X[0] = X.max(axis=0)
    r = topsis(X, [1, 1, 1])
    if not r.degenerate[0]:
        assert r.closeness[0] == pytest.approx(1.0)
        assert (r.closeness <= 1 + 1e-12).all() and (r.closeness >= -1e-12).all()


def test_topsis_bad_input():
    with pytest.raises(MissingValueError):
        topsis([[1, nan], [2, 3]], [1, 1])
    with pytest.raises(InvalidValueError):
        topsis([[0, 1], [0, 3]], [1, 1])


def test_memberships_from_grades_hand():
    # 5 experts grade one project on 2 indicators into 4 grades; one abstains on indicator 1
    g = np.array([[0, 1], [0, 1], [1, 2], [2, nan], [0, 1]], float)[:, None, :]
    m = memberships_from_grades(g, 4)
    np.testing.assert_allclose(m.R[0, 0], [3 / 5, 1 / 5, 1 / 5, 0])
    np.testing.assert_allclose(m.R[0, 1], [0, 3 / 4, 1 / 4, 0])
    assert m.n_votes[0].tolist() == [5, 4]
    with pytest.raises(InvalidValueError):
        memberships_from_grades(np.array([[[4.0]]]), 4)


def test_expert_composites_renormalised_and_flagged():
    X = np.array([[[1.0, 0.0], [nan, 0.5]], [[nan, nan], [0.2, 0.4]]])
    r = expert_composites(X, [3, 1])
    # expert 0: p0 = .75*1 + .25*0 = .75; p1 = only leaf 1 -> .5 (coverage .25)
    np.testing.assert_allclose(r.composite[0], [0.75, 0.5])
    np.testing.assert_allclose(r.coverage[0], [1.0, 0.25])
    assert not r.scored[1, 0] and np.isnan(r.composite[1, 0])
    assert r.composite[1, 1] == pytest.approx(.75 * .2 + .25 * .4)


# 《关于模糊综合评价的矩阵算法》(training-course worked example, reproduced on wenku365.com doc 44813560
# and taowenge.com p-32142334): A = (0.2, 0.2, 0.2, 0.4), R (4 indicators x 5 grades) below.
# Published, M(∧,∨) "相乘取小，相加取大": B = (0.1, 0.2, 0.4, 0.3, 0.2), normalised
# (0.083, 0.167, 0.333, 0.250, 0.167).
COURSE_A = [0.2, 0.2, 0.2, 0.4]
COURSE_R = np.array([[0.0, 0.1, 0.2, 0.3, 0.4],
                     [0.1, 0.1, 0.4, 0.2, 0.2],
                     [0.0, 0.1, 0.2, 0.6, 0.1],
                     [0.0, 0.2, 0.5, 0.3, 0.0]])


def test_fce_min_max_published_course_example():
    r = fce(COURSE_R, COURSE_A, [5, 4, 3, 2, 1], operator="min_max")
    np.testing.assert_allclose(r.B, [0.1, 0.2, 0.4, 0.3, 0.2])
    np.testing.assert_allclose(np.round(r.B_normalised, 3), [0.083, 0.167, 0.333, 0.250, 0.167])
    assert r.grade == 2


def test_fce_weighted_average_course_data_hand():
    # same data, M(·,+) by hand: b1 = .2*.1 = .02; b2 = .02+.02+.02+.08 = .14;
    # b3 = .04+.08+.04+.20 = .36; b4 = .06+.04+.12+.12 = .34; b5 = .08+.04+.02 = .14 (sum 1)
    r = fce(COURSE_R, COURSE_A, [5, 4, 3, 2, 1])
    np.testing.assert_allclose(r.B, [.02, .14, .36, .34, .14])
    assert r.score == pytest.approx(.02 * 5 + .14 * 4 + .36 * 3 + .34 * 2 + .14 * 1)


def test_weighted_sum_applicability_renormalises_by_design():
    # leaf 2 does not apply to project 0 (NaN there is "not applicable", not missing):
    # composite = (.5*1 + .25*.5) / .75 = .8333 ; project 1 uses all three leaves.
    U = np.array([[1.0, 0.5, nan], [0.2, 0.4, 1.0]])
    app = np.array([[True, True, False], [True, True, True]])
    r = weighted_sum(U, [2, 1, 1], applicable=app, dimensions=[0, 0, 1])
    np.testing.assert_allclose(r.composite, [0.625 / 0.75, 0.45])
    assert not r.incomplete.any()
    assert not r.dimension_defined[0, 1] and np.isnan(r.dimension_scores[0, 1])
    # an applicable leaf missing still follows the missing policy
    U2 = U.copy()
    U2[1, 0] = nan
    with pytest.raises(MissingValueError):
        weighted_sum(U2, [2, 1, 1], applicable=app)
    r = weighted_sum(U2, [2, 1, 1], applicable=app, missing="renormalize")
    assert r.incomplete.tolist() == [False, True]
    assert r.composite[1] == pytest.approx((.25 * .4 + .25 * 1) / .5)
    with pytest.raises(InvalidValueError):
        weighted_sum(U, [1, 1, 1], applicable=np.zeros((2, 3), bool))


def test_topsis_result_names_ranks_and_normalisation():
    r = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_BENEFIT)
    assert r.ranks.tolist() == [1, 4, 2, 3]                      # published order A1 > A3 > A4 > A2
    assert r.normalisation == "vector" and r.benefit.tolist() == AIRCRAFT_BENEFIT
    # published ideal and anti-ideal points, Hwang & Yoon (1981) pp. 133-134; the book weights its normalised
    # matrix after rounding it to 4 dp (cost: 0.1 x 0.5983 -> 0.0598, exact 0.0599), hence 1.5e-4
    np.testing.assert_allclose(r.ideal, [0.1168, 0.0659, 0.0531, 0.0414, 0.1347, 0.2012], atol=1.5e-4)
    np.testing.assert_allclose(r.anti_ideal, [0.0841, 0.0366, 0.0455, 0.0598, 0.0577, 0.1118], atol=1.5e-4)
    np.testing.assert_allclose(r.d_best, [0.0545, 0.1197, 0.0580, 0.1009], atol=1.5e-4)
    np.testing.assert_allclose(r.d_worst, [0.0983, 0.0439, 0.0920, 0.0458], atol=1.5e-4)
    assert competition_ranks(np.array([0.5, 0.9, 0.5, np.nan, 0.1])).tolist() == [2, 1, 2, 0, 4]


def test_topsis_missing_value_is_refused_with_its_place():
    X = AIRCRAFT.copy()
    X[2, 4] = np.nan
    with pytest.raises(MissingValueError) as exc:
        topsis(X, AIRCRAFT_W, AIRCRAFT_BENEFIT, alternatives=["A1", "A2", "A3", "A4"],
               criteria=["speed", "range", "payload", "cost", "reliability", "manoeuvrability"])
    assert "A3, reliability" in exc.value.message
    with pytest.raises(MissingValueError, match="row 3, criterion 5"):
        topsis(X, AIRCRAFT_W, AIRCRAFT_BENEFIT)
