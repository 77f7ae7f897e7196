"""Render a :class:`ReportData` (or a rubric's scoring manual) to HTML and PDF.

One Jinja2 template set (``reports/templates/``, overridable) serves both formats: the HTML is a
single self-contained file (inline CSS, inline SVG, a little plain JavaScript); the PDF is the same
markup laid out by WeasyPrint with print CSS (page numbers, running headers, bookmarks, a table of
contents). Nothing is fetched from the network; files are written only under ``out_dir``.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Sequence

from tlr.errors import Location
from tlr.report.errors import ReportError
from tlr.report.model import ReportData
from tlr.text import tr

Progress = Callable[[str, int, int], None]  # (stage, done, total)

FORMATS = ("html", "pdf")
DEFAULT_TOP = 30  # project profiles when ``top`` is not given
TIER_SECTION_LIMIT = 25  # projects listed per tier section (the full table has them all)
REPORT_TEMPLATE = "report.html.j2"
MANUAL_TEMPLATE = "manual.html.j2"
STAMP_OTHER = {"zh": "AUDIT FAILED", "en": "审计未通过"}  # the stamp shows both languages


# ---------------------------------------------------------------- locations
def default_templates_dir() -> Path:
    """``reports/templates`` of a source checkout, else the copy installed in ``tlr/_data/templates``."""
    import tlr

    package = Path(tlr.__file__).resolve().parent
    checkout = package.parent / "reports" / "templates"
    if (checkout / REPORT_TEMPLATE).is_file():
        return checkout
    return package / "_data" / "templates"


def _templates(templates_dir: str | Path | None, required: str) -> Path:
    root = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    if not root.is_dir():
        raise ReportError(f"模板目录不存在 / template directory not found: {root}",
                          location=Location(file=str(root)),
                          hint="检查 --templates 参数 / check --templates (default: reports/templates)",
                          code="template-missing")
    if not (root / required).is_file():
        raise ReportError(f"模板目录缺少 {required} / template {required} missing in {root}",
                          location=Location(file=str(root / required)),
                          hint="复制 reports/templates 后再修改 / start from a copy of reports/templates",
                          code="template-missing")
    return root.resolve()


def output_path(out_dir: str | Path, name: str) -> Path:
    """``out_dir/name``, refusing a name that is not already a safe file name or that lands outside *out_dir*."""
    from tlr.outputs import join_under, safe_name

    if not isinstance(name, str) or safe_name(name) != name:
        raise ReportError(f"输出文件名无效 / invalid output file name: {name!r}",
                          hint="只用字母、数字、. _ - / letters, digits, . _ - only", code="bad-output")
    return join_under(out_dir, name)


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise ReportError(f"不支持的格式 / unsupported format: {', '.join(bad) or '(none)'}",
                          hint="--format html,pdf", code="bad-format")
    return out


# ---------------------------------------------------------------- no network
def make_url_fetcher(allowed_roots: Sequence[Path], memory: dict[str, bytes] | None = None):
    """A WeasyPrint URL fetcher that serves only ``file:`` URLs under *allowed_roots* (and the in-memory
    resources of *memory*, keyed by URL); it refuses everything else, so rendering never uses the network."""
    roots = [Path(r).resolve() for r in allowed_roots]
    memory = dict(memory or {})

    def local_path(url: str) -> Path:
        from urllib.parse import unquote, urlparse

        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise ReportError(f"渲染时禁止访问网络或外部资源 / refused to fetch {url!r} while rendering",
                              code="network-refused")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path == r or r in path.parents for r in roots):
            raise ReportError(f"拒绝读取模板与字体目录以外的文件 / refused file outside the templates and fonts: {path}",
                              code="file-refused")
        return path

    def mime(path: Path) -> str:
        return {".otf": "font/otf", ".ttf": "font/ttf", ".woff2": "font/woff2", ".css": "text/css",
                ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix.lower(), "application/octet-stream")

    def read(url: str) -> tuple[bytes, str]:
        if url in memory:
            return memory[url], mime(Path(url))
        path = local_path(url)
        return path.read_bytes(), mime(path)

    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # WeasyPrint < 66: plain function fetchers returning dicts
        def fetcher(url: str):
            body, kind = read(url)
            return {"string": body, "mime_type": kind, "redirected_url": url}

        fetcher.local_path = local_path  # type: ignore[attr-defined]
        return fetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint API
            body, kind = read(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

        def open(self, url, data=None, timeout=None):  # never let urllib handlers run
            return self.fetch(url if isinstance(url, str) else url.full_url)

    fetcher = LocalOnlyFetcher()
    fetcher.local_path = local_path  # type: ignore[attr-defined]
    return fetcher


# ---------------------------------------------------------------- formatting helpers
def _num(x, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:,.{nd}f}" if abs(x) >= 10000 else f"{x:.{nd}f}"


def _pct(x, nd: int = 0) -> str:
    if x is None:
        return "—"
    return f"{100 * x:.{nd}f}%"


def _sortval(x) -> str:
    return "" if x is None else (f"{x:.6g}" if isinstance(x, float) else str(x))


def _anchor(index: int) -> str:
    return f"p-{index}"


def _jinja_env(root: Path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(root)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["sortval"] = _sortval
    return env


def _load(env, name: str, root: Path):
    from jinja2 import TemplateError, TemplateNotFound

    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        raise ReportError(f"找不到模板 / template not found: {exc.name} (in {root})",
                          location=Location(file=str(root / str(exc.name))), code="template-missing") from None
    except TemplateError as exc:
        raise ReportError(f"模板有误 / template error: {exc}", location=Location(
            file=getattr(exc, "filename", None) or str(root / name), line=getattr(exc, "lineno", None)),
            code="template-invalid") from None


def _render_template(template, context: dict, root: Path) -> str:
    from jinja2 import TemplateError

    try:
        return template.render(**context)
    except TemplateError as exc:
        raise ReportError(f"模板渲染失败 / template rendering failed: {exc}", location=Location(
            file=getattr(exc, "filename", None) or str(root), line=getattr(exc, "lineno", None)),
            code="template-invalid") from None


# ---------------------------------------------------------------- charts
def _strip_svg(p5: float, p50: float, p95: float, n: int) -> str:
    """A tiny rank-interval strip (no text: the numbers sit next to it in HTML)."""
    n = max(int(n), 2)
    w, h, pad = 300.0, 16.0, 4.0

    def x(r: float) -> float:
        return pad + (w - 2 * pad) * (min(max(r, 1.0), n) - 1) / (n - 1)

    return (f'<svg class="strip" viewBox="0 0 {w:g} {h:g}" width="100%" height="{h:g}" '
            f'xmlns="http://www.w3.org/2000/svg" role="img">'
            f'<line x1="{pad:g}" y1="8" x2="{w - pad:g}" y2="8" stroke="#c8ced6" stroke-width="1"/>'
            f'<line x1="{pad:g}" y1="4" x2="{pad:g}" y2="12" stroke="#8c96a0" stroke-width="1"/>'
            f'<line x1="{w - pad:g}" y1="4" x2="{w - pad:g}" y2="12" stroke="#8c96a0" stroke-width="1"/>'
            f'<rect x="{x(p5):.1f}" y="4" width="{max(x(p95) - x(p5), 1.5):.1f}" height="8" rx="2" '
            f'fill="#2e75b6" fill-opacity="0.35"/>'
            f'<circle cx="{x(p50):.1f}" cy="8" r="3.2" fill="#1f4e79"/></svg>')


def _probbar_svg(probs: dict[str, float], codes: list[str]) -> str:
    """Stacked tier-probability bar with its legend, as one small SVG (cheaper than many HTML boxes)."""
    from tlr.report.charts import tier_colour

    x, parts = 0.0, []
    for i, code in enumerate(codes):
        w = 300.0 * max(0.0, float(probs.get(code, 0.0)))
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="8" fill="{tier_colour(i)}"/>')
            x += w
    return (f'<svg class="probbar" viewBox="0 0 300 8" width="100%" height="8" preserveAspectRatio="none" '
            f'xmlns="http://www.w3.org/2000/svg" role="img">{"".join(parts)}</svg>')


def _charts(data: ReportData, lang: str, s: dict, profiled, progress: Progress | None) -> dict:
    from tlr.report import charts

    summary = data.compute_summary()
    out: dict = {"profiles": {}}
    tier_codes = [t.code for t in data.tiers]
    out["tiers"] = charts.bars([t.code for t in data.tiers], [summary.per_tier.get(c, 0) for c in tier_codes],
                               colours=[charts.tier_colour(i) for i in range(len(tier_codes))],
                               title=s["per_tier"], uid="ch-tier", width=2.6)
    rl = list(summary.per_readiness)
    out["readiness"] = charts.bars(rl, [summary.per_readiness[k] for k in rl], title=s["per_readiness"],
                                   uid="ch-trl", width=3.0, xlabel="TRL")
    inds = [k for k, v in summary.per_industry.items()]
    out["industry"] = charts.bars(inds, [summary.per_industry[k] for k in inds], horizontal=True,
                                  title=s["per_industry"], uid="ch-ind", width=3.0)
    ranked = [p for p in data.ranked() if p.rank is not None and p.rank_interval is not None]
    n_rank = min(len(ranked), 25)
    if n_rank:
        rows = [(p.name, p.rank_interval.p5, p.rank_interval.p50, p.rank_interval.p95) for p in ranked[:n_rank]]
        out["robustness"] = charts.rank_intervals(rows, title=s["robustness_chart"].format(n=n_rank),
                                                  xlabel=s["simulated_rank"], uid="ch-rob",
                                                  excluded=[p.knocked_out for p in ranked[:n_rank]])
        out["robustness_n"] = n_rank
    if data.selection is not None and data.selection.frontier:  # the budget selection's frontier chart
        out["frontier"] = charts.selection_frontier(data.selection, s)
    if data.valuation:  # the valuation chapter (tlr.app.report_valuation)
        out["valuation"] = _valuation_charts(data.valuation, {p.id for _, p in profiled})
    medians = data.medians()
    labels = [tr(d.short or d.label, lang) for d in data.dimensions]
    ref = [medians.get(d.id) for d in data.dimensions]
    n_ranked = sum(1 for p in data.projects if p.rank is not None)
    factory = charts.RadarFactory(labels, ref, value_name=s["this_project"], reference_name=s["cohort_median"],
                                  title=s["radar"]) if len(labels) >= 3 else None
    out["radar_legend"] = factory.legend_html() if factory is not None else ""
    for i, (idx, p) in enumerate(profiled):
        vals = [p.dimension_scores.get(d.id) for d in data.dimensions]
        out["profiles"][p.id] = {
            "radar": factory.svg(vals, uid=f"radar-{idx}") if factory is not None else "",
            "strip": (_strip_svg(p.rank_interval.p5, p.rank_interval.p50, p.rank_interval.p95, n_ranked)
                      if p.rank_interval is not None else ""),
            "probbar": _probbar_svg(p.tier_probabilities, [t.code for t in data.tiers]),
        }
        if progress:
            progress("charts", i + 1, len(profiled))
    return out


def _valuation_charts(section: dict, profiled: set[str]) -> dict:
    from tlr.report import charts

    labels = section["labels"]
    valued = sorted((p for p in section["projects"] if p["rnpv"]), key=lambda p: -p["rnpv"]["mean"])[:25]
    out: dict = {"tornado": {}}
    if valued:
        out["overview"] = charts.value_ranges([(p["name"], p["rnpv"]["p10"], p["rnpv"]["p50"], p["rnpv"]["p90"],
                                                p["rnpv"]["mean"]) for p in valued], title=labels["overview"],
                                              xlabel="万元", uid="ch-val")
    for i, p in enumerate(section["projects"]):
        if p["id"] in profiled and p["tornado"]:
            out["tornado"][p["id"]] = charts.tornado([(t["label"], t["low"], t["high"]) for t in p["tornado"]],
                                                     p["tornado"][0]["base"], title=labels["tornado"],
                                                     xlabel="rNPV（万元）", uid=f"ch-tor-{i}",
                                                     legend=(labels["low_end"], labels["high_end"]))
    return out


# ---------------------------------------------------------------- context
def _font_info() -> dict:
    from tlr.report import fonts

    return {"family": fonts.FONT_FAMILY, "file": fonts.FONT_FILE, "licence": "SIL Open Font License 1.1"}


def build_context(data: ReportData, *, fmt: str, lang: str = "zh", top: int | None = None,
                  progress: Progress | None = None, charts: dict | None = None) -> dict:
    """Everything the report template sees (exposed for custom templates and tests)."""
    from tlr.report.strings import ui

    s = ui(lang)
    ordered = data.ranked()
    n_top = DEFAULT_TOP if top is None else max(0, int(top))
    profiled = list(enumerate(ordered[:n_top], 1))
    anchors = {p.id: _anchor(i) for i, p in profiled}
    if charts is None:
        charts = _charts(data, lang, s, profiled, progress)
    summary = data.compute_summary()
    tiers = {t.code: t for t in data.tiers}
    tier_index = {t.code: i for i, t in enumerate(data.tiers)}
    routes = {r.id: r for r in data.routes}
    dims = {d.id: d for d in data.dimensions}
    by_tier = {t.code: [p for p in ordered if p.tier == t.code] for t in data.tiers}
    top_picks = [p for p in ordered if p.rank is not None and not p.knocked_out][: max(1, min(data.top_k, 15))]

    def t(text) -> str:
        return tr(text, lang)

    def trl_mark(p) -> str:
        """* evidence-based assessment, † assessor-asserted; nothing for the panel's median."""
        return {"assessment": "*", "asserted": "†"}.get(p.readiness_source or "", "")

    medians = data.medians()

    def strengths(p, n: int = 2) -> list[tuple[str, float]]:
        """The *n* dimensions where *p* is furthest above the cohort median: the 'why' of a pick."""
        gaps = []
        for d in data.dimensions:
            v, m = p.dimension_scores.get(d.id), medians.get(d.id)
            if v is not None and m is not None and v > m:
                gaps.append((v - m, tr(d.strength or d.short or d.label, lang)))
        gaps.sort(key=lambda g: (-g[0], g[1]))
        return [(label, gap) for gap, label in gaps[:n]]

    return {
        "fmt": fmt, "lang": lang, "s": s, "t": t, "data": data, "meta": data.meta, "summary": summary,
        "ordered": ordered, "profiled": profiled, "anchors": anchors, "charts": charts,
        "tiers": tiers, "tier_index": tier_index, "routes": routes, "dims": dims, "by_tier": by_tier,
        "trl_mark": trl_mark,
        "tier_limit": TIER_SECTION_LIMIT, "top_picks": top_picks, "medians": medians, "strengths": strengths,
        "k": data.top_k, "font": _font_info(), "font_face_css": _font_face() if fmt == "pdf" else "",
        "n_ranked": summary.n_ranked, "industries": list(summary.per_industry),
        "part": None,
        "stamp": (f"{s['stamp']} / {STAMP_OTHER[lang]}" if data.audit_check is not None
                  and not data.audit_check.verified else ""),
    }


def _font_face() -> str:
    from tlr.report import fonts

    fonts.font_path()  # a clear error now if the font is missing
    return fonts.font_face_css(url=fonts.SUBSET_URL)


def _glyph_check(data: ReportData) -> None:
    from tlr.report import fonts

    def items():
        for p in data.projects:
            owner = f"{p.id} {p.name}"
            yield owner, p.name
            yield owner, p.applicant
            yield owner, p.industry
            if p.summary:
                yield owner, p.summary
            for c in p.comments:
                yield owner, c.text
            for c in p.readiness:
                yield owner, c.name + (c.evidence or "")

    fonts.check_glyphs(items())


# ---------------------------------------------------------------- public API
def render_report(data: ReportData, out_dir: str | Path, formats: Sequence[str] = FORMATS, lang: str = "zh",
                  top: int | None = None, templates_dir: str | Path | None = None, *,
                  basename: str = "report", progress: Progress | None = None,
                  pdf_workers: int | None = None) -> list[Path]:
    """Write ``out_dir/<basename>.html`` and/or ``.pdf``; return the paths written.

    *top*: number of project profiles (default :data:`DEFAULT_TOP`; 0 for none). The ranked table,
    summary, tier sections and appendices always cover every project.
    *progress*: optional ``callback(stage, done, total)``; stages ``charts``, ``html``, ``pdf``.
    *pdf_workers*: processes a large PDF may be laid out in (default: the cores available, at most 4; 1 lays
    it out whole in this process). The PDF is the same either way (:mod:`tlr.report.pdf_parts`).
    """
    if lang not in ("zh", "en"):
        raise ReportError(f"不支持的语言 / unsupported language: {lang!r}", hint="--lang zh|en", code="bad-lang")
    from tlr.outputs import check_folder, make_folder, write_file

    formats = _check_formats(formats)
    targets = {f: output_path(out_dir, f"{basename}.{f}") for f in formats}
    check_folder(out_dir, names=[t.name for t in targets.values()])
    root = _templates(templates_dir, REPORT_TEMPLATE)
    env = _jinja_env(root)
    template = _load(env, REPORT_TEMPLATE, root)
    if "pdf" in formats:
        from tlr.report import fonts

        fonts.font_path()
    _glyph_check(data)
    from tlr.report.strings import ui

    s = ui(lang)
    ordered = data.ranked()
    n_top = DEFAULT_TOP if top is None else max(0, int(top))
    charts = _charts(data, lang, s, list(enumerate(ordered[:n_top], 1)), progress)
    make_folder(out_dir)
    written: list[Path] = []
    for fmt in formats:
        ctx = build_context(data, fmt=fmt, lang=lang, top=top, charts=charts)
        if fmt == "html":
            ctx["font_face_css"] = _HTML_FONT_PLACEHOLDER
            html = _embed_font(_render_template(template, ctx, root))
            write_file(targets["html"], html)
            if progress:
                progress("html", 1, 1)
        else:
            pdf = _report_pdf(template, ctx, root, workers=pdf_workers,
                              bundled=root.resolve() == default_templates_dir().resolve())
            write_file(targets["pdf"], pdf)
            if progress:
                progress("pdf", 1, 1)
        written.append(targets[fmt])
    return written


def _report_pdf(template, ctx: dict, root: Path, *, workers: int | None, bundled: bool) -> bytes:
    """The report's PDF: laid out in parts on several cores when it is large enough to gain (see
    :mod:`tlr.report.pdf_parts`; the bundled templates only), else, or if that fails, whole."""
    from tlr.report import pdf_parts

    cuts = pdf_parts.plan(len(ctx["profiled"]), len(ctx["ordered"]), workers) if bundled else None
    if cuts:
        parts = [_render_template(template, {**ctx, "part": cut}, root) for cut in cuts]
        try:
            return pdf_parts.write_pdf(parts, root)
        except pdf_parts.PartsFailed:
            pass
    return html_to_pdf(_render_template(template, ctx, root), root)


_LEAN_HTML = None


def _lean_html_class():
    """``weasyprint.HTML`` with a leaner user-agent stylesheet (falls back to the stock class).

    The stock stylesheet declares ``::marker`` and five footnote/note pseudo-elements for *every*
    element, so WeasyPrint computes six extra styles per element: about a third of the layout time
    of a large report. The report uses no footnotes, and markers only on ``li``.
    """
    global _LEAN_HTML
    if _LEAN_HTML is not None:
        return _LEAN_HTML
    from weasyprint import CSS, HTML

    cls = HTML
    try:
        from weasyprint import html as wp_html

        ua = wp_html.UA
        lean = re.sub(r"^::(?:footnote|note)-[a-z-]+\s*\{[^}]*\}[ \t]*$", "", ua, flags=re.M)
        lean = re.sub(r"^::marker(\s*\{)", r"li::marker\1", lean, flags=re.M)
        if lean != ua and hasattr(HTML, "_ua_stylesheets"):
            sheet = CSS(string=lean, counter_style=wp_html.UA_COUNTER_STYLE)

            class LeanHTML(HTML):
                def _ua_stylesheets(self, forms=False):  # noqa: D401 - WeasyPrint hook
                    return [sheet]

            cls = LeanHTML
    except Exception:  # pragma: no cover - another WeasyPrint layout: keep the stock class
        cls = HTML
    _LEAN_HTML = cls
    return cls


_HTML_FONT_PLACEHOLDER = "/* tlr: report font */"


def _embed_font(html: str) -> str:
    """Put the report font, cut to this document's characters, inline into the HTML (if asked for)."""
    if _HTML_FONT_PLACEHOLDER not in html:  # a custom template without the hook
        return html
    from tlr.report import fonts

    try:
        css = fonts.embedded_font_face_css(set(html))
    except ReportError:
        css = ""  # no font: the HTML still names the usual system CJK fonts
    return html.replace(_HTML_FONT_PLACEHOLDER, css, 1)


def html_to_pdf(html: str, templates_root: Path, *, font: bytes | None = None) -> bytes:
    """Lay out *html* with WeasyPrint, fetching only the packaged font and template files.

    The HTML refers to the font by :data:`tlr.report.fonts.SUBSET_URL`; it is served from memory as
    the packaged font cut down to the characters of this document (see :func:`fonts.subset_for`), or as
    *font* when given (one subset shared by many small documents: subsetting takes about a second).
    """
    import logging

    from tlr.report import fonts

    try:
        HTML = _lean_html_class()
    except Exception as exc:  # pragma: no cover - depends on system libraries (pango)
        raise ReportError(f"无法加载 WeasyPrint / cannot load WeasyPrint: {exc}",
                          hint="安装 Pango 等系统库 / install Pango (see WeasyPrint's installation docs)",
                          code="weasyprint-missing") from None
    memory = {fonts.SUBSET_URL: font if font is not None else fonts.subset_for(set(html))}
    fetcher = make_url_fetcher([fonts.FONTS_DIR, templates_root], memory)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with _no_cyclic_gc():
        # no name holds the document: it is freed before the collector is back, which then has little to walk
        pdf = HTML(string=html, base_url=templates_root.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    return pdf


@contextmanager
def _no_cyclic_gc():
    """Pause Python's cyclic garbage collector while WeasyPrint lays out a document.

    Layout allocates millions of long-lived objects (a box per element and line, computed styles), so the
    collector keeps triggering and re-walking an ever larger heap for cycles that are not garbage: about a
    fifth of the time of a 1,000-project PDF, for about 6 % more peak memory. Reference counting still frees
    everything else; the collector is back on (if it was on) as soon as the PDF is written.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_manual(rubric, out_dir: str | Path, formats: Sequence[str] = FORMATS, lang: str = "zh",
                  templates_dir: str | Path | None = None, *, basename: str | None = None,
                  progress: Progress | None = None) -> list[Path]:
    """The expert scoring manual of a resolved rubric: every indicator, its scale and anchors, its weight."""
    from tlr.outputs import check_folder, make_folder, safe_name, write_file
    from tlr.report.manual import manual_context

    formats = _check_formats(formats)
    name = basename or safe_name(f"manual-{rubric.id}")
    targets = {f: output_path(out_dir, f"{name}.{f}") for f in formats}
    check_folder(out_dir, names=[t.name for t in targets.values()])
    root = _templates(templates_dir, MANUAL_TEMPLATE)
    env = _jinja_env(root)
    template = _load(env, MANUAL_TEMPLATE, root)
    make_folder(out_dir)
    written: list[Path] = []
    for fmt in formats:
        ctx = manual_context(rubric, fmt=fmt, lang=lang)
        ctx["font_face_css"] = _font_face() if fmt == "pdf" else _HTML_FONT_PLACEHOLDER
        html = _render_template(template, ctx, root)
        content = _embed_font(html) if fmt == "html" else html_to_pdf(html, root)
        write_file(targets[fmt], content)
        if progress:
            progress(fmt, 1, 1)
        written.append(targets[fmt])
    return written
