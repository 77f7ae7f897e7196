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

from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin

LEVELS = ("interval", "ordinal", "nominal")
MINIMUMS = (0.667, 0.8)      # Krippendorff (2019, §12.4): tentative conclusions / reliable data
_CHUNK = 4_000_000           # bootstrap elements held at once (draws x units or draws x values^2)


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
class _Block:
    """The per-unit sufficient statistics of one block, over *all* units (units with fewer than two values
    have zero statistics); ``parts(weights)`` gives alpha's parts for any multiset of units (weights: unit
    counts, shape (units,) or (draws, units))."""

    def __init__(self, x: np.ndarray, level: str):
        present = ~np.isnan(x)
        m = present.sum(axis=0)
        keep = m >= 2
        present &= keep[None, :]
        self.level = level
        self.raters = int(present.any(axis=1).sum())
        self.m = np.where(keep, m, 0).astype(float)
        self.units = int(keep.sum())
        if level == "interval":
            x0 = np.where(present, x, 0.0)
            mean = x0.sum(axis=0) / np.maximum(self.m, 1)
            ss = (np.where(present, x - mean, 0.0) ** 2).sum(axis=0)        # stable within-unit SS
            self.within = 2 * self.m * ss / np.maximum(self.m - 1, 1)       # sum_{i != j} (x_i - x_j)^2 / (m - 1)
            shift = float(x0.sum() / max(self.m.sum(), 1))                  # centre for a stable total SS
            self.s1c = np.where(present, x - shift, 0.0).sum(axis=0)
            self.s2c = (np.where(present, x - shift, 0.0) ** 2).sum(axis=0)
        else:
            self.domain = np.unique(x[present])
            V = self.domain.size
            unit = np.nonzero(present.T)[0]          # unit index of each value, unit-major like codes below
            codes = np.searchsorted(self.domain, x.T[present.T])
            counts = np.zeros((x.shape[1], V))
            np.add.at(counts, (unit, codes), 1.0)
            self.counts = counts                                              # n_uc
            w = 1.0 / np.maximum(self.m - 1, 1)
            # coincidences per unit, flattened: (n_uc n_uk - [c = k] n_uc) / (m_u - 1)
            pairs = counts[:, :, None] * counts[:, None, :]
            idx = np.arange(V)
            pairs[:, idx, idx] -= counts
            self.coinc = (pairs * w[:, None, None]).reshape(x.shape[1], V * V)

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

    def parts(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(D_o, D_e, n) for unit weights (units,) or (draws, units)."""
        w = np.asarray(weights, dtype=float)
        n = w @ self.m
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.level == "interval":
                s1 = w @ self.s1c
                s2 = w @ self.s2c
                ss_tot = np.maximum(s2 - s1 ** 2 / n, 0.0)
                D_o = (w @ self.within) / n
                D_e = 2 * ss_tot / (n - 1)
            else:
                V = self.domain.size
                marg = w @ self.counts                                # (..., V)
                o = (w @ self.coinc).reshape(marg.shape[:-1] + (V, V))
                delta = self._metric(marg)
                D_o = (o * delta).sum(axis=(-2, -1)) / n
                D_e = np.einsum("...c,...ck,...k->...", marg, delta, marg) / (n * (n - 1))
        return D_o, D_e, n


def _alpha_of(D_o, D_e, n):
    ok = (n >= 2) & (D_e > 1e-12 * np.maximum(1.0, np.abs(D_o)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, 1.0 - D_o / np.where(ok, D_e, 1.0), np.nan), ok


def krippendorff_alpha(scores, *, level: str = "interval", bootstrap: int = 0, seed: int | None = 0,
                       confidence: float = 0.95) -> KrippendorffAlpha:
    """Krippendorff's alpha of a (raters, units) or (raters, units, blocks) array; NaN = missing.

    ``bootstrap``: number of draws for the percentile interval (0: none); ``seed`` makes them
    reproducible (module doc for what is resampled and why).
    """
    if level not in LEVELS:
        raise InvalidValueError(f"未知测量层次 / unknown level {level!r}: use {', '.join(LEVELS)}")
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
    if np.isinf(x).any():
        raise InvalidValueError("评分含无穷大 / scores contain infinity")
    B, U = x.shape[2], x.shape[1]
    out = {name: np.full(B, np.nan) for name in ("alpha", "D_o", "D_e", "ci_low", "ci_high")}
    n_units, n_values, n_raters, n_def = (np.zeros(B, int) for _ in range(4))
    defined = np.zeros(B, bool)
    below = {t: np.full(B, np.nan) for t in MINIMUMS}
    tail = (1 - confidence) / 2
    blocks: dict[int, _Block] = {}
    for b in range(B):
        block = _Block(x[:, :, b], level)
        n_units[b], n_raters[b] = block.units, block.raters
        if block.units == 0:
            continue
        D_o, D_e, n = block.parts(np.ones(U))
        a, ok = _alpha_of(D_o, D_e, n)
        out["alpha"][b], out["D_o"][b], out["D_e"][b] = a, D_o, D_e
        n_values[b], defined[b] = int(n), bool(ok)
        if ok:
            blocks[b] = block
    if bootstrap and blocks:
        draws = _bootstrap(blocks, U, bootstrap, np.random.default_rng(seed))
        for b, values in draws.items():
            good = values[~np.isnan(values)]
            n_def[b] = good.size
            if good.size:
                out["ci_low"][b], out["ci_high"][b] = np.quantile(good, [tail, 1 - tail])
                for t in MINIMUMS:
                    below[t][b] = float((good < t).mean())
    result = dict(out, n_units=n_units, n_values=n_values, n_raters=n_raters, defined=defined,
                  n_boot_defined=n_def)
    if squeeze:
        result = {k: v[0] for k, v in result.items()}
        below = {k: v[0] for k, v in below.items()}
    return KrippendorffAlpha(level=level, confidence=confidence, n_boot=int(bootstrap),
                             p_below={f"{t:g}": v for t, v in below.items()},
                             seed=seed if bootstrap else None, **result)


def _bootstrap(blocks: dict[int, _Block], units: int, draws: int, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Alpha of every block for *draws* resamples of the units (NaN where a draw has D_e = 0).

    All units are resampled, jointly for every block (a project is drawn with all its indicators); a
    unit with fewer than two values counts as drawn and contributes nothing.
    """
    per_chunk = max(1, _CHUNK // units)      # depends on the units only: a block's draws never depend on the others
    out = {b: np.empty(draws) for b in blocks}
    for start in range(0, draws, per_chunk):
        size = min(per_chunk, draws - start)
        picks = rng.integers(0, units, size=(size, units))
        # unit counts per draw: one bincount over draw-offset indices
        weights = np.bincount((picks + (np.arange(size) * units)[:, None]).ravel(),
                              minlength=size * units).reshape(size, units).astype(float)
        for b, block in blocks.items():
            D_o, D_e, n = block.parts(weights)
            out[b][start:start + size], _ = _alpha_of(D_o, D_e, n)
    return out


__all__ = ["KrippendorffAlpha", "LEVELS", "MINIMUMS", "krippendorff_alpha"]
