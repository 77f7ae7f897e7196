"""``tlr report`` and ``tlr demo``: the ranking as HTML and PDF, and the whole pipeline on the example."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tlr.cli.kit import (DRAWS, NON_NEGATIVE, SEED, PathArg, campaign_argument, command, console, echo_json,
                         echo_written, formats_option, json_option, lang_option)
from tlr.cli.kit.fund import fund_options


class _Steps:
    """Progress on stderr: a spinner on a terminal, plain lines otherwise (CI logs)."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.status = None

    def __enter__(self):
        if not self.quiet and sys.stderr.isatty():
            self.status = console(stderr=True).status("…")
            self.status.__enter__()
        return self

    def __call__(self, text: str) -> None:
        if self.quiet:
            return
        if self.status is not None:
            self.status.update(text.strip())
        elif not text.startswith("  "):
            click.echo(text, err=True)

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)


@command()
@campaign_argument
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False),
              help="报告写入的目录（只写这个目录）/ folder to write the reports into (only this folder is written)")
@formats_option
@click.option("--top", type=NON_NEGATIVE, default=None,
              help="项目简介页数（默认 30；0 = 不要）/ number of project profiles (default 30; 0 for none)")
@click.option("--templates", "templates_dir", type=PathArg(file_okay=False, exists=True), default=None,
              help="用这个目录中的 Jinja2 模板代替自带模板 / use these Jinja2 templates instead of the shipped ones")
@click.option("--organisation", default=None,
              help="封面上的发文单位 / issuing department shown on the cover")
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="权重蒙特卡洛抽样次数 / Monte Carlo weight draws")
@click.option("--seed", type=SEED, default=20240601, show_default=True,
              help="随机种子（同种子同报告）/ random seed (same seed, same report)")
@click.option("--data-json", is_flag=True,
              help="另写 report-data.json（报告背后的数据）/ also write report-data.json (the data behind the report)")
@click.option("--allow-unverified", is_flag=True,
              help="审计未通过时仍生成报告，每页标注“审计未通过” / Render even when `tlr audit verify` fails; every "
                   "page is stamped 'audit failed'.")
@click.option("--library", "followup_library", default=None, metavar="PATH", type=PathArg(exists=False),
              help="成果库：加入本轮成果的投后跟踪与回测 / the achievement library: adds this round's follow-up and "
                   "back-test (tlr follow-up)")
@click.option("--valuation", "valuation_path", default=None, type=PathArg(dir_okay=False),
              help="估值输入文件：加入估值章节（项目导入含估值列时自动加入）/ valuation inputs: adds the valuation "
                   "chapter (added anyway when the project import has valuation columns; see tlr value)")
@fund_options
@click.option("--portfolio", "portfolio_path", default=None, type=PathArg(dir_okay=False),
              help="加入资助组合一节（portfolio.yaml，需 --funds）/ add the portfolio section (portfolio.yaml; needs "
                   "--funds): tlr portfolio")
@click.option("--funds", "funds_path", default=None, type=PathArg(dir_okay=False),
              help="资金池（带 budget 的 funds.yaml，用于 --portfolio）/ the pools for --portfolio (funds.yaml)")
@click.option("--values", "values_path", default=None, type=PathArg(dir_okay=False),
              help="估值 JSON（tlr value --json，用于 --portfolio）/ the valuation JSON for --portfolio")
@lang_option
@json_option
def report(campaign: str | None, out_dir: str, formats: tuple[str, ...], top: int | None, templates_dir: str | None,
           organisation: str | None, draws: int, seed: int, data_json: bool, allow_unverified: bool,
           followup_library: str | None,
           budget: float | None, objective: str, fundable_tiers: str | None, cost_column: str | None,
           industries: str | None, min_trl: int | None, max_ticket: float | None, industry_cap: int | None,
           portfolio_path: str | None, funds_path: str | None, values_path: str | None,
           lang: str, as_json: bool, valuation_path: str | None = None) -> int:
    """评价报告 / Render the ranking report of a campaign as HTML and PDF.

    Cover, executive summary, the full ranked table, tier sections, the methodology
    and an audit appendix stating the rubric and data hashes and the tool
    version, then a profile per top project (the last appendix). The same ledger
    gives the same report. The audit
    trail is verified first: a ledger that fails `tlr audit verify` is refused
    (exit 2) unless --allow-unverified, which stamps every page.
    With --budget (and the other fund options of `tlr rank`) it adds the
    资金安排建议 / budget selection section: candidates, objective and its known
    failure, the selection against the rank-order fill, every fundable
    project left out with its reason and swap, and the efficient frontier.

    \b
    Example / 示例:
      tlr report round-2026 --out reports/ --format html,pdf --lang zh --top 20
      tlr report -C round-2026 --out reports/ --budget 5000 --min-trl 5
    """
    from tlr.outputs import check_folder

    names = [f"report.{f}" for f in formats] + (["report-data.json"] if data_json else [])
    check_folder(out_dir, names=names)  # before the ranking: a bad --out fails at once
    from tlr.app.audit_gate import check_audit
    from tlr.app.report_data import build_report_data
    from tlr.campaign import open_campaign
    from tlr.app.evaluation import evaluate_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.report.render import render_report

    ledger = open_campaign(campaign)
    click.get_current_context().call_on_close(ledger.close)  # checkpoint and close when the command ends
    if followup_library:   # a bad --library fails before the ranking
        from tlr.library.store import open_library

        open_library(followup_library).close()
    portfolio_inputs = None
    if portfolio_path is not None or funds_path is not None or values_path is not None:
        from tlr.app.report_portfolio import read_inputs as read_portfolio_inputs

        portfolio_inputs = read_portfolio_inputs(ledger, portfolio_path, funds_path, values_path)  # before the work
    audit = check_audit(ledger, allow_unverified=allow_unverified)
    valuation_inputs = None
    if valuation_path is not None:   # read before the (slow) ranking: a bad file fails at once
        from tlr.app.valuation import read_inputs

        valuation_inputs = read_inputs(valuation_path)
    with _Steps(as_json) as step:
        step("排序与稳健性分析 / ranking")
        evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=draws, seed=seed), progress=step)
        selection = None
        if budget is not None:
            from tlr.cli.kit.fund import run_selection

            step("资金安排 / budget selection")
            selection = run_selection(evaluation, {p["id"]: p for p in ledger.projects()}, budget=budget,
                                      objective=objective, fundable_tiers=fundable_tiers, cost_column=cost_column,
                                      industries=industries, min_trl=min_trl, max_ticket=max_ticket,
                                      industry_cap=industry_cap, lang=lang)
        from tlr.app.report_valuation import campaign_valuation, has_inputs

        valuation = campaign_valuation(ledger, evaluation, inputs=valuation_inputs, draws=draws, seed=seed,
                                       audit=audit)
        if valuation is None and has_inputs(ledger):
            click.echo("估值章节未加入：导入的估值列有无法读取的值（运行 tlr value 查看）/ valuation chapter left out: "
                       "the import's valuation columns hold values that do not read (run tlr value)", err=True)
        data = build_report_data(ledger, evaluation, lang=lang, organisation=organisation, audit=audit,
                                 followup_library=followup_library or None, valuation=valuation)
        if selection is not None:
            from tlr.report.from_selection import selection_section

            data = type(data).model_validate({**data.model_dump(), "selection": selection_section(selection)})
        if portfolio_inputs is not None:
            from tlr.app.report_portfolio import section_for, with_valuation

            if portfolio_inputs["values"] is None and valuation is not None:   # the chapter's own numbers
                portfolio_inputs = with_valuation(portfolio_inputs, valuation)

            step("资助组合 / portfolio")
            data = type(data).model_validate({**data.model_dump(),
                                              "portfolio": section_for(ledger, evaluation, portfolio_inputs, audit,
                                                                       lang)})
        step("生成报告 / rendering")
        written = render_report(data, out_dir, formats=formats, lang=lang, top=top, templates_dir=templates_dir,
                                progress=lambda stage, done, total: step(f"{stage} {done}/{total}"))
        if data_json:
            from tlr.outputs import write_file
            from tlr.report.render import output_path

            written.append(write_file(output_path(out_dir, "report-data.json"), data.model_dump_json(indent=2) + "\n"))
    echo_written(written, as_json)
    return 0


@command()
@click.option("--out", "out_dir", default="demo-out", show_default=True, type=PathArg(file_okay=False),
              help="新目录，存放批次、评分与报告 / fresh folder for the campaign, answers and reports")
@click.option("--force", is_flag=True,
              help="替换 --out 中以前的演示输出（只删 tlr 写的文件；有其他文件则拒绝）/ replace a previous demo output "
                   "in --out (deletes only files tlr wrote; refuses if anything else is there)")
@formats_option
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="权重蒙特卡洛抽样次数 / Monte Carlo weight draws")
@lang_option
@json_option
def demo(out_dir: str, force: bool, formats: tuple[str, ...], draws: int, lang: str, as_json: bool) -> int:
    """演示 / Run the whole pipeline on the bundled example round and say where the reports are.

    Creates a campaign under the fund screening rubric, imports 58 projects and 12
    experts, assigns experts while honouring conflicts of interest, imports the
    assigned experts' answers, records a late recusal and four TRL assessments,
    ranks with rank-robustness analysis and renders the HTML and PDF reports.
    Then the four batches beyond one round: the same programme a year later
    (round-2027), the achievement library across both rounds, the enterprise
    demand list, matching both ways (matches.json) and push lists per
    sub-fund and region with the matched demands (push/).

    \b
    Example / 示例:
      tlr demo --out demo-out
      tlr demo --out demo-en --lang en --format html
    """
    from tlr.app.demo import run_demo

    with _Steps(as_json) as step:
        result = run_demo(out_dir, lang=lang, formats=formats, force=force, draws=draws, step=step)
    if as_json:
        b = result.batches
        echo_json({"out": str(result.out), "campaign": str(result.campaign), "ranking": str(result.ranking_json),
                   "valuation": str(result.valuation_json) if result.valuation_json else None,
                   "portfolio": str(result.portfolio_json) if result.portfolio_json else None,
                   "reports": [str(p) for p in result.reports], "counts": result.counts,
                   "batches": {"next_round": str(b["next_round"]), "library": str(b["library"]),
                               "demands": b["demands"], "follow_up_events": b["follow_up"],
                               "matches": str(b["matches"]), "pairs": b["pairs"],
                               "unanswered_demands": b["unanswered"],
                               "rounds": [{k: r[k] for k in ("year", "head", "verified") if k in r} for r in b["rounds"]],
                               "push_index": str(b["push_index"]) if b["push_index"] else None} if b else None})
        return 0
    c = result.counts
    click.echo(f"完成 / done: {c['projects']} 个项目 / projects, {c['experts']} 位专家 / experts, "
               f"{c['answers']} 条评分 / answers, {c['assessments']} 份就绪度评估 / TRL assessments")
    click.echo(f"评价批次 / campaign:  {result.campaign}")
    click.echo(f"排序结果 / ranking:   {result.ranking_json}")
    if result.valuation_json:
        click.echo(f"成果估值 / valuation: {result.valuation_json}")
    if result.portfolio_json:
        click.echo(f"资助组合 / portfolio: {result.portfolio_json}")
    for path in result.reports:
        click.echo(f"报告 / report:        {path}")
    here = Path.cwd()
    rel = _rel(result.campaign, here)
    b = result.batches
    if b:
        click.echo(f"第二轮 / next round:  {b['next_round']}")
        click.echo(f"成果库 / library:     {b['library']} （{b['demands']} 条企业需求 / enterprise demands; "
                   f"{b['follow_up']} 条投后跟踪记录 / follow-up events）")
        click.echo(f"需求对接 / matches:   {b['matches']} （{b['pairs']} 对 / pairs; {b['unanswered']} 条需求无合适成果 / "
                   f"demands with no good match）")
        if b["push_index"]:
            click.echo(f"推送清单 / push lists: {b['push_index']}")
    click.echo(f"下一步 / next: tlr rank {rel} · tlr explain {rel} P2026-021 · tlr agreement {rel}")
    if b:
        lib = _rel(b["library"], here)
        click.echo(f"          tlr library show P2026-004 --library {lib} · tlr match --library {lib} --by achievement")
    return 0


def _rel(path: Path, here: Path) -> Path:
    try:
        return Path(path).relative_to(here)
    except ValueError:
        return Path(path)
