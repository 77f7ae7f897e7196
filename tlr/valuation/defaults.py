"""The packaged stage defaults (``data/stage_defaults.yaml``): stages by readiness with a source and a
confidence mark per number, industry overrides, and the approaches' parameters.

The only I/O of :mod:`tlr.valuation`: the YAML file shipped inside the package, read with
:mod:`importlib.resources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence  # noqa: UP035 - as the rest of tlr

import numpy as np

from tlr.valuation.stages import Stage, remaining

RESOURCE = "stage_defaults.yaml"


@dataclass(frozen=True)
class Parameter:
    value: Any
    confidence: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class Industry:
    id: str
    match: tuple[str, ...]
    stages: tuple[Stage, ...]
    note: str = ""


@dataclass(frozen=True)
class Defaults:
    version: int
    stages: tuple[Stage, ...]
    industries: tuple[Industry, ...] = ()
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def industry_for(self, industry: str | None) -> Industry | None:
        """The override whose ``match`` names *industry* (exactly, or its id), if any."""
        if not industry:
            return None
        return next((i for i in self.industries if industry == i.id or industry in i.match), None)

    def stages_for(self, industry: str | None = None) -> tuple[Stage, ...]:
        found = self.industry_for(industry)
        return found.stages if found is not None else self.stages

    def value(self, name: str) -> Any:
        return self.parameters[name].value


def stage_from_dict(d: dict[str, Any], origin: str = "default") -> Stage:
    years = d.get("years", 1.0)
    years = tuple(float(x) for x in (years if isinstance(years, (list, tuple)) else (years,) * 3))
    p_range = d.get("p_range") or (float("nan"), float("nan"))
    return Stage(id=str(d["id"]), from_trl=float(d["from_trl"]), to_trl=float(d["to_trl"]),
                 p_success=float(d["p_success"]), p_range=(float(p_range[0]), float(p_range[1])),
                 years=years, cost_share=float(d.get("cost_share", 0.0)),
                 confidence=str(d.get("confidence", "low")), source=str(d.get("source", "")),
                 note=" ".join(str(d.get("note", "")).split()), origin=origin)


def defaults_from_dict(data: dict[str, Any]) -> Defaults:
    stages = tuple(stage_from_dict(s) for s in data["stages"])
    industries = tuple(Industry(id=str(k), match=tuple(str(m) for m in v.get("match", ())),
                                stages=tuple(stage_from_dict(s, "industry") for s in v["stages"]),
                                note=" ".join(str(v.get("note", "")).split()))
                       for k, v in (data.get("industries") or {}).items())
    params = {k: Parameter(v["value"], str(v.get("confidence", "low")), str(v.get("source", "")),
                           " ".join(str(v.get("note", "")).split()))
              for k, v in (data.get("parameters") or {}).items()}
    return Defaults(int(data.get("version", 1)), stages, industries, params)


@lru_cache(maxsize=1)
def load_defaults() -> Defaults:
    """The packaged defaults (parsed once)."""
    from importlib.resources import files

    import yaml

    text = files("tlr.valuation").joinpath("data", RESOURCE).read_text(encoding="utf-8")
    return defaults_from_dict(yaml.safe_load(text))


@dataclass(frozen=True)
class StageArrays:
    """Padded (n, S) stage arrays for :class:`tlr.valuation.simulate.PortfolioInputs`."""

    p: Any              # Ranged
    years: Any          # Ranged
    cost_share: np.ndarray
    stages: tuple[tuple[Stage, ...], ...]   # each project's remaining stages


def stage_arrays(defaults: Defaults, trl: Sequence[float], industries: Sequence[str | None] | None = None,
                 stage_lists: Sequence[Sequence[Stage]] | None = None) -> StageArrays:
    """Each project's remaining stages (from *stage_lists*, else the defaults for its industry) as arrays.

    Cost shares are renormalised over the remaining stages: the project's R&D cost is what is left to spend.
    """
    from tlr.valuation.simulate import Ranged

    n = len(trl)
    lists = []
    for i in range(n):
        base = stage_lists[i] if stage_lists is not None else defaults.stages_for(industries[i] if industries else None)
        lists.append(tuple(remaining(base, float(trl[i]))))
    width = max([len(s) for s in lists] + [1])
    p = np.ones((3, n, width))
    years = np.zeros((3, n, width))
    share = np.zeros((n, width))
    for i, stages in enumerate(lists):   # building the inputs, once per project: not the numeric core
        total = sum(s.cost_share for s in stages)
        for k, s in enumerate(stages):
            p[:, i, k] = (s.p_low, s.p_success, s.p_high)
            years[:, i, k] = s.years
            share[i, k] = s.cost_share / total if total > 0 else 1.0 / len(stages)
    return StageArrays(Ranged(*p), Ranged(*years), share, tuple(lists))


__all__ = ["Defaults", "Industry", "Parameter", "StageArrays", "load_defaults", "defaults_from_dict",
           "stage_from_dict", "stage_arrays"]
