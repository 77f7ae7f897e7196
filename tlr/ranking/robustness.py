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

Conventions: inside a draw, ranks are ordinal 1..P; exact ties (identical projects, discrete panel
weights) go to the project ranked higher at the central weights, then to the lower index. Unscored
projects fill the last positions. Rank quantiles use the inverted empirical CDF (smallest r with
F(r) >= q). Acceptability is stored densely for P <= ``max_dense`` (default 2000); for larger P only
ranks 1..``top_r`` are stored and a last column holds the share of draws beyond ``top_r``; quantiles
falling there are reported as top_r + 1 and flagged in ``quantile_beyond``. Projects whose utilities
are all missing (unscored) are kept: ranked after every scored project in every draw and flagged in
``unscored``.

How it scales (docs/scoring.md §6): draws come in blocks with their own random streams and give
additive tallies (:mod:`tlr.ranking.tally`), so blocks run in this process or on Dask workers
(``executor=``, :mod:`tlr.parallel`) with the same result; when only the top ranks are kept, bounds
valid in every draw of a chunk skip the projects that cannot reach them or cross a tier minimum, and
the rest are ranked by partial selection — equal, count for count, to the full sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, MissingValueError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.ranking.tally import RankTally, full_order, top_order
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
# Blocks of draws: each has its own random stream, so blocks can run in any order, anywhere
# --------------------------------------------------------------------------------------------
WEIGHT_BLOCK = 250         # weight draws per random stream: 40 blocks of work in 10,000 draws
BOOTSTRAP_BLOCK = 32       # expert-bootstrap draws per random stream: 32 blocks in 1,000 draws
BOOTSTRAP_CHUNK_CELLS = 32_000_000   # resampling slots per chunk of bootstrap draws (set by the panel alone)
MAX_CELLS_PER_CHUNK = 4_000_000
WEIGHT_CHUNK_CELLS = 16_000_000   # composites per chunk of weight draws (128 MB): fewer, larger products
_WEIGHTS, _BOOTSTRAP = 0, 1


def block_rng(seed: int, source: int, block: int) -> np.random.Generator:
    """The random stream of one block of draws: independent of every other block and of the engine."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(source, block)))


def blocks(n_draws: int, size: int) -> list[tuple[int, int]]:
    """(block, draws) pairs covering n_draws."""
    return [(b, min(size, n_draws - s)) for b, s in enumerate(range(0, n_draws, size))]


def _bounded_chunk(chunk: int, per_draw: int, cells: int = MAX_CELLS_PER_CHUNK) -> int:
    """Draws per memory chunk so that a chunk holds at most *cells* cells; results do not depend on it
    (the random draws of a block are made before it is cut; tested)."""
    return int(max(1, min(chunk, cells // max(per_draw, 1))))


@dataclass
class _Plan:
    """Which composites a chunk of draws computes. Positions: the scored projects by base composite,
    best first, then the unscored. The composites computed are those of positions ``cols`` (sorted), or
    of the prefix 0..width-1 when ``cols`` is None (a prefix of the rows of a matrix is a view, which
    the weight products need: gathering the columns would cost more than the products it saves).

    Ranges are of the computed columns: the top R are among columns 0..top-1; per tier minimum, the
    projects the draws can put on either side are among columns a..b-1 (the others are on one side in
    every draw: ``always_below`` lists the positions below it)."""

    P: int
    S: int                     # scored projects: positions 0..S-1
    R: int                     # ranks kept (R = P: all)
    mins: np.ndarray           # (T,) tier minima minus the tolerance, non-increasing
    width: int                 # columns computed
    cols: np.ndarray | None    # their positions (None: 0..width-1)
    top: int
    bands: list                # per tier: (a, b)
    always_below: list         # per tier: positions, outside the computed range, below it in every draw

    def tally(self, n: int) -> RankTally:
        t = RankTally.empty(self.P, self.R, len(self.mins))
        t.n = n
        return t

    def add(self, tally: RankTally, C: np.ndarray, W: np.ndarray | None) -> None:
        """C: (d, width) composites of one chunk of draws."""
        d = len(C)
        for t, m in enumerate(self.mins):
            a, b = self.bands[t]
            if b > a:
                pos = slice(a, b) if self.cols is None else self.cols[a:b]
                tally.below[t, pos] += np.count_nonzero(C[:, a:b] < m, axis=0)
            tally.below[t, self.always_below[t]] += d
        key = np.negative(np.ascontiguousarray(C[:, :self.top]))
        order = full_order(key) if self.R == self.P else top_order(key, min(self.R, self.S))
        if self.cols is not None:
            order = self.cols[order]
        width = self.P if self.R == self.P else self.R
        if order.shape[1] < width:                              # unscored projects fill the last places
            tail = np.arange(self.S, self.S + width - order.shape[1])
            order = np.concatenate([order, np.broadcast_to(tail, (d, tail.size))], axis=1)
        tally.add_order(order)
        tally.add_first(order[:, 0], W)


def _plan(P, S, R, mins, lb=None, ub=None, kth: float | None = None, gather: bool = False) -> _Plan:
    """What to compute, given bounds lb <= composite <= ub (by position) valid in all the draws.

    A project whose upper bound is below ``kth`` — a value that R projects reach in every draw; by
    default the R-th largest lower bound — ranks below R in every draw; one whose bounds lie on one
    side of a tier minimum is on that side in every draw. Only the others need computing: the prefix of
    positions that holds them, or (``gather``) exactly them. With every rank kept (R = P), or no
    bounds, every scored project is computed.
    """
    none = np.zeros(0, np.int64)
    if R == P or lb is None:
        return _Plan(P, S, R, mins, S, None, S, [(0, S)] * len(mins), [none] * len(mins))
    k = min(R, S)
    if kth is None:
        kth = np.partition(lb[:S], S - k)[S - k]
    cand = ub[:S] >= kth
    always = [ub[:S] < m for m in mins]
    bands = [(lb[:S] < m) & ~al for m, al in zip(mins, always)]
    if gather:
        keep = cand.copy()
        for band in bands:
            keep |= band
        cols = np.flatnonzero(keep)
    else:
        cols = None
    def column(position: int) -> int:
        return position if cols is None else int(np.searchsorted(cols, position))
    top = column(int(np.flatnonzero(cand)[-1]) + 1)
    ranges, below = [], []
    for al, band in zip(always, bands):
        members = np.flatnonzero(band)
        a, b = (column(int(members[0])), column(int(members[-1]) + 1)) if members.size else (0, 0)
        al[slice(a, b) if cols is None else cols[a:b]] = False          # counted exactly instead
        ranges.append((a, b))
        below.append(np.flatnonzero(al))
    width = max([top] + [b for _, b in ranges])
    return _Plan(P, S, R, mins, width, None if cols is None else cols[:width], top, ranges, below)


def _run(executor, fn, items, shared) -> RankTally:
    """Tallies of the blocks, merged in block order (the same integers and bits on any engine)."""
    from tlr.parallel import LocalExecutor

    total = None
    for tally in (executor or LocalExecutor()).map(fn, items, shared):     # one at a time, in block order
        total = tally if total is None else total.merge(tally)
    return total


# --------------------------------------------------------------------------------------------
# Tallies -> result
# --------------------------------------------------------------------------------------------
def _tier_map(P, rules, knocked_out, cap, unscored) -> np.ndarray:
    """F[s, p]: final tier of project p when its composite alone reaches tier s: the first tier t >= s
    whose conditions hold (T = default tier), then the knock-out cap."""
    T = len(rules)
    cond = np.ones((T, P), bool)
    for t, r in enumerate(rules):
        for arr in r.conditions.values():
            cond[t] &= np.asarray(arr, bool)
    F = np.full((T + 1, P), T, dtype=np.int64)
    for t in range(T - 1, -1, -1):       # loop over a handful of tiers
        F[t] = np.where(cond[t], t, F[t + 1])
    if knocked_out is not None:
        F = np.where(knocked_out[None, :], np.maximum(F, cap), F)
    F[:, unscored] = T
    return F


def _result(tally: RankTally, perm: np.ndarray, *, dense, rules, ko, cap, unscored, default_tier, top_k, L,
            **kw) -> RobustnessResult:
    P, R, N = tally.P, tally.R, tally.n
    counts = tally.rank_counts(perm)
    beyond = N - counts.sum(axis=1)
    seen = np.flatnonzero(beyond < N)               # projects ever in the kept ranks (all when dense)
    cum = np.cumsum(counts[seen], axis=1) / N
    qs = {}
    qb = np.zeros(P, bool)
    for q in (0.05, 0.5, 0.95):
        idx = np.full(P, R)                         # beyond the kept ranks
        idx[seen] = np.count_nonzero(cum < q - 1e-12, axis=1)   # the first rank whose CDF reaches q
        qb |= idx == R
        qs[q] = (idx + 1).astype(float)
    k = min(top_k, P) if dense else top_k          # P(rank <= k) = 1 when k >= number of projects
    if k > R:
        raise InvalidValueError(f"top_k={k} 超过保存的名次数 {R} / top_k exceeds the stored ranks ({R})")
    p_tier = None
    codes: list = []
    if rules:
        T = len(rules)
        below = np.zeros((T, P), np.int64)
        below[:, perm] = tally.below
        # minima are non-increasing: "below minimum t" holds for a suffix of tiers, so the score tier
        # is the number of minima not reached and its counts are differences of the below counts
        edges = np.concatenate([np.full((1, P), N), below, np.zeros((1, P), np.int64)])
        score_tier = (edges[:-1] - edges[1:]).T                                 # (P, T + 1)
        F = _tier_map(P, rules, ko, cap, unscored)
        tc = np.zeros((P, T + 1))
        rows = np.arange(P)
        for s in range(T + 1):                                                  # a handful of tiers
            tc[rows, F[s]] += score_tier[:, s]                                  # one cell per row
        p_tier = tc / N
        codes = [r.code for r in rules] + [default_tier]
    n_first, sums = tally.first_counts(perm, L)
    cw = cdef = None
    if sums is not None:
        cdef = n_first > 0
        cw = np.where(cdef[:, None], sums / np.maximum(n_first, 1)[:, None], 0.0)
    return RobustnessResult(rank_q05=qs[0.05], rank_q50=qs[0.5], rank_q95=qs[0.95], quantile_beyond=qb,
                            p_top_k=counts[:, :k].sum(axis=1) / N, top_k=k, p_tier=p_tier, tier_codes=codes,
                            acceptability=counts / N, p_beyond=beyond / N, central_weights=cw,
                            central_defined=cdef, n_draws=N, unscored=unscored, **kw)


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


def _minima(rules) -> np.ndarray:
    return np.array([r.min_score - TIER_EPS for r in rules], float)


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


def _positions(base: np.ndarray) -> np.ndarray:
    """perm: position -> project; scored projects by base composite (best first, ties by index), then
    the unscored. Ties inside a draw go to the earlier position."""
    return np.argsort(np.where(np.isnan(base), np.inf, -base), kind="stable")


def _ordinal(c: np.ndarray) -> np.ndarray:
    order = _positions(c)
    r = np.empty(c.size)
    r[order] = np.arange(1, c.size + 1)
    return r


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


# --------------------------------------------------------------------------------------------
# Weight uncertainty
# --------------------------------------------------------------------------------------------
@dataclass
class _WeightJob:
    plan: _Plan
    seed: int
    U: np.ndarray              # (P, L) utilities by position
    base: np.ndarray           # (P,) base composites by position
    spread: np.ndarray         # (P,) || U_p - mean(U_p) ||_2 by position
    slack: float
    w0: np.ndarray
    concentration: float
    panel: np.ndarray | None
    panel_mode: str
    central: bool
    chunk: int


def _weight_block(item: tuple[int, int], job: _WeightJob) -> RankTally:
    """One block of weight draws -> its tally.

    Bound used to skip projects: with d = w - w0 (sum 0) and any m, d.U_p = d.(U_p - m), so
    |C_p(w) - C_p(w0)| <= ||d||_2 * ||U_p - mean(U_p)||_2 (Cauchy-Schwarz), for every draw of the block
    when ||d|| is the block's largest.
    """
    b, n = item
    rng = block_rng(job.seed, _WEIGHTS, b)
    W = sample_weights(n, rng, weights=job.w0, concentration=job.concentration, panel=job.panel,
                       panel_mode=job.panel_mode)
    plan = job.plan
    tally = plan.tally(n)
    dist = np.sqrt(((W - job.w0) ** 2).sum(axis=1))
    if plan.R < plan.P:              # draws near the centre together: their chunks get narrower bounds
        near = np.argsort(dist, kind="stable")
        W, dist = W[near], dist[near]
    k = min(plan.R, plan.S)
    step = _bounded_chunk(job.chunk, plan.S, WEIGHT_CHUNK_CELLS)
    for s in range(0, n, step):
        Wc = W[s:s + step]
        chunk_plan = plan
        if plan.R < plan.P:
            half = float(dist[s:s + step].max()) * job.spread + job.slack
            # the k best-placed projects reach their smallest composite of these draws in every one of them
            kth = float((job.U[:k] @ Wc.T).min()) - job.slack
            chunk_plan = _plan(plan.P, plan.S, plan.R, plan.mins, job.base - half, job.base + half, kth)
        # (positions, draws): a prefix of the rows of U is contiguous, a prefix of its columns is not
        chunk_plan.add(tally, (job.U[:chunk_plan.width] @ Wc.T).T, Wc if job.central else None)
    return tally


def weight_monte_carlo(utilities, weights=None, *, concentration: float = 100.0, panel=None,
                       panel_mode: str = "bootstrap_mean", n_draws: int = 10_000, seed: int = 20240601,
                       top_k: int = 10, tier_rules: Sequence[TierRule] | None = None, knocked_out=None,
                       knockout_tier: str | None = None, default_tier: str | None = None,
                       central_weights: bool = True, max_dense: int = 2000, top_r: int = 100,
                       chunk: int = 1000, executor=None) -> RobustnessResult:
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
        executor: where the blocks of draws run (:mod:`tlr.parallel`; default this process). The
            result does not depend on it, nor on ``chunk``.
    """
    U, unscored = _check_utilities(utilities)
    P, L = U.shape
    if n_draws < 1:
        raise InvalidValueError("n_draws 须 >= 1 / n_draws must be >= 1")
    dense, R, rules, ko, cap = _setup(P, top_k, max_dense, top_r, tier_rules, knocked_out, knockout_tier)
    Wp = None
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
    if panel is None:
        sample_weights(0, np.random.default_rng(0), weights=w0, concentration=concentration)   # checks
    base = np.where(unscored, np.nan, U @ w0)
    perm = _positions(base)
    Up = U[perm]
    S = int((~unscored).sum())
    spread = np.linalg.norm(Up - Up.mean(axis=1, keepdims=True), axis=1)
    job = _WeightJob(plan=_plan(P, S, R, _minima(rules)), seed=seed, U=np.ascontiguousarray(Up),
                     base=np.nan_to_num(base[perm], nan=-np.inf), spread=spread,
                     slack=1e-9 * (1.0 + float(np.abs(U).max())), w0=w0, concentration=concentration, panel=Wp,
                     panel_mode=panel_mode, central=central_weights, chunk=chunk)
    tally = _run(executor, _weight_block, blocks(n_draws, WEIGHT_BLOCK), job)
    return _result(tally, perm, dense=dense, rules=rules, ko=ko, cap=cap, unscored=unscored,
                   default_tier=_default_code(rules, knockout_tier, default_tier), top_k=top_k,
                   L=L if central_weights else None,
                   source=source, seed=seed, base_composite=base, base_rank=_ordinal(base),
                   params=dict(concentration=concentration if panel is None else None,
                               panel_mode=panel_mode if panel is not None else None,
                               block=WEIGHT_BLOCK, dense=dense, R=R))


# --------------------------------------------------------------------------------------------
# Expert resampling
# --------------------------------------------------------------------------------------------
@dataclass
class _BootstrapJob:
    """Arrays by *lane*: the order of the bootstrap's random streams, chosen so that the projects a
    partial selection computes are a prefix of the lanes: their draws are then the same whether the others
    are computed or not."""

    plan: _Plan
    seed: int
    lane: np.ndarray           # (P,) position of each lane
    order: np.ndarray          # the computed lanes in position order
    n_p: np.ndarray            # (P,) experts who scored each lane's project
    table: np.ndarray          # (P, K) those experts, padded
    s_tab: np.ndarray          # (P, K) their composites (complete projects)
    part: np.ndarray           # lanes with an expert who skipped a leaf
    Xq: np.ndarray             # (q, E, L) their scores, 0 where missing
    Mq: np.ndarray             # (q, E, L) present
    full_q: np.ndarray         # (q, L) full-panel consensus
    w: np.ndarray


def uniform_slots(rng: np.random.Generator, shape: tuple[int, ...], n: np.ndarray) -> np.ndarray:
    """(..., c, K) integers uniform on 0..n-1, n (c,) broadcast over the last-but-one axis (n < 2**16).

    Lemire's multiply-shift on raw 16-bit words: slot = (u * n) >> 16, redrawing the rare u whose low
    half (u * n) mod 2**16 falls below 2**16 mod n — exactly uniform, and several times cheaper than
    ``Generator.integers`` with array bounds or a modulo."""
    size = int(np.prod(shape))
    nn = np.asarray(n, np.uint32)[:, None]
    threshold = (np.uint32(1 << 16) - nn) % nn                       # 2**16 mod n, per project

    def draw(count: int) -> np.ndarray:
        return rng.bit_generator.random_raw(-(-count // 4)).view(np.uint16)[:count]

    x = draw(size).reshape(shape).astype(np.uint32)
    x *= nn
    bad = np.flatnonzero((x & 0xFFFF) < threshold)
    if bad.size:
        c, K = shape[-2], shape[-1]
        n_of = nn.ravel()[(bad // K) % c]
        t_of = threshold.ravel()[(bad // K) % c]
        flat = x.reshape(-1)
        while bad.size:
            fresh = draw(bad.size).astype(np.uint32) * n_of
            flat[bad] = fresh
            again = (fresh & 0xFFFF) < t_of
            bad, n_of, t_of = bad[again], n_of[again], t_of[again]
    x >>= 16
    return x.astype(np.uint16)


SLOT_COLUMNS = 8192        # positions per random stream of the bootstrap


def _slots(seed: int, block: int, chunk: int, d: int, n: np.ndarray, K: int, width: int) -> np.ndarray:
    """(d, width, K) resampling slots of positions 0..width-1 for one chunk of draws. Every run of
    SLOT_COLUMNS positions has its own stream and is always drawn whole, so the slots of a position never
    depend on how many positions are computed (the full sort and the partial selection see the same
    draws)."""
    parts = []
    for j, a in enumerate(range(0, width, SLOT_COLUMNS)):
        b = min(a + SLOT_COLUMNS, n.size)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_BOOTSTRAP, block, chunk, j)))
        parts.append(uniform_slots(rng, (d, b - a, K), n[a:b])[:, :width - a])
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


def _bootstrap_block(item: tuple[int, int], job: _BootstrapJob) -> RankTally:
    b, n = item
    plan = job.plan
    P, K = job.table.shape
    tally = plan.tally(n)
    c = plan.width                                   # lanes 0..c-1 are computed
    n_c = job.n_p[:c]
    npos = np.maximum(job.n_p, 1)
    short = n_c < K
    valid = (np.arange(K)[None, :] < n_c[:, None]).astype(float) if short.any() else None
    s_flat = job.s_tab[:c].ravel()
    offset = (np.arange(c) * K)[None, :, None]
    qsel = np.flatnonzero(job.part < c)              # partial projects among those computed
    qcols = job.part[qsel]
    step = max(1, BOOTSTRAP_CHUNK_CELLS // (P * K))  # fixed by the panel, so are the random streams
    E = job.Xq.shape[1]
    for i, s in enumerate(range(0, n, step)):
        d = min(step, n - s)
        slot = _slots(job.seed, b, i, d, npos, K, c)
        picked = s_flat[slot + offset]
        if valid is not None:
            picked *= valid[None]
        C = picked.sum(axis=2) / n_c[None, :]
        if qsel.size:
            ex = np.take_along_axis(np.broadcast_to(job.table[qcols][None], (d, qsel.size, K)),
                                    slot[:, qcols, :].astype(np.intp), axis=2)
            flat = (np.arange(d * qsel.size)[:, None] * E + ex.reshape(d * qsel.size, K))
            keep = np.broadcast_to(np.arange(K)[None, :] < n_c[qcols][:, None], (d, qsel.size, K))
            counts = np.bincount(flat[keep.reshape(-1, K)],
                                 minlength=d * qsel.size * E).reshape(d, qsel.size, E).astype(float)
            cp = counts.transpose(1, 0, 2)                                     # (q, d, E)
            num = np.matmul(cp, job.Xq[qsel])                                  # (q, d, L), batched BLAS
            den = np.matmul(cp, job.Mq[qsel])
            fb = den == 0
            tally.fallback += int(fb.sum())
            val = np.where(fb, job.full_q[qsel][:, None, :], num / np.where(fb, 1.0, den))
            C[:, qcols] = (val @ job.w).T
        C = C[:, job.order]                          # lanes -> positions
        plan.add(tally, C, None)
    return tally


def expert_bootstrap(utilities, weights, *, n_draws: int = 2000, seed: int = 20240601, top_k: int = 10,
                     tier_rules: Sequence[TierRule] | None = None, knocked_out=None,
                     knockout_tier: str | None = None, default_tier: str | None = None,
                     max_dense: int = 2000, top_r: int = 100, executor=None) -> RobustnessResult:
    """Rank stability under resampling of the experts (bootstrap per project).

    Args:
        utilities: (experts, projects, leaves) per-expert leaf utilities, NaN = missing/recused.
        weights: (leaves,) global leaf weights.
        executor: where the blocks of draws run (:mod:`tlr.parallel`; default this process).

    For each draw and project p with n_p experts who scored p (any leaf), n_p experts are drawn
    with replacement among them; each leaf's consensus is the mean of the drawn experts' scores
    present on that leaf; composite = sum_l w_l * consensus_l. A leaf that none of the drawn experts
    scored falls back to the full-panel mean for that cell (counted in ``n_fallback_cells``).
    Projects nobody scored are unscored (ranked last, flagged). The base composite is the
    full-panel mean consensus; a project with a leaf nobody scored raises MissingValueError.
    A resampled composite lies between the smallest and the largest of its experts' (per leaf, when an
    expert skipped a leaf), so projects that cannot reach the top ranks or cross a tier minimum are
    drawn but not summed.
    """
    X = as_float_array(utilities, "utilities", ndim=3)
    E, P, L = X.shape
    w = as_float_array(weights, "weights", ndim=1)
    if w.shape[0] != L or np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError(f"权重须为 {L} 个非负数 / weights must be {L} non-negative numbers, sum > 0")
    w = w / w.sum()
    if n_draws < 1:
        raise InvalidValueError("n_draws 须 >= 1 / n_draws must be >= 1")
    dense, R, rules, ko, cap = _setup(P, top_k, max_dense, top_r, tier_rules, knocked_out, knockout_tier)
    leaves = np.empty((E, P), np.int64)             # leaves each expert scored
    cnt = np.empty((P, L), np.int64)                # experts per leaf
    full = np.empty((P, L))                         # full-panel consensus
    s_ep = np.empty((E, P))                         # per-expert composite (complete experts)
    biggest = 0.0
    step = max(1, MAX_CELLS_PER_CHUNK // max(E * L, 1))
    for a in range(0, P, step):                     # by projects: no temporary the size of the cube
        Xc = X[:, a:a + step]
        pc = ~np.isnan(Xc)
        X0 = np.where(pc, Xc, 0.0)
        leaves[:, a:a + step] = pc.sum(axis=2)
        cnt[a:a + step] = pc.sum(axis=0)
        full[a:a + step] = X0.sum(axis=0) / np.maximum(cnt[a:a + step], 1)
        s_ep[:, a:a + step] = (X0.reshape(-1, L) @ w).reshape(E, -1)
        biggest = max(biggest, float(np.abs(X0).max(initial=0.0)))
    scored_by = leaves > 0
    n_p = scored_by.sum(axis=0)                     # (P,)
    unscored = n_p == 0
    if unscored.all():
        raise MissingValueError("没有任何评分 / no scores at all")
    hole = (cnt == 0) & ~unscored[:, None]
    if hole.any():
        raise MissingValueError(
            f"项目有无人评分的指标 / projects with an indicator nobody scored: "
            f"{np.flatnonzero(hole.any(axis=1))[:10].tolist()}",
            hint="score it, or drop the indicator from the rubric for this campaign")
    base = np.where(unscored, np.nan, full @ w)
    perm = _positions(base)
    S = int((~unscored).sum())
    K = max(int(n_p.max()), 1)
    table = np.argsort(~scored_by.T, axis=1, kind="stable")[:, :K]          # (P, K) scorers first
    complete = ((leaves == 0) | (leaves == L)).all(axis=0)                    # each scorer scored every leaf
    s_tab = np.take_along_axis(s_ep.T, table, axis=1)                        # (P, K)
    scorer = np.arange(K)[None, :] < n_p[:, None]
    part = np.flatnonzero(~complete & ~unscored)
    lb = np.where(scorer, s_tab, np.inf).min(axis=1)
    ub = np.where(scorer, s_tab, -np.inf).max(axis=1)
    Xp = X[:, part]
    Pp = ~np.isnan(Xp)
    if part.size:                     # an expert skipped a leaf: bound each leaf's consensus instead
        lb[part] = np.where(cnt[part] > 0, np.where(Pp, Xp, np.inf).min(axis=0), 0) @ w
        ub[part] = np.where(cnt[part] > 0, np.where(Pp, Xp, -np.inf).max(axis=0), 0) @ w
    slack = 1e-9 * (1.0 + biggest)
    lb, ub = (lb - slack)[perm], (ub + slack)[perm]
    mins = _minima(rules)
    # lanes: the projects a tier minimum can split first, then the others by upper bound (so the candidates
    # for the top ranks, whatever their number, follow), then the unscored: whatever is computed is a prefix
    band = np.zeros(S, bool)
    for m in mins:
        band |= (lb[:S] < m) & (ub[:S] >= m)
    others = np.flatnonzero(~band)
    lane = np.concatenate([np.flatnonzero(band), others[np.argsort(-ub[others], kind="stable")], np.arange(S, P)])
    plan = _plan(P, S, R, mins, None if dense else lb, ub, gather=True)
    inv = np.empty(P, np.intp)
    inv[perm[lane]] = np.arange(P)                   # project -> lane
    job = _BootstrapJob(
        plan=plan, seed=seed, lane=lane, order=np.argsort(lane[:plan.width], kind="stable"), n_p=n_p[perm][lane],
        table=table[perm][lane], s_tab=s_tab[perm][lane], part=np.sort(inv[part]), Xq=None, Mq=None, full_q=None,
        w=w)
    byq = np.argsort(inv[part], kind="stable")                                # partial projects by lane
    job.Xq = np.ascontiguousarray(np.where(Pp, Xp, 0.0)[:, byq, :].transpose(1, 0, 2))
    job.Mq = np.ascontiguousarray(Pp[:, byq, :].transpose(1, 0, 2).astype(float))
    job.full_q = full[part[byq]]
    tally = _run(executor, _bootstrap_block, blocks(n_draws, BOOTSTRAP_BLOCK), job)
    return _result(tally, perm, dense=dense, rules=rules, ko=ko, cap=cap, unscored=unscored,
                   default_tier=_default_code(rules, knockout_tier, default_tier), top_k=top_k, L=None,
                   source="expert_bootstrap", seed=seed, base_composite=base, base_rank=_ordinal(base),
                   n_fallback_cells=tally.fallback,
                   params=dict(block=BOOTSTRAP_BLOCK, dense=dense, R=R))
