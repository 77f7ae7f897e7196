"""The one CLI kit: what every ``tlr`` command module shares, and the only thing they import from each other.

* :mod:`~tlr.cli.kit.commands` — :class:`Command` / :class:`Group`: one error path (SQLite failures become a
  clear error), bilingual ``--help``, the campaign given positionally or with ``-C``;
* :mod:`~tlr.cli.kit.options` — the shared options (``-C/--campaign``, ``--json``, ``--lang``, ``--encoding``,
  ``--format``), each described once, Chinese first;
* :mod:`~tlr.cli.kit.params` — checked option types (numbers in range, one-line text, non-empty paths);
* :mod:`~tlr.cli.kit.output` — the one JSON writer, the one table printer (rich), data-derived text made safe;
* :mod:`~tlr.cli.kit.terminal` — click prompts behind the interactive sessions' terminal interface;
* :mod:`~tlr.cli.kit.fund` — the fund options of ``tlr rank`` and ``tlr report``.

Only click is imported here: ``tlr --help`` stays fast.
"""

from __future__ import annotations

from tlr.cli.kit.commands import Command, Group, command, group
from tlr.cli.kit.options import (campaign_argument, campaign_option, campaign_pair_argument, encoding_option,
                                 engine_options, library_option,
                                 formats_option, json_option, lang_option)
from tlr.cli.kit.output import (add_row, console, echo_audit_report, echo_diagnostics, echo_json, echo_written, json_text, new_table,
                                plain, print_table, problems_as_json, safe)
from tlr.cli.kit.params import (AMOUNT, BOOTSTRAP, DRAWS, ID, NON_NEGATIVE, POSITIVE, SEED, TEXT, Amount, Integer,
                                PathArg, Text)

__all__ = [
    "AMOUNT", "Amount", "library_option", "BOOTSTRAP", "Command", "DRAWS", "Group", "ID", "Integer", "NON_NEGATIVE", "POSITIVE",
    "PathArg", "SEED", "TEXT", "Text", "add_row", "campaign_argument", "campaign_option", "campaign_pair_argument",
    "command", "console", "echo_audit_report", "echo_diagnostics", "echo_json", "echo_written", "encoding_option", "engine_options", "formats_option",
    "group", "json_option", "json_text", "lang_option", "new_table", "plain", "print_table", "problems_as_json",
    "safe",
]
