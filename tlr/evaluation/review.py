"""Stage 6, review: which projects need another look (复议), and why — as findings (codes), never text.

A project is flagged when the experts' own composites spread too far (sd or range above the
options' thresholds), when too few of its panel stand behind it (quorum, minimum experts; see
:mod:`tlr.panel.completeness`), when a gate cannot be decided for it, or when nobody scored it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from tlr.engine.aggregation import expert_composites
from tlr.findings import Finding
from tlr.findings import label as finding_label
from tlr.panel.completeness import Completeness, completeness

from .decisions import GateOutcome
from .options import EvaluationOptions

Flag = tuple[int, Finding]  # (project index, finding)


@dataclass(frozen=True)
class Review:
    """Attributes:
        needed: (P,) bool, the project needs re-review (an unscored project always does).
        reasons: project index -> its review findings (unscored projects: see ``Evaluation.flags``).
        completeness: answers expected against received, quorum and minimum experts per project.
    """

    needed: np.ndarray
    reasons: dict[int, list[Finding]]
    completeness: Completeness


def composite_spread(expert_utilities: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P,) sd and range of the experts' own composites (0..1); NaN with fewer than two experts."""
    composite = np.asarray(expert_composites(expert_utilities, weights).composite, dtype=float)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: masked below
        two = (~np.isnan(composite)).sum(axis=0) >= 2
        sd = np.where(two, np.nanstd(composite, axis=0, ddof=1), np.nan)
        rng = np.where(two, np.nanmax(composite, axis=0) - np.nanmin(composite, axis=0), np.nan)
    return sd, rng


def spread_flags(sd: np.ndarray, rng: np.ndarray, options: EvaluationOptions, scale: float) -> list[Flag]:
    """``review_sd`` / ``review_range`` where the spread exceeds the threshold (reported on the score scale)."""
    flags: list[Flag] = []
    for code, value, limit in (("review_sd", sd, options.review_sd), ("review_range", rng, options.review_range)):
        for p in np.flatnonzero(np.nan_to_num(value) > limit):
            flags.append((int(p), Finding(code, {"value": float(value[p] * scale), "threshold": float(limit * scale)})))
    return flags


def coverage_flags(coverage: Completeness, unscored: np.ndarray) -> list[Flag]:
    """``below_quorum`` / ``below_min_experts`` for the scored projects short of experts."""
    flags: list[Flag] = [(int(p), Finding("below_quorum", {
        "n": int(coverage.experts_behind[p]), "panel": int(coverage.panel[p]), "quorum": float(coverage.quorum)}))
        for p in np.flatnonzero(~coverage.quorum_met & ~unscored)]
    flags += [(int(p), Finding("below_min_experts", {"n": int(coverage.experts_behind[p]),
                                                      "min": int(coverage.min_experts)}))
              for p in np.flatnonzero(~coverage.min_experts_met & ~unscored)]
    return flags


def undecided_flags(gates: Sequence[GateOutcome]) -> list[Flag]:
    """``gate_undecided`` for every gate a project's scores cannot decide."""
    return [(int(p), Finding("gate_undecided", {"gate_id": g.id, "gate": finding_label(g.label)}))
            for g in gates for p in np.flatnonzero(g.unknown)]


def grouped(flags: Iterable[Flag]) -> dict[int, list[Finding]]:
    out: dict[int, list[Finding]] = {}
    for p, finding in flags:
        out.setdefault(p, []).append(finding)
    return out


def review_of(expert_utilities: np.ndarray, weights: np.ndarray, answered: np.ndarray, active: np.ndarray,
              applicable: np.ndarray, unscored: np.ndarray, gates: Sequence[GateOutcome], *, quorum: float,
              min_experts: int, options: EvaluationOptions, scale: float) -> Review:
    """Review flags of every project.

    Args:
        expert_utilities: (E, P, L) the experts' utilities on the scored indicators; *weights* (L,).
        answered: (E, P, I) a score is stored; active: (E, P) assigned and not recused;
        applicable: (P, I).
    """
    coverage = completeness(answered, active, applicable, quorum=quorum, min_experts=min_experts)
    sd, rng = composite_spread(expert_utilities, weights)
    reasons = grouped(spread_flags(sd, rng, options, scale) + coverage_flags(coverage, unscored)
                      + undecided_flags(gates))
    needed = np.zeros(len(unscored), dtype=bool)
    needed[list(reasons)] = True
    return Review(needed=needed | unscored, reasons=reasons, completeness=coverage)


__all__ = ["Review", "review_of", "composite_spread", "spread_flags", "coverage_flags", "undecided_flags"]
