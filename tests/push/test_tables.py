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
