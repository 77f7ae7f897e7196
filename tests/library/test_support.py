"""Stage-wise support is derived from the rubric's own routes, tiers and readiness ladder: checked against the
shipped fund-screening rubric (research: TRL ≤ 3, transfer: TRL ≤ 6, land: the rest; tier A: 80 and TRL ≥ 6)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"


@pytest.fixture(scope="module")
def rules():
    from tlr.app.library_round import rules_snapshot
    from tlr.rubric import load_rubric

    return rules_snapshot(load_rubric(RUBRICS / "fund-screening.yaml"))


def test_the_snapshot_holds_the_rubrics_rules(rules):
    assert [r["id"] for r in rules["routes"]] == ["research", "transfer", "land"]
    assert rules["routes"][0]["when"] == {"ref": "trl", "op": "<=", "value": 3.0}
    assert [t["id"] for t in rules["tiers"]] == ["A", "B", "C", "D"] and rules["tiers"][0]["min_score"] == 80
    assert [lv["level"] for lv in rules["levels"]] == list(range(1, 10)) and rules["readiness"] == "trl"


@pytest.mark.parametrize("trl, route, nxt, needs, levels", [
    (2, "research", "transfer", ["TRL ≥ 4"], [3, 4]),
    (3, "research", "transfer", ["TRL ≥ 4"], [4]),
    (5, "transfer", "land", ["TRL ≥ 7"], [6, 7]),
])
def test_next_batch_and_the_levels_to_climb(rules, trl, route, nxt, needs, levels):
    from tlr.library.support import support

    out = support(rules, {"route": route, "readiness": trl, "tier": "C", "composite": 65})
    assert out["next_route"] == nxt and [r["zh"] for r in out["requirements"]] == needs
    assert [lv["level"] for lv in out["levels"]] == levels
    ladder = {lv["level"]: lv for lv in rules["levels"]}
    for lv in out["levels"]:                      # each level with the ladder's own words and evidence
        assert lv == ladder[lv["level"]] and lv["evidence"]


def test_the_last_batch_has_no_next(rules):
    from tlr.library.support import support

    out = support(rules, {"route": "land", "readiness": 8, "tier": "A", "composite": 90})
    assert out["last_route"] and out["next_route"] is None and out["next_tier"] is None


@pytest.mark.parametrize("tier, composite, trl, needs", [
    ("B", 75, 6, ["综合得分 ≥ 80"]),
    ("B", 75, 5, ["综合得分 ≥ 80", "TRL ≥ 6"]),
    ("B", 85, 5, ["TRL ≥ 6"]),                 # the score is there, readiness is not
    ("C", 61, 5, ["综合得分 ≥ 70"]),
    ("D", 20, 2, ["综合得分 ≥ 60"]),
])
def test_next_tier(rules, tier, composite, trl, needs):
    from tlr.library.support import support

    out = support(rules, {"route": "transfer", "readiness": trl, "tier": tier, "composite": composite})
    assert [r["zh"] for r in out["next_tier"]["requirements"]] == needs


def test_negation_is_exact_on_every_value():
    """negate(c) holds exactly when c does not, for every operator and all/any/not (checked by enumeration)."""
    from tlr.library.support import _holds, negate

    simple = [{"ref": "x", "op": op, "value": 3} for op in ("<", "<=", ">", ">=", "==", "!=")]
    compound = [{"all": [simple[0], simple[3]]}, {"any": [simple[1], simple[5]]}, {"not": simple[2]},
                {"all": [{"any": [simple[0], simple[4]]}, {"not": simple[3]}]}]
    for cond, x in itertools.product(simple + compound, range(0, 7)):
        assert _holds(negate(cond), {"x": x}) is (not _holds(cond, {"x": x}))


def test_words_come_from_the_rule_not_beside_it(rules):
    """Change the rubric's threshold and the advice follows."""
    import copy

    from tlr.library.support import support

    changed = copy.deepcopy(rules)
    changed["routes"][0]["when"]["value"] = 4.0
    out = support(changed, {"route": "research", "readiness": 3, "tier": "C", "composite": 65})
    assert [r["zh"] for r in out["requirements"]] == ["TRL ≥ 5"] and [lv["level"] for lv in out["levels"]] == [4, 5]


def test_a_knock_out_comes_first(rules):
    from tlr.library.support import KNOCKED_OUT, support

    out = support(rules, {"route": "research", "readiness": 3, "tier": "D", "composite": 20, "knocked_out": True})
    assert out["requirements"] == [KNOCKED_OUT, {"zh": "TRL ≥ 4", "en": "TRL ≥ 4"}]
    assert out["next_tier"]["requirements"][0] == KNOCKED_OUT
