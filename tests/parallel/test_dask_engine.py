"""The Dask engine gives the local engine's result, bit for bit (issue 16).

One LocalCluster of 2 worker processes for the module: blocks of draws run on the workers, their tallies
come back in block order and merge as on one machine.
"""

import numpy as np
import pytest

pytest.importorskip("dask.distributed")

from tlr.parallel import DaskExecutor, LocalExecutor  # noqa: E402
from tlr.ranking.robustness import expert_bootstrap, weight_monte_carlo  # noqa: E402
from tlr.ranking.tiers import default_rules  # noqa: E402


@pytest.fixture(scope="module")
def dask_executor():
    with DaskExecutor(workers=2) as ex:
        yield ex


def same(a, b):
    for name in ("rank_q05", "rank_q50", "rank_q95", "p_top_k", "acceptability", "p_beyond", "p_tier",
                 "central_weights", "base_rank", "quantile_beyond"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None
        else:
            assert x.tobytes() == y.tobytes(), name
    assert a.n_fallback_cells == b.n_fallback_cells


def test_dask_equals_local_bit_for_bit(dask_executor):
    rng = np.random.default_rng(4)
    E, P, L = 6, 400, 7
    quality = rng.normal(0, 1, P)
    X = np.clip(0.5 + 0.15 * quality[None, :, None] + rng.normal(0, 0.08, (E, P, L)), 0, 1)
    X[rng.random((E, P)) < 0.4] = np.nan
    X[0][(~np.isnan(X)).sum(axis=0) == 0] = 0.5
    U = np.nanmean(X, axis=0)
    w = rng.dirichlet(np.ones(L))
    rules = default_rules([0.65, 0.5, 0.35])
    for kw in (dict(), dict(max_dense=100, top_r=20)):          # every rank kept; the top 20 only
        common = dict(tier_rules=rules, top_k=5, seed=9, **kw)
        local = weight_monte_carlo(U, w, n_draws=2500, executor=LocalExecutor(), **common)
        remote = weight_monte_carlo(U, w, n_draws=2500, executor=dask_executor, **common)
        same(local, remote)
        assert remote.n_draws == 2500
        local = expert_bootstrap(X, w, n_draws=250, **common)
        remote = expert_bootstrap(X, w, n_draws=250, executor=dask_executor, **common)
        same(local, remote)


def test_evaluate_on_dask_ranks_as_local(dask_executor):
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
    from tlr.rubric import rubric_from_data

    rubric = rubric_from_data({
        "id": "t", "version": "1", "title": "t", "normalize": True,
        "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}},
        "dimensions": [{"id": "d", "label": "D", "weight": 1, "children": [
            {"id": f"i{k}", "label": f"I{k}", "scale": "l5", "weight": k + 1} for k in range(4)]}],
        "tiers": [{"id": "A", "label": "A", "min_score": 70}, {"id": "B", "label": "B", "min_score": 50},
                  {"id": "C", "label": "C"}],
    })
    rng = np.random.default_rng(2)
    values = np.clip(np.round(3 + rng.normal(0, 1, (5, 60, 1)) * 0.5 + rng.normal(0, 0.8, (5, 60, 4))), 1, 5)
    cube = ScoreCube.of(values, experts=[f"E{e}" for e in range(5)], projects=[f"P{p}" for p in range(60)],
                        indicators=[f"i{k}" for k in range(4)])
    options = EvaluationOptions(draws=1500, bootstrap_draws=120, seed=3)
    local = evaluate(rubric, cube, options=options)
    remote = evaluate(rubric, cube, options=options, executor=dask_executor)
    same(local.robustness, remote.robustness)
    same(local.bootstrap, remote.bootstrap)
    assert local.rank.tobytes() == remote.rank.tobytes()


def test_rank_cli_engine_dask_prints_the_local_json(demo, capsys, dask_executor):
    import json

    from tlr.cli import main

    campaign = str(demo / "round-2026")
    args = ["rank", campaign, "--json", "--all", "--draws", "400", "--bootstrap", "40"]
    assert main(args) == 0
    local = json.loads(capsys.readouterr().out)
    address = dask_executor.client.scheduler.address                  # the module's cluster, not a new one
    assert main(args + ["--engine", "dask", "--scheduler", address]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert remote["projects"] == local["projects"]
    assert remote["method"]["robustness"] == local["method"]["robustness"]


def test_matching_on_dask_lists_the_local_pairs(dask_executor):
    from tlr.matching import Achievement, Demand, match

    rng = np.random.default_rng(0)
    words = ["高温合金", "涂层", "叶片", "电池", "隔膜", "锂", "钠离子", "储能", "机器人", "减速器", "视觉", "检测"]
    industries = ["新材料", "新能源", "高端装备"]

    def text(k):
        return "".join(rng.choice(words, k))

    demands = [Demand(id=f"D{i}", name=text(2), description=text(4), industry=industries[i % 3], min_trl=int(
        rng.integers(3, 8)), budget=float(rng.integers(50, 500))) for i in range(30)]
    achievements = [Achievement(id=f"A{i}", name=text(2), summary=text(5), industry=industries[i % 3],
                                trl=int(rng.integers(2, 9)), ask=float(rng.integers(50, 800))) for i in range(45)]
    local = match(demands, achievements, top=4, top_demands=3)
    remote = match(demands, achievements, top=4, top_demands=3, executor=dask_executor)
    assert remote.to_dict() == local.to_dict()
    assert sum(len(r.candidates) for r in local.matches) > 30          # the pairs are not empty
