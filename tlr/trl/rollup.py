"""Roll-up of CTE levels to a project level (rule named in every output) and Sauser's System Readiness Level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tlr.trl.errors import AnswerError

__all__ = ["ROLLUP_RULES", "Rollup", "rollup", "SRLResult", "srl", "SRL_PHASES"]

ROLLUP_RULES = {
    "min": ("最低关键技术元素", "minimum over all CTEs: the project is as ready as its least mature element"),
    "min_critical": ("最低关键技术元素（仅标记为关键者）",
                     "minimum over CTEs marked critical; non-critical elements are reported, not limiting"),
}


@dataclass(frozen=True)
class Rollup:
    rule: str
    level: int | None                 # None: some limiting CTE has not reached the first level
    limiting: tuple[str, ...]         # the CTE(s) at the project level (the lowest-maturity elements)
    per_cte: tuple[tuple[str, int | None, bool], ...]

    def describe(self, lang: str = "zh") -> str:
        return ROLLUP_RULES[self.rule][0 if lang == "zh" else 1]

    def to_dict(self) -> dict:
        return {"rule": self.rule, "rule_text": ROLLUP_RULES[self.rule][1], "level": self.level,
                "limiting": list(self.limiting),
                "ctes": [{"id": c, "level": lv, "critical": crit} for c, lv, crit in self.per_cte]}


def _key(level: int | None) -> float:
    return float("-inf") if level is None else level


def rollup(levels: Mapping[str, int | None], rule: str = "min", critical: Mapping[str, bool] | None = None) -> Rollup:
    """Project level from CTE levels. ``None`` (below the first level) ranks lowest. No averaging."""
    if rule not in ROLLUP_RULES:
        raise AnswerError(f"未知汇总规则 / unknown roll-up rule '{rule}'", hint=f"use one of {', '.join(ROLLUP_RULES)}")
    critical = dict(critical or {})
    per = tuple((cid, lv, critical.get(cid, True)) for cid, lv in levels.items())
    pool = [(cid, lv) for cid, lv, crit in per if rule == "min" or crit]
    if not pool:
        return Rollup(rule, None, (), per)
    low = min(_key(lv) for _, lv in pool)
    limiting = tuple(cid for cid, lv in pool if _key(lv) == low)
    return Rollup(rule, None if low == float("-inf") else int(low), limiting, per)


SRL_PHASES = [  # Sauser et al.; published bands (sources differ on the lower bound of 'production')
    (0.10, 0.39, ("概念完善", "concept refinement")),
    (0.40, 0.59, ("技术开发", "technology development")),
    (0.60, 0.79, ("系统开发与演示", "system development & demonstration")),
    (0.80, 0.89, ("生产与部署", "production & deployment")),
    (0.90, 1.00, ("运行与保障", "operations & support")),
]


@dataclass(frozen=True)
class SRLResult:
    """System Readiness Level (Sauser et al. 2006): an index in [0, 1], not a TRL."""

    components: tuple[str, ...]
    trl: tuple[int, ...]
    m: tuple[int, ...]                # integrations of each component, counting itself
    srl_i: tuple[float, ...]          # component SRLs
    composite: float

    @property
    def phase(self) -> tuple[str, str] | None:
        x = round(self.composite, 2)
        for lo, hi, name in SRL_PHASES:
            if lo <= x <= hi:
                return name
        return None

    def to_dict(self) -> dict:
        return {"method": "Sauser et al. 2006: SRL_i = sum_j IRL_ij*TRL_j / m_i (normalised, IRL_ii = 9); "
                          "composite = mean of SRL_i",
                "components": {c: {"trl": t, "m": m, "srl": round(s, 4)}
                               for c, t, m, s in zip(self.components, self.trl, self.m, self.srl_i)},
                "composite": round(self.composite, 4), "phase": self.phase[1] if self.phase else None}


def srl(trl: Mapping[str, int], integrations: Iterable[tuple[str, str, int]], *, max_trl: int = 9,
        max_irl: int = 9) -> SRLResult:
    """Sauser's SRL from component TRLs and pairwise IRLs.

    TRL and IRL are normalised to [0, 1] (divided by 9). The IRL matrix is symmetric with IRL_ii = 9
    (a technology is fully integrated with itself) and 0 where there is no integration. Then
    SRL_i = sum_j IRL_ij * TRL_j / m_i, m_i = number of non-zero IRL_ij in row i (itself included),
    and the composite SRL is the mean of the SRL_i. The composite is an index of the *system*, not an
    average of TRLs, and is reported beside (never instead of) the minimum-CTE roll-up.
    """
    names = list(trl)
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    if k == 0:
        raise AnswerError("没有技术元素 / SRL needs at least one component")
    for n, t in trl.items():
        if t is None or not 1 <= int(t) <= max_trl:
            raise AnswerError(f"SRL 需要 1-{max_trl} 的 TRL / SRL needs a TRL 1-{max_trl} for '{n}' (got {t})")
    irl = [[0.0] * k for _ in range(k)]
    for i in range(k):
        irl[i][i] = 1.0
    for a, b, level in integrations:
        if a not in index or b not in index:
            raise AnswerError(f"集成关系中有未知元素 / integration names an unknown component: {a} - {b}")
        if not 1 <= int(level) <= max_irl:
            raise AnswerError(f"IRL 超出 1-{max_irl} / IRL outside 1-{max_irl}: {a} - {b}: {level}")
        irl[index[a]][index[b]] = irl[index[b]][index[a]] = int(level) / max_irl
    t = [int(trl[n]) / max_trl for n in names]
    m = tuple(sum(1 for x in row if x > 0) for row in irl)
    srl_i = tuple(sum(irl[i][j] * t[j] for j in range(k)) / m[i] for i in range(k))
    composite = sum(srl_i) / k
    return SRLResult(tuple(names), tuple(int(trl[n]) for n in names), m, srl_i, composite)
