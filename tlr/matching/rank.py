"""Rank achievements for each demand and demands for each achievement, with a language-free explanation.

    score(d, a) = text(d, a) × industry × readiness × region × budget          (variant "full")
    score(d, a) = text(d, a)                                                    ("bm25", "lexicon")

``text`` is the BM25 score normalised by the demand's self-score (:mod:`tlr.matching.model`), in [0, 1] and
comparable across demands; the fit factors are in :mod:`tlr.matching.fit`. Variants: "bm25" (plain tokens, no
lexicon), "lexicon" (synonyms and broader groups), "full" (lexicon + fit re-ranking).

A pair scoring below ``min_score`` is not listed: a demand nothing answers gets an empty or short list, not a
forced top-K. Both directions read the same score matrix, so a pair has the same score in both. Ties are
broken by input order. The matrix is computed in blocks of demands (memory stays bounded for big pools).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from tlr.matching.fit import (BUDGET_CODES, MATCH_CODES, READINESS_CODES, FitPolicy, budget_factor,
                              budget_powers, category_factor, codes, readiness_factor, region_key)
from tlr.matching.items import Achievement, Demand
from tlr.matching.lexicon import Lexicon
from tlr.matching.model import BROADER_WEIGHT, B, K1, TextFeatures, bm25_index, features

VARIANTS = ("bm25", "lexicon", "full")
MIN_SCORE = 0.15
MAX_LISTED_TERMS = 10
_IDX_BITS = 24               # pool indexes packed under the quantised score: up to 16.7 million items
_QUANTUM = 1e6               # scores ranked at 1e-6 resolution (and reported rounded to 6 decimals)
_BLOCK_CELLS = 4_000_000     # demand rows per block = this // number of achievements


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    why: dict = field(compare=False)


@dataclass(frozen=True)
class Ranked:
    """One item (demand or achievement) and its candidates from the other side, best first."""

    id: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Ranked, ...]           # per demand: achievements
    by_achievement: tuple[Ranked, ...]    # per achievement: demands
    method: dict = field(compare=False)

    def to_dict(self) -> dict:
        def side(rows, own, other):
            return [{own: r.id, "candidates": [{other: c.id, "score": c.score, "why": c.why} for c in r.candidates]}
                    for r in rows]

        return {"matches": side(self.matches, "demand", "achievement"),
                "by_achievement": side(self.by_achievement, "achievement", "demand"),
                "method": self.method}

    def for_demand(self, demand_id: str) -> Ranked:
        return next(r for r in self.matches if r.id == demand_id)

    def for_achievement(self, achievement_id: str) -> Ranked:
        return next(r for r in self.by_achievement if r.id == achievement_id)


def match(demands: Sequence[Demand], achievements: Sequence[Achievement], *, top: int = 5,
          lexicon: Lexicon | None = None, variant: str = "full", min_score: float = MIN_SCORE,
          policy: FitPolicy = FitPolicy(), explain: bool = True, top_demands: int | None = None,
          executor=None) -> MatchResult:
    """Match *demands* and *achievements* (see the module docstring).

    ``top``: achievements listed per demand; ``top_demands``: demands listed per achievement (default ``top``).
    ``lexicon``: the lexicon (default: the shipped one; ignored by variant "bm25"). ``explain=False`` leaves
    ``why`` empty (faster, for benchmarks). ``executor`` (:mod:`tlr.parallel`): ranges of demands scored on
    its workers; the best lists merge exactly (keys are unique), so the result is the same.
    """
    import numpy as np

    from tlr.matching.lexicon import shipped_lexicon
    from tlr.matching.text import segmenter

    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    if top < 1 or (top_demands is not None and top_demands < 1):
        raise ValueError("top must be >= 1")
    for kind, items in (("demand", demands), ("achievement", achievements)):
        ids = [x.id for x in items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate {kind} ids")
    if max(len(demands), len(achievements)) >= 1 << _IDX_BITS:
        raise ValueError("too many items to match at once")
    top_demands = top if top_demands is None else top_demands
    lex = None if variant == "bm25" else (lexicon if lexicon is not None else shipped_lexicon())
    seg = segmenter(lex.words if lex is not None else frozenset())

    feats = [features(seg.tokens(x.text), lex) for x in (*demands, *achievements)]
    nd, na = len(demands), len(achievements)
    index = bm25_index(feats)
    queries = index.queries[:nd]
    w_achievements_t = index.weights[nd:].T.tocsr()
    self_score = np.asarray(queries.multiply(index.weights[:nd]).sum(axis=1), dtype=np.float32).ravel()

    fit = _FitArrays(demands, achievements, policy)
    use_fit = variant == "full"
    k_a, k_d = min(top, na), min(top_demands, nd)
    floor = max(1, math.ceil(min_score * _QUANTUM - 1e-6))   # the smallest quantised score that is listed
    job = _PairJob(queries, w_achievements_t, self_score, fit, use_fit, k_a, k_d, explain, floor)
    if executor is None or nd < 2:
        parts = [_pair_range((0, nd), job)]
    else:   # a few ranges of demands per worker; each keeps its own best lists, merged exactly below
        n = max(1, min(nd, 4 * executor.n_workers()))
        edges = np.linspace(0, nd, n + 1).astype(int)
        parts = list(executor.map(_pair_range, [(int(x), int(y)) for x, y in zip(edges[:-1], edges[1:]) if y > x],
                                  job))
    mask = (1 << _IDX_BITS) - 1
    best_a = np.concatenate([p[1] for p in parts], axis=0) if k_a else np.zeros((nd, 0), np.int64)
    best_d = _top_keys(np.concatenate([p[2] for p in parts], axis=0), k_d) if k_d else np.zeros((0, na), np.int64)
    text_of = {}
    for p in parts:
        text_of.update(p[3])

    def decode(keys):  # packed keys -> (scores, other-side indexes, listed: score >= min_score and > 0)
        quantised = keys >> _IDX_BITS
        return np.round(quantised / _QUANTUM, 6), mask - (keys & mask), quantised >= floor

    a_scores, a_idx, a_keep = decode(best_a) if k_a else (np.zeros((nd, 0)),) * 3
    d_scores, d_idx, d_keep = decode(best_d.T) if k_d else (np.zeros((na, 0)),) * 3
    rows_a = [[(int(i), float(s)) for i, s, k in zip(ri, rs, rk) if k] for ri, rs, rk in
              zip(a_idx.tolist(), a_scores.tolist(), a_keep.tolist())]
    rows_d = [[(int(i), float(s)) for i, s, k in zip(ri, rs, rk) if k] for ri, rs, rk in
              zip(d_idx.tolist(), d_scores.tolist(), d_keep.tolist())]
    pairs = list(dict.fromkeys([(d, a) for d, row in enumerate(rows_a) for a, _ in row] +
                               [(d, a) for a, row in enumerate(rows_d) for d, _ in row]))
    whys = _Explainer(feats, nd, index, lex, fit, use_fit).explain(pairs, text_of) if explain else {}
    matches = tuple(Ranked(demands[d].id, tuple(Candidate(achievements[a].id, s, whys.get((d, a), {}))
                                                for a, s in row)) for d, row in enumerate(rows_a))
    by_achievement = tuple(Ranked(achievements[a].id, tuple(Candidate(demands[d].id, s, whys.get((d, a), {}))
                                                            for d, s in row)) for a, row in enumerate(rows_d))
    method = {
        "variant": variant,
        "score": ("text × industry × readiness × region × budget" if use_fit else "text"),
        "text": {"model": "BM25 (Lucene idf), pooled statistics, normalised by the demand's self-score",
                 "k1": K1, "b": B, "broader_weight": BROADER_WEIGHT,
                 "tokenizer": "jieba (search mode) + lexicon words, NFKC, stop words removed"},
        "lexicon": ({"groups": len(lex.groups), "sources": list(lex.sources)} if lex is not None else None),
        "fit": policy.to_dict() if use_fit else None,
        "min_score": min_score,
        "top": top,
        "top_demands": top_demands,
        "counts": {"demands": nd, "achievements": na},
    }
    return MatchResult(matches, by_achievement, method)


@dataclass
class _PairJob:
    """What every range of demands needs to score its pairs against every achievement."""

    queries: object
    w_achievements_t: object
    self_score: object
    fit: object
    use_fit: bool
    k_a: int
    k_d: int
    explain: bool
    floor: int


def _top_keys(keys, k: int):
    """The k largest packed keys of each column, largest first (keys are unique: the order is total)."""
    import numpy as np

    m = keys.shape[0]
    if k < m:
        keys = np.take_along_axis(keys, np.argpartition(keys, m - k, axis=0)[m - k:], axis=0)
    chosen = -np.sort(-keys, axis=0)
    if chosen.shape[0] < k:
        chosen = np.concatenate([chosen, np.zeros((k - chosen.shape[0], keys.shape[1]), np.int64)], axis=0)
    return chosen


def _pair_range(span: tuple[int, int], job: _PairJob):
    """Score demands span[0]:span[1] against every achievement, block by block: (start, best achievements of
    each demand, best demands of each achievement among these, text scores of the pairs they list)."""
    import numpy as np

    first, last = span
    na = job.w_achievements_t.shape[1]
    k_a, k_d, floor = job.k_a, job.k_d, job.floor
    mask = (1 << _IDX_BITS) - 1
    best_a = np.zeros((last - first, k_a), dtype=np.int64)       # packed keys: score << bits | ~index
    best_d = np.zeros((k_d, na), dtype=np.int64)
    text_of = {}                                                  # (d, a) -> text score, for listed pairs
    step = max(1, _BLOCK_CELLS // max(1, na))
    for start in range(first, last, step):
        stop = min(last, start + step)
        raw = (job.queries[start:stop] @ job.w_achievements_t).toarray()
        denom = job.self_score[start:stop, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            text = np.where(denom > 0, np.minimum(raw / denom, np.float32(1.0)), np.float32(0.0))
        score = text * job.fit.block(start, stop) if job.use_fit else text
        q = np.rint(score * _QUANTUM).astype(np.int64) << _IDX_BITS
        if k_a:
            keys = q | (mask - np.arange(na, dtype=np.int64))[None, :]
            part = np.argpartition(keys, na - k_a, axis=1)[:, na - k_a:] if k_a < na else np.broadcast_to(
                np.arange(na), (stop - start, na))
            chosen = np.take_along_axis(keys, part, axis=1)
            best_a[start - first:stop - first] = -np.sort(-chosen, axis=1)
            if job.explain:  # the text scores of the pairs that will be listed (for their why)
                shown = (chosen >> _IDX_BITS) >= floor
                r, c = np.nonzero(shown)
                text_of.update(zip(zip((r + start).tolist(), part[r, c].tolist()),
                                   text[r, part[r, c]].tolist()))
        if k_d:
            keys = q | (mask - np.arange(start, stop, dtype=np.int64))[:, None]
            best_d = _top_keys(np.concatenate([best_d, keys], axis=0) if start > first else keys, k_d)
        if job.explain:
            _remember_columns(text_of, best_d, text, start, stop, mask, floor)
    return first, best_a, best_d, text_of


def _remember_columns(text_of: dict, best_d, text, start: int, stop: int, mask: int, floor: int) -> None:
    """Keep the text score of every listed (demand, achievement) pair of this block now in an achievement's top
    list (*floor*: the smallest quantised score listed)."""
    import numpy as np

    d_idx = mask - (best_d & mask)
    inside = (d_idx >= start) & (d_idx < stop) & ((best_d >> _IDX_BITS) >= floor)
    rows, cols = np.nonzero(inside)
    ds = d_idx[rows, cols]
    text_of.update(zip(zip(ds.tolist(), cols.tolist()), text[ds - start, cols].tolist()))


class _FitArrays:
    """The fit attributes of both sides as arrays; :meth:`block` gives the factor product for demand rows."""

    def __init__(self, demands: Sequence[Demand], achievements: Sequence[Achievement], policy: FitPolicy):
        import numpy as np

        nan = float("nan")
        ind = codes([x.industry for x in (*demands, *achievements)])
        reg = codes([region_key(x.region) for x in (*demands, *achievements)])
        nd = len(demands)
        self.demands, self.achievements = demands, achievements
        self.policy = policy
        small = np.int32 if max(ind + reg, default=0) >= 1 << 15 else np.int16
        self.d_ind, self.a_ind = np.asarray(ind[:nd], dtype=small), np.asarray(ind[nd:], dtype=small)
        self.d_reg, self.a_reg = np.asarray(reg[:nd], dtype=small), np.asarray(reg[nd:], dtype=small)
        self.needed = np.asarray([d.min_trl or 0 for d in demands], dtype=np.int8)    # 0 = unknown
        self.trl = np.asarray([a.trl or 0 for a in achievements], dtype=np.int8)
        self.budget = np.asarray([nan if d.budget is None else d.budget for d in demands], dtype=np.float32)
        self.ask = np.asarray([nan if a.ask is None else a.ask for a in achievements], dtype=np.float32)
        self.budget_pow, self.ask_pow = budget_powers(self.budget, self.ask, policy.budget_power)

    def parts(self, ds, as_, *, with_codes: bool = True):
        """The four factors (and their codes) for demand indexes *ds* × achievement indexes *as_* (broadcast)."""
        p = self.policy
        ind, ind_code = category_factor(self.d_ind[ds], self.a_ind[as_], p.industry_same, p.industry_unknown,
                                        p.industry_different, with_codes=with_codes)
        rdy, gap, rdy_code = readiness_factor(self.needed[ds], self.trl[as_], p.readiness_by_gap)
        reg, reg_code = category_factor(self.d_reg[ds], self.a_reg[as_], p.region_same, p.region_unknown,
                                        p.region_different, with_codes=with_codes)
        bud, bud_code = budget_factor(self.budget[ds], self.ask[as_], self.budget_pow[ds], self.ask_pow[as_],
                                      p.budget_floor, with_codes=with_codes)
        return (ind, ind_code), (rdy, gap, rdy_code), (reg, reg_code), (bud, bud_code)

    def block(self, start: int, stop: int):
        """The product of the four factors for demand rows start:stop × every achievement."""
        import numpy as np

        (ind, _), (rdy, _, _), (reg, _), (bud, _) = self.parts(np.arange(start, stop)[:, None],
                                                                  np.arange(len(self.trl))[None, :],
                                                                  with_codes=False)
        ind *= rdy
        ind *= reg
        ind *= bud
        return ind


class _Explainer:
    """The why of one listed pair: matched words (shared, synonym, broader) and the fit facts, language-free."""

    def __init__(self, feats: list[TextFeatures], nd: int, index, lexicon: Lexicon | None, fit: _FitArrays,
                 use_fit: bool):
        self.feats, self.nd, self.lexicon, self.fit, self.use_fit = feats, nd, lexicon, fit, use_fit
        idf = index.idf.tolist()
        order = sorted(index.vocabulary, key=lambda f: (-idf[index.vocabulary[f]], f))
        self.rarity = {f: i for i, f in enumerate(order)}   # rarest first, then by text: a stable order

    def explain(self, pairs: list[tuple[int, int]], text_of: dict) -> dict:
        """The why of every (demand, achievement) index pair, the fit facts computed for all pairs at once."""
        import numpy as np

        if not pairs:
            return {}
        ds = np.asarray([d for d, _ in pairs], dtype=np.int64)
        as_ = np.asarray([a for _, a in pairs], dtype=np.int64)
        (ind, ind_c), (rdy, gap, rdy_c), (reg, reg_c), (bud, bud_c) = self.fit.parts(ds, as_)
        ones = [1.0] * len(pairs)
        factor = (lambda x: np.round(x.astype(np.float64), 6).tolist()) if self.use_fit else (lambda x: ones)
        ind, rdy, reg, bud = factor(ind), factor(rdy), factor(reg), factor(bud)
        gaps = [int(g) if st else None for g, st in zip(gap.tolist(), rdy_c.tolist())]
        ind_c, rdy_c, reg_c, bud_c = ind_c.tolist(), rdy_c.tolist(), reg_c.tolist(), bud_c.tolist()
        out = {}
        for i, (d, a) in enumerate(pairs):
            demand, achievement = self.fit.demands[d], self.fit.achievements[a]
            text = text_of.get((d, a))
            out[d, a] = {
                "text_score": None if text is None else round(text, 6),
                **self.terms(d, a),
                "industry": {"demand": demand.industry, "achievement": achievement.industry,
                             "match": MATCH_CODES[ind_c[i]], "factor": ind[i]},
                "readiness": {"trl": achievement.trl, "needed": demand.min_trl, "gap": gaps[i],
                              "status": READINESS_CODES[rdy_c[i]], "factor": rdy[i],
                              "source": achievement.trl_source or None},
                "region": {"demand": demand.region or None, "achievement": achievement.region or None,
                           "match": MATCH_CODES[reg_c[i]], "factor": reg[i]},
                "budget": {"budget": demand.budget, "ask": achievement.ask, "status": BUDGET_CODES[bud_c[i]],
                           "factor": bud[i]},
            }
        return out

    def terms(self, d: int, a: int) -> dict:
        """Matched words: shared (the same word), synonyms [demand word, achievement word, group] and related
        through a broader group [demand word, achievement word, broader group]; rarest first."""
        df, af = self.feats[d], self.feats[self.nd + a]
        shared, synonyms, related = [], [], []
        explained: set[str] = set()
        for feature in sorted(df.weights.keys() & af.weights.keys(), key=self.rarity.__getitem__):
            if not feature.startswith("g:"):
                if feature not in explained:
                    shared.append(feature)
                    explained.add(feature)
                continue
            d_direct, a_direct = df.direct.get(feature), af.direct.get(feature)
            if d_direct and a_direct:
                same = [w for w in d_direct if w in a_direct]
                if same:
                    shared += [w for w in same if w not in explained]
                    explained.update(same)
                else:
                    synonyms.append([d_direct[0], a_direct[0], feature[2:]])
                    explained.update((d_direct[0], a_direct[0]))
            else:
                dw = (d_direct or df.via[feature])[0]
                aw = (a_direct or af.via[feature])[0]
                if not (dw in explained and aw in explained):
                    related.append([dw, aw, feature[2:]])
                    explained.update((dw, aw))
        return {"shared_terms": shared[:MAX_LISTED_TERMS], "synonyms": synonyms[:MAX_LISTED_TERMS],
                "related": related[:MAX_LISTED_TERMS]}
