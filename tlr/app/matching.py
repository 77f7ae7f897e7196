"""What ``tlr match`` and ``tlr push --demands`` run: demands and achievements from their sources, the matcher,
and where each side came from (file hashes, library audit head, campaign audit head).

Sources: demands from a demand file or the library's open demands; achievements from an achievement file (成果库),
an evaluated campaign (audit-gated like the report) or the library (each achievement's latest round).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlr.errors import TlrError


@dataclass
class Sources:
    demands: list = field(default_factory=list)
    achievements: list = field(default_factory=list)
    basis: dict[str, Any] = field(default_factory=dict)   # where each side came from
    audit: Any = None                                       # the campaign's AuditStatus, when one was read


def _file_basis(path: str | Path, kind: str) -> dict[str, Any]:
    from tlr.inputs import read_input

    return {"kind": kind, "file": Path(path).name, "sha256": hashlib.sha256(read_input(path)).hexdigest()}


def _library_basis(lib) -> dict[str, Any]:
    head = lib.audit_head()
    return {"kind": "library", "file": Path(lib.path).name, "audit_head": head[1] if head else ""}


def demand_source(*, demands: str | Path | None = None, library=None, encoding: str | None = None):
    """(demands, basis) from a demand file, else the library's open demands."""
    from tlr.app.match_sources import demands_from_file, demands_from_library

    if demands is not None:
        return demands_from_file(demands, encoding), _file_basis(demands, "file")
    if library is not None:
        return demands_from_library(library, status="open"), _library_basis(library)
    raise TlrError("没有需求来源 / no demands to match",
                   hint="给出 --demands 需求清单文件，或 --library 成果库（其中待对接的需求）/ give --demands FILE, or "
                        "--library PATH (its open demands)")


def load_sources(*, demands: str | Path | None = None, achievements: str | Path | None = None,
                 campaign=None, library=None, encoding: str | None = None,
                 allow_unverified: bool = False) -> Sources:
    """Both sides, each from the first source given: a file, else the campaign (ledger), else the library."""
    from tlr.app.match_sources import (achievements_from_campaign, achievements_from_file,
                                       achievements_from_library)

    out = Sources()
    out.demands, out.basis["demands"] = demand_source(demands=demands, library=library, encoding=encoding)
    if achievements is not None:
        out.achievements = achievements_from_file(achievements, encoding)
        out.basis["achievements"] = _file_basis(achievements, "file")
    elif campaign is not None:
        from tlr.app.audit_gate import check_audit

        out.audit = check_audit(campaign, allow_unverified=allow_unverified)
        out.achievements = achievements_from_campaign(campaign)
        head = campaign.audit_head()
        out.basis["achievements"] = {"kind": "campaign", "name": str(campaign.meta.get("name") or ""),
                                     "rubric_hash": campaign.rubric.content_hash,
                                     "audit_head": head[1] if head else "",
                                     "audit_verified": out.audit.verified}
    elif library is not None:
        out.achievements = achievements_from_library(library)
        out.basis["achievements"] = _library_basis(library)
    else:
        raise TlrError("没有成果来源 / no achievements to match",
                       hint="给出 --achievements 成果文件、-C 评价批次或 --library 成果库 / give --achievements FILE, "
                            "-C CAMPAIGN or --library PATH")
    return out


def run_match(sources: Sources, *, top: int = 5, top_demands: int | None = None, lexicon_path=None,
              variant: str = "full", executor=None):
    """The matcher on both sides (on *executor*'s workers when given); returns (MatchResult, the lexicon's basis)."""
    from tlr.matching import match
    from tlr.matching.lexicon import load_lexicon

    lexicon = load_lexicon(lexicon_path) if lexicon_path is not None else None
    result = match(sources.demands, sources.achievements, top=top, top_demands=top_demands, lexicon=lexicon,
                   variant=variant, executor=executor)
    basis = {"lexicon": _file_basis(lexicon_path, "file") if lexicon_path is not None else {"kind": "shipped"}}
    return result, basis
