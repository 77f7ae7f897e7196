"""Evidence items: streamed SHA-256 of files, URLs recorded as given, checks that files still match."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tlr.errors import Location
from tlr.trl.errors import EvidenceError
from tlr.trl.model import CTE, EvidenceItem, utcnow

__all__ = ["sha256_file", "is_url", "make_evidence", "resolve_evidence", "EvidenceCheck", "check_evidence"]

CHUNK = 1 << 20
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_url(target: str) -> bool:
    return bool(_URL.match(target))


def sha256_file(path: str | Path, chunk: int = CHUNK) -> str:
    """SHA-256 of a file, read in chunks (no size limit)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def resolve_evidence(item: EvidenceItem, base_dir: Path) -> Path:
    """Absolute path of a file evidence item (relative paths are relative to the assessment document)."""
    assert item.path is not None
    path = Path(item.path)
    return path if path.is_absolute() else base_dir / path


def _store_path(path: Path, base_dir: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base_dir.resolve())).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path.resolve())


def make_evidence(target: str, *, base_dir: Path, kind: str = "other", questions: list[str] | None = None,
                  description: str | None = None, added_by: str | None = None, item_id: str | None = None,
                  existing: list[EvidenceItem] | None = None, relative_to: Path | None = None,
                  expected_sha256: str | None = None, added_at=None) -> EvidenceItem:
    """An evidence item for a file path or URL. Files must exist and are hashed; the path is stored
    relative to ``base_dir`` (the assessment document's folder). ``relative_to`` is where a relative
    ``target`` is looked up (default ``base_dir``)."""
    existing = existing or []
    item_id = item_id or f"ev{len(existing) + 1}"
    taken = {e.id for e in existing}
    n = len(existing) + 1
    while item_id in taken:
        n += 1
        item_id = f"ev{n}"
    common = dict(id=item_id, kind=kind, questions=list(questions or []), description=description,
                  added_by=added_by, added_at=added_at or utcnow())
    if is_url(target):
        return EvidenceItem(url=target, **common)
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = (relative_to or base_dir) / path
    if not path.is_file():
        raise EvidenceError(f"证据文件不存在 / evidence file not found: {path}", location=Location(file=str(path)),
                            hint="give an existing file path or a URL (https://...)")
    digest = sha256_file(path)
    if expected_sha256 and expected_sha256 != digest:
        raise EvidenceError(f"证据文件哈希不符 / evidence file changed: {path} has SHA-256 {digest[:12]}..., "
                            f"the record says {expected_sha256[:12]}...", location=Location(file=str(path)))
    return EvidenceItem(path=_store_path(path, base_dir), sha256=digest, **common)


@dataclass(frozen=True)
class EvidenceCheck:
    cte: str
    item: str
    target: str
    status: str            # ok | url | missing | changed | unhashed


def check_evidence(ctes: list[CTE], base_dir: Path) -> list[EvidenceCheck]:
    """Re-hash every file evidence item: ok, missing, changed (hash differs) or unhashed; URLs as 'url'."""
    out = []
    for cte in ctes:
        for item in cte.evidence:
            if item.url:
                out.append(EvidenceCheck(cte.id, item.id, item.url, "url"))
                continue
            path = resolve_evidence(item, base_dir)
            if not path.is_file():
                status = "missing"
            elif item.sha256 is None:
                status = "unhashed"
            else:
                status = "ok" if sha256_file(path) == item.sha256 else "changed"
            out.append(EvidenceCheck(cte.id, item.id, item.path or "", status))
    return out


def supported_questions(cte: CTE) -> set[str]:
    """Question ids backed by evidence that can be checked: a hashed file or a URL reference."""
    return {q for item in cte.evidence if item.sha256 or item.url for q in item.questions}


def unevidenced_answers(cte: CTE, ladder, upto: int | None = None) -> tuple[str, ...]:
    """Questions answered yes (or a percentage above 0) at levels <= *upto* (all levels when None)
    that no evidence item supports, in ladder order."""
    backed = supported_questions(cte)
    out = []
    for level in ladder.levels:
        if upto is not None and level.level > upto:
            break
        for item in level.checklist:
            answer = cte.answers.get(item.id)
            value = answer.value if answer is not None else None
            given = value == "yes" or (isinstance(value, float) and value > 0)
            if given and item.id not in backed:
                out.append(item.id)
    return tuple(out)
