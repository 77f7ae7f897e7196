"""Opening user files safely: regular files only, size caps, and XLSX archives checked before parsing.

- :func:`read_input` reads a file the user named: refused at once (exit 2) when it is not a
  regular file (a FIFO is never opened, so it cannot hang; ``/dev/zero`` and directories are
  refused) or larger than :attr:`Limits.max_input_mb`.
- :func:`check_xlsx` looks at an XLSX (zip) archive's directory before any XML parser touches
  it: number of members, total uncompressed size, compression ratio (zip bombs), and every
  member's XML prolog (a DOCTYPE or entity declaration is refused: no entity expansion, no
  external entities).

Limits come from the environment (:meth:`Limits.from_env`), so a site can raise them.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tlr.errors import InputFileError, Location

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one input file (environment variable in brackets)."""

    max_input_mb: float = 512.0         # size of the file on disk [TLR_MAX_INPUT_MB]
    max_xlsx_mb: float = 512.0          # XLSX: total uncompressed size of the archive [TLR_MAX_XLSX_MB]
    max_zip_ratio: float = 200.0        # XLSX: uncompressed / compressed, per member over 1 MB [TLR_MAX_ZIP_RATIO]
    max_zip_members: int = 10_000       # XLSX: files in the archive [TLR_MAX_ZIP_MEMBERS]
    max_rows: int = 1_048_576           # XLSX: rows of the sheet read (Excel's own limit) [TLR_MAX_ROWS]
    max_cells: int = 20_000_000         # XLSX: cells of the sheet read [TLR_MAX_CELLS]
    max_columns: int = 16_384           # XLSX: cells in one row (Excel's own limit)
    max_json_depth: int = 32            # JSON: nesting depth

    ENV = {"max_input_mb": "TLR_MAX_INPUT_MB", "max_xlsx_mb": "TLR_MAX_XLSX_MB",
           "max_zip_ratio": "TLR_MAX_ZIP_RATIO", "max_zip_members": "TLR_MAX_ZIP_MEMBERS",
           "max_rows": "TLR_MAX_ROWS", "max_cells": "TLR_MAX_CELLS"}

    @classmethod
    def from_env(cls) -> "Limits":
        values = {}
        for name, var in cls.ENV.items():
            raw = os.environ.get(var)
            if raw is None or not raw.strip():
                continue
            kind = type(getattr(cls, name))
            try:
                value = kind(float(raw))
            except (ValueError, OverflowError):
                value = None
            if value is None or not value > 0:
                raise InputFileError(f"环境变量 {var}={raw!r} 须为正数 / {var} must be a positive number",
                                     code="usage")
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SizeCap:
    """The most bytes one input file may have, and the environment variable that raises it (for the hint)."""

    limit: int
    env: str             # e.g. TLR_MAX_INPUT_MB
    example: str         # a value of *env* that raises the limit, e.g. 1024


def _limits(limits: Limits | None) -> Limits:
    return limits if limits is not None else Limits.from_env()


def _cap(limits: Limits | None, cap: SizeCap | None) -> SizeCap:
    if cap is not None:
        return cap
    limits = _limits(limits)
    return SizeCap(int(limits.max_input_mb * MB), "TLR_MAX_INPUT_MB", "1024")


def _kind(mode: int) -> tuple[str, str]:
    if stat.S_ISDIR(mode):
        return "目录", "a directory"
    if stat.S_ISFIFO(mode):
        return "命名管道", "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件", "a device"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    return "特殊文件", "a special file"


def _unreadable(file: str, exc: OSError) -> InputFileError:
    return InputFileError(f"无法读取文件 / cannot read the file: {exc.strerror}", location=Location(file=file),
                          code="io_error")


def open_input(path: str | Path, limits: Limits | None = None, *,
               cap: SizeCap | None = None) -> tuple[IO[bytes], int]:
    """Open a user's input file for reading: ``(binary file, size)``.

    Checked with ``os.stat`` before opening, so a FIFO, device or directory is refused at
    once and never opened; the opened file is checked again (``fstat``) in case it was swapped.
    The size cap is *cap*, else :attr:`Limits.max_input_mb`.
    """
    cap = _cap(limits, cap)
    file = str(path)
    if file == "":
        raise InputFileError("文件名为空 / the file name is empty", hint="请给出一个文件 / name a file",
                             code="not_found")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"找不到文件 / file not found: {file}", location=Location(file=file),
                             hint="请检查路径 / check the path", code="not_found") from None
    except OSError as exc:
        raise _unreadable(file, exc) from None
    _check_stat(st, file, cap)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(file, exc) from None
    try:
        st = os.fstat(fd)
        _check_stat(st, file, cap)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def _check_stat(st: os.stat_result, file: str, cap: SizeCap) -> None:
    if not stat.S_ISREG(st.st_mode):
        zh, en = _kind(st.st_mode)
        raise InputFileError(f"不是普通文件，而是{zh}，不能读取 / not a regular file but {en}", location=Location(file=file),
                             hint="请给出一个普通文件 / name an ordinary file", code="not_a_file")
    if st.st_size > cap.limit:
        raise _too_large(file, cap, st.st_size)


def _too_large(file: str, cap: SizeCap, size: int | None) -> InputFileError:
    """*size* None: the file grew past the cap while being read."""
    zh_size = f"超过 {_amount(cap.limit, '字节')}" if size is None else _amount(size, "字节")
    en_size = f"more than {_amount(cap.limit)}" if size is None else _amount(size)
    return InputFileError(f"文件过大（{zh_size}，上限 {_amount(cap.limit, '字节')}）/ file too large: {en_size} "
                          f"(limit {_amount(cap.limit)})", location=Location(file=file),
                          hint=f"拆分文件，或调高环境变量 {cap.env}（例如 {cap.env}={cap.example}）/ split the file, "
                               f"or raise {cap.env} (e.g. {cap.env}={cap.example})", code="too_large")


def _amount(size: int, unit: str = "bytes") -> str:
    return f"{size:,} {unit}" if size < MB else f"{size / MB:,.1f} MB".replace(".0 MB", " MB")


def read_input(path: str | Path, limits: Limits | None = None, *, cap: SizeCap | None = None) -> bytes:
    """The bytes of a user's input file (regular file, within the size cap; see :func:`open_input`)."""
    cap = _cap(limits, cap)
    fh, _size = open_input(path, cap=cap)
    with fh:
        try:
            data = fh.read(cap.limit + 1)
        except OSError as exc:
            raise _unreadable(str(path), exc) from None
    if len(data) > cap.limit:  # grew while being read
        raise _too_large(str(path), cap, None)
    return data


# --------------------------------------------------------------------------- XLSX archives

PROLOG_MAX = 1 * MB
RATIO_FLOOR = 1 * MB   # members smaller than this may compress as well as they like
XML_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "utf-16le", "utf-16be"}
_DECL_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def check_xlsx(source: bytes | str | Path | IO[bytes], file: str, limits: Limits | None = None) -> None:
    """Refuse an XLSX archive that is not a zip, too big unpacked, a zip bomb, or declares a DOCTYPE.

    Only the zip directory is read for the sizes, and only each member's XML prolog for the
    DOCTYPE check, so a bomb is refused within a moment. Raises :class:`InputFileError`.
    Call it before ``openpyxl.load_workbook``.
    """
    limits = _limits(limits)
    fileobj = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputFileError(f"不是有效的 XLSX 文件（zip 格式错误）/ not a valid XLSX file (bad zip: {exc})",
                             location=Location(file=file), code="bad_xlsx") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_members:
            raise _bomb(file, f"含 {len(infos)} 个文件（上限 {limits.max_zip_members}）",
                        f"it holds {len(infos)} files (limit {limits.max_zip_members})", "TLR_MAX_ZIP_MEMBERS")
        total = 0
        cap = int(limits.max_xlsx_mb * MB)
        for info in infos:
            total += info.file_size
            if total > cap:
                raise _bomb(file, f"解压后超过 {limits.max_xlsx_mb:g} MB",
                            f"it unpacks to more than {limits.max_xlsx_mb:g} MB", "TLR_MAX_XLSX_MB")
            if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise _bomb(file, f"{info.filename} 的压缩比为 {ratio:.0f}:1（上限 {limits.max_zip_ratio:g}:1）",
                            f"{info.filename} is compressed {ratio:.0f}:1 (limit {limits.max_zip_ratio:g}:1)",
                            "TLR_MAX_ZIP_RATIO")
        for info in infos:
            if not info.is_dir():
                _check_prolog(zf, info, file)


def _bomb(file: str, zh: str, en: str, var: str) -> InputFileError:
    return InputFileError(f"XLSX 文件疑似压缩炸弹：{zh} / the XLSX file looks like a zip bomb: {en}",
                          location=Location(file=file),
                          hint=f"请另存为普通 XLSX 或 CSV；确需处理可设置 {var} / save it again as a plain XLSX or CSV; "
                               f"raise {var} if the file is genuine", code="xlsx_too_large")


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> None:
    """Refuse a member whose XML prolog has a DOCTYPE (or anything ``<!`` but a comment)."""
    def refuse(zh: str, en: str) -> InputFileError:
        return InputFileError(f"XLSX 中的 XML 部件 {info.filename} {zh}，出于安全原因拒绝读取 / the XML part "
                              f"{info.filename} {en}; refused for safety", location=Location(file=file),
                              hint="请用 Excel/WPS 另存为新的 XLSX / save it again from Excel or WPS as a new XLSX",
                              code="xml_doctype")

    try:
        with zf.open(info) as fh:
            head = fh.read(4)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:2] in (b"<\x00", b"\x00<"):
                encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else (
                    "utf-16-le" if head[:2] == b"<\x00" else "utf-16-be")
            else:
                encoding = "utf-8"
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            text = decoder.decode(head)
            read = len(head)
            pos = 0
            while True:
                while pos < len(text) and text[pos] in " \t\r\n\ufeff":
                    pos += 1
                if len(text) - pos < 9:  # room for "<!DOCTYPE"
                    chunk = fh.read(64 * 1024)
                    read += len(chunk)
                    if chunk:
                        text = text[pos:] + decoder.decode(chunk)
                        pos = 0
                        continue
                if pos >= len(text) or text[pos] != "<":
                    return                                   # not XML, or content begins
                if text.startswith("<?", pos) or text.startswith("<!--", pos):
                    closer = "?>" if text[pos + 1] == "?" else "-->"
                    end = text.find(closer, pos + 2)
                    while end < 0:
                        if read > PROLOG_MAX:
                            raise refuse("的开头过长", "has an over-long prolog")
                        chunk = fh.read(64 * 1024)
                        if not chunk:
                            return                           # unterminated: the parser will refuse it
                        read += len(chunk)
                        text = text[pos:] + decoder.decode(chunk)
                        pos = 0
                        end = text.find(closer, 2)
                    if text.startswith("<?xml", pos):
                        m = _DECL_ENCODING.search(text, pos, end)
                        if m and m.group(1).lower() not in XML_ENCODINGS:
                            raise refuse(f"使用编码 {m.group(1)}", f"declares the encoding {m.group(1)}")
                    pos = end + len(closer)
                    continue
                if text.startswith("<!", pos):
                    raise refuse("含 DOCTYPE/实体声明", "declares a DOCTYPE or entities")
                return                                       # the root element
    except InputFileError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile, encrypted or unsupported members, truncated data ...
        raise InputFileError(f"不是有效的 XLSX 文件（{info.filename} 无法解压）/ not a valid XLSX file "
                             f"({info.filename} cannot be unpacked: {exc})", location=Location(file=file),
                             code="bad_xlsx") from None
