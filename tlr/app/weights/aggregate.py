"""A panel's judgements aggregated into group weights (AIJ or AIP) and written into a new rubric version.

专家征询结果集结（AIJ 判断矩阵集结 / AIP 权重集结），写入新版本的指标体系。

AIJ writes each node's ``ahp:`` block with the aggregated judgements (the element-wise weighted geometric
mean of the experts' matrices, upper triangle, 6 decimals), so ``tlr rubric check`` recomputes the weights
and their consistency from judgements, as for any AHP node. AIP has no group matrix (it aggregates the
experts' priority vectors), so the group priorities are written as the children's direct ``weight:`` and
the node's ``ahp:`` block is removed. Either way the round is named in ``sources:`` (round id, experts,
method, expert weights, date, audit head) and the version is bumped.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from tlr.errors import CampaignError, Location
from tlr.weighting.survey import RoundNode, matrix

_TOP_ORDER = ("format", "id", "kind", "version", "title", "description", "applies_to", "sources", "normalize",
              "score_scale", "readiness", "aggregation", "panel", "scales", "dimensions", "ahp", "gates", "tiers",
              "routes")
_NODE_ORDER = ("id", "label", "short", "description", "strength", "weight", "applies_to", "ahp", "normalize")


def completeness(nodes: list[RoundNode], experts: list[str], answers: dict[str, dict]) -> dict[str, dict[str, int]]:
    """expert -> node -> number of judgements missing (only the incomplete ones)."""
    out: dict[str, dict[str, int]] = {}
    for e in experts:
        got = answers.get(e, {})
        for node in nodes:
            missing = sum(1 for a, b in node.pairs() if (node.node, a, b) not in got)
            if missing:
                out.setdefault(e, {})[node.node] = missing
    return out


def aggregate(nodes: list[RoundNode], experts: list[str], answers: dict[str, dict], *, method: str = "aij",
              aip_mean: str = "geometric", expert_weights: dict[str, float] | None = None,
              allow_incomplete: bool = False) -> dict[str, Any]:
    """Group weights per node. ``answers``: expert -> (node, a, b) -> {"value": ...}.

    Incomplete answers are refused unless ``allow_incomplete``: then an expert with no judgement at a node
    is left out of that node, and a partial matrix is completed by Harker's method (LLSM for the
    geometric-mean method) through :func:`tlr.weighting.group_ahp`."""
    import numpy as np

    from tlr.weighting.group import group_ahp

    gaps = completeness(nodes, experts, answers)
    if gaps and not allow_incomplete:
        parts = [f"{e}（{', '.join(f'{n} 缺 {k}' for n, k in g.items())}）" for e, g in gaps.items()]
        shown = "; ".join(parts[:5]) + (f" … +{len(parts) - 5}" if len(parts) > 5 else "")
        raise CampaignError(f"专家判断不完整 / incomplete answers (missing judgements per node): {shown}",
                            code="incomplete",
                            hint="请专家补答（tlr weights answer），或加 --allow-incomplete 用 Harker 法补全 / ask them "
                                 "to finish, or add --allow-incomplete to complete by Harker's method")
    weights_of = expert_weights or {}
    out_nodes = []
    for node in nodes:
        used, stack, completed = [], [], []
        for e in experts:
            got = {(a, b): rec["value"] for (n, a, b), rec in answers.get(e, {}).items() if n == node.node}
            if not got:
                continue
            if len(got) < len(node.pairs()):
                completed.append(e)
            used.append(e)
            stack.append(matrix(node, got))
        if not used:
            raise CampaignError(f"节点 {node.node} 没有任何专家的判断 / nobody answered node {node.node}",
                                code="incomplete", hint="tlr weights answer --expert ID")
        lam = [float(weights_of.get(e, 1.0)) for e in used]
        a = np.array(stack)
        missing = "harker" if np.isnan(a).any() else "error"
        if missing == "harker":
            from tlr.errors import WeightingError
            from tlr.weighting.incomplete import check_connected

            for e, m in zip(used, stack):
                try:
                    check_connected(m, labels=list(node.children))
                except WeightingError as exc:
                    raise CampaignError(f"专家 {e} 在节点 {node.node} 的判断无法补全 / the answers of {e} at node "
                                        f"{node.node} cannot be completed: {exc.message}", code="disconnected",
                                        hint=exc.hint) from None
        from tlr.weighting.ri import DEFAULT_RI_TABLE

        res = group_ahp(a, aggregation=method, method=node.method, expert_weights=lam,
                        ri=node.ri_table or DEFAULT_RI_TABLE, threshold=node.cr_max, aip_mean=aip_mean,
                        labels=list(node.children), missing=missing)
        gw = np.asarray(res.weights, dtype=float)
        ind = np.atleast_2d(np.asarray(res.individual.weights, dtype=float))
        distance = np.abs(ind - gw[None]).max(-1)
        worst = int(np.argmax(distance))
        ind_cr = np.atleast_1d(np.asarray(res.individual.cr, dtype=float))
        ind_gci = np.atleast_1d(np.asarray(res.individual.gci, dtype=float))
        ind_ok = np.atleast_1d(np.asarray(res.individual.consistent, dtype=bool))
        group = res.group
        out_nodes.append({
            "node": node.node, "children": list(node.children), "method": node.method,
            "experts": used, "expert_weights": dict(zip(used, (float(x) for x in res.expert_weights))),
            "weights": dict(zip(node.children, (float(w) for w in gw))),
            "matrix": [[float(x) for x in row] for row in np.asarray(res.combined)],
            "cr": float(group.cr) if group is not None else None,
            "gci": float(group.gci) if group is not None else None,
            "consistent": bool(group.consistent) if group is not None else None,
            "consensus": float(res.consensus),
            "most_divergent": {"expert": used[worst], "distance": float(distance[worst])},
            "individual": {e: {"cr": float(ind_cr[k]), "gci": float(ind_gci[k]), "consistent": bool(ind_ok[k]),
                               "distance": float(distance[k])} for k, e in enumerate(used)},
            "completed": completed,
        })
    return {"method": method, "aip_mean": aip_mean if method == "aip" else None, "nodes": out_nodes}


def bump_version(version: str) -> str:
    """``1.0.0`` -> ``1.1.0``, ``2`` -> ``3``, ``1.4`` -> ``1.5``; anything else gets ``-w1`` (``-w2`` ...)."""
    parts = version.split(".")
    if all(p.isdigit() for p in parts):
        k = 1 if len(parts) >= 2 else 0
        parts[k] = str(int(parts[k]) + 1)
        parts[k + 1:] = ["0"] * len(parts[k + 1:])
        return ".".join(parts)
    m = re.fullmatch(r"(.*)-w(\d+)", version)
    return f"{m.group(1)}-w{int(m.group(2)) + 1}" if m else f"{version}-w1"


def _find(doc: dict, node_id: str) -> dict | None:
    if node_id == "root":
        return doc

    def walk(items: list) -> dict | None:
        for item in items or []:
            if item.get("id") == node_id:
                return item
            found = walk(item.get("children") or [])
            if found is not None:
                return found
        return None

    return walk(doc.get("dimensions") or [])


def _ordered(d: dict, order: tuple[str, ...], last: str | None = None) -> dict:
    keys = [k for k in order if k in d] + [k for k in d if k not in order and k != last]
    out = {k: d[k] for k in keys}
    if last and last in d:
        out[last] = d[last]
    return out


def _tidy(node: Any) -> Any:
    if isinstance(node, dict):
        if "id" in node and ("children" in node or "scale" in node):
            node = _ordered(node, _NODE_ORDER, last="children")
        return {k: _tidy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def new_rubric_document(rubric: Any, result: dict[str, Any], provenance: dict[str, Any],
                        version: str | None = None) -> dict[str, Any]:
    """The frozen rubric's document with the aggregated weights, provenance in ``sources:``, version bumped."""
    # the fields the rubric states, not every default (a default option of an unused method would warn)
    doc = rubric.document.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    doc.setdefault("format", 1)
    for rec in result["nodes"]:
        target = _find(doc, rec["node"])
        kids = rec["children"]
        kid_dicts = {c["id"]: c for c in (target.get("dimensions") if rec["node"] == "root" else target.get("children"))
                     or []}
        old = dict(target.get("ahp") or {})
        if result["method"] == "aij":
            spec = {k: v for k, v in old.items() if k in ("ri_table", "cr_max")}
            spec = {"method": rec["method"], **spec, "judgements": [
                [kids[i], kids[j], round(rec["matrix"][i][j], 6)]
                for i in range(len(kids)) for j in range(i + 1, len(kids))]}
            target["ahp"] = spec
            for cid in kids:
                kid_dicts[cid].pop("weight", None)
        else:
            target.pop("ahp", None)
            for cid in kids:
                kid_dicts[cid]["weight"] = round(rec["weights"][cid], 12)
    doc["version"] = version or bump_version(str(doc.get("version", "1")))
    sources = [s for s in doc.get("sources") or [] if s.get("id") != provenance["id"]]
    doc["sources"] = sources + [provenance]
    return _tidy(_ordered(doc, _TOP_ORDER))


def provenance(meta: dict[str, str], result: dict[str, Any], experts: list[str],
               expert_weights: dict[str, float] | None, audit_head: str, date: str | None = None) -> dict[str, Any]:
    """The ``sources:`` entry naming the round the weights come from."""
    date = date or datetime.now(UTC).date().isoformat()
    how = result["method"].upper() + (f" ({result['aip_mean']} mean)" if result["method"] == "aip" else "")
    ew = ", ".join(f"{e}={expert_weights.get(e, 1.0):g}" for e in experts) if expert_weights else "equal"
    nodes = ", ".join(r["node"] for r in result["nodes"])
    round_id = meta.get("campaign_id", "")
    return {
        "id": "weights-round-" + (round_id[:8] or "x"),
        "title": {"zh": f"专家征询权重（{how}，{len(experts)} 位专家，{date}）",
                  "en": f"Weights elicited from a panel ({how}, {len(experts)} experts, {date})"},
        "kind": "other",
        "ref": f"tlr weights round {meta.get('name', '')} {round_id}".strip(),
        "confidence": "V",
        "note": {
            "zh": f"征询 {round_id}；专家 {', '.join(experts)}；方法 {how}；专家权重 {ew}；节点 {nodes}；"
                  f"日期 {date}；审计链头 {audit_head[:16]}",
            "en": f"round {round_id}; experts {', '.join(experts)}; method {how}; expert weights {ew}; "
                  f"nodes {nodes}; date {date}; audit head {audit_head[:16]}",
        },
    }


def render_yaml(doc: dict[str, Any], header: str) -> str:
    import yaml

    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110, default_flow_style=None)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def read_expert_weights(path: str, experts: list[str], encoding: str | None = None) -> dict[str, float]:
    """expert -> weight from a CSV/XLSX/JSON table (columns expert, weight) or a YAML mapping."""
    from pathlib import Path

    from tlr.errors import Diagnostic, InputFileError, ValidationError

    diags: list[Diagnostic] = []
    out: dict[str, float] = {}
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        from tlr.yamlio import load_document

        data, positions = load_document(path)
        if not isinstance(data, dict):
            raise InputFileError("须为 专家编号: 权重 的映射 / must map expert ids to weights",
                                 location=Location(file=path), code="format")
        items = [(str(k), v, positions.locate((k,))) for k, v in data.items()]
    else:
        from tlr.campaign.tables import read_table

        table = read_table(path, encoding=encoding)
        low = {h.strip().lower(): h for h in table.headers}
        eh = next((low[h] for h in ("expert", "expert_id", "专家编号", "专家") if h in low), None)
        wh = next((low[h] for h in ("weight", "权重") if h in low), None)
        if eh is None or wh is None:
            raise InputFileError("缺少列 expert / weight / missing column expert or weight",
                                 location=Location(file=path, row=1), hint="列 / columns: expert (专家编号), weight (权重)",
                                 code="missing_column")
        items = [(v.get(eh, "").strip(), v.get(wh, ""), table.where(n, wh)) for n, v in table.rows]
    for expert, raw, where in items:
        if expert not in experts:
            diags.append(Diagnostic("error", f"征询中没有专家 {expert!r} / no expert {expert!r} in the round", where,
                                    "专家 / experts: " + ", ".join(experts), "unknown_expert"))
            continue
        try:
            value = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value < 0:
            diags.append(Diagnostic("error", f"{expert} 的权重须为非负数 / the weight of {expert} must be a number "
                                             f">= 0, got {str(raw)[:40]!r}", where, None, "expert_weight"))
            continue
        out[expert] = value
    absent = [e for e in experts if e not in out and not any(d.code == "expert_weight" for d in diags)]
    if absent:
        diags.append(Diagnostic("error", f"缺少专家的权重 / no weight for expert(s) {', '.join(absent)}",
                                Location(file=path), "每位专家一行 / one row per expert of the round", "expert_weights"))
    if diags:
        raise ValidationError(diags)
    if not out or sum(out.values()) <= 0:
        raise InputFileError("专家权重之和须为正 / the expert weights must not all be zero",
                             location=Location(file=path), code="expert_weights")
    return out
