"""``tlr follow-up``: follow-up of funded achievements (投后跟踪) — import outcomes, show one, back-test a round.

The events live in the achievement library (``--library PATH``) or, when no library exists yet, in the campaign
(``-C CAMPAIGN``); exactly one of the two. See docs/library.md, "Follow-up".
"""

from __future__ import annotations

import click

from tlr.cli.kit import (ID, PathArg, Integer, SEED, echo_json, encoding_option, group, json_option, lang_option,
                         plain, print_table, problems_as_json)
from tlr.cli.kit.options import CAMPAIGN_HELP, LIBRARY_HELP

DRAWS = Integer(200, 100_000)


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from tlr.library.followup import parse_date

        day = parse_date(str(value))
        if day is None:
            self.fail(f"“{plain(str(value))[:40]}”不是日期，写作 2027-12-31 / not a date: write it as 2027-12-31",
                      param, ctx)
        return day


DATE = IsoDate()


def store_options(f):
    f = click.option("--campaign", "-C", "campaign", default=None, metavar="DIR", type=PathArg(exists=False),
                     help="尚无成果库时：评价批次 / when there is no library yet: the campaign. " + CAMPAIGN_HELP)(f)
    return click.option("--library", "library", default=None, metavar="PATH", type=PathArg(exists=False),
                        help=LIBRARY_HELP)(f)


def _target(library, campaign):
    """The store ``--library`` or ``-C`` names, closed when the command ends."""
    from tlr.app.followup import open_target

    return click.get_current_context().with_resource(open_target(library, campaign))


def _num(x, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


@group("follow-up")
def follow_up() -> None:
    """投后跟踪：成果的里程碑、技术就绪水平、后续投资、合同与收入，以及回测 / Follow-up of funded achievements:
    milestones, TRL reached with evidence, follow-on investment, contracts, revenue, and the back-test.

    \b
    Example / 示例:
      tlr follow-up import 投后跟踪2027.csv --library library.sqlite --as-of 2027-12-31
      tlr follow-up show P2026-004 --library library.sqlite
      tlr follow-up backtest --library library.sqlite --round round-2026
    """


@follow_up.command("import")
@click.argument("file", type=PathArg(dir_okay=False))
@store_options
@click.option("--as-of", "as_of", type=DATE, default=None, help="截止日：晚于它的日期被拒绝（默认今天）/ the as-of "
                                                                 "date: later dates are refused (default: today)")
@click.option("--dry-run", is_flag=True, help="只检查不导入 / check only, import nothing")
@encoding_option
@json_option
def followup_import(file, library, campaign, as_of, dry_run, encoding, as_json) -> None:
    """导入投后跟踪记录（CSV/XLSX/JSON，全有或全无）/ Import follow-up events, all-or-nothing.

    Headers (Chinese or English): 成果编号*, 日期* (2027-03-15), 类型* (里程碑 / 技术就绪水平 / 后续投资 / 合同 /
    收入, or milestone / trl / investment / contract / revenue), 金额（万元）, 技术就绪水平, 证据, 证据文件SHA256,
    评定人, 对方单位, 期间, 说明/备注, 事件编号. Each kind needs its own columns (trl: level, evidence, assessor;
    investment and contract: amount, counterparty; revenue: amount, period; milestone: 说明). Every problem is
    listed with row and column; nothing is imported then (exit 2). Rows already recorded are skipped, so the same
    sheet can be imported again after rows are added; an event id recorded with other values is refused.

    \b
    Example / 示例:
      tlr follow-up import examples/follow-up.csv --library library.sqlite --as-of 2027-12-31 --dry-run
      tlr follow-up import 投后跟踪.xlsx -C round-2026
    """
    from tlr.library.followup import import_followup

    with problems_as_json(as_json):
        result = import_followup(_target(library, campaign), file, as_of=as_of, dry_run=dry_run, encoding=encoding)
    if as_json:
        echo_json({"ok": True, **result})
        return
    verb = "检查通过 / checked" if dry_run else "已导入 / imported"
    enc = f"（编码 / encoding: {result['encoding']}）" if result["encoding"] else ""
    click.echo(f"{verb} {result['imported']} 条新记录 / new events from {plain(file)}{enc}; "
               f"{result['already']} 条已记录，跳过 / already recorded, skipped")


KIND_SHOWN = {"milestone": "里程碑 milestone", "trl": "TRL", "investment": "后续投资 investment",
              "contract": "合同 contract", "revenue": "收入 revenue"}


@follow_up.command("show")
@click.argument("achievement_id", type=ID, metavar="ID")
@store_options
@click.option("--as-of", "as_of", type=DATE, default=None, help="只看此日前的记录 / events up to this date")
@json_option
def followup_show(achievement_id, library, campaign, as_of, as_json) -> None:
    """一项成果的投后时间线、TRL 路径与金额合计 / One achievement's dated timeline, TRL path and totals.

    \b
    Example / 示例:
      tlr follow-up show P2026-004 --library library.sqlite
      tlr follow-up show P2026-004 -C round-2026 --json
    """
    from tlr.app.followup import show

    data = show(_target(library, campaign), achievement_id, as_of=as_of)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{plain(data['achievement'])}  {plain(data['name'])} — {plain(data['applicant'])}")
    base = data["baseline_trl"]
    click.echo(f"基线 / baseline: TRL {base if base is not None else '—'}（{plain(data['baseline_round'] or '—')}）; "
               f"截止 / as of {data['as_of']}")
    rows = []
    for e in data["timeline"]:
        if e["kind"] == "trl":
            what = f"TRL {e['trl']} — {e['evidence'] or 'sha256:' + e['evidence_sha256'][:12]}（{e['assessor']}）"
        elif e["kind"] == "milestone":
            what = e["note"]
        else:
            what = f"{_num(e['amount'])} 万元" + (f" · {e['counterparty']}" if e["counterparty"] else "") + \
                   (f" · {e['period']}" if e["period"] else "")
        rows.append([e["date"], KIND_SHOWN[e["kind"]], what, e["note"] if e["kind"] != "milestone" else ""])
    print_table(["日期 / date", "类型 / kind", "内容 / what", "说明 / note"], rows)
    path = " → ".join([str(base) if base is not None else "?"] + [str(p["reached"]) for p in data["trl_path"]])
    click.echo(f"TRL 路径 / path: {path}" + (f"（+{data['trl_gain']}）" if data["trl_gain"] else ""))
    t = data["totals"]
    click.echo(f"合计 / totals: 后续投资 / follow-on {_num(t['investment'])} 万元, 合同 / contracts "
               f"{_num(t['contract'])} 万元, 收入 / revenue {_num(t['revenue'])} 万元")


STATUS = {"too_few": "样本过少 / too few", "constant": "无差异 / constant", "small": "小样本 / small n", "ok": ""}


@follow_up.command("backtest")
@store_options
@click.option("--round", "round_name", type=ID, default=None, metavar="NAME",
              help="回测的轮次（默认：首条记录之前最近的评价轮次）/ the round to test (default: the latest evaluated "
                   "round before the first event)")
@click.option("--since", type=DATE, default=None, help="窗口起点（默认轮次次年 1 月 1 日）/ window start (default: "
                                                        "1 January after the round's year)")
@click.option("--as-of", "as_of", type=DATE, default=None, help="截止日（默认今天或最新记录）/ as-of date (default: "
                                                                 "today or the latest event)")
@click.option("--stages", "stages_path", type=PathArg(dir_okay=False), default=None,
              help="阶段默认值 YAML（默认估值模块自带）/ stage defaults YAML (default: the valuation's)")
@click.option("--draws", type=DRAWS, default=4000, show_default=True, help="自助法重抽样次数 / bootstrap resamples")
@click.option("--seed", type=SEED, default=2027, show_default=True, help="随机种子 / random seed")
@lang_option
@json_option
def followup_backtest(library, campaign, round_name, since, as_of, stages_path, draws, seed, lang, as_json) -> None:
    """回测：轮次排序能否预测成果的后续表现；各阶段成功概率的贝叶斯更新 / Back-test: does the round's ranking
    predict outcomes? And the stage success probabilities updated from what was observed.

    Spearman's ρ of the composite and of each dimension with TRL gain, follow-on investment, contracts and
    revenue, over the achievements followed up, with a 90 % bootstrap interval and n. Fewer than 8: not
    computed; fewer than 20: a direction only. Each readiness stage: entered, completed, censored at the as-of
    date, and its success probability prior (valuation default) → posterior.

    \b
    Example / 示例:
      tlr follow-up backtest --library library.sqlite --round round-2026 --as-of 2027-12-31
      tlr follow-up backtest -C round-2026 --json
    """
    from tlr.app.followup import run_backtest

    data = run_backtest(_target(library, campaign), round_name=round_name, since=since, as_of=as_of, stages_path=stages_path,
                        draws=draws, seed=seed)
    if as_json:
        echo_json(data)
        return
    w = data["window"]
    click.echo(f"轮次 / round {plain(data['round']['name'])}（{data['round']['achievements']} 项 / achievements）; "
               f"窗口 / window {w['since'] or '—'} … {w['as_of']}; 有跟踪记录 / followed: n = {data['followed']}")
    click.echo(f"规则 / rule: {data['rule']['text'][lang]}")
    labels = {s["id"]: s["label"].get(lang) or s["id"] for s in data["scores"]}
    mlabels = {m["id"]: m["label"][lang] for m in data["measures"]}
    print_table(["得分 / score", "成果指标 / outcome", "n", "ρ", "90% CI", "说明 / note"],
                [[labels[c["score"]], mlabels[c["outcome"]], c["n"], _num(c["rho"], 2),
                  "—" if not c["ci"] else f"[{c['ci'][0]:.2f}, {c['ci'][1]:.2f}]", STATUS[c["status"]]]
                 for c in data["correlations"]])
    m = data["multiplicity"]
    if m["computed"]:
        click.echo(f"{m['excluding_zero']} / {m['computed']} 个区间不含 0；纯属偶然时约 {m['expected_by_chance']:.1f} 个 / "
                   f"{m['excluding_zero']} of {m['computed']} intervals exclude 0; chance alone gives about "
                   f"{m['expected_by_chance']:.1f}")
    if data["stages"] is None:
        click.echo(f"阶段概率 / stage probabilities: {data['stage_source']['note']}")
        return
    print_table(["阶段 / stage", "TRL", "进入 / entered", "完成 / done", "删失 / censored", "先验 / prior (90%)",
                 "后验 / posterior (90%)"],
                [[s["stage"], f"{s['from_trl']}→{s['to_trl']}", s["entered"], s["completed"], s["censored"],
                  f"{s['prior']['mean']:.2f} [{s['prior']['low']:.2f}, {s['prior']['high']:.2f}]",
                  f"{s['posterior']['mean']:.2f} [{s['posterior']['low']:.2f}, {s['posterior']['high']:.2f}]"]
                 for s in data["stages"]])
