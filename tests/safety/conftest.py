"""Shared helpers for the safety tests: a small campaign, snapshots of folders, running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..campaign.support import new_round

FIXTURES = Path(__file__).resolve().parents[1] / "campaign" / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _debug_and_private_cache(monkeypatch, tmp_path_factory):
    """A bug (exit 70) raises here instead of hiding behind the guard; crash files go to a private cache."""
    monkeypatch.setenv("TLR_DEBUG", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


SYSTEM = ("/dev", "/proc", "/sys")


def _system_path(path) -> bool:
    text = os.path.realpath(os.fspath(path))
    return any(text == p or text.startswith(p + "/") for p in SYSTEM) and not text.startswith("/dev/shm")


@pytest.fixture(autouse=True)
def _never_replace_system_files(monkeypatch):
    """A safety net for when the code under test regresses: as root, an atomic "write" to `--out /dev/full`
    would rename a temp file over the device node. Replacing, renaming or deleting anything under /dev,
    /proc or /sys fails the test instead of doing it."""
    for name in ("replace", "rename", "unlink", "remove", "rmdir"):
        real = getattr(os, name)

        def guarded(*args, _real=real, _name=name, **kwargs):
            paths = [a for a in args[:2] if isinstance(a, (str, Path)) and _system_path(a)]
            if _name in ("unlink", "remove"):  # cleaning up a stray temp file is allowed, a device is not
                paths = [a for a in paths if not os.path.isfile(a) or os.path.islink(a)]
            if kwargs.get("dir_fd") is None and paths:
                raise AssertionError(f"os.{_name}{args!r} would change a system file")
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, guarded)
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        if _system_path(path):
            raise AssertionError(f"shutil.rmtree({path!r}) would delete system files")
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)


@pytest.fixture
def campaign(tmp_path) -> Path:
    """A campaign folder with the fixture projects and experts, 3 experts per project."""
    new_round(tmp_path / "round", name="test round").close()
    return tmp_path / "round"


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under *root* (symlinks not followed): file -> bytes, folder -> 'dir', link -> its target."""
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = path.read_bytes()
    return found


def run_cli(args, capsys) -> tuple[int, str, str]:
    from tlr.cli import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    """The error output must be exactly one line, and no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


_NOBODY: list[str] | None = None


def as_nobody() -> list[str] | None:
    """A command prefix that runs a process without root's override of file permissions, or None."""
    if os.geteuid() != 0:
        return []
    global _NOBODY
    if _NOBODY is None:
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else []
        # the unprivileged user must be able to load tlr and its libraries (a virtual environment in a
        # private 0700 folder, as CI makes one, is out of its reach): probe once
        ok = bool(prefix) and subprocess.run(
            [*prefix, sys.executable, "-c", "import click, numpy, pydantic, tlr.cli"], cwd="/",
            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=60).returncode == 0
        _NOBODY = prefix if ok else []
    return _NOBODY or None


def tlr_process(args, prefix: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from tlr.cli import main; sys.exit(main(sys.argv[1:]))"
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("TLR_DEBUG", None)
    return subprocess.run([*prefix, sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)
