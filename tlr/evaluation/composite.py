"""Stage 4, composite: the scored indicators' utilities combined into one number per project.

The rubric's aggregation decides how: the weighted sum of global weights (default), TOPSIS (on the
utilities, or in raw mode on the consensus values themselves), or the fuzzy comprehensive evaluation. **Missing data is explicit.** An indicator nobody scored for a
project leaves the composite to the indicators present (weights renormalised over them) and the
project is flagged ``incomplete``; a project nobody scored has no composite (NaN) and is ``unscored``.
Dimension scores are the same renormalised weighted sum within each dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.engine.aggregation import fce, topsis
from tlr.findings import Finding
from tlr.numeric.arrays import project_blocks
from tlr.panel.cells import columns
from tlr.rubric import NodeInfo, Rubric

from .utilities import Utilities, grade_utilities


@dataclass(frozen=True)
class Composite:
    """Attributes (scores on 0..1; the evaluation reports them on the rubric's 0..score_scale):
        scored: columns of the indicators with role ``score``, in rubric order.
        weights: (L,) their global weights.
        dimensions: every dimension node id, depth-first.
        dimension_scores: (P, D) renormalised weighted sum within each dimension.
        value: (P,) the composite by the rubric's aggregation; NaN for unscored projects.
        incomplete: (P,) a scored indicator that applies has no utility.
        unscored: (P,) nobody scored the project at all.
        aggregation: ``weighted_sum`` | ``topsis`` | ``fuzzy``.
        topsis_mode: ``utility`` | ``raw`` for TOPSIS, else None.
        raw_excluded: (P,) raw TOPSIS only: scored projects left without a closeness because a raw value
            they need is missing (or does not apply); they are also ``incomplete``.
    """

    scored: tuple[int, ...]
    weights: np.ndarray
    dimensions: tuple[str, ...]
    dimension_scores: np.ndarray
    value: np.ndarray
    incomplete: np.ndarray
    unscored: np.ndarray
    aggregation: str
    topsis_mode: str | None = None
    raw_excluded: np.ndarray | None = None

    @property
    def notes(self) -> tuple[Finding, ...]:
        if self.aggregation == "weighted_sum":
            return ()
        notes = (Finding("note_robustness_weighted_sum", {"aggregation": self.aggregation}),)
        if self.raw_excluded is not None and self.raw_excluded.any():
            notes += (Finding("note_topsis_raw_excluded", {"projects": int(self.raw_excluded.sum())}),)
        return notes


def renormalised(U: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Weighted sum of the utilities present, over the weight present: ``U`` (P, L), ``W`` (L,) or (L, D).

    NaN where no weight is present (nothing scored).
    """
    present = ~np.isnan(U)
    den = present @ W
    return np.where(den > 0, np.nan_to_num(U) @ W / np.where(den > 0, den, 1.0), np.nan)


def impute_missing(U: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fill a project's missing leaf utilities with its renormalised composite (so U @ w equals it).

    Rows with no utility at all stay NaN (unscored projects).
    """
    return np.where(~np.isnan(U), U, renormalised(U, w)[:, None])


def dimension_membership(rubric: Rubric, leaves: list[NodeInfo]) -> tuple[list[NodeInfo], np.ndarray]:
    """The dimension nodes (depth-first) and the (leaves, dimensions) 0/1 matrix of which leaf is under which."""
    dims = [n for n in rubric.nodes if n.kind == "dimension"]
    membership = np.array([[dim.id in leaf.path for dim in dims] for leaf in leaves], dtype=float)
    return dims, membership.reshape(len(leaves), len(dims))


def topsis_composite(U: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Closeness coefficient of the (imputed) utilities; every criterion a benefit (utilities are oriented)."""
    return topsis(U, w).closeness


#: Scale kinds whose consensus value enters raw TOPSIS as it is (higher is better unless a numeric
#: scale says ``direction: cost``); every other kind enters by its utility (0-1, higher is better).
RAW_KINDS = ("numeric", "likert", "levels")


def raw_criteria(leaves: list[NodeInfo], values: np.ndarray, Us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The raw decision matrix (P, L) and benefit flags of the scored *leaves* for raw-mode TOPSIS.

    Numeric indicators: the consensus in their unit, benefit or cost by the scale's ``direction``;
    likert and levels: the consensus on their own scale, higher is better; other kinds (boolean,
    grades, registered kinds): the panel utility. *values* are the consensus values of the leaves,
    *Us* their panel utilities (NaN where the indicator does not apply).
    """
    X = np.empty_like(Us)
    benefit = np.ones(len(leaves), dtype=bool)
    for j, leaf in enumerate(leaves):
        kind = getattr(leaf.scale, "kind", None)
        if kind in RAW_KINDS:
            X[:, j] = np.where(np.isnan(Us[:, j]), np.nan, values[:, j])   # not applicable -> missing
            benefit[j] = getattr(leaf.scale, "direction", "benefit") != "cost"
        else:
            X[:, j] = Us[:, j]
    return X, benefit


def raw_topsis_composite(X: np.ndarray, benefit: np.ndarray, w: np.ndarray, rows: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Closeness of the *rows* whose raw values are all present; (closeness (P,), excluded (P,)).

    Raw values cannot be imputed across units, so a project missing one is left without a closeness
    (and the ideal points come from the complete projects). A criterion that is zero for every
    project carries no information and is left out (vector normalisation needs a non-zero column).
    """
    complete = rows & ~np.isnan(X).any(axis=1)
    out = np.full(X.shape[0], np.nan)
    if complete.any():
        Xc = X[complete]
        keep = (Xc != 0).any(axis=0) & (w > 0)
        if keep.any():
            out[complete] = topsis(Xc[:, keep], w[keep], benefit[keep]).closeness
    return out, rows & ~complete


def fuzzy_composite(rubric: Rubric, U: np.ndarray, X: np.ndarray, w: np.ndarray,
                    rows: np.ndarray | None = None) -> np.ndarray:
    """Fuzzy comprehensive evaluation over the rubric's grades scale, rescaled to [0, 1].

    Each expert's utility on a leaf is assigned to the nearest grade (grade values rescaled to
    [0, 1]); memberships are the shares of the panel per grade (专家评判频率法); a leaf nobody scored
    takes the membership of the project's composite (*U* is imputed); B = A ∘ R with the rubric's
    operator; score = B (normalised) · grade values, rescaled between the lowest and highest value.
    *rows* (indices into the projects of *X*) are the projects of *U*, when *X* holds more.
    """
    doc = rubric.document
    grades = doc.scales[doc.aggregation.grades]
    values = np.array([g.value for g in grades.grades], dtype=float)
    lo, hi = values.min(), values.max()
    grade_u = grade_utilities(grades)
    K = len(values)
    rows = np.arange(U.shape[0]) if rows is None else rows
    R = np.empty(U.shape + (K,))
    for sl in project_blocks(len(rows), X.shape[0] * X.shape[2] * K):  # the (E, P, L, K) votes a block at a time
        R[sl] = memberships(X[:, rows[sl]], U[sl], grade_u)
    score = fce(R, w, values, operator=doc.aggregation.operator).score
    return (score - lo) / (hi - lo) if hi > lo else score


def memberships(X: np.ndarray, U: np.ndarray, grade_u: np.ndarray) -> np.ndarray:
    """(P, L, K) share of the experts of *X* (E, P, L) whose utility is nearest each grade; a leaf nobody
    scored takes the grade nearest the project's *U* (P, L)."""
    K = len(grade_u)
    present = ~np.isnan(X)
    nearest = np.abs(np.nan_to_num(X)[..., None] - grade_u).argmin(axis=-1)          # (E, P, L)
    votes = (present[..., None] & (nearest[..., None] == np.arange(K))).sum(axis=0)
    n = votes.sum(axis=-1, keepdims=True)
    R = np.where(n > 0, votes / np.maximum(n, 1), 0.0)
    fill = np.abs(U[..., None] - grade_u).argmin(axis=-1)
    return np.where(n > 0, R, (fill[..., None] == np.arange(K)).astype(float))


def alternative_composite(rubric: Rubric, method: str, Us: np.ndarray, Xs: np.ndarray, w: np.ndarray,
                          unscored: np.ndarray) -> np.ndarray:
    """Composite in [0, 1] by ``topsis`` or ``fuzzy`` for the scored projects; NaN for the unscored.

    Missing leaf utilities are first filled with the project's weighted-sum composite over the leaves
    scored (the same rule the weighted sum uses), so every method sees the same information.
    """
    U = impute_missing(Us, w)
    rows = ~unscored
    out = np.full(U.shape[0], np.nan)
    if not rows.any():
        return out
    if method == "topsis":
        out[rows] = topsis_composite(U[rows], w)
        return out
    out[rows] = fuzzy_composite(rubric, U[rows], Xs, w, rows=np.flatnonzero(rows))
    return out


def composite_of(rubric: Rubric, utilities: Utilities, scores: np.ndarray, applicable: np.ndarray,
                 values: np.ndarray | None = None) -> Composite:
    """Composite and dimension scores of every project from its panel utilities.

    *values* (P, I) are the consensus values in the indicators' own units; raw-mode TOPSIS needs them.
    """
    nodes = rubric.indicators
    scored = tuple(i for i, node in enumerate(nodes) if node.role == "score")
    leaves = [nodes[i] for i in scored]
    w = np.array([leaf.global_weight for leaf in leaves])
    dims, membership = dimension_membership(rubric, leaves)
    Us = utilities.panel[:, list(scored)]
    unscored = np.isnan(scores).all(axis=(0, 2))
    incomplete = ~unscored & (np.isnan(Us) & applicable[:, list(scored)]).any(axis=1)
    agg = rubric.document.aggregation
    aggregation = agg.method
    mode = agg.topsis.mode if aggregation == "topsis" else None
    excluded = None
    if aggregation == "weighted_sum":
        value = renormalised(Us, w)
    elif mode == "raw":
        if values is None:
            raise ValueError("raw-mode TOPSIS needs the consensus values")
        X, benefit = raw_criteria(leaves, values[:, list(scored)], Us)
        value, excluded = raw_topsis_composite(X, benefit, w, ~unscored)
        incomplete = incomplete | excluded
    else:
        value = alternative_composite(rubric, aggregation, Us, columns(utilities.experts, scored), w, unscored)
    return Composite(scored=scored, weights=w, dimensions=tuple(d.id for d in dims),
                     dimension_scores=renormalised(Us, membership * w[:, None]), value=value,
                     incomplete=incomplete, unscored=unscored, aggregation=aggregation, topsis_mode=mode,
                     raw_excluded=excluded)


__all__ = ["Composite", "composite_of", "renormalised", "impute_missing", "alternative_composite",
           "dimension_membership", "raw_criteria", "raw_topsis_composite", "RAW_KINDS"]
