"""Panel agreement beside the ranking (advisory): ICC and Kendall's W per scored indicator, outlier experts.

One-way ICC(1) uses every project with two or more scores (right for assignment designs, where each
project has its own experts); Kendall's W and the two-way ICCs need a complete block of experts x
projects and are reported as not defined when there is none. Nothing here changes a rank: a
degenerate panel is reported, never allowed to stop the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tlr.panel.agreement import (
    ExpertDiagnostics,
    expert_diagnostics,
    icc,
    icc_oneway,
    kendall_w,
)
from tlr.rubric import NodeInfo
from tlr.rubric.kinds import kind_of


@dataclass(frozen=True)
class Agreement:
    """Attributes:
        indicators: scored indicator id -> its statistics (``icc1_oneway`` ...; None = not defined);
            ``expert_diagnostics_error`` holds why the expert diagnostics could not be computed.
        expert_flags: per-expert diagnostics over the interval-scale (rating, numeric) indicators, None when there are
            none or the panel is degenerate.
    """

    indicators: dict[str, Any]
    expert_flags: ExpertDiagnostics | None


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _block_statistics(sub: np.ndarray):
    try:
        return kendall_w(sub), icc(sub)
    except Exception:  # a degenerate panel: report what is defined
        return None, None


def indicator_agreement(scores: np.ndarray, nodes: list[NodeInfo], scored: tuple[int, ...]) -> dict[str, Any]:
    """Agreement statistics per scored indicator of *scores* (E, P, I)."""
    sub = scores[:, :, list(scored)]
    oneway = icc_oneway(sub)
    w, two = _block_statistics(sub)
    out: dict[str, Any] = {}
    for k, i in enumerate(scored):
        entry: dict[str, Any] = {"icc1_oneway": _num(oneway.icc[k]), "icc1_targets": int(oneway.n_targets[k]),
                                 "icc1_ratings": int(oneway.n_ratings[k])}
        if w is not None:
            entry.update(kendall_w=_num(w.W[k]), kendall_p=_num(w.p_value[k]), kendall_experts=int(w.m_used[k]),
                         kendall_projects=int(w.n_used[k]))
        if two is not None:
            entry.update(icc2_1=_num(two.values["ICC2"][k]), icc_block_projects=int(two.n_targets[k]),
                         icc_block_experts=int(two.k_judges[k]))
        out[nodes[i].id] = entry
    return out


def agreement_of(scores: np.ndarray, nodes: list[NodeInfo], scored: tuple[int, ...]) -> Agreement:
    indicators = indicator_agreement(scores, nodes, scored)
    cols = [i for i in scored if kind_of(nodes[i].scale).interval]
    flags = None
    try:
        if cols:
            flags = expert_diagnostics(scores[:, :, cols])
    except Exception as exc:  # diagnostics are advisory; a degenerate panel must not stop the ranking
        indicators["expert_diagnostics_error"] = str(exc)
    return Agreement(indicators=indicators, expert_flags=flags)


__all__ = ["Agreement", "agreement_of", "indicator_agreement"]
