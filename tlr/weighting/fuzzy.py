"""Fuzzy AHP with triangular fuzzy judgements: Buckley's geometric-mean method and Chang's extent analysis.

模糊层次分析法（三角模糊数）：Buckley 几何平均法与 Chang 范围分析法。

Buckley, J. J. (1985). Fuzzy hierarchical analysis. Fuzzy Sets and Systems 17(3), 233-247.
Chang, D.-Y. (1996). Applications of the extent analysis method on fuzzy AHP. European Journal of
Operational Research 95(3), 649-655.
Wang, Y.-M., Luo, Y. & Hua, Z. (2008). On the extent analysis method for fuzzy AHP and its applications.
European Journal of Operational Research 186(2), 735-747 (shows that extent analysis can give a
criterion weight 0 and then ignores it in the decision: a known flaw, reported in ``zero_weights``).

A triangular fuzzy judgement is (l, m, u) with 0 < l <= m <= u; its reciprocal is (1/u, 1/m, 1/l).
Fuzzy row geometric means r_i = ((prod_j l_ij)^(1/n), (prod_j m_ij)^(1/n), (prod_j u_ij)^(1/n)) and
fuzzy weights w_i = r_i (x) (sum_k r_k)^(-1) = (l_i / sum_k u_k, m_i / sum_k m_k, u_i / sum_k l_k).
Defuzzification (documented choice): centroid (l + m + u) / 3 of each fuzzy weight, then
normalised to sum 1 ("graded_mean" (l + 4m + u) / 6 is available). Consistency is checked on the
crisp matrix of middle values m (Buckley 1985 and Csutora & Buckley 2001 use the modal matrix).

Chang's extent analysis: synthetic extents S_i = sum_j M_ij (x) (sum_k sum_j M_kj)^(-1), i.e.
(sum_j l_ij / sum u, sum_j m_ij / sum m, sum_j u_ij / sum l); degree of possibility
V(S_i >= S_k) = 1 if m_i >= m_k, 0 if l_k >= u_i, else (l_k - u_i) / ((m_i - u_i) - (m_k - l_k));
d(i) = min_{k != i} V(S_i >= S_k); weights d / sum d.

Crisp judgements become triangular fuzzy numbers by :func:`tfn_from_crisp` and the documented scale
:data:`TFN_SCALE`: 1 -> (1, 1, 1); x in 2..9 -> (x-1, x, x+1) capped at 9 (so 9 -> (8, 9, 9));
1/x -> (1/u, 1/m, 1/l) of x's triangle.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .ahp import ahp
from .results import FuzzyAHPResult
from .ri import DEFAULT_RI_TABLE

__all__ = ["fuzzy_ahp", "defuzzify", "TFN_SCALE", "tfn_from_crisp", "extent_analysis", "possibility",
           "FUZZY_METHODS"]

FUZZY_METHODS = ("buckley", "chang")

#: A common triangular fuzzy version of Saaty's scale: k -> (k-1, k, k+1), 1 -> (1, 1, 1), 9 -> (8, 9, 9).
TFN_SCALE = {1: (1.0, 1.0, 1.0), **{k: (k - 1.0, float(k), k + 1.0) for k in range(2, 9)}, 9: (8.0, 9.0, 9.0)}



RECIPROCAL_ATOL = 0.005 + 1e-9   # a reciprocal printed to two decimals (0.13 for 1/8) is accepted

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
    # A pair is checked on its reciprocal side (middle value <= 1), where papers print 1/8 as 0.13: each
    # number within 3 % or half a unit of the second decimal of (1/u, 1/m, 1/l) of the other side.
    # Two sides that both exceed 1 can never be reciprocal.
    recip = np.swapaxes(np.stack([1 / t[..., 2], 1 / t[..., 1], 1 / t[..., 0]], -1), -3, -2)
    small = t[..., 1] <= 1
    nonrec = small & ~np.isclose(t, recip, rtol=3e-2, atol=RECIPROCAL_ATOL).all(-1)
    nonrec |= ~small & ~np.swapaxes(small, -1, -2)
    if nonrec.any():
        raise WeightingError("模糊矩阵不是互反的：a_ji 应为 (1/u, 1/m, 1/l) / fuzzy matrix is not reciprocal: a_ji must "
                             "be (1/u, 1/m, 1/l) of a_ij", location=Location(field=where(nonrec)),
                             code="not_reciprocal")


def tfn_from_crisp(matrix, labels: Sequence[str] | None = None, source: str | None = None) -> np.ndarray:
    """(n, n) crisp judgements on Saaty's scale -> (n, n, 3) triangular fuzzy numbers by :data:`TFN_SCALE`.

    A judgement must be 1..9 or a reciprocal 1/2..1/9 (within 1e-6; 0.333 is not 1/3): the scale is
    defined for those values only. A missing or other value raises WeightingError naming the cell.
    """
    from .validate import cell_name

    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise WeightingError(f"判断矩阵应为方阵 / judgement matrix must be square, got shape {a.shape}",
                             location=Location(file=source, field="matrix"), code="not_square")
    n = a.shape[0]
    out = np.empty((n, n, 3))
    for i in range(n):
        for j in range(n):
            x = a[i, j]
            k = None
            if np.isfinite(x) and x > 0:
                big = x if x >= 1 else 1.0 / x
                if abs(big - round(big)) <= 1e-6 * big and 1 <= round(big) <= 9:
                    k = int(round(big))
            if np.isnan(x):
                raise WeightingError("判断值缺失 / judgement is missing: fuzzy AHP needs every pair",
                                     location=Location(file=source, field=cell_name(i, j, labels)),
                                     hint="补全该判断 / fill it in", code="missing")
            if k is None:
                raise WeightingError(f"判断值 {x:g} 不在 1–9 标度上，无法转换为三角模糊数 / judgement {x:g} is not on "
                                     "Saaty's 1-9 scale (1..9 or 1/2..1/9), so it has no triangular fuzzy number",
                                     location=Location(file=source, field=cell_name(i, j, labels)),
                                     hint="改用标度值，或直接提供三角模糊数文件 / use a scale value, or give a TFN file",
                                     code="not_on_scale")
            l, m, u = TFN_SCALE[k]
            out[i, j] = (l, m, u) if x >= 1 else (1.0 / u, 1.0 / m, 1.0 / l)
    return out


def possibility(a, b) -> np.ndarray:
    """Degree of possibility V(a >= b) of triangular fuzzy numbers a, b (..., 3) (Chang 1996, eq. 9)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    la, ma, ua = a[..., 0], a[..., 1], a[..., 2]
    lb, mb = b[..., 0], b[..., 1]
    den = (ma - ua) - (mb - lb)
    with np.errstate(divide="ignore", invalid="ignore"):
        mid = (lb - ua) / np.where(den != 0, den, 1.0)
    return np.where(ma >= mb, 1.0, np.where(lb >= ua, 0.0, np.clip(mid, 0.0, 1.0)))


def extent_analysis(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chang's extent analysis of checked (..., n, n, 3) judgements: (synthetic extents (..., n, 3),
    possibility matrix V[i, k] = V(S_i >= S_k) (..., n, n), normalised weights (..., n))."""
    row = t.sum(-2)                                   # (..., n, 3) row sums of l, m, u
    tot = row.sum(-2, keepdims=True)                  # (..., 1, 3)
    S = np.stack([row[..., 0] / tot[..., 2], row[..., 1] / tot[..., 1], row[..., 2] / tot[..., 0]], -1)
    V = possibility(S[..., :, None, :], S[..., None, :, :])
    n = S.shape[-2]
    eye = np.eye(n, dtype=bool)
    d = np.where(eye, np.inf, V).min(-1) if n > 1 else np.ones(S.shape[:-1])
    return S, V, d / d.sum(-1, keepdims=True)


def fuzzy_ahp(matrix, *, method: str = "buckley", defuzzification: str = "centroid", ri: str = DEFAULT_RI_TABLE,
              labels: Sequence[str] | None = None) -> FuzzyAHPResult:
    """Fuzzy AHP on (n, n, 3) triangular fuzzy judgements (l, m, u), or a stack (k, n, n, 3).

    method: "buckley" (fuzzy geometric means, defuzzified; default) or "chang" (extent analysis:
    ``fuzzy_weights`` are the synthetic extents S_i, ``weights`` the normalised minimum degrees of
    possibility; ``zero_weights`` lists the criteria whose weight is 0 - Wang, Luo & Hua 2008).
    """
    if method not in FUZZY_METHODS:
        raise WeightingError(f"未知的模糊 AHP 方法 / unknown fuzzy AHP method {method!r}",
                             location=Location(field="method"), hint="buckley 或 / or chang", code="unknown_method")
    t = np.asarray(matrix, dtype=float)
    _check_tfn(t, labels)
    n = t.shape[-2]
    if method == "chang":
        S, V, w = extent_analysis(t)
        check = ahp(t[..., 1], ri=ri, labels=labels, suggestions=3 if n >= 3 and t.ndim == 3 else 0)
        zero = np.argwhere(w <= 1e-12)
        names = [labels[int(z[-1])] if labels is not None else str(int(z[-1]) + 1) for z in zero]
        warn = () if not names else (
            f"Chang 范围分析给出零权重：{', '.join(names)}；这些准则在决策中被完全忽略（Wang, Luo & Hua 2008 指出的"
            f"已知缺陷），建议改用 Buckley 法 / Chang's extent analysis gives weight 0 to {', '.join(names)}; they are "
            f"ignored in the decision (a known flaw, Wang, Luo & Hua 2008) - consider method buckley",)
        return FuzzyAHPResult(fuzzy_weights=S, weights=w, defuzzification="possibility", crisp_check=check,
                              labels=tuple(labels) if labels is not None else None, method="chang",
                              possibility=V, zero_weights=tuple(names), warnings=warn)
    r = np.exp(np.log(t).mean(-2))          # (..., n, 3) fuzzy row geometric means
    s = r.sum(-2, keepdims=True)            # (..., 1, 3): (sum l, sum m, sum u)
    fw = np.stack([r[..., 0] / s[..., 2], r[..., 1] / s[..., 1], r[..., 2] / s[..., 0]], -1)
    crisp = defuzzify(fw, defuzzification)
    crisp = crisp / crisp.sum(-1, keepdims=True)
    check = ahp(t[..., 1], ri=ri, labels=labels, suggestions=3 if n >= 3 and t.ndim == 3 else 0)
    return FuzzyAHPResult(fuzzy_weights=fw, weights=crisp, defuzzification=defuzzification, crisp_check=check,
                          labels=tuple(labels) if labels is not None else None, method="buckley")
