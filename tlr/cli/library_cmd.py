"""``tlr demands`` and ``tlr library``: the enterprise demand list and the achievement library across rounds.

Both live in one library file found with ``--library PATH`` (the file, or a folder holding
``library.sqlite``), else ``$TLR_LIBRARY``, else ``library.sqlite`` in the current folder. See docs/library.md.
"""

from __future__ import annotations

import click

from tlr.cli.kit import (ID, TEXT, Integer, PathArg, echo_audit_report, echo_json, encoding_option, group,
                         json_option, lang_option, library_option, plain, print_table, problems_as_json)

TRL = Integer(1, 9)


def _open(library: str | None, *, create: bool = False):
    from tlr.library.store import open_library

    lib = open_library(library, create=create)
    click.get_current_context().call_on_close(lib.close)
    return lib


def _industry(value: str | None) -> str | None:
    if not value:
        return None
    from tlr.campaign.vocab import industry_id, industry_names

    found = industry_id(value)
    if found is None:
        raise click.BadParameter(f"未知行业 / unknown industry {plain(value)!r}; 可选 / one of: {industry_names()}",
                                 param_hint="--industry")
    return found


def _label(pair, lang: str) -> str:
    if not pair:
        return ""
    return pair.get(lang) or pair.get("zh") or ""


def _industry_text(code: str | None, lang: str = "zh") -> str:
    from tlr.library.profile import industry_label

    return _label(industry_label(code), lang) or code or ""


def _num(x, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


# --------------------------------------------------------------------------- demands


@group()
def demands() -> None:
    """企业技术需求清单：导入、状态、查看 / The enterprise technology demand list: import, status, show.

    \b
    Example / 示例:
      tlr demands import 企业技术需求调查表.xlsx --library library.sqlite
      tlr demands list --status open --region 唐山
      tlr demands status D-3f2a9c01b7e4 matched --reason "已与 P2026-011 对接"
    """


@demands.command("import")
@click.argument("file", type=PathArg(dir_okay=False))
@library_option
@click.option("--dry-run", is_flag=True, help="只检查不导入 / check only, import nothing")
@encoding_option
@json_option
def demands_import(file: str, library: str | None, dry_run: bool, encoding: str | None, as_json: bool) -> None:
    """导入企业技术需求（CSV/XLSX/JSON，全有或全无）/ Import enterprise demands, all-or-nothing.

    Headers as the survey form has them (需求编号, 需求名称*, 企业名称*, 所属行业*, 所在地区, 需求描述*,
    期望技术指标, 期望合作方式, 可投入资金（万元）, 期望成熟度, 联系人, 联系电话) or in English. Without
    需求编号 a stable id is derived from 企业名称 + 需求名称. An id already in the library is refused.
    Every problem is listed with its row and column; nothing is imported then (exit 2).

    \b
    Example / 示例:
      tlr demands import 需求调查表.csv --library library.sqlite --dry-run
      tlr demands import 需求调查表.csv --library library.sqlite
    """
    from tlr.library.demands import import_demands
    from tlr.library.store import library_path

    result = None
    exists = library_path(library).exists()
    with problems_as_json(as_json):
        if not exists:   # check the file before a new library is created for it
            result = import_demands(None, file, dry_run=True, encoding=encoding)
        if exists or not dry_run:
            result = import_demands(_open(library, create=True), file, dry_run=dry_run, encoding=encoding)
    if as_json:
        echo_json({"ok": True, "dry_run": dry_run, **result.to_dict(), "ids": result.ids})
        return
    for w in result.warnings:
        click.echo(w.format(), err=True)
    enc = f"（编码 / encoding: {result.encoding}）" if result.encoding else ""
    verb = "检查通过 / checked" if dry_run else "已导入 / imported"
    click.echo(f"{verb} {result.count} 条需求 / demands from {plain(file)}{enc}")


_STATUS = click.Choice(["open", "matched", "closed"])


@demands.command("list")
@library_option
@click.option("--status", type=_STATUS, default=None, help="只列此状态 / only this status")
@click.option("--industry", default=None, metavar="NAME", help="只列此行业（名称或标识）/ only this industry")
@click.option("--region", type=TEXT, default=None, metavar="TEXT", help="地区包含此文字 / region contains this text")
@click.option("--personal", is_flag=True, help="同时显示联系人和电话（个人信息）/ include contact person and phone "
                                               "(personal data)")
@json_option
def demands_list(library, status, industry, region, personal, as_json) -> None:
    """列出需求 / List the demands (personal data only with --personal).

    \b
    Example / 示例:
      tlr demands list --status open --industry 钢铁 --json
    """
    from tlr.library.demands import STATUS_LABELS, list_demands

    rows = list_demands(_open(library), status=status, industry=_industry(industry), region=region,
                        personal=personal)
    if as_json:
        echo_json(rows)
        return
    headers = ["id", "需求 / demand", "企业 / enterprise", "行业 / industry", "地区 / region", "TRL≥", "万元",
               "状态 / status"] + (["联系人 / contact", "电话 / phone"] if personal else [])
    print_table(headers, [[r["id"], r["name"], r["enterprise"], _industry_text(r["industry"]), r["region"],
                           r["min_trl"] or "",
                           _num(r["budget"], 0) if r["budget"] is not None else "",
                           STATUS_LABELS[r["status"]][0] + " " + r["status"]]
                          + ([r["contact"], r["phone"]] if personal else []) for r in rows])


@demands.command("show")
@click.argument("demand_id", type=ID, metavar="ID")
@library_option
@click.option("--personal", is_flag=True, help="同时显示联系人和电话 / include contact person and phone")
@json_option
def demands_show(demand_id, library, personal, as_json) -> None:
    """查看一条需求及其状态历史 / Show one demand and its status history.

    \b
    Example / 示例:
      tlr demands show D-3f2a9c01b7e4 --json
    """
    from tlr.library.demands import demand, history, public

    lib = _open(library)
    row = public(demand(lib, demand_id), personal)
    hist = history(lib, demand_id)
    if as_json:
        echo_json({**row, "history": hist})
        return
    for key in ("id", "name", "enterprise", "industry", "region", "description", "indicators", "cooperation",
                "budget", "min_trl", "keywords", "status", "imported_at", *(("contact", "phone") if personal else ())):
        value = row.get(key)
        if isinstance(value, list):
            value = "、".join(value)
        elif key == "industry":
            value = _industry_text(value)
        click.echo(f"{key}: {plain('' if value is None else value, newlines=True)}")
    if hist:
        print_table(["时间 / at", "从 / from", "到 / to", "原因 / reason", "操作者 / by"],
                    [[h["changed_at"][:19], h["previous"], h["status"], h["reason"], h["actor"]] for h in hist])


@demands.command("status")
@click.argument("demand_id", type=ID, metavar="ID")
@click.argument("status", type=_STATUS)
@click.option("--reason", type=TEXT, required=True, help="变更原因（必填）/ why (required)")
@library_option
@json_option
def demands_status(demand_id, status, reason, library, as_json) -> None:
    """变更需求状态：open → matched → closed，或重新打开 / Change a demand's status (with a reason).

    \b
    Example / 示例:
      tlr demands status D-3f2a9c01b7e4 matched --reason "已与 P2026-011 对接"
      tlr demands status D-3f2a9c01b7e4 open --reason "对接未成，重新开放"
    """
    from tlr.library.demands import set_status

    entry = set_status(_open(library), demand_id, status, reason)
    if as_json:
        echo_json(entry)
    else:
        click.echo(f"需求 / demand {plain(demand_id)}: {entry['previous']} → {entry['status']}")


# --------------------------------------------------------------------------- library


@group()
def library() -> None:
    """成果库：跨批次的成果、就绪度历程与分阶段支持 / The achievement library across rounds.

    \b
    Example / 示例:
      tlr library add-round round-2026 --library library.sqlite
      tlr library add-round round-2027 --library library.sqlite
      tlr library links
      tlr library show P2026-011
      tlr library list --industry 钢铁 --min-trl 6
    """


@library.command("add-round")
@click.argument("campaign", type=PathArg(exists=False), metavar="CAMPAIGN")
@library_option
@click.option("--round", "round_name", type=ID, default=None, metavar="NAME",
              help="轮次名称（默认为批次名称）/ round name (default: the campaign's name)")
@click.option("--year", type=Integer(1900, 2999), default=None, help="年度（默认从名称或创建时间取）/ year (default: "
                                                                       "from the name or the creation date)")
@click.option("--accept-links", is_flag=True, help="确认本轮所有按名称+单位提出的关联 / confirm all name+applicant "
                                                   "links this round proposes")
@click.option("--allow-unverified", is_flag=True, help="审计未通过也加入（记为未核验）/ add even when the audit trail "
                                                       "does not verify (recorded as unverified)")
@json_option
def library_add_round(campaign, library, round_name, year, accept_links, allow_unverified, as_json) -> None:
    """把一个评价批次加入成果库 / Add an evaluated campaign to the library as a round.

    The campaign's audit trail is verified first (as for `tlr report`); each project's tier, composite,
    readiness and its source, route, funding ask, region and industry are recorded. A project id already in
    the library is that achievement; a new id with the name and applicant of one already there proposes a
    link to confirm with `tlr library link`.

    \b
    Example / 示例:
      tlr library add-round round-2027 --library library.sqlite --year 2027
    """
    from tlr.app.library_round import campaign_round, record_campaign_round
    from tlr.campaign import open_campaign

    with open_campaign(campaign) as ledger:
        round_row, entries, status = campaign_round(ledger, name=round_name, year=year,
                                                    allow_unverified=allow_unverified)
    result = record_campaign_round(_open(library, create=True), round_row, entries, status, accept_links=accept_links)
    _round_summary(result, as_json)


def _round_summary(result: dict, as_json: bool) -> None:
    if as_json:
        echo_json(result)
        return
    click.echo(f"轮次 / round {plain(result['round'])}: {result['achievements']} 项成果 / achievements — "
               f"{len(result['same_id'])} 同编号 / same id, {len(result['new'])} 新增 / new, "
               f"{len(result['proposed'])} 待确认关联 / links proposed, {len(result['confirmed'])} 已确认 / confirmed")
    for x in result["proposed"]:
        if x not in result["confirmed"]:
            click.echo(f"  待确认 / to confirm: {plain(x['new'])} → {plain(x['old'])}  "
                       f"(tlr library link {plain(x['new'])} --to {plain(x['old'])})")


@library.command("import")
@click.argument("file", type=PathArg(dir_okay=False))
@library_option
@click.option("--round", "round_name", type=ID, default=None, metavar="NAME",
              help="轮次名称（默认为文件名）/ round name (default: the file's name)")
@click.option("--year", type=Integer(1900, 2999), default=None, help="年度 / year")
@click.option("--accept-links", is_flag=True, help="确认所有按名称+单位提出的关联 / confirm all name+applicant links")
@click.option("--dry-run", is_flag=True, help="只检查不导入 / check only, import nothing")
@encoding_option
@json_option
def library_import(file, library, round_name, year, accept_links, dry_run, encoding, as_json) -> None:
    """导入高校院所成果清单（成果库）/ Import achievements from universities and institutes.

    The project columns (成果编号/项目编号*, 成果名称*, 第一完成单位*, 所属行业*, 成果简介, 关键词, 所在地区 …)
    plus 技术成熟度 (6, TRL6, 6级) and 投资需求（万元）. All-or-nothing with located errors.

    \b
    Example / 示例:
      tlr library import 高校成果清单.xlsx --library library.sqlite --round 高校成果2026
    """
    from tlr.app.library_round import import_achievement_round

    with problems_as_json(as_json):
        result = import_achievement_round(None, file, name=round_name, year=year, encoding=encoding, dry_run=True)
        if not dry_run:
            result = import_achievement_round(_open(library, create=True), file, name=round_name, year=year,
                                              encoding=encoding, accept_links=accept_links)
    if dry_run:
        if as_json:
            echo_json({"ok": True, **result})
        else:
            click.echo(f"检查通过 / checked {result['achievements']} 项成果 / achievements in {plain(file)}")
        return
    _round_summary(result, as_json)


@library.command("links")
@library_option
@click.option("--all", "show_all", is_flag=True, help="也列出已确认和已拒绝的 / also confirmed and rejected links")
@json_option
def library_links(library, show_all, as_json) -> None:
    """列出待确认的同一成果关联 / List the proposed identity links.

    \b
    Example / 示例:
      tlr library links --all --json
    """
    from tlr.library.achievements import links

    rows = links(_open(library), None if show_all else "proposed")
    if as_json:
        echo_json(rows)
        return
    print_table(["新编号 / new", "原编号 / old", "轮次 / round", "依据 / basis", "状态 / status", "决定人 / by"],
                [[r["new_id"], r["old_id"], r["round"], r["basis"], r["status"], r["decided_by"]] for r in rows])


@library.command("link")
@click.argument("new", type=ID)
@click.option("--to", "old", type=ID, required=True, help="原有成果的编号 / the id of the achievement already there")
@click.option("--reject", is_flag=True, help="拒绝该关联（不再提出）/ reject the link (never proposed again)")
@library_option
@json_option
def library_link(new, old, reject, library, as_json) -> None:
    """确认（或拒绝）一条同一成果关联 / Confirm (or reject) one proposed identity link.

    Confirming merges NEW into OLD: NEW's rounds join OLD's timeline and NEW becomes one of its aliases.

    \b
    Example / 示例:
      tlr library link P2027-004 --to P2026-011
      tlr library link P2027-009 --to P2026-030 --reject
    """
    from tlr.library.achievements import decide_link

    row = decide_link(_open(library), new, old, accept=not reject)
    if as_json:
        echo_json(row)
    else:
        word = "已拒绝 / rejected" if reject else "已确认 / confirmed"
        click.echo(f"{word}: {plain(new)} → {plain(old)}")


@library.command("show")
@click.argument("achievement_id", type=ID, metavar="ID")
@library_option
@lang_option
@json_option
def library_show(achievement_id, library, lang, as_json) -> None:
    """成果历程：各轮 TRL（及来源）、档次、综合得分、支持路径，是否进步，以及分阶段支持 / An achievement's
    timeline, whether it progressed, and what would move it to the next batch.

    \b
    Example / 示例:
      tlr library show P2026-011
      tlr library show P2026-011 --json
    """
    from tlr.app.records import READINESS_MARKERS
    from tlr.library.profile import PROGRESS_LABELS, show

    data = show(_open(library), achievement_id)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{plain(data['achievement'])}  {plain(data['name'])} — {plain(data['applicant'])}")
    if data["aliases"]:
        click.echo(f"  亦称 / also known as: {plain(', '.join(data['aliases']))}")
    marker = {**READINESS_MARKERS, "declared": "ᵈ"}
    print_table(["轮次 / round", "年 / year", "编号 / id", "TRL", "档次 / tier", "综合 / composite", "路径 / route"],
                [[s["round"], s["year"] or "", s["project_id"],
                  "—" if s["readiness"] is None else f"{s['readiness']}{marker.get(s['readiness_source'], '')}",
                  s["tier"] or "—", _num(s["composite"]), _label(s["route_label"], lang) or s["route"] or "—"]
                 for s in data["timeline"]])
    zh, en = PROGRESS_LABELS[data["progress"]]
    click.echo(f"进展 / progress: {zh} / {en}")
    click.echo("TRL 标记 / markers: * 有证据的评估 / evidence-based, † 评估人断言 / asserted, ᵈ 自报 / declared")
    sup = data["support"]
    if sup is None:
        click.echo("分阶段支持 / stage-wise support: 尚无评价轮次 / no evaluated round yet")
        return
    click.echo(f"当前支持路径 / route now: {plain(_label(sup['route_label'], lang) or '—')}"
               + ("（一票否决 / knocked out）" if sup["knocked_out"] else ""))
    if sup["last_route"]:
        click.echo("已在最后一批 / on the last batch")
    elif sup["next_route"]:
        click.echo(f"下一批 / next batch: {plain(_label(sup['next_route_label'], lang))}")
        for req in sup["requirements"]:
            click.echo(f"  需 / needs: {plain(_label(req, lang))}")
        for lv in sup["levels"]:
            evidence = "；".join(_label(e, lang) for e in lv["evidence"])
            click.echo(f"  TRL {lv['level']} {plain(_label(lv['label'], lang))}" + (f" — 证据 / evidence: "
                                                                                    f"{plain(evidence)}" if evidence else ""))
    if sup["next_tier"]:
        nt = sup["next_tier"]
        needs = "；".join(_label(r, lang) for r in nt["requirements"]) or "—"
        click.echo(f"上一档 / next tier {plain(nt['id'])} {plain(_label(nt['label'], lang))}: {plain(needs)}")


@library.command("list")
@library_option
@click.option("--industry", default=None, metavar="NAME", help="只列此行业 / only this industry")
@click.option("--min-trl", type=TRL, default=None, help="最新 TRL 不低于 / latest TRL at least")
@click.option("--tier", type=ID, default=None, help="最新档次 / latest tier")
@click.option("--region", type=TEXT, default=None, metavar="TEXT", help="地区包含此文字 / region contains this text")
@lang_option
@json_option
def library_list(library, industry, min_trl, tier, region, lang, as_json) -> None:
    """列出成果及其最新一轮的评价 / List the achievements with their latest round.

    \b
    Example / 示例:
      tlr library list --industry 新材料 --min-trl 6 --tier A --json
    """
    from tlr.library.profile import list_latest

    rows = list_latest(_open(library), industry=_industry(industry), min_trl=min_trl, tier=tier, region=region)
    if as_json:
        echo_json(rows)
        return
    print_table(["id", "名称 / name", "单位 / applicant", "轮次 / round", "TRL", "档次 / tier", "综合 / composite",
                 "路径 / route", "地区 / region"],
                [[r["achievement"], r["name"], r["applicant"], r["round"], r["readiness"] or "—", r["tier"] or "—",
                  _num(r["composite"]), _label(r["route_label"], lang) or r["route"] or "—", r["region"]]
                 for r in rows])


@library.command("verify")
@library_option
@json_option
def library_verify(library, as_json) -> None:
    """校验成果库的审计链与数据一致性 / Check the library's hash chain, every table and the schema.

    Exit code 0 when intact, 1 when an edit behind the tool's back is found.

    \b
    Example / 示例:
      tlr library verify --library library.sqlite
    """
    report = _open(library).verify()
    if as_json:
        echo_json(report.to_dict())
    else:
        echo_audit_report(report)
    if not report.ok:
        raise click.exceptions.Exit(1)
