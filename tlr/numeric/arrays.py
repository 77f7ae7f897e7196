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


#: Cells (expert x project x indicator) a stage holds at once when it walks a score cube in blocks of
#: projects: about 512 KB of float64, so each block's temporaries stay in cache and a 100,000-project
#: cube never has a cube-sized temporary. Per-project results do not depend on the block size; sums over
#: projects are made with :func:`add_along` where numpy's own order is to be kept.
BLOCK_CELLS = 1 << 16


def project_blocks(n_projects: int, cells_per_project: int, cells: int | None = None) -> list[slice]:
    """Slices of the project axis, each of about *cells* cells (:data:`BLOCK_CELLS`), at least one project."""
    per = max(1, (cells or BLOCK_CELLS) // max(1, cells_per_project))
    return [slice(s, min(s + per, n_projects)) for s in range(0, n_projects, per)] or [slice(0, 0)]



def add_along(total: np.ndarray | None, block: np.ndarray, axis: int) -> np.ndarray:
    """``total + block.sum(axis)`` with the terms added one by one, in order (*total* None: the first block).

    numpy sums a C-ordered array over an axis that is not the last one term by term, in order; so walking
    that axis in blocks this way gives numpy's sum of the whole axis bit for bit, not just to rounding.
    """
    if total is None:
        return block.sum(axis=axis)
    return np.concatenate([np.expand_dims(total, axis), block], axis=axis).sum(axis=axis)


__all__ = ["as_float_array", "project_blocks", "add_along", "BLOCK_CELLS"]
