"""AHP priorities and consistency of checked judgements, vectorised over stacks of matrices: :func:`ahp`.

:func:`ahp` accepts one matrix of shape (n, n) or a stack of shape (k, n, n), validates it, completes
missing judgements, and reports priorities, CI / CR / GCI and repair suggestions. The vectorised
primitives it builds on (eigenvector, geometric mean, consistency indices) are in
:mod:`tlr.weighting.priorities` and re-exported here.

层次分析法：特征向量法、行几何平均法、一致性比率 CR 与几何一致性指标 GCI，支持批量矩阵。
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from . import incomplete
from .diagnostics import repair_plan, repair_suggestions
from .priorities import (
    BLOCK,
    CR_THRESHOLD_SOURCE,
    GCI_THRESHOLD_SOURCE,
    METHODS,
    consistency_index,
    consistency_ratio,
    cr_threshold,
    eigenvector,
    gci,
    gci_threshold,
    geometric_mean,
)
from .results import AHPResult
from .ri import DEFAULT_RI_TABLE, _get_table, ri_value
from .validate import _check

__all__ = ["ahp", "eigenvector", "geometric_mean", "gci", "consistency_index", "consistency_ratio",
           "cr_threshold", "gci_threshold", "METHODS", "BLOCK"]


# --------------------------------------------------------------------------- the main entry point

def ahp(matrix, method: str = "eigenvector", ri: str = DEFAULT_RI_TABLE, threshold: float | None = None,
        missing: str = "error", *, labels: Sequence[str] | None = None, suggestions: int = 5,
        consistency: str = "auto", tol: float = 1e-12, source: str | None = None) -> AHPResult:
    """Priorities and consistency of a pairwise comparison matrix (or a stack of them).

    Parameters
    ----------
    matrix : array-like (n, n) or (k, n, n)
        Positive reciprocal judgements; any positive real is accepted (2.5 is fine). NaN marks a
        missing judgement (both a_ij and a_ji).
    method : "eigenvector" (Saaty's principal eigenvector) or "geometric_mean" (row geometric mean).
    ri : id of a random-index table in ``RI_TABLES``.
    threshold : acceptance threshold; None uses the method's published default: CR <= 0.05 / 0.08 /
        0.10 for n = 3 / 4 / >= 5 (Saaty 1994) for the eigenvector method, GCI <= 0.31 / 0.35 / 0.37
        (Aguarón & Moreno-Jiménez 2003) for the geometric-mean method. A number applies to CR for
        "eigenvector" and to GCI for "geometric_mean".
    missing : "error" (a NaN raises WeightingError naming the cell), "harker" (Harker 1987; with the
        geometric-mean method the incomplete logarithmic least-squares solution, its analogue) or
        "optimal" (completion minimising lambda_max, Bozóki, Fülöp & Rónyai 2010; single matrix
        only). A disconnected comparison graph always raises.
    labels : item names, used in messages and suggestions.
    suggestions : how many ranked repair suggestions to compute (single matrix only; 0 = none).
    consistency : which index decides ``consistent`` (and what ``threshold`` refers to): "auto" (CR for
        the eigenvector method, GCI for the geometric-mean method, the published pairing), "cr" or
        "gci". A rubric field that is explicitly a maximum CR should pass ``consistency="cr"``.

    Returns
    -------
    AHPResult
    """
    if consistency not in ("auto", "cr", "gci"):
        raise WeightingError(f"未知的一致性指标 / unknown consistency={consistency!r}",
                             location=Location(field="consistency"), hint="auto, cr 或 / or gci",
                             code="unknown_consistency")
    if method not in METHODS:
        raise WeightingError(f"未知的排序方法 / unknown method {method!r}", location=Location(field="method"),
                             hint="eigenvector 或 / or geometric_mean", code="unknown_method")
    if missing not in ("error", "harker", "optimal"):
        raise WeightingError(f"未知的缺失处理方式 / unknown missing={missing!r}", location=Location(field="missing"),
                             hint="error, harker 或 / or optimal", code="unknown_missing")
    if threshold is not None and not (isinstance(threshold, (int, float, np.floating)) and np.isfinite(threshold)
                                      and threshold >= 0):
        raise WeightingError(f"一致性阈值无效 / invalid threshold {threshold!r}", location=Location(field="threshold"),
                             hint="使用非负数，如 0.1，或 None 采用公开阈值 / use a non-negative number such as 0.1, "
                                  "or None for the published default", code="bad_threshold")
    table = _get_table(ri)
    if labels is None and hasattr(matrix, "columns") and hasattr(matrix, "to_numpy"):  # a labelled DataFrame
        labels = [str(c) for c in matrix.columns]
    a, warns, has_missing = _check(matrix, labels, allow_missing=missing != "error", source=source)
    single = a.ndim == 2
    n = a.shape[-1]
    ri_val = ri_value(table.id, n)
    stack = a[None] if single else a

    iters = 0
    if has_missing:
        incomplete.check_connected(stack, labels, source=source)
        if missing == "optimal":
            if not single:
                raise WeightingError("最优补全只支持单个矩阵 / missing='optimal' supports one matrix at a time",
                                     location=Location(field="missing"), hint="用 missing='harker' 批量处理 / "
                                     "use missing='harker' for stacks", code="unsupported")
            completed = incomplete.optimal_completion(stack[0])[None]
        elif method == "geometric_mean":
            completed = incomplete.llsm_complete(stack)
        else:
            completed = incomplete.harker_complete(stack)
    else:
        completed = stack

    if method == "eigenvector":
        w, lam, info = eigenvector(completed, tol=tol, return_info=True)
        iters = info["iterations"]
    else:
        w = geometric_mean(completed)
        _, lam, info = eigenvector(completed, tol=tol, return_info=True)
        iters = info["iterations"]
    ci = consistency_index(lam, n)
    cr = ci / ri_val if n > 2 else ci
    g = gci(completed)
    measure_used = ("cr" if method == "eigenvector" else "gci") if consistency == "auto" else consistency
    if measure_used == "cr":
        thr = cr_threshold(n) if threshold is None else float(threshold)
        consistent = cr <= thr + 1e-12
        measure, thr_src = "cr", CR_THRESHOLD_SOURCE if threshold is None else "user"
    else:
        thr = gci_threshold(n) if threshold is None else float(threshold)
        consistent = g <= thr + 1e-12
        measure, thr_src = "gci", GCI_THRESHOLD_SOURCE if threshold is None else "user"

    sugg: tuple = ()
    plan: tuple = ()
    if single and n >= 3 and suggestions > 0:
        known = ~np.isnan(stack[0])
        sugg = repair_suggestions(completed[0], w[0], ri=table.id, labels=labels, limit=suggestions,
                                  candidates=known, rank_by=measure)
        if not bool(consistent[0]):
            plan = repair_plan(completed[0], method=method, ri=table.id, threshold=thr, labels=labels,
                               candidates=known, measure=measure)

    if single:
        return AHPResult(weights=w[0], lambda_max=float(lam[0]), ci=float(ci[0]), cr=float(cr[0]), ri=ri_val,
                         gci=float(g[0]), consistent=bool(consistent[0]), method=method, ri_table=table.id,
                         threshold=thr, threshold_source=thr_src, consistency_measure=measure, n=n,
                         labels=tuple(labels) if labels is not None else None, suggestions=sugg,
                         repair_plan=plan, missing=missing if has_missing else "none", completed=completed[0], iterations=iters,
                         warnings=warns)
    return AHPResult(weights=w, lambda_max=lam, ci=ci, cr=cr, ri=ri_val, gci=g, consistent=consistent,
                     method=method, ri_table=table.id, threshold=thr, threshold_source=thr_src,
                     consistency_measure=measure, n=n, labels=tuple(labels) if labels is not None else None,
                     suggestions=(), missing=missing if has_missing else "none", completed=completed,
                     iterations=iters, warnings=warns)
