"""The labelled score cube the evaluation takes: who scored what, on which project, against which indicator.

``values[e, p, i]`` is expert ``experts[e]``'s stored score for project ``projects[p]`` on indicator
``indicators[i]`` (see :mod:`tlr.rubric.scales` for what is stored), NaN where there is none.
:func:`tlr.campaign.cube.score_cube` builds one from a campaign ledger; :meth:`ScoreCube.of` from arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from tlr.errors import TlrError
from tlr.numeric.arrays import project_blocks
from tlr.numeric.errors import InvalidValueError, NoScoresError, ShapeError


@dataclass(frozen=True)
class ScoreCube:
    """Dense, labelled view of a panel's scores.

    ``assigned`` / ``recused`` are experts x projects masks (the active panel is assigned and not
    recused), ``applicable`` is projects x indicators (False where the indicator does not apply).
    """

    values: np.ndarray
    experts: tuple[str, ...]
    projects: tuple[str, ...]
    indicators: tuple[str, ...]
    assigned: np.ndarray
    recused: np.ndarray
    applicable: np.ndarray
    rubric_id: str = ""
    rubric_version: str = ""
    rubric_hash: str = ""

    def __post_init__(self) -> None:
        E, P, I = len(self.experts), len(self.projects), len(self.indicators)
        expected = {"values": (E, P, I), "assigned": (E, P), "recused": (E, P), "applicable": (P, I)}
        for name, shape in expected.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                raise ShapeError(f"{name} 形状 {got} 与标签不符 / {name} has shape {got}; the labels give {shape} "
                                 f"({E} experts, {P} projects, {I} indicators)")

    def content_hash(self) -> str:
        """SHA-256 over the ids and the values: equal for equal data (reports name it as the scores hash)."""
        import hashlib
        import json

        h = hashlib.sha256()
        h.update(json.dumps([list(self.experts), list(self.projects), list(self.indicators)],
                            ensure_ascii=False).encode("utf-8"))
        h.update(np.ascontiguousarray(self.values, dtype=float).tobytes())
        return h.hexdigest()

    @classmethod
    def of(cls, values, *, experts: Sequence[str], projects: Sequence[str], indicators: Sequence[str],
           assigned=None, recused=None, applicable=None) -> ScoreCube:
        """A cube from arrays. Defaults: assigned = the experts who scored the project, nobody recused,
        every indicator applies."""
        x = np.asarray(values, dtype=float)
        if x.ndim != 3:
            raise ShapeError(f"评分数组应为 专家×项目×指标 三维 / scores must be 3-D (experts, projects, indicators), "
                             f"got shape {x.shape}")
        answered = ~np.isnan(x)
        E, P, I = x.shape
        return cls(
            values=x, experts=tuple(experts), projects=tuple(projects), indicators=tuple(indicators),
            assigned=answered.any(axis=2) if assigned is None else np.asarray(assigned, dtype=bool),
            recused=np.zeros((E, P), dtype=bool) if recused is None else np.asarray(recused, dtype=bool),
            applicable=np.ones((P, I), dtype=bool) if applicable is None else np.asarray(applicable, dtype=bool))

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def active(self) -> np.ndarray:
        """(experts, projects) bool: assigned and not recused — the panel answers are expected from."""
        return np.asarray(self.assigned, dtype=bool) & ~np.asarray(self.recused, dtype=bool)

    def in_order(self, indicators: Sequence[str]) -> ScoreCube:
        """The same cube with its indicator axis in the order of *indicators* (all must be present)."""
        ids = tuple(indicators)
        if ids == self.indicators:
            return self
        position = {iid: k for k, iid in enumerate(self.indicators)}
        missing = [iid for iid in ids if iid not in position]
        if missing:
            raise TlrError(f"评分数据缺少指标 / the scores lack indicators of the rubric: {', '.join(missing[:5])}",
                           hint="the campaign's frozen rubric and this rubric differ")
        order = [position[iid] for iid in ids]
        return ScoreCube(np.asarray(self.values)[:, :, order], self.experts, self.projects, ids, self.assigned,
                         self.recused, np.asarray(self.applicable)[:, order], self.rubric_id, self.rubric_version,
                         self.rubric_hash)

    def check_scores(self) -> None:
        """Refuse a cube nothing can be ranked from: no projects, infinite values, no score at all."""
        x = np.asarray(self.values, dtype=float)
        if not self.projects:
            raise TlrError("评价批次中没有项目 / the campaign has no projects", hint="import projects first")
        blocks = project_blocks(x.shape[1], x.shape[0] * x.shape[2])
        if any(np.isinf(x[:, sl]).any() for sl in blocks):
            raise InvalidValueError("评分含无穷大 / scores contain infinite values", hint="use NaN for a missing score")
        if all(np.isnan(x[:, sl]).all() for sl in blocks):
            raise NoScoresError("没有任何评分 / no scores at all: nothing to rank yet",
                                hint="experts score with `tlr score`, or import sheets with `tlr sheets import`")

    def to_frame(self, *, dropna: bool = True):
        """Tidy DataFrame: one row per (expert, project, indicator) with ``value``."""
        import pandas as pd

        E, P, I = self.values.shape
        e, p, i = np.meshgrid(np.arange(E), np.arange(P), np.arange(I), indexing="ij")
        flat = self.values.ravel()
        keep = ~np.isnan(flat) if dropna else np.ones(flat.shape, dtype=bool)
        return pd.DataFrame({
            "expert": pd.Categorical(np.asarray(self.experts, dtype=object)[e.ravel()[keep]],
                                     categories=list(self.experts)),
            "project": pd.Categorical(np.asarray(self.projects, dtype=object)[p.ravel()[keep]],
                                      categories=list(self.projects)),
            "indicator": pd.Categorical(np.asarray(self.indicators, dtype=object)[i.ravel()[keep]],
                                        categories=list(self.indicators)),
            "value": flat[keep],
        })


__all__ = ["ScoreCube"]
