"""Campaigns for the in-process session tests (the same rounds the pexpect tests use)."""

from __future__ import annotations

import pytest

from ..campaign import support
from ..campaign.support import assigned, checklist_round

rubric = support.rubric   # the fixtures of tests/campaign: the mini rubric's round
ledger = support.ledger


@pytest.fixture
def checklist_ledger(tmp_path):
    """A round whose `trl` indicator uses the shipped checklist ladder; E04 scores two projects."""
    led = checklist_round(tmp_path)
    yield led
    led.close()


@pytest.fixture
def e04(ledger):
    return assigned(ledger, "E04")


@pytest.fixture
def e04_checklist(checklist_ledger):
    return assigned(checklist_ledger, "E04")
