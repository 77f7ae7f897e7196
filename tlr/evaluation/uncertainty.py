"""Each project's composite standard error from a calibrated panel (``panel.calibration: additive | bayesian``).

The rater-effects model gives every calibrated (project, indicator) value a standard error (additive) or
posterior sd (bayesian) in the indicator's units. The utility of the value is linearised at the value
(delta method: ``se_u = |du/dx| * se_x``, a central difference on the indicator's own utility function),
and the weighted sum's error is combined **assuming the indicators' errors independent** (each indicator
is fitted on its own)::

    se(composite) = score_scale * sqrt( sum_i (w_i / W)^2 * se_u_i^2 ),   W = sum of the weights present

Indicators the model does not calibrate (levels, grades, yes/no) contribute nothing: their consensus is
not a model estimate. Only the weighted sum has this closed form; under TOPSIS or the fuzzy evaluation,
and for unscored projects, the error is NaN.
"""

from __future__ import annotations

import numpy as np

from tlr.rubric import NodeInfo
from tlr.rubric.scales import scale_range

from .utilities import indicator_utility


def utility_slope(node: NodeInfo, x: np.ndarray) -> np.ndarray:
    """|du/dx| of *node*'s utility at *x* (any shape), by a central difference kept inside the scale."""
    bounds = scale_range(node.scale)
    width = (bounds[1] - bounds[0]) if bounds is not None and bounds[1] > bounds[0] else 1.0
    h = 1e-4 * width
    lo, hi = (bounds if bounds is not None else (-np.inf, np.inf))
    a, b = np.clip(x - h, lo, hi), np.clip(x + h, lo, hi)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(indicator_utility(node, b) - indicator_utility(node, a)) / (b - a)


def composite_se(nodes: list[NodeInfo], consensus: np.ndarray, quality_se: np.ndarray, utilities: np.ndarray,
                 scored: tuple[int, ...], weights: np.ndarray, scale: float) -> np.ndarray:
    """(P,) standard error of the weighted-sum composite (on 0..scale). NaN where no indicator is present.

    *consensus*, *quality_se*, *utilities*: (P, I); *scored*: the composite's columns, *weights* theirs.
    """
    cols = list(scored)
    se_u = np.zeros((consensus.shape[0], len(cols)))
    for k, i in enumerate(cols):    # one vectorised call per indicator
        if np.isfinite(quality_se[:, i]).any():
            se_u[:, k] = np.nan_to_num(utility_slope(nodes[i], consensus[:, i]) * quality_se[:, i])
    present = ~np.isnan(utilities[:, cols])
    total = present @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(present, weights, 0.0) / total[:, None]
        return np.where(total > 0, scale * np.sqrt(((share * se_u) ** 2).sum(axis=1)), np.nan)


__all__ = ["composite_se", "utility_slope"]
