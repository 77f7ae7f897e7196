"""Errors of the readiness-assessment package (all :class:`tlr.errors.TlrError`, bilingual messages)."""

from __future__ import annotations

from tlr.errors import TlrError


class TrlError(TlrError):
    """Base class of readiness-assessment errors."""


class LadderError(TrlError):
    """A readiness ladder cannot be found or cannot be used (gap, duplicate level, no checklist ...)."""


class AnswerError(TrlError):
    """An answer names an unknown question or level, or has a value the question does not take."""


class EvidenceError(TrlError):
    """An evidence item points to a missing file, or its recorded hash does not match."""


class AssessmentFileError(TrlError):
    """An assessment document cannot be read or is not valid."""
