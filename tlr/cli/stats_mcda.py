"""``tlr stats topsis|entropy|critic|fuzzy-ahp``: decision and weighting methods on plain tables.

Thin: tables are read by :mod:`tlr.app.subject_table` (alternatives x criteria) and judgement matrices by
:mod:`tlr.weighting.io`; the numbers come from :mod:`tlr.engine.aggregation` and :mod:`tlr.weighting`.
Every output names the method, its source and the input file's SHA-256.
"""

from __future__ import annotations

import click

from tlr.cli.kit import PathArg, command, echo_json, encoding_option, json_option, print_table

SOURCES = {
    "topsis": ("Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications. "
               "Springer, section 3.3.2 (TOPSIS, vector normalisation)."),
    "entropy": ("Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical Journal "
                "27, 379-423; Zeleny, M. (1982). Multiple Criteria Decision Making. McGraw-Hill (entropy weights)."),
    "critic": ("Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in multiple "
               "criteria problems: the CRITIC method. Computers & Operations Research 22(7), 763-770."),
    "buckley": "Buckley, J. J. (1985). Fuzzy hierarchical analysis. Fuzzy Sets and Systems 17(3), 233-247.",
    "chang": ("Chang, D.-Y. (1996). Applications of the extent analysis method on fuzzy AHP. European Journal of "
              "Operational Research 95(3), 649-655. Caveat: Wang, Y.-M., Luo, Y. & Hua, Z. (2008). On the extent "
              "analysis method for fuzzy AHP and its applications. EJOR 186(2), 735-747."),
}
METHODS = {
    "topsis": "逼近理想解排序法 / TOPSIS (raw values)",
    "entropy": "熵权法 / entropy weights",
    "critic": "CRITIC 客观赋权 / CRITIC weights",
    "buckley": "模糊层次分析（Buckley 几何平均）/ fuzzy AHP (Buckley's geometric mean)",
    "chang": "模糊层次分析（Chang 范围分析）/ fuzzy AHP (Chang's extent analysis)",
}
TFN_SCALE_TEXT = ("1 → (1,1,1); x = 2..9 → (x−1, x, x+1)，9 → (8,9,9); 1/x → (1/u, 1/m, 1/l)")


def table_argument(f):
    return click.argument("table", metavar="TABLE", type=PathArg(dir_okay=False))(f)


def sheet_option(f):
    return click.option("--sheet", default=None, metavar="NAME",
                        help="XLSX 工作表名称（默认第一个）/ XLSX worksheet name (default: the first)")(f)


def cost_option(f):
    return click.option("--cost", default=None, metavar="COL,COL",
                        help="成本型（越小越好）的列，逗号分隔；其余为效益型 / columns where lower is better (cost "
                             "criteria), comma-separated; the others are benefit criteria")(f)


def _read(table: str, encoding: str | None, sheet: str | None):
    from tlr.app.subject_table import read_subject_table

    return read_subject_table(table, encoding=encoding, sheet=sheet)


def _require_complete(t, method: str) -> None:
    """Every cell filled: one located line per missing cell (decision methods compare whole rows)."""
    import numpy as np

    from tlr.errors import Diagnostic, Location, ValidationError

    missing = np.argwhere(np.isnan(t.values))
    if missing.size:
        raise ValidationError([
            Diagnostic("error", f"{method} 不接受缺失值 / {method} needs every value: this cell is empty",
                       location=Location(file=t.file, row=t.rows[i], field=t.columns[j]),
                       hint="补全该值，或删去这一行 / fill it in, or remove the row", code="missing_value")
            for i, j in missing[:50].tolist()])
    if len(t.subjects) < 2:
        from tlr.errors import InputFileError

        raise InputFileError(f"{method} 至少需要 2 个方案（行）/ {method} needs at least 2 alternatives (rows)",
                             location=Location(file=t.file), code="too_few_rows")


def _benefit(t, cost: str | None):
    """Benefit flags of the table's columns from ``--cost COL,COL`` (unknown column: one-line error)."""
    import numpy as np

    benefit = np.ones(len(t.columns), dtype=bool)
    for name in [c.strip() for c in (cost or "").split(",") if c.strip()]:
        benefit[t.column_index(name, option="--cost")] = False
    return benefit


def _weights(t, text: str):
    """``--weights w1,w2,...``: one non-negative number per criterion, positive sum."""
    import math

    import numpy as np

    from tlr.errors import Location, TlrError

    parts = [p.strip() for p in text.split(",")]
    where = Location(field="--weights")
    try:
        w = [float(p) for p in parts]
    except ValueError:
        raise TlrError(f"无法解析权重 / cannot read the weights {text!r}", location=where,
                       hint="逗号分隔的数字，如 0.2,0.3,0.5 / numbers separated by commas, e.g. 0.2,0.3,0.5",
                       code="weights") from None
    if len(w) != len(t.columns):
        raise TlrError(f"权重个数 {len(w)} 与准则列数 {len(t.columns)} 不符 / {len(w)} weights for {len(t.columns)} "
                       f"criteria", location=where, hint="准则列为 / the criteria are: " + ", ".join(t.columns),
                       code="weights")
    if any(not math.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
        raise TlrError("权重须为非负有限数且和为正 / weights must be finite, non-negative and not all zero",
                       location=where, code="weights")
    w = np.array(w)
    return w / w.sum()


def _relocate(exc, t):
    """Library errors point at matrix row/criterion indices; name the file's row and column instead."""
    import dataclasses
    import re

    from tlr.errors import WeightingError

    if not isinstance(exc, WeightingError):
        return exc
    loc = exc.location
    row = t.rows[loc.row - 1] if loc.row else None
    field = None if loc.field == "matrix" else loc.field
    m = re.fullmatch(r"criterion (\d+)", field or "")
    if m:
        field = t.columns[int(m.group(1)) - 1]
    return WeightingError(exc.message, location=dataclasses.replace(loc, file=t.file, row=row, field=field),
                          hint=exc.hint, code=exc.code)


def _input(t) -> dict:
    return {"file": t.file, "sha256": t.sha256, "alternatives": len(t.subjects), "criteria": list(t.columns)}


def _header(which: str, file: str, sha256: str, extra: str | None = None) -> None:
    from tlr.cli.kit import plain

    click.echo(f"方法 / method: {METHODS[which]}")
    click.echo(f"来源 / source: {SOURCES[which]}")
    click.echo(f"输入 / input: {plain(file)}  sha256 {sha256}")
    if extra:
        click.echo(extra)
    click.echo("")


def _direction(b: bool) -> str:
    return "benefit" if b else "cost"


# --------------------------------------------------------------------------------------------- topsis


@command("topsis")
@table_argument
@click.option("--weights", required=True, metavar="W1,W2,...",
              help="各准则权重，按列顺序，自动归一化 / criterion weights in column order (normalised to sum 1)")
@cost_option
@sheet_option
@encoding_option
@json_option
def topsis(table, weights, cost, sheet, encoding, as_json):
    """TOPSIS 排序（原始值，向量归一化）/ TOPSIS ranking of alternatives on raw values (vector normalisation).

    TABLE 为 CSV 或 XLSX：首行为表头，首列为方案编号，其余各列为准则的原始值；不允许空单元格。
    TABLE is CSV or XLSX: a header row, alternative ids in the first column, one column per
    criterion holding raw values; no cell may be empty.

    \b
    Example / 示例:
      tlr stats topsis aircraft.csv --weights 0.2,0.1,0.1,0.1,0.2,0.3 --cost cost
      tlr stats topsis projects.xlsx --weights 3,2,1 --json
    """
    from tlr.engine.aggregation import topsis as run_topsis
    from tlr.errors import Location, TlrError
    from tlr.numeric.errors import ScoringError

    t = _read(table, encoding, sheet)
    w = _weights(t, weights)
    benefit = _benefit(t, cost)
    _require_complete(t, "TOPSIS")
    try:
        r = run_topsis(t.values, w, benefit, alternatives=t.subjects, criteria=t.columns)
    except ScoringError as exc:   # e.g. an all-zero criterion: say which file
        raise TlrError(exc.message, location=Location(file=t.file), hint=exc.hint, code=exc.code) from None
    order = sorted(range(len(t.subjects)), key=lambda i: (r.ranks[i] == 0, r.ranks[i], i))
    out = {
        "method": "topsis", "source": SOURCES["topsis"], "input": _input(t), "normalisation": r.normalisation,
        "criteria": [{"name": c, "weight": float(r.weights[j]), "direction": _direction(r.benefit[j]),
                      "ideal": float(r.ideal[j]), "anti_ideal": float(r.anti_ideal[j])}
                     for j, c in enumerate(t.columns)],
        "degenerate": bool(r.degenerate.all()),
        "alternatives": [{"id": t.subjects[i], "closeness": r.closeness[i], "rank": int(r.ranks[i]) or None,
                          "d_best": float(r.d_best[i]), "d_worst": float(r.d_worst[i])} for i in order],
    }
    if as_json:
        echo_json(out)
        return 0
    _header("topsis", t.file, t.sha256, "归一化 / normalisation: vector (r = x / √Σx²)")
    print_table(["准则 / criterion", "权重 / weight", "方向 / direction", "理想点 / ideal", "负理想点 / anti-ideal"],
                [[c["name"], f"{c['weight']:.4f}", c["direction"], f"{c['ideal']:.4f}", f"{c['anti_ideal']:.4f}"]
                 for c in out["criteria"]])
    click.echo("")
    print_table(["排名 / rank", "方案 / alternative", "贴近度 / closeness", "S+ (到理想解 / to ideal)",
                 "S− (到负理想解 / to anti-ideal)"],
                [[a["rank"] or "—", a["id"], "—" if a["rank"] is None else f"{a['closeness']:.4f}",
                  f"{a['d_best']:.4f}", f"{a['d_worst']:.4f}"] for a in out["alternatives"]])
    return 0


# --------------------------------------------------------------------------------------------- entropy, CRITIC


def _objective(which: str, table, cost, sheet, encoding, as_json):
    from tlr.weighting import critic_weights, entropy_weights

    t = _read(table, encoding, sheet)
    benefit = _benefit(t, cost)
    _require_complete(t, "熵权法 entropy" if which == "entropy" else "CRITIC")
    try:
        if which == "entropy":
            normalise = "minmax" if cost else "sum"
            r = entropy_weights(t.values, benefit=benefit, normalise=normalise, cohort=t.file, labels=t.columns)
        else:
            normalise = "minmax"
            r = critic_weights(t.values, benefit=benefit, cohort=t.file, labels=t.columns)
    except Exception as exc:  # noqa: BLE001 - relocated library errors only; anything else passes unchanged
        raise _relocate(exc, t) from None
    d = r.details
    criteria = []
    for j, c in enumerate(t.columns):
        item = {"name": c, "weight": float(r.weights[j]), "direction": _direction(benefit[j])}
        if which == "entropy":
            item.update(entropy=float(d["entropy"][j]), divergence=float(d["divergence"][j]))
        else:
            item.update(std=float(d["std"][j]), conflict=float(d["conflict"][j]),
                        information=float(d["information"][j]))
        criteria.append(item)
    out = {"method": which, "source": SOURCES[which], "input": _input(t), "normalisation": normalise,
           "cohort_note": "客观权重取决于这组方案 / objective weights depend on this set of alternatives",
           "criteria": criteria}
    if which == "critic":
        out["correlation"] = [[float(x) for x in row] for row in d["correlation"]]
    if as_json:
        echo_json(out)
        return 0
    norm_text = {"sum": "p = x / Σx（原始值，须非负）/ p = x / Σx (raw values, must be >= 0)",
                 "minmax": "极差归一化（按效益/成本方向）/ min-max by benefit/cost direction"}[normalise]
    _header(which, t.file, t.sha256, f"归一化 / normalisation: {norm_text}\n{out['cohort_note']}")
    if which == "entropy":
        print_table(["准则 / criterion", "方向 / direction", "熵 e / entropy", "差异度 d / divergence",
                     "权重 / weight"],
                    [[c["name"], c["direction"], f"{c['entropy']:.4f}", f"{c['divergence']:.4f}",
                      f"{c['weight']:.4f}"] for c in criteria])
    else:
        print_table(["准则 / criterion", "方向 / direction", "标准差 σ / std", "冲突性 / conflict",
                     "信息量 C / information", "权重 / weight"],
                    [[c["name"], c["direction"], f"{c['std']:.4f}", f"{c['conflict']:.4f}", f"{c['information']:.4f}",
                      f"{c['weight']:.4f}"] for c in criteria])
    return 0


@command("entropy")
@table_argument
@cost_option
@sheet_option
@encoding_option
@json_option
def entropy(table, cost, sheet, encoding, as_json):
    """熵权法客观权重 / entropy weights of the criteria of a table.

    TABLE 为 CSV 或 XLSX：首行为表头，首列为方案编号，其余各列为准则值。无 --cost 时按原始值计算
    （须非负）；给出 --cost 时先按效益/成本方向做极差归一化。
    TABLE is CSV or XLSX: a header row, alternative ids in the first column, one column per criterion.
    Without --cost the raw values are used (they must be >= 0); with --cost each column is first
    min-max normalised by its direction.

    \b
    Example / 示例:
      tlr stats entropy indicators.csv
      tlr stats entropy indicators.xlsx --cost 成本 --json
    """
    return _objective("entropy", table, cost, sheet, encoding, as_json)


@command("critic")
@table_argument
@cost_option
@sheet_option
@encoding_option
@json_option
def critic(table, cost, sheet, encoding, as_json):
    """CRITIC 客观权重（对比强度与冲突性）/ CRITIC weights (contrast intensity and conflict).

    TABLE 为 CSV 或 XLSX：首行为表头，首列为方案编号，其余各列为准则值；各列按效益/成本方向极差归一化。
    TABLE is CSV or XLSX: a header row, alternative ids in the first column, one column per criterion;
    each column is min-max normalised by its direction.

    \b
    Example / 示例:
      tlr stats critic indicators.csv --cost cost
      tlr stats critic indicators.csv --json
    """
    return _objective("critic", table, cost, sheet, encoding, as_json)


# --------------------------------------------------------------------------------------------- fuzzy AHP


@command("fuzzy-ahp")
@click.argument("matrix", metavar="MATRIX", type=PathArg(dir_okay=False))
@click.option("--method", type=click.Choice(["buckley", "chang"]), default="buckley", show_default=True,
              help="buckley 为几何平均法；chang 为范围分析法（可能给出零权重）/ buckley: geometric mean; chang: "
                   "extent analysis (may give zero weights)")
@json_option
def fuzzy_ahp(matrix, method, as_json):
    """模糊层次分析法权重 / fuzzy AHP weights from a pairwise judgement matrix.

    MATRIX 为 CSV 或 YAML 判断矩阵（与 tlr ahp 相同，取值为 1–9 标度及其倒数），按三角模糊标度转换：
    1 → (1,1,1)；x = 2..9 → (x−1, x, x+1)，上限 9；1/x → (1/u, 1/m, 1/l)。
    也可以是直接给出三角模糊数的 YAML 文件（tfn:，见 docs/weighting.md）。
    MATRIX is a CSV or YAML judgement matrix as for tlr ahp (values on Saaty's 1-9 scale or
    reciprocals), turned into triangular fuzzy numbers by the scale above; or a YAML file giving the
    triangles directly:

    \b
      labels: [技术, 市场, 团队]
      tfn:
        技术: {市场: [2, 3, 4], 团队: [4, 5, 6]}
        市场: {团队: [1, 2, 3]}

    \b
    Example / 示例:
      tlr stats fuzzy-ahp criteria.csv
      tlr stats fuzzy-ahp criteria-tfn.yaml --method chang --json
    """
    import dataclasses
    import hashlib

    from tlr.errors import WeightingError
    from tlr.weighting import fuzzy_ahp as run_fuzzy
    from tlr.weighting.io import read_fuzzy_matrix
    from tlr.yamlio import read_bytes

    labels, tfn, kind = read_fuzzy_matrix(matrix)
    sha = hashlib.sha256(read_bytes(matrix)).hexdigest()
    try:
        r = run_fuzzy(tfn, method=method, labels=labels)
    except WeightingError as exc:
        if exc.location.file:
            raise
        raise WeightingError(exc.message, location=dataclasses.replace(exc.location, file=str(matrix)),
                             hint=exc.hint, code=exc.code) from None
    check = r.crisp_check
    out = {
        "method": f"fuzzy_ahp_{method}", "source": SOURCES[method],
        "input": {"file": str(matrix), "sha256": sha, "judgements": kind, "items": list(labels)},
        "tfn_scale": TFN_SCALE_TEXT if kind == "crisp" else None,
        "items": [{"name": lab, "weight": float(r.weights[i]), "fuzzy": [float(x) for x in r.fuzzy_weights[i]]}
                  for i, lab in enumerate(labels)],
        "fuzzy_meaning": "synthetic extent S_i" if method == "chang" else "fuzzy weight (l, m, u)",
        "defuzzification": r.defuzzification,
        "possibility": None if r.possibility is None else [[float(x) for x in row] for row in r.possibility],
        "zero_weights": list(r.zero_weights), "warnings": list(r.warnings),
        "modal_consistency": {"cr": float(check.cr), "threshold": float(check.threshold),
                              "consistent": bool(check.consistent), "ri_table": check.ri_table},
    }
    for w in r.warnings:
        click.echo(f"{matrix}: warning: {w}", err=True)
    if as_json:
        echo_json(out)
        return 0
    scale = f"三角模糊标度 / TFN scale: {TFN_SCALE_TEXT}" if kind == "crisp" else \
        "三角模糊数由文件直接给出 / triangular fuzzy numbers given in the file"
    _header(method, str(matrix), sha, scale)
    fuzzy_head = "综合程度值 S / synthetic extent" if method == "chang" else "模糊权重 / fuzzy weight"
    order = sorted(range(len(labels)), key=lambda i: -r.weights[i])
    print_table(["比较项 / item", fuzzy_head, "权重 / weight", "排名 / rank"],
                [[labels[i], "(" + ", ".join(f"{x:.4f}" for x in r.fuzzy_weights[i]) + ")", f"{r.weights[i]:.4f}",
                  k + 1] for k, i in enumerate(order)])
    click.echo("")
    status = "通过 / consistent" if check.consistent else "未通过 / NOT consistent"
    click.echo(f"中值矩阵一致性 / consistency of the modal (m) matrix: CR = {check.cr:.4f} "
               f"(≤ {check.threshold:g}: {status})")
    return 0


__all__ = ["topsis", "entropy", "critic", "fuzzy_ahp"]
