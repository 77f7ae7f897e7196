"""The report's valuation chapter: the same numbers as `tlr value --json`, shown only when inputs exist."""

from __future__ import annotations

import json

import pytest

from tlr.cli import main

from .conftest import PROJECTS, build


def _report_data(round_dir, draws, seed):
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.report_data import build_report_data
    from tlr.app.report_valuation import campaign_valuation
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions

    with open_campaign(round_dir) as ledger:
        audit = check_audit(ledger)
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=50, seed=seed, bootstrap_draws=0))
        val = campaign_valuation(ledger, ev, draws=draws, seed=seed, audit=audit)
        return build_report_data(ledger, ev, audit=audit, valuation=val)


def test_report_shows_the_numbers_of_tlr_value(round_dir, tmp_path, capsys):
    data = _report_data(round_dir, 700, 4)
    assert main(["value", str(round_dir), "--draws", "700", "--seed", "4", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    shown = {p["id"]: p for p in data.valuation["projects"]}
    for p in doc["projects"]:   # equal to the 12 significant digits of tlr's JSON writer
        for key in ("rnpv", "income", "outcome"):
            assert (shown[p["id"]][key] is None) == (p[key] is None)
            for k, x in (p[key] or {}).items():
                assert shown[p["id"]][key][k] == pytest.approx(x, rel=1e-11, abs=1e-9)
        assert shown[p["id"]]["cost_floor"] == p["cost_floor"]
    from tlr.report.render import render_report

    render_report(data, tmp_path / "r", formats=("html",), top=2)
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert 'id="valuation"' in html and "rNPV" in html
    p1 = shown["P1"]["rnpv"]
    assert f"{p1['mean']:.0f}" in html     # the table's mean, as `tlr value` prints it (rounded to 万元)


def test_no_valuation_inputs_no_chapter(tmp_path):
    plain = "\n".join(",".join(line.split(",")[:5]) for line in PROJECTS.splitlines()) + "\n"
    round_dir = build(tmp_path / "c", projects=plain)
    data = _report_data(round_dir, 100, 1)
    assert data.valuation is None
    from tlr.report.render import render_report

    render_report(data, tmp_path / "r", formats=("html",), top=0)
    assert 'id="valuation"' not in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_prose_in_a_valuation_column_leaves_the_chapter_out(tmp_path):
    round_dir = build(tmp_path / "c", projects=PROJECTS.replace("10000,5%", "约一亿元,5%"))
    data = _report_data(round_dir, 100, 1)
    assert data.valuation is None


def test_tornado_svg_geometry():
    """Each bar runs from the base to the value at the input's end: its pixel extent is the swing on the axis."""
    import re

    from tlr.report.charts import nice_ticks, tornado

    assert nice_ticks(-2500, 700) == [-2500, -2000, -1500, -1000, -500, 0, 500]
    assert nice_ticks(0.13, 0.91) == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert nice_ticks(0.13, 0.91, most=4) == [0.2, 0.4, 0.6, 0.8]
    svg = tornado([("市场份额 <b>", -900.0, 2100.0), ("年限", 300.0, 500.0)], 400.0, title="t", xlabel="rNPV",
                  uid="u", legend=("low", "high"))
    assert "&lt;b&gt;" in svg and "<b>" not in svg          # labels escaped
    rects = [tuple(float(v) for v in m) for m in
             re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="14"', svg)]
    assert len(rects) == 4                                   # two bars per input (the legend's swatches are 8 high)
    (lx, _, lw), (hx, _, hw) = (r[:3] for r in rects[:2])
    base_x = float(re.search(r'<line x1="([\d.]+)" y1="4"', svg).group(1))
    assert lx + lw == pytest.approx(base_x, abs=0.15) and hx == pytest.approx(base_x, abs=0.15)
    assert lw / hw == pytest.approx(1300 / 1700, rel=0.01)   # low end 400 → -900, high end 400 → 2100
    assert rects[2][2] / rects[3][2] == pytest.approx(100 / 100, rel=0.02)
