"""The report data contract: everything the report shows, as plain serialisable pydantic models.

The renderer takes a :class:`ReportData` and nothing else: it never imports the panel, engine or
ranking packages. Whoever builds a report fills this contract (see ``docs/report.md``); the
synthetic builder in :mod:`tlr.report.sample` shows a complete example. ``ReportData`` round-trips
through JSON (``data.model_dump_json()`` / ``ReportData.model_validate_json(text)``).

Conventions
- Human-readable vocabulary (tier, route, dimension, indicator labels, method texts) is ``Text``:
  a plain string or ``{zh: ..., en: ...}``. Data from applicants (project names, applicants,
  comments) is a plain string and is always shown as given (escaped).
- Scores are on the rubric's 0-100 scale; ``None`` means "not available" and shows as "—".
- Ranks are 1-based; ``rank is None`` means not ranked (knocked out or unscored).
- Probabilities are in [0, 1].
"""

from __future__ import annotations

from statistics import median
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tlr.report.followup import FollowUpSection
from tlr.text import I18nText, Text

CONTRACT_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoundMeta(_Model):
    """The evaluation round: what the cover and the audit appendix show."""

    title: Text = Field(description="report title, e.g. 2026 年度科技成果评投联动筛选")
    round_id: str = Field(description="campaign / round identifier")
    organisation: Text | None = Field(None, description="issuing department, shown on the cover")
    date: str = Field(description="date of the round (ISO yyyy-mm-dd), shown on the cover")
    rubric_id: str
    rubric_version: str
    rubric_title: Text | None = None
    rubric_hash: str = Field(description="rubric content hash (sha256 hex)")
    data_hashes: dict[str, str] = Field(default_factory=dict, description="name -> sha256 of each input")
    tool_version: str
    generated_at: str = Field(description="ISO timestamp; fixed by the caller so reports reproduce")
    confidentiality: Text | None = Field(None, description="e.g. 内部资料 注意保密")


class TierInfo(_Model):
    code: str = Field(description="A, B, C, D ...; order = best first")
    label: Text
    min_score: float | None = None
    description: Text | None = None


class RouteInfo(_Model):
    id: str
    label: Text
    short: Text | None = Field(None, description="short label for table columns")
    description: Text | None = None


class DimensionInfo(_Model):
    id: str
    label: Text
    short: Text | None = Field(None, description="short label for table columns, e.g. 成熟度")
    strength: Text | None = Field(None, description="how a high score reads as a strength, e.g. 风险低")
    weight: float = Field(description="global weight of the dimension, sums to 1 over dimensions")


class RankInterval(_Model):
    p5: float
    p50: float
    p95: float

    @model_validator(mode="after")
    def _ordered(self) -> "RankInterval":
        if not (self.p5 <= self.p50 <= self.p95):
            raise ValueError("rank interval must satisfy p5 <= p50 <= p95")
        return self


class CTEReadiness(_Model):
    """Readiness of one critical technology element."""

    name: str
    level: int | None = None
    target: int | None = Field(None, description="level needed for the project's route, if any")
    evidence: str | None = Field(None, description="short evidence summary")


class KnockOut(_Model):
    gate_id: str
    label: Text
    reason: Text | None = None
    effect: Literal["knockout", "flag", "cap"] = "knockout"


class ReviewFlag(_Model):
    """Why a project should be looked at again (disagreement, outlier expert, missing scores ...)."""

    code: str
    message: Text
    severity: Literal["review", "note"] = Field("review", description="review: the project needs another look "
                                                "(复议); note: worth knowing")


class IndicatorResult(_Model):
    id: str
    label: Text
    dimension: str = Field(description="id of the dimension the indicator belongs to")
    weight: float = Field(description="global weight")
    consensus: float | None = Field(None, description="panel consensus in the indicator's own scale")
    display: str | None = Field(None, description="consensus as a scale label, e.g. 'TRL 6' or '较强'")
    utility: float | None = Field(None, description="consensus mapped to 0-100")
    spread: float | None = Field(None, description="dispersion of the panel (sd, IQR ...: see spread_kind)")
    spread_kind: str = "sd"
    n_experts: int = Field(0, description="experts on the project's panel (assigned, not recused)")
    n_used: int | None = Field(None, description="experts who scored this indicator (shown as n_used/n_experts)")
    agreement: Literal["high", "medium", "low"] | None = None


class Comment(_Model):
    expert: str = Field(description="anonymised label, e.g. 专家 A; never a real name")
    text: str
    dimension: str | None = None


class PanelCount(_Model):
    """Who stands behind a project's figures (one definition with `tlr status` and `tlr rank`)."""

    behind: int = Field(description="every applicable indicator was scored by at least this many experts")
    panel: int = Field(description="experts assigned and not recused")
    complete: int = Field(description="experts who gave every expected answer")
    answers: int
    answers_expected: int


class ProjectResult(_Model):
    id: str
    name: str
    applicant: str
    industry: str
    region: str | None = None
    summary: str | None = Field(None, description="one-paragraph abstract")
    rank: int | None = None
    rank_interval: RankInterval | None = None
    p_top_k: float | None = None
    tier: str = Field(description="a TierInfo.code")
    tier_probabilities: dict[str, float] = Field(default_factory=dict)
    composite: float | None = None
    composite_se: float | None = Field(None, description="standard error of the composite from the rater calibration")
    dimension_scores: dict[str, float | None] = Field(default_factory=dict)
    readiness_level: int | None = None
    readiness_source: Literal["assessment", "asserted", "panel", "none"] | None = Field(
        None, description="assessment: evidence-based assessment (*); asserted: assessor-asserted (†); panel median")
    readiness: list[CTEReadiness] = Field(default_factory=list)
    route: str | None = Field(None, description="a RouteInfo.id")
    knockouts: list[KnockOut] = Field(default_factory=list)
    flags: list[ReviewFlag] = Field(default_factory=list)
    indicators: list[IndicatorResult] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    requested_funding: float | None = Field(None, description="万元 (10k CNY)")
    panel: PanelCount | None = None

    @property
    def knocked_out(self) -> bool:
        return any(k.effect == "knockout" for k in self.knockouts)

    @property
    def needs_review(self) -> bool:
        return any(f.severity == "review" for f in self.flags)


class RubricNodeRow(_Model):
    """One row of the methodology appendix's rubric tree."""

    id: str
    label: Text
    kind: Literal["dimension", "indicator"]
    depth: int
    local_weight: float
    global_weight: float
    role: str = "score"
    scale: str | None = Field(None, description="short scale description")
    weight_method: str | None = Field(None, description="for inner nodes: direct / ahp eigenvector ...")
    cr: float | None = Field(None, description="AHP consistency ratio of this node's children")
    cr_threshold: float | None = None
    consistent: bool | None = None


class GateRow(_Model):
    id: str
    label: Text
    rule: str
    effect: str
    reason: Text | None = None


class CalibrationRow(_Model):
    """One expert as the rater calibration estimated them (leniency and noise in % of the scale's range)."""

    expert: str
    scores: int
    leniency_pct: float | None = None
    noise_pct: float | None = None


class Methodology(_Model):
    rubric_tree: list[RubricNodeRow] = Field(default_factory=list)
    root_weight_method: str | None = Field(None, description="how the dimensions' weights were set")
    root_cr: float | None = Field(None, description="AHP consistency ratio among the dimensions")
    root_cr_threshold: float | None = None
    gates: list[GateRow] = Field(default_factory=list)
    aggregation: Text | None = None
    consensus_method: Text
    robustness_method: Text
    draws: int | None = None
    seed: int | None = None
    top_k: int | None = None
    min_experts: int | None = None
    notes: list[Text] = Field(default_factory=list)
    calibration: list[CalibrationRow] = Field(default_factory=list)
    moderation: Text | None = Field(None, description="scores excluded or overridden and why; re-scored projects")


class ExpertAnswers(_Model):
    expert: str
    expected: int
    received: int


class CompletenessInfo(_Model):
    """Answers expected against received, and the projects short of experts (see tlr.panel.completeness)."""

    answers_expected: int
    answers_received: int
    experts: list[ExpertAnswers] = Field(default_factory=list)
    silent_experts: list[str] = Field(default_factory=list)
    incomplete_experts: list[str] = Field(default_factory=list)
    unscored_projects: list[str] = Field(default_factory=list)
    projects_below_quorum: list[str] = Field(default_factory=list)
    projects_below_min_experts: list[str] = Field(default_factory=list)
    quorum: float
    min_experts: int

    @property
    def share(self) -> float | None:
        return self.answers_received / self.answers_expected if self.answers_expected else None


class AuditCheck(_Model):
    """The result of `tlr audit verify` when the report was made."""

    verified: bool
    head: str
    entries: int
    problems: list[str] = Field(default_factory=list)


class AuditEntry(_Model):
    label: Text
    value: str


class Summary(_Model):
    """Counts for the executive summary; computed from the projects when not given."""

    n_projects: int
    n_ranked: int
    n_knocked_out: int
    n_flagged: int
    per_tier: dict[str, int]
    per_industry: dict[str, int]
    per_readiness: dict[str, int] = Field(description="readiness level ('1'..'9', '—') -> count")
    per_route: dict[str, int]


class SelectionProject(_Model):
    """A candidate of a budget selection, as the selection section lists it."""

    id: str
    name: str
    rank: int | None = None
    tier: str
    composite: float | None = None
    cost: float = Field(description="requested amount, 万元")
    value: float = Field(description="its value under the objective (composite − line, or composite for sum)")


class SelectionLeftOut(SelectionProject):
    """A fundable candidate left out of the selection: why, and the swap that would bring it in."""

    reason: Literal["over_budget", "displaces_more", "equal_value", "would_improve", "no_value", "cap"]
    explanation: Text = Field(description="one sentence: the reason and the swap")
    drop: list[str] = Field(default_factory=list, description="ids of the selected projects that would leave")
    dropped_value: float | None = None
    delta: float | None = Field(None, description="change of the objective with the swap (None: no swap)")


class FrontierPoint(_Model):
    """From ``budget`` up to the next point's budget, the best value is ``value`` (selection ``selected``)."""

    budget: float
    value: float
    cost: float
    selected: list[str] = Field(default_factory=list)
    rank_fill_value: float = Field(description="the rank-order fill's value at the same budget")
    rule_value: float | None = Field(None, description="value-for-money rule's value (that objective only)")


class BudgetSelection(_Model):
    """The report's 资金安排建议 section: a budget selection under a named objective, explained."""

    budget: float = Field(description="万元")
    objective: Literal["above-line", "value-for-money", "sum"]
    objective_text: Text
    failure_mode: Text = Field(description="the objective's known failure, stated in the report")
    candidate_rule: Text
    line: float = Field(description="the fundable line value is measured from (0 for sum / no tiers)")
    fundable_tiers: list[str] | None = Field(None, description="None: the rubric has no tiers")
    n_candidates: int
    candidates_cost: float
    selected: list[SelectionProject]
    total_cost: float
    total_value: float
    remaining: float
    optimum_value: float = Field(description="exact best value (differs from total_value only for value-for-money)")
    rank_fill: list[str] = Field(default_factory=list, description="ids taken by the rank-order fill")
    rank_fill_value: float
    rank_fill_cost: float
    left_out: list[SelectionLeftOut] = Field(default_factory=list)
    frontier: list[FrontierPoint] = Field(default_factory=list)
    frontier_breakpoints: bool = Field(True, description="False: more breakpoints than points, an even grid")
    frontier_at: int | None = Field(None, description="index of the frontier point holding at this budget")


class ReportData(_Model):
    """Everything one ranking report shows."""

    contract_version: str = CONTRACT_VERSION
    meta: RoundMeta
    tiers: list[TierInfo]
    routes: list[RouteInfo] = Field(default_factory=list)
    dimensions: list[DimensionInfo]
    industries: list[str] = Field(default_factory=list, description="display order of industries")
    projects: list[ProjectResult]
    cohort_median: dict[str, float] = Field(default_factory=dict, description="dimension id -> median score")
    summary: Summary | None = None
    methodology: Methodology
    audit: list[AuditEntry] = Field(default_factory=list)
    top_k: int = Field(10, description="the k of P(top k)")
    completeness: CompletenessInfo | None = None
    audit_check: AuditCheck | None = Field(None, description="None: not checked (e.g. sample data)")
    selection: BudgetSelection | None = Field(None, description="budget selection section (tlr report --budget)")
    followup: FollowUpSection | None = Field(None, description="follow-up and back-test, when outcomes exist")
    valuation: dict | None = Field(None, description="valuation chapter (tlr.app.report_valuation.section): shown "
                                                     "when valuation inputs exist")
    portfolio: dict[str, Any] | None = Field(None, description="portfolio section (tlr report --portfolio), made by "
                                                                "tlr.app.report_portfolio")

    @field_validator("projects")
    @classmethod
    def _unique_ids(cls, projects: list[ProjectResult]) -> list[ProjectResult]:
        seen: set[str] = set()
        for p in projects:
            if p.id in seen:
                raise ValueError(f"duplicate project id '{p.id}'")
            seen.add(p.id)
        return projects

    @model_validator(mode="after")
    def _references(self) -> "ReportData":
        tiers = {t.code for t in self.tiers}
        routes = {r.id for r in self.routes}
        for p in self.projects:
            if p.tier not in tiers:
                raise ValueError(f"project '{p.id}': unknown tier '{p.tier}' (known: {sorted(tiers)})")
            if p.route is not None and p.route not in routes:
                raise ValueError(f"project '{p.id}': unknown route '{p.route}' (known: {sorted(routes)})")
        return self

    @model_validator(mode="after")
    def _selection_references(self) -> "ReportData":
        if self.selection is None:
            return self
        known = {p.id for p in self.projects}
        sel = self.selection
        named = ([p.id for p in sel.selected] + sel.rank_fill + [p.id for p in sel.left_out]
                 + [d for p in sel.left_out for d in p.drop] + [d for pt in sel.frontier for d in pt.selected])
        unknown = sorted({pid for pid in named if pid not in known})
        if unknown:
            raise ValueError(f"selection: unknown project(s) {unknown}")
        return self

    # -- derived views (pure; the renderer uses these)
    def ranked(self) -> list[ProjectResult]:
        """Projects in report order: ranked ones by rank, then the unranked by composite, name."""
        def key(p: ProjectResult):
            return (p.rank is None, p.rank if p.rank is not None else 0,
                    -(p.composite if p.composite is not None else -1e9), p.name, p.id)
        return sorted(self.projects, key=key)

    def medians(self) -> dict[str, float]:
        if self.cohort_median:
            return dict(self.cohort_median)
        out: dict[str, float] = {}
        for d in self.dimensions:
            vals = [p.dimension_scores.get(d.id) for p in self.projects]
            vals = [v for v in vals if v is not None]
            if vals:
                out[d.id] = float(median(vals))
        return out

    def compute_summary(self) -> Summary:
        if self.summary is not None:
            return self.summary
        per_tier = {t.code: 0 for t in self.tiers}
        per_industry: dict[str, int] = {i: 0 for i in self.industries}
        per_readiness: dict[str, int] = {}
        per_route: dict[str, int] = {r.id: 0 for r in self.routes}
        for p in self.projects:
            per_tier[p.tier] = per_tier.get(p.tier, 0) + 1
            per_industry[p.industry] = per_industry.get(p.industry, 0) + 1
            key = str(p.readiness_level) if p.readiness_level is not None else "—"
            per_readiness[key] = per_readiness.get(key, 0) + 1
            if p.route is not None:
                per_route[p.route] = per_route.get(p.route, 0) + 1
        order = sorted((k for k in per_readiness if k != "—"), key=int)
        readiness = {k: per_readiness[k] for k in order}
        if "—" in per_readiness:
            readiness["—"] = per_readiness["—"]
        return Summary(
            n_projects=len(self.projects),
            n_ranked=sum(1 for p in self.projects if p.rank is not None),
            n_knocked_out=sum(1 for p in self.projects if p.knocked_out),
            n_flagged=sum(1 for p in self.projects if p.needs_review),
            per_tier=per_tier, per_industry=per_industry, per_readiness=readiness, per_route=per_route)


def rubric_tree_rows(rubric, lang: str = "zh") -> list[RubricNodeRow]:
    """Methodology rows from a resolved :class:`tlr.rubric.Rubric` (duck-typed, no import needed)."""
    from tlr.rubric.scales import describe_scale

    rows: list[RubricNodeRow] = []
    for n in rubric.nodes:
        ahp = rubric.ahp.get(n.id) if n.kind == "dimension" else None
        scale = None
        if n.kind == "indicator" and n.scale is not None:
            try:
                scale = describe_scale(n.scale, lang)
            except Exception:  # pragma: no cover - a description is a nicety
                scale = None
        rows.append(RubricNodeRow(
            id=n.id, label=n.label, kind=n.kind, depth=n.depth, local_weight=n.local_weight,
            global_weight=n.global_weight, role=n.role, scale=scale,
            weight_method=(weight_method_text(ahp, lang) if ahp is not None or n.kind == "dimension" else None),
            cr=(_consistency(ahp) if ahp is not None else None),
            cr_threshold=(float(ahp.threshold) if ahp is not None else None),
            consistent=(bool(ahp.consistent) if ahp is not None else None)))
    return rows


def weight_method_text(ahp, lang: str = "zh") -> str:
    """How a node's children were weighted, in *lang*: direct, or AHP with its method, index and RI table."""
    if ahp is None:
        return "直接赋权" if lang == "zh" else "direct"
    from tlr.weighting.ri import RI_TABLES

    method = {"eigenvector": ("特征向量法", "eigenvector"), "geometric_mean": ("几何平均法", "geometric mean")}.get(
        ahp.method, (ahp.method, ahp.method))
    table = RI_TABLES.get(getattr(ahp, "ri_table", None) or "") if _measure(ahp) == "CR" else None  # GCI: no RI
    if lang == "zh":
        return f"层次分析法（{method[0]}，{_measure(ahp)}" + (f"，RI 表 {table.name}" if table else "") + "）"
    return f"AHP ({method[1]}, {_measure(ahp)}" + (f", RI table {table.name}" if table else "") + ")"


def _measure(ahp) -> str:
    return str(getattr(ahp, "consistency_measure", "cr")).upper()


def _consistency(ahp) -> float:
    """The index the node's threshold applies to: CR (eigenvector) or GCI (geometric mean)."""
    return float(ahp.gci) if _measure(ahp) == "GCI" else float(ahp.cr)


__all__ = [
    "CONTRACT_VERSION", "RoundMeta", "TierInfo", "RouteInfo", "DimensionInfo", "RankInterval", "CTEReadiness",
    "KnockOut", "ReviewFlag", "IndicatorResult", "Comment", "ProjectResult", "RubricNodeRow", "GateRow",
    "Methodology", "CalibrationRow", "AuditEntry", "Summary", "ReportData", "PanelCount", "CompletenessInfo", "ExpertAnswers",
    "AuditCheck", "SelectionProject", "SelectionLeftOut", "FrontierPoint", "BudgetSelection",
    "rubric_tree_rows", "weight_method_text", "I18nText", "Text",
]
