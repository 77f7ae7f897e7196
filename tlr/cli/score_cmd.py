"""``tlr score`` (interactive or from a file) and ``tlr sheets`` (XLSX scoresheets)."""

from __future__ import annotations

from pathlib import Path

import click

from tlr.cli._output import plain
from tlr.cli._params import ID, PathArg
from tlr.cli.campaign_cmd import (GuardedCommand, GuardedGroup, _open, campaign_option, encoding_option, echo_json,
                                  json_option, problems_as_json)

COMMANDS_HELP = "回车=保留 keep · b=上一项 back · s=跳过 skip · q=退出 quit · ?=帮助 help"
BACK = {"b", "back", "上一项", "<"}
SKIP = {"s", "skip", "跳过", ">"}
QUIT = {"q", "quit", "exit", "退出"}
HELP = {"?", "h", "help", "帮助"}
CHECKLIST = {"c", "checklist", "清单", "核查", "核查清单"}
LEAVE = {"x", "leave", "离开"}
EDIT = {"e", ":e"}
# A terminal in canonical mode passes at most 4095 bytes in one line and drops the rest silently
# (Linux N_TTY_BUF_SIZE 4096, one for the newline): a typed line this long was probably cut.
TTY_LINE_LIMIT = 4095
COMMENT_PROMPT = "意见（可选；回车跳过，e=用编辑器写长意见 / Enter skips, e = editor for a long one）/ comment (optional)"
CHECKLIST_HELP = ("y=是 yes · n=否 no · na=不适用 not applicable · 0-100=完成百分比 percent (仅百分比问题 percent "
                  "questions) · 回车=保留当前答案 keep · b=上一题 back · s=跳过 skip · x=离开清单 leave the checklist · "
                  "q=退出 quit · ?=帮助 help")


@click.command(cls=GuardedCommand)
@click.option("--expert", "-e", "expert_id", default=None, type=ID, help="专家编号 / expert id, e.g. E07")
@click.option("--from", "from_file", type=PathArg(dir_okay=False), default=None,
              help="从文件导入答案（CSV/XLSX/JSON：project, indicator, value, comment, evidence）/ "
                   "non-interactive: answers from a file")
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
    indicator takes a plain level there.

    --checklists lists the TRL checklist judgements (per expert, never averaged);
    with --out FILE.csv|.json every checklist answer is written too.

    \b
    Example / 示例:
      tlr score --expert E07
      tlr score --expert E07 --from answers.csv
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
    if not expert_id:
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
        Session(ledger, expert_id, restart=restart).run()


def ask_comment(default: str = "") -> str:
    """The comment prompt: Enter keeps ``default``; ``e`` / ``:e`` opens $EDITOR (for long text); a typed
    line that reached the terminal's line limit is never taken silently: warn and offer the editor."""
    import sys

    while True:
        try:
            text = click.prompt(COMMENT_PROMPT, default=default, show_default=False)
        except UnicodeDecodeError:  # a multi-byte character cut at the line limit (strict stdin decoding)
            click.echo("  ⚠ 输入不是完整的 UTF-8（可能在终端单行上限处被截断），请输入 e 用编辑器 / the input is not "
                       "complete UTF-8 (probably cut at the terminal's line limit): type e for the editor")
            continue
        if text == default:
            return default.strip()
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if text.strip().lower() in EDIT:
            edited = _edit_comment(default)
            if edited is not None:
                return edited
            continue
        if len(text.encode("utf-8")) >= TTY_LINE_LIMIT and sys.stdin.isatty():
            text = text.rstrip("\ufffd")   # the bytes of a character cut in the middle
            click.echo(f"  ⚠ 意见达到终端单行上限（{TTY_LINE_LIMIT} 字节），后面的内容可能已被截掉 / the comment reached "
                       f"the terminal's line limit ({TTY_LINE_LIMIT} bytes): the rest may have been cut off")
            if click.confirm("  用编辑器检查并补全？/ open it in the editor to check and complete it?", default=True):
                edited = _edit_comment(text)
                if edited is not None:
                    return edited
            click.echo(f"  按收到的 {len(text.encode('utf-8'))} 字节保存 / saving the {len(text.encode('utf-8'))} "
                       f"bytes received")
        return text.strip()


def _edit_comment(text: str) -> str | None:
    """The comment edited in $EDITOR (None when the editor cannot be run or is left without saving)."""
    try:
        edited = click.edit(text or "", extension=".txt", require_save=True)
    except click.ClickException as exc:
        click.echo(f"  ✗ 无法打开编辑器（设置 EDITOR 环境变量）/ cannot open the editor (set EDITOR): "
                   f"{exc.format_message()}")
        return None
    if edited is None:
        click.echo("  编辑器未保存，意见未改 / the editor was left without saving: comment unchanged")
        return None
    return edited.strip()


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
        self.first_item = True   # a checklist left open in the item the session starts at is resumed at once

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
        click.echo(f"项目 / Project {k}/{n_proj}: {plain(project['id'])}  {plain(project['name'])}")
        click.echo(f"申报单位 / Applicant: {plain(project['applicant'])}    "
                   f"行业 / Industry: {plain(project['industry'])}")
        if project.get("co_applicants"):
            click.echo(f"合作单位 / Partners: {plain('、'.join(project['co_applicants']))}")
        if project.get("summary"):
            click.echo(f"简介 / Summary: {plain(project['summary'], newlines=True)}")
        click.echo("=" * 70)
        self.shown_project = project["id"]

    def run(self) -> None:
        from tlr.campaign.checklist import has_checklist
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
        click.echo(f"专家 / Expert {plain(self.expert_id)} {plain(self.expert['name'])}: {self.answered()}/{total} "
                   f"已完成 / done. "
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
                    click.echo(f"  当前 / current: {plain(cur['raw'])} ({score_label(info.scale, cur['value'])})"
                               + (f"  意见 / comment: {plain(cur['comment'], newlines=True)}" if cur["comment"] else ""))
                flow = ChecklistFlow(self, item) if has_checklist(info.scale) else None
                resume_now = self.first_item and flow is not None and flow.state.status == "open"
                self.first_item = False
                if flow is not None and not resume_now:
                    flow.offer(cur)
                raw = "c" if resume_now else click.prompt("评分 / score", default="", show_default=False).strip()
                low = raw.lower()
                if low in HELP:
                    click.echo(COMMANDS_HELP)
                    if flow is not None:
                        click.echo("c=TRL 核查清单 checklist · 输入等级数字 = 直接给出等级 / a level number = direct level")
                    continue
                if flow is not None and (low in CHECKLIST or (not raw and flow.enter_is_checklist(cur))):
                    action, rec = flow.run()
                    if action == "quit":
                        ledger.set_session(self.expert_id, *item.key)
                        where = f" ({flow.where()})" if flow.where() else ""
                        click.echo(f"已退出，下次从 {proj['id']}/{info.id}{where} 继续 / stopped; next time you resume "
                                   f"at {proj['id']}/{info.id}{where}")
                        return
                    if action == "scored":
                        self.scores[item.key] = {"raw": rec.raw, "value": rec.value, "comment": rec.comment,
                                                 "evidence": rec.evidence}
                        idx = self.next_index(idx)
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
                comment = ask_comment(cur["comment"] if cur else "")
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
        self.checklist_summary()

    def checklist_summary(self) -> None:
        """One line with this expert's TRL checklist judgements (level by the cumulative rule, per project)."""
        from tlr.campaign.checklist import checklist_judgements

        keys = {i.key for i in self.items}
        parts = []
        for j in checklist_judgements(self.ledger, self.expert_id):
            if (j["project"], j["indicator"]) not in keys:
                continue
            level = f"{j['prefix']} {j['level']}" if j["level"] is not None else f"< {j['prefix']} 1"
            if j["status"] == "done":
                parts.append(f"{j['project']}/{j['indicator']} {level}")
            else:
                parts.append(f"{j['project']}/{j['indicator']} 进行中 in progress {j['answers']}/{j['questions']}")
        if parts:
            click.echo("核查清单 / checklists: " + " · ".join(parts))


class ChecklistFlow:
    """The TRL checklist of one project x indicator inside ``tlr score`` (see docs/campaign.md).

    Walks the ladder from the lowest level not yet green, question by question; every answer is
    committed at once with the position to resume at. Stops as soon as a level cannot be green any
    more (or at the top); the level given by the cumulative rule is then recorded as the expert's
    score. :meth:`run` returns ``(action, record)``: ``scored``, ``leave`` (back to the indicator's
    prompt) or ``quit``.
    """

    def __init__(self, session: Session, item):
        from tlr.campaign.checklist import abbreviation, ladder_of, load_state

        self.session, self.item = session, item
        self.ledger, self.expert_id = session.ledger, session.expert_id
        self.project_id, self.indicator_id = item.key
        self.scale = item.indicator.scale
        self.ladder = ladder_of(self.scale)
        self.prefix = abbreviation(self.scale, self.indicator_id)
        self.steps = [(level, q) for level, q in self.ladder.questions()]
        self.index = {q.id: k for k, (_level, q) in enumerate(self.steps)}
        self.state = load_state(self.ledger, self.expert_id, self.project_id, self.indicator_id, self.ladder)
        self.changed = False

    # ------------------------------------------------------------------ entry
    def enter_is_checklist(self, cur: dict | None) -> bool:
        """Enter opens the checklist when there is no score yet or the checklist is unfinished."""
        return cur is None or self.state.status == "open"

    def offer(self, cur: dict | None) -> None:
        n = len(self.state.answers)
        if self.state.status == "open":
            what = (f"回车或 c = 继续核查清单（已答 {n}/{len(self.steps)}）/ Enter or c = continue the checklist "
                    f"({n}/{len(self.steps)} answered)")
        elif cur is None:
            what = (f"回车或 c = 按 {self.prefix} 核查清单逐级评定（推荐）/ Enter or c = walk the {self.prefix} "
                    f"checklist level by level (recommended)")
        else:
            what = f"c = 重新打开核查清单 / reopen the checklist ({n}/{len(self.steps)} answered)"
        lo, hi = self.ladder.numbers[0], self.ladder.numbers[-1]
        click.echo(f"  ▶ {what}；或直接输入等级 {lo}-{hi} / or type a level {lo}-{hi} directly")

    def where(self) -> str:
        pos = self.state.position
        return f"{self.prefix} 核查清单 checklist {pos}" if self.state.status == "open" and pos else ""

    def start(self) -> int | None:
        """Where to begin: the stored position; else the first question not met (unanswered, no,
        partial) of the lowest level not yet green; ``None``: conclude."""
        from tlr.trl import determine_level

        st = self.state
        if st.status == "open":
            if st.position in self.index:
                return self.index[st.position]
            if st.position is None and st.answers:
                return None
        det = determine_level(self.ladder, st.answers)
        nxt = det.next
        if nxt is not None and nxt.missing:
            return self.index[nxt.missing[0].question]
        number = det.next_level if det.next_level is not None else self.ladder.numbers[-1]
        ks = [k for k, (level, _q) in enumerate(self.steps) if level.level >= number] or [0]
        return ks[0]

    def set_position(self, k: int | None) -> None:
        from tlr.campaign.checklist import set_position

        qid = self.steps[k][1].id if k is not None else None
        set_position(self.ledger, self.expert_id, self.project_id, self.indicator_id, qid)
        self.state.status, self.state.position = "open", qid

    # ------------------------------------------------------------------ walking
    def level_header(self, level) -> None:
        from tlr.text import both

        click.echo("")
        click.echo(f"  ── {self.prefix} {level.level}: {both(level.label)} ──")
        if level.descriptor:
            click.echo(f"     {both(level.descriptor)}")
        if level.evidence:
            click.echo("     证据示例 / evidence examples: " + "；".join(both(e) for e in level.evidence))

    def ask(self, k: int) -> tuple[str, object]:
        from tlr.campaign.checklist import format_answer
        from tlr.rubric.model import EVIDENCE_KINDS
        from tlr.text import both
        from tlr.trl import TrlError, parse_answer

        level, q = self.steps[k]
        tag = {"technical": "技术 technical", "manufacturing": "制造 manufacturing",
               "programmatic": "项目管理 programmatic"}.get(q.tag, q.tag)
        in_level = [s for s in self.steps if s[0].level == level.level]
        pos = next(n for n, s in enumerate(in_level, 1) if s[1].id == q.id)
        click.echo("")
        click.echo(f"  [{self.prefix} {level.level} · {pos}/{len(in_level)} · 清单 checklist "
                   f"{len(self.state.answers)}/{len(self.steps)}] {q.id} ({tag})")
        click.echo(f"     {both(q.text)}")
        if q.evidence:
            click.echo("     所需证据 / evidence needed: " + ", ".join(
                f"{EVIDENCE_KINDS[e][0]} {EVIDENCE_KINDS[e][1]}" if e in EVIDENCE_KINDS else e for e in q.evidence))
        current = self.state.answers.get(q.id)
        if current is not None:
            shown = format_answer(current) + ("%" if not isinstance(current, str) else "")
            click.echo(f"     当前答案 / current answer: {shown}（回车保留 / Enter keeps it）")
        options = "y/n/na/0-100/b/s/x/q/?" if q.answer == "percent" else "y/n/na/b/s/x/q/?"
        while True:
            raw = click.prompt(f"  答案 / answer [{options}]", default="", show_default=False).strip()
            low = raw.lower()
            if low in BACK:
                return "b", None
            if low in SKIP:
                return "s", None
            if low in QUIT:
                return "q", None
            if low in LEAVE:
                return "x", None
            if low in HELP or (not raw and current is None):
                click.echo(f"     {CHECKLIST_HELP}")
                continue
            if not raw:
                return "keep", current
            try:
                value = parse_answer(raw, q)
            except TrlError as exc:
                click.echo(f"     ✗ {exc.message}" + (f" — {exc.hint}" if exc.hint else ""))
                continue
            return "answer", value

    def after(self, k: int) -> int | None:
        """The next step after question ``k`` was answered (or kept); ``None`` when the walk ends here.

        The walk stops when this answer leaves the level unable to be green. When the level is
        already blocked by another answer (a revisit), the rest of the level can still be answered
        and the walk stops at the level's end.
        """
        from tlr.campaign.checklist import level_can_be_green
        from tlr.trl.determine import EPS, question_score

        level, q = self.steps[k]
        following = k + 1 if k + 1 < len(self.steps) else None
        if level_can_be_green(self.ladder, level.level, self.state.answers):
            return following
        score = question_score(self.state.answers.get(q.id))
        if score is not None and score < 1 - EPS:
            return None                                   # this answer blocks the level: stop
        if following is not None and self.steps[following][0].level == level.level:
            return following
        return None

    def run(self) -> tuple[str, object]:
        from tlr.campaign.checklist import save_answer

        was_done = self.state.status == "done"
        k = self.start()
        self.session.ledger.set_session(self.expert_id, self.project_id, self.indicator_id)
        if self.state.status != "open" or self.state.position != (self.steps[k][1].id if k is not None else None):
            self.set_position(k)
        if self.state.answers:
            here = self.steps[k][1].id if k is not None else "结论 / conclusion"
            click.echo(f"  继续核查清单：已答 {len(self.state.answers)}/{len(self.steps)}，从 {here} 开始 / "
                       f"checklist: {len(self.state.answers)}/{len(self.steps)} answered, continuing at {here}")
        click.echo(f"  {CHECKLIST_HELP}")
        shown = None
        while k is not None:
            level, q = self.steps[k]
            if level.level != shown:
                self.level_header(level)
                shown = level.level
            action, value = self.ask(k)
            if action in ("q", "x") or (action == "b" and k == 0):
                if was_done and not self.changed:   # only looked at: the checklist stays done
                    from tlr.campaign.checklist import set_position

                    set_position(self.ledger, self.expert_id, self.project_id, self.indicator_id, None, status="done")
                    self.state.status, self.state.position = "done", None
                if action == "q":
                    return "quit", None
                click.echo("  已离开核查清单，答案均已保存 / left the checklist; every answer is saved")
                return "leave", None
            if action == "b":
                k -= 1
                shown = None
                self.set_position(k)
                continue
            if action == "s":
                k = k + 1 if k + 1 < len(self.steps) else None
                self.set_position(k)
                continue
            old_level = level.level
            if action == "answer":
                before = dict(self.state.answers)
                self.state.answers[q.id] = value
                nxt = self.after(k)
                try:
                    save_answer(self.ledger, self.expert_id, self.project_id, self.indicator_id, q.id, value,
                                next_question=self.steps[nxt][1].id if nxt is not None else None)
                except BaseException:
                    self.state.answers = before
                    raise
                self.changed = True
                self.state.status = "open"
                self.state.position = self.steps[nxt][1].id if nxt is not None else None
            else:  # Enter kept the current answer
                nxt = self.after(k)
                self.set_position(nxt)
            if nxt is None or self.steps[nxt][0].level != old_level:
                self.report_level(old_level)
            k = nxt
        return self.conclude()

    def report_level(self, number: int) -> None:
        from tlr.trl import determine_level

        r = determine_level(self.ladder, self.state.answers).level(number)
        share = "n/a" if r.share is None else f"{r.share * 100:.0f}%"
        mark, zh, en = {"green": ("■", "达到", "reached"), "yellow": ("◧", "部分达到", "partly met"),
                        "red": ("□", "未达到", "not met")}[r.state]
        click.echo(f"     {mark} {self.prefix} {number}: {zh} / {en} ({share})")

    def conclude(self) -> tuple[str, object]:
        from tlr.campaign.checklist import conclusion, level_can_be_green, mark_done
        from tlr.campaign.scoring import record_score
        from tlr.text import both

        det, auto = conclusion(self.ladder, self.state.answers, self.prefix)
        nxt = det.next
        click.echo("")
        got = f"{self.prefix} {det.achieved}" if det.achieved is not None else f"未达到 / below {self.prefix} " \
                                                                              f"{self.ladder.numbers[0]}"
        click.echo(f"  累积规则 / cumulative rule: {got}")
        if nxt is not None and nxt.missing:
            click.echo(f"  {self.prefix} {nxt.level} 尚缺 / missing for {self.prefix} {nxt.level}:")
            for m in nxt.missing:
                ans = "未答 / unanswered" if m.answer is None else (
                    m.answer if isinstance(m.answer, str) else f"{m.answer:g}%")
                click.echo(f"    - {m.question} [{ans}] {both(m.text)}")
        elif nxt is not None:
            click.echo(f"  {self.prefix} {nxt.level} 没有适用的核查问题，只能由评估人书面断言；如您判断已达到，可直接输入等级 / "
                       f"{self.prefix} {nxt.level} has no applicable checklist question (only an assessor's written "
                       f"assertion reaches it); type the level directly if you judge it reached")
        if det.not_counted:
            click.echo("  （累积规则：更高的已满足等级不计入 / cumulative rule: higher levels met do not count: "
                       + ", ".join(f"{self.prefix} {n}" for n in det.not_counted) + "）")
        if nxt is not None and nxt.missing and level_can_be_green(self.ladder, nxt.level, self.state.answers):
            open_q = [m.question for m in nxt.missing if m.answer is None]
            click.echo(f"  ⚠ {self.prefix} {nxt.level} 还有未答的问题 / still has unanswered questions: "
                       + ", ".join(open_q))
            if det.achieved is None or not click.confirm(
                    f"  仍将 {got} 记为评分？/ record {got} as your score anyway?", default=False):
                self.set_position(self.index[open_q[0]])
                click.echo("  未记录评分；回车继续核查清单 / no score recorded; press Enter to continue the checklist")
                return "leave", None
        if det.achieved is None:
            # Enter re-opens the checklist at the level's first question not met, to revise it
            self.set_position(self.index[nxt.missing[0].question] if nxt is not None and nxt.missing else None)
            click.echo(f"  未达到 {self.prefix} {self.ladder.numbers[0]}，不能记录等级；可直接输入等级或跳过 / no level "
                       f"reached: nothing recorded; type a level directly or skip")
            return "leave", None
        cur = self.session.scores.get(self.item.key)
        extra = ask_comment("")
        comment = auto + (f" — {extra}" if extra else "")
        following = self.session.next_index(self.session.items.index(self.item))
        items = self.session.items
        cursor = items[following].key if following < len(items) else (None, None)
        rec = record_score(self.ledger, self.expert_id, self.project_id, self.indicator_id, str(det.achieved),
                           comment=comment, evidence=cur["evidence"] if cur else "", source="checklist",
                           cursor=cursor, within=mark_done(self.expert_id, self.project_id, self.indicator_id))
        self.state.status, self.state.position = "done", None
        click.echo(f"  ✓ 已保存 / saved {self.project_id}/{self.indicator_id} = {self.prefix} {det.achieved}"
                   f"（{auto}）")
        return "scored", rec


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
    import json

    from tlr.errors import CampaignError
    from tlr.outputs import write_file

    suffix = Path(out_file).suffix.lower()
    if suffix == ".json":
        data = json.dumps(answers, ensure_ascii=False, indent=2).encode("utf-8")
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
