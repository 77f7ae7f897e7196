"""What the CLI prints: the one JSON writer, rich consoles, the one table printer, data-derived text made safe."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click


def json_text(data: Any) -> str:
    """*data* as pretty UTF-8 JSON through the one writer (:func:`tlr.numeric.results.json_text`: numpy values
    converted, NaN/inf as null, floats without noise); paths, dates and other objects as text."""
    from tlr.numeric.results import json_text as write, jsonable

    return write(_plain_types(jsonable(data)))


def _plain_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_types(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_plain_types(v) for v in value)
    return str(value)


def echo_json(data: Any) -> None:
    """Print *data* as JSON (:func:`json_text`) on standard output."""
    click.echo(json_text(data))


def echo_written(paths, as_json: bool) -> None:
    """Say which files a command wrote: JSON ``{"written": [...]}`` or one line each."""
    if as_json:
        echo_json({"written": [str(p) for p in paths]})
    else:
        for path in paths:
            click.echo(f"已生成 / written: {plain(path)}")


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


def echo_audit_report(report) -> None:
    """The outcome of an audit verification (a ledger's or the library's): one line when intact, else each problem."""
    if report.ok:
        click.echo(f"审计链完整 / audit log intact: {report.entries} entries, head {report.head}")
    else:
        click.echo(f"审计校验失败 / audit verification FAILED ({report.entries} entries)", err=True)
        for p in report.problems:
            click.echo(f"  - {plain(p)}", err=True)


def echo_diagnostics(diagnostics, err: bool = True) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=err)


# --------------------------------------------------------------------------- tables


def new_table(headers: Sequence[str], *, title: str | None = None):
    """An empty table in the house style (header rule, no frame); add rows with :func:`add_row`."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title, title_justify="left",
                  highlight=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def add_row(table, cells: Iterable[Any]) -> None:
    """One row; every cell is data: ``None`` is empty, text goes through :func:`safe` (never markup), numbers
    as ``str``; a rich ``Text`` (already styled by the caller) is kept."""
    from rich.text import Text

    table.add_row(*[c if isinstance(c, Text) else "" if c is None else safe(c) for c in cells])


def print_table(headers_or_table, rows: Iterable[Sequence[Any]] | None = None, *, title: str | None = None,
                out=None) -> None:
    """Print a table: ``print_table(headers, rows, title=...)`` or a table built with :func:`new_table`.

    On a terminal rich fits it to the window (CJK characters count two columns). Elsewhere (a pipe, a
    file, a test) it is as wide as its content, never wrapped, colourless, trailing spaces trimmed.
    ``out``: the rich console to print on (default: a new one on standard output).
    """
    if rows is not None or not hasattr(headers_or_table, "add_row"):
        table = new_table(headers_or_table, title=title)
        for row in rows or ():
            add_row(table, row)
    else:
        table = headers_or_table
    out = out or console()
    if out.is_terminal:
        out.print(table)
        return
    import io

    from rich.console import Console
    from rich.measure import Measurement

    needed = Measurement.get(out, out.options.update_width(10**6), table).maximum
    wide = Console(file=io.StringIO(), width=max(out.width, needed), color_system=None, highlight=False,
                   legacy_windows=False)
    wide.print(table)
    out.out("\n".join(line.rstrip() for line in wide.file.getvalue().splitlines()), highlight=False)


# --------------------------------------------------------------------------- all-or-nothing imports


@contextlib.contextmanager
def problems_as_json(as_json: bool):
    """Let an all-or-nothing import's ValidationError through, first listing its problems as JSON if asked."""
    from tlr.errors import ValidationError

    try:
        yield
    except ValidationError as exc:
        if as_json:
            echo_json({"ok": False, "problems": [d.to_dict() for d in exc.diagnostics]})
        click.echo(plain(exc.message), err=True)
        raise
