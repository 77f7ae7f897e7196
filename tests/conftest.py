"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """`tlr demo` run once per test session (about 20 s): the bundled round, its ledger, ranking and reports."""
    from tlr.cli import main

    out = tmp_path_factory.mktemp("demo") / "out"
    assert main(["demo", "--out", str(out), "--draws", "500"]) == 0
    return out
