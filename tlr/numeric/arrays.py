"""Checked input arrays for the numeric core."""

from __future__ import annotations

from typing import Any

import numpy as np

from tlr.numeric.errors import InvalidValueError, ShapeError


def as_float_array(x: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``x`` as a float64 array; reject inf and wrong dimensionality with a clear message."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"{name} 含非数值 / {name} holds non-numeric values: {exc}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ShapeError(f"{name} 维数应为 {ndim}，实为 {arr.ndim} / {name} must be {ndim}-D, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise InvalidValueError(f"{name} 含无穷大 / {name} contains inf", hint="use NaN for a missing value")
    return arr


__all__ = ["as_float_array"]
