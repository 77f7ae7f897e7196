"""Stage 7, robustness: how sure each rank and tier is (seeded, reproducible).

- **Weights**: Dirichlet draws around the rubric's global weights (:func:`tlr.ranking.robustness.weight_monte_carlo`)
  over the utilities with missing leaves imputed by the project's own composite.
- **Experts**: bootstrap resampling of each project's experts (:func:`tlr.ranking.robustness.expert_bootstrap`)
  when the panel allows it; otherwise skipped, with the reason as a note.

Both re-rank the weighted sum of the same utilities, whatever the rubric's aggregation (said in a note
by the composite stage). Knocked-out projects are capped at the default tier in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.findings import Finding
from tlr.ranking.robustness import (
    RobustnessResult,
    expert_bootstrap,
    weight_monte_carlo,
)

from .composite import Composite, impute_missing
from .decisions import Decisions
from .options import EvaluationOptions


@dataclass(frozen=True)
class Robustness:
    """Attributes:
        weights: rank stability under weight uncertainty.
        bootstrap: rank stability under resampling of the experts; None when not run or not possible.
        notes: why the bootstrap was skipped, if it was.
    """

    weights: RobustnessResult
    bootstrap: RobustnessResult | None
    notes: tuple[Finding, ...]


def robustness_of(composite: Composite, panel_utilities: np.ndarray, expert_utilities: np.ndarray,
                  applicable: np.ndarray, decisions: Decisions, options: EvaluationOptions, *,
                  executor=None, progress=None) -> Robustness:
    """Weight Monte Carlo and expert bootstrap of the scored indicators' utilities.

    Args:
        panel_utilities: (P, L) and expert_utilities: (E, P, L) on the scored indicators;
        applicable: (P, L) the scored indicators that apply (others are not resampled).
        executor: where the blocks of draws run (:mod:`tlr.parallel`); None: the one
            ``options.engine`` names, started here and closed after. The result is the same.
    """
    if executor is None and options.engine != "local":
        from tlr.parallel import executor_for

        with executor_for(options.engine, scheduler=options.scheduler, workers=options.workers) as started:
            return robustness_of(composite, panel_utilities, expert_utilities, applicable, decisions, options,
                                 executor=started, progress=progress)
    tiers = decisions.tiers
    rules = list(tiers.rules) or None
    common = dict(seed=options.seed, top_k=min(options.top_k, len(composite.value)), tier_rules=rules,
                  knocked_out=decisions.knocked_out, knockout_tier=tiers.default if rules else None,
                  default_tier=tiers.default)
    weights = weight_monte_carlo(impute_missing(panel_utilities, composite.weights), composite.weights,
                                 concentration=options.concentration, n_draws=options.draws, executor=executor,
                                 **common)
    if options.bootstrap_draws <= 0:
        return Robustness(weights=weights, bootstrap=None, notes=())
    if progress is not None:
        progress("expert bootstrap")
    try:
        resampled = expert_utilities if applicable.all() else np.where(applicable[None], expert_utilities, np.nan)
        boot = expert_bootstrap(resampled, composite.weights,
                                n_draws=options.bootstrap_draws, executor=executor, **common)
    except Exception as exc:  # e.g. an indicator nobody scored for a project: the bootstrap is not defined
        reason = str(getattr(exc, "message", exc))
        return Robustness(weights=weights, bootstrap=None, notes=(Finding("note_bootstrap_skipped", {"reason": reason}),))
    return Robustness(weights=weights, bootstrap=boot, notes=())


__all__ = ["Robustness", "robustness_of"]
