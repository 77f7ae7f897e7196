"""Completeness of a panel's answers: expected against received, per expert and per project.

One definition serves ``tlr status``, the ranking and the report, so they can never disagree:

- an answer is *expected* from expert e on project p, indicator i when e is assigned to p and not
  recused (``active[e, p]``) and i applies to p (``applicable[p, i]``);
- the *experts behind* a project are the active experts who scored it (at least one answer): each of
  them judged the project; answers they skipped are counted separately (expected vs received), and
  the number of experts behind each single value is ``n_experts`` of the evaluation;
- the project meets the *quorum* when experts behind / active panel >= quorum (half a percent of
  slack: quorums are usually written to two decimals, 0.67 for two thirds), and *min_experts* when
  experts behind >= min_experts.

Arrays in, a named result out; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import project_blocks
from tlr.numeric.results import ResultMixin

QUORUM_SLACK = 0.005


@dataclass(frozen=True)
class Completeness(ResultMixin):
    """Answers expected and received.

    Attributes:
        expected, received: (experts, projects) answers expected / received (received counts only
            expected answers).
        panel: (projects,) active experts (assigned, not recused).
        complete_experts: (projects,) active experts who gave every expected answer.
        silent_experts: (projects,) active experts who gave no answer at all.
        experts_behind: (projects,) active experts with at least one answer on the project.
        quorum_met, min_experts_met: (projects,) bool.
        quorum, min_experts: the rules applied.
    """

    expected: np.ndarray
    received: np.ndarray
    panel: np.ndarray
    complete_experts: np.ndarray
    silent_experts: np.ndarray
    experts_behind: np.ndarray
    quorum_met: np.ndarray
    min_experts_met: np.ndarray
    quorum: float
    min_experts: int

    @property
    def expected_by_expert(self) -> np.ndarray:
        return self.expected.sum(axis=1)

    @property
    def received_by_expert(self) -> np.ndarray:
        return self.received.sum(axis=1)

    @property
    def expected_by_project(self) -> np.ndarray:
        return self.expected.sum(axis=0)

    @property
    def received_by_project(self) -> np.ndarray:
        return self.received.sum(axis=0)

    @property
    def total_expected(self) -> int:
        return int(self.expected.sum())

    @property
    def total_received(self) -> int:
        return int(self.received.sum())


def completeness(answered: np.ndarray, active: np.ndarray, applicable: np.ndarray, *, quorum: float,
                 min_experts: int) -> Completeness:
    """Completeness of a panel (see the module doc for the definitions).

    Args:
        answered: (experts, projects, indicators) bool, True where a score is stored.
        active: (experts, projects) bool, assigned and not recused.
        applicable: (projects, indicators) bool.
        quorum: share of the active panel that must stand behind every indicator, in (0, 1].
        min_experts: experts needed behind every indicator.
    """
    answered = np.asarray(answered, dtype=bool)
    active = np.asarray(active, dtype=bool)
    applicable = np.asarray(applicable, dtype=bool)
    E, P, I = answered.shape
    if active.shape != (E, P) or applicable.shape != (P, I):
        raise ValueError(f"shapes differ: answered {answered.shape}, active {active.shape}, "
                         f"applicable {applicable.shape}")
    expected = np.empty((E, P), dtype=np.intp)
    received = np.empty((E, P), dtype=np.intp)
    for sl in project_blocks(P, E * I):
        wanted = active[:, sl, None] & applicable[None, sl, :]     # (E, p, I)
        expected[:, sl] = wanted.sum(axis=2)
        received[:, sl] = (answered[:, sl] & wanted).sum(axis=2)
    panel = active.sum(axis=0)
    complete = (active & (received == expected)).sum(axis=0)
    silent = (active & (received == 0) & (expected > 0)).sum(axis=0)
    behind = (active & (received > 0)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(panel > 0, behind / np.maximum(panel, 1), 0.0)
    quorum_met = (panel > 0) & (share + QUORUM_SLACK >= quorum)
    return Completeness(expected=expected, received=received, panel=panel, complete_experts=complete,
                        silent_experts=silent, experts_behind=behind.astype(np.int64), quorum_met=quorum_met,
                        min_experts_met=behind >= min_experts, quorum=float(quorum), min_experts=int(min_experts))


__all__ = ["Completeness", "completeness", "QUORUM_SLACK"]
