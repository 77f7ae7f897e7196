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

from collections.abc import Sequence
from dataclasses import dataclass, field

from tlr.matching.fit import (BUDGET_CODES, MATCH_CODES, READINESS_CODES, FitPolicy, budget_factor,
                              category_factor, codes, readiness_factor, region_key)
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
          policy: FitPolicy = FitPolicy(), explain: bool = True, top_demands: int | None = None) -> MatchResult:
    """Match *demands* and *achievements* (see the module docstring).

    ``top``: achievements listed per demand; ``top_demands``: demands listed per achievement (default ``top``).
    ``lexicon``: the lexicon (default: the shipped one; ignored by variant "bm25"). ``explain=False`` leaves
    ``why`` empty (faster, for benchmarks).
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
    self_score = np.asarray(queries.multiply(index.weights[:nd]).sum(axis=1)).ravel()

    fit = _FitArrays(demands, achievements, policy)
    use_fit = variant == "full"
    k_a, k_d = min(top, na), min(top_demands, nd)
    best_a = np.zeros((nd, k_a), dtype=np.int64)                 # packed keys: score << bits | ~index
    best_d = np.zeros((k_d, na), dtype=np.int64)
    text_of = {}                                                  # (d, a) -> text score, for listed pairs
    mask = (1 << _IDX_BITS) - 1
    step = max(1, _BLOCK_CELLS // max(1, na))
    for start in range(0, nd, step):
        stop = min(nd, start + step)
        raw = (queries[start:stop] @ w_achievements_t).toarray()
        denom = self_score[start:stop, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            text = np.where(denom > 0, np.minimum(raw / denom, 1.0), 0.0)
        score = text * fit.block(start, stop) if use_fit else text
        q = np.rint(score * _QUANTUM).astype(np.int64) << _IDX_BITS
        if k_a:
            keys = q | (mask - np.arange(na, dtype=np.int64))[None, :]
            part = np.argpartition(-keys, k_a - 1, axis=1)[:, :k_a] if k_a < na else np.broadcast_to(
                np.arange(na), (stop - start, na))
            chosen = np.take_along_axis(keys, part, axis=1)
            best_a[start:stop] = -np.sort(-chosen, axis=1)
            rows = np.arange(start, stop)[:, None]
            for d, a, t in zip(np.broadcast_to(rows, part.shape).ravel(), part.ravel(),
                               np.take_along_axis(text, part, axis=1).ravel()):
                text_of[int(d), int(a)] = float(t)
        if k_d:
            keys = q | (mask - np.arange(start, stop, dtype=np.int64))[:, None]
            merged = np.concatenate([best_d, keys], axis=0) if start else keys
            kk = min(k_d, merged.shape[0])
            part = np.argpartition(-merged, kk - 1, axis=0)[:kk] if kk < merged.shape[0] else np.arange(
                merged.shape[0])[:, None].repeat(na, axis=1)
            chosen = -np.sort(-np.take_along_axis(merged, part, axis=0), axis=0)
            if chosen.shape[0] < k_d:
                chosen = np.concatenate([chosen, np.zeros((k_d - chosen.shape[0], na), np.int64)], axis=0)
            best_d = chosen
        _remember_columns(text_of, best_d, text, start, stop, mask)

    explainer = _Explainer(feats, nd, index, lex, fit, use_fit) if explain else None

    def listed(keys_row, own: int, own_is_demand: bool) -> tuple[Candidate, ...]:
        out = []
        for key in keys_row:
            key = int(key)
            score = (key >> _IDX_BITS) / _QUANTUM
            other = mask - (key & mask)
            if score < min_score or score <= 0:
                break
            d, a = (own, other) if own_is_demand else (other, own)
            why = explainer.why(d, a, text_of.get((d, a))) if explainer else {}
            cid = achievements[a].id if own_is_demand else demands[d].id
            out.append(Candidate(cid, round(score, 6), why))
        return tuple(out)

    matches = tuple(Ranked(demands[d].id, listed(best_a[d], d, True) if k_a else ()) for d in range(nd))
    by_achievement = tuple(Ranked(achievements[a].id, listed(best_d[:, a], a, False) if k_d else ())
                           for a in range(na))
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


def _remember_columns(text_of: dict, best_d, text, start: int, stop: int, mask: int) -> None:
    """Keep the text score of every (demand, achievement) pair now in an achievement's top list from this block."""
    import numpy as np

    d_idx = mask - (best_d & mask)
    inside = (d_idx >= start) & (d_idx < stop) & (best_d > 0)
    rows, cols = np.nonzero(inside)
    ds = d_idx[rows, cols]
    for d, a, t in zip(ds.tolist(), cols.tolist(), text[ds - start, cols].tolist()):
        text_of[d, a] = t


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
        self.d_ind, self.a_ind = np.asarray(ind[:nd]), np.asarray(ind[nd:])
        self.d_reg, self.a_reg = np.asarray(reg[:nd]), np.asarray(reg[nd:])
        self.needed = np.asarray([nan if d.min_trl is None else d.min_trl for d in demands], dtype=float)
        self.trl = np.asarray([nan if a.trl is None else a.trl for a in achievements], dtype=float)
        self.budget = np.asarray([nan if d.budget is None else d.budget for d in demands], dtype=float)
        self.ask = np.asarray([nan if a.ask is None else a.ask for a in achievements], dtype=float)

    def parts(self, ds, as_):
        """The four factors (and their codes) for demand indexes *ds* × achievement indexes *as_* (broadcast)."""
        p = self.policy
        ind, ind_code = category_factor(self.d_ind[ds], self.a_ind[as_], p.industry_same, p.industry_unknown,
                                        p.industry_different)
        rdy, gap, rdy_code = readiness_factor(self.needed[ds], self.trl[as_], p.readiness_by_gap)
        reg, reg_code = category_factor(self.d_reg[ds], self.a_reg[as_], p.region_same, p.region_unknown,
                                        p.region_different)
        bud, bud_code = budget_factor(self.budget[ds], self.ask[as_], p.budget_power, p.budget_floor)
        return (ind, ind_code), (rdy, gap, rdy_code), (reg, reg_code), (bud, bud_code)

    def block(self, start: int, stop: int):
        import numpy as np

        (ind, _), (rdy, _, _), (reg, _), (bud, _) = self.parts(np.arange(start, stop)[:, None],
                                                                  np.arange(len(self.trl))[None, :])
        return ind * rdy * reg * bud


class _Explainer:
    """The why of one listed pair: matched words (shared, synonym, broader) and the fit facts, language-free."""

    def __init__(self, feats: list[TextFeatures], nd: int, index, lexicon: Lexicon | None, fit: _FitArrays,
                 use_fit: bool):
        self.feats, self.nd, self.lexicon, self.fit, self.use_fit = feats, nd, lexicon, fit, use_fit
        self.idf = index.idf
        self.vocabulary = index.vocabulary

    def why(self, d: int, a: int, text: float | None) -> dict:
        import numpy as np

        df, af = self.feats[d], self.feats[self.nd + a]
        shared, synonyms, related = [], [], []
        explained: set[str] = set()
        common = sorted(df.weights.keys() & af.weights.keys(),
                        key=lambda f: (-self.idf[self.vocabulary[f]], f))
        for feature in common:
            if not feature.startswith("g:"):
                if feature not in explained:
                    shared.append(feature)
                    explained.add(feature)
                continue
            gid = feature[2:]
            d_direct = [w for w, how in df.surface[feature] if how == "group"]
            a_direct = [w for w, how in af.surface[feature] if how == "group"]
            if d_direct and a_direct:
                same = [w for w in d_direct if w in a_direct]
                if same:
                    shared += [w for w in same if w not in explained]
                    explained.update(same)
                else:
                    synonyms.append([d_direct[0], a_direct[0], gid])
                    explained.update((d_direct[0], a_direct[0]))
            else:
                dw = (d_direct or [w for w, _ in df.surface[feature]])[0]
                aw = (a_direct or [w for w, _ in af.surface[feature]])[0]
                if not (dw in explained and aw in explained):
                    related.append([dw, aw, gid])
                    explained.update((dw, aw))
        (ind, ind_c), (rdy, gap, rdy_c), (reg, reg_c), (bud, bud_c) = self.fit.parts(np.asarray([d]), np.asarray([a]))
        demand, achievement = self.fit.demands[d], self.fit.achievements[a]
        one = (lambda x: round(float(x[0]), 6)) if self.use_fit else (lambda x: 1.0)
        g = gap[0]
        return {
            "text_score": None if text is None else round(text, 6),
            "shared_terms": shared[:MAX_LISTED_TERMS],
            "synonyms": synonyms[:MAX_LISTED_TERMS],
            "related": related[:MAX_LISTED_TERMS],
            "industry": {"demand": demand.industry, "achievement": achievement.industry,
                         "match": MATCH_CODES[int(ind_c[0])], "factor": one(ind)},
            "readiness": {"trl": achievement.trl, "needed": demand.min_trl,
                          "gap": None if np.isnan(g) else int(g), "status": READINESS_CODES[int(rdy_c[0])],
                          "factor": one(rdy), "source": achievement.trl_source or None},
            "region": {"demand": demand.region or None, "achievement": achievement.region or None,
                       "match": MATCH_CODES[int(reg_c[0])], "factor": one(reg)},
            "budget": {"budget": demand.budget, "ask": achievement.ask, "status": BUDGET_CODES[int(bud_c[0])],
                       "factor": one(bud)},
        }
