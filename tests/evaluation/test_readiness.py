"""Stage 2: readiness — the assessment beats the panel, asserted levels are marked."""

from __future__ import annotations

import numpy as np

from tlr.evaluation.readiness import readiness_of

NAN = np.nan
PANEL = np.array([[3.0, 7.0], [4.0, NAN], [5.0, 6.0], [2.0, NAN]])  # column 1: the panel's TRL


def test_assessment_beats_panel_and_asserted_is_marked():
    r = readiness_of(1, PANEL, ["a", "b", "c", "d"], {"a": 4, "b": 5, "zz": 9}, asserted=["b"])
    assert r.level.tolist()[:3] == [4.0, 5.0, 6.0] and np.isnan(r.level[3])
    assert r.source == ("assessment", "asserted", "panel", "none")


def test_without_a_readiness_indicator_only_assessments_count():
    r = readiness_of(None, PANEL, ["a", "b", "c", "d"], {"c": 8})
    assert np.isnan(r.level[[0, 1, 3]]).all() and r.level[2] == 8
    assert r.source == ("none", "none", "assessment", "none")


def test_the_level_stands_for_the_readiness_indicator_in_a_copy():
    r = readiness_of(1, PANEL, ["a", "b", "c", "d"], {"d": 3})
    merged = r.in_consensus(PANEL)
    assert merged[3, 1] == 3.0 and np.isnan(PANEL[3, 1])          # the panel's array is untouched
    assert merged[:, 0].tolist() == PANEL[:, 0].tolist()
    assert readiness_of(None, PANEL, list("abcd")).in_consensus(PANEL) is not PANEL
