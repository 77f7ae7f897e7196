"""Every file of the hostile-input corpus (tests/hostile/generate.py) through the real CLI, in process.

For each case: the top-level guard is never reached (no exit 70, no traceback, no crash report); the
exit code is the expected one; a refusal prints located error lines naming the file; a refused command
on a campaign leaves every table and the audit head exactly as they were; an accepted one leaves an
audit log that verifies; and nothing is written outside the case's own folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import audit_intact, copy_campaign, corpus, dump


FAST_SHARE = 6


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        cases, _root = corpus(metafunc.config)
        # the fast inner loop (-m "not slow") runs every FAST_SHARE-th case; the full suite runs them all
        metafunc.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow]
                                                   if c.slow or k % FAST_SHARE else [])
                                      for k, c in enumerate(cases)])


def _fill(args: list[str], corpus_root: Path, campaign: Path | None, tmp: Path) -> list[str]:
    out = []
    for a in args:
        a = a.replace("{corpus}", str(corpus_root)).replace("{tmp}", str(tmp))
        if campaign is not None:
            a = a.replace("{campaign}", str(campaign))
        out.append(a)
    return out


def test_corpus_case(case, corpus_root, tmp_path, contained):
    uses_campaign = any("{campaign}" in a for a in case.args)
    campaign = copy_campaign(corpus_root / "campaign", tmp_path / "campaign") if uses_campaign else None
    work = tmp_path / "work"
    work.mkdir()
    args = _fill(case.args, corpus_root, campaign, work)
    before = dump(campaign) if campaign else None
    what = f"{case.id} ({case.note}): tlr {' '.join(case.args)}"
    code, errors, err = contained(args, work, what, (case.expect,), stdin=case.stdin)
    if code == 2:
        located = [e for e in errors if case.name in e]
        assert located, f"{what}: no error line names {case.name!r}\n{err[-2000:]}"
        if campaign is not None:
            assert dump(campaign) == before, f"{what}: a refused command changed the campaign"
    elif campaign is not None:
        assert audit_intact(campaign), f"{what}: the audit log no longer verifies"
