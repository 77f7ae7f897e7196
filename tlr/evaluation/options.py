"""The knobs of an evaluation."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class EvaluationOptions:
    """Knobs of an evaluation; ``None`` means "as the rubric says"."""

    consensus: str | None = None
    trim: int | None = None
    min_experts: int | None = None
    leniency_correction: bool | None = None
    calibration: str | None = None     # none | leniency | additive | bayesian | scaled (overrides the rubric)
    draws: int = 10_000
    bootstrap_draws: int = 1_000
    concentration: float = 100.0
    seed: int = DEFAULT_SEED
    top_k: int = 10
    review_sd: float = 0.12     # re-review when the experts' composites spread more than this (0..1 scale)
    review_range: float = 0.35  # ... or range over more than this
    engine: str = "local"       # where the Monte Carlo blocks run: local | dask (same result either way)
    scheduler: str | None = None  # dask: a scheduler address; None starts a local cluster of `workers`
    workers: int = 2


__all__ = ["EvaluationOptions", "DEFAULT_SEED"]
