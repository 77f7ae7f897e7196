"""The resolved rubric: one validated tree with local and global weights, ready to score with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from tlr.errors import Diagnostic
from tlr.rubric.model import Dimension, Indicator, RubricDocument
from tlr.text import Text


@dataclass(frozen=True)
class NodeInfo:
    """One dimension or indicator of a resolved rubric, with its weights.

    ``local_weight`` is the weight among its siblings, ``global_weight`` the product
    of local weights from the top; both are 0 for indicators whose role is not
    ``score`` (axes and gate-only indicators).
    """

    id: str
    kind: str  # "dimension" | "indicator"
    label: Text
    parent: str | None
    depth: int
    path: tuple[str, ...]
    local_weight: float
    global_weight: float
    model: Dimension | Indicator
    scale: Any = None  # resolved scale model, for indicators
    role: str = "score"

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"


@dataclass(frozen=True)
class Rubric:
    """A validated rubric with every ``extends``/``imports`` merged and every weight resolved.

    Build it with :func:`tlr.rubric.load_rubric` (from files) or :meth:`from_json`
    (from the frozen copy a campaign keeps).
    """

    document: RubricDocument
    nodes: tuple[NodeInfo, ...]
    ahp: dict[str, Any]  # node id ("root" for the top) -> tlr.weighting result
    warnings: tuple[Diagnostic, ...] = ()
    files: tuple[tuple[str, str], ...] = ()  # (path, sha256 of the file text)
    _index: dict[str, NodeInfo] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({n.id: n for n in self.nodes})

    # -- identity
    @property
    def id(self) -> str:
        return self.document.id

    @property
    def version(self) -> str:
        return self.document.version

    @property
    def title(self) -> Text:
        return self.document.title

    def canonical_json(self) -> str:
        """The resolved document as canonical JSON (sorted keys, no whitespace): what the hash covers."""
        data = self.document.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`canonical_json`: equal for equal content, whatever the file layout."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return self.canonical_json()

    @property
    def panel_defaults(self) -> tuple[str, ...]:
        """Panel rules the rubric file does not state, so their defaults apply (``min_experts`` ...).

        A campaign's frozen copy states every field; the campaign records this list when it is created
        (``Ledger.rubric_summary()["panel"]["defaults"]``).
        """
        from tlr.rubric.model import PanelRules

        stated = self.document.panel.model_fields_set
        return tuple(name for name in PanelRules.model_fields if name not in stated)

    @classmethod
    def from_json(cls, text: str, name: str = "<frozen rubric>") -> "Rubric":
        from tlr.rubric import rubric_from_data

        return rubric_from_data(json.loads(text), name)

    # -- tree access
    @property
    def indicators(self) -> list[NodeInfo]:
        """All indicators in tree order (scored, axes and gate-only)."""
        return [n for n in self.nodes if n.kind == "indicator"]

    @property
    def scored_indicators(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.kind == "indicator" and n.role == "score"]

    @property
    def dimensions(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.kind == "dimension"]

    def node(self, node_id: str) -> NodeInfo:
        try:
            return self._index[node_id]
        except KeyError:
            raise KeyError(f"unknown node '{node_id}'") from None

    def indicator(self, indicator_id: str) -> NodeInfo:
        node = self.node(indicator_id)
        if node.kind != "indicator":
            raise KeyError(f"'{indicator_id}' is a dimension, not an indicator")
        return node

    def children(self, node_id: str | None) -> list[NodeInfo]:
        """Direct children of *node_id* (``None`` for the top level), in order."""
        return [n for n in self.nodes if n.parent == node_id]

    def global_weights(self) -> "np.ndarray":
        """Global weights of the scored indicators (in :attr:`scored_indicators` order); they sum to 1."""
        import numpy as np

        return np.array([n.global_weight for n in self.scored_indicators])


def build_nodes(document: RubricDocument, local: dict[str, dict[str, float]]) -> tuple[NodeInfo, ...]:
    """Flatten the tree depth-first; *local* maps parent id ("root") -> child id -> local weight."""
    out: list[NodeInfo] = []

    def walk(nodes: list[Any], parent: str | None, depth: int, path: tuple[str, ...], parent_global: float) -> None:
        weights = local.get(parent or "root", {})
        for node in nodes:
            lw = float(weights.get(node.id, 0.0))
            gw = parent_global * lw
            if isinstance(node, Indicator):
                scale = document.scales.get(node.scale) if isinstance(node.scale, str) else node.scale
                out.append(NodeInfo(node.id, "indicator", node.label, parent, depth, path + (node.id,), lw, gw,
                                    node, scale, node.role))
            else:
                out.append(NodeInfo(node.id, "dimension", node.label, parent, depth, path + (node.id,), lw, gw,
                                    node))
                walk(node.children, node.id, depth + 1, path + (node.id,), gw)

    walk(document.dimensions or [], None, 0, (), 1.0)
    return tuple(out)
