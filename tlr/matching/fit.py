"""Fit factors of a demand-achievement pair beyond the text: industry, readiness, region, budget.

Each factor is a number in (0, 1] multiplied into the text score (variant "full"). Every function works on
numpy arrays broadcast over the whole demands × achievements matrix; the explanation of one pair calls the
same functions on one-element arrays, so the numbers shown are the numbers used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FitPolicy:
    """The factors' values (documented in docs/matching.md)."""

    industry_same: float = 1.0
    industry_unknown: float = 0.95       # either side has no industry (or "other")
    industry_different: float = 0.85
    # readiness: the achievement's TRL against the demand's 期望成熟度 (min_trl); gap = needed - trl
    readiness_by_gap: tuple[float, ...] = (1.0, 0.85, 0.65, 0.4)   # gap <= 0, 1, 2, >= 3 ("far below")
    region_same: float = 1.0
    region_unknown: float = 0.975
    region_different: float = 0.95
    # budget: ask <= budget -> 1; above it (budget / ask) ** budget_power, never below budget_floor
    budget_power: float = 0.3
    budget_floor: float = 0.7

    def to_dict(self) -> dict:
        return asdict(self)


MATCH_CODES = ("unknown", "same", "different")
READINESS_CODES = ("unknown", "meets", "slightly_below", "below", "far_below")
BUDGET_CODES = ("unknown", "within", "over")


def codes(values, *, unknown=(None, "", "other")) -> list[int]:
    """Map category values to integer codes (-1 = unknown) so equality is an array comparison."""
    table: dict = {}
    return [-1 if v in unknown else table.setdefault(v, len(table)) for v in values]


def region_key(region: str) -> str:
    """A place name compared loosely: NFKC, no spaces, no leading province, no trailing 市/县/区 (唐山市 = 唐山)."""
    text = "".join(unicodedata.normalize("NFKC", region or "").split())
    text = re.sub(r"^.{2,3}?省", "", text)
    if len(text) > 2 and text[-1] in "市县区":
        text = text[:-1]
    return text


def category_factor(a, b, same: float, unknown: float, different: float):
    """Codes (arrays, -1 = unknown) -> (factor, match code index into MATCH_CODES)."""
    import numpy as np

    known = (a >= 0) & (b >= 0)
    equal = known & (a == b)
    match = np.where(~known, 0, np.where(equal, 1, 2))
    factor = np.where(~known, unknown, np.where(equal, same, different))
    return factor, match


def readiness_factor(needed, trl, table: tuple[float, ...]):
    """needed (demand min TRL) and trl (achievement TRL) as float arrays, NaN = unknown ->
    (factor, gap, status index into READINESS_CODES)."""
    import numpy as np

    gap = needed - trl
    known = ~np.isnan(gap)
    steps = np.clip(np.nan_to_num(gap, nan=0.0), 0, len(table) - 1).astype(np.int64)
    factor = np.where(known, np.asarray(table)[steps], 1.0)
    status = np.where(known, 1 + np.minimum(steps, 3), 0)
    return factor, gap, status


def budget_factor(budget, ask, power: float, floor: float):
    """budget (demand) and ask (achievement) in 万元, NaN = unknown -> (factor, status index into BUDGET_CODES)."""
    import numpy as np

    known = ~(np.isnan(budget) | np.isnan(ask))
    over = known & (ask > budget)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(over, np.maximum(budget, 0.0) / np.where(ask > 0, ask, 1.0), 1.0)
    factor = np.where(over, np.maximum(floor, ratio ** power), 1.0)
    status = np.where(~known, 0, np.where(over, 2, 1))
    return factor, status
