"""The result of an evaluation: every figure the ranking knows about every project, language-free.

Findings are codes with parameters (:mod:`tlr.findings`); labels are the rubric's own (both
languages). Text in a reader's language is made at the edges (:mod:`tlr.app`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlr.errors import TlrError
from tlr.findings import Finding
from tlr.findings import label as finding_label
from tlr.panel.agreement import ExpertDiagnostics
from tlr.panel.completeness import Completeness
from tlr.ranking.robustness import RobustnessResult
from tlr.rubric import Rubric

from .consensus import Calibration
from .decisions import GateOutcome


@dataclass(frozen=True)
class Evaluation:
    """Everything the ranking knows about every project (arrays over projects unless said otherwise).

    ``projects`` fixes the order of every per-project array; ``indicators`` that of the indicator
    axes; ``dimensions`` that of ``dimension_scores`` (every dimension node, depth-first).
    Scores (``composite``, ``dimension_scores``) are on the rubric's 0..``score_scale``.
    """

    rubric: Rubric
    projects: tuple[str, ...]
    experts: tuple[str, ...]
    indicators: tuple[str, ...]
    consensus: np.ndarray          # (P, I) consensus in the indicator's own units (levels, ratings, 0/1 ...)
    n_experts: np.ndarray          # (P, I) experts behind each consensus value
    spread: np.ndarray             # (P, I) sd of the experts' scores (NaN with fewer than 2)
    utilities: np.ndarray          # (P, I) utility in [0, 1] of the consensus (NaN = no score)
    expert_utilities: np.ndarray   # (E, P, I)
    dimensions: tuple[str, ...]
    dimension_scores: np.ndarray   # (P, D)
    composite: np.ndarray          # (P,)
    rank: np.ndarray               # (P,) competition ranking "1224"; unscored last
    readiness: np.ndarray          # (P,) level, NaN unknown
    readiness_source: tuple[str, ...]  # "assessment" (evidence-based) | "asserted" | "panel" | "none"
    gates: tuple[GateOutcome, ...]
    knocked_out: np.ndarray
    tier: tuple[str, ...]
    tier_labels: dict[str, Any]
    tier_codes: tuple[str, ...]
    route: tuple[str | None, ...]
    route_labels: dict[str, Any]
    incomplete: np.ndarray
    unscored: np.ndarray
    review: np.ndarray             # needs re-review (复议)
    review_reasons: dict[int, list[Finding]]
    robustness: RobustnessResult            # weight Monte Carlo
    bootstrap: RobustnessResult | None      # expert resampling, when possible
    agreement: dict[str, Any]
    expert_flags: ExpertDiagnostics | None
    completeness: Completeness
    applicable: np.ndarray         # (P, I) bool: the indicator applies to the project
    method: dict[str, Any] = field(default_factory=dict)
    notes: tuple[Finding, ...] = ()   # how the method was applied this time (fallbacks, skipped steps)
    calibration: Calibration | None = None   # the rater-effects model, when panel.calibration is one
    composite_se: np.ndarray | None = None   # (P,) composite standard error from the calibration (0..score_scale)

    # ------------------------------------------------------------------ access
    def project_index(self, project_id: str) -> int:
        try:
            return self.projects.index(project_id)
        except ValueError:
            close = difflib.get_close_matches(project_id, self.projects, n=1)
            raise TlrError(f"未知项目 / unknown project '{project_id}'" + (f" — did you mean '{close[0]}'?" if close else ""),
                           hint="project ids are listed by `tlr status`") from None

    def order(self) -> np.ndarray:
        """Project indices best first (ties keep import order)."""
        key = np.where(np.isnan(self.composite), np.inf, -self.composite)
        return np.argsort(key, kind="stable")

    @property
    def scored_columns(self) -> list[int]:
        """Indicator columns with role ``score`` (the ones the composite is made of)."""
        return [i for i, iid in enumerate(self.indicators) if self.rubric.node(iid).role == "score"]

    @property
    def scored_weights(self) -> np.ndarray:
        """Global weights of :attr:`scored_columns`."""
        return np.array([self.rubric.node(self.indicators[i]).global_weight for i in self.scored_columns])

    def knockouts(self, p: int) -> list[GateOutcome]:
        """The knock-out gates project *p* fails."""
        return [g for g in self.gates if g.hit[p] and g.effect == "knockout"]

    def flags(self, p: int) -> list[Finding]:
        """Everything a reader must know about project *p* beyond its score, as findings (codes).

        Findings of severity ``review`` are exactly the reasons project *p* is flagged for re-review.
        """
        out: list[Finding] = []
        if self.unscored[p]:
            out.append(Finding("unscored"))
        elif self.incomplete[p]:
            scored = np.zeros(len(self.indicators), dtype=bool)
            scored[self.scored_columns] = True
            missing = int(np.sum(np.isnan(self.utilities[p]) & self.applicable[p] & scored))
            out.append(Finding("incomplete", {"missing": missing}))
        if self.readiness_source[p] == "asserted":
            out.append(Finding("readiness_asserted"))
        for g in self.gates:
            if g.hit[p] and g.effect == "flag":
                code = "gate_cap" if g.max_tier else "gate_flag"
                params = {"gate_id": g.id, "gate": finding_label(g.label)} | ({"tier": g.max_tier} if g.max_tier else {})
                out.append(Finding(code, params))
        out.extend(self.review_reasons.get(p, []))
        return out


__all__ = ["Evaluation", "GateOutcome"]
