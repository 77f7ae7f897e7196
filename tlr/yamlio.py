"""Safe YAML reading that remembers where every value came from.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys and forgets
positions. Here the document is composed into nodes (safe loader, C-accelerated
when available), then built into plain Python data while recording the 1-based
line and column of every key and value, so validation errors can point to
``file:line:column``. Duplicate keys are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tlr.errors import Diagnostic, InputFileError, Location, ValidationError

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose implicit-tag resolution is memoised (rubrics repeat the same scalars a lot)."""

    _resolved: dict = {}

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook
        if kind is not yaml.ScalarNode or not isinstance(value, str):
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < 100_000:
                self._resolved[key] = tag
        return tag

PathKey = tuple[Any, ...]
_MAX_NODES = 2_000_000  # guards against alias bombs ("billion laughs")


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
        if isinstance(part, float) and part.is_integer():
            part = int(part)
            out += ("." if out else "") + str(part)
        elif isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_text(path: str | Path) -> str:
    """Read a text file as UTF-8 (a BOM is accepted); a file in another encoding is a clear error."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"文件不存在 / file not found: {path}", location=Location(file=str(path)),
                             hint="check the path", code="not_found") from None
    except IsADirectoryError:
        raise InputFileError(f"这是一个目录 / is a directory, not a file: {path}",
                             location=Location(file=str(path)), code="not_a_file") from None
    except OSError as exc:
        raise InputFileError(f"无法读取 / cannot read {path}: {exc.strerror}", location=Location(file=str(path)),
                             code="unreadable") from None
    return decode_utf8(raw, str(path))


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


def load_yaml(path: str | Path, text: str | None = None) -> tuple[Any, Positions]:
    """Parse one YAML document safely; return (data, positions) or raise ValidationError."""
    name = str(path)
    if text is None:
        text = read_text(path)
    positions = Positions(name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ValidationError([_syntax_diagnostic(exc, name, text)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other reader errors
        raise ValidationError([Diagnostic("error", f"YAML 无法解析 / cannot parse YAML: {exc}",
                                          Location(file=name), code="yaml_syntax")]) from None
    if node is None:
        return None, positions
    builder = _Builder(positions)
    data = builder.build(node, ())
    if builder.problems:
        raise ValidationError(builder.problems)
    return data, positions


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


class _Builder:
    def __init__(self, positions: Positions):
        self.positions = positions
        self.constructor = yaml.constructor.SafeConstructor()
        self.problems: list[Diagnostic] = []
        self.count = 0

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise ValidationError([Diagnostic("error", "YAML 文档过大或别名嵌套过深 / document too large "
                                                       "(too many nodes or aliases)",
                                              Location(file=self.positions.file), code="yaml_too_large")])
        self.positions.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            mark = node.start_mark
            self.problems.append(Diagnostic(
                "error", f"无法识别的值 / cannot read value: {exc.problem}",
                Location(file=self.positions.file, line=mark.line + 1, column=mark.column + 1,
                         field=format_path(path)), code="yaml_value"))
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict:
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    built = self.build(source, path)
                    if isinstance(built, dict):
                        for k, v in built.items():
                            merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                mark = key_node.start_mark
                self.problems.append(Diagnostic(
                    "error", "键必须是简单值 / a mapping key must be a plain value",
                    Location(file=self.positions.file, line=mark.line + 1, column=mark.column + 1,
                             field=format_path(path)), code="yaml_key"))
                continue
            key = self.constructor.construct_object(key_node)
            mark = key_node.start_mark
            if key in seen:
                self.problems.append(Diagnostic(
                    "error", f"重复的键 / duplicate key '{key}' (first defined on line {seen[key]})",
                    Location(file=self.positions.file, line=mark.line + 1, column=mark.column + 1,
                             field=format_path(path + (key,))),
                    code="duplicate_key", hint="YAML keeps only the last one; remove or rename one of them"))
                continue
            seen[key] = mark.line + 1
            self.positions.keys[path + (key,)] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, path + (key,))
        for k, v in merged.items():
            out.setdefault(k, v)
        return out
