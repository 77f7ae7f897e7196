"""``tlr ahp``: AHP weights, consistency and repair suggestions for pairwise matrix files."""

from __future__ import annotations

import dataclasses

import click

from tlr.cli.kit import NON_NEGATIVE, PathArg, command, echo_json, json_option, print_table


def _relocate(exc, path):
    """Attach the file name to an error raised without one."""
    from tlr.errors import WeightingError

    if isinstance(exc, WeightingError) and not exc.location.file:
        return WeightingError(exc.message, location=dataclasses.replace(exc.location, file=str(path)),
                              hint=exc.hint, code=exc.code)
    return exc


def _print_single(res, path=None) -> None:
    from tlr.cli.kit import plain

    if path:
        click.echo(f"# {plain(path)}")
    labels = res.labels or [str(i + 1) for i in range(res.n)]
    order = sorted(range(res.n), key=lambda i: -res.weights[i])
    rank = {i: r + 1 for r, i in enumerate(order)}
    print_table(["比较项 / item", "权重 / weight", "排名 / rank"],
                [[labels[i], f"{res.weights[i]:.4f}", rank[i]] for i in range(res.n)])
    click.echo("")
    status = "通过 / consistent" if res.consistent else "未通过 / NOT consistent"
    meas = "CR" if res.consistency_measure == "cr" else "GCI"
    click.echo(f"方法 / method: {res.method}    随机一致性表 / RI table: {res.ri_table} (RI={res.ri:g})")
    click.echo(f"λmax = {res.lambda_max:.4f}   CI = {res.ci:.4f}   CR = {res.cr:.4f}   GCI = {res.gci:.4f}")
    click.echo(f"一致性 / consistency: {status} ({meas} ≤ {res.threshold:g}; {res.threshold_source})")
    if res.missing != "none":
        click.echo(f"缺失判断处理 / missing judgements: {res.missing}")
    if res.suggestions and not res.consistent:
        click.echo("")
        click.echo("修改建议（按修改后 CR 排序）/ repair suggestions (ranked by CR after the repair):")
        print_table(["#", "判断 / judgement", "当前 / current", "建议 / suggested", "标度值 / on scale",
                     "修改后 CR / CR after"],
                    [[s.rank, f"{s.row} : {s.column}", _frac(s.current), f"{s.suggested:.4g}",
                      _frac(s.suggested_scale), f"{s.cr_after:.4f} ({s.cr_after_scale:.4f})"]
                     for s in res.suggestions])
    if res.repair_plan:
        click.echo("")
        click.echo("一次修改方案（依次修改，直至通过）/ repair plan (apply in order until consistent):")
        print_table(["步 / step", "判断 / judgement", "当前 / current", "改为 / change to", "累计 CR / CR so far"],
                    [[s.rank, f"{s.row} : {s.column}", _frac(s.current), _frac(s.suggested_scale),
                      f"{s.cr_after:.4f}"] for s in res.repair_plan])
        last = res.repair_plan[-1]
        final = last.gci_after if res.consistency_measure == "gci" else last.cr_after
        if final > res.threshold + 1e-12:
            click.echo("注意：按此方案修改后仍未达到阈值，请重新审视整组判断 / note: the plan does not reach the "
                       "threshold; the judgements need to be revisited as a whole")


def _frac(x: float) -> str:
    """3 -> '3', 0.3333 -> '1/3', 2.5 -> '2.5'."""
    if x >= 1:
        return f"{x:.4g}"
    inv = 1 / x
    return f"1/{inv:.4g}" if abs(inv - round(inv)) < 1e-9 else f"{x:.4g}"


@command("ahp")
@click.argument("files", nargs=-1, required=True, type=PathArg(dir_okay=False))
@click.option("--method", type=click.Choice(["eigenvector", "geometric_mean"]), default="eigenvector",
              show_default=True, help="排序方法 / prioritisation method.")
@click.option("--ri", "ri_table", default=None, metavar="TABLE",
              help="随机一致性指标表 / random-index table: saaty1980, saaty_later, alonso_lamata2006 (default), "
                   "donegan_dodd1991, tummala_ling1998.")
@click.option("--threshold", type=float, default=None,
              help="一致性阈值（默认用方法的公开阈值）/ acceptance threshold (default: the method's published one).")
@click.option("--missing", type=click.Choice(["error", "harker", "optimal"]), default="error", show_default=True,
              help="缺失判断的处理：error 报错；harker 用 Harker (1987) 法补全（几何平均法时为 LLSM 对数最小二乘）；"
                   "optimal 用使 λmax 最小的最优补全 (Bozóki et al. 2010) / missing judgements: error; harker "
                   "(Harker 1987; LLSM with --method geometric_mean); optimal (λmax-minimising completion).")
@click.option("--repair", type=click.Choice(["upper"]), default=None,
              help="由上三角重建下三角 / rebuild the lower triangle from the upper triangle.")
@click.option("--group", type=click.Choice(["aij", "aip"]), default=None,
              help="多个专家矩阵的集结方式 / aggregate several experts' files: judgements (aij) or priorities (aip).")
@click.option("--aip-mean", type=click.Choice(["geometric", "arithmetic"]), default=None,
              help="AIP 的权重均值（默认 geometric）/ mean used to aggregate priorities with --group aip "
                   "(default geometric; Forman & Peniwati 1998).")
@click.option("--expert-weights", default=None, metavar="W1,W2,...", help="专家权重 / expert weights (with --group).")
@click.option("--screen", is_flag=True, help="剔除未通过一致性检验的专家 / drop experts who fail the consistency test.")
@click.option("--suggestions", type=NON_NEGATIVE, default=5, show_default=True, help="修改建议条数 / number of repair suggestions.")
@json_option
@click.option("--strict", is_flag=True, help="不一致或有警告时退出码为 1 / exit 1 if inconsistent or warnings.")
def ahp(files, method, ri_table, threshold, missing, repair, group, aip_mean, expert_weights, screen, suggestions,
        as_json, strict):
    """层次分析法权重与一致性 / AHP weights, consistency ratio and repair suggestions.

    FILE 为 CSV（首行、首列为比较项名称）或 YAML 判断矩阵。
    FILE is a CSV (labels in the header row and first column) or a YAML pairwise matrix.

    \b
    Example / 示例:
      tlr ahp criteria.csv
      tlr ahp criteria.csv --method geometric_mean --ri saaty1980 --json
      tlr ahp upper-only.csv --repair upper
      tlr ahp expert1.csv expert2.csv expert3.csv --group aij --expert-weights 2,1,1 --screen
      tlr ahp expert1.csv expert2.csv expert3.csv --group aip --aip-mean arithmetic --json

    \b
    CSV 文件示例 / CSV file example:
      ,技术,市场,团队
      技术,1,3,5
      市场,1/3,1,2
      团队,1/5,1/2,1
    """
    import numpy as np

    from tlr.errors import Location, WeightingError
    from tlr.weighting import DEFAULT_RI_TABLE, ahp as run_ahp, group_ahp, reciprocal_from_upper
    from tlr.weighting.io import read_matrix

    ri = ri_table or DEFAULT_RI_TABLE
    mats, labels0 = [], None
    for f in files:
        labels, a = read_matrix(f)
        if repair == "upper":
            a = reciprocal_from_upper(a)
        mats.append((f, labels, a))

    if aip_mean is not None and group != "aip":
        raise WeightingError("--aip-mean 需要与 --group aip 一起使用 / --aip-mean needs --group aip",
                             location=Location(field="--aip-mean"), code="usage")
    if expert_weights is not None and group is None:
        raise WeightingError("--expert-weights 需要与 --group 一起使用 / --expert-weights needs --group",
                             location=Location(field="--expert-weights"), code="usage")

    if group:
        labels0 = mats[0][1]
        for f, labels, a in mats[1:]:
            if labels != labels0:
                raise WeightingError(f"专家矩阵的比较项不一致 / experts compare different items: {labels} vs {labels0}",
                                     location=Location(file=str(f), field="labels"),
                                     hint="所有专家文件须使用相同的比较项和顺序 / every file must list the same items in "
                                          "the same order", code="labels_mismatch")
        ew = None
        if expert_weights is not None:
            try:
                ew = [float(x) for x in expert_weights.split(",")]
            except ValueError:
                raise WeightingError(f"无法解析专家权重 / cannot read expert weights {expert_weights!r}",
                                     location=Location(field="--expert-weights"), code="expert_weights") from None
        # validate each file separately so errors name the file
        for f, labels, a in mats:
            try:
                run_ahp(a, method=method, ri=ri, threshold=threshold, missing=missing, labels=labels, suggestions=0)
            except WeightingError as exc:
                raise _relocate(exc, f) from None
        stack = np.stack([m[2] for m in mats])
        res = group_ahp(stack, group, method=method, expert_weights=ew, ri=ri, threshold=threshold,
                        screen=True if screen else None, labels=labels0, missing=missing,
                        aip_mean=aip_mean or "geometric")
        combined = [[None if np.isnan(x) else float(x) for x in row] for row in res.combined]
        ind = res.individual
        experts = [{"file": str(f), "weight": float(res.expert_weights[e]), "cr": float(ind.cr[e]),
                    "gci": float(ind.gci[e]), "consistent": bool(ind.consistent[e]), "included": bool(res.included[e]),
                    "influence": float(res.influence[e]), "weights": [float(x) for x in ind.weights[e]]}
                   for e, (f, _, _) in enumerate(mats)]
        g = res.group
        out = {
            "labels": labels0, "weights": [float(x) for x in res.weights],
            "lambda_max": g.lambda_max if g else None, "ci": g.ci if g else None, "cr": g.cr if g else None,
            "gci": g.gci if g else None, "ri_table": ind.ri_table, "method": method, "threshold": ind.threshold,
            "consistent": bool(g.consistent) if g else bool(np.all(ind.consistent[res.included])),
            "suggestions": [s.to_dict() for s in g.suggestions] if g else [],
            "group": group, "aip_mean": res.aip_mean, "consensus": res.consensus,
            "combined_matrix": combined, "combined_matrix_used": group == "aij",
            "most_influential": str(mats[res.most_influential][0]), "experts": experts,
        }
        if as_json:
            echo_json(out)
        else:
            mean = f", {res.aip_mean} mean" if res.aip_mean else ""
            click.echo(f"群决策 / group decision: {group.upper()}{mean}, {len(mats)} 位专家 / experts, "
                       f"方法 / method {method}")
            print_table(["比较项 / item", "群体权重 / group weight"],
                        [[l, f"{w:.4f}"] for l, w in zip(labels0, res.weights)])
            click.echo("")
            print_table(["专家 / expert", "权重 / weight", "CR", "一致 / ok", "纳入 / used", "影响 / influence"],
                        [[x["file"], f"{x['weight']:.3f}", f"{x['cr']:.4f}", "是/yes" if x["consistent"] else "否/no",
                          "是/yes" if x["included"] else "否/no", f"{x['influence']:.4f}"] for x in experts])
            click.echo("")
            click.echo("集结判断矩阵（各专家判断的加权几何平均）/ combined judgement matrix (weighted geometric mean "
                       "of the experts' judgements)" + ("" if group == "aij" else
                                                       "；AIP 不据此求权重，仅供参考 / AIP does not derive "
                                                       "the weights from it; for reference"))
            print_table(["", *labels0], [[lab, *["—" if x is None else _frac(x) for x in row]]
                                         for lab, row in zip(labels0, combined)])
            if g:
                click.echo(f"集结矩阵 / aggregated matrix: λmax = {g.lambda_max:.4f}  CR = {g.cr:.4f} "
                           f"({g.ri_table}, 阈值 / threshold {g.threshold:g})")
            click.echo(f"共识度 / consensus: {res.consensus:.3f}    影响最大的专家 / most influential expert: "
                       f"{out['most_influential']}")
        if strict and not out["consistent"]:
            click.get_current_context().exit(1)
        return 0

    results = []
    for f, labels, a in mats:
        try:
            r = run_ahp(a, method=method, ri=ri, threshold=threshold, missing=missing, labels=labels,
                        suggestions=suggestions)
        except WeightingError as exc:
            raise _relocate(exc, f) from None
        results.append((f, r))
    for f, r in results:
        for w in r.warnings:
            click.echo(f"{f}: warning: {w}", err=True)
    if as_json:
        docs = []
        for f, r in results:
            d = r.to_dict()
            d["file"] = str(f)
            docs.append(d)
        echo_json(docs[0] if len(docs) == 1 else docs)
    else:
        for k, (f, r) in enumerate(results):
            if k:
                click.echo("")
            _print_single(r, f if len(results) > 1 else None)
    if strict and any((not r.consistent) or r.warnings for _, r in results):
        click.get_current_context().exit(1)
    return 0
