"""What a rubric edit would do to a finished round: the campaign re-evaluated under the new rubric.

The campaign's scores are stored per indicator id, so an indicator of NEW that the campaign's rubric
also has keeps its scores (when its scale still accepts them); an indicator new in NEW has none and the
evaluation treats it as **missing** (the composite is renormalised over the indicators present and the
project flagged incomplete). The baseline ("before") is the campaign's own evaluation under its frozen
rubric; the OLD file is checked against it by content hash and the result says which one was used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Location

__all__ = ["ProjectMove", "RubricImpact", "rubric_impact", "compare_evaluations", "carry_scores"]

IMPACT_DRAWS = 200  # the ranks do not depend on the robustness draws; keep them cheap


@dataclass(frozen=True)
class ProjectMove:
    id: str
    name: str
    composite_before: float | None
    composite_after: float | None
    rank_before: int
    rank_after: int
    tier_before: str
    tier_after: str
    incomplete_after: bool

    @property
    def rank_change(self) -> int:
        """Positive: the project moves up (a smaller rank number)."""
        return self.rank_before - self.rank_after

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "composite_before": self.composite_before,
                "composite_after": self.composite_after, "rank_before": self.rank_before,
                "rank_after": self.rank_after, "rank_change": self.rank_change, "tier_before": self.tier_before,
                "tier_after": self.tier_after, "tier_changed": self.tier_before != self.tier_after,
                "incomplete_after": self.incomplete_after}


@dataclass(frozen=True)
class RubricImpact:
    campaign: str
    baseline: dict[str, Any]          # the rubric the "before" ranking used: id, version, content_hash, source
    old_matches_frozen: bool          # the OLD file is the campaign's frozen rubric (same content hash)
    carried: tuple[str, ...]          # indicators of NEW whose stored scores are used
    missing: tuple[str, ...]          # scored indicators of NEW with no scores in the campaign (new in NEW)
    dropped: tuple[dict, ...]         # {id, reason, cells}: stored scores NEW's scale does not accept
    unused: tuple[str, ...]           # indicators scored in the campaign that NEW no longer has
    projects: tuple[ProjectMove, ...]  # best first under NEW
    top_k: int
    top_before: tuple[str, ...]
    top_after: tuple[str, ...]
    fundable_tiers_before: tuple[str, ...]
    fundable_tiers_after: tuple[str, ...]
    fundable_before: tuple[str, ...]
    fundable_after: tuple[str, ...]
    tau: float | None                 # Kendall's tau-b between the two rank vectors (None: undefined)
    tau_p: float | None
    tier_moves: dict[str, dict[str, int]] = field(default_factory=dict)  # before -> after -> count

    @property
    def n_projects(self) -> int:
        return len(self.projects)

    @property
    def top_overlap(self) -> int:
        return len(set(self.top_before) & set(self.top_after))

    @property
    def fundable_overlap(self) -> int:
        return len(set(self.fundable_before) & set(self.fundable_after))

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign, "baseline": self.baseline, "old_matches_frozen": self.old_matches_frozen,
            "carried": list(self.carried), "missing": list(self.missing), "dropped": list(self.dropped),
            "unused": list(self.unused), "n_projects": self.n_projects,
            "kendall_tau": {"tau_b": self.tau, "p_value": self.tau_p, "n": self.n_projects},
            "top": {"k": self.top_k, "overlap": self.top_overlap, "before": list(self.top_before),
                    "after": list(self.top_after),
                    "entered": [p for p in self.top_after if p not in self.top_before],
                    "left": [p for p in self.top_before if p not in self.top_after]},
            "fundable": {"tiers_before": list(self.fundable_tiers_before),
                         "tiers_after": list(self.fundable_tiers_after), "overlap": self.fundable_overlap,
                         "before": list(self.fundable_before), "after": list(self.fundable_after),
                         "entered": [p for p in self.fundable_after if p not in self.fundable_before],
                         "left": [p for p in self.fundable_before if p not in self.fundable_after]},
            "tier_moves": self.tier_moves,
            "projects": [p.to_dict() for p in self.projects],
        }


def carry_scores(cube, new_rubric, achievement_types: dict[str, Any], old_kinds: dict[str, str] | None = None):
    """The campaign's cube re-labelled for *new_rubric*: (cube, carried, missing, dropped, unused).

    Same id -> same scores, unless NEW's scale is of another kind than in *old_kinds* (indicator id -> the
    scale kind the scores were given on: a rating is not a level) or a stored value is outside NEW's scale
    range (those cells are dropped and counted). Applicability follows NEW. ``missing``: NEW's indicators
    the cube has no column for.
    """
    import numpy as np

    from tlr.campaign.rules import indicator_applies
    from tlr.evaluation.cube import ScoreCube
    from tlr.rubric.scales import scale_range

    E, P = len(cube.experts), len(cube.projects)
    position = {iid: k for k, iid in enumerate(cube.indicators)}
    infos = new_rubric.indicators
    values = np.full((E, P, len(infos)), np.nan)
    carried, missing, dropped = [], [], []
    old_kinds = old_kinds or {}
    for j, info in enumerate(infos):
        k = position.get(info.id)
        if k is None:
            missing.append(info.id)
            continue
        column = np.array(cube.values[:, :, k], dtype=float)
        answered = int((~np.isnan(column)).sum())
        old_kind = old_kinds.get(info.id)
        if old_kind is not None and old_kind != getattr(info.scale, "kind", None):
            dropped.append({"id": info.id, "reason": "scale_kind", "cells": answered,
                            "before": old_kind, "after": info.scale.kind})
            continue
        bounds = scale_range(info.scale)
        if bounds is not None:
            low, high = bounds
            outside = ~np.isnan(column) & ((column < low - 1e-9) | (column > high + 1e-9))
            if outside.any():
                dropped.append({"id": info.id, "reason": "out_of_range", "cells": int(outside.sum()),
                                "range": [low, high]})
                column[outside] = np.nan
        values[:, :, j] = column
        carried.append(info.id)
    new_ids = {n.id for n in infos}
    unused = [iid for k, iid in enumerate(cube.indicators)
              if iid not in new_ids and not np.isnan(np.asarray(cube.values)[:, :, k]).all()]
    applicable = np.ones((P, len(infos)), dtype=bool)
    for p, pid in enumerate(cube.projects):
        applicable[p] = [indicator_applies(new_rubric, info, achievement_types.get(pid)) for info in infos]
    out = ScoreCube(values, cube.experts, cube.projects, tuple(n.id for n in infos), cube.assigned, cube.recused,
                    applicable, new_rubric.id, new_rubric.version, new_rubric.content_hash)
    return out, carried, missing, dropped, unused


def _num(x) -> float | None:
    import math

    return None if x is None or math.isnan(float(x)) else float(x)


def _fundable(rubric) -> tuple[str, ...]:
    return tuple(t.id for t in rubric.document.tiers or [] if t.fundable)


def compare_evaluations(before, after, *, names: dict[str, str] | None = None, top_k: int = 10) -> dict[str, Any]:
    """Rank and tier movement between two evaluations of the same projects (pure; the core of the impact)."""
    import numpy as np

    names = names or {}
    if before.projects != after.projects:
        raise ValueError("the two evaluations rank different projects")
    projects = before.projects
    moves = [ProjectMove(pid, names.get(pid, ""), _num(before.composite[p]), _num(after.composite[p]),
                         int(before.rank[p]), int(after.rank[p]), before.tier[p], after.tier[p],
                         bool(after.incomplete[p]))
             for p, pid in enumerate(projects)]
    moves.sort(key=lambda m: (m.rank_after, m.rank_before, m.id))
    k = min(top_k, len(projects))
    top_before = tuple(projects[i] for i in before.order()[:k])
    top_after = tuple(projects[i] for i in after.order()[:k])
    fund_b, fund_a = _fundable(before.rubric), _fundable(after.rubric)
    tau, p_value = kendall_tau(np.asarray(before.rank, dtype=float), np.asarray(after.rank, dtype=float))
    tier_moves: dict[str, dict[str, int]] = {}
    order: dict[str, int] = {}
    for code in (*before.tier_codes, *after.tier_codes):
        order.setdefault(code, len(order))
    for m in sorted(moves, key=lambda m: (order.get(m.tier_before, 99), order.get(m.tier_after, 99))):
        row = tier_moves.setdefault(m.tier_before, {})
        row[m.tier_after] = row.get(m.tier_after, 0) + 1
    return {
        "projects": tuple(moves), "top_k": k, "top_before": top_before, "top_after": top_after,
        "fundable_tiers_before": fund_b, "fundable_tiers_after": fund_a,
        "fundable_before": tuple(pid for p, pid in enumerate(projects) if before.tier[p] in fund_b),
        "fundable_after": tuple(pid for p, pid in enumerate(projects) if after.tier[p] in fund_a),
        "tau": tau, "tau_p": p_value, "tier_moves": tier_moves,
    }


def kendall_tau(a, b) -> tuple[float | None, float | None]:
    """Kendall's tau-b (tie-aware) and its p-value; None when undefined (fewer than 2 projects, all tied)."""
    import math

    if len(a) < 2:
        return None, None
    from scipy.stats import kendalltau

    res = kendalltau(a, b)
    tau, p = float(res.statistic), float(res.pvalue)
    return (None if math.isnan(tau) else tau), (None if math.isnan(p) else p)


def rubric_impact(ledger, old_rubric, new_rubric, *, top_k: int = 10, progress=None) -> RubricImpact:
    """Evaluate the campaign under its frozen rubric and under *new_rubric*; compare rankings and tiers."""
    import numpy as np

    from tlr.app.evaluation import evaluate_campaign
    from tlr.campaign.cube import score_cube
    from tlr.campaign.trl import assessed_readiness
    from tlr.evaluation import EvaluationOptions, evaluate

    options = EvaluationOptions(draws=IMPACT_DRAWS, bootstrap_draws=0, top_k=top_k)
    frozen = ledger.rubric
    before = evaluate_campaign(ledger, options, progress=progress)
    cube = score_cube(ledger)
    projects = ledger.projects()
    types = {p["id"]: p.get("achievement_type") for p in projects}
    kinds = {n.id: getattr(n.scale, "kind", None) for n in frozen.indicators}
    new_cube, carried, missing, dropped, unused = carry_scores(cube, new_rubric, types, kinds)
    scored = [j for j, info in enumerate(new_rubric.indicators) if info.role == "score"]
    if not scored or np.isnan(np.asarray(new_cube.values)[:, :, scored]).all():
        raise CampaignError(
            "新评价体系的打分指标在本批次中没有任何评分，无法比较 / none of the new rubric's scored indicators has a "
            f"score in this campaign: nothing to compare ({new_rubric.id} {new_rubric.version})",
            location=Location(file=str(ledger.path)),
            hint="比较的两个评价体系须共用指标编号 / the rubrics must share indicator ids for scores to carry over",
            code="no_carried_scores")
    experts = ledger.experts()
    weights = None
    if any("weight" in (e.get("extra") or {}) for e in experts):
        weights = np.array([float((e.get("extra") or {}).get("weight", 1.0)) for e in experts])
    readiness = assessed_readiness(ledger)
    if progress:
        progress("new rubric")
    after = evaluate(new_rubric, new_cube, readiness_assessed={pid: r.level for pid, r in readiness.items()},
                     readiness_asserted=[pid for pid, r in readiness.items() if r.basis != "evidenced"],
                     expert_weights=weights, options=options)
    names = {p["id"]: p.get("name") or "" for p in projects}
    moved = compare_evaluations(before, after, names=names, top_k=top_k)
    matches = old_rubric.content_hash == frozen.content_hash
    baseline = {"id": frozen.id, "version": frozen.version, "content_hash": frozen.content_hash,
                "source": "campaign_frozen_rubric"}
    return RubricImpact(campaign=str(Path(ledger.path).parent), baseline=baseline, old_matches_frozen=matches,
                        carried=tuple(carried), missing=tuple(missing), dropped=tuple(dropped), unused=tuple(unused),
                        **moved)

