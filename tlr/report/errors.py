"""Report errors: a missing template or font, an output path outside ``--out``, a refused URL."""

from __future__ import annotations

from tlr.errors import TlrError


class ReportError(TlrError):
    """The report cannot be rendered as asked (bilingual message, one line)."""
