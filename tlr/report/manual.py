"""Context for the expert scoring manual (``manual.html.j2``): a rubric as the experts score it.

Every indicator with its scale, anchors (levels, Likert anchors/bands, grades, numeric transform,
yes/no), guidance and weight; gates and tiers at the end. Works on a resolved
:class:`tlr.rubric.Rubric` (duck-typed: ``nodes``, ``document``, ``ahp``, ``content_hash``).
"""

from __future__ import annotations

from typing import Any

from tlr.text import tr


def _fmt(x: float) -> str:
    return f"{x:g}"


def scale_view(scale: Any, lang: str) -> dict:
    """``{kind, title, summary, rows: [(anchor, text, detail)]}`` for one resolved scale."""
    from tlr.rubric.scales import describe_scale

    kind = getattr(scale, "kind", None)
    view = {"kind": kind, "title": tr(getattr(scale, "label", None), lang), "summary": "", "rows": []}
    if scale is None:
        return view
    try:
        view["summary"] = describe_scale(scale, lang)
    except Exception:  # pragma: no cover
        view["summary"] = str(kind)
    rows = view["rows"]
    if kind == "levels":
        abbr = scale.abbreviation or ""
        for lv in scale.levels:
            detail = "；".join(tr(e, lang) for e in lv.evidence) if lv.evidence else ""
            checks = [tr(c.text, lang) for c in lv.checklist]
            rows.append({"anchor": f"{abbr} {lv.level}".strip(), "label": tr(lv.label, lang),
                         "text": tr(lv.descriptor, lang), "detail": detail, "checks": checks})
    elif kind == "likert":
        for value, text in sorted(scale.anchors.items()):
            rows.append({"anchor": _fmt(value), "label": tr(text, lang), "text": "", "detail": "", "checks": []})
        for band in scale.bands:
            rows.append({"anchor": f"{_fmt(band.min)}–{_fmt(band.max)}", "label": tr(band.label, lang),
                         "text": tr(band.descriptor, lang), "detail": "", "checks": []})
    elif kind == "grades":
        for g in scale.grades:
            rows.append({"anchor": _fmt(g.value), "label": tr(g.label, lang), "text": "", "detail": "", "checks": []})
    elif kind == "boolean":
        rows.append({"anchor": tr(scale.true_label, lang), "label": "", "detail": "", "checks": [],
                     "text": ("通过" if lang == "zh" else "passes") if scale.pass_value else
                     ("不通过" if lang == "zh" else "fails")})
        rows.append({"anchor": tr(scale.false_label, lang), "label": "", "detail": "", "checks": [],
                     "text": ("不通过" if lang == "zh" else "fails") if scale.pass_value else
                     ("通过" if lang == "zh" else "passes")})
    elif kind == "numeric":
        unit = scale.unit or ""
        t = scale.transform
        if t.kind == "linear":
            rows.append({"anchor": f"{_fmt(t.lower)} {unit}", "label": "0", "text": "", "detail": "", "checks": []})
            rows.append({"anchor": f"{_fmt(t.upper)} {unit}", "label": "100", "text": "", "detail": "", "checks": []})
        elif t.kind == "thresholds":
            rows.append({"anchor": "<" if scale.direction == "benefit" else ">", "label": _fmt(100 * t.below),
                         "text": "", "detail": "", "checks": []})
            for st in t.steps:
                rows.append({"anchor": f"{'≥' if scale.direction == 'benefit' else '≤'} {_fmt(st.at)} {unit}",
                             "label": _fmt(100 * st.utility), "text": "", "detail": "", "checks": []})
        else:
            for x, u in t.points:
                rows.append({"anchor": f"{_fmt(x)} {unit}", "label": _fmt(100 * u), "text": "", "detail": "",
                             "checks": []})
        view["numeric"] = True
        view["unit"] = unit
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
