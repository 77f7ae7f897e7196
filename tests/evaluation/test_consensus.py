"""Stage 1: consensus per (project, indicator), worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tlr.evaluation.consensus import consensus_of, majority
from tlr.evaluation.options import EvaluationOptions

from .rubrics import make_rubric

NAN = np.nan
OPTS = EvaluationOptions()


def scores(rows):
    """rows[e][p] = (novelty, trl, demand, ip)."""
    return np.array(rows, dtype=float)


def test_levels_take_the_lower_median_never_the_mean():
    # TRL 3, 4, 5, 9: mean 5.25, median 4.5, lower median 4; two experts 6, 7: lower median 6
    s = scores([[[3, 3, 3, 1], [3, 6, 3, 1]], [[3, 4, 3, 1], [3, 7, 3, 1]],
                [[3, 5, 3, 1], [NAN] * 4], [[3, 9, 3, 1], [NAN] * 4]])
    c = consensus_of(make_rubric(), s, OPTS)
    assert c.values[:, 1].tolist() == [4.0, 6.0]
    assert c.used["trl"] == "median_low" and c.used["ip"] == "majority" and c.used["novelty"] == "mean"


def test_majority_with_a_tie_is_unknown():
    sub = np.array([[[1, 1, 0, NAN]], [[0, 1, 0, NAN]], [[1, 0, 1, NAN]], [[0, NAN, 0, NAN]]])
    # column 0: 2 yes 2 no -> tie; 1: 2 yes of 3 -> yes; 2: 1 yes of 4 -> no; 3: nobody -> unknown
    out = majority(sub)
    assert np.isnan(out[0, 0]) and out[0, 1] == 1.0 and out[0, 2] == 0.0 and np.isnan(out[0, 3])


def test_mean_experts_behind_and_spread():
    s = scores([[[5, 6, 2, 1]], [[4, 7, 4, 1]], [[3, NAN, NAN, 1]]])
    c = consensus_of(make_rubric(), s, OPTS)
    assert c.values[0, 0] == pytest.approx(4.0) and c.values[0, 2] == pytest.approx(3.0)
    assert c.n_experts[0].tolist() == [3, 2, 2, 3]
    assert c.spread[0, 0] == pytest.approx(1.0)          # sd of 5, 4, 3 (ddof 1)
    assert c.spread[0, 2] == pytest.approx(np.sqrt(2))   # sd of 2, 4


def test_one_score_has_no_spread():
    c = consensus_of(make_rubric(), scores([[[5, 6, 2, 1]]]), OPTS)
    assert np.isnan(c.spread).all()


def test_trimmed_mean_falls_back_to_the_median_and_says_so():
    rubric = make_rubric(panel={"consensus": "trimmed_mean", "trim": 1, "min_after_trim": 3})
    four = scores([[[4, 6, 4, 1]], [[2, 6, 3, 1]], [[5, 6, 5, 1]], [[5, 6, 2, 1]]])  # 2 would remain
    c = consensus_of(rubric, four, OPTS)
    assert c.values[0, 0] == 4.5 and c.values[0, 2] == 3.5          # medians of (2, 4, 5, 5), (2, 3, 4, 5)
    assert c.trim_fallback[0].tolist() == [True, False, True, False]  # levels and yes/no never trim
    assert [(n.code, n.params) for n in c.notes] == [("note_trim_fallback", {"cells": 2, "min_after_trim": 3})]
    five = np.concatenate([four, scores([[[1, 6, 1, 1]]])])          # 3 remain: (2, 4, 5) -> 11/3
    c5 = consensus_of(rubric, five, OPTS)
    assert c5.values[0, 0] == pytest.approx(11 / 3) and not c5.notes


def test_weighted_mean_uses_the_expert_weights():
    rubric = make_rubric(panel={"consensus": "weighted_mean"})
    c = consensus_of(rubric, scores([[[2, 6, 2, 1]], [[4, 6, 4, 1]]]), OPTS, np.array([3.0, 1.0]))
    assert c.values[0, 0] == pytest.approx((3 * 2 + 4) / 4)
    assert c.used["novelty"] == "weighted"


def test_options_override_the_rubric_rule():
    s = scores([[[1, 6, 1, 1]], [[2, 6, 2, 1]], [[5, 6, 5, 1]]])
    c = consensus_of(make_rubric(), s, EvaluationOptions(consensus="median"))
    assert c.values[0, 0] == 2.0 and c.rule.rule == "median" and c.used["demand"] == "median"
