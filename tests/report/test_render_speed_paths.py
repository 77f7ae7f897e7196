"""The shortcuts that make large reports fast (issue 16) change nothing a reader or a browser gets.

No WeasyPrint layout here: the PDF markup is checked as the template writes it, and the collector pause with
a stand-in for WeasyPrint.
"""

from __future__ import annotations

import gc
import io
import re

import pytest

from tlr.report import fonts, render


def _reference_cut(chars: str) -> bytes:
    """The cut as it was made before: every table parsed up front, the hint-removal pass run."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    unicodes = {ord(c) for c in chars} | set(range(0x20, 0x7F)) | {0x2026, 0x2013, 0x2014, 0x00B7, 0x3000}
    opts = subset.Options()
    opts.layout_features = ["kern", "vert", "vrt2", "palt", "halt"]
    opts.hinting = False
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    opts.recalc_bounds = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    font = TTFont(str(fonts.font_path()), recalcTimestamp=False, recalcBBoxes=False)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(unicodes))
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def test_font_cut_is_byte_identical_to_the_full_parse():
    chars = "项目排序总表评价报告"
    fonts._subset.cache_clear()
    fast = fonts.subset_for(chars)
    assert fast == _reference_cut(chars)
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(fast)).getBestCmap()
    assert all(ord(c) in cmap for c in chars)


def test_collector_paused_during_layout_and_restored():
    assert gc.isenabled()
    with render._no_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with render._no_cyclic_gc():
            raise RuntimeError("layout failed")
    assert gc.isenabled()  # back on after a failure too
    gc.disable()
    try:
        with render._no_cyclic_gc():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_html_to_pdf_lays_out_with_the_collector_paused(monkeypatch, tmp_path):
    seen = []

    class FakeHTML:
        def __init__(self, **kwargs):
            pass

        def write_pdf(self):
            seen.append(gc.isenabled())
            return b"%PDF-fake"

    monkeypatch.setattr(render, "_lean_html_class", lambda: FakeHTML)
    assert render.html_to_pdf("<p>x</p>", tmp_path, font=b"font") == b"%PDF-fake"
    assert seen == [False] and gc.isenabled()


@pytest.fixture(scope="module")
def markup(sample) -> dict[str, str]:
    return {fmt: _markup(sample, fmt) for fmt in ("pdf", "html")}


def _markup(sample, fmt: str) -> str:
    root = render._templates(None, render.REPORT_TEMPLATE)
    template = render._load(render._jinja_env(root), render.REPORT_TEMPLATE, root)
    ctx = render.build_context(sample, fmt=fmt, top=4, charts={"profiles": {p.id: {"radar": "", "strip": "", "probbar": ""}
                                                                              for p in sample.projects},
                                                               "radar_legend": "", "tiers": "", "readiness": "",
                                                               "industry": ""})
    return render._render_template(template, ctx, root)


def _ranked_rows(html: str) -> list[str]:
    body = html.split('id="ranked-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


def test_pdf_ranked_rows_are_lean_and_hold_the_same_cells(sample, markup):
    pdf, html = markup["pdf"], markup["html"]
    pdf_rows, html_rows = _ranked_rows(pdf), _ranked_rows(html)
    assert len(pdf_rows) == len(html_rows) == len(sample.projects)
    n_cells = 11 + len(sample.dimensions)
    for prow, hrow in zip(pdf_rows, html_rows):
        assert "data-" not in prow  # sort keys and filters serve the HTML's script only
        assert not re.search(r">\s+<", prow)  # no whitespace nodes between cells
        assert prow.count("<td") == hrow.count("<td") == n_cells
        # the reader sees the same cells: strip the HTML-only attributes and the id after the name
        plain = re.sub(r' data-[a-z]+="[^"]*"', "", hrow)
        plain = re.sub(r' <span class="muted">[^<]*</span>', "", plain)
        assert plain == prow
    assert all('data-v="' in row for row in html_rows)


def test_indicator_dimension_rows_span_their_empty_cells(sample, markup):
    pdf = markup["pdf"]
    tables = re.findall(r'<table class="indicators fixed">.*?</table>', pdf, flags=re.S)
    assert tables
    for table in tables:
        dim_rows = re.findall(r'<tr class="dim">(.*?)</tr>', table, flags=re.S)
        assert len(dim_rows) == len(sample.dimensions)
        for row in dim_rows:  # 4 cells + one spanning the last 3 columns: still 7 columns wide
            assert row.count("<td") == 5 and row.count('colspan="3"') == 1
