"""Verify the ledger's audit trail before anything a fund acts on is produced.

``tlr rank`` and ``tlr report`` call :func:`check_audit` first: when the hash chain or the replayed
tables do not match, they refuse (exit 2) naming the first problem, unless the user explicitly allows an
unverified run — and then every page and the JSON carry the stamp "审计未通过 / audit failed".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tlr.errors import CampaignError, Location

STAMP = {"zh": "审计未通过", "en": "audit failed"}


@dataclass(frozen=True)
class AuditStatus:
    """What the audit check found, carried into every output."""

    verified: bool
    head: str
    entries: int
    problems: tuple[str, ...]

    @property
    def stamp(self) -> dict[str, str] | None:
        """The stamp every page and the JSON carry when the ledger failed its audit."""
        return None if self.verified else dict(STAMP)

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "head": self.head, "entries": self.entries,
                "problems": list(self.problems), "stamp": self.stamp}


def check_audit(ledger, *, allow_unverified: bool = False) -> AuditStatus:
    """Run ``tlr audit verify`` on *ledger*; refuse on failure unless *allow_unverified*."""
    report = ledger.verify()
    status = AuditStatus(bool(report.ok), report.head, int(report.entries), tuple(report.problems))
    if not status.verified and not allow_unverified:
        first = status.problems[0] if status.problems else "?"
        more = f"（另有 {len(status.problems) - 1} 个问题）/ (+{len(status.problems) - 1} more)" \
            if len(status.problems) > 1 else ""
        raise CampaignError(
            f"审计未通过，拒绝输出 / the audit trail does not verify, refusing to produce results: {first}{more}",
            location=Location(file=str(ledger.path)), code="audit_failed",
            hint="运行 `tlr audit verify` 查看全部问题；确需查看时加 --allow-unverified，每页将标注“审计未通过” / "
                 "run `tlr audit verify` for every problem; --allow-unverified stamps every page 'audit failed'")
    return status


__all__ = ["AuditStatus", "check_audit", "STAMP"]
