"""One-at-a-time (OAT) weight sensitivity of a weighted-sum ranking, in closed form.

Weights w (sum 1). Changing leaf l's weight to t and rescaling the others proportionally,
w_k(t) = w_k (1 - t) / (1 - w_l) for k != l, the composite of project i becomes

    C_i(t) = t u_il + (1 - t) R_il,     R_il = (C_i - w_l u_il) / (1 - w_l)

(R_il is the composite over the other leaves, renormalised). For two projects a (ranked above)
and b, D(t) = C_a(t) - C_b(t) is linear in t, equal to C_a - C_b at t = w_l, and vanishes at

    t* = (R_al - R_bl) / ((R_al - R_bl) - (u_al - u_bl))

when the denominator is non-zero. The pair swaps when the weight of l crosses t*; the change is
delta = t* - w_l, valid only if 0 <= t* <= 1. Leaves with w_l = 1 cannot be moved this way.
Derivation and test against brute force: docs/scoring.md and tests/scoring/test_scoring_sensitivity.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, MissingValueError, ShapeError
from tlr.numeric.results import ResultMixin


@dataclass(frozen=True)
class SensitivityResult(ResultMixin):
    """Smallest single-weight change that swaps each pair of rank neighbours.

    Attributes:
        pairs: (n_pairs, 2) project indices (upper, lower) of neighbours in the current order.
        gap: (n_pairs,) C_upper - C_lower (>= 0).
        delta: (n_pairs, leaves) weight change of leaf l that swaps the pair; NaN where
            ``swappable`` is False (no t* in [0, 1], or w_l = 1).
        new_weight: (n_pairs, leaves) t*, the weight of l at which they swap (NaN likewise).
        swappable: (n_pairs, leaves) mask.
        best_leaf: (n_pairs,) leaf with the smallest |delta|; -1 where no leaf can swap the pair.
        best_delta, best_new_weight: (n_pairs,) for best_leaf; NaN where best_leaf == -1.
        relative_change: best_delta / w_best (NaN where best_leaf == -1).
    """

    pairs: np.ndarray
    gap: np.ndarray
    delta: np.ndarray
    new_weight: np.ndarray
    swappable: np.ndarray
    best_leaf: np.ndarray
    best_delta: np.ndarray
    best_new_weight: np.ndarray
    relative_change: np.ndarray


def swap_thresholds(utilities, weights, pairs) -> tuple[np.ndarray, np.ndarray]:
    """t* and its validity mask for given (a, b) pairs, all leaves: arrays (n_pairs, leaves)."""
    U = as_float_array(utilities, "utilities", ndim=2)
    w = as_float_array(weights, "weights", ndim=1)
    w = w / w.sum()
    pr = np.asarray(pairs, dtype=np.int64)
    C = U @ w
    movable = w < 1
    denom_w = np.where(movable, 1 - w, 1.0)
    Ua, Ub = U[pr[:, 0]], U[pr[:, 1]]
    Ra = (C[pr[:, 0], None] - w * Ua) / denom_w
    Rb = (C[pr[:, 1], None] - w * Ub) / denom_w
    dR = Ra - Rb
    den = dR - (Ua - Ub)
    ok = movable[None, :] & (den != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(ok, dR / np.where(ok, den, 1.0), np.nan)
    ok &= (t >= -1e-15) & (t <= 1 + 1e-15)
    return np.where(ok, np.clip(t, 0, 1), np.nan), ok


def oat_sensitivity(utilities, weights) -> SensitivityResult:
    """For each pair of rank neighbours, the smallest change of one weight that swaps them."""
    U = as_float_array(utilities, "utilities", ndim=2)
    P, L = U.shape
    w = as_float_array(weights, "weights", ndim=1)
    if w.shape[0] != L:
        raise ShapeError(f"权重长度须为 {L} / weights must have {L} entries")
    if np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError("权重须非负且和为正 / weights must be non-negative with a positive sum")
    if np.isnan(U).any():
        raise MissingValueError("效用含缺失值 / utilities contain NaN; resolve missing values first")
    if P < 2:
        raise InvalidValueError("至少需要两个项目 / at least two projects are needed")
    w = w / w.sum()
    C = U @ w
    order = np.argsort(-C, kind="stable")
    pairs = np.stack([order[:-1], order[1:]], axis=1)
    t, ok = swap_thresholds(U, w, pairs)
    delta = np.where(ok, t - w[None, :], np.nan)
    absd = np.where(ok, np.abs(delta), np.inf)
    best = np.argmin(absd, axis=1)
    anyok = ok.any(axis=1)
    rows = np.arange(pairs.shape[0])
    best_leaf = np.where(anyok, best, -1)
    bd = np.where(anyok, delta[rows, best], np.nan)
    bt = np.where(anyok, t[rows, best], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(anyok & (w[best] > 0), bd / np.where(w[best] > 0, w[best], 1.0), np.nan)
    return SensitivityResult(pairs=pairs, gap=C[pairs[:, 0]] - C[pairs[:, 1]], delta=delta, new_weight=t,
                             swappable=ok, best_leaf=best_leaf, best_delta=bd, best_new_weight=bt,
                             relative_change=rel)
