"""Evaluate a campaign: read the ledger (scores, frozen rubric, TRL assessments) and run :func:`tlr.evaluate.evaluate`.

This is the I/O edge of the ranking: everything it reads is named in the result's
``provenance`` (rubric hash, a hash of the scores, tool version), so a report can say
exactly what it was computed from.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tlr.errors import CampaignError, Location

from .ledger import Ledger


def check_rubric_file(ledger: Ledger, rubric_path: str | Path) -> None:
    """Refuse to rank when *rubric_path* no longer matches the rubric frozen in the ledger."""
    from tlr.rubric import load_rubric

    current = load_rubric(rubric_path)
    frozen = ledger.rubric
    if current.content_hash != frozen.content_hash:
        raise CampaignError(
            f"评价体系文件与批次冻结的版本不一致 / the rubric file no longer matches the campaign's frozen rubric "
            f"({frozen.id} {frozen.version} sha256 {frozen.content_hash[:12]}… vs file {current.id} "
            f"{current.version} sha256 {current.content_hash[:12]}…)",
            location=Location(file=str(rubric_path)),
            hint="scores were given under the frozen rubric: rank without --rubric, or start a new campaign",
            code="rubric_mismatch")


def assessed_readiness(ledger: Ledger) -> dict[str, int]:
    """Project id -> readiness level from the latest TRL assessment documents (minimum over records)."""
    from .trl import assessed_readiness as readiness

    return {pid: r.level for pid, r in readiness(ledger).items()}


def scores_hash(cube) -> str:
    """SHA-256 over the score cube's ids and values: equal for equal data."""
    h = hashlib.sha256()
    h.update(json.dumps([cube.experts, cube.projects, cube.indicators], ensure_ascii=False).encode("utf-8"))
    h.update(cube.values.tobytes())
    return h.hexdigest()


def evaluate_campaign(ledger: Ledger, options: Any = None, *, rubric_path: str | Path | None = None,
                      progress=None) -> Any:
    """Rank every project of the campaign; returns a :class:`tlr.evaluate.Evaluation` with ``provenance``."""
    import dataclasses

    import numpy as np

    from tlr import __version__
    from tlr.evaluate import evaluate

    from .cube import score_cube

    if rubric_path is not None:
        check_rubric_file(ledger, rubric_path)
    rubric = ledger.rubric
    cube = score_cube(ledger)
    experts = ledger.experts()
    weights = None
    if any("weight" in (e.get("extra") or {}) for e in experts):
        weights = np.array([float((e.get("extra") or {}).get("weight", 1.0)) for e in experts])
    from .trl import assessed_readiness as readiness_of

    readiness = readiness_of(ledger)
    result = evaluate(rubric, cube.values, projects=cube.projects, experts=cube.experts,
                      indicators=cube.indicators, applicable=cube.applicable,
                      readiness_assessed={pid: r.level for pid, r in readiness.items()},
                      readiness_asserted=[pid for pid, r in readiness.items() if r.basis != "evidenced"],
                      assigned=cube.assigned & ~cube.recused, expert_weights=weights,
                      options=options, progress=progress)
    panel_defaults = (ledger.rubric_summary().get("panel") or {}).get("defaults")  # None: not recorded
    provenance = {
        "campaign": str(Path(ledger.path).parent),
        "rubric_id": rubric.id, "rubric_version": rubric.version, "rubric_hash": rubric.content_hash,
        "scores_hash": scores_hash(cube), "n_scores": int((~np.isnan(cube.values)).sum()),
        "tool_version": __version__,
    }
    method = {**result.method, "provenance": provenance,
              "panel_defaults": panel_defaults}  # None: not recorded (campaign made by an older tlr)
    return dataclasses.replace(result, method=method)


COST_COLUMNS = ("申请经费（万元）", "申请经费(万元)", "申请经费", "requested_funding", "ticket", "投资需求（万元）")


def project_costs(names: dict[str, dict], projects, column: str | None) -> list[float | None]:
    """Requested funding per project from an imported column (kept in the project's ``extra``)."""
    out: list[float | None] = []
    for pid in projects:
        extra = (names.get(pid) or {}).get("extra") or {}
        keys = [column] if column else [k for k in COST_COLUMNS if k in extra]
        raw = extra.get(keys[0]) if keys else None
        try:
            out.append(float(str(raw).replace(",", "")) if raw not in (None, "") else None)
        except ValueError:
            out.append(None)
    return out


def fund_fit(ev, names: dict[str, dict], *, industries: list[str] | None = None, min_trl: int | None = None,
             max_ticket: float | None = None, cost_column: str | None = None) -> dict[str, list[str]]:
    """Project id -> reasons it does not fit the fund (empty list: fits). Knocked-out projects never fit."""
    from tlr.campaign.vocab import industry_id

    costs = project_costs(names, ev.projects, cost_column)
    wanted = {industry_id(i) or i for i in industries} if industries else None
    out: dict[str, list[str]] = {}
    for p, pid in enumerate(ev.projects):
        reasons = []
        if ev.knocked_out[p]:
            reasons.append("knocked out")
        if ev.unscored[p]:
            reasons.append("no scores")
        if wanted is not None and (names.get(pid) or {}).get("industry") not in wanted:
            reasons.append("industry outside the fund's focus")
        if min_trl is not None and not (ev.readiness[p] >= min_trl):
            reasons.append(f"readiness below TRL {min_trl}")
        if max_ticket is not None and costs[p] is not None and costs[p] > max_ticket:
            reasons.append(f"ticket {costs[p]:g} above {max_ticket:g}")
        out[pid] = reasons
    return out


def select_for_budget(ev, names: dict[str, dict], budget: float, *, cost_column: str | None = None,
                      fit: dict[str, list[str]] | None = None, industry_cap: int | None = None) -> dict:
    """Exact budget-constrained selection maximising the total composite over projects that fit the fund."""
    import numpy as np

    from tlr.errors import TlrError
    from tlr.ranking.selection import select_portfolio

    costs = project_costs(names, ev.projects, cost_column)
    fit = fit if fit is not None else fund_fit(ev, names, cost_column=cost_column)
    eligible = np.array([not fit[pid] for pid in ev.projects])
    priced = np.array([c is not None for c in costs])
    if not (eligible & priced).any():
        raise TlrError("没有可选项目 / no eligible project with a requested amount",
                       hint=f"projects need a cost column ({', '.join(COST_COLUMNS[:2])} …) or --cost-column")
    cost = np.array([c if c is not None else 0.0 for c in costs])
    groups = [(names.get(pid) or {}).get("industry", "") for pid in ev.projects]
    caps = {g: industry_cap for g in set(groups)} if industry_cap else None
    result = select_portfolio(ev.composite, cost, budget, must_exclude=~(eligible & priced), groups=groups,
                              count_caps=caps)
    chosen = [ev.projects[p] for p in np.flatnonzero(result.selected)]
    chosen.sort(key=lambda pid: ev.rank[ev.projects.index(pid)])
    return {"budget": budget, "selected": chosen, "total_cost": result.total_cost,
            "total_score": result.total_score, "status": result.status, "industry_cap": industry_cap,
            "not_eligible": {pid: r for pid, r in fit.items() if r},
            "no_cost": [pid for pid, c in zip(ev.projects, costs) if c is None]}
