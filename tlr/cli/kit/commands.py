"""The command and group classes every ``tlr`` command uses: one error path, bilingual help, one way to
name the campaign.

* A low-level SQLite failure inside a command on a campaign becomes a clear :class:`CampaignError` naming
  the database (exit 2), never a traceback (the top level, :func:`tlr.cli.main`, turns every
  :class:`~tlr.errors.TlrError` into its one-line message).
* ``-h/--help`` is described in both languages.
* The campaign given positionally (``tlr rank round-2026``, kept where it always was) and with
  ``-C/--campaign`` (or ``TLR_CAMPAIGN``) arrive as one value, ``campaign``; both given and different is a
  usage error.
"""

from __future__ import annotations

import sqlite3

import click

HELP_OPTION_HELP = "显示本帮助并退出 / Show this message and exit."
CAMPAIGN_ARG = "campaign_arg"   # the positional CAMPAIGN (rank, agreement, report)
CAMPAIGN_PAIR = "project"       # explain's [CAMPAIGN] PROJECT


def bilingual_help_option(command: click.Command, ctx: click.Context) -> click.Option | None:
    option = click.Command.get_help_option(command, ctx)
    if option is not None:
        option.help = HELP_OPTION_HELP
    return option


def _guard(invoke, ctx: click.Context):
    try:
        return invoke(ctx)
    except sqlite3.DatabaseError as exc:
        if "library" in ctx.params:
            from tlr.campaign.store import database_error
            from tlr.library.store import library_path

            raise database_error(library_path(ctx.params.get("library")), exc, "成果库", "library") from None
        if "campaign" not in ctx.params:
            raise
        from tlr.campaign.ledger import database_error, resolve_path

        raise database_error(resolve_path(ctx.params.get("campaign")), exc) from None


def _same_place(a: str, b: str) -> bool:
    import os

    try:
        return a == b or os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def merge_campaign(ctx: click.Context) -> None:
    """Fold a positional CAMPAIGN into ``ctx.params["campaign"]`` (``-C`` / ``TLR_CAMPAIGN``)."""
    params = ctx.params
    positional = params.pop(CAMPAIGN_ARG, None)
    pair = next((p for p in ctx.command.params if isinstance(p, CampaignPairArgument)), None)
    if pair is not None:
        values = list(params.get(pair.name) or ())
        if len(values) > 2:
            raise click.UsageError(f"参数过多 / too many arguments: {' '.join(_shown(v) for v in values)} "
                                   f"(expected {pair.human_readable_name})", ctx)
        if len(values) == 2:
            positional, values = values[0], values[1:]
        params[pair.name] = pair.item_type.convert(values[0], pair, ctx) if values else None
        if positional is not None:
            from tlr.cli.kit.params import PathArg

            positional = PathArg(exists=False).convert(positional, pair, ctx)
    if positional is None:
        return
    given = params.get("campaign")
    from_command_line = ctx.get_parameter_source("campaign") == click.core.ParameterSource.COMMANDLINE
    if given is not None and from_command_line and not _same_place(str(given), str(positional)):
        raise click.UsageError(f"批次给了两次且不同：CAMPAIGN {_shown(positional)} 与 -C/--campaign {_shown(given)}，"
                               f"只给一个 / the campaign is given twice, as CAMPAIGN {_shown(positional)} and as "
                               f"-C/--campaign {_shown(given)}: give one", ctx)
    params["campaign"] = positional


def _shown(value) -> str:
    from tlr.safetext import terminal_safe

    return repr(terminal_safe(str(value)))


class CampaignPairArgument(click.Argument):
    """``[CAMPAIGN] NAME``: one or two values; with two the first is the campaign (see :func:`merge_campaign`)."""

    def __init__(self, param_decls, *, item_type: click.ParamType = click.STRING, **attrs):
        attrs.setdefault("nargs", -1)
        attrs.setdefault("required", True)
        super().__init__(param_decls, **attrs)
        self.item_type = item_type


class Command(click.Command):
    """A ``tlr`` command (see the module docstring)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return bilingual_help_option(self, ctx)

    def invoke(self, ctx: click.Context):
        merge_campaign(ctx)
        return _guard(super().invoke, ctx)


class Group(click.Group):
    """A ``tlr`` command group: its sub-commands and sub-groups are :class:`Command` and :class:`Group`."""

    command_class = Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return bilingual_help_option(self, ctx)

    def invoke(self, ctx: click.Context):
        return _guard(super().invoke, ctx)


Group.group_class = Group


def command(name: str | None = None, **attrs):
    """``@command()``: :func:`click.command` with :class:`Command`."""
    attrs.setdefault("cls", Command)
    return click.command(name, **attrs)


def group(name: str | None = None, **attrs):
    """``@group()``: :func:`click.group` with :class:`Group`."""
    attrs.setdefault("cls", Group)
    return click.group(name, **attrs)
