"""Bad input: one clear, located error (or warning) per problem; NaN never reaches the weights."""

import json

import numpy as np
import pytest

from tlr.errors import WeightingError
from tlr.weighting import RI_TABLES, ahp, reciprocal_from_upper

L = ["A", "B", "C"]
GOOD = np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])


def err(a, **kw):
    with pytest.raises(WeightingError) as e:
        ahp(a, labels=kw.pop("labels", L), **kw)
    return e.value


def test_non_square():
    e = err(np.ones((2, 3)), labels=None)
    assert e.code == "not_square" and "(2, 3)" in e.message


@pytest.mark.parametrize("value,code", [(0.0, "not_positive"), (-2.0, "not_positive"), (np.inf, "not_finite"),
                                        (np.nan, "missing")])
def test_bad_entries_name_the_cell(value, code):
    a = GOOD.copy()
    a[1, 2] = value
    if code == "missing":
        a[2, 1] = np.nan
    e = err(a)
    assert e.code == code
    assert e.location.field == "row 'B', column 'C'"
    assert len(e.format().splitlines()) == 1
    assert e.message.split(" / ")[0] != e.message   # bilingual: Chinese first, then English


def test_non_reciprocal_names_cells_and_offers_repair():
    a = GOOD.copy()
    a[2, 0] = 3.0
    e = err(a)
    assert e.code == "not_reciprocal"
    assert e.location.field == "row 'A', column 'C'"
    assert "--repair upper" in e.hint
    fixed = reciprocal_from_upper(a)
    assert ahp(fixed).weights == pytest.approx(ahp(GOOD).weights)


def test_small_reciprocal_rounding_is_reconciled_not_rejected():
    a = np.array([[1, 3, 0.5], [0.33, 1, 0.2], [2, 5, 1]])
    r = ahp(a)
    assert np.isfinite(r.weights).all()
    assert r.completed[0, 1] * r.completed[1, 0] == pytest.approx(1.0, abs=1e-12)


def test_out_of_scale_is_a_warning_not_an_error():
    a = reciprocal_from_upper([[1, 12, 2], [0, 1, 1 / 3], [0, 0, 1]])
    r = ahp(a, labels=L)
    assert len(r.warnings) == 1 and "row 'A', column 'B'" in r.warnings[0] and "1/9..9" in r.warnings[0]


def test_n_beyond_the_table():
    a = np.ones((16, 16))
    e = err(a, labels=None, ri="saaty1980")
    assert e.code == "ri_out_of_range" and "15" in e.message


def test_unknown_table_method_missing_option():
    assert err(GOOD, ri="nope").code == "unknown_ri_table"
    assert err(GOOD, method="power").code == "unknown_method"
    assert err(GOOD, missing="zero").code == "unknown_missing"
    assert err(GOOD, threshold=float("nan")).code == "bad_threshold"
    assert err(GOOD, threshold=-0.1).code == "bad_threshold"


def test_diagonal_and_unpaired_missing():
    a = GOOD.copy()
    a[1, 1] = 2
    assert err(a).code == "bad_diagonal"
    b = GOOD.copy()
    b[0, 2] = np.nan
    assert err(b, missing="harker").code == "missing_unpaired"


def test_stack_errors_name_the_matrix():
    st = np.stack([GOOD, GOOD, GOOD])
    st[2, 0, 1] = -1
    e = err(st)
    assert e.location.field == "matrix 3: row 'A', column 'B'"


def test_labels_mismatch():
    assert err(GOOD, labels=["A", "B"]).code == "labels_mismatch"


def test_result_echoes_method_table_threshold_and_is_json_ready():
    r = ahp(GOOD, ri="saaty_later", labels=L)
    d = r.to_dict()
    s = json.dumps(d)
    assert d["method"] == "eigenvector" and d["ri_table"] == "saaty_later" and d["threshold"] == 0.05
    assert d["labels"] == L and isinstance(d["weights"], list) and "NaN" not in s
    assert all(isinstance(x, float) for x in d["weights"])
    rb = ahp(np.stack([GOOD, GOOD]))
    json.dumps(rb.to_dict())
    assert rb.to_dict()["cr"] == [pytest.approx(r.cr)] * 2


def test_threshold_defaults_and_override():
    n5 = reciprocal_from_upper(np.triu(np.full((5, 5), 2.0), 1))
    assert ahp(n5).threshold == 0.10
    assert ahp(n5, method="geometric_mean").threshold == 0.37
    r = ahp(GOOD, threshold=0.2)
    assert r.threshold == 0.2 and r.threshold_source == "user"


def test_every_ri_table_has_source_and_is_sane():
    for t in RI_TABLES.values():
        assert t.source and t.confidence and t.values[1] == 0 and t.values[2] == 0
        assert t.max_n >= 15
        assert all(0.4 < t.values[n] < 1.7 for n in range(3, t.max_n + 1))


def test_dataframe_labels_are_used():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(GOOD, columns=L, index=L)
    r = ahp(df)
    assert r.labels == tuple(L)


def test_consistency_index_choice_for_geometric_mean():
    # a rubric field that is a maximum CR must be able to keep CR semantics with the geometric mean
    n5 = np.array([[1, 2, 9, 3, 1], [1 / 2, 1, 2, 1 / 4, 2], [1 / 9, 1 / 2, 1, 3, 1], [1 / 3, 4, 1 / 3, 1, 2],
                   [1, 1 / 2, 1, 1 / 2, 1]])
    auto = ahp(n5, method="geometric_mean", threshold=0.1)
    cr = ahp(n5, method="geometric_mean", threshold=0.1, consistency="cr")
    assert auto.consistency_measure == "gci" and cr.consistency_measure == "cr"
    assert cr.consistent == (cr.cr <= 0.1) and auto.consistent == (auto.gci <= 0.1)
    assert cr.weights == pytest.approx(auto.weights)
    assert err(n5, labels=None, consistency="x").code == "unknown_consistency"
    assert not cr.consistent and cr.cr > 0.1
    steps = [s.cr_after for s in cr.repair_plan]
    assert steps and all(b < a for a, b in zip([cr.cr] + steps, steps))   # each step lowers the CR
