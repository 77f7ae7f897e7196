"""BM25 arithmetic: a hand-computed case and an independent cross-check against bm25s."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tlr.matching.lexicon import shipped_lexicon
from tlr.matching.model import bm25_index, features


def test_bm25_weights_by_hand():
    # texts: [a b] and [a]; N = 2, avg length 1.5, k1 = 1.5, b = 0.75
    index = bm25_index([features(["a", "b"], None), features(["a"], None)])
    w = index.weights.toarray()
    a, b = index.vocabulary["a"], index.vocabulary["b"]
    idf_a = math.log(1 + (2 - 2 + 0.5) / (2 + 0.5))
    idf_b = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    norm_0 = 1.5 * (1 - 0.75 + 0.75 * 2 / 1.5)
    norm_1 = 1.5 * (1 - 0.75 + 0.75 * 1 / 1.5)
    assert w[0, a] == pytest.approx(idf_a / (1 + norm_0), rel=1e-6)
    assert w[0, b] == pytest.approx(idf_b / (1 + norm_0), rel=1e-6)
    assert w[1, a] == pytest.approx(idf_a / (1 + norm_1), rel=1e-6)
    assert w[1, b] == 0


def test_matches_bm25s_on_plain_tokens():
    bm25s = pytest.importorskip("bm25s")
    rng = np.random.default_rng(7)
    vocab = [f"w{i}" for i in range(40)]
    corpus = [list(rng.choice(vocab, size=rng.integers(3, 15))) for _ in range(30)]
    index = bm25_index([features(doc, None) for doc in corpus])
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retriever.index([[index.vocabulary[t] for t in doc] for doc in corpus], show_progress=False)
    ours = (index.queries @ index.weights.T).toarray()
    for q, doc in enumerate(corpus):
        query = sorted({index.vocabulary[t] for t in doc})
        theirs = retriever.get_scores(query)
        np.testing.assert_allclose(ours[q], theirs, rtol=1e-5, atol=1e-6)


def test_features_map_synonyms_to_one_group_and_add_broader_at_half_weight():
    lexicon = shipped_lexicon()
    f = features(["锂电", "锂离子电池", "钢渣"], lexicon)
    assert f.weights["g:lithium_ion_battery"] == 2
    assert f.direct["g:lithium_ion_battery"] == ["锂电", "锂离子电池"]
    assert f.weights["g:metallurgical_solid_waste"] == 0.5
    assert f.weights["g:industrial_solid_waste"] == 0.25
    assert f.peak["g:metallurgical_solid_waste"] == 0.5
    assert f.via["g:metallurgical_solid_waste"] == ["钢渣"]
    assert "锂电" not in f.weights
