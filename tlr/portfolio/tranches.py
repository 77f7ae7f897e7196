"""Staged tranches: how much of a project's ticket each year's budget carries.

A ticket ``c`` is paid in tranches over the portfolio's years: ``split[k]`` of it in year ``k`` (from the first
year). Tranche 1 is paid on signing; each later tranche is released only when the project reaches its
milestone TRL, which happens with probability ``p_k``. The budget use of year ``k`` is then

* ``expected``: ``c · split[k] · p_k`` — the expected cost. A portfolio within these budgets can exceed a year's
  budget when more projects than expected reach their milestones (the worst case: every one does);
* ``worst-case``: ``c · split[k]`` — every tranche counted in full; never exceeded, leaves money idle on average.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MODES = ("expected", "worst-case")


def milestone_trl(current: int | None, milestone: int | str) -> int | None:
    """The milestone TRL for a project at *current*: absolute (``6``) or relative (``"+1"``), capped at 9."""
    if isinstance(milestone, str):
        if current is None:
            return None
        return min(9, int(current) + int(milestone.lstrip("+")))
    return int(milestone)


def schedule(costs, split: Sequence[float], release, years: int, mode: str = "expected") -> tuple[np.ndarray,
                                                                                                 np.ndarray]:
    """Budget use per project and year if fully funded: ``(use, full)``, each (projects, years).

    Args:
        costs: (projects,) tickets in 万元.
        split: share of the ticket paid in each year from the first (sums to 1; at most *years* entries).
        release: (projects, len(split)) probability that each tranche is released (column 0: 1).
        mode: ``expected`` (use = full × release) or ``worst-case`` (use = full).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: one of {MODES}")
    c = np.asarray(costs, float)
    s = np.asarray(split, float)
    r = np.asarray(release, float)
    if s.ndim != 1 or len(s) > years or len(s) == 0 or (s < 0).any() or abs(s.sum() - 1.0) > 1e-9:
        raise ValueError("split must be 1..years non-negative shares summing to 1")
    if r.shape != (c.shape[0], len(s)) or (r < 0).any() or (r > 1).any():
        raise ValueError("release must be (projects, tranches) probabilities")
    full = np.zeros((c.shape[0], years))
    full[:, :len(s)] = c[:, None] * s[None, :]
    if mode == "worst-case":
        return full.copy(), full
    use = full.copy()
    use[:, :len(s)] *= r
    return use, full
