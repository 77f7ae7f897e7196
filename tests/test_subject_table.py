"""The plain numeric table read by ``tlr stats``: layout, missing cells, and located refusals."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tlr.app.subject_table import parse_number, read_subject_table
from tlr.errors import InputFileError, ValidationError


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_missing_cells(tmp_path):
    path = _write(tmp_path, "r.csv", "对象,甲,乙,丙\nS1,9,2,5\nS2,6,1,3\nS3,8,,6\n")
    t = read_subject_table(path)
    assert t.subjects == ("S1", "S2", "S3") and t.columns == ("甲", "乙", "丙")
    assert t.rows == (2, 3, 4)
    np.testing.assert_array_equal(t.values[:2], [[9, 2, 5], [6, 1, 3]])
    assert np.isnan(t.values[2, 1]) and t.values[2, 2] == 6
    assert t.complete_rows().tolist() == [True, True, False]
    assert t.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_gbk_csv_and_empty_id_header(tmp_path):
    path = _write(tmp_path, "g.csv", ",专家一,专家二\n项目一,1.5,2\n", encoding="gbk")
    t = read_subject_table(path)
    assert t.subjects == ("项目一",) and t.columns == ("专家一", "专家二")
    np.testing.assert_array_equal(t.values, [[1.5, 2.0]])


def test_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "A", "B"])
    ws.append(["S1", 3, 4.5])
    ws.append(["S2", None, 1])
    wb.save(tmp_path / "t.xlsx")
    t = read_subject_table(tmp_path / "t.xlsx")
    assert t.subjects == ("S1", "S2")
    assert t.values[0].tolist() == [3.0, 4.5] and np.isnan(t.values[1, 0])


def test_every_bad_cell_is_reported_with_row_and_column(tmp_path):
    path = _write(tmp_path, "bad.csv", "id,r1,r2\nS1,9,x\nS1,nan,2\n,1,2\n")
    with pytest.raises(ValidationError) as info:
        read_subject_table(path)
    lines = [d.format() for d in info.value.diagnostics]
    assert len(lines) == 4
    assert lines[0].startswith(f"{path}: row 2: C (r2): error:") and "'x'" in lines[0]
    assert "row 3: A (id)" in lines[1] and "duplicate id 'S1' (first in row 2)" in lines[1]
    assert "row 3: B (r1)" in lines[2] and "'nan'" in lines[2]
    assert "row 4: A (id)" in lines[3]


@pytest.mark.parametrize("text, expected", [("85", 85.0), (" -1.5e2 ", -150.0), ("１２", 12.0), (".5", 0.5),
                                            ("1_0", None), ("inf", None), ("1e400", None), ("", None),
                                            ("0x10", None), ("1,5", None)])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_too_few_columns_and_no_rows(tmp_path):
    with pytest.raises(InputFileError, match="at least 1 data column"):
        read_subject_table(_write(tmp_path, "one.csv", "id\nS1\n"))
    with pytest.raises(ValidationError, match="no data rows"):
        read_subject_table(_write(tmp_path, "empty.csv", "id,a,b\n"))


def test_unknown_column_names_the_option_and_the_columns(tmp_path):
    t = read_subject_table(_write(tmp_path, "r.csv", "id,cost,quality\nS1,1,2\n"))
    assert t.column_index("quality", option="--cost") == 1
    with pytest.raises(InputFileError) as info:
        t.column_index("price", option="--cost")
    assert "'price'" in info.value.format() and "cost, quality" in info.value.format()
