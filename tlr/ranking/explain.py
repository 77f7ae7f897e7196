"""Explain a weighted-sum composite: indicator contributions and what it takes to reach the next tier.

contribution_pl = w_l u_pl (weights normalised to sum 1), so the contributions of a project sum to
its composite. For tier minima m_0 >= m_1 >= ... (best first), a project whose score reaches tier t
(0 = best) needs gap = m_{t-1} - C_p to reach tier t - 1. A single indicator l can close the gap iff
its headroom w_l (1 - u_pl) >= gap; the utility it would need is u_pl + gap / w_l.
Extra tier conditions and knock-outs are not changed by scores: pass the TierResult to report them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, MissingValueError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.ranking.tiers import TIER_EPS


@dataclass(frozen=True)
class Explanation(ResultMixin):
    """Per project and indicator.

    Attributes:
        contributions: (projects, leaves) w_l u_pl; rows sum to ``composite``.
        composite: (projects,) sum of the contributions.
        score_tier: (projects,) tier reached by the score alone (0 = best; len(minima) = default).
        at_top: mask of projects already in the best tier (nothing to reach).
        gap: (projects,) composite gain needed for the next tier up; 0 where ``at_top``.
        headroom: (projects, leaves) w_l (1 - u_pl), the most indicator l can still add.
        needed_utility: (projects, leaves) u_pl + gap / w_l, the utility indicator l alone would
            need; inf where w_l = 0 (cannot help); equals u_pl where ``at_top``.
        sufficient: (projects, leaves) True where improving indicator l alone can close the gap.
        blocked_by: {project index: reasons a better score cannot fix (knock-out reasons, failed
            tier conditions)}, from the TierResult if given; projects without such reasons absent.
    """

    contributions: np.ndarray
    composite: np.ndarray
    score_tier: np.ndarray
    at_top: np.ndarray
    gap: np.ndarray
    headroom: np.ndarray
    needed_utility: np.ndarray
    sufficient: np.ndarray
    blocked_by: dict

    def project(self, p: int, leaf_ids: Sequence[str] | None = None) -> dict:
        """One project's explanation, JSON-ready, indicators sorted by contribution."""
        L = self.contributions.shape[1]
        ids = list(leaf_ids) if leaf_ids is not None else [str(i) for i in range(L)]
        order = np.argsort(-self.contributions[p], kind="stable")
        return {
            "composite": float(self.composite[p]),
            "score_tier": int(self.score_tier[p]),
            "gap_to_next_tier": float(self.gap[p]),
            "contributions": [{"indicator": ids[l], "contribution": float(self.contributions[p, l]),
                               "headroom": float(self.headroom[p, l]),
                               "needed_utility": (float(self.needed_utility[p, l])
                                                  if np.isfinite(self.needed_utility[p, l]) else None),
                               "sufficient_alone": bool(self.sufficient[p, l])} for l in order],
            "blocked_by": list(self.blocked_by.get(p, [])),
        }


def explain(utilities, weights, tier_minima: Sequence[float], *, tier_result=None) -> Explanation:
    """Contributions and next-tier requirements for every project (vectorised)."""
    U = as_float_array(utilities, "utilities", ndim=2)
    P, L = U.shape
    w = as_float_array(weights, "weights", ndim=1)
    if w.shape[0] != L or np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError(f"权重须为 {L} 个非负数且和为正 / weights must be {L} non-negative numbers, sum > 0")
    if np.isnan(U).any():
        raise MissingValueError("效用含缺失值 / utilities contain NaN; resolve missing values first")
    mins = np.asarray(tier_minima, float)
    if mins.ndim != 1 or mins.size == 0 or np.any(np.diff(mins) > 0):
        raise InvalidValueError("分档下限须从高到低 / tier minima must be non-increasing, best first")
    w = w / w.sum()
    contrib = U * w
    comp = contrib.sum(axis=1)
    tier = (comp[:, None] < mins[None, :] - TIER_EPS).sum(axis=1)
    at_top = tier == 0
    target = mins[np.maximum(tier - 1, 0)]
    gap = np.where(at_top, 0.0, np.maximum(target - comp, 0.0))
    head = w * (1.0 - U)
    with np.errstate(divide="ignore"):
        need = np.where(w > 0, U + gap[:, None] / np.where(w > 0, w, 1.0), np.inf)
    need = np.where(at_top[:, None], U, need)
    suff = ~at_top[:, None] & (head >= gap[:, None] - 1e-12) & (w > 0)
    if tier_result is not None:
        if tier_result.tier.shape != (P,):
            raise ShapeError(f"分档结果须含 {P} 个项目 / tier_result must cover {P} projects")
        blocked: dict[int, list[str]] = {}
        for src in (tier_result.knockout_reasons, tier_result.failed_conditions):
            for p, rs in src.items():
                blocked.setdefault(int(p), []).extend(rs)
    else:
        blocked = {}
    return Explanation(contributions=contrib, composite=comp, score_tier=tier, at_top=at_top, gap=gap,
                       headroom=head, needed_utility=need, sufficient=suff, blocked_by=blocked)
