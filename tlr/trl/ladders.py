"""Finding and checking readiness ladders (``kind: levels`` scales in ``kind: scale_library`` files).

A ladder is named by the id of a shipped library (``trl-cn-development``), optionally with the
scale name (``trl-cn-development:trl``), or by a path to a YAML file. Shipped ladders live in the
source checkout's ``rubrics/readiness/`` or, when installed, in ``tlr/_data/rubrics/readiness/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tlr.errors import Location, TlrError
from tlr.rubric.kinds import kind_of
from tlr.rubric.model import ChecklistItem, Level, LevelsScale, ScaleLibrary
from tlr.text import both
from tlr.trl.errors import LadderError

__all__ = ["Ladder", "rubrics_dir", "shipped_ladders", "load_ladder", "ladder_from_scale", "check_ladder"]


@dataclass(frozen=True)
class Ladder:
    """A validated, gap-free readiness ladder and where it came from."""

    id: str
    scale_name: str
    scale: LevelsScale
    path: Path | None = None
    sha256: str | None = None
    library: ScaleLibrary | None = None

    @property
    def levels(self) -> tuple[Level, ...]:
        return tuple(self.scale.levels)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(level.level for level in self.scale.levels)

    def level(self, number: int) -> Level:
        for level in self.scale.levels:
            if level.level == number:
                return level
        raise KeyError(number)

    def question(self, qid: str) -> tuple[Level, ChecklistItem]:
        for level in self.scale.levels:
            for item in level.checklist:
                if item.id == qid:
                    return level, item
        raise KeyError(qid)

    def questions(self) -> list[tuple[Level, ChecklistItem]]:
        return [(level, item) for level in self.scale.levels for item in level.checklist]

    @property
    def ref(self) -> str:
        """How an assessment document names this ladder."""
        return self.id if self.path is None or _is_shipped(self.path) else str(self.path)

    @property
    def title(self) -> str:
        if self.scale.label is not None:
            return both(self.scale.label)
        return both(self.library.title) if self.library is not None else self.id


def rubrics_dir() -> Path:
    """The shipped rubrics directory: the checkout's ``rubrics/`` next to the package, else ``tlr/_data/rubrics``."""
    from tlr.resources import data_dir

    return data_dir("rubrics")


def _is_shipped(path: Path) -> bool:
    try:
        path.resolve().relative_to((rubrics_dir() / "readiness").resolve())
        return True
    except ValueError:
        return False


def shipped_ladders() -> dict[str, Path]:
    """Ladder id (file stem) -> file, for every shipped readiness library."""
    folder = rubrics_dir() / "readiness"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def _read_library(path: Path) -> ScaleLibrary:
    """The validated scale library at *path*, read by the rubric loader (same limits and located errors)."""
    from tlr.rubric import load_scale_library

    return load_scale_library(path)


_LIBRARIES: dict[tuple[str, str], ScaleLibrary] = {}   # (resolved path, sha256 of the file) -> validated library
_LIBRARIES_KEPT = 16


def _library(path: Path) -> tuple[ScaleLibrary, str]:
    """The validated library at *path* and the sha256 of the file it was read from.

    Parsed once per file content: ranking a campaign evaluates every recorded assessment against the
    same shipped ladder. A file whose bytes changed is read again; one that changed while it was being
    read is not kept.
    """
    try:
        before = _sha256(path)
        key = (str(path.resolve()), before)
    except (TlrError, OSError, RuntimeError):
        before = key = None   # unreadable: _read_library reports it, as without the cache
    library = _LIBRARIES.get(key) if key is not None else None
    if library is not None:
        return library, before
    library = _read_library(path)
    after = _sha256(path)
    if key is not None and after == before:
        while len(_LIBRARIES) >= _LIBRARIES_KEPT:
            _LIBRARIES.pop(next(iter(_LIBRARIES)))
        _LIBRARIES[key] = library
    return library, after


def check_ladder(scale: LevelsScale, *, where: Location | None = None) -> None:
    """Refuse a ladder with a gap, a repeated or descending level, duplicate question ids or bad thresholds."""
    where = where or Location()
    numbers = [level.level for level in scale.levels]
    for i, (a, b) in enumerate(zip(numbers, numbers[1:]), start=1):
        if b == a:
            raise LadderError(f"阶梯中等级 {a} 重复 / level {a} appears twice in the ladder",
                              location=Location(where.file, field=f"levels[{i}]"))
        if b != a + 1:
            what = "有缺口" if b > a else "顺序颠倒"
            raise LadderError(f"阶梯{what} / ladder has a gap or is out of order: level {a} is followed by {b}",
                              location=Location(where.file, field=f"levels[{i}]"),
                              hint="levels must be consecutive integers in ascending order")
    seen: set[str] = set()
    for level in scale.levels:
        for item in level.checklist:
            if item.id in seen:
                raise LadderError(f"问题编号重复 / duplicate question id '{item.id}'",
                                  location=Location(where.file, field=f"level {level.level}"))
            seen.add(item.id)
    if scale.yellow_threshold > scale.green_threshold:
        raise LadderError(f"黄色阈值高于绿色阈值 / yellow threshold {scale.yellow_threshold} is above "
                          f"green threshold {scale.green_threshold}", location=where)


def ladder_from_scale(scale: LevelsScale, ladder_id: str = "inline", scale_name: str = "trl") -> Ladder:
    """Wrap an in-memory scale (tests, embedded ladders) after checking it."""
    check_ladder(scale, where=Location(file=ladder_id))
    return Ladder(id=ladder_id, scale_name=scale_name, scale=scale)


def _sha256(path: Path) -> str:
    from tlr.yamlio import read_bytes

    return hashlib.sha256(read_bytes(path)).hexdigest()


def _exists(path: Path) -> bool:
    """``path.exists()``, but a name the file system refuses (too long, ...) is just not there."""
    try:
        return path.exists()
    except OSError:
        return False


def load_ladder(ref: str | Path, scale: str | None = None, *, base_dir: Path | None = None) -> Ladder:
    """Load a ladder by shipped id (``trl-cn-development``, ``mrl:mrl``) or by path; check it has no gap."""
    text = str(ref)
    if scale is None and ":" in text and not _exists(Path(text)) and not (len(text) > 1 and text[1] == ":"):
        text, scale = text.rsplit(":", 1)
    shipped = shipped_ladders()
    candidate = Path(text)
    if base_dir is not None and not candidate.is_absolute() and _exists(base_dir / candidate):
        candidate = base_dir / candidate
    if text in shipped:
        path = shipped[text]
    elif candidate.suffix.lower() in (".yaml", ".yml", ".json") or _exists(candidate):
        path = candidate
        if not _exists(path):
            raise LadderError(f"阶梯文件不存在 / ladder file not found: {path}", location=Location(file=str(path)))
    else:
        names = ", ".join(shipped) or "(none)"
        raise LadderError(f"未知阶梯 / unknown ladder '{text}'", hint=f"shipped ladders: {names}; or give a file path")
    library, sha256 = _library(path)
    levels_scales = {name: s for name, s in library.scales.items() if kind_of(s).ladder}
    if scale is None:
        if len(levels_scales) != 1:
            raise LadderError(f"请指定量表 / the library has {len(levels_scales)} levels scales: "
                              f"{', '.join(levels_scales) or '(none)'}", location=Location(file=str(path)),
                              hint=f"write '{text}:NAME'")
        scale = next(iter(levels_scales))
    if scale not in levels_scales:
        raise LadderError(f"量表库中没有等级量表 / no levels scale '{scale}' in the library",
                          location=Location(file=str(path)), hint=f"available: {', '.join(levels_scales)}")
    chosen = levels_scales[scale]
    check_ladder(chosen, where=Location(file=str(path), field=f"scales.{scale}"))
    ladder_id = library.id if text in shipped else str(path)
    if len(levels_scales) > 1:
        ladder_id = f"{ladder_id}:{scale}"
    return Ladder(id=ladder_id, scale_name=scale, scale=chosen, path=path, sha256=sha256, library=library)
