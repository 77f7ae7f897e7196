"""What a rubric edit changes: the structural difference between two resolved rubrics.

Pure: two :class:`~tlr.rubric.Rubric` in (each with its ``extends``/``imports`` merged), a
:class:`RubricDiff` out. Language-free: labels stay the rubric's own texts, values the file format's.

Matching rule (documented in docs/rubric-library.md):

* Nodes (dimensions and indicators) are matched by **id**. The same id with a new label is a
  *relabel* (``renamed``); a new parent is a *move*.
* An id that disappears while another appears is reported as **one id rename** (``id_renamed``) only
  when it is unambiguous: the two nodes are of the same kind, sit at the same position (same parent,
  same index among the siblings) and, for indicators, have the same scale; and no other removed or
  added node matches either of them. Anything else is a removal plus an addition.
* Gates, tiers and routes are matched by id; the order of tiers and routes matters (first match wins),
  so a new order is a change of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlr.rubric.rubric import NodeInfo, Rubric

__all__ = ["Change", "WeightRow", "RubricDiff", "diff_rubrics", "SECTIONS"]

WEIGHT_TOL = 1e-12

# section -> (Chinese, English) heading
SECTIONS: dict[str, tuple[str, str]] = {
    "rubric": ("评价体系", "rubric"),
    "node": ("指标与维度", "indicators and dimensions"),
    "scale": ("量表", "scales"),
    "gate": ("一票否决", "gates (knock-outs)"),
    "tier": ("推荐档次", "tiers"),
    "route": ("支持路径", "routes"),
    "panel": ("专家组规则", "panel rules"),
    "aggregation": ("合成方法", "aggregation"),
}


@dataclass(frozen=True)
class Change:
    """One difference. ``change``: added | removed | renamed (same id, new label) | id_renamed | moved | changed.

    ``id`` names the node, gate, tier or route (``None`` for a rubric-wide setting); ``field`` the part
    that changed (``label``, ``when``, ``min``, ``anchors`` ...); ``before`` / ``after`` are plain data.
    """

    section: str
    change: str
    id: str | None = None
    field: str | None = None
    before: Any = None
    after: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "change": self.change, "id": self.id, "field": self.field,
                "before": self.before, "after": self.after}


@dataclass(frozen=True)
class WeightRow:
    """A node's weights before and after (``None`` where the node is absent); ``after_id`` differs from
    ``id`` for an id rename."""

    id: str
    after_id: str | None
    kind: str
    local_before: float | None
    local_after: float | None
    global_before: float | None
    global_after: float | None
    scored: bool  # a scored indicator in either version (its global weight enters the composite)

    @property
    def changed(self) -> bool:
        pairs = ((self.local_before, self.local_after), (self.global_before, self.global_after))
        return any((a is None) != (b is None) or (a is not None and abs(a - b) > WEIGHT_TOL) for a, b in pairs)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "after_id": self.after_id, "kind": self.kind, "scored": self.scored,
                "local_before": self.local_before, "local_after": self.local_after,
                "global_before": self.global_before, "global_after": self.global_after, "changed": self.changed}


@dataclass(frozen=True)
class RubricDiff:
    """The difference between rubric ``old`` and rubric ``new``."""

    old: dict[str, Any]     # id, version, content_hash
    new: dict[str, Any]
    changes: tuple[Change, ...]
    weights: tuple[WeightRow, ...] = field(default=())   # every node of either version, tree order
    renamed_ids: dict[str, str] = field(default_factory=dict)   # old id -> new id (detected id renames)

    @property
    def same_content(self) -> bool:
        return self.old["content_hash"] == self.new["content_hash"]

    @property
    def weight_changes(self) -> tuple[WeightRow, ...]:
        return tuple(w for w in self.weights if w.changed)

    @property
    def empty(self) -> bool:
        """No structural change and no weight change (the id and version may still differ)."""
        return not self.weight_changes and not [c for c in self.changes if c.section != "rubric"
                                                or c.field not in ("id", "version")]

    def section(self, name: str) -> list[Change]:
        return [c for c in self.changes if c.section == name]

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "same_content": self.same_content, "empty": self.empty,
                "renamed_ids": self.renamed_ids, "changes": [c.to_dict() for c in self.changes],
                "weight_changes": [w.to_dict() for w in self.weight_changes]}


def _dump(model: Any) -> Any:
    if model is None:
        return None
    if hasattr(model, "model_dump"):
        return model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return model


def _ident(rub: Rubric) -> dict[str, Any]:
    return {"id": rub.id, "version": rub.version, "content_hash": rub.content_hash}


def _fields(section: str, ident: str | None, before: dict, after: dict, skip: tuple[str, ...] = ()) -> list[Change]:
    """One ``changed`` per top-level key whose value differs (keys in first-seen order)."""
    keys = list(dict.fromkeys([*before, *after]))
    return [Change(section, "changed", ident, k, before.get(k), after.get(k))
            for k in keys if k not in skip and before.get(k) != after.get(k)]


def _position(rub: Rubric, node: NodeInfo) -> tuple[str | None, int]:
    return node.parent, [n.id for n in rub.children(node.parent)].index(node.id)


def _signature(node: NodeInfo) -> Any:
    return _dump(node.scale) if node.kind == "indicator" else None


def _id_renames(old: Rubric, new: Rubric) -> dict[str, str]:
    """Removed id -> added id, only for unambiguous pairs (see the module docstring)."""
    old_ids = {n.id for n in old.nodes}
    new_ids = {n.id for n in new.nodes}
    removed = [n for n in old.nodes if n.id not in new_ids]
    added = [n for n in new.nodes if n.id not in old_ids]

    def match(a: NodeInfo, b: NodeInfo) -> bool:
        return (a.kind == b.kind and _position(old, a) == _position(new, b)
                and _signature(a) == _signature(b) and a.role == b.role)

    out = {}
    for a in removed:
        partners = [b for b in added if match(a, b)]
        if len(partners) == 1 and sum(match(x, partners[0]) for x in removed) == 1:
            out[a.id] = partners[0].id
    return out


def _node_changes(old: Rubric, new: Rubric, renames: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    old_ids = {n.id for n in old.nodes}
    new_ids = {n.id for n in new.nodes}
    back = {v: k for k, v in renames.items()}
    for a in old.nodes:
        if a.id in renames:
            out.append(Change("node", "id_renamed", a.id, "id", a.id, renames[a.id]))
        elif a.id not in new_ids:
            out.append(Change("node", "removed", a.id, a.kind, _dump(a.label), None))
    for b in new.nodes:
        if b.id not in back and b.id not in old_ids:
            out.append(Change("node", "added", b.id, b.kind, None, _dump(b.label)))
    for b in new.nodes:
        old_id = back.get(b.id, b.id)
        try:
            a = old.node(old_id)
        except KeyError:
            continue
        if _dump(a.label) != _dump(b.label):
            out.append(Change("node", "renamed", b.id, "label", _dump(a.label), _dump(b.label)))
        if a.kind != b.kind:
            out.append(Change("node", "changed", b.id, "kind", a.kind, b.kind))
        if renames.get(a.parent, a.parent) != b.parent:
            out.append(Change("node", "moved", b.id, "parent", a.parent, b.parent))
        if a.role != b.role:
            out.append(Change("node", "changed", b.id, "role", a.role, b.role))
        if a.model.applies_to != b.model.applies_to:
            out.append(Change("node", "changed", b.id, "applies_to", a.model.applies_to, b.model.applies_to))
        if a.kind == "dimension" and b.kind == "dimension" and _dump(a.model.ahp) != _dump(b.model.ahp):
            out.append(Change("node", "changed", b.id, "ahp", _dump(a.model.ahp), _dump(b.model.ahp)))
    return out


def _scale_changes(old: Rubric, new: Rubric, renames: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    back = {v: k for k, v in renames.items()}
    for b in new.indicators:
        try:
            a = old.node(back.get(b.id, b.id))
        except KeyError:
            continue
        if a.kind != "indicator":
            continue
        sa, sb = _dump(a.scale), _dump(b.scale)
        if sa.get("kind") != sb.get("kind"):
            out.append(Change("scale", "changed", b.id, "kind", sa, sb))
        else:
            out.extend(_fields("scale", b.id, sa, sb))
        if a.model.points != b.model.points:
            out.append(Change("scale", "changed", b.id, "points", _dump(a.model.points), _dump(b.model.points)))
    return out


def _rules(section: str, before: list, after: list, ordered: bool) -> list[Change]:
    out: list[Change] = []
    a = {r.id: _dump(r) for r in before or []}
    b = {r.id: _dump(r) for r in after or []}
    for rid in a:
        if rid not in b:
            out.append(Change(section, "removed", rid, None, a[rid], None))
    for rid in b:
        if rid not in a:
            out.append(Change(section, "added", rid, None, None, b[rid]))
        else:
            out.extend(_fields(section, rid, a[rid], b[rid], skip=("id",)))
    if ordered:
        kept_a = [r for r in a if r in b]
        kept_b = [r for r in b if r in a]
        if kept_a != kept_b:
            out.append(Change(section, "changed", None, "order", kept_a, kept_b))
    return out


def _weights(old: Rubric, new: Rubric, renames: dict[str, str]) -> list[WeightRow]:
    rows: list[WeightRow] = []
    new_index = {n.id: n for n in new.nodes}
    seen = set()
    for a in old.nodes:
        b = new_index.get(renames.get(a.id, a.id))
        if b is not None:
            seen.add(b.id)
        scored = (a.kind == "indicator" and a.role == "score") or (
            b is not None and b.kind == "indicator" and b.role == "score")
        rows.append(WeightRow(a.id, b.id if b else None, a.kind, a.local_weight, b.local_weight if b else None,
                              a.global_weight, b.global_weight if b else None, scored))
    for b in new.nodes:
        if b.id not in seen:
            rows.append(WeightRow(b.id, b.id, b.kind, None, b.local_weight, None, b.global_weight,
                                  b.kind == "indicator" and b.role == "score"))
    return rows


def diff_rubrics(old: Rubric, new: Rubric) -> RubricDiff:
    """Every structural and weight difference from *old* to *new* (both resolved rubrics)."""
    od, nd = old.document, new.document
    renames = _id_renames(old, new)
    top_old = {"id": od.id, "version": od.version, "title": _dump(od.title), "score_scale": od.score_scale,
               "readiness": od.readiness, "normalize": od.normalize, "applies_to": list(od.applies_to),
               "ahp": _dump(od.ahp)}
    top_new = {"id": nd.id, "version": nd.version, "title": _dump(nd.title), "score_scale": nd.score_scale,
               "readiness": nd.readiness, "normalize": nd.normalize, "applies_to": list(nd.applies_to),
               "ahp": _dump(nd.ahp)}
    changes = _fields("rubric", None, top_old, top_new)
    changes += _node_changes(old, new, renames)
    changes += _scale_changes(old, new, renames)
    changes += _rules("gate", od.gates, nd.gates, ordered=False)
    changes += _rules("tier", od.tiers, nd.tiers, ordered=True)
    changes += _rules("route", od.routes, nd.routes, ordered=True)
    panel_old = {**_dump(od.panel), "calibration": od.panel.calibration_method}
    panel_new = {**_dump(nd.panel), "calibration": nd.panel.calibration_method}
    changes += _fields("panel", None, panel_old, panel_new)
    changes += _fields("aggregation", None, _dump(od.aggregation), _dump(nd.aggregation))
    return RubricDiff(_ident(old), _ident(new), tuple(changes), tuple(_weights(old, new, renames)), renames)


def value_text(value: Any, lang: str = "zh") -> str:
    """A before/after value as short text in *lang*: a bilingual label in its language, a condition as
    ``trl < 4``, other structures as compact JSON; absent as ``—``."""
    import json

    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        if set(value) <= {"zh", "en"} and value:
            return str(value.get(lang) or next(iter(value.values())))
        if "op" in value and "ref" in value:
            shown = value.get("value")
            return f"{value['ref']} {value['op']} {value_text(shown, lang)}"
        if "all" in value or "any" in value:
            parts = value.get("all") if "all" in value else value.get("any")
            word = ((" 且 " if lang == "zh" else " and ") if "all" in value
                    else (" 或 " if lang == "zh" else " or "))
            return "(" + word.join(value_text(p, lang) for p in parts) + ")"
        if "not" in value:
            return ("非 " if lang == "zh" else "not ") + value_text(value["not"], lang)
    if isinstance(value, list):
        if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return ", ".join(value_text(v, lang) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "added": ("新增", "added"), "removed": ("删除", "removed"), "renamed": ("改名", "relabelled"),
    "id_renamed": ("改编号", "id renamed"), "moved": ("移动", "moved"), "changed": ("修改", "changed"),
}
