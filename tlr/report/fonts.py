"""The CJK font of the reports: Noto Sans CJK SC (SIL OFL 1.1), subset and shipped in the package.

The file lives in ``tlr/report/fonts/`` and is installed by ``pip install .`` like any package file;
nothing is downloaded at render time. ``tools/make_font_subset.py`` rebuilds it; ``fonts/OFL.txt``
is its licence. WeasyPrint gets it through ``@font-face`` (a ``file:`` URL) and embeds a subset of the
glyphs actually used; matplotlib gets it through ``font_manager.addfont``.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from tlr.errors import Location
from tlr.report.errors import ReportError

FONT_FAMILY = "TLR Noto Sans CJK SC"
FONT_FILE = "TLRNotoSansCJKsc-Regular.otf"
FONT_PS_NAME = "TLRNotoSansCJKsc-Regular"
LICENCE_FILE = "OFL.txt"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"


class MissingGlyphWarning(UserWarning):
    """Text in the data uses characters the report font cannot show."""


def font_path(fonts_dir: Path | None = None) -> Path:
    """The packaged font file; :class:`ReportError` with a fix if it is missing or unreadable."""
    path = (fonts_dir or FONTS_DIR) / FONT_FILE
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        raise ReportError(
            f"报告字体缺失 / report font missing: {path}",
            location=Location(file=str(path)),
            hint="重新安装 tlr（pip install --force-reinstall .）/ reinstall tlr; "
                 "the font ships in tlr/report/fonts/ (rebuild: tools/make_font_subset.py)",
            code="font-missing") from None
    if head not in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
        raise ReportError(f"报告字体文件已损坏 / report font file is not an OpenType font: {path}",
                          location=Location(file=str(path)),
                          hint="重新安装 tlr / reinstall tlr", code="font-invalid")
    return path


@lru_cache(maxsize=4)
def _coverage(path: str) -> frozenset[int]:
    # fontTools, which the font cut imports anyway: matplotlib here cost a report ~0.3 s of imports
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def coverage(fonts_dir: Path | None = None) -> frozenset[int]:
    """Code points the report font has glyphs for."""
    return _coverage(str(font_path(fonts_dir)))


_IGNORED = {0x09, 0x0A, 0x0D}


def missing_chars(text: str, fonts_dir: Path | None = None) -> str:
    """Characters of *text* the font lacks (each once, in order of appearance)."""
    cov = coverage(fonts_dir)
    seen: dict[str, None] = {}
    for ch in text:
        cp = ord(ch)
        if cp not in cov and cp not in _IGNORED and ch not in seen:
            seen[ch] = None
    return "".join(seen)


def check_glyphs(items, fonts_dir: Path | None = None, *, warn: bool = True) -> list[tuple[str, str]]:
    """Warn (never fail) for each ``(owner, text)`` pair whose text has characters the font lacks.

    *items* yields ``(owner, text)`` (owner: e.g. ``"P0001 项目名"``). Returns ``(owner, missing chars)``.
    """
    cov = coverage(fonts_dir)
    found: list[tuple[str, str]] = []
    for owner, text in items:
        if not text or all(ord(c) in cov or ord(c) in _IGNORED for c in text):
            continue
        miss = missing_chars(text, fonts_dir)
        if miss:
            found.append((owner, miss))
            if warn:
                codes = " ".join(f"U+{ord(c):04X}" for c in miss)
                warnings.warn(f"报告字体缺少字符 / report font lacks characters {miss!r} ({codes}) in {owner}; "
                              "they may show as boxes", MissingGlyphWarning, stacklevel=2)
    return found


_MPL_REGISTERED: set[str] = set()


def register_matplotlib(fonts_dir: Path | None = None) -> str:
    """Add the font to matplotlib's font manager (once) and return its family name."""
    path = str(font_path(fonts_dir))
    if path not in _MPL_REGISTERED:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(path)
        _MPL_REGISTERED.add(path)
    return FONT_FAMILY


def font_face_css(fonts_dir: Path | None = None, url: str | None = None) -> str:
    """``@font-face`` rule pointing at the packaged file (for WeasyPrint; browsers use local fallbacks)."""
    url = url or font_path(fonts_dir).as_uri()
    return (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}") format("opentype"); '
            f"font-weight: 100 900; font-style: normal; }}")


# A virtual URL served from memory by the renderer's URL fetcher (never fetched from anywhere).
SUBSET_URL = "file:///tlr-report-font/TLRNotoSansCJKsc-Regular-subset.otf"


def subset_for(chars: set[str] | str, fonts_dir: Path | None = None, flavor: str | None = None) -> bytes:
    """The packaged font cut down to *chars* (plus ASCII), for one document.

    WeasyPrint then subsets a font of a few hundred glyphs instead of 23,000, once per weight:
    seconds faster on a large report and a much smaller PDF. Deterministic for the same characters, and
    cached by glyph set: a second document with the same characters (a re-rendered report, the packs of one
    push) costs nothing.
    """
    return _subset(frozenset(chars), font_path(fonts_dir), flavor)


@lru_cache(maxsize=16)
def _subset(chars: frozenset[str], path: Path, flavor: str | None) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    unicodes = {ord(c) for c in chars} | set(range(0x20, 0x7F)) | {0x2026, 0x2013, 0x2014, 0x00B7, 0x3000}
    opts = subset.Options()
    opts.layout_features = ["kern", "vert", "vrt2", "palt", "halt"]
    # the packaged font carries no hints (tools/make_font_subset.py strips them): asking the subsetter to drop
    # them again only re-parses every kept charstring (a third of the time), for byte-identical output
    opts.hinting = True
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    # the full font's bounding boxes stay valid for any subset; recomputing them is a third of the time
    opts.recalc_bounds = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    # lazy: only the tables and glyphs the cut touches are parsed; same characters -> same bytes
    font = TTFont(str(path), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(unicodes))
    sub.subset(font)
    font.flavor = flavor
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def embedded_font_face_css(chars: set[str] | str, fonts_dir: Path | None = None) -> str:
    """``@font-face`` with the font subset to *chars* inline (``data:`` URL), for the HTML report.

    WOFF (zlib): every browser reads it, and it is cut in half the time of WOFF2, whose brotli pass costs
    about a second per document for 10 % fewer bytes. The HTML then shows the same glyphs on any machine, with
    no network and no installed CJK font.
    """
    import base64

    flavor, mime, fmt = "woff", "font/woff", "woff"
    data = base64.b64encode(subset_for(chars, fonts_dir, flavor=flavor)).decode("ascii")
    return (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("data:{mime};base64,{data}") format("{fmt}"); '
            f"font-weight: 100 900; font-style: normal; }}")
