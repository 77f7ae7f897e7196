"""Reading tabular input files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX and JSON.

:func:`read_table` returns a :class:`Table` of rows as ``{header: text}`` with the row
number a user sees in Excel (header = row 1) and the detected encoding, so every
problem can be reported as ``file: row N: column (header)``.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlr.errors import InputFileError, Location

CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "iso2022_cn"}


@dataclass
class Table:
    file: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as shown in Excel / item number in JSON, values)
    encoding: str | None = None
    kind: str = "csv"
    notes: list[str] = field(default_factory=list)

    @property
    def row_label(self) -> str:
        return "item" if self.kind == "json" else "row"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def decode_csv_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name shown to the user).

    UTF-8 with BOM is recognised by its BOM; otherwise strict UTF-8 is tried, and if
    that fails the encoding is detected with charset-normalizer. A Chinese guess
    (GB2312/GBK/...) is decoded as GB18030, the superset Excel's "CSV" uses in China.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    chosen = None
    for match in results:
        enc = match.encoding.lower().replace("-", "")
        if enc in CHINESE_ENCODINGS or enc.startswith("gb"):
            chosen = "gb18030"
            break
    if chosen is None:
        # Excel in China writes GBK; prefer GB18030 when it decodes the bytes cleanly
        try:
            return data.decode("gb18030"), "GB18030"
        except UnicodeDecodeError:
            best = results.best()
            if best is None:
                raise InputFileError(
                    "无法识别文件编码 / cannot detect the file's text encoding",
                    location=Location(file=file),
                    hint="在 Excel 中另存为“CSV UTF-8” / save it from Excel as 'CSV UTF-8'") from None
            return str(best), best.encoding.upper()
    return data.decode(chosen), "GB18030"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ";".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def read_table(path: str | Path, *, sheet: str | None = None, json_key: str | None = None) -> Table:
    """Read a CSV, XLSX or JSON file of records."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputFileError(f"找不到文件 / file not found: {file}", location=Location(file=file), code="not_found")
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(path, sheet)
    if suffix == ".json" or data.lstrip()[:1] in (b"[", b"{"):
        return _read_json(data, file, json_key)
    if suffix == ".xls":
        raise InputFileError("不支持旧版 .xls 格式 / the old .xls format is not supported",
                             location=Location(file=file), hint="另存为 .xlsx 或 CSV / save as .xlsx or CSV")
    text, encoding = decode_csv_bytes(data, file)
    return _read_csv(text, file, encoding)


def _read_csv(text: str, file: str, encoding: str) -> Table:
    sample = text[:4096]
    delimiter = ","
    first = sample.splitlines()[0] if sample else ""
    if first.count("\t") > first.count(",") and first.count("\t") > 0:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputFileError(f"CSV 格式错误 / malformed CSV: {exc}", location=Location(file=file)) from None
    if not records:
        raise InputFileError("文件为空 / the file is empty", location=Location(file=file), code="empty")
    headers = [h.strip() for h in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {headers[i] if i < len(headers) else f"#{i + 1}": cell.strip() for i, cell in enumerate(record)}
        rows.append((number, values))
    return Table(file, headers, rows, encoding=encoding, kind="csv")


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(f"不是有效的 XLSX 文件 / not a valid XLSX file ({exc})",
                             location=Location(file=file)) from None
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            header_row = next(it)
        except StopIteration:
            raise InputFileError("工作表为空 / the sheet is empty", location=Location(file=file),
                                 code="empty") from None
        headers = [_cell_text(h) for h in header_row]
        while headers and not headers[-1]:
            headers.pop()
        rows = []
        for number, record in enumerate(it, start=2):
            cells = [_cell_text(v) for v in record]
            if not any(cells):
                continue
            values = {(headers[i] if i < len(headers) and headers[i] else f"#{i + 1}"): c
                      for i, c in enumerate(cells) if i < len(headers) or c}
            rows.append((number, values))
    finally:
        wb.close()
    return Table(file, headers, rows, encoding=None, kind="xlsx")


def _read_json(data: bytes, file: str, json_key: str | None) -> Table:
    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        raise InputFileError(f"不是有效的 JSON / invalid JSON: {exc}", location=Location(file=file, line=line,
                                                                                         column=col)) from None
    if isinstance(doc, dict):
        candidates = [json_key] if json_key else []
        candidates += [k for k, v in doc.items() if isinstance(v, list)]
        for key in candidates:
            if key and isinstance(doc.get(key), list):
                doc = doc[key]
                break
    if not isinstance(doc, list):
        raise InputFileError("JSON 应为对象数组 / JSON must be a list of objects (or {\"projects\": [...]})",
                             location=Location(file=file))
    headers: list[str] = []
    rows = []
    for number, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            raise InputFileError(f"第 {number} 项不是对象 / item {number} is not an object",
                                 location=Location(file=file, row=number))
        values = {}
        for key, value in item.items():
            key = str(key)
            if key not in headers:
                headers.append(key)
            values[key] = _cell_text(value)
        rows.append((number, values))
    return Table(file, headers, rows, encoding="UTF-8", kind="json")


def norm_header(text: str) -> str:
    """Header key: NFKC, case-folded, without spaces, '*', '_', '-' and a trailing (...) note."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    for opener in ("(", "（"):
        if opener in text and text.endswith((")", "）")):
            text = text[: text.index(opener)]
    return "".join(ch for ch in text if ch not in " *_-\t\n\r")
