"""The back-test end to end on a small evaluated round: in the campaign (no library) and in the library."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tlr.outcomes.backtest import spearman

from ..evaluate.rounds import build_round
from .conftest import run


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory):
    return build_round(tmp_path_factory.mktemp("fu"), projects=10, experts=4, per_project=3)


def _outcomes(tmp_path, ids):
    """Investment rising with the project number, except two swapped; TRL events for half of them."""
    invest = {pid: 100 * (k + 1) for k, pid in enumerate(ids)}
    invest[ids[0]], invest[ids[1]] = invest[ids[1]], invest[ids[0]]
    lines = ["成果编号,日期,类型,金额,对方单位,说明"]
    lines += [f"{pid},2027-0{1 + k % 9}-10,后续投资,{invest[pid]},基金{k},\"\"" for k, pid in enumerate(ids)]
    path = tmp_path / "outcomes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, invest


def test_backtest_in_the_campaign_matches_a_hand_computed_spearman(round_dir, tmp_path, capsys):
    from tlr.app.followup import open_target, run_backtest

    with open_target(None, str(round_dir)) as target:
        ids = sorted(target.known)
    path, invest = _outcomes(tmp_path, ids)
    code, out, err = run(["follow-up", "import", path, "-C", round_dir, "--as-of", "2027-12-31", "--json"], capsys)
    assert code == 0, err
    code, out, err = run(["follow-up", "backtest", "-C", round_dir, "--json", "--draws", "300", "--since",
                          "2027-01-01"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["store"] == "campaign" and data["followed"] == 10
    comp = {a["id"]: a["composite"] for a in data["achievements"]}
    rho = next(c for c in data["correlations"] if c["score"] == "composite" and c["outcome"] == "investment")
    assert rho["n"] == 10 and rho["status"] == "small"
    assert rho["rho"] == pytest.approx(float(spearman([comp[i] for i in ids], [invest[i] for i in ids])))
    assert rho["ci"][0] <= rho["rho"] <= rho["ci"][1]
    # every other measure is 0 for all: nothing to rank
    assert next(c for c in data["correlations"] if c["outcome"] == "revenue")["status"] == "constant"
    with open_target(None, str(round_dir)) as target:
        again = run_backtest(target, since="2027-01-01", draws=300)
    from tlr.cli.kit import json_text

    assert json.loads(json_text(again))["correlations"] == data["correlations"]     # seeded: the same figures


def test_backtest_in_the_library_uses_the_recorded_dimensions(round_dir, tmp_path, capsys):
    from tlr.app.library_round import add_campaign_round
    from tlr.campaign import open_campaign
    from tlr.library.store import open_library

    with open_library(tmp_path / "lib.sqlite", create=True) as lib, open_campaign(round_dir) as led:
        add_campaign_round(lib, led, year=2026)
        rows = lib.rows("achievement_rounds")
        ids = sorted(r["achievement_id"] for r in rows)
        assert all(r["dimensions"] for r in rows)                    # v2 keeps the round's dimension scores
    path, _ = _outcomes(tmp_path, ids)
    assert run(["follow-up", "import", path, "--library", tmp_path / "lib.sqlite", "--as-of", "2027-12-31"],
               capsys)[0] == 0
    code, out, err = run(["follow-up", "backtest", "--library", tmp_path / "lib.sqlite", "--json", "--draws", "300"],
                         capsys)
    data = json.loads(out)
    assert code == 0 and data["window"]["since"] == "2027-01-01" and data["followed"] == 10
    dims = [s["id"] for s in data["scores"][1:]]
    assert dims and all(isinstance(s["label"], dict) for s in data["scores"])
    assert {c["score"] for c in data["correlations"]} == {"composite", *dims}
    assert np.isfinite([c["rho"] for c in data["correlations"] if c["outcome"] == "investment"
                        and c["status"] != "constant"]).all()


def test_the_report_shows_the_section_only_when_outcomes_exist(round_dir, tmp_path):
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.report_data import build_report_data
    from tlr.app.report_followup import followup_section, section_from
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.library.followup import Target, import_followup
    from tlr.report.render import render_report

    from tlr.campaign import init_campaign
    from tlr.rubric import load_rubric

    from ..evaluate.rounds import FUND_RUBRIC

    with init_campaign(tmp_path / "none", load_rubric(FUND_RUBRIC)) as fresh:
        assert followup_section(fresh) is None                               # no outcome: no section
    with open_campaign(round_dir) as led:
        ids = sorted(p["id"] for p in led.projects())
        path, _ = _outcomes(tmp_path, ids)
        import_followup(Target.campaign(led), path, as_of="2027-12-31")      # idempotent if already there
        ev = evaluate_campaign(led, EvaluationOptions(draws=20, bootstrap_draws=0))
        data = build_report_data(led, ev, lang="en")
    fu = data.followup
    assert fu is not None and fu.followed == 10 and fu.totals["investment"] == sum(100 * (k + 1) for k in range(10))
    assert len(fu.correlations) == (1 + len(data.dimensions)) * 4
    (html,) = render_report(data, tmp_path / "r", formats=("html",), lang="en", top=0)
    text = html.read_text(encoding="utf-8")
    assert 'id="followup"' in text and "Follow-up and back-test" in text
    assert f"{fu.totals['investment']:.0f}" in text
    assert section_from({"followed": 0}) is None
