"""A weighting round in the ledger: a campaign that holds a panel's pairwise judgements (``tlr weights``).

A round is a campaign (same file, same hash-chained audit log, same ``tlr audit verify``) created with the
rubric frozen and the experts imported (all-or-nothing), plus one ``weight_round`` row naming the nodes
asked (written with its own audit entry ``weights.survey``). Every judgement is one ``pairwise_answers``
row written with an audit entry (``weights.answer``; a file of answers: one ``weights.import`` entry, all
or nothing), stored as a_AB for the pair in the children's order whichever way round it was given.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Location

from .imports import import_experts
from .ledger import Ledger, expert_actor, now

ROUND_HINT = "用 `tlr weights survey --rubric R --experts E.csv --out DIR` 创建征询 / create one with `tlr weights survey`"


def create_round(directory: str | os.PathLike, rubric: Any, experts_file: str | os.PathLike, *, scope: str = "ahp",
                 name: str | None = None, actor: str | None = None, encoding: str | None = None):
    """Create a round in ``directory``: nothing is left behind when the experts file (or anything) fails.
    Returns (ledger, import result, nodes)."""
    from tlr.weighting.survey import round_nodes

    nodes = round_nodes(rubric, scope)
    if not nodes:
        raise CampaignError(
            "指标体系中没有需要两两比较的节点 / the rubric has no node whose children are weighed by AHP",
            location=Location(file=str(rubric.files[0][0]) if rubric.files else None), code="no_ahp_nodes",
            hint="加 --all-nodes 比较所有含两个以上子节点的节点 / add --all-nodes to ask about every node with two "
                 "or more children")
    directory = Path(directory)
    made = not directory.exists()
    ledger = Ledger.create(directory, rubric, name=name, actor=actor)
    try:
        result = import_experts(ledger, experts_file, actor=actor, encoding=encoding)
        with ledger.write("weights.survey", actor=actor) as tx:
            tx.put("weight_round", [{"id": 1, "scope": scope, "nodes": [n.to_dict() for n in nodes],
                                     "created_at": now()}])
    except BaseException:
        ledger.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(ledger.path) + suffix).unlink(missing_ok=True)
        if made:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    return ledger, result, nodes


def round_nodes(ledger: Ledger) -> tuple[str, list]:
    """(scope, nodes) of the round; a campaign that is not a weighting round is refused."""
    from tlr.weighting.survey import RoundNode

    rows = ledger.rows("weight_round")
    if not rows:
        raise CampaignError("这个批次不是权重征询 / this campaign is not a weighting round",
                            location=Location(file=str(ledger.path)), hint=ROUND_HINT, code="not_a_round")
    return rows[0]["scope"], [RoundNode.from_dict(d) for d in rows[0]["nodes"]]


def answers(ledger: Ledger, expert_id: str | None = None) -> dict[str, dict[tuple[str, str, str], dict]]:
    """expert id -> (node, a, b) -> {value, raw, answered_at, source}."""
    rows = (ledger.rows("pairwise_answers", "expert_id = ?", (expert_id,)) if expert_id
            else ledger.rows("pairwise_answers"))
    out: dict[str, dict[tuple[str, str, str], dict]] = {}
    for r in rows:
        out.setdefault(r["expert_id"], {})[(r["node_id"], r["item_a"], r["item_b"])] = {
            "value": r["value"], "raw": r["raw"], "answered_at": r["answered_at"], "source": r["source"]}
    return out


def oriented(node, a: str, b: str, value: float) -> tuple[str, str, float]:
    """The pair in the children's order with its value (the reciprocal when given the other way round)."""
    kids = list(node.children)
    return (a, b, value) if kids.index(a) < kids.index(b) else (b, a, 1.0 / value)


def record(ledger: Ledger, expert_id: str, items: Iterable[tuple[Any, str, str, float, str]], *,
           source: str = "interactive", action: str = "weights.answer") -> int:
    """Write judgements (node, a, b, value, raw) in one transaction with one audit entry; returns the count."""
    ledger.expert(expert_id)
    ts = now()
    rows = []
    for node, a, b, value, raw in items:
        a2, b2, v2 = oriented(node, a, b, value)
        rows.append({"expert_id": expert_id, "node_id": node.node, "item_a": a2, "item_b": b2, "value": float(v2),
                     "raw": str(raw), "answered_at": ts, "source": source})
    if rows:
        with ledger.write(action, actor=expert_actor(expert_id), info={"expert": expert_id}) as tx:
            tx.put("pairwise_answers", rows)
    return len(rows)


def forget(ledger: Ledger, expert_id: str, node, a: str, b: str) -> None:
    """Remove one judgement (audited ``weights.clear``)."""
    with ledger.write("weights.clear", actor=expert_actor(expert_id), info={"expert": expert_id}) as tx:
        tx.delete("pairwise_answers", [(expert_id, node.node, a, b)])
