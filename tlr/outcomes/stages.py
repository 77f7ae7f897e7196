"""Readiness stages observed after a round, and the Bayesian update of each stage's success probability.

**Stages** come from the valuation's stage table (``tlr/valuation/data/stage_defaults.yaml``; passed in as plain
dicts): ``id``, ``from_trl`` → ``to_trl``, ``p_success``, ``years`` [low, mode, high], ``confidence``.

**Episodes.** Follow-up of an achievement starts at ``start`` (the day its round's funding year began) at the
level the round recorded (``baseline``); its TRL events raise the level reached (the running maximum). For a
stage *a → b*: the achievement *enters* it when its level first lies in [a, b) — at ``start`` if the baseline
does, else on the date of the event that brought it there (an event that jumps past *b* passes the stage at
once: entered and completed that day) — and *completes* it on the first date its level is ≥ b. An achievement
that entered and has not completed by ``as_of`` is **censored** at ``as_of``: it has been at risk for
``as_of − entry`` years and has neither succeeded nor failed. (An achievement already inside the stage at
``start`` is timed from ``start``: its earlier time in the stage is unknown, so its observed durations are
lower bounds — left truncation.) Levels below *a* at ``as_of`` never entered the stage and say nothing about it.

**Prior.** Beta with mean ``p_success`` and pseudo-count κ from the confidence mark (:data:`PSEUDO_COUNTS`:
low 4, medium 10, high 30 — "as much as 4, 10 or 30 observed projects"): α = p·κ, β = (1 − p)·κ.

**Posterior.** A completion is a success. A censored achievement is not a failure: under the stage's own model it
would still complete with probability p·(1 − F(c)) / (1 − p·F(c)), where F is the distribution of the time to
complete given success (triangular on the stage's ``years``). Its likelihood is 1 − p·F(c), the standard
mixture ("cure") model of censored success; one long stuck in the stage (F(c) → 1) counts as a failure, one just
entered (F(c) ≈ 0) counts for nothing. The posterior ∝ p^(α−1+s) (1−p)^(β−1) ∏ (1 − p·F(cᵢ)) is evaluated on a
fine grid; with every F(cᵢ) = 1 it is exactly Beta(α + s, β + f) (:func:`beta_posterior`, checked in the tests).
Reported: the posterior mean and its central 90 % interval, beside the prior's.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Iterable

import numpy as np

PSEUDO_COUNTS = {"low": 4.0, "medium": 10.0, "high": 30.0}
LEVEL = 0.90
GRID = 20_000
YEAR_DAYS = 365.25


def years_between(a: str, b: str) -> float:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days / YEAR_DAYS


def prior(stage: dict[str, Any]) -> tuple[float, float]:
    """(α, β) of the Beta prior of a stage: mean ``p_success``, pseudo-count by ``confidence``."""
    p = float(stage["p_success"])
    kappa = PSEUDO_COUNTS.get(str(stage.get("confidence") or "low"), PSEUDO_COUNTS["low"])
    return p * kappa, (1 - p) * kappa


def triangular_cdf(t: np.ndarray | float, low: float, mode: float, high: float) -> np.ndarray:
    """CDF of the triangular distribution on [low, high] with its peak at ``mode`` (degenerate ones allowed)."""
    t = np.asarray(t, float)
    if high <= low:
        return (t >= low).astype(float)
    left = np.where(mode > low, (t - low) ** 2 / ((high - low) * max(mode - low, 1e-300)), 0.0)
    right = np.where(high > mode, 1 - (high - t) ** 2 / ((high - low) * max(high - mode, 1e-300)), 1.0)
    return np.where(t <= low, 0.0, np.where(t >= high, 1.0, np.where(t <= mode, left, right)))


def episodes(stage: dict[str, Any], start: str, as_of: str, baseline: int | None,
             trl_events: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """One achievement's episode of ``stage``: ``{entered, completed, years, censored}`` or None (never entered,
    or already past it at ``start``, or no baseline and no TRL event)."""
    a, b = int(stage["from_trl"]), int(stage["to_trl"])
    level = baseline
    entered = start if level is not None and a <= level < b else None
    if level is not None and level >= b:
        return None
    for e in sorted(trl_events, key=lambda e: e["date"]):
        if e["date"] > as_of or e["date"] < start:
            continue
        new = int(e["trl"]) if level is None else max(level, int(e["trl"]))
        if entered is None and new >= a and (level is None or level < a):
            if level is None and new >= b:
                return None      # first seen past the stage: nothing known about it
            entered = e["date"]
        level = new
        if entered is not None and level >= b:
            return {"entered": entered, "completed": e["date"], "years": years_between(entered, e["date"]),
                    "censored": False}
    if entered is None:
        return None
    return {"entered": entered, "completed": None, "years": years_between(entered, as_of), "censored": True}


def beta_posterior(alpha: float, beta: float, successes: int, failures: float) -> tuple[float, float]:
    """(α', β') of the conjugate update: Beta(α + s, β + f)."""
    return alpha + successes, beta + failures


def _grid_summary(logpdf: np.ndarray, grid: np.ndarray, level: float) -> dict[str, float]:
    w = np.exp(logpdf - logpdf.max())
    w /= w.sum()
    cdf = np.cumsum(w)
    tail = (1 - level) / 2
    lo, hi = np.interp([tail, 1 - tail], cdf - w / 2, grid)
    return {"mean": float((w * grid).sum()), "low": float(lo), "high": float(hi)}


def posterior(alpha: float, beta: float, successes: int, censored_f: Iterable[float], failures: float = 0,
              level: float = LEVEL) -> dict[str, float]:
    """Mean and central ``level`` interval of p given ``successes``, full ``failures`` and censored achievements
    each with its F(c) (see the module doc), on a grid of :data:`GRID` midpoints."""
    grid = (np.arange(GRID) + 0.5) / GRID
    logpdf = (alpha - 1 + successes) * np.log(grid) + (beta - 1 + failures) * np.log1p(-grid)
    for f in censored_f:
        logpdf = logpdf + np.log1p(-grid * min(max(float(f), 0.0), 1.0 - 1e-12))
    return _grid_summary(logpdf, grid, level)


def prior_summary(alpha: float, beta: float, level: float = LEVEL) -> dict[str, float]:
    return posterior(alpha, beta, 0, (), level=level) | {"mean": alpha / (alpha + beta)}


def update_stages(stages: list[dict[str, Any]], achievements: list[dict[str, Any]], *, as_of: str,
                  level: float = LEVEL) -> list[dict[str, Any]]:
    """Per stage: the episodes observed (``achievements``: ``{id, start, baseline, trl_events}``), completion
    times, the prior and the posterior of its success probability."""
    out = []
    for stage in stages:
        eps = []
        for ach in achievements:
            ep = episodes(stage, ach["start"], as_of, ach["baseline"], ach["trl_events"])
            if ep is not None:
                eps.append({"id": ach["id"], **ep})
        done = [e for e in eps if not e["censored"]]
        cens = [e for e in eps if e["censored"]]
        years = stage.get("years") or []
        low, mode, high = (float(years[0]), float(years[1]), float(years[2])) if len(years) == 3 else (None,) * 3
        if low is not None:
            fs = [float(triangular_cdf(e["years"], low, mode, high)) for e in cens]
        else:   # no duration in the table: a censored achievement cannot be weighed; counted as no information
            fs = [0.0 for _ in cens]
        for e, f in zip(cens, fs):
            e["f"] = f
        a, b = prior(stage)
        times = sorted(e["years"] for e in done)
        out.append({
            "stage": stage["id"], "from_trl": int(stage["from_trl"]), "to_trl": int(stage["to_trl"]),
            "confidence": stage.get("confidence"), "source": stage.get("source"),
            "default_years": [low, mode, high] if low is not None else None,
            "entered": len(eps), "completed": len(done), "censored": len(cens),
            "naive_rate": len(done) / len(eps) if eps else None,
            "completion_years": {"median": float(np.median(times)), "min": times[0], "max": times[-1]} if times else None,
            "effective_failures": float(sum(fs)),
            "prior": {"alpha": a, "beta": b, "p_success": float(stage["p_success"]), **prior_summary(a, b, level)},
            "posterior": posterior(a, b, len(done), fs, level=level),
            "level": level, "episodes": eps,
        })
    return out


def finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x
