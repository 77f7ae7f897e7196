"""Readiness stages: which stages a project at a given TRL still has to pass, and the probability of
reaching a TRL milestone.

A stage goes from ``from_trl`` to ``to_trl``. A project already part-way through a stage (from < TRL < to)
has the remaining fraction f = (to − TRL)/(to − from) of it left: probability p^f (the stage's success
spread evenly, geometrically, over its levels), duration and cost share × f. A project at TRL 9 has no stage
left: it is on the market.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence  # noqa: UP035 - as the rest of tlr

MAX_TRL = 9


@dataclass(frozen=True)
class Stage:
    """One stage: probability of success, duration [low, mode, high] years, share of the remaining R&D cost."""

    id: str
    from_trl: float
    to_trl: float
    p_success: float
    p_range: tuple[float, float] = (float("nan"), float("nan"))
    years: tuple[float, float, float] = (1.0, 1.0, 1.0)
    cost_share: float = 0.0
    confidence: str = "low"
    source: str = ""
    note: str = ""
    origin: str = "default"            # default | rubric | industry | project

    def __post_init__(self) -> None:
        if not self.from_trl < self.to_trl:
            raise ValueError(f"stage '{self.id}': from_trl must be below to_trl")
        if not 0.0 <= self.p_success <= 1.0:
            raise ValueError(f"stage '{self.id}': p_success must be in [0, 1]")

    @property
    def p_low(self) -> float:
        return self.p_success if self.p_range[0] != self.p_range[0] else self.p_range[0]

    @property
    def p_high(self) -> float:
        return self.p_success if self.p_range[1] != self.p_range[1] else self.p_range[1]

    def part(self, fraction: float) -> "Stage":
        """The remaining *fraction* (0..1] of this stage."""
        if fraction >= 1.0:
            return self
        lo, mo, hi = self.years
        return replace(self, from_trl=self.to_trl - fraction * (self.to_trl - self.from_trl),
                       p_success=self.p_success ** fraction,
                       p_range=(self.p_low ** fraction, self.p_high ** fraction),
                       years=(lo * fraction, mo * fraction, hi * fraction), cost_share=self.cost_share * fraction)


def remaining(stages: Iterable[Stage], trl: float) -> list[Stage]:
    """The stages (or the parts of them) a project at *trl* still has to pass, in order."""
    out = []
    for s in sorted(stages, key=lambda s: s.from_trl):
        if s.to_trl <= trl:
            continue
        fraction = 1.0 if s.from_trl >= trl else (s.to_trl - trl) / (s.to_trl - s.from_trl)
        out.append(s.part(fraction))
    return out


def p_reach(stages: Sequence[Any], target_trl: float) -> float:
    """Probability of reaching *target_trl* through *stages* (a project's remaining stages, in order): Stage
    objects, or mappings with ``from_trl``, ``to_trl`` and ``p_success`` (the stages of ``tlr value --json``).

    A stage ending at or below the target counts whole; one straddling it counts for the part below the
    target (p^f, f the fraction of its levels below the target). 1.0 when no stage lies below the target.
    """
    prob = 1.0
    for s in stages:
        lo, hi, p = ((s["from_trl"], s["to_trl"], s["p_success"]) if isinstance(s, Mapping)
                     else (s.from_trl, s.to_trl, s.p_success))
        if lo >= target_trl:
            continue
        prob *= p if hi <= target_trl else p ** ((target_trl - lo) / (hi - lo))
    return prob


__all__ = ["Stage", "remaining", "p_reach", "MAX_TRL"]
