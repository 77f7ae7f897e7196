"""Panel agreement beside the ranking (advisory): Krippendorff's alpha, ICC and Kendall's W per scored
indicator, outlier experts.

Krippendorff's alpha is the headline on every indicator: it takes any pattern of missing scores (a sparse
assignment, where each expert scores only some projects) and the scale's level of measurement — ordinal
for levels ladders and named grades (TRL 1-9 ...), interval for Likert and numeric scores, nominal for
yes/no. Its 95 % interval resamples projects with a fixed seed, so the same ledger always gives the same
numbers. One-way ICC(1) uses every project with two or more scores; Kendall's W and the two-way ICCs need a
complete block of experts x projects and are reported as not defined when there is none. Each indicator
says whether its design is ``complete`` (every expert who scored it scored every project) or ``sparse``,
and why alpha is the headline. Nothing here changes a rank: a degenerate panel is reported, never
allowed to stop the ranking.
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
from tlr.panel.cells import Cells, cells_of, columns
from tlr.rubric import NodeInfo
from tlr.rubric.kinds import kind_of

ALPHA_BOOTSTRAP = 1000       # draws for alpha's interval: a few ms per indicator of a 60-project round
ALPHA_SEED = 20240601        # fixed: the advisory interval is reproducible from the ledger alone
REASONS = {
    "sparse": {"zh": "稀疏分配：每位专家只评部分项目，采用 Krippendorff α",
               "en": "sparse assignment: each expert scored only some projects, so Krippendorff's alpha is used"},
    "complete": {"zh": "完整设计：每位专家评了全部项目，以 Krippendorff α 为主，同时给出 ICC 与肯德尔 W",
                 "en": "complete design: every expert scored every project; Krippendorff's alpha is the headline, "
                       "ICC and Kendall's W are shown too"},
    "none": {"zh": "没有项目有两位以上专家的评分，无法计算一致性",
             "en": "no project has scores from two or more experts: agreement cannot be computed"},
}


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


def _block_statistics(sub: np.ndarray, cells: Cells | None = None):
    try:
        return kendall_w(sub, cells=cells), icc(sub, cells=cells)
    except Exception:  # a degenerate panel: report what is defined
        return None, None


def alpha_level(scale: Any) -> str:
    """Krippendorff's level of measurement for a rubric scale: interval where means make sense (Likert,
    numeric), nominal for yes/no, ordinal otherwise (levels ladders such as TRL 1-9, named grades)."""
    kind = kind_of(scale)
    if kind.interval:
        return "interval"
    return "nominal" if kind.name == "boolean" else "ordinal"


def _safe_level(scale: Any) -> str:
    try:
        return alpha_level(scale)
    except Exception:  # advisory: an unknown scale must not stop the ranking; interval is the neutral reading
        return "interval"


def design_of(block: np.ndarray) -> str:
    """``complete``, ``sparse`` or ``none`` for one indicator's (experts, projects) scores."""
    return designs_of(cells_of(np.asarray(block, dtype=float)[:, :, None]))[0]


def designs_of(cells: Cells) -> list[str]:
    """:func:`design_of` of every indicator from its :class:`~tlr.panel.cells.Cells`: complete when the
    scores fill the experts-who-scored x projects-scored rectangle."""
    n = cells.n
    complete = n.sum(axis=0) == cells.experts.sum(axis=0) * (n > 0).sum(axis=0)
    pairs = (n >= 2).any(axis=0)
    return ["none" if not pairs[i] else "complete" if complete[i] else "sparse" for i in range(n.shape[1])]


def _alpha_entries(sub: np.ndarray, levels: list[str], cells: Cells | None = None) -> list[dict[str, Any]]:
    """Alpha of every indicator of *sub* (E, P, I) at its level; one bootstrap for all of them (the same
    draws as one indicator alone: they depend on the seed and the number of projects only)."""
    from tlr.panel.krippendorff import krippendorff_alpha, krippendorff_alphas

    entries: list[dict[str, Any]] = [{} for _ in levels]
    try:
        by_level = krippendorff_alphas(sub, levels, bootstrap=ALPHA_BOOTSTRAP, seed=ALPHA_SEED, cells=cells)
    except Exception:  # advisory: find the level that fails, and say why on its indicators
        by_level = {}
        for level in dict.fromkeys(levels):
            cols = [k for k, lv in enumerate(levels) if lv == level]
            try:
                by_level[level] = cols, krippendorff_alpha(columns(sub, cols), level=level,
                                                           bootstrap=ALPHA_BOOTSTRAP, seed=ALPHA_SEED)
            except Exception as exc:
                for k in cols:
                    entries[k] = {"alpha": None, "alpha_level": level, "alpha_error": str(exc)}
    for level, (cols, a) in by_level.items():
        for j, k in enumerate(cols):
            entries[k] = {"alpha": _num(a.alpha[j]), "alpha_level": level, "alpha_ci_low": _num(a.ci_low[j]),
                          "alpha_ci_high": _num(a.ci_high[j]), "alpha_units": int(a.n_units[j]),
                          "alpha_values": int(a.n_values[j]), "alpha_bootstrap": ALPHA_BOOTSTRAP,
                          "alpha_seed": ALPHA_SEED}
    return entries


def indicator_agreement(scores: np.ndarray, nodes: list[NodeInfo], scored: tuple[int, ...],
                        cells: Cells | None = None) -> dict[str, Any]:
    """Agreement statistics per scored indicator of *scores* (E, P, I); *cells*: those of *scores*."""
    sub = columns(scores, scored)
    cs = cells_of(scores, scored) if cells is None else cells.columns(scored)
    oneway = icc_oneway(sub, cells=cs)
    w, two = _block_statistics(sub, cs)
    alphas = _alpha_entries(sub, [_safe_level(nodes[i].scale) for i in scored], cs)
    designs = designs_of(cs)
    out: dict[str, Any] = {}
    for k, i in enumerate(scored):
        design = designs[k]
        entry: dict[str, Any] = {"icc1_oneway": _num(oneway.icc[k]), "icc1_targets": int(oneway.n_targets[k]),
                                 "icc1_ratings": int(oneway.n_ratings[k])}
        entry.update(alphas[k])
        entry.update(design=design, headline="krippendorff_alpha", headline_reason=REASONS[design])
        if w is not None:
            entry.update(kendall_w=_num(w.W[k]), kendall_p=_num(w.p_value[k]), kendall_experts=int(w.m_used[k]),
                         kendall_projects=int(w.n_used[k]))
        if two is not None:
            a1 = two.forms["ICC2"]
            entry.update(icc2_1=_num(two.values["ICC2"][k]), icc_block_projects=int(two.n_targets[k]),
                         icc_block_experts=int(two.k_judges[k]), icc2_1_ci_low=_num(a1.ci_low[k]),
                         icc2_1_ci_high=_num(a1.ci_high[k]), icc3_1=_num(two.values["ICC3"][k]))
        out[nodes[i].id] = entry
    return out


def agreement_of(scores: np.ndarray, nodes: list[NodeInfo], scored: tuple[int, ...],
                 cells: Cells | None = None) -> Agreement:
    """Indicator agreement and expert diagnostics; *cells*: :func:`tlr.panel.cells.cells_of` *scores*."""
    indicators = indicator_agreement(scores, nodes, scored, cells)
    cols = [i for i in scored if kind_of(nodes[i].scale).interval]
    flags = None
    try:
        if cols:
            flags = expert_diagnostics(columns(scores, cols), cells=None if cells is None else cells.columns(cols))
    except Exception as exc:  # diagnostics are advisory; a degenerate panel must not stop the ranking
        indicators["expert_diagnostics_error"] = str(exc)
    return Agreement(indicators=indicators, expert_flags=flags)


__all__ = ["Agreement", "REASONS", "agreement_of", "alpha_level", "design_of", "designs_of", "indicator_agreement"]
