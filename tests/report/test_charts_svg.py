"""The summary charts (`charts.bars`, `charts.rank_intervals`) are plain SVG: geometry, labels, colours.

Expected coordinates are worked out by hand from the layout in tlr/report/charts.py (1 in = 72 pt; a CJK or
ambiguous-width character takes 1 em of label room, any other 0.6 em). Coordinates are written with one decimal.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tlr.report import charts

SVG = "{http://www.w3.org/2000/svg}"
RED = "#c0504d"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML: every label escaped


def _rects(svg: str) -> list[dict[str, str]]:
    return [r.attrib for r in _tree(svg).iter(f"{SVG}rect")]


def _texts(svg: str) -> list[tuple[str, dict[str, str]]]:
    return [(t.text or "", t.attrib) for t in _tree(svg).iter(f"{SVG}text")]


def _f(attrs: dict[str, str], key: str) -> float:
    return float(attrs[key])


# ---------------------------------------------------------------- bars
def test_vertical_bar_heights_are_proportional_to_the_counts():
    svg = charts.bars(["A", "B", "C", "D"], [6, 6, 16, 32], colours=["#111111", "#222222", "#333333", "#444444"],
                      title="档次分布", uid="ch-tier", width=2.6)
    root = _tree(svg)
    assert root.get("id") == "ch-tier" and root.get("width") == "187.2pt"      # 2.6 in
    assert root.find(f"{SVG}title").text == "档次分布"
    rects = _rects(svg)
    assert len(rects) == 4                                                        # one per bar, nothing else
    # plot 0.62 × 187.2 = 116.1 pt high for 1.2 × the highest count (32): 116.1 / 38.4 = 3.0234 pt a project
    assert [_f(r, "height") for r in rects] == pytest.approx([18.14, 18.14, 48.38, 96.75], abs=0.06)
    baseline = 4 + 116.1
    assert all(_f(r, "y") + _f(r, "height") == pytest.approx(baseline, abs=0.06) for r in rects)
    assert [r["fill"] for r in rects] == ["#111111", "#222222", "#333333", "#444444"]
    # 4 slots of 179.2 / 4 = 44.8 pt, bars 0.62 × 44.8 = 27.8 pt wide, centred at 26.4, 71.2, 116, 160.8
    assert [_f(r, "x") + _f(r, "width") / 2 for r in rects] == pytest.approx([26.4, 71.2, 116.0, 160.8], abs=0.06)
    texts = [t for t, _ in _texts(svg)]
    assert texts == ["6", "A", "6", "B", "16", "C", "32", "D"]                   # each count over its bar
    counts = {t: float(a["y"]) for t, a in _texts(svg) if t in ("16", "32")}
    assert counts["32"] < counts["16"] < baseline


def test_horizontal_bar_lengths_are_proportional_to_the_counts():
    svg = charts.bars(["钢铁", "新材料"], [3, 14], horizontal=True, uid="ch-ind", width=3.0)
    rects = _rects(svg)
    assert len(rects) == 2
    # labels 10 pt: "新材料" 30 pt + 9 pt gap → axis at 39; plot 216 - 39 - 4 = 173 pt for 1.18 × 14
    assert all(_f(r, "x") == 39.0 for r in rects)
    scale = 173 / (14 * 1.18)                                                     # 10.472 pt a project
    assert [_f(r, "width") for r in rects] == pytest.approx([3 * scale, 14 * scale], abs=0.06)  # 31.42, 146.61
    assert _f(rects[0], "y") < _f(rects[1], "y")                                 # first category at the top
    texts = _texts(svg)
    assert [t for t, _ in texts] == ["3", "钢铁", "14", "新材料"]
    count, label = texts[2][1], texts[3][1]
    assert float(count["x"]) > 39 + 14 * scale and count["text-anchor"] == "start"   # after the bar's end
    assert float(label["x"]) < 39 and label["text-anchor"] == "end"


def test_bar_labels_are_escaped_text_and_shortened_when_horizontal():
    hostile = "<&>行业"
    for horizontal in (False, True):
        svg = charts.bars([hostile, "一个很长很长很长很长的行业名称"], [2, 5], horizontal=horizontal,
                          title="分布 <&>", xlabel="x <&>")
        assert "<&>" not in svg and "&lt;&amp;&gt;行业" in svg
        texts = [t for t, _ in _texts(svg)]
        assert hostile in texts and "x <&>" in texts
        assert _tree(svg).find(f"{SVG}title").text == "分布 <&>"
        long = "一个很长很长很长很长的行业名称"
        assert (charts._short(long, 10) in texts) == horizontal and (long in texts) == (not horizontal)
        assert "font-family=" in svg                                               # text, not glyph outlines


def test_zero_counts_draw_empty_bars_with_their_count():
    for horizontal in (False, True):
        svg = charts.bars(["A", "B", "C"], [0, 4, 0], horizontal=horizontal)
        rects = _rects(svg)
        length = "width" if horizontal else "height"
        assert len(rects) == 3 and _f(rects[0], length) == 0 and _f(rects[2], length) == 0
        assert _f(rects[1], length) > 0
        assert [t for t, _ in _texts(svg)].count("0") == 2
        svg = charts.bars(["A", "B"], [0, 0], horizontal=horizontal)              # all zero: no division by zero
        assert [_f(r, length) for r in _rects(svg)] == [0, 0]


def test_a_single_category_is_one_moderate_bar_in_the_middle():
    svg = charts.bars(["独一"], [5], xlabel="TRL", width=3.0)
    (rect,) = _rects(svg)
    assert _f(rect, "width") == 36.0                                              # not 0.62 of the whole chart
    assert _f(rect, "x") + _f(rect, "width") / 2 == pytest.approx(216 / 2, abs=0.06)
    assert [t for t, _ in _texts(svg)] == ["5", "独一", "TRL"]
    (rect,) = _rects(charts.bars(["独一"], [5], horizontal=True, width=3.0))
    assert _f(rect, "width") == pytest.approx((216 - 29 - 4) / 1.18, abs=0.06)   # 2 em label + 9 pt gap


def test_empty_input_still_gives_an_svg():
    for horizontal in (False, True):
        svg = charts.bars([], [], horizontal=horizontal, title="t", uid="e")
        assert svg.startswith("<svg") and svg.endswith("</svg>") and _tree(svg).get("id") == "e"
        assert _rects(svg) == [] and _texts(svg) == []
    svg = charts.rank_intervals([], title="t", xlabel="模拟排名")
    assert _rects(svg) == [] and "模拟排名" in [t for t, _ in _texts(svg)]


# ---------------------------------------------------------------- rank intervals
ROWS = [("甲", 1, 1.5, 4), ("乙", 2, 3, 6)]


def test_rank_interval_geometry_by_hand():
    svg = charts.rank_intervals(ROWS, excluded=[False, True], xlabel="模拟排名", uid="ch-rob", title="排名区间")
    root = _tree(svg)
    assert root.get("id") == "ch-rob" and root.get("width") == "504pt"            # 7 in
    # labels 8 pt: "× 乙" = (1 + 0.6 + 1) em = 20.8 pt + 10 → axis at 30.8; plot 504 - 30.8 - 10 = 463.2 pt
    # for ranks 0.5 .. max(6, 2 rows) + 0.5 = 6.5: 77.2 pt a rank, rank r at 30.8 + 77.2 × (r - 0.5)
    a, b = _rects(svg)
    assert (_f(a, "x"), _f(a, "width")) == pytest.approx((69.4, 231.6), abs=0.06)   # ranks 1 .. 4
    assert (_f(b, "x"), _f(b, "width")) == pytest.approx((146.6, 308.8), abs=0.06)  # ranks 2 .. 6
    dots = [c.attrib for c in root.iter(f"{SVG}circle")]
    assert [_f(c, "cx") for c in dots] == pytest.approx([108.0, 223.8], abs=0.06)  # medians 1.5 and 3
    assert _f(a, "y") < _f(b, "y")                                                # best at the top
    ticks = [t for t, at in _texts(svg) if at["text-anchor"] == "middle"]
    assert ticks == ["1", "2", "3", "4", "5", "6", "模拟排名"]                   # nice_ticks, whole ranks


def test_rank_intervals_knocked_out_rows_are_grey_and_the_highlight_red():
    rows = [("<&>项目", 1, 2, 3), ("出局项目", 1, 2, 4), ("关注项目", 2, 3, 5), ("普通项目", 3, 4, 6)]
    svg = charts.rank_intervals(rows, excluded=[False, True, False, False], highlight="关注项目")
    rects = _rects(svg)
    dots = [c.attrib for c in _tree(svg).iter(f"{SVG}circle")]
    assert len(rects) == len(dots) == 4                                           # one bar and one dot a row
    assert [r["fill"] for r in rects] == [charts.NAVY, charts.GREY, RED, charts.NAVY]
    assert [d["fill"] for d in dots] == [charts.NAVY, "white", RED, charts.NAVY]  # hollow dot when out
    assert dots[1]["stroke"] == charts.GREY
    labels = {t: at["fill"] for t, at in _texts(svg) if at["text-anchor"] == "end"}
    assert labels == {"<&>项目": charts.INK, "× 出局项目": charts.GREY, "关注项目": charts.INK,
                      "普通项目": charts.INK}
    assert "&lt;&amp;&gt;项目" in svg and "<&>" not in svg
    # a knocked-out row stays grey even when it is the highlighted one
    svg = charts.rank_intervals(rows, excluded=[False, True, False, False], highlight="出局项目")
    assert [r["fill"] for r in _rects(svg)] == [charts.NAVY, charts.GREY, charts.NAVY, charts.NAVY]


def test_rank_intervals_axis_limit_and_long_labels():
    rows = [(f"项目{i}", i, i + 1, i + 3) for i in range(1, 4)]                  # p95 up to 6
    svg = charts.rank_intervals(rows, n_total=5)                                  # limit min(5, 6.6) + 0.5
    rects = _rects(svg)
    right = max(_f(r, "x") + _f(r, "width") for r in rects)
    axis_end = float(re.search(r'H([\d.]+)" stroke="#8c96a0"', svg).group(1))
    assert right == pytest.approx(axis_end, abs=0.11)                            # clipped at the axis end
    long = "一个非常非常非常非常非常长的项目名称超过二十个字"
    svg = charts.rank_intervals([(long, 1, 1, 1)])
    assert charts._short(long, 20) in [t for t, _ in _texts(svg)]
    assert charts.rank_intervals(rows) == charts.rank_intervals(rows)             # deterministic


# ---------------------------------------------------------------- in the report
def test_summary_charts_in_the_report_are_plain_svg(rendered_html, sample):
    html = rendered_html["html"].read_text("utf-8")
    summary = sample.compute_summary()
    svgs = {uid: re.search(rf'<svg[^>]* id="{uid}".*?</svg>', html, re.DOTALL).group(0)
            for uid in ("ch-tier", "ch-trl", "ch-ind", "ch-rob")}
    tier = svgs["ch-tier"]
    assert len(_rects(tier)) == len(sample.tiers)
    assert [t for t, _ in _texts(tier)][::2] == [str(summary.per_tier.get(t.code, 0)) for t in sample.tiers]
    assert len(_rects(svgs["ch-ind"])) == len(summary.per_industry)
    ranked = [p for p in sample.ranked() if p.rank is not None and p.rank_interval is not None][:25]
    rob = svgs["ch-rob"]
    assert len(_rects(rob)) == len(ranked)
    labels = [t for t, at in _texts(rob) if at["text-anchor"] == "end"]
    assert labels == [("× " if p.knocked_out else "") + charts._short(p.name, 20) for p in ranked]


@pytest.fixture(scope="module")
def modules_after_html_report():
    """Modules loaded by a fresh process that renders a sample report (no budget selection) to HTML."""
    code = ("import sys, tempfile, warnings\n"
            "warnings.simplefilter('ignore')\n"
            "from tlr.report.render import render_report\n"
            "from tlr.report.sample import sample_report\n"
            "render_report(sample_report(30, seed=11), tempfile.mkdtemp(), formats=['html'])\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_html_report_draws_no_matplotlib_figure(modules_after_html_report):
    drawing = {"matplotlib.pyplot", "matplotlib.figure", "matplotlib.axes", "matplotlib.backends.backend_svg",
               "matplotlib.font_manager"}
    assert not drawing & modules_after_html_report


def test_html_report_imports_no_matplotlib(modules_after_html_report):
    assert "matplotlib" not in modules_after_html_report


# ---------------------------------------------------------------- value ranges (valuation chapter)
def test_value_ranges_geometry_by_hand():
    """P10..P90 bar, P50 dot, mean tick and the zero line at their values' places on one linear axis."""
    rows = [("<甲>", -100.0, 50.0, 300.0, 80.0), ("乙", 0.0, 10.0, 20.0, 12.0)]
    svg = charts.value_ranges(rows, title="风险调整净现值", xlabel="万元", uid="ch-val")
    root = _tree(svg)
    assert root.get("id") == "ch-val" and "matplotlib" not in svg
    (bar, small) = _rects(svg)
    left, width = _f(bar, "x"), _f(bar, "width")
    dots = [c.attrib for c in root.iter(f"{SVG}circle")]
    paths = [p.attrib for p in root.iter(f"{SVG}path")]
    mean = next(p for p in paths if p.get("stroke") == RED)
    zero = next(p for p in paths if p.get("stroke") == charts.GREY and p["d"].count("V") == 1
                and "H" not in p["d"])

    def at(v):               # where value v lies along the first bar (-100 .. 300), as a share of its length
        return left + width * (v + 100) / 400

    assert _f(dots[0], "cx") == pytest.approx(at(50), abs=0.1)
    assert float(re.match(r"M([\d.]+) ", mean["d"]).group(1)) == pytest.approx(at(80), abs=0.1)
    assert float(re.match(r"M([\d.]+) ", zero["d"]).group(1)) == pytest.approx(at(0), abs=0.1)
    assert _f(small, "x") == pytest.approx(at(0), abs=0.1) and _f(small, "width") == pytest.approx(width / 20, abs=0.1)
    assert _f(bar, "y") < _f(small, "y")                                           # in the order given
    labels = [t for t, a in _texts(svg) if a["text-anchor"] == "end"]
    assert labels == ["<甲>", "乙"] and "&lt;甲&gt;" in svg
    ticks = [t for t, a in _texts(svg) if a["text-anchor"] == "middle"]
    assert ticks[-1] == "万元" and "0" in ticks
