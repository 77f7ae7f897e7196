"""An expert scoring their assigned projects at a terminal (``tlr score --expert E07``).

Item by item (project x indicator, in assignment order): the project's summary when it changes, the
indicator's anchored descriptors, the current answer; then a value (checked against the scale), an optional
comment (``e`` opens the editor; a line cut at the terminal's limit is never taken silently) and the
answer is committed at once with the position to resume at. At the prompt: Enter keeps the current answer
(or leaves the item empty), ``b`` goes back, ``s`` skips, ``q`` quits, ``?`` shows the commands. The next
run resumes exactly where the last one stopped, even after SIGKILL.

A TRL indicator whose ladder has checklist questions is scored through the checklist engine
(:mod:`tlr.app.interactive.checklist`, rules :data:`~tlr.app.interactive.checklist.SCORING`): every answer
is stored in the ledger at once, and the level given by the cumulative rule is recorded as the score.
"""

from __future__ import annotations

from typing import Any

from tlr.app.interactive.checklist import SCORING, ChecklistEngine
from tlr.app.interactive.terminal import BACK, HELP, QUIT, SKIP, EditorError, Interrupted, Terminal

COMMANDS_HELP = "回车=保留 keep · b=上一项 back · s=跳过 skip · q=退出 quit · ?=帮助 help"
CHECKLIST = frozenset({"c", "checklist", "清单", "核查", "核查清单"})
EDIT = frozenset({"e", ":e"})
# A terminal in canonical mode passes at most 4095 bytes in one line and drops the rest silently
# (Linux N_TTY_BUF_SIZE 4096, one for the newline): a typed line this long was probably cut.
TTY_LINE_LIMIT = 4095
COMMENT_PROMPT = "意见（可选；回车跳过，e=用编辑器写长意见 / Enter skips, e = editor for a long one）/ comment (optional)"
CHECKLIST_HELP = ("y=是 yes · n=否 no · na=不适用 not applicable · 0-100=完成百分比 percent (仅百分比问题 percent "
                  "questions) · 回车=保留当前答案 keep · b=上一题 back · s=跳过 skip · x=离开清单 leave the checklist · "
                  "q=退出 quit · ?=帮助 help")
TAGS = {"technical": "技术 technical", "manufacturing": "制造 manufacturing", "programmatic": "项目管理 programmatic"}
MARKS = {"green": ("■", "达到", "reached"), "yellow": ("◧", "部分达到", "partly met"), "red": ("□", "未达到", "not met")}


def _plain(value: Any, *, newlines: bool = False) -> str:
    from tlr.safetext import terminal_safe

    return terminal_safe(value, newlines=newlines)


# --------------------------------------------------------------------------- comments


def ask_comment(terminal: Terminal, default: str = "") -> str:
    """The comment prompt: Enter keeps ``default``; ``e`` / ``:e`` opens the editor (for long text); a typed
    line that reached the terminal's line limit is never taken silently: warn and offer the editor."""
    say = terminal.say
    while True:
        try:
            text = terminal.ask(COMMENT_PROMPT, default, show_default=False)
        except UnicodeDecodeError:  # a multi-byte character cut at the line limit (strict stdin decoding)
            say("  ⚠ 输入不是完整的 UTF-8（可能在终端单行上限处被截断），请输入 e 用编辑器 / the input is not "
                "complete UTF-8 (probably cut at the terminal's line limit): type e for the editor")
            continue
        if text == default:
            return default.strip()
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if text.strip().lower() in EDIT:
            edited = _edit_comment(terminal, default)
            if edited is not None:
                return edited
            continue
        if len(text.encode("utf-8")) >= TTY_LINE_LIMIT and terminal.line_limited:
            text = text.rstrip("\ufffd")   # the bytes of a character cut in the middle
            say(f"  ⚠ 意见达到终端单行上限（{TTY_LINE_LIMIT} 字节），后面的内容可能已被截掉 / the comment reached "
                f"the terminal's line limit ({TTY_LINE_LIMIT} bytes): the rest may have been cut off")
            if terminal.confirm("  用编辑器检查并补全？/ open it in the editor to check and complete it?", default=True):
                edited = _edit_comment(terminal, text)
                if edited is not None:
                    return edited
            size = len(text.encode("utf-8"))
            say(f"  按收到的 {size} 字节保存 / saving the {size} bytes received")
        return text.strip()


def _edit_comment(terminal: Terminal, text: str) -> str | None:
    """The comment edited in the editor (None when the editor cannot be run or is left without saving)."""
    try:
        edited = terminal.edit(text or "")
    except EditorError as exc:
        terminal.say(f"  ✗ 无法打开编辑器（设置 EDITOR 环境变量）/ cannot open the editor (set EDITOR): {exc}")
        return None
    if edited is None:
        terminal.say("  编辑器未保存，意见未改 / the editor was left without saving: comment unchanged")
        return None
    return edited.strip()


# --------------------------------------------------------------------------- the session


class ScoringSession:
    """One expert's interactive scoring session; every confirmed answer is committed at once.

    The state is the item index; :meth:`start_index` and :meth:`next_index` say where the session goes,
    :meth:`run` talks to the person until the end, ``q`` or an interruption (:class:`Interrupted`, after
    the position to resume at is stored)."""

    def __init__(self, ledger, expert_id: str, terminal: Terminal, *, restart: bool = False):
        from tlr.campaign.scoring import expert_items, expert_scores

        self.ledger = ledger
        self.terminal = terminal
        self.expert = ledger.expert(expert_id)
        self.expert_id = expert_id
        self.items = expert_items(ledger, expert_id)
        self.scores = expert_scores(ledger, expert_id)
        self.restart = restart
        self.shown_project: str | None = None
        self.first_item = True   # a checklist left open in the item the session starts at is resumed at once

    def say(self, text: str = "") -> None:
        self.terminal.say(text)

    # ------------------------------------------------------------------ navigation
    def start_index(self) -> int:
        """Where the session begins: the stored position (unless ``restart``), else the first item without
        an answer, else the first item."""
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

    def cursor(self, idx: int) -> tuple[str | None, str | None]:
        return self.items[idx].key if 0 <= idx < len(self.items) else (None, None)

    def answered(self) -> int:
        keys = {i.key for i in self.items}
        return sum(1 for k in self.scores if k in keys)

    # ------------------------------------------------------------------ showing
    def show_project(self, project: dict) -> None:
        n_proj = len({i.project["id"] for i in self.items})
        k = list(dict.fromkeys(i.project["id"] for i in self.items)).index(project["id"]) + 1
        say = self.say
        say("")
        say("=" * 70)
        say(f"项目 / Project {k}/{n_proj}: {_plain(project['id'])}  {_plain(project['name'])}")
        say(f"申报单位 / Applicant: {_plain(project['applicant'])}    行业 / Industry: {_plain(project['industry'])}")
        if project.get("co_applicants"):
            say(f"合作单位 / Partners: {_plain('、'.join(project['co_applicants']))}")
        if project.get("summary"):
            say(f"简介 / Summary: {_plain(project['summary'], newlines=True)}")
        say("=" * 70)
        self.shown_project = project["id"]

    def show_item(self, idx: int) -> dict | None:
        """The item's header, guidance, anchors and current answer; returns the current answer."""
        from tlr.campaign.sheets import describe_anchors
        from tlr.rubric.scales import score_label
        from tlr.text import both

        item = self.items[idx]
        info, proj = item.indicator, item.project
        if proj["id"] != self.shown_project:
            self.show_project(proj)
        self.say("")
        self.say(f"[{idx + 1}/{len(self.items)} · 已答 answered {self.answered()}] {info.id}  {both(info.label)}")
        guidance = getattr(info.model, "guidance", None)
        if guidance:
            self.say(f"  说明 / guidance: {both(guidance)}")
        for line in describe_anchors(info.scale).splitlines():
            self.say(f"    {line}")
        cur = self.scores.get(item.key)
        if cur:
            self.say(f"  当前 / current: {_plain(cur['raw'])} ({score_label(info.scale, cur['value'])})"
                     + (f"  意见 / comment: {_plain(cur['comment'], newlines=True)}" if cur["comment"] else ""))
        return cur

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        from tlr.campaign.checklist import has_checklist
        from tlr.campaign.scoring import _validator

        if not self.items:
            self.say(f"专家 {self.expert_id} 没有待评项目 / no projects are assigned to {self.expert_id}")
            return
        total = len(self.items)
        idx = self.start_index()
        self.say(f"专家 / Expert {_plain(self.expert_id)} {_plain(self.expert['name'])}: {self.answered()}/{total} "
                 f"已完成 / done. {COMMANDS_HELP}")
        validator = _validator(self.ledger)
        try:
            while 0 <= idx < total:
                item = self.items[idx]
                cur = self.show_item(idx)
                flow = ChecklistFlow(self, item) if has_checklist(item.indicator.scale) else None
                idx = self.step(idx, cur, flow, validator)
                if idx is None:
                    return
        except Interrupted:
            if 0 <= idx < total:
                self.ledger.set_session(self.expert_id, *self.items[idx].key)
            raise
        self.finish()

    def step(self, idx: int, cur: dict | None, flow: "ChecklistFlow | None", validator) -> int | None:
        """One prompt at item ``idx``: returns the item to show next, ``None`` when the person quit."""
        from tlr.errors import CampaignError
        from tlr.rubric.scales import score_label

        item = self.items[idx]
        proj_id, ind_id = item.key
        resume_now = self.first_item and flow is not None and flow.store.status == "open"
        self.first_item = False
        if flow is not None and not resume_now:
            flow.offer(cur)
        raw = "c" if resume_now else self.terminal.ask("评分 / score", "", show_default=False).strip()
        low = raw.lower()
        if low in HELP:
            self.say(COMMANDS_HELP)
            if flow is not None:
                self.say("c=TRL 核查清单 checklist · 输入等级数字 = 直接给出等级 / a level number = direct level")
            return idx
        if flow is not None and (low in CHECKLIST or (not raw and flow.enter_is_checklist(cur))):
            action, rec = flow.run()
            if action == "quit":
                self.ledger.set_session(self.expert_id, *item.key)
                where = f" ({flow.where()})" if flow.where() else ""
                self.say(f"已退出，下次从 {proj_id}/{ind_id}{where} 继续 / stopped; next time you resume "
                         f"at {proj_id}/{ind_id}{where}")
                return None
            if action == "scored":
                self.remember(item.key, rec)
                return self.next_index(idx)
            return idx
        if low in QUIT:
            self.ledger.set_session(self.expert_id, *item.key)
            self.say(f"已退出，下次从 {proj_id}/{ind_id} 继续 / stopped; next time you resume at {proj_id}/{ind_id}")
            return None
        if low in BACK:
            idx = max(idx - 1, 0)
            self.ledger.set_session(self.expert_id, *self.items[idx].key)
            return idx
        if low in SKIP or not raw:  # Enter keeps the current answer (or leaves it empty)
            idx = self.next_index(idx)
            self.ledger.set_session(self.expert_id, *self.cursor(idx))
            return idx
        try:
            _info, value = validator.value(proj_id, ind_id, raw)
        except CampaignError as exc:
            self.say(f"  ✗ {exc.message}")
            return idx
        comment = ask_comment(self.terminal, cur["comment"] if cur else "")
        following = self.next_index(idx)
        self.record(item, raw, comment=comment, evidence=cur["evidence"] if cur else "", source="interactive",
                    cursor=self.cursor(following))
        self.say(f"  ✓ 已保存 / saved {proj_id}/{ind_id} = {score_label(item.indicator.scale, value)}")
        return following

    def record(self, item, raw: str, **kwargs):
        """Commit one answer (:func:`tlr.campaign.scoring.record_score`) and remember it."""
        from tlr.campaign.scoring import record_score

        rec = record_score(self.ledger, self.expert_id, *item.key, raw, **kwargs)
        self.remember(item.key, rec)
        return rec

    def remember(self, key, rec) -> None:
        self.scores[key] = {"raw": rec.raw, "value": rec.value, "comment": rec.comment, "evidence": rec.evidence}

    def finish(self) -> None:
        total = len(self.items)
        missing = [i.key for i in self.items if i.key not in self.scores]
        self.say("")
        if missing:
            self.say(f"已到末尾：完成 {total - len(missing)}/{total}，尚缺 {len(missing)} 项 / end reached: "
                     f"{len(missing)} item(s) still missing: "
                     + ", ".join(f"{p}/{i}" for p, i in missing[:10]) + (" ..." if len(missing) > 10 else ""))
            self.ledger.set_session(self.expert_id, *missing[0])
        else:
            self.say(f"全部完成 / all {total} answers given. 谢谢 / thank you!")
            self.ledger.set_session(self.expert_id, None, None)
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
            self.say("核查清单 / checklists: " + " · ".join(parts))


# --------------------------------------------------------------------------- TRL checklist inside scoring


class LedgerChecklistStore:
    """An expert's checklist on one project x indicator, in the campaign ledger (``checklist_answers``,
    ``checklist_sessions``): each answer is its own audited transaction, with the position."""

    def __init__(self, ledger, expert_id: str, project_id: str, indicator_id: str, ladder):
        from tlr.campaign.checklist import load_state

        self.ledger, self.expert_id, self.project_id, self.indicator_id = ledger, expert_id, project_id, indicator_id
        self.ladder = ladder
        self.state = load_state(ledger, expert_id, project_id, indicator_id, ladder)
        self.changed = False

    @property
    def status(self) -> str | None:
        return self.state.status

    @property
    def position(self) -> str | None:
        return self.state.position

    @property
    def answers(self) -> dict[str, Any]:
        return self.state.answers

    def asserted(self) -> set[int]:
        return set()   # an expert's checklist: only an assessor's written assertion reaches such a level

    def determination(self):
        from tlr.trl import determine_level

        return determine_level(self.ladder, self.state.answers)

    def commit_answer(self, question: str, value: Any, *, next_step: str | None) -> None:
        from tlr.campaign.checklist import save_answer

        save_answer(self.ledger, self.expert_id, self.project_id, self.indicator_id, question, value,
                    next_question=next_step)
        self.state.answers[question] = value
        self.changed = True
        self.state.status, self.state.position = "open", next_step

    def commit_assertion(self, level: int, justification: str, *, next_step: str | None) -> None:
        raise NotImplementedError("an expert's checklist has no assertions")  # pragma: no cover - SCORING rules

    def move(self, step: str | None, *, status: str = "open") -> None:
        from tlr.campaign.checklist import set_position

        set_position(self.ledger, self.expert_id, self.project_id, self.indicator_id, step, status=status)
        self.state.status, self.state.position = status, step


class ChecklistFlow:
    """The TRL checklist of one project x indicator inside a scoring session (see docs/campaign.md).

    Walks the ladder from the lowest level not yet green (:data:`SCORING` rules); the level given by the
    cumulative rule is then recorded as the expert's score. :meth:`run` returns ``(action, record)``:
    ``scored``, ``leave`` (back to the indicator's prompt) or ``quit``.
    """

    def __init__(self, session: ScoringSession, item):
        from tlr.campaign.checklist import abbreviation, ladder_of

        self.session, self.item = session, item
        self.terminal = session.terminal
        self.ledger, self.expert_id = session.ledger, session.expert_id
        self.project_id, self.indicator_id = item.key
        self.ladder = ladder_of(item.indicator.scale)
        self.prefix = abbreviation(item.indicator.scale, self.indicator_id)
        self.store = LedgerChecklistStore(self.ledger, self.expert_id, self.project_id, self.indicator_id,
                                          self.ladder)
        self.engine = ChecklistEngine(self.ladder, self.store, self.terminal, ScoringChecklistView(), SCORING,
                                      prefix=self.prefix)

    def say(self, text: str = "") -> None:
        self.terminal.say(text)

    # ------------------------------------------------------------------ at the indicator's prompt
    def enter_is_checklist(self, cur: dict | None) -> bool:
        """Enter opens the checklist when there is no score yet or the checklist is unfinished."""
        return cur is None or self.store.status == "open"

    def offer(self, cur: dict | None) -> None:
        n, total = len(self.store.answers), len(self.engine.steps)
        if self.store.status == "open":
            what = f"回车或 c = 继续核查清单（已答 {n}/{total}）/ Enter or c = continue the checklist ({n}/{total} answered)"
        elif cur is None:
            what = (f"回车或 c = 按 {self.prefix} 核查清单逐级评定（推荐）/ Enter or c = walk the {self.prefix} "
                    f"checklist level by level (recommended)")
        else:
            what = f"c = 重新打开核查清单 / reopen the checklist ({n}/{total} answered)"
        lo, hi = self.ladder.numbers[0], self.ladder.numbers[-1]
        self.say(f"  ▶ {what}；或直接输入等级 {lo}-{hi} / or type a level {lo}-{hi} directly")

    def where(self) -> str:
        pos = self.store.position
        return f"{self.prefix} 核查清单 checklist {pos}" if self.store.status == "open" and pos else ""

    # ------------------------------------------------------------------ the walk
    def run(self) -> tuple[str, object]:
        engine, store = self.engine, self.store
        was_done = store.status == "done"
        k = engine.start()
        self.ledger.set_session(self.expert_id, self.project_id, self.indicator_id)
        if store.status != "open" or store.position != engine.key(k):
            store.move(engine.key(k))
        if store.answers:
            here = engine.key(k) if k is not None else "结论 / conclusion"
            n, total = len(store.answers), len(engine.steps)
            self.say(f"  继续核查清单：已答 {n}/{total}，从 {here} 开始 / checklist: {n}/{total} answered, continuing "
                     f"at {here}")
        self.say(f"  {CHECKLIST_HELP}")
        outcome, _at = engine.walk(k)
        if outcome != "end":
            if was_done and not store.changed:   # only looked at: the checklist stays done
                store.move(None, status="done")
            if outcome == "quit":
                return "quit", None
            self.say("  已离开核查清单，答案均已保存 / left the checklist; every answer is saved")
            return "leave", None
        return self.conclude()

    def conclude(self) -> tuple[str, object]:
        from tlr.campaign.checklist import conclusion, level_can_be_green, mark_done
        from tlr.text import both

        store, prefix = self.store, self.prefix
        det, auto = conclusion(self.ladder, store.answers, prefix)
        nxt = det.next
        self.say("")
        got = f"{prefix} {det.achieved}" if det.achieved is not None else f"未达到 / below {prefix} " \
                                                                          f"{self.ladder.numbers[0]}"
        self.say(f"  累积规则 / cumulative rule: {got}")
        if nxt is not None and nxt.missing:
            self.say(f"  {prefix} {nxt.level} 尚缺 / missing for {prefix} {nxt.level}:")
            for m in nxt.missing:
                ans = "未答 / unanswered" if m.answer is None else (
                    m.answer if isinstance(m.answer, str) else f"{m.answer:g}%")
                self.say(f"    - {m.question} [{ans}] {both(m.text)}")
        elif nxt is not None:
            self.say(f"  {prefix} {nxt.level} 没有适用的核查问题，只能由评估人书面断言；如您判断已达到，可直接输入等级 / "
                     f"{prefix} {nxt.level} has no applicable checklist question (only an assessor's written "
                     f"assertion reaches it); type the level directly if you judge it reached")
        if det.not_counted:
            self.say("  （累积规则：更高的已满足等级不计入 / cumulative rule: higher levels met do not count: "
                     + ", ".join(f"{prefix} {n}" for n in det.not_counted) + "）")
        if nxt is not None and nxt.missing and level_can_be_green(self.ladder, nxt.level, store.answers):
            open_q = [m.question for m in nxt.missing if m.answer is None]
            self.say(f"  ⚠ {prefix} {nxt.level} 还有未答的问题 / still has unanswered questions: " + ", ".join(open_q))
            if det.achieved is None or not self.terminal.confirm(
                    f"  仍将 {got} 记为评分？/ record {got} as your score anyway?", default=False):
                store.move(open_q[0])
                self.say("  未记录评分；回车继续核查清单 / no score recorded; press Enter to continue the checklist")
                return "leave", None
        if det.achieved is None:
            # Enter re-opens the checklist at the level's first question not met, to revise it
            store.move(nxt.missing[0].question if nxt is not None and nxt.missing else None)
            self.say(f"  未达到 {prefix} {self.ladder.numbers[0]}，不能记录等级；可直接输入等级或跳过 / no level "
                     f"reached: nothing recorded; type a level directly or skip")
            return "leave", None
        session = self.session
        cur = session.scores.get(self.item.key)
        extra = ask_comment(self.terminal, "")
        comment = auto + (f" — {extra}" if extra else "")
        following = session.next_index(session.items.index(self.item))
        rec = session.record(self.item, str(det.achieved), comment=comment, evidence=cur["evidence"] if cur else "",
                             source="checklist", cursor=session.cursor(following),
                             within=mark_done(self.expert_id, self.project_id, self.indicator_id))
        store.state.status, store.state.position = "done", None
        self.say(f"  ✓ 已保存 / saved {self.project_id}/{self.indicator_id} = {prefix} {det.achieved}（{auto}）")
        return "scored", rec


class ScoringChecklistView:
    """The checklist's texts inside ``tlr score``: bilingual, Chinese first."""

    def _say(self, engine: ChecklistEngine, text: str = "") -> None:
        engine.terminal.say(text)

    def level_header(self, engine: ChecklistEngine, level) -> None:
        from tlr.text import both

        self._say(engine, "")
        self._say(engine, f"  ── {engine.prefix} {level.level}: {both(level.label)} ──")
        if level.descriptor:
            self._say(engine, f"     {both(level.descriptor)}")
        if level.evidence:
            self._say(engine, "     证据示例 / evidence examples: " + "；".join(both(e) for e in level.evidence))

    def question(self, engine: ChecklistEngine, k: int) -> None:
        from tlr.campaign.checklist import format_answer
        from tlr.rubric.model import EVIDENCE_KINDS
        from tlr.text import both

        step = engine.steps[k]
        level, q = step.level, step.item
        in_level = engine.level_steps(level.level)
        pos = next(n for n, s in enumerate(in_level, 1) if s.key == q.id)
        self._say(engine, "")
        self._say(engine, f"  [{engine.prefix} {level.level} · {pos}/{len(in_level)} · 清单 checklist "
                          f"{len(engine.store.answers)}/{len(engine.steps)}] {q.id} ({TAGS.get(q.tag, q.tag)})")
        self._say(engine, f"     {both(q.text)}")
        if q.evidence:
            self._say(engine, "     所需证据 / evidence needed: " + ", ".join(
                f"{EVIDENCE_KINDS[e][0]} {EVIDENCE_KINDS[e][1]}" if e in EVIDENCE_KINDS else e for e in q.evidence))
        current = engine.store.answers.get(q.id)
        if current is not None:
            shown = format_answer(current) + ("%" if not isinstance(current, str) else "")
            self._say(engine, f"     当前答案 / current answer: {shown}（回车保留 / Enter keeps it）")

    def answer_prompt(self, engine: ChecklistEngine, k: int) -> str:
        options = "y/n/na/0-100/b/s/x/q/?" if engine.steps[k].item.answer == "percent" else "y/n/na/b/s/x/q/?"
        return f"  答案 / answer [{options}]"

    def help(self, engine: ChecklistEngine) -> None:
        self._say(engine, f"     {CHECKLIST_HELP}")

    def bad_answer(self, engine: ChecklistEngine, exc) -> None:
        self._say(engine, f"     ✗ {exc.message}" + (f" — {exc.hint}" if exc.hint else ""))

    def level_result(self, engine: ChecklistEngine, result) -> None:
        share = "n/a" if result.share is None else f"{result.share * 100:.0f}%"
        mark, zh, en = MARKS[result.state]
        self._say(engine, f"     {mark} {engine.prefix} {result.level}: {zh} / {en} ({share})")
