"""Stage 2, readiness: each project's technology readiness level and where it comes from.

The evidence-based assessment when there is one (``assessment``; ``asserted`` when some 'yes' lacks
evidence), else the panel's lower median on the rubric's readiness indicator (``panel``), else
unknown (``none``). The level then stands for the readiness indicator in every later stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

SOURCES = ("assessment", "asserted", "panel", "none")


@dataclass(frozen=True)
class Readiness:
    """Attributes:
        level: (P,) readiness level, NaN unknown.
        source: (P,) ``assessment`` | ``asserted`` | ``panel`` | ``none``.
        column: the readiness indicator's column in the consensus, None when the rubric names none.
    """

    level: np.ndarray
    source: tuple[str, ...]
    column: int | None

    def in_consensus(self, values: np.ndarray) -> np.ndarray:
        """A copy of the consensus *values* (P, I) with the readiness indicator's column set to :attr:`level`."""
        out = values.copy()
        if self.column is not None:
            out[:, self.column] = self.level
        return out


def readiness_of(column: int | None, panel_values: np.ndarray, projects: Sequence[str],
                 assessed: Mapping[str, int] | None = None, asserted: Sequence[str] = ()) -> Readiness:
    """Readiness of every project.

    Args:
        column: the readiness indicator's column in *panel_values* (None: the rubric names none).
        panel_values: (P, I) the panel's consensus.
        assessed: project id -> level from a formal assessment (ids not in *projects* are ignored).
        asserted: ids of assessed projects whose level is not fully backed by evidence.
    """
    P = len(projects)
    level = np.full(P, np.nan) if column is None else panel_values[:, column].copy()
    source = ["none" if np.isnan(v) else "panel" for v in level]
    position = {pid: k for k, pid in enumerate(projects)}
    rows = [(position[pid], float(lv)) for pid, lv in (assessed or {}).items() if pid in position]
    asserted_ids = set(asserted)
    for k, lv in rows:  # one entry per assessed project
        level[k] = lv
        source[k] = "asserted" if projects[k] in asserted_ids else "assessment"
    return Readiness(level=level, source=tuple(source), column=column)


__all__ = ["Readiness", "readiness_of", "SOURCES"]
