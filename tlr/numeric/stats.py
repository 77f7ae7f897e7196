"""Average ranks and the chi-square / F upper tails, without ``scipy.stats``.

``scipy.stats`` takes most of a second to import; ranking a campaign needs three of its functions.
Ranks are computed with numpy; the tails are the regularised incomplete gamma and beta functions of
``scipy.special`` (the same functions ``scipy.stats`` evaluates), imported when a tail is asked for.
"""

from __future__ import annotations

import numpy as np


def average_ranks(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Ranks 1..k of the values present along *axis*, ties sharing their average rank; NaN stays NaN.

    The same as ``scipy.stats.rankdata(x, axis=axis, nan_policy="omit")``.
    """
    a = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    n = a.shape[-1]
    if n == 0:
        return np.moveaxis(a.copy(), -1, axis)
    order = np.argsort(a, axis=-1, kind="stable")            # NaN sorts last
    s = np.take_along_axis(a, order, axis=-1)
    idx = np.broadcast_to(np.arange(n), s.shape)
    differs = s[..., 1:] != s[..., :-1]                      # NaN != NaN: each NaN its own group
    starts = np.concatenate([np.ones(s.shape[:-1] + (1,), bool), differs], axis=-1)
    ends = np.concatenate([differs, np.ones(s.shape[:-1] + (1,), bool)], axis=-1)
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=-1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, idx, n), axis=-1), axis=-1), axis=-1)
    ranks = np.empty_like(s)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=-1)
    ranks[np.isnan(a)] = np.nan
    return np.moveaxis(ranks, -1, axis)


def chi2_sf(x, df) -> np.ndarray:
    """P(X > x) for X ~ chi-square(df): Q(df / 2, x / 2), the regularised upper incomplete gamma."""
    from scipy.special import gammaincc

    return gammaincc(np.asarray(df, float) / 2.0, np.asarray(x, float) / 2.0)


def f_sf(x, dfn, dfd) -> np.ndarray:
    """P(X > x) for X ~ F(dfn, dfd): I_{dfd / (dfd + dfn x)}(dfd / 2, dfn / 2), the regularised incomplete beta."""
    from scipy.special import betainc

    x, dfn, dfd = (np.asarray(v, float) for v in (x, dfn, dfd))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(np.isinf(x), 0.0, dfd / (dfd + dfn * x))
    return betainc(dfd / 2.0, dfn / 2.0, z)


__all__ = ["average_ranks", "chi2_sf", "f_sf"]
