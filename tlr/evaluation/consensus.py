"""Stage 1, consensus: one value per (project, indicator) from the experts' scores.

- **Ordinal indicators are never averaged.** Levels (TRL ...) and grades take the lower median.
- **Boolean indicators** take the majority; a tie is *unknown* (NaN), never a silent pass.
- **Other indicators** take the rubric's consensus rule (mean, median, trimmed mean, weighted mean),
  optionally leniency-corrected; a trimmed-mean cell with too few scores falls back to the median.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from tlr.findings import Finding
from tlr.panel.consensus import consensus as panel_consensus
from tlr.rubric import NodeInfo, Rubric
from tlr.rubric.kinds import MAJORITY, MEDIAN_LOW, PANEL, kind_of
from tlr.rubric.scales import scale_range

from .options import EvaluationOptions

# rubric rule -> tlr.panel.consensus method
CONSENSUS_METHODS = {"mean": "mean", "median": "median", "trimmed_mean": "trimmed", "weighted_mean": "weighted"}
ORDINAL = MEDIAN_LOW


@dataclass(frozen=True)
class PanelRule:
    """The consensus rule as applied: the rubric's, unless the options override it."""

    rule: str              # rubric name: mean | median | trimmed_mean | weighted_mean
    trim: int
    min_after_trim: int
    leniency: bool

    @property
    def method(self) -> str:
        return CONSENSUS_METHODS[self.rule]


@dataclass(frozen=True)
class Consensus:
    """Consensus of every (project, indicator) cell, in the indicator's own units.

    Attributes:
        values: (P, I) consensus (levels, ratings, 0/1 ...); NaN = nobody scored, or a boolean tie.
        n_experts: (P, I) experts behind each value.
        spread: (P, I) sd of the experts' scores (NaN with fewer than 2).
        used: indicator id -> the method applied to it.
        trim_fallback: (P, I) cells where the trimmed mean fell back to the median.
        rule: the rule applied to the indicators that are neither ordinal nor boolean.
    """

    values: np.ndarray
    n_experts: np.ndarray
    spread: np.ndarray
    used: dict[str, str]
    trim_fallback: np.ndarray
    rule: PanelRule

    @property
    def notes(self) -> tuple[Finding, ...]:
        if not self.trim_fallback.any():
            return ()
        return (Finding("note_trim_fallback", {"cells": int(self.trim_fallback.sum()),
                                               "min_after_trim": int(self.rule.min_after_trim)}),)


def panel_rule(rubric: Rubric, options: EvaluationOptions) -> PanelRule:
    panel = rubric.document.panel
    return PanelRule(rule=options.consensus or panel.consensus,
                     trim=panel.trim if options.trim is None else options.trim,
                     min_after_trim=panel.min_after_trim,
                     leniency=panel.leniency_correction if options.leniency_correction is None
                     else options.leniency_correction)


def rule_groups(nodes: list[NodeInfo], method: str) -> dict[str, list[int]]:
    """Indicator columns by the method they take: ordinal, majority, or the panel's *method*."""
    groups: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):  # a handful of rules; each group is one vectorised call
        rule = kind_of(node.scale).consensus
        groups.setdefault(method if rule == PANEL else rule, []).append(i)
    return groups


def majority(sub: np.ndarray) -> np.ndarray:
    """(E, P, k) 0/1 scores -> (P, k): 1 for a majority of yes, 0 for no, NaN for a tie or no score."""
    cnt = (~np.isnan(sub)).sum(axis=0)
    yes = np.nansum(sub, axis=0)
    return np.where(cnt == 0, np.nan, np.where(2 * yes > cnt, 1.0, np.where(2 * yes < cnt, 0.0, np.nan)))


def spread(values: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(P, I) sample sd of the experts' scores, NaN with fewer than two."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.where(n >= 2, np.nanstd(values, axis=0, ddof=1), np.nan)


def _method_call(name: str, nodes: list[NodeInfo], cols: list[int], rule: PanelRule,
                 expert_weights: np.ndarray) -> tuple[str, dict[str, Any]]:
    """The tlr.panel.consensus method and arguments for the panel's rule on columns *cols*."""
    if rule.leniency:
        bounds = [scale_range(nodes[i].scale) for i in cols]
        if all(b is not None for b in bounds):
            return "leniency", dict(lo=np.array([b[0] for b in bounds]), hi=np.array([b[1] for b in bounds]))
    if name == "trimmed":
        return name, dict(trim=rule.trim, min_remaining=rule.min_after_trim)
    if name == "weighted":
        return name, dict(expert_weights=expert_weights)
    return name, {}


def consensus_of(rubric: Rubric, values: np.ndarray, options: EvaluationOptions,
                 expert_weights: np.ndarray | None = None) -> Consensus:
    """Consensus value, experts behind it and spread for every (project, indicator) of *values* (E, P, I)."""
    E, P, I = values.shape
    nodes = rubric.indicators
    rule = panel_rule(rubric, options)
    weights = np.ones(E) if expert_weights is None else expert_weights
    out = np.full((P, I), np.nan)
    fallback = np.zeros((P, I), dtype=bool)  # trimmed mean not applied: too few experts on the cell
    n = (~np.isnan(values)).sum(axis=0)
    used: dict[str, str] = {}
    for name, cols in rule_groups(nodes, rule.method).items():
        sub = values[:, :, cols]
        if not (n[:, cols] > 0).any():
            continue
        call = name
        if name == MAJORITY:
            out[:, cols] = majority(sub)
        elif name == ORDINAL:
            out[:, cols] = panel_consensus(sub, ORDINAL).values
        else:
            call, kwargs = _method_call(name, nodes, cols, rule, weights)
            result = panel_consensus(sub, call, **kwargs)
            out[:, cols] = result.values
            fallback[:, cols] |= result.fallback if name == "trimmed" else False
        for i in cols:
            used[nodes[i].id] = call
    return Consensus(values=out, n_experts=n, spread=spread(values, n), used=used, trim_fallback=fallback,
                     rule=rule)


__all__ = ["Consensus", "PanelRule", "consensus_of", "panel_rule", "majority", "rule_groups", "CONSENSUS_METHODS"]
