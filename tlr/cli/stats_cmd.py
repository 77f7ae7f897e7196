"""``tlr stats``: the statistics and decision methods of tlr on plain tables, without a campaign.

Sub-commands live in their own modules and load on first use (agreement statistics in
``stats_agreement``, multi-criteria and weighting methods in ``stats_mcda``).
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from tlr.cli.kit import Group

# name -> (module, attribute)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "icc": ("tlr.cli.stats_agreement", "icc"),
    "kendall": ("tlr.cli.stats_agreement", "kendall"),
    "alpha": ("tlr.cli.stats_agreement", "alpha"),
    "topsis": ("tlr.cli.stats_mcda", "topsis"),
    "entropy": ("tlr.cli.stats_mcda", "entropy"),
    "critic": ("tlr.cli.stats_mcda", "critic"),
    "fuzzy-ahp": ("tlr.cli.stats_mcda", "fuzzy_ahp"),
}


def _available(name: str) -> bool:
    try:
        return importlib.util.find_spec(SUBCOMMANDS[name][0]) is not None
    except ModuleNotFoundError:  # pragma: no cover
        return False


class StatsGroup(Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SUBCOMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS or not _available(cmd_name):
            return None
        module, attr = SUBCOMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)


@click.group(cls=StatsGroup)
def stats() -> None:
    """统计与决策方法 / Agreement statistics and decision methods on plain tables (no campaign needed).

    A table is CSV or XLSX with a header row; the first column holds the subject
    ids, the other columns the raters (or criteria); an empty cell is missing.
    Every output names the method and its source; --json gives the numbers.

    \b
    Example / 示例:
      tlr stats icc ratings.csv
      tlr stats alpha ratings.csv --level ordinal --json
    """
