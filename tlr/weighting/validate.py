"""Validation of pairwise comparison matrices: one clear, located message per problem.

成对比较矩阵校验：每个问题一条信息，指明单元格。
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .priorities import _blocks, _map_blocks

__all__ = ["cell_name", "check_pairwise", "reciprocal_from_upper", "SAATY_SCALE", "RECIPROCITY_RTOL"]

#: Saaty's fundamental scale and its reciprocals (17 values).
SAATY_SCALE = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9])

#: Relative tolerance on a_ij * a_ji = 1: accepts two-decimal reciprocals such as 0.33 (1/3), 0.14 (1/7),
#: 0.17 (1/6), rejects 0.3 for 1/3 (product 0.9) and any sign or position mistake.
RECIPROCITY_RTOL = 0.03


def _label(labels: Sequence[str] | None, i: int) -> str:
    if labels is not None:
        return f"'{labels[i]}'"
    return str(i + 1)


def cell_name(i: int, j: int, labels: Sequence[str] | None = None, matrix: int | None = None) -> str:
    """Human name of a cell: ``row 'B', column 'C'`` (labels) or ``row 2, column 3`` (1-based)."""
    s = f"row {_label(labels, i)}, column {_label(labels, j)}"
    if matrix is not None:
        s = f"matrix {matrix + 1}: " + s
    return s


def _err(msg: str, i=None, j=None, labels=None, k=None, hint=None, code="invalid", source=None, field=None):
    if field is None and i is not None:
        field = cell_name(i, j, labels, k)
    return WeightingError(msg, location=Location(file=source, field=field), hint=hint, code=code)


def _first(mask: np.ndarray):
    idx = np.argwhere(mask)[0]
    if mask.ndim == 3:
        return int(idx[0]), int(idx[1]), int(idx[2])
    return None, int(idx[0]), int(idx[1])


def reciprocal_from_upper(matrix) -> np.ndarray:
    """Rebuild a reciprocal matrix from its strict upper triangle (a_ji = 1 / a_ij, a_ii = 1).

    Works on (n, n) and (k, n, n). Missing (NaN) upper entries stay missing in both places.
    """
    a = np.array(matrix, dtype=float, copy=True)
    n = a.shape[-1]
    iu = np.triu_indices(n, 1)
    a[..., iu[1], iu[0]] = 1.0 / a[..., iu[0], iu[1]]
    a[..., np.arange(n), np.arange(n)] = 1.0
    return a


def check_pairwise(matrix, labels: Sequence[str] | None = None, *, allow_missing: bool = False,
                   source: str | None = None, rtol: float = RECIPROCITY_RTOL):
    """Validate a pairwise matrix or stack; return ``(array, warnings)``.

    * shape must be (n, n) or (k, n, n) with n >= 1;
    * entries must be finite and > 0; NaN marks a missing judgement and is accepted only with
      ``allow_missing`` (both a_ij and a_ji must then be missing); the diagonal must be 1;
    * a_ij * a_ji must equal 1 within ``rtol``; within tolerance the pair is reconciled to the
      exact reciprocal sqrt(a_ij / a_ji) so that rounding such as 0.33 for 1/3 is not amplified
      (matrix by matrix: a matrix of a stack is never changed because another one needed it);
    * judgements outside [1/9, 9] give a warning (some scales allow them), not an error.

    Raises WeightingError naming the first offending cell (and, for a stack, the matrix). An array
    that needs no reconciliation is returned read-only and, if it already was a float64 array, as a
    view of the input, not a copy.
    """
    a, warnings, _ = _check(matrix, labels, allow_missing=allow_missing, source=source, rtol=rtol)
    return a, warnings


def _tri_flat(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of the strict upper triangle (i, j) and of its mirror (j, i) in a row-major n x n matrix."""
    iu0, iu1 = np.triu_indices(n, 1)
    return iu0 * n + iu1, iu1 * n + iu0


def _screen(a: np.ndarray, rtol: float):
    """Fast acceptance of the common, clean case, block by block (on the thread pool) without full-size temporaries.

    Returns ``(array, max entry)`` if every entry is finite and positive, every diagonal entry is
    within 1e-9 of 1 and every a_ij * a_ji within ``rtol`` of 1 -- exactly the matrices without
    missing judgements that the locating checks of :func:`_check` accept, reconciled the same way --
    else None, and the locating checks then run and name the offending cell. Each block's upper
    triangle and its mirror are gathered once (one ``take``) and serve for the range, finiteness
    and reciprocity tests (NaN fails every comparison, so it is never accepted here).
    """
    k, n = (1, a.shape[-1]) if a.ndim == 2 else (a.shape[0], a.shape[-1])
    d = a.diagonal(axis1=-2, axis2=-1)
    diag_exact = bool(d.min() == 1.0 and d.max() == 1.0)
    if not diag_exact and not np.abs(d - 1.0).max() <= 1e-9:
        return None
    flat = a.reshape(k, n * n)
    iu, il = _tri_flat(n)
    cells, m = np.concatenate([iu, il]), len(iu)
    limit = rtol + 1e-12

    def block(sl):
        """(largest entry, matrices to reconcile or None) for one block, or None if it needs the locating checks."""
        pairs = np.take(flat[sl], cells, axis=1)   # a_ij (i < j), then a_ji
        lo, top = pairs.min(initial=1.0), pairs.max(initial=1.0)
        if not (lo > 0 and top < np.inf):      # NaN fails both
            return None
        with np.errstate(over="ignore", under="ignore"):   # 1e300 * 1e10 is inf: not reciprocal, located by _check
            p = pairs[:, :m] * pairs[:, m:]
        pmax, pmin = p.max(initial=1.0), p.min(initial=1.0)
        if pmax - 1.0 > limit or 1.0 - pmin > limit:
            return None
        if pmax - 1.0 <= 1e-14 and 1.0 - pmin <= 1e-14:
            return float(top), None
        p -= 1.0
        return float(top), np.abs(p).max(-1) > 1e-14

    found = _map_blocks(block, k, None)        # blocks on the thread pool of the eigen-solver
    if any(f is None for f in found):
        return None
    hi = max([1.0] + [f[0] for f in found])
    fix = None                                 # matrices to reconcile (bool (k,)), if any needs it
    if any(f[1] is not None for f in found):
        fix = np.concatenate([np.zeros(sl.stop - sl.start, dtype=bool) if f[1] is None else f[1]
                              for f, sl in zip(found, _blocks(k))])
    if not diag_exact:
        dd = d.reshape(k, n)
        off = np.abs(dd * dd - 1.0).max(-1) > 1e-14
        fix = off if fix is None else fix | off
    if fix is not None and fix.any():
        # reconcile small reciprocal rounding exactly, matrix by matrix: a_ij <- sqrt(a_ij / a_ji)
        stack = a.reshape(k, n, n).copy()
        sub = stack[fix]
        sub = np.sqrt(sub / np.swapaxes(sub, -1, -2))
        sub[:, np.arange(n), np.arange(n)] = 1.0
        stack[fix] = sub
        a = stack.reshape(a.shape)
        hi = float(a.max())
    else:
        a = a.view()
        a.flags.writeable = False              # returned without a copy: nobody writes through it
    return a, hi


def _check(matrix, labels: Sequence[str] | None = None, *, allow_missing: bool = False,
           source: str | None = None, rtol: float = RECIPROCITY_RTOL):
    """:func:`check_pairwise`, also returning whether judgements are missing: ``(array, warnings, has_missing)``."""
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise _err(f"判断矩阵含非数值元素 / matrix contains non-numeric entries ({exc})", source=source,
                   field="matrix", code="not_numeric") from None
    if a.ndim not in (2, 3) or a.shape[-1] != a.shape[-2] or a.shape[-1] < 1:
        raise _err(f"判断矩阵必须是方阵 / matrix must be square (n x n) or a stack (k x n x n), got shape "
                   f"{a.shape}", source=source, field="matrix", code="not_square",
                   hint="每行、每列的判断数都应等于比较项数 / every row and column needs one entry per item")
    n = a.shape[-1]
    if labels is not None and len(labels) != n:
        raise _err(f"标签数 {len(labels)} 与矩阵阶数 {n} 不符 / {len(labels)} labels for an {n}x{n} matrix",
                   source=source, field="labels", code="labels_mismatch")
    if a.ndim == 3 and a.shape[0] == 0:
        raise _err("空的矩阵堆栈 / empty stack of matrices", source=source, field="matrix", code="empty")
    screened = _screen(a, rtol)
    if screened is not None:
        a, hi = screened
        return a, _range_warnings(a, hi, labels), False
    a = np.array(a, dtype=float)             # a copy: the checks below reconcile in place
    kk = None
    diag = np.arange(n)
    all_finite = bool(np.isfinite(a).all())     # fast path: one pass for the common, clean case
    nan = None
    if not all_finite:
        bad = np.isinf(a)
        if bad.any():
            kk, i, j = _first(bad)
            raise _err("判断值为无穷大 / judgement is infinite",
                       i, j, labels, kk, source=source, code="not_finite",
                       hint="判断值应为正的有限实数 / judgements must be positive finite numbers")
        nan = np.isnan(a)
        if nan[..., diag, diag].any():
            m = np.zeros_like(nan)
            m[..., diag, diag] = nan[..., diag, diag]
            kk, i, j = _first(m)
            raise _err("对角线元素缺失 / diagonal entry is missing (must be 1)", i, j, labels, kk, source=source,
                       code="bad_diagonal")
        if not allow_missing:
            kk, i, j = _first(nan)
            lower_only = not nan[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]].any()
            hint = ("只填了上三角？使用 --repair upper（reciprocal_from_upper）重建下三角 / only the upper triangle "
                    "is filled? use --repair upper (reciprocal_from_upper) to rebuild the rest" if lower_only else
                    "补全该判断，或选择补全方法：missing='harker'（命令行 --missing harker；Harker 1987，几何平均法时为 "
                    "LLSM 对数最小二乘补全）或 missing='optimal'（--missing optimal；使 λmax 最小的最优补全，Bozóki, "
                    "Fülöp & Rónyai 2010） / fill it in, or choose a completion method: missing='harker' (CLI "
                    "--missing harker; Harker 1987, LLSM logarithmic least squares with the geometric-mean method) or "
                    "missing='optimal' (--missing optimal; the λmax-minimising completion of Bozóki, Fülöp & Rónyai "
                    "2010)")
            raise _err("判断值缺失 / judgement is missing (NaN)", i, j, labels, kk, source=source, code="missing",
                       hint=hint)
        asym = nan != np.swapaxes(nan, -1, -2)
        if asym.any():
            kk, i, j = _first(asym)
            raise _err("缺失判断必须成对 / a missing judgement must be missing in both a_ij and a_ji", i, j, labels,
                       kk, source=source, code="missing_unpaired",
                       hint="补上对称位置的倒数，或也将其留空 / enter the reciprocal or leave both blank")
    lo = a.min() if all_finite else np.nanmin(a)
    if lo <= 0:
        with np.errstate(invalid="ignore"):
            nonpos = a <= 0
        kk, i, j = _first(nonpos)
        v = a[i, j] if kk is None else a[kk, i, j]
        raise _err(f"判断值必须为正数 / judgement must be positive, got {v:g}", i, j, labels, kk, source=source,
                   code="not_positive", hint="用 1/3 这样的倒数表示“不如” / express 'less important' as a "
                                             "reciprocal such as 1/3")
    d = a[..., diag, diag]
    if not np.abs(d - 1.0).max() <= 1e-9:
        m = np.zeros(a.shape, dtype=bool)
        m[..., diag, diag] = np.abs(d - 1.0) > 1e-9
        kk, i, j = _first(m)
        v = a[i, j] if kk is None else a[kk, i, j]
        raise _err(f"对角线元素必须为 1 / diagonal entry must be 1, got {v:g}", i, j, labels, kk, source=source,
                   code="bad_diagonal")
    with np.errstate(invalid="ignore", over="ignore"):  # 1e308 * 4 is inf: not reciprocal, reported below
        dev = np.abs(a * np.swapaxes(a, -1, -2) - 1.0)
    worst = dev.max() if all_finite else np.nanmax(dev)
    if worst > rtol + 1e-12:
        with np.errstate(invalid="ignore"):
            nonrec = dev > rtol + 1e-12
        m = np.triu(np.ones((n, n), dtype=bool), 1) & nonrec
        kk, i, j = _first(m)
        v = a[i, j] if kk is None else a[kk, i, j]
        w = a[j, i] if kk is None else a[kk, j, i]
        raise _err(f"矩阵不是互反矩阵 / matrix is not reciprocal: a[{i + 1},{j + 1}] = {v:g} but "
                   f"a[{j + 1},{i + 1}] = {w:g} (expected {1 / v:.4g})", i, j, labels, kk, source=source,
                   code="not_reciprocal",
                   hint="只填写上三角，或使用 --repair upper 由上三角重建 / fill only the upper triangle or "
                        "use --repair upper to rebuild the lower triangle from it")
    if worst > 1e-14:
        # reconcile small reciprocal rounding exactly, matrix by matrix: a_ij <- sqrt(a_ij / a_ji)
        stack = a.reshape(-1, n, n)
        fix = np.nanmax(dev.reshape(len(stack), n * n), axis=-1) > 1e-14   # the diagonal is never NaN
        with np.errstate(invalid="ignore"):
            sub = np.sqrt(stack[fix] / np.swapaxes(stack[fix], -1, -2))
        sub[:, diag, diag] = 1.0
        stack[fix] = sub
    hi = a.max() if all_finite else np.nanmax(a)
    return a, _range_warnings(a, hi, labels), not all_finite


def _range_warnings(a: np.ndarray, hi: float, labels: Sequence[str] | None) -> tuple[str, ...]:
    """Warnings for judgements outside Saaty's 1/9..9 scale (at most 20 named, then a count)."""
    n = a.shape[-1]
    warnings: list[str] = []
    if hi > 9.0 * (1 + 1e-9):   # a_ij > 9 <=> a_ji < 1/9 (reciprocal), so the maximum decides
        with np.errstate(invalid="ignore"):
            out = (a > 9.0 * (1 + 1e-9)) | (a < (1 / 9.0) * (1 - 1e-9))
        out &= np.triu(np.ones((n, n), dtype=bool), 1)
        for idx in np.argwhere(out)[:20]:
            kk2, i, j = (None, *idx) if a.ndim == 2 else idx
            v = a[i, j] if kk2 is None else a[kk2, i, j]
            warnings.append(f"{cell_name(int(i), int(j), labels, None if kk2 is None else int(kk2))}: "
                            f"判断值 {v:g} 超出 1/9..9 标度 / judgement {v:g} is outside Saaty's 1/9..9 scale")
        extra = int(out.sum()) - 20
        if extra > 0:
            warnings.append(f"... 另有 {extra} 处 / and {extra} more")
    return tuple(warnings)
