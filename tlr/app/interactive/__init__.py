"""The interactive sessions, as library state machines talking to a person through a :class:`Terminal`.

* :mod:`~tlr.app.interactive.checklist` — the one checklist engine: a ladder's questions level by level,
  every answer committed at once through a :class:`~tlr.app.interactive.checklist.ChecklistStore`;
* :mod:`~tlr.app.interactive.scoring` — an expert scoring a campaign (``tlr score``): which item next,
  keep / back / skip / quit / resume, comments (with an editor for long ones), TRL indicators through the
  checklist engine, stored in the campaign ledger;
* :mod:`~tlr.app.interactive.assess` — the readiness calculator on an assessment file (``tlr trl
  assess``): the same checklist engine, stored in the YAML/JSON document.

No module here imports click: the CLI adapts its prompts to :class:`Terminal`
(:mod:`tlr.cli.kit.terminal`); tests drive the sessions in-process with scripted input.
"""

from tlr.app.interactive.terminal import EditorError, Interrupted, Terminal

__all__ = ["EditorError", "Interrupted", "Terminal"]
