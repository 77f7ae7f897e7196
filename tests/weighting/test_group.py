"""Group decisions: AIJ, AIP, expert weights, screening, consensus, influence."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tlr.errors import WeightingError
from tlr.weighting import aggregate_judgements, consensus_index, group_ahp, reciprocal_from_upper

from .conftest import consistent_matrix, random_reciprocal


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 8), n=st.integers(2, 9), weighted=st.booleans())
def test_aij_equals_aip_with_geometric_mean(seed, k, n, weighted):
    rng = np.random.default_rng(seed)
    a = random_reciprocal(rng, k, n, scale=False)
    ew = rng.random(k) + 0.05 if weighted else None
    r1 = group_ahp(a, "aij", method="geometric_mean", expert_weights=ew)
    r2 = group_ahp(a, "aip", method="geometric_mean", expert_weights=ew, aip_mean="geometric")
    assert r1.weights == pytest.approx(r2.weights, rel=1e-10, abs=1e-14)


def test_aij_is_weighted_geometric_mean_cellwise():
    a1 = np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    a2 = np.array([[1, 8, 1], [1 / 8, 1, 1 / 2], [1, 2, 1]])
    g = aggregate_judgements(np.stack([a1, a2]), [3, 1])
    assert g[0, 1] == pytest.approx(2 ** 0.75 * 8 ** 0.25)
    assert g[1, 0] == pytest.approx(1 / g[0, 1])
    assert np.allclose(g * g.T, 1)


def test_aij_skips_missing_judgements_per_cell():
    a1 = np.array([[1, 2, np.nan], [1 / 2, 1, 3], [np.nan, 1 / 3, 1]])
    a2 = np.array([[1, 8, 5], [1 / 8, 1, 1], [1 / 5, 1, 1]])
    g = aggregate_judgements(np.stack([a1, a2]))
    assert g[0, 2] == pytest.approx(5)          # only expert 2 judged it
    assert g[0, 1] == pytest.approx(4)          # sqrt(2 * 8)


def test_identical_experts_full_consensus_and_no_influence():
    a = np.stack([consistent_matrix([3, 2, 1])] * 4)
    r = group_ahp(a)
    assert r.consensus == pytest.approx(1.0)
    assert np.allclose(r.influence, 0)
    assert r.weights == pytest.approx([0.5, 1 / 3, 1 / 6])


def test_consensus_hand_calculation_two_experts():
    # Two experts, n = 2: w1 = (1, 0)-like extremes are not AHP priorities; use (0.8, 0.2) and (0.2, 0.8).
    w = np.array([[0.8, 0.2], [0.2, 0.8]])
    h = -(0.8 * np.log(0.8) + 0.2 * np.log(0.2))
    d_beta = np.exp(np.log(2) - h)              # pooled = (0.5, 0.5), H_gamma = ln 2
    expected = (1 / d_beta - 0.5) / 0.5
    assert consensus_index(w) == pytest.approx(expected)
    assert 0 < consensus_index(w) < 1


def test_outlier_expert_is_most_influential_and_screened():
    base = consistent_matrix([4, 2, 1, 1])
    rng = np.random.default_rng(1)
    experts = [base * np.exp(rng.normal(0, 0.05, base.shape)) for _ in range(4)]
    experts = [reciprocal_from_upper(e) for e in experts]
    outlier = np.array([[1, 1 / 9, 1 / 9, 9], [9, 1, 1 / 9, 9], [9, 9, 1, 1 / 9], [1 / 9, 1 / 9, 9, 1]])
    stack = np.stack(experts + [outlier])
    r = group_ahp(stack)
    assert r.most_influential == 4
    assert r.individual.cr[4] > 0.1 and r.individual.cr[:4].max() < 0.05
    s = group_ahp(stack, screen=True)
    assert s.included.tolist() == [True, True, True, True, False]
    assert s.expert_weights[4] == 0
    assert s.consensus > r.consensus
    with pytest.raises(WeightingError):
        group_ahp(stack, screen=1e-9)


def test_expert_weights_validation_and_effect():
    a = np.stack([consistent_matrix([2, 1]), consistent_matrix([1, 2])])
    r = group_ahp(a, "aip", aip_mean="arithmetic", expert_weights=[3, 1])
    assert r.weights == pytest.approx([0.75 * 2 / 3 + 0.25 / 3, 0.75 / 3 + 0.25 * 2 / 3])
    with pytest.raises(WeightingError):
        group_ahp(a, expert_weights=[1, -1])
    with pytest.raises(WeightingError):
        group_ahp(a, expert_weights=[1, 2, 3])
    with pytest.raises(WeightingError):
        group_ahp(a, aggregation="mean")


def test_group_result_to_dict_is_json_ready():
    import json

    rng = np.random.default_rng(0)
    r = group_ahp(random_reciprocal(rng, 3, 4), labels=list("ABCD"))
    d = r.to_dict()
    json.dumps(d)
    assert d["aggregation"] == "aij" and len(d["weights"]) == 4 and len(d["individual"]["cr"]) == 3
