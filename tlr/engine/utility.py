"""Indicator utilities: map a consensus value on an indicator's scale to [0, 1] (or to points).

All functions are vectorised over arrays of any shape. NaN in = NaN out (a missing consensus stays
missing; the aggregation step decides, explicitly, what to do with it). Anything else that is not
a valid value for the scale raises :class:`~tlr.numeric.errors.InvalidValueError`.

* :func:`linear`      benefit (higher is better) or cost, clipped to [0, 1].
* :func:`thresholds`  step function: cut points and the utility of each band.
* :func:`piecewise`   piecewise-linear through given (x, u) points (``np.interp``), flat outside.
* :func:`levels`      ordinal level -> points by table lookup; never arithmetic on levels.
* :func:`likert`      rescale a Likert score on [lo, hi] to [0, 1]; out-of-range raises.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError


def _dir(direction: str) -> bool:
    if direction not in ("benefit", "cost"):
        raise InvalidValueError(f"方向须为 benefit 或 cost / direction must be 'benefit' or 'cost', got {direction!r}")
    return direction == "cost"


def linear(x, lo: float, hi: float, direction: str = "benefit") -> np.ndarray:
    """u = clip((x - lo) / (hi - lo), 0, 1); for ``cost``, u = 1 - that."""
    x = as_float_array(x, "x")
    if not hi > lo:
        raise InvalidValueError(f"线性效用要求 hi > lo / linear utility needs hi > lo, got lo={lo}, hi={hi}")
    u = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return 1.0 - u if _dir(direction) else u


def thresholds(x, cuts, values, direction: str = "benefit") -> np.ndarray:
    """Step function. ``cuts`` ascending (length K), ``values`` the utility of each of the K + 1 bands.

    For ``benefit`` a value equal to a cut belongs to the band above it (x >= cut); for ``cost`` to
    the band below (x <= cut). ``values`` are given from the lowest band to the highest x band.
    """
    x = as_float_array(x, "x")
    c = as_float_array(cuts, "cuts", ndim=1)
    v = as_float_array(values, "values", ndim=1)
    if v.shape[0] != c.shape[0] + 1:
        raise InvalidValueError(f"阈值效用需要 {c.shape[0] + 1} 个值 / thresholds needs len(values) == len(cuts) + 1")
    if np.any(np.diff(c) <= 0) or np.isnan(c).any() or np.isnan(v).any():
        raise InvalidValueError("阈值须严格递增 / cuts must be strictly increasing numbers")
    side = "left" if _dir(direction) else "right"
    idx = np.searchsorted(c, np.nan_to_num(x), side=side)
    return np.where(np.isnan(x), np.nan, v[idx])


def piecewise(x, xp, up) -> np.ndarray:
    """Piecewise-linear utility through points (xp, up), xp strictly increasing; flat outside."""
    x = as_float_array(x, "x")
    xp = as_float_array(xp, "xp", ndim=1)
    up = as_float_array(up, "up", ndim=1)
    if xp.shape != up.shape or xp.shape[0] < 2:
        raise InvalidValueError("分段线性效用需要至少两个点 / piecewise needs >= 2 points with matching xp, up")
    if np.any(np.diff(xp) <= 0) or np.isnan(xp).any() or np.isnan(up).any():
        raise InvalidValueError("分段点须严格递增 / xp must be strictly increasing numbers")
    return np.where(np.isnan(x), np.nan, np.interp(np.nan_to_num(x), xp, up))


def levels(x, table: Mapping[int, float]) -> np.ndarray:
    """Ordinal level -> points by lookup in ``table`` (e.g. TRL 1..9 -> points).

    A value that is not one of the table's levels raises — including a fractional level such as
    5.5, which is what averaging levels produces. Use a median/mode consensus (or the lower of two
    middle levels) for ordinal indicators; levels are never averaged here.
    """
    x = as_float_array(x, "x")
    if not table:
        raise InvalidValueError("等级分值表为空 / the level -> points table is empty")
    keys = np.array(sorted(table), dtype=float)
    pts = np.array([table[k] for k in sorted(table)], dtype=float)
    ok = ~np.isnan(x)
    pos = np.clip(np.searchsorted(keys, np.nan_to_num(x)), 0, keys.size - 1)
    bad = ok & (keys[pos] != x)
    if bad.any():
        vals = np.unique(x[bad])[:5].tolist()
        raise InvalidValueError(
            f"等级不在分值表中 / level(s) not in the points table: {vals}; levels: {keys.astype(int).tolist()}",
            hint="ordinal levels are looked up, never averaged: use a median consensus for level indicators")
    return np.where(ok, pts[pos], np.nan)


def likert(x, lo: float, hi: float) -> np.ndarray:
    """u = (x - lo) / (hi - lo) for a Likert score on [lo, hi]; a value outside [lo, hi] raises."""
    x = as_float_array(x, "x")
    if not hi > lo:
        raise InvalidValueError(f"量表要求 hi > lo / Likert scale needs hi > lo, got lo={lo}, hi={hi}")
    if not x.size or (np.fmin.reduce(x, axis=None) >= lo and np.fmax.reduce(x, axis=None) <= hi) \
            or np.isnan(x).all():       # fmin / fmax skip NaN: two reductions, no temporaries
        return (x - lo) / (hi - lo)
    out = (x < lo) | (x > hi)            # NaN compares False
    if out.any():
        raise InvalidValueError(f"分值超出量表 [{lo}, {hi}] / score outside the scale [{lo}, {hi}]: "
                                f"{np.unique(x[out])[:5].tolist()}")
    return (x - lo) / (hi - lo)
