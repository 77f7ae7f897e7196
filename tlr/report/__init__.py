"""Investment-committee reports: ranking report and expert scoring manual, as HTML and PDF.

Public API (heavy imports — matplotlib, WeasyPrint — happen only when rendering)::

    from tlr.report import ReportData, render_report, render_manual, sample_report
"""

from __future__ import annotations

from tlr.report.errors import ReportError
from tlr.report.model import ReportData

__all__ = ["ReportData", "ReportError", "render_report", "render_manual", "sample_report"]


def render_report(*args, **kwargs):
    from tlr.report.render import render_report as _render

    return _render(*args, **kwargs)


def render_manual(*args, **kwargs):
    from tlr.report.render import render_manual as _render

    return _render(*args, **kwargs)


def sample_report(*args, **kwargs):
    from tlr.report.sample import sample_report as _sample

    return _sample(*args, **kwargs)
