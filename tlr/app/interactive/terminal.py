"""What an interactive session needs from a person's terminal, and the command words it understands."""

from __future__ import annotations

from typing import Protocol, Sequence

# The words typed at a prompt (lower case; Chinese and symbols too).
BACK = frozenset({"b", "back", "上一项", "<"})
SKIP = frozenset({"s", "skip", "跳过", ">"})
QUIT = frozenset({"q", "quit", "exit", "退出"})
HELP = frozenset({"?", "h", "help", "帮助"})
LEAVE = frozenset({"x", "leave", "离开"})
YES = frozenset({"y", "yes", "是"})
NO = frozenset({"n", "no", "否"})


class Interrupted(Exception):
    """The person left in the middle of a dialogue: Ctrl-C, or the end of the input."""


class EditorError(Exception):
    """The text editor could not be run (no ``EDITOR``, a missing program ...)."""


class Terminal(Protocol):
    """A person at a terminal. Every input method raises :class:`Interrupted` on Ctrl-C or end of input, and
    :class:`UnicodeDecodeError` for input that is not valid text."""

    #: Input arrives through a terminal's line discipline, which cuts a typed line at
    #: :data:`tlr.app.interactive.scoring.TTY_LINE_LIMIT` bytes without a word.
    line_limited: bool

    def say(self, text: str = "", *, bold: bool = False, err: bool = False) -> None:
        """Show one line (or several) of text; ``err``: on the error stream."""

    def ask(self, prompt: str, default: str | None = "", *, show_default: bool = False) -> str:
        """A line of input after ``prompt``; Enter gives ``default`` (``None``: an answer is required)."""

    def confirm(self, prompt: str, default: bool = False) -> bool:
        """A yes/no question; Enter gives ``default``."""

    def choose(self, prompt: str, choices: Sequence[str], default: str) -> str:
        """One of ``choices`` (asked again until it is one); Enter gives ``default``."""

    def edit(self, text: str) -> str | None:
        """``text`` edited in the person's text editor; ``None`` when the editor was left without saving.
        Raises :class:`EditorError` when no editor can be run."""
