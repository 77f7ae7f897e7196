"""Evaluation campaigns: one round's projects, experts, assignments, scores and audit log.

Everything is stored in one SQLite ledger (``campaign.sqlite`` in the campaign
directory, WAL mode); every change is an audited, hash-chained entry.

>>> from tlr.campaign import init_campaign, open_campaign, import_projects, import_experts
>>> from tlr.campaign import assign_experts, record_score, score_cube, verify_audit
"""

from __future__ import annotations

from .assign import add_assignment, assign_experts, conflicts, recuse, remove_assignment, solve
from .audit import AuditReport, log_entries
from .audit import verify as verify_audit
from .cube import ScoreCube, score_cube, scores_frame
from .imports import import_experts, import_projects
from .ledger import ENV_CAMPAIGN, Ledger, init_campaign, open_campaign, resolve_path
from .scoring import clear_score, expert_items, import_answers, record_score
from .status import campaign_status
from .trl import record_trl_assessment, trl_assessments
from .vocab import INDUSTRIES

__all__ = [
    "Ledger", "init_campaign", "open_campaign", "resolve_path", "ENV_CAMPAIGN",
    "import_projects", "import_experts", "assign_experts", "add_assignment", "remove_assignment", "recuse",
    "conflicts", "solve", "record_score", "clear_score", "import_answers", "expert_items",
    "campaign_status", "ScoreCube", "score_cube", "scores_frame", "verify_audit", "AuditReport", "log_entries",
    "record_trl_assessment", "trl_assessments", "INDUSTRIES",
]
