"""The rubric's rules as the campaign applies them: the panel rules and which indicators apply to which
achievement types, summarised once at ``campaign init`` (stored in ``meta``) for commands that need
them without loading the frozen rubric."""

from __future__ import annotations

from typing import Any


def panel_rules(rubric: Any):
    """The rubric's :class:`PanelRules` (defaults if the rubric has none)."""
    for holder in (rubric, getattr(rubric, "document", None), getattr(rubric, "doc", None)):
        rules = getattr(holder, "panel", None) if holder is not None else None
        if rules is not None:
            return rules
    from tlr.rubric.model import PanelRules  # pydantic: only for a rubric without panel rules

    return PanelRules()


def rubric_summary(rubric: Any) -> dict[str, Any]:
    """{"indicators": [{"id", "applies_to": [types] | None}], "panel": {"min_experts", "quorum", "defaults"}}."""
    indicators = []
    for info in rubric.indicators:
        allowed: set[str] | None = None
        for node_id in getattr(info, "path", (info.id,)):
            try:
                types = getattr(rubric.node(node_id).model, "applies_to", None)
            except KeyError:
                continue
            if types:
                allowed = set(types) if allowed is None else allowed & set(types)
        indicators.append({"id": info.id, "applies_to": sorted(allowed) if allowed is not None else None})
    rules = panel_rules(rubric)
    panel = {"min_experts": rules.min_experts, "quorum": rules.quorum}
    defaults = getattr(rubric, "panel_defaults", None)
    if defaults is not None:
        panel["defaults"] = list(defaults)  # rules the rubric file left unstated (the frozen copy states all)
    return {"indicators": indicators, "panel": panel}


def indicator_applies(rubric: Any, info: Any, achievement_type: str | None) -> bool:
    """True when the indicator (and each of its ancestors) applies to this achievement type."""
    if not achievement_type:
        return True
    for node_id in getattr(info, "path", (info.id,)):
        try:
            model = rubric.node(node_id).model
        except KeyError:
            continue
        allowed = getattr(model, "applies_to", None)
        if allowed and achievement_type not in allowed:
            return False
    return True
