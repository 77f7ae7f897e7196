"""An expert's pairwise judgements from a file (answers given on paper, tests): CSV/XLSX/JSON records or YAML.

从文件读取专家的两两比较判断。

CSV / XLSX / JSON: one record per judgement with columns ``node`` (节点), ``a`` (A), ``b`` (B) and ``value``
(判断), optionally ``expert`` (专家编号, must be the expert named). YAML::

    answers:
      root:
        - [maturity, market, 3]          # maturity is 3 times as important as market
        - [market, risk, "b 明显重要"]     # risk is strongly more important than market
      risk:
        - [tech_risk, market_risk, 1]

A value is anything :func:`tlr.weighting.survey.parse_answer` accepts. Every problem of the file is
reported (file, row or line, field); nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tlr.errors import Diagnostic, InputFileError, Location, ValidationError
from tlr.weighting.survey import AnswerError, RoundNode, parse_answer

HEADERS = {
    "node": ("node", "node_id", "节点", "节点编号", "parent"),
    "a": ("a", "item_a", "A", "比较项a", "指标a", "row"),
    "b": ("b", "item_b", "B", "比较项b", "指标b", "column"),
    "value": ("value", "judgement", "judgment", "判断", "判断值", "标度"),
    "expert": ("expert", "expert_id", "专家编号", "专家"),
}


def _canon(header: str) -> str | None:
    h = header.strip().lower()
    for key, names in HEADERS.items():
        if h in (n.lower() for n in names):
            return key
    return None


def read_answers(path: str | Path, nodes: list[RoundNode], expert_id: str, *,
                 encoding: str | None = None) -> list[tuple[RoundNode, str, str, float, str]]:
    """(node, a, b, value, raw) for every judgement in the file, checked against the round's nodes."""
    file = str(path)
    if Path(file).suffix.lower() in (".yaml", ".yml"):
        records = _yaml_records(file)
    else:
        records = _table_records(file, encoding)
    by_id = {n.node: n for n in nodes}
    diags: list[Diagnostic] = []
    out: list[tuple[RoundNode, str, str, float, str]] = []
    seen: dict[tuple[str, str, str], Location] = {}

    def bad(where: Location, message: str, hint: str | None = None, code: str = "answer") -> None:
        diags.append(Diagnostic("error", message, where, hint, code))

    for rec, where in records:
        node_id, a, b, raw = (str(rec.get(k, "") or "").strip() for k in ("node", "a", "b", "value"))
        if isinstance(rec.get("value"), (int, float)) and not isinstance(rec.get("value"), bool):
            raw = rec["value"]
        expert = str(rec.get("expert", "") or "").strip()
        if expert and expert != expert_id:
            raise ValidationError([Diagnostic(
                "error", f"这是专家 {expert!r} 的答卷，不是 {expert_id} 的 / these are the answers of {expert!r}, not of "
                         f"{expert_id}", where("expert"), "每位专家一个文件 / one file per expert", "wrong_expert")])
        if raw == "" and not (node_id or a or b):
            continue   # a blank line
        if raw == "":
            continue   # a pair left unanswered on a sheet: not recorded
        node = by_id.get(node_id)
        if node is None:
            bad(where("node"), f"征询中没有节点 {node_id!r} / the round asks about no node {node_id!r}",
                "节点 / nodes: " + ", ".join(by_id))
            continue
        unknown = [x for x in (a, b) if x not in node.children]
        if unknown:
            field = "a" if a in unknown else "b"
            bad(where(field), f"{unknown[0]!r} 不是 {node_id} 的子节点 / {unknown[0]!r} is not a child of {node_id}",
                "子节点 / children: " + ", ".join(node.children))
            continue
        if a == b:
            bad(where("b"), f"{a!r} 不能与自身比较 / {a!r} is compared with itself")
            continue
        try:
            value = parse_answer(raw, a, b)
        except AnswerError as exc:
            bad(where("value"), str(exc))
            continue
        key = (node_id, *sorted((node.children.index(a), node.children.index(b))))
        if key in seen:
            bad(where("a"), f"{node_id} 的 ({a}, {b}) 重复 / pair ({a}, {b}) of {node_id} given twice (first at "
                            f"{seen[key]})", "每对只留一个判断 / keep one judgement per pair", code="duplicate")
            continue
        seen[key] = where("a")
        out.append((node, a, b, value, str(raw)))
    if diags:
        raise ValidationError(diags)
    if not out:
        raise InputFileError("文件中没有判断 / the file holds no judgements", location=Location(file=file),
                             hint="列 / columns: node, a, b, value", code="empty")
    return out


def _table_records(file: str, encoding: str | None):
    from tlr.campaign.tables import read_table

    table = read_table(file, encoding=encoding)
    mapping = {h: _canon(h) for h in table.headers}
    missing = [k for k in ("node", "a", "b", "value") if k not in mapping.values()]
    if missing:
        raise InputFileError(f"缺少列 / missing column(s): {', '.join(missing)}", location=Location(file=file, row=1),
                             hint="列 / columns: node (节点), a (A), b (B), value (判断)", code="missing_column")
    header_of = {v: h for h, v in mapping.items() if v}
    for number, values in table.rows:
        rec = {key: values.get(h, "") for h, key in mapping.items() if key}
        yield rec, (lambda f, n=number: table.where(n, header_of.get(f, f)))


def _yaml_records(file: str):
    from tlr.yamlio import load_document

    data, positions = load_document(file)

    def at(*path: Any):
        return lambda f=None: positions.locate(path)

    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise InputFileError("YAML 须有 answers: 节点 -> [[a, b, 判断], ...] / the YAML needs answers: node -> "
                             "[[a, b, value], ...]", location=Location(file=file), code="format")
    expert = data.get("expert")
    for node_id, items in data["answers"].items():
        if not isinstance(items, list):
            raise InputFileError(f"{node_id}: 须为 [a, b, 判断] 的列表 / must be a list of [a, b, value]",
                                 location=positions.locate(("answers", node_id)), code="format")
        for k, item in enumerate(items):
            if not (isinstance(item, list) and len(item) == 3):
                raise InputFileError("每个判断须为 [a, b, 判断] / each judgement must be [a, b, value]",
                                     location=positions.locate(("answers", node_id, k)), code="format")
            rec = {"node": node_id, "a": item[0], "b": item[1], "value": item[2], "expert": expert}
            yield rec, at("answers", node_id, k)
