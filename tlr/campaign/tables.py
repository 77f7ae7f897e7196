"""Reading tabular input files (CSV, XLSX, JSON) and refusing hostile or careless input.

:func:`read_table` returns a :class:`Table` of rows as ``{header: text}`` with the row
number a user sees in Excel (header = row 1; the item number in JSON) and the detected
encoding, so every problem can be reported as ``file: row N: column (header)``.
:func:`open_table` does the same without holding a CSV file: :meth:`Table.stream` reads it
again, in chunks, for each pass (the importers check in one pass and write in a second).

Every reader refuses, listing each problem with its row and column (exit code 2):

- a file that is not a regular file or is over the size cap (:mod:`tlr.inputs`);
- text that is neither UTF-8 (with or without BOM), UTF-16/32 with a BOM, nor GBK/GB18030
  that reads as Chinese, unless ``encoding`` names the encoding (:func:`decode_text`);
- in any header or cell: control characters other than tab and line breaks, bidirectional
  controls, invisible format characters, lone surrogates (:mod:`tlr.safetext`, *free*
  policy; import columns apply the stricter *line* policy), more than 32,767 characters;
  two columns with the same header;
- XLSX: an archive that is a zip bomb or declares a DOCTYPE (:func:`tlr.inputs.check_xlsx`),
  formula cells, error cells (``#N/A`` ...), numbers that are not finite, too many rows or
  cells in a row;
- JSON: ``NaN``/``Infinity``, duplicate keys, an object or nested array where a value is
  expected, nesting deeper than :attr:`tlr.inputs.Limits.max_json_depth`.

JSON booleans become ``true``/``false`` and arrays of strings/numbers are kept as lists
(:meth:`Table.kind`, :meth:`Table.items`), so an importer can refuse them where a
column expects plain text; ``null`` is an empty cell.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import math
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterator

from tlr.errors import Diagnostic, InputFileError, Location, ValidationError
from tlr.inputs import Limits, check_xlsx, open_input, read_input
from tlr.safetext import bad_characters, shown, terminal_safe, text_problem

CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "iso2022_cn"}
CELL_MAX = 32_767          # characters in one cell (Excel's limit)
MAX_PROBLEMS = 100         # listed before a reader gives up on a file


@dataclass
class Table:
    file: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as shown in Excel / item number in JSON, values)
    encoding: str | None = None
    kind: str = "csv"
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    special: dict[tuple[int, str], Any] = field(default_factory=dict)  # JSON/XLSX cells that are not text
    _source: Callable[[bool], Iterator[tuple[int, dict[str, str]]]] | None = field(default=None, repr=False)
    _values: Callable[[list[str | None], bool], Iterator[tuple[int, list[str]]]] | None = field(default=None,
                                                                                             repr=False)

    def stream(self, checked: bool = True) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows in file order: read again from the file for a streamed CSV (see :func:`open_table`),
        else from :attr:`rows`. ``checked=False`` skips the per-cell text checks of a streamed pass
        (for a second pass over a file already checked whose :attr:`sha256` is compared after)."""
        return self._source(checked) if self._source is not None else iter(self.rows)

    def stream_values(self, headers: list[str | None], checked: bool = True) -> Iterator[tuple[int, list[str]]]:
        """As :meth:`stream`, each row given as the values of ``headers`` (``""`` for a header the file lacks
        or None): a CSV file is then read without building a dict per row."""
        if self._source is not None and self._values is not None:
            return self._values(headers, checked)
        return ([number, [values.get(h, "") if h else "" for h in headers]] for number, values in self.stream(checked))

    @property
    def row_label(self) -> str:
        return "item" if self.kind == "json" else "row"

    def kind_of(self, number: int, header: str) -> str:
        """``text`` (also numbers), ``boolean`` or ``array`` (JSON list of strings/numbers)."""
        value = self.special.get((number, header))
        if value is None:
            return "text"
        return "boolean" if isinstance(value, bool) else "array"

    def items(self, number: int, header: str) -> list[str] | None:
        """The items of a JSON array cell (``None`` for any other cell)."""
        value = self.special.get((number, header))
        return value if isinstance(value, list) else None

    def where(self, number: int, header: str) -> Location:
        """The location of a cell: ``row N: C (header)`` (``item N: key`` in JSON)."""
        return _cell_location(self.file, self.kind, number, header, self.headers)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell_location(file: str, kind: str, number: int, header: str, headers: list[str],
                   index: int | None = None) -> Location:
    label = terminal_safe(header)
    if kind == "json":
        return Location(file=file, row=number, field=label)
    if index is None:
        try:
            index = headers.index(header) + 1
        except ValueError:
            index = 0
    letter = column_letter(index) if index else "?"
    return Location(file=file, row=number, field=f"{letter} ({label})" if label else letter)


# --------------------------------------------------------------------------- encodings

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SAVE_AS_UTF8 = "在 Excel 中另存为“CSV UTF-8” / save it from Excel as 'CSV UTF-8'"


def decode_csv_bytes(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding name shown to the user). See :func:`decode_text`."""
    return decode_text(data, file, encoding)


def decode_text(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding name shown to the user).

    With ``encoding`` the bytes are decoded strictly with it. Otherwise accepted are: a BOM
    (UTF-8, UTF-16, UTF-32), strict UTF-8, and GBK/GB18030 (decoded as GB18030, the superset
    Excel's "CSV" uses in China) only when the text reads as Chinese (:func:`reads_as_chinese`)
    and charset-normalizer agrees. Anything else is refused with the best guess and a sample
    line as it would be stored, asking for ``--encoding NAME``.
    """
    if encoding:
        return _decode_as(data, file, encoding)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _strict(data, file, codec, label)
    head = data[:4096]
    if head and head.count(b"\x00") * 10 >= len(head):
        raise InputFileError("文件像是没有 BOM 的 UTF-16/UTF-32 / the file looks like UTF-16 or UTF-32 without a BOM",
                             location=Location(file=file), code="unknown_encoding",
                             hint="用 --encoding utf-16-le（或 utf-16-be）指定，或" + _SAVE_AS_UTF8.replace(
                                 " / ", " / give --encoding utf-16-le (or utf-16-be), or "))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        bad_line = data[:exc.start].count(b"\n") + 1
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and reads_as_chinese(text) and _detector_agrees(results):
        return text, "GB18030"
    guesses = _guesses(data, results)
    if guesses:
        line_no = guesses[0][1]
        zh = "，".join(f"按 {enc} 为 {sample}" for enc, _n, sample in guesses)
        en = "; ".join(f"as {enc}: {sample}" for enc, _n, sample in guesses)
        said = (f"第 {line_no} 行{zh} / line {line_no} {en}", guesses[0][0])
    else:
        said = ("无法猜出编码 / no encoding fits", "NAME")
    raise InputFileError(f"无法确定文件的文字编码：不是 UTF-8（第 {bad_line} 行起），也不是可确认的 GBK 中文 / cannot tell "
                         f"the file's text encoding: not UTF-8 (from line {bad_line}) and not recognisably Chinese GBK; "
                         f"{said[0]}", location=Location(file=file),
                         hint=f"选显示正确的编码，加 --encoding {said[1]}；或{_SAVE_AS_UTF8.split(' / ')[0]} / add "
                              f"--encoding with the one that reads right (e.g. --encoding {said[1]}), or save the file "
                              f"from Excel as 'CSV UTF-8'", code="unknown_encoding")


def _guesses(data: bytes, results, most: int = 3) -> list[tuple[str, int, str]]:
    """Up to ``most`` of charset-normalizer's candidates that read the first non-ASCII line differently:
    (encoding, line number, the line as it would be stored)."""
    out: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for match in results:
        line_no, sample = _sample_line(data, match.encoding)
        if sample in seen:
            continue
        seen.add(sample)
        out.append((match.encoding, line_no, sample))
        if len(out) >= most:
            break
    return out


def _decode_as(data: bytes, file: str, encoding: str) -> tuple[str, str]:
    codec, label = _named_codec(data[:3], file, encoding)
    return _strict(data, file, codec, label)


def _named_codec(head: bytes, file: str, encoding: str) -> tuple[str, str]:
    """(codec, label) for ``--encoding NAME``; a UTF-8 BOM is skipped. Unknown names are refused."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputFileError(f"未知编码 / unknown encoding: {terminal_safe(encoding)}", location=Location(file=file),
                             hint="例如 / e.g. utf-8, gb18030, big5, shift_jis, cp1252, latin-1, utf-16",
                             code="usage") from None
    try:
        "".encode(info.name)
        b"".decode(info.name)
    except Exception:
        raise InputFileError(f"{terminal_safe(encoding)} 不是文字编码 / is not a text encoding",
                             location=Location(file=file), code="usage") from None
    codec = info.name
    if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    return codec, info.name.upper()


def _strict(data: bytes, file: str, codec: str, label: str) -> tuple[str, str]:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as exc:
        # exc.object, not data: with utf-8-sig it is the text after the BOM
        line = exc.object[:exc.start].decode(codec, errors="replace").count("\n") + 1
        raise _invalid_bytes(file, label, line, exc.object[exc.start:exc.end]) from None


def _invalid_bytes(file: str, label: str, line: int, bad: bytes) -> InputFileError:
    return InputFileError(f"文件不是有效的 {label}（第 {line} 行有无效字节 {bad.hex(' ')}）/ the "
                          f"file is not valid {label} (invalid bytes on line {line})",
                          location=Location(file=file, line=line), hint="用 --encoding NAME 指定正确的编码，或"
                          + _SAVE_AS_UTF8.replace(" / ", " / give the right --encoding NAME, or "),
                          code="unknown_encoding")


def _is_chinese_char(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF or 0xF900 <= cp <= 0xFAFF
            or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF or ch in "“”‘’—…·")


def reads_as_chinese(text: str, sample: int = 50_000) -> bool:
    """Whether GB18030-decoded text reads as Chinese rather than as other bytes misread.

    Of the non-ASCII characters (up to ``sample``): at least 60 % are Chinese characters or
    CJK punctuation, at least 80 % are in GB2312 or CJK punctuation (the common characters:
    text in Big5, Shift-JIS or a Latin code page read as GBK lands mostly outside it), and
    none is in a private-use area (where GB18030 puts byte pairs no real text uses).
    """
    chars: list[str] = []
    for match in _NON_ASCII.finditer(text):
        chars.extend(match.group())
        if len(chars) >= sample:
            break
    if not chars:
        return True
    chinese = common = 0
    for ch in chars:
        if unicodedata.category(ch) == "Co":
            return False
        is_chinese = _is_chinese_char(ch)
        chinese += is_chinese
        if is_chinese and not 0x4E00 <= ord(ch) <= 0x9FFF:
            common += 1                  # CJK punctuation and full-width forms (GBK has "—" where GB2312 has "―")
            continue
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    n = len(chars)
    return chinese >= 0.6 * n and common >= 0.8 * n


def _detector_agrees(results) -> bool:
    """charset-normalizer ranks a GB encoding as good as its best guess."""
    matches = list(results)
    if not matches:
        return False
    least = min(m.chaos for m in matches)
    return any(m.encoding.lower().replace("-", "_") in CHINESE_ENCODINGS and m.chaos <= least + 0.05
               for m in matches)


def _sample_line(data: bytes, encoding: str) -> tuple[int, str]:
    """(line number, the first line with a non-ASCII byte as ``encoding`` would store it, escaped)."""
    m = re.search(rb"[^\n]*[\x80-\xff][^\n]*", data[:1_000_000])
    if m is None:
        return 1, "''"
    line = data[m.start():m.end()][:240].decode(encoding, errors="replace").strip()
    return data[:m.start()].count(b"\n") + 1, shown(line, 0, 80)


# --------------------------------------------------------------------------- reading

HEAD_BYTES = 64 * 1024            # read first to tell the format
CHUNK_BYTES = 1024 * 1024         # a streamed CSV is read and decoded this much at a time
DETECT_BYTES = 8 * 1024 * 1024    # a non-UTF-8 file without BOM: the detector sees at most this much


def read_table(path: str | Path, *, sheet: str | None = None, json_key: str | None = None,
               encoding: str | None = None, limits: Limits | None = None) -> Table:
    """Read a CSV, XLSX or JSON file of records, all rows in memory (see the module docs for what is refused)."""
    table = open_table(path, sheet=sheet, json_key=json_key, encoding=encoding, limits=limits)
    if isinstance(table.rows, _Streamed):
        table.rows = list(table.stream())
    return table


def open_table(path: str | Path, *, sheet: str | None = None, json_key: str | None = None,
               encoding: str | None = None, limits: Limits | None = None) -> Table:
    """Open a CSV, XLSX or JSON file of records; iterate its rows with :meth:`Table.stream`.

    A CSV file is *streamed*: only its header is read here; each :meth:`Table.stream` reads the
    file again in chunks of :data:`CHUNK_BYTES` and refuses (at the end of the pass, or at once
    after :data:`MAX_PROBLEMS`) what :func:`read_table` refuses, and sets :attr:`Table.sha256` to the
    SHA-256 of the bytes that pass read. XLSX and JSON files are read into memory as before.
    """
    limits = limits if limits is not None else Limits.from_env()
    file = str(path)
    fh, size = open_input(path, limits)
    with fh:
        head = _read(fh, HEAD_BYTES, file)
    suffix = Path(file).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or head[:4] == b"PK\x03\x04":
        data = read_input(path, limits)
        table = _read_xlsx(data, file, sheet, limits)
        table.sha256 = hashlib.sha256(data).hexdigest()
        return table
    if suffix == ".xls" or head[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        raise InputFileError("不支持旧版 .xls 格式 / the old .xls format is not supported",
                             location=Location(file=file), hint="另存为 .xlsx 或 CSV / save as .xlsx or CSV")
    if suffix != ".json":
        source = _CsvSource(path, file, *_text_codec(path, file, head, size, encoding, limits), limits)
        if source.first_char() not in ("[", "{"):
            return source.table()
    data = read_input(path, limits)
    text, enc = decode_text(data, file, encoding)
    table = _read_json(text, file, json_key, enc, limits)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def _read(fh, n: int, file: str) -> bytes:
    try:
        return fh.read(n)
    except OSError as exc:
        raise InputFileError(f"无法读取文件 / cannot read the file: {exc.strerror}", location=Location(file=file),
                             code="io_error") from None


def _text_codec(path: str | Path, file: str, head: bytes, size: int, encoding: str | None,
                limits: Limits) -> tuple[str, str]:
    """(codec, label) of a text file, decided as :func:`decode_text` decides, without holding the file.

    A file that is not UTF-8 (no BOM, no ``encoding``) goes through :func:`decode_text` whole when it
    is at most :data:`DETECT_BYTES`, else its first :data:`DETECT_BYTES` (cut at a line end) do.
    """
    if encoding:
        return _named_codec(head, file, encoding)
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return codec, label
    sample = head[:4096]
    if sample and sample.count(b"\x00") * 10 >= len(sample):
        decode_text(sample, file)  # raises: UTF-16/32 without a BOM
    bad = _decode_error(path, "utf-8", limits, file)
    if bad is None:
        return "utf-8", "UTF-8"
    if size <= DETECT_BYTES:
        data = read_input(path, limits)
    else:
        fh, _size = open_input(path, limits)
        with fh:
            data = _read(fh, DETECT_BYTES, file)
        data = data[:data.rfind(b"\n") + 1] or data
        if bad[0] >= len(data):
            raise InputFileError(f"文件不是有效的 UTF-8（第 {bad[1]} 行起）/ the file is not valid UTF-8 (from line "
                                 f"{bad[1]})", location=Location(file=file, line=bad[1]), code="unknown_encoding",
                                 hint="用 --encoding NAME 指定正确的编码，或" + _SAVE_AS_UTF8.replace(
                                     " / ", " / give the right --encoding NAME, or "))
    _text, label = decode_text(data, file)  # GB18030 that reads as Chinese, or refused with the usual message
    return "gb18030", label


def _decode_error(path: str | Path, codec: str, limits: Limits, file: str) -> tuple[int, int, bytes] | None:
    """``(byte offset, line, the invalid bytes)`` of the first bytes ``codec`` cannot decode, or None.

    Streams the file; lines are counted in the decoded text (as :func:`_strict` counts them).
    """
    decoder = codecs.getincrementaldecoder(codec)("strict")
    done = lines = 0
    fh, _size = open_input(path, limits)
    with fh:
        while True:
            chunk = _read(fh, CHUNK_BYTES, file)
            state = decoder.getstate()
            try:
                lines += decoder.decode(chunk, final=not chunk).count("\n")
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's pending bytes followed by this chunk
                offset = done + len(chunk) - len(exc.object) + exc.start
                before = codecs.getincrementaldecoder(codec)("replace")
                before.setstate((b"", state[1]))
                try:
                    lines += before.decode(exc.object[:exc.start]).count("\n")
                except UnicodeError:  # a UTF-16/32 decoder wanting its BOM first: the count so far stands
                    pass
                return offset, lines + 1, exc.object[exc.start:exc.end]
            except UnicodeError:  # no invalid byte but no BOM where 'utf-16' needs one: the start is wrong
                return done, lines + 1, chunk[:2]
            if not chunk:
                return None
            done += len(chunk)


class _Streamed(list):
    """:attr:`Table.rows` of a streamed table, which holds no rows: use :meth:`Table.stream`."""

    def __iter__(self):
        raise TypeError("a streamed table holds no rows: iterate Table.stream()")

    def __len__(self) -> int:
        raise TypeError("a streamed table holds no rows: iterate Table.stream()")


class _Counter(io.RawIOBase):
    """Reads a file for a streamed pass: hashes the bytes and enforces the size cap as they go."""

    def __init__(self, fh, file: str, cap: int):
        self.fh = fh
        self.file = file
        self.cap = cap
        self.size = 0
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self.fh.readinto(buffer)
        except OSError as exc:
            raise InputFileError(f"无法读取文件 / cannot read the file: {exc.strerror}",
                                 location=Location(file=self.file), code="io_error") from None
        if n:
            self.sha.update(memoryview(buffer)[:n])
            self.size += n
            if self.size > self.cap:
                raise InputFileError(f"文件在读取时变大，超过上限 / the file grew past the size limit while being read "
                                     f"({self.cap // (1024 * 1024)} MB)", location=Location(file=self.file),
                                     code="too_large")
        return n or 0

    def close(self) -> None:
        self.fh.close()
        super().close()


class _CsvSource:
    """A CSV file read in passes: each pass decodes it in chunks and parses it row by row."""

    def __init__(self, path: str | Path, file: str, codec: str, label: str, limits: Limits):
        self.path = path
        self.file = file
        self.codec = codec
        self.label = label
        self.limits = limits
        self.delimiter = ","

    @contextmanager
    def _text(self) -> Iterator[tuple[io.TextIOWrapper, _Counter]]:
        fh, _size = open_input(self.path, self.limits)
        raw = _Counter(fh, self.file, int(self.limits.max_input_mb * 1024 * 1024))
        text = io.TextIOWrapper(io.BufferedReader(raw, CHUNK_BYTES), encoding=self.codec, errors="strict",
                                newline="")
        text._CHUNK_SIZE = CHUNK_BYTES  # bytes decoded at a time (8 KiB by default)
        try:
            yield text, raw
        except UnicodeError:  # an invalid byte, or a 'utf-16' file without a BOM
            bad = _decode_error(self.path, self.codec, self.limits, self.file)
            if bad is None:  # pragma: no cover - the file changed between the two reads
                raise InputFileError("文件在读取时被改动 / the file changed while being read",
                                     location=Location(file=self.file), code="io_error") from None
            raise _invalid_bytes(self.file, self.label, bad[1], bad[2]) from None
        finally:
            text.close()

    def first_char(self) -> str:
        """The first character that is not white space (or a BOM); also chooses the delimiter."""
        with self._text() as (text, _raw):
            head = text.read(4097)
            if head.startswith("\ufeff"):
                head = head[1:]
            head = head[:4096]
            first = head.splitlines()[0] if head.strip() else ""
            self.delimiter = "\t" if first.count("\t") > first.count(",") else ","
            while True:
                stripped = head.lstrip("\ufeff \t\r\n")
                if stripped or not head:
                    return stripped[:1]
                head = text.read(HEAD_BYTES)

    def table(self) -> Table:
        headers: list[str] | None = None
        with self._text() as (text, _raw):
            for _number, record in self._records(text):
                headers = [h.strip() for h in record]
                break
        if headers is None:
            raise InputFileError("文件为空 / the file is empty", location=Location(file=self.file), code="empty")
        table = Table(self.file, headers, _Streamed(), encoding=self.label, kind="csv")
        table._source = lambda checked: self.rows(table, checked)
        table._values = lambda headers, checked: self.rows(table, checked, pick=headers)
        return table

    def _records(self, text: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader(text)
        if reader is None:
            return
        width = self.limits.max_columns
        try:
            for number, record in enumerate(reader, start=1):
                if len(record) > width:  # as for XLSX: Excel's own limit
                    raise self._too_wide(number, width)
                yield number, record
        except csv.Error as exc:
            raise self._malformed(exc, reader) from None

    def _reader(self, text: io.TextIOWrapper) -> Any:
        lines = iter(text)
        first = next(lines, None)
        if first is None:
            return None
        if first.startswith("\ufeff"):
            first = first[1:]
        return csv.reader(itertools.chain([first], lines), delimiter=self.delimiter)

    def _too_wide(self, number: int, width: int) -> InputFileError:
        return InputFileError(f"第 {number} 行超过 {width} 列 / row {number} has more than {width} columns",
                              location=Location(file=self.file, row=number), code="too_large")

    def _malformed(self, exc: csv.Error, reader: Any) -> InputFileError:
        return InputFileError(f"CSV 格式错误 / malformed CSV: {exc}", location=Location(file=self.file,
                                                                                      line=reader.line_num),
                              hint="检查引号是否成对 / check that quotes are paired")

    def rows(self, table: Table, checked: bool = True,
             pick: list[str | None] | None = None) -> Iterator[tuple[int, Any]]:
        """One pass: ``(row number, {header: text})`` per non-blank row, or with ``pick`` ``(row number,
        (text of each header picked, "" for one the file lacks))``; reader problems raised at the end."""
        file = self.file
        problems = _Problems(file)
        headers: list[str] | None = None
        width = 0
        limit = self.limits.max_columns
        get: Any = None
        bad = _FREE_BAD().search
        with self._text() as (text, raw):
            reader = self._reader(text)
            try:
                for number, record in enumerate(reader or (), start=1):
                    if len(record) > limit:  # as for XLSX: Excel's own limit
                        raise self._too_wide(number, limit)
                    if headers is None:
                        headers = [h.strip() for h in record]
                        width = len(headers)
                        problems.headers(headers, "csv")
                        if pick is not None:   # a header the file lacks picks the "" appended to each row
                            at = [headers.index(h) if h and h in headers else -1 for h in pick] + [-1, -1]
                            get = itemgetter(*at)
                        continue
                    cells = [cell.strip() for cell in record]
                    if not any(cells):
                        continue
                    if checked:
                        # every character either policy refuses is one str.isprintable() refuses (control,
                        # format, surrogate, unassigned; tested): a printable row needs no search
                        joined = " ".join(cells)
                        if (not joined.isprintable() and bad(joined) is not None) or len(joined) > CELL_MAX:
                            keys = self._keys(headers, len(cells))
                            problems.row(cells, lambda i, n=number, k=keys: _cell_location(file, "csv", n, k[i],
                                                                                           headers, i + 1))
                    if get is None:
                        yield number, dict(zip(self._keys(headers, len(cells)), cells))
                    else:
                        if len(cells) < width:
                            cells += [""] * (width - len(cells))
                        cells.append("")
                        yield number, get(cells)[:-2]
            except csv.Error as exc:
                raise self._malformed(exc, reader) from None
        if headers is None:
            raise InputFileError("文件为空 / the file is empty", location=Location(file=file), code="empty")
        if headers != table.headers:
            raise InputFileError("文件在读取时被改动 / the file changed while being read", location=Location(file=file),
                                 code="io_error")
        problems.raise_if_any()
        table.sha256 = raw.sha.hexdigest()

    @staticmethod
    def _keys(headers: list[str], n: int) -> list[str]:
        """The keys of a row of ``n`` cells: the headers, then ``#n`` for a cell beyond them."""
        return headers if n == len(headers) else [headers[i] if i < len(headers) else f"#{i + 1}" for i in range(n)]


def _FREE_BAD():
    return bad_characters("free")



class _Problems:
    """Reader-level problems of one file, raised together (at most :data:`MAX_PROBLEMS` listed)."""

    def __init__(self, file: str):
        self.file = file
        self.diags: list[Diagnostic] = []

    def add(self, message: str, location: Location, hint: str | None = None, code: str = "invalid") -> None:
        if len(self.diags) >= MAX_PROBLEMS:
            self.raise_if_any()
        self.diags.append(Diagnostic("error", message, location, hint, code))

    def text(self, value: str, location: Location) -> None:
        problem = text_problem(value, multiline=True)
        if problem:
            self.add(problem, location, code="bad_text")
        elif len(value) > CELL_MAX:
            self.add(f"单元格超过 {CELL_MAX} 个字符（{len(value)}）/ the cell holds more than {CELL_MAX} characters "
                     f"({len(value)}), more than Excel allows", location, code="too_long")

    def row(self, cells: list[str], where) -> None:
        """Check a row's cells; ``where(i)`` gives the location of cell ``i`` (built only for a problem)."""
        if _FREE_BAD().search("\n".join(cells)) is None and sum(map(len, cells)) <= CELL_MAX:
            return                                           # the common case: one regex search per row
        for i, cell in enumerate(cells):
            if cell:
                self.text(cell, where(i))

    def headers(self, headers: list[str], kind: str) -> None:
        seen: dict[str, int] = {}
        for index, header in enumerate(headers, start=1):
            loc = _cell_location(self.file, kind, 1, header, headers, index) if kind != "json" else \
                Location(file=self.file, field=terminal_safe(header))
            self.text(header, loc)
            if header and kind != "json":
                if header in seen:
                    self.add(f"列名“{terminal_safe(header)}”重复（第 {column_letter(seen[header])} 列已有）/ column header "
                             f"'{terminal_safe(header)}' repeats column {column_letter(seen[header])}", loc,
                             hint="每列名称须唯一 / give every column its own header", code="duplicate_header")
                else:
                    seen[header] = index

    def raise_if_any(self) -> None:
        if self.diags:
            n = len(self.diags)
            more = "（仅列出前 {0} 个）/ (first {0} listed)".format(MAX_PROBLEMS) if n >= MAX_PROBLEMS else ""
            raise ValidationError(self.diags, summary=f"{self.file}: {n} 个问题{more}，未导入任何记录 / {n} "
                                                      f"problem(s), nothing imported")


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, file: str, sheet: str | None, limits: Limits) -> Table:
    import warnings

    from openpyxl import load_workbook

    check_xlsx(data, file, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        raise InputFileError(f"不是有效的 XLSX 文件 / not a valid XLSX file ({type(exc).__name__}: "
                             f"{terminal_safe(str(exc))[:200]})", location=Location(file=file), code="bad_xlsx") from None
    try:
        sheets = [ws for ws in wb.worksheets if hasattr(ws, "_worksheet_path")]
        chosen = [ws for ws in sheets if sheet and ws.title == sheet] or sheets[:1]
        if not chosen:
            raise InputFileError("工作簿中没有工作表 / the workbook has no worksheet", location=Location(file=file),
                                 code="empty")
        ws = chosen[0]
        try:
            with wb._archive.open(ws._worksheet_path) as src:
                parser = SheetReader(src, file, ws._shared_strings, getattr(wb, "_date_formats", set()),
                                     getattr(wb, "_timedelta_formats", set()), wb.epoch, limits)
                return _xlsx_table(parser, file)
        except (InputFileError, ValidationError):
            raise
        except Exception as exc:
            raise InputFileError(f"不是有效的 XLSX 文件 / not a valid XLSX file ({type(exc).__name__}: "
                                 f"{terminal_safe(str(exc))[:200]})", location=Location(file=file),
                                 code="bad_xlsx") from None
    finally:
        wb.close()


def _xlsx_table(parser: "SheetReader", file: str) -> Table:
    problems = _Problems(file)
    headers: list[str] | None = None
    rows = []
    special: dict[tuple[int, str], Any] = {}
    for number, cells in parser.rows():
        if headers is None:
            if not cells:
                continue
            width = max(cells)
            for index, value in sorted(cells.items()):
                if isinstance(value, _Refused):
                    problems.add(value.message, Location(file=file, row=number,
                                                         field=f"{column_letter(index)}{number}"), code=value.code)
            headers = [_cell_text(cells.get(i)) if not isinstance(cells.get(i), _Refused) else ""
                       for i in range(1, width + 1)]
            while headers and not headers[-1]:
                headers.pop()
            problems.headers(headers, "xlsx")
            header_row = number
            continue
        values: dict[str, str] = {}
        placed: list[tuple[int, str]] = []
        for index, value in sorted(cells.items()):
            if isinstance(value, _Refused):
                header = headers[index - 1] if index <= len(headers) else ""
                label = terminal_safe(header)
                problems.add(value.message, Location(file=file, row=number, field=f"{column_letter(index)}{number}"
                                                     + (f" ({label})" if label else "")), code=value.code)
                continue
            text = _cell_text(value)
            if index > len(headers) and not text:
                continue
            header = headers[index - 1] if index <= len(headers) and headers[index - 1] else f"#{index}"
            if isinstance(value, bool):
                special[(number, header)] = value
            values[header] = text
            placed.append((index, header))
        problems.row([values[h] for _i, h in placed], lambda k, n=number, p=placed: _cell_location(
            file, "xlsx", n, p[k][1], headers, p[k][0]))
        if not any(values.values()):
            continue
        rows.append((number, values))
    if headers is None:
        problems.raise_if_any()
        raise InputFileError("工作表为空 / the sheet is empty", location=Location(file=file), code="empty")
    problems.raise_if_any()
    table = Table(file, headers, rows, encoding=None, kind="xlsx", special=special)
    if header_row != 1:
        table.notes.append(f"表头在第 {header_row} 行 / the header is on row {header_row}")
    return table


@dataclass(frozen=True)
class _Refused:
    """A cell that cannot be read (formula, error value, not a finite number ...)."""

    message: str
    code: str


@dataclass
class SheetReader:
    """Streams one worksheet's XML with expat: never builds a tree, refuses what a data sheet must not hold.

    Cells become Python values (text, int, float, bool, datetime); formula cells, error cells
    and numbers that are empty or not finite are reported with their address, as are too many
    rows or cells. A DOCTYPE or entity declaration stops the parse.
    """

    source: Any                 # the worksheet XML, a binary file
    file: str
    strings: list[str]          # the workbook's shared strings
    date_formats: set[int]      # style indexes that show a date or a duration
    timedelta_formats: set[int]
    epoch: Any                  # the workbook's day 0 (openpyxl's WINDOWS_EPOCH or MAC_EPOCH)
    limits: Limits

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        """(row number, {column index: value}) for every row present in the sheet, in order."""
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        try:
            parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        except AttributeError:  # pragma: no cover
            pass
        ready: list[tuple[int, dict[int, Any]]] = []
        state = {"row": 0, "col": 0, "cells": None, "cell": None, "text": None, "rows": 0, "total": 0,
                 "in_is": 0, "in_rph": 0}

        def refuse(*_args):
            raise InputFileError("工作表 XML 含 DOCTYPE/实体声明，拒绝读取 / the worksheet XML declares a DOCTYPE or "
                                 "entities; refused for safety", location=Location(file=self.file), code="xml_doctype")

        def start(tag: str, attrs: dict[str, str]) -> None:
            name = tag.rsplit("}", 1)[-1]
            if name == "row":
                r = attrs.get("r")
                state["row"] = _int(r) if r else state["row"] + 1
                state["col"] = 0
                state["cells"] = {}
                state["rows"] += 1
                if state["rows"] > self.limits.max_rows or state["row"] > self.limits.max_rows:
                    raise InputFileError(f"工作表超过 {self.limits.max_rows} 行 / the sheet has more than "
                                         f"{self.limits.max_rows} rows", location=Location(file=self.file),
                                         hint="拆分文件，或设置 TLR_MAX_ROWS / split the file, or raise TLR_MAX_ROWS",
                                         code="too_large")
            elif name == "c" and state["cells"] is not None:
                ref = attrs.get("r")
                col = _column_index(ref) if ref else state["col"] + 1
                state["col"] = col
                state["total"] += 1
                if col > self.limits.max_columns or len(state["cells"]) >= self.limits.max_columns:
                    raise InputFileError(f"第 {state['row']} 行超过 {self.limits.max_columns} 列 / row {state['row']} "
                                         f"has more than {self.limits.max_columns} columns",
                                         location=Location(file=self.file, row=state["row"]), code="too_large")
                if state["total"] > self.limits.max_cells:
                    raise InputFileError(f"工作表超过 {self.limits.max_cells} 个单元格 / the sheet has more than "
                                         f"{self.limits.max_cells} cells", location=Location(file=self.file),
                                         hint="设置 TLR_MAX_CELLS / raise TLR_MAX_CELLS", code="too_large")
                state["cell"] = {"col": col, "t": attrs.get("t", "n"), "s": attrs.get("s"), "v": None, "f": False,
                                 "is": None}
            elif state["cell"] is not None:
                cell = state["cell"]
                if name == "v":
                    state["text"] = []
                elif name == "f":
                    cell["f"] = True
                elif name == "is":
                    state["in_is"] += 1
                    cell["is"] = []
                elif name == "rPh":
                    state["in_rph"] += 1
                elif name == "t" and state["in_is"] and not state["in_rph"]:
                    state["text"] = []

        def end(tag: str) -> None:
            name = tag.rsplit("}", 1)[-1]
            cell = state["cell"]
            if name == "row" and state["cells"] is not None:
                ready.append((state["row"], state["cells"]))
                state["cells"] = None
            elif name == "c" and cell is not None:
                value = self._value(cell, state["row"])
                if value is not None:
                    state["cells"][cell["col"]] = value
                state["cell"] = None
            elif cell is not None:
                if name == "v" and state["text"] is not None:
                    cell["v"] = "".join(state["text"])
                    state["text"] = None
                elif name == "t" and state["text"] is not None and cell["is"] is not None:
                    cell["is"].append("".join(state["text"]))
                    state["text"] = None
                elif name == "is":
                    state["in_is"] -= 1
                elif name == "rPh":
                    state["in_rph"] -= 1

        def chars(data: str) -> None:
            if state["text"] is not None:
                state["text"].append(data)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        while True:
            chunk = self.source.read(256 * 1024)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise InputFileError(f"工作表 XML 格式错误 / the worksheet XML is malformed ({exc})",
                                     location=Location(file=self.file), code="bad_xlsx") from None
            yield from ready
            ready.clear()
            if not chunk:
                break

    def _value(self, cell: dict, row: int) -> Any:
        """The cell's value, ``None`` when empty, or :class:`_Refused` saying why it cannot be read."""
        kind, raw = cell["t"], cell["v"]
        if cell["f"]:
            return _Refused("公式单元格，其值无法确认 / formula cell: its value cannot be trusted — 请复制后“选择性粘贴"
                            "为数值” / copy it and paste as values", "formula_cell")
        if kind == "inlineStr":
            return "".join(cell["is"] or [])
        if kind == "s":
            if raw is None:
                return None
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError, TypeError):
                return _Refused("共享字符串索引无效 / invalid shared-string index", "bad_xlsx")
        if kind == "str":
            return raw
        if kind == "b":
            if raw is None:
                return None
            if raw.strip() not in ("0", "1"):
                return _Refused(f"逻辑值无效 / invalid boolean {shown(raw)}", "bad_xlsx")
            return raw.strip() == "1"
        if kind == "e":
            return _Refused(f"错误值单元格 {shown(raw or '')} / error cell {shown(raw or '')} — 请改为有效的值 / "
                            f"replace it with a valid value", "error_cell")
        if kind == "d":
            return raw
        if raw is None:
            return None                     # <c> without <v>: a formatted but empty cell
        text = raw.strip()
        try:
            value: Any = float(text) if text else math.nan
        except ValueError:
            value = None
        if not text:
            return _Refused("数值单元格没有数值（NaN 或无穷大被写成了空白）/ numeric cell holds no number (NaN or "
                            "infinity written as a blank) — 请填入数字或清空单元格 / enter a number or clear the cell",
                            "bad_number")
        if value is None or not math.isfinite(value):
            return _Refused(f"数值单元格不是有限数字 {shown(raw)} / numeric cell is not a finite number {shown(raw)}",
                            "bad_number")
        if value.is_integer() and not any(c in text for c in ".eE"):
            value = int(text)
        if cell["s"] is not None:
            try:
                style = int(cell["s"])
            except ValueError:
                style = None
            if style in self.date_formats:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(value, self.epoch, timedelta=style in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return _Refused(f"日期超出范围 {shown(raw)} / date out of range {shown(raw)}", "bad_number")
        return value


def _int(text: str) -> int:
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        raise InputFileError(f"工作表 XML 中行号无效 / invalid row number in the worksheet XML: {shown(text)}",
                             code="bad_xlsx") from None


def _column_index(ref: str) -> int:
    letters = ""
    for ch in ref:
        if "A" <= ch <= "Z" or "a" <= ch <= "z":
            letters += ch.upper()
        else:
            break
    if not letters or len(letters) > 3:
        raise InputFileError(f"工作表 XML 中单元格地址无效 / invalid cell address in the worksheet XML: {shown(ref)}",
                             code="bad_xlsx")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------- JSON


class _Bad:
    """A JSON value refused after parsing (NaN, Infinity, a number out of range), kept to report where."""

    def __init__(self, text: str):
        self.text = text


class _Object(dict):
    """A JSON object that remembers its duplicate keys."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _number(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _Bad(text)


def _integer(text: str) -> Any:
    if len(text.lstrip("-")) > 30:
        return _Bad(text)
    return int(text)


def _read_json(text: str, file: str, json_key: str | None, encoding: str, limits: Limits) -> Table:
    text = text.lstrip("\ufeff")
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_Bad, parse_float=_number,
                         parse_int=_integer)
    except RecursionError:
        doc = None
        depth_error = True
    except ValueError as exc:
        raise InputFileError(f"不是有效的 JSON / invalid JSON: {getattr(exc, 'msg', exc)}",
                             location=Location(file=file, line=getattr(exc, "lineno", None),
                                               column=getattr(exc, "colno", None)), code="bad_json") from None
    else:
        depth_error = _too_deep(doc, limits.max_json_depth)
    if depth_error:
        line, col = _deep_position(text, limits.max_json_depth)
        raise InputFileError(f"JSON 嵌套超过 {limits.max_json_depth} 层 / JSON nested deeper than "
                             f"{limits.max_json_depth} levels", location=Location(file=file, line=line, column=col),
                             hint="每项应为一个只含文字、数字或数组的对象 / each item should be an object of text, numbers "
                                  "or arrays", code="bad_json")
    problems = _Problems(file)
    where = Location(file=file)
    if isinstance(doc, _Object):
        if doc.duplicates:
            for key in doc.duplicates:
                problems.add(f"键“{terminal_safe(key)}”重复 / duplicate key '{terminal_safe(key)}'", where,
                             code="duplicate_key")
            problems.raise_if_any()
        candidates = [json_key] if json_key else []
        candidates += [k for k, v in doc.items() if isinstance(v, list)]
        for key in candidates:
            if key and isinstance(doc.get(key), list):
                doc = doc[key]
                break
    if not isinstance(doc, list):
        raise InputFileError("JSON 应为对象数组 / JSON must be a list of objects (or {\"projects\": [...]})",
                             location=where, code="bad_json")
    headers: list[str] = []
    known: set[str] = set()
    rows = []
    special: dict[tuple[int, str], Any] = {}
    for number, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            problems.add(f"第 {number} 项不是对象 / item {number} is not an object", Location(file=file, row=number),
                         code="bad_json")
            continue
        for key in item.duplicates:
            problems.add(f"键“{terminal_safe(key)}”重复 / duplicate key '{terminal_safe(key)}'",
                         Location(file=file, row=number, field=terminal_safe(key)), code="duplicate_key")
        values = {}
        for key, value in item.items():
            loc = Location(file=file, row=number, field=terminal_safe(key))
            if key not in known:
                known.add(key)
                headers.append(key)
                problems.text(key, Location(file=file, field=terminal_safe(key)))
            cell = _json_cell(value, loc, problems)
            if isinstance(cell, (list, bool)):
                special[(number, key)] = cell
                cell = ";".join(cell) if isinstance(cell, list) else _cell_text(cell)
            if cell:
                problems.text(cell, loc)
            values[key] = cell
        rows.append((number, values))
    problems.raise_if_any()
    return Table(file, headers, rows, encoding=encoding, kind="json", special=special)


def _json_cell(value: Any, loc: Location, problems: _Problems) -> Any:
    """A JSON value as cell text, a bool, or a list of item texts; refused values reported."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, str)):
        return _cell_text(value)
    if isinstance(value, _Bad):
        problems.add(f"{shown(value.text)} 不是有限数字 / is not a finite number (NaN, Infinity and overlong numbers are "
                     f"refused)", loc, code="bad_number")
        return ""
    if isinstance(value, dict):
        problems.add("此处应为文字或数字，不能是对象 / expected text or a number here, not an object", loc,
                     code="bad_type")
        return ""
    if isinstance(value, list):
        items = []
        for k, item in enumerate(value, start=1):
            if isinstance(item, bool) or item is None or not isinstance(item, (int, float, str)):
                zh, en = (("对象", "an object") if isinstance(item, dict) else ("数组", "an array")
                          if isinstance(item, list) else ("无效数字", "an invalid number") if isinstance(item, _Bad)
                          else ("true/false/null", "true/false/null"))
                problems.add(f"数组第 {k} 个元素应为文字或数字，不能是{zh} / array element {k} must be text or a "
                             f"number, not {en}", loc, code="bad_type")
                continue
            text = _cell_text(item)
            if text:
                items.append(text)
        return items
    problems.add(f"无法识别的值 / unexpected value {type(value).__name__}", loc, code="bad_type")  # pragma: no cover
    return ""


def _too_deep(doc: Any, limit: int) -> bool:
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _deep_position(text: str, limit: int, budget: int = 5_000_000) -> tuple[int | None, int | None]:
    """(line, column) where the nesting first exceeds ``limit`` (``None`` when not found within ``budget`` chars)."""
    depth = 0
    in_string = escaped = False
    line, line_start = 1, 0
    for pos, ch in enumerate(text[:budget]):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line, pos - line_start + 1
        elif ch in "]}":
            depth -= 1
        if ch == "\n":
            line, line_start = line + 1, pos + 1
    return None, None


def norm_header(text: str) -> str:
    """Header key: NFKC, case-folded, without spaces, '*', '_', '-' and a trailing (...) note."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    for opener in ("(", "（"):
        if opener in text and text.endswith((")", "）")):
            text = text[: text.index(opener)]
    return "".join(ch for ch in text if ch not in " *_-\t\n\r")
