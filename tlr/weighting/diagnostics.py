"""Consistency diagnostics: which judgement to revisit, what value would fit, and the CR after.

一致性诊断：哪一个判断最需要修改、建议值是多少、修改后的 CR。
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .priorities import (
    consistency_index,
    cr_threshold,
    eigenvector,
    gci,
    gci_threshold,
    geometric_mean,
)
from .results import Suggestion
from .ri import DEFAULT_RI_TABLE, ri_value
from .validate import SAATY_SCALE

__all__ = ["repair_suggestions", "repair_plan", "deviation_matrix", "snap_to_scale"]


def deviation_matrix(matrix, weights) -> np.ndarray:
    """epsilon_ij = a_ij * w_j / w_i (1 = the judgement agrees with the priorities)."""
    a = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)
    return a * w[..., None, :] / w[..., :, None]


def snap_to_scale(values, scale=SAATY_SCALE) -> np.ndarray:
    """Nearest value of the scale in log space (1/9 ... 9 by default)."""
    v = np.asarray(values, dtype=float)
    ls = np.log(scale)
    idx = np.abs(np.log(v)[..., None] - ls).argmin(-1)
    return np.asarray(scale)[idx]


def repair_suggestions(matrix, weights, *, ri: str = DEFAULT_RI_TABLE, labels: Sequence[str] | None = None,
                       limit: int = 5, candidates=None, rank_by: str = "cr") -> tuple[Suggestion, ...]:
    """Rank single-judgement repairs of a complete reciprocal matrix.

    For every judgement a_ij (i < j) the value consistent with the priorities is w_i / w_j. All
    n(n-1)/2 repaired matrices (and their versions rounded to Saaty's scale) are evaluated in one
    vectorised eigen-computation, and the repairs are ranked by the CR they leave (lowest first;
    ``rank_by="gci"`` ranks by the GCI left, for the geometric-mean method; ties by the size of the
    deviation |ln(a_ij w_j / w_i)|). ``candidates`` (bool (n, n)) restricts suggestions to given
    judgements (e.g. not the cells filled in for an incomplete matrix). Judgements already consistent
    (deviation within 1e-9) are not suggested.
    """
    a = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = a.shape[0]
    iu = np.triu_indices(n, 1)
    pi, pj = iu
    if candidates is not None:
        keep = np.asarray(candidates, dtype=bool)[pi, pj]
        pi, pj = pi[keep], pj[keep]
    dev = a[pi, pj] * w[pj] / w[pi]
    keep = np.abs(np.log(dev)) > 1e-9
    pi, pj, dev = pi[keep], pj[keep], dev[keep]
    if pi.size == 0 or limit <= 0:
        return ()
    sug = w[pi] / w[pj]
    snap = snap_to_scale(sug)
    p = pi.size
    r = np.arange(p)
    stack = np.repeat(a[None], 2 * p, axis=0)
    vals = np.concatenate([sug, snap])
    ii, jj = np.concatenate([pi, pi]), np.concatenate([pj, pj])
    rr = np.arange(2 * p)
    stack[rr, ii, jj] = vals
    stack[rr, jj, ii] = 1.0 / vals
    _, lam = eigenvector(stack)
    cr = consistency_index(lam, n) / ri_value(ri, n)
    g = gci(stack[:p])
    key = g if rank_by == "gci" else cr[:p]
    order = np.lexsort((-np.abs(np.log(dev)), key))[:limit]
    name = (lambda i: str(labels[i]) if labels is not None else str(i + 1))
    return tuple(
        Suggestion(rank=rank + 1, i=int(pi[q]), j=int(pj[q]), row=name(int(pi[q])), column=name(int(pj[q])),
                   current=float(a[pi[q], pj[q]]), suggested=float(sug[q]), suggested_scale=float(snap[q]),
                   deviation=float(dev[q]), cr_after=float(cr[q]), cr_after_scale=float(cr[p + q]),
                   gci_after=float(g[q]))
        for rank, q in enumerate(order)
    )


def repair_plan(matrix, *, method: str = "eigenvector", ri: str = DEFAULT_RI_TABLE, threshold: float | None = None,
                labels: Sequence[str] | None = None, max_steps: int | None = None,
                candidates=None, measure: str | None = None) -> tuple[Suggestion, ...]:
    """A greedy sequence of edits that makes the matrix acceptable, in one pass for the rubric author.

    At each step the best single repair (as ranked by :func:`repair_suggestions`, by CR for the
    eigenvector method and by GCI for the geometric-mean method) is applied with its value rounded
    to Saaty's scale (the exact value w_i/w_j if the rounded one does not improve; ``measure`` "cr" or
    "gci" overrides the method's index), and the matrix is
    re-evaluated; consecutive edits of the same judgement are merged into one step with the final
    value. Stops as soon as the matrix meets the threshold (the method's published default if
    None), when no single edit improves it any more, or after ``max_steps`` (default n(n-1)). In each returned
    Suggestion, ``current`` is the original judgement, ``suggested`` the exact value w_i/w_j at that
    step, ``suggested_scale`` the value actually applied, and ``cr_after`` (= ``cr_after_scale``) and
    ``gci_after`` the CR / GCI with this and all previous edits applied. Empty if the matrix is already
    acceptable.
    """
    a = np.array(matrix, dtype=float)
    n = a.shape[0]
    if n < 3:
        return ()
    ri_n = ri_value(ri, n)
    if measure is None:
        measure = "gci" if method == "geometric_mean" else "cr"
    thr = threshold if threshold is not None else (gci_threshold(n) if measure == "gci" else cr_threshold(n))
    allowed = np.ones((n, n), dtype=bool) if candidates is None else np.array(candidates, dtype=bool)
    steps: list[Suggestion] = []
    limit = max_steps if max_steps is not None else n * (n - 1)

    def evaluate(m):
        w, lam = eigenvector(m)
        cr = float(consistency_index(lam, n)) / ri_n
        g = float(gci(m))
        if method == "geometric_mean":
            w = geometric_mean(m)
        return w, cr, g

    w, cr, g = evaluate(a)
    original = a.copy()
    while len(steps) < limit and (g if measure == "gci" else cr) > thr + 1e-12:
        best = repair_suggestions(a, w, ri=ri, labels=labels, limit=1, candidates=allowed, rank_by=measure)
        if not best:
            break
        s = best[0]
        trial = a.copy()
        trial[s.i, s.j], trial[s.j, s.i] = s.suggested_scale, 1.0 / s.suggested_scale
        w2, cr2, g2 = evaluate(trial)
        before = g if measure == "gci" else cr
        if (g2 if measure == "gci" else cr2) >= before:  # rounding to the scale does not help: exact value
            trial[s.i, s.j], trial[s.j, s.i] = s.suggested, 1.0 / s.suggested
            w2, cr2, g2 = evaluate(trial)
            if (g2 if measure == "gci" else cr2) >= before - 1e-12:
                break
        a = trial
        if steps and (steps[-1].i, steps[-1].j) == (s.i, s.j):   # same judgement again: one edit, final value
            steps.pop()
        steps.append(Suggestion(rank=len(steps) + 1, i=s.i, j=s.j, row=s.row, column=s.column,
                                current=float(original[s.i, s.j]), suggested=s.suggested,
                                suggested_scale=float(a[s.i, s.j]), deviation=s.deviation, cr_after=cr2, cr_after_scale=cr2,
                                gci_after=g2))
        w, cr, g = w2, cr2, g2
    return tuple(steps)
