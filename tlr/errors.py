"""One error hierarchy for every user-facing failure.

Every error knows *where* the problem is (file, line, column, row, field) and
how to fix it (hint). The command line prints :meth:`TlrError.format` and exits
with :attr:`TlrError.exit_code` — never a traceback for a user mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]  # note: e.g. "N further checks skipped"


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file and optionally line/column (1-based), row, field path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            pos = _shown(self.file)
            if self.line is not None:
                pos += f":{self.line}"
                if self.column is not None:
                    pos += f":{self.column}"
            parts.append(pos)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(_shown(self.field))
        return ": ".join(parts)


def _shown(text: str) -> str:
    """A file name or field as one safe line: a line break or escape in a name (``new\\nline.csv``) is shown
    as an escape, so every problem stays on one line and cannot drive the terminal."""
    if text.isprintable():
        return text
    from tlr.safetext import terminal_safe

    return terminal_safe(text)


@dataclass(frozen=True)
class Diagnostic:
    """One finding about an input: an error or a warning, located, with a hint."""

    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None
    code: str = "invalid"

    def format(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return _shown(text)  # one line that cannot drive the terminal, whatever a message quotes

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "row": loc.row,
            "field": loc.field,
        }


class TlrError(Exception):
    """Base class of every error caused by user input or environment, not by a bug."""

    exit_code = 2

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None,
                 code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint
        self.code = code

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic("error", self.message, self.location, self.hint, self.code)]

    def format(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)

    def __str__(self) -> str:  # pragma: no cover - exercised through format()
        return self.format()


class ValidationError(TlrError):
    """Several located problems found at once (all are reported, not just the first)."""

    def __init__(self, diagnostics: list[Diagnostic], summary: str | None = None):
        errors = [d for d in diagnostics if d.severity == "error"]
        first = errors[0] if errors else diagnostics[0]
        super().__init__(summary or first.message, location=first.location, hint=first.hint, code=first.code)
        self._diagnostics = list(diagnostics)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self._diagnostics


class InputFileError(TlrError):
    """A file cannot be read: missing, not UTF-8, not the expected format."""


class RubricError(ValidationError):
    """A rubric file is invalid."""


class WeightingError(TlrError):
    """Pairwise judgements or weights cannot be used as given."""


class CampaignError(TlrError):
    """A campaign ledger operation was refused."""
