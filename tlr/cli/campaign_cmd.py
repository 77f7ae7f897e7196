"""``tlr campaign | projects | experts | assign | status | export | audit``: the evaluation round.

Every command finds its campaign with ``--campaign DIR`` (the campaign directory or its
``campaign.sqlite``), else the environment variable ``TLR_CAMPAIGN``, else the current
directory.
"""

from __future__ import annotations

import sys

import click

from tlr.cli.kit import (ID, NON_NEGATIVE, POSITIVE, SEED, TEXT, PathArg, campaign_option, command,
                         echo_audit_report, echo_json, encoding_option, group, json_option, plain, print_table,
                         problems_as_json)


def _open(campaign: str | None):
    from tlr.campaign import open_campaign

    return open_campaign(campaign)


def _warn(diags) -> None:
    for d in diags:
        click.echo(d.format(), err=True)


def _pair(text: str, option: str) -> tuple[str, str]:
    e, _, p = text.partition(":")
    if not e.strip() or not p.strip():
        raise click.BadParameter(f"写成 专家:项目 / write EXPERT:PROJECT, got {text!r}", param_hint=option)
    return e.strip(), p.strip()


# --------------------------------------------------------------------------- campaign


@group()
def campaign() -> None:
    """评价批次：创建与查看 / Create and inspect an evaluation round.

    \b
    Example / 示例:
      tlr campaign init round-2026 --rubric rubrics/fund-screening.yaml
      export TLR_CAMPAIGN=round-2026
      tlr projects import projects.xlsx
      tlr experts import experts.csv
      tlr assign --per-project 5 --seed 7
      tlr assign --per-project 5 --affinity text
      tlr status
    """


@campaign.command("init")
@click.argument("directory", type=PathArg(file_okay=False))
@click.option("--rubric", "-r", "rubric_path", required=True, type=PathArg(dir_okay=False),
              help="评价指标体系 YAML（冻结一份副本）/ rubric YAML (a frozen copy is stored)")
@click.option("--name", help="批次名称 / round name (default: the directory name)")
@json_option
def campaign_init(directory: str, rubric_path: str, name: str | None, as_json: bool) -> None:
    """创建评价批次 / Create a campaign in DIRECTORY with a frozen copy of the rubric.

    \b
    Example / 示例:
      tlr campaign init round-2026 --rubric rubrics/fund-screening.yaml --name "2026 第一批"
    """
    from pathlib import Path

    from tlr.campaign import init_campaign
    from tlr.outputs import check_folder, io_error
    from tlr.rubric import load_rubric

    folder = directory if Path(directory).suffix != ".sqlite" else str(Path(directory).parent)
    check_folder(folder, option="DIRECTORY")  # not empty, not /dev or /proc, not a file, writable
    _check_name(name if name is not None else Path(directory).name, "--name" if name is not None else "DIRECTORY")
    rubric = load_rubric(rubric_path)
    try:
        with init_campaign(directory, rubric, name=name) as ledger:
            info = {"path": str(ledger.path), "campaign_id": ledger.meta["campaign_id"], "name": ledger.meta["name"],
                    "rubric": rubric.id, "rubric_version": rubric.version, "rubric_hash": rubric.content_hash}
    except OSError as exc:  # e.g. a name too long for the file system
        raise io_error(exc, directory, "create") from None
    if as_json:
        echo_json(info)
    else:
        click.echo(f"已创建批次 / created campaign {plain(info['name'])} at {plain(info['path'])}")
        click.echo(f"指标体系 / rubric {info['rubric']} {info['rubric_version']} sha256 {info['rubric_hash']}")


def _check_name(name: str, option: str) -> None:
    """The round's name goes into the ledger and every report: one line of safe text (tlr.safetext)."""
    from tlr.errors import CampaignError
    from tlr.safetext import text_problem

    problem = text_problem(name)
    if problem:
        raise CampaignError(f"{option}: {problem}", code="bad_text", hint="批次名称须为一行普通文字 / the round's name "
                                                                         "must be one line of ordinary text")


@campaign.command("info")
@campaign_option
@json_option
def campaign_info(campaign: str | None, as_json: bool) -> None:
    """批次概况 / Show the campaign, its frozen rubric and counts.

    \b
    Example / 示例:
      tlr campaign info --campaign round-2026 --json
    """
    with _open(campaign) as ledger:
        row = ledger.rubric_row()
        counts = ledger.counts()
        info = {"path": str(ledger.path), **ledger.meta, "rubric": row.get("rubric_id"),
                "rubric_version": row.get("version"), "rubric_hash": row.get("content_hash"), "counts": counts}
    if as_json:
        echo_json(info)
        return
    for k in ("path", "name", "campaign_id", "created_at", "rubric", "rubric_version", "rubric_hash"):
        click.echo(f"{k:15} {plain(info.get(k))}")
    print_table(["table", "rows"], [[k, v] for k, v in counts.items()])


@campaign.command("trl-record")
@click.argument("file", type=PathArg(dir_okay=False))
@click.option("--project", "-p", "project_id", required=True, type=ID, help="项目编号 / project id")
@click.option("--cte", default="*", show_default=True, type=ID,
              help="关键技术单元；* 表示整份评估 / critical technology element; * = the whole assessment")
@click.option("--assessor", default=None, type=TEXT, help="评估人（默认取文件中的 assessors）/ who assessed (default: the file's assessors)")
@campaign_option
@json_option
def campaign_trl_record(file, project_id, cte, assessor, campaign, as_json) -> None:
    """把 TRL 评估文档存入批次（可审计）/ Store a TRL assessment document (from `tlr trl`) in the ledger.

    The document is validated, stored as canonical JSON with its SHA-256, who and
    when, as an audit entry. A later record for the same project and CTE supersedes
    the earlier one (both are kept).

    \b
    Example / 示例:
      tlr campaign trl-record P012-trl.yaml --project P012 --assessor E07
    """
    from tlr.campaign import record_trl_assessment
    from tlr.trl import load_assessment

    doc = load_assessment(file)
    if cte != "*" and cte not in {c.id for c in doc.ctes}:
        from tlr.errors import CampaignError

        raise CampaignError(f"评估中没有关键技术单元 {cte} / the assessment has no CTE '{cte}'",
                            hint="CTEs: " + ", ".join(c.id for c in doc.ctes), code="unknown_cte")
    who = assessor or ",".join(doc.assessors) or "unknown"
    with _open(campaign) as ledger:
        rec = record_trl_assessment(ledger, project_id, cte, doc, assessor=who)
    rec.pop("document", None)
    if as_json:
        echo_json(rec)
    else:
        click.echo(f"已记录 / recorded TRL assessment #{rec['id']} for {project_id} ({cte}) sha256 {rec['sha256']}")


@campaign.command("trl-list")
@click.option("--project", "-p", "project_id", default=None, type=ID, help="只看某个项目 / one project")
@click.option("--latest", is_flag=True, help="每个项目与单元只列最新 / only the latest per project and CTE")
@campaign_option
@json_option
def campaign_trl_list(project_id, latest, campaign, as_json) -> None:
    """列出批次中的 TRL 评估 / List the TRL assessments stored in the campaign.

    \b
    Example / 示例:
      tlr campaign trl-list --latest --json
    """
    from tlr.campaign import trl_assessments

    with _open(campaign) as ledger:
        if project_id is not None:
            ledger.project(project_id)  # a mistyped id is an error, not an empty list
        rows = trl_assessments(ledger, project_id, latest=latest)
    if as_json:
        echo_json(rows)
        return
    print_table(["#", "project", "cte", "assessor", "recorded_at", "sha256"],
                [[r["id"], r["project_id"], r["cte"], r["assessor"], r["recorded_at"][:19], r["sha256"][:16]]
                 for r in rows])


# --------------------------------------------------------------------------- imports


def _import_cmd(kind: str):
    zh = "项目" if kind == "projects" else "专家"

    @command("import")
    @click.argument("file", type=PathArg(dir_okay=False))
    @campaign_option
    @click.option("--dry-run", is_flag=True, help="只检查不导入 / check only, import nothing")
    @encoding_option
    @json_option
    def cmd(file: str, campaign: str | None, dry_run: bool, encoding: str | None, as_json: bool) -> None:
        from tlr.campaign import import_experts, import_projects

        fn = import_projects if kind == "projects" else import_experts
        with _open(campaign) as ledger, problems_as_json(as_json):
            result = fn(ledger, file, dry_run=dry_run, encoding=encoding)
        if as_json:
            echo_json({"ok": True, "dry_run": dry_run, **result.to_dict()})
            return
        _warn(result.warnings)
        enc = f"（编码 / encoding: {result.encoding}）" if result.encoding else ""
        verb = "检查通过 / checked" if dry_run else "已导入 / imported"
        click.echo(f"{verb} {result.count} 个{zh} / {kind} from {file}{enc}")

    cmd.help = (f"导入{zh}（CSV/XLSX/JSON，全有或全无）/ Import {kind} from CSV, XLSX or JSON, all-or-nothing.\n\n"
                f"CSV may be UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030 that reads as Chinese "
                f"(detected and reported); any other encoding needs --encoding NAME. Headers in Chinese or English; "
                f"ids use letters, digits and . _ - only; see docs/campaign.md. A file with any problem imports "
                f"nothing and every problem is listed with its row and column.\n\n\b\nExample / 示例:\n  tlr {kind} import {kind}.xlsx "
                f"--campaign round-2026")
    return cmd


def _list_cmd(kind: str):
    @command("list")
    @campaign_option
    @json_option
    def cmd(campaign: str | None, as_json: bool) -> None:
        with _open(campaign) as ledger:
            rows = ledger.projects() if kind == "projects" else ledger.experts()
        if as_json:
            echo_json(rows)
        elif kind == "projects":
            print_table(["id", "name", "applicant", "industry", "type"],
                        [[r["id"], r["name"], r["applicant"], r["industry"], r["achievement_type"] or ""]
                         for r in rows])
        else:
            print_table(["id", "name", "institution", "fields"],
                        [[r["id"], r["name"], r["institution"], ";".join(r["fields"])] for r in rows])

    cmd.help = f"列出{'项目' if kind == 'projects' else '专家'} / List the {kind}.\n\n\b\nExample / 示例:\n  tlr {kind} list --json"
    return cmd


@group()
def projects() -> None:
    """项目：导入与列出 / Import and list the round's projects.

    \b
    Example / 示例:
      tlr projects import 申报项目.csv
      tlr projects list
    """


@group()
def experts() -> None:
    """专家：导入与列出 / Import and list the expert pool.

    \b
    Example / 示例:
      tlr experts import 专家库.xlsx
      tlr experts list --json
    """


projects.add_command(_import_cmd("projects"))
projects.add_command(_list_cmd("projects"))
experts.add_command(_import_cmd("experts"))
experts.add_command(_list_cmd("experts"))


# --------------------------------------------------------------------------- assign


@command()
@campaign_option
@click.option("--per-project", "-n", type=POSITIVE, default=None,
              help="每个项目的专家数（默认取指标体系的最少专家数）/ experts per project (default: the rubric's min_experts)")
@click.option("--seed", type=SEED, default=0, show_default=True, help="随机种子，保证可复现 / seed for reproducibility")
@click.option("--max-load", type=POSITIVE, default=None, help="每位专家最多项目数 / most projects per expert")
@click.option("--min-load", type=NON_NEGATIVE, default=None,
              help="每位专家最少项目数（0 = 领域匹配优先）/ fewest projects per expert (0: field match over balance)")
@click.option("--affinity", type=click.Choice(["industry", "text"]), default="industry", show_default=True,
              help="匹配方式：industry = 行业与关键词；text = 另加专家领域/简历与项目文本的相似度 / "
                   "industry and keywords; text: also the text fit of the expert's profile with the project")
@click.option("--add", "adds", multiple=True, metavar="E:P", help="手工分配 / manually assign expert E to project P")
@click.option("--remove", "removes", multiple=True, metavar="E:P", help="手工撤销分配 / manually remove an assignment")
@click.option("--recuse", "recusals", multiple=True, metavar="E:P",
              help="登记回避（删除该专家对该项目的评分）/ record a recusal (removes that expert's scores for it)")
@click.option("--reason", default=None, type=TEXT, help="手工调整的原因（必填）/ reason for a manual change (required)")
@click.option("--list", "show", is_flag=True, help="列出当前分配 / list the current assignments")
@click.option("--dry-run", is_flag=True, help="只计算不保存 / compute, save nothing")
@json_option
def assign(campaign, per_project, seed, max_load, min_load, affinity, adds, removes, recusals, reason, show, dry_run,
           as_json) -> None:
    """分配专家（领域匹配、负载均衡、严格回避）/ Assign experts: field match, balanced load, never a conflict.

    Conflicts (recorded as recusals with their reason): same institution as the
    applicant, institution among the co-applicants, declared conflict institutions
    or projects, experts the applicant asked to exclude. Existing assignments are
    kept; projects are topped up to --per-project. Manual changes need --reason and
    are audited; a conflicting manual assignment is refused.

    \b
    Example / 示例:
      tlr assign --per-project 5 --seed 7
      tlr assign --per-project 5 --affinity text
      tlr assign --add E07:P012 --reason "补充材料专业专家"
      tlr assign --recuse E03:P020 --reason "专家声明曾与申报单位合作"
      tlr assign --list --json
    """
    from tlr.campaign import add_assignment, assign_experts, recuse, remove_assignment
    from tlr.errors import CampaignError

    with _open(campaign) as ledger:
        if adds or removes or recusals:
            if not reason:
                raise CampaignError("手工调整须写明原因 / a manual change needs --reason", code="usage")
            done = []
            for text in adds:
                e, p = _pair(text, "--add")
                add_assignment(ledger, e, p, reason=reason)
                done.append({"action": "add", "expert": e, "project": p})
            for text in removes:
                e, p = _pair(text, "--remove")
                remove_assignment(ledger, e, p, reason=reason)
                done.append({"action": "remove", "expert": e, "project": p})
            for text in recusals:
                e, p = _pair(text, "--recuse")
                n = recuse(ledger, e, p, reason=reason)
                done.append({"action": "recuse", "expert": e, "project": p, "scores_removed": n})
            if as_json:
                echo_json(done)
            else:
                for d in done:
                    click.echo(f"{d['action']}: {d['expert']} -> {d['project']}"
                               + (f" ({d['scores_removed']} scores removed)" if d.get("scores_removed") else ""))
            return
        if show:
            rows = ledger.assignment_list()
            rec = ledger.recusal_list()
            if as_json:
                echo_json({"assignments": [dict(zip(["expert", "project", "source", "created_at"], r)) for r in rows],
                           "recusals": [dict(zip(["expert", "project", "reason", "detail"], r)) for r in rec]})
            else:
                by_p: dict[str, list[str]] = {}
                for e, p, src, _ts in rows:
                    by_p.setdefault(p, []).append(e + ("*" if src == "manual" else ""))
                print_table(["project", "experts (* manual)"], [[p, " ".join(es)] for p, es in by_p.items()])
                if rec:
                    from tlr.campaign.assign import reason_text

                    click.echo("\n回避 / recusals:")
                    print_table(["expert", "project", "reason"], [[e, p, reason_text(r)] for e, p, r, _ in rec])
            return
        if per_project is None:
            from tlr.campaign.rules import panel_rules

            per_project = panel_rules(ledger.rubric).min_experts
        result = assign_experts(ledger, per_project, seed=seed, max_load=max_load, min_load=min_load,
                                dry_run=dry_run, affinity=affinity)
    if as_json:
        echo_json({"dry_run": dry_run, **result.to_dict()})
        return
    _warn(result.warnings)
    verb = "将分配 / would assign" if dry_run else "已分配 / assigned"
    loads = list(result.loads.values())
    click.echo(f"{verb} {result.added} 人次 / assignments (per project {per_project}, seed {seed}); "
               f"新增回避 / recusals recorded: {result.recusals_added}; "
               f"负载 / load per expert {min(loads)}–{max(loads)}")
    for pid, k in result.shortfall.items():
        click.echo(f"  项目 {pid} 缺 {k} 位可用专家 / project {pid} lacks {k} eligible expert(s)", err=True)


# --------------------------------------------------------------------------- status


@command()
@campaign_option
@click.option("--expert", "expert_id", default=None, type=ID, help="只看某位专家 / one expert")
@click.option("--project", "project_id", default=None, type=ID, help="只看某个项目 / one project")
@click.option("--missing", is_flag=True, help="只列未完成 / only what is not done")
@json_option
def status(campaign, expert_id, project_id, missing, as_json) -> None:
    """评分进度 / Scoring progress per expert and per project: done / missing / recused.

    \b
    Example / 示例:
      tlr status
      tlr status --missing            # 催办名单 / who to chase
      tlr status --expert E07 --json
    """
    from tlr.campaign import campaign_status

    with _open(campaign) as ledger:
        if expert_id is not None:  # a mistyped id is an error, not an empty chase list
            ledger.expert(expert_id)
        if project_id is not None:
            ledger.project(project_id)
        st = campaign_status(ledger)
    experts_ = [e for e in st.experts if (not expert_id or e.id == expert_id) and (not missing or e.missing_projects)]
    projects_ = [p for p in st.projects if (not project_id or p.id == project_id) and (not missing or not p.complete)]
    if as_json:
        echo_json({"totals": st.totals, "quorum": st.quorum, "min_experts": st.min_experts,
                   "experts": [e.to_dict() for e in experts_], "projects": [p.to_dict() for p in projects_]})
        return
    t = st.totals
    click.echo(f"项目 / projects {t['projects']}  专家 / experts {t['experts']}  分配 / assignments "
               f"{t['assignments_done']}/{t['assignments']} done  评分 / answers {t['answers']}/{t['answers_expected']}"
               f"  达法定人数 / quorum {t['projects_quorum']}/{t['projects']}  "
               f"达最少专家数 / min experts ({st.min_experts}) {t['projects_min_experts']}/{t['projects']}  "
               f"回避 / recusals {t['recusals']}")
    if not project_id:
        click.echo("")
        _long_table(["expert", "name", "assigned", "done", "partial", "missing", "recused", "answers"],
                    [[e.id, e.name, e.assigned, e.done, e.partial, e.missing, e.recused,
                      f"{e.answers}/{e.expected}"] for e in experts_])
    if not expert_id:
        click.echo("")
        _long_table(["project", "assigned", "done", "missing experts", "recused", "experts behind",
                     "quorum", "min experts"],
                    [[p.id, p.assigned, p.done, " ".join(p.missing_experts),
                      " ".join(r["expert"] for r in p.recused), p.experts_behind,
                      "yes" if p.quorum_met else "no", "yes" if p.min_experts_met else "no"]
                     for p in projects_])


LONG_TABLE = 2_000   # rows from which a table on a terminal is no longer fitted to the window by rich


def _long_table(headers: list[str], rows: list[list]) -> None:
    """:func:`print_table`, for tables of any length: off a terminal (or past :data:`LONG_TABLE` rows) the same
    layout written line by line, which takes a second for 100,000 rows where rich takes minutes."""
    from tlr.cli.kit.output import console

    out = console()
    if out.is_terminal and len(rows) <= LONG_TABLE:
        print_table(headers, rows, out=out)
        return
    from rich.cells import cell_len

    def shown(c) -> str:
        if c is None:
            return ""
        if c.__class__ is int:
            return str(c)
        return c if c.__class__ is str and c.isascii() and c.isprintable() else plain(c)

    texts = [headers, *([shown(c) for c in row] for row in rows)]
    widths = [0] * len(headers)
    for row in texts:
        for k, text in enumerate(row):
            n = len(text) if text.isascii() else cell_len(text)
            if n > widths[k]:
                widths[k] = n

    def line(row: list[str]) -> str:
        return "   ".join(t + " " * (w - (len(t) if t.isascii() else cell_len(t))) for t, w in zip(row, widths)).rstrip()

    lines = [line(headers), "─" * (sum(widths) + 3 * (len(widths) - 1)), *map(line, texts[1:])]
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- export


@group()
def export() -> None:
    """导出 / Export campaign data.

    \b
    Example / 示例:
      tlr export scores --format xlsx --out scores.xlsx
    """


def _check_out(out: str | None) -> None:
    """A bad --out fails before the export is built (missing folder, a folder, a device, someone else's file)."""
    if out:
        from tlr.outputs import check_file

        check_file(out)


@export.command("scores")
@campaign_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True,
              help="文件格式 / file format")
@click.option("--out", "-o", type=PathArg(dir_okay=False), default=None,
              help="输出文件（csv/json 默认输出到标准输出）/ output file (csv/json default: stdout)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="指标与分值标签的语言 / language of the indicator and score labels")
def export_scores_cmd(campaign, fmt, out, lang) -> None:
    """导出全部评分 / Export every score (who, what, when, rubric version).

    Text cells beginning with = + - @ are prefixed with ' in CSV and XLSX, so a
    spreadsheet never runs them as formulas.

    \b
    Example / 示例:
      tlr export scores --format csv > scores.csv
      tlr export scores --format xlsx --out scores.xlsx
    """
    from tlr.campaign.export import export_scores
    from tlr.errors import CampaignError

    if fmt == "xlsx" and not out:
        raise CampaignError("xlsx 须指定 --out / xlsx needs --out FILE", code="usage")
    _check_out(out)
    with _open(campaign) as ledger:
        data = export_scores(ledger, fmt, out, lang=lang)
    if out:
        click.echo(f"已导出 / exported to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@export.command("assignments")
@campaign_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True,
              help="文件格式 / file format")
@click.option("--out", "-o", type=PathArg(dir_okay=False), default=None,
              help="输出文件（csv/json 默认输出到标准输出）/ output file (csv/json default: stdout)")
def export_assignments_cmd(campaign, fmt, out) -> None:
    """导出分配与回避（含回避原因）/ Export assignments and recusals with their reasons.

    \b
    Example / 示例:
      tlr export assignments --format xlsx --out 分配与回避.xlsx
    """
    from tlr.campaign.export import export_assignments
    from tlr.errors import CampaignError

    if fmt == "xlsx" and not out:
        raise CampaignError("xlsx 须指定 --out / xlsx needs --out FILE", code="usage")
    _check_out(out)
    with _open(campaign) as ledger:
        data = export_assignments(ledger, fmt, out)
    if out:
        click.echo(f"已导出 / exported to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


# --------------------------------------------------------------------------- audit


@group()
def audit() -> None:
    """审计日志 / The hash-chained audit log.

    \b
    Example / 示例:
      tlr audit verify
      tlr audit log --limit 20
    """


@audit.command("verify")
@campaign_option
@click.option("--head", "heads", multiple=True, metavar="HASH",
              help="此前记下的链头哈希（须仍在链中）/ a head hash written down earlier: must still be in the chain")
@click.option("--key", "key_file", type=PathArg(dir_okay=False), default=None, metavar="PUBKEY_OR_KEYFILE",
              help="核对签封：Ed25519 公钥（或私钥）PEM，或 HMAC 密钥文件 / check the seals with this Ed25519 "
                   "public (or private) key PEM, or HMAC key file")
@click.option("--strict", "--sealed-only", "strict", is_flag=True,
              help="与 --key 一起：最后签封之后的记录（或没有签封）也算失败 / with --key: entries after the last "
                   "seal (or no seal) fail the check")
@json_option
def audit_verify(campaign, heads, key_file, strict, as_json) -> None:
    """校验审计链、数据一致性、数据库结构与签封 / Check the hash chain, every table, the schema and the seals.

    Exit code 0 when intact, 1 when an edit behind the tool's back is found.
    Warnings (e.g. entries written after the last seal) do not change the exit
    code unless --strict. Give --head with a hash printed by an earlier verify
    (e.g. recorded in the minutes) to also detect the newest entries being cut off.
    Give --key to check the seals made with `tlr audit seal`.

    \b
    Example / 示例:
      tlr audit verify --campaign round-2026
      tlr audit verify --key secretary.pem.pub          # 核对签封 / check the seals
      tlr audit verify --key secretary.pem.pub --strict # 签封之后不许有新记录 / nothing after the last seal
      tlr audit verify --head 9f2c…e1   # 上次评审会记录的链头 / head recorded at the last meeting
    """
    from tlr.errors import CampaignError

    if strict and not key_file:
        raise CampaignError("--strict 须与 --key 一起使用 / --strict needs --key", code="usage")
    key = None
    if key_file:
        from tlr.campaign.seal import load_key

        key = load_key(key_file)
    with _open(campaign) as ledger:
        report = ledger.verify(key=key, strict=strict, heads=heads)
    if as_json:
        echo_json(report.to_dict())
    else:
        echo_audit_report(report)
        good = [s for s in report.seals if s["status"] == "ok"]
        if good:
            click.echo(f"签封有效 / valid seals: {len(good)}, 最后 / last at entry {good[-1]['seq']} "
                       f"({good[-1]['ts'][:19]}, {good[-1]['actor']})")
        for w in report.warnings:
            click.echo(f"警告 / warning: {w}", err=True)
    if not report.ok:
        raise click.exceptions.Exit(1)


@audit.command("seal")
@campaign_option
@click.option("--key", "key_file", required=True, type=PathArg(dir_okay=False), metavar="KEYFILE",
              help="秘书处持有的私钥 PEM（Ed25519）或 HMAC 密钥文件 / the secretary's Ed25519 private key PEM or "
                   "HMAC key file")
@json_option
def audit_seal(campaign, key_file, as_json) -> None:
    """签封审计链头 / Sign the audit log's current head with a key kept outside the ledger.

    The seal (algorithm, key id, entry number, head hash, time, actor, signature)
    is stored in the ledger with its own audit entry; the key is not. Later,
    `tlr audit verify --key PUBLIC_KEY` proves that the history up to the seal is
    unchanged and lists every entry written after it.

    \b
    Example / 示例:
      tlr audit keygen --out ~/secretary.pem      # 一次 / once
      tlr audit seal --key ~/secretary.pem        # 每次评审会后 / after each review meeting
    """
    from tlr.campaign.seal import load_key, seal_head, short_id

    key = load_key(key_file)
    with _open(campaign) as ledger:
        row = seal_head(ledger, key)
    if as_json:
        echo_json(row)
    else:
        click.echo(f"已签封 / sealed entry {row['seq']} head {row['head']} ({row['alg']}, key {short_id(row['key_id'])})")


@audit.command("keygen")
@click.option("--out", "out", required=True, type=PathArg(dir_okay=False), metavar="FILE",
              help="私钥文件（权限 0600，不覆盖已有文件）/ private key file (mode 0600, never overwritten)")
@click.option("--hmac", "use_hmac", is_flag=True,
              help="生成 HMAC-SHA256 密钥（核对也需此密钥）/ an HMAC-SHA256 key instead (verifying needs it too)")
@json_option
def audit_keygen(out, use_hmac, as_json) -> None:
    """生成签封密钥 / Make a key for `tlr audit seal`.

    Ed25519 (default): the private key goes to FILE (mode 0600) and the public key
    to FILE.pub (also printed): give the public key to whoever verifies. Keep the
    private key off the machine that holds the campaign (e.g. a USB stick kept by
    the secretary): whoever has both the ledger and the key can forge seals.

    \b
    Example / 示例:
      tlr audit keygen --out /media/usb/secretary.pem
    """
    from tlr.campaign.seal import keygen, short_id

    info = keygen(out, use_hmac=use_hmac)
    if as_json:
        echo_json(info)
        return
    click.echo(f"私钥 / private key: {info['private']} (0600)  {info['alg']}  key id {short_id(info['key_id'])}")
    if "public" in info:
        click.echo(f"公钥 / public key: {info['public']}")
        click.echo(info["public_pem"].rstrip())


@audit.command("log")
@campaign_option
@click.option("--limit", type=NON_NEGATIVE, default=50, show_default=True, help="最近多少条 / newest N entries (0 = all)")
@click.option("--action", default=None, help="只看某类操作 / only this action (e.g. score.set)")
@json_option
def audit_log(campaign, limit, action, as_json) -> None:
    """查看审计日志 / Show the audit log: who did what, when.

    \b
    Example / 示例:
      tlr audit log --action sheet.import --json
    """
    from tlr.campaign import log_entries

    with _open(campaign) as ledger:
        entries = log_entries(ledger, limit=limit or None, action=action)
    if as_json:
        echo_json(entries)
        return

    def summary(e: dict) -> str:
        p = e["payload"]
        puts = {k: len(v) for k, v in (p.get("put") or {}).items()}
        for k, v in (p.get("rows") or {}).items():   # rows streamed by a large import: a table of values
            puts[k] = puts.get(k, 0) + len(v.get("values") or [])
        dels = {k: len(v) for k, v in (p.get("del") or {}).items()}
        extra = {k: v for k, v in p.items() if k not in ("put", "del", "rows", "meta", "rubric")}
        parts = [f"+{k}:{n}" for k, n in puts.items()] + [f"-{k}:{n}" for k, n in dels.items()]
        if e["action"] == "score.set":
            r = p["put"]["scores"][0]
            parts = [f"{r['expert_id']}/{r['project_id']}/{r['indicator_id']}={r['raw']}"]
        return " ".join(parts + [f"{k}={v}" for k, v in extra.items() if not isinstance(v, (dict, list))])

    print_table(["seq", "time", "actor", "action", "detail"],
                [[e["seq"], e["ts"][:19], e["actor"], e["action"], summary(e)[:80]] for e in entries])
