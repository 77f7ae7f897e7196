"""`tlr --help` stays fast: no heavy library is imported to print help or the version."""

from __future__ import annotations

import subprocess
import sys

from tlr import __version__

HEAVY = ("numpy", "pandas", "scipy", "pydantic", "matplotlib", "weasyprint", "openpyxl", "rich", "yaml", "jieba")


def test_help_imports_no_heavy_library():
    code = ("import sys; from tlr.cli import main; main(['--help']); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert "rubric" in out and "demo" in out


def test_version():
    out = subprocess.run([sys.executable, "-m", "tlr", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in out.stdout
