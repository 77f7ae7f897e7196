"""Stage 1, consensus: one value per (project, indicator) from the experts' scores.

- **Ordinal indicators are never averaged.** Levels (TRL ...) and grades take the lower median.
- **Boolean indicators** take the majority; a tie is *unknown* (NaN), never a silent pass.
- **Other indicators** take the rubric's consensus rule (mean, median, trimmed mean, weighted mean),
  optionally leniency-corrected; a trimmed-mean cell with too few scores falls back to the median.
- **Calibration** (``panel.calibration: additive | bayesian | scaled``): every interval indicator
  (ratings, numbers) takes the calibrated quality of :mod:`tlr.panel.calibration` instead — the score
  the panel's average expert (additive, scaled) or an expert of zero leniency (bayesian) would give,
  with its standard error, in the indicator's own units and clipped to its scale. Ordinal and yes/no indicators keep
  their rule. When the model refuses the assignment (too few scores, a disconnected panel) the
  evaluation refuses with its reason; it never falls back silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tlr.findings import Finding
from tlr.numeric.arrays import project_blocks
from tlr.numeric.errors import InvalidValueError
from tlr.panel.cells import Cells, cells_of, columns, set_columns
from tlr.panel.consensus import (
    Leniency,
    cell_values,
    check_weights,
    leniency_stats,
    zero_weight_error,
)
from tlr.rubric import NodeInfo, Rubric
from tlr.rubric.kinds import MAJORITY, MEDIAN_LOW, PANEL, kind_of
from tlr.rubric.scales import scale_range

from .options import EvaluationOptions

MODELS = ("additive", "bayesian", "scaled")   # calibrations that replace the consensus rule by a rater-effects model

# rubric rule -> tlr.panel.consensus method
CONSENSUS_METHODS = {"mean": "mean", "median": "median", "trimmed_mean": "trimmed", "weighted_mean": "weighted"}
ORDINAL = MEDIAN_LOW


@dataclass(frozen=True)
class PanelRule:
    """The consensus rule as applied: the rubric's, unless the options override it."""

    rule: str              # rubric name: mean | median | trimmed_mean | weighted_mean
    trim: int
    min_after_trim: int
    calibration: str = "none"   # none | leniency | additive | bayesian

    @property
    def leniency(self) -> bool:
        return self.calibration == "leniency"

    @property
    def model(self) -> bool:
        """A rater-effects model replaces the rule on the interval indicators."""
        return self.calibration in MODELS

    @property
    def method(self) -> str:
        return CONSENSUS_METHODS[self.rule]


@dataclass(frozen=True)
class Calibration:
    """The rater-effects model as fitted on the interval indicators (``columns``).

    Attributes:
        method: ``additive`` | ``bayesian`` | ``scaled``.
        columns: indicator columns calibrated.
        quality_se: (P, I) standard error (additive) or posterior sd (bayesian) of the calibrated value,
            in the indicator's units; NaN outside ``columns`` and where nobody scored.
        leniency, noise_sd: (E, I) each expert's estimated leniency and noise sd; NaN outside ``columns``.
        n_scores: (E, I) scores behind them.
        tau_leniency: (I,) the spread of leniency across experts (bayesian; NaN otherwise).
    """

    method: str
    columns: tuple[int, ...]
    quality_se: np.ndarray
    leniency: np.ndarray
    noise_sd: np.ndarray
    n_scores: np.ndarray
    tau_leniency: np.ndarray


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
        calibration: the fitted rater-effects model, when the rule is ``additive`` or ``bayesian``.
    """

    values: np.ndarray
    n_experts: np.ndarray
    spread: np.ndarray
    used: dict[str, str]
    trim_fallback: np.ndarray
    rule: PanelRule
    calibration: Calibration | None = None

    @property
    def notes(self) -> tuple[Finding, ...]:
        if not self.trim_fallback.any():
            return ()
        return (Finding("note_trim_fallback", {"cells": int(self.trim_fallback.sum()),
                                               "min_after_trim": int(self.rule.min_after_trim)}),)


def panel_rule(rubric: Rubric, options: EvaluationOptions) -> PanelRule:
    panel = rubric.document.panel
    calibration = panel.calibration_method
    if options.calibration is not None:
        calibration = options.calibration
    elif options.leniency_correction is not None:
        calibration = "leniency" if options.leniency_correction else ("none" if calibration == "leniency"
                                                                       else calibration)
    return PanelRule(rule=options.consensus or panel.consensus,
                     trim=panel.trim if options.trim is None else options.trim,
                     min_after_trim=panel.min_after_trim, calibration=calibration)


def calibrated_columns(nodes: list[NodeInfo]) -> list[int]:
    """Columns a rater-effects model calibrates: interval scales (ratings, numbers) under the panel rule."""
    return [i for i, node in enumerate(nodes)
            if kind_of(node.scale).consensus == PANEL and kind_of(node.scale).interval]


def calibrate(values: np.ndarray, nodes: list[NodeInfo], cols: list[int], method: str,
              expert_ids=None) -> tuple[np.ndarray, Calibration]:
    """Fit the rater-effects model on columns *cols* of *values* (E, P, I): (P, len(cols)) clipped
    calibrated values, and the :class:`Calibration`. A refusal names the model and how to turn it off."""
    from tlr.panel.calibration import CalibrationError, fit_additive, fit_bayesian, fit_scaled

    E, P, I = values.shape
    fit_fn = {"additive": fit_additive, "bayesian": fit_bayesian, "scaled": fit_scaled}[method]
    sub = values[:, :, cols]
    try:
        fit = fit_fn(sub, expert_ids=expert_ids, indicator_ids=[nodes[i].id for i in cols])
    except CalibrationError as exc:
        way_out = "或在评价体系中设 panel.calibration: none / or set panel.calibration: none in the rubric"
        hint = exc.hint if exc.hint and "calibration: none" in exc.hint else "; ".join(filter(None, [exc.hint, way_out]))
        raise CalibrationError(f"评分校正（{method}）无法进行 / calibration '{method}' refused: {exc.message}",
                               hint=hint) from None
    bounds = [scale_range(nodes[i].scale) or (-np.inf, np.inf) for i in cols]
    quality = np.clip(fit.quality, [b[0] for b in bounds], [b[1] for b in bounds])   # NaN stays NaN
    full = np.full((P, I), np.nan)
    per_expert = np.full((E, I), np.nan)
    se, len_, noise, n = full.copy(), per_expert.copy(), per_expert.copy(), np.zeros((E, I), dtype=int)
    se[:, cols], len_[:, cols], noise[:, cols], n[:, cols] = fit.quality_se, fit.leniency, fit.noise_sd, fit.n_scores
    tau = np.full(I, np.nan)
    if method == "bayesian":
        tau[cols] = fit.tau_leniency
    return quality, Calibration(method=method, columns=tuple(cols), quality_se=se, leniency=len_, noise_sd=noise,
                                n_scores=n, tau_leniency=tau)


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


def spread(values: np.ndarray, n: np.ndarray | None = None) -> np.ndarray:
    """(P, I) sample sd of the experts' scores, NaN with fewer than two."""
    return cells_of(values).sd()


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


@dataclass(frozen=True)
class _Group:
    """One rule group as computed: its columns, the tlr.panel.consensus method and its checked arguments."""

    name: str
    cols: list[int]
    call: str
    kwargs: dict[str, Any]
    leniency: Leniency | None = None


def _plan(values: np.ndarray, nodes: list[NodeInfo], rule: PanelRule, weights: np.ndarray,
          n: np.ndarray) -> list[_Group]:
    """The rule groups with a score, their arguments checked as tlr.panel.consensus checks them."""
    plan = []
    for name, cols in rule_groups(nodes, rule.method).items():
        if not (columns(n, cols) > 0).any():
            continue
        if name in (MAJORITY, ORDINAL):
            plan.append(_Group(name, cols, name, {}))
            continue
        call, kwargs = _method_call(name, nodes, cols, rule, weights)
        stats = None
        if call == "leniency":
            stats = leniency_stats(values, kwargs.pop("lo"), kwargs.pop("hi"), cols)
        elif call == "trimmed":
            if kwargs["trim"] < 0 or kwargs["min_remaining"] < 1:
                raise InvalidValueError("截尾参数无效 / trim must be >= 0 and min_remaining >= 1")
        elif call == "weighted":
            kwargs = dict(weights=check_weights(kwargs["expert_weights"], values.shape[0]))
        plan.append(_Group(name, cols, call, kwargs, stats))
    return plan


def consensus_of(rubric: Rubric, values: np.ndarray, options: EvaluationOptions,
                 expert_weights: np.ndarray | None = None, expert_ids=None, cells: Cells | None = None) -> Consensus:
    """Consensus value, experts behind it and spread for every (project, indicator) of *values* (E, P, I).

    *expert_ids* name the experts in a calibration refusal; *cells* are :func:`tlr.panel.cells.cells_of`
    *values* when the caller has them. The mean comes from the cells; the other rules read their columns
    a block of projects at a time (every cell on its own, so the blocks change no number).
    """
    E, P, I = values.shape
    nodes = rubric.indicators
    rule = panel_rule(rubric, options)
    calibration = None
    cells = cells_of(values) if cells is None else cells
    n = cells.n
    model_cols = calibrated_columns(nodes) if rule.model else []
    model_cols = [i for i in model_cols if (n[:, i] > 0).any()]
    weights = np.ones(E) if expert_weights is None else expert_weights
    plan = _plan(values, nodes, rule, weights, n)
    out = np.full((P, I), np.nan)
    fallback = np.zeros((P, I), dtype=bool)  # trimmed mean not applied: too few experts on the cell
    for g in plan:
        if g.call == "mean":                 # masked_mean of the scores: their sum over their number
            total, k = columns(cells.total, g.cols), columns(n, g.cols)
            set_columns(out, g.cols, np.where(k > 0, total / np.maximum(k, 1), np.nan))
    reads = [g for g in plan if g.call != "mean"]
    zero = None
    for sl in project_blocks(P, E * I) if reads else ():
        x = values[:, sl]
        for g in reads:
            sub, nb = columns(x, g.cols), n[sl][:, g.cols]
            if g.name == MAJORITY:
                out[sl, g.cols] = majority(sub)
                continue
            if g.leniency is not None:
                sub = g.leniency.apply(sub)
            v, fb, _, z = cell_values(sub, ~np.isnan(sub), nb, g.call, **g.kwargs)
            out[sl, g.cols] = v
            if g.name == "trimmed":
                fallback[sl, g.cols] |= fb
            if z is not None:
                zero = np.zeros((P, len(g.cols)), dtype=bool) if zero is None else zero
                zero[sl] = z
    if zero is not None and zero.any():
        raise zero_weight_error(zero)
    used = {nodes[i].id: g.call for g in plan for i in g.cols}
    if model_cols:
        out[:, model_cols], calibration = calibrate(values, nodes, model_cols, rule.calibration, expert_ids)
        fallback[:, model_cols] = False
        for i in model_cols:
            used[nodes[i].id] = rule.calibration
    return Consensus(values=out, n_experts=n, spread=cells.sd(), used=used, trim_fallback=fallback, rule=rule,
                     calibration=calibration)


__all__ = ["Calibration", "Consensus", "PanelRule", "calibrate", "calibrated_columns", "consensus_of", "panel_rule", "majority", "rule_groups", "CONSENSUS_METHODS"]
