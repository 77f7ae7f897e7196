from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tlr.report.sample import sample_report

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def sample():
    return sample_report(12, seed=7, hostile=True)


@pytest.fixture(scope="session")
def rendered(sample, tmp_path_factory) -> dict[str, Path]:
    """The 12-project sample rendered once to HTML and PDF (shared by the tests: PDF takes seconds)."""
    from tlr.report.render import render_report

    out = tmp_path_factory.mktemp("report")
    stages = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = render_report(sample, out, formats=("html", "pdf"), lang="zh", top=4,
                              progress=lambda stage, done, total: stages.append(stage))
    return {"html": paths[0], "pdf": paths[1], "out": out, "stages": stages}


@pytest.fixture(scope="session")
def rendered_html(sample, tmp_path_factory) -> dict[str, Path]:
    """The same sample rendered to HTML only (the fast tests need no PDF layout)."""
    from tlr.report.render import render_report

    out = tmp_path_factory.mktemp("report-html")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = render_report(sample, out, formats=("html",), lang="zh", top=4)
    return {"html": paths[0], "out": out}

