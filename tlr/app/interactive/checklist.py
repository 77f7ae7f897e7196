"""The one checklist engine: a readiness ladder's questions, level by level, with a person at a terminal.

Used by ``tlr score`` (an expert's TRL indicator, stored in the campaign ledger) and by ``tlr trl assess``
(an assessment file). What differs between them is injected:

* a :class:`ChecklistStore` — where answers live. Every answer is committed the moment it is given,
  together with the step to resume at, so a session killed at any moment loses nothing confirmed;
* a :class:`ChecklistView` — the texts (the scoring session is bilingual, the calculator speaks ``--lang``);
* :class:`Rules` — :data:`SCORING` or :data:`ASSESSMENT` (where a walk resumes, when it stops, whether a
  level without questions may be asserted, whether the person can leave the checklist);
* extra commands (``e`` attaches evidence in the calculator).

At a question: ``y`` / ``n`` / ``na`` / a percent (questions marked ``answer: percent``), Enter keeps the
current answer (or shows the help when there is none), ``b`` back, ``s`` skip, ``q`` quit, ``?`` help,
``x`` leave (scoring only). The level a walk ends at is the store's business (the cumulative rule of
:func:`tlr.trl.determine_level`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from tlr.app.interactive.terminal import BACK, HELP, LEAVE, NO, QUIT, SKIP, YES, Terminal

Action = Literal["answer", "assert", "keep", "back", "skip", "leave", "quit"]
Outcome = Literal["end", "leave", "quit"]


@dataclass(frozen=True)
class Step:
    """One stop of the walk: a checklist question, or a level without questions to be asserted."""

    level: Any                  # tlr.rubric.model.Level
    item: Any | None            # tlr.rubric.model.ChecklistItem; None: assert the level

    @property
    def key(self) -> str:
        return self.item.id if self.item is not None else f"assert:{self.level.level}"


def steps_of(ladder, *, assertions: bool) -> list[Step]:
    """The ladder's questions in order; with ``assertions`` a level without questions is one step too."""
    out: list[Step] = []
    for level in ladder.levels:
        if level.checklist:
            out += [Step(level, item) for item in level.checklist]
        elif assertions:
            out.append(Step(level, None))
    return out


@dataclass(frozen=True)
class Rules:
    """How a walk goes.

    ``resume``: ``position`` — at the stored position, else at the first question not met of the lowest
    level not yet green; ``first_open`` — at the first step without an answer.
    ``stop``: ``blocked`` — as soon as an answer leaves its level unable to be green (each level's state is
    shown as the walk leaves it); ``ask`` — at the end of a fully answered level that is not green, the
    person decides whether to go on.
    ``assertions``: a level without applicable questions can be asserted with a justification.
    ``leave``: ``x`` (and ``b`` at the first question) leaves the checklist without quitting.
    """

    resume: Literal["position", "first_open"]
    stop: Literal["blocked", "ask"]
    assertions: bool
    leave: bool


SCORING = Rules(resume="position", stop="blocked", assertions=False, leave=True)
ASSESSMENT = Rules(resume="first_open", stop="ask", assertions=True, leave=False)


class ChecklistStore(Protocol):
    """Where one checklist's answers live; every ``commit_*`` is durable when it returns."""

    status: str | None          # None (never opened), "open", "done"
    position: str | None        # the step to resume at

    @property
    def answers(self) -> Mapping[str, Any]:
        """Question id -> ``"yes"`` / ``"no"`` / ``"na"`` / percent (float)."""

    def asserted(self) -> set[int]:
        """The levels asserted with a justification."""

    def determination(self):
        """The :class:`tlr.trl.Determination` of the answers (and assertions) stored so far."""

    def commit_answer(self, question: str, value: Any, *, next_step: str | None) -> None: ...

    def commit_assertion(self, level: int, justification: str, *, next_step: str | None) -> None: ...

    def move(self, step: str | None) -> None:
        """Remember the step to resume at (no answer changes)."""


class ChecklistView(Protocol):
    """The texts of one front end (each method shows its lines on the engine's terminal)."""

    def level_header(self, engine: "ChecklistEngine", level) -> None: ...

    def question(self, engine: "ChecklistEngine", k: int) -> None: ...

    def answer_prompt(self, engine: "ChecklistEngine", k: int) -> str: ...

    def help(self, engine: "ChecklistEngine") -> None: ...

    def bad_answer(self, engine: "ChecklistEngine", exc) -> None: ...

    def level_result(self, engine: "ChecklistEngine", result) -> None: ...

    # Rules.assertions and Rules.stop == "ask" only
    def assertion(self, engine: "ChecklistEngine", k: int) -> None: ...

    def assertion_prompt(self, engine: "ChecklistEngine", level: int) -> str: ...

    def justification_prompt(self, engine: "ChecklistEngine") -> str: ...

    def all_not_applicable(self, engine: "ChecklistEngine") -> None: ...

    def assert_now_prompt(self, engine: "ChecklistEngine") -> str: ...

    def cumulative(self, engine: "ChecklistEngine", achieved: int | None) -> None: ...

    def continue_prompt(self, engine: "ChecklistEngine") -> str: ...


class ChecklistEngine:
    """Walks one checklist (see the module docstring): :meth:`start` says where, :meth:`walk` goes."""

    def __init__(self, ladder, store: ChecklistStore, terminal: Terminal, view: ChecklistView, rules: Rules, *,
                 prefix: str = "TRL", commands: Mapping[str, Callable[[Step], None]] | None = None):
        self.ladder, self.store, self.terminal, self.view, self.rules = ladder, store, terminal, view, rules
        self.prefix = prefix
        self.commands = dict(commands or {})
        self.steps = steps_of(ladder, assertions=rules.assertions)
        self.index = {s.key: k for k, s in enumerate(self.steps)}

    # ------------------------------------------------------------------ where
    def key(self, k: int | None) -> str | None:
        return self.steps[k].key if k is not None else None

    def answered(self, step: Step) -> bool:
        if step.item is not None:
            return step.item.id in self.store.answers
        return step.level.level in self.store.asserted()

    def done(self) -> int:
        """How many steps have an answer (or an assertion)."""
        return sum(1 for s in self.steps if self.answered(s))

    def level_steps(self, number: int) -> list[Step]:
        return [s for s in self.steps if s.level.level == number]

    def start(self) -> int | None:
        """The step to begin at; ``None``: nothing left to ask."""
        if self.rules.resume == "first_open":
            return next((k for k, s in enumerate(self.steps) if not self.answered(s)), None)
        store = self.store
        if store.status == "open":
            if store.position in self.index:
                return self.index[store.position]
            if store.position is None and store.answers:
                return None
        det = store.determination()
        nxt = det.next
        if nxt is not None and nxt.missing:
            return self.index[nxt.missing[0].question]
        number = det.next_level if det.next_level is not None else self.ladder.numbers[-1]
        return next((k for k, s in enumerate(self.steps) if s.level.level >= number), 0)

    # ------------------------------------------------------------------ walking
    def walk(self, k: int | None) -> tuple[Outcome, int | None]:
        """Ask from step ``k`` on. Returns ``("end", None)`` when the walk is over (conclude),
        ``("leave", k)`` or ``("quit", k)`` with the step the person was at."""
        shown = None
        while k is not None:
            step = self.steps[k]
            if step.level.level != shown:
                self.view.level_header(self, step.level)
                shown = step.level.level
            action, value = self._ask_question(k) if step.item is not None else self._ask_assertion(k)
            if action == "quit":
                return "quit", k
            if action == "leave" or (action == "back" and k == 0 and self.rules.leave):
                return "leave", k
            if action == "back":
                k = max(k - 1, 0)
                shown = None
                self.store.move(self.key(k))
                continue
            if action == "skip":
                k = k + 1 if k + 1 < len(self.steps) else None
                self.store.move(self.key(k))
                continue
            if action == "answer":
                nxt = self._next(k, {**self.store.answers, step.item.id: value})
                self.store.commit_answer(step.item.id, value, next_step=self.key(nxt))
            elif action == "assert":
                nxt = self._next(k, self.store.answers)
                self.store.commit_assertion(step.level.level, value, next_step=self.key(nxt))
            else:  # keep
                nxt = self._next(k, self.store.answers)
                self.store.move(self.key(nxt))
            if not self._level_end(k, nxt):
                self.store.move(self.key(nxt))
                return "end", None
            k = nxt
        return "end", None

    def _ask_question(self, k: int) -> tuple[Action, Any]:
        from tlr.trl import TrlError, parse_answer

        item = self.steps[k].item
        current = self.store.answers.get(item.id)
        self.view.question(self, k)
        while True:
            raw = self.terminal.ask(self.view.answer_prompt(self, k), "", show_default=False).strip()
            low = raw.lower()
            if low in BACK:
                return "back", None
            if low in SKIP:
                return "skip", None
            if low in QUIT:
                return "quit", None
            if self.rules.leave and low in LEAVE:
                return "leave", None
            if low in self.commands:
                self.commands[low](self.steps[k])
                continue
            if low in HELP or (not raw and current is None):
                self.view.help(self)
                continue
            if not raw:
                return "keep", current
            try:
                return "answer", parse_answer(raw, item)
            except TrlError as exc:
                self.view.bad_answer(self, exc)

    def _ask_assertion(self, k: int) -> tuple[Action, Any]:
        number = self.steps[k].level.level
        self.view.assertion(self, k)
        while True:
            low = self.terminal.ask(self.view.assertion_prompt(self, number), "", show_default=False).strip().lower()
            if low in BACK:
                return "back", None
            if low in SKIP or low in NO:
                return "skip", None
            if low in QUIT:
                return "quit", None
            if low in YES:
                why = self.terminal.ask(self.view.justification_prompt(self), None).strip()
                if why:
                    return "assert", why
                continue
            self.view.help(self)

    def _next(self, k: int, answers: Mapping[str, Any]) -> int | None:
        """The step after ``k`` once it is answered (``answers``); ``None``: the walk ends here.

        ``stop == "blocked"``: the walk stops when this answer leaves the level unable to be green. When the
        level is already blocked by another answer (a revisit), the rest of the level can still be answered
        and the walk stops at the level's end.
        """
        following = k + 1 if k + 1 < len(self.steps) else None
        if self.rules.stop != "blocked":
            return following
        from tlr.campaign.checklist import level_can_be_green
        from tlr.trl.determine import EPS, question_score

        step = self.steps[k]
        if level_can_be_green(self.ladder, step.level.level, answers):
            return following
        score = question_score(answers.get(step.item.id)) if step.item is not None else None
        if score is not None and score < 1 - EPS:
            return None
        if following is not None and self.steps[following].level.level == step.level.level:
            return following
        return None

    def _level_end(self, k: int, nxt: int | None) -> bool:
        """After step ``k`` was answered, asserted or kept: report a level the walk leaves; ``False`` ends it."""
        number = self.steps[k].level.level
        if self.rules.stop == "blocked":
            if nxt is None or self.steps[nxt].level.level != number:
                self.view.level_result(self, self.store.determination().level(number))
            return True
        last = k + 1 >= len(self.steps) or self.steps[k + 1].level.level != number
        if not last or any(s.item is not None and not self.answered(s) for s in self.level_steps(number)):
            return True
        det = self.store.determination()
        result = det.level(number)
        self.view.level_result(self, result)
        if result.state == "green":
            return True
        if self.rules.assertions and result.basis == "none" and result.n_questions:
            self.view.all_not_applicable(self)
            if self.terminal.confirm(self.view.assert_now_prompt(self), default=False):
                why = self.terminal.ask(self.view.justification_prompt(self), None).strip()
                if why:
                    self.store.commit_assertion(number, why, next_step=None)
                    return True
        self.view.cumulative(self, det.achieved)
        return self.terminal.confirm(self.view.continue_prompt(self), default=False)
