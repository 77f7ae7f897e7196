"""Safe reading of YAML and JSON documents that remembers where every value came from.

Every document the user hands to ``tlr`` (rubrics, scale libraries, readiness ladders,
assessment documents, AHP judgement files) is read here, with the same limits:

* only a regular file is opened (``stat`` first; a FIFO, device or socket is refused
  before it is opened), and at most :func:`max_file_bytes` bytes are read (default
  5 MB; environment variable ``TLR_MAX_FILE_SIZE``, e.g. ``20MB``);
* at most :data:`MAX_NODES` values, :data:`MAX_ALIAS_NODES` values reached through
  YAML aliases (alias bombs are refused after a few milliseconds) and
  :data:`MAX_DEPTH` levels of nesting; recursive aliases are refused;
* numbers must be finite and within ±:data:`MAX_NUMBER` (no NaN, no infinity, no
  5,000-digit integers); text must not contain control characters other than newline
  and tab, nor bidirectional override characters (they break XLSX export and can
  disguise text);
* duplicate keys are errors (PyYAML and ``json`` silently keep one of them).

YAML is composed into nodes (C-accelerated parser, counting composer), then built into
plain Python data while recording the 1-based line and column of every key and value,
so validation errors can point to ``file:line:column``. JSON is strict (no ``NaN`` or
``Infinity``) and located the same way.

Problems with single values are *collected* with their data path
(:attr:`Parsed.problems`), so a caller can report them together with its own checks;
exceeding a limit or a syntax error stops reading at once.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from tlr.errors import Diagnostic, InputFileError, Location, TlrError, ValidationError
from tlr.inputs import SizeCap, read_input

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    from yaml.parser import Parser as _Parser
    from yaml.reader import Reader as _Reader
    from yaml.scanner import Scanner as _Scanner

    class _Parser(_Reader, _Scanner, _Parser):  # type: ignore[no-redef]
        def __init__(self, stream):
            _Reader.__init__(self, stream)
            _Scanner.__init__(self)
            _Parser.__init__(self)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_BYTES_ENV = "TLR_MAX_FILE_SIZE"
MAX_NODES = 100_000        # the largest shipped rubric has ~650 values; a big one a few thousand
MAX_ALIAS_NODES = 10_000   # values reached through aliases (merge keys, shared anchors)
MAX_DEPTH = 100            # nesting levels; a rubric tree of 32 levels needs about 70
MAX_NUMBER = 1e15          # beyond this, floats lose whole units and sums overflow nothing useful
_MAX_NUMBER_CHARS = 40     # longer numerals are refused before conversion (int() is quadratic)

PathKey = tuple[Any, ...]

# C0 controls except tab and newline, DEL and C1 controls, bidi embeddings/overrides/isolates,
# lone surrogates and the non-characters XML (hence XLSX) cannot hold.
_BAD_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------- positions


@dataclass
class Positions:
    """1-based (line, column) of each key and value, by data path (a tuple of keys / indexes)."""

    file: str
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False, field_name: str | None = None) -> Location:
        """Location of *path*: its key (``key=True``) or value, else the nearest ancestor's."""
        path = tuple(path)
        tables = (self.keys, self.values) if key else (self.values, self.keys)
        probe = path
        while True:
            for table in tables:
                if probe in table:
                    line, column = table[probe]
                    return Location(file=self.file, line=line, column=column,
                                    field=field_name if field_name is not None else format_path(path))
            if not probe:
                return Location(file=self.file, field=field_name if field_name is not None else format_path(path))
            probe = probe[:-1]


def format_path(path: PathKey) -> str:
    """``('dimensions', 0, 'children', 2, 'weight')`` -> ``dimensions[0].children[2].weight``."""
    out = ""
    for part in path:
        if isinstance(part, str):
            part = _BAD_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", part)
        if isinstance(part, float) and part.is_integer():
            part = int(part)
            out += ("." if out else "") + str(part)
        elif isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Parsed:
    """A parsed document: its data, where each value was written, and the values that were refused."""

    data: Any
    positions: Positions
    problems: list[tuple[PathKey, Diagnostic]] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for _, d in self.problems]


# --------------------------------------------------------------------------- reading files


def max_file_bytes() -> int:
    """The size limit for input documents: ``TLR_MAX_FILE_SIZE`` (``5MB``, ``512k``, bytes) or 5 MB."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    match = re.fullmatch(r"(?i)(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", raw)
    if not match:
        raise TlrError(f"环境变量 {MAX_BYTES_ENV} 无效 / {MAX_BYTES_ENV} is not a size: {raw!r}",
                       location=Location(field=MAX_BYTES_ENV), hint="e.g. TLR_MAX_FILE_SIZE=20MB", code="usage")
    unit = (match[2] or "b").lower()[:1]
    factor = {"b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit]
    return max(1, int(float(match[1]) * factor))


def read_bytes(path: str | Path, *, max_bytes: int | None = None) -> bytes:
    """Read a regular file of at most *max_bytes* (default :func:`max_file_bytes`); anything else is refused.

    Read through :func:`tlr.inputs.read_input`: a FIFO is never opened (it would block), and a
    device such as ``/dev/zero`` is never read.
    """
    cap = SizeCap(max_file_bytes() if max_bytes is None else max_bytes, MAX_BYTES_ENV, "20MB")
    return read_input(Path(path) if os.fspath(path) else "", cap=cap)  # Path("") would be the current folder


def read_text(path: str | Path, *, max_bytes: int | None = None) -> str:
    """Read a text file as UTF-8 (a BOM is accepted); a file in another encoding is a clear error."""
    return decode_utf8(read_bytes(path, max_bytes=max_bytes), str(path))


def decode_utf8(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = detect_encoding(raw)
        line = raw[: exc.start].count(b"\n") + 1
        detected = f" (detected: {encoding})" if encoding else ""
        hint = (f"re-save it as UTF-8, e.g. `iconv -f {encoding} -t UTF-8`" if encoding
                else "re-save it as UTF-8")
        raise InputFileError(f"文件不是 UTF-8 编码 / file is not UTF-8{detected}",
                             location=Location(file=name, line=line), hint=hint, code="encoding") from None


def detect_encoding(raw: bytes) -> str | None:
    """Best guess of a byte string's encoding (charset-normalizer), normalised to a common name."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        return None
    name = best.encoding.lower().replace("-", "_")
    aliases = {"gb2312": "GBK", "gbk": "GBK", "gb18030": "GB18030", "big5": "Big5", "utf_16": "UTF-16",
               "utf_16_le": "UTF-16LE", "utf_16_be": "UTF-16BE", "cp1252": "Windows-1252",
               "latin_1": "ISO-8859-1", "iso8859_1": "ISO-8859-1", "shift_jis": "Shift_JIS"}
    return aliases.get(name, best.encoding)


def load_document(path: str | Path, *, as_json: bool | None = None) -> tuple[Any, Positions]:
    """Read a YAML or JSON file (JSON for ``.json`` unless *as_json* says) with every limit; raise on any problem."""
    parsed = parse_file(path, as_json=as_json)
    if parsed.problems:
        raise ValidationError(parsed.diagnostics)
    return parsed.data, parsed.positions


def parse_file(path: str | Path, *, as_json: bool | None = None) -> Parsed:
    """Read and parse a YAML or JSON file; value problems are collected, limits and syntax errors raised."""
    text = read_text(path)
    if as_json is None:
        as_json = Path(path).suffix.lower() == ".json"
    return parse_json(str(path), text) if as_json else parse_yaml(str(path), text)


def many(cls: type[TlrError], diagnostics: list[Diagnostic]) -> TlrError:
    """An instance of *cls* that reports every one of *diagnostics* (the first is its message)."""
    sub = _MANY.get(cls)
    if sub is None:
        def _init(self, diags: list[Diagnostic]) -> None:
            first = next((d for d in diags if d.severity == "error"), diags[0])
            cls.__init__(self, first.message, location=first.location, hint=first.hint, code=first.code)
            self._all = list(diags)

        sub = type(cls.__name__, (cls,), {"__init__": _init, "diagnostics": property(lambda self: self._all),
                                          "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        _MANY[cls] = sub
    return sub(diagnostics)


_MANY: dict[type, type] = {}


# --------------------------------------------------------------------------- YAML


class _LimitExceeded(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Loader(_Parser, SafeConstructor, Resolver):  # type: ignore[misc,valid-type]
    """Safe loader whose composer counts nodes, aliases and depth, and stops at the limits.

    PyYAML's composer does not expand aliases, so counting composed nodes alone would let an
    alias bomb through; the builder below counts the expanded values too.
    """

    _resolved: dict = {}

    def __init__(self, stream: str, name: str):
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.name = name
        self.nodes = 0
        self.aliases = 0
        self.depth = 0

    # the pure-Python composer over the C parser's events, so it can be counted
    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document
    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIAS_NODES:
                raise _LimitExceeded(_too_many_aliases(self.name, event.start_mark))
        else:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _LimitExceeded(_too_many_nodes(self.name, event.start_mark))
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _LimitExceeded(_too_deep(self.name, event.start_mark))
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook; memoised (rubrics repeat scalars)
        if kind is not yaml.ScalarNode or not isinstance(value, str) or len(value) > 200:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < 100_000:
                self._resolved[key] = tag
        return tag


def _located(name: str, mark: Any) -> Location:
    return Location(file=name, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)


def _too_many_nodes(name: str, mark: Any) -> Diagnostic:
    return Diagnostic("error", f"文档过大 / document too large: more than {MAX_NODES:,} values",
                      _located(name, mark), code="yaml_too_large",
                      hint="a rubric or assessment needs far fewer; split the file or remove generated content")


def _too_many_aliases(name: str, mark: Any, location: Location | None = None) -> Diagnostic:
    return Diagnostic("error", f"别名展开过多 / too many aliases: they expand to more than {MAX_ALIAS_NODES:,} values "
                               "(an alias bomb?)", location or _located(name, mark), code="yaml_aliases",
                      hint="write the repeated parts out, or use fewer '*alias' references")


def _too_deep(name: str, mark: Any) -> Diagnostic:
    return Diagnostic("error", f"嵌套过深 / nesting deeper than {MAX_DEPTH} levels", _located(name, mark),
                      code="yaml_too_deep",
                      hint="flatten the structure (a rubric tree may have at most 32 levels)")


def load_yaml(path: str | Path, text: str | None = None) -> tuple[Any, Positions]:
    """Parse one YAML document safely; return (data, positions) or raise ValidationError listing every problem."""
    parsed = parse_yaml(str(path), read_text(path) if text is None else text)
    if parsed.problems:
        raise ValidationError(parsed.diagnostics)
    return parsed.data, parsed.positions


def parse_yaml(name: str, text: str) -> Parsed:
    """Parse YAML *text*; refused values are in ``problems``; a syntax error or a limit raises ValidationError."""
    positions = Positions(name)
    loader = _Loader(text, name)
    try:
        node = loader.get_single_node()
    except _LimitExceeded as exc:
        raise ValidationError([exc.diagnostic]) from None
    except yaml.MarkedYAMLError as exc:
        raise ValidationError([_syntax_diagnostic(exc, name, text)]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, str) else chr(exc.character or 0)
        raise ValidationError([Diagnostic(
            "error", f"文件含不允许的字符 / the file contains a character YAML does not allow: U+{ord(char):04X}",
            Location(file=name, line=line), code="yaml_char", hint="remove control characters from the file")]) from None
    except yaml.YAMLError as exc:
        raise ValidationError([Diagnostic("error", f"YAML 无法解析 / cannot parse YAML: {exc}",
                                          Location(file=name), code="yaml_syntax")]) from None
    finally:
        loader.dispose()
    if node is None:
        return Parsed(None, positions)
    builder = _Builder(positions)
    try:
        data = builder.build(node, ())
    except _LimitExceeded as exc:
        raise ValidationError([exc.diagnostic]) from None
    return Parsed(data, positions, builder.problems)


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, name: str, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = (exc.problem or "").strip()
    if "\t" in problem or "'\\t'" in problem:
        return Diagnostic("error", "制表符 / tab character where YAML expects spaces",
                          Location(file=name, line=line, column=column), code="yaml_tab",
                          hint="indent with spaces, never tabs")
    # A tab used as indentation often surfaces as another scanner error on the same line.
    if line is not None:
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]:
            return Diagnostic("error", "制表符 / tab character used for indentation",
                              Location(file=name, line=line, column=1), code="yaml_tab",
                              hint="indent with spaces, never tabs")
    context = f" ({exc.context})" if exc.context else ""
    return Diagnostic("error", f"YAML 语法错误 / YAML syntax error: {problem}{context}",
                      Location(file=name, line=line, column=column), code="yaml_syntax",
                      hint="check indentation, colons and quotes on this line")


_REFUSED = object()
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    """Nodes -> plain data with positions; expands aliases under a budget; collects refused values."""

    def __init__(self, positions: Positions):
        self.positions = positions
        self.constructor = SafeConstructor()
        self.problems: list[tuple[PathKey, Diagnostic]] = []
        self.count = 0
        self.expanded = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_site: PathKey | None = None

    def problem(self, path: PathKey, node: yaml.Node, message: str, code: str, hint: str | None = None) -> None:
        mark = node.start_mark
        self.problems.append((path, Diagnostic(
            "error", message, Location(file=self.positions.file, line=mark.line + 1, column=mark.column + 1,
                                       field=format_path(path)), hint, code)))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _LimitExceeded(_too_many_nodes(self.positions.file, node.start_mark))
        outermost_alias = False
        if id(node) in self.seen:  # reached again through an alias
            self.expanded += 1
            if self.alias_site is None:
                self.alias_site, outermost_alias = path, True
            if self.expanded > MAX_ALIAS_NODES:
                # located where the alias is used (the expanded nodes carry their definition's position)
                where = self.positions.locate(self.alias_site[:-1])
                raise _LimitExceeded(_too_many_aliases(self.positions.file, None, where))
        else:
            self.seen.add(id(node))
        try:
            return self._build(node, path)
        finally:
            if outermost_alias:
                self.alias_site = None

    def _build(self, node: yaml.Node, path: PathKey) -> Any:
        if len(path) > MAX_DEPTH:
            raise _LimitExceeded(_too_deep(self.positions.file, node.start_mark))
        self.positions.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, path)
            return None if value is _REFUSED else value
        if id(node) in self.active:
            self.problem(path, node, "递归别名 / recursive alias: this value contains itself", "yaml_recursive",
                         "an '*alias' cannot refer to the mapping or list that contains it")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        if node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > _MAX_NUMBER_CHARS:
            self.problem(path, node, f"数值过长 / number too long ({len(node.value)} characters)", "number_range",
                         f"numbers must lie within ±{MAX_NUMBER:g}")
            return _REFUSED
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.problem(path, node, f"无法识别的值 / cannot read value: {problem}", "yaml_value")
            return _REFUSED
        message = value_problem(value, node.value)
        if message:
            self.problem(path, node, *message)
            return _REFUSED
        return value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict:
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    built = self.build(source, path)
                    if isinstance(built, dict):
                        for k, v in built.items():
                            merged.setdefault(k, v)
                continue
            mark = key_node.start_mark
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(path, key_node, "键必须是简单值 / a mapping key must be a plain value", "yaml_key")
                continue
            self.count += 1
            if self.count > MAX_NODES:
                raise _LimitExceeded(_too_many_nodes(self.positions.file, mark))
            key = self.scalar(key_node, path + (key_node.value,))
            if key is _REFUSED:
                continue
            try:
                hash(key)
            except TypeError:
                self.problem(path, key_node, "键必须是简单值 / a mapping key must be a plain value", "yaml_key")
                continue
            if key in seen:
                self.problem(path + (key,), key_node,
                             f"重复的键 / duplicate key '{key}' (first defined on line {seen[key]})", "duplicate_key",
                             "YAML keeps only the last one; remove or rename one of them")
                continue
            seen[key] = mark.line + 1
            self.positions.keys[path + (key,)] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, path + (key,))
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


def value_problem(value: Any, written: str | None = None) -> tuple[str, str, str] | None:
    """(message, code, hint) when a scalar is refused: a bad character in text, a non-finite or huge number."""
    if isinstance(value, str):
        match = _BAD_CHAR.search(value)
        if match is None:
            return None
        char = match.group()
        code_point = f"U+{ord(char):04X}"
        if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            return (f"文本含双向控制字符 / text contains a bidirectional override character {code_point} "
                    f"at position {match.start() + 1}", "bidi_char",
                    "remove it: it can make text display differently from what it says")
        return (f"文本含控制字符 / text contains a control character {code_point} at position {match.start() + 1}",
                "control_char", "remove it; only newline and tab are allowed in text")
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return (f"数值无效 / not a finite number: {written or value}", "not_finite",
                    f"use an ordinary number within ±{MAX_NUMBER:g} (NaN and infinity are not allowed)")
        if abs(value) > MAX_NUMBER:
            return (f"数值过大 / number too large: {value:g}", "number_range",
                    f"numbers must lie within ±{MAX_NUMBER:g}")
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        return ("数值过大 / number too large", "number_range", f"numbers must lie within ±{MAX_NUMBER:g}")
    if isinstance(value, bytes):
        return ("不支持二进制值 / binary values are not supported", "yaml_value", "write text instead of !!binary")
    return None


# --------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


class _BadNumber:
    """A JSON numeral refused while parsing (NaN, Infinity, too many digits); reported with its location."""

    def __init__(self, text: str):
        self.text = text


def _json_int(text: str) -> Any:
    return _BadNumber(text) if len(text) > _MAX_NUMBER_CHARS else int(text)


def _json_float(text: str) -> Any:
    return _BadNumber(text) if len(text) > _MAX_NUMBER_CHARS else float(text)


def _first_wins(pairs: list[tuple[str, Any]]) -> dict:
    out: dict[str, Any] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def parse_json(name: str, text: str) -> Parsed:
    """Parse strict JSON: no NaN/Infinity, no duplicate keys, limited depth and size; values located."""
    positions = Positions(name)
    problems: list[tuple[PathKey, Diagnostic]] = []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    # One pass over the tokens, without recursion: limits, duplicate keys and the position of every value.
    stack: list[list[Any]] = []  # [kind, path, index, key, expecting_key, keys]
    count = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "}]":
            if stack:
                stack.pop()
            continue
        top = stack[-1] if stack else None
        if first == ",":
            if top is not None:
                if top[0] == "[":
                    top[2] += 1
                else:
                    top[4] = True
            continue
        if first == ":":
            if top is not None:
                top[4] = False
            continue
        if first == '"' and top is not None and top[0] == "{" and top[4]:
            try:
                key = json.loads(token)
            except ValueError:
                continue  # reported by the parser below
            top[3] = key
            line, column = where(match.start())
            if key in top[5]:
                problems.append((top[1] + (key,), Diagnostic(
                    "error", f"重复的键 / duplicate key '{key}'", Location(file=name, line=line, column=column,
                                                                          field=format_path(top[1] + (key,))),
                    "remove or rename one of them", "duplicate_key")))
            else:
                top[5].add(key)
                positions.keys.setdefault(top[1] + (key,), (line, column))
            continue
        path = () if top is None else top[1] + ((top[2],) if top[0] == "[" else (top[3],))
        count += 1
        line, column = where(match.start())
        if count > MAX_NODES:
            diag = _too_many_nodes(name, None)
            raise ValidationError([Diagnostic("error", diag.message, Location(file=name, line=line, column=column),
                                              diag.hint, "json_too_large")])
        positions.values.setdefault(path, (line, column))
        if first in "{[":
            stack.append([first, path, 0, None, True, set()])
            if len(stack) > MAX_DEPTH:
                diag = _too_deep(name, None)
                raise ValidationError([Diagnostic("error", diag.message, Location(file=name, line=line, column=column),
                                                  diag.hint, "json_too_deep")])
    try:
        data = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_BadNumber,
                          object_pairs_hook=_first_wins)
    except json.JSONDecodeError as exc:
        raise ValidationError([Diagnostic("error", f"JSON 语法错误 / JSON syntax error: {exc.msg}",
                                          Location(file=name, line=exc.lineno, column=exc.colno), code="json_syntax",
                                          hint="check commas, quotes and brackets here")]) from None
    except RecursionError:  # pragma: no cover - the token pass above limits the depth first
        raise ValidationError([Diagnostic("error", _too_deep(name, None).message, Location(file=name),
                                          code="json_too_deep")]) from None
    data = _check_json_values(data, (), positions, problems)
    return Parsed(data, positions, problems)


def _check_json_values(data: Any, path: PathKey, positions: Positions, problems: list) -> Any:
    """Refuse bad scalars in parsed JSON (iteratively); a refused value becomes ``None``."""
    todo: list[tuple[Any, PathKey, Any, Any]] = [(data, path, None, None)]
    while todo:
        value, here, parent, slot = todo.pop()
        if isinstance(value, dict):
            for key in list(value):
                message = value_problem(key)
                if message:
                    problems.append(((*here, key), Diagnostic("error", message[0], positions.locate(
                        (*here, key), key=True), message[2], message[1])))
                todo.append((value[key], (*here, key), value, key))
            continue
        if isinstance(value, list):
            todo.extend((item, (*here, i), value, i) for i, item in enumerate(value))
            continue
        if isinstance(value, _BadNumber):
            message = (f"数值无效 / not a usable number: {value.text[:20]}{'…' if len(value.text) > 20 else ''}",
                       "not_finite" if value.text in ("NaN", "Infinity", "-Infinity") else "number_range",
                       f"use an ordinary number within ±{MAX_NUMBER:g} (NaN and Infinity are not JSON)")
        else:
            message = value_problem(value)
        if message:
            problems.append((here, Diagnostic("error", message[0], positions.locate(here), message[2], message[1])))
            if parent is None:
                return None
            parent[slot] = None
    return data
