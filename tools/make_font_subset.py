#!/usr/bin/env python3
"""Rebuild the CJK font shipped in ``tlr/report/fonts/`` from Noto Sans CJK SC (SIL OFL 1.1).

Reproducible: the same source font and fontTools version give the same bytes.

Where the source comes from (no network needed once you have it)::

    pip download --no-deps mplfonts==0.0.11 -d /tmp/fontsrc      # a wheel that carries the OTF
    pip install "fonttools>=4.53"                                 # tool dependency only, not runtime
    python tools/make_font_subset.py /tmp/fontsrc/mplfonts-0.0.11-py3-none-any.whl

The argument is the ``NotoSansCJKsc-Regular.otf`` file itself or a wheel/zip that contains it
(only that member is read: mplfonts also bundles SimHei, which is *not* freely licensed and is
never extracted). ``mplfonts`` is *not* a dependency of tlr.

Character coverage (see ``charset()``): printable ASCII and Latin-1, every character encodable in
GBK (GB2312's 6,763 hanzi and all CJK Unified Ideographs in GBK: ~21,000 hanzi, a superset of the
8,105 characters of 通用规范汉字表 except a few dozen outside the BMP's GBK range), CJK and
fullwidth punctuation, general punctuation, arrows, maths operators, enclosed numbers, geometric
shapes used in the report (■●▲★ …).

The family is renamed "TLR Noto Sans CJK SC" so that it never collides with a system-wide
Noto Sans CJK SC in fontconfig or matplotlib. No Reserved Font Name is used (Noto's licence
reserves none; the Source Han upstream reserves "Source", which the new name does not contain).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

SOURCE_NAME = "NotoSansCJKsc-Regular.otf"
SOURCE_SHA256 = "1652500938055a232cfbfa321de6ebaadfc5635dd9f75e369bc991d14a6512dd"  # Noto Sans CJK SC 1.004
FAMILY = "TLR Noto Sans CJK SC"
PS_NAME = "TLRNotoSansCJKsc-Regular"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tlr" / "report" / "fonts" / "TLRNotoSansCJKsc-Regular.otf"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20BF),  # currency
    (0x2100, 0x214F),  # letterlike (℃ №)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # maths operators (≤ ≥ ± ×)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes
    (0x2600, 0x26FF),  # misc symbols (★ ☆)
    (0x2713, 0x2717),  # check marks
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half/fullwidth forms
]


def charset() -> set[int]:
    cps: set[int] = set()
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        cps.add(cp)
    return cps


def read_source(path: Path) -> bytes:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith("/" + SOURCE_NAME) or n == SOURCE_NAME]
            if not members:
                sys.exit(f"{path}: no {SOURCE_NAME} inside")
            return zf.read(members[0])
    return path.read_bytes()


def rename(font) -> None:
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            name.setName(FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 4:
            name.setName(FAMILY + " Regular", 4, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            name.setName(PS_NAME, 6, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 3:
            name.setName("1.004;TLR;" + PS_NAME + ";subset", 3, rec.platformID, rec.platEncID, rec.langID)
    # localized (e.g. Chinese) family names would still say Noto: drop non-English names 1/4/16/17
    name.names = [r for r in name.names
                  if not (r.nameID in (1, 4, 16, 17) and r.platformID == 3 and r.langID != 0x409)]
    cff = font["CFF "].cff
    top = cff[cff.fontNames[0]]
    cff.fontNames = [PS_NAME]
    top.FullName = FAMILY + " Regular"
    top.FamilyName = FAMILY


def priority() -> list[int]:
    """Code points in the order their glyphs get ids: frequent characters first.

    WeasyPrint (when HarfBuzz-subset is not installed) subsets fonts with fontTools keeping glyph
    ids, so its cost and the embedded size grow with the *highest* glyph id used. Putting Latin,
    punctuation and GB2312 level-1 hanzi (the 3,755 most common characters) first keeps typical
    reports in the first ~4,500 glyphs: about 5x faster PDF output and smaller files.
    """
    first = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100))
    first += list(range(0x3000, 0x3040)) + list(range(0xFF00, 0xFFF0)) + list(range(0x2000, 0x2070))
    level1: list[int] = []
    level2: list[int] = []
    gb_other: list[int] = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            (level1 if 0xB0 <= hi <= 0xD7 else level2 if hi >= 0xD8 else gb_other).append(ord(ch))
    out: dict[int, None] = {}
    for cp in first + gb_other + level1 + level2:
        out.setdefault(cp, None)
    return list(out)


def reorder_glyphs(font) -> None:
    """Renumber glyphs so that :func:`priority` code points come first (.notdef stays 0)."""
    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    new: dict[str, None] = {order[0]: None}
    for cp in priority():
        name = cmap.get(cp)
        if name is not None:
            new.setdefault(name, None)
    for name in order:
        new.setdefault(name, None)
    new_order = list(new)
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs  # fontTools >= 4.53

    top = font["CFF "].cff.topDictIndex[0]
    fd_by_name = None
    if hasattr(top, "FDSelect"):  # CID-keyed: FDSelect is indexed by glyph id and must follow
        fd_by_name = dict(zip(order, list(top.FDSelect.gidArray)))
    reorderGlyphs(font, new_order)  # also re-sorts GSUB/GPOS coverages with their parallel arrays
    if fd_by_name is not None:
        top = font["CFF "].cff.topDictIndex[0]
        top.FDSelect.gidArray = [fd_by_name[n] for n in new_order]


def main(argv: list[str] | None = None) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", type=Path, help=f"{SOURCE_NAME} or a wheel/zip containing it")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    data = read_source(args.source)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"warning: source sha256 {digest} differs from the recorded {SOURCE_SHA256}", file=sys.stderr)
    font = TTFont(io.BytesIO(data))
    opts = subset.Options()
    # Simplified-Chinese forms only: the default cmap is SC; 'locl' would pull in the JP/KR/TC
    # variant glyphs of every character and double the size.
    opts.layout_features = ["kern", "vert", "vrt2", "vkrn", "ccmp", "liga", "calt", "palt", "halt",
                            "frac", "numr", "dnom", "sups", "subs", "fwid", "hwid", "pwid"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.hinting = False
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.recalc_timestamp = False  # reproducible bytes
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(charset()))
    sub.subset(font)
    rename(font)
    reorder_glyphs(font)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    font.save(buf)
    args.out.write_bytes(buf.getvalue())
    check = TTFont(io.BytesIO(buf.getvalue()))
    cmap = check.getBestCmap()
    ref = TTFont(io.BytesIO(data)).getBestCmap()
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    src_glyphs = TTFont(io.BytesIO(data)).getGlyphSet()
    new_glyphs = check.getGlyphSet()
    for cp in [0x41, 0x3002, 0x94A2, 0x4E00, 0x9F99, 0x5F20] + sorted(cmap)[::53]:  # same outline per char
        pa, pb = DecomposingRecordingPen(src_glyphs), DecomposingRecordingPen(new_glyphs)
        src_glyphs[ref[cp]].draw(pa)
        new_glyphs[cmap[cp]].draw(pb)
        assert pa.value == pb.value, f"U+{cp:04X} outline changed"
    print(f"{args.out}: {len(buf.getvalue()) / 1e6:.2f} MB, {len(check.getGlyphOrder())} glyphs, "
          f"{len(cmap)} code points, {sum(1 for c in cmap if 0x4E00 <= c <= 0x9FFF)} CJK unified ideographs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
