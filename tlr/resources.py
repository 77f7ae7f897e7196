"""Where the shipped data lives: the source checkout's folders, else the copies inside the installed wheel.

``pip install .`` copies ``rubrics/``, ``reports/templates/`` and ``examples/`` into ``tlr/_data/``
(see pyproject.toml); in a source checkout the originals next to the package are used.
"""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = {"rubrics": "rubrics", "templates": "reports/templates", "examples": "examples"}


def data_dir(name: str) -> Path:
    """``rubrics``, ``templates`` or ``examples``: the folder to read shipped files from."""
    if name not in _CHECKOUT:
        raise KeyError(name)
    package = Path(__file__).resolve().parent
    checkout = package.parent / _CHECKOUT[name]
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    return package / "_data" / name
