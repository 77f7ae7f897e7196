"""Errors raised by the numeric core (weighting, panel, engine, ranking, evaluation).

Messages are bilingual, Chinese first: ``"没有任何评分 / no scores at all: ..."``.
Each is a :class:`tlr.errors.TlrError`, so the command line prints it without a traceback, and a
``ValueError``, so library callers can catch "bad values" the usual Python way.
"""

from __future__ import annotations

from tlr.errors import TlrError


class ScoringError(TlrError, ValueError):
    """Base class: the numbers given to a scoring function cannot be used as they are."""

    default_code = "scoring"   # each subclass names its own

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None):
        super().__init__(message, hint=hint, code=code or self.default_code)


class ShapeError(ScoringError):
    """An array has the wrong shape, or two arrays do not match."""

    default_code = "shape"


class NoScoresError(ScoringError):
    """The score array holds no score at all (empty, or every entry missing)."""

    default_code = "no_scores"


class InvalidValueError(ScoringError):
    """A value is outside what the method accepts (negative weight, level not in the table, inf ...)."""

    default_code = "invalid_value"


class MissingValueError(ScoringError):
    """A missing (NaN) value reached a step that was told not to accept missing values."""

    default_code = "missing_value"


class InfeasibleError(ScoringError):
    """An optimisation problem has no feasible solution (e.g. must-include projects exceed the budget)."""

    default_code = "infeasible"


__all__ = ["ScoringError", "ShapeError", "NoScoresError", "InvalidValueError", "MissingValueError",
           "InfeasibleError"]
