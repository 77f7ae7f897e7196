"""Shared output helpers for the CLI: JSON, rich consoles, diagnostics."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Print *data* as pretty, UTF-8 JSON (numpy values converted, NaN as null)."""
    from tlr.results import jsonable

    click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def echo_written(paths, as_json: bool) -> None:
    """Say which files a command wrote: JSON ``{"written": [...]}`` or one line each."""
    if as_json:
        echo_json({"written": [str(p) for p in paths]})
    else:
        for path in paths:
            click.echo(f"已生成 / written: {path}")


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
