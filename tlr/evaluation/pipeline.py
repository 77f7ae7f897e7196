"""The stages composed: :func:`evaluate` runs consensus, readiness, utilities, composite, decisions, review,
agreement and robustness, and assembles one :class:`~tlr.evaluation.result.Evaluation`. Pure: a cube and
a rubric in, a result out; reading the ledger is the caller's job
(:func:`tlr.app.evaluation.evaluate_campaign`).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from tlr.panel.cells import cells_of, columns
from tlr.rubric import Rubric

from .agreement import Agreement, agreement_of
from .composite import Composite, composite_of
from .consensus import Consensus, consensus_of
from .cube import ScoreCube
from .decisions import Decisions, condition_values, decide
from .options import EvaluationOptions
from .readiness import Readiness, readiness_of
from .result import Evaluation
from .review import Review, review_of
from .robustness import Robustness, robustness_of
from .utilities import Utilities, utilities_of


def method_of(rubric: Rubric, options: EvaluationOptions, consensus: Consensus, review_min_experts: int,
              robustness: Robustness, n_projects: int) -> dict[str, Any]:
    """The rules as applied this time, language-free (the report's methodology is written from it)."""
    doc = rubric.document
    rule = consensus.rule
    trimmed = rule.rule == "trimmed_mean"
    scale = doc.score_scale
    return {
        "consensus": rule.rule,
        "trim": rule.trim if trimmed else 0,
        "min_after_trim": rule.min_after_trim if trimmed else None,
        "trim_fallback_cells": int(consensus.trim_fallback.sum()),
        "leniency_correction": rule.leniency,
        "calibration": rule.calibration,
        "consensus_by_indicator": consensus.used,
        "aggregation": doc.aggregation.method,
        "topsis_mode": doc.aggregation.topsis.mode if doc.aggregation.method == "topsis" else None,
        "missing": "renormalise",
        "readiness": "assessment_else_panel_lower_median",
        "robustness": {"weights": "dirichlet", "concentration": options.concentration, "draws": options.draws,
                       "seed": options.seed,
                       "expert_bootstrap_draws": options.bootstrap_draws if robustness.bootstrap is not None else 0,
                       "top_k": min(options.top_k, n_projects)},
        "review": {"sd": options.review_sd * scale, "range": options.review_range * scale,
                   "min_experts": review_min_experts, "quorum": doc.panel.quorum},
        "score_scale": scale,
        "panel_defaults": list(rubric.panel_defaults),
    }


def assemble(rubric: Rubric, cube: ScoreCube, consensus: Consensus, readiness: Readiness, values: np.ndarray,
             utilities: Utilities, composite: Composite, decisions: Decisions, review: Review,
             agreement: Agreement, robustness: Robustness, method: dict[str, Any]) -> Evaluation:
    scale = rubric.document.score_scale
    tiers = decisions.tiers
    return Evaluation(
        rubric=rubric, projects=cube.projects, experts=cube.experts, indicators=cube.indicators,
        consensus=values, n_experts=consensus.n_experts, spread=consensus.spread, utilities=utilities.panel,
        expert_utilities=utilities.experts, dimensions=composite.dimensions,
        dimension_scores=composite.dimension_scores * scale, composite=composite.value * scale,
        rank=decisions.rank, readiness=readiness.level, readiness_source=readiness.source, gates=decisions.gates,
        knocked_out=decisions.knocked_out, tier=tiers.tier, tier_labels=tiers.labels, tier_codes=tiers.codes,
        route=decisions.route, route_labels=decisions.route_labels, incomplete=composite.incomplete,
        unscored=composite.unscored, review=review.needed, review_reasons=review.reasons,
        robustness=robustness.weights, bootstrap=robustness.bootstrap, agreement=agreement.indicators,
        expert_flags=agreement.expert_flags, completeness=review.completeness,
        applicable=np.asarray(cube.applicable, dtype=bool), method=method,
        notes=consensus.notes + composite.notes + robustness.notes,
        calibration=consensus.calibration, composite_se=calibrated_se(rubric, consensus, values, utilities, composite))


def calibrated_se(rubric: Rubric, consensus: Consensus, values: np.ndarray, utilities: Utilities,
                  composite: Composite) -> np.ndarray | None:
    """(P,) composite standard error on 0..score_scale when a rater-effects model calibrated the panel."""
    if consensus.calibration is None:
        return None
    if composite.aggregation != "weighted_sum":
        return np.full(len(composite.value), np.nan)
    from .uncertainty import composite_se

    se = composite_se(rubric.indicators, values, consensus.calibration.quality_se, utilities.panel,
                      composite.scored, composite.weights, rubric.document.score_scale)
    return np.where(composite.unscored, np.nan, se)


def _silent(_step: str) -> None:
    return None


def evaluate(rubric: Rubric, cube: ScoreCube, *, readiness_assessed: Mapping[str, int] | None = None,
             readiness_asserted: Sequence[str] = (), expert_weights: np.ndarray | None = None,
             options: EvaluationOptions | None = None,
             progress: Callable[[str], None] | None = None, executor=None) -> Evaluation:
    """Evaluate every project of a panel under *rubric*.

    Args:
        cube: the labelled scores (:class:`~tlr.evaluation.cube.ScoreCube`); its indicators may come in
            any order but must include every indicator of the rubric.
        readiness_assessed: project id -> readiness level from a formal assessment.
        readiness_asserted: ids of assessed projects whose level is not fully backed by evidence
            (some 'yes' without a hashed file or reference): shown as assessor-asserted.
        expert_weights: (experts,) for the ``weighted_mean`` consensus.
        progress: optional callable(step: str) for progress reporting.
        executor: where the Monte Carlo blocks run (:mod:`tlr.parallel`; default: ``options.engine``).
    """
    opts = options or EvaluationOptions()
    step = progress or _silent
    doc = rubric.document
    cube = cube.in_order([n.id for n in rubric.indicators])
    cube.check_scores()
    scores = np.asarray(cube.values, dtype=float)
    applicable = np.asarray(cube.applicable, dtype=bool)
    nodes = rubric.indicators

    step("consensus")
    cells = cells_of(scores)      # per (project, indicator): the consensus and the agreement start from them
    consensus = consensus_of(rubric, scores, opts, expert_weights, expert_ids=cube.experts, cells=cells)
    column = cube.indicators.index(doc.readiness) if doc.readiness else None
    readiness = readiness_of(column, consensus.values, cube.projects, readiness_assessed, readiness_asserted)
    values = readiness.in_consensus(consensus.values)

    step("utilities")
    utilities = utilities_of(nodes, values, scores, applicable)
    composite = composite_of(rubric, utilities, scores, applicable, values)
    scored = list(composite.scored)

    step("gates and tiers")
    decisions = decide(rubric, condition_values(rubric, values, composite, readiness.level), composite)

    step("agreement")
    min_experts = opts.min_experts or doc.panel.min_experts
    expert_scored = columns(utilities.experts, scored)   # a view when the scored columns are consecutive
    review = review_of(expert_scored, composite.weights, ~np.isnan(scores), cube.active,
                       applicable, composite.unscored, decisions.gates, quorum=doc.panel.quorum,
                       min_experts=min_experts, options=opts, scale=doc.score_scale)
    agreement = agreement_of(scores, nodes, composite.scored, cells)

    step("robustness")
    robustness = robustness_of(composite, utilities.panel[:, scored], expert_scored, applicable[:, scored],
                               decisions, opts, executor=executor, progress=step)
    method = method_of(rubric, opts, consensus, min_experts, robustness, len(cube.projects))
    return assemble(rubric, cube, consensus, readiness, values, utilities, composite, decisions, review,
                    agreement, robustness, method)


__all__ = ["evaluate", "method_of"]
