"""Three-valued evaluation of gate / tier / route conditions (Kleene logic, hand-made truth tables)."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.rubric.conditions import condition_refs, describe_condition, evaluate_condition
from tlr.rubric.model import Condition, GradesScale

NAN = np.nan


def cond(**kw):
    return Condition.model_validate(kw)


def test_comparison_with_missing_values_is_unknown_not_false():
    truth = evaluate_condition(cond(ref="trl", op="<", value=4), {"trl": np.array([3, 4, NAN, 9])}, 4)
    assert truth.value.tolist() == [True, False, False, False]
    assert truth.known.tolist() == [True, True, False, True]


@pytest.mark.parametrize("a,b,all_expected,any_expected", [
    # a, b each: 1 true, 0 false, None unknown -> Kleene AND / OR
    (1, 1, 1, 1), (1, 0, 0, 1), (0, 0, 0, 0), (1, None, None, 1), (0, None, 0, None), (None, None, None, None),
])
def test_kleene_truth_tables(a, b, all_expected, any_expected):
    def val(x):
        return np.array([NAN if x is None else float(x)])

    values = {"a": val(a), "b": val(b)}
    parts = [{"ref": "a", "op": "==", "value": 1}, {"ref": "b", "op": "==", "value": 1}]
    for key, expected in (("all", all_expected), ("any", any_expected)):
        truth = evaluate_condition(cond(**{key: parts}), values, 1)
        if expected is None:
            assert not truth.known[0]
        else:
            assert truth.known[0] and truth.value[0] == bool(expected)


def test_not_keeps_unknown():
    truth = evaluate_condition(Condition.model_validate({"not": {"ref": "x", "op": ">", "value": 1}}),
                               {"x": np.array([2.0, 0.0, NAN])}, 3)
    assert truth.value.tolist() == [False, True, False]
    assert truth.known.tolist() == [True, True, False]


def test_boolean_and_grade_values():
    grades = GradesScale.model_validate({"kind": "grades", "grades": [
        {"id": "top", "label": "优", "value": 90}, {"id": "mid", "label": "中", "value": 70},
        {"id": "low", "label": "差", "value": 50}]})
    values = {"ip": np.array([1.0, 0.0]), "level": np.array([0.0, 2.0])}
    assert evaluate_condition(cond(ref="ip", op="==", value=False), values, 2).value.tolist() == [False, True]
    truth = evaluate_condition(cond(ref="level", op="==", value="low"), values, 2, {"level": grades})
    assert truth.value.tolist() == [False, True]


def test_refs_and_description():
    c = cond(all=[{"ref": "trl", "op": ">=", "value": 6}, {"any": [{"ref": "composite", "op": ">=", "value": 80}]}])
    assert condition_refs(c) == {"trl", "composite"}
    assert describe_condition(c, "en") == "(trl >= 6 and (composite >= 80))"
