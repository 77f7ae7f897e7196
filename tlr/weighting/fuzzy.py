"""Fuzzy AHP with triangular fuzzy judgements: Buckley's geometric-mean method.

模糊层次分析法（三角模糊数，Buckley 几何平均法）。

Buckley, J. J. (1985). Fuzzy hierarchical analysis. Fuzzy Sets and Systems 17(3), 233-247.

A triangular fuzzy judgement is (l, m, u) with 0 < l <= m <= u; its reciprocal is (1/u, 1/m, 1/l).
Fuzzy row geometric means r_i = ((prod_j l_ij)^(1/n), (prod_j m_ij)^(1/n), (prod_j u_ij)^(1/n)) and
fuzzy weights w_i = r_i (x) (sum_k r_k)^(-1) = (l_i / sum_k u_k, m_i / sum_k m_k, u_i / sum_k l_k).
Defuzzification (documented choice): centroid (l + m + u) / 3 of each fuzzy weight, then
normalised to sum 1 ("graded_mean" (l + 4m + u) / 6 is available). Consistency is checked on the
crisp matrix of middle values m (Buckley 1985 and Csutora & Buckley 2001 use the modal matrix).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .ahp import ahp
from .results import FuzzyAHPResult
from .ri import DEFAULT_RI_TABLE

__all__ = ["fuzzy_ahp", "defuzzify", "TFN_SCALE"]

#: A common triangular fuzzy version of Saaty's scale: k -> (k-1, k, k+1), 1 -> (1, 1, 1), 9 -> (8, 9, 9).
TFN_SCALE = {1: (1.0, 1.0, 1.0), **{k: (k - 1.0, float(k), k + 1.0) for k in range(2, 9)}, 9: (8.0, 9.0, 9.0)}


def defuzzify(tfn, how: str = "centroid") -> np.ndarray:
    """Crisp value of triangular fuzzy numbers (..., 3): centroid (l+m+u)/3 or graded mean (l+4m+u)/6."""
    t = np.asarray(tfn, dtype=float)
    if how == "centroid":
        return t.sum(-1) / 3.0
    if how == "graded_mean":
        return (t[..., 0] + 4 * t[..., 1] + t[..., 2]) / 6.0
    raise WeightingError(f"未知的去模糊化方法 / unknown defuzzification {how!r}", location=Location(field="defuzzify"),
                         hint="centroid 或 / or graded_mean", code="unknown_defuzzify")


def _check_tfn(t: np.ndarray, labels) -> None:
    from .validate import cell_name

    if t.ndim not in (3, 4) or t.shape[-3] != t.shape[-2] or t.shape[-1] != 3:
        raise WeightingError(f"模糊判断矩阵形状应为 (n, n, 3) 或 (k, n, n, 3) / fuzzy matrix must have shape (n, n, 3) "
                             f"or (k, n, n, 3), got {t.shape}", location=Location(field="matrix"), code="not_square")

    def where(mask):
        idx = np.argwhere(mask)[0]
        k = int(idx[0]) if mask.ndim == 3 else None
        return cell_name(int(idx[-2]), int(idx[-1]), labels, k)

    bad = ~np.isfinite(t).all(-1) | (t <= 0).any(-1)
    if bad.any():
        raise WeightingError("模糊判断必须是正的有限数 / fuzzy judgement must be positive and finite",
                             location=Location(field=where(bad)), code="not_positive")
    order = (t[..., 0] > t[..., 1] * (1 + 1e-12)) | (t[..., 1] > t[..., 2] * (1 + 1e-12))
    if order.any():
        raise WeightingError("三角模糊数须满足 l ≤ m ≤ u / triangular fuzzy number must satisfy l <= m <= u",
                             location=Location(field=where(order)), code="bad_tfn")
    recip = np.swapaxes(np.stack([1 / t[..., 2], 1 / t[..., 1], 1 / t[..., 0]], -1), -3, -2)
    nonrec = ~np.isclose(t, recip, rtol=3e-2).all(-1)
    if nonrec.any():
        raise WeightingError("模糊矩阵不是互反的：a_ji 应为 (1/u, 1/m, 1/l) / fuzzy matrix is not reciprocal: a_ji must "
                             "be (1/u, 1/m, 1/l) of a_ij", location=Location(field=where(nonrec)),
                             code="not_reciprocal")


def fuzzy_ahp(matrix, *, defuzzification: str = "centroid", ri: str = DEFAULT_RI_TABLE,
              labels: Sequence[str] | None = None) -> FuzzyAHPResult:
    """Buckley's fuzzy AHP on (n, n, 3) triangular fuzzy judgements (l, m, u), or a stack (k, n, n, 3)."""
    t = np.asarray(matrix, dtype=float)
    _check_tfn(t, labels)
    n = t.shape[-2]
    r = np.exp(np.log(t).mean(-2))          # (..., n, 3) fuzzy row geometric means
    s = r.sum(-2, keepdims=True)            # (..., 1, 3): (sum l, sum m, sum u)
    fw = np.stack([r[..., 0] / s[..., 2], r[..., 1] / s[..., 1], r[..., 2] / s[..., 0]], -1)
    crisp = defuzzify(fw, defuzzification)
    crisp = crisp / crisp.sum(-1, keepdims=True)
    check = ahp(t[..., 1], ri=ri, labels=labels, suggestions=3 if n >= 3 and t.ndim == 3 else 0)
    return FuzzyAHPResult(fuzzy_weights=fw, weights=crisp, defuzzification=defuzzification, crisp_check=check,
                          labels=tuple(labels) if labels is not None else None)
