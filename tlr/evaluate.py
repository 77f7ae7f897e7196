"""Apply a rubric to a panel's scores: consensus, utilities, composite, gates, tiers, routes, robustness.

This is the one place where the rubric (what to score and how it counts) meets the
numeric core (:mod:`tlr.panel`, :mod:`tlr.engine`, :mod:`tlr.ranking`). It is pure:
arrays and models in, an :class:`Evaluation` out; reading the ledger is the caller's job.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from tlr.rubric import NodeInfo, Rubric
from tlr.rubric.conditions import describe_condition, evaluate_condition
from tlr.rubric.model import (
    BooleanScale,
    GradesScale,
    LevelsScale,
    LikertScale,
    LinearTransform,
    NumericScale,
    PiecewiseTransform,
    ThresholdTransform,
)
from tlr.findings import Finding, label as finding_label
from tlr.text import tr

CONSENSUS_METHODS = {"mean": "mean", "median": "median", "trimmed_mean": "trimmed", "weighted_mean": "weighted"}
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class EvaluationOptions:
    """Knobs of an evaluation; ``None`` means "as the rubric says"."""

    consensus: str | None = None
    trim: int | None = None
    min_experts: int | None = None
    leniency_correction: bool | None = None
    draws: int = 10_000
    bootstrap_draws: int = 1_000
    concentration: float = 100.0
    seed: int = DEFAULT_SEED
    top_k: int = 10
    review_sd: float = 0.12     # re-review when the experts' composites spread more than this (0..1 scale)
    review_range: float = 0.35  # ... or range over more than this


@dataclass(frozen=True)
class GateOutcome:
    """One gate over all projects."""

    id: str
    label: Any
    effect: str
    max_tier: str | None
    hit: np.ndarray       # bool (P,): known to apply
    unknown: np.ndarray   # bool (P,): could not be decided (missing scores)
    rule: str


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
    robustness: Any                # tlr.ranking.robustness.RobustnessResult (weight Monte Carlo)
    bootstrap: Any | None          # expert resampling, when possible
    agreement: dict[str, Any]
    expert_flags: Any | None
    method: dict[str, Any] = field(default_factory=dict)
    notes: tuple[Finding, ...] = ()   # how the method was applied this time (fallbacks, skipped steps)
    completeness: Any | None = None   # tlr.panel.completeness.Completeness
    applicable: np.ndarray | None = None  # (P, I) bool: the indicator applies to the project

    # ------------------------------------------------------------------ access
    def project_index(self, project_id: str) -> int:
        try:
            return self.projects.index(project_id)
        except ValueError:
            import difflib

            close = difflib.get_close_matches(project_id, self.projects, n=1)
            from tlr.errors import TlrError

            raise TlrError(f"未知项目 / unknown project '{project_id}'" + (f" — did you mean '{close[0]}'?" if close else ""),
                           hint="project ids are listed by `tlr status`") from None

    def order(self) -> np.ndarray:
        """Project indices best first (ties keep import order)."""
        key = np.where(np.isnan(self.composite), np.inf, -self.composite)
        return np.argsort(key, kind="stable")

    def knockouts(self, p: int) -> list[GateOutcome]:
        """The knock-out gates project *p* fails."""
        return [g for g in self.gates if g.hit[p] and g.effect == "knockout"]

    def knockout_reasons(self, p: int, lang: str = "zh") -> list[str]:
        return [tr(g.label, lang) for g in self.knockouts(p)]

    def flags(self, p: int) -> list[Finding]:
        """Everything a reader must know about project *p* beyond its score, as findings (codes).

        Findings of severity ``review`` are exactly the reasons project *p* is flagged for re-review.
        """
        out: list[Finding] = []
        if self.unscored[p]:
            out.append(Finding("unscored"))
        elif self.incomplete[p]:
            missing = int(np.sum(np.isnan(self.utilities[p]) & self._applicable_scored[p]))
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

    @property
    def _applicable_scored(self) -> np.ndarray:
        roles = np.array([self.rubric.node(i).role == "score" for i in self.indicators])
        base = np.ones_like(self.utilities, dtype=bool) if self.applicable is None else self.applicable
        return base & roles[None, :]

    def ranking_frame(self, lang: str = "zh"):
        """One row per project, best first: rank, composite, tier, route, readiness, rank interval, flags."""
        import pandas as pd

        rob = self.robustness
        rows = []
        for p in self.order():
            row = {
                "rank": int(self.rank[p]), "project": self.projects[p],
                "composite": _num(self.composite[p]),
                "tier": self.tier[p], "route": self.route[p],
                "readiness": None if np.isnan(self.readiness[p]) else int(self.readiness[p]),
                "readiness_source": self.readiness_source[p],
                "rank_p05": _num(rob.rank_q05[p]) if rob is not None else None,
                "rank_p95": _num(rob.rank_q95[p]) if rob is not None else None,
                f"p_top_{rob.top_k if rob is not None else 0}": _num(rob.p_top_k[p]) if rob is not None else None,
                "knocked_out": bool(self.knocked_out[p]),
                "knockout_reasons": "; ".join(self.knockout_reasons(p, lang)),
                "flags": "; ".join(self.flags(p, lang)),
            }
            for d, dim in enumerate(self.dimensions):
                if self.rubric.node(dim).depth == 0:
                    row[dim] = _num(self.dimension_scores[p, d])
            rows.append(row)
        return pd.DataFrame(rows)

    def neighbour_sensitivity(self, project_id: str, lang: str = "zh") -> list[dict]:
        """For the project and each rank neighbour: the smallest change of one weight that swaps them.

        One-at-a-time: the chosen indicator's global weight moves, the others are rescaled in
        proportion (closed form, :func:`tlr.ranking.sensitivity.swap_thresholds`). Weighted sum only.
        """
        from tlr.ranking.sensitivity import swap_thresholds

        p = self.project_index(project_id)
        order = [int(q) for q in self.order() if not self.unscored[q]]
        if p not in order:
            return []
        pos = order.index(p)
        scored = [i for i, iid in enumerate(self.indicators) if self.rubric.node(iid).role == "score"]
        w = np.array([self.rubric.node(self.indicators[i]).global_weight for i in scored])
        U = _impute_missing(self.utilities[:, scored], w)
        out = []
        for q in (order[pos - 1] if pos > 0 else None, order[pos + 1] if pos + 1 < len(order) else None):
            if q is None:
                continue
            t, ok = swap_thresholds(U, w, [(p, q)])
            delta = np.where(ok[0], np.abs(t[0] - w), np.inf)
            if not np.isfinite(delta).any():
                out.append({"neighbour": self.projects[q], "rank": int(self.rank[q]), "swap": None})
                continue
            k = int(np.argmin(delta))
            node = self.rubric.node(self.indicators[scored[k]])
            out.append({"neighbour": self.projects[q], "rank": int(self.rank[q]),
                        "swap": {"indicator": node.id, "label": tr(node.label, lang), "weight": float(w[k]),
                                 "new_weight": float(t[0, k]), "change": float(t[0, k] - w[k])}})
        return out

    def explain(self, project_id: str) -> dict:
        """Contribution of every scored indicator to the project's composite, and what the next tier needs."""
        from tlr.ranking.explain import explain as explain_core

        p = self.project_index(project_id)
        scored = [i for i, iid in enumerate(self.indicators) if self.rubric.node(iid).role == "score"]
        w = np.array([self.rubric.node(self.indicators[i]).global_weight for i in scored])
        U = _impute_missing(self.utilities[p:p + 1][:, scored], w)
        scale = self.rubric.document.score_scale
        minima = [t.min_score / scale for t in self.rubric.document.tiers or [] if t.min_score is not None]
        if np.isnan(U).all():
            return {"project": project_id, "composite": None, "contributions": [], "note": "no scores"}
        res = explain_core(np.nan_to_num(U), w, minima or [1.0])
        body = res.project(0, [self.indicators[i] for i in scored])
        for item in body["contributions"]:
            item["contribution"] *= scale
            item["headroom"] *= scale
            i = self.indicators.index(item["indicator"])
            item["utility"] = _num(self.utilities[p, i])
            item["consensus"] = _num(self.consensus[p, i])
            item["weight"] = self.rubric.node(item["indicator"]).global_weight
        body["composite"] = _num(self.composite[p])
        body["gap_to_next_tier"] *= scale
        body.update(project=project_id, tier=self.tier[p], rank=int(self.rank[p]),
                    knocked_out=bool(self.knocked_out[p]),
                    knockouts=[{"gate": g.id, "label": finding_label(g.label)} for g in self.knockouts(p)],
                    flags=[f.to_dict() for f in self.flags(p)],
                    neighbours=self.neighbour_sensitivity(project_id))
        return body


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


# ---------------------------------------------------------------------------------------------- utilities


def indicator_utility(node: NodeInfo, values: np.ndarray) -> np.ndarray:
    """Utility in [0, 1] of stored scores *values* (any shape) on *node*'s scale; NaN stays NaN."""
    from tlr.engine import utility

    scale = node.scale
    x = np.asarray(values, dtype=float)
    if isinstance(scale, LevelsScale):
        return utility.levels(x, level_points(node))
    if isinstance(scale, LikertScale):
        return utility.likert(x, scale.min, scale.max)
    if isinstance(scale, BooleanScale):
        return x if scale.pass_value else np.where(np.isnan(x), np.nan, 1.0 - x)
    if isinstance(scale, GradesScale):
        values_ = np.array([g.value for g in scale.grades], dtype=float)
        lo, hi = values_.min(), values_.max()
        norm = (values_ - lo) / (hi - lo) if hi > lo else np.ones_like(values_)
        idx = np.nan_to_num(x, nan=0).astype(int)
        return np.where(np.isnan(x), np.nan, norm[np.clip(idx, 0, len(norm) - 1)])
    if isinstance(scale, NumericScale):
        t = scale.transform
        if isinstance(t, LinearTransform):
            return utility.linear(x, t.lower, t.upper, scale.direction)
        if isinstance(t, ThresholdTransform):
            cuts = [s.at for s in t.steps]
            return utility.thresholds(x, cuts, [t.below] + [s.utility for s in t.steps])
        if isinstance(t, PiecewiseTransform):
            return utility.piecewise(x, [pt[0] for pt in t.points], [pt[1] for pt in t.points])
    raise TypeError(f"no utility for scale {scale!r}")  # pragma: no cover


def level_points(node: NodeInfo) -> dict[int, float]:
    """Points table of a levels indicator: the indicator's own, else the scale's, else evenly spaced by rank."""
    scale = node.scale
    if node.model.points:
        return {int(k): float(v) for k, v in node.model.points.items()}
    levels = [lv.level for lv in scale.levels]
    if all(lv.points is not None for lv in scale.levels):
        return {lv.level: float(lv.points) for lv in scale.levels}
    n = len(levels) - 1
    return {lv: i / n for i, lv in enumerate(levels)}


def _impute_missing(U: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fill a project's missing leaf utilities with its renormalised composite (so U @ w equals it).

    Rows with no utility at all stay NaN (unscored projects).
    """
    present = ~np.isnan(U)
    wp = present @ w
    comp = np.where(wp > 0, np.nan_to_num(U) @ w / np.where(wp > 0, wp, 1.0), np.nan)
    return np.where(present, U, comp[:, None])


# ---------------------------------------------------------------------------------------------- consensus


def _consensus_columns(rubric: Rubric, cube: np.ndarray, opts: EvaluationOptions,
                       expert_weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Consensus value, number of experts and sd for every (project, indicator)."""
    from tlr.panel.consensus import consensus

    E, P, I = cube.shape
    panel = rubric.document.panel
    rule = opts.consensus or panel.consensus
    method = CONSENSUS_METHODS[rule]
    trim = panel.trim if opts.trim is None else opts.trim
    leniency = panel.leniency_correction if opts.leniency_correction is None else opts.leniency_correction
    values = np.full((P, I), np.nan)
    fallback = np.zeros((P, I), dtype=bool)  # trimmed mean not applied: too few experts on the cell
    present = ~np.isnan(cube)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.where(n >= 2, np.nanstd(cube, axis=0, ddof=1), np.nan)
    nodes = rubric.indicators
    groups: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):  # a handful of scale kinds; each group is one vectorised call
        if isinstance(node.scale, (LevelsScale, GradesScale)):
            groups.setdefault("median_low", []).append(i)
        elif isinstance(node.scale, BooleanScale):
            groups.setdefault("majority", []).append(i)
        else:
            groups.setdefault(method, []).append(i)
    used: dict[str, str] = {}
    for name, cols in groups.items():
        sub = cube[:, :, cols]
        if not present[:, :, cols].any():
            continue
        if name == "majority":
            yes = np.nansum(sub, axis=0)
            cnt = present[:, :, cols].sum(axis=0)
            values[:, cols] = np.where(cnt == 0, np.nan,
                                       np.where(2 * yes > cnt, 1.0, np.where(2 * yes < cnt, 0.0, np.nan)))
        elif name in ("median_low",):
            values[:, cols] = consensus(sub, "median_low").values
        else:
            kwargs: dict[str, Any] = {}
            call = name
            if name == "trimmed":
                kwargs.update(trim=trim, min_remaining=panel.min_after_trim)
            if name == "weighted":
                kwargs.update(expert_weights=np.ones(E) if expert_weights is None else expert_weights)
            if leniency:
                bounds = [_bounds(nodes[i]) for i in cols]
                if all(b is not None for b in bounds):
                    call = "leniency"
                    kwargs = dict(lo=np.array([b[0] for b in bounds]), hi=np.array([b[1] for b in bounds]))
            result = consensus(sub, call, **kwargs)
            values[:, cols] = result.values
            if name == "trimmed":
                fallback[:, cols] |= result.fallback
        for i in cols:
            used[nodes[i].id] = name if name in ("median_low", "majority") else call
    return values, n, sd, used, fallback


def _bounds(node: NodeInfo) -> tuple[float, float] | None:
    from tlr.rubric.scales import scale_range

    return scale_range(node.scale)


# ---------------------------------------------------------------------------------------------- evaluate


def evaluate(rubric: Rubric, scores: np.ndarray, *, projects: Sequence[str], experts: Sequence[str],
             indicators: Sequence[str] | None = None, applicable: np.ndarray | None = None,
             readiness_assessed: dict[str, int] | None = None, readiness_asserted: Sequence[str] = (),
             assigned: np.ndarray | None = None, expert_weights: np.ndarray | None = None,
             options: EvaluationOptions | None = None, progress=None) -> Evaluation:
    """Evaluate every project of a panel under *rubric*.

    Args:
        scores: (experts, projects, indicators) stored scores (see :mod:`tlr.rubric.scales`), NaN = none.
        indicators: ids along the last axis; default: ``rubric.indicators`` in tree order.
        applicable: (projects, indicators) bool, False where the indicator does not apply.
        readiness_assessed: project id -> readiness level from a formal assessment.
        readiness_asserted: ids of assessed projects whose level is not fully backed by evidence
            (some 'yes' without a hashed file or reference): shown as assessor-asserted.
        assigned: (experts, projects) bool, the active panel (assigned and not recused); default: the
            experts who scored the project. Completeness and the quorum are measured against it.
        progress: optional callable(step: str) for progress reporting.
    """
    from tlr.engine.aggregation import expert_composites
    from tlr.numeric.errors import NoScoresError
    from tlr.ranking.robustness import expert_bootstrap, weight_monte_carlo
    from tlr.ranking.tiers import TierRule, assign_tiers, rank as rank_projects

    opts = options or EvaluationOptions()
    step = progress or (lambda _s: None)
    doc = rubric.document
    scale_max = doc.score_scale
    cube = np.asarray(scores, dtype=float)
    ids = tuple(indicators) if indicators is not None else tuple(n.id for n in rubric.indicators)
    if ids != tuple(n.id for n in rubric.indicators):
        order = [ids.index(n.id) if n.id in ids else -1 for n in rubric.indicators]
        missing = [n.id for n, k in zip(rubric.indicators, order) if k < 0]
        if missing:
            from tlr.errors import TlrError

            raise TlrError(f"评分数据缺少指标 / the scores lack indicators of the rubric: {', '.join(missing[:5])}",
                           hint="the campaign's frozen rubric and this rubric differ")
        cube = cube[:, :, order]
        if applicable is not None:
            applicable = np.asarray(applicable)[:, order]
    ids = tuple(n.id for n in rubric.indicators)
    E, P, I = cube.shape
    if P != len(projects) or E != len(experts):
        raise ValueError("scores shape does not match projects/experts")
    if P == 0:
        from tlr.errors import TlrError

        raise TlrError("评价批次中没有项目 / the campaign has no projects", hint="import projects first")
    if not np.isfinite(cube[~np.isnan(cube)]).all():
        raise ValueError("scores contain infinite values")
    if np.isnan(cube).all():
        raise NoScoresError("没有任何评分 / no scores at all: nothing to rank yet",
                            hint="experts score with `tlr score`, or import sheets with `tlr sheets import`")
    app = np.ones((P, I), dtype=bool) if applicable is None else np.asarray(applicable, dtype=bool)
    nodes = rubric.indicators

    step("consensus")
    cons, n_exp, sd, used, trim_fallback = _consensus_columns(rubric, cube, opts, expert_weights)

    # readiness: assessment first, then the panel's lower median
    readiness = np.full(P, np.nan)
    source = ["none"] * P
    r_idx = ids.index(doc.readiness) if doc.readiness else None
    if r_idx is not None:
        readiness = cons[:, r_idx].copy()
        source = ["panel" if not np.isnan(v) else "none" for v in readiness]
    position = {pid: k for k, pid in enumerate(projects)}
    assessed = [(position[pid], level) for pid, level in (readiness_assessed or {}).items() if pid in position]
    if assessed:
        rows = np.array([k for k, _ in assessed], dtype=np.intp)
        readiness[rows] = np.array([float(level) for _, level in assessed])
        asserted_ids = set(readiness_asserted)
        for k in rows:  # one entry per assessed project
            source[k] = "asserted" if projects[k] in asserted_ids else "assessment"
    if r_idx is not None:
        cons[:, r_idx] = readiness

    step("utilities")
    U = np.full((P, I), np.nan)
    X = np.full((E, P, I), np.nan)
    for i, node in enumerate(nodes):  # one vectorised call per indicator
        if isinstance(node.scale, GradesScale):
            X[:, :, i] = indicator_utility(node, cube[:, :, i])
            with np.errstate(invalid="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    U[:, i] = np.nanmean(X[:, :, i], axis=0)
        else:
            U[:, i] = indicator_utility(node, cons[:, i])
            X[:, :, i] = indicator_utility(node, cube[:, :, i])
    U = np.where(app, U, np.nan)

    scored = [i for i, node in enumerate(nodes) if node.role == "score"]
    w = np.array([nodes[i].global_weight for i in scored])
    dims = [n for n in rubric.nodes if n.kind == "dimension"]
    membership = np.zeros((len(scored), len(dims)))
    for d, dim in enumerate(dims):
        for k, i in enumerate(scored):
            membership[k, d] = dim.id in nodes[i].path
    Us = U[:, scored]
    present = ~np.isnan(Us)
    wp = present @ w
    composite01 = np.where(wp > 0, np.nan_to_num(Us) @ w / np.where(wp > 0, wp, 1.0), np.nan)
    Wd = membership * w[:, None]
    den = present @ Wd
    dim_scores = np.where(den > 0, (np.nan_to_num(Us) @ Wd) / np.where(den > 0, den, 1.0), np.nan)
    unscored = np.isnan(cube).all(axis=(0, 2))
    incomplete = ~unscored & (~present & app[:, scored]).any(axis=1)
    aggregation = doc.aggregation.method
    if aggregation != "weighted_sum":
        composite01 = _alternative_composite(rubric, aggregation, Us, X[:, :, scored], w, unscored,
                                             [nodes[i] for i in scored])
    composite = composite01 * scale_max

    step("gates and tiers")
    values: dict[str, np.ndarray] = {iid: cons[:, i] for i, iid in enumerate(ids)}
    values.update({dim.id: dim_scores[:, d] * scale_max for d, dim in enumerate(dims)})
    values["composite"] = composite
    values["readiness"] = readiness
    scale_of = {node.id: node.scale for node in nodes}
    gates = []
    for gate in doc.gates or []:
        truth = evaluate_condition(gate.when, values, P, scale_of)
        gates.append(GateOutcome(gate.id, gate.label, gate.effect, gate.max_tier, truth.true(), truth.unknown,
                                 describe_condition(gate.when)))
    ko_gates = [g for g in gates if g.effect == "knockout"]
    ko_matrix = np.stack([g.hit for g in ko_gates], axis=1) if ko_gates else np.zeros((P, 0), bool)
    knocked_out = ko_matrix.any(axis=1)

    tiers = list(doc.tiers or [])
    if tiers and tiers[-1].min_score is None and tiers[-1].when is None:
        default = tiers.pop()
        default_code = (default.id, tr(default.label, "zh"), tr(default.label, "en"))
    else:
        default_code = ("-", "未分档", "no tier")
    tier_labels = {t.id: t.label for t in doc.tiers or []}
    tier_labels.setdefault(default_code[0], {"zh": default_code[1], "en": default_code[2]})
    rules = []
    for t in tiers:
        conditions = {}
        if t.when is not None:
            truth = evaluate_condition(t.when, values, P, scale_of)
            conditions[describe_condition(t.when)] = truth.true()
        rules.append(TierRule(t.id, (t.min_score or 0.0) / scale_max, tr(t.label, "zh"), tr(t.label, "en"),
                              conditions))
    if rules:
        tier_res = assign_tiers(composite01, rules, gates=ko_matrix, gate_reasons=[g.id for g in ko_gates],
                                knockout_tier=default_code[0], default=default_code)
        codes = list(tier_res.codes)
        tier_idx = tier_res.tier.copy()
    else:
        codes = [default_code[0]]
        tier_idx = np.zeros(P, dtype=int)
    for g in gates:  # flag-gates may cap the tier
        if g.max_tier is not None and g.max_tier in codes:
            cap = codes.index(g.max_tier)
            tier_idx = np.where(g.hit, np.maximum(tier_idx, cap), tier_idx)
    tier = tuple(np.asarray(codes, dtype=object)[tier_idx].tolist())

    route_arr = np.full(P, None, dtype=object)
    route_labels = {r.id: r.label for r in doc.routes or []}
    undecided = np.ones(P, dtype=bool)
    for r in doc.routes or []:  # a handful of routes, each over all projects at once
        if r.when is None:
            hit, unknown = np.ones(P, bool), np.zeros(P, bool)
        else:
            truth = evaluate_condition(r.when, values, P, scale_of)
            hit, unknown = truth.true(), truth.unknown
        take = undecided & hit
        route_arr[take] = r.id
        undecided &= ~take & ~unknown  # an unknown earlier route blocks later ones: no silent fallthrough
    # a knocked-out project gets no support route, unless its (first) knock-out gate names one
    route_arr[knocked_out] = None
    for gate, outcome in reversed(list(zip(doc.gates or [], gates))):
        if outcome.effect == "knockout" and gate.route is not None:
            route_arr[outcome.hit] = gate.route
    route = route_arr.tolist()

    ranks = rank_projects(composite01, ties="competition").rank

    step("agreement")
    Xs = X[:, :, scored]
    per_expert = expert_composites(Xs, w)
    exp_comp = per_expert.composite if hasattr(per_expert, "composite") else per_expert
    exp_comp = np.asarray(exp_comp, dtype=float)
    review = np.zeros(P, dtype=bool)
    reasons: dict[int, list[Finding]] = {}
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            cnt = (~np.isnan(exp_comp)).sum(axis=0)
            sd_p = np.where(cnt >= 2, np.nanstd(exp_comp, axis=0, ddof=1), np.nan)
            rng_p = np.where(cnt >= 2, np.nanmax(exp_comp, axis=0) - np.nanmin(exp_comp, axis=0), np.nan)
    for p in np.flatnonzero(np.nan_to_num(sd_p) > opts.review_sd):
        reasons.setdefault(int(p), []).append(Finding("review_sd", {
            "value": float(sd_p[p] * scale_max), "threshold": float(opts.review_sd * scale_max)}))
    for p in np.flatnonzero(np.nan_to_num(rng_p) > opts.review_range):
        reasons.setdefault(int(p), []).append(Finding("review_range", {
            "value": float(rng_p[p] * scale_max), "threshold": float(opts.review_range * scale_max)}))
    from tlr.panel.completeness import completeness as panel_completeness

    min_exp = opts.min_experts or doc.panel.min_experts
    answered = ~np.isnan(cube)
    active = answered.any(axis=2) if assigned is None else np.asarray(assigned, dtype=bool)
    coverage = panel_completeness(answered, active, app, quorum=doc.panel.quorum, min_experts=min_exp)
    for p in np.flatnonzero(~coverage.quorum_met & ~unscored):
        reasons.setdefault(int(p), []).append(Finding("below_quorum", {
            "n": int(coverage.experts_behind[p]), "panel": int(coverage.panel[p]), "quorum": float(coverage.quorum)}))
    for p in np.flatnonzero(~coverage.min_experts_met & ~unscored):
        reasons.setdefault(int(p), []).append(Finding("below_min_experts", {
            "n": int(coverage.experts_behind[p]), "min": int(min_exp)}))
    for g in gates:
        for p in np.flatnonzero(g.unknown):
            reasons.setdefault(int(p), []).append(Finding("gate_undecided", {"gate_id": g.id, "gate": finding_label(g.label)}))
    for p, found in reasons.items():
        review[p] = bool(found)
    review |= unscored  # nobody scored it: the 'unscored' finding (Evaluation.flags) asks for review
    agreement = _agreement(cube, nodes, scored)
    expert_flags = None
    try:
        from tlr.panel.agreement import expert_diagnostics

        cols = [i for i in scored if isinstance(nodes[i].scale, (LikertScale, NumericScale))]
        if cols:
            expert_flags = expert_diagnostics(cube[:, :, cols])
    except Exception as exc:  # diagnostics are advisory; a degenerate panel must not stop the ranking
        agreement["expert_diagnostics_error"] = str(exc)

    step("robustness")
    U_imp = _impute_missing(Us, w)
    rob = weight_monte_carlo(U_imp, w, concentration=opts.concentration, n_draws=opts.draws, seed=opts.seed,
                             top_k=min(opts.top_k, P), tier_rules=rules or None, knocked_out=knocked_out,
                             knockout_tier=default_code[0] if rules else None, default_tier=default_code[0])
    boot = None
    notes: list[Finding] = []
    if trim_fallback.any():
        notes.append(Finding("note_trim_fallback", {"cells": int(trim_fallback.sum()),
                                                    "min_after_trim": int(doc.panel.min_after_trim)}))
    if aggregation != "weighted_sum":
        notes.append(Finding("note_robustness_weighted_sum", {"aggregation": aggregation}))
    if opts.bootstrap_draws > 0:
        try:
            boot = expert_bootstrap(np.where(app[None, :, scored], Xs, np.nan), w, n_draws=opts.bootstrap_draws,
                                    seed=opts.seed, top_k=min(opts.top_k, P), tier_rules=rules or None,
                                    knocked_out=knocked_out, knockout_tier=default_code[0] if rules else None,
                                    default_tier=default_code[0])
        except Exception as exc:
            notes.append(Finding("note_bootstrap_skipped", {"reason": str(getattr(exc, "message", exc))}))

    rule = opts.consensus or doc.panel.consensus
    method = {
        "consensus": rule,
        "trim": (doc.panel.trim if opts.trim is None else opts.trim) if rule == "trimmed_mean" else 0,
        "min_after_trim": doc.panel.min_after_trim if rule == "trimmed_mean" else None,
        "trim_fallback_cells": int(trim_fallback.sum()),
        "leniency_correction": doc.panel.leniency_correction if opts.leniency_correction is None
        else opts.leniency_correction,
        "consensus_by_indicator": used,
        "aggregation": doc.aggregation.method,
        "missing": "renormalise",
        "readiness": "assessment_else_panel_lower_median",
        "robustness": {"weights": "dirichlet", "concentration": opts.concentration, "draws": opts.draws,
                       "seed": opts.seed, "expert_bootstrap_draws": opts.bootstrap_draws if boot is not None else 0,
                       "top_k": min(opts.top_k, P)},
        "review": {"sd": opts.review_sd * scale_max, "range": opts.review_range * scale_max,
                   "min_experts": min_exp, "quorum": doc.panel.quorum},
        "score_scale": scale_max,
        "panel_defaults": list(rubric.panel_defaults),
    }
    return Evaluation(
        rubric=rubric, projects=tuple(projects), experts=tuple(experts), indicators=ids, consensus=cons,
        n_experts=n_exp, spread=sd, utilities=U, expert_utilities=X, dimensions=tuple(d.id for d in dims),
        dimension_scores=dim_scores * scale_max, composite=composite, rank=ranks, readiness=readiness,
        readiness_source=tuple(source), gates=tuple(gates), knocked_out=knocked_out, tier=tier,
        tier_labels=tier_labels, tier_codes=tuple(codes), route=tuple(route), route_labels=route_labels,
        incomplete=incomplete, unscored=unscored, review=review, review_reasons=reasons, robustness=rob,
        bootstrap=boot, agreement=agreement, expert_flags=expert_flags, method=method, notes=tuple(notes),
        completeness=coverage, applicable=app)


def _alternative_composite(rubric: Rubric, method: str, Us: np.ndarray, Xs: np.ndarray, w: np.ndarray,
                           unscored: np.ndarray, leaves: list[NodeInfo]) -> np.ndarray:
    """Composite in [0, 1] by TOPSIS or fuzzy comprehensive evaluation, as the rubric chooses.

    Missing leaf utilities are first filled with the project's weighted-sum composite over the leaves
    scored (the same rule the weighted sum uses), so every method sees the same information.

    - ``topsis``: closeness coefficient of the utilities (all benefit criteria: utilities are oriented).
    - ``fuzzy``: each expert's utility on a leaf is assigned to the nearest grade of the rubric's grades
      scale (grade values rescaled to [0, 1]); memberships are the shares of the panel per grade
      (专家评判频率法); B = A ∘ R with the rubric's operator; score = B (normalised) · grade values,
      rescaled to [0, 1] between the lowest and highest grade value.
    """
    from tlr.engine.aggregation import fce, topsis

    U = _impute_missing(Us, w)
    scored_rows = ~unscored
    out = np.full(U.shape[0], np.nan)
    if not scored_rows.any():
        return out
    if method == "topsis":
        out[scored_rows] = topsis(U[scored_rows], w).closeness
        return out
    doc = rubric.document
    grades = doc.scales[doc.aggregation.grades]
    values = np.array([g.value for g in grades.grades], dtype=float)
    lo, hi = values.min(), values.max()
    grade_u = (values - lo) / (hi - lo) if hi > lo else np.ones_like(values)
    present = ~np.isnan(Xs)
    nearest = np.abs(np.nan_to_num(Xs)[..., None] - grade_u).argmin(axis=-1)          # (E, P, L)
    votes = (present[..., None] & (nearest[..., None] == np.arange(len(values)))).sum(axis=0)
    n = votes.sum(axis=-1, keepdims=True)
    R = np.where(n > 0, votes / np.maximum(n, 1), 0.0)
    # a leaf nobody scored gets the membership of the project's composite (same fill rule as above)
    fill = np.abs(U[..., None] - grade_u).argmin(axis=-1)
    R = np.where(n > 0, R, (fill[..., None] == np.arange(len(values))).astype(float))
    result = fce(R[scored_rows], w, values, operator=doc.aggregation.operator)
    out[scored_rows] = (result.score - lo) / (hi - lo) if hi > lo else result.score
    return out


def _agreement(cube: np.ndarray, nodes: list[NodeInfo], scored: list[int]) -> dict[str, Any]:
    """Agreement per scored indicator.

    One-way ICC(1) uses every project with two or more scores (right for assignment designs, where
    each project has its own experts); Kendall's W and the two-way ICCs need a complete block of
    experts x projects and are reported as not defined when there is none.
    """
    from tlr.panel.agreement import icc, icc_oneway, kendall_w

    sub = cube[:, :, scored]
    oneway = icc_oneway(sub)
    try:
        w = kendall_w(sub)
        two = icc(sub)
    except Exception:  # a degenerate panel: report what is defined
        w = two = None
    out: dict[str, Any] = {}
    for k, i in enumerate(scored):
        entry: dict[str, Any] = {
            "icc1_oneway": _num(oneway.icc[k]), "icc1_targets": int(oneway.n_targets[k]),
            "icc1_ratings": int(oneway.n_ratings[k]),
        }
        if w is not None:
            entry.update(kendall_w=_num(w.W[k]), kendall_p=_num(w.p_value[k]), kendall_experts=int(w.m_used[k]),
                         kendall_projects=int(w.n_used[k]))
        if two is not None:
            entry.update(icc2_1=_num(two.values["ICC2"][k]), icc_block_projects=int(two.n_targets[k]),
                         icc_block_experts=int(two.k_judges[k]))
        out[nodes[i].id] = entry
    return out
