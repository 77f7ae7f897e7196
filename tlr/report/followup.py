"""The follow-up section of the report (投后跟踪与回测): plain models filled by :mod:`tlr.app.report_followup`.

Shown only when outcomes were recorded for the round (``ReportData.followup is None`` otherwise). Money in 万元;
ρ and probabilities in [-1, 1] / [0, 1]; ``None`` shows as "—".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tlr.text import Text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FollowUpOutcome(_Model):
    id: str
    name: str
    tier: str | None = None
    rank: int | None = None
    composite: float | None = None
    baseline_trl: int | None = None
    trl_reached: int | None = None
    investment: float = 0.0
    contract: float = 0.0
    revenue: float = 0.0
    events: int = 0


class FollowUpCorrelation(_Model):
    score: Text
    outcome: Text
    n: int
    rho: float | None = None
    ci: tuple[float, float] | None = None
    status: str = Field(description="too_few | constant | small | ok (the small-sample rule)")


class FollowUpStage(_Model):
    id: str
    from_trl: int
    to_trl: int
    confidence: str | None = None
    source: str | None = None
    entered: int
    completed: int
    censored: int
    observed_years: float | None = Field(None, description="median time to complete, observed")
    default_years: tuple[float, float, float] | None = None
    prior: tuple[float, float, float] = Field(description="mean, 5 %, 95 %")
    posterior: tuple[float, float, float] = Field(description="mean, 5 %, 95 %")


class FollowUpSection(_Model):
    round_name: str
    store: str = Field(description="library | campaign")
    since: str | None = None
    as_of: str
    followed: int
    round_size: int
    outcomes: list[FollowUpOutcome]
    totals: dict[str, float]
    rule: Text
    correlations: list[FollowUpCorrelation]
    level: float = 0.9
    draws: int
    computed: int = Field(0, description="correlations with an interval")
    excluding_zero: int = Field(0, description="... whose interval excludes 0")
    expected_by_chance: float = Field(0.0, description="computed × (1 − level): how many would by chance alone")
    stages: list[FollowUpStage] | None = None
    stage_note: Text | None = None
