"""``tlr portfolio``: fund the campaign's projects from several pools over several years, exactly."""

from __future__ import annotations

import click

from tlr.cli.kit import DRAWS, SEED, Integer, PathArg, campaign_argument, command, echo_json, json_option, lang_option

OBJECTIVES = ("above-line", "value-for-money", "rnpv")   # = tlr.portfolio.spec.OBJECTIVES (no pydantic here)
SUMMARISED = {
    "no_pool": ("另有 {n} 项不符合任何资金池的投向（原因见 --json）", "{n} more fit no pool's mandate (why: --json)"),
    "blocked_knocked_out": ("{n} 项触发一票否决", "{n} knocked out by a gate"),
    "blocked_unscored": ("{n} 项无人评分", "{n} not scored"),
}
CHARTS = ("portfolio-value-for-money.png", "portfolio-frontier.png", "portfolio.json")


@command()
@campaign_argument
@click.option("--funds", "funds_path", required=True, type=PathArg(dir_okay=False),
              help="资金池：funds.yaml 中带 budget 的子基金（格式见 docs/portfolio.md）/ the pools: the funds of "
                   "funds.yaml with a budget (docs/portfolio.md)")
@click.option("--spec", "spec_path", required=True, type=PathArg(dir_okay=False),
              help="组合规则 portfolio.yaml：年份、目标、分笔、配额、依赖、互斥、部分资助、必选/必排 / the committee's "
                   "rules (portfolio.yaml): years, objective, tranches, quotas, dependencies, exclusions, partial "
                   "funding, must-include/exclude")
@click.option("--values", "values_path", default=None, type=PathArg(dir_okay=False),
              help="估值：`tlr value --json` 的结果（rnpv 与 value-for-money 目标需要）/ the valuation JSON of "
                   "`tlr value --json` (needed by the rnpv and value-for-money objectives)")
@click.option("--objective", type=click.Choice(OBJECTIVES), default=None,
              help="覆盖 portfolio.yaml 的目标 / override the objective of portfolio.yaml")
@click.option("--frontier", "frontier_points", type=Integer(0, 200), default=0, show_default=True,
              help="有效前沿的点数（各池预算 × 0..2）/ points of the efficient frontier (every budget × scale in "
                   "(0, 2]); 0: none")
@click.option("--out", "out_dir", default=None, type=PathArg(file_okay=False),
              help="写入性价比图、前沿图（PNG）与 portfolio.json 的目录 / folder for the value-for-money and "
                   "frontier charts (PNG) and portfolio.json")
@click.option("--draws", type=DRAWS, default=2_000, show_default=True,
              help="权重蒙特卡洛抽样次数 / Monte Carlo weight draws of the evaluation")
@click.option("--seed", type=SEED, default=20240601, show_default=True, help="随机种子 / random seed")
@click.option("--allow-unverified", is_flag=True,
              help="审计未通过时仍输出，并标注“审计未通过” / produce results even when `tlr audit verify` fails, "
                   "stamped 'audit failed'")
@lang_option
@json_option
def portfolio(campaign: str | None, funds_path: str, spec_path: str, values_path: str | None, objective: str | None,
              frontier_points: int, out_dir: str | None, draws: int, seed: int, allow_unverified: bool, lang: str,
              as_json: bool) -> int:
    """资助组合 / Portfolio: which projects each pool funds, year by year, exactly.

    Several pools (the funds of funds.yaml with a `budget:` per year, each
    with its mandate), staged tranches (later tranches counted at expected cost:
    amount × probability of reaching the milestone TRL, or in full with
    budget_use: worst-case), quotas, dependencies, exclusions, partial funding
    and must-include/exclude (portfolio.yaml). Solved as one mixed-integer
    program (HiGHS), the gap reported. When no portfolio satisfies the rules,
    the conflicting rules are named with their file and line (exit 2). The
    audit trail is verified first. docs/portfolio.md.

    \b
    Example / 示例:
      tlr portfolio round-2026 --funds funds.yaml --spec portfolio.yaml
      tlr portfolio round-2026 --funds funds.yaml --spec portfolio.yaml --values value.json --objective rnpv
      tlr portfolio round-2026 --funds funds.yaml --spec portfolio.yaml --frontier 20 --out portfolio/ --json
    """
    from tlr.outputs import check_folder

    if out_dir is not None:
        check_folder(out_dir, names=CHARTS)
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.portfolio import build_portfolio, read_values, spec_vocabulary
    from tlr.app.push import vocabulary
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.portfolio.spec import load_spec
    from tlr.push.model import load_funds

    ledger = open_campaign(campaign)
    click.get_current_context().call_on_close(ledger.close)
    funds = load_funds(funds_path, vocabulary(ledger.rubric))        # inputs first: errors before the evaluation
    spec = load_spec(spec_path, spec_vocabulary(ledger))
    values = source = None
    if values_path is not None:
        from tlr.outputs import sha256_file

        values = read_values(values_path)
        source = {"path": values_path, "sha256": sha256_file(values_path)}
    audit = check_audit(ledger, allow_unverified=allow_unverified)
    evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=draws, seed=seed))
    data = build_portfolio(ledger, evaluation, funds, spec, values=values, values_source=source, objective=objective,
                           frontier_points=frontier_points, audit=audit, lang=lang)
    written = []
    if out_dir is not None:
        from tlr.app.portfolio_charts import write_outputs

        written = write_outputs(data, out_dir, lang)
        data["files"] = written
    if as_json:
        echo_json(data)
    else:
        print_portfolio(data, lang)
        for f in written:
            click.echo(f"{f['path']}")
    return 0


def print_portfolio(data: dict, lang: str) -> None:
    from tlr.cli.kit import console, new_table, print_table, safe

    out = console()
    key = "zh" if lang == "zh" else "en"
    zh = lang == "zh"
    if data.get("stamp"):
        out.print(f"[bold red]{data['stamp'][key]}[/bold red]")
    out.print(f"[bold]{'资助组合' if zh else 'Portfolio'}[/bold] — {data['objective']}: {data['objective_text'][key]}")
    out.print(("已知缺陷：" if zh else "Known failure: ") + data["failure_mode"][key])
    gap = data["mip_gap"]
    out.print(("状态 " if zh else "status ") + f"{data['status']}, gap {gap:.2e} (≤ {data['gap_asked']:g}), "
              + ("目标值 " if zh else "value ") + f"{data['value']:.4g}; "
              + ("入选 " if zh else "funded ") + f"{data['funded']}, "
              + ("承诺 " if zh else "committed ") + f"{data['total_committed']:g} 万元 / "
              + ("预算合计 " if zh else "budgets ") + f"{data['budget_total']:g} 万元")
    years = [str(y) for y in data["years"]]
    for pool in data["pools"]:
        name = pool["name"].get(key) or pool["id"]
        use = "; ".join(f"{y}: {pool['years'][y]['counted']:g}/{pool['years'][y]['budget']:g}" for y in years)
        out.print(f"\n[bold]{safe(pool['id'])} {safe(name)}[/bold]  {use}")
        rows = [[p["rank"], safe(f"{p['project']} {p['name'] or ''}"), f"{p['ticket']:g}",
                 f"{p['share']:.0%}", f"{p['value']:.4g}"] + [f"{p['by_year'][y]['counted']:g}" for y in years]
                for p in pool["projects"]]
        print_table(["#", "项目 / project", "申请 / ask", "比例 / share", "价值 / value"] + years, rows)
    if data["quotas"]:
        rows = [[safe(q["id"]), q["measure"], "—" if q["min"] is None else f"{q['min']:g}",
                 "—" if q["max"] is None else f"{q['max']:g}", f"{q['achieved']:.4g}", ",".join(q["binding"]) or ""]
                for q in data["quotas"]]
        print_table(["配额 / quota", "measure", "min", "max", "achieved", "binding"], rows)
    if data["left_out"]:
        out.print(f"\n[bold]{'未入选' if zh else 'Left out'}[/bold]")
        summary: dict[str, int] = {}
        for item in data["left_out"]:
            if item["reason"] in SUMMARISED:
                summary[item["reason"]] = summary.get(item["reason"], 0) + 1
                continue
            out.print(f"  {safe(item['project'])} {safe(item['name'] or '')}: {safe(item['text'][key])}")
        for reason, n in summary.items():
            out.print(f"  {SUMMARISED[reason][0 if zh else 1].format(n=n)}")
    if data.get("no_value"):
        out.print(("\n无估值的项目不能在 rNPV 目标下入选：" if zh else "\nProjects without a value cannot be chosen "
                   "under an rNPV objective: ") + ", ".join(safe(x["project"]) for x in data["no_value"]))
    front = data.get("frontier")
    if front:
        pts = ", ".join(f"{p['budget']:.0f}→{'—' if p['value'] is None else format(p['value'], '.4g')}"
                        for p in front["points"])
        out.print(("\n有效前沿（预算合计→最优值）：" if zh else "\nFrontier (total budget → best value): ") + pts)
