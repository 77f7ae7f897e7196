"""Stage 5, decisions: gates, tiers, support routes and ranks.

Conditions are three-valued (:mod:`tlr.rubric.conditions`): a gate or route whose condition cannot
be decided (missing scores, a boolean tie) is *unknown* — it never passes and never fails silently.

- **Gates**: a knock-out gate that holds knocks the project out (it keeps its composite and rank,
  marked); a flag gate marks it, optionally capping its tier (``max_tier``).
- **Tiers**: the first tier whose minimum the composite reaches and whose condition holds; knocked-out
  projects get the default tier; flag gates then cap.
- **Routes**: the first route whose condition holds; an *unknown* route blocks the later ones (no
  silent fall-through). A knocked-out project gets no route, unless its (first) knock-out gate names one.
- **Ranks**: competition ranking "1224" of the composite; unscored projects last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from tlr.ranking.tiers import TierRule, assign_tiers, rank
from tlr.rubric import Rubric
from tlr.rubric.conditions import Truth, describe_condition, evaluate_condition
from tlr.rubric.model import Condition, Gate, Route, Tier
from tlr.text import tr

from .composite import Composite

NO_TIER = ("-", "未分档", "no tier")  # the default tier when the rubric's last tier has a minimum or condition


@dataclass(frozen=True)
class GateOutcome:
    """One gate over all projects."""

    id: str
    label: Any
    effect: str
    max_tier: str | None
    hit: np.ndarray       # bool (P,): known to apply
    unknown: np.ndarray   # bool (P,): could not be decided (missing scores)
    route: str | None = None  # knock-out gates: the route a project knocked out by this gate is sent to


@dataclass(frozen=True)
class Tiers:
    """Attributes:
        tier: (P,) tier code of every project.
        codes: tier codes, best first; the last is the default tier.
        labels: code -> label (the rubric's, or ``{"zh", "en"}`` for the built-in default).
        rules: the rules above the default tier, minima on the 0..1 composite (for the robustness stage).
    """

    tier: tuple[str, ...]
    codes: tuple[str, ...]
    labels: dict[str, Any]
    rules: tuple[TierRule, ...]

    @property
    def default(self) -> str:
        return self.codes[-1]


@dataclass(frozen=True)
class Decisions:
    gates: tuple[GateOutcome, ...]
    knocked_out: np.ndarray               # (P,) bool: a knock-out gate is known to hold
    tiers: Tiers
    route: tuple[str | None, ...]
    route_labels: dict[str, Any]
    rank: np.ndarray                      # (P,) competition ranking, unscored last


class Conditions:
    """Evaluates rubric conditions over the projects' values (indicators, dimensions, composite, readiness)."""

    def __init__(self, values: Mapping[str, np.ndarray], n: int, scales: Mapping[str, Any]):
        self.values, self.n, self.scales = values, n, scales

    def __call__(self, cond: Condition | None) -> Truth:
        if cond is None:  # no condition: always holds
            return Truth(np.ones(self.n, bool), np.ones(self.n, bool))
        return evaluate_condition(cond, self.values, self.n, self.scales)


def condition_values(rubric: Rubric, consensus: np.ndarray, composite: Composite,
                     readiness: np.ndarray) -> dict[str, np.ndarray]:
    """What a condition may refer to: indicator consensus values, dimension scores and the composite
    (on the rubric's score scale), and ``readiness``."""
    scale = rubric.document.score_scale
    values: dict[str, np.ndarray] = {node.id: consensus[:, i] for i, node in enumerate(rubric.indicators)}
    values.update({d: composite.dimension_scores[:, k] * scale for k, d in enumerate(composite.dimensions)})
    values["composite"] = composite.value * scale
    values["readiness"] = readiness
    return values


def gate_outcomes(gates: Sequence[Gate], conditions: Conditions) -> tuple[GateOutcome, ...]:
    out = []
    for gate in gates:
        truth = conditions(gate.when)
        out.append(GateOutcome(gate.id, gate.label, gate.effect, gate.max_tier, truth.true(), truth.unknown,
                               gate.route))
    return tuple(out)


def split_default_tier(tiers: Sequence[Tier]) -> tuple[list[Tier], tuple[str, str, str]]:
    """The tiers with a rule, and the default tier (code, zh, en): the rubric's last tier when it has
    neither minimum nor condition, else :data:`NO_TIER`."""
    tiers = list(tiers)
    if tiers and tiers[-1].min_score is None and tiers[-1].when is None:
        last = tiers.pop()
        return tiers, (last.id, tr(last.label, "zh"), tr(last.label, "en"))
    return tiers, NO_TIER


def tier_rules(tiers: Sequence[Tier], conditions: Conditions, scale: float) -> tuple[TierRule, ...]:
    rules = []
    for t in tiers:
        extra = {describe_condition(t.when): conditions(t.when).true()} if t.when is not None else {}
        rules.append(TierRule(t.id, (t.min_score or 0.0) / scale, tr(t.label, "zh"), tr(t.label, "en"), extra))
    return tuple(rules)


def cap_tiers(tier_idx: np.ndarray, codes: Sequence[str], gates: Sequence[GateOutcome]) -> np.ndarray:
    """Flag gates with ``max_tier`` cap the tier of the projects they hold for."""
    for g in gates:
        if g.max_tier is not None and g.max_tier in codes:
            tier_idx = np.where(g.hit, np.maximum(tier_idx, list(codes).index(g.max_tier)), tier_idx)
    return tier_idx


def tiers_of(rubric: Rubric, composite01: np.ndarray, conditions: Conditions,
             gates: Sequence[GateOutcome]) -> Tiers:
    doc = rubric.document
    ranked, default = split_default_tier(doc.tiers or [])
    labels = {t.id: t.label for t in doc.tiers or []}
    labels.setdefault(default[0], {"zh": default[1], "en": default[2]})
    rules = tier_rules(ranked, conditions, doc.score_scale)
    ko = [g for g in gates if g.effect == "knockout"]
    if rules:
        ko_matrix = np.stack([g.hit for g in ko], axis=1) if ko else np.zeros((len(composite01), 0), bool)
        result = assign_tiers(composite01, rules, gates=ko_matrix, gate_reasons=[g.id for g in ko],
                              knockout_tier=default[0], default=default)
        codes, tier_idx = tuple(result.codes), result.tier.copy()
    else:
        codes, tier_idx = (default[0],), np.zeros(len(composite01), dtype=int)
    tier_idx = cap_tiers(tier_idx, codes, gates)
    return Tiers(tier=tuple(np.asarray(codes, dtype=object)[tier_idx].tolist()), codes=codes, labels=labels,
                 rules=rules)


def first_routes(routes: Sequence[Route], conditions: Conditions) -> np.ndarray:
    """(P,) object: the first route whose condition holds; an unknown condition blocks the later routes."""
    out = np.full(conditions.n, None, dtype=object)
    undecided = np.ones(conditions.n, dtype=bool)
    for r in routes:  # a handful of routes, each over all projects at once
        truth = conditions(r.when)
        take = undecided & truth.true()
        out[take] = r.id
        undecided &= ~take & ~truth.unknown  # no silent fall-through past an undecidable route
    return out


def knockout_routes(route: np.ndarray, gates: Sequence[GateOutcome], knocked_out: np.ndarray) -> np.ndarray:
    """A knocked-out project loses its route, unless its first knock-out gate names one."""
    route = np.where(knocked_out, None, route)
    for g in reversed(gates):  # the first gate that holds wins
        if g.effect == "knockout" and g.route is not None:
            route[g.hit] = g.route
    return route


def decide(rubric: Rubric, values: Mapping[str, np.ndarray], composite: Composite) -> Decisions:
    """Gates, tiers, routes and ranks of every project; *values* from :func:`condition_values`."""
    doc = rubric.document
    conditions = Conditions(values, len(composite.value), {node.id: node.scale for node in rubric.indicators})
    gates = gate_outcomes(doc.gates or [], conditions)
    ko = [g.hit for g in gates if g.effect == "knockout"]
    knocked_out = np.any(ko, axis=0) if ko else np.zeros(len(composite.value), dtype=bool)
    route = knockout_routes(first_routes(doc.routes or [], conditions), gates, knocked_out)
    return Decisions(gates=gates, knocked_out=knocked_out, tiers=tiers_of(rubric, composite.value, conditions, gates),
                     route=tuple(route.tolist()), route_labels={r.id: r.label for r in doc.routes or []},
                     rank=rank(composite.value, ties="competition").rank)


__all__ = ["GateOutcome", "Tiers", "Decisions", "Conditions", "decide", "condition_values", "first_routes",
           "knockout_routes", "tiers_of", "split_default_tier", "cap_tiers", "NO_TIER"]
