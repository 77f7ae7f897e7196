"""Letters on the bundled demo round (58 projects, TRL assessments): the same figures as the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_letters_match_the_report(demo, tmp_path):
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.feedback import build_letters, render_letters
    from tlr.app.report_data import build_report_data
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions

    ledger = open_campaign(demo / "round-2026")
    try:
        audit = check_audit(ledger)
        ev = evaluate_campaign(ledger, EvaluationOptions(draws=200, seed=3))
        report = {p.id: p for p in build_report_data(ledger, ev, lang="zh", audit=audit).projects}
        letters = build_letters(ledger, ev, lang="zh", audit=audit)
        assert len(letters) == len(report) == 58
        for letter in letters:
            d, p = letter.data, report[letter.project]
            assert (d["composite"], d["tier"], d["rank"], d["readiness"]["level"], d["readiness"]["source"]) == (
                p.composite, p.tier, p.rank, p.readiness_level, p.readiness_source)
            assert d["knocked_out"] == p.knocked_out
            assert [k["gate"] for k in d["knockouts"]] == [k.gate_id for k in p.knockouts if k.effect == "knockout"]
        assessed = [x for x in letters if x.data["readiness"]["source"] == "assessment"]
        assert assessed, "the demo records evidence-based TRL assessments"
        written = render_letters(assessed[:1], tmp_path, formats=("html",), lang="zh")
        text = Path(written[0]["files"][0]["path"]).read_text(encoding="utf-8")
        level = assessed[0].data["readiness"]["level"]
        assert re.search(rf"TRL {level}\*", text)
    finally:
        ledger.close()
