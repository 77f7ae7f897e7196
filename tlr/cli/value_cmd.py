"""``tlr value``: each project's value as a range — rNPV over readiness stages, income approach, cost floor."""

from __future__ import annotations

import click

from tlr.cli.kit import (
    DRAWS,
    SEED,
    Integer,
    PathArg,
    campaign_argument,
    command,
    echo_json,
    encoding_option,
    json_option,
    lang_option,
    print_table,
)

FILE_SUFFIXES = (".csv", ".xlsx", ".json", ".yaml", ".yml")


def _money(x) -> str:
    return "" if x is None else f"{x:,.0f}"


def _pct(x) -> str:
    return "" if x is None else f"{100 * x:.0f}%"


@command()
@campaign_argument
@click.option("--inputs", "inputs_path", default=None, type=PathArg(dir_okay=False),
              help="估值输入文件（YAML、CSV 或 XLSX，按项目编号；优先于导入的列）/ valuation inputs by project id "
                   "(YAML, CSV or XLSX; they win over the import's columns)")
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="蒙特卡洛抽样次数 / Monte Carlo draws")
@click.option("--seed", type=SEED, default=20240601, show_default=True, help="随机种子 / random seed")
@click.option("--distribution", type=click.Choice(["triangular", "pert"]), default=None,
              help="区间输入的分布（默认取评价体系，否则三角分布）/ distribution of ranged inputs (default: the "
                   "rubric's, else triangular)")
@click.option("--top", type=Integer(1, 1_000_000), default=None,
              help="只显示 rNPV 最高的 N 个项目 / show only the N projects of highest rNPV")
@click.option("--allow-unverified", is_flag=True,
              help="审计未通过时仍估值，输出标注“审计未通过” / value even when `tlr audit verify` fails; the output "
                   "is stamped 'audit failed'")
@encoding_option
@lang_option
@json_option
def value(campaign: str | None, inputs_path: str | None, draws: int, seed: int, distribution: str | None,
          top: int | None, allow_unverified: bool, encoding: str | None, lang: str, as_json: bool) -> int:
    """估值区间 / Each project's value as a range (万元).

    rNPV: a decision tree over the readiness stages still ahead (cost, duration,
    probability of success per stage; packaged defaults by TRL with sources and
    confidence, overridable in the rubric's `valuation:` section), then profits
    = market size x share x margin. Inputs given as ranges (800~2000 or
    800~1200~2000) are sampled: P10/P50/P90 and P(rNPV > 0). Also the income
    approach (收益法, revenue share 分成率), the cost floor (重置成本 x 成新率) and
    the price interval between them. Inputs come from --inputs, else the
    projects' imported columns (市场规模（万元）, 市场份额, 毛利率, 研发投入（万元）,
    分成率, 重置成本（万元）, 成新率); a project without them is listed with what
    is missing, never valued as zero. CAMPAIGN may also be a plain inputs table
    (CSV/XLSX/YAML with a TRL column) without a campaign. Method: docs/valuation.md.

    \b
    Example / 示例:
      tlr value round-2026 --inputs examples/round-2026/valuation.csv
      tlr value round-2026 --inputs valuation.yaml --json --seed 7
      tlr value valuation-table.csv --top 10
    """
    from pathlib import Path

    target = campaign
    is_file = target is not None and Path(target).suffix.lower() in FILE_SUFFIXES and not Path(target).is_dir()
    if is_file:
        if inputs_path is not None:
            raise click.UsageError("给了输入表时不再用 --inputs / with an inputs table as TARGET, leave out --inputs")
        from tlr.app.valuation import value_file

        result = value_file(target, draws=draws, seed=seed, distribution=distribution, encoding=encoding)
    else:
        from tlr.app.valuation import value_campaign

        result = value_campaign(target, inputs_path=inputs_path, draws=draws, seed=seed, distribution=distribution,
                                allow_unverified=allow_unverified, encoding=encoding)
    doc = result.to_dict()
    if as_json:
        echo_json(doc)
        return 0
    _print(doc, top, lang)
    return 0


def _print(doc: dict, top: int | None, lang: str) -> None:
    from tlr.app.valuation import INPUTS
    from tlr.cli.kit import plain

    if doc.get("stamp"):
        click.echo(f"【{doc['stamp']['zh']} / {doc['stamp']['en']}】")
    rows = sorted(doc["projects"], key=lambda p: (p["rnpv"] is None, -(p["rnpv"] or {}).get("mean", 0.0)))
    shown = rows[:top] if top else rows
    headers = ["项目 / Project", "TRL", "上市概率 / P(market)", "rNPV 均值 / mean", "P10", "P50", "P90", "P(>0)",
               "收益法 / Income", "成本下限 / Cost floor", "价格区间 / Interval", "缺少 / Missing"]
    table = []
    for p in shown:
        r = p["rnpv"] or {}
        names = [(INPUTS[m][0] if lang == "zh" else INPUTS[m][1]) if m in INPUTS else m.upper() for m in p["missing"]]
        interval = p["interval"]
        table.append([plain(f"{p['id']} {p['name'] or ''}".strip()), "" if p["trl"] is None else str(p["trl"]),
                      _pct(p["p_market"]), _money(r.get("mean")), _money(r.get("p10")), _money(r.get("p50")),
                      _money(r.get("p90")), _pct(r.get("p_positive")),
                      _money((p["income"] or {}).get("value")), _money(p["cost_floor"]),
                      (f"{_money(interval[0])}–{_money(interval[1])}" + ("!" if p.get("interval_note") else ""))
                      if interval else "", "、".join(names)])
    m = doc["method"]
    print_table(headers, table, title=f"估值（万元）/ Valuation (万元) — {m['draws']} 次抽样 / draws, 种子 / seed "
                                      f"{m['seed']}, {m['distribution']}")
    priced = sum(1 for p in doc["projects"] if p["rnpv"] is not None)
    click.echo(f"已估值 / valued: {priced} / {len(doc['projects'])}；折现率 / discount rate "
               f"{m['discount_rate']['mode']:.0%} ({m['discount_rate']['source']})；收益法折现率 / income rate "
               f"{m['income_rate']['value']:.1%}")
    if any(p.get("interval_note") for p in shown):
        click.echo("! 收益法价值低于成本下限：收益难以收回成本 / the income value is below the cost floor: earnings do not "
                   "recover the cost")
