"""Scaffold a new rubric from a shipped template (``tlr rubric new``).

The template is read as data (the shipped YAML), the scale libraries it imports are copied into its
``scales:`` (the new file may live anywhere, so no relative import would still resolve), and the top-level
dimensions are cut to the ones chosen. What referred to a dimension that was cut goes with it: gates and
routes whose condition names it, a tier's extra condition, ``readiness``. The top-level AHP judgements
are kept for the chosen dimensions; if what is left is not consistent enough for ``check --strict``, the
template's own weights of the chosen dimensions, rescaled to sum to 1, are written as direct weights.

The text is checked before it is returned: a scaffold is always a rubric ``tlr rubric check --strict``
accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlr.errors import Diagnostic, Location, ValidationError

TEMPLATES = {"five-value": "gbt44731-five-value.yaml", "fund-screening": "fund-screening.yaml", "blank": None}
BLANK_DIMENSIONS = ("technology", "market", "team")
MAX_DIMENSIONS = 50
SUFFIX = "_score"  # a blank dimension's one indicator: <dimension>_score


@dataclass(frozen=True)
class Scaffold:
    """The text of a new rubric and what it holds."""

    text: str
    template: str
    dimensions: tuple[str, ...]
    indicators: int


def _refuse(message: str, field: str, hint: str, code: str = "invalid") -> ValidationError:
    return ValidationError([Diagnostic("error", message, Location(field=field), hint, code)])


def parse_dimensions(text: str | None) -> list[str] | None:
    """``a,b,c`` -> ``['a', 'b', 'c']``; every id valid and named once."""
    from tlr.rubric.model import ID_MAX, ID_PATTERN

    if text is None:
        return None
    ids = [part.strip() for part in text.split(",")]
    if not any(ids):
        raise _refuse("没有给出维度 / no dimension given", "--dimensions", "e.g. --dimensions tech,market")
    if len(ids) > MAX_DIMENSIONS:
        raise _refuse(f"维度过多（{len(ids)}）/ too many dimensions ({len(ids)}, at most {MAX_DIMENSIONS})",
                      "--dimensions", "name the top-level dimensions only")
    for dim in ids:
        if not re.fullmatch(ID_PATTERN, dim) or len(dim) > ID_MAX - len(SUFFIX):
            raise _refuse(f"无效的维度标识 / invalid dimension id {dim[:60]!r}", "--dimensions",
                          f"a letter, then letters, digits, '_', '.', '-' (at most {ID_MAX - len(SUFFIX)} "
                          "characters), separated by commas")
    seen = [d for i, d in enumerate(ids) if d in ids[:i]]
    if seen:
        raise _refuse(f"维度重复 / dimension named twice: {seen[0]}", "--dimensions", "name each dimension once")
    if "root" in ids:
        raise _refuse("'root' 是保留标识 / 'root' is a reserved id", "--dimensions", "choose another id")
    return ids


def check_name(name: str) -> str:
    """The new rubric's id: a valid id."""
    from tlr.rubric.model import ID_MAX, ID_PATTERN

    if not re.fullmatch(ID_PATTERN, name) or len(name) > ID_MAX:
        raise _refuse(f"无效的评价体系标识 / invalid rubric id {name[:60]!r}", "NAME",
                      f"a letter, then letters, digits, '_', '.', '-' (at most {ID_MAX} characters), "
                      "e.g. my-fund-2026")
    return name


def scaffold(name: str, template: str, dimensions: list[str] | None, schema_ref: str | None) -> Scaffold:
    """The text of rubric *name* from *template*, cut to *dimensions* (all when ``None``).

    *schema_ref*: the path or URL written in the ``# yaml-language-server: $schema=`` first line.
    """
    check_name(name)
    if template == "blank":
        data = _blank(name, dimensions or list(BLANK_DIMENSIONS))
    else:
        data = _from_template(name, template, dimensions)
    chosen = tuple(d["id"] for d in data["dimensions"])
    text = _render(data, template, schema_ref)
    rubric = _verify(text)
    if rubric.warnings and data.get("ahp"):  # the cut judgements are too inconsistent: the template's weights
        data = _direct_weights(data, _template_weights(template))
        text = _render(data, template, schema_ref)
        rubric = _verify(text)
    if rubric.warnings:  # pragma: no cover - a template that does not pass check --strict is a bug
        raise AssertionError("\n".join(d.format() for d in rubric.warnings))
    return Scaffold(text, template, chosen, len(rubric.indicators))


# --------------------------------------------------------------------------- templates


def _load(path: Path) -> Any:
    from tlr.yamlio import load_yaml

    return load_yaml(path)[0]


def _template_path(template: str) -> Path:
    from tlr.resources import data_dir

    return data_dir("rubrics") / TEMPLATES[template]


def _from_template(name: str, template: str, dimensions: list[str] | None) -> dict[str, Any]:
    path = _template_path(template)
    data = _inline_imports(dict(_load(path)), path.parent)
    data["id"] = name
    data["version"] = "0.1.0"
    if dimensions is None:
        return data
    by_id = {d["id"]: d for d in data["dimensions"]}
    unknown = [d for d in dimensions if d not in by_id]
    if unknown:
        raise _refuse(f"模板 {template} 没有维度 / the {template} template has no dimension '{unknown[0]}'",
                      "--dimensions", "its dimensions: " + ", ".join(by_id))
    original = list(by_id)
    kept = [by_id[d] for d in dimensions]
    removed = {i for d in data["dimensions"] if d["id"] not in dimensions for i in _subtree_ids(d)}
    data["dimensions"] = kept
    if data.get("readiness") in removed:
        del data["readiness"]
        removed.add("readiness")
    _prune_rules(data, removed)
    _cut_ahp(data, dimensions, original)
    return data


def _inline_imports(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    scales: dict[str, Any] = {}
    sources = list(data.get("sources") or [])
    for entry in data.pop("imports", None) or []:
        file, rename = (entry, {}) if isinstance(entry, str) else (entry["file"], entry.get("rename") or {})
        library = _load(folder / file)
        for scale_name, scale in library["scales"].items():
            scales[rename.get(scale_name, scale_name)] = scale
        known = {s["id"] for s in sources}
        sources += [s for s in library.get("sources") or [] if s["id"] not in known]
    data["scales"] = {**scales, **(data.get("scales") or {})}
    if sources:
        data["sources"] = sources
    return data


def _subtree_ids(node: dict[str, Any]) -> list[str]:
    return [node["id"]] + [i for child in node.get("children") or [] for i in _subtree_ids(child)]


def _refs(condition: Any) -> set[str]:
    if not isinstance(condition, dict):
        return set()
    out = {condition["ref"]} if isinstance(condition.get("ref"), str) else set()
    for key in ("all", "any"):
        for part in condition.get(key) or []:
            out |= _refs(part)
    return out | _refs(condition.get("not"))


def _prune_rules(data: dict[str, Any], removed: set[str]) -> None:
    def names_removed(rule: dict[str, Any]) -> bool:
        return bool(_refs(rule.get("when")) & removed)

    routes = [r for r in data.get("routes") or [] if not names_removed(r)]
    route_ids = {r["id"] for r in routes}
    gates = []
    for gate in data.get("gates") or []:
        if names_removed(gate):
            continue
        if gate.get("route") is not None and gate["route"] not in route_ids:
            gate = {k: v for k, v in gate.items() if k != "route"}
        gates.append(gate)
    tiers = [{k: v for k, v in t.items() if k != "when"} if names_removed(t) else t for t in data.get("tiers") or []]
    for key, rules in (("routes", routes), ("gates", gates), ("tiers", tiers)):
        if rules:
            data[key] = rules
        else:
            data.pop(key, None)


def _cut_ahp(data: dict[str, Any], kept: list[str], original: list[str]) -> None:
    ahp = data.get("ahp")
    if not ahp:
        weights = [d.get("weight") for d in data["dimensions"]]
        if all(isinstance(w, (int, float)) for w in weights):
            data["dimensions"] = _rescaled(data["dimensions"], weights)
        return
    if len(kept) == 1:
        del data["ahp"]
        data["dimensions"] = [{**data["dimensions"][0], "weight": 1}]
        return
    ahp = dict(ahp)
    if ahp.get("judgements") is not None:
        ahp["judgements"] = [j for j in ahp["judgements"] if j[0] in kept and j[1] in kept]
    if ahp.get("matrix") is not None:
        order = ahp.get("order") or original
        rows = [order.index(k) for k in kept]
        ahp["matrix"] = [[ahp["matrix"][r][c] for c in rows] for r in rows]
        ahp["order"] = list(kept)
    data["ahp"] = ahp


def _template_weights(template: str) -> dict[str, float]:
    from tlr.rubric import load_rubric

    rubric = load_rubric(_template_path(template))
    return {n.id: n.local_weight for n in rubric.nodes if n.parent is None}


def _rescaled(dimensions: list[dict[str, Any]], weights: list[float]) -> list[dict[str, Any]]:
    total = sum(weights)
    shares = [round(w / total, 4) for w in weights]
    shares[-1] = round(1 - sum(shares[:-1]), 4)
    return [{**d, "weight": share} for d, share in zip(dimensions, shares)]


def _direct_weights(data: dict[str, Any], weights: dict[str, float]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k != "ahp"}
    data["dimensions"] = _rescaled(data["dimensions"], [weights[d["id"]] for d in data["dimensions"]])
    return data


def _blank(name: str, dimensions: list[str]) -> dict[str, Any]:
    return {
        "format": 1,
        "id": name,
        "version": "0.1.0",
        "title": {"zh": name, "en": name},
        "description": {"zh": "空白评价体系：请改写维度、指标、锚点与权重，再用 tlr rubric check --strict 检查。",
                        "en": "A blank rubric: rewrite the dimensions, indicators, anchors and weights, then run "
                              "tlr rubric check --strict."},
        "normalize": True,  # equal weights to start with: each dimension weighs 1, rescaled to sum to 1
        "scales": {"likert5": {"kind": "likert", "min": 1, "max": 5, "anchors": {
            1: {"zh": "很差", "en": "poor"}, 3: {"zh": "一般", "en": "fair"}, 5: {"zh": "优秀", "en": "excellent"}}}},
        "dimensions": [
            {"id": dim, "label": {"zh": dim, "en": dim}, "weight": 1,
             "children": [{"id": dim + SUFFIX, "label": {"zh": f"{dim} 评分", "en": f"{dim} score"},
                           "scale": "likert5", "weight": 1}]}
            for dim in dimensions],
        "tiers": [{"id": "A", "label": {"zh": "推荐", "en": "Recommended"}, "min_score": 80},
                  {"id": "B", "label": {"zh": "待定", "en": "To discuss"}, "min_score": 60},
                  {"id": "C", "label": {"zh": "暂不推荐", "en": "Not recommended"}}],
    }


# --------------------------------------------------------------------------- text


def _render(data: dict[str, Any], template: str, schema_ref: str | None) -> str:
    import yaml

    head = []
    if schema_ref:
        head.append(f"# yaml-language-server: $schema={schema_ref}")
    head += [f"# 由 tlr rubric new 从模板 {template} 生成 / scaffolded by `tlr rubric new` from the {template} template.",
             "# 改完后检查 / check it after every edit: tlr rubric check --strict <this file>"]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
    return "\n".join(head) + "\n" + body


def _verify(text: str):
    """The rubric the text describes, through the same reader and checks as a file; refused text is a bug."""
    from tlr.rubric import rubric_from_data
    from tlr.yamlio import parse_yaml

    parsed = parse_yaml("<scaffold>", text)
    if parsed.problems:  # pragma: no cover - the YAML is ours
        raise AssertionError("\n".join(d.format() for d in parsed.diagnostics))
    return rubric_from_data(parsed.data, "<scaffold>")
