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
_PROVINCE = re.compile(r"^.{2,3}?省")
READINESS_CODES = ("unknown", "meets", "slightly_below", "below", "far_below")
BUDGET_CODES = ("unknown", "within", "over")


def codes(values, *, unknown=(None, "", "other")) -> list[int]:
    """Map category values to integer codes (-1 = unknown) so equality is an array comparison."""
    table: dict = {}
    return [-1 if v in unknown else table.setdefault(v, len(table)) for v in values]


def region_key(region: str) -> str:
    """A place name compared loosely: NFKC, no spaces, no leading province, no trailing 市/县/区 (唐山市 = 唐山)."""
    text = "".join(unicodedata.normalize("NFKC", region or "").split())
    text = _PROVINCE.sub("", text)
    if len(text) > 2 and text[-1] in "市县区":
        text = text[:-1]
    return text


def category_factor(a, b, same: float, unknown: float, different: float, *, with_codes: bool = True):
    """Codes (int arrays, -1 = unknown) -> (factor, match code index into MATCH_CODES, or None)."""
    import numpy as np

    equal = a == b
    factor = np.where(equal, np.float32(same), np.float32(different))
    missing = (a < 0) | (b < 0)
    factor[missing] = unknown
    if not with_codes:
        return factor, None
    match = np.where(equal, np.int8(1), np.int8(2))
    match[missing] = 0
    return factor, match


def readiness_factor(needed, trl, table: tuple[float, ...]):
    """needed (demand min TRL) and trl (achievement TRL) as int arrays, 0 = unknown ->
    (factor, gap (needed - trl, meaningful where both are known), status index into READINESS_CODES)."""
    import numpy as np

    known = (needed > 0) & (trl > 0)
    gap = needed.astype(np.int8) - trl.astype(np.int8)
    steps = np.clip(gap, 0, len(table) - 1)
    status = np.where(known, 1 + np.minimum(steps, 3), 0).astype(np.int8)
    lut = np.asarray((1.0,) + tuple(table[min(i, len(table) - 1)] for i in range(4)), dtype=np.float32)
    return lut[status], gap, status


def budget_factor(budget, ask, budget_pow, ask_pow, floor: float, *, with_codes: bool = True):
    """budget (demand) and ask (achievement) in 万元 (NaN = unknown), with budget ** power and ask ** -power
    precomputed per side (:func:`budget_powers`) -> (factor, status index into BUDGET_CODES).

    Where the ask exceeds the budget: max(floor, (budget / ask) ** power), computed as a product of the two
    sides' powers (no power over the whole matrix); else 1."""
    import numpy as np

    over = ask > budget                       # False where either is NaN
    factor = np.maximum(np.float32(floor), budget_pow * ask_pow)
    factor[~over] = 1.0
    if not with_codes:
        return factor, None
    status = np.where(over, np.int8(2), np.int8(1))
    status[np.isnan(budget) | np.isnan(ask)] = 0
    return factor, status


def budget_powers(budget, ask, power: float):
    """budget ** power and ask ** -power as float32 (0 for a zero budget; 1 where unknown)."""
    import numpy as np

    budget, ask = np.asarray(budget, dtype=float), np.asarray(ask, dtype=float)
    b = np.where(np.isnan(budget), 1.0, np.maximum(budget, 0.0)) ** power
    a = np.where(np.isnan(ask) | (ask <= 0), 1.0, ask) ** -power
    return b.astype(np.float32), a.astype(np.float32)
