"""Average ranks and the chi-square / F upper tails with numpy alone.

Ranking a campaign needs three functions of ``scipy.stats`` (``rankdata``, ``chi2.sf``, ``f.sf``), and
importing ``scipy.stats`` takes most of a second; even ``scipy.special`` costs about 0.25 s, because it
loads ``numpy.f2py``, ``numpy.ma`` and more through its array-API layer. Here ranks are computed with
numpy, and the tails are the regularised incomplete gamma and beta functions evaluated the classic
way (series and Lentz continued fractions; Press et al., *Numerical Recipes*, 3rd ed., §6.2 and §6.4).
The tests compare every function with ``scipy.stats`` to 1e-10 relative.
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-15         # relative step at which a series or continued fraction has converged
TINY = 1e-300       # guards the continued fractions against division by zero (Lentz)
MAX_TERMS = 10_000  # the terms needed grow like sqrt(max(a, b)); far beyond any panel


def _row_ranks(a: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis of a 2-D array (NaN sorts last and is given NaN)."""
    n = a.shape[-1]
    order = np.argsort(a, axis=-1)         # the order among ties does not matter: they share the average
    s = np.take_along_axis(a, order, axis=-1)
    idx = np.arange(n)
    differs = s[:, 1:] != s[:, :-1]        # NaN != NaN: each NaN its own group
    starts = np.ones(s.shape, bool)
    starts[:, 1:] = differs
    ends = np.ones(s.shape, bool)
    ends[:, :-1] = differs
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=-1)
    last = np.minimum.accumulate(np.where(ends, idx, n)[:, ::-1], axis=-1)[:, ::-1]
    ranks = np.empty_like(s)
    np.put_along_axis(ranks, order, (first + last) * 0.5 + 1.0, axis=-1)
    ranks[np.isnan(a)] = np.nan
    return ranks


def average_ranks(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Ranks 1..k of the values present along *axis*, ties sharing their average rank; NaN stays NaN.

    The same as ``scipy.stats.rankdata(x, axis=axis, nan_policy="omit")``.
    """
    a = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    rows = a.reshape(-1, a.shape[-1]) if a.shape[-1] else a.reshape(0, 0)
    out = np.full(rows.shape, np.nan)
    live = ~np.isnan(rows).all(axis=-1)    # rows without a value (no complete block ...) stay NaN
    if live.any():
        out[live] = _row_ranks(rows[live])
    return np.moveaxis(out.reshape(a.shape), -1, axis)


_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _guard(v: np.ndarray) -> np.ndarray:
    return np.where(np.abs(v) < TINY, TINY, v)


def _lower_gamma_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) by its power series (converges fast for x < a + 1)."""
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    active = np.ones(a.shape, bool)
    for _ in range(MAX_TERMS):
        ap = ap + 1.0
        term = np.where(active, term * x / ap, 0.0)
        total = total + term
        active &= np.abs(term) >= np.abs(total) * EPS
        if not active.any():
            break
    with np.errstate(divide="ignore"):
        return total * np.exp(-x + a * np.log(x) - _lgamma(a))


def _upper_gamma_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) by Legendre's continued fraction, modified Lentz (converges fast for x >= a + 1)."""
    b = x + 1.0 - a
    c = np.full(a.shape, 1.0 / TINY)
    d = 1.0 / _guard(b)
    h = d.copy()
    active = np.ones(a.shape, bool)
    for i in range(1, MAX_TERMS):
        an = -i * (i - a)
        b = b + 2.0
        d = 1.0 / _guard(an * d + b)
        c = _guard(b + an / c)
        delta = np.where(active, d * c, 1.0)
        h = h * delta
        active &= np.abs(delta - 1.0) >= EPS
        if not active.any():
            break
    return np.exp(-x + a * np.log(x) - _lgamma(a) + np.log(h))


def gamma_q(a, x) -> np.ndarray:
    """Regularised upper incomplete gamma Q(a, x) for a > 0, x >= 0 (NaN elsewhere)."""
    a, x = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, x))
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x >= 0) & np.isfinite(a)
    out[ok & np.isposinf(x)] = 0.0
    series = ok & np.isfinite(x) & (x < a + 1.0)
    fraction = ok & np.isfinite(x) & ~series
    out[series] = 1.0 - _lower_gamma_series(a[series], x[series])
    out[fraction] = _upper_gamma_fraction(a[fraction], x[fraction])
    return out


def _beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of I_x(a, b) (modified Lentz); fast for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones(a.shape)
    d = 1.0 / _guard(1.0 - qab * x / qap)
    h = d.copy()
    active = np.ones(a.shape, bool)
    for m in range(1, MAX_TERMS):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 / _guard(1.0 + aa * d)
        c = _guard(1.0 + aa / c)
        even = np.where(active, d * c, 1.0)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 / _guard(1.0 + aa * d)
        c = _guard(1.0 + aa / c)
        delta = np.where(active, d * c, 1.0)
        h = h * even * delta
        active &= np.abs(delta - 1.0) >= EPS
        if not active.any():
            break
    return h


def beta_i(a, b, x, y=None) -> np.ndarray:
    """Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1 (NaN elsewhere).

    *y* = 1 - x when the caller knows it more precisely than ``1 - x`` (x close to 1).
    """
    a, b, x = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, x))
    y = 1.0 - x if y is None else np.broadcast_to(np.asarray(y, dtype=float), x.shape)
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (b > 0) & (x >= 0) & (x <= 1) & np.isfinite(a) & np.isfinite(b)
    out[ok & (x == 0)] = 0.0
    out[ok & (y == 0)] = 1.0
    inner = ok & (x > 0) & (y > 0)
    a, b, x, y = a[inner], b[inner], x[inner], y[inner]
    log_front = _lgamma(a + b) - _lgamma(a) - _lgamma(b) + a * np.log(x) + b * np.log(y)
    direct = x < (a + 1.0) / (a + b + 2.0)   # else the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
    value = np.empty(a.shape)
    d, f = direct, ~direct
    value[d] = np.exp(log_front[d] + np.log(_beta_fraction(a[d], b[d], x[d]) / a[d]))
    value[f] = 1.0 - np.exp(log_front[f] + np.log(_beta_fraction(b[f], a[f], y[f]) / b[f]))
    out[inner] = value
    return out


def chi2_sf(x, df) -> np.ndarray:
    """P(X > x) for X ~ chi-square(df): Q(df / 2, x / 2)."""
    return gamma_q(np.asarray(df, dtype=float) / 2.0, np.asarray(x, dtype=float) / 2.0)


def f_sf(x, dfn, dfd) -> np.ndarray:
    """P(X > x) for X ~ F(dfn, dfd): I_{dfd / (dfd + dfn x)}(dfd / 2, dfn / 2); 0 at x = inf."""
    x, dfn, dfd = (np.asarray(v, dtype=float) for v in (x, dfn, dfd))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(np.isposinf(x), 0.0, dfd / (dfd + dfn * x))
        rest = np.where(np.isposinf(x), 1.0, dfn * x / (dfd + dfn * x))   # 1 - z without cancellation
    return beta_i(dfd / 2.0, dfn / 2.0, z, rest)


__all__ = ["average_ranks", "chi2_sf", "f_sf", "gamma_q", "beta_i"]
