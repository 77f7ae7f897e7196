"""What a scale accepts as a score, and how a value is stored.

Every score is stored as one number:

- ``levels``: the level number (an ordinal, never averaged);
- ``likert``: the rating;
- ``numeric``: the measured value, in the scale's unit;
- ``boolean``: 1.0 for true/yes/是, 0.0 for false/no/否;
- ``grades``: the 0-based index of the grade in the scale.
"""

from __future__ import annotations

import math
from typing import Any

from tlr.rubric.model import BooleanScale, GradesScale, LevelsScale, LikertScale, NumericScale
from tlr.text import tr

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "通过", "t", "pass"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "不通过", "f", "fail"}


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"需要数字 / expected a number, got {raw!r}")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text:
            raise ValueError("值为空 / empty value")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"需要数字 / expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"需要有限数字 / expected a finite number, got {raw!r}")
    return value


def level_numbers(scale: LevelsScale) -> list[int]:
    return [lv.level for lv in scale.levels]


def parse_score(scale: Any, raw: Any) -> float:
    """Validate an entered score (``"7"``, ``"是"``, a grade id ...) and return the stored number.

    Raises ``ValueError`` with a bilingual message saying what the scale accepts.
    """
    if isinstance(scale, LevelsScale):
        levels = level_numbers(scale)
        value = _number(raw)
        if value != int(value) or int(value) not in levels:
            raise ValueError(f"等级须为 {levels[0]}–{levels[-1]} 的整数 / level must be a whole number "
                             f"{levels[0]}-{levels[-1]}, got {raw!r}")
        return float(int(value))
    if isinstance(scale, LikertScale):
        value = _number(raw)
        if not scale.min - 1e-9 <= value <= scale.max + 1e-9:
            raise ValueError(f"评分须在 {_fmt(scale.min)}–{_fmt(scale.max)} 之间 / score must be between "
                             f"{_fmt(scale.min)} and {_fmt(scale.max)}, got {raw!r}")
        steps = (value - scale.min) / scale.step
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(f"评分步长为 {_fmt(scale.step)} / score must be a multiple of {_fmt(scale.step)} "
                             f"from {_fmt(scale.min)}, got {raw!r}")
        return value
    if isinstance(scale, NumericScale):
        value = _number(raw)
        if scale.min is not None and value < scale.min:
            raise ValueError(f"数值不能小于 {_fmt(scale.min)} / value must be at least {_fmt(scale.min)}, got {raw!r}")
        if scale.max is not None and value > scale.max:
            raise ValueError(f"数值不能大于 {_fmt(scale.max)} / value must be at most {_fmt(scale.max)}, got {raw!r}")
        return value
    if isinstance(scale, BooleanScale):
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        text = str(raw).strip().lower()
        if text in TRUE_WORDS or text == tr(scale.true_label, "zh").lower() or text == tr(scale.true_label, "en").lower():
            return 1.0
        if text in FALSE_WORDS or text == tr(scale.false_label, "zh").lower() or text == tr(scale.false_label, "en").lower():
            return 0.0
        raise ValueError(f"请回答 是/否 / answer yes or no, got {raw!r}")
    if isinstance(scale, GradesScale):
        text = str(raw).strip()
        for index, grade in enumerate(scale.grades):
            if text in (grade.id, tr(grade.label, "zh"), tr(grade.label, "en")):
                return float(index)
        names = ", ".join(f"{g.id} ({tr(g.label, 'zh')})" for g in scale.grades)
        raise ValueError(f"未知等级 / unknown grade {raw!r}: expected one of {names}")
    raise TypeError(f"not a scale: {scale!r}")  # pragma: no cover - programming error


def score_label(scale: Any, value: float, lang: str = "zh") -> str:
    """Human form of a stored score (level label, 是/否, grade name, or the number)."""
    if isinstance(scale, LevelsScale):
        for lv in scale.levels:
            if lv.level == int(value):
                return f"{lv.level} {tr(lv.label, lang)}"
    if isinstance(scale, BooleanScale):
        return tr(scale.true_label if value >= 0.5 else scale.false_label, lang)
    if isinstance(scale, GradesScale) and 0 <= int(value) < len(scale.grades):
        return tr(scale.grades[int(value)].label, lang)
    unit = f" {scale.unit}" if isinstance(scale, NumericScale) and scale.unit else ""
    return _fmt(round(float(value), 2)) + unit


def scale_range(scale: Any) -> tuple[float, float] | None:
    """The (low, high) of values a scale stores, where bounded."""
    if isinstance(scale, LevelsScale):
        levels = level_numbers(scale)
        return float(min(levels)), float(max(levels))
    if isinstance(scale, LikertScale):
        return scale.min, scale.max
    if isinstance(scale, BooleanScale):
        return 0.0, 1.0
    if isinstance(scale, GradesScale):
        return 0.0, float(len(scale.grades) - 1)
    if isinstance(scale, NumericScale) and scale.min is not None and scale.max is not None:
        return scale.min, scale.max
    return None


def describe_scale(scale: Any, lang: str = "zh") -> str:
    """One-line summary in *lang*, e.g. ``李克特 1–5，步长 1`` / ``likert 1–5 step 1``."""
    zh = lang == "zh"
    if isinstance(scale, LevelsScale):
        levels = level_numbers(scale)
        name = scale.abbreviation or ("等级" if zh else "levels")
        return f"{name} {levels[0]}–{levels[-1]}" + ("（不求平均）" if zh else " (never averaged)")
    if isinstance(scale, LikertScale):
        if zh:
            return f"李克特 {_fmt(scale.min)}–{_fmt(scale.max)}，步长 {_fmt(scale.step)}"
        return f"likert {_fmt(scale.min)}–{_fmt(scale.max)} step {_fmt(scale.step)}"
    if isinstance(scale, NumericScale):
        unit = f" [{scale.unit}]" if scale.unit else ""
        direction = {"benefit": ("越大越好", "higher is better"), "cost": ("越小越好", "lower is better")}.get(
            scale.direction, (scale.direction, scale.direction))
        kind = {"linear": ("线性", "linear"), "thresholds": ("分段阈值", "thresholds"),
                "piecewise": ("分段线性", "piecewise linear")}.get(scale.transform.kind,
                                                               (scale.transform.kind, scale.transform.kind))
        return (f"数值{unit}，{direction[0]}，{kind[0]}" if zh else f"number{unit}, {direction[1]}, {kind[1]}")
    if isinstance(scale, BooleanScale):
        return "是/否" if zh else "yes/no"
    if isinstance(scale, GradesScale):
        return ("等第 " if zh else "grades ") + "/".join(tr(g.label, lang) for g in scale.grades)
    return type(scale).__name__  # pragma: no cover


def _fmt(x: float) -> str:
    return f"{x:g}"
