"""The interactive readiness calculator behind ``tlr trl assess FILE`` (click prompts).

Level by level it shows the level's label, descriptor and evidence examples, then each checklist
question with the evidence it needs. Answers: ``y`` / ``n`` / ``na`` / a percent (questions marked
``answer: percent``), ``e`` add evidence, ``b`` back, ``s`` skip, ``q`` quit, ``?`` help. The
document is saved atomically after every answer; running the same command again resumes at the
first unanswered question. Ctrl-C exits with status 130 and loses nothing already answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click

from tlr.rubric.model import EVIDENCE_KINDS, ChecklistItem, Level
from tlr.text import tr
from tlr.trl.assess import evaluate, ladder_for, update_derived
from tlr.trl.determine import parse_answer
from tlr.trl.errors import LadderError, TrlError
from tlr.trl.evidence import make_evidence
from tlr.trl.ladders import Ladder, load_ladder
from tlr.trl.model import CTE, Answer, Assertion, Assessment, ProjectInfo, SessionState, utcnow
from tlr.trl.render import evidence_names, render_result, t
from tlr.trl.store import SessionLock, load_assessment, save_assessment

__all__ = ["run_session"]

ID_RE = re.compile(r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$")
DEFAULT_LADDER = "trl-cn-development"


@dataclass(frozen=True)
class Step:
    level: Level
    item: ChecklistItem | None      # None: a level without questions, to be asserted

    @property
    def key(self) -> str:
        return self.item.id if self.item is not None else f"assert:{self.level.level}"


class _Session:
    def __init__(self, path: Path, doc: Assessment, cte: CTE, ladder: Ladder, lang: str, by: str | None):
        self.path, self.doc, self.cte, self.ladder, self.lang, self.by = path, doc, cte, ladder, lang, by
        # levels without questions are asked as assertions, in ladder order
        ordered: list[Step] = []
        for level in ladder.levels:
            if level.checklist:
                ordered += [Step(level, item) for item in level.checklist]
            else:
                ordered.append(Step(level, None))
        self.steps = ordered

    # ------------------------------------------------------------------ helpers
    def t(self, zh: str, en: str) -> str:
        return t(zh, en, self.lang)

    def answered(self, step: Step) -> bool:
        if step.item is not None:
            return step.item.id in self.cte.answers
        return any(a.level == step.level.level for a in self.cte.assertions)

    def first_open(self) -> int | None:
        for i, step in enumerate(self.steps):
            if not self.answered(step):
                return i
        return None

    def save(self, position: int | None) -> None:
        step = self.steps[position] if position is not None and position < len(self.steps) else None
        self.doc.session = SessionState(cte=self.cte.id, question=step.key if step else None, lang=self.lang,
                                        updated_at=utcnow())
        try:
            update_derived(self.doc, evaluate(self.doc, self.path.parent, check_files=False))
        except TrlError:
            pass   # another CTE may be incomplete or invalid; the answers are saved regardless
        save_assessment(self.doc, self.path)

    def level_header(self, level: Level) -> None:
        p = self.prefix
        click.echo("")
        click.secho(f"── {p} {level.level}: {tr(level.label, self.lang)} ──", bold=True)
        if level.descriptor:
            click.echo(f"   {tr(level.descriptor, self.lang)}")
        if level.evidence:
            click.echo(f"   {self.t('证据示例', 'Evidence examples')}: " +
                       ("；" if self.lang == "zh" else "; ").join(tr(e, self.lang) for e in level.evidence))

    @property
    def prefix(self) -> str:
        name = self.ladder.scale_name.upper()
        return name if name in ("TRL", "MRL", "CRI", "IRL") else "L"

    def determination(self):
        """This element's current determination (answers as saved so far)."""
        for r in evaluate(self.doc, self.path.parent, check_files=False).ctes:
            if r.id == self.cte.id:
                return r.determination
        raise KeyError(self.cte.id)  # pragma: no cover

    def help(self) -> None:
        click.echo(self.t(
            "  y=是  n=否  na=不适用  0-100=完成百分比（仅百分比问题）  e=添加证据  b=上一题  s=跳过  q=保存并退出",
            "  y=yes  n=no  na=not applicable  0-100=percent complete (percent questions)  e=add evidence  "
            "b=back  s=skip  q=save and quit"))

    # ------------------------------------------------------------------ steps
    def ask_question(self, i: int, step: Step) -> str:
        item = step.item
        assert item is not None
        tag = {"technical": ("技术", "technical"), "manufacturing": ("制造", "manufacturing"),
               "programmatic": ("项目管理", "programmatic")}[item.tag][0 if self.lang == "zh" else 1]
        click.echo("")
        click.echo(f"[{i + 1}/{len(self.steps)}] {item.id} ({tag})  {tr(item.text, self.lang)}")
        if item.evidence:
            click.echo(f"   {self.t('所需证据', 'Evidence needed')}: {evidence_names(item.evidence, self.lang)}")
        linked = [e for e in self.cte.evidence if item.id in e.questions]
        if linked:
            click.echo(f"   {self.t('已附证据', 'Evidence attached')}: " + ", ".join(e.path or e.url or "" for e in linked))
        current = self.cte.answers.get(item.id)
        if current is not None:
            value = f"{current.value:g}%" if isinstance(current.value, float) else current.value
            click.echo(f"   {self.t('当前答案', 'Current answer')}: {value}")
        options = "y/n/na/0-100/e/b/s/q/?" if item.answer == "percent" else "y/n/na/e/b/s/q/?"
        while True:
            raw = click.prompt(f"{self.t('答案', 'Answer')} [{options}]", default="", show_default=False).strip()
            low = raw.lower()
            if low in ("b", "s", "q"):
                return low
            if low in ("?", "h", "help", ""):
                self.help()
                continue
            if low == "e":
                self.add_evidence(item)
                continue
            try:
                value = parse_answer(raw, item)
            except TrlError as exc:
                click.echo(f"   {exc.message}" + (f" — {exc.hint}" if exc.hint else ""))
                continue
            self.cte.answers[item.id] = Answer(value=value, by=self.by, at=utcnow())
            return "answered"

    def add_evidence(self, item: ChecklistItem) -> None:
        target = click.prompt(self.t("证据文件路径或网址（留空取消）", "Evidence file path or URL (blank to cancel)"),
                              default="", show_default=False).strip()
        if not target:
            return
        kinds = list(EVIDENCE_KINDS)
        default = item.evidence[0] if item.evidence else "other"
        kind = click.prompt(self.t("证据类型", "Evidence kind"), type=click.Choice(kinds), default=default)
        try:
            ev = make_evidence(target, base_dir=self.path.parent, relative_to=Path.cwd(), kind=kind,
                               questions=[item.id], added_by=self.by, existing=self.cte.evidence)
        except TrlError as exc:
            click.echo(f"   {exc.format()}")
            return
        self.cte.evidence.append(ev)
        self.save(self.steps.index(next(s for s in self.steps if s.item is item)))
        digest = f" sha256 {ev.sha256[:12]}…" if ev.sha256 else ""
        click.echo(f"   {self.t('已保存证据', 'Evidence saved')} {ev.id}{digest}")

    def ask_assertion(self, i: int, step: Step) -> str:
        number = step.level.level
        click.echo("")
        click.echo(f"[{i + 1}/{len(self.steps)}] " + self.t(
            f"{self.prefix} {number} 没有核查问题：需明确断言并写明理由。",
            f"{self.prefix} {number} has no checklist questions: it must be asserted with a justification."))
        while True:
            raw = click.prompt(self.t(f"断言已达到 {self.prefix} {number}？", f"Assert {self.prefix} {number} is reached?")
                               + " [y/n/b/s/q]", default="", show_default=False).strip().lower()
            if raw in ("b", "s", "q"):
                return raw
            if raw in ("n", "no", "否"):
                return "s"
            if raw in ("y", "yes", "是"):
                why = click.prompt(self.t("理由（引用证据）", "Justification (cite the evidence)")).strip()
                if not why:
                    continue
                self.cte.assertions = [a for a in self.cte.assertions if a.level != number] + [
                    Assertion(level=number, justification=why, by=self.by, at=utcnow())]
                return "answered"
            self.help()

    def level_done(self, level: Level) -> bool:
        """After the last question of a level: report its state; return False to stop the session."""
        if any(not self.answered(s) for s in self.steps if s.level.level == level.level and s.item is not None):
            return True
        det = self.determination()
        r = det.level(level.level)
        share = "n/a" if r.share is None else f"{r.share * 100:.0f}%"
        mark = {"green": "■", "yellow": "◧", "red": "□"}[r.state]
        state = {"green": ("达到", "reached"), "yellow": ("部分达到", "partly met"), "red": ("未达到", "not met")}[r.state]
        click.echo(f"   {mark} {self.prefix} {level.level}: {state[0 if self.lang == 'zh' else 1]} ({share})")
        if r.state == "green":
            return True
        if r.basis == "none" and r.n_questions:
            click.echo(self.t("   该等级所有问题均为“不适用”，需断言并写明理由才能达到。",
                              "   Every question of this level is 'not applicable': assert the level with a justification to reach it."))
            if click.confirm(self.t("   现在断言？", "   Assert it now?"), default=False):
                why = click.prompt(self.t("理由（引用证据）", "Justification (cite the evidence)")).strip()
                if why:
                    self.cte.assertions = [a for a in self.cte.assertions if a.level != level.level] + [
                        Assertion(level=level.level, justification=why, by=self.by, at=utcnow())]
                    self.save(None)
                    return True
        achieved = det.achieved
        click.echo(self.t(f"   累积规则：当前达到 {self.prefix} {achieved}。" if achieved else f"   累积规则：尚未达到 {self.prefix} 1。",
                          f"   Cumulative rule: currently {self.prefix} {achieved}." if achieved else
                          f"   Cumulative rule: {self.prefix} 1 not reached yet."))
        return click.confirm(self.t("   继续评估更高等级？", "   Continue with higher levels?"), default=False)

    # ------------------------------------------------------------------ main loop
    def run(self) -> int:
        i = self.first_open()
        if i is None:
            click.echo(self.t("该元素的所有问题都已回答。", "Every question of this element is answered."))
            self.finish()
            return 0
        done = sum(1 for s in self.steps if self.answered(s))
        if done:
            click.echo(self.t(f"继续上次的评估：已回答 {done}/{len(self.steps)}，从 {self.steps[i].key} 开始。",
                              f"Resuming: {done}/{len(self.steps)} answered, starting at {self.steps[i].key}."))
            try:
                achieved = self.determination().achieved
            except TrlError:
                achieved = None
            where = f"{self.prefix} {achieved}" if achieved else self.t(f"未达到 {self.prefix} 1", f"below {self.prefix} 1")
            click.echo(self.t(f"当前（累积规则）：{where}；输入 b 可返回修改已答问题。",
                              f"Currently (cumulative rule): {where}; type b to go back and revise answers."))
        self.help()
        shown_level = None
        while 0 <= i < len(self.steps):
            step = self.steps[i]
            if step.level.level != shown_level:
                self.level_header(step.level)
                shown_level = step.level.level
            action = self.ask_question(i, step) if step.item is not None else self.ask_assertion(i, step)
            if action == "q":
                self.save(i)
                click.echo(self.t("已保存。再次运行同一命令即可继续。", "Saved. Run the same command again to continue."))
                self.finish()
                return 0
            if action == "b":
                i = max(0, i - 1)
                shown_level = None
                continue
            if action == "answered":
                self.save(i + 1)
            nxt = i + 1
            last_of_level = nxt >= len(self.steps) or self.steps[nxt].level.level != step.level.level
            if action == "answered" and last_of_level and not self.level_done(step.level):
                self.save(nxt)
                break
            i = nxt
        self.save(None)
        self.finish()
        return 0

    def finish(self) -> None:
        click.echo("")
        try:
            result = evaluate(self.doc, self.path.parent)
        except TrlError as exc:
            click.echo(exc.format())
            return
        click.echo(render_result(result, self.lang))
        click.echo("")
        click.echo(self.t(f"评估文件：{self.path}（可用 `tlr trl show {self.path}` 查看）",
                          f"Assessment file: {self.path} (see `tlr trl show {self.path}`)"))


def _choose_cte(doc: Assessment, cte_id: str | None, lang: str) -> tuple[CTE, bool]:
    if cte_id is None and doc.ctes:
        if len(doc.ctes) == 1:
            return doc.ctes[0], False
        click.echo(t("关键技术元素：", "Critical technology elements:", lang))
        for n, c in enumerate(doc.ctes, 1):
            click.echo(f"  {n}. {c.id}  {tr(c.name, lang)}")
        raw = click.prompt(t("选择编号，或输入新元素的标识", "Pick a number, or type an id for a new element", lang),
                           default="1").strip()
        if raw.isdigit() and 1 <= int(raw) <= len(doc.ctes):
            return doc.ctes[int(raw) - 1], False
        cte_id = raw
    if cte_id is None:
        cte_id = click.prompt(t("关键技术元素（CTE）标识，如 sensor", "Critical technology element (CTE) id, e.g. sensor", lang),
                              default="cte1").strip()
    for c in doc.ctes:
        if c.id == cte_id:
            return c, False
    while not ID_RE.match(cte_id):
        click.echo(t("标识须以字母或汉字开头，只含字母、数字、_ . -", "An id starts with a letter and has only letters, digits, _ . -", lang))
        cte_id = click.prompt("CTE id").strip()
    name = click.prompt(t("元素名称", "Element name", lang), default=cte_id).strip() or cte_id
    cte = CTE(id=cte_id, name=name)
    return cte, True


def _optional_level(prompt: str, ladder: Ladder) -> int | None:
    while True:
        raw = click.prompt(prompt, default="", show_default=False).strip()
        if not raw:
            return None
        if raw.isdigit() and int(raw) in ladder.numbers:
            return int(raw)
        click.echo(f"   {ladder.numbers[0]}-{ladder.numbers[-1]}")


def run_session(path: Path, *, ladder_ref: str | None = None, cte_id: str | None = None, lang: str = "zh",
                by: str | None = None) -> int:
    """Run the interactive calculator on ``path`` (created if missing). Returns the exit status."""
    path = Path(path)
    try:
        with SessionLock(path):
            return _run(path, ladder_ref=ladder_ref, cte_id=cte_id, lang=lang, by=by)
    except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
        click.echo("")
        click.echo(t("已中断 —— 已回答的问题都已保存；再次运行同一命令即可继续。",
                     "Interrupted — every answer given so far is saved; run the same command again to resume.", lang),
                   err=True)
        return 130


def _run(path: Path, *, ladder_ref: str | None, cte_id: str | None, lang: str, by: str | None) -> int:
    if path.exists():
        doc = load_assessment(path)
    else:
        click.echo(t(f"新建评估文件 {path}", f"Creating assessment file {path}", lang))
        title = click.prompt(t("项目名称", "Project title", lang), default=path.stem).strip()
        doc = Assessment(ladder=ladder_ref or DEFAULT_LADDER, project=ProjectInfo(title=title))
        load_ladder(doc.ladder, base_dir=path.parent)   # refuse an unknown ladder before writing anything
        save_assessment(doc, path)
    cte, new = _choose_cte(doc, cte_id, lang)
    if new:
        if ladder_ref and ladder_ref != doc.ladder:
            cte.ladder = ladder_ref
        ladder = ladder_for(doc, cte, path.parent)
        p = ladder.scale_name.upper()
        cte.baseline = _optional_level(t(f"基线等级（立项时的 {p}，可留空）", f"Baseline {p} (blank to skip)", lang), ladder)
        cte.target = _optional_level(t("目标等级（可留空）", f"Target {p} (blank to skip)", lang), ladder)
        doc.ctes.append(cte)
        save_assessment(doc, path)
    else:
        ladder = ladder_for(doc, cte, path.parent)
        if ladder_ref and load_ladder(ladder_ref, base_dir=path.parent).id != ladder.id:
            raise LadderError(f"元素 '{cte.id}' 已按阶梯 {ladder.id} 评估，不能改用 {ladder_ref} / CTE '{cte.id}' "
                              f"is assessed on {ladder.id}; it cannot switch to {ladder_ref}",
                              hint="start a new CTE or a new assessment file")
    click.echo(t(f"阶梯：{ladder.id}；元素：{cte.id}", f"Ladder: {ladder.id}; element: {cte.id}", lang))
    return _Session(path, doc, cte, ladder, lang, by).run()
