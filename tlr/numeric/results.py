"""The result base of the numeric core: frozen dataclasses with a JSON-ready ``to_dict()`` (numpy
converted, NaN/inf -> None), and the one JSON writer."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """Convert numpy arrays/scalars, dataclasses and objects with ``to_dict`` (recursively) to plain Python.

    NaN and infinities become ``None``, so the output is strict JSON.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            obj = value.astype(object)
            obj[~np.isfinite(value)] = None
            return jsonable(obj.tolist())
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def clean_floats(value: Any, significant: int = 12) -> Any:
    """*value* (already :func:`jsonable`) with every float rounded to *significant* digits: the
    shortest decimal that keeps the value's real precision, without binary noise (0.1 + 0.2 -> 0.3)."""
    if isinstance(value, float):
        return float(f"{value:.{significant}g}")
    if isinstance(value, dict):
        return {k: clean_floats(v, significant) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_floats(v, significant) for v in value]
    return value


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """The one JSON writer: numpy and result objects converted, NaN/inf as null, floats without noise,
    UTF-8 characters kept; always strict JSON."""
    import json

    return json.dumps(clean_floats(jsonable(data)), ensure_ascii=False, indent=indent, allow_nan=False)


class ResultMixin:
    """``to_dict()`` / ``to_json()`` for frozen dataclasses holding numpy arrays (JSON-ready, NaN -> None).

    Fields named in ``_exclude`` are left out of ``to_dict``.
    """

    _exclude: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)  # type: ignore[arg-type]
                if f.name not in self._exclude}

    def to_json(self, **kwargs: Any) -> str:
        import json

        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)
