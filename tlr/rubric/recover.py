"""Keep checking a rubric after its schema errors: repair the data, remember what was lost.

A rubric with an unknown key or a value of the wrong type fails its pydantic model, and
without more care that one mistake would hide every other one (unknown scales, weights
that do not sum to 1, gates naming unknown indicators ...). Here the failing parts are
repaired in a *copy* of the data — an unknown key deleted, a broken optional field
dropped, a broken required field given a placeholder, a broken list item removed — until
the document validates, and every repair is recorded in :class:`Damage`. The semantic
checks in :mod:`tlr.rubric.validate` then run on the repaired document and consult the
damage, so a check whose input was lost is skipped (and counted) instead of reporting an
error that is only a consequence of the first one.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from typing import Any

from tlr.errors import Diagnostic, Location

UNREADABLE_SCALE = "\x00unreadable-scale"  # never a scale name: ids cannot contain NUL
MAX_TREE_DEPTH = 32
_MAX_PASSES = 8
NODE_LISTS = ("dimensions", "replace")
ITEM_LISTS = ("gates", "tiers", "routes", "sources", "imports", "remove")
ENTRY_MAPS = ("update", "weights")
_NODE_FIELD_CONSEQUENCE = ("weight", "children", "scale", "ahp", "normalize", "role")


@dataclass
class Damage:
    """What repair removed from a rubric, and the checks that were skipped because of it."""

    weight_unknown: set[str] = field(default_factory=set)     # nodes whose own weight could not be read
    weights_unknown: set[str] = field(default_factory=set)    # parents ('root') whose children's weights are unsure
    children_unknown: set[str] = field(default_factory=set)   # dimensions whose children could not be read
    scale_unknown: set[str] = field(default_factory=set)      # indicators whose scale could not be read
    names: dict[str, set[str]] = field(default_factory=dict)  # kind -> names written but unreadable
    sections: set[str] = field(default_factory=set)           # top-level keys unreadable or misspelt
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, of whom), e.g. ("weights", "tech")

    def lost(self, kind: str, name: Any) -> bool:
        return isinstance(name, str) and name in self.names.get(kind, set())

    def skip(self, what: str, subject: str) -> None:
        """Record a check not made because its input was lost; *what* is a key of :data:`SKIPPED`."""
        self.skipped.append((what, subject))

    def note(self, file: str) -> Diagnostic | None:
        """The one line saying how many checks were skipped and which, or None."""
        if not self.skipped:
            return None
        groups: dict[str, list[str]] = {}
        for what, subject in self.skipped:
            names = groups.setdefault(what, [])
            if subject and subject not in names:
                names.append(subject)
        parts = []
        for what, names in groups.items():
            shown = ", ".join(f"'{n}'" if n != "root" else "root" for n in names[:6])
            parts.append(SKIPPED[what] + (f" {shown}" if shown else "") + (" …" if len(names) > 6 else ""))
        n = len(self.skipped)
        return Diagnostic("note", f"另有 {n} 项检查因上述错误而跳过 / {n} further check(s) skipped because they depend "
                                  f"on the errors above — " + "; ".join(parts),
                          Location(file=file), "fix the errors above and check again", "checks_skipped")


SKIPPED = {
    "scale": "量表引用 / scale of",
    "points": "分值表 / points of",
    "children": "子节点 / children of",
    "weights": "子节点权重 / weights under",
    "condition": "条件引用 / conditions on",
    "tier": "档次引用 / tier",
    "route": "路径引用 / route",
    "readiness": "readiness",
    "grades": "grades",
    "source": "来源引用 / source",
    "node": "节点引用 / node",
    "tree": "指标树 / the tree (no readable 'dimensions')",
    "rest": "需要基础评价体系的检查 / the checks that need the base rubric of",
    "all": "全部语义检查 / all semantic checks (the schema errors could not be isolated)",
}


def tree_depth_problems(data: dict, positions: Any) -> list[tuple[tuple[Any, ...], Diagnostic]]:
    """A located error for each node deeper than :data:`MAX_TREE_DEPTH` levels (checked iteratively)."""
    out = []
    todo: list[tuple[tuple[Any, ...], Any, int]] = []
    for top in NODE_LISTS:
        todo.append(((top,), data.get(top), 1))
    for parent, nodes in (data.get("add") or {}).items() if isinstance(data.get("add"), dict) else ():
        todo.append((("add", parent), nodes, 1))
    while todo:
        path, nodes, depth = todo.pop()
        if not isinstance(nodes, list):
            continue
        if depth > MAX_TREE_DEPTH:
            location = positions.locate(path + (0,))
            out.append((path, Diagnostic(
                "error", f"指标树过深 / the rubric tree is deeper than {MAX_TREE_DEPTH} levels",
                location, "group the indicators in fewer levels of dimensions", "tree_too_deep")))
            continue
        for i, node in enumerate(nodes):
            if isinstance(node, dict):
                todo.append((path + (i, "children"), node.get("children"), depth + 1))
    return out


def validate_recovering(data: dict, refused: list[tuple[Any, ...]], validate, report, damage: Damage,
                        register_placeholder) -> tuple[Any, dict[str, list[int]]]:
    """Validate *data*, repairing a copy until it passes; return the (partial) document, or None.

    Also returned: for each top-level list (gates, tiers ...), the original index of each item
    kept, so that errors about the repaired document still point at the right item.

    *refused* are data paths the reader already refused and reported; *validate(data)* raises
    pydantic's ValidationError; *report(exc, data, hidden)* reports the first pass's errors
    except those under the *hidden* paths (consequences of a refused value); later passes
    only see consequences of the repairs and are not reported. *register_placeholder(new_id,
    path)* lets the caller locate a node whose id was replaced.
    """
    from pydantic import ValidationError as PydanticValidationError

    from tlr.rubric.model import TAGGED_MODELS, AnyDocument
    from tlr.validation import data_path, model_at

    work = data  # copied before the first repair only: a valid rubric costs no copy
    repairer = _Repairer(work, damage, register_placeholder)
    pending = [(path, False, False) for path in refused]
    first = True
    for _ in range(_MAX_PASSES):
        try:
            document = validate(work)
            failed = None
        except PydanticValidationError as exc:
            failed = exc
        if failed is None and not pending:
            return document, repairer.kept
        if failed is not None:
            if first:
                report(failed, work, refused)
            for err in failed.errors(include_url=False):
                loc = tuple(err["loc"])
                extra = err["type"] == "extra_forbidden"
                model = model_at(AnyDocument, loc[:-1], TAGGED_MODELS) if extra else None
                pending.append((data_path(work, loc), extra, model is not None and model.__name__ == "I18nText"))
        if first:
            work = repairer.work = copy.deepcopy(data)
            repairer.kept = {name: list(range(len(work[name]))) for name in ITEM_LISTS
                             if isinstance(work.get(name), list)}
        first = False
        if not repairer.repair(pending) and failed is not None:
            break  # no progress is possible
        pending = []
    damage.skip("all", "")
    return None, repairer.kept


class _Repairer:
    def __init__(self, work: dict, damage: Damage, register_placeholder):
        self.work = work
        self.damage = damage
        self.register_placeholder = register_placeholder
        self.placeholders = 0
        self.kept = {name: list(range(len(work[name]))) for name in ITEM_LISTS if isinstance(work.get(name), list)}

    # ---------------------------------------------------------------- classification

    def classify(self, path: tuple[Any, ...]) -> tuple[str, tuple[Any, ...], Any]:
        """(unit kind, unit path, field) of the innermost unit containing *path*."""
        if not path:
            return "root", (), None
        top = path[0]
        if top in NODE_LISTS and len(path) > 1 and isinstance(path[1], int):
            return self._in_node(path, (top, path[1]))
        if top == "add" and len(path) > 1:
            if len(path) > 2 and isinstance(path[2], int):
                return self._in_node(path, ("add", path[1], path[2]))
            return "entry", ("add", path[1]), None
        if top == "scales" and len(path) > 1:
            return "scale", ("scales", path[1]), path[2] if len(path) > 2 else None
        if top in ITEM_LISTS and len(path) > 1 and isinstance(path[1], int):
            return "item", (top, path[1]), path[2] if len(path) > 2 else None
        if top in ENTRY_MAPS and len(path) > 1:
            return "entry", (top, path[1]), None
        return "root", (), top

    def _in_node(self, path: tuple[Any, ...], unit: tuple[Any, ...]) -> tuple[str, tuple[Any, ...], Any]:
        while True:
            rest = path[len(unit):]
            if len(rest) >= 2 and rest[0] == "children" and isinstance(rest[1], int):
                unit = unit + rest[:2]
                continue
            return "node", unit, rest[0] if rest else None

    # ---------------------------------------------------------------- data access

    def get(self, path: tuple[Any, ...]) -> Any:
        current: Any = self.work
        for part in path:
            if isinstance(current, dict) and part in current:
                current = current[part]
            elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
                current = current[part]
            else:
                return _MISSING
        return current

    def node_id(self, unit: tuple[Any, ...]) -> str | None:
        node = self.get(unit)
        value = node.get("id") if isinstance(node, dict) else None
        return value if isinstance(value, str) else None

    def parent_id(self, unit: tuple[Any, ...]) -> str | None:
        if unit[0] == "dimensions" and len(unit) == 2:
            return "root"
        if unit[0] == "add" and len(unit) == 3:
            return str(unit[1])
        if len(unit) >= 3 and unit[-2] == "children":
            return self.node_id(unit[:-2])
        return None

    # ---------------------------------------------------------------- repairs

    def repair(self, problems: list[tuple[tuple[Any, ...], bool, bool]]) -> bool:
        """Apply one repair per problem (ids first, list removals last, from the end); True if anything changed."""
        changed = False
        prunes: list[tuple[tuple[Any, ...], str]] = []
        ordered = sorted(problems, key=lambda p: 0 if (len(p[0]) and p[0][-1] == "id") else 1)
        for path, extra, text_only in ordered:
            if extra:
                changed |= self._delete(path)
                if not text_only:
                    self._extra_consequences(path)
                continue
            kind, unit, fld = self.classify(path)
            if kind == "root":
                changed |= self._root_field(fld)
            elif kind == "node":
                if fld is None:
                    prunes.append((unit, "node"))
                else:
                    changed |= self._node_field(unit, fld)
            elif kind == "scale":
                name = unit[1]
                self.damage.names.setdefault("scale", set()).add(str(name))
                changed |= self._delete(unit)
            elif kind == "item":
                prunes.append((unit, unit[0]))
            elif kind == "entry":
                target = str(unit[1])
                if unit[0] == "add":
                    self.damage.weights_unknown.add(target)
                else:
                    self.damage.weight_unknown.add(target)
                    self.damage.weights_unknown.add(target)
                changed |= self._delete(unit)
        for unit, what in sorted(prunes, key=lambda u: u[0], reverse=True):
            changed |= self._prune(unit, what)
        return changed

    def _delete(self, path: tuple[Any, ...]) -> bool:
        if not path:
            return False
        container = self.get(path[:-1])
        if isinstance(container, dict) and path[-1] in container:
            del container[path[-1]]
            return True
        return False

    def _set(self, path: tuple[Any, ...], value: Any) -> bool:
        container = self.get(path[:-1])
        if isinstance(container, dict):
            if container.get(path[-1], _MISSING) == value:
                return False
            container[path[-1]] = value
            return True
        return False

    def _prune(self, unit: tuple[Any, ...], what: str) -> bool:
        container = self.get(unit[:-1])
        index = unit[-1]
        if not isinstance(container, list) or not 0 <= index < len(container):
            return False
        item = container[index]
        if what == "node":
            parent = self.parent_id(unit)
            if parent is not None:
                self.damage.weights_unknown.add(parent)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.damage.names.setdefault("node", set()).add(item["id"])
        else:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.damage.names.setdefault(what, set()).add(item["id"])
            if what == "imports":
                self.damage.sections.add("imports")
            if len(unit) == 2 and unit[0] in self.kept:
                del self.kept[unit[0]][index]
        del container[index]
        return True

    def _root_field(self, name: Any) -> bool:
        if name is None:
            return False
        if name in ("id", "version") or (name == "title" and self.work.get("kind") == "scale_library"):
            placeholder = {"id": "invalid", "version": "?", "title": "?"}[name]
            return self._set((name,), placeholder)
        self.damage.sections.add(str(name))
        if name == "ahp":
            self.damage.weights_unknown.add("root")
        return self._delete((name,))

    def _node_field(self, unit: tuple[Any, ...], name: Any) -> bool:
        node = self.get(unit)
        if not isinstance(node, dict):
            return False
        if name == "id":
            self.placeholders += 1
            original = node.get("id")
            if isinstance(original, str):
                self.damage.names.setdefault("node", set()).add(original)
            new_id = f"invalid-id-{self.placeholders}"
            self.register_placeholder(new_id, unit)
            parent = self.parent_id(unit)
            if parent is not None:  # its siblings' weights or AHP judgements name the id as written
                self.damage.weights_unknown.add(parent)
            return self._set(unit + ("id",), new_id)
        if name == "label":
            return self._set(unit + ("label",), "?")
        self._node_consequence(unit, name)
        if name == "scale":
            return self._set(unit + ("scale",), UNREADABLE_SCALE)
        if name == "children":
            return self._set(unit + ("children",), [])
        return self._delete(unit + (name,))

    def _node_consequence(self, unit: tuple[Any, ...], name: Any) -> None:
        node_id = self.node_id(unit)
        if node_id is None:
            return
        if name == "weight":
            self.damage.weight_unknown.add(node_id)
        elif name in ("ahp", "normalize"):
            self.damage.weights_unknown.add(node_id)
        elif name == "children":
            self.damage.children_unknown.add(node_id)
            self.damage.weights_unknown.add(node_id)
        elif name == "scale":
            self.damage.scale_unknown.add(node_id)
        elif name == "role":
            parent = self.parent_id(unit)
            if parent is not None:
                self.damage.weights_unknown.add(parent)

    def _extra_consequences(self, path: tuple[Any, ...]) -> None:
        """An unknown key may be a misspelt known one: treat the known one as unreadable when it is absent."""
        kind, unit, fld = self.classify(path)
        key = path[-1] if path else None
        if kind == "node":
            node = self.get(unit)
            if fld == key:  # directly on the node: perhaps 'weigth' for 'weight'
                close = difflib.get_close_matches(str(key), _NODE_FIELD_CONSEQUENCE, n=1, cutoff=0.6)
                if close and isinstance(node, dict) and close[0] not in node:
                    self._node_consequence(unit, close[0])
            else:  # inside a field (ahp, inline scale ...): that field is unsure
                if fld == "scale":
                    self._node_consequence(unit, "scale")
                    self._set(unit + ("scale",), UNREADABLE_SCALE)
                else:
                    self._node_consequence(unit, fld)
        elif kind == "scale":
            close = difflib.get_close_matches(str(key), ["min", "max", "step", "levels", "anchors", "bands",
                                                         "transform", "grades", "direction"], n=1, cutoff=0.6)
            if close or fld != key:
                self.damage.names.setdefault("scale", set()).add(str(unit[1]))
                self._delete(unit)
        elif kind == "root":
            if fld == key:
                from tlr.rubric.model import RubricDocument

                close = difflib.get_close_matches(str(key), list(RubricDocument.model_fields), n=1, cutoff=0.6)
                if close and close[0] not in self.work:
                    self.damage.sections.add(close[0])
                    if close[0] == "ahp":
                        self.damage.weights_unknown.add("root")
            else:
                self.damage.sections.add(str(fld))
                if fld == "ahp":
                    self.damage.weights_unknown.add("root")


_MISSING = object()
