"""Read pairwise matrices from CSV or YAML files.

读取 CSV / YAML 格式的判断矩阵。

CSV: labels in the header row and in the first column (separated by commas; semicolons, tabs or
full-width commas are detected from the header line); cells are numbers or fractions such as ``1/3``; an empty cell, ``NA``, ``-`` or ``?`` is a missing judgement. UTF-8 (with or without BOM) is
expected; GB18030 (Excel on Chinese Windows) is accepted as a fallback.

YAML: either a full matrix ::

    labels: [技术成熟度, 市场前景, 团队]
    matrix:
      - [1, 3, 5]
      - [1/3, 1, 2]
      - [1/5, 1/2, 1]

or the upper-triangle judgements by label (the rest is implied by reciprocity) ::

    labels: [A, B, C]
    judgements:
      A: {B: 3, C: 5}
      B: {C: 2}

Triangular fuzzy judgements (for fuzzy AHP) are a YAML file with ``tfn:`` instead: every pair of items
once, as ``[l, m, u]`` with 0 < l <= m <= u (numbers or fractions); the reverse judgement is
(1/u, 1/m, 1/l) and the diagonal (1, 1, 1) ::

    labels: [A, B, C]
    tfn:
      A: {B: [2, 3, 4], C: [4, 5, 6]}
      B: {C: [1, 2, 3]}
"""

from __future__ import annotations

import csv
import io as _io
import math
from pathlib import Path

import numpy as np

from tlr.errors import InputFileError, Location, WeightingError

__all__ = ["read_matrix", "read_fuzzy_matrix", "parse_judgement", "MISSING_TOKENS"]

MISSING_TOKENS = {"", "na", "nan", "-", "?", "null", "none", "缺"}


def parse_judgement(text) -> float:
    """Parse a judgement: a number, a fraction 'a/b', or a missing marker (-> NaN). Raises ValueError."""
    if text is None:
        return math.nan
    if isinstance(text, bool):
        raise ValueError(f"not a number: {text!r}")
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip().replace("／", "/")
    if s.lower() in MISSING_TOKENS:
        return math.nan
    if "/" in s:
        num, _, den = s.partition("/")
        return float(num) / float(den)
    return float(s)


def _read_text(path: Path) -> str:
    from tlr.yamlio import read_bytes

    raw = read_bytes(path)  # regular files only, size-limited (TLR_MAX_FILE_SIZE)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError("文件编码无法识别（应为 UTF-8）/ file is not UTF-8 text", location=Location(file=str(path)),
                         code="encoding")


def _read_csv(path: Path, text: str):
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max([",", ";", "\t", "，"], key=first.count)   # comma, semicolon (European Excel), tab, full-width comma
    if first.count(delim) == 0:
        delim = ","
    rows = [r for r in csv.reader(_io.StringIO(text), delimiter=delim)]
    rows = [(ln, r) for ln, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise WeightingError("CSV 至少需要表头行和一行判断 / CSV needs a header row and at least one row",
                             location=Location(file=str(path)), code="empty")
    header_line, header = rows[0]
    labels = [h.strip() for h in header[1:]]
    while labels and labels[-1] == "":
        labels.pop()
    n = len(labels)
    _check_labels(path, header_line, labels)
    if len(rows) - 1 != n:
        raise WeightingError(f"判断矩阵必须是方阵 / matrix must be square: {n} column labels but {len(rows) - 1} rows",
                             location=Location(file=str(path), line=header_line), code="not_square",
                             hint="表头行列出全部比较项，首列逐行给出相同的比较项 / the header lists every item, the "
                                  "first column repeats them")
    a = np.full((n, n), np.nan)
    for i, (ln, r) in enumerate(rows[1:]):
        rl = r[0].strip() if r else ""
        if rl != labels[i]:
            raise WeightingError(f"第 {i + 1} 行的标签 {rl!r} 与表头 {labels[i]!r} 不一致 / row label {rl!r} does not "
                                 f"match column label {labels[i]!r}", location=Location(file=str(path), line=ln, column=1),
                                 hint="行和列须按相同顺序列出比较项 / rows and columns must list the items in the same "
                                      "order", code="labels_mismatch")
        cells = r[1:]
        extra = [c for c in cells[n:] if c.strip()]
        if extra or len(cells) < n and any(c.strip() for c in cells):
            if extra:
                raise WeightingError(f"判断矩阵必须是方阵 / matrix must be square: row {rl!r} has {n + len(extra)} "
                                     f"values for {n} columns", location=Location(file=str(path), line=ln,
                                                                                   field=f"row '{rl}'"),
                                     code="not_square")
        for j in range(n):
            cell = cells[j] if j < len(cells) else ""
            try:
                a[i, j] = parse_judgement(cell)
            except (ValueError, ZeroDivisionError):
                raise WeightingError(f"无法解析判断值 {cell!r} / cannot read judgement {cell!r}",
                                     location=Location(file=str(path), line=ln, column=j + 2,
                                                       field=f"row '{labels[i]}', column '{labels[j]}'"),
                                     hint="使用数字或分数，如 3、2.5、1/3 / use a number or a fraction like 3, 2.5, 1/3",
                                     code="not_numeric") from None
    return labels, a


def _check_labels(path: Path, line: int, labels: list[str]) -> None:
    """Item names are one line of safe text (they are printed and reported), each named once."""
    from tlr.safetext import text_problem

    seen: dict[str, int] = {}
    for j, label in enumerate(labels):
        where = Location(file=str(path), line=line, column=j + 2, field=f"label {j + 1}")
        problem = text_problem(label)
        if problem:
            raise WeightingError(f"比较项名称 / item name: {problem}", location=where, code="bad_text")
        if label in seen:
            raise WeightingError(f"比较项 {label!r} 重复（第 {seen[label] + 1} 个已有）/ item {label!r} is named twice "
                                 f"(also item {seen[label] + 1})", location=where, code="labels_mismatch",
                                 hint="每个比较项只列一次 / list every item once")
        seen[label] = j


def _read_yaml(path: Path, text: str, *, tfn: bool = False):
    from tlr.errors import TlrError
    from tlr.yamlio import parse_yaml

    name = str(path)
    try:
        parsed = parse_yaml(name, text)  # limits: nodes, aliases, depth; finite numbers; no control characters
    except TlrError as exc:
        raise _many(exc.diagnostics) from None
    if parsed.problems:
        raise _many(parsed.diagnostics)
    doc, positions = parsed.data, parsed.positions

    def at(*where, key: bool = False, field: str | None = None) -> Location:
        return positions.locate(where, key=key, field_name=field)

    if isinstance(doc, dict) and "tfn" in doc:
        if tfn:
            return _tfn_from_yaml(name, doc, at)
        raise WeightingError("这是三角模糊判断文件（tfn:），只能用于模糊 AHP / this file holds triangular fuzzy judgements "
                             "('tfn:'), which only fuzzy AHP reads", location=at("tfn", key=True, field="tfn"),
                             hint="使用 tlr stats fuzzy-ahp / use tlr stats fuzzy-ahp", code="tfn_file")
    if not isinstance(doc, dict) or "labels" not in doc or not ("matrix" in doc or "judgements" in doc):
        raise WeightingError("YAML 判断矩阵需要 labels 以及 matrix 或 judgements / a YAML matrix needs 'labels' and "
                             "'matrix' or 'judgements'", location=Location(file=name, line=1, column=1),
                             code="bad_yaml")
    if not isinstance(doc["labels"], list) or any(isinstance(x, (dict, list)) for x in doc["labels"]):
        raise WeightingError("labels 须为比较项列表 / 'labels' must be a list of item names",
                             location=at("labels", field="labels"), code="bad_yaml")
    labels = [str(x) for x in doc["labels"]]
    n = len(labels)
    if len(set(labels)) != n:
        raise WeightingError("标签重复 / duplicate labels", location=at("labels", field="labels"),
                             code="labels_mismatch")
    if "matrix" in doc:
        rows = doc["matrix"]
        if not isinstance(rows, list) or len(rows) != n or any(not isinstance(r, list) or len(r) != n for r in rows):
            raise WeightingError(f"判断矩阵必须是方阵 / matrix must be square: {n} labels, matrix rows "
                                 f"{[len(r) if isinstance(r, list) else '?' for r in rows] if isinstance(rows, list) else '?'}",
                                 location=at("matrix", field="matrix"), code="not_square")
        a = np.full((n, n), np.nan)
        for i in range(n):
            for j in range(n):
                try:
                    a[i, j] = parse_judgement(rows[i][j])
                except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                    raise WeightingError(f"无法解析判断值 {rows[i][j]!r} / cannot read judgement {rows[i][j]!r}",
                                         location=at("matrix", i, j, field=f"row '{labels[i]}', column '{labels[j]}'"),
                                         code="not_numeric") from None
        return labels, a
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    idx = {l: i for i, l in enumerate(labels)}
    judg = doc["judgements"] or {}
    if not isinstance(judg, dict):
        raise WeightingError("judgements 须为映射 / 'judgements' must be a mapping (A: {B: 3})",
                             location=at("judgements", field="judgements"), code="bad_yaml")
    for r, row in judg.items():
        if str(r) not in idx:
            raise WeightingError(f"未知的比较项 {r!r} / unknown item {r!r}",
                                 location=at("judgements", r, key=True, field=f"judgements.{r}"), code="unknown_label")
        if row is not None and not isinstance(row, dict):
            raise WeightingError(f"judgements.{r} 须为映射 / must be a mapping of item: judgement",
                                 location=at("judgements", r, field=f"judgements.{r}"), code="bad_yaml")
        for c, v in (row or {}).items():
            if str(c) not in idx:
                raise WeightingError(f"未知的比较项 {c!r} / unknown item {c!r}",
                                     location=at("judgements", r, c, key=True, field=f"judgements.{r}.{c}"),
                                     code="unknown_label")
            try:
                x = parse_judgement(v)
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                raise WeightingError(f"无法解析判断值 {v!r} / cannot read judgement {v!r}",
                                     location=at("judgements", r, c, field=f"judgements.{r}.{c}"),
                                     code="not_numeric") from None
            i, j = idx[str(r)], idx[str(c)]
            a[i, j] = x
            a[j, i] = 1.0 / x if x != 0 else math.inf
    return labels, a


def _yaml_labels(name: str, doc: dict, at) -> list[str]:
    if not isinstance(doc.get("labels"), list) or any(isinstance(x, (dict, list)) for x in doc["labels"]):
        raise WeightingError("labels 须为比较项列表 / 'labels' must be a list of item names",
                             location=at("labels", field="labels") if "labels" in doc else
                             Location(file=name, line=1, column=1, field="labels"), code="bad_yaml")
    labels = [str(x) for x in doc["labels"]]
    if len(set(labels)) != len(labels):
        raise WeightingError("标签重复 / duplicate labels", location=at("labels", field="labels"),
                             code="labels_mismatch")
    return labels


def _tfn_from_yaml(name: str, doc: dict, at):
    """labels + tfn (upper triangle by label) -> (labels, (n, n, 3)); every pair given once."""
    labels = _yaml_labels(name, doc, at)
    n = len(labels)
    idx = {l: i for i, l in enumerate(labels)}
    t = np.full((n, n, 3), np.nan)
    t[np.arange(n), np.arange(n)] = 1.0
    rows = doc["tfn"]
    if not isinstance(rows, dict):
        raise WeightingError("tfn 须为映射 / 'tfn' must be a mapping (A: {B: [l, m, u]})",
                             location=at("tfn", field="tfn"), code="bad_yaml")
    for r, row in rows.items():
        if str(r) not in idx:
            raise WeightingError(f"未知的比较项 {r!r} / unknown item {r!r}",
                                 location=at("tfn", r, key=True, field=f"tfn.{r}"), code="unknown_label")
        if not isinstance(row, dict):
            raise WeightingError(f"tfn.{r} 须为映射 / must be a mapping of item: [l, m, u]",
                                 location=at("tfn", r, field=f"tfn.{r}"), code="bad_yaml")
        for c, v in row.items():
            where = at("tfn", r, c, field=f"tfn.{r}.{c}")
            if str(c) not in idx:
                raise WeightingError(f"未知的比较项 {c!r} / unknown item {c!r}",
                                     location=at("tfn", r, c, key=True, field=f"tfn.{r}.{c}"), code="unknown_label")
            i, j = idx[str(r)], idx[str(c)]
            if i == j or not np.isnan(t[i, j, 0]):
                raise WeightingError(f"判断 {r} : {c} 重复或为自身比较 / judgement {r} : {c} is given twice or compares "
                                     "an item with itself", location=where, code="duplicate",
                                     hint="每对比较项只写一次（另一方向由倒数给出）/ give every pair once; the "
                                          "reverse is implied")
            try:
                if not isinstance(v, list) or len(v) != 3:
                    raise ValueError
                l, m, u = (parse_judgement(x) for x in v)
                if not all(math.isfinite(x) for x in (l, m, u)):
                    raise ValueError
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                raise WeightingError(f"三角模糊数应为 [l, m, u] 三个数 / a triangular fuzzy number is [l, m, u], got "
                                     f"{v!r}", location=where, hint="如 / e.g. [2, 3, 4] 或 / or [1/4, 1/3, 1/2]",
                                     code="bad_tfn") from None
            if not 0 < l <= m <= u:
                raise WeightingError(f"三角模糊数须满足 0 < l ≤ m ≤ u / need 0 < l <= m <= u, got [{l:g}, {m:g}, {u:g}]",
                                     location=where, code="bad_tfn")
            t[i, j] = (l, m, u)
            t[j, i] = (1.0 / u, 1.0 / m, 1.0 / l)
    gap = np.argwhere(np.isnan(t[..., 0]))
    if gap.size:
        i, j = sorted(map(int, gap[0]))
        raise WeightingError(f"缺少判断 {labels[i]} : {labels[j]} / judgement {labels[i]} : {labels[j]} is missing",
                             location=at("tfn", field="tfn"), code="missing",
                             hint="模糊 AHP 需要每一对比较项的判断 / fuzzy AHP needs every pair")
    return labels, t


def read_fuzzy_matrix(path) -> tuple[list[str], np.ndarray, str]:
    """Judgements for fuzzy AHP: (labels, (n, n, 3) triangular fuzzy numbers, ``"tfn"`` or ``"crisp"``).

    A YAML file with ``tfn:`` gives the triangles directly; any other matrix file (CSV or YAML) holds crisp
    judgements on Saaty's scale, turned into triangles by :func:`tlr.weighting.fuzzy.tfn_from_crisp`.
    """
    from .fuzzy import tfn_from_crisp

    p = Path(path)
    text = _read_text(p)
    if p.suffix.lower() in (".yaml", ".yml"):
        labels, a = _read_yaml(p, text, tfn=True)
        if a.ndim == 3:
            return labels, a, "tfn"
    else:
        labels, a = _read_csv(p, text)
    return labels, tfn_from_crisp(a, labels, source=str(p)), "crisp"


def _many(diagnostics):
    from tlr.yamlio import many

    return many(InputFileError, diagnostics)


def read_matrix(path) -> tuple[list[str], np.ndarray]:
    """Read a pairwise matrix file (CSV or YAML, by extension); returns (labels, matrix with NaN = missing)."""
    p = Path(path)
    text = _read_text(p)
    if p.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(p, text)
    return _read_csv(p, text)
