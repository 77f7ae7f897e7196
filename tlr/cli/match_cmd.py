"""``tlr match``: enterprise demands and technology achievements ranked for each other, with the reasons."""

from __future__ import annotations

import click

from tlr.cli.kit import (Integer, PathArg, command, echo_json, encoding_option, engine_options, json_option,
                         library_option, plain,
                         print_table)

TOP = Integer(1, 100)


@command()
@click.option("--demands", "demands_path", default=None, type=PathArg(dir_okay=False),
              help="企业技术需求清单（CSV/XLSX/JSON，调查表表头）；默认取 --library 中待对接的需求 / the enterprise demand "
                   "list (CSV/XLSX/JSON, survey headers); default: the open demands of --library")
@click.option("--achievements", "achievements_path", default=None, type=PathArg(dir_okay=False),
              help="成果清单文件（项目列 + 成果简介/关键词/技术成熟度/投资需求/所在地区）/ an achievements file (the "
                   "project columns plus 成果简介/关键词/技术成熟度/投资需求/所在地区)")
@click.option("--campaign", "-C", "campaign", default=None, metavar="DIR", type=PathArg(exists=False),
              help="以该评价批次已评价的项目为成果（先校验审计链）/ match the evaluated projects of this campaign (its "
                   "audit trail is verified first)")
@library_option
@click.option("--top", type=TOP, default=5, show_default=True,
              help="每条需求列出的成果数（只列得分 ≥ 0.15 的）/ achievements listed per demand (only scores ≥ 0.15)")
@click.option("--top-demands", type=TOP, default=None,
              help="每项成果列出的需求数（默认同 --top）/ demands listed per achievement (default: --top)")
@click.option("--by", "side", type=click.Choice(["demand", "achievement"]), default="demand", show_default=True,
              help="按需求列出成果，或按成果列出需求 / list achievements per demand, or demands per achievement")
@click.option("--lexicon", "lexicon_path", default=None, type=PathArg(dir_okay=False),
              help="补充的领域词表（YAML，格式见 docs/matching.md）/ your own lexicon extending the shipped one "
                   "(YAML, format in docs/matching.md)")
@click.option("--variant", type=click.Choice(["full", "lexicon", "bm25"]), default="full", show_default=True,
              help="full：词表 + 行业/成熟度/地区/资金匹配；lexicon：只用文本与词表；bm25：只用文本 / full: lexicon + "
                   "industry, readiness, region and budget fit; lexicon: text and lexicon only; bm25: text only")
@click.option("--commissioners", "commissioners_path", default=None, type=PathArg(dir_okay=False),
              help="科技特派员名单：为每条需求推荐特派员（研究方向与需求的文本匹配 × 领域 × 服务地区）/ technology "
                   "commissioners: rank them for each demand (text affinity × field × places served)")
@click.option("--allow-unverified", is_flag=True,
              help="批次审计未通过时仍匹配（结果标注）/ match even when the campaign's audit fails (the output says so)")
@engine_options
@encoding_option
@json_option
def match(demands_path, achievements_path, campaign, library, top, top_demands, side, lexicon_path, variant,
          commissioners_path, allow_unverified, engine, scheduler, workers, encoding, as_json) -> int:
    """成果与需求对接 / Rank achievements for each demand and demands for each achievement.

    Demands come from --demands FILE or the library's open demands;
    achievements from --achievements FILE, an evaluated campaign (-C) or the
    library. Each pair's score (0–1) is the text match (jieba words, the
    synonym lexicon, BM25, divided by the demand's own score) times the fit
    factors: industry, readiness (the achievement's TRL against the demand's
    期望成熟度: far below is ranked down and said), region and budget. Only
    pairs scoring at least 0.15 are listed: a demand nothing answers gets an
    empty list, not a forced top K. Method: docs/matching.md.

    \b
    Example / 示例:
      tlr match --demands demands.csv --achievements achievements.csv --top 5
      tlr match --library library.sqlite -C round-2026 --json
      tlr match --library library.sqlite --by achievement --top 3
      tlr match --demands demands.csv --commissioners commissioners.csv --top 3
      tlr match --library library.sqlite -C round-2026 --engine dask --workers 4
    """
    if commissioners_path is not None:
        return _commissioners(demands_path, library, commissioners_path, top, lexicon_path, encoding, as_json)
    from tlr.app.matching import load_sources, run_match
    from tlr.matching.explain import explain_zh_en

    ledger = lib = None
    ctx = click.get_current_context()
    if library is not None or (demands_path is None) or (achievements_path is None and campaign is None):
        from tlr.library.store import open_library

        lib = open_library(library)
        ctx.call_on_close(lib.close)
    if campaign is not None and achievements_path is None:
        from tlr.campaign import open_campaign

        ledger = open_campaign(campaign)
        ctx.call_on_close(ledger.close)
    sources = load_sources(demands=demands_path, achievements=achievements_path, campaign=ledger, library=lib,
                           encoding=encoding, allow_unverified=allow_unverified)
    from tlr.parallel import executor_for

    with executor_for(engine, scheduler=scheduler, workers=workers) as executor:
        result, lexicon_basis = run_match(sources, top=top, top_demands=top_demands, lexicon_path=lexicon_path,
                                          variant=variant, executor=executor)
    if as_json:
        doc = result.to_dict()
        doc["sources"] = {**sources.basis, **lexicon_basis}
        if sources.audit is not None:
            doc["audit"] = sources.audit.to_dict()
        echo_json(doc)
        return 0
    demands = {d.id: d for d in sources.demands}
    achievements = {a.id: a for a in sources.achievements}
    if side == "demand":
        rows_of, this, other, label = result.matches, demands, achievements, ("需求 / demand", "成果 / achievement")
    else:
        rows_of, this, other, label = result.by_achievement, achievements, demands, ("成果 / achievement",
                                                                                     "需求 / demand")
    listed = 0
    for ranked in rows_of:
        item = this[ranked.id]
        click.echo(f"\n{plain(ranked.id)}  {plain(item.name)}")
        if not ranked.candidates:
            click.echo("  无得分 ≥ 0.15 的对象 / nothing scores ≥ 0.15")
            continue
        rows = []
        for k, c in enumerate(ranked.candidates, start=1):
            o = other[c.id]
            reasons = explain_zh_en(c.why)
            rows.append([k, plain(c.id), plain(o.name), f"{c.score:.3f}", plain(reasons[1] if len(reasons) > 1
                                                                                  else (reasons[0] if reasons else ""))])
            listed += 1
        print_table(["#", "id", label[1], "得分 / score", "理由 / why (first; --json for all)"], rows)
    with_none = sum(not r.candidates for r in rows_of)
    click.echo(f"\n{len(rows_of)} 个{label[0]}，列出 {listed} 对，{with_none} 个无合适对象 / {len(rows_of)} "
               f"{label[0].split(' / ')[1]}(s), {listed} pair(s) listed, {with_none} with nothing scoring ≥ 0.15")
    if sources.audit is not None and not sources.audit.verified:
        click.echo("注意：批次审计未通过 / note: the campaign's audit failed", err=True)
    return 0


def _commissioners(demands_path, library, commissioners_path, top, lexicon_path, encoding, as_json) -> int:
    """科技特派员 for each demand (item 21 of the plan)."""
    from tlr.app.commissioners import commissioners_from_file
    from tlr.app.matching import _file_basis, demand_source
    from tlr.matching.lexicon import load_lexicon
    from tlr.matching.people import match_people

    lib = None
    if demands_path is None:
        from tlr.library.store import open_library

        lib = open_library(library)
        click.get_current_context().call_on_close(lib.close)
    demands, demands_basis = demand_source(demands=demands_path, library=lib, encoding=encoding)
    people = commissioners_from_file(commissioners_path, encoding)
    lexicon = load_lexicon(lexicon_path) if lexicon_path is not None else None
    result = match_people(people, demands, top=top, lexicon=lexicon)
    if as_json:
        doc = result.to_dict()
        doc["sources"] = {"demands": demands_basis, "commissioners": _file_basis(commissioners_path, "file")}
        echo_json(doc)
        return 0
    by_id = {p.person.id: p for p in people}
    names = {d.id: d.name for d in demands}
    rows = []
    for ranked in result.matches:
        for k, c in enumerate(ranked.candidates, start=1):
            p = by_id[c.id]
            where = "服务该地 / serves the place" if c.why["region"]["served"] else ""
            field = "领域对口 / field covered" if c.why["industry"]["covered"] else ""
            rows.append([plain(ranked.id) if k == 1 else "", plain(names[ranked.id]) if k == 1 else "", k,
                         plain(f"{c.id} {p.name}（{p.institution}）"), f"{c.score:.3f}",
                         "；".join(x for x in (field, where) if x)])
        if not ranked.candidates:
            rows.append([plain(ranked.id), plain(names[ranked.id]), "—", "无得分 ≥ 0.08 的特派员 / none scores ≥ 0.08",
                         "", ""])
    print_table(["需求 / demand", "名称 / name", "#", "特派员 / commissioner", "得分 / score", "依据 / basis"], rows)
    return 0
