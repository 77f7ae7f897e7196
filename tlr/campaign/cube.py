"""The scores as numbers for the scoring engine: the ledger's :class:`~tlr.evaluation.cube.ScoreCube` and a
tidy DataFrame of every score with its text, comment and source.

>>> from tlr.campaign import open_campaign, score_cube
>>> cube = score_cube(open_campaign("round-2026"))        # doctest: +SKIP
>>> cube.values.shape          # experts x projects x indicators, NaN = no score   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tlr.errors import CampaignError, Location
from tlr.evaluation.cube import ScoreCube

from .ledger import Ledger
from .moderation import apply_moderation
from .rules import indicator_applies


def score_cube(ledger: Ledger, indicators: list[str] | None = None, *, moderated: bool = True) -> ScoreCube:
    """Build the cube (experts and projects in import order, indicators in rubric order).

    ``moderated``: with the moderations in force applied (:mod:`tlr.campaign.moderation`: excluded scores
    missing, overridden ones replaced) — what the evaluation uses; ``False``: the scores as the experts
    gave them."""
    rubric = ledger.rubric
    conn = ledger.conn
    experts = [r[0] for r in conn.execute("SELECT id FROM experts ORDER BY seq")]
    projects = conn.execute("SELECT id, achievement_type FROM projects ORDER BY seq").fetchall()
    pids = [p[0] for p in projects]
    infos = rubric.indicators if indicators is None else [rubric.indicator(i) for i in indicators]
    iids = [i.id for i in infos]
    ei = {x: k for k, x in enumerate(experts)}
    pi = {x: k for k, x in enumerate(pids)}
    ii = {x: k for k, x in enumerate(iids)}
    values = np.full((len(experts), len(pids), len(iids)), np.nan)
    _check_values(ledger)
    rows = conn.execute("SELECT expert_id, project_id, indicator_id, value FROM scores").fetchall()
    if rows:
        idx = [(ei.get(e), pi.get(p), ii.get(i), v) for e, p, i, v in rows]
        idx = [t for t in idx if t[0] is not None and t[1] is not None and t[2] is not None]
        if idx:
            arr = np.array([t[:3] for t in idx], dtype=np.intp)
            values[arr[:, 0], arr[:, 1], arr[:, 2]] = [t[3] for t in idx]
    assigned = np.zeros((len(experts), len(pids)), dtype=bool)
    for e, p in conn.execute("SELECT expert_id, project_id FROM assignments"):
        assigned[ei[e], pi[p]] = True
    recused = np.zeros_like(assigned)
    for e, p in conn.execute("SELECT expert_id, project_id FROM recusals"):
        recused[ei[e], pi[p]] = True
    by_type: dict[Any, list[bool]] = {}
    applicable = np.ones((len(pids), len(iids)), dtype=bool)
    for k, (_pid, at) in enumerate(projects):
        if at not in by_type:
            by_type[at] = [indicator_applies(rubric, info, at) for info in infos]
        applicable[k] = by_type[at]
    if moderated:
        apply_moderation(ledger, values, experts, pids, iids)
    values.setflags(write=False)
    row = ledger.rubric_row()
    return ScoreCube(values, tuple(experts), tuple(pids), tuple(iids), assigned, recused, applicable,
                     row.get("rubric_id", ""), row.get("version", ""), row.get("content_hash", ""))


def _check_values(ledger: Ledger) -> None:
    """Every stored score is a finite number: the tool writes nothing else, so anything else was written
    behind its back. Refuse it with the row named rather than fail somewhere in the numeric code."""
    bad = ledger.conn.execute(
        "SELECT expert_id, project_id, indicator_id, value, typeof(value) FROM scores "
        "WHERE typeof(value) NOT IN ('real', 'integer') OR value IN (9e999, -9e999) "
        "ORDER BY expert_id, project_id, indicator_id LIMIT 1").fetchone()
    if bad is None:
        return
    e, p, i, value, kind = bad
    raise CampaignError(
        f"存储的评分 {value!r} 不是有限数字（数据库被绕过本工具改动？）/ the stored score {value!r} "
        f"({kind}) is not a finite number (the database was changed behind the tool's back?)",
        location=Location(file=str(ledger.path), field=f"scores {e}/{p}/{i}: value"),
        hint="运行 `tlr audit verify` 查看被改动之处，从备份恢复 / run `tlr audit verify` to see what was changed, "
             "then restore from a backup", code="damaged_score")


def scores_frame(ledger: Ledger):
    """Tidy DataFrame of every stored score with its text, comment, evidence, time and source."""
    import pandas as pd

    cols = ["expert_id", "project_id", "indicator_id", "value", "raw", "comment", "evidence", "scored_at",
            "source", "audit_seq"]
    rows = ledger.conn.execute(
        f"SELECT {', '.join('s.' + c for c in cols)} FROM scores s "
        "LEFT JOIN experts e ON e.id = s.expert_id LEFT JOIN projects p ON p.id = s.project_id "
        "ORDER BY e.seq, p.seq, s.indicator_id").fetchall()
    df = pd.DataFrame(rows, columns=cols).rename(columns={"expert_id": "expert", "project_id": "project",
                                                          "indicator_id": "indicator"})
    order = {iid.id: k for k, iid in enumerate(ledger.rubric.indicators)}
    if len(df):
        df["_o"] = df["indicator"].map(order)
        df = df.sort_values(["expert", "project", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return df
