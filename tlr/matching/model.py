"""The text model: texts -> weighted features (words, lexicon groups, broader groups) -> BM25 sparse matrices.

Features of a text. Each token is a feature by itself, unless the lexicon knows it: then it is the group
(``g:lithium_ion_battery``), so every synonym counts as the same feature; each broader group of that group is
added with weight ``broader_weight ** distance`` (冶金固废 from 钢渣 at 0.5). Without a lexicon (the "bm25"
variant) every token is its own feature.

BM25 (Lucene variant, as in Kamphuis et al. 2020 and ``bm25s``' default)::

    idf(t)   = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    w(x, t)  = idf(t) · tf(x,t) / (tf(x,t) + k1 · (1 - b + b · len(x) / avglen))

over the pool of all texts being matched (demands and achievements together, so the statistics are the same
in both directions and a word common in either list counts little). A demand's query vector q holds its
features once each (the broader ones at their reduced weight); the all-pairs text score is the sparse product

    S = Q · Wᵀ          (demands × features) · (features × achievements)

and is made comparable across demands by dividing by the demand's self-score ``q · w(demand)`` (the score
the demand's own text would reach), capped at 1.

Why not ``bm25s`` itself: it indexes a token list per document with integer counts and returns top-k per query;
here the term frequencies are weighted (broader groups at 0.5), the query side needs its own BM25 weights (the
self-score), and the whole matrix is wanted as one scipy sparse product. The arithmetic above is ten lines of
scipy; ``tests/matching/test_model.py`` checks it against ``bm25s`` (a test-only dependency) on plain tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tlr.matching.lexicon import Lexicon

K1 = 1.5
B = 0.75
BROADER_WEIGHT = 0.5


@dataclass(frozen=True)
class TextFeatures:
    """One text's features: weight per feature, its length, and which surface words produced each group."""

    weights: dict            # feature -> weighted term frequency
    peak: dict               # feature -> its largest single-occurrence weight (the query weight)
    length: float            # number of tokens
    direct: dict             # "g:<group>" -> words of the text in that group, in order of appearance
    via: dict                # "g:<group>" -> words of the text in a narrower group (reached as broader)


def features(tokens: Sequence[str], lexicon: Lexicon | None, *, broader_weight: float = BROADER_WEIGHT) -> TextFeatures:
    from collections import Counter

    weights: dict[str, float] = {}
    peak: dict[str, float] = {}
    direct: dict[str, list[str]] = {}
    via: dict[str, list[str]] = {}
    group_of = lexicon.group_of if lexicon is not None else (lambda _t: None)
    for token, n in Counter(tokens).items():   # first-appearance order
        group = group_of(token)
        if group is None:
            weights[token] = weights.get(token, 0.0) + n
            peak[token] = 1.0
            continue
        feature = "g:" + group
        weights[feature] = weights.get(feature, 0.0) + n
        peak[feature] = 1.0
        direct.setdefault(feature, []).append(token)
        for parent, depth in lexicon.ancestors(group):
            feature, w = "g:" + parent, broader_weight ** depth
            weights[feature] = weights.get(feature, 0.0) + w * n
            peak[feature] = max(peak.get(feature, 0.0), w)
            via.setdefault(feature, []).append(token)
    return TextFeatures(weights, peak, float(len(tokens)), direct, via)


@dataclass(frozen=True)
class Bm25Index:
    """The BM25 matrices of a pool of texts."""

    vocabulary: dict          # feature -> column
    idf: object               # np.ndarray (n_features,)
    weights: object           # scipy.sparse.csr_matrix (n_texts × n_features): w(x, t)
    queries: object           # scipy.sparse.csr_matrix (n_texts × n_features): q(x, t)


def bm25_index(texts: Sequence[TextFeatures], *, k1: float = K1, b: float = B) -> Bm25Index:
    import numpy as np
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    cols: list[int] = []
    tfs: list[float] = []
    qs: list[float] = []
    counts: list[int] = []
    for text in texts:
        keys = text.weights.keys()
        for feature in keys:
            if feature not in vocabulary:
                vocabulary[feature] = len(vocabulary)
        cols.extend(map(vocabulary.__getitem__, keys))
        tfs.extend(text.weights.values())
        qs.extend(map(text.peak.__getitem__, keys))   # present once; a broader-only group at its reduced weight
        counts.append(len(keys))
    n = len(texts)
    shape = (n, max(1, len(vocabulary)))
    rows_a = np.repeat(np.arange(n, dtype=np.int64), counts)
    cols_a = np.asarray(cols, dtype=np.int64)
    tf = np.asarray(tfs, dtype=np.float64)
    df = np.bincount(cols_a, minlength=shape[1]).astype(np.float64)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    lengths = np.asarray([t.length for t in texts], dtype=np.float64)
    avg = lengths.mean() if n and lengths.mean() > 0 else 1.0
    norm = k1 * (1.0 - b + b * lengths / avg)
    w = idf[cols_a] * tf / (tf + norm[rows_a])
    indptr = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])   # one row per text, features unique
    weights = sparse.csr_matrix((w.astype(np.float32), cols_a, indptr), shape=shape)
    queries = sparse.csr_matrix((np.asarray(qs, dtype=np.float32), cols_a, indptr), shape=shape)
    return Bm25Index(vocabulary, idf, weights, queries)
