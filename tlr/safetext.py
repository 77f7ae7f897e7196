"""Text safety: which characters imported text may hold, safe ids, and showing any text safely.

Two policies for imported text (see docs/campaign.md, "Safe text"):

- **line** (ids, names, institutions, industries, list items, answer fields): no control
  character at all (not even tab or line break), no bidirectional control, no invisible
  format character (zero-width space/joiner, soft hyphen, BOM, tags ...), no lone
  surrogate or Unicode noncharacter. An invisible character inside an institution name
  would make ``清华大学`` and ``清华<ZWJ>大学`` different strings, so a conflict of
  interest would go unnoticed; in these fields it is refused even where it is harmless
  to the eye (e.g. a zero-width joiner inside Chinese text).
- **free** (summaries, comments, evidence, other columns): tab and line breaks
  (``\\n``, ``\\r``, U+2028/U+2029) are allowed, and so are the zero-width joiner and
  non-joiner and the soft hyphen, which only shape glyphs (emoji sequences, Persian,
  Indic scripts, hyphenation) and are never matched against anything. Everything
  else refused by *line* is refused here too, above all the bidirectional overrides,
  embeddings and isolates (U+202A-U+202E, U+2066-U+2069), which can make text read
  differently from what it is.

:func:`terminal_safe` shows any text (also old ledger text) without letting it drive
the terminal: control, bidi and invisible characters become visible escapes such as
``\\x1b`` or ``\\u202e``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ID_MAX = 64
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
FREE_TEXT_FORMAT_OK = "\u00ad\u200c\u200d"  # soft hyphen, zero-width non-joiner, zero-width joiner
LINE_BREAKS = "\n\r\u2028\u2029"


@lru_cache(maxsize=None)
def _format_codepoints() -> tuple[int, ...]:
    """Every format character (Unicode category Cf): invisible, most of them able to spoof.

    Format characters live in planes 0, 1 and 14 only; scanning just those keeps this quick.
    """
    planes = (*range(0x20000), *range(0xE0000, 0xE1000))
    return tuple(cp for cp in planes if unicodedata.category(chr(cp)) == "Cf")


def _char_class(codepoints) -> str:
    """A regex character-class body matching exactly ``codepoints`` (sorted), as ranges."""
    parts: list[str] = []
    start = prev = None
    for cp in codepoints:
        if start is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            parts.append(_span(start, prev))
        start = prev = cp
    if start is not None:
        parts.append(_span(start, prev))
    return "".join(parts)


def _span(a: int, b: int) -> str:
    return re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"


_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{re.escape(chr(plane * 0x10000 + 0xFFFE))}{re.escape(chr(plane * 0x10000 + 0xFFFF))}" for plane in range(17))
_SURROGATES = "\ud800-\udfff"
_CONTROLS = {"line": "\x00-\x1f\x7f-\x9f\u2028\u2029",        # no control character at all
             "free": "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f",   # tab, \n, \r, U+2028/9 allowed
             "terminal": "\x00-\x1f\x7f-\x9f\u2028\u2029",
             "terminal_lines": "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"}  # tab and \n kept


@lru_cache(maxsize=None)
def _bad(policy: str) -> re.Pattern[str]:
    """Characters refused (``line``/``free``) or escaped (``terminal``/``terminal_lines``)."""
    formats = _format_codepoints()
    if policy == "free":
        formats = tuple(cp for cp in formats if chr(cp) not in FREE_TEXT_FORMAT_OK)
    return re.compile(f"[{_CONTROLS[policy]}{_char_class(formats)}{_SURROGATES}{_NONCHARACTERS}]")


def bad_characters(policy: str) -> re.Pattern[str]:
    """The compiled pattern of characters refused by ``policy`` (``line`` or ``free``)."""
    if policy not in ("line", "free"):
        raise ValueError(policy)
    return _bad(policy)


def escape_char(ch: str) -> str:
    """``\\x1b``, ``\\u202e``, ``\\U000e0041``: a visible spelling of one character."""
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def describe_char(ch: str) -> str:
    """What kind of forbidden character ``ch`` is, bilingual, with its code point."""
    cp = ord(ch)
    name = unicodedata.name(ch, "")
    code = f"U+{cp:04X}" + (f" {name}" if name else "")
    if ch in "\t" or ch in LINE_BREAKS:
        return f"换行或制表符 {code}（此列只能有一行）/ line break or tab {code} (this column must be one line)"
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return f"控制字符 {code} / control character {code}"
    if cp in BIDI_CONTROLS:
        return (f"双向文本控制字符 {code}（可改变文字显示顺序）/ bidirectional control character {code} "
                f"(can change the order text is shown in)")
    if 0xD800 <= cp <= 0xDFFF:
        return f"孤立代理码位 {code}（无效 Unicode）/ lone surrogate {code} (invalid Unicode)"
    if unicodedata.category(ch) == "Cf":
        return f"不可见格式字符 {code} / invisible format character {code}"
    return f"Unicode 非字符 {code} / Unicode noncharacter {code}"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be imported (bilingual, with the character and its position), or None.

    ``multiline``: the *free* policy (summaries, comments); otherwise the *line* policy.
    """
    match = _bad("free" if multiline else "line").search(text)
    if match is None:
        return None
    pos = match.start()
    return (f"{describe_char(match.group())}，位于第 {pos + 1} 个字符 / at character {pos + 1}: "
            f"{shown(text, pos)} — 请删除该字符 / remove that character")


def shown(text: str, pos: int = 0, width: int = 40) -> str:
    """An escaped excerpt of ``text`` around ``pos`` (for messages)."""
    lo = max(0, pos - width // 2)
    piece = text[lo: lo + width]
    return ("…" if lo else "") + "'" + terminal_safe(piece) + "'" + ("…" if lo + width < len(text) else "")


def id_problem(text: str) -> str | None:
    """Why ``text`` is not a safe id, or None. Ids: ``[A-Za-z0-9][A-Za-z0-9._-]*``, at most 64, no ``..``."""
    if len(text) > ID_MAX:
        return f"编号最长 {ID_MAX} 个字符 / an id has at most {ID_MAX} characters (this one has {len(text)})"
    if not ID_RE.match(text) or ".." in text:
        return (f"编号 {shown(text)} 含不允许的字符 / id {shown(text)} has characters that are not allowed — "
                f"编号只能用英文字母、数字和 . _ -，以字母或数字开头，不含 '..' / ids use letters A-Z a-z, "
                f"digits and . _ - only, start with a letter or digit, no '..'")
    return None


def terminal_safe(text: object, *, newlines: bool = False) -> str:
    """``text`` as a string that cannot drive a terminal: control, bidi and invisible characters escaped.

    ``newlines``: keep tab and line feed (multi-line text such as a summary); a carriage return,
    which could overwrite what the line showed, is always escaped.
    """
    text = "" if text is None else str(text)
    return _bad("terminal_lines" if newlines else "terminal").sub(lambda m: escape_char(m.group()), text)


XLSX_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SURROGATES}\ufffe\uffff]")
"""Characters an XLSX cell cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE`` plus what XML forbids)."""


def xlsx_clean(value: object) -> object:
    """A text cell with every character XLSX cannot hold replaced by U+FFFD; other values unchanged."""
    if isinstance(value, str):
        return XLSX_ILLEGAL.sub("\ufffd", value)
    return value
