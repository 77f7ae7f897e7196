"""Ranking quality: recall@k, MRR and nDCG@k with graded relevance, vectorised over queries.

Input: ``gains`` — an array (queries × ranked positions) of the relevance grade of the item at each position
of the system's ranking (0 = not relevant; here 2 = answers the demand, 1 = partly relevant), and
``ideal`` — for each query, all its relevance grades (the labels), as an array (queries × max labels)
padded with 0. Queries with no relevant item are left out by the caller (the metrics are undefined for them).

    recall@k = |relevant items in the top k| / |relevant items|            (relevant: grade >= 1)
    RR       = 1 / rank of the first relevant item (0 if none is ranked)
    DCG@k    = Σ_{i=1..k} (2^g_i - 1) / log2(i + 1);  nDCG@k = DCG@k / DCG@k of the ideal order
"""

from __future__ import annotations


def recall_at_k(gains, ideal, k: int):
    import numpy as np

    gains, ideal = np.asarray(gains, dtype=float), np.asarray(ideal, dtype=float)
    found = (gains[:, :k] > 0).sum(axis=1)
    total = (ideal > 0).sum(axis=1)
    return np.where(total > 0, found / np.maximum(total, 1), np.nan)


def reciprocal_rank(gains):
    import numpy as np

    gains = np.asarray(gains, dtype=float)
    hit = gains > 0
    first = hit.argmax(axis=1)
    return np.where(hit.any(axis=1), 1.0 / (first + 1), 0.0)


def dcg_at_k(gains, k: int):
    import numpy as np

    gains = np.asarray(gains, dtype=float)[:, :k]
    discounts = 1.0 / np.log2(np.arange(2, gains.shape[1] + 2))
    return ((2.0 ** gains - 1.0) * discounts).sum(axis=1)


def ndcg_at_k(gains, ideal, k: int):
    import numpy as np

    ideal_sorted = -np.sort(-np.asarray(ideal, dtype=float), axis=1)
    best = dcg_at_k(ideal_sorted, k)
    return np.where(best > 0, dcg_at_k(gains, k) / np.where(best > 0, best, 1.0), np.nan)


def summary(gains, ideal, k: int = 5) -> dict:
    """Means over queries: recall@k, MRR, nDCG@k and the number of queries."""
    import numpy as np

    return {f"recall@{k}": float(np.nanmean(recall_at_k(gains, ideal, k))),
            "mrr": float(np.mean(reciprocal_rank(gains))),
            f"ndcg@{k}": float(np.nanmean(ndcg_at_k(gains, ideal, k))),
            "queries": int(np.asarray(gains).shape[0])}
