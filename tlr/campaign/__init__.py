"""Evaluation campaigns: one round's projects, experts, assignments, scores and audit log.

Everything is stored in one SQLite ledger (``campaign.sqlite`` in the campaign
directory, WAL mode); every change is an audited, hash-chained entry. See
docs/campaign.md.

>>> from tlr.campaign import init_campaign, open_campaign, import_projects, import_experts
>>> from tlr.campaign import assign_experts, record_score, score_cube, verify_audit

Names are imported lazily (``tlr status`` must start fast).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Ledger": "ledger", "init_campaign": "ledger", "open_campaign": "ledger", "resolve_path": "ledger",
    "ENV_CAMPAIGN": "ledger",
    "import_projects": "imports", "import_experts": "imports",
    "assign_experts": "assign", "add_assignment": "assign", "remove_assignment": "assign", "recuse": "assign",
    "conflicts": "assign", "solve": "assign",
    "record_score": "scoring", "clear_score": "scoring", "import_answers": "scoring", "expert_items": "scoring",
    "campaign_status": "status",
    "ScoreCube": "cube", "score_cube": "cube", "scores_frame": "cube",
    "verify_audit": "audit:verify", "AuditReport": "audit", "log_entries": "audit",
    "record_trl_assessment": "trl", "trl_assessments": "trl",
    "export_sheet": "sheets", "import_sheets": "sheets", "export_scores": "export",
    "INDUSTRIES": "vocab",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'tlr.campaign' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(f"tlr.campaign.{module}"), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
