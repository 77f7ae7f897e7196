"""The interactive readiness calculator on an assessment file (``tlr trl assess FILE``).

Level by level it shows the level's label, descriptor and evidence examples, then each checklist question
with the evidence it needs (the checklist engine, :mod:`tlr.app.interactive.checklist`, rules
:data:`~tlr.app.interactive.checklist.ASSESSMENT`). Answers: ``y`` / ``n`` / ``na`` / a percent (questions
marked ``answer: percent``), Enter keeps the current answer, ``e`` add evidence, ``b`` back, ``s`` skip,
``q`` quit, ``?`` help; a level without questions is asserted with a justification. The document is saved
atomically after every answer; running the same command again resumes at the first unanswered question.
Ctrl-C (or the end of the input) exits with status 130 and loses nothing already answered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tlr.app.interactive.checklist import ASSESSMENT, ChecklistEngine, Step
from tlr.app.interactive.terminal import Interrupted, Terminal

__all__ = ["run_session", "FileChecklistStore", "Calculator"]

ID_RE = re.compile(r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$")
DEFAULT_LADDER = "trl-cn-development"
TAGS = {"technical": ("技术", "technical"), "manufacturing": ("制造", "manufacturing"),
        "programmatic": ("项目管理", "programmatic")}
MARKS = {"green": "■", "yellow": "◧", "red": "□"}
STATES = {"green": ("达到", "reached"), "yellow": ("部分达到", "partly met"), "red": ("未达到", "not met")}


def _t(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en


class FileChecklistStore:
    """One CTE's checklist in an assessment document: every commit saves the whole document atomically
    (:func:`tlr.trl.store.save_assessment`), with the step to resume at and the derived levels."""

    status = None   # resumed at the first unanswered step (Rules.resume == "first_open")

    def __init__(self, path: Path, doc, cte, lang: str, by: str | None):
        self.path, self.doc, self.cte, self.lang, self.by = path, doc, cte, lang, by
        self.position: str | None = None

    @property
    def answers(self) -> dict[str, Any]:
        return {qid: a.value for qid, a in self.cte.answers.items()}

    def asserted(self) -> set[int]:
        return {a.level for a in self.cte.assertions}

    def determination(self):
        from tlr.trl.assess import evaluate

        for r in evaluate(self.doc, self.path.parent, check_files=False).ctes:
            if r.id == self.cte.id:
                return r.determination
        raise KeyError(self.cte.id)  # pragma: no cover

    def save(self, position: str | None) -> None:
        from tlr.trl.assess import evaluate, update_derived
        from tlr.trl.errors import TrlError
        from tlr.trl.model import SessionState, utcnow
        from tlr.trl.store import save_assessment

        self.position = position
        self.doc.session = SessionState(cte=self.cte.id, question=position, lang=self.lang, updated_at=utcnow())
        try:
            update_derived(self.doc, evaluate(self.doc, self.path.parent, check_files=False))
        except TrlError:
            pass   # another CTE may be incomplete or invalid; the answers are saved regardless
        save_assessment(self.doc, self.path)

    def commit_answer(self, question: str, value: Any, *, next_step: str | None) -> None:
        from tlr.trl.model import Answer, utcnow

        self.cte.answers[question] = Answer(value=value, by=self.by, at=utcnow())
        self.save(next_step)

    def commit_assertion(self, level: int, justification: str, *, next_step: str | None) -> None:
        from tlr.trl.model import Assertion, utcnow

        self.cte.assertions = [a for a in self.cte.assertions if a.level != level] + [
            Assertion(level=level, justification=justification, by=self.by, at=utcnow())]
        self.save(next_step)

    def move(self, step: str | None) -> None:
        self.position = step    # saved with the next answer (resuming does not need it)

    def evidence_for(self, question: str) -> list[str]:
        """The files and URLs attached as evidence for ``question``."""
        return [e.path or e.url or "" for e in self.cte.evidence if question in e.questions]

    def add_evidence(self, item, target: str, kind: str):
        """Attach a file or URL as evidence for ``item`` (hashed, saved at once); returns the evidence."""
        from tlr.trl.evidence import make_evidence

        ev = make_evidence(target, base_dir=self.path.parent, relative_to=Path.cwd(), kind=kind,
                           questions=[item.id], added_by=self.by, existing=self.cte.evidence)
        self.cte.evidence.append(ev)
        self.save(item.id)
        return ev


class AssessmentView:
    """The calculator's texts, in one language (``--lang``)."""

    def __init__(self, lang: str):
        self.lang = lang

    def t(self, zh: str, en: str) -> str:
        return _t(zh, en, self.lang)

    def level_header(self, engine: ChecklistEngine, level) -> None:
        from tlr.text import tr

        say = engine.terminal.say
        say("")
        say(f"── {engine.prefix} {level.level}: {tr(level.label, self.lang)} ──", bold=True)
        if level.descriptor:
            say(f"   {tr(level.descriptor, self.lang)}")
        if level.evidence:
            say(f"   {self.t('证据示例', 'Evidence examples')}: " +
                ("；" if self.lang == "zh" else "; ").join(tr(e, self.lang) for e in level.evidence))

    def question(self, engine: ChecklistEngine, k: int) -> None:
        from tlr.text import tr
        from tlr.trl.render import evidence_names

        say = engine.terminal.say
        item = engine.steps[k].item
        tag = TAGS[item.tag][0 if self.lang == "zh" else 1]
        say("")
        say(f"[{k + 1}/{len(engine.steps)}] {item.id} ({tag})  {tr(item.text, self.lang)}")
        if item.evidence:
            say(f"   {self.t('所需证据', 'Evidence needed')}: {evidence_names(item.evidence, self.lang)}")
        linked = engine.store.evidence_for(item.id)
        if linked:
            say(f"   {self.t('已附证据', 'Evidence attached')}: " + ", ".join(linked))
        current = engine.store.answers.get(item.id)
        if current is not None:
            value = f"{current:g}%" if isinstance(current, float) else current
            say(f"   {self.t('当前答案', 'Current answer')}: {value}")

    def answer_prompt(self, engine: ChecklistEngine, k: int) -> str:
        options = "y/n/na/0-100/e/b/s/q/?" if engine.steps[k].item.answer == "percent" else "y/n/na/e/b/s/q/?"
        return f"{self.t('答案', 'Answer')} [{options}]"

    def help(self, engine: ChecklistEngine) -> None:
        engine.terminal.say(self.t(
            "  y=是  n=否  na=不适用  0-100=完成百分比（仅百分比问题）  回车=保留当前答案  e=添加证据  b=上一题  s=跳过  "
            "q=保存并退出",
            "  y=yes  n=no  na=not applicable  0-100=percent complete (percent questions)  Enter=keep the current "
            "answer  e=add evidence  b=back  s=skip  q=save and quit"))

    def bad_answer(self, engine: ChecklistEngine, exc) -> None:
        engine.terminal.say(f"   {exc.message}" + (f" — {exc.hint}" if exc.hint else ""))

    def level_result(self, engine: ChecklistEngine, result) -> None:
        share = "n/a" if result.share is None else f"{result.share * 100:.0f}%"
        state = STATES[result.state][0 if self.lang == "zh" else 1]
        engine.terminal.say(f"   {MARKS[result.state]} {engine.prefix} {result.level}: {state} ({share})")

    def assertion(self, engine: ChecklistEngine, k: int) -> None:
        number, p = engine.steps[k].level.level, engine.prefix
        engine.terminal.say("")
        engine.terminal.say(f"[{k + 1}/{len(engine.steps)}] " + self.t(
            f"{p} {number} 没有核查问题：需明确断言并写明理由。",
            f"{p} {number} has no checklist questions: it must be asserted with a justification."))

    def assertion_prompt(self, engine: ChecklistEngine, level: int) -> str:
        p = engine.prefix
        return self.t(f"断言已达到 {p} {level}？", f"Assert {p} {level} is reached?") + " [y/n/b/s/q]"

    def justification_prompt(self, engine: ChecklistEngine) -> str:
        return self.t("理由（引用证据）", "Justification (cite the evidence)")

    def all_not_applicable(self, engine: ChecklistEngine) -> None:
        engine.terminal.say(self.t(
            "   该等级所有问题均为“不适用”，需断言并写明理由才能达到。",
            "   Every question of this level is 'not applicable': assert the level with a justification to reach it."))

    def assert_now_prompt(self, engine: ChecklistEngine) -> str:
        return self.t("   现在断言？", "   Assert it now?")

    def cumulative(self, engine: ChecklistEngine, achieved: int | None) -> None:
        p = engine.prefix
        engine.terminal.say(self.t(
            f"   累积规则：当前达到 {p} {achieved}。" if achieved else f"   累积规则：尚未达到 {p} 1。",
            f"   Cumulative rule: currently {p} {achieved}." if achieved else f"   Cumulative rule: {p} 1 not reached yet."))

    def continue_prompt(self, engine: ChecklistEngine) -> str:
        return self.t("   继续评估更高等级？", "   Continue with higher levels?")


class Calculator:
    """One CTE of an assessment file, walked with the checklist engine."""

    def __init__(self, path: Path, doc, cte, ladder, terminal: Terminal, lang: str, by: str | None):
        self.path, self.ladder, self.terminal, self.lang = path, ladder, terminal, lang
        self.view = AssessmentView(lang)
        self.store = FileChecklistStore(path, doc, cte, lang, by)
        name = ladder.scale_name.upper()
        self.engine = ChecklistEngine(ladder, self.store, terminal, self.view, ASSESSMENT,
                                      prefix=name if name in ("TRL", "MRL", "CRI", "IRL") else "L",
                                      commands={"e": self.add_evidence})

    def t(self, zh: str, en: str) -> str:
        return _t(zh, en, self.lang)

    def add_evidence(self, step: Step) -> None:
        from tlr.rubric.model import EVIDENCE_KINDS
        from tlr.trl.errors import TrlError

        item = step.item
        target = self.terminal.ask(self.t("证据文件路径或网址（留空取消）", "Evidence file path or URL (blank to cancel)"),
                                   "", show_default=False).strip()
        if not target:
            return
        default = item.evidence[0] if item.evidence else "other"
        kind = self.terminal.choose(self.t("证据类型", "Evidence kind"), list(EVIDENCE_KINDS), default)
        try:
            ev = self.store.add_evidence(item, target, kind)
        except TrlError as exc:
            self.terminal.say(f"   {exc.format()}")
            return
        digest = f" sha256 {ev.sha256[:12]}…" if ev.sha256 else ""
        self.terminal.say(f"   {self.t('已保存证据', 'Evidence saved')} {ev.id}{digest}")

    def run(self) -> int:
        from tlr.trl.errors import TrlError

        engine, say = self.engine, self.terminal.say
        k = engine.start()
        if k is None:
            say(self.t("该元素的所有问题都已回答。", "Every question of this element is answered."))
            self.finish()
            return 0
        done = engine.done()
        if done:
            total, here, p = len(engine.steps), engine.key(k), engine.prefix
            say(self.t(f"继续上次的评估：已回答 {done}/{total}，从 {here} 开始。",
                       f"Resuming: {done}/{total} answered, starting at {here}."))
            try:
                achieved = self.store.determination().achieved
            except TrlError:
                achieved = None
            where = f"{p} {achieved}" if achieved else self.t(f"未达到 {p} 1", f"below {p} 1")
            say(self.t(f"当前（累积规则）：{where}；输入 b 可返回修改已答问题。",
                       f"Currently (cumulative rule): {where}; type b to go back and revise answers."))
        self.view.help(engine)
        outcome, at = engine.walk(k)
        if outcome == "quit":
            self.store.save(engine.key(at))
            say(self.t("已保存。再次运行同一命令即可继续。", "Saved. Run the same command again to continue."))
        else:
            self.store.save(None)
        self.finish()
        return 0

    def finish(self) -> None:
        from tlr.trl.assess import evaluate
        from tlr.trl.errors import TrlError
        from tlr.trl.render import render_result

        say = self.terminal.say
        say("")
        try:
            result = evaluate(self.store.doc, self.path.parent)
        except TrlError as exc:
            say(exc.format())
            return
        say(render_result(result, self.lang))
        say("")
        say(self.t(f"评估文件：{self.path}（可用 `tlr trl show {self.path}` 查看）",
                   f"Assessment file: {self.path} (see `tlr trl show {self.path}`)"))


def _choose_cte(terminal: Terminal, doc, cte_id: str | None, lang: str):
    """The CTE to assess and whether it is new: the one given, the only one, or picked / named by the person."""
    from tlr.text import tr
    from tlr.trl.model import CTE

    if cte_id is None and doc.ctes:
        if len(doc.ctes) == 1:
            return doc.ctes[0], False
        terminal.say(_t("关键技术元素：", "Critical technology elements:", lang))
        for n, c in enumerate(doc.ctes, 1):
            terminal.say(f"  {n}. {c.id}  {tr(c.name, lang)}")
        raw = terminal.ask(_t("选择编号，或输入新元素的标识", "Pick a number, or type an id for a new element", lang),
                           "1", show_default=True).strip()
        if raw.isdigit() and 1 <= int(raw) <= len(doc.ctes):
            return doc.ctes[int(raw) - 1], False
        cte_id = raw
    if cte_id is None:
        cte_id = terminal.ask(_t("关键技术元素（CTE）标识，如 sensor", "Critical technology element (CTE) id, e.g. sensor",
                                 lang), "cte1", show_default=True).strip()
    for c in doc.ctes:
        if c.id == cte_id:
            return c, False
    while not ID_RE.match(cte_id):
        terminal.say(_t("标识须以字母或汉字开头，只含字母、数字、_ . -",
                        "An id starts with a letter and has only letters, digits, _ . -", lang))
        cte_id = terminal.ask("CTE id", None).strip()
    name = terminal.ask(_t("元素名称", "Element name", lang), cte_id, show_default=True).strip() or cte_id
    return CTE(id=cte_id, name=name), True


def _optional_level(terminal: Terminal, prompt: str, ladder) -> int | None:
    while True:
        raw = terminal.ask(prompt, "", show_default=False).strip()
        if not raw:
            return None
        if raw.isdigit() and int(raw) in ladder.numbers:
            return int(raw)
        terminal.say(f"   {ladder.numbers[0]}-{ladder.numbers[-1]}")


def run_session(path: Path, terminal: Terminal, *, ladder_ref: str | None = None, cte_id: str | None = None,
                lang: str = "zh", by: str | None = None) -> int:
    """Run the calculator on ``path`` (created if missing) while holding its lock. Returns the exit status:
    0, or 130 when the person interrupted (every answer given so far is saved)."""
    from tlr.trl.store import SessionLock

    path = Path(path)
    try:
        with SessionLock(path):
            return _run(path, terminal, ladder_ref=ladder_ref, cte_id=cte_id, lang=lang, by=by)
    except (Interrupted, KeyboardInterrupt):
        terminal.say("")
        terminal.say(_t("已中断 —— 已回答的问题都已保存；再次运行同一命令即可继续。",
                        "Interrupted — every answer given so far is saved; run the same command again to resume.",
                        lang), err=True)
        return 130


def _run(path: Path, terminal: Terminal, *, ladder_ref: str | None, cte_id: str | None, lang: str,
         by: str | None) -> int:
    from tlr.trl.assess import ladder_for
    from tlr.trl.errors import LadderError
    from tlr.trl.ladders import load_ladder
    from tlr.trl.model import Assessment, ProjectInfo
    from tlr.trl.store import load_assessment, save_assessment

    if path.exists():
        doc = load_assessment(path)
    else:
        terminal.say(_t(f"新建评估文件 {path}", f"Creating assessment file {path}", lang))
        title = terminal.ask(_t("项目名称", "Project title", lang), path.stem, show_default=True).strip()
        doc = Assessment(ladder=ladder_ref or DEFAULT_LADDER, project=ProjectInfo(title=title))
        load_ladder(doc.ladder, base_dir=path.parent)   # refuse an unknown ladder before writing anything
        save_assessment(doc, path)
    cte, new = _choose_cte(terminal, doc, cte_id, lang)
    if new:
        if ladder_ref and ladder_ref != doc.ladder:
            cte.ladder = ladder_ref
        ladder = ladder_for(doc, cte, path.parent)
        p = ladder.scale_name.upper()
        cte.baseline = _optional_level(terminal, _t(f"基线等级（立项时的 {p}，可留空）", f"Baseline {p} (blank to skip)",
                                                    lang), ladder)
        cte.target = _optional_level(terminal, _t("目标等级（可留空）", f"Target {p} (blank to skip)", lang), ladder)
        doc.ctes.append(cte)
        save_assessment(doc, path)
    else:
        ladder = ladder_for(doc, cte, path.parent)
        if ladder_ref and load_ladder(ladder_ref, base_dir=path.parent).id != ladder.id:
            raise LadderError(f"元素 '{cte.id}' 已按阶梯 {ladder.id} 评估，不能改用 {ladder_ref} / CTE '{cte.id}' "
                              f"is assessed on {ladder.id}; it cannot switch to {ladder_ref}",
                              hint="start a new CTE or a new assessment file")
    terminal.say(_t(f"阶梯：{ladder.id}；元素：{cte.id}", f"Ladder: {ladder.id}; element: {cte.id}", lang))
    return Calculator(path, doc, cte, ladder, terminal, lang, by).run()
