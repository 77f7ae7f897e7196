"""Semantic checks over a resolved rubric, and the resolution of its weights.

Everything a schema cannot say: unique ids, scale references, ladders without
gaps, weights that are non-negative and sum to 1, AHP judgements that name real
children and form a complete (or at least connected) comparison graph, gates that
refer to real indicators. All problems are collected, none stops the others.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from tlr.errors import Location
from tlr.rubric.kinds import kind_of
from tlr.rubric.loader import LoadContext, Origin
from tlr.rubric.model import AHPSpec, Condition, Dimension, Indicator, RubricDocument

WEIGHT_TOLERANCE = 1e-6
SAATY_MIN, SAATY_MAX = 1 / 9, 9.0
SPECIAL_REFS = ("composite", "readiness")


@dataclass
class WeightResolution:
    """Local weights of one inner node's scored children (in child order)."""

    node_id: str  # "root" for the top level
    child_ids: list[str]
    weights: list[float]
    ahp: Any | None = None  # tlr.weighting result when weights came from AHP


class _Where:
    """Locates things of the resolved document for error messages."""

    def __init__(self, ctx: LoadContext, document_file: str):
        self.ctx = ctx
        self.file = document_file
        self.seen: dict[str, int] = {}

    def node(self, node_id: str, *sub: Any, key: bool = False, occurrence: int = 0) -> Location:
        origin = self.ctx.origin_of_node(node_id, occurrence)
        if origin is None:
            return Location(file=self.file, field=node_id)
        return origin.locate(*sub, key=key)

    def section(self, name: str, *sub: Any, key: bool = False) -> Location:
        origin = self.ctx.sections.get(name)
        if origin is None:
            return Location(file=self.file, field=".".join(str(s) for s in (name, *sub)))
        return origin.locate(*sub, key=key)

    def scale(self, name: str, *sub: Any) -> Location:
        origin: Origin | None = self.ctx.scale_origins.get(name)
        if origin is None:
            return Location(file=self.file, field=f"scales.{name}")
        return origin.locate(*sub)


def validate_document(doc: RubricDocument, ctx: LoadContext, document_file: str) -> list[WeightResolution]:
    """Check *doc*; add diagnostics to *ctx*; return the weight resolution of every inner node."""
    where = _Where(ctx, document_file)
    lost = ctx.damage
    check_scales(doc, ctx, where)

    ids: dict[str, int] = {}
    indicators: dict[str, Indicator] = {}
    dimensions: dict[str, Dimension] = {}

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            count = ids.get(node.id, 0)
            ids[node.id] = count + 1
            if count:
                ctx.error(f"重复的标识 / duplicate id '{node.id}'", where.node(node.id, "id", occurrence=count),
                          hint="ids must be unique across the whole rubric", code="duplicate_id")
                continue
            if isinstance(node, Indicator):
                indicators[node.id] = node
                _check_points(node, doc, ctx, where)
                if isinstance(node.scale, str):
                    if node.scale not in doc.scales and _scale_lost(lost, node.scale):
                        lost.skip("scale", node.id)
                    elif node.scale not in doc.scales:
                        close = difflib.get_close_matches(node.scale, list(doc.scales), n=1, cutoff=0.6)
                        message = f"未知量表 / unknown scale '{node.scale}'"
                        if close:
                            message += f" — did you mean '{close[0]}'?"
                        ctx.error(message, where.node(node.id, "scale"), code="unknown_scale",
                                  hint=None if close else "define it under `scales:` or import a scale library")
                else:
                    _check_scale(node.scale, ctx, lambda *sub, _id=node.id: where.node(_id, "scale", *sub),
                                 node.id)
            else:
                dimensions[node.id] = node
                if not node.children and node.id in lost.children_unknown:
                    lost.skip("children", node.id)
                elif not node.children:
                    ctx.error(f"空维度 / dimension '{node.id}' has no children", where.node(node.id, "children"),
                              hint="add indicators or remove the dimension", code="empty_dimension")
                walk(node.children)

    if not doc.dimensions and "dimensions" not in lost.sections:
        ctx.error("评价体系没有任何维度 / the rubric has no dimensions", where.section("dimensions"),
                  code="empty_rubric")
    walk(doc.dimensions or [])
    if "root" in ids:
        ctx.error("'root' 是保留标识 / 'root' is a reserved id", where.node("root", "id"), code="reserved_id")

    resolutions: list[WeightResolution] = []
    top = _resolve_weights("root", doc.dimensions or [], doc.ahp, doc.normalize, ctx, where,
                           lambda *sub: where.section("ahp", *sub))
    if top:
        resolutions.append(top)

    def weigh(nodes: list[Any]) -> None:
        for node in nodes:
            if isinstance(node, Dimension) and node.children:
                normalize = doc.normalize if node.normalize is None else node.normalize
                res = _resolve_weights(node.id, node.children, node.ahp, normalize, ctx, where,
                                       lambda *sub, _id=node.id: where.node(_id, "ahp", *sub))
                if res:
                    resolutions.append(res)
                weigh(node.children)

    weigh(doc.dimensions or [])
    _check_rules(doc, ctx, where, indicators, dimensions)
    return resolutions


# --------------------------------------------------------------------------- scales


def _check_scale(scale: Any, ctx: LoadContext, at, name: str) -> None:
    kind_of(scale).check(scale, ctx, at, name)


def _check_points(node: Indicator, doc: RubricDocument, ctx: LoadContext, where: _Where) -> None:
    if node.points is None:
        return
    scale = doc.scales.get(node.scale) if isinstance(node.scale, str) else node.scale
    if scale is None:
        if _scale_lost(ctx.damage, node.scale):
            ctx.damage.skip("points", node.id)
        return
    kind_of(scale).check_points(scale, node.id, node.points, ctx,
                                lambda *sub, key=False: where.node(node.id, *sub, key=key))


def check_scales(doc: Any, ctx: LoadContext, where: _Where) -> None:
    """Check every named scale of a rubric or scale library, and the sources they cite."""
    for name, scale in doc.scales.items():
        _check_scale(scale, ctx, lambda *sub, _n=name: where.scale(_n, *sub), name)
    known = [s.id for s in doc.sources]
    for name, scale in doc.scales.items():
        refs = [(("sources", i), ref) for i, ref in enumerate(getattr(scale, "sources", []) or [])]
        for j, level in enumerate(getattr(scale, "levels", []) or []):
            refs += [(("levels", j, "sources", i), ref) for i, ref in enumerate(level.sources)]
        for sub, ref in refs:
            if ref not in known and (ctx.damage.lost("sources", ref) or "sources" in ctx.damage.sections):
                ctx.damage.skip("source", ref)
            elif ref not in known:
                close = difflib.get_close_matches(ref, known, n=1, cutoff=0.6)
                message = f"未知来源 / unknown source '{ref}'" + (f" — did you mean '{close[0]}'?" if close else "")
                ctx.error(message, where.scale(name, *sub), code="unknown_source",
                          hint=None if close else "list it under `sources:` with a confidence mark")


def _scale_lost(lost: Any, name: Any) -> bool:
    """The scale named *name* was written but could not be read (or its library could not be imported)."""
    from tlr.rubric.recover import UNREADABLE_SCALE

    return name == UNREADABLE_SCALE or lost.lost("scale", name) or bool(lost.sections & {"scales", "imports"})


# --------------------------------------------------------------------------- weights


def _scored(children: list[Any]) -> list[Any]:
    return [c for c in children if isinstance(c, Dimension) or c.role == "score"]


def _resolve_weights(node_id: str, children: list[Any], ahp: AHPSpec | None, normalize: bool,
                     ctx: LoadContext, where: _Where, at_ahp) -> WeightResolution | None:
    lost = ctx.damage
    if (node_id in lost.weights_unknown or any(c.id in lost.weight_unknown for c in children)
            or lost.sections & {"normalize", "weights", "update"}):
        lost.skip("weights", node_id)
        return None
    scored = _scored(children)
    for child in children:
        if isinstance(child, Indicator) and child.role != "score" and child.weight:
            ctx.warning(f"'{child.id}' 的角色为 {child.role}，其权重不参与计算 / weight of '{child.id}' is ignored "
                        f"(role: {child.role})", where.node(child.id, "weight"), code="weight_ignored")
    if not scored:
        return None
    ids = [c.id for c in scored]
    if ahp is not None:
        with_weight = [c.id for c in scored if c.weight is not None]
        if with_weight:
            ctx.error(f"同时给出了 AHP 判断和直接权重 / both AHP judgements and direct weights given "
                      f"({', '.join(with_weight)})", where.node(with_weight[0], "weight"), code="weights_ambiguous",
                      hint="remove `weight:` from the children or remove the `ahp:` block")
        return _resolve_ahp(node_id, ids, ahp, ctx, at_ahp)
    if len(scored) == 1 and scored[0].weight is None:
        return WeightResolution(node_id, ids, [1.0])
    missing = [c.id for c in scored if c.weight is None]
    for child_id in missing:
        ctx.error(f"缺少权重 / '{child_id}' has no weight", where.node(child_id, key=False),
                  hint="give every sibling `weight:`, or give the parent an `ahp:` block", code="weight_missing")
    if missing:
        return None
    weights = [float(c.weight) for c in scored]
    bad = False
    for child, w in zip(scored, weights):
        if w < 0 or not math.isfinite(w):
            ctx.error(f"权重不能为负 / weight of '{child.id}' must be non-negative, got {w:g}",
                      where.node(child.id, "weight"), code="weight_negative")
            bad = True
    if bad:
        return None
    total = math.fsum(weights)
    label = "the top-level dimensions" if node_id == "root" else f"the children of '{node_id}'"
    first = where.node(scored[0].id, "weight")
    if total <= 0:
        ctx.error(f"权重之和为 0 / the weights of {label} sum to 0", first, code="weight_sum")
        return None
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        if normalize:
            weights = [w / total for w in weights]
        else:
            ctx.error(f"权重之和须为 1 / the weights of {label} sum to {total:.6g}, not 1", first, code="weight_sum",
                      hint="fix them, or set `normalize: true` to rescale them")
            return None
    return WeightResolution(node_id, ids, weights)


def _resolve_ahp(node_id: str, ids: list[str], spec: AHPSpec, ctx: LoadContext, at) -> WeightResolution | None:
    import numpy as np

    n = len(ids)
    before = len([d for d in ctx.diagnostics if d.severity == "error"])
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    if spec.judgements is not None and spec.matrix is not None:
        ctx.error("judgements 与 matrix 只能给一个 / give either 'judgements' or 'matrix', not both", at("matrix"),
                  code="ahp_both")
        return None
    if spec.judgements is None and spec.matrix is None:
        ctx.error("AHP 缺少判断 / ahp needs 'judgements' ([a, b, value] list) or 'matrix'", at(),
                  code="ahp_empty")
        return None
    index = {cid: i for i, cid in enumerate(ids)}
    if spec.judgements is not None:
        given: dict[frozenset, int] = {}
        for k, (a, b, value) in enumerate(spec.judgements):
            problem = False
            for pos, name in ((0, a), (1, b)):
                if name not in index:
                    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.6)
                    message = f"AHP 判断引用了未知子节点 / judgement names unknown child '{name}'"
                    if close:
                        message += f" — did you mean '{close[0]}'?"
                    ctx.error(message, at("judgements", k, pos), code="ahp_unknown_child",
                              hint=None if close else "compare only the children: " + ", ".join(ids))
                    problem = True
            if problem:
                continue
            if a == b:
                ctx.error(f"不能与自身比较 / '{a}' is compared with itself", at("judgements", k), code="ahp_self")
                continue
            pair = frozenset((a, b))
            if pair in given:
                ctx.error(f"重复的判断 / the pair ({a}, {b}) is judged twice (first at judgement {given[pair] + 1})",
                          at("judgements", k), code="ahp_duplicate", hint="keep one judgement per pair")
                continue
            given[pair] = k
            if not (value > 0 and math.isfinite(value)):
                ctx.error(f"判断值须为正数 / judgement must be a positive number, got {value:g}",
                          at("judgements", k, 2), code="ahp_value")
                continue
            if not SAATY_MIN - 1e-12 <= value <= SAATY_MAX + 1e-12:
                ctx.error(f"判断值超出 1/9–9 / judgement {value:g} is outside Saaty's scale 1/9..9",
                          at("judgements", k, 2), code="ahp_range",
                          hint="use 1..9 for 'a over b', or 1/2..1/9 for 'b over a'")
                continue
            matrix[index[a], index[b]] = value
            matrix[index[b], index[a]] = 1.0 / value
    else:
        order = spec.order or ids
        if sorted(order) != sorted(ids):
            unknown = [o for o in order if o not in index]
            missing = [i for i in ids if i not in order]
            ctx.error("AHP 矩阵的 order 与子节点不符 / ahp order does not match the children"
                      + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                      + (f"; missing: {', '.join(missing)}" if missing else ""),
                      at("order"), code="ahp_order", hint="list every child id once: " + ", ".join(ids))
            return None
        rows = spec.matrix
        if len(rows) != n or any(len(r) != n for r in rows):
            ctx.error(f"AHP 矩阵须为 {n}×{n} / ahp matrix must be {n}x{n} (one row and column per child)",
                      at("matrix"), code="ahp_shape")
            return None
        perm = [index[o] for o in order]
        for r in range(n):
            for c in range(n):
                value = rows[r][c]
                if not (value > 0 and math.isfinite(value)):
                    ctx.error(f"矩阵元素须为正数 / matrix entry must be positive, got {value:g} "
                              f"(row '{order[r]}', column '{order[c]}')", at("matrix", r, c), code="ahp_value")
                elif r != c and not SAATY_MIN - 1e-12 <= value <= SAATY_MAX + 1e-12:
                    ctx.error(f"判断值超出 1/9–9 / entry {value:g} is outside Saaty's scale 1/9..9 "
                              f"(row '{order[r]}', column '{order[c]}')", at("matrix", r, c), code="ahp_range")
                elif r == c and abs(value - 1) > 1e-9:
                    ctx.error(f"对角线须为 1 / diagonal entry must be 1 (row '{order[r]}')", at("matrix", r, c),
                              code="ahp_diagonal")
                matrix[perm[r], perm[c]] = value
        for r in range(n):
            for c in range(r + 1, n):
                a, b = rows[r][c], rows[c][r]
                if a > 0 and b > 0 and abs(a * b - 1) > 1e-3:
                    ctx.error(f"矩阵不互反 / matrix is not reciprocal: ('{order[r]}','{order[c]}') = {a:g} but "
                              f"('{order[c]}','{order[r]}') = {b:g}", at("matrix", c, r), code="ahp_reciprocal",
                              hint=f"set it to 1/{a:g}")
    if len([d for d in ctx.diagnostics if d.severity == "error"]) > before:
        return None
    missing_pairs = [(ids[i], ids[j]) for i in range(n) for j in range(i + 1, n) if np.isnan(matrix[i, j])]
    if missing_pairs:
        if not _connected(matrix):
            groups = _components(matrix, ids)
            ctx.error("AHP 比较图不连通 / the comparisons do not connect all children: "
                      + " | ".join(", ".join(g) for g in groups), at("judgements"), code="ahp_disconnected",
                      hint=f"add a judgement between ({groups[0][0]}, {groups[1][0]})")
            return None
        if not spec.allow_incomplete:
            shown = ", ".join(f"({a}, {b})" for a, b in missing_pairs[:4])
            more = f" and {len(missing_pairs) - 4} more" if len(missing_pairs) > 4 else ""
            ctx.error(f"AHP 判断不完整 / incomplete judgements: missing {shown}{more}", at("judgements"),
                      code="ahp_incomplete",
                      hint="add the missing pairs, or set `allow_incomplete: true` to use Harker's method")
            return None
    from tlr.weighting import DEFAULT_RI_TABLE, RI_TABLES, ahp

    table = spec.ri_table or DEFAULT_RI_TABLE
    if table not in RI_TABLES:
        close = difflib.get_close_matches(table, list(RI_TABLES), n=1, cutoff=0.5)
        ctx.error(f"未知随机一致性指标表 / unknown ri_table '{table}'" + (f" — did you mean '{close[0]}'?" if close else ""),
                  at("ri_table"), code="ri_table", hint="tables: " + ", ".join(RI_TABLES))
        return None
    from tlr.errors import TlrError

    try:
        result = ahp(matrix, method=spec.method, ri=table, threshold=spec.cr_max,
                     missing="harker" if missing_pairs else "error", labels=ids,
                     consistency="cr" if spec.cr_max is not None else "auto")
    except TlrError as exc:
        ctx.error(f"AHP 无法计算 / AHP failed: {exc.message}", at(), hint=exc.hint, code="ahp_failed")
        return None
    cr = float(result.cr)
    if not bool(result.consistent):
        worst = ""
        if getattr(result, "suggestions", None):
            s = result.suggestions[0]
            a, b = ids[int(s.i)], ids[int(s.j)]
            worst = f"; revisit ({a}, {b}): {float(s.current):.3g} -> {float(s.suggested):.3g}"
        index = "GCI" if str(result.consistency_measure).lower() == "gci" else "CR"
        value = float(getattr(result, "gci", cr)) if index == "GCI" else cr
        ctx.warning(f"AHP 一致性不足 / AHP judgements of '{node_id}' are inconsistent: {index} = {value:.3f} > "
                    f"{float(result.threshold):.2f}{worst}", at(), code="ahp_inconsistent",
                    hint="run `tlr rubric show` for repair suggestions")
    return WeightResolution(node_id, ids, [float(w) for w in result.weights], result)


def _components(matrix: Any, ids: list[str]) -> list[list[str]]:
    import numpy as np
    from scipy.sparse.csgraph import connected_components

    adjacency = ~np.isnan(matrix)
    _, labels = connected_components(adjacency, directed=False)
    groups: dict[int, list[str]] = {}
    for cid, label in zip(ids, labels):
        groups.setdefault(int(label), []).append(cid)
    return list(groups.values())


def _connected(matrix: Any) -> bool:
    return len(_components(matrix, [str(i) for i in range(len(matrix))])) == 1


# --------------------------------------------------------------------------- rules


def _check_rules(doc: RubricDocument, ctx: LoadContext, where: _Where, indicators: dict[str, Indicator],
                 dimensions: dict[str, Dimension]) -> None:
    refs = list(indicators) + list(dimensions) + list(SPECIAL_REFS)
    tier_ids = [t.id for t in doc.tiers or []]
    lost = ctx.damage

    def check(cond: Condition, section: str, *path: Any) -> None:
        parts = [cond.ref is not None, cond.all is not None, cond.any is not None, cond.not_ is not None]
        if sum(parts) != 1:
            ctx.error("条件须且只能是 ref/all/any/not 之一 / a condition is exactly one of: ref + op + value, all, "
                      "any, not", where.section(section, *path), code="condition_shape")
            return
        if cond.ref is not None:
            if cond.ref not in refs and lost.lost("node", cond.ref):
                lost.skip("condition", cond.ref)
            elif cond.ref not in refs:
                close = difflib.get_close_matches(cond.ref, refs, n=1, cutoff=0.6)
                ctx.error(f"条件引用了未知指标 / condition refers to unknown '{cond.ref}'"
                          + (f" — did you mean '{close[0]}'?" if close else ""),
                          where.section(section, *path, "ref"), code="unknown_ref",
                          hint=None if close else "refer to an indicator or dimension id, 'composite' or 'readiness'")
            if cond.op is None or cond.value is None:
                ctx.error("条件缺少 op 或 value / condition needs both 'op' and 'value'",
                          where.section(section, *path), code="condition_shape",
                          hint="e.g. {ref: trl, op: '<', value: 4}")
            elif cond.ref in indicators:
                ind = indicators[cond.ref]
                scale = doc.scales.get(ind.scale) if isinstance(ind.scale, str) else ind.scale
                problem = kind_of(scale).condition_error(scale, cond.ref, cond.value) if scale is not None else None
                if problem:
                    ctx.error(problem, where.section(section, *path, "value"), code="condition_value")
        for key, group in (("all", cond.all), ("any", cond.any)):
            for i, sub in enumerate(group or []):
                check(sub, section, *path, key, i)
        if cond.not_ is not None:
            check(cond.not_, section, *path, "not")

    def check_target(ref: str | None, known: list[str], section: str, what: str, zh: str, i: int, key: str) -> None:
        """A gate's ``max_tier`` or ``route``: one of *section*'s ids (skipped if that definition was lost)."""
        if ref is None or ref in known:
            return
        if lost.lost(section, ref) or section in lost.sections:
            lost.skip(what, ref)
        else:
            ctx.error(f"{zh} / unknown {what} '{ref}'", where.section("gates", i, key), code=f"unknown_{what}",
                      hint=f"{section}: " + ", ".join(known) if known else f"define `{section}:`")

    seen: set[str] = set()
    route_ids = [r.id for r in doc.routes or []]
    for i, gate in enumerate(doc.gates or []):
        if gate.id in seen:
            ctx.error(f"重复的标识 / duplicate gate id '{gate.id}'", where.section("gates", i, "id"), code="duplicate_id")
        seen.add(gate.id)
        check(gate.when, "gates", i, "when")
        check_target(gate.max_tier, tier_ids, "tiers", "tier", "未知档次", i, "max_tier")
        check_target(gate.route, route_ids, "routes", "route", "未知支持路径", i, "route")
        if gate.route is not None and gate.effect != "knockout":
            ctx.error("只有一票否决门槛可以指定转入路径 / only a knock-out gate can send a project to a route",
                      where.section("gates", i, "route"), code="route_on_flag",
                      hint="remove `route:` or set `effect: knockout`")
    seen = set()
    previous = math.inf
    for i, tier in enumerate(doc.tiers or []):
        if tier.id in seen:
            ctx.error(f"重复的标识 / duplicate tier id '{tier.id}'", where.section("tiers", i, "id"), code="duplicate_id")
        seen.add(tier.id)
        if tier.when is not None:
            check(tier.when, "tiers", i, "when")
        if tier.min_score is not None:
            if not 0 <= tier.min_score <= doc.score_scale and "score_scale" not in lost.sections:
                ctx.error(f"档次分数线超出 0–{doc.score_scale:g} / min_score {tier.min_score:g} is outside "
                          f"0..{doc.score_scale:g}", where.section("tiers", i, "min_score"), code="tier_range")
            if tier.min_score > previous:
                ctx.warning(f"档次 '{tier.id}' 的分数线高于上一档 / tier '{tier.id}' has a higher min_score than the "
                            "tier before it; it can never be reached by score", where.section("tiers", i, "min_score"),
                            code="tier_order")
            previous = tier.min_score
    seen = set()
    for i, route in enumerate(doc.routes or []):
        if route.id in seen:
            ctx.error(f"重复的标识 / duplicate route id '{route.id}'", where.section("routes", i, "id"),
                      code="duplicate_id")
        seen.add(route.id)
        if route.when is not None:
            check(route.when, "routes", i, "when")
    if doc.readiness is not None:
        ind = indicators.get(doc.readiness)
        scale = (doc.scales.get(ind.scale) if isinstance(ind.scale, str) else ind.scale) if ind else None
        if ind is None and lost.lost("node", doc.readiness):
            lost.skip("readiness", doc.readiness)
        elif ind is None:
            close = difflib.get_close_matches(doc.readiness, list(indicators), n=1, cutoff=0.6)
            ctx.error(f"readiness 引用了未知指标 / readiness names unknown indicator '{doc.readiness}'"
                      + (f" — did you mean '{close[0]}'?" if close else ""), where.section("readiness"),
                      code="unknown_ref")
        elif scale is not None and not kind_of(scale).ladder:
            ctx.error(f"readiness 指标须使用等级量表 / readiness indicator '{doc.readiness}' must use a levels scale",
                      where.section("readiness"), code="readiness_scale")
    elif "readiness" not in lost.sections and any("readiness" in _refs(c) for c in _all_conditions(doc)):
        ctx.error("条件引用了 readiness，但未指定 readiness 指标 / conditions refer to 'readiness' but the rubric "
                  "names no readiness indicator", where.section("gates"), code="readiness_missing",
                  hint="add `readiness: <levels indicator id>`")
    agg = doc.aggregation
    if agg.method == "fuzzy":
        grades = doc.scales.get(agg.grades) if agg.grades else None
        if grades is None and agg.grades and _scale_lost(lost, agg.grades):
            lost.skip("grades", agg.grades)
        elif grades is None or not kind_of(grades).fuzzy_grades:
            ctx.error("模糊综合评价需要 grades 量表 / fuzzy aggregation needs `grades:` naming a grades scale",
                      where.section("aggregation", "grades"), code="fuzzy_grades")
    if agg.method != "topsis" and "topsis" in agg.model_fields_set:
        ctx.warning(f"aggregation.topsis 只对 method: topsis 生效，此处被忽略 / aggregation.topsis applies to "
                    f"method: topsis only and is ignored with method: {agg.method}",
                    where.section("aggregation", "topsis"), code="topsis_ignored")


def _refs(cond: Condition | None) -> set[str]:
    from tlr.rubric.conditions import condition_refs

    return condition_refs(cond)


def _all_conditions(doc: RubricDocument) -> list[Condition]:
    out = [g.when for g in doc.gates or []]
    out += [t.when for t in doc.tiers or [] if t.when is not None]
    out += [r.when for r in doc.routes or [] if r.when is not None]
    return out
