"""Ranks, tiers, knock-outs (gates), support routes and fund-fit filters.

Conventions (docs/scoring.md, "Ranking"):

* Ranks: higher score = better = rank 1. Ties get **competition ranks** ("1224": tied projects
  share the best rank, the next rank skips) by default, or the average rank (``ties="average"``).
  Projects without a score (NaN) are never dropped: they are ranked after every scored project,
  all sharing rank n_scored + 1, and marked in ``unscored``.
* Tiers: rules are ordered best first (A, B, C ...). A project gets the first tier whose minimum
  composite it reaches **and** whose extra conditions (boolean arrays) all hold; otherwise the
  last tier (``default``, D 暂不推荐 by default).
* Knock-outs: a boolean gate matrix (projects x gates), True = the project fails that gate, with
  one reason per gate. A knocked-out project keeps its composite and rank (it is never dropped),
  is listed with its reasons, and its tier is capped at ``knockout_tier`` (default: the last tier).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin

DEFAULT_TIERS = (
    ("A", "推荐投资/尽调", "recommend for investment / due diligence"),
    ("B", "重点培育", "priority incubation"),
    ("C", "储备跟踪", "reserve and track"),
    ("D", "暂不推荐", "not recommended for now"),
)
# A composite counts as reaching a tier minimum when it is within this of it: six weights of 1/6 and a
# mean rating of exactly 5 give 49.999999999999993, which must reach a line at 50.
TIER_EPS = 1e-9

DEFAULT_ROUTE_BANDS = (
    (1, 3, "research"),             # 研究支持
    (4, 6, "pilot_transfer"),       # 中试与转化
    (7, 9, "investment_landing"),   # 投资与落地
)


# --------------------------------------------------------------------------------------------
# Ranks
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RankResult(ResultMixin):
    """Ranks of projects by score (1 = best).

    Attributes:
        rank: (projects,) float ranks (integers for competition ranking; may be x.5 for average).
        order: project indices best first (stable: ties keep input order; unscored last).
        unscored: mask of projects without a score; they share rank n_scored + 1.
        ties: "competition" or "average".
    """

    rank: np.ndarray
    order: np.ndarray
    unscored: np.ndarray
    ties: str


def rank(scores, *, ties: str = "competition") -> RankResult:
    """Rank projects by score, higher is better. See module doc for ties and missing scores."""
    x = as_float_array(scores, "scores", ndim=1)
    if ties not in ("competition", "average"):
        raise InvalidValueError(f"未知的并列规则 {ties!r} / unknown tie rule {ties!r} (competition or average)")
    miss = np.isnan(x)
    valid = np.sort(x[~miss])                    # ascending
    nv = valid.size
    xv = np.nan_to_num(x)
    greater = nv - np.searchsorted(valid, xv, side="right")
    if ties == "competition":
        r = greater + 1.0
    else:
        equal = np.searchsorted(valid, xv, side="right") - np.searchsorted(valid, xv, side="left")
        r = greater + (equal + 1) / 2.0
    r = np.where(miss, nv + 1.0, r)
    key = np.where(miss, np.inf, -xv)
    order = np.argsort(key, kind="stable")
    return RankResult(rank=r, order=order, unscored=miss, ties=ties)


# --------------------------------------------------------------------------------------------
# Tiers and knock-outs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TierRule:
    """One tier: its code and labels, the minimum composite, and optional extra conditions.

    ``conditions`` maps a condition name to a boolean array over projects (True = satisfied),
    e.g. {"TRL>=4": trl >= 4, "W defined": ...}; all must hold.
    """

    code: str
    min_score: float
    label_zh: str = ""
    label_en: str = ""
    conditions: Mapping[str, np.ndarray] = field(default_factory=dict)


def default_rules(thresholds: Sequence[float], conditions: Sequence[Mapping[str, np.ndarray]] | None = None
                  ) -> list[TierRule]:
    """Rules A, B, C from three descending minima (D is the default tier)."""
    if len(thresholds) != 3:
        raise InvalidValueError("默认分档需要 A、B、C 三个下限 / default tiers need three minima (A, B, C)")
    conds = conditions or [{}, {}, {}]
    return [TierRule(code, float(t), zh, en, c)
            for (code, zh, en), t, c in zip(DEFAULT_TIERS[:3], thresholds, conds)]


@dataclass(frozen=True)
class TierResult(ResultMixin):
    """Tier of every project.

    Attributes:
        tier: (projects,) tier index into ``codes`` (0 = best).
        codes: tier codes, best first; the last is the default tier.
        labels_zh, labels_en: labels of the codes.
        tier_before_cap: tier the score and conditions alone would give.
        knocked_out: mask of projects failing at least one gate.
        knockout_reasons: {project index: reasons of the gates it fails}, knocked-out projects only.
        capped: mask of knocked-out projects whose tier was lowered by the cap.
        unscored: mask of projects without a composite (tier = default tier, listed, not dropped).
        failed_conditions: {project index: ["<tier>:<condition>", ...]} for projects kept out of a
            tier their score alone reached by an extra condition (only those projects).
    """

    tier: np.ndarray
    codes: list
    labels_zh: list
    labels_en: list
    tier_before_cap: np.ndarray
    knocked_out: np.ndarray
    knockout_reasons: dict
    capped: np.ndarray
    unscored: np.ndarray
    failed_conditions: dict

    def tier_codes(self) -> np.ndarray:
        """(projects,) tier code of every project."""
        return np.asarray(self.codes, dtype=object)[self.tier]

    def to_frame(self, project_ids=None):
        """One row per project: tier code and labels, knock-out and cap flags, reasons."""
        import pandas as pd

        P = self.tier.shape[0]
        return pd.DataFrame({
            "tier": self.tier_codes(),
            "label_zh": np.asarray(self.labels_zh, dtype=object)[self.tier],
            "label_en": np.asarray(self.labels_en, dtype=object)[self.tier],
            "knocked_out": self.knocked_out,
            "capped": self.capped,
            "unscored": self.unscored,
            "knockout_reasons": ["; ".join(self.knockout_reasons.get(p, [])) for p in range(P)],
            "failed_conditions": ["; ".join(self.failed_conditions.get(p, [])) for p in range(P)],
        }, index=project_ids)


def knockouts(gates, reasons: Sequence[str]) -> tuple[np.ndarray, dict]:
    """Knocked-out mask and {project index: reasons of its failed gates} (knocked-out projects only).

    ``gates``: (projects, gates) bool, True = fails the gate. ``reasons``: one text per gate.
    """
    g = np.asarray(gates, dtype=bool)
    if g.ndim != 2 or g.shape[1] != len(reasons):
        raise ShapeError(f"否决矩阵应为 项目×门槛 且每个门槛一条原因 / gates must be (projects, gates) with one "
                         f"reason per gate; got {g.shape} and {len(reasons)} reasons")
    rs = np.asarray(list(reasons), dtype=object)
    ko = g.any(axis=1)
    out = {int(p): list(rs[g[p]]) for p in np.flatnonzero(ko)}   # only the knocked-out projects
    return ko, out


def assign_tiers(composite, rules: Sequence[TierRule], *, gates=None, gate_reasons: Sequence[str] = (),
                 knockout_tier: str | None = None, default: tuple[str, str, str] = DEFAULT_TIERS[3]
                 ) -> TierResult:
    """Tier every project (see module doc). Rules must be ordered best first with non-increasing minima."""
    c = as_float_array(composite, "composite", ndim=1)
    P = c.shape[0]
    if not rules:
        raise InvalidValueError("至少需要一条分档规则 / at least one tier rule is needed")
    mins = np.array([r.min_score for r in rules], float)
    if np.any(np.diff(mins) > 0) or np.isnan(mins).any():
        raise InvalidValueError("分档下限须从高到低排列 / tier minima must be non-increasing, best tier first")
    codes = [r.code for r in rules] + [default[0]]
    if len(set(codes)) != len(codes):
        raise InvalidValueError(f"分档代码重复 / duplicate tier codes: {codes}")
    T = len(rules)
    unscored = np.isnan(c)
    score_ok = np.stack([~unscored & (np.nan_to_num(c, nan=-np.inf) >= r.min_score - TIER_EPS)
                         for r in rules])  # (T, P)
    cond_ok = np.ones((T, P), bool)
    cond_names: list[list[str]] = []
    cond_fail = []
    for t, r in enumerate(rules):                 # loop over a handful of tiers
        names = list(r.conditions)
        cond_names.append(names)
        if names:
            arr = np.stack([np.asarray(r.conditions[n], bool) for n in names])
            if arr.shape[1] != P:
                raise ShapeError(f"分档条件长度须为项目数 {P} / tier condition arrays must have {P} entries")
            cond_ok[t] = arr.all(axis=0)
            cond_fail.append(~arr)
        else:
            cond_fail.append(np.zeros((0, P), bool))
    ok = score_ok & cond_ok
    tier = np.where(ok.any(axis=0), ok.argmax(axis=0), T)
    # failed conditions: conditions of tiers better than the one given whose score test was met
    failed: dict[int, list[str]] = {}
    for t in range(T):
        blocked = score_ok[t] & ~cond_ok[t] & (tier > t)
        for j, name in enumerate(cond_names[t]):
            for p in np.flatnonzero(blocked & cond_fail[t][j]):   # only the blocked projects
                failed.setdefault(int(p), []).append(f"{rules[t].code}:{name}")
    before = tier.copy()
    if gates is not None:
        ko, reasons = knockouts(gates, gate_reasons)
        if ko.shape[0] != P:
            raise ShapeError(f"否决矩阵行数须为项目数 {P} / gates must have {P} rows")
    else:
        ko, reasons = np.zeros(P, bool), {}
    cap = T if knockout_tier is None else codes.index(knockout_tier) if knockout_tier in codes else None
    if cap is None:
        raise InvalidValueError(f"否决封顶档 {knockout_tier!r} 不存在 / knockout_tier {knockout_tier!r} is not a tier code")
    tier = np.where(ko, np.maximum(tier, cap), tier)
    labels_zh = [r.label_zh for r in rules] + [default[1]]
    labels_en = [r.label_en for r in rules] + [default[2]]
    return TierResult(tier=tier, codes=codes, labels_zh=labels_zh, labels_en=labels_en, tier_before_cap=before,
                      knocked_out=ko, knockout_reasons=reasons, capped=tier > before, unscored=unscored,
                      failed_conditions=failed)


# --------------------------------------------------------------------------------------------
# Support route and fund fit
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteResult(ResultMixin):
    """Support route per project from an ordinal readiness level.

    Attributes:
        route: (projects,) route name (object array); "unknown" where the level is missing.
        band: (projects,) band index, -1 where the level is missing.
        unknown: mask of projects without a readiness level.
    """

    route: np.ndarray
    band: np.ndarray
    unknown: np.ndarray


def support_route(levels, bands: Sequence[tuple[int, int, str]] = DEFAULT_ROUTE_BANDS) -> RouteResult:
    """Map a readiness level (e.g. TRL 1..9) to a support route by inclusive bands (lo, hi, name).

    Bands must not overlap; a level outside every band, or not an integer, raises (TRLs are
    ordinal: never averaged; use the median/lower-middle level of the panel).
    """
    x = as_float_array(levels, "levels", ndim=1)
    b = sorted(bands)
    for (lo1, hi1, _), (lo2, _, _) in zip(b, b[1:]):
        if lo2 <= hi1:
            raise InvalidValueError(f"支持路径区间重叠 / route bands overlap: {b}")
    if any(lo > hi for lo, hi, _ in b):
        raise InvalidValueError(f"区间下限大于上限 / a band has lo > hi: {b}")
    miss = np.isnan(x)
    xv = np.nan_to_num(x)
    if (xv[~miss] != np.round(xv[~miss])).any():
        raise InvalidValueError("成熟度等级须为整数 / readiness levels must be integers (never averaged)",
                                hint="use a median (lower middle) consensus for level indicators")
    los = np.array([lo for lo, _, _ in b], float)
    his = np.array([hi for _, hi, _ in b], float)
    inside = (xv[:, None] >= los) & (xv[:, None] <= his)
    bad = ~miss & ~inside.any(axis=1)
    if bad.any():
        raise InvalidValueError(f"等级不在任何支持路径区间内 / level(s) outside every route band: "
                                f"{np.unique(x[bad])[:5].tolist()}")
    band = np.where(miss, -1, inside.argmax(axis=1))
    names = np.array([n for _, _, n in b] + ["unknown"], dtype=object)
    return RouteResult(route=names[band], band=band, unknown=miss)


@dataclass(frozen=True)
class FundFit(ResultMixin):
    """Fund-fit filter: ``fit`` where every named condition holds; ``failed``: {project: failed names}."""

    fit: np.ndarray
    failed: dict


def fund_fit(conditions: Mapping[str, np.ndarray]) -> FundFit:
    """Combine named boolean arrays (True = fits, e.g. industry in scope, region, stage)."""
    if not conditions:
        raise InvalidValueError("没有基金适配条件 / no fund-fit conditions given")
    names = np.asarray(list(conditions), dtype=object)
    arr = np.stack([np.asarray(conditions[n], bool) for n in names])
    fit = arr.all(axis=0)
    fails = ~arr.T
    return FundFit(fit=fit, failed={int(p): list(names[fails[p]]) for p in np.flatnonzero(~fit)})
