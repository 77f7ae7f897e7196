"""Apply a rubric to a panel's scores: the evaluation, in named, pure stages.

This is where the rubric (what to score and how it counts) meets the numeric core
(:mod:`tlr.panel`, :mod:`tlr.engine`, :mod:`tlr.ranking`). Arrays and models in, an
:class:`~tlr.evaluation.result.Evaluation` out; reading the ledger is the caller's job.

Stages, each a small function with its own frozen result (module: function -> result):

1. ``consensus``:  :func:`consensus_of` -> :class:`Consensus`  (one value per project x indicator)
2. ``readiness``:  :func:`readiness_of` -> :class:`Readiness`  (assessment, asserted, panel, none)
3. ``utilities``:  :func:`utilities_of` -> :class:`Utilities`  (every value as a utility in [0, 1])
4. ``composite``:  :func:`composite_of` -> :class:`Composite`  (renormalised over the indicators present)
5. ``decisions``:  :func:`decide`       -> :class:`Decisions`  (gates, tiers, routes, ranks)
6. ``review``:     :func:`review_of`    -> :class:`Review`     (re-review findings, completeness)
7. ``robustness``: :func:`robustness_of` -> :class:`Robustness` (weight Monte Carlo, expert bootstrap)

beside the advisory ``agreement`` (ICC, Kendall's W, outlier experts). :func:`evaluate` composes them.

Rules that matter for a fund (all stated in the result's ``method`` dict):

- **Ordinal indicators are never averaged.** A levels indicator (TRL ...) takes the lower
  median of the experts' levels; the project's readiness is the evidence-based assessment when
  there is one, else that median. Grades take the lower median grade for display; their utility
  is the mean of the experts' grade values (the FCE reading of a panel).
- **Boolean indicators** take the majority; a tie is *unknown*, never a silent pass.
- **Other indicators** take the rubric's consensus rule (mean, median, trimmed mean, weighted
  mean, optionally leniency-corrected).
- **Missing data is explicit.** An indicator nobody scored for a project leaves the composite
  to the indicators present (weights renormalised) and the project is flagged ``incomplete``; a
  project nobody scored is ranked last and flagged ``unscored``; a gate that cannot be decided is
  flagged, never passed.

Names are imported lazily (``from tlr.evaluation.cube import ScoreCube`` loads no rubric machinery).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "evaluate": "pipeline", "method_of": "pipeline", "Evaluation": "result", "EvaluationOptions": "options", "DEFAULT_SEED": "options",
    "ScoreCube": "cube", "GateOutcome": "decisions",
    "Consensus": "consensus", "consensus_of": "consensus",
    "Readiness": "readiness", "readiness_of": "readiness",
    "Utilities": "utilities", "utilities_of": "utilities", "indicator_utility": "utilities",
    "Composite": "composite", "composite_of": "composite", "impute_missing": "composite",
    "Decisions": "decisions", "decide": "decisions",
    "Review": "review", "review_of": "review",
    "Agreement": "agreement", "agreement_of": "agreement",
    "Robustness": "robustness", "robustness_of": "robustness",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tlr.evaluation' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tlr.evaluation.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
