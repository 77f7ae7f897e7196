"""The matcher: hand-checked facts about scores, fit factors, floors and both directions."""

from __future__ import annotations

import json
import random

import pytest

import tlr.matching.rank as rank
from tlr.matching import Achievement, Demand, match
from tlr.numeric.results import json_text

BATTERY = "废旧锂离子电池湿法回收工艺，从正极材料中回收钴、镍、锂，回收率超过百分之九十五"


def _battery(id_: str, trl: int | None, **kw) -> Achievement:
    return Achievement(id_, "锂离子电池湿法回收", summary=BATTERY, trl=trl, industry="new_energy", **kw)


OTHERS = [
    Achievement("X1", "小麦节水灌溉技术", summary="冬小麦滴灌水肥一体化，节水百分之三十", trl=7),
    Achievement("X2", "羊绒分梳设备", summary="山羊绒自动分梳机，提高分梳效率", trl=8),
    Achievement("X3", "中药饮片炮制工艺", summary="道地药材饮片标准化炮制", trl=6),
]


def test_a_synonym_pair_matches_and_is_explained():
    demand = Demand("D1", "锂电回收", description="本厂有大量报废锂电需要回收钴镍", industry="new_energy")
    result = match([demand], [*OTHERS, _battery("A1", 7)], top=3)
    best = result.matches[0].candidates[0]
    assert best.id == "A1"
    assert ["锂电", "锂离子电池", "lithium_ion_battery"] in best.why["synonyms"]
    assert {"回收", "钴", "镍"} <= set(best.why["shared_terms"])
    # without the lexicon the two words do not meet
    plain = match([Demand("D1", "锂电")], [*OTHERS, _battery("A1", 7)], variant="bm25", min_score=0.0)
    assert plain.matches[0].candidates == ()


def test_readiness_far_below_ranks_down_and_says_why():
    demand = Demand("D1", "锂离子电池回收", description=BATTERY, min_trl=6)
    result = match([demand], [_battery("LOW", 3), _battery("HIGH", 7)], top=2, min_score=0.0)
    high, low = result.matches[0].candidates
    assert (high.id, low.id) == ("HIGH", "LOW")
    assert high.why["text_score"] == low.why["text_score"]          # equal text
    assert low.score == pytest.approx(high.score * 0.4, abs=2e-6)   # gap 3 -> factor 0.4 (FitPolicy)
    assert low.why["readiness"] == {"trl": 3, "needed": 6, "gap": 3, "status": "far_below", "factor": 0.4,
                                    "source": None}
    assert high.why["readiness"]["status"] == "meets" and high.why["readiness"]["factor"] == 1.0
    # the text-only variants do not look at readiness: equal scores, input order
    text_only = match([demand], [_battery("LOW", 3), _battery("HIGH", 7)], variant="lexicon", min_score=0.0)
    a, b = text_only.matches[0].candidates
    assert a.score == b.score and (a.id, b.id) == ("LOW", "HIGH")
    assert a.why["readiness"]["factor"] == 1.0


@pytest.mark.parametrize("gap, factor", [(-2, 1.0), (0, 1.0), (1, 0.85), (2, 0.65), (3, 0.4), (5, 0.4)])
def test_readiness_factor_table(gap, factor):
    demand = Demand("D1", "锂离子电池回收", description=BATTERY, min_trl=6)
    (c,) = match([demand], [_battery("A", 6 - gap)], min_score=0.0).matches[0].candidates
    assert c.why["readiness"]["factor"] == factor
    assert c.why["readiness"]["gap"] == gap


def test_identical_text_scores_one_and_fit_factors_multiply():
    # text identical -> the achievement's BM25 weights equal the demand's own: text score 1 (capped)
    demand = Demand("D1", "锂离子电池湿法回收", description=BATTERY, industry="steel", region="唐山市",
                    budget=100.0, min_trl=5)
    ach = Achievement("A1", "锂离子电池湿法回收", summary=BATTERY, industry="new_energy", region="唐山",
                      trl=7, ask=200.0)
    (c,) = match([demand], [ach, *OTHERS], top=1).matches[0].candidates
    assert c.why["text_score"] == pytest.approx(1.0, abs=1e-6)
    assert c.why["industry"]["match"] == "different" and c.why["industry"]["factor"] == 0.85
    assert c.why["region"]["match"] == "same" and c.why["region"]["factor"] == 1.0   # 唐山市 = 唐山
    assert c.why["budget"]["status"] == "over"
    assert c.why["budget"]["factor"] == pytest.approx(0.5 ** 0.3, abs=1e-6)          # (100 / 200) ** 0.3
    assert c.score == pytest.approx(0.85 * 0.5 ** 0.3, abs=2e-6)


def test_budget_floor_and_unknowns():
    demand = Demand("D1", "锂离子电池湿法回收", description=BATTERY, budget=10.0)
    far = Achievement("A1", "锂离子电池湿法回收", summary=BATTERY, ask=100_000.0)
    unknown = Achievement("A2", "锂离子电池湿法回收", summary=BATTERY)
    cands = {c.id: c for c in match([demand], [far, unknown], min_score=0.0).matches[0].candidates}
    assert cands["A1"].why["budget"]["factor"] == pytest.approx(0.7)
    assert cands["A2"].why["budget"] == {"budget": 10.0, "ask": None, "status": "unknown", "factor": 1.0}
    assert cands["A2"].why["industry"]["match"] == "unknown"
    assert cands["A2"].why["region"] == {"demand": None, "achievement": None, "match": "unknown", "factor": 0.975}


def test_a_demand_with_nothing_relevant_gets_no_forced_candidates():
    lonely = Demand("D9", "无乳糖牛奶生产", description="乳糖酶水解牛奶中的乳糖，生产低乳糖奶")
    result = match([lonely], [*OTHERS, _battery("A1", 7)], top=3)
    assert result.matches[0].candidates == ()
    everything = match([lonely], [*OTHERS, _battery("A1", 7)], top=3, min_score=0.0)
    assert all(c.score < rank.MIN_SCORE for c in everything.matches[0].candidates)


def _pool(seed: int, nd: int = 12, na: int = 30):
    rng = random.Random(seed)
    words = ["钢渣", "微粉", "锂电", "锂离子电池", "回收", "脱硝", "scr", "光伏", "人工智能", "视觉", "检测", "滴灌",
             "羊绒", "疫苗", "冶金固废", "高炉", "余热", "储能", "氢能", "机器人", "减速器", "涂层", "防腐"]
    inds = ["steel", "new_energy", None, "food"]
    regions = ["唐山市", "邯郸市", "", "保定市"]

    def text():
        return "，".join(rng.choice(words) for _ in range(rng.randint(3, 9)))

    demands = [Demand(f"D{i}", text(), description=text(), industry=rng.choice(inds), region=rng.choice(regions),
                      budget=rng.choice([None, 50.0, 500.0]), min_trl=rng.choice([None, 4, 6, 8])) for i in range(nd)]
    achievements = [Achievement(f"A{i}", text(), summary=text(), industry=rng.choice(inds),
                                region=rng.choice(regions), trl=rng.choice([None, 3, 5, 7, 9]),
                                ask=rng.choice([None, 100.0, 1000.0])) for i in range(na)]
    return demands, achievements


def test_both_directions_agree_on_every_pair():
    demands, achievements = _pool(1)
    result = match(demands, achievements, top=10, min_score=0.0)
    forward = {(r.id, c.id): c.score for r in result.matches for c in r.candidates}
    backward = {(c.id, r.id): c.score for r in result.by_achievement for c in r.candidates}
    common = forward.keys() & backward.keys()
    assert len(common) > 20
    assert all(forward[p] == backward[p] for p in common)
    whys = {(r.id, c.id): c.why for r in result.matches for c in r.candidates}
    assert all(whys[p] == c.why for r in result.by_achievement for c in r.candidates
               for p in [(c.id, r.id)] if p in whys)


def test_top_k_equals_the_full_ranking_and_blocks_do_not_matter(monkeypatch):
    demands, achievements = _pool(2)
    full = match(demands, achievements, top=len(achievements), top_demands=len(demands), min_score=0.0,
                 explain=False)
    scores = {(r.id, c.id): c.score for r in full.matches for c in r.candidates}
    monkeypatch.setattr(rank, "_BLOCK_CELLS", 7)   # one demand per block: exercises the running top-k merge
    small = match(demands, achievements, top=4, top_demands=3, min_score=0.0)
    for r in small.matches:
        expected = sorted(((-s, [a.id for a in achievements].index(a)) for (d, a), s in scores.items()
                           if d == r.id and s > 0))[:4]
        assert [(-c.score, [a.id for a in achievements].index(c.id)) for c in r.candidates] == expected
    for r in small.by_achievement:
        expected = sorted(((-s, [d.id for d in demands].index(d)) for (d, a), s in scores.items()
                           if a == r.id and s > 0))[:3]
        assert [(-c.score, [d.id for d in demands].index(c.id)) for c in r.candidates] == expected
        assert all(c.why["text_score"] is not None for c in r.candidates)


def test_deterministic_and_order_independent_scores():
    demands, achievements = _pool(3)
    one = json_text(match(demands, achievements).to_dict())
    two = json_text(match(demands, achievements).to_dict())
    assert one == two
    shuffled = list(achievements)
    random.Random(0).shuffle(shuffled)
    a = {(r.id, c.id): c.score for r in match(demands, achievements, top=30, min_score=0).matches for c in r.candidates}
    b = {(r.id, c.id): c.score for r in match(demands, shuffled, top=30, min_score=0).matches for c in r.candidates}
    assert a == b


def test_json_shape():
    demands, achievements = _pool(4, nd=3, na=5)
    data = json.loads(json_text(match(demands, achievements, top=2).to_dict()))
    assert set(data) == {"matches", "by_achievement", "method"}
    assert [m["demand"] for m in data["matches"]] == ["D0", "D1", "D2"]
    assert [m["achievement"] for m in data["by_achievement"]] == [f"A{i}" for i in range(5)]
    for m in data["matches"]:
        for c in m["candidates"]:
            assert set(c) == {"achievement", "score", "why"}
            assert set(c["why"]) == {"text_score", "shared_terms", "synonyms", "related", "industry", "readiness",
                                     "region", "budget"}
    assert data["method"]["variant"] == "full" and data["method"]["lexicon"]["groups"] >= 150


def test_empty_sides_and_bad_arguments():
    assert match([], [_battery("A1", 7)]).by_achievement[0].candidates == ()
    assert match([Demand("D1", "锂电")], []).matches[0].candidates == ()
    with pytest.raises(ValueError):
        match([Demand("D1", "x"), Demand("D1", "y")], [])
    with pytest.raises(ValueError):
        match([], [], variant="embedding")
    with pytest.raises(ValueError):
        match([], [], top=0)
