"""click's prompts behind the interactive sessions' :class:`tlr.app.interactive.Terminal` (the only place the
sessions meet click)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

import click

from tlr.app.interactive.terminal import EditorError, Interrupted


class ClickTerminal:
    """The person at this process's terminal: click prompts on standard input and output."""

    def __init__(self) -> None:
        # Ctrl-C must stop a session and keep its answers. A process started in the background of a
        # non-interactive shell inherits SIGINT ignored, and Python then installs no handler: at a terminal,
        # the person's Ctrl-C comes first.
        if (sys.stdin.isatty() and threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
            signal.signal(signal.SIGINT, signal.default_int_handler)

    @property
    def line_limited(self) -> bool:
        return sys.stdin.isatty()

    def say(self, text: str = "", *, bold: bool = False, err: bool = False) -> None:
        if bold:
            click.secho(text, bold=True, err=err)
        else:
            click.echo(text, err=err)

    def ask(self, prompt: str, default: str | None = "", *, show_default: bool = False) -> str:
        try:
            return click.prompt(prompt, default=default, show_default=show_default)
        except click.exceptions.Abort:   # Ctrl-C or the end of the input
            raise Interrupted() from None

    def confirm(self, prompt: str, default: bool = False) -> bool:
        try:
            return click.confirm(prompt, default=default)
        except click.exceptions.Abort:
            raise Interrupted() from None

    def choose(self, prompt: str, choices: Sequence[str], default: str) -> str:
        try:
            return click.prompt(prompt, type=click.Choice(list(choices)), default=default)
        except click.exceptions.Abort:
            raise Interrupted() from None

    def edit(self, text: str) -> str | None:
        try:
            return click.edit(text, extension=".txt", require_save=True)
        except click.ClickException as exc:
            raise EditorError(exc.format_message()) from None
