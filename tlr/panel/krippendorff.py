"""Krippendorff's alpha for any pattern of missing data, with a seeded bootstrap interval.

Reliability data are (raters, units) — in tlr (experts, projects) — with NaN where a rater did not
score the unit; a third axis holds independent blocks (indicators). For one block, with m_u the
number of values in unit u, only units with m_u >= 2 are *pairable*; n = sum of their m_u.

    alpha = 1 - D_o / D_e
    D_o = (1 / n)            sum_u 1 / (m_u - 1) sum_{i != j in u} delta^2(x_i, x_j)
    D_e = (1 / (n (n - 1)))  sum over all ordered pairs of pairable values of delta^2

(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", sections C and E; Krippendorff
2019, *Content Analysis*, 4th ed., ch. 12). Metrics:

* interval: delta^2 = (c - k)^2. Computed from sums of squares: the ordered-pair sum within a unit is
  2 m_u SS_u, over all pairable values 2 n SS_total, so D_o = 2 sum_u m_u SS_u / (m_u - 1) / n and
  D_e = 2 SS_total / (n - 1).
* ordinal: delta^2_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2 over the sorted values that occur
  (n_g: how often value g occurs among the pairable values), through the coincidence matrix
  o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1). TRL levels 1-9 are the main use.
* nominal: delta^2 = [c != k], through the same coincidence matrix.

Bootstrap: units are resampled with replacement (the nonparametric bootstrap over the sampling
unit; Efron & Tibshirani 1993, percentile interval), and alpha — D_o *and* D_e, and for ordinal data
the metric itself, which depends on the value frequencies — is recomputed for every draw. Hayes &
Krippendorff (2007, Communication Methods and Measures 1(1), 77-89; the KALPHA macro) bootstrap
differently: they resample pairs of values from the observed coincidences and keep D_e fixed. We
resample whole units because an expert panel's units (projects) are the sampled entities and their
values are not independent pairs; the interval is the percentile interval of the draws where alpha
is defined. All units are drawn, jointly for every block (a project is drawn with all its indicators; a
unit with fewer than two values is drawn but contributes nothing), so a block's draws depend only on
the seed and the number of units. Like Hayes & Krippendorff we also report the share of draws below chosen minimums
(Krippendorff's 0.667 and 0.800), an estimate of the chance that the data fail them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array, project_blocks
from tlr.numeric.errors import InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.panel.cells import Cells, cells_of

LEVELS = ("interval", "ordinal", "nominal")
MINIMUMS = (0.667, 0.8)      # Krippendorff (2019, §12.4): tentative conclusions / reliable data
_CHUNK = 4_000_000           # bootstrap elements held at once (draws x units or draws x values^2)
_MIN_DRAWS = 32              # bootstrap draws per chunk at least (a chunk reads the whole statistics matrix)


def _pick_type(units: int):
    """The narrowest integer type of the resampled unit indices: numpy draws the same numbers for either."""
    return np.int32 if units < 2**31 else np.int64


@dataclass(frozen=True)
class KrippendorffAlpha(ResultMixin):
    """Krippendorff's alpha per block (a 2-D input gives 0-d arrays).

    Attributes:
        alpha: 1 - D_o / D_e; NaN where not ``defined``.
        level: ``interval``, ``ordinal`` or ``nominal``.
        D_o, D_e: observed and expected disagreement.
        n_units: pairable units (two or more values); n_values: pairable values (n).
        n_raters: raters with at least one pairable value.
        defined: at least one pairable unit and D_e > 0 (the values are not all the same).
        ci_low, ci_high: bootstrap percentile interval at ``confidence`` (NaN without bootstrap).
        n_boot: draws requested; n_boot_defined: draws where alpha was defined (the interval uses these).
        p_below: {minimum: share of defined draws with alpha < minimum} for 0.667 and 0.8.
        seed: the seed of the draws (None without bootstrap).
    """

    alpha: np.ndarray
    level: str
    D_o: np.ndarray
    D_e: np.ndarray
    n_units: np.ndarray
    n_values: np.ndarray
    n_raters: np.ndarray
    defined: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    n_boot: int
    n_boot_defined: np.ndarray
    p_below: dict = field(default_factory=dict)
    seed: int | None = None


# ------------------------------------------------------------------------------------------ per block
class _Blocks:
    """Some blocks' per-unit sufficient statistics over *all* units (units with fewer than two values have
    zero statistics), as the columns of ``matrix()`` (units, c); ``parts(sums)`` gives alpha's parts of
    each block (..., blocks) from the columns' weighted sums over the units (..., c) — for the unit counts
    of the bootstrap's draws, or all ones."""

    units: np.ndarray      # (blocks,) pairable units
    raters: np.ndarray     # (blocks,) raters with a pairable value

    def matrix(self) -> np.ndarray:
        raise NotImplementedError

    def totals(self) -> np.ndarray:
        """The columns' sums over the units (``ones @ matrix()``)."""
        return np.ones(self.matrix().shape[0]) @ self.matrix()

    def parts(self, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def take(self, idx: list[int]) -> _Blocks:
        raise NotImplementedError


class _IntervalBlocks(_Blocks):
    """Interval blocks, from their :class:`~tlr.panel.cells.Cells`: per unit the values m (one column when
    every block has the same), the ordered-pair sum sum_{i != j} (x_i - x_j)^2 / (m - 1), and the sums of
    (x - shift), (x - shift)^2 around a centre near the block's mean (a stable total SS); the matrix is
    written a block of units at a time."""

    def __init__(self, c: Cells | None = None, *, S=None, B=0, one_m=False, units=None, raters=None):
        if S is None:
            keep = c.n >= 2
            U, B = keep.shape
            one_m = bool((np.where(keep, c.n, 0) == np.where(keep[:, :1], c.n[:, :1], 0)).all())
            k = 1 if one_m else B
            S = np.empty((U, k + 3 * B))
            m_sum = np.zeros(B)
            t_sum = np.zeros(B)
            for sl in project_blocks(U, B):
                m = np.where(keep[sl], c.n[sl], 0).astype(float)
                m_sum += m.sum(axis=0)
                t_sum += np.where(keep[sl], c.total[sl], 0.0).sum(axis=0)
            shift = t_sum / np.maximum(m_sum, 1)
            for sl in project_blocks(U, B):
                kp = keep[sl]
                m = np.where(kp, c.n[sl], 0).astype(float)
                total = np.where(kp, c.total[sl], 0.0)
                ss = np.where(kp, c.ss[sl], 0.0)                          # stable within-unit SS
                mean = np.where(kp, total / np.maximum(m, 1), shift)
                S[sl, :k] = m[:, :k]
                S[sl, k:k + B] = 2 * m * ss / np.maximum(m - 1, 1)
                S[sl, k + B:k + 2 * B] = total - m * shift                # sum (x - shift)
                S[sl, k + 2 * B:] = ss + m * (mean - shift) ** 2          # sum (x - shift)^2
            units, raters = keep.sum(axis=0), c.paired.sum(axis=0)
        self.S, self.B, self.one_m, self.units, self.raters = S, B, one_m, units, raters

    def take(self, idx):
        if list(idx) == list(range(self.B)):
            return self
        k = 1 if self.one_m else self.B
        m = [0] if self.one_m else list(idx)
        cols = m + [k + j for j in idx] + [k + self.B + j for j in idx] + [k + 2 * self.B + j for j in idx]
        return _IntervalBlocks(S=self.S[:, cols], B=len(idx), one_m=self.one_m, units=self.units[idx],
                               raters=self.raters[idx])

    def matrix(self):
        return self.S

    def totals(self):
        return np.ones(self.S.shape[0]) @ self.S

    def parts(self, sums):
        B = self.B
        k = 1 if self.one_m else B
        n = sums[..., :k]
        within, s1, s2 = sums[..., k:k + B], sums[..., k + B:k + 2 * B], sums[..., k + 2 * B:]
        with np.errstate(divide="ignore", invalid="ignore"):
            ss_tot = np.maximum(s2 - s1 ** 2 / n, 0.0)
            return within / n, 2 * ss_tot / (n - 1), np.broadcast_to(n, within.shape)


class _CodedBlock(_Blocks):
    """One ordinal or nominal block: value counts per unit and the coincidences o_ck per unit."""

    def __init__(self, x: np.ndarray, level: str):
        present = ~np.isnan(x)
        m = present.sum(axis=0)
        keep = m >= 2
        present &= keep[None, :]
        self.level = level
        self.raters = np.array([present.any(axis=1).sum()])
        self.m = np.where(keep, m, 0).astype(float)
        self.units = np.array([keep.sum()])
        U = x.shape[1]
        self.domain = np.unique(x[present])
        V = self.domain.size
        unit = np.nonzero(present.T)[0]          # unit index of each value, unit-major like codes below
        codes = np.searchsorted(self.domain, x.T[present.T])
        counts = np.bincount(unit * V + codes, minlength=U * V).reshape(U, V).astype(float)   # n_uc
        w = 1.0 / np.maximum(self.m - 1, 1)
        # coincidences per unit: (n_uc n_uk - [c = k] n_uc) / (m_u - 1); symmetric, so the pairs c <= k
        # that occur anywhere are kept and mirrored
        iu, ku = np.triu_indices(V)
        pairs = counts[:, iu] * counts[:, ku] - np.where(iu == ku, counts[:, iu], 0.0)
        occurs = pairs.any(axis=0)
        self.pairs = (iu[occurs], ku[occurs])
        self.stats = np.concatenate([self.m[:, None], counts, pairs[:, occurs] * w[:, None]], axis=1)

    def take(self, idx):
        return self

    def matrix(self):
        return self.stats

    def _metric(self, marg: np.ndarray) -> np.ndarray:
        """delta^2 for the value frequencies *marg* (..., V) -> (..., V, V)."""
        V = marg.shape[-1]
        if self.level == "nominal":
            return np.broadcast_to(1.0 - np.eye(V), marg.shape[:-1] + (V, V))
        cum = np.cumsum(marg, axis=-1)
        # sum_{g=c..k} n_g - (n_c + n_k)/2 for c <= k, symmetric
        lo = np.minimum.outer(np.arange(V), np.arange(V))
        hi = np.maximum.outer(np.arange(V), np.arange(V))
        before = np.concatenate([np.zeros(marg.shape[:-1] + (1,)), cum[..., :-1]], axis=-1)
        span = np.take(cum, hi, axis=-1) - np.take(before, lo, axis=-1)
        d = span - (marg[..., :, None] + marg[..., None, :]) / 2
        return d ** 2

    def parts(self, sums):
        V = self.domain.size
        n = sums[..., 0]
        marg = sums[..., 1:1 + V]
        o = np.zeros(marg.shape[:-1] + (V, V))
        c, k = self.pairs
        o[..., c, k] = sums[..., 1 + V:]
        o[..., k, c] = sums[..., 1 + V:]
        delta = self._metric(marg)
        with np.errstate(divide="ignore", invalid="ignore"):
            D_o = (o * delta).sum(axis=(-2, -1)) / n
            D_e = np.einsum("...c,...ck,...k->...", marg, delta, marg) / (n * (n - 1))
        return D_o[..., None], D_e[..., None], n[..., None]


def _alpha_of(D_o, D_e, n):
    ok = (n >= 2) & (D_e > 1e-12 * np.maximum(1.0, np.abs(D_o)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, 1.0 - D_o / np.where(ok, D_e, 1.0), np.nan), ok


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InvalidValueError(f"未知测量层次 / unknown level {level!r}: use {', '.join(LEVELS)}")


def krippendorff_alpha(scores, *, level: str = "interval", bootstrap: int = 0, seed: int | None = 0,
                       confidence: float = 0.95) -> KrippendorffAlpha:
    """Krippendorff's alpha of a (raters, units) or (raters, units, blocks) array; NaN = missing.

    ``bootstrap``: number of draws for the percentile interval (0: none); ``seed`` makes them
    reproducible (module doc for what is resampled and why).
    """
    _check_level(level)
    x, squeeze = _checked(scores, bootstrap, confidence)
    result = _alphas(x, [level] * x.shape[2], bootstrap, seed, confidence)[level][1]
    if squeeze:
        result = dataclasses.replace(result, **{k: getattr(result, k)[0] for k in _PER_BLOCK},
                                     p_below={k: v[0] for k, v in result.p_below.items()})
    return result


def krippendorff_alphas(scores, levels, *, bootstrap: int = 0, seed: int | None = 0, confidence: float = 0.95,
                        cells: Cells | None = None) -> dict[str, tuple[list[int], KrippendorffAlpha]]:
    """Alpha of every block of *scores* (raters, units, blocks) at its own level (``levels``, one per block):
    level -> (its blocks, their :class:`KrippendorffAlpha`). One bootstrap serves every level: each block's
    draws are those :func:`krippendorff_alpha` makes for it alone (they depend on the seed and the units).
    *cells*: :func:`tlr.panel.cells.cells_of` *scores*, when the caller has them."""
    levels = list(levels)
    for level in levels:
        _check_level(level)
    x, squeeze = _checked(scores, bootstrap, confidence)
    if squeeze or x.shape[2] != len(levels):
        raise ShapeError(f"每个指标一个测量层次 / one level per block: {len(levels)} levels for shape {x.shape}")
    return _alphas(x, levels, bootstrap, seed, confidence, cells)


_PER_BLOCK = ("alpha", "D_o", "D_e", "ci_low", "ci_high", "n_units", "n_values", "n_raters", "defined",
              "n_boot_defined")


def _checked(scores, bootstrap: int, confidence: float) -> tuple[np.ndarray, bool]:
    if not 0 < confidence < 1:
        raise InvalidValueError(f"置信水平须在 0 与 1 之间 / confidence must be between 0 and 1, got {confidence}")
    if bootstrap < 0:
        raise InvalidValueError(f"自助抽样次数不能为负 / bootstrap must be >= 0, got {bootstrap}")
    x = as_float_array(scores, "scores")
    squeeze = x.ndim == 2
    if squeeze:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ShapeError(f"alpha 需要 评分者×单元[×指标] / alpha needs (raters, units[, blocks]), got {x.shape}")
    return x, squeeze


def _alphas(x: np.ndarray, levels: list[str], bootstrap: int, seed, confidence: float, cells: Cells | None = None
            ) -> dict[str, tuple[list[int], KrippendorffAlpha]]:
    B, U = x.shape[2], x.shape[1]
    out = {name: np.full(B, np.nan) for name in ("alpha", "D_o", "D_e", "ci_low", "ci_high")}
    n_units, n_values, n_raters, n_def = (np.zeros(B, int) for _ in range(4))
    defined = np.zeros(B, bool)
    below = {t: np.full(B, np.nan) for t in MINIMUMS}
    tail = (1 - confidence) / 2
    groups: list[tuple[list[int], _Blocks]] = []
    interval = [b for b in range(B) if levels[b] == "interval"]
    if interval:
        groups.append((interval, _IntervalBlocks(cells_of(x, interval) if cells is None else cells.columns(interval))))
    groups += [([b], _CodedBlock(x[:, :, b], levels[b])) for b in range(B) if levels[b] != "interval"]
    live: list[tuple[list[int], _Blocks]] = []       # the blocks where alpha is defined, for the bootstrap
    for idx, group in groups:
        n_units[idx], n_raters[idx] = group.units, group.raters
        D_o, D_e, n = group.parts(group.totals())
        a, ok = _alpha_of(D_o, D_e, n)
        ok &= group.units > 0
        scored = [j for j, b in enumerate(idx) if group.units[j] > 0]
        for j in scored:
            b = idx[j]
            out["alpha"][b], out["D_o"][b], out["D_e"][b] = a[j], D_o[j], D_e[j]
            n_values[b], defined[b] = int(n[j]), bool(ok[j])
        keep = [j for j in range(len(idx)) if ok[j]]
        if keep:
            live.append(([idx[j] for j in keep], group.take(keep)))
    if bootstrap and live:
        draws = _bootstrap(live, U, bootstrap, np.random.default_rng(seed))
        for b, values in draws.items():
            good = values[~np.isnan(values)]
            n_def[b] = good.size
            if good.size:
                out["ci_low"][b], out["ci_high"][b] = np.quantile(good, [tail, 1 - tail])
                for t in MINIMUMS:
                    below[t][b] = float((good < t).mean())
    result = dict(out, n_units=n_units, n_values=n_values, n_raters=n_raters, defined=defined,
                  n_boot_defined=n_def)
    by_level: dict[str, tuple[list[int], KrippendorffAlpha]] = {}
    for level in dict.fromkeys(levels):
        cols = [b for b in range(B) if levels[b] == level]
        by_level[level] = (cols, KrippendorffAlpha(
            level=level, confidence=confidence, n_boot=int(bootstrap),
            p_below={f"{t:g}": v[cols] for t, v in below.items()}, seed=seed if bootstrap else None,
            **{k: v[cols] for k, v in result.items()}))
    return by_level


def _bootstrap(groups: list[tuple[list[int], _Blocks]], units: int, draws: int,
               rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Alpha of every block for *draws* resamples of the units (NaN where a draw has D_e = 0).

    All units are resampled, jointly for every block (a project is drawn with all its indicators); a
    unit with fewer than two values counts as drawn and contributes nothing. The blocks' statistics are
    one matrix, so each chunk of draws is one matrix product, made with one BLAS thread: the same
    numbers on every machine. A second thread draws the next chunk's unit counts meanwhile (the
    generator is used by that thread alone, in order: the same draws as one thread makes).
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    # depends on the units only (a block's draws never depend on the others); at least _MIN_DRAWS draws, or a
    # million units would stream the statistics matrix through memory once for every 4 draws
    per_chunk = max(_MIN_DRAWS, _CHUNK // units)
    matrices = [group.matrix() for _, group in groups]
    edges = np.cumsum([0] + [M.shape[1] for M in matrices])
    S = np.concatenate(matrices, axis=1)
    out = {b: np.empty(draws) for idx, _ in groups for b in idx}
    starts = list(range(0, draws, per_chunk))

    def unit_counts(start: int) -> np.ndarray:
        size = min(per_chunk, draws - start)
        picks = rng.integers(0, units, size=(size, units), dtype=_pick_type(units))
        weights = np.empty((size, units))
        for d in range(size):               # unit counts of each draw (a row fits in cache)
            weights[d] = np.bincount(picks[d], minlength=units)
        return weights

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(1) as drawer:
        pending = drawer.submit(unit_counts, starts[0])
        for k, start in enumerate(starts):
            weights = pending.result()
            if k + 1 < len(starts):
                pending = drawer.submit(unit_counts, starts[k + 1])
            sums = weights @ S
            for (idx, group), lo, hi in zip(groups, edges[:-1], edges[1:]):
                D_o, D_e, n = group.parts(sums[:, lo:hi])
                alpha, _ = _alpha_of(D_o, D_e, n)
                for j, b in enumerate(idx):
                    out[b][start:start + len(weights)] = alpha[:, j]
    return out


__all__ = ["KrippendorffAlpha", "LEVELS", "MINIMUMS", "krippendorff_alpha", "krippendorff_alphas"]
