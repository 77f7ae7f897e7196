"""The shipped examples: funds.yaml has pools (budgets) and portfolio.yaml names only projects of the 2026 round."""

from __future__ import annotations

import csv
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_example_pools_and_rules_load():
    from tlr.campaign.vocab import industry_id, industry_names
    from tlr.portfolio.spec import SpecVocabulary, load_spec
    from tlr.push.model import Vocabulary, load_funds

    funds = load_funds(EXAMPLES / "funds.yaml", Vocabulary(industry_id, industry_names(), ("A", "B", "C", "D"),
                                                           ("A", "B"), ("transfer", "land", "research")))
    assert set(funds.budgets) == {"province", "smart_manufacturing", "energy_materials"}
    assert funds.budgets["province"] == {2027: 1200.0, 2028: 800.0}
    with open(EXAMPLES / "round-2026" / "projects.csv", encoding="utf-8-sig") as handle:
        ids = tuple(row["项目编号"] for row in csv.DictReader(handle))
    spec = load_spec(EXAMPLES / "portfolio.yaml", SpecVocabulary(ids, industry_id, industry_names(),
                                                                 ("transfer", "land", "research")))
    doc = spec.doc
    assert doc.years == [2027, 2028] and doc.tranches.split == [0.6, 0.4]
    assert spec.quota_values["energy-materials-cap"] == ("new_energy", "new_materials")
    assert all(p.reason for p in doc.must_include + doc.must_exclude)
