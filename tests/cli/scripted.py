"""A scripted person for the interactive sessions (:class:`tlr.app.interactive.Terminal`), in-process.

Inputs are consumed one per prompt (a callable is called first: what happens meanwhile). :data:`KILL` stands for SIGKILL at that prompt: :class:`Killed` is a
``BaseException`` the sessions never catch, so nothing after it is written — what is in the store is what
a killed process leaves. Running out of inputs is the end of standard input (:class:`Interrupted`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tlr.app.interactive import EditorError, Interrupted

KILL = object()
INTERRUPT = object()      # Ctrl-C at this prompt
UNDECODABLE = object()    # input that is not valid UTF-8


class Killed(BaseException):
    """The process was killed (SIGKILL) while waiting at a prompt."""


class ScriptedTerminal:
    def __init__(self, inputs: Sequence[object] = (), *, line_limited: bool = True,
                 editor: Callable[[str], str | None] | None = None):
        self.inputs = list(inputs)
        self.line_limited = line_limited
        self.editor = editor
        self.lines: list[str] = []          # everything shown, prompts included, in order
        self.errors: list[str] = []         # what went to the error stream
        self.prompts: list[str] = []
        self.edited: list[str] = []         # the texts handed to the editor
        self.bold: list[str] = []

    # ---------------------------------------------------------------- output
    def say(self, text: str = "", *, bold: bool = False, err: bool = False) -> None:
        (self.errors if err else self.lines).extend(str(text).split("\n"))
        if bold:
            self.bold.append(text)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def after(self, marker: str) -> str:
        """The output after the last line containing ``marker``."""
        text = self.output
        return text[text.rindex(marker):]

    # ---------------------------------------------------------------- input
    def _next(self, prompt: str) -> str:
        self.prompts.append(prompt)
        self.lines.append(f"{prompt}: ")
        if not self.inputs:
            raise Interrupted()
        value = self.inputs.pop(0)
        if callable(value):          # something happening meanwhile (another process), then the input
            value = value()
        if value is KILL:
            raise Killed()
        if value is INTERRUPT:
            raise Interrupted()
        if value is UNDECODABLE:
            raise UnicodeDecodeError("utf-8", b"\xe6", 0, 1, "unexpected end of data")
        self.lines[-1] += str(value)
        return str(value)

    def ask(self, prompt: str, default: str | None = "", *, show_default: bool = False) -> str:
        while True:
            value = self._next(prompt)
            if value == "":
                if default is None:
                    continue          # click asks again for a required value
                return default
            return value

    def confirm(self, prompt: str, default: bool = False) -> bool:
        while True:
            value = self._next(prompt).strip().lower()
            if value == "":
                return default
            if value in ("y", "yes"):
                return True
            if value in ("n", "no"):
                return False

    def choose(self, prompt: str, choices: Sequence[str], default: str) -> str:
        while True:
            value = self._next(prompt).strip() or default
            if value in choices:
                return value

    def edit(self, text: str) -> str | None:
        self.edited.append(text)
        if self.editor is None:
            raise EditorError("no editor")
        return self.editor(text)

    @property
    def unused(self) -> list[object]:
        return self.inputs
