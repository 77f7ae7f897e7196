"""``tlr stats icc|kendall|alpha``: agreement statistics of a plain table (subjects x raters).

Thin: the table is read by :mod:`tlr.app.subject_table`, the numbers come from :mod:`tlr.panel.agreement`
and :mod:`tlr.panel.krippendorff`; this module only checks that the statistic is defined, and prints.
"""

from __future__ import annotations

import click

from tlr.cli.kit import BOOTSTRAP, SEED, PathArg, command, echo_json, encoding_option, json_option, print_table

SOURCES = {
    "icc": ("Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability. "
            "Psychological Bulletin 86(2), 420-428; McGraw, K. O. & Wong, S. P. (1996). Forming inferences about "
            "some intraclass correlation coefficients. Psychological Methods 1(1), 30-46."),
    "kendall": ("Kendall, M. G. & Babington Smith, B. (1939). The problem of m rankings. Annals of Mathematical "
                "Statistics 10(3), 275-287; Siegel, S. & Castellan, N. J. (1988). Nonparametric Statistics for "
                "the Behavioral Sciences, 2nd ed., section 9.4 (tie correction)."),
    "alpha": ("Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of Pennsylvania, "
              "asc_papers/43; bootstrap over units after Hayes, A. F. & Krippendorff, K. (2007). Answering the call "
              "for a standard reliability measure for coding data. Communication Methods and Measures 1(1), 77-89."),
}
METHODS = {
    "icc": "组内相关系数 / intraclass correlation (ICC)",
    "kendall": "肯德尔和谐系数 / Kendall's coefficient of concordance (W)",
    "alpha": "克里彭多夫 α / Krippendorff's alpha",
}
DEFAULT_SEED = 20240601


class Confidence(click.ParamType):
    """A confidence level strictly between 0 and 1 (0.95)."""

    name = "level"

    def convert(self, value, param, ctx):
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"不是数字 / not a number: {value!r}", param, ctx)
        if not math.isfinite(number) or not 0 < number < 1:
            self.fail(f"须在 0 与 1 之间（不含），如 0.95 / must be between 0 and 1 (exclusive), e.g. 0.95; "
                      f"got {value}", param, ctx)
        return number


class FormList(click.ParamType):
    """``all`` or a comma-separated list of ICC forms (``2,1`` ``A,1`` ``C,k`` ...) -> tuple of form keys."""

    name = "form"

    def convert(self, value, param, ctx):
        from tlr.panel.agreement import ICC_FORMS, icc_form

        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        if text.lower() == "all":
            return ICC_FORMS
        # "2,1" is one form: split on ";" or whitespace between forms, and pair up a bare comma list
        parts = [p for p in text.replace(";", " ").split() if p]
        forms = []
        for part in parts:
            pieces = part.split(",")
            if len(pieces) % 2:
                self.fail(f"无法识别 / not understood: {part!r} — 形式如 2,1 或 A,1，多个用空格或分号分开 / a form is "
                          f"written like 2,1 or A,1; separate several with a space or ';'", param, ctx)
            for i in range(0, len(pieces), 2):
                try:
                    forms.append(icc_form(f"{pieces[i]},{pieces[i + 1]}"))
                except KeyError as exc:
                    self.fail(str(exc.args[0]), param, ctx)
        if not forms:
            self.fail("未给出形式 / no form given", param, ctx)
        return tuple(dict.fromkeys(forms))


def table_argument(f):
    return click.argument("table", metavar="TABLE", type=PathArg(exists=False, dir_okay=False))(f)


def sheet_option(f):
    return click.option("--sheet", default=None, metavar="NAME",
                        help="XLSX 工作表名称（默认第一个）/ XLSX worksheet name (default: the first)")(f)


def _read(table: str, encoding: str | None, sheet: str | None):
    from tlr.app.subject_table import read_subject_table

    return read_subject_table(table, encoding=encoding, sheet=sheet)


def _fail(t, message: str, hint: str, code: str):
    from tlr.errors import Location, TlrError

    raise TlrError(message, location=Location(file=t.file), hint=hint, code=code)


def _input(t) -> dict:
    return {"file": t.file, "sha256": t.sha256, "subjects": len(t.subjects), "raters": len(t.columns)}


def _header(out, which: str, t, used: str) -> None:
    from tlr.cli.kit import safe

    out.print(f"方法 / method: {METHODS[which]}")
    out.print(f"来源 / source: {safe(SOURCES[which])}")
    out.print(f"输入 / input: {safe(t.file)}  sha256 {t.sha256}")
    out.print(used)


def _f(value, digits: int = 3) -> str:
    import math

    if value is None:
        return "—"
    value = float(value)
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞"
    return f"{value:.{digits}f}"


def _p(value) -> str:
    value = float(value)
    if value != value:
        return "—"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


# --------------------------------------------------------------------------------------------- icc
@command("icc")
@table_argument
@click.option("--form", "forms", type=FormList(), default="all", show_default=True,
              help="ICC 形式：all，或 1,1 2,1 3,1 1,k 2,k 3,k（Shrout & Fleiss），A,1 C,1 A,k C,k（McGraw & Wong：A 为绝对一致 "
                   "= 2，C 为一致性 = 3），多个用分号或空格分开 / the ICC form(s): all, or 1,1 2,1 3,1 1,k 2,k 3,k "
                   "(Shrout & Fleiss), A,1 C,1 A,k C,k (McGraw & Wong: A = absolute agreement = 2, C = consistency "
                   "= 3); separate several with ';' or a space")
@click.option("--confidence", type=Confidence(), default=0.95, show_default=True,
              help="置信区间的置信水平 / confidence level of the intervals")
@sheet_option
@encoding_option
@json_option
def icc(table: str, forms: tuple[str, ...], confidence: float, sheet: str | None, encoding: str | None,
        as_json: bool) -> int:
    """组内相关系数 / Intraclass correlations with F test and confidence interval.

    TABLE: CSV or XLSX, header row; the first column holds the subject ids, each
    other column one rater; an empty cell is missing. The two-way forms need a
    complete block: raters with no score are left out, then every row missing a
    score is dropped (the count is shown). The absolute-agreement forms (2 / A)
    use McGraw & Wong's Satterthwaite degrees of freedom for the interval.

    \b
    Example / 示例:
      tlr stats icc ratings.csv
      tlr stats icc ratings.xlsx --form "A,1;C,1" --confidence 0.9 --json
    """
    from tlr.panel.agreement import icc as compute

    t = _read(table, encoding, sheet)
    r = compute(t.values.T, confidence=confidence)
    n, k = int(r.n_targets), int(r.k_judges)
    if not r.defined:
        _fail(t, f"ICC 无法计算：完整行 {n} 个、评分者 {k} 个，或评分无差异 / ICC is not defined: {n} complete "
                 f"row(s) and {k} rater(s), or no variance", "ICC 需要至少 2 个所有评分者都打了分的行、2 名评分者，且各行"
                 "得分不全相同 / ICC needs at least 2 rows scored by every rater, 2 raters, and rows that differ",
              "icc_undefined")
    dropped = len(t.subjects) - n
    rows = []
    for form in forms:
        f = r.forms[form]
        rows.append({"form": form, "name": f.name, "mcgraw_wong": f.mcgraw_wong or None, "model": f.model,
                     "icc": f.value, "F": f.F, "df1": f.df1, "df2": f.df2, "df2_ci": f.df2_ci, "p": f.p_value,
                     "ci_low": f.ci_low, "ci_high": f.ci_high})
    data = {"method": "icc", "name": METHODS["icc"], "source": SOURCES["icc"], "input": _input(t),
            "used": {"subjects": n, "raters": k, "dropped_rows": dropped}, "confidence": confidence,
            "mean_squares": {"BMS": r.BMS, "JMS": r.JMS, "EMS": r.EMS, "WMS": r.WMS}, "forms": rows}
    if as_json:
        echo_json(data)
        return 0
    from tlr.cli.kit import console

    out = console()
    _header(out, "icc", t, f"使用 / used: {n} 行 × {k} 名评分者 / {n} rows x {k} raters; "
                           f"舍去不完整行 / incomplete rows dropped: {dropped}")
    pct = f"{confidence * 100:g}%"
    print_table(("form", "McGraw & Wong", "model", "ICC", "F", "df1", "df2", "p", f"{pct} CI", "CI df2"),
                [[x["name"], x["mcgraw_wong"] or "", x["model"], _f(x["icc"]), _f(x["F"], 2), _f(x["df1"], 0),
                  _f(x["df2"], 0), _p(x["p"]), f"[{_f(x['ci_low'])}, {_f(x['ci_high'])}]", _f(x["df2_ci"], 2)]
                 for x in rows], title="组内相关系数 / intraclass correlations", out=out)
    return 0


# ----------------------------------------------------------------------------------------- kendall
@command("kendall")
@table_argument
@click.option("--lower-is-better", is_flag=True,
              help="分数越低越好（如名次），只改变方向，W 不变 / lower scores are better (e.g. ranks); W is the same "
                   "either way")
@sheet_option
@encoding_option
@json_option
def kendall(table: str, lower_is_better: bool, sheet: str | None, encoding: str | None, as_json: bool) -> int:
    """肯德尔和谐系数 / Kendall's W: do the raters rank the subjects alike?

    TABLE: CSV or XLSX, header row; the first column holds the subject ids, each
    other column one rater's scores (or ranks); ties get average ranks and the
    tie correction. Only complete rows are used; how many were dropped is shown.
    chi2 = m (n - 1) W with n - 1 df (m raters, n subjects).

    \b
    Example / 示例:
      tlr stats kendall ratings.csv
      tlr stats kendall ranks.csv --lower-is-better --json
    """
    from tlr.panel.agreement import kendall_w

    t = _read(table, encoding, sheet)
    complete = t.complete_rows()
    n, m = int(complete.sum()), len(t.columns)
    if n < 2 or m < 2:
        _fail(t, f"完整行只有 {n} 个、评分者 {m} 名 / only {n} complete row(s) and {m} rater(s)",
              "肯德尔 W 需要至少 2 个所有评分者都打了分的行和 2 名评分者 / Kendall's W needs at least 2 rows scored by "
              "every rater and 2 raters", "kendall_too_few")
    r = kendall_w(t.values[complete].T, higher_is_better=not lower_is_better)
    if not r.defined:
        _fail(t, "肯德尔 W 无法计算：每位评分者给所有行的分数都相同 / Kendall's W is not defined: every rater gave "
                 "all rows the same score", "至少一位评分者须区分各行 / at least one rater must tell the rows apart",
              "kendall_undefined")
    dropped = len(t.subjects) - n
    data = {"method": "kendall", "name": METHODS["kendall"], "source": SOURCES["kendall"], "input": _input(t),
            "used": {"subjects": n, "raters": m, "dropped_rows": dropped}, "higher_is_better": not lower_is_better,
            "W": r.W, "chi2": r.chi2, "df": r.df, "p": r.p_value, "F": r.F, "p_F": r.p_value_F, "ties": r.ties}
    if as_json:
        echo_json(data)
        return 0
    from tlr.cli.kit import console

    out = console()
    _header(out, "kendall", t, f"使用 / used: {n} 行 × {m} 名评分者 / {n} rows x {m} raters; "
                               f"舍去不完整行 / incomplete rows dropped: {dropped}")
    print_table(("W", "chi2", "df", "p", "F", "p (F)", "ties Σ(t³-t)"),
                [[_f(r.W), _f(r.chi2, 2), _f(r.df, 0), _p(r.p_value), _f(r.F, 2), _p(r.p_value_F), _f(r.ties, 0)]],
                title="肯德尔和谐系数 / Kendall's W", out=out)
    return 0


# ------------------------------------------------------------------------------------------- alpha
@command("alpha")
@table_argument
@click.option("--level", type=click.Choice(["interval", "ordinal", "nominal"]), default="interval",
              show_default=True,
              help="测量层次：interval 等距（分数）、ordinal 有序（如 TRL 1–9 等级）、nominal 类别 / level of measurement: "
                   "interval (scores), ordinal (ordered levels such as TRL 1-9), nominal (categories)")
@click.option("--bootstrap", type=BOOTSTRAP, default=1000, show_default=True,
              help="自助抽样次数（按对象重抽），0 为不计算区间 / bootstrap draws (resampling subjects); 0: no interval")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True,
              help="随机种子，结果可复现 / random seed, for reproducible intervals")
@click.option("--confidence", type=Confidence(), default=0.95, show_default=True,
              help="置信区间的置信水平 / confidence level of the interval")
@sheet_option
@encoding_option
@json_option
def alpha(table: str, level: str, bootstrap: int, seed: int, confidence: float, sheet: str | None,
          encoding: str | None, as_json: bool) -> int:
    """克里彭多夫 α / Krippendorff's alpha: agreement with any pattern of missing scores.

    TABLE: CSV or XLSX, header row; the first column holds the subject ids, each
    other column one rater; an empty cell is missing. Rows with fewer than two
    scores cannot be paired and drop out. Right for sparse assignments, where each
    rater scores only some subjects. The interval resamples subjects (seeded).

    \b
    Example / 示例:
      tlr stats alpha ratings.csv
      tlr stats alpha trl.xlsx --level ordinal --bootstrap 2000 --seed 7 --json
    """
    from tlr.panel.krippendorff import krippendorff_alpha

    t = _read(table, encoding, sheet)
    r = krippendorff_alpha(t.values.T, level=level, bootstrap=bootstrap, seed=seed, confidence=confidence)
    if int(r.n_units) == 0:
        _fail(t, "没有可配对的评分：没有任何一行有两个或以上的分数 / no pairable values: no row has two or more scores",
              "α 需要至少一行由两名及以上评分者打分 / alpha needs at least one row scored by two or more raters",
              "alpha_no_pairs")
    if not r.defined:
        _fail(t, "α 无法计算：所有可配对的分数都相同 / alpha is not defined: every pairable score is the same",
              "分数须有差异 / the scores must vary", "alpha_undefined")
    data = {"method": "alpha", "name": METHODS["alpha"], "source": SOURCES["alpha"], "input": _input(t),
            "used": {"subjects": int(r.n_units), "raters": int(r.n_raters), "values": int(r.n_values),
                     "dropped_rows": len(t.subjects) - int(r.n_units)},
            "level": level, "alpha": r.alpha, "D_o": r.D_o, "D_e": r.D_e, "confidence": confidence,
            "ci_low": r.ci_low, "ci_high": r.ci_high,
            "bootstrap": {"draws": bootstrap, "defined_draws": int(r.n_boot_defined), "seed": seed if bootstrap else None,
                          "resampled": "subjects (units)", "p_below": r.p_below}}
    if as_json:
        echo_json(data)
        return 0
    from tlr.cli.kit import console

    out = console()
    dropped = data["used"]["dropped_rows"]
    _header(out, "alpha", t, f"使用 / used: {int(r.n_units)} 行、{int(r.n_values)} 个可配对分数、{int(r.n_raters)} 名评分者 / "
                             f"{int(r.n_units)} rows, {int(r.n_values)} pairable values, {int(r.n_raters)} raters; "
                             f"少于两个分数的行 / rows with fewer than two scores: {dropped}")
    pct = f"{confidence * 100:g}%"
    ci = f"[{_f(r.ci_low)}, {_f(r.ci_high)}]" if bootstrap else "—"
    print_table(("level", "alpha", "D_o", "D_e", f"{pct} CI", "draws", "P(α<0.667)", "P(α<0.8)"),
                [[level, _f(r.alpha), _f(r.D_o, 4), _f(r.D_e, 4), ci, f"{int(r.n_boot_defined)}/{bootstrap}",
                  _f(r.p_below["0.667"], 3) if bootstrap else "—", _f(r.p_below["0.8"], 3) if bootstrap else "—"]],
                title="克里彭多夫 α / Krippendorff's alpha", out=out)
    if bootstrap:
        out.print(f"自助法：按对象重抽 {bootstrap} 次，种子 {seed} / bootstrap: {bootstrap} draws resampling subjects, "
                  f"seed {seed}")
    return 0
