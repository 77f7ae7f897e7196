"""What a scale accepts as a score, and how a value is stored.

Every score is stored as one number:

- ``levels``: the level number (an ordinal, never averaged);
- ``likert``: the rating;
- ``numeric``: the measured value, in the scale's unit;
- ``boolean``: 1.0 for true/yes/是, 0.0 for false/no/否;
- ``grades``: the 0-based index of the grade in the scale.

Each kind's rules live in its :class:`tlr.rubric.kinds.ScaleKind`; these functions are the
entry points the rest of tlr calls.
"""

from __future__ import annotations

from typing import Any

from tlr.rubric.kinds import FALSE_WORDS, TRUE_WORDS, kind_of, level_numbers

__all__ = ["parse_score", "score_label", "scale_range", "describe_scale", "level_numbers", "TRUE_WORDS",
           "FALSE_WORDS"]


def parse_score(scale: Any, raw: Any) -> float:
    """Validate an entered score (``"7"``, ``"是"``, a grade id ...) and return the stored number.

    Raises ``ValueError`` with a bilingual message saying what the scale accepts.
    """
    return kind_of(scale).parse(scale, raw)


def score_label(scale: Any, value: float, lang: str = "zh") -> str:
    """Human form of a stored score (level label, 是/否, grade name, or the number)."""
    return kind_of(scale).label(scale, value, lang)


def scale_range(scale: Any) -> tuple[float, float] | None:
    """The (low, high) of values a scale stores, where bounded."""
    return kind_of(scale).range(scale)


def describe_scale(scale: Any, lang: str = "zh") -> str:
    """One-line summary in *lang*, e.g. ``李克特 1–5，步长 1`` / ``likert 1–5 step 1``."""
    return kind_of(scale).describe(scale, lang)
