"""Stage 3, utilities: every consensus and every expert's score as a utility in [0, 1].

NaN stays NaN (no score); an indicator that does not apply to a project is masked to NaN in the
panel utilities. Grades are the exception to "utility of the consensus": their utility is the mean
of the experts' grade utilities (the fuzzy-comprehensive reading of a panel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import project_blocks
from tlr.panel.cells import columns, set_columns
from tlr.rubric import NodeInfo
from tlr.rubric.kinds import EXPERTS_MEAN, kind_of


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
    return kind_of(node.scale).points_table(node.scale, node.model.points)


def grade_utilities(scale) -> np.ndarray:
    """Utility of each grade: its value rescaled to [0, 1] between the lowest and highest (all 1 if equal)."""
    return kind_of(scale).grade_utilities(scale)


def indicator_utility(node: NodeInfo, values: np.ndarray) -> np.ndarray:
    """Utility in [0, 1] of stored scores *values* (any shape) on *node*'s scale; NaN stays NaN."""
    return kind_of(node.scale).utility(node.scale, values, node.model.points)


def utilities_of(nodes: list[NodeInfo], consensus: np.ndarray, scores: np.ndarray,
                 applicable: np.ndarray) -> Utilities:
    """Panel utilities of the *consensus* (P, I) and expert utilities of the *scores* (E, P, I).

    The expert utilities are computed in blocks of projects (each cell on its own: the same numbers); a
    score a scale refuses is reported as the whole column would report it.
    """
    E, P, I = scores.shape
    U = np.full((P, I), np.nan)
    X = np.empty((E, P, I))
    groups = same_utility(nodes)
    try:
        for sl in project_blocks(P, E * I):
            block, out = scores[:, sl], X[:, sl]
            for cols in groups:  # one vectorised call per block and scale, on its columns made contiguous
                set_columns(out, cols, indicator_utility(nodes[cols[0]], np.ascontiguousarray(columns(block, cols))))
    except Exception:  # the message names the values of the whole column, as the unblocked call does
        for i, node in enumerate(nodes):
            indicator_utility(node, scores[:, :, i])
        raise
    for i, node in enumerate(nodes):
        if kind_of(node.scale).panel_utility == EXPERTS_MEAN:
            U[:, i] = experts_mean(X[:, :, i])
        else:
            U[:, i] = indicator_utility(node, consensus[:, i])
    return Utilities(panel=np.where(applicable, U, np.nan), experts=X)


def same_utility(nodes: list[NodeInfo]) -> list[list[int]]:
    """Columns of the indicators whose scores map to utilities the same way (same scale, same points)."""
    groups: list[tuple[NodeInfo, list[int]]] = []
    for i, node in enumerate(nodes):
        for first, cols in groups:
            if first.scale == node.scale and first.model.points == node.model.points:
                cols.append(i)
                break
        else:
            groups.append((node, [i]))
    return [cols for _, cols in groups]


def experts_mean(x: np.ndarray) -> np.ndarray:
    """(E, P) -> (P,) mean of the experts' utilities present; NaN where nobody scored (said so elsewhere)."""
    present = ~np.isnan(x)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, x, 0.0).sum(axis=0) / n


__all__ = ["Utilities", "utilities_of", "indicator_utility", "level_points", "grade_utilities"]
