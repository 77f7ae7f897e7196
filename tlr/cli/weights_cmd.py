"""``tlr weights``: a panel's pairwise judgements — survey, answer, status, aggregate into a new rubric version."""

from __future__ import annotations

import click

from tlr.cli.kit import (
    ID,
    PathArg,
    campaign_option,
    echo_json,
    encoding_option,
    group,
    json_option,
    plain,
)


@group()
def weights() -> None:
    """权重征询 / Weights elicited from a panel by pairwise comparison (专家打分确定权重).

    A weighting round is a campaign (same ledger, same hash-chained audit log: `tlr audit verify -C ROUND`)
    holding the rubric, the panel and each expert's pairwise judgements of the children of every node whose
    weights come from AHP (every node with two or more children with --all-nodes).

    \b
    Example / 示例:
      tlr weights survey --rubric rubrics/fund-screening.yaml --experts panel.csv --out weights-2026
      export TLR_CAMPAIGN=weights-2026
      tlr weights answer --expert E07                  # 终端逐题作答 / at the terminal
      tlr weights answer --expert E08 --from e08.csv   # 纸面答卷录入 / answers on paper
      tlr weights status
      tlr weights aggregate --method aij --out rubrics/fund-screening-1.1.yaml
    """


def _open(campaign: str | None):
    from tlr.campaign import open_campaign

    return open_campaign(campaign)


@weights.command("survey")
@click.option("--rubric", "-r", "rubric_path", required=True, type=PathArg(dir_okay=False),
              help="评价指标体系 YAML（冻结一份副本）/ rubric YAML (a frozen copy is stored)")
@click.option("--experts", "experts_file", required=True, type=PathArg(dir_okay=False),
              help="专家名单 CSV/XLSX/JSON（同 tlr experts import）/ the panel (as for tlr experts import)")
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False),
              help="征询目录（新建）/ the round's folder (created)")
@click.option("--all-nodes", is_flag=True,
              help="比较所有含两个以上子节点的节点（默认只比较有 ahp: 的节点）/ ask about every node with two or more "
                   "children (default: the nodes with an ahp: block)")
@click.option("--name", help="征询名称 / round name (default: the folder name)")
@encoding_option
@json_option
def survey(rubric_path: str, experts_file: str, out_dir: str, all_nodes: bool, name: str | None,
           encoding: str | None, as_json: bool) -> None:
    """创建权重征询 / Create a weighting round: the rubric frozen, the panel imported, the questions fixed.

    \b
    Example / 示例:
      tlr weights survey -r rubrics/fund-screening.yaml --experts panel.csv --out weights-2026
    """
    from pathlib import Path

    from tlr.campaign.weighting_round import create_round
    from tlr.outputs import check_folder, io_error
    from tlr.rubric import load_rubric

    check_folder(out_dir, option="--out")
    from tlr.errors import CampaignError
    from tlr.safetext import text_problem

    shown_name = name if name is not None else Path(out_dir).name
    if text_problem(shown_name):
        raise CampaignError(f"{'--name' if name is not None else '--out'}: {text_problem(shown_name)}", code="bad_text",
                            hint="名称须为一行普通文字 / the name must be one line of ordinary text")
    rubric = load_rubric(rubric_path)
    try:
        ledger, result, nodes = create_round(out_dir, rubric, experts_file, scope="all" if all_nodes else "ahp",
                                             name=name, encoding=encoding)
    except OSError as exc:
        raise io_error(exc, out_dir, "create") from None
    with ledger:
        info = {"path": str(ledger.path), "round_id": ledger.meta["campaign_id"], "rubric": rubric.id,
                "rubric_version": rubric.version, "experts": result.ids,
                "nodes": [{"node": n.node, "children": list(n.children), "pairs": len(n.pairs())} for n in nodes],
                "questions": sum(len(n.pairs()) for n in nodes)}
    if as_json:
        echo_json(info)
        return
    click.echo(f"已创建权重征询 / created weighting round at {plain(info['path'])}")
    click.echo(f"专家 / experts: {len(result.ids)}; 每位专家 {info['questions']} 个判断 / judgements per expert")
    for n in info["nodes"]:
        click.echo(f"  {plain(n['node'])}: {', '.join(plain(c) for c in n['children'])} ({n['pairs']} 对 / pairs)")


@weights.command("answer")
@click.option("--expert", "-e", "expert_id", required=True, type=ID, help="专家编号 / expert id, e.g. E07")
@click.option("--from", "from_file", type=PathArg(dir_okay=False), default=None,
              help="从文件录入（CSV/XLSX/JSON：node, a, b, value；或 YAML）/ non-interactive: judgements from a file")
@click.option("--restart", is_flag=True, help="从第一题开始 / start at the first pair, not the first open one")
@click.option("--dry-run", is_flag=True, help="与 --from 一起：只检查 / with --from: check only")
@campaign_option
@encoding_option
@json_option
def answer(expert_id: str, from_file: str | None, restart: bool, dry_run: bool, campaign: str | None,
           encoding: str | None, as_json: bool) -> None:
    """专家作答 / Give your pairwise judgements, node by node, with live consistency feedback.

    Each question is "A 与 B 相比" (A compared with B): answer on the verbal scale
    (同等重要 1, 稍微重要 3, 明显重要 5, 强烈重要 7, 极端重要 9; 2, 4, 6, 8 between) with
    the side that is more important — `a 明显重要`, `b 稍微重要`, `a5`, `b3`,
    `a strong` — or as a number or fraction (3 = A over B, 1/3 = B over A). Every
    answer is saved at once; run it again to continue where you stopped. When a
    node's matrix is complete its CR and GCI are shown and, when inconsistent,
    the judgement to revisit and the value that would fix it.

    With --from FILE the judgements come from a file (columns node, a, b, value;
    or YAML `answers: {node: [[a, b, value], ...]}`), checked completely and
    recorded all-or-nothing.

    \b
    Example / 示例:
      tlr weights answer -C weights-2026 --expert E07
      tlr weights answer -C weights-2026 --expert E08 --from e08.csv
    """
    from tlr.campaign.weighting_round import record, round_nodes

    with _open(campaign) as ledger:
        _scope, nodes = round_nodes(ledger)
        ledger.expert(expert_id)
        if from_file is not None:
            from tlr.app.weights.answers_file import read_answers

            items = read_answers(from_file, nodes, expert_id, encoding=encoding)
            count = 0 if dry_run else record(ledger, expert_id, items, source=f"file:{from_file}",
                                             action="weights.import")
            report = _expert_report(ledger, nodes, expert_id) if not dry_run else []
            if as_json:
                echo_json({"expert": expert_id, "file": from_file, "dry_run": dry_run, "checked": len(items),
                           "saved": count, "nodes": report})
                return
            verb = "检查通过 / checked" if dry_run else "已保存 / saved"
            click.echo(f"{verb}: {len(items)} 个判断 / judgements")
            _echo_report(report)
            return
        from tlr.app.interactive import Interrupted
        from tlr.app.interactive.weights import WeightsSession
        from tlr.cli.kit.terminal import ClickTerminal

        try:
            WeightsSession(ledger, expert_id, ClickTerminal(), restart=restart).run()
        except Interrupted:
            raise click.exceptions.Abort() from None


def _expert_report(ledger, nodes, expert_id: str) -> list[dict]:
    """Per node: answered / asked and, for a complete matrix, CR, GCI and the fix when inconsistent."""
    from tlr.campaign.weighting_round import answers
    from tlr.weighting.survey import consistency, matrix

    got = answers(ledger, expert_id).get(expert_id, {})
    out = []
    for node in nodes:
        mine = {(a, b): r["value"] for (n, a, b), r in got.items() if n == node.node}
        rec = {"node": node.node, "answered": len(mine), "asked": len(node.pairs())}
        if len(mine) == len(node.pairs()):
            c = consistency(node, matrix(node, mine))
            rec.update({k: c[k] for k in ("cr", "gci", "measure", "threshold", "consistent", "fix", "weights")})
        out.append(rec)
    return out


def _echo_report(report: list[dict]) -> None:
    from tlr.weighting.survey import consistency_line

    for rec in report:
        if "cr" in rec:
            click.echo(f"  {plain(rec['node'])}: {plain(consistency_line(rec), newlines=True)}")
        else:
            click.echo(f"  {plain(rec['node'])}: {rec['answered']}/{rec['asked']} 已答 / answered")


@weights.command("sheets")
@click.option("--expert", "-e", "experts_", multiple=True, type=ID, help="专家编号（可重复）/ expert id (repeatable)")
@click.option("--all", "all_", is_flag=True, help="全部专家 / every expert of the round")
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False), help="输出目录 / output folder")
@campaign_option
@json_option
def sheets(experts_: tuple[str, ...], all_: bool, out_dir: str, campaign: str | None, as_json: bool) -> None:
    """Excel 判断表 / One XLSX sheet per expert to answer in Excel or on paper.

    Fill the `value` column (a 明显重要, b3, 1/3 ...) and record it with
    `tlr weights answer --expert E07 --from weights-E07.xlsx`.

    \b
    Example / 示例:
      tlr weights sheets -C weights-2026 --all --out sheets/
    """
    from tlr.app.weights.sheet import sheet_bytes
    from tlr.campaign.weighting_round import answers, round_nodes
    from tlr.cli.kit import echo_written
    from tlr.errors import CampaignError
    from tlr.outputs import check_folder, make_folder, write_file

    if not experts_ and not all_:
        raise CampaignError("请用 --expert 或 --all 指定专家 / name the experts with --expert or --all", code="usage",
                            hint="tlr weights sheets --all --out sheets/")
    with _open(campaign) as ledger:
        _scope, nodes = round_nodes(ledger)
        chosen = ledger.experts() if all_ else [ledger.expert(e) for e in dict.fromkeys(experts_)]
        names = {e["id"]: f"weights-{e['id']}.xlsx" for e in chosen}
        check_folder(out_dir, names=list(names.values()), option="--out")
        make_folder(out_dir)
        got = answers(ledger)
        written = []
        for e in chosen:
            current = {k: r["value"] for k, r in got.get(e["id"], {}).items()}
            path = f"{out_dir.rstrip('/')}/{names[e['id']]}"
            write_file(path, sheet_bytes(e, nodes, ledger.rubric, current))
            written.append(path)
    echo_written(written, as_json)


@weights.command("status")
@campaign_option
@json_option
def status(campaign: str | None, as_json: bool) -> None:
    """作答进度 / Who answered what, and each expert's CR per node.

    \b
    Example / 示例:
      tlr weights status -C weights-2026 --json
    """
    from tlr.campaign.weighting_round import round_nodes

    with _open(campaign) as ledger:
        scope, nodes = round_nodes(ledger)
        experts = ledger.experts()
        rows = [{"expert": e["id"], "name": e["name"], "nodes": _expert_report(ledger, nodes, e["id"])}
                for e in experts]
        info = {"round_id": ledger.meta["campaign_id"], "scope": scope, "nodes": [n.to_dict() for n in nodes],
                "experts": rows}
    if as_json:
        echo_json(info)
        return
    from tlr.cli.kit import print_table

    table_rows = []
    for r in rows:
        cells = []
        for rec in r["nodes"]:
            if "cr" in rec:
                measure = rec["measure"].upper()
                value = rec["cr"] if measure == "CR" else rec["gci"]
                cells.append(f"{measure} {value:.3f} {'✓' if rec['consistent'] else '✗'}")
            else:
                cells.append(f"{rec['answered']}/{rec['asked']}")
        done = all("cr" in rec for rec in r["nodes"])
        table_rows.append([f"{r['expert']} {r['name']}", *cells, "✓" if done else ""])
    print_table(["专家 / expert", *[n.node for n in nodes], "完成 / complete"], table_rows)


@weights.command("aggregate")
@click.option("--method", type=click.Choice(["aij", "aip"]), default="aij", show_default=True,
              help="aij=集结判断（加权几何平均）/ aggregate judgements; aip=集结权重 / aggregate priorities")
@click.option("--aip-mean", type=click.Choice(["geometric", "arithmetic"]), default="geometric", show_default=True,
              help="AIP 的均值 / the mean AIP uses")
@click.option("--expert-weights", "expert_weights_file", type=PathArg(dir_okay=False), default=None,
              help="专家权重文件（expert, weight）/ expert weights (columns expert, weight; or YAML id: weight)")
@click.option("--allow-incomplete", is_flag=True,
              help="允许不完整的答卷（缺失判断用 Harker 法补全）/ accept incomplete answers (completed by Harker's method)")
@click.option("--version", "new_version", default=None, metavar="TEXT",
              help="新版本号（默认自动递增）/ the new version (default: bumped)")
@click.option("--out", "out_file", required=True, type=PathArg(dir_okay=False),
              help="新版本指标体系 YAML / the new rubric version (YAML)")
@campaign_option
@encoding_option
@json_option
def aggregate(method: str, aip_mean: str, expert_weights_file: str | None, allow_incomplete: bool,
              new_version: str | None, out_file: str, campaign: str | None, encoding: str | None,
              as_json: bool) -> None:
    """集结并写出新版指标体系 / Aggregate the panel's judgements and write a new rubric version.

    AIJ: the weighted geometric mean of the experts' judgements is written as each
    node's `ahp:` judgements. AIP: the experts' priorities are aggregated and
    written as the children's direct weights (no group matrix exists). The round
    (id, experts, method, expert weights, date, audit head) is recorded in
    `sources:` and the version is bumped. Incomplete answers are refused unless
    --allow-incomplete.

    \b
    Example / 示例:
      tlr weights aggregate -C weights-2026 --method aij --out fund-screening-1.1.yaml
      tlr weights aggregate -C weights-2026 --method aip --expert-weights seniority.csv --out fs-aip.yaml
    """
    from tlr.app.weights import aggregate as agg
    from tlr.campaign.weighting_round import answers, round_nodes
    from tlr.errors import CampaignError
    from tlr.outputs import check_file, write_file

    check_file(out_file)
    if new_version is not None:
        from tlr.safetext import text_problem

        if not new_version.strip() or text_problem(new_version) or len(new_version) > 40:
            raise CampaignError(f"--version: 不是合法的版本号 / not a usable version {new_version[:40]!r}",
                                code="bad_version", hint="如 / e.g. 1.1.0")
    with _open(campaign) as ledger:
        _scope, nodes = round_nodes(ledger)
        experts = [e["id"] for e in ledger.experts()]
        got = answers(ledger)
        ew = (agg.read_expert_weights(expert_weights_file, experts, encoding=encoding)
              if expert_weights_file else None)
        gaps = agg.completeness(nodes, experts, got)
        result = agg.aggregate(nodes, experts, got, method=method, aip_mean=aip_mean, expert_weights=ew,
                               allow_incomplete=allow_incomplete)
        used = [e for e in experts if any(e in r["experts"] for r in result["nodes"])]
        head = ledger.audit_head()
        prov = agg.provenance(ledger.meta, result, used, ew, head[1] if head else "")
        rubric = ledger.rubric
        doc = agg.new_rubric_document(rubric, result, prov, new_version)
    from tlr.rubric import rubric_from_data

    checked = rubric_from_data(doc, out_file)   # the new version must load (raises RubricError otherwise)
    header = (f"{doc['id']} {doc['version']}: 权重由专家征询集结 / weights aggregated from a weighting round\n"
              f"tlr weights aggregate --method {method}; round {ledger.meta['campaign_id']}")
    write_file(out_file, agg.render_yaml(doc, header))
    info = {"written": out_file, "rubric": doc["id"], "version": doc["version"], "method": method,
            "aip_mean": result["aip_mean"], "experts": used, "incomplete": gaps if allow_incomplete else {},
            "nodes": result["nodes"], "warnings": [d.message for d in checked.warnings]}
    if as_json:
        echo_json(info)
        return
    click.echo(f"已生成 / written: {plain(out_file)} ({plain(doc['id'])} {plain(doc['version'])}, {method.upper()}, "
               f"{len(used)} 位专家 / experts)")
    for rec in result["nodes"]:
        w = ", ".join(f"{plain(k)} {v:.3f}" for k, v in rec["weights"].items())
        cr = f"; CR {rec['cr']:.3f}" if rec["cr"] is not None else ""
        div = rec["most_divergent"]
        click.echo(f"  {plain(rec['node'])}: {w}{cr}; 共识度 consensus {rec['consensus']:.2f}; 分歧最大 most divergent "
                   f"{plain(div['expert'])} ({div['distance']:.3f})")
        if rec["completed"]:
            click.echo(f"    补全 / completed by Harker's method: {', '.join(plain(e) for e in rec['completed'])}")
    for d in checked.warnings:
        click.echo(f"  ⚠ {plain(d.message)}")
