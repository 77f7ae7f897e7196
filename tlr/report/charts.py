"""Report charts, returned as SVG strings.

The charts of every report (:func:`bars`, :func:`rank_intervals`, :func:`value_ranges`, the profile radars of
:class:`RadarFactory`, :func:`tornado`) are built by hand as plain SVG: a millisecond each, with no matplotlib
import, and their labels are ``<text>`` (escaped) drawn in the document's font. The rest (:func:`frontier`, only
with a budget selection; :func:`radar`) are matplotlib (Agg) figures:

- Text is drawn as glyph outlines (``svg.fonttype = "path"``) with the packaged CJK font, so Chinese
  renders identically in any browser and in WeasyPrint (which then needs no font for the SVG).
- Output is deterministic: ``svg.hashsalt`` is fixed and no date is written, so the same data gives
  byte-identical SVG.
- matplotlib is imported lazily, inside the functions.
"""

from __future__ import annotations

import io
import math
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

from tlr.report.fonts import register_matplotlib

INK = "#1d2b3a"
NAVY = "#1f4e79"
BLUE = "#2e75b6"
GREY = "#8c96a0"
LIGHT = "#d9e2ec"
TIER_COLOURS = ["#1f4e79", "#2e75b6", "#8fb8de", "#c8ced6", "#e4e7eb", "#eef0f2"]


def tier_colour(index: int) -> str:
    return TIER_COLOURS[min(index, len(TIER_COLOURS) - 1)]


@contextmanager
def _style() -> Iterator[object]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    family = register_matplotlib()
    rc = {
        "svg.fonttype": "path",
        "svg.hashsalt": "tlr-report",
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.edgecolor": GREY,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 72,
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc):
        yield plt


_XML_DECL = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)


_ID = re.compile(r'\bid="([^"]+)"')


def _prefix_ids(svg: str, uid: str) -> str:
    """Make every id of this SVG unique in a page holding many SVGs (clip paths, glyph defs)."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{uid}-{m.group(1)}"', svg)
    ref = re.compile(r'(href="#|url\(#)([^")]+)')
    return ref.sub(lambda m: m.group(1) + (f"{uid}-{m.group(2)}" if m.group(2) in ids else m.group(2)), svg)


def _to_svg(fig, plt, title: str | None = None, uid: str = "c") -> str:
    import warnings

    buf = io.StringIO()
    with warnings.catch_warnings():  # missing glyphs are reported once, by fonts.check_glyphs
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                    pad_inches=0.02)
    plt.close(fig)
    svg = _COMMENT.sub("", _XML_DECL.sub("", buf.getvalue()))
    # drop the metadata block (rdf), keep the drawing; make it scale with its container
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _prefix_ids(svg, uid)
    svg = re.sub(r'(<svg[^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"',
                 lambda m: f'{m.group(1)} width="{m.group(2)}pt" height="{m.group(3)}pt" class="chart" role="img"',
                 svg, count=1)
    if title:
        from html import escape

        svg = svg.replace(">", f"><title>{escape(title)}</title>", 1)
    return svg.strip()


def _short(label: str, n: int = 14) -> str:
    """*label* cut to *n* wide characters' room (a CJK character counts 1, a Latin one about half)."""
    import unicodedata

    room = 2 * n
    width = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label]
    if sum(width) <= room:
        return label
    out, used = [], 0
    for ch, w in zip(label, width):
        if used + w > room - 2:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def radar(labels: Sequence[str], values: Sequence[float | None], reference: Sequence[float | None],
          *, value_name: str = "", reference_name: str = "", title: str | None = None,
          vmax: float = 100.0, uid: str = "radar") -> str:
    """Spider chart of one project's dimension scores (0-*vmax*) against a reference (cohort median)."""
    with _style() as plt:
        n = len(labels)
        angles = [math.pi / 2 - 2 * math.pi * i / n for i in range(n)]
        fig = plt.figure(figsize=(3.1, 3.0))
        ax = fig.add_subplot(111, polar=True)
        ax.set_theta_offset(0)
        closed = angles + angles[:1]

        def pts(vals):
            v = [0.0 if x is None else float(x) for x in vals]
            return v + v[:1]

        ax.plot(closed, pts(reference), color=GREY, lw=1, ls="--", label=reference_name)
        ax.plot(closed, pts(values), color=NAVY, lw=1.6, label=value_name)
        ax.fill(closed, pts(values), color=BLUE, alpha=0.18)
        ax.set_ylim(0, vmax)
        ax.set_yticks([25, 50, 75, 100])
        ax.set_yticklabels(["", "50", "", "100"], fontsize=5.5, color=GREY)
        ax.set_rlabel_position(90 - 180 / n)
        ax.set_xticks(angles)
        ax.set_xticklabels([_short(l, 8) for l in labels], fontsize=7.5)
        ax.tick_params(axis="x", pad=1)
        ax.grid(color=LIGHT, lw=0.6)
        ax.spines["polar"].set_color(LIGHT)
        if value_name or reference_name:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=7, frameon=False)
        return _to_svg(fig, plt, title, uid)


def rank_intervals(rows: Sequence[tuple[str, float, float, float]], *, n_total: int | None = None,
                   highlight: str | None = None, title: str | None = None, xlabel: str = "",
                   uid: str = "ranks", excluded: Sequence[bool] | None = None) -> str:
    """Horizontal rank-interval bars (p5-p95, dot at p50), best at the top; rank 1 on the left.

    ``excluded[i]`` marks row *i* as out of the running (knocked out): grey, hollow dot, label prefixed ×.
    The row named *highlight* is drawn in red. Plain SVG, 7 in (504 pt) wide: one ``<rect>`` (the interval) and
    one ``<circle>`` (the median) per row, the labels and axis as ``<text>``.
    """
    out_of_running = list(excluded) if excluded is not None else [False] * len(rows)
    k = len(rows)
    names = [("× " if out_of_running[i] else "") + _short(r[0], 20) for i, r in enumerate(rows)]
    hi = max([r[3] for r in rows] + [1.0])
    lo, limit = 0.5, (max(hi, float(k)) + 0.5 if n_total is None else min(float(n_total), hi * 1.1) + 0.5)
    limit = max(limit, lo + 1.0)  # n_total < 1: still an axis
    ticks = [t for t in nice_ticks(lo, limit) if t == int(t)]

    def row(i: int, y: float, x) -> list[str]:
        label, p5, p50, p95 = rows[i]
        if out_of_running[i]:
            colour, dot = GREY, f'fill="white" stroke="{GREY}" stroke-width="0.9"'
        else:
            colour = "#c0504d" if highlight is not None and label == highlight else NAVY
            dot = f'fill="{colour}"'
        return [_interval_bar(x(p5), x(p95), y, colour), f'<circle cx="{x(p50):.1f}" cy="{y:.1f}" r="1.8" {dot}/>']

    return _row_chart(names, lo, limit, ticks, row, label_colours=[GREY if x else INK for x in out_of_running],
                      tick_text=lambda t: f"{t:g}", xlabel=xlabel, uid=uid, title=title)


def _interval_bar(a: float, b: float, y: float, colour: str) -> str:
    return (f'<rect x="{a:.1f}" y="{y - 1.6:.1f}" width="{max(b - a, 0.0):.1f}" height="3.2" fill="{colour}" '
            f'fill-opacity="0.35"/>')


def _row_chart(names: Sequence[str], lo: float, limit: float, ticks: Sequence[float], row, *,
               label_colours: Sequence[str] | None = None, tick_text=str, xlabel: str = "", uid: str,
               title: str | None, extra=None) -> str:
    """A chart of one labelled row per item, the first at the top, over a value axis *lo*..*limit* (plain SVG,
    7 in = 504 pt wide): light grid lines at *ticks*, the axis at the bottom, *xlabel* under it.
    ``row(i, y, x)`` returns row *i*'s marks (``x`` maps a value to the page, clamped to the axis);
    ``extra(x, top, bottom)`` marks drawn over the grid (a zero line)."""
    k = len(names)
    size, row_h, top = 8.0, 13.0, 4.0
    x0 = max([_text_width(name, size) for name in names] + [size]) + 10.0
    width = 7.0 * 72
    plot_w = width - x0 - 10.0

    def x(v: float) -> float:
        return x0 + plot_w * (min(max(float(v), lo), limit) - lo) / (limit - lo)

    # rows as matplotlib placed them: row i at i + 0.7 units from the top, 0.7 units below the last one
    bottom = top + row_h * max(k + 0.4, 2.0)
    height = bottom + (30.0 if xlabel else 18.0)
    parts = [_svg_open(width, height, uid, title)]
    grid = "".join(f"M{x(t):.1f} {top:g}V{bottom:.1f}" for t in ticks)
    if grid:
        parts.append(f'<path d="{grid}" stroke="{LIGHT}" stroke-width="0.5" fill="none"/>')
    if extra is not None:
        parts.extend(extra(x, top, bottom))
    marks = [f"M{x(t):.1f} {bottom:.1f}v3.5" for t in ticks]
    for i, name in enumerate(names):
        y = top + row_h * (i + 0.7)
        marks.append(f"M{x0 - 3.5:.1f} {y:.1f}H{x0:.1f}")
        parts.extend(row(i, y, x))
        parts.append(_text(name, x0 - 6, y, size, "end", label_colours[i] if label_colours else INK))
    parts.append(f'<path d="{"".join(marks)}" stroke="{INK}" stroke-width="0.8" fill="none"/>')
    parts.append(f'<path d="M{x0:.1f} {top:g}V{bottom:.1f}H{x0 + plot_w:.1f}" stroke="{GREY}" stroke-width="0.8" '
                 f'fill="none"/>')
    for t in ticks:
        parts.append(_text(tick_text(t), x(t), bottom + 10, size, "middle"))
    if xlabel:
        parts.append(_text(xlabel, x0 + plot_w / 2, bottom + 23, size, "middle"))
    parts.append("</svg>")
    return "".join(parts)


def bars(labels: Sequence[str], counts: Sequence[int], *, colours: Sequence[str] | None = None,
         horizontal: bool = False, title: str | None = None, xlabel: str = "", width: float = 3.2,
         uid: str = "bars") -> str:
    """A small bar chart of counts (tier, readiness or industry distribution), each count written at its bar's end.

    Plain SVG, *width* inches wide (1 in = 72 pt): one ``<rect>`` per category (zero long for a zero count), the
    category axis at the bottom (vertical bars, plot 0.62 × *width* high) or on the left (*horizontal*, 15 pt a
    row, labels shortened), no value axis.
    """
    n = len(labels)
    colours = list(colours) if colours else [NAVY] * n
    top = max(list(counts) + [1])
    width = round(width * 72, 1)
    size, count_size = 10.0, 9.0
    parts: list[str] = []
    marks: list[str] = []
    if horizontal:
        slot, y0 = 15.0, 3.0
        names = [_short(str(label), 10) for label in labels]
        x0 = max([_text_width(name, size) for name in names] + [size]) + 9.0
        plot_w = width - x0 - 4.0
        bottom = y0 + slot * max(n, 1)
        scale = plot_w / (top * 1.18)  # the longest bar ends at 85 %: room for its count
        for i, (name, count, colour) in enumerate(zip(names, counts, colours)):
            y = y0 + slot * (i + 0.5)
            length = count * scale
            parts.append(f'<rect x="{x0:.1f}" y="{y - 0.31 * slot:.1f}" width="{length:.1f}" '
                         f'height="{0.62 * slot:.1f}" fill="{colour}"/>')
            parts.append(_text(str(count), x0 + length + top * 0.02 * scale, y, count_size))
            parts.append(_text(name, x0 - 6, y, size, "end"))
            marks.append(f"M{x0 - 3.5:.1f} {y:.1f}H{x0:.1f}")
        axis = f"M{x0:.1f} {y0:g}V{bottom:.1f}"
        height = bottom + 3.0
        if xlabel:
            parts.append(_text(xlabel, x0 + plot_w / 2, bottom + 9, count_size, "middle"))
            height += 14.0
    else:
        # the plot keeps one aspect: charts of different widths side by side, scaled to equal cells, share a baseline
        x0, y0, plot_h = 4.0, 4.0, round(width * 0.62, 1)
        plot_w = width - 2 * x0
        slot = plot_w / max(n, 1)
        bottom = y0 + plot_h
        scale = plot_h / (top * 1.2)  # the highest bar ends at 83 %: room for its count
        bar = min(0.62 * slot, 36.0)  # one or two categories: no slab across the chart
        for i, (label, count, colour) in enumerate(zip(labels, counts, colours)):
            x = x0 + slot * (i + 0.5)
            length = count * scale
            parts.append(f'<rect x="{x - bar / 2:.1f}" y="{bottom - length:.1f}" width="{bar:.1f}" '
                         f'height="{length:.1f}" fill="{colour}"/>')
            parts.append(_text(str(count), x, bottom - length - top * 0.02 * scale - count_size * 0.5, count_size,
                               "middle"))
            parts.append(_text(str(label), x, bottom + 10, size, "middle"))
            marks.append(f"M{x:.1f} {bottom:.1f}v3.5")
        axis = f"M{x0:g} {bottom:.1f}H{x0 + plot_w:.1f}"
        height = bottom + 18.0
        if xlabel:
            parts.append(_text(xlabel, x0 + plot_w / 2, bottom + 24, count_size, "middle"))
            height += 12.0
    if marks:
        parts.append(f'<path d="{"".join(marks)}" stroke="{INK}" stroke-width="0.8" fill="none"/>')
    parts.append(f'<path d="{axis}" stroke="{GREY}" stroke-width="0.8" fill="none"/>')
    return _svg_open(width, height, uid, title) + "".join(parts) + "</svg>"


def frontier(budgets: Sequence[float], values: Sequence[float], rank_fill_values: Sequence[float], *,
             rule_values: Sequence[float | None] | None = None, budget: float | None = None,
             names: Sequence[str] = ("", "", ""), budget_label: str = "", xlabel: str = "", ylabel: str = "",
             title: str | None = None, uid: str = "frontier") -> str:
    """Efficient frontier of a budget selection: best value per budget as steps, the rank-order fill (and the
    value-for-money rule, when given) as markers at the same budgets, the chosen budget as a dashed line.

    *names*: legend names of (best value, rank-order fill, rule).
    """
    with _style() as plt:
        xs = [float(b) for b in budgets]
        ys = [float(v) for v in values]
        right = max(xs[-1] if xs else 0.0, float(budget or 0.0)) * 1.04 or 1.0
        fig = plt.figure(figsize=(7.0, 2.7))
        ax = fig.add_subplot(111)
        ax.step(xs + [right], ys + ys[-1:], where="post", color=NAVY, lw=1.6, label=names[0] or None)
        ax.plot(xs, [float(v) for v in rank_fill_values], "o", color=BLUE, ms=3.4, alpha=0.75,
                label=names[1] or None)
        if rule_values is not None and any(v is not None for v in rule_values):
            pts = [(x, float(v)) for x, v in zip(xs, rule_values) if v is not None]
            ax.plot([x for x, _ in pts], [v for _, v in pts], "s", mfc="none", mec="#c0504d", ms=4.2, mew=0.9,
                    label=names[2] or None)
        if budget is not None:
            ax.axvline(float(budget), color="#c0504d", lw=0.9, ls="--")
            top = max(ys + [0.0]) or 1.0
            ax.text(float(budget), top * 1.02, f" {budget_label}", color="#c0504d", fontsize=7.5, va="bottom",
                    ha="left" if float(budget) < right * 0.8 else "right")
        ax.set_xlim(0, right)
        ax.set_ylim(min(0.0, min(ys + [0.0])), max(ys + [0.0]) * 1.12 or 1.0)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7.5)
        ax.grid(color=LIGHT, lw=0.5)
        ax.set_axisbelow(True)
        if any(names):
            ax.legend(loc="lower right", fontsize=7, frameon=False)
        return _to_svg(fig, plt, title, uid)


def selection_frontier(selection, s: dict) -> str:
    """:func:`frontier` of a report's :class:`tlr.report.model.BudgetSelection`, labelled with the UI strings *s*."""
    pts = selection.frontier
    return frontier([p.budget for p in pts], [p.value for p in pts], [p.rank_fill_value for p in pts],
                    rule_values=([p.rule_value for p in pts] if selection.objective == "value-for-money" else None),
                    budget=selection.budget, budget_label=f"{s['sel_budget']} {selection.budget:g}",
                    names=(s["sel_best_value"], s["sel_rank_fill_value"], s["sel_rule_value"]),
                    xlabel=s["sel_budget_axis"], ylabel=s["sel_value"], title=s["sel_chart"], uid="ch-frontier")


# ---------------------------------------------------------------- fast hand-built radar
# A report has up to hundreds of profile radars that share labels, rings and the cohort median:
# the static part is built once and each project adds two polygons (~0.01 ms per radar instead of
# ~150 ms for a matplotlib figure). Labels are SVG <text>: WeasyPrint draws them with the
# document's @font-face font (embedded, extractable); browsers use their own CJK fonts.

SVG_FONT_STACK = ("'TLR Noto Sans CJK SC', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', "
                  "'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif")


def _text(text: str, x: float, y: float, size: float, anchor: str = "start", fill: str = INK) -> str:
    """A text label whose vertical middle is at *y*."""
    from html import escape

    return (f'<text x="{x:.1f}" y="{y + size * 0.36:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
            f'fill="{fill}">{escape(text)}</text>')


def _text_width(text: str, size: float) -> float:
    """Room *text* takes at *size*: a wide (CJK) or ambiguous character (×, …) 1 em, any other 0.6 em (a little over
    the report font's Latin average, so a label never runs into the plot)."""
    import unicodedata

    return size * sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6 for ch in text)


def _svg_open(width: float, height: float, uid: str, title: str | None) -> str:
    """The ``<svg>`` tag of a hand-built chart: *width* × *height* pt, id *uid*, the report's fonts, a title."""
    from html import escape

    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(uid)}" role="img" '
            f'viewBox="0 0 {width:g} {height:g}" width="{width:g}pt" height="{height:g}pt" '
            f'font-family="{SVG_FONT_STACK}">' + (f"<title>{escape(title)}</title>" if title else ""))


def _fmt_pts(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


class RadarFactory:
    """Radars sharing labels and a reference polygon; ``factory.svg(values, uid)`` per project."""

    W, H, CX, CY, R = 300.0, 240.0, 150.0, 120.0, 80.0

    def __init__(self, labels: Sequence[str], reference: Sequence[float | None], *, value_name: str = "",
                 reference_name: str = "", title: str | None = None, vmax: float = 100.0):
        from html import escape

        self.n = n = len(labels)
        self.vmax = vmax
        self.angles = [math.pi / 2 - 2 * math.pi * i / n for i in range(n)]
        self.title = f"<title>{escape(title)}</title>" if title else ""
        parts: list[str] = []
        grid = []
        for frac in (0.25, 0.5, 0.75, 1.0):
            pts = self._pts([frac * vmax] * n)
            grid.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + " Z")
        for a in self.angles:
            grid.append(f"M{self.CX:g} {self.CY:g} L{self.CX + self.R * math.cos(a):.1f} "
                        f"{self.CY - self.R * math.sin(a):.1f}")
        parts.append(f'<path d="{" ".join(grid)}" fill="none" stroke="{LIGHT}" stroke-width="0.7"/>')
        for a, label in zip(self.angles, labels):
            c, s = math.cos(a), math.sin(a)
            x, y = self.CX + (self.R + 10) * c, self.CY - (self.R + 10) * s
            anchor = "start" if c > 0.3 else ("end" if c < -0.3 else "middle")
            if abs(c) <= 0.3:
                y += -5 if s > 0 else 6
            parts.append(_text(_short(label, 9), x, y, 11.5, anchor))
        ref = [0.0 if v is None else float(v) for v in reference]
        parts.append(f'<polygon points="{_fmt_pts(self._pts(ref))}" fill="none" stroke="{GREY}" '
                     f'stroke-width="1.2" stroke-dasharray="4 3"/>')
        self.static = "".join(parts)
        # the legend is drawn once, outside (HTML): ``legend_html``; SVG text is costly in WeasyPrint
        self.legend = ""
        self.value_name, self.reference_name = value_name, reference_name

    def legend_html(self) -> str:
        """Legend for the figure caption: two small line samples and the names (escaped)."""
        from html import escape

        solid = (f'<svg class="key" viewBox="0 0 20 6" width="20" height="6" xmlns="http://www.w3.org/2000/svg">'
                 f'<line x1="0" y1="3" x2="20" y2="3" stroke="{NAVY}" stroke-width="2"/></svg>')
        dashed = (f'<svg class="key" viewBox="0 0 20 6" width="20" height="6" xmlns="http://www.w3.org/2000/svg">'
                  f'<line x1="0" y1="3" x2="20" y2="3" stroke="{GREY}" stroke-width="1.5" stroke-dasharray="4 3"/></svg>')
        return f"{solid} {escape(self.value_name)}　{dashed} {escape(self.reference_name)}"

    def _pts(self, values):
        out = []
        for a, v in zip(self.angles, values):
            r = self.R * max(0.0, min(float(v), self.vmax)) / self.vmax
            out.append((self.CX + r * math.cos(a), self.CY - r * math.sin(a)))
        return out

    def svg(self, values: Sequence[float | None], uid: str = "radar") -> str:
        vals = [0.0 if v is None else float(v) for v in values]
        pts = self._pts(vals)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" id="{uid}" role="img" '
                f'viewBox="0 0 {self.W:g} {self.H:g}" width="{self.W:g}" height="{self.H:g}" '
                f'font-family="{SVG_FONT_STACK}">{self.title}'
                f'{self.static}<polygon points="{_fmt_pts(pts)}" fill="{BLUE}" fill-opacity="0.2" '
                f'stroke="{NAVY}" stroke-width="1.8" stroke-linejoin="round"/>{self.legend}</svg>')


def value_ranges(rows: Sequence[tuple[str, float, float, float, float]], *, title: str | None = None,
                 xlabel: str = "", uid: str = "values") -> str:
    """Horizontal value ranges (P10-P90 bar, dot at P50, red tick at the mean), in the order given (highest
    mean first); a vertical line at zero. Plain SVG, the frame of :func:`rank_intervals`."""
    values = [v for r in rows for v in r[1:]] + [0.0]
    lo, hi = min(values), max(values)
    pad = 0.05 * (hi - lo) if hi > lo else 1.0
    ticks = nice_ticks(lo - pad, hi + pad)
    lo, limit = min(ticks[0], lo - pad), max(ticks[-1], hi + pad)

    def row(i: int, y: float, x) -> list[str]:
        _label, p10, p50, p90, mean = rows[i]
        return [_interval_bar(x(p10), x(p90), y, NAVY), f'<circle cx="{x(p50):.1f}" cy="{y:.1f}" r="1.8" fill="{NAVY}"/>',
                f'<path d="M{x(mean):.1f} {y - 3.5:.1f}v7" stroke="#c0504d" stroke-width="1.4"/>']

    def zero(x, top: float, bottom: float) -> list[str]:
        return [f'<path d="M{x(0.0):.1f} {top:g}V{bottom:.1f}" stroke="{GREY}" stroke-width="0.8"/>']

    return _row_chart([_short(r[0], 20) for r in rows], lo, limit, ticks, row, tick_text=lambda t: f"{t:,.6g}",
                      xlabel=xlabel, uid=uid, title=title, extra=zero)


def nice_ticks(lo: float, hi: float, most: int = 8) -> list[float]:
    """Round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi], at most *most* + 1 of them."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return [lo]
    raw = span / most
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + k * step, 10) for k in range(int(math.floor((hi - first) / step + 1e-9)) + 1)]


def tornado(rows: Sequence[tuple[str, float, float]], base: float, *, title: str | None = None,
            xlabel: str = "", uid: str = "tornado", legend: tuple[str, str] = ("低值", "高值")) -> str:
    """A tornado chart: for each input (widest swing at the top) a bar from the value at its low end (red) to the
    value at its high end (blue), around the base value (every input at its mode; the dark line).

    Drawn as plain SVG (a millisecond, where a matplotlib figure takes a tenth of a second: a report has one per
    profiled project). Text inherits the document's font.
    """
    from html import escape

    k = len(rows)
    label_w, plot_w, row_h, top, axis_h = 150.0, 430.0, 22.0, 6.0, 46.0
    values = [base] + [v for _label, lo, hi in rows for v in (lo, hi)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.04 or max(abs(base), 1.0) * 0.1
    ticks = nice_ticks(lo - pad, hi + pad)
    x0, x1 = min(ticks[0], lo - pad), max(ticks[-1], hi + pad)

    def x(v: float) -> float:
        return label_w + plot_w * (v - x0) / (x1 - x0)

    height = top + row_h * k + axis_h
    width = label_w + plot_w + 10
    parts = [f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
             f'xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(uid)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    bottom = top + row_h * k
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{top:g}" x2="{x(t):.1f}" y2="{bottom:g}" stroke="{LIGHT}" '
                     f'stroke-width="0.6"/><text x="{x(t):.1f}" y="{bottom + 13:g}" font-size="9" '
                     f'text-anchor="middle" fill="{INK}">{t:g}</text>')
    for i, (label, low, high) in enumerate(rows):
        y = top + row_h * i + 4
        for v, colour in ((low, "#c0504d"), (high, NAVY)):
            a, b = sorted((x(base), x(v)))
            parts.append(f'<rect x="{a:.1f}" y="{y:.1f}" width="{max(b - a, 0.5):.1f}" height="{row_h - 8:g}" '
                         f'fill="{colour}" fill-opacity="0.85"/>')
        parts.append(f'<text x="{label_w - 6:g}" y="{y + row_h / 2 - 0.5:.1f}" font-size="10" text-anchor="end" '
                     f'fill="{INK}">{escape(_short(label, 18))}</text>')
    parts.append(f'<line x1="{x(base):.1f}" y1="{top - 2:g}" x2="{x(base):.1f}" y2="{bottom + 2:g}" stroke="{INK}" '
                 f'stroke-width="1"/>')
    parts.append(f'<line x1="{label_w:g}" y1="{bottom:g}" x2="{label_w + plot_w:g}" y2="{bottom:g}" stroke="{GREY}" '
                 f'stroke-width="0.8"/>')
    parts.append(f'<text x="{label_w + plot_w / 2:g}" y="{bottom + 28:g}" font-size="9.5" text-anchor="middle" '
                 f'fill="{INK}">{escape(xlabel)}</text>')
    lx = label_w + plot_w - 120
    for j, (name, colour) in enumerate(zip(legend, ("#c0504d", NAVY))):
        parts.append(f'<rect x="{lx + 60 * j:g}" y="{bottom + 34:g}" width="10" height="8" fill="{colour}"/>'
                     f'<text x="{lx + 60 * j + 14:g}" y="{bottom + 41.5:g}" font-size="9" fill="{INK}">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
