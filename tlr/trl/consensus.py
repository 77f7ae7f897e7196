"""Ordinal panel consensus for TRL judgements: a median-type order statistic and the spread. No means."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tlr.trl.errors import AnswerError

__all__ = ["Consensus", "ordinal_consensus", "CONSENSUS_RULES"]

CONSENSUS_RULES = {
    "lower_median": ("下中位数", "lower median (for an even count, the lower of the two middle levels)"),
    "upper_median": ("上中位数", "upper median (for an even count, the higher of the two middle levels)"),
    "min": ("最低值", "minimum (the most conservative judgement)"),
}


def _rank(sorted_levels: Sequence[int], p: float) -> int:
    """Nearest-rank percentile: the level at position ceil(p*n) (1-based); always an observed level."""
    n = len(sorted_levels)
    k = max(1, math.ceil(p * n - 1e-9))
    return sorted_levels[min(k, n) - 1]


@dataclass(frozen=True)
class Consensus:
    """Consensus level of several ordinal judgements and their spread, all in levels."""

    rule: str
    level: int
    n: int
    min: int
    max: int
    q1: int
    q3: int
    iqr: int
    counts: tuple[tuple[int, int], ...]   # (level, how many experts)

    @property
    def range(self) -> int:
        return self.max - self.min

    def to_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "n": self.n, "min": self.min, "max": self.max,
                "q1": self.q1, "q3": self.q3, "iqr": self.iqr, "range": self.range,
                "counts": {str(k): v for k, v in self.counts}}


def ordinal_consensus(levels: Sequence[int], rule: str = "lower_median") -> Consensus:
    """Combine several experts' levels for one element by an ordinal rule.

    ``lower_median`` (default): sorted[(n-1)//2]; ``upper_median``: sorted[n//2]; ``min``. Quartiles
    are nearest-rank (q1 = level at rank ceil(n/4), q3 at ceil(3n/4)), so every reported number is a
    level someone gave; IQR = q3 - q1 in levels.
    """
    if rule not in CONSENSUS_RULES:
        raise AnswerError(f"未知共识规则 / unknown consensus rule '{rule}'", hint=f"use one of {', '.join(CONSENSUS_RULES)}")
    values = sorted(int(v) for v in levels)
    if not values:
        raise AnswerError("没有判断可合并 / no judgements to combine")
    n = len(values)
    if rule == "lower_median":
        level = values[(n - 1) // 2]
    elif rule == "upper_median":
        level = values[n // 2]
    else:
        level = values[0]
    q1, q3 = _rank(values, 0.25), _rank(values, 0.75)
    return Consensus(rule, level, n, values[0], values[-1], q1, q3, q3 - q1, tuple(sorted(Counter(values).items())))
