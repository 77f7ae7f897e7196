"""Context for the expert scoring manual (``manual.html.j2``): a rubric as the experts score it.

Every indicator with its scale, anchors (levels, Likert anchors/bands, grades, numeric transform,
yes/no), guidance and weight; gates and tiers at the end. Works on a resolved
:class:`tlr.rubric.Rubric` (duck-typed: ``nodes``, ``document``, ``ahp``, ``content_hash``).
"""

from __future__ import annotations

from typing import Any

from tlr.text import tr


def scale_view(scale: Any, lang: str) -> dict:
    """``{kind, title, summary, rows: [(anchor, text, detail)]}`` for one resolved scale."""
    from tlr.rubric.kinds import kind_of
    from tlr.rubric.scales import describe_scale

    kind = getattr(scale, "kind", None)
    view = {"kind": kind, "title": tr(getattr(scale, "label", None), lang), "summary": "", "rows": []}
    if scale is None:
        return view
    try:
        view["summary"] = describe_scale(scale, lang)
    except Exception:  # pragma: no cover
        view["summary"] = str(kind)
    view.update(kind_of(scale).manual_view(scale, lang))
    return view


def manual_context(rubric: Any, *, fmt: str, lang: str = "zh") -> dict:
    from tlr.report.fonts import FONT_FAMILY
    from tlr.report.strings import ui

    s = ui(lang)
    doc = rubric.document
    nodes = []
    for n in rubric.nodes:
        m = n.model
        item = {"id": n.id, "kind": n.kind, "depth": n.depth, "label": tr(n.label, lang),
                "description": tr(getattr(m, "description", None), lang),
                "guidance": tr(getattr(m, "guidance", None), lang), "local_weight": n.local_weight,
                "global_weight": n.global_weight, "role": n.role, "scale": None}
        if n.kind == "indicator":
            item["scale"] = scale_view(n.scale, lang)
        ahp = rubric.ahp.get(n.id)
        item["cr"] = float(ahp.cr) if ahp is not None and n.kind == "dimension" else None
        nodes.append(item)
    gates = [{"id": g.id, "label": tr(g.label, lang), "reason": tr(g.reason, lang), "effect": g.effect}
             for g in (doc.gates or [])]
    tiers = [{"code": t.id, "label": tr(t.label, lang), "min_score": t.min_score} for t in (doc.tiers or [])]
    sources = [{"id": src.id, "title": tr(src.title, lang), "ref": src.ref or ""} for src in (doc.sources or [])]
    root = rubric.ahp.get("root")
    return {
        "fmt": fmt, "lang": lang, "s": s, "title": tr(doc.title, lang), "rubric_id": rubric.id,
        "version": rubric.version, "hash": rubric.content_hash, "description": tr(doc.description, lang),
        "nodes": nodes, "gates": gates, "tiers": tiers, "sources": sources,
        "n_indicators": sum(1 for n in nodes if n["kind"] == "indicator"),
        "root_cr": float(root.cr) if root is not None else None, "font": {"family": FONT_FAMILY},
    }
