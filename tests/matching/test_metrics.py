"""recall@k, MRR, nDCG@k against hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tlr.matching.metrics import dcg_at_k, ndcg_at_k, recall_at_k, reciprocal_rank, summary


def test_recall_at_k():
    gains = [[0, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]]
    ideal = [[1, 1, 1], [1, 0, 0]]
    np.testing.assert_allclose(recall_at_k(gains, ideal, 5), [2 / 3, 0.0])
    np.testing.assert_allclose(recall_at_k(gains, ideal, 6), [1.0, 0.0])


def test_reciprocal_rank():
    np.testing.assert_allclose(reciprocal_rank([[0, 0, 1], [1, 0, 0], [0, 0, 0]]), [1 / 3, 1.0, 0.0])


def test_graded_ndcg_by_hand():
    gains = [[1, 2, 0, 0, 0]]
    ideal = [[2, 1]]
    dcg = (2 ** 1 - 1) / math.log2(2) + (2 ** 2 - 1) / math.log2(3)
    best = (2 ** 2 - 1) / math.log2(2) + (2 ** 1 - 1) / math.log2(3)
    assert dcg_at_k(gains, 5)[0] == pytest.approx(dcg)
    assert ndcg_at_k(gains, ideal, 5)[0] == pytest.approx(dcg / best)
    assert ndcg_at_k([[2, 1, 0]], ideal, 5)[0] == pytest.approx(1.0)
    assert dcg / best == pytest.approx(0.7967, abs=1e-4)


def test_summary_means():
    out = summary([[0, 1], [1, 0]], [[1], [1]], k=1)
    assert out == {"recall@1": 0.5, "mrr": 0.75, "ndcg@1": 0.5, "queries": 2}
