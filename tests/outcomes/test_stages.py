"""Stage episodes with censoring and the Beta posterior of each stage's success probability, by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tlr.outcomes.stages import (episodes, posterior, prior, prior_summary, triangular_cdf, update_stages,
                                 years_between)
from tlr.outcomes.timeline import summary, trl_path

FIXTURE = Path(__file__).with_name("stage_defaults.yaml")
PILOT = {"id": "pilot", "from_trl": 4, "to_trl": 6, "p_success": 0.5, "years": [1, 2, 4], "confidence": "medium"}
START, AS_OF = "2027-01-01", "2027-12-31"


def trl(day, level):
    return {"date": day, "kind": "trl", "trl": level}


def test_prior_from_the_confidence_mark():
    assert prior(PILOT) == (5.0, 5.0)
    assert prior({**PILOT, "p_success": 0.6, "confidence": "high"}) == pytest.approx((18.0, 12.0))
    assert prior({**PILOT, "p_success": 0.25, "confidence": "low"}) == pytest.approx((1.0, 3.0))


def test_posterior_without_censoring_is_the_conjugate_beta():
    scipy_stats = pytest.importorskip("scipy.stats")
    # Beta(5, 5) prior, 3 successes, 1 failure: Beta(8, 6), mean 8/14
    post = posterior(5, 5, 3, (), failures=1)
    assert post["mean"] == pytest.approx(8 / 14, abs=1e-9)
    lo, hi = scipy_stats.beta.ppf([0.05, 0.95], 8, 6)
    assert post["low"] == pytest.approx(lo, abs=1e-5) and post["high"] == pytest.approx(hi, abs=1e-5)
    assert prior_summary(5, 5)["mean"] == 0.5


def test_a_censored_achievement_counts_by_how_long_it_has_waited():
    assert posterior(5, 5, 3, [1.0])["mean"] == pytest.approx(8 / 14, abs=1e-6)     # F = 1: a failure
    assert posterior(5, 5, 3, [0.0])["mean"] == pytest.approx(8 / 13, abs=1e-9)     # F = 0: no information
    # by hand: p ~ Beta(A=2, B=2) times (1 - 0.5 p): mean = (E p - F E p^2) / (1 - F E p)
    # E p = 1/2, E p^2 = 2*3/(4*5) = 0.3  ->  (0.5 - 0.15) / (1 - 0.25) = 0.35 / 0.75
    assert posterior(1, 2, 1, [0.5])["mean"] == pytest.approx(0.35 / 0.75, abs=1e-7)


def test_triangular_cdf_by_hand():
    t = triangular_cdf(np.array([0.5, 1.5, 2, 3, 5]), 1, 2, 4)
    assert t == pytest.approx([0, 0.25 / 3, 1 / 3, 1 - 1 / 6, 1])


def test_episodes_by_hand():
    assert episodes(PILOT, START, AS_OF, 5, [trl("2027-07-02", 6)]) == {
        "entered": START, "completed": "2027-07-02", "years": 182 / 365.25, "censored": False}
    assert episodes(PILOT, START, AS_OF, 5, []) == {"entered": START, "completed": None, "years": 364 / 365.25,
                                                    "censored": True}
    late = episodes(PILOT, START, AS_OF, 3, [trl("2027-04-01", 4)])
    assert late["entered"] == "2027-04-01" and late["censored"] and late["years"] == years_between("2027-04-01", AS_OF)
    jump = episodes(PILOT, START, AS_OF, 3, [trl("2027-05-01", 7)])
    assert jump == {"entered": "2027-05-01", "completed": "2027-05-01", "years": 0.0, "censored": False}
    assert episodes(PILOT, START, AS_OF, 6, [trl("2027-05-01", 7)]) is None          # past the stage at start
    assert episodes(PILOT, START, AS_OF, 2, []) is None                               # never entered
    after = episodes(PILOT, START, AS_OF, 5, [trl("2028-02-01", 6)])                 # after as-of: not seen
    assert after["censored"]
    back = episodes(PILOT, START, AS_OF, 5, [trl("2027-03-01", 4), trl("2027-09-01", 6)])   # a lower report
    assert back["completed"] == "2027-09-01" and back["entered"] == START


def test_update_stages_counts_and_posterior():
    achs = [{"id": "a", "start": START, "baseline": 5, "trl_events": [trl("2027-07-02", 6)]},
            {"id": "b", "start": START, "baseline": 4, "trl_events": []},
            {"id": "c", "start": START, "baseline": 8, "trl_events": []}]
    (row,) = update_stages([PILOT], achs, as_of=AS_OF)
    assert (row["entered"], row["completed"], row["censored"]) == (2, 1, 1)
    f = float(triangular_cdf(364 / 365.25, 1, 2, 4))          # b has waited just under a year: F = 0
    assert f == 0.0 and row["effective_failures"] == 0.0
    assert row["posterior"]["mean"] == pytest.approx(6 / 11, abs=1e-9)
    assert row["prior"]["mean"] == 0.5 and row["naive_rate"] == 0.5


def test_the_fixture_has_the_contract_shape():
    from tlr.app.followup import load_stages

    stages, source = load_stages(FIXTURE)
    assert [s["id"] for s in stages] == ["proof", "pilot", "demonstration", "industrialisation"]
    assert source["path"] == str(FIXTURE) and len(source["sha256"]) == 64


def test_timeline_keeps_the_highest_level_and_sums_money():
    events = [trl("2027-03-01", 6), trl("2027-06-01", 5),
              {"date": "2027-05-01", "kind": "investment", "amount": 300.0},
              {"date": "2027-08-01", "kind": "investment", "amount": 200.5},
              {"date": "2027-12-31", "kind": "revenue", "amount": 80.0},
              {"date": "2027-01-05", "kind": "milestone", "note": "x"}]
    path = trl_path(5, events)
    assert [p["reached"] for p in path] == [6, 6] and [p["regression"] for p in path] == [False, True]
    s = summary(5, events)
    assert s["trl_gain"] == 1 and s["totals"] == {"investment": 500.5, "contract": 0.0, "revenue": 80.0}
    assert s["first"] == "2027-01-05" and s["last"] == "2027-12-31" and s["counts"]["milestone"] == 1
