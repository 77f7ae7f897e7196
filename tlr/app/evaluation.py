"""Evaluate a campaign: read the ledger (scores, frozen rubric, TRL assessments) and run :func:`tlr.evaluation.evaluate`.

The pipeline's edge between the store (:mod:`tlr.campaign`) and the numeric core: everything it
reads is named in the result's ``provenance`` (rubric hash, a hash of the scores, tool version), so a
report can say exactly what it was computed from.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tlr import __version__
from tlr.campaign.cube import score_cube
from tlr.campaign.ledger import Ledger
from tlr.campaign.trl import assessed_readiness
from tlr.errors import CampaignError, Location


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


def provenance(ledger: Ledger, rubric, cube) -> dict[str, Any]:
    """What an evaluation was computed from: the campaign, the frozen rubric, the scores, the tool."""
    import numpy as np

    return {
        "campaign": str(Path(ledger.path).parent),
        "rubric_id": rubric.id, "rubric_version": rubric.version, "rubric_hash": rubric.content_hash,
        "scores_hash": cube.content_hash(), "n_scores": int((~np.isnan(cube.values)).sum()),
        "tool_version": __version__,
    }


def evaluate_campaign(ledger: Ledger, options: Any = None, *, rubric_path: str | Path | None = None,
                      progress=None) -> Any:
    """Rank every project of the campaign; returns a :class:`tlr.evaluation.Evaluation` with ``provenance``."""
    import numpy as np

    from tlr.evaluation import evaluate

    if rubric_path is not None:
        check_rubric_file(ledger, rubric_path)
    rubric = ledger.rubric
    cube = score_cube(ledger)
    experts = ledger.experts()
    weights = None
    if any("weight" in (e.get("extra") or {}) for e in experts):
        weights = np.array([float((e.get("extra") or {}).get("weight", 1.0)) for e in experts])
    readiness = assessed_readiness(ledger)
    result = evaluate(rubric, cube, readiness_assessed={pid: r.level for pid, r in readiness.items()},
                      readiness_asserted=[pid for pid, r in readiness.items() if r.basis != "evidenced"],
                      expert_weights=weights, options=options, progress=progress)
    panel_defaults = (ledger.rubric_summary().get("panel") or {}).get("defaults")  # None: not recorded
    from tlr.campaign.moderation import moderation_summary
    from tlr.campaign.rounds import rescored_projects

    method = {**result.method, "provenance": provenance(ledger, rubric, cube),
              "panel_defaults": panel_defaults,  # None: not recorded (campaign made by an older tlr)
              "moderation": moderation_summary(ledger),  # scores excluded / overridden, and why
              "rescored": rescored_projects(ledger)}  # projects scored again (复议), with their round
    return dataclasses.replace(result, method=method)
