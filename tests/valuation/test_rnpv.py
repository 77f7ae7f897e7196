"""The rNPV closed form against a published decision tree, hand-computed trees (exact fractions), and
properties that must hold."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tlr.valuation.rnpv import annuity_factor, chain_outcome, chain_value
from tlr.valuation.tree import Chance, Outcome, chain_tree, expected_value


def _davanrik(depression: float, weight_loss: float, both: float) -> Chance:
    """The Davanrik licensing tree: phase 1 costs 30 (60% pass), phase 2 costs 40 and ends in depression only
    (10%), weight loss only (15%), both (5%) or failure (70%); phase 3 costs 200 / 150 / 500 and succeeds with
    85% / 75% / (both 70%, depression only 15%, weight loss only 5%, neither 10%)."""
    return Chance(30, ((0.4, Outcome(0)), (0.6, Chance(40, (
        (0.7, Outcome(0)),
        (0.10, Chance(200, ((0.85, Outcome(depression)), (0.15, Outcome(0))))),
        (0.15, Chance(150, ((0.75, Outcome(weight_loss)), (0.25, Outcome(0))))),
        (0.05, Chance(500, ((0.70, Outcome(both)), (0.15, Outcome(depression)), (0.05, Outcome(weight_loss)),
                            (0.10, Outcome(0))))),
    )))))


def test_published_decision_tree_davanrik():
    """Harvard Business School case "Merck & Co.: Evaluating a Drug Licensing Opportunity" (the Davanrik tree),
    worked with every branch printed at https://pdfcoffee.com/calculations-2-pdf-free.html (case facts also at
    https://www.yumpu.com/en/document/view/43077449/application-of-real-options-valuation-to-rd-investments-in-/47):
    the net cash flows of the leaves (e.g. depression success $680M = 950 − 30 − 40 − 200, failure in phase 1
    −$30M with probability 0.4) weighted by their probabilities sum to an expected NPV of $13.980M; with the
    case's second set of launch values (depression 890, weight loss 227.75, both 1737.5) to $7.097250M."""
    assert expected_value(_davanrik(950, 245, 1850)) == pytest.approx(13.98, abs=1e-6)
    assert expected_value(_davanrik(890, 227.75, 1737.5)) == pytest.approx(7.09725, abs=1e-6)
    # the page's leaf table: (net cash flow, probability) of each end of the tree
    leaves = [(680, 0.051), (-270, 0.009), (25, 0.0675), (-220, 0.0225), (380, 0.0045), (-325, 0.0015),
              (1280, 0.021), (-570, 0.003), (-30, 0.4), (-70, 0.42)]
    assert sum(p for _, p in leaves) == pytest.approx(1.0, abs=1e-12)
    assert sum(v * p for v, p in leaves) == pytest.approx(13.98, abs=1e-6)


def test_hand_computed_two_stage_tree_exact():
    # stages: cost 10 then 20, 1 year each, success 1/2 then 2/3; rate 10%; profit 30 a year for 2 years.
    # v = 10/11. Costs: 10 + 1/2·20·v = 210/11. Income: (1/3)·30·(v + v²)·v² = 210000/14641.
    expected = Fraction(210000, 14641) - Fraction(210, 11)
    assert expected == Fraction(-69510, 14641)
    got = chain_value([0.5, 2 / 3], [1, 1], [10, 20], 30, 0.1, 2, 1)
    assert float(got.value) == pytest.approx(float(expected), abs=1e-9)
    assert float(got.pv_costs) == pytest.approx(210 / 11, abs=1e-12)
    assert float(got.p_market) == pytest.approx(1 / 3, abs=1e-15)
    assert float(got.launch) == 2.0


def test_ramp_against_a_direct_sum_with_fractions():
    # ramp over 3 years, life 5: weights 1/3, 2/3, 1, 1, 1; rate 1/4
    v = Fraction(4, 5)
    direct = sum(w * v ** y for y, w in enumerate([Fraction(1, 3), Fraction(2, 3), 1, 1, 1], start=1))
    assert float(annuity_factor(0.25, 5, 3)) == pytest.approx(float(direct), abs=1e-12)
    # life shorter than the ramp: weights 1/4, 2/4
    direct = v / 4 + v ** 2 / 2
    assert float(annuity_factor(0.25, 2, 4)) == pytest.approx(float(direct), abs=1e-12)
    # no ramp = ramp of one year = the annuity (1 − v^N)/r
    assert float(annuity_factor(0.1, 7, 0)) == pytest.approx((1 - 1.1 ** -7) / 0.1, abs=1e-12)
    assert float(annuity_factor(0.1, 7, 1)) == pytest.approx((1 - 1.1 ** -7) / 0.1, abs=1e-12)


def test_closed_form_equals_the_tree_for_random_chains():
    rng = np.random.default_rng(3)
    for _ in range(50):
        s = int(rng.integers(1, 6))
        p, years, cost = rng.uniform(0.1, 1, s), rng.uniform(0, 3, s), rng.uniform(0, 500, s)
        profit, rate, life, ramp = rng.uniform(0, 900), rng.uniform(0.01, 0.3), int(rng.integers(1, 15)), 3
        launch_value = profit * float(annuity_factor(rate, life, ramp))
        tree = expected_value(chain_tree(list(p), list(years), list(cost), launch_value), rate)
        assert float(chain_value(p, years, cost, profit, rate, life, ramp).value) == pytest.approx(tree, rel=1e-10,
                                                                                                    abs=1e-9)


def test_outcome_paths_cover_the_tree():
    # every path of a 2-stage chain: fail first (pay 10), fail second (pay 10 + 20v), succeed (pay both, earn)
    v = 1 / 1.1
    ok = chain_outcome([[False, False], [False, True], [True, False], [True, True]], [1, 1], [10, 20], 30, 0.1, 2)
    income = 30 * (v + v * v) * v * v
    assert ok.tolist() == pytest.approx([-10, -10, -10 - 20 * v, income - 10 - 20 * v], abs=1e-12)


def test_monotone_in_success_probability_market_and_discounting():
    base = dict(years=[1, 2], cost=[50, 100], rate=0.1, life=8, ramp=2)
    ps = np.linspace(0.05, 1, 20)
    values = chain_value(np.column_stack([ps, np.full(20, 0.5)]), profit=200, **base).value
    assert np.all(np.diff(values) > 0)
    profits = np.linspace(0, 1000, 20)
    values = chain_value([0.5, 0.5], profit=profits, **base).value
    assert np.all(np.diff(values) > 0)
    # a positive project is worth less when the launch comes later or money costs more
    later = chain_value([0.5, 0.5], [1, 4], [50, 100], 900, 0.1, 8, 2).value
    sooner = chain_value([0.5, 0.5], [1, 2], [50, 100], 900, 0.1, 8, 2).value
    assert sooner > later > 0
    rates = np.linspace(0.02, 0.3, 10)
    values = chain_value([0.5, 0.5], [1, 2], [0, 0], 900, rates, 8, 2).value
    assert np.all(np.diff(values) < 0)
    # with no stage left, the rNPV is the plain NPV of the profits
    assert float(chain_value(np.ones((1,)), [0.0], [0.0], 100, 0.1, 5).value) == pytest.approx(
        sum(100 / 1.1 ** y for y in range(1, 6)), abs=1e-9)
