"""Hierarchy synthesis, fuzzy AHP and objective weights."""

import math

import numpy as np
import pytest

from tlr.errors import WeightingError
from tlr.weighting import (ahp, combine_weights, critic_weights, defuzzify, entropy_weights, fuzzy_ahp,
                           geometric_mean, global_weights)

from .helpers import from_pairs

CITIES = ["Bethesda", "Boston", "Pittsburgh", "Santa Fe"]


def test_saaty_2005_cities_hierarchy_synthesis():
    # Saaty, T. L. (2005). Theory and Applications of the Analytic Network Process, p. 31 ff.
    # ("best city to live in"): published overall priorities Bethesda .229, Boston .275,
    # Pittsburgh .385, Santa Fe .111.
    crit = ["Culture", "Family", "Housing", "Jobs", "Transportation"]
    criteria = from_pairs(crit, {("Culture", "Housing"): 3, ("Culture", "Transportation"): 5,
                                 ("Family", "Culture"): 5, ("Family", "Housing"): 7, ("Family", "Transportation"): 7,
                                 ("Housing", "Transportation"): 3, ("Jobs", "Culture"): 2, ("Jobs", "Housing"): 4,
                                 ("Jobs", "Transportation"): 7, ("Family", "Jobs"): 1})
    B, Bo, P, S = CITIES
    alts = [
        {(Bo, B): 2, (Bo, P): 2.5, (Bo, S): 1, (P, B): 1, (S, B): 2, (S, P): 2.5},
        {(B, Bo): 2, (B, S): 4, (Bo, S): 2, (P, B): 3, (P, Bo): 8, (P, S): 9},
        {(B, Bo): 5, (B, S): 2.5, (P, B): 2, (P, Bo): 9, (P, S): 7, (S, Bo): 4},
        {(B, P): 3, (B, S): 4, (Bo, B): 2, (Bo, P): 6, (Bo, S): 8, (P, S): 1},
        {(B, Bo): 1.5, (B, S): 4, (Bo, S): 2.5, (P, B): 2, (P, Bo): 3.5, (P, S): 9},
    ]
    cw = ahp(criteria).weights
    # the whole level of 5 alternative matrices in one vectorised call
    aw = ahp(np.stack([from_pairs(CITIES, d) for d in alts])).weights
    parents = np.array([-1] * 5 + [c for c in range(5) for _ in range(4)])
    local = np.concatenate([cw, aw.ravel()])
    g = global_weights(parents, local)
    overall = g[5:].reshape(5, 4).sum(0)
    assert overall == pytest.approx([0.229, 0.275, 0.385, 0.111], abs=5e-4)
    assert g[:5] == pytest.approx(cw)


def test_global_weights_path_products_and_batch():
    # root -> {0 (0.6), 1 (0.4)}; 0 -> {2 (0.5), 3 (0.5)}; 3 -> {4 (0.3), 5 (0.7)}
    parents = np.array([-1, -1, 0, 0, 3, 3])
    local = np.array([0.6, 0.4, 0.5, 0.5, 0.3, 0.7])
    g = global_weights(parents, local)
    assert g == pytest.approx([0.6, 0.4, 0.3, 0.3, 0.09, 0.21])
    gb = global_weights(parents, np.stack([local, local]))
    assert gb.shape == (2, 6) and gb[1] == pytest.approx(g)


def test_global_weights_errors():
    with pytest.raises(WeightingError) as e:
        global_weights(np.array([-1, -1]), np.array([0.5, 0.6]))
    assert "1.1" in e.value.message
    with pytest.raises(WeightingError) as e:
        global_weights(np.array([1, 0]), np.array([1.0, 1.0]), check_sums=False)
    assert e.value.code == "cycle"
    with pytest.raises(WeightingError):
        global_weights(np.array([-1, 5]), np.array([1.0, 1.0]))
    with pytest.raises(WeightingError):
        global_weights(np.array([-1, 0]), np.array([1.0, np.nan]))


def test_buckley_hand_calculation_two_by_two():
    # a12 = (2, 3, 4): r1 = (sqrt2, sqrt3, 2), r2 = (sqrt(1/4), sqrt(1/3), sqrt(1/2));
    # w1 = (l1 / (u1 + u2), m1 / (m1 + m2), u1 / (l1 + l2)) (Buckley 1985).
    t = np.array([[[1, 1, 1], [2, 3, 4]], [[1 / 4, 1 / 3, 1 / 2], [1, 1, 1]]])
    r = fuzzy_ahp(t)
    l1, m1, u1 = math.sqrt(2), math.sqrt(3), 2.0
    l2, m2, u2 = 0.5, math.sqrt(1 / 3), math.sqrt(0.5)
    assert r.fuzzy_weights[0] == pytest.approx([l1 / (u1 + u2), m1 / (m1 + m2), u1 / (l1 + l2)])
    assert r.fuzzy_weights[1] == pytest.approx([l2 / (u1 + u2), m2 / (m1 + m2), u2 / (l1 + l2)])
    c = r.fuzzy_weights.sum(1) / 3
    assert r.weights == pytest.approx(c / c.sum())
    assert r.defuzzification == "centroid"


def test_fuzzy_with_crisp_judgements_reduces_to_geometric_mean():
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    t = np.repeat(a[..., None], 3, axis=-1)
    r = fuzzy_ahp(t)
    assert r.weights == pytest.approx(geometric_mean(a), rel=1e-12)
    assert defuzzify([1, 2, 6], "graded_mean") == pytest.approx(15 / 6)


def test_fuzzy_stack_matches_single():
    rng = np.random.default_rng(2)
    m = np.exp(rng.normal(0, 0.8, (4, 3, 3)))
    t = np.stack([m / 1.5, m, m * 1.5], -1)
    iu = np.triu_indices(3, 1)
    for k in range(4):
        for i, j in zip(*iu):
            t[k, j, i] = 1 / t[k, i, j][::-1]
        t[k, np.arange(3), np.arange(3)] = 1
    r = fuzzy_ahp(t)
    assert r.weights.shape == (4, 3) and r.fuzzy_weights.shape == (4, 3, 3)
    for k in range(4):
        assert r.weights[k] == pytest.approx(fuzzy_ahp(t[k]).weights, rel=1e-12)


def test_fuzzy_rejects_bad_tfn_naming_the_cell():
    t = np.array([[[1, 1, 1], [4, 3, 5]], [[1 / 5, 1 / 3, 1 / 4], [1, 1, 1]]])
    with pytest.raises(WeightingError) as e:
        fuzzy_ahp(t, labels=["A", "B"])
    assert "row 'A', column 'B'" in e.value.format()


def test_entropy_hand_calculation_with_zero_convention():
    x = np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 1.0]])
    e1 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    e2 = -(0.0 + 2 * 0.5 * math.log(0.5)) / math.log(3)      # 0 ln 0 = 0
    d = np.array([1 - e1, 1 - e2])
    r = entropy_weights(x, cohort="2026 round 1")
    assert r.weights == pytest.approx(d / d.sum())
    assert r.weights == pytest.approx([0.1268, 0.8732], abs=1e-4)
    assert r.cohort == "2026 round 1" and r.n_alternatives == 3 and r.method == "entropy"
    assert np.isfinite(r.weights).all()


def test_entropy_errors():
    with pytest.raises(WeightingError):
        entropy_weights([[1, 2], [np.nan, 3]])
    with pytest.raises(WeightingError):
        entropy_weights([[1, -2], [1, 3]])
    with pytest.raises(WeightingError):
        entropy_weights([[1, 1], [1, 1]])


def test_critic_against_direct_computation():
    rng = np.random.default_rng(5)
    x = rng.random((12, 4)) * [10, 1, 100, 5]
    benefit = [True, False, True, True]
    r = critic_weights(x, benefit=benefit)
    z = (x - x.min(0)) / (x.max(0) - x.min(0))
    z[:, 1] = 1 - z[:, 1]
    c = z.std(0) * (1 - np.corrcoef(z.T)).sum(1)
    assert r.weights == pytest.approx(c / c.sum(), rel=1e-10)


def test_combination_rules_and_cohort_recorded():
    obj = entropy_weights(np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 1.0]]), cohort="cohort-A")
    ws = np.array([0.5, 0.5])
    lin = combine_weights(ws, obj, rule="linear", alpha=0.6)
    assert lin.weights == pytest.approx(0.6 * ws + 0.4 * obj.weights)
    mul = combine_weights(ws, obj, rule="multiplicative")
    assert mul.weights == pytest.approx(obj.weights)
    assert lin.cohort == "cohort-A" and lin.objective_method == "entropy"
    with pytest.raises(WeightingError):
        combine_weights(ws, obj, alpha=1.5)
    with pytest.raises(WeightingError):
        combine_weights([0.5, 0.3, 0.2], obj)


def test_results_are_json_ready():
    import json

    t = np.array([[[1, 1, 1], [2, 3, 4]], [[1 / 4, 1 / 3, 1 / 2], [1, 1, 1]]])
    for res in (fuzzy_ahp(t), entropy_weights([[1.0, 2.0], [3.0, 1.0]], cohort="c"),
                critic_weights([[1.0, 2.0, 0.5], [3.0, 1.0, 0.7], [2.0, 2.5, 0.1]]),
                combine_weights([0.5, 0.5], [0.2, 0.8], rule="multiplicative")):
        d = res.to_dict()
        json.dumps(d)
        assert isinstance(d["weights"], list) and sum(d["weights"]) == pytest.approx(1)
