"""Long comments in the interactive `tlr score` session (through a pseudo-terminal): a line that hits
the terminal's 4095-byte canonical-mode limit is never cut silently, and `e` opens $EDITOR."""

from __future__ import annotations

import os
import sys

import pexpect
import pytest

from tests.timing import budget
from tlr.campaign import open_campaign, verify_audit

pytestmark = pytest.mark.slow  # pexpect sessions in a pseudo-terminal

PROMPT = "评分 / score:"
COMMENT = "comment \\(optional\\):"

EDITOR = """\
import os, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as fh:
    received = fh.read()
with open(os.environ["TEST_RECEIVED"], "w", encoding="utf-8") as fh:
    fh.write(received)
with open(os.environ["TEST_REPLACEMENT"], encoding="utf-8") as fh:
    replacement = fh.read()
with open(path, "w", encoding="utf-8") as fh:
    fh.write(replacement)
"""


def at_comment(ledger, tmp_path, replacement: str, score: str):
    """Close *ledger*; start E04's session (the test's editor writes *replacement*), answer the first
    indicator *score*: the session waits at the comment prompt."""
    ledger.close()
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR, encoding="utf-8")
    (tmp_path / "replacement.txt").write_text(replacement, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "COLUMNS": "120", "TLR_CAMPAIGN": str(ledger.path.parent),
           "EDITOR": f"{sys.executable} {editor}", "TEST_RECEIVED": str(tmp_path / "received.txt"),
           "TEST_REPLACEMENT": str(tmp_path / "replacement.txt")}
    env.pop("VISUAL", None)
    child = pexpect.spawn(sys.executable, ["-m", "tlr", "score", "--expert", "E04"], env=env, encoding="utf-8",
                          timeout=budget(30), dimensions=(50, 160))
    child.expect(PROMPT)
    child.sendline(score)
    child.expect(COMMENT)
    return child


def first_comment(path):
    led = open_campaign(path)
    try:
        row = led.conn.execute("SELECT comment FROM scores WHERE expert_id = 'E04' ORDER BY audit_seq").fetchone()
        assert verify_audit(led).ok
        return row[0] if row else None
    finally:
        led.close()


def test_comment_at_the_terminal_line_limit_is_not_cut_silently(ledger, tmp_path):
    """Defect 4: a 5,000-byte comment typed at the prompt arrives as 4,095 bytes; the session warns and
    the editor (given what was received) completes it, so the whole comment is stored."""
    full = "评" * 300 + "x" * 4100 + "结尾"          # 900 + 4100 + 6 bytes: well over the limit
    child = at_comment(ledger, tmp_path, full, "4")
    child.send(full)
    child.sendline("")
    child.expect("line limit")
    child.expect("editor")
    child.sendline("y")
    child.expect("已保存 / saved")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    received = (tmp_path / "received.txt").read_text(encoding="utf-8").rstrip("\n")  # click.edit adds one
    assert len(received.encode("utf-8")) == 4095 and full.startswith(received)   # the terminal cut it ...
    assert first_comment(ledger.path.parent) == full                              # ... nothing was lost


@pytest.mark.parametrize("full, kept", [("y" * 5000, "y" * 4095),
                                        ("a" + "意" * 2000, "a" + "意" * 1364)])   # cut inside a character
def test_declining_the_editor_saves_what_arrived_with_a_warning(ledger, tmp_path, full, kept):
    child = at_comment(ledger, tmp_path, "unused", "4")
    child.send(full)
    child.sendline("")
    child.expect("line limit")
    child.sendline("n")
    child.expect(f"saving the {len(kept.encode())} bytes received")
    child.expect("已保存 / saved")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert first_comment(ledger.path.parent) == kept


def test_e_at_the_comment_prompt_opens_the_editor(ledger, tmp_path):
    text = "第一段意见。\n\nSecond paragraph, " + "long " * 2000
    child = at_comment(ledger, tmp_path, text + "\n", "3")
    child.sendline("e")
    child.expect("已保存 / saved")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert (tmp_path / "received.txt").read_text(encoding="utf-8") == ""   # no comment yet: empty file
    assert first_comment(ledger.path.parent) == text.strip()
