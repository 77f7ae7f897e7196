"""``tlr score`` (interactive or from a file) and ``tlr sheets`` (XLSX scoresheets)."""

from __future__ import annotations

from pathlib import Path

import click

from tlr.cli.kit import (ID, PathArg, campaign_option, command, echo_json, encoding_option, group, json_option,
                         json_text, plain, problems_as_json)


def _open(campaign: str | None):
    from tlr.campaign import open_campaign

    return open_campaign(campaign)


@command()
@click.option("--expert", "-e", "expert_id", default=None, type=ID, help="专家编号 / expert id, e.g. E07")
@click.option("--from", "from_file", type=PathArg(dir_okay=False), default=None,
              help="从文件导入答案（CSV/XLSX/JSON：project, indicator, value, comment, evidence；不加 --expert 时"
                   "另需 expert 列）/ non-interactive: answers from a file (without --expert: an expert column too)")
@campaign_option
@encoding_option
@click.option("--restart", is_flag=True, help="从第一项开始而不是上次停下处 / start at the first item, not where you stopped")
@click.option("--dry-run", is_flag=True, help="与 --from 一起：只检查 / with --from: check only")
@click.option("--checklists", is_flag=True,
              help="列出专家的 TRL 核查清单判断（不加 --expert 则列出全部）/ list the experts' TRL checklist judgements")
@click.option("--out", "out_file", type=PathArg(dir_okay=False), default=None,
              help="与 --checklists 一起：把每个核查问题的答案写入 CSV / JSON 文件 / with --checklists: write every "
                   "checklist answer to a .csv or .json file")
@json_option
def score(expert_id: str | None, from_file: str | None, campaign: str | None, encoding: str | None, restart: bool,
          dry_run: bool, checklists: bool, out_file: str | None, as_json: bool) -> None:
    """专家打分 / Score your assigned projects, indicator by indicator.

    Interactive: shows each project's summary and each indicator's anchored
    descriptors, validates the value, asks for an optional comment and saves every
    answer at once. Commands at the prompt: Enter keeps the current answer, b goes
    back, s skips, q quits. Run it again to resume exactly where you stopped.

    A TRL indicator whose ladder has checklist questions is scored through its
    checklist by default (Enter or c): level by level, y/n/na/percent per question;
    the level given by the cumulative rule is recorded as the score. Type a level
    number instead to enter it directly. Every checklist answer is saved at once.

    With --from FILE the answers come from a CSV/XLSX/JSON file with columns
    project (项目编号), indicator (指标编号), value (分值), comment (意见), evidence
    (依据); the file is checked completely and imported all-or-nothing. A TRL
    indicator takes a plain level there. Without --expert the file holds the
    whole panel's answers, with an expert column (专家编号) naming each row's
    expert (e.g. exported from an online review system).

    --checklists lists the TRL checklist judgements (per expert, never averaged);
    with --out FILE.csv|.json every checklist answer is written too.

    \b
    Example / 示例:
      tlr score --expert E07
      tlr score --expert E07 --from answers.csv
      tlr score --from panel-answers.csv      # 全体专家 / every expert's answers
      tlr score --checklists --out checklist-answers.csv
    """
    from tlr.errors import CampaignError

    if checklists:
        if out_file:
            from tlr.outputs import check_file

            check_file(out_file)
        with _open(campaign) as ledger:
            _list_checklists(ledger, expert_id, out_file, as_json)
        return
    if out_file:
        raise CampaignError("--out 只能与 --checklists 一起使用 / --out goes with --checklists", code="usage")
    if not expert_id and from_file is None:
        raise CampaignError("请用 --expert 指定专家 / give the expert with --expert E07", code="usage",
                            hint="tlr score --expert E07")
    with _open(campaign) as ledger:
        if from_file is not None:
            from tlr.campaign import import_answers

            counts = import_answers(ledger, expert_id, from_file, dry_run=dry_run, encoding=encoding)
            if as_json:
                echo_json({"expert": expert_id, "file": from_file, "dry_run": dry_run, **counts})
            else:
                verb = "检查通过 / checked" if dry_run else "已保存 / saved"
                click.echo(f"{verb}: {counts['set']} 项评分 / answers ({counts['unchanged']} unchanged)")
            return
        from tlr.app.interactive import Interrupted
        from tlr.app.interactive.scoring import ScoringSession
        from tlr.cli.kit.terminal import ClickTerminal

        try:
            ScoringSession(ledger, expert_id, ClickTerminal(), restart=restart).run()
        except Interrupted:
            raise click.exceptions.Abort() from None


def _list_checklists(ledger, expert_id: str | None, out_file: str | None, as_json: bool) -> None:
    from tlr.campaign.checklist import checklist_answers, checklist_judgements

    judgements = checklist_judgements(ledger, expert_id)
    answers = checklist_answers(ledger, expert_id)
    if out_file:
        _write_answers(out_file, answers)
    if as_json:
        echo_json({"judgements": judgements, "answers": answers if not out_file else len(answers),
                   **({"file": out_file} if out_file else {})})
        return
    if not judgements:
        click.echo("没有 TRL 核查清单 / no TRL checklists yet")
    for j in judgements:
        level = f"{j['prefix']} {j['level']}" if j["level"] is not None else f"< {j['prefix']} 1"
        status = "完成 done" if j["status"] == "done" else "进行中 in progress"
        score = ("" if j["score"] is None else f"  评分 score {j['score']:g}"
                 + ("" if j["score_matches"] else " ≠ 清单 checklist"))
        click.echo(f"{j['expert']}  {j['project']}/{j['indicator']}  {level}  [{status}, {j['answers']}/"
                   f"{j['questions']}]{score}")
        if j["missing_for_next"]:
            click.echo(f"    缺 / missing for {j['prefix']} {j['next_level']}: {', '.join(j['missing_for_next'])}")
    if out_file:
        click.echo(f"已写入 {len(answers)} 条答案 / wrote {len(answers)} answers: {out_file}")


def _write_answers(out_file: str, answers: list[dict]) -> None:
    import csv
    import io

    from tlr.errors import CampaignError
    from tlr.outputs import write_file

    suffix = Path(out_file).suffix.lower()
    if suffix == ".json":
        data = json_text(answers).encode("utf-8")
    elif suffix == ".csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(answers[0]) if answers else
                                ["expert_id", "project_id", "indicator_id", "question_id", "answer", "answered_at",
                                 "audit_seq"], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(answers)
        data = buf.getvalue().encode("utf-8-sig")   # Excel opens UTF-8 with BOM correctly
    else:
        raise CampaignError(f"--out 须为 .csv 或 .json / --out must end in .csv or .json: {out_file}", code="usage")
    write_file(out_file, data)


# --------------------------------------------------------------------------- sheets


@group()
def sheets() -> None:
    """Excel 评分表：导出与导入 / Export and import XLSX scoresheets.

    \b
    Example / 示例:
      tlr sheets export --expert E07 --out sheets/
      tlr sheets export --all --out sheets/
      tlr sheets import returned/*.xlsx
    """


@sheets.command("export")
@click.option("--expert", "-e", "experts_", multiple=True, type=ID, help="专家编号（可多次）/ expert id (repeatable)")
@click.option("--all", "all_", is_flag=True, help="所有有分配的专家 / every expert with assignments")
@click.option("--out", "-o", type=PathArg(), default=".", show_default=True,
              help="输出目录或 .xlsx 文件 / output directory or .xlsx file")
@campaign_option
@json_option
def sheets_export(experts_, all_, out, campaign, as_json) -> None:
    """导出专家评分表（下拉选择、评分标准可见、结构锁定）/ Write one XLSX scoresheet per expert.

    Current answers are prefilled, so a sheet can be corrected and re-imported.

    \b
    Example / 示例:
      tlr sheets export --expert E07 --out E07.xlsx
    """
    from tlr.campaign.sheets import export_sheet
    from tlr.errors import CampaignError
    from tlr.outputs import check_file, check_folder, join_under, make_folder, safe_names

    out_path = Path(out)
    one_file = out_path.suffix.lower() == ".xlsx" and not out_path.is_dir()
    if not one_file:
        check_folder(out)  # before opening the campaign: a bad --out fails at once
    with _open(campaign) as ledger:
        ids = list(dict.fromkeys(experts_))  # an expert named twice gets one sheet
        if all_:
            ids = ledger.assigned_experts()
            if not ids:
                raise CampaignError("没有专家有待评项目 / no expert has assigned projects", code="nothing_assigned",
                                    hint="先运行 / first run `tlr assign`")
        if not ids:
            raise CampaignError("请指定 --expert 或 --all / give --expert E or --all", code="usage")
        if one_file and len(ids) == 1:
            targets = {ids[0]: check_file(out_path)}
        else:
            names = safe_names(ids)  # ids are data: never trusted as file names
            targets = {eid: f"scoresheet-{names[eid]}.xlsx" for eid in ids}
            check_folder(out_path, names=targets.values())
            make_folder(out_path)
            targets = {eid: join_under(out_path, name) for eid, name in targets.items()}
        written = [{"expert": eid, "file": str(export_sheet(ledger, eid, targets[eid]))} for eid in ids]
    if as_json:
        echo_json(written)
    else:
        for w in written:
            click.echo(f"{w['expert']}: {w['file']}")


@sheets.command("import")
@click.argument("files", nargs=-1, required=True, type=PathArg(dir_okay=False))
@campaign_option
@click.option("--dry-run", is_flag=True, help="只检查 / check only")
@click.option("--overwrite-newer", is_flag=True,
              help="导出后账本中改过的评分也用表中的值覆盖 / let the sheet replace answers changed in the ledger "
                   "after the sheet was exported")
@click.option("--keep-newer", is_flag=True,
              help="保留导出后账本中改过的评分，只导入其余 / keep the answers changed in the ledger after the export, "
                   "import the rest")
@json_option
def sheets_import(files, campaign, dry_run, overwrite_newer, keep_newer, as_json) -> None:
    """导入交回的评分表（全部校验通过才导入）/ Validate and import returned scoresheets.

    A score given sets that answer; 撤回 or withdraw in a score cell withdraws it;
    an empty cell or a deleted row changes nothing (the stored answer is kept).
    An answer changed in the ledger after the sheet was exported (e.g. entered
    with `tlr score`) is not reverted: the import is refused and lists them,
    unless --keep-newer or --overwrite-newer. Formula cells are refused.
    Every change is recorded in the audit log.

    \b
    Example / 示例:
      tlr sheets import returned/scoresheet-E07.xlsx returned/scoresheet-E08.xlsx
      tlr sheets import returned/scoresheet-E07.xlsx --keep-newer
    """
    from tlr.campaign.sheets import import_sheets
    from tlr.errors import CampaignError

    if overwrite_newer and keep_newer:
        raise CampaignError("--overwrite-newer 与 --keep-newer 只能选一个 / choose one of --overwrite-newer and "
                            "--keep-newer", code="usage")
    on_newer = "overwrite" if overwrite_newer else "keep" if keep_newer else "refuse"
    with _open(campaign) as ledger, problems_as_json(as_json):
        results = import_sheets(ledger, list(files), dry_run=dry_run, on_newer=on_newer)
    if as_json:
        echo_json(results)
        return
    for r in results:
        verb = "检查通过（未导入）/ checked (nothing imported)" if r.get("dry_run") else "已导入 / imported"
        click.echo(f"{plain(r['file'])}: {plain(r['expert'])} {verb}: 新增或修改 {r['set']} 项，撤回 {r['withdrawn']} 项，未变 "
                   f"{r['unchanged']} 项，留空 {r['empty']} 项（其中 {r['empty_kept']} 项保留已有评分），表中缺少 "
                   f"{r['missing_rows']} 行（其中 {r['missing_kept']} 项保留已有评分）/ set {r['set']}, withdrawn "
                   f"{r['withdrawn']}, unchanged {r['unchanged']}, left empty {r['empty']} ({r['empty_kept']} stored "
                   f"answers kept), rows missing from the sheet {r['missing_rows']} ({r['missing_kept']} stored answers "
                   f"kept)")
        if r["kept_newer"]:
            click.echo(f"  保留账本中较新的 {r['kept_newer']} 项 / kept {r['kept_newer']} newer ledger answer(s)")
        if r["overwritten_newer"]:
            click.echo(f"  以表中的值覆盖了账本中较新的 {r['overwritten_newer']} 项 / replaced {r['overwritten_newer']} "
                       f"newer ledger answer(s) with the sheet's")
        for w in r.get("warnings") or []:
            click.echo(plain(f"  {w['file']}: row {w['row']}: {w['field']}: warning: {w['message']}"), err=True)
