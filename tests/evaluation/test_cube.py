"""The labelled score cube: defaults, shape checks, reordering, and what cannot be ranked."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.errors import TlrError
from tlr.evaluation.cube import ScoreCube
from tlr.numeric.errors import InvalidValueError, NoScoresError, ShapeError

NAN = np.nan


def cube(values, **kw):
    E, P, I = np.shape(values)
    return ScoreCube.of(values, experts=[f"e{k}" for k in range(E)], projects=[f"p{k}" for k in range(P)],
                        indicators=[f"i{k}" for k in range(I)], **kw)


def test_defaults_assigned_are_the_experts_who_scored():
    c = cube([[[1, NAN], [NAN, NAN]], [[NAN, NAN], [3, 4]]])
    assert c.assigned.tolist() == [[True, False], [False, True]]
    assert not c.recused.any() and c.applicable.all()
    assert c.active.tolist() == c.assigned.tolist()


def test_recused_experts_are_not_active():
    c = cube(np.ones((2, 2, 1)), recused=[[True, False], [False, False]])
    assert c.active.tolist() == [[False, True], [True, True]]


def test_labels_must_match_the_arrays():
    with pytest.raises(ShapeError, match="values") as err:
        ScoreCube.of(np.ones((2, 3, 1)), experts=["a", "b"], projects=["x", "y"], indicators=["i"])
    assert isinstance(err.value, ValueError) and isinstance(err.value, TlrError)
    with pytest.raises(ShapeError, match="applicable"):
        cube(np.ones((1, 2, 2)), applicable=np.ones((2, 3), bool))
    with pytest.raises(ShapeError, match="3-D"):
        ScoreCube.of(np.ones((2, 2)), experts=["a", "b"], projects=["x", "y"], indicators=[])


def test_in_order_moves_values_and_applicability_together():
    values = np.arange(12, dtype=float).reshape(1, 4, 3)
    applicable = np.array([[True, False, True]] * 4)
    c = cube(values, applicable=applicable).in_order(["i2", "i0", "i1"])
    assert c.indicators == ("i2", "i0", "i1")
    assert c.values[0, 1].tolist() == [5.0, 3.0, 4.0]
    assert c.applicable[0].tolist() == [True, True, False]
    with pytest.raises(TlrError, match="i9"):
        c.in_order(["i0", "i9"])


def test_nothing_to_rank_is_refused_clearly():
    with pytest.raises(TlrError, match="no projects"):
        cube(np.ones((2, 0, 1))).check_scores()
    with pytest.raises(InvalidValueError, match="infinite"):
        cube([[[1.0, np.inf]]]).check_scores()
    with pytest.raises(NoScoresError, match="no scores"):
        cube(np.full((2, 2, 2), NAN)).check_scores()
    cube([[[NAN, 2.0]]]).check_scores()  # one score is enough
