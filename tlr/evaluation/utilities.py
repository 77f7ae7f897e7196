"""Stage 3, utilities: every consensus and every expert's score as a utility in [0, 1].

NaN stays NaN (no score); an indicator that does not apply to a project is masked to NaN in the
panel utilities. Grades are the exception to "utility of the consensus": their utility is the mean
of the experts' grade utilities (the fuzzy-comprehensive reading of a panel).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

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
    """Panel utilities of the *consensus* (P, I) and expert utilities of the *scores* (E, P, I)."""
    E, P, I = scores.shape
    U = np.full((P, I), np.nan)
    X = np.full((E, P, I), np.nan)
    for i, node in enumerate(nodes):  # one vectorised call per indicator
        X[:, :, i] = indicator_utility(node, scores[:, :, i])
        if kind_of(node.scale).panel_utility == EXPERTS_MEAN:
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a cell nobody graded: NaN, said so
                U[:, i] = np.nanmean(X[:, :, i], axis=0)
        else:
            U[:, i] = indicator_utility(node, consensus[:, i])
    return Utilities(panel=np.where(applicable, U, np.nan), experts=X)


__all__ = ["Utilities", "utilities_of", "indicator_utility", "level_points", "grade_utilities"]
