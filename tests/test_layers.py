"""The house's layering rule: the pure packages never import the layers above them (docs/architecture.md).

Every import is read from the source with ast, including those inside functions, so a lazy import cannot hide
an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TLR = Path(__file__).resolve().parents[1] / "tlr"
PURE = ("numeric", "parallel", "panel", "engine", "ranking", "weighting", "evaluation", "rubric", "trl", "push",
        "matching", "outcomes", "valuation", "portfolio")
ABOVE = ("tlr.app", "tlr.campaign", "tlr.cli", "tlr.report")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_nothing_above_them(package):
    upward = [f"{path.relative_to(TLR.parent)}:{line}: {name}"
              for path in sorted((TLR / package).rglob("*.py"))
              for line, name in _imports(path)
              if any(name == top or name.startswith(top + ".") for top in ABOVE)]
    assert upward == [], "upward imports:\n" + "\n".join(upward)


def test_the_rule_can_fail(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from tlr.campaign.ledger import Ledger\n", encoding="utf-8")
    assert _imports(bad) == [(2, "tlr.campaign.ledger")]
