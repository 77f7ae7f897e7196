"""Placement facts, checked by hand on small cases (tlr.push.placement is pure)."""

from __future__ import annotations

import pytest

from tlr.matching.items import Achievement
from tlr.push.placement import Failure, Mandate, check, nearest, place


def ach(pid, **kw) -> Achievement:
    base = dict(name=pid, industry="steel", region="唐山市", trl=6, ask=1000.0, tier="A", route="transfer")
    base.update(kw)
    return Achievement(id=pid, **base)


FUND = Mandate("f1", "fund", industries=("steel", "new_materials"), regions=("唐山市", "迁安市"), trl=(5, 8),
               ticket=(300.0, 3000.0), routes=("transfer", "land"), tiers=("A", "B"))
OPEN = Mandate("open", "fund")  # no condition at all
CITY = Mandate("ts", "recipient", regions=("唐山市",), industries=("steel",))


def codes(failures) -> list[str]:
    return [f.code for f in failures]


def test_a_fitting_achievement_fails_nothing():
    assert check(ach("a"), FUND) == ()


@pytest.mark.parametrize("field, value, code, limit", [
    ("trl", 4, "trl_below", 5),
    ("trl", 9, "trl_above", 8),
    ("trl", None, "trl_unknown", (5, 8)),
    ("ask", 5000.0, "ask_above", 3000.0),
    ("ask", 299.0, "ask_below", 300.0),
    ("ask", None, "ask_unknown", (300.0, 3000.0)),
    ("region", "衡水市", "region_outside", ("唐山市", "迁安市")),
    ("region", "", "region_unknown", ("唐山市", "迁安市")),
    ("industry", "food", "industry_outside", ("steel", "new_materials")),
    ("industry", None, "industry_unknown", ("steel", "new_materials")),
    ("tier", "C", "tier_outside", ("A", "B")),
    ("route", "research", "route_outside", ("transfer", "land")),
    ("route", None, "route_none", ("transfer", "land")),
])
def test_each_condition_fails_with_its_code_and_values(field, value, code, limit):
    failures = check(ach("a", **{field: value}), FUND)
    assert len(failures) == 1
    f = failures[0]
    assert f.code == code and f.limit == limit
    assert f.value == (value if value not in ("",) else None)


def test_bounds_are_inclusive():
    assert check(ach("a", trl=5, ask=300.0), FUND) == ()
    assert check(ach("a", trl=8, ask=3000.0), FUND) == ()


def test_regions_compare_after_nfkc_and_trimming_but_not_by_prefix():
    assert check(ach("a", region=" 唐山市 "), FUND) == ()
    assert codes(check(ach("a", region="唐山"), FUND)) == ["region_outside"]


def test_an_open_mandate_takes_everything_eligible_and_nothing_blocked():
    p = place([ach("a"), ach("b", trl=None, region="", industry=None)], [OPEN], blocked={})
    assert p.packs == {"open": ("a", "b")}
    p = place([ach("a"), ach("b")], [OPEN], blocked={"b": "knocked_out"})
    assert p.packs == {"open": ("a",)}
    assert p.unplaced[0].achievement == "b" and codes(p.unplaced[0].failures) == ["knocked_out"]


def test_packs_keep_the_given_order():
    items = [ach("z"), ach("m"), ach("a")]
    assert place(items, [FUND]).packs["f1"] == ("z", "m", "a")


def test_several_failures_are_listed_in_condition_order():
    a = ach("a", trl=4, ask=5000.0, region="衡水市", tier="C")
    assert codes(check(a, FUND)) == ["tier_outside", "trl_below", "ask_above", "region_outside"]


def test_nearest_is_the_mandate_with_fewest_failures():
    # fails f1 on region only (1), f2 on trl and ticket (2): nearest f1
    f2 = Mandate("f2", "fund", trl=(7, 9), ticket=(0.0, 500.0))
    a = ach("a", region="衡水市")
    p = place([a], [f2, FUND])
    assert p.packs == {"f2": (), "f1": ()}
    (u,) = p.unplaced
    assert u.nearest == "f1"
    assert u.failures == (Failure("region_outside", "region", "衡水市", ("唐山市", "迁安市")),)


def test_ties_go_to_the_fund_listed_first():
    a = ach("a", region="衡水市")  # fails each of these once
    r = Mandate("r", "recipient", regions=("石家庄市",))
    f_late = Mandate("late", "fund", regions=("唐山市",))
    f_early = Mandate("early", "fund", regions=("石家庄市",))
    assert place([a], [r, f_early, f_late]).unplaced[0].nearest == "early"
    assert place([a], [r, f_late, f_early]).unplaced[0].nearest == "late"
    # nearest() itself prefers a fund to a recipient on a tie
    assert nearest({"r": [Failure("x", "region")], "late": [Failure("x", "region")]}, [r, f_late]) == "late"


def test_on_a_tie_the_fund_sharing_the_focus_is_nearer():
    a = ach("a", industry="new_materials", ask=2540.0, region="廊坊市")
    other_industry = Mandate("smart", "fund", industries=("steel",), ticket=(300.0, 3000.0))  # industry miss
    just_over = Mandate("materials", "fund", industries=("new_materials",), ticket=(300.0, 2500.0))  # ask miss
    (u,) = place([a], [other_industry, just_over]).unplaced
    assert u.nearest == "materials" and codes(u.failures) == ["ask_above"]
    far_region = Mandate("far", "fund", regions=("唐山市",))
    assert place([a], [far_region, just_over]).unplaced[0].nearest == "materials"


def test_unplaced_means_in_no_fund_even_when_a_recipient_takes_it():
    a = ach("a", tier="C")  # fails the fund's tiers, fits the city
    p = place([a], [FUND, CITY])
    assert p.packs == {"f1": (), "ts": ("a",)}
    assert [(u.achievement, u.nearest) for u in p.unplaced] == [("a", "f1")]
    assert codes(p.unplaced[0].failures) == ["tier_outside"] and "ts" not in p.misses["a"]
    assert p.placed_in("a") == ["ts"]


def test_a_recipient_is_never_the_nearest_when_there_are_funds():
    a = ach("a", region="衡水市", tier="C", trl=2)  # fails FUND three times, the city once
    assert place([a], [FUND, CITY]).unplaced[0].nearest == "f1"


def test_without_funds_the_recipients_decide():
    a, b = ach("a"), ach("b", region="衡水市")
    other = Mandate("hs", "recipient", regions=("邯郸市",), industries=("food",))
    p = place([a, b], [CITY, other])
    assert [(u.achievement, u.nearest, codes(u.failures)) for u in p.unplaced] == [
        ("b", "ts", ["region_outside"])]


def test_no_mandates_leaves_everything_unplaced_without_a_nearest():
    p = place([ach("a")], [])
    assert [(u.achievement, u.nearest, u.failures) for u in p.unplaced] == [("a", None, ())]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        place([ach("a"), ach("a")], [FUND])
    with pytest.raises(ValueError):
        place([ach("a")], [FUND, FUND])
    with pytest.raises(ValueError):
        place([ach("a")], [FUND], blocked={"a": "lazy"})


def test_to_dict_is_plain():
    p = place([ach("a", trl=4)], [FUND])
    assert p.to_dict() == {"packs": {"f1": []}, "unplaced": [
        {"achievement": "a", "nearest": "f1",
         "failures": [{"code": "trl_below", "condition": "trl", "value": 4, "limit": 5}]}]}
