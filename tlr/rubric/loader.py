"""Reading rubric files: YAML -> validated documents -> one resolved document.

``extends:`` and ``imports:`` are followed here; overrides (``remove``, ``add``,
``replace``, ``update``, ``weights``) are applied to a copy of the base tree. Every
node remembers the file and position it came from, so the semantic checks in
:mod:`tlr.rubric.validate` can point at the right line even after a merge.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from tlr.errors import Diagnostic, Location, TlrError, ValidationError
from tlr.rubric.model import (
    TAGGED_MODELS,
    AnyDocument,
    Dimension,
    Indicator,
    Node,
    RubricDocument,
    ScaleLibrary,
)
from tlr.rubric.recover import Damage, tree_depth_problems, validate_recovering
from tlr.validation import diagnostics_from_pydantic
from tlr.yamlio import Positions, format_path, parse_json, parse_yaml, read_text

PATCH_FIELDS = ("remove", "add", "replace", "update", "weights")


def _adapter(kind: str) -> TypeAdapter:
    from tlr.rubric import model

    return _cached_adapter(kind, model.SCALE_MODELS_VERSION)  # a newly registered scale kind: a new adapter


@lru_cache(maxsize=None)
def _cached_adapter(kind: str, _scale_models_version: int) -> TypeAdapter:
    return TypeAdapter(AnyDocument if kind == "document" else Node)


@dataclass(frozen=True)
class Origin:
    """Where a piece of a rubric was written.

    ``kept`` maps the index of an item in a repaired list back to its index in the file.
    """

    positions: Positions
    path: tuple[Any, ...]
    kept: tuple[int, ...] | None = None

    def locate(self, *sub: Any, key: bool = False) -> Location:
        if self.kept is not None and sub and isinstance(sub[0], int) and 0 <= sub[0] < len(self.kept):
            sub = (self.kept[sub[0]], *sub[1:])
        full = self.path + tuple(sub)
        return self.positions.locate(full, key=key, field_name=format_path(full))


@dataclass
class LoadContext:
    """Everything gathered while loading one rubric and the files it pulls in."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    node_origins: dict[str, list[Origin]] = field(default_factory=dict)
    sections: dict[str, Origin] = field(default_factory=dict)
    scale_origins: dict[str, Origin] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256)
    damage: Damage = field(default_factory=Damage)

    def error(self, message: str, location: Location, hint: str | None = None, code: str = "invalid") -> None:
        self.diagnostics.append(Diagnostic("error", message, location, hint, code))

    def warning(self, message: str, location: Location, hint: str | None = None, code: str = "warning") -> None:
        self.diagnostics.append(Diagnostic("warning", message, location, hint, code))

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def origin_of_node(self, node_id: str, occurrence: int = 0) -> Origin | None:
        origins = self.node_origins.get(node_id)
        if not origins:
            return None
        return origins[min(occurrence, len(origins) - 1)]


def parse_document(path: Path, ctx: LoadContext, text: str | None = None) -> RubricDocument | ScaleLibrary | None:
    """Read and validate one file against the format models; record origins.

    Every problem is added to ``ctx``; the document returned may be a *repaired* one (see
    :mod:`tlr.rubric.recover`) so that the semantic checks still run. ``None`` when nothing
    could be recovered (syntax error, not a mapping ...).
    """
    name = str(path)
    if text is None:
        try:
            text = read_text(path)
        except TlrError as exc:  # missing, too large, not a regular file, not UTF-8 ...
            ctx.diagnostics.extend(exc.diagnostics)
            return None
    ctx.files.append((name, hashlib.sha256(text.encode("utf-8")).hexdigest()))
    try:
        parsed = parse_json(name, text) if name.lower().endswith(".json") else parse_yaml(name, text)
    except ValidationError as exc:
        ctx.diagnostics.extend(exc.diagnostics)
        return None
    data, positions = parsed.data, parsed.positions
    if not isinstance(data, dict):
        ctx.diagnostics.extend(parsed.diagnostics)
        ctx.error("文件顶层必须是映射 / the top level of a rubric must be a mapping (key: value)",
                  Location(file=name, line=1, column=1), hint="start with `id: my-rubric`", code="not_mapping")
        return None
    problems = parsed.problems + tree_depth_problems(data, positions)
    ctx.diagnostics.extend(d for _, d in problems)
    scales = data.get("scales")
    for scale_name in scales if isinstance(scales, dict) else ():
        ctx.scale_origins[str(scale_name)] = Origin(positions, ("scales", scale_name))
    _register_nodes(data.get("dimensions"), ("dimensions",), positions, ctx)
    add = data.get("add")
    for parent, nodes in add.items() if isinstance(add, dict) else ():
        _register_nodes(nodes, ("add", parent), positions, ctx)
    _register_nodes(data.get("replace"), ("replace",), positions, ctx)

    def report(exc: PydanticValidationError, work: dict, hidden: list) -> None:
        ctx.diagnostics.extend(diagnostics_from_pydantic(exc, work, positions, AnyDocument, TAGGED_MODELS, hidden))

    def placeholder(node_id: str, node_path: tuple[Any, ...]) -> None:
        ctx.node_origins.setdefault(node_id, []).append(Origin(positions, node_path))

    document, kept = validate_recovering(data, [p for p, _ in problems], _adapter("document").validate_python,
                                         report, ctx.damage, placeholder)
    for key in data:
        ctx.sections[str(key)] = Origin(positions, (key,), tuple(kept[key]) if key in kept else None)
    return document


def _register_nodes(nodes: Any, path: tuple[Any, ...], positions: Positions, ctx: LoadContext) -> None:
    if not isinstance(nodes, list):
        return
    for index, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        node_path = path + (index,)
        node_id = node.get("id")
        if isinstance(node_id, str):
            ctx.node_origins.setdefault(node_id, []).append(Origin(positions, node_path))
        _register_nodes(node.get("children"), node_path + ("children",), positions, ctx)


def resolve_document(path: str | Path, ctx: LoadContext, _stack: tuple[Path, ...] = (),
                     document: RubricDocument | ScaleLibrary | None = None) -> RubricDocument | None:
    """Load *path*, follow ``extends`` and ``imports``, apply overrides; ``None`` when it failed.

    *document* is the already parsed file, when the caller parsed it.
    """
    path = Path(path)
    if document is None:
        document = parse_document(path, ctx)
    if document is None:
        return None
    if isinstance(document, ScaleLibrary):
        ctx.error("这是量表库，不是评价体系 / this is a scale library, not a rubric",
                  Location(file=str(path), line=1, column=1),
                  hint="use it from a rubric with `imports: [" + path.name + "]`", code="scale_library")
        return None
    here = path.resolve()
    if document.extends:
        base_path = (path.parent / document.extends).resolve()
        origin = ctx.sections["extends"]
        if base_path == here or base_path in _stack:
            chain = " -> ".join(p.name for p in (*_stack, here, base_path))
            ctx.error(f"循环继承 / cyclic extends: {chain}", origin.locate(), code="extends_cycle",
                      hint="a rubric cannot extend itself, directly or through others")
            return None
        if not base_path.is_file():
            what = ("不是普通文件 / extends: not a regular file" if base_path.exists()
                    else "找不到基础评价体系 / extends: file not found")
            ctx.error(f"{what}: {document.extends}", origin.locate(),
                      hint=f"the path is relative to {path.parent}", code="extends_missing")
            return None
        base = resolve_document(base_path, ctx, (*_stack, here))
        if base is None:
            ctx.damage.skip("rest", path.name)
            return None
        merged = _merge(base, document, ctx)
    else:
        for name in PATCH_FIELDS:
            if getattr(document, name):
                ctx.error(f"'{name}' 只能与 extends 一起使用 / '{name}' is only allowed with 'extends'",
                          ctx.sections[name].locate(key=True), code="patch_without_extends",
                          hint="add `extends: base.yaml` or move the nodes into `dimensions`")
        for required, hint in (("title", "add `title: ...` (text or {zh: ..., en: ...})"),
                               ("dimensions", "add `dimensions:` with at least one dimension")):
            if getattr(document, required) is None and required not in ctx.damage.sections:
                ctx.error(f"缺少必填字段 / missing required key '{required}'",
                          Location(file=str(path), line=1, column=1, field=required), hint=hint, code="missing")
        if document.dimensions is None:
            ctx.damage.skip("tree", "dimensions")
            return None
        merged = document
    merged = _apply_imports(merged, document, path, ctx)
    return merged.model_copy(update={"extends": None, "imports": [], "remove": [], "add": {}, "replace": [],
                                     "update": {}, "weights": {}})


def _apply_imports(merged: RubricDocument, document: RubricDocument, path: Path, ctx: LoadContext) -> RubricDocument:
    if not document.imports:
        return merged
    scales = dict(merged.scales)
    sources = list(merged.sources)
    origin = ctx.sections["imports"]
    for index, entry in enumerate(document.imports):
        relative = entry if isinstance(entry, str) else entry.file
        rename = {} if isinstance(entry, str) else dict(entry.rename)
        lib_path = (path.parent / relative).resolve()
        if not lib_path.is_file():
            what = ("不是普通文件 / imports: not a regular file" if lib_path.exists()
                    else "找不到量表库 / imports: file not found")
            ctx.error(f"{what}: {relative}", origin.locate(index),
                      hint=f"the path is relative to {path.parent}", code="import_missing")
            ctx.damage.sections.add("imports")
            continue
        library = parse_document(lib_path, ctx)
        if library is None:
            ctx.damage.sections.add("imports")
            continue
        if not isinstance(library, ScaleLibrary):
            ctx.damage.sections.add("imports")
            ctx.error(f"导入的文件不是量表库 / imported file is not a scale library: {relative}",
                      origin.locate(index), hint="imports take files with `kind: scale_library`",
                      code="import_not_library")
            continue
        for unknown in [k for k in rename if k not in library.scales]:
            ctx.error(f"量表库中没有量表 '{unknown}' / the library has no scale '{unknown}' to rename",
                      origin.locate(index, "rename", unknown, key=True), code="unknown_scale",
                      hint="scales: " + ", ".join(library.scales))
        for original, scale in library.scales.items():
            name = rename.get(original, original)
            if name in scales:
                ctx.error(f"量表名称冲突 / scale '{name}' from {relative} is already defined",
                          origin.locate(index), hint="rename one of the scales", code="scale_collision")
                continue
            scales[name] = scale
        known = {s.id for s in sources}
        sources.extend(s for s in library.sources if s.id not in known)
    return merged.model_copy(update={"scales": scales, "sources": sources})


# --------------------------------------------------------------------------- overrides

_OVERRIDABLE = {"id", "version", "title", "description", "applies_to", "normalize", "score_scale", "ahp", "readiness",
                "aggregation", "panel", "valuation", "gates", "tiers", "routes", "format"}


def _merge(base: RubricDocument, child: RubricDocument, ctx: LoadContext) -> RubricDocument:
    update: dict[str, Any] = {name: getattr(child, name) for name in child.model_fields_set & _OVERRIDABLE}
    sources = {s.id: s for s in base.sources}
    sources.update({s.id: s for s in child.sources})
    update["sources"] = list(sources.values())
    update["scales"] = {**base.scales, **child.scales}
    tree: list[Any] = list(child.dimensions) if child.dimensions is not None else list(base.dimensions or [])
    tree = _apply_patches(tree, child, ctx)
    update["dimensions"] = tree
    return base.model_copy(update=update)


def _all_ids(nodes: list[Any]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        out.append(node.id)
        if isinstance(node, Dimension):
            out.extend(_all_ids(node.children))
    return out


def _unknown_id(ctx: LoadContext, what: str, node_id: str, known: list[str], location: Location) -> None:
    if ctx.damage.lost("node", node_id):
        ctx.damage.skip("node", node_id)
        return
    close = difflib.get_close_matches(node_id, known, n=1, cutoff=0.6)
    message = f"{what}: 未知节点 / unknown node '{node_id}'"
    if close:
        message += f" — did you mean '{close[0]}'?"
    ctx.error(message, location, code="unknown_node",
              hint=None if close else "ids are those of the base rubric's dimensions and indicators")


def _map_tree(nodes: list[Any], fn) -> list[Any]:
    """Rebuild *nodes* bottom-up with ``fn(node) -> list of nodes`` (empty list removes)."""
    out: list[Any] = []
    for node in nodes:
        if isinstance(node, Dimension):
            node = node.model_copy(update={"children": _map_tree(node.children, fn)})
        out.extend(fn(node))
    return out


def _apply_patches(tree: list[Any], child: RubricDocument, ctx: LoadContext) -> list[Any]:
    known = _all_ids(tree)
    for index, node_id in enumerate(child.remove):
        if node_id not in known:
            _unknown_id(ctx, "remove", node_id, known, ctx.sections["remove"].locate(index))
    removed = set(child.remove)
    tree = _map_tree(tree, lambda n: [] if n.id in removed else [n])

    known = _all_ids(tree)
    replacements = {}
    for index, node in enumerate(child.replace):
        if node.id not in known:
            _unknown_id(ctx, "replace", node.id, known, ctx.sections["replace"].locate(index, "id"))
        replacements[node.id] = node
    tree = _map_tree(tree, lambda n: [replacements.get(n.id, n)])

    known = _all_ids(tree)
    edits: dict[str, dict[str, Any]] = {}
    for node_id, fields in child.update.items():
        origin = ctx.sections["update"]
        if node_id not in known:
            _unknown_id(ctx, "update", node_id, known, origin.locate(node_id, key=True))
            continue
        edits[node_id] = dict(fields)
    for node_id, weight in child.weights.items():
        if node_id not in known:
            _unknown_id(ctx, "weights", node_id, known, ctx.sections["weights"].locate(node_id, key=True))
            continue
        edits.setdefault(node_id, {})["weight"] = weight
    if edits:
        tree = _map_tree(tree, lambda n: [_edit_node(n, edits[n.id], ctx)] if n.id in edits else [n])

    if child.add:
        known = _all_ids(tree)
        origin = ctx.sections["add"]
        top = list(child.add.get("root", []))
        for parent in child.add:
            if parent != "root" and parent not in known:
                _unknown_id(ctx, "add", parent, known + ["root"], origin.locate(parent, key=True))

        def add_children(node: Any) -> list[Any]:
            if node.id in child.add:
                if not isinstance(node, Dimension):
                    ctx.error(f"add: '{node.id}' 是指标，不能添加子节点 / '{node.id}' is an indicator and cannot "
                              "have children", origin.locate(node.id, key=True), code="add_to_indicator")
                    return [node]
                return [node.model_copy(update={"children": list(node.children) + list(child.add[node.id])})]
            return [node]

        tree = _map_tree(tree, add_children) + top
    return tree


def _edit_node(node: Any, fields: dict[str, Any], ctx: LoadContext) -> Any:
    origin = ctx.sections["update"] if "update" in ctx.sections else ctx.sections.get("weights")
    cls = Indicator if isinstance(node, Indicator) else Dimension
    allowed = [f.alias or name for name, f in cls.model_fields.items() if name not in ("id", "children")]
    for key in fields:
        if key not in allowed and not (key == "weight" and "weights" in ctx.sections):
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            message = f"update: 未知字段 / unknown key '{key}' for {node.id}"
            if close:
                message += f" — did you mean '{close[0]}'?"
            ctx.error(message, origin.locate(node.id, key, key=True), code="extra_forbidden",
                      hint=None if close else "allowed keys: " + ", ".join(allowed))
            ctx.damage.weight_unknown.add(node.id)
            ctx.damage.weights_unknown.add(node.id)
            return node
    data = node.model_dump(by_alias=True, exclude_unset=True)
    data.update(fields)
    try:
        return _adapter("node").validate_python(data)
    except PydanticValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if p not in ("dimension", "indicator"))
            ctx.error(f"update {node.id}: 无效 / invalid {'.'.join(map(str, loc))}: {err['msg']}",
                      origin.locate(node.id, *loc[:1]), code=err["type"])
        ctx.damage.weight_unknown.add(node.id)
        ctx.damage.weights_unknown.add(node.id)
        return node
