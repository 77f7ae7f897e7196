"""The Chinese appraisal practice's two other approaches, paraphrased (docs/valuation.md for the sources).

**Income approach (收益法, revenue-share / 分成率 method).** The technology's value is the present value of
its share of the income it helps earn: revenue_y × 分成率 × (1 − income tax), discounted at a rate built up
from a risk-free rate and risk premiums (technology, market, finance, management: 风险累加法), over the
income period (收益期). Development risk is carried by the rate, not by probabilities — the contrast with
the rNPV. Revenues start after the expected development time (``delay``) and ramp up like the rNPV's.

**Cost approach (成本法) floor.** Replacement cost (重置成本) × 成新率 (1 − obsolescence): what it would cost
to re-create the achievement today, less what has worn out. It is a floor, not a value: it ignores what the
achievement can earn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tlr.valuation.rnpv import annuity_factor, discount


def income_value(revenue: Any, royalty: Any, tax: Any, rate: Any, life: Any, ramp: Any = 1.0,
                 delay: Any = 0.0) -> np.ndarray:
    """Σ_y revenue·w_y·royalty·(1 − tax)/(1 + rate)^(delay + y), y = 1..life (w_y the linear ramp)."""
    revenue, royalty, tax = (np.asarray(x, dtype=float) for x in (revenue, royalty, tax))
    return revenue * royalty * (1.0 - tax) * annuity_factor(rate, life, ramp) * discount(rate, delay)


def build_up_rate(risk_free: float, premiums: dict[str, float] | Any) -> float:
    """风险累加法: the discount rate of the income approach = risk-free rate + the sum of the risk premiums."""
    values = premiums.values() if isinstance(premiums, dict) else premiums
    return float(risk_free) + float(sum(values))


def cost_floor(replacement_cost: Any, newness: Any) -> np.ndarray:
    """重置成本 × 成新率 (newness = 1 − obsolescence, in [0, 1])."""
    return np.asarray(replacement_cost, dtype=float) * np.asarray(newness, dtype=float)


__all__ = ["income_value", "build_up_rate", "cost_floor"]
