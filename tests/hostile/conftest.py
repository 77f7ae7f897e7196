"""Shared machinery of the hostile-input tests: the corpus (built once per session), a fresh copy of the
base campaign per case, a full dump of a campaign's tables, a guard that records every write outside the
test's folder, and running the real CLI with the top-level guard active (``TLR_DEBUG`` unset)."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import shutil
import signal
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

from ..campaign.support import ledger_rows
from .generate import Case, generate

_CORPUS: tuple[list[Case], Path] | None = None


def corpus(config=None) -> tuple[list[Case], Path]:
    """(cases, corpus folder), generated once per session into a private temporary folder."""
    global _CORPUS
    if _CORPUS is None:
        root = Path(tempfile.mkdtemp(prefix="tlr-hostile-"))
        if config is not None:
            config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
        cases, _campaign = generate(root / "corpus")
        _CORPUS = (cases, root / "corpus")
    return _CORPUS


@pytest.fixture(scope="session")
def corpus_root(request) -> Path:
    return corpus(request.config)[1]


# ------------------------------------------------------------------------------------- writes outside


class WriteGuard:
    """Records (never blocks) every file-system change outside the allowed folders while armed.

    An audit hook (PEP 578) sees ``open`` for writing, ``os.rename/replace/remove/mkdir/...``,
    ``shutil.rmtree`` and ``sqlite3.connect``; Python's own bytecode cache is allowed."""

    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    PATH_EVENTS = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.truncate": 1, "os.chmod": 1, "os.chown": 1,
                   "os.utime": 1, "shutil.rmtree": 1, "os.rename": 2, "os.link": 2, "os.symlink": 2}

    def __init__(self):
        self.allowed: list[str] | None = None
        self.seen: list[tuple[str, str]] = []
        sys.addaudithook(self._hook)

    def _outside(self, target) -> bool:
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        if not isinstance(target, (str, os.PathLike)):
            return False
        text = os.fspath(target)
        if not text or text in (":memory:", os.devnull) or "__pycache__" in text:
            return False
        if text.startswith("file:"):  # an SQLite URI
            text = text[5:].split("?", 1)[0]
        real = os.path.realpath(text)
        return not any(real == root or real.startswith(root + os.sep) for root in self.allowed)

    def _hook(self, event: str, args: tuple) -> None:
        if self.allowed is None:
            return
        targets = []
        if event == "open":
            name, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance(mode, str) and any(ch in mode for ch in "wax+")) or (
                isinstance(flags, int) and flags & self.WRITE_FLAGS)
            if writing and not isinstance(name, int):
                targets = [name]
        elif event in self.PATH_EVENTS:
            targets = list(args[: self.PATH_EVENTS[event]])
        elif event == "sqlite3.connect":
            targets = [args[0]]
        for target in targets:
            try:
                if self._outside(target):
                    self.seen.append((event, os.fspath(target) if not isinstance(target, bytes) else repr(target)))
            except Exception:  # never let the check itself change what the code under test does
                self.seen.append((event, repr(target)))

    def arm(self, *folders: Path) -> None:
        # objects left by earlier tests are finalised now, not while watching: WeasyPrint removes its
        # temporary font folder when its font configuration is collected. The survivors are then frozen
        # (left out of later collections): otherwise each of the sweep's ~2,400 runs re-walks the whole heap
        # of the worker, about 0.1-0.2 s each, most of the sweep's time.
        gc.collect()
        gc.freeze()
        self.allowed = [os.path.realpath(f) for f in folders]
        self.seen = []

    def disarm(self) -> list[tuple[str, str]]:
        self.allowed = None
        return self.seen


_GUARD: WriteGuard | None = None


@pytest.fixture(scope="session")
def write_guard() -> WriteGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = WriteGuard()
    return _GUARD


# ------------------------------------------------------------------------------------- campaigns


def dump(campaign: Path) -> dict:
    """Every table's rows (sorted), the schema, and the audit head (``SELECT max(seq), hash FROM audit``); the
    same of the library kept in the campaign's folder (``library.sqlite``), when there is one."""
    rows = ledger_rows(campaign, schema=True)
    library = campaign / "library.sqlite"
    if library.is_file():
        rows["_library"] = ledger_rows(campaign, schema=True, file="library.sqlite")
    return rows


def copy_campaign(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def audit_intact(campaign: Path) -> bool:
    from tlr.campaign import open_campaign, verify_audit

    with open_campaign(campaign) as ledger:
        if not verify_audit(ledger).ok:
            return False
    if (campaign / "library.sqlite").is_file():
        from tlr.library.store import open_library

        with open_library(campaign / "library.sqlite") as lib:
            return lib.verify().ok
    return True


# ------------------------------------------------------------------------------------- running the CLI


@pytest.fixture
def user_env(monkeypatch, tmp_path):
    """As a user runs tlr: TLR_DEBUG unset (the guard is active), caches inside the test's folder."""
    monkeypatch.delenv("TLR_DEBUG", raising=False)
    monkeypatch.delenv("TLR_CAMPAIGN", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    scratch = tmp_path / "tmpdir"  # libraries' temporary files (openpyxl saving a workbook) stay in the test too
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return cache


HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


class Hung(BaseException):
    """Raised by the alarm in a command that hangs (e.g. blocked opening a FIFO); a BaseException so that no
    ``except Exception`` in the code under test can turn it into an ordinary error."""


@contextlib.contextmanager
def time_limit(seconds: int, what: str):
    """Fail (instead of hanging the whole suite) when a command blocks: SIGALRM interrupts even a blocking
    ``open()`` of a FIFO."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - not on Windows
        yield
        return

    def alarm(_signum, _frame):
        raise Hung(f"{what}: still running after {seconds} s (blocked?)")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_tlr(args: list[str], capsys, monkeypatch, *, stdin: str | None = None, limit: int = 60) -> tuple[int, str, str]:
    """``tlr ARGS`` in this process: (exit code, stdout, stderr). A warning a user would see on the terminal
    (RuntimeWarning, UserWarning ...: Python shows them by default) fails the test: it is noise with a
    source path, just short of a traceback."""
    from tlr.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    with warnings.catch_warnings(record=True) as caught, time_limit(limit, f"tlr {' '.join(map(str, args))[:300]}"):
        warnings.simplefilter("always")
        code = main([str(a) for a in args])
    captured = capsys.readouterr()
    shown = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
             if not issubclass(w.category, HIDDEN_WARNINGS)]
    assert not shown, f"tlr {' '.join(map(str, args))}: warnings reach the terminal: {shown}"
    return code, captured.out, captured.err


@pytest.fixture
def contained(tmp_path, capsys, monkeypatch, user_env, write_guard):
    """``run(args, work, what, expect, stdin)``: tlr ARGS from *work* with the write guard armed on the test's
    folder; asserts no crash, an exit code in *expect*, no write outside, error lines on a refusal.
    Returns (exit code, error lines, stderr)."""
    def run(args: list[str], work: Path, what: str, expect, stdin: str | None = None):
        monkeypatch.chdir(work)
        write_guard.arm(tmp_path)
        try:
            code, out, err = run_tlr(args, capsys, monkeypatch, stdin=stdin)
        finally:
            outside = write_guard.disarm()
        assert_no_crash(code, out, err, user_env, what)
        assert code in expect, f"{what}: exit {code}, expected {expect}\n{err[-2000:]}"
        assert outside == [], f"{what}: wrote outside its folder: {outside[:5]}"
        errors = error_lines(err) if code == 2 else []
        assert code != 2 or errors, f"{what}: refused without an error line\n{err[-2000:]}"
        return code, errors, err
    return run


def assert_no_crash(code: int, out: str, err: str, cache: Path, what: str) -> None:
    """The top-level guard was never reached: no exit 70, no traceback, no saved crash report."""
    assert code != 70, f"{what}: internal error (exit 70)\n{err}"
    assert "Traceback" not in out + err, f"{what}: a traceback\n{err}"
    assert "internal error" not in err, f"{what}: the guard was reached\n{err}"
    assert not (cache / "tlr").exists() or not any((cache / "tlr").iterdir()), f"{what}: a crash report was saved"
    assert code in (0, 1, 2, 130), f"{what}: exit code {code}\n{err}"
    raw = _RAW.search(out + err)
    assert raw is None, f"{what}: a raw {raw.group()!r} reaches the terminal: {(out + err)[max(0, raw.start() - 60):raw.end() + 20]!r}"


def _raw_pattern():
    """Characters that drive or disguise a terminal: controls but tab and line breaks, bidi controls, lone
    surrogates (tlr prints them as escapes such as \\x1b or \\u202e)."""
    import re

    from tlr.safetext import BIDI_CONTROLS

    bidi = "".join(chr(c) for c in sorted(BIDI_CONTROLS))
    return re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{bidi}\ud800-\udfff]")


_RAW = _raw_pattern()


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "error:" in line.lower()]
