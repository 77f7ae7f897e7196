"""A plain numeric table for ``tlr stats``: subjects in rows, raters (or criteria) in columns.

The file is CSV, XLSX or JSON records, read by :func:`tlr.campaign.tables.read_table` (so it gets the same
encodings, size caps and refusals as every import). The header row names the columns; the first column
holds the subject ids (its header may be empty); every other cell is a number or empty (missing).
Every problem is reported with its row and column, all at once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tlr.errors import Diagnostic, InputFileError, Location, ValidationError

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MAX_COLUMNS = 1_000


@dataclass(frozen=True)
class SubjectTable:
    """Attributes:
        file: the file as named by the user.
        sha256: SHA-256 of the file's bytes.
        subjects: the ids in the first column, in file order.
        columns: the headers of the other columns.
        values: float array (subjects x columns); NaN = empty cell.
        rows: the row number of each subject as the user sees it (header = row 1).
    """

    file: str
    sha256: str
    subjects: tuple[str, ...]
    columns: tuple[str, ...]
    values: np.ndarray
    rows: tuple[int, ...]

    def column_index(self, name: str, *, option: str) -> int:
        """Index of the column *name*; a one-line error naming the option and the columns otherwise."""
        try:
            return self.columns.index(name)
        except ValueError:
            raise InputFileError(
                f"{option} 中的列 {name!r} 不在表中 / column {name!r} of {option} is not in the table",
                location=Location(file=self.file),
                hint="表中的列 / the columns are: " + ", ".join(self.columns), code="unknown_column") from None

    def complete_rows(self) -> np.ndarray:
        """Boolean mask of the subjects with every column filled."""
        return ~np.isnan(self.values).any(axis=1)


def parse_number(text: str) -> float | None:
    """A finite decimal number, or None (full-width digits are accepted; ``nan``, ``inf``, ``1_0`` are not)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not _NUMBER.fullmatch(s):
        return None
    value = float(s)
    return value if np.isfinite(value) else None


def read_subject_table(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
                       min_columns: int = 1) -> SubjectTable:
    """Read a subjects x columns table of numbers; see the module docs for the layout."""
    from tlr.campaign.tables import read_table

    table = read_table(path, sheet=sheet, encoding=encoding)
    file = table.file
    if len(table.headers) < 1 + min_columns:
        raise InputFileError(
            f"表格至少需要 1 列编号和 {min_columns} 列数据 / the table needs an id column and at least "
            f"{min_columns} data column(s); found {len(table.headers)} column(s)",
            location=Location(file=file, row=1),
            hint="第一行为表头，第一列为对象编号 / row 1 holds the headers, column A the subject ids",
            code="too_few_columns")
    if len(table.headers) - 1 > MAX_COLUMNS:
        raise InputFileError(f"列数过多 / too many columns: {len(table.headers) - 1} > {MAX_COLUMNS}",
                             location=Location(file=file, row=1), code="too_many_columns")
    id_header, columns = table.headers[0], table.headers[1:]
    problems: list[Diagnostic] = []
    for j, header in enumerate(columns):
        if not header.strip():
            problems.append(Diagnostic("error", "列没有名称 / a data column has no header",
                                       location=Location(file=file, row=1, field=_letter(j + 2)),
                                       hint="在第一行填写列名 / write the column's name in row 1",
                                       code="empty_header"))
    subjects: list[str] = []
    rows: list[int] = []
    values: list[list[float]] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        subject = cells.get(id_header, "").strip()
        if not subject:
            problems.append(Diagnostic("error", "缺少编号 / the subject id is empty",
                                       location=table.where(number, id_header),
                                       hint="第一列填写对象编号 / put the subject's id in the first column",
                                       code="missing_id"))
        elif subject in seen:
            problems.append(Diagnostic("error", f"编号重复 / duplicate id {subject!r} (first in row {seen[subject]})",
                                       location=table.where(number, id_header),
                                       hint="每个对象一行 / one row per subject", code="duplicate_id"))
        else:
            seen[subject] = number
        row: list[float] = []
        for header in columns:
            text = cells.get(header, "")
            if not text.strip():
                row.append(np.nan)
                continue
            value = parse_number(text)
            if value is None:
                problems.append(Diagnostic("error", f"不是有限数值 / not a finite number: {text.strip()[:40]!r}",
                                           location=table.where(number, header),
                                           hint="填写数字，或留空表示缺失 / write a number, or leave the cell "
                                                "empty for a missing value", code="not_a_number"))
                value = np.nan
            row.append(value)
        subjects.append(subject)
        rows.append(number)
        values.append(row)
    if not values and not problems:
        problems.append(Diagnostic("error", "表中没有数据行 / the table has no data rows",
                                   location=Location(file=file),
                                   hint="表头下每行一个对象 / one subject per row below the header",
                                   code="no_rows"))
    if problems:
        raise ValidationError(problems)
    sha = table.sha256 or hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return SubjectTable(file=file, sha256=sha, subjects=tuple(subjects), columns=tuple(columns),
                        values=np.array(values, dtype=float).reshape(len(values), len(columns)),
                        rows=tuple(rows))


def _letter(index: int) -> str:
    from tlr.campaign.tables import column_letter

    return column_letter(index)


__all__ = ["SubjectTable", "parse_number", "read_subject_table"]
