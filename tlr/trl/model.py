"""The assessment document: a project's critical technology elements (CTEs), their answers and evidence.

Saved as YAML (readable, the default) or JSON, chosen by the file extension. Hand-written answer
files use the same model with shorthand: an answer may be just its value (``trl4.q2: yes``,
``trl5.q2: 80``) and evidence items need no hash (``tlr trl assess --answers`` computes it).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tlr.rubric.model import EvidenceKind, Id, Text
from tlr.trl.determine import parse_answer

__all__ = ["Answer", "Assertion", "EvidenceItem", "Judgement", "CTE", "Integration", "SessionState",
           "ProjectInfo", "Assessment", "utcnow", "ROLLUP_RULE", "CONSENSUS_RULE"]

FORMAT_VERSION = 1
ROLLUP_RULE = Literal["min", "min_critical"]
CONSENSUS_RULE = Literal["lower_median", "upper_median", "min"]


def utcnow() -> datetime:
    """Now, UTC, to the second (ISO 8601 in files)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


AnswerLiteral = Union[Literal["yes", "no", "na"], float]


class Answer(_Model):
    """One checklist answer: yes / no / na or percent complete, who gave it and when."""

    value: AnswerLiteral
    by: str | None = None
    at: datetime | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        return {"value": data}

    @field_validator("value", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        try:
            return parse_answer(value)
        except Exception as exc:  # AnswerError -> pydantic error with location
            raise ValueError(getattr(exc, "message", str(exc))) from None


class Assertion(_Model):
    """An explicit claim that a level without applicable checklist questions is reached."""

    level: int
    justification: str = Field(min_length=1)
    by: str | None = None
    at: datetime | None = None


class EvidenceItem(_Model):
    """A piece of evidence: a file (with its SHA-256) or a URL, who added it and when."""

    id: str | None = Field(None, description="Short id (ev1, ev2 ...); assigned by tlr when omitted.")
    kind: EvidenceKind = "other"
    path: str | None = None
    url: str | None = None
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    description: str | None = None
    questions: list[str] = Field(default_factory=list, description="Question ids this item supports.")
    added_by: str | None = None
    added_at: datetime | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "EvidenceItem":
        if bool(self.path) == bool(self.url):
            raise ValueError("give exactly one of 'path' or 'url'")
        return self


class Judgement(_Model):
    """One panel member's TRL judgement for a CTE (combined by an ordinal rule, never averaged)."""

    expert: str
    level: int
    note: str | None = None


class CTE(_Model):
    """A critical technology element: assessed on its own; the project is as ready as its weakest CTE."""

    id: Id
    name: Text
    description: Text | None = None
    critical: bool = Field(True, description="False: tracked but not limiting under rule 'min_critical'.")
    ladder: str | None = Field(None, description="Ladder for this CTE when it differs from the project's.")
    baseline: int | None = Field(None, description="Level at the start (立项/baseline).")
    target: int | None = Field(None, description="Level the project commits to reach.")
    claimed: int | None = Field(None, description="Level the applicant declares (for comparison only).")
    current: int | None = Field(None, description="Written by tlr: level determined from the answers.")
    answers: dict[str, Answer] = Field(default_factory=dict)
    assertions: list[Assertion] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    judgements: list[Judgement] = Field(default_factory=list)


class Integration(_Model):
    """An integration between two CTEs with its integration readiness level (IRL 1-9, Sauser)."""

    a: str
    b: str
    irl: int = Field(ge=1, le=9)
    note: str | None = None


class SessionState(_Model):
    """Where an interactive session stopped (informational; resume goes to the first unanswered question)."""

    cte: str | None = None
    question: str | None = None
    lang: Literal["zh", "en"] = "zh"
    updated_at: datetime | None = None


class ProjectInfo(_Model):
    id: str | None = None
    title: Text | None = None


class Assessment(_Model):
    """A technology readiness assessment of one project."""

    format: Literal[1] = FORMAT_VERSION
    kind: Literal["trl_assessment"] = "trl_assessment"
    project: ProjectInfo = Field(default_factory=ProjectInfo)
    ladder: str = Field("trl-cn-development", description="Shipped ladder id or path (relative to this file).")
    ladder_sha256: str | None = Field(None, description="Written by tlr: hash of the ladder file used.")
    green_threshold: float | None = Field(None, ge=0, le=1)
    yellow_threshold: float | None = Field(None, ge=0, le=1)
    rollup: ROLLUP_RULE = "min"
    consensus: CONSENSUS_RULE = "lower_median"
    assessors: list[str] = Field(default_factory=list)
    ctes: list[CTE] = Field(default_factory=list)
    integrations: list[Integration] = Field(default_factory=list)
    session: SessionState | None = None
    summary: dict[str, Any] | None = Field(None, description="Written by tlr on every save, for readers.")

    @model_validator(mode="after")
    def _unique(self) -> "Assessment":
        ids = [c.id for c in self.ctes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate CTE id(s): {', '.join(dupes)}")
        for integ in self.integrations:
            for end in (integ.a, integ.b):
                if end not in ids:
                    raise ValueError(f"integration names unknown CTE '{end}'")
            if integ.a == integ.b:
                raise ValueError(f"integration of '{integ.a}' with itself")
        return self

    def cte(self, cte_id: str) -> CTE:
        for c in self.ctes:
            if c.id == cte_id:
                return c
        raise KeyError(cte_id)
