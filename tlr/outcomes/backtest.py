"""Does the round's ranking predict outcomes? Spearman's rank correlation with a seeded bootstrap interval.

For each score (the composite, each top-level dimension) and each outcome measure (TRL gain, follow-on money,
contracts, revenue) over the achievements followed up: Spearman's ρ (Pearson's r of the average ranks, ties
sharing their rank), its percentile bootstrap interval (pairs resampled with replacement, ``draws`` resamples
from one seeded generator, all at once as a ``draws × n`` array — no loop over resamples), and the sample size.

The small-sample rule (stated with every result):

* ``n < MIN_N`` (8): not computed — ``status: "too_few"``. Below 8 pairs only near-perfect agreement could be told
  from chance: the two-sided 5 % critical value of ρ is 0.74 at n = 8 and 0.89 at n = 6 (Zar 1972, table of
  critical values of Spearman's ρ), and a bootstrap of so few pairs has only a handful of distinct resamples;
* ``MIN_N ≤ n < SMALL_N`` (20): computed, ``status: "small"`` — the interval is wide and the percentile
  bootstrap under-covers at this size; read it as a direction, not a finding;
* otherwise ``status: "ok"``.

A measure or score that is the same for every achievement has no ranking to compare: ``status: "constant"``.
Resamples in which either side happens to be constant have no ρ; they are dropped and counted (``dropped``).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from tlr.numeric.stats import average_ranks

MIN_N = 8
SMALL_N = 20
DRAWS = 4000
LEVEL = 0.90


def spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's ρ along the last axis (average ranks for ties); NaN where a side is constant."""
    rx = average_ranks(np.asarray(x, float), axis=-1)
    ry = average_ranks(np.asarray(y, float), axis=-1)
    rx = rx - rx.mean(axis=-1, keepdims=True)
    ry = ry - ry.mean(axis=-1, keepdims=True)
    num = (rx * ry).sum(axis=-1)
    den = np.sqrt((rx * rx).sum(axis=-1) * (ry * ry).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def bootstrap_ci(x: np.ndarray, y: np.ndarray, *, draws: int = DRAWS, level: float = LEVEL,
                 seed: int | list[int] = 0) -> tuple[float | None, float | None, int]:
    """(low, high, resamples dropped) of the percentile bootstrap interval of Spearman's ρ of the pairs."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = x.size
    idx = np.random.default_rng(seed).integers(0, n, size=(draws, n))
    rho = spearman(x[idx], y[idx])
    good = rho[~np.isnan(rho)]
    dropped = int(draws - good.size)
    if good.size < draws / 2:
        return None, None, dropped
    tail = (1 - level) / 2
    lo, hi = np.quantile(good, [tail, 1 - tail])
    return float(lo), float(hi), dropped


def correlate(score: np.ndarray, outcome: np.ndarray, *, draws: int = DRAWS, level: float = LEVEL,
              seed: int | list[int] = 0) -> dict[str, Any]:
    """ρ of one score with one outcome over the pairs where both are known (NaN = unknown), with the rule."""
    score = np.asarray(score, float)
    outcome = np.asarray(outcome, float)
    keep = ~(np.isnan(score) | np.isnan(outcome))
    x, y = score[keep], outcome[keep]
    n = int(x.size)
    out: dict[str, Any] = {"n": n, "rho": None, "ci": None, "level": level, "draws": draws, "dropped": 0}
    if n < MIN_N:
        return {**out, "status": "too_few"}
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return {**out, "status": "constant"}
    rho = float(spearman(x, y))
    lo, hi, dropped = bootstrap_ci(x, y, draws=draws, level=level, seed=seed)
    return {**out, "rho": rho, "ci": None if lo is None else [lo, hi], "dropped": dropped,
            "status": "small" if n < SMALL_N else "ok"}


def backtest(scores: dict[str, np.ndarray], outcomes: dict[str, np.ndarray], *, draws: int = DRAWS,
             level: float = LEVEL, seed: int = 0) -> list[dict[str, Any]]:
    """One :func:`correlate` result per (score, outcome) pair, scores outer. Each pair's resamples come from
    ``seed`` and the two names (CRC-32), so a result does not depend on which other pairs were asked for."""
    out = []
    for s_name, s in scores.items():
        for o_name, o in outcomes.items():
            pair_seed = [seed, zlib.crc32(f"{s_name}\x1f{o_name}".encode("utf-8"))]
            res = correlate(s, o, draws=draws, level=level, seed=pair_seed)
            out.append({"score": s_name, "outcome": o_name, **res})
    return out
