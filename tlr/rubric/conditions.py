"""Evaluate a rubric's conditions (gates, tiers, routes) over all projects at once.

A condition tests values that may be missing (no expert scored the indicator, no
readiness assessment). Missing data never silently passes or fails a test: the
evaluation uses Kleene's three-valued logic and returns, next to the truth value,
a mask of projects for which the answer is *known*.

- ``{ref, op, value}``: known where the referenced value is not NaN;
- ``all``: false if any part is known false; true if every part is known true; else unknown;
- ``any``: true if any part is known true; false if every part is known false; else unknown;
- ``not``: negates the value, keeps the mask.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from tlr.rubric.model import Condition

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


@dataclass(frozen=True)
class Truth:
    """Three-valued result per project: ``value`` where ``known``; ``value`` is False where unknown."""

    value: np.ndarray  # bool (n,)
    known: np.ndarray  # bool (n,)

    @property
    def unknown(self) -> np.ndarray:
        return ~self.known

    def true(self) -> np.ndarray:
        """Known to hold."""
        return self.value & self.known


def comparable_value(value: Any, scale: Any = None) -> float:
    """The number a condition's ``value`` is compared with: booleans as 1/0, grade ids as their position."""
    if scale is not None:
        from tlr.rubric.kinds import kind_of

        return kind_of(scale).condition_number(scale, value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


def evaluate_condition(cond: Condition, values: Mapping[str, np.ndarray], n: int,
                       scales: Mapping[str, Any] | None = None) -> Truth:
    """Evaluate *cond* for *n* projects; ``values[ref]`` is a float array (NaN = missing)."""
    scales = scales or {}
    if cond.ref is not None:
        x = np.asarray(values[cond.ref], dtype=float)
        if x.shape != (n,):
            raise ValueError(f"values for '{cond.ref}' have shape {x.shape}, expected ({n},)")
        known = ~np.isnan(x)
        target = comparable_value(cond.value, scales.get(cond.ref))
        with np.errstate(invalid="ignore"):
            value = _OPS[cond.op](x, target) & known
        return Truth(value, known)
    if cond.all is not None or cond.any is not None:
        parts = [evaluate_condition(c, values, n, scales) for c in (cond.all if cond.all is not None else cond.any)]
        if not parts:
            empty_value = cond.all is not None  # all([]) is true, any([]) is false
            return Truth(np.full(n, empty_value), np.ones(n, dtype=bool))
        known_true = np.stack([p.value & p.known for p in parts])
        known_false = np.stack([~p.value & p.known for p in parts])
        if cond.all is not None:
            false = known_false.any(axis=0)
            true = known_true.all(axis=0)
        else:
            true = known_true.any(axis=0)
            false = known_false.all(axis=0)
        return Truth(true, true | false)
    if cond.not_ is not None:
        inner = evaluate_condition(cond.not_, values, n, scales)
        return Truth(~inner.value & inner.known, inner.known)
    raise ValueError("empty condition")  # pragma: no cover - rejected by validation


def condition_refs(cond: Condition | None) -> set[str]:
    """Every ``ref`` a condition uses."""
    if cond is None:
        return set()
    refs = {cond.ref} if cond.ref else set()
    for part in (cond.all or []) + (cond.any or []):
        refs |= condition_refs(part)
    if cond.not_ is not None:
        refs |= condition_refs(cond.not_)
    return refs


def describe_condition(cond: Condition, lang: str = "zh") -> str:
    """Readable form, e.g. ``trl < 4`` or ``(trl >= 6 且 composite >= 80)``."""
    if cond.ref is not None:
        value = cond.value
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float):
            value = f"{value:g}"
        return f"{cond.ref} {cond.op} {value}"
    if cond.all is not None or cond.any is not None:
        joiner = (" 且 " if lang == "zh" else " and ") if cond.all is not None else (" 或 " if lang == "zh" else " or ")
        parts = cond.all if cond.all is not None else cond.any
        return "(" + joiner.join(describe_condition(c, lang) for c in parts) + ")"
    if cond.not_ is not None:
        return ("非 " if lang == "zh" else "not ") + describe_condition(cond.not_, lang)
    return ""  # pragma: no cover
