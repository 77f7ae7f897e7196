"""Risk-adjusted NPV (rNPV) of a chain of readiness stages, in closed form, vectorised.

The model (docs/valuation.md): stages k = 0..S-1 in order, each with a cost C_k (万元), a duration T_k
(years) and a probability of success p_k. Stage k starts at t_k = T_0 + … + T_{k-1}; its cost is paid at
its start, and only if every earlier stage succeeded (probability R_k = p_0 ⋯ p_{k-1}). After the last
stage (launch at L = T_0 + … + T_{S-1}, reached with probability P = p_0 ⋯ p_{S-1}) the product earns a
profit π·w_y in year y = 1..N (end of year), w_y = min(1, y/ramp) a linear ramp-up. With v = 1/(1+r):

    rNPV = P · π · A(r, N, ramp) · v^L  −  Σ_k R_k · C_k · v^{t_k}
    A(r, N, m) = (1/m) Σ_{y=1}^{min(N,m)} y v^y + Σ_{y=m+1}^{N} v^y          (m = ramp ≥ 1)
             = (1/m) · v(1 − (M+1)v^M + M v^{M+1})/(1−v)²  +  (v^M − v^N)/r,   M = min(N, m)

A stage with p = 1, cost 0 and duration 0 changes nothing, so projects with fewer stages are padded with
such stages and valued together. Every function broadcasts: stage arrays have the stage axis last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence  # noqa: UP035 - as the rest of tlr

import numpy as np


def discount(rate: Any, t: Any) -> np.ndarray:
    """v^t = (1 + rate)^(−t)."""
    return np.exp(-np.asarray(t, dtype=float) * np.log1p(np.asarray(rate, dtype=float)))


def annuity_factor(rate: Any, life: Any, ramp: Any = 1.0) -> np.ndarray:
    """A(r, N, m): present value at launch of a profit of 1 a year for N years with a linear ramp over m years.

    ``ramp`` ≤ 1 means full profit from the first year: A = (1 − v^N)/r. Needs r > 0 and N ≥ 0.
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(life, dtype=float)
    m = np.maximum(np.asarray(ramp, dtype=float), 1.0)
    v = 1.0 / (1.0 + r)
    big_m = np.minimum(n, m)
    vm = discount(r, big_m)
    ramp_sum = v * (1.0 - (big_m + 1.0) * vm + big_m * vm * v) / ((1.0 - v) ** 2) / m
    return ramp_sum + (vm - discount(r, n)) / r


@dataclass(frozen=True)
class ChainValue:
    """The closed-form parts of the rNPV (arrays of the broadcast shape, stage axis summed)."""

    value: np.ndarray        # rNPV
    pv_income: np.ndarray    # P · π · A · v^L (risk-adjusted present value of the profits)
    pv_costs: np.ndarray     # Σ R_k C_k v^{t_k}
    p_market: np.ndarray     # P: probability of reaching the market
    launch: np.ndarray       # L: years to launch

    def to_dict(self) -> dict[str, Any]:
        from tlr.numeric.results import jsonable

        return jsonable(self.__dict__)


def chain_value(p: Any, years: Any, cost: Any, profit: Any, rate: Any, life: Any, ramp: Any = 1.0) -> ChainValue:
    """rNPV of stage chains: *p*, *years*, *cost* have the stage axis last; the others broadcast without it."""
    p, years, cost = (np.asarray(x, dtype=float) for x in (p, years, cost))
    stages = max(p.shape[-1], years.shape[-1], cost.shape[-1])
    return chain_value_stages([_col(p, k) for k in range(stages)], [_col(years, k) for k in range(stages)],
                              [_col(cost, k) for k in range(stages)], profit, rate, life, ramp)


def _col(a: np.ndarray, k: int) -> np.ndarray:
    return a[..., k if a.shape[-1] > 1 else 0]


def chain_value_stages(p: Sequence[Any], years: Sequence[Any], cost: Sequence[Any], profit: Any, rate: Any,
                       life: Any, ramp: Any = 1.0) -> ChainValue:
    """:func:`chain_value` with one array per stage (each contiguous: the fast layout for many draws)."""
    log_v = -np.log1p(np.asarray(rate, dtype=float))
    reach: Any = 1.0
    start: Any = 0.0
    pv_costs: Any = 0.0
    for k in range(len(p)):   # a handful of stages: the loop is over the stage axis only
        pv_costs = pv_costs + reach * cost[k] * np.exp(start * log_v)
        reach = reach * np.asarray(p[k], dtype=float)
        start = start + np.asarray(years[k], dtype=float)
    shape = np.broadcast_shapes(np.shape(reach), np.shape(start), np.shape(pv_costs), np.shape(profit), np.shape(rate))
    pv_income = reach * np.asarray(profit, dtype=float) * annuity_factor(rate, life, ramp) * np.exp(start * log_v)
    return ChainValue(*(np.broadcast_to(x, shape) for x in (pv_income - pv_costs, pv_income, pv_costs, reach, start)))


def chain_outcome(success: Any, years: Any, cost: Any, profit: Any, rate: Any, life: Any,
                  ramp: Any = 1.0) -> np.ndarray:
    """The realised NPV of one path: *success* (booleans, stage axis last) says which stages succeed.

    Costs are paid for every stage reached; the profits come only when every stage succeeds. Its mean over
    Bernoulli(p_k) draws is :func:`chain_value` (the decision tree's expected value).
    """
    success, years, cost = np.asarray(success, dtype=bool), np.asarray(years, dtype=float), np.asarray(cost, dtype=float)
    stages = success.shape[-1]
    return chain_outcome_stages([_col(success, k) for k in range(stages)], [_col(years, k) for k in range(stages)],
                                [_col(cost, k) for k in range(stages)], profit, rate, life, ramp)


def chain_outcome_stages(success: Sequence[Any], years: Sequence[Any], cost: Sequence[Any], profit: Any, rate: Any,
                         life: Any, ramp: Any = 1.0) -> np.ndarray:
    """:func:`chain_outcome` with one array per stage."""
    log_v = -np.log1p(np.asarray(rate, dtype=float))
    alive: Any = True
    start: Any = 0.0
    paid: Any = 0.0
    for k in range(len(success)):
        paid = paid + np.where(alive, cost[k] * np.exp(start * log_v), 0.0)
        alive = alive & np.asarray(success[k], dtype=bool)
        start = start + np.asarray(years[k], dtype=float)
    income = np.where(alive, np.asarray(profit, dtype=float) * annuity_factor(rate, life, ramp)
                      * np.exp(start * log_v), 0.0)
    return income - paid


__all__ = ["discount", "annuity_factor", "ChainValue", "chain_value", "chain_value_stages", "chain_outcome",
           "chain_outcome_stages"]
