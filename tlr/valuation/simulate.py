"""Valuation of many projects at once: closed form at the modes, Monte Carlo over the input ranges, the
realised-outcome distribution, the income approach, the tornado.

What is sampled (docs/valuation.md, "What is sampled"):

* **Input uncertainty** — every input given as a range (market size, share, margin, R&D cost, each stage's
  probability of success and duration, the revenue share) is drawn from its triangular or PERT
  distribution, independently; a fixed input stays fixed. For each draw the rNPV is the closed-form
  expected value of the decision tree (:func:`tlr.valuation.rnpv.chain_value`). ``rnpv`` reports the mean,
  P10/P50/P90 of these draws and P(rNPV > 0): *how sure are we of the risk-adjusted value?* With every input
  fixed, every draw is the closed form, exactly.
* **Realised outcomes** — separately, each draw also plays the tree out: each stage succeeds with its
  (drawn) probability, independently (Bernoulli). ``outcome`` is the distribution of what the project
  actually returns: mostly the sunk costs of a failure, sometimes the market. Its mean converges to the
  mean rNPV (the law of large numbers; tests/valuation check it against the standard error).

Projects are valued in chunks (memory stays bounded); chunk c draws from the c-th child of
``SeedSequence(seed)``, so a result depends on the seed, the number of draws and the projects' order only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlr.valuation.distributions import KINDS, sample
from tlr.valuation.rnpv import annuity_factor, chain_value, discount

CELLS_PER_CHUNK = 250_000     # projects × draws valued at once (≈ 2 MB per float array)
QUANTILES = (0.10, 0.50, 0.90)


@dataclass(frozen=True)
class Ranged:
    """An input over projects (shape (n,) or (n, stages)): low <= mode <= high; NaN mode = not given."""

    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, low: Any, mode: Any = None, high: Any = None) -> "Ranged":
        lo = np.asarray(low, dtype=float)
        mo = lo if mode is None else np.asarray(mode, dtype=float)
        hi = mo if high is None else np.asarray(high, dtype=float)
        lo, mo, hi = np.broadcast_arrays(lo, mo, hi)
        return cls(lo.copy(), mo.copy(), hi.copy())

    def take(self, rows: Any) -> "Ranged":
        return Ranged(self.low[rows], self.mode[rows], self.high[rows])

    def with_mode(self, values: np.ndarray, column: int | None = None) -> "Ranged":
        """The same input with its mode replaced (all projects; one stage column when *column* is given)."""
        mode = self.mode.copy()
        if column is None:
            mode = np.asarray(values, dtype=float).copy()
        else:
            mode[:, column] = values
        return Ranged(mode, mode, mode)


@dataclass(frozen=True)
class PortfolioInputs:
    """Every project's inputs; stage arrays are (n, S), padded with neutral stages (p 1, years 0, share 0)."""

    market_size: Ranged          # 万元 a year, at full uptake
    market_share: Ranged         # 0..1
    margin: Ranged               # profit margin 0..1
    rd_cost: Ranged              # remaining R&D cost to launch, 万元, split over the stages by cost_share
    p: Ranged                    # (n, S) probability of success of each stage
    years: Ranged                # (n, S) duration of each stage
    cost_share: np.ndarray       # (n, S) share of rd_cost paid at each stage's start; rows sum to 1 (or 0)
    rate: np.ndarray             # (n,) rNPV discount rate
    life: np.ndarray             # (n,) commercial life after launch, years
    ramp: np.ndarray             # (n,) years to full uptake
    royalty: Ranged              # (n,) revenue share rate 分成率 (NaN: no income approach)
    income_rate: np.ndarray      # (n,) the income approach's build-up discount rate
    tax: np.ndarray              # (n,) income tax rate

    @property
    def n(self) -> int:
        return int(self.rate.shape[0])

    def take(self, rows: Any) -> "PortfolioInputs":
        fields = {}
        for name, value in self.__dict__.items():
            fields[name] = value.take(rows) if isinstance(value, Ranged) else np.asarray(value)[rows]
        return PortfolioInputs(**fields)


RANGED_SCALARS = ("market_size", "market_share", "margin", "rd_cost")
RANGED_STAGES = ("p", "years")


def at_modes(inp: PortfolioInputs):
    """The closed-form rNPV with every input at its mode (:class:`tlr.valuation.rnpv.ChainValue`)."""
    profit = inp.market_size.mode * inp.market_share.mode * inp.margin.mode
    cost = inp.rd_cost.mode[:, None] * inp.cost_share
    return chain_value(inp.p.mode, inp.years.mode, cost, profit, inp.rate, inp.life, inp.ramp)


def income_at_modes(inp: PortfolioInputs) -> np.ndarray:
    revenue = inp.market_size.mode * inp.market_share.mode
    delay = inp.years.mode.sum(axis=1)
    return (revenue * inp.royalty.mode * (1.0 - inp.tax) * annuity_factor(inp.income_rate, inp.life, inp.ramp)
            * discount(inp.income_rate, delay))


@dataclass(frozen=True)
class Summary:
    """Mean, P10/P50/P90 and P(> 0) of draws, per project."""

    mean: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    p_positive: np.ndarray

    def row(self, i: int) -> dict[str, float | None]:
        from tlr.numeric.results import jsonable

        return {k: jsonable(getattr(self, k)[i]) for k in ("mean", "p10", "p50", "p90", "p_positive")}


@dataclass(frozen=True)
class PortfolioValuation:
    """The valuation of every project (arrays over projects, in the inputs' order)."""

    at_mode: Any                 # ChainValue at the modes (closed form)
    rnpv: Summary                # over the input uncertainty: the risk-adjusted value's distribution
    outcome: Summary | None      # realised outcomes (stages played out as Bernoulli draws)
    income_at_mode: np.ndarray   # 收益法 at the modes (NaN: no revenue share)
    income: Summary              # 收益法 over the input uncertainty
    draws: int
    seed: int
    kind: str
    method: dict[str, Any] = field(default_factory=dict)


class _Sampler:
    """Draws of one chunk, written into reused scratch buffers (allocation, not arithmetic, is the cost here)."""

    def __init__(self, rng: np.random.Generator, rows: int, draws: int, kind: str):
        self.rng, self.shape, self.kind = rng, (rows, draws), kind
        self.v = np.empty(self.shape)
        self.m = np.empty(self.shape)

    def draw(self, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
        """(rows, draws) draws of one input column; a column fixed in the whole chunk is broadcast, not drawn."""
        if np.array_equal(low, high, equal_nan=True):
            return mode[:, None]
        if self.kind != "triangular":
            return sample(self.rng, low[:, None], mode[:, None], high[:, None], self.shape, self.kind)
        # Stein & Keblis: low + w·((1 − f)·min(U, V) + f·max(U, V)), as distributions.sample, in place
        width = (high - low)[:, None]
        f = np.where(width > 0, (mode - low)[:, None] / np.where(width > 0, width, 1.0), 0.0)
        u = self.rng.random(self.shape)
        v = self.rng.random(out=self.v)
        m = np.minimum(u, v, out=self.m)
        np.maximum(u, v, out=u)
        u *= width * f
        m *= width * (1.0 - f)
        u += m
        u += low[:, None]
        return u


def _summary(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, P10, P50, P90 (the smallest draw with at least that share of draws at or below it) and P(> 0)."""
    n = values.shape[1]
    kth = [max(0, math.ceil(q * n) - 1) for q in QUANTILES]
    part = np.partition(values, kth, axis=1)
    return (values.mean(axis=1), part[:, kth[0]], part[:, kth[1]], part[:, kth[2]],
            np.count_nonzero(values > 0, axis=1) / n)


def value_portfolio(inp: PortfolioInputs, *, draws: int = 10_000, seed: int = 0, kind: str = "triangular",
                    outcomes: bool = True) -> PortfolioValuation:
    """Value every project of *inp*: closed form at the modes, and *draws* Monte Carlo draws (module docs)."""
    if kind not in KINDS:
        raise ValueError(f"unknown distribution '{kind}' (one of {', '.join(KINDS)})")
    if draws < 1:
        raise ValueError("draws must be >= 1")
    # projects with the same stages together: a stage column fixed in a whole chunk is never drawn
    active = ((inp.p.low < 1) | (inp.p.high < 1) | (inp.years.high > 0) | (inp.cost_share > 0)).sum(axis=1)
    order = np.argsort(active, kind="stable")
    if not np.array_equal(order, np.arange(inp.n)):
        res = value_portfolio(inp.take(order), draws=draws, seed=seed, kind=kind, outcomes=outcomes)
        back = np.argsort(order)
        return _reorder(res, back, inp)
    n, stages = inp.n, inp.p.mode.shape[1]
    chunk = max(1, CELLS_PER_CHUNK // draws)
    starts = list(range(0, n, chunk))
    children = np.random.SeedSequence(seed).spawn(len(starts))
    names = ("mean", "p10", "p50", "p90", "pos")
    r_cols = {name: np.full(n, np.nan) for name in names}
    o_cols = {name: np.full(n, np.nan) for name in names}
    i_cols = {name: np.full(n, np.nan) for name in names}
    for start, child in zip(starts, children):
        rows = slice(start, min(n, start + chunk))
        m = rows.stop - rows.start
        full = (m, draws)
        rng = np.random.Generator(np.random.PCG64(child))
        sampler = _Sampler(rng, m, draws, kind)

        def draw(r: Ranged, k: int | None = None) -> np.ndarray:
            if k is None:
                return sampler.draw(r.low[rows], r.mode[rows], r.high[rows])
            return sampler.draw(r.low[rows, k], r.mode[rows, k], r.high[rows, k])

        revenue = draw(inp.market_size) * draw(inp.market_share)
        profit = revenue * draw(inp.margin)
        rd = draw(inp.rd_cost)
        p = [draw(inp.p, k) for k in range(stages)]
        years = [draw(inp.years, k) for k in range(stages)]
        royalty = draw(inp.royalty)
        share = inp.cost_share[rows]
        log_v = -np.log1p(inp.rate[rows])[:, None]
        life, ramp = inp.life[rows][:, None], inp.ramp[rows][:, None]
        # the tree, fused: expected value (reach) and one played-out path (alive) share the discount factors
        disc = np.ones(full)
        reach = np.ones(full)
        alive = np.ones(full, dtype=bool)
        pv_costs = np.zeros(full)
        paid = np.zeros(full)
        launch = np.zeros(full)
        for k in range(stages):
            if not share[:, k].any() and np.all(p[k] >= 1.0) and not np.any(years[k]):
                continue   # padding: a neutral stage
            cost = rd * share[:, k:k + 1] * disc
            pv_costs += reach * cost
            reach *= p[k]
            if outcomes:
                paid += np.where(alive, cost, 0.0)
                alive &= rng.random(full) < p[k]
            launch += years[k]
            disc *= np.exp(years[k] * log_v)
        at_launch = profit * annuity_factor(inp.rate[rows][:, None], life, ramp) * disc
        value = reach * at_launch
        value -= pv_costs
        for name, col in zip(names, _summary(value)):
            r_cols[name][rows] = col
        if outcomes:
            realised = np.where(alive, at_launch, 0.0)
            realised -= paid
            for name, col in zip(names, _summary(realised)):
                o_cols[name][rows] = col
        income_rate = inp.income_rate[rows][:, None]
        inc = (revenue * royalty * (1.0 - inp.tax[rows][:, None]) * annuity_factor(income_rate, life, ramp)
               * discount(income_rate, launch))
        for name, col in zip(names, _summary(np.broadcast_to(inc, full))):
            i_cols[name][rows] = col

    def summary(cols):
        return Summary(cols["mean"], cols["p10"], cols["p50"], cols["p90"], cols["pos"])

    method = {"draws": draws, "seed": seed, "distribution": kind, "quantiles": list(QUANTILES),
              "quantile_rule": "the smallest draw with at least q of the draws at or below it",
              "chunk_projects": chunk, "sampled": "input ranges (independent); outcome: stages as Bernoulli draws"}
    return PortfolioValuation(at_modes(inp), summary(r_cols), summary(o_cols) if outcomes else None,
                              income_at_modes(inp), summary(i_cols), draws, seed, kind, method)


def _reorder(res: PortfolioValuation, back: np.ndarray, inp: PortfolioInputs) -> PortfolioValuation:
    def summary(x: Summary | None) -> Summary | None:
        return None if x is None else Summary(*(getattr(x, k)[back] for k in ("mean", "p10", "p50", "p90",
                                                                               "p_positive")))

    return PortfolioValuation(at_modes(inp), summary(res.rnpv), summary(res.outcome), income_at_modes(inp),
                              summary(res.income), res.draws, res.seed, res.kind, res.method)


@dataclass(frozen=True)
class Tornado:
    """Value (closed form) when one input goes to its low or high end, the others at their modes."""

    inputs: tuple[tuple[str, int | None], ...]   # (input name, stage column or None)
    base: np.ndarray                              # (n,)
    low: np.ndarray                               # (n, J) value with input j at its low end
    high: np.ndarray                              # (n, J) … at its high end

    @property
    def swing(self) -> np.ndarray:
        return np.abs(self.high - self.low)

    def ranked(self, i: int) -> list[tuple[str, int | None, float, float]]:
        """Project *i*'s inputs, the widest swing first (ties: the inputs' order); zero swings left out."""
        sw = self.swing[i]
        order = sorted((j for j in range(len(self.inputs)) if sw[j] > 0), key=lambda j: (-sw[j], j))
        return [(*self.inputs[j], float(self.low[i, j]), float(self.high[i, j])) for j in order]


def tornado(inp: PortfolioInputs) -> Tornado:
    """The tornado of every project (closed form only: 2 × inputs evaluations, vectorised over projects)."""
    base = at_modes(inp).value
    names: list[tuple[str, int | None]] = []
    lows, highs = [], []
    for name in RANGED_SCALARS:
        r: Ranged = getattr(inp, name)
        names.append((name, None))
        for end, out in ((r.low, lows), (r.high, highs)):
            out.append(at_modes(_replace(inp, name, getattr(inp, name).with_mode(end))).value)
    for name in RANGED_STAGES:
        r = getattr(inp, name)
        for k in range(r.mode.shape[1]):
            names.append((name, k))
            for end, out in ((r.low[:, k], lows), (r.high[:, k], highs)):
                mode = r.mode.copy()
                mode[:, k] = end
                out.append(at_modes(_replace(inp, name, Ranged(mode, mode, mode))).value)
    return Tornado(tuple(names), base, np.column_stack(lows), np.column_stack(highs))


def _replace(inp: PortfolioInputs, name: str, value: Ranged) -> PortfolioInputs:
    fields = dict(inp.__dict__)
    fields[name] = value
    return PortfolioInputs(**fields)


__all__ = ["Ranged", "PortfolioInputs", "PortfolioValuation", "Summary", "value_portfolio", "at_modes",
           "income_at_modes", "Tornado", "tornado", "CELLS_PER_CHUNK"]
