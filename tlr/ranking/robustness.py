"""Rank stability by Monte Carlo: weight uncertainty and expert resampling (seeded, reproducible).

Two sources of uncertainty, same outputs (:class:`RobustnessResult`):

* :func:`weight_monte_carlo` — the composite is a weighted sum U @ w; weights are drawn
    - ``dirichlet``: w ~ Dirichlet(concentration * w0) around the given (e.g. AHP) weights
      (mean w0; larger concentration = less spread; Var w_l = w0_l (1 - w0_l) / (concentration + 1)),
    - ``panel``: from the panel's own weight vectors (experts x leaves): each draw is the mean of
      a bootstrap resample of the experts' vectors (``panel_mode="bootstrap_mean"``) or one expert's
      vector picked at random (``panel_mode="single"``).
* :func:`expert_bootstrap` — resample, for each project, its experts with replacement (among the
  experts who scored it), recompute the consensus (mean) utilities and the composite.

Outputs per project: rank quantiles (5 %, 50 %, 95 %), P(rank <= k), P(each tier), the SMAA-2
rank acceptability indices b_i^r = share of draws in which project i has rank r (Lahdelma &
Salminen 2001), and optionally the central weight vector (mean weights of the draws in which the
project ranks first).

Conventions: inside a draw, ranks are ordinal 1..P. Exact ties between composites (probability
zero with continuous weights; possible for identical projects or discrete panel weights) are broken
by NumPy's default sort — reproducible for the same input and seed, but not by project index
(a stable sort costs ~2x; documented trade-off). Unscored projects fill the last positions. Rank quantiles use the inverted empirical CDF (smallest r with
F(r) >= q). Acceptability is stored densely for P <= ``max_dense`` (default 2000); for larger P
only ranks 1..``top_r`` are stored and a last column holds the share of draws beyond ``top_r``;
quantiles falling there are reported as top_r + 1 and flagged in ``quantile_beyond``.
Draws are processed in chunks of ``chunk`` draws (memory ~ chunk x projects x 8 bytes x a few).
Projects whose utilities are all missing (unscored) are kept: ranked after every scored project in
every draw and flagged in ``unscored``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, MissingValueError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.ranking.tiers import DEFAULT_TIERS, TIER_EPS, TierRule


@dataclass(frozen=True)
class RobustnessResult(ResultMixin):
    """Monte Carlo rank stability.

    Attributes:
        source: "dirichlet", "panel" or "expert_bootstrap".
        n_draws, seed: what was drawn.
        base_composite, base_rank: composite and ordinal rank at the given (central) inputs.
        rank_q05, rank_q50, rank_q95: (projects,) rank quantiles over the draws.
        quantile_beyond: mask where a reported quantile is "beyond top_r" (only when not dense).
        p_top_k: (projects,) share of draws with rank <= top_k.
        top_k: the k used.
        p_tier: (projects, tiers) share of draws in each tier (columns follow ``tier_codes``);
            None if no tier rules were given.
        tier_codes: tier codes, best first (last = default tier).
        acceptability: (projects, R) b_i^r for ranks 1..R (R = projects when dense, else top_r).
        p_beyond: (projects,) share of draws with rank > R (0 when dense).
        central_weights: (projects, leaves) mean weight vector of the draws where the project ranks
            first; rows of zeros where ``central_defined`` is False (never ranked first).
        central_defined: mask.
        unscored: projects without utilities, ranked last in every draw.
        n_fallback_cells: expert_bootstrap only — number of (draw, project, leaf) cells where the
            resample held no score for the cell and the full-panel consensus was used instead.
    """

    source: str
    n_draws: int
    seed: int
    base_composite: np.ndarray
    base_rank: np.ndarray
    rank_q05: np.ndarray
    rank_q50: np.ndarray
    rank_q95: np.ndarray
    quantile_beyond: np.ndarray
    p_top_k: np.ndarray
    top_k: int
    p_tier: np.ndarray | None
    tier_codes: list
    acceptability: np.ndarray
    p_beyond: np.ndarray
    central_weights: np.ndarray | None
    central_defined: np.ndarray | None
    unscored: np.ndarray
    n_fallback_cells: int = 0
    params: dict = field(default_factory=dict)

    def to_frame(self, project_ids=None):
        import pandas as pd

        df = pd.DataFrame({
            "base_rank": self.base_rank, "rank_q05": self.rank_q05, "rank_q50": self.rank_q50,
            "rank_q95": self.rank_q95, f"p_top_{self.top_k}": self.p_top_k, "unscored": self.unscored,
        }, index=project_ids)
        if self.p_tier is not None:
            for t, code in enumerate(self.tier_codes):
                df[f"p_tier_{code}"] = self.p_tier[:, t]
        return df


# --------------------------------------------------------------------------------------------
# The accumulator shared by both sources
# --------------------------------------------------------------------------------------------
class _Accumulator:
    def __init__(self, P: int, L: int, R: int, dense: bool, rules, knocked_out, cap, central: bool,
                 unscored: np.ndarray):
        self.P, self.R, self.dense = P, R, dense
        self.default_tier = DEFAULT_TIERS[3][0]
        self.hist = np.zeros(P * (R + 1), dtype=np.int64)
        self.rules = rules
        if rules:
            self.mins = np.array([r.min_score for r in rules], float)
            cond = np.ones((len(rules), P), bool)
            for t, r in enumerate(rules):
                for arr in r.conditions.values():
                    cond[t] &= np.asarray(arr, bool)
            T = len(rules)
            # F[s, p]: final tier of project p when its score alone reaches tier s: the first tier
            # t >= s whose conditions hold (T = default tier), then the knock-out cap.
            F = np.full((T + 1, P), T, dtype=np.int64)
            for t in range(T - 1, -1, -1):       # loop over a handful of tiers
                F[t] = np.where(cond[t], t, F[t + 1])
            if knocked_out is not None:
                F = np.where(knocked_out[None, :], np.maximum(F, cap), F)
            F[:, unscored] = T                  # no composite: default tier
            self.F = F
            self.score_tier_counts = np.zeros(P * (T + 1), dtype=np.int64)
        self.central = np.zeros((P, L)) if central else None
        self.n_first = np.zeros(P, dtype=np.int64)
        self.n = 0

    def add(self, C: np.ndarray, W: np.ndarray | None, unscored: np.ndarray, perm: np.ndarray | None = None):
        """C: (draws, P) composites; unscored: (P,) projects ranked last; W: (draws, L) or None.

        If ``perm`` is given, column j of C (and of ``unscored``) is project perm[j] (columns
        presorted by the base ranking make the sort faster).
        """
        D, P = C.shape
        key = np.negative(C)
        if unscored.any():
            key[:, unscored] = np.inf
        order = np.argsort(key, axis=1)          # best first; exact ties: order of the sort (see doc)
        if perm is not None:
            order = perm[order]
        # histogram of (project, rank): position j of project order[d, j] is its 0-based rank
        pos = np.minimum(np.arange(P, dtype=np.int64), self.R)
        self.hist += np.bincount((order * (self.R + 1) + pos[None, :]).ravel(), minlength=P * (self.R + 1))
        if self.rules:
            # minima are non-increasing, so the score tier is the number of minima not reached;
            # conditions and caps are applied to the aggregated counts in result()
            proj = np.arange(P, dtype=np.int64) if perm is None else perm.astype(np.int64)
            idx = np.broadcast_to(proj * (len(self.rules) + 1), (D, P)).copy()
            for m in self.mins:                  # loop over a handful of tiers
                idx += C < m - TIER_EPS
            self.score_tier_counts += np.bincount(idx.ravel(), minlength=self.score_tier_counts.size)
        first = order[:, 0]
        self.n_first += np.bincount(first, minlength=P)
        if self.central is not None and W is not None:
            onehot = np.zeros((P, D))
            onehot[first, np.arange(D)] = 1.0
            self.central += onehot @ W
        self.n += D

    def result(self, **kw) -> RobustnessResult:
        P, R, N = self.P, self.R, self.n
        hist = self.hist.reshape(P, R + 1)
        acc = hist[:, :R] / N
        beyond = hist[:, R] / N
        cum = np.cumsum(hist, axis=1) / N
        qs = {}
        qb = np.zeros(P, bool)
        for q in (0.05, 0.5, 0.95):
            idx = np.argmax(cum >= q - 1e-12, axis=1)
            qb |= idx == R
            qs[q] = (idx + 1).astype(float)
        k = kw.pop("top_k")
        if self.dense:
            k = min(k, P)          # P(rank <= k) = 1 when k >= number of projects
        if k > R:
            raise InvalidValueError(f"top_k={k} 超过保存的名次数 {R} / top_k exceeds the stored ranks ({R})")
        p_top = hist[:, :k].sum(axis=1) / N
        p_tier = None
        codes: list = []
        if self.rules:
            T1 = len(self.rules) + 1
            sc = self.score_tier_counts.reshape(P, T1)             # (P, score tier)
            tc = np.zeros((P, T1))
            rows = np.arange(P)
            for st_ in range(T1):                                   # loop over a handful of tiers
                np.add.at(tc, (rows, self.F[st_]), sc[:, st_])
            p_tier = tc / N
            codes = [r.code for r in self.rules] + [self.default_tier]
        cdef = None
        cw = None
        if self.central is not None:
            cdef = self.n_first > 0
            cw = np.where(cdef[:, None], self.central / np.maximum(self.n_first, 1)[:, None], 0.0)
        return RobustnessResult(rank_q05=qs[0.05], rank_q50=qs[0.5], rank_q95=qs[0.95], quantile_beyond=qb,
                                p_top_k=p_top, top_k=k, p_tier=p_tier, tier_codes=codes, acceptability=acc,
                                p_beyond=beyond, central_weights=cw, central_defined=cdef, n_draws=N, **kw)


def _default_code(rules, knockout_tier: str | None, default_tier: str | None) -> str:
    """Code of the default (last) tier: given, else a knock-out cap that names no rule, else "D"."""
    if default_tier is not None:
        return default_tier
    if knockout_tier is not None and knockout_tier not in [r.code for r in rules or []]:
        return knockout_tier
    return DEFAULT_TIERS[3][0]


def _setup(P, top_k, max_dense, top_r, tier_rules, knocked_out, knockout_tier):
    dense = P <= max_dense
    R = P if dense else min(top_r, P)
    if top_k < 1:
        raise InvalidValueError("top_k 须 >= 1 / top_k must be >= 1")
    rules = list(tier_rules or [])
    ko = None
    cap = len(rules)
    if knocked_out is not None:
        ko = np.asarray(knocked_out, bool)
        if ko.shape != (P,):
            raise ShapeError(f"knocked_out 须为 {P} 个布尔值 / knocked_out must have {P} entries")
        if knockout_tier is not None:
            # a rule's code caps at that tier; any other code names the default (last) tier
            codes = [r.code for r in rules]
            cap = codes.index(knockout_tier) if knockout_tier in codes else len(rules)
    for r in rules:
        for name, arr in r.conditions.items():
            if np.shape(arr) != (P,):
                raise ShapeError(f"分档条件 {name!r} 长度须为 {P} / tier condition {name!r} must have {P} entries")
    if rules:
        mins = np.array([r.min_score for r in rules])
        if np.any(np.diff(mins) > 0):
            raise InvalidValueError("分档下限须从高到低排列 / tier minima must be non-increasing")
    return dense, R, rules, ko, cap


def _check_utilities(U):
    U = as_float_array(U, "utilities", ndim=2)
    nan = np.isnan(U)
    unscored = nan.all(axis=1)
    partial = nan.any(axis=1) & ~unscored
    if partial.any():
        raise MissingValueError(
            f"项目缺少部分指标效用 / projects with some missing utilities: {np.flatnonzero(partial)[:10].tolist()}",
            hint="decide the missing-value policy first (weighted_sum(missing=...)) and pass complete utilities")
    if unscored.all():
        raise MissingValueError("没有任何项目有效用值 / no project has utilities")
    return np.where(nan, 0.0, U), unscored


def sample_weights(n: int, rng: np.random.Generator, *, weights=None, concentration: float | None = None,
                   panel=None, panel_mode: str = "bootstrap_mean") -> np.ndarray:
    """Draw ``n`` weight vectors (rows sum to 1). See module doc for the two sources."""
    if panel is not None:
        Wp = as_float_array(panel, "panel", ndim=2)
        if np.isnan(Wp).any() or (Wp < 0).any() or (Wp.sum(axis=1) <= 0).any():
            raise InvalidValueError("专家权重向量须非负且和为正 / panel weight vectors must be non-negative, sum > 0")
        Wp = Wp / Wp.sum(axis=1, keepdims=True)
        K = Wp.shape[0]
        if panel_mode == "single":
            return Wp[rng.integers(0, K, n)]
        if panel_mode != "bootstrap_mean":
            raise InvalidValueError(f"未知 panel_mode {panel_mode!r} / unknown panel_mode (bootstrap_mean or single)")
        counts = rng.multinomial(K, np.full(K, 1.0 / K), size=n)       # (n, K)
        return counts @ Wp / K
    w = as_float_array(weights, "weights", ndim=1)
    if np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError("权重须非负且和为正 / weights must be non-negative with a positive sum")
    if concentration is None or not concentration > 0:
        raise InvalidValueError("Dirichlet 需要正的集中度参数 / Dirichlet sampling needs concentration > 0")
    w = w / w.sum()
    pos = w > 0
    out = np.zeros((n, w.size))
    out[:, pos] = rng.dirichlet(concentration * w[pos], size=n)
    return out


def weight_monte_carlo(utilities, weights=None, *, concentration: float = 100.0, panel=None,
                       panel_mode: str = "bootstrap_mean", n_draws: int = 10_000, seed: int = 20240601,
                       top_k: int = 10, tier_rules: Sequence[TierRule] | None = None, knocked_out=None,
                       knockout_tier: str | None = None, default_tier: str | None = None,
                       central_weights: bool = True,
                       max_dense: int = 2000, top_r: int = 100, chunk: int = 1000) -> RobustnessResult:
    """Rank stability of the weighted-sum composite under weight uncertainty.

    Args:
        utilities: (projects, leaves) leaf utilities; rows entirely NaN = unscored projects (kept,
            ranked last); partially missing rows raise (decide the policy first).
        weights: central global leaf weights (required for Dirichlet; the base ranking otherwise
            uses the panel mean).
        concentration: Dirichlet concentration (sum of the alpha parameters).
        panel: optional (experts, leaves) weight vectors: sample from the panel instead.
        tier_rules: tier rules (their extra conditions are fixed, only the composite varies);
            knocked_out / knockout_tier: cap as in :func:`tlr.ranking.tiers.assign_tiers`.
    """
    U, unscored = _check_utilities(utilities)
    P, L = U.shape
    if n_draws < 1:
        raise InvalidValueError("n_draws 须 >= 1 / n_draws must be >= 1")
    dense, R, rules, ko, cap = _setup(P, top_k, max_dense, top_r, tier_rules, knocked_out, knockout_tier)
    rng = np.random.default_rng(seed)
    if panel is not None:
        Wp = as_float_array(panel, "panel", ndim=2)
        if Wp.shape[1] != L:
            raise ShapeError(f"专家权重向量长度须为 {L} / panel weight vectors must have {L} entries")
        w0 = (Wp / Wp.sum(axis=1, keepdims=True)).mean(axis=0) if weights is None else np.asarray(weights, float)
        source = "panel"
    else:
        if weights is None:
            raise InvalidValueError("需要中心权重或专家权重面板 / give weights (Dirichlet) or a panel of weights")
        w0 = as_float_array(weights, "weights", ndim=1)
        source = "dirichlet"
    if w0.shape[0] != L:
        raise ShapeError(f"权重长度须为 {L} / weights must have {L} entries")
    w0 = w0 / w0.sum()
    base = np.where(unscored, np.nan, U @ w0)
    acc = _Accumulator(P, L, R, dense, rules, ko, cap, central_weights, unscored)
    acc.default_tier = _default_code(rules, knockout_tier, default_tier)
    chunk = _bounded_chunk(chunk, P)
    perm = np.argsort(np.where(unscored, np.inf, -base), kind="stable")   # presort by the base ranking
    Ut = U[perm].T.copy()
    uns_p = unscored[perm]
    for s in range(0, n_draws, chunk):
        d = min(chunk, n_draws - s)
        W = sample_weights(d, rng, weights=w0, concentration=concentration, panel=panel, panel_mode=panel_mode)
        C = W @ Ut
        acc.add(C, W, uns_p, perm)
    base_rank = _ordinal(base)
    return acc.result(source=source, seed=seed, base_composite=base, base_rank=base_rank, unscored=unscored,
                      top_k=top_k, params=dict(concentration=concentration if panel is None else None,
                                               panel_mode=panel_mode if panel is not None else None,
                                               chunk=chunk, dense=dense, R=R))


MAX_CELLS_PER_CHUNK = 4_000_000


def _bounded_chunk(chunk: int, per_draw: int) -> int:
    """Draws per block so that a block holds at most MAX_CELLS_PER_CHUNK cells (memory bound);
    results do not depend on the block size (the generators fill blocks in the same order; tested)."""
    return int(max(1, min(chunk, MAX_CELLS_PER_CHUNK // max(per_draw, 1))))


def _ordinal(c: np.ndarray) -> np.ndarray:
    order = np.argsort(np.where(np.isnan(c), np.inf, -c), kind="stable")
    r = np.empty(c.size)
    r[order] = np.arange(1, c.size + 1)
    return r


def expert_bootstrap(utilities, weights, *, n_draws: int = 2000, seed: int = 20240601, top_k: int = 10,
                     tier_rules: Sequence[TierRule] | None = None, knocked_out=None,
                     knockout_tier: str | None = None, default_tier: str | None = None,
                     max_dense: int = 2000, top_r: int = 100,
                     chunk: int = 100) -> RobustnessResult:
    """Rank stability under resampling of the experts (bootstrap per project).

    Args:
        utilities: (experts, projects, leaves) per-expert leaf utilities, NaN = missing/recused.
        weights: (leaves,) global leaf weights.

    For each draw and project p with n_p experts who scored p (any leaf), n_p experts are drawn
    with replacement among them; each leaf's consensus is the mean of the drawn experts' scores
    present on that leaf; composite = sum_l w_l * consensus_l. A leaf that none of the drawn experts
    scored falls back to the full-panel mean for that cell (counted in ``n_fallback_cells``).
    Projects nobody scored are unscored (ranked last, flagged). The base composite is the
    full-panel mean consensus; a project with a leaf nobody scored raises MissingValueError.
    """
    X = as_float_array(utilities, "utilities", ndim=3)
    E, P, L = X.shape
    w = as_float_array(weights, "weights", ndim=1)
    if w.shape[0] != L or np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError(f"权重须为 {L} 个非负数 / weights must be {L} non-negative numbers, sum > 0")
    w = w / w.sum()
    dense, R, rules, ko, cap = _setup(P, top_k, max_dense, top_r, tier_rules, knocked_out, knockout_tier)
    present = ~np.isnan(X)
    scored_by = present.any(axis=2)                 # (E, P)
    n_p = scored_by.sum(axis=0)                     # (P,)
    unscored = n_p == 0
    if unscored.all():
        raise MissingValueError("没有任何评分 / no scores at all")
    cnt = present.sum(axis=0)                       # (P, L)
    X0 = np.where(present, X, 0.0)
    full = X0.sum(axis=0) / np.maximum(cnt, 1)      # (P, L)
    hole = (cnt == 0) & ~unscored[:, None]
    if hole.any():
        raise MissingValueError(
            f"项目有无人评分的指标 / projects with an indicator nobody scored: "
            f"{np.flatnonzero(hole.any(axis=1))[:10].tolist()}",
            hint="score it, or drop the indicator from the rubric for this campaign")
    base = np.where(unscored, np.nan, full @ w)
    # table of the experts who scored each project, those first (stable order)
    table = np.argsort(~scored_by.T, axis=1, kind="stable")         # (P, E)
    complete = ((present == scored_by[:, :, None]) | ~scored_by[:, :, None]).all(axis=(0, 2))  # (P,)
    s_ep = np.einsum("epl,l->ep", X0, w)                            # per-expert composite (complete rows)
    part = np.flatnonzero(~complete & ~unscored)
    Xq = np.ascontiguousarray(X0[:, part, :].transpose(1, 0, 2))          # (q, E, L)
    Mq = np.ascontiguousarray(present[:, part, :].transpose(1, 0, 2).astype(float))
    rng = np.random.default_rng(seed)
    acc = _Accumulator(P, L, R, dense, rules, ko, cap, False, unscored)
    acc.default_tier = _default_code(rules, knockout_tier, default_tier)
    chunk = _bounded_chunk(chunk, P * max(E, 1))
    nfb = 0
    npos = np.maximum(n_p, 1)
    for s in range(0, n_draws, chunk):
        d = min(chunk, n_draws - s)
        slot = rng.integers(0, npos[None, :, None], size=(d, P, E))       # (d, P, E)
        valid = np.broadcast_to(np.arange(E)[None, None, :] < n_p[None, :, None], (d, P, E))
        ex = np.take_along_axis(np.broadcast_to(table[None], (d, P, E)), slot, axis=2)
        flat = ((np.arange(d)[:, None, None] * P + np.arange(P)[None, :, None]) * E + ex)[valid]
        counts = np.bincount(flat, minlength=d * P * E).reshape(d, P, E).astype(float)
        # fast path: projects whose experts scored every leaf
        C = np.einsum("dpe,ep->dp", counts, s_ep) / npos[None, :]
        if part.size:
            cp = counts[:, part, :].transpose(1, 0, 2)                       # (q, d, E)
            num = np.matmul(cp, Xq)                                          # (q, d, L), batched BLAS
            den = np.matmul(cp, Mq)
            fb = den == 0
            nfb += int(fb.sum())
            val = np.where(fb, full[part][:, None, :], num / np.where(fb, 1.0, den))
            C[:, part] = (val @ w).T
        acc.add(C, None, unscored)
    return acc.result(source="expert_bootstrap", seed=seed, base_composite=base, base_rank=_ordinal(base),
                      unscored=unscored, top_k=top_k, n_fallback_cells=nfb,
                      params=dict(chunk=chunk, dense=dense, R=R))
