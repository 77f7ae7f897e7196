"""``tlr score`` (interactive or from a file) and ``tlr sheets`` (XLSX scoresheets)."""

from __future__ import annotations

from pathlib import Path

import click

from tlr.cli.campaign_cmd import GuardedCommand, GuardedGroup, _open, campaign_option, echo_json, json_option

COMMANDS_HELP = "回车=保留 keep · b=上一项 back · s=跳过 skip · q=退出 quit · ?=帮助 help"
BACK = {"b", "back", "上一项", "<"}
SKIP = {"s", "skip", "跳过", ">"}
QUIT = {"q", "quit", "exit", "退出"}
HELP = {"?", "h", "help", "帮助"}


@click.command(cls=GuardedCommand)
@click.option("--expert", "-e", "expert_id", required=True, help="专家编号 / expert id, e.g. E07")
@click.option("--from", "from_file", type=click.Path(dir_okay=False), default=None,
              help="从文件导入答案（CSV/XLSX/JSON：project, indicator, value, comment, evidence）/ "
                   "non-interactive: answers from a file")
@campaign_option
@click.option("--restart", is_flag=True, help="从第一项开始而不是上次停下处 / start at the first item, not where you stopped")
@click.option("--dry-run", is_flag=True, help="与 --from 一起：只检查 / with --from: check only")
@json_option
def score(expert_id: str, from_file: str | None, campaign: str | None, restart: bool, dry_run: bool,
          as_json: bool) -> None:
    """专家打分 / Score your assigned projects, indicator by indicator.

    Interactive: shows each project's summary and each indicator's anchored
    descriptors, validates the value, asks for an optional comment and saves every
    answer at once. Commands at the prompt: Enter keeps the current answer, b goes
    back, s skips, q quits. Run it again to resume exactly where you stopped.

    With --from FILE the answers come from a CSV/XLSX/JSON file with columns
    project (项目编号), indicator (指标编号), value (分值), comment (意见), evidence
    (依据); the file is checked completely and imported all-or-nothing.

    \b
    Example / 示例:
      tlr score --expert E07
      tlr score --expert E07 --from answers.csv
    """
    with _open(campaign) as ledger:
        if from_file:
            from tlr.campaign import import_answers

            counts = import_answers(ledger, expert_id, from_file, dry_run=dry_run)
            if as_json:
                echo_json({"expert": expert_id, "file": from_file, "dry_run": dry_run, **counts})
            else:
                verb = "检查通过 / checked" if dry_run else "已保存 / saved"
                click.echo(f"{verb}: {counts['set']} 项评分 / answers ({counts['unchanged']} unchanged)")
            return
        Session(ledger, expert_id, restart=restart).run()


class Session:
    """One interactive scoring session; every confirmed answer is committed at once."""

    def __init__(self, ledger, expert_id: str, *, restart: bool = False):
        from tlr.campaign.scoring import expert_items, expert_scores

        self.ledger = ledger
        self.expert = ledger.expert(expert_id)
        self.expert_id = expert_id
        self.items = expert_items(ledger, expert_id)
        self.scores = expert_scores(ledger, expert_id)
        self.restart = restart
        self.shown_project: str | None = None

    def start_index(self) -> int:
        if not self.restart:
            cursor = self.ledger.get_session(self.expert_id)
            if cursor and cursor[0]:
                for k, item in enumerate(self.items):
                    if item.key == tuple(cursor):
                        return k
        for k, item in enumerate(self.items):
            if item.key not in self.scores:
                return k
        return 0

    def next_index(self, idx: int) -> int:
        """The next item after ``idx`` still without an answer (``len(items)`` when none)."""
        for k in range(idx + 1, len(self.items)):
            if self.items[k].key not in self.scores:
                return k
        return len(self.items)

    def answered(self) -> int:
        keys = {i.key for i in self.items}
        return sum(1 for k in self.scores if k in keys)

    def show_project(self, project: dict) -> None:
        n_proj = len({i.project["id"] for i in self.items})
        k = list(dict.fromkeys(i.project["id"] for i in self.items)).index(project["id"]) + 1
        click.echo("")
        click.echo("=" * 70)
        click.echo(f"项目 / Project {k}/{n_proj}: {project['id']}  {project['name']}")
        click.echo(f"申报单位 / Applicant: {project['applicant']}    行业 / Industry: {project['industry']}")
        if project.get("co_applicants"):
            click.echo(f"合作单位 / Partners: {'、'.join(project['co_applicants'])}")
        if project.get("summary"):
            click.echo(f"简介 / Summary: {project['summary']}")
        click.echo("=" * 70)
        self.shown_project = project["id"]

    def run(self) -> None:
        from tlr.campaign.scoring import _validator, record_score
        from tlr.campaign.sheets import describe_anchors
        from tlr.errors import CampaignError
        from tlr.rubric.scales import score_label
        from tlr.text import both

        ledger = self.ledger
        if not self.items:
            click.echo(f"专家 {self.expert_id} 没有待评项目 / no projects are assigned to {self.expert_id}")
            return
        total = len(self.items)
        idx = self.start_index()
        click.echo(f"专家 / Expert {self.expert_id} {self.expert['name']}: {self.answered()}/{total} 已完成 / done. "
                   f"{COMMANDS_HELP}")
        validator = _validator(ledger)
        try:
            while 0 <= idx < total:
                item = self.items[idx]
                info, proj = item.indicator, item.project
                if proj["id"] != self.shown_project:
                    self.show_project(proj)
                click.echo("")
                click.echo(f"[{idx + 1}/{total} · 已答 answered {self.answered()}] {info.id}  {both(info.label)}")
                guidance = getattr(info.model, "guidance", None)
                if guidance:
                    click.echo(f"  说明 / guidance: {both(guidance)}")
                for line in describe_anchors(info.scale).splitlines():
                    click.echo(f"    {line}")
                cur = self.scores.get(item.key)
                if cur:
                    click.echo(f"  当前 / current: {cur['raw']} ({score_label(info.scale, cur['value'])})"
                               + (f"  意见 / comment: {cur['comment']}" if cur["comment"] else ""))
                raw = click.prompt("评分 / score", default="", show_default=False).strip()
                low = raw.lower()
                if low in HELP:
                    click.echo(COMMANDS_HELP)
                    continue
                if low in QUIT:
                    ledger.set_session(self.expert_id, *item.key)
                    click.echo(f"已退出，下次从 {proj['id']}/{info.id} 继续 / stopped; next time you resume at "
                               f"{proj['id']}/{info.id}")
                    return
                if low in BACK:
                    idx = max(idx - 1, 0)
                    ledger.set_session(self.expert_id, *self.items[idx].key)
                    continue
                if low in SKIP or not raw:  # Enter keeps the current answer (or leaves it empty)
                    idx = self.next_index(idx)
                    nxt = self.items[idx].key if idx < total else (None, None)
                    ledger.set_session(self.expert_id, *nxt)
                    continue
                try:
                    _info, value = validator.value(proj["id"], info.id, raw)
                except CampaignError as exc:
                    click.echo(f"  ✗ {exc.message}")
                    continue
                comment = click.prompt("意见（可选，回车跳过）/ comment (optional)",
                                       default=cur["comment"] if cur else "", show_default=False).strip()
                self.scores[item.key] = {"raw": raw, "value": value, "comment": comment, "evidence": ""}
                following = self.next_index(idx)
                nxt = self.items[following].key if following < total else (None, None)
                try:
                    rec = record_score(ledger, self.expert_id, proj["id"], info.id, raw, comment=comment,
                                       evidence=cur["evidence"] if cur else "", source="interactive", cursor=nxt)
                except CampaignError:
                    if cur:
                        self.scores[item.key] = cur
                    else:
                        self.scores.pop(item.key, None)
                    raise  # e.g. recused meanwhile: reported by the CLI, earlier answers are kept
                self.scores[item.key] = {"raw": rec.raw, "value": rec.value, "comment": rec.comment,
                                         "evidence": rec.evidence}
                click.echo(f"  ✓ 已保存 / saved {proj['id']}/{info.id} = {score_label(info.scale, value)}")
                idx = following
        except click.exceptions.Abort:
            if 0 <= idx < total:
                ledger.set_session(self.expert_id, *self.items[idx].key)
            raise
        missing = [i.key for i in self.items if i.key not in self.scores]
        click.echo("")
        if missing:
            click.echo(f"已到末尾：完成 {total - len(missing)}/{total}，尚缺 {len(missing)} 项 / end reached: "
                       f"{len(missing)} item(s) still missing: "
                       + ", ".join(f"{p}/{i}" for p, i in missing[:10]) + (" ..." if len(missing) > 10 else ""))
            p, i = missing[0]
            ledger.set_session(self.expert_id, p, i)
        else:
            click.echo(f"全部完成 / all {total} answers given. 谢谢 / thank you!")
            ledger.set_session(self.expert_id, None, None)


# --------------------------------------------------------------------------- sheets


@click.group(cls=GuardedGroup)
def sheets() -> None:
    """Excel 评分表：导出与导入 / Export and import XLSX scoresheets.

    \b
    Example / 示例:
      tlr sheets export --expert E07 --out sheets/
      tlr sheets export --all --out sheets/
      tlr sheets import returned/*.xlsx
    """


@sheets.command("export")
@click.option("--expert", "-e", "experts_", multiple=True, help="专家编号（可多次）/ expert id (repeatable)")
@click.option("--all", "all_", is_flag=True, help="所有有分配的专家 / every expert with assignments")
@click.option("--out", "-o", type=click.Path(), default=".", show_default=True,
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

    with _open(campaign) as ledger:
        ids = list(experts_)
        if all_:
            ids = [r[0] for r in ledger.conn.execute(
                "SELECT DISTINCT e.id FROM experts e JOIN assignments a ON a.expert_id = e.id ORDER BY e.seq")]
        if not ids:
            raise CampaignError("请指定 --expert 或 --all / give --expert E or --all", code="usage")
        written = []
        out_path = Path(out)
        for eid in ids:
            if out_path.suffix.lower() == ".xlsx" and len(ids) == 1:
                target = out_path
            else:
                target = out_path / f"scoresheet-{eid}.xlsx"
            written.append({"expert": eid, "file": str(export_sheet(ledger, eid, target))})
    if as_json:
        echo_json(written)
    else:
        for w in written:
            click.echo(f"{w['expert']}: {w['file']}")


@sheets.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@campaign_option
@click.option("--dry-run", is_flag=True, help="只检查 / check only")
@json_option
def sheets_import(files, campaign, dry_run, as_json) -> None:
    """导入交回的评分表（全部校验通过才导入）/ Validate and import returned scoresheets.

    A re-imported (corrected) sheet replaces that expert's scores on its projects;
    every change is recorded in the audit log.

    \b
    Example / 示例:
      tlr sheets import returned/scoresheet-E07.xlsx returned/scoresheet-E08.xlsx
    """
    from tlr.campaign.sheets import import_sheets
    from tlr.errors import ValidationError

    with _open(campaign) as ledger:
        try:
            results = import_sheets(ledger, list(files), dry_run=dry_run)
        except ValidationError as exc:
            if as_json:
                echo_json({"ok": False, "problems": [d.to_dict() for d in exc.diagnostics]})
            click.echo(exc.message, err=True)
            raise
    if as_json:
        echo_json(results)
        return
    for r in results:
        if r.get("dry_run"):
            click.echo(f"{r['file']}: {r['expert']} 检查通过 / ok, {r['answers']} answers")
        else:
            click.echo(f"{r['file']}: {r['expert']} 新增或修改 {r['set']} 项，撤回 {r['removed']} 项，未变 "
                       f"{r['unchanged']} 项 / set {r['set']}, removed {r['removed']}, unchanged {r['unchanged']}")
