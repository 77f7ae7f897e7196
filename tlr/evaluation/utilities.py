"""Stage 3, utilities: every consensus and every expert's score as a utility in [0, 1].

NaN stays NaN (no score); an indicator that does not apply to a project is masked to NaN in the
panel utilities. Grades are the exception to "utility of the consensus": their utility is the mean
of the experts' grade utilities (the fuzzy-comprehensive reading of a panel).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from tlr.engine import utility
from tlr.rubric import NodeInfo
from tlr.rubric.model import (
    BooleanScale,
    GradesScale,
    LevelsScale,
    LikertScale,
    LinearTransform,
    NumericScale,
    PiecewiseTransform,
    ThresholdTransform,
)


@dataclass(frozen=True)
class Utilities:
    """Attributes:
        panel: (P, I) utility of the consensus; NaN = no score, or the indicator does not apply.
        experts: (E, P, I) utility of every expert's score; NaN = no score.
    """

    panel: np.ndarray
    experts: np.ndarray


def level_points(node: NodeInfo) -> dict[int, float]:
    """Points table of a levels indicator: the indicator's own, else the scale's, else evenly spaced by rank."""
    scale = node.scale
    if node.model.points:
        return {int(k): float(v) for k, v in node.model.points.items()}
    levels = [lv.level for lv in scale.levels]
    if all(lv.points is not None for lv in scale.levels):
        return {lv.level: float(lv.points) for lv in scale.levels}
    n = len(levels) - 1
    return {lv: i / n for i, lv in enumerate(levels)}


def grade_utilities(scale: GradesScale) -> np.ndarray:
    """Utility of each grade: its value rescaled to [0, 1] between the lowest and highest (all 1 if equal)."""
    values = np.array([g.value for g in scale.grades], dtype=float)
    lo, hi = values.min(), values.max()
    return (values - lo) / (hi - lo) if hi > lo else np.ones_like(values)


def _numeric_utility(scale: NumericScale, x: np.ndarray) -> np.ndarray:
    t = scale.transform
    if isinstance(t, LinearTransform):
        return utility.linear(x, t.lower, t.upper, scale.direction)
    if isinstance(t, ThresholdTransform):
        return utility.thresholds(x, [s.at for s in t.steps], [t.below] + [s.utility for s in t.steps])
    if isinstance(t, PiecewiseTransform):
        return utility.piecewise(x, [pt[0] for pt in t.points], [pt[1] for pt in t.points])
    raise TypeError(f"no utility for transform {t!r}")  # pragma: no cover


def indicator_utility(node: NodeInfo, values: np.ndarray) -> np.ndarray:
    """Utility in [0, 1] of stored scores *values* (any shape) on *node*'s scale; NaN stays NaN."""
    scale = node.scale
    x = np.asarray(values, dtype=float)
    if isinstance(scale, LevelsScale):
        return utility.levels(x, level_points(node))
    if isinstance(scale, LikertScale):
        return utility.likert(x, scale.min, scale.max)
    if isinstance(scale, BooleanScale):
        return x if scale.pass_value else np.where(np.isnan(x), np.nan, 1.0 - x)
    if isinstance(scale, GradesScale):
        norm = grade_utilities(scale)
        idx = np.nan_to_num(x, nan=0).astype(int)
        return np.where(np.isnan(x), np.nan, norm[np.clip(idx, 0, len(norm) - 1)])
    if isinstance(scale, NumericScale):
        return _numeric_utility(scale, x)
    raise TypeError(f"no utility for scale {scale!r}")  # pragma: no cover


def utilities_of(nodes: list[NodeInfo], consensus: np.ndarray, scores: np.ndarray,
                 applicable: np.ndarray) -> Utilities:
    """Panel utilities of the *consensus* (P, I) and expert utilities of the *scores* (E, P, I)."""
    E, P, I = scores.shape
    U = np.full((P, I), np.nan)
    X = np.full((E, P, I), np.nan)
    for i, node in enumerate(nodes):  # one vectorised call per indicator
        X[:, :, i] = indicator_utility(node, scores[:, :, i])
        if isinstance(node.scale, GradesScale):
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a cell nobody graded: NaN, said so
                U[:, i] = np.nanmean(X[:, :, i], axis=0)
        else:
            U[:, i] = indicator_utility(node, consensus[:, i])
    return Utilities(panel=np.where(applicable, U, np.nan), experts=X)


__all__ = ["Utilities", "utilities_of", "indicator_utility", "level_points", "grade_utilities"]
