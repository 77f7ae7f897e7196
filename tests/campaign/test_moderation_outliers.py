"""`tlr moderate` (list): outlying scores from the rater-effects model, the documented fallback, old ledgers."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tlr.campaign import open_campaign, record_score, verify_audit
from tlr.campaign.moderation import moderate
from tlr.campaign.outliers import find_outliers, loo_residuals

from .conftest import make_full_panel, run_cli
from .test_moderation import _panel


def test_loo_residuals_by_hand_with_a_zero_mad():
    y = np.array([[1, 2], [3, 2], [5, np.nan]], dtype=float)
    fitted, resid, z = loo_residuals(y)
    # project 0: 1, 3, 5 -> the others' means 4, 3, 2; project 1: 2, 2 -> 2, 2
    np.testing.assert_allclose(fitted, [[4, 2], [3, 2], [2, np.nan]])
    np.testing.assert_allclose(resid, [[-3, 0], [0, 0], [3, np.nan]])
    # residuals -3, 0, 3, 0, 0: median 0, MAD 0 -> 1.2533 x mean |r - 0| = 1.2533 x 6/5
    scale = 1.2533 * 1.2
    np.testing.assert_allclose(z, [[-3 / scale, 0], [0, 0], [3 / scale, np.nan]])


def test_loo_residuals_by_hand_with_the_mad():
    y = np.array([[1, 2], [3, 4], [5, np.nan], [np.nan, 7]], dtype=float)
    _fitted, resid, z = loo_residuals(y)
    # project 1: 2, 4, 7 (sum 13) -> others' means 5.5, 4.5, 3 -> residuals -3.5, -0.5, 4
    np.testing.assert_allclose(resid, [[-3, -3.5], [0, -0.5], [3, np.nan], [np.nan, 4]])
    # residuals sorted -3.5 -3 -0.5 0 3 4: median -0.25; |r + 0.25| = 2.75 .25 3.25 3.25 .25 4.25 -> median 3
    assert z[3, 1] == pytest.approx(4 / (1.4826 * 3))
    assert z[0, 0] == pytest.approx(-3 / (1.4826 * 3))


def test_a_single_score_and_identical_scores_stand_out_nowhere():
    fitted, resid, z = loo_residuals(np.array([[3.0, 2.0], [np.nan, 2.0]]))
    assert np.isnan(fitted[0, 0]) and np.isnan(z[0, 0]) and (z[:, 1] == 0).all()


@pytest.fixture
def full_panel(tmp_path, rubric):
    """4 experts x 6 projects, every expert every project; novelty exactly additive (project base + expert
    offset 0, +1, -1, 0) except one planted score: E03 gives P0002 a 1 where 4 fits."""
    led = make_full_panel(tmp_path / "full", rubric, 6, 4)
    base, offset = [2, 3, 4, 2, 3, 4], [0, 1, -1, 0]
    for e in range(4):
        for p in range(6):
            value = 1 if (e, p) == (3, 2) else base[p] + offset[e]
            record_score(led, f"E{e:02d}", f"P{p:04d}", "novelty", str(value), comment=f"c{e}{p}")
    yield led
    led.close()


def test_the_additive_model_finds_the_planted_score(full_panel):
    from tlr.panel.calibration import fit_additive

    report = find_outliers(full_panel, threshold=0.45)
    assert report.methods == {"novelty": "additive"} and report.refusals == {} and report.checked == 24
    top = report.rows[0]
    assert (top["project"], top["expert"], top["score"], top["comment"]) == ("P0002", "E03", 1.0, "c32")
    assert top["utility"] == 0.0 and top["residual"] < 0 and top["method"] == "additive"
    # the other experts are exactly additive: their scores fit far better, none is listed
    assert {r["expert"] for r in report.rows} == {"E03"}
    # E03's residuals sum to zero (its leniency is their mean): five equal ones of -1/5 the planted one
    others = [r["residual"] for r in report.rows[1:]]
    assert len(others) == 5 and np.allclose(others, -top["residual"] / 5)
    # sorted by |z|, and the z's are the model's on the likert utilities (x - 1) / 4
    assert [abs(r["z"]) for r in report.rows] == sorted((abs(r["z"]) for r in report.rows), reverse=True)
    values = np.array([[(v - 1) / 4 for v in row] for row in
                       ([2, 3, 4, 2, 3, 4], [3, 4, 5, 3, 4, 5], [1, 2, 3, 1, 2, 3], [2, 3, 1, 2, 3, 4])])
    assert top["z"] == pytest.approx(fit_additive(values).standardized[3, 2])
    assert [r["project"] for r in find_outliers(full_panel).rows] == ["P0002"]       # default |z| >= 2.5


def test_an_excluded_score_is_not_listed_again_and_an_override_is_marked(full_panel):
    moderate(full_panel, "override", "P0002", "E03", "novelty", value="2", reason="来函更正")
    rows = find_outliers(full_panel, threshold=0.1).rows
    top = next(r for r in rows if (r["project"], r["expert"]) == ("P0002", "E03"))
    assert top["score"] == 2.0 and top["moderation"] == "override"
    moderate(full_panel, "exclude", "P0002", "E03", "novelty", reason="偏离")
    report = find_outliers(full_panel, threshold=0.1)
    assert report.checked == 23 and all(r["project"] != "P0002" or r["expert"] != "E03" for r in report.rows)


def test_the_cli_says_in_one_line_when_the_model_falls_back(ledger, capsys):
    # the fixture round: every expert scores only two projects -> too few for the model
    pid, (a, b, c) = _panel(ledger)
    for e, v in zip((a, b, c), ("1", "5", "5")):
        record_score(ledger, e, pid, "novelty", v)
    code, out, err = run_cli(["moderate", "-C", ledger.path.parent, "--json", "--threshold", "1.5"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["methods"] == {"novelty": "loo_mad"} and "too few scores" in doc["refusals"]["novelty"]
    # utilities 0, 1, 1; the others' means 1, .5, .5; residuals -1, .5, .5: median .5, MAD 0 -> mean AD .5
    (row,) = [r for r in doc["outliers"] if r["expert"] == a]
    assert row["fitted"] == 1.0 and row["residual"] == -1.0 and row["z"] == pytest.approx(-1 / (1.2533 * 0.5))
    assert [r["expert"] for r in doc["outliers"]] == [a]         # |.5 / .627| < 1.5
    code, out, err = run_cli(["moderate", "list", "-C", ledger.path.parent, "--threshold", "1"], capsys)
    assert code == 0 and len(err.strip().splitlines()) == 1 and "loo_mad" in err and "too few scores" in err
    assert "loo_mad" in out and pid in out


@pytest.mark.parametrize("args", [["--threshold", "0"], ["--threshold", "nan"], ["--indicator", "nope"],
                                  ["--limit", "0"]])
def test_bad_list_options_exit_2(ledger, capsys, args):
    code, _out, err = run_cli(["moderate", "-C", ledger.path.parent, *args], capsys)
    assert code == 2 and err.strip()


def test_a_ledger_written_before_moderation_upgrades_and_verifies(tmp_path, monkeypatch, rubric):
    """A v4 campaign (no moderation tables) opens, migrates to v5, verifies, and can be moderated."""
    from tlr.campaign import schema

    from .support import new_round

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
        m.setattr(schema, "SCHEMA_VERSION", 4)
        m.setattr(schema, "TABLES", {k: v.without_added() for k, v in schema.TABLES.items()
                                     if k not in ("moderations", "rescore_rounds", "score_rounds")})
        led = new_round(tmp_path / "old", rubric)
        pid, (a, b, c) = _panel(led)
        for e, v in zip((a, b, c), ("2", "4", "5")):
            record_score(led, e, pid, "novelty", v)
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == 4
        path = led.path
        led.close()
    with open_campaign(path) as led:
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION >= 5
        assert verify_audit(led).ok
        moderate(led, "exclude", pid, a, "novelty", reason="r")
        from tlr.campaign.rounds import open_rescore

        open_rescore(led, [pid])
        report = verify_audit(led)
        assert report.ok, report.problems


@pytest.mark.slow
def test_the_demo_round_is_moderated_with_the_model(demo, tmp_path, capsys):
    shutil.copytree(demo / "round-2026", tmp_path / "round", ignore=shutil.ignore_patterns("*.pdf", "*.html"))
    campaign = tmp_path / "round"
    code, out, _ = run_cli(["moderate", "-C", campaign, "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert "additive" in doc["methods"].values() and doc["checked"] > 1000
    zs = [abs(r["z"]) for r in doc["outliers"]]
    assert zs == sorted(zs, reverse=True) and all(z >= 2.5 for z in zs)
    top = doc["outliers"][0]
    code, _, _ = run_cli(["moderate", "-C", campaign, "exclude", top["project"], top["expert"], top["indicator"],
                          "--reason", "演示 / demo"], capsys)
    assert code == 0
    code, out, _ = run_cli(["audit", "verify", "-C", campaign], capsys)
    assert code == 0
    code, out, _ = run_cli(["rank", campaign, "--json", "--draws", "50"], capsys)
    assert code == 0 and json.loads(out)["method"]["moderation"]["moderated"] == 1
