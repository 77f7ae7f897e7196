"""Turn pydantic validation errors into located, human diagnostics.

Pydantic reports ``loc`` tuples that mix data keys, list indexes and union tags.
Here each error is mapped back to the data path it concerns (tags dropped), to
its ``file:line:column`` through :class:`tlr.yamlio.Positions`, and to a message
that says what was expected, with a "did you mean" hint for misspelt keys.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Iterable, Union

from pydantic import BaseModel

from tlr.errors import Diagnostic
from tlr.yamlio import Positions, format_path


def data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep the parts of a pydantic ``loc`` that exist in *data*; drop union tags.

    A part missing from the data is kept only when it is the last one (an unknown
    or missing key of the mapping reached so far); otherwise it is a union tag.
    """
    path: list[Any] = []
    current = data
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if isinstance(current, dict):
            key = part if part in current else _dict_key(current, part)
            if key is not _MISSING:
                path.append(key)
                current = current[key]
                continue
            if i == last and part != "[key]":
                path.append(part)
            continue
        if isinstance(current, list) and isinstance(part, int) and not isinstance(part, bool):
            if 0 <= part < len(current):
                path.append(part)
                current = current[part]
            continue
    return tuple(path)


_MISSING = object()


def _dict_key(mapping: dict, part: Any) -> Any:
    """Dict keys of non-string type (e.g. likert anchors ``3:``) appear stringified in ``loc``."""
    for key in mapping:
        if str(key) == str(part):
            return key
        try:
            if float(key) == float(part):
                return key
        except (TypeError, ValueError):
            pass
    return _MISSING


def model_at(root: Any, loc: tuple[Any, ...], tagged: dict[str, type[BaseModel]]) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at *loc* (for listing its allowed keys)."""
    current: Any = root
    for part in loc:
        current = _step(current, part, tagged)
        if current is None:
            return None
    current = _strip(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return _single_model(current)


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            if arg is not type(None):
                out.extend(_members(arg))
        return out
    return [tp]


def _single_model(tp: Any) -> type[BaseModel] | None:
    models = [m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    return models[0] if len(models) == 1 else None


def _step(tp: Any, part: Any, tagged: dict[str, type[BaseModel]]) -> Any:
    for member in _members(tp):
        if isinstance(part, str) and part in tagged and (member is tagged[part] or _contains(member, tagged[part])):
            return tagged[part]
    for member in _members(tp):
        if isinstance(member, type) and issubclass(member, BaseModel):
            if isinstance(part, str):
                by_alias = {f.alias or name: name for name, f in member.model_fields.items()}
                name = by_alias.get(part, part)
                if name in member.model_fields:
                    return member.model_fields[name].annotation
            continue
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if origin in (list, tuple) and isinstance(part, int) and args:
            return args[0]
        if origin is dict and args:
            return args[1]
    if isinstance(part, str) and part in tagged:
        return tagged[part]
    return tp if part == "[key]" else None


def _contains(tp: Any, cls: type) -> bool:
    return any(m is cls for m in _members(tp))


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


_TYPE_WORDS = {
    "string_type": "文本 / text",
    "float_type": "数字 / a number",
    "float_parsing": "数字 / a number",
    "int_type": "整数 / a whole number",
    "int_parsing": "整数 / a whole number",
    "int_from_float": "整数 / a whole number",
    "bool_type": "true 或 false / true or false",
    "bool_parsing": "true 或 false / true or false",
    "list_type": "列表 / a list ([...] or '- ' items)",
    "dict_type": "映射 / a mapping (key: value)",
    "model_type": "映射 / a mapping (key: value)",
    "model_attributes_type": "映射 / a mapping (key: value)",
    "tuple_type": "列表 / a list",
}


def diagnostics_from_pydantic(exc: Any, data: Any, positions: Positions, root: Any,
                              tagged: dict[str, type[BaseModel]],
                              hidden: Iterable[tuple[Any, ...]] = ()) -> list[Diagnostic]:
    """Convert a ``pydantic.ValidationError`` raised on *data* into located diagnostics.

    Errors at or under a *hidden* path (a value the reader already refused) are left out, and
    so is "missing key X" when the same mapping has an unknown key that looks like X: both
    are the same mistake, already reported once.
    """
    out: list[Diagnostic] = []
    seen: set[tuple[Any, ...]] = set()
    hidden = [tuple(h) for h in hidden]
    errors = exc.errors(include_url=False)
    extras: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            path = data_path(data, tuple(err["loc"]))
            if path:
                extras.setdefault(path[:-1], []).append(str(path[-1]))
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        path = data_path(data, loc)
        msg_key = (path, kind)
        if msg_key in seen or any(path[:len(h)] == h for h in hidden):
            continue
        seen.add(msg_key)
        if kind == "missing" and path and _looks_misspelt(str(loc[-1]), extras.get(path[:-1], [])):
            continue
        hint = None
        field_name = format_path(path)
        if kind == "extra_forbidden":
            key = path[-1] if path else loc[-1]
            model = model_at(root, loc[:-1], tagged)
            keys = allowed_keys(model) if model else []
            close = difflib.get_close_matches(str(key), keys, n=1, cutoff=0.6)
            message = f"未知字段 / unknown key '{key}'"
            if close:
                message += f" — did you mean '{close[0]}'?"
            elif model is not None and model.__name__ == "I18nText":
                hint = "quote text that contains ', ' or ': ', e.g. en: \"lab, pilot\""
            elif keys:
                hint = "allowed keys: " + ", ".join(keys)
            location = positions.locate(path, key=True, field_name=field_name)
        elif kind == "missing":
            key = loc[-1]
            message = f"缺少必填字段 / missing required key '{key}'"
            location = positions.locate(path[:-1] if path and path[-1] == key else path, field_name=field_name)
            hint = f"add '{key}: ...'"
        elif kind in _TYPE_WORDS:
            message = f"类型错误 / wrong type: expected {_TYPE_WORDS[kind]}, got {_show(err.get('input'))}"
            location = positions.locate(path, field_name=field_name)
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            given = err.get("input")
            options = [o.strip().strip("'") for o in str(expected).replace(" or ", ",").split(",") if o.strip()]
            close = difflib.get_close_matches(str(given), options, n=1, cutoff=0.5)
            message = f"取值无效 / invalid value {_show(given)}: expected {expected}"
            if close:
                message += f" — did you mean '{close[0]}'?"
            location = positions.locate(path, field_name=field_name)
        elif kind == "union_tag_invalid":
            ctx = err.get("ctx", {})
            message = (f"取值无效 / invalid {ctx.get('discriminator', 'kind')} {ctx.get('tag')!r}: "
                       f"expected one of {ctx.get('expected_tags')}")
            close = difflib.get_close_matches(str(ctx.get("tag")),
                                              [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")],
                                              n=1, cutoff=0.5)
            if close:
                message += f" — did you mean '{close[0]}'?"
            location = positions.locate(path + ("kind",), field_name=field_name)
        elif kind == "union_tag_not_found":
            ctx = err.get("ctx", {})
            message = f"缺少 '{ctx.get('discriminator', 'kind')}' / missing key '{ctx.get('discriminator', 'kind')}'"
            hint = "say which kind this is, e.g. kind: likert"
            location = positions.locate(path, field_name=field_name)
        elif kind == "finite_number":
            message = f"数值无效 / not a finite number: {_show(err.get('input'))}"
            hint = "NaN and infinity are not allowed"
            location = positions.locate(path, field_name=field_name)
        elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            message = f"超出范围 / out of range: {err['msg'].lower()}, got {_show(err.get('input'))}"
            location = positions.locate(path, field_name=field_name)
        elif kind == "too_short":
            message = f"太少 / too few items: {err['msg']}"
            location = positions.locate(path, field_name=field_name)
        elif kind == "string_pattern_mismatch":
            message = (f"标识符无效 / invalid id {_show(err.get('input'))}: start with a letter, then letters, "
                       "digits, '_', '.' or '-'")
            location = positions.locate(path, field_name=field_name)
        else:
            text = err["msg"]
            if text.startswith("Value error, "):
                text = text[len("Value error, "):]
            message = f"无效 / invalid: {text}"
            location = positions.locate(path, field_name=field_name)
        out.append(Diagnostic("error", message, location, hint, code=kind))
    return out


def _looks_misspelt(key: str, unknown: list[str]) -> bool:
    if key in ("scale", "children"):  # a misspelt 'children' makes the node look like an indicator
        return bool(difflib.get_close_matches("children", unknown, n=1, cutoff=0.6)
                    or difflib.get_close_matches("scale", unknown, n=1, cutoff=0.6))
    return bool(difflib.get_close_matches(key, unknown, n=1, cutoff=0.6))


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_model_file(path: Any, model: type[BaseModel], *, shape: str, shape_hint: str, shape_code: str,
                    hint: Any = None, empty: Any = None) -> tuple[Any, Any, Positions, bytes]:
    """Read a YAML file with every limit (:mod:`tlr.yamlio`) and validate it against *model*: every problem at once,
    located (file, line, field), each passed through *hint* (a Diagnostic -> Diagnostic); a document that is not a
    mapping is the one line *shape*. *empty*: what an empty file means (None: not a mapping).
    Returns (the model, the data, their positions, the file's bytes)."""
    from pydantic import ValidationError as PydanticValidationError

    from tlr.errors import Location, ValidationError
    from tlr.yamlio import decode_utf8, parse_yaml, read_bytes

    name = str(path)
    raw = read_bytes(path)
    parsed = parse_yaml(name, decode_utf8(raw, name))
    diags: list[Diagnostic] = list(parsed.diagnostics) if parsed.problems else []
    data, positions = parsed.data, parsed.positions
    if data is None and empty is not None:
        data = empty
    if not isinstance(data, dict):
        raise ValidationError([Diagnostic("error", shape, Location(file=name, line=1), shape_hint, shape_code)])
    try:
        doc = model.model_validate(data)
    except PydanticValidationError as exc:
        hidden = [p for p, _ in parsed.problems]
        found = diagnostics_from_pydantic(exc, data, positions, model, {}, hidden)
        diags += [hint(d) for d in found] if hint else found
        raise ValidationError(diags) from None
    if diags:
        raise ValidationError(diags)
    return doc, data, positions, raw
