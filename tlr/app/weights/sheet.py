"""An expert's pairwise-comparison sheet (XLSX) for answering on paper or in Excel; read back with
``tlr weights answer --from``.

专家两两比较判断表（XLSX），填好后用 ``tlr weights answer --from`` 录入。

One row per pair: node, A, B (ids, read back), their labels, the current answer if any, and an empty
``value`` column with a list of the verbal scale (any number or fraction 1/9 … 9 is also accepted); the
``expert`` column names the expert, so a sheet cannot be recorded for someone else. A second sheet
explains the scale.
"""

from __future__ import annotations

import io
from typing import Any

from tlr.weighting.survey import VERBAL, fmt

HEADERS = ["expert", "node", "a", "b", "A 名称 / label", "B 名称 / label", "value"]


def sheet_bytes(expert: dict, nodes: list, rubric: Any, current: dict[tuple[str, str, str], float]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from tlr.text import both

    def label(node_id: str) -> str:
        if node_id == "root":
            return "顶层维度 / top level"
        try:
            return both(rubric.node(node_id).label)
        except KeyError:
            return node_id

    wb = Workbook()
    ws = wb.active
    ws.title = "判断 judgements"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    choices = ["同等重要"] + [f"{side} {VERBAL[k][0]}" for side in ("a", "b") for k in (3, 5, 7, 9)]
    for node in nodes:
        for a, b in node.pairs():
            value = current.get((node.node, a, b))
            ws.append([expert["id"], node.node, a, b, label(a), label(b), fmt(value) if value is not None else None])
    last = ws.max_row
    fill = PatternFill("solid", fgColor="FFF2CC")
    for row in range(2, last + 1):
        ws.cell(row=row, column=7).fill = fill
        ws.cell(row=row, column=7).number_format = "@"
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True, showErrorMessage=False)
    dv.add(f"G2:G{max(last, 2)}")
    ws.add_data_validation(dv)
    for col, width in zip("ABCDEFG", (8, 18, 18, 18, 30, 30, 16)):
        ws.column_dimensions[col].width = width
    help_ws = wb.create_sheet("标度 scale")
    help_ws.append(["value", "含义", "meaning"])
    for k, (zh, en) in VERBAL.items():
        help_ws.append([str(k), f"A {zh}", f"A is {en} than B" if k > 1 else "equally important"])
    help_ws.append(["1/k", "B 比 A 重要（倒数）", "B over A (the reciprocal)"])
    help_ws.append(["a 明显重要 / b3", "也可写方向与程度", "or the side and the intensity"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
