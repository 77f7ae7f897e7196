"""``tlr push``: recommendation packs per sub-fund and per recipient (推送清单), from the report's evaluation."""

from __future__ import annotations

import click

from tlr.cli.kit import (
    DRAWS,
    Integer,
    encoding_option,
    SEED,
    PathArg,
    campaign_argument,
    command,
    echo_json,
    formats_option,
    json_option,
    lang_option,
    plain,
)


@command()
@campaign_argument
@click.option("--funds", "funds_path", required=True, type=PathArg(dir_okay=False),
              help="子基金与推送对象文件（funds.yaml，格式见 docs/push.md）/ the sub-funds and recipients (funds.yaml, "
                   "format in docs/push.md)")
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False),
              help="推送清单写入的目录（只写这个目录）/ folder to write the packs into (only this folder is written)")
@formats_option
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="权重蒙特卡洛抽样次数（与报告相同）/ Monte Carlo weight draws (as for the report)")
@click.option("--seed", type=SEED, default=20240601, show_default=True,
              help="随机种子（与报告相同）/ random seed (as for the report)")
@click.option("--allow-unverified", is_flag=True,
              help="审计未通过时仍生成，每页标注“审计未通过” / write the packs even when `tlr audit verify` fails; "
                   "every page is stamped 'audit failed'.")
@click.option("--demands", "demands_path", default=None, type=PathArg(dir_okay=False),
              help="企业技术需求清单：每项成果附上与之对接的需求（tlr match 的规则）/ an enterprise demand list: each "
                   "achievement shows the demands it matches (the rules of tlr match)")
@click.option("--library", "library", default=None, metavar="PATH", type=PathArg(exists=False),
              help="成果库：以其中待对接的需求对接（未给 --demands 时），并附上成果的投后跟踪 / the achievement library: "
                   "match its open demands (when --demands is not given) and show each achievement's follow-up")
@click.option("--top-demands", type=Integer(1, 20), default=3, show_default=True,
              help="每项成果列出的对接需求数 / matched demands shown per achievement")
@click.option("--valuation", "valuation_path", default=None, type=PathArg(dir_okay=False),
              help="估值输入文件：每项成果附估值页（项目导入含估值列时自动附上；见 tlr value）/ valuation inputs: each "
                   "achievement gets its valuation page (added anyway when the project import has valuation columns; "
                   "see tlr value)")
@encoding_option
@lang_option
@json_option
def push(campaign: str | None, funds_path: str, out_dir: str, formats: tuple[str, ...], draws: int, seed: int,
         allow_unverified: bool, demands_path: str | None, library: str | None, top_demands: int,
         encoding: str | None, lang: str, as_json: bool, valuation_path: str | None = None) -> int:
    """推送清单 / Push lists: a recommendation pack per sub-fund and per recipient.

    For each sub-fund of funds.yaml, the evaluated achievements that fit its
    mandate (industries, regions, readiness range, ticket range, routes, tiers);
    for each city, county, zone or incubator, the achievements located in its
    places. Each pack is an HTML and PDF document (the mandate, the list with
    tier, score, readiness and its source, route, ask and region, and each
    achievement's one-page profile from the report) plus a CSV and an XLSX list.
    With --demands (or --library), each achievement also shows the enterprise
    demands it matches best (tlr match). An index page and an unplaced list (achievements in no sub-fund, with the
    nearest sub-fund and why each missed) are written too. Rules: docs/push.md. The evaluation is the report's (same
    --draws and --seed); the audit trail is verified first (exit 2 unless
    --allow-unverified, which stamps every page).

    \b
    Example / 示例:
      tlr push round-2026 --funds funds.yaml --out push/
      tlr push -C round-2026 --funds funds.yaml --out push-en/ --lang en --format html
      tlr push round-2026 --funds funds.yaml --demands demands.csv --out push/
      tlr push round-2026 --funds funds.yaml --valuation valuation.csv --out push/
    """
    from tlr.outputs import check_folder

    check_folder(out_dir)  # before the ranking: a bad --out fails at once
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.push import build_push, render_push, vocabulary
    from tlr.app.report_data import build_report_data
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.push.model import load_funds

    ledger = open_campaign(campaign)
    click.get_current_context().call_on_close(ledger.close)
    funds = load_funds(funds_path, vocabulary(ledger.rubric))  # before the (slow) evaluation
    audit = check_audit(ledger, allow_unverified=allow_unverified)
    from tlr.app.push import pack_names

    stems = pack_names(funds.mandates)
    check_folder(out_dir, names=[f"{stem}.{f}" for stem in stems.values() for f in (*formats, "csv", "xlsx")]
                 + ["index.html", "unplaced.html", "unplaced.csv"])
    demand_list = demands_basis = None
    lib = None
    if library is not None:
        from tlr.library.store import open_library

        lib = open_library(library)
        click.get_current_context().call_on_close(lib.close)
    if demands_path is not None or library is not None:   # read before the (slow) evaluation: errors come first
        from tlr.app.matching import demand_source

        demand_list, demands_basis = demand_source(demands=demands_path, library=lib, encoding=encoding)
    followups = followups_basis = None
    if lib is not None:   # the achievements followed up after an earlier round: their outcomes in the packs
        from tlr.app.followup import followups_for

        followups, followups_basis = followups_for(lib, [p["id"] for p in ledger.projects()])
    valuation_inputs = None
    if valuation_path is not None:   # a bad file fails before the (slow) evaluation
        from tlr.app.valuation import read_inputs

        valuation_inputs = read_inputs(valuation_path, encoding=encoding)
    evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=draws, seed=seed))
    data = build_push(ledger, evaluation, funds, lang=lang, audit=audit, demand_list=demand_list,
                      demands_basis=demands_basis, top_demands=top_demands, followups=followups,
                      followups_basis=followups_basis)
    from tlr.app.report_valuation import campaign_valuation

    valuation = campaign_valuation(ledger, evaluation, inputs=valuation_inputs, draws=draws, seed=seed,
                                   audit=audit)
    report = build_report_data(ledger, evaluation, lang=lang, audit=audit, valuation=valuation)
    written = render_push(data, report, out_dir, formats=formats)
    if as_json:
        doc = data.to_dict()
        files: dict[str, list] = {}
        for f in written:
            files.setdefault(f["pack"] or f["kind"], []).append({k: f[k] for k in ("format", "path", "sha256")})
        for p in doc["packs"]:
            p["files"] = files.get(p["id"], [])
        doc["index"] = files.get("index", [])
        doc["unplaced_files"] = files.get("unplaced", [])
        doc["funds"] = {"path": funds.path, "sha256": funds.sha256}
        doc["audit"] = audit.to_dict()
        echo_json(doc)
    else:
        for p in data.packs:
            click.echo(f"{plain(p['id'])}: {len(p['achievements'])} 项 / achievement(s)")
        click.echo(f"未匹配（不属于任何子基金）/ unplaced (in no sub-fund): {len(data.unplaced)}")
        click.echo(f"总览 / index: {plain(str(next(f['path'] for f in written if f['kind'] == 'index')))}")
    return 0
