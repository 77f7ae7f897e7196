"""The pack tables for the funds' own systems: CSV and XLSX cells a spreadsheet will not evaluate."""

from __future__ import annotations

import csv
import io


def test_table_csv_neutralises_every_dangerous_start():
    from tlr.app.push import COLUMNS, table_csv

    row = {k: None for k, _zh, _en in COLUMNS}
    values = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "plain", 5.0]
    rows = [{**row, "name": v} for v in values]
    text = table_csv(rows, COLUMNS, "zh").decode("utf-8-sig")
    names = [r[2] for r in csv.reader(io.StringIO(text))][1:]
    assert names == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", "5.0"]


def test_xlsx_is_the_same_bytes_for_the_same_data():
    from tlr.app.push import COLUMNS, table_xlsx

    row = {k: None for k, _zh, _en in COLUMNS}
    rows = [{**row, "name": "=x", "rank": 1}]
    assert table_xlsx(rows, COLUMNS, "zh", {}, "t") == table_xlsx(rows, COLUMNS, "zh", {}, "t")


def test_matcher_results_become_pack_rows():
    """The shape of tlr.matching.match's result (by_achievement rows of candidates with a language-free why)."""
    from types import SimpleNamespace as NS

    from tlr.app.push import demand_matches
    from tlr.matching.items import Demand

    why = {"shared_terms": ["钢渣", "微粉"], "synonyms": [["冶金固废", "钢渣", "g1"]],
           "industry": {"demand": "steel", "achievement": "steel"},
           "readiness": {"trl": 6, "needed": 5}, "region": {"demand": "唐山市", "achievement": "衡水市"}}
    result = NS(by_achievement=(NS(id="P1", candidates=(NS(id="D1", score=0.8, why=why),)),
                                NS(id="P2", candidates=())))
    demands = [Demand(id="D1", name="钢渣综合利用", enterprise="某钢铁公司")]
    assert demand_matches(result, demands, "zh") == {"P1": [{
        "demand": "D1", "name": "钢渣综合利用", "enterprise": "某钢铁公司", "score": 0.8,
        "reasons": ["共同词：钢渣、微粉", "同义词：冶金固废≈钢渣", "同行业", "TRL 6（需求 ≥ 5）"]}]}
    en = demand_matches(result, demands, "en")["P1"][0]["reasons"]
    assert en == ["shared terms: 钢渣, 微粉", "synonyms: 冶金固废≈钢渣", "same industry", "TRL 6 (needs ≥ 5)"]
