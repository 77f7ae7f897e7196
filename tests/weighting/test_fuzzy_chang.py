"""Chang's (1996) extent analysis, the crisp -> TFN scale, and the zero-weight flaw (Wang, Luo & Hua 2008).

Chang, D.-Y. (1996). Applications of the extent analysis method on fuzzy AHP. EJOR 95(3), 649-655.
Wang, Y.-M., Luo, Y. & Hua, Z. (2008). On the extent analysis method for fuzzy AHP and its applications.
EJOR 186(2), 735-747.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from tlr.errors import WeightingError
from tlr.weighting import fuzzy_ahp, possibility, tfn_from_crisp

# A 3x3 triangular fuzzy judgement matrix, worked by hand below in exact fractions.
M = [[(1, 1, 1), (1, 2, 3), (2, 3, 4)],
     [(1 / 3, 1 / 2, 1), (1, 1, 1), (1, 2, 3)],
     [(1 / 4, 1 / 3, 1 / 2), (1 / 3, 1 / 2, 1), (1, 1, 1)]]
# Row sums: r1 = (4, 6, 8), r2 = (7/3, 7/2, 5), r3 = (19/12, 11/6, 5/2);
# totals: sum l = 95/12, sum m = 34/3, sum u = 31/2.
# S_i = (l_i / sum u, m_i / sum m, u_i / sum l):
S_HAND = [(F(8, 31), F(9, 17), F(96, 95)),
          (F(14, 93), F(21, 68), F(12, 19)),
          (F(19, 186), F(11, 68), F(6, 19))]
# V(S_i >= S_k) = 1 if m_i >= m_k; else (l_k - u_i) / ((m_i - u_i) - (m_k - l_k)):
#   V(S2 >= S1) = (-220/589) / (-23795/40052) = 2992/4759
#   V(S3 >= S1) = (-34/589) / (-17037/40052) = 2312/17037
#   V(S3 >= S2) = (-292/1767) / (-37526/120156) = 9928/18763
# d = (1, 2992/4759, min(2312/17037, 9928/18763) = 2312/17037), weights d / sum d.
D_HAND = [F(1), F(2992, 4759), F(2312, 17037)]
W_HAND = [float(d / sum(D_HAND)) for d in D_HAND]


def test_chang_matches_the_hand_computed_extents_possibilities_and_weights():
    r = fuzzy_ahp(M, method="chang", labels=["A", "B", "C"])
    np.testing.assert_allclose(r.fuzzy_weights, [[float(x) for x in s] for s in S_HAND], rtol=1e-12)
    V = r.possibility
    assert V[0, 1] == V[0, 2] == V[1, 2] == 1.0
    assert V[1, 0] == pytest.approx(2992 / 4759, rel=1e-12)
    assert V[2, 0] == pytest.approx(2312 / 17037, rel=1e-12)
    assert V[2, 1] == pytest.approx(9928 / 18763, rel=1e-12)
    np.testing.assert_allclose(r.weights, W_HAND, rtol=1e-12)
    assert r.method == "chang" and r.defuzzification == "possibility"
    assert r.zero_weights == () and r.warnings == ()


def test_chang_weights_sum_to_one_and_the_top_extent_gets_possibility_one():
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(2, 7))
        crisp = np.ones((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                k = int(rng.integers(1, 10))
                crisp[i, j] = k if rng.random() < 0.5 else 1 / k
                crisp[j, i] = 1 / crisp[i, j]
        r = fuzzy_ahp(tfn_from_crisp(crisp), method="chang")
        assert r.weights.sum() == pytest.approx(1.0)
        assert (r.weights >= 0).all()
        # the criterion with the largest modal extent m is never dominated: its d is 1, the largest weight
        top = int(np.argmax(r.fuzzy_weights[:, 1]))
        assert r.weights[top] == pytest.approx(r.weights.max())


def test_chang_zero_weight_is_reported():
    # A is 9 times as important as B and C: S_A = (17, 19, 19)/..., far above S_B, S_C, so
    # l_A >= u_B and V(S_B >= S_A) = 0: B and C get weight 0 (Wang, Luo & Hua 2008's flaw).
    crisp = [[1, 9, 9], [1 / 9, 1, 1], [1 / 9, 1, 1]]
    r = fuzzy_ahp(tfn_from_crisp(crisp), method="chang", labels=["A", "B", "C"])
    np.testing.assert_allclose(r.weights, [1.0, 0.0, 0.0])
    assert r.zero_weights == ("B", "C")
    assert len(r.warnings) == 1 and "Wang, Luo & Hua 2008" in r.warnings[0] and "B, C" in r.warnings[0]
    # Buckley keeps every criterion
    assert (fuzzy_ahp(tfn_from_crisp(crisp)).weights > 0).all()


def test_possibility_degree_cases():
    a, b = (1, 2, 3), (2, 3, 4)
    assert possibility(b, a) == 1.0                         # m_b >= m_a
    assert possibility((0, 1, 2), (3, 4, 5)) == 0.0         # l_b >= u_a
    # overlap: (l_b - u_a) / ((m_a - u_a) - (m_b - l_b)) = (2 - 3) / ((2 - 3) - (3 - 2)) = 1/2
    assert possibility(a, b) == pytest.approx(0.5)


def test_tfn_scale_from_crisp_judgements():
    t = tfn_from_crisp([[1, 3, 9], [1 / 3, 1, 1 / 2], [1 / 9, 2, 1]])
    np.testing.assert_allclose(t[0, 0], (1, 1, 1))
    np.testing.assert_allclose(t[0, 1], (2, 3, 4))          # x -> (x-1, x, x+1)
    np.testing.assert_allclose(t[1, 0], (1 / 4, 1 / 3, 1 / 2))  # 1/x -> (1/u, 1/m, 1/l)
    np.testing.assert_allclose(t[0, 2], (8, 9, 9))          # capped at 9
    np.testing.assert_allclose(t[2, 0], (1 / 9, 1 / 9, 1 / 8))
    np.testing.assert_allclose(t[2, 1], (1, 2, 3))
    np.testing.assert_allclose(t[1, 2], (1 / 3, 1 / 2, 1))


@pytest.mark.parametrize("bad", [2.5, float("nan"), 0.3, 10.0])
def test_tfn_from_crisp_refuses_values_off_the_scale_naming_the_cell(bad):
    with pytest.raises(WeightingError) as exc:
        tfn_from_crisp([[1, bad], [1 / bad if bad == bad else bad, 1]], labels=["X", "Y"])
    assert exc.value.location.field == "row 'X', column 'Y'"
    assert exc.value.code == ("missing" if bad != bad else "not_on_scale")


def test_unknown_fuzzy_method_is_refused():
    with pytest.raises(WeightingError, match="unknown fuzzy AHP method"):
        fuzzy_ahp(M, method="saaty")


def test_reciprocals_printed_to_two_decimals_are_accepted_and_real_breaks_are_not():
    """Papers print 1/8 as 0.13 and 1/7 as 0.14: such a matrix is the same matrix. Two sides both above 1,
    or 0.1 typed for 1/9 (11 % off), are not reciprocal."""
    import numpy as np

    from tlr.errors import WeightingError
    from tlr.weighting.fuzzy import _check_tfn

    one = (1.0, 1.0, 1.0)
    _check_tfn(np.array([[one, (7, 8, 9)], [(0.11, 0.13, 0.14), one]], float), None)
    for bad in ([[one, (2, 3, 4)], [(2, 3, 4), one]], [[one, (7, 8, 9)], [(0.1, 0.13, 0.14), one]],
                [[one, (1, 1, 1)], [(2, 3, 4), one]]):
        with pytest.raises(WeightingError) as info:
            _check_tfn(np.array(bad, float), None)
        assert info.value.code == "not_reciprocal"
