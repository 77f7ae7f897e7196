"""Text affinity of people (experts, 科技特派员) with items (projects, demands), from the matching text model.

    affinity(p, i) = min(1, BM25(item i's words against person p's profile) / BM25 of item i against itself)

The same tokenizer, lexicon (synonyms, broader groups) and pooled BM25 statistics as :func:`tlr.matching.match`:
a person's profile is their fields, keywords and the text of their past projects / research directions; an
item's text is its name, summary and keywords. Each item's row of scores is normalised by its own self-score,
so the values lie in [0, 1] and are comparable across items (1 = the profile covers every weighted word of
the item). Pure: records in, a matrix out. Conflicts of interest are not this module's business: callers keep
them as hard rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tlr.matching.lexicon import Lexicon


@dataclass(frozen=True)
class Person:
    id: str
    fields: tuple[str, ...] = ()      # field names as words (e.g. 钢铁, 热处理), not vocabulary ids
    keywords: tuple[str, ...] = ()
    text: str = ""                    # past projects, research directions, representative achievements

    @property
    def profile(self) -> str:
        return "\n".join(p for p in (" ".join(self.fields), " ".join(self.keywords), self.text) if p)


@dataclass(frozen=True)
class Item:
    id: str
    text: str                         # name, summary, keywords of a project or a demand


def affinity(people: Sequence[Person], items: Sequence[Item], *, lexicon: Lexicon | None = None):
    """The people × items affinity matrix (numpy float64, values in [0, 1])."""
    import numpy as np

    from tlr.matching.lexicon import shipped_lexicon
    from tlr.matching.model import bm25_index, features
    from tlr.matching.text import segmenter

    if not people or not items:
        return np.zeros((len(people), len(items)))
    lex = lexicon if lexicon is not None else shipped_lexicon()
    seg = segmenter(lex.words)
    feats = [features(seg.tokens(x), lex) for x in (*(i.text for i in items), *(p.profile for p in people))]
    index = bm25_index(feats)
    n = len(items)
    queries = index.queries[:n]
    raw = (queries @ index.weights[n:].T).toarray().T                       # people × items
    self_score = np.asarray(queries.multiply(index.weights[:n]).sum(axis=1), dtype=float).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(self_score[None, :] > 0, raw / self_score[None, :], 0.0)
    return np.clip(out, 0.0, 1.0)
