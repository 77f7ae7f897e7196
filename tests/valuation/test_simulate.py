"""Monte Carlo, distributions, tornado, stages and the packaged defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tlr.valuation.distributions import mean, sample, triangular_ppf, variance
from tlr.valuation.simulate import PortfolioInputs, Ranged, at_modes, tornado, value_portfolio
from tlr.valuation.stages import Stage, p_reach, remaining


def _inputs(n=3, *, fixed=True, p=(0.6, 0.5), years=(1.0, 2.0)):
    def r(mode, lo=0.5, hi=2.0):
        mode = np.full(n, float(mode))
        return Ranged.of(mode) if fixed else Ranged.of(mode * lo, mode, mode * hi)

    pm, ym = np.tile(p, (n, 1)), np.tile(years, (n, 1))
    return PortfolioInputs(
        market_size=r(5000), market_share=r(0.1), margin=r(0.3), rd_cost=r(400),
        p=Ranged.of(pm) if fixed else Ranged.of(pm * 0.7, pm, np.minimum(pm * 1.3, 1)),
        years=Ranged.of(ym) if fixed else Ranged.of(ym * 0.5, ym, ym * 2),
        cost_share=np.tile([0.4, 0.6], (n, 1)), rate=np.full(n, 0.1), life=np.full(n, 8.0),
        ramp=np.full(n, 2.0), royalty=r(0.05), income_rate=np.full(n, 0.13), tax=np.full(n, 0.25))


def test_fixed_inputs_every_draw_is_the_closed_form_and_outcomes_converge():
    inp = _inputs(1)
    closed = float(at_modes(inp).value[0])
    res = value_portfolio(inp, draws=200_000, seed=11)
    assert res.rnpv.mean[0] == pytest.approx(closed, abs=1e-9)
    assert res.rnpv.p10[0] == pytest.approx(closed, abs=1e-9) and res.rnpv.p90[0] == pytest.approx(closed, abs=1e-9)
    # realised outcomes: three paths with exact probabilities; their mean is the closed form, their standard
    # deviation sets the tolerance (4 standard errors: a chance of 6e-5 of a false alarm for a new seed)
    v = 1 / 1.1
    income = 5000 * 0.1 * 0.3 * (v / 2 + sum(v ** y for y in range(2, 9))) * v ** 3
    c1, c2 = 160, 240 * v
    paths = [(0.4, -c1), (0.6 * 0.5, -c1 - c2), (0.3, income - c1 - c2)]
    exact_mean = sum(p * x for p, x in paths)
    assert exact_mean == pytest.approx(closed, abs=1e-9)
    sd = math.sqrt(sum(p * (x - exact_mean) ** 2 for p, x in paths))
    assert abs(res.outcome.mean[0] - closed) < 4 * sd / math.sqrt(200_000)
    assert res.outcome.p_positive[0] == pytest.approx(0.3, abs=4 * math.sqrt(0.3 * 0.7 / 200_000))


def test_linear_input_mean_of_draws_is_the_value_at_its_mean():
    """rNPV is linear in market size: with only that input ranged, the mean of the draws is the closed form
    at the range's mean (a + b + c)/3, to within the draws' standard error."""
    inp = _inputs(2)
    ranged = Ranged.of([1000, 1000], [5000, 2000], [12000, 9000])
    inp = PortfolioInputs(**{**inp.__dict__, "market_size": ranged})
    res = value_portfolio(inp, draws=100_000, seed=2)
    at_mean = PortfolioInputs(**{**inp.__dict__, "market_size": Ranged.of([6000, 4000])})
    expected = at_modes(at_mean).value
    slope = at_modes(at_mean).pv_income / np.array([6000, 4000])
    sd = slope * np.sqrt(variance(ranged.low, ranged.mode, ranged.high))
    assert np.all(np.abs(res.rnpv.mean - expected) < 4 * sd / np.sqrt(100_000))
    # P(rNPV > 0) is the chance that market size exceeds the break-even size (triangular CDF)
    breakeven = at_modes(inp).pv_costs / slope
    dist = [stats.triang((m - lo) / (hi - lo), loc=lo, scale=hi - lo)
            for lo, m, hi in zip(ranged.low, ranged.mode, ranged.high)]
    exact = np.array([d.sf(b) for d, b in zip(dist, breakeven)])
    assert np.all(np.abs(res.rnpv.p_positive - exact) < 4 * np.sqrt(exact * (1 - exact) / 100_000) + 1e-9)


def test_ranges_spread_the_value_and_the_seed_reproduces_it():
    inp = _inputs(4, fixed=False)
    a = value_portfolio(inp, draws=4000, seed=5)
    b = value_portfolio(inp, draws=4000, seed=5)
    c = value_portfolio(inp, draws=4000, seed=6)
    assert np.array_equal(a.rnpv.p50, b.rnpv.p50) and not np.array_equal(a.rnpv.p50, c.rnpv.p50)
    assert np.all(a.rnpv.p10 < a.rnpv.p50) and np.all(a.rnpv.p50 < a.rnpv.p90)
    assert np.all((a.rnpv.p_positive >= 0) & (a.rnpv.p_positive <= 1))
    assert np.all(a.income.p10 < a.income.p90)


@pytest.mark.parametrize("kind", ["triangular", "pert"])
def test_sampled_moments_match_the_formulas(kind):
    lo, mo, hi = 2.0, 3.0, 10.0
    x = sample(np.random.default_rng(1), lo, mo, hi, (200_000,), kind)
    m, var = float(mean(lo, mo, hi, kind)), float(variance(lo, mo, hi, kind))
    if kind == "triangular":
        assert m == pytest.approx(5.0) and var == pytest.approx((4 + 9 + 100 - 6 - 20 - 30) / 18)
        dist = stats.triang((mo - lo) / (hi - lo), loc=lo, scale=hi - lo)
    else:   # PERT: mean (a + 4m + b)/6 = 4, variance (μ − a)(b − μ)/7 = 12/7
        assert m == pytest.approx(4.0) and var == pytest.approx(12 / 7)
        dist = stats.beta(1 + 4 * (mo - lo) / (hi - lo), 1 + 4 * (hi - mo) / (hi - lo), loc=lo, scale=hi - lo)
    assert dist.mean() == pytest.approx(m) and dist.var() == pytest.approx(var)
    assert abs(x.mean() - m) < 4 * math.sqrt(var / x.size)
    assert x.var() == pytest.approx(var, rel=0.02)
    assert stats.kstest(x[:20_000], dist.cdf).pvalue > 1e-3
    assert x.min() >= lo and x.max() <= hi


def test_triangular_inverse_and_fixed_values():
    assert float(triangular_ppf(np.array(0.0), 1, 2, 5)) == 1.0
    assert float(triangular_ppf(np.array(0.25), 1, 2, 5)) == pytest.approx(2.0)   # F(mode) = (c−a)/(b−a)
    x = sample(np.random.default_rng(0), 3.0, 3.0, 3.0, (10,), "triangular")
    assert np.all(x == 3.0)


def test_tornado_swings_and_order():
    inp = _inputs(1, fixed=False)
    t = tornado(inp)
    base = at_modes(inp)
    j = t.inputs.index(("market_size", None))
    # the value is linear in market size: swing = (high − low)/mode × risk-adjusted income
    assert t.high[0, j] - t.low[0, j] == pytest.approx(float(base.pv_income[0]) * (10000 - 2500) / 5000, rel=1e-12)
    ranked = t.ranked(0)
    swings = [abs(h - lo) for _, _, lo, h in ranked]
    assert swings == sorted(swings, reverse=True)
    assert all(name in {"market_size", "market_share", "margin", "rd_cost", "p", "years"} for name, *_ in ranked)


def test_p_reach_and_remaining_stages():
    stages = [Stage("a", 3, 4, 0.6), Stage("b", 4, 6, 0.5, years=(2, 2, 2), cost_share=0.2), Stage("c", 6, 7, 0.8)]
    assert p_reach(stages, 4) == pytest.approx(0.6)
    assert p_reach(stages, 6) == pytest.approx(0.3)
    assert p_reach(stages, 5) == pytest.approx(0.6 * 0.5 ** 0.5)
    assert p_reach(stages, 3) == 1.0
    as_json = [{"from_trl": s.from_trl, "to_trl": s.to_trl, "p_success": s.p_success} for s in stages]
    assert p_reach(as_json, 5) == pytest.approx(0.6 * 0.5 ** 0.5)
    left = remaining(stages, 5)
    assert [s.id for s in left] == ["b", "c"]
    assert left[0].p_success == pytest.approx(0.5 ** 0.5) and left[0].years == (1, 1, 1)
    assert left[0].cost_share == pytest.approx(0.1)
    assert remaining(stages, 9) == []


def test_packaged_defaults_are_complete_and_sourced():
    from tlr.valuation.defaults import load_defaults

    d = load_defaults()
    for stages in [d.stages, *[i.stages for i in d.industries]]:
        ordered = sorted(stages, key=lambda s: s.from_trl)
        assert ordered[0].from_trl == 1 and ordered[-1].to_trl == 9
        assert all(a.to_trl == b.from_trl for a, b in zip(ordered, ordered[1:]))   # no gap, no overlap
        for s in stages:
            assert s.confidence in {"low", "medium", "high"} and s.source and s.note
            assert s.p_low <= s.p_success <= s.p_high and s.years[0] <= s.years[1] <= s.years[2]
            assert s.cost_share > 0
            if s.confidence == "high":
                assert not s.source.startswith("none")
    bio = d.industry_for("生物医药与健康")
    assert bio is not None and [s.p_success for s in bio.stages if s.id == "phase2"] == [0.307]
    for name, p in d.parameters.items():
        assert p.confidence in {"low", "medium", "high"} and p.source, name
