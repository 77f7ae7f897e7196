"""Shared output helpers for the CLI: JSON, rich consoles, diagnostics."""

from __future__ import annotations

import sys
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Print *data* as pretty, UTF-8 JSON (numpy values converted, NaN as null, no float noise)."""
    from tlr.numeric.results import json_text

    click.echo(json_text(data))


def echo_written(paths, as_json: bool) -> None:
    """Say which files a command wrote: JSON ``{"written": [...]}`` or one line each."""
    if as_json:
        echo_json({"written": [str(p) for p in paths]})
    else:
        for path in paths:
            click.echo(f"已生成 / written: {path}")


def plain(value: Any, *, newlines: bool = False) -> str:
    """Data-derived text for ``click.echo``: control, bidi and invisible characters shown as escapes.

    ``newlines``: keep line feeds and tabs (multi-line text such as a summary).
    """
    from tlr.safetext import terminal_safe

    return terminal_safe(value, newlines=newlines)


def safe(value: Any, *, newlines: bool = False) -> str:
    """Data-derived text for rich (``console().print``, table cells): :func:`plain`, and markup escaped.

    A name such as ``[bold]x`` or ``[/]`` prints literally instead of styling or crashing rich.
    """
    from rich.markup import escape

    return escape(plain(value, newlines=newlines))


def console(stderr: bool = False):
    """A rich console; wide and colourless when not writing to a terminal."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr, highlight=False)
    return Console(stderr=stderr, highlight=False, width=160, no_color=True, soft_wrap=True)


def echo_diagnostics(diagnostics, err: bool = True) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=err)


LANG_OPTION = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="Language of labels / 显示语言.")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table / 输出 JSON.")

