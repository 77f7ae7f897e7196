"""Why a project scored what it did: contributions, the gap to the next tier, and the weight changes
that would swap it with its rank neighbours. Language-free: labels are the rubric's (both languages);
:mod:`tlr.app.explain` puts them in a reader's language.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tlr.findings import label as finding_label
from tlr.ranking.explain import explain as explain_core
from tlr.ranking.sensitivity import swap_thresholds

from .composite import impute_missing
from .result import Evaluation


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _swap(ev: Evaluation, U: np.ndarray, w: np.ndarray, p: int, q: int) -> dict[str, Any]:
    """The smallest change of one scored weight (the others rescaled in proportion) that swaps *p* and *q*."""
    t, ok = swap_thresholds(U, w, [(p, q)])
    delta = np.where(ok[0], np.abs(t[0] - w), np.inf)
    if not np.isfinite(delta).any():
        return {"neighbour": ev.projects[q], "rank": int(ev.rank[q]), "swap": None}
    k = int(np.argmin(delta))
    node = ev.rubric.node(ev.indicators[ev.scored_columns[k]])
    return {"neighbour": ev.projects[q], "rank": int(ev.rank[q]),
            "swap": {"indicator": node.id, "label": finding_label(node.label), "weight": float(w[k]),
                     "new_weight": float(t[0, k]), "change": float(t[0, k] - w[k])}}


def neighbour_swaps(ev: Evaluation, project_id: str) -> list[dict[str, Any]]:
    """For the project's rank neighbours (above, below): the smallest change of one weight that swaps them.

    One-at-a-time: the chosen indicator's global weight moves, the others are rescaled in
    proportion (closed form, :func:`tlr.ranking.sensitivity.swap_thresholds`). Weighted sum only.
    """
    p = ev.project_index(project_id)
    order = [int(q) for q in ev.order() if not ev.unscored[q]]
    if p not in order:
        return []
    pos = order.index(p)
    w = ev.scored_weights
    U = impute_missing(ev.utilities[:, ev.scored_columns], w)
    neighbours = [order[k] for k in (pos - 1, pos + 1) if 0 <= k < len(order)]
    return [_swap(ev, U, w, p, q) for q in neighbours]


def explanation(ev: Evaluation, project_id: str) -> dict[str, Any]:
    """Contribution of every scored indicator to the project's composite, and what the next tier needs."""
    p = ev.project_index(project_id)
    scored, w = ev.scored_columns, ev.scored_weights
    U = impute_missing(ev.utilities[p:p + 1][:, scored], w)
    scale = ev.rubric.document.score_scale
    minima = [t.min_score / scale for t in ev.rubric.document.tiers or [] if t.min_score is not None]
    if np.isnan(U).all():
        return {"project": project_id, "composite": None, "contributions": [], "note": "no scores"}
    body = explain_core(np.nan_to_num(U), w, minima or [1.0]).project(0, [ev.indicators[i] for i in scored])
    for item in body["contributions"]:
        i = ev.indicators.index(item["indicator"])
        item.update(contribution=item["contribution"] * scale, headroom=item["headroom"] * scale,
                    utility=_num(ev.utilities[p, i]), consensus=_num(ev.consensus[p, i]),
                    weight=ev.rubric.node(item["indicator"]).global_weight)
    body["composite"] = _num(ev.composite[p])
    body["gap_to_next_tier"] *= scale
    body.update(project=project_id, tier=ev.tier[p], rank=int(ev.rank[p]), knocked_out=bool(ev.knocked_out[p]),
                knockouts=[{"gate": g.id, "label": finding_label(g.label)} for g in ev.knockouts(p)],
                flags=[f.to_dict() for f in ev.flags(p)], neighbours=neighbour_swaps(ev, project_id))
    return body


__all__ = ["explanation", "neighbour_swaps"]
