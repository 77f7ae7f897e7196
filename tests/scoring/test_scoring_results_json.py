"""Every result object serialises to strict JSON (NaN -> null) and the frames build."""

import json

import numpy as np

from tlr.engine.aggregation import expert_composites, fce, memberships_from_grades, topsis, weighted_sum
from tlr.panel.agreement import dispersion, expert_diagnostics, icc, kendall_w, panel_agreement
from tlr.panel.consensus import consensus
from tlr.ranking.explain import explain
from tlr.ranking.robustness import expert_bootstrap, weight_monte_carlo
from tlr.ranking.selection import select_portfolio
from tlr.ranking.sensitivity import oat_sensitivity
from tlr.ranking.tiers import assign_tiers, default_rules, fund_fit, rank, support_route

nan = np.nan


def test_all_results_are_strict_json():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, (5, 6, 3)).astype(float)
    x[:, 5, :] = nan                  # unscored project
    x[0, 0, 0] = nan
    cons = consensus(x, "trimmed")
    U = (np.nan_to_num(cons.values, nan=3.0) - 1) / 4
    U[5] = nan
    w = [.5, .3, .2]
    comp = weighted_sum(U, w, missing="flag", dimensions=[0, 0, 1])
    tiers = assign_tiers(comp.composite, default_rules([.8, .6, .4]), gates=np.zeros((6, 1), bool),
                         gate_reasons=["g"])
    results = [
        cons, kendall_w(x), icc(x), panel_agreement(x), dispersion(x[:, :, 0], range_max=2),
        expert_diagnostics(x), comp, fce(np.full((3, 4), .25), w, [4, 3, 2, 1]),
        topsis(rng.uniform(size=(4, 3)), w), rank(comp.composite), tiers, support_route([1, nan]),
        fund_fit({"a": np.array([True, False])}),
        weight_monte_carlo(U, w, n_draws=50, seed=1, tier_rules=default_rules([.8, .6, .4])),
        expert_bootstrap(x[:, :5] / 5, w, n_draws=20, seed=1),
        oat_sensitivity(U[:5], w), select_portfolio(comp.composite, np.ones(6), 3),
        explain(U[:5], w, [.8, .6, .4]), memberships_from_grades(x - 1, 5), expert_composites(x, w),
    ]
    for r in results:
        s = json.dumps(r.to_dict(), allow_nan=False, ensure_ascii=False)
        assert s.startswith("{")
    cons.to_frame()
    comp.to_frame()
    results[13].to_frame()
    assert tiers.to_frame()["tier"].tolist()[5] == "D"
