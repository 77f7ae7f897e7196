"""Evidence-gated technology readiness assessment (TRL / MRL / CRI ladders, CTE roll-up, SRL).

Ordinal throughout: levels are determined by a cumulative checklist, rolled up by the minimum over
critical technology elements, and combined across experts by a median-type order statistic — never
averaged. See ``docs/trl.md``.
"""

from __future__ import annotations

from tlr.trl.assess import AssessmentResult, CTEResult, evaluate, merge_answers, update_derived
from tlr.trl.consensus import Consensus, ordinal_consensus
from tlr.trl.determine import Determination, LevelResult, Missing, determine_level, parse_answer
from tlr.trl.errors import AnswerError, AssessmentFileError, EvidenceError, LadderError, TrlError
from tlr.trl.evidence import check_evidence, make_evidence, sha256_file
from tlr.trl.ladders import Ladder, ladder_from_scale, load_ladder, rubrics_dir, shipped_ladders
from tlr.trl.model import CTE, Answer, Assertion, Assessment, EvidenceItem, Integration, Judgement
from tlr.trl.rollup import Rollup, SRLResult, rollup, srl
from tlr.trl.store import load_assessment, save_assessment

__all__ = [
    "Answer", "AnswerError", "Assertion", "Assessment", "AssessmentFileError", "AssessmentResult", "CTE",
    "CTEResult", "Consensus", "Determination", "EvidenceError", "EvidenceItem", "Integration", "Judgement",
    "Ladder", "LadderError", "LevelResult", "Missing", "Rollup", "SRLResult", "TrlError", "check_evidence",
    "determine_level", "evaluate", "ladder_from_scale", "load_assessment", "load_ladder", "make_evidence",
    "merge_answers", "ordinal_consensus", "parse_answer", "rollup", "rubrics_dir", "save_assessment",
    "shipped_ladders", "sha256_file", "srl", "update_derived",
]
