"""Evaluate a campaign: read the ledger (scores, frozen rubric, TRL assessments) and run :func:`tlr.evaluate.evaluate`.

This is the I/O edge of the ranking: everything it reads is named in the result's
``provenance`` (rubric hash, a hash of the scores, tool version), so a report can say
exactly what it was computed from.
"""

from __future__ import annotations

import hashlib
import json
import math
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
    from tlr.trl import Assessment, evaluate as evaluate_trl

    from .trl import trl_assessments

    out: dict[str, int] = {}
    for record in trl_assessments(ledger, latest=True):
        doc = Assessment.model_validate(record["document"])
        result = evaluate_trl(doc, Path(ledger.path).parent, check_files=False)
        if result.level is None:
            continue
        pid = record["project_id"]
        out[pid] = min(out.get(pid, result.level), result.level)
    return out


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
    result = evaluate(rubric, cube.values, projects=cube.projects, experts=cube.experts,
                      indicators=cube.indicators, applicable=cube.applicable,
                      readiness_assessed=assessed_readiness(ledger), expert_weights=weights,
                      options=options, progress=progress)
    provenance = {
        "campaign": str(Path(ledger.path).parent),
        "rubric_id": rubric.id, "rubric_version": rubric.version, "rubric_hash": rubric.content_hash,
        "scores_hash": scores_hash(cube), "n_scores": int((~np.isnan(cube.values)).sum()),
        "tool_version": __version__,
    }
    return dataclasses.replace(result, method={**result.method, "provenance": provenance})


def ranking_rows(ev, names: dict[str, dict], lang: str = "zh") -> list[dict]:
    """JSON-ready ranking rows, best first; *names*: project id -> its ledger record (name, applicant ...)."""
    from tlr.text import tr

    rob, boot = ev.robustness, ev.bootstrap
    rows = []
    for p in ev.order():
        pid = ev.projects[p]
        info = names.get(pid, {})
        row = {
            "rank": int(ev.rank[p]), "project": pid, "name": info.get("name"), "applicant": info.get("applicant"),
            "industry": info.get("industry"),
            "composite": None if ev.unscored[p] else round(float(ev.composite[p]), 4),
            "tier": ev.tier[p], "tier_label": tr(_label(ev.tier_labels.get(ev.tier[p])), lang),
            "route": ev.route[p], "route_label": tr(_label(ev.route_labels.get(ev.route[p])), lang) if ev.route[p] else None,
            "readiness": None if math.isnan(ev.readiness[p]) else int(ev.readiness[p]),
            "readiness_source": ev.readiness_source[p],
            "dimensions": {d: (None if math.isnan(ev.dimension_scores[p, k]) else round(float(ev.dimension_scores[p, k]), 4))
                           for k, d in enumerate(ev.dimensions) if ev.rubric.node(d).depth == 0},
            "rank_interval": [float(rob.rank_q05[p]), float(rob.rank_q95[p])],
            "rank_median": float(rob.rank_q50[p]),
            "top_k": int(rob.top_k), "p_top_k": float(rob.p_top_k[p]),
            "p_tier": ({code: float(rob.p_tier[p, t]) for t, code in enumerate(rob.tier_codes)}
                       if rob.p_tier is not None else None),
            "bootstrap_rank_interval": ([float(boot.rank_q05[p]), float(boot.rank_q95[p])] if boot is not None else None),
            "knocked_out": bool(ev.knocked_out[p]),
            "knockout_reasons": ev.knockout_reasons(p, lang),
            "review": bool(ev.review[p]),
            "flags": ev.flags(p, lang),
        }
        rows.append(row)
    return rows


def _label(value):
    if isinstance(value, dict):
        from tlr.text import I18nText

        return I18nText(**value)
    return value
