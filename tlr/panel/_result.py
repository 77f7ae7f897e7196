"""Shared helpers for frozen result dataclasses: JSON-ready ``to_dict``."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """Convert numpy arrays/scalars (recursively) to plain Python; NaN and inf become ``None``."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            obj = value.astype(object)
            obj[~np.isfinite(value)] = None
            return jsonable(obj.tolist())
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


class ResultMixin:
    """``to_dict()`` for frozen dataclasses holding numpy arrays (JSON-ready, NaN -> None)."""

    def to_dict(self) -> dict:
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def as_float_array(x: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``x`` as a float64 array; reject inf and wrong dimensionality with a clear message."""
    from tlr.panel.errors import InvalidValueError, ShapeError

    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"{name} 含非数值 / {name} holds non-numeric values: {exc}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ShapeError(f"{name} 维数应为 {ndim}，实为 {arr.ndim} / {name} must be {ndim}-D, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise InvalidValueError(f"{name} 含无穷大 / {name} contains inf", hint="use NaN for a missing value")
    return arr
