"""Reading and atomically writing assessment documents (YAML or JSON, by file extension)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from tlr.errors import Location
from tlr.fsutil import atomic_write_text
from tlr.trl.errors import AssessmentFileError
from tlr.trl.model import Assessment

__all__ = ["load_assessment", "save_assessment", "dump_text", "atomic_write_text", "is_json"]


def is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort 1-based line of a pydantic error location in a YAML text."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if str(key.value) == str(part):
                    found, line = value, key.start_mark.line + 1
                    break
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_assessment(path: str | Path) -> Assessment:
    """Read and validate an assessment (or answers) document; errors name the file, line and field."""
    import pydantic

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssessmentFileError(f"文件不存在 / file not found: {path}", location=Location(file=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentFileError(f"无法读取 / cannot read {path}: {exc}", location=Location(file=str(path))) from None
    try:
        data = json.loads(text) if is_json(path) else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        raise AssessmentFileError(f"文件格式错误 / not valid {'JSON' if is_json(path) else 'YAML'}: "
                                  f"{getattr(exc, 'problem', None) or exc}",
                                  location=Location(file=str(path), line=line)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AssessmentFileError("评估文件的顶层必须是映射 / the top level must be a mapping",
                                  location=Location(file=str(path)))
    try:
        return Assessment.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc) or None
        line = None if is_json(path) else _line_of(text, loc)
        more = len(exc.errors()) - 1
        msg = first["msg"].removeprefix("Value error, ")
        raise AssessmentFileError(f"评估文件无效 / invalid assessment document: {msg}"
                                  + (f" (+{more} more)" if more > 0 else ""),
                                  location=Location(file=str(path), line=line, field=field)) from None


class _Flow(dict):
    """A small mapping written on one line (answers, judgements, integrations)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(),
                                                                    flow_style=True))


def _compact(data: dict) -> dict:
    for cte in data.get("ctes", []):
        cte["answers"] = {k: _Flow(v) for k, v in cte.get("answers", {}).items()}
        if "judgements" in cte:
            cte["judgements"] = [_Flow(j) for j in cte["judgements"]]
    if "integrations" in data:
        data["integrations"] = [_Flow(i) for i in data["integrations"]]
    return data


def dump_text(doc: Assessment, path: Path) -> str:
    data = doc.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    if is_json(path):
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    header = "# 技术就绪度评估 / technology readiness assessment — written by `tlr trl`; safe to edit by hand\n"
    return header + yaml.dump(_compact(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120,
                              default_flow_style=False)


def save_assessment(doc: Assessment, path: str | Path) -> None:
    """Validate and atomically save an assessment as YAML (or JSON for ``.json``)."""
    path = Path(path)
    Assessment.model_validate(doc.model_dump())  # never write an invalid document
    atomic_write_text(path, dump_text(doc, path))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's live process
        return True
    except OSError:  # pragma: no cover
        return False
    return True


class SessionLock:
    """``FILE.lock`` held by one interactive session, so two sessions cannot overwrite each other's answers.

    A lock left by a killed session (its process is gone) is taken over, and the killed session's
    orphaned temporary files are removed.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.lock = self.path.with_name(self.path.name + ".lock")
        self.held = False

    def __enter__(self) -> "SessionLock":
        from tlr.trl.errors import TrlError

        self.lock.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.lock.read_text(encoding="utf-8").split()[0])
                except (OSError, ValueError, IndexError):
                    pid = -1
                if pid > 0 and _pid_alive(pid) and pid != os.getpid():
                    raise TrlError(f"另一个评估会话正在编辑此文件 / another session (pid {pid}) is editing {self.path}",
                                   location=Location(file=str(self.path)),
                                   hint=f"finish that session first; if it is gone, delete {self.lock.name}") from None
                try:
                    self.lock.unlink()       # stale: its process is gone
                except FileNotFoundError:
                    pass
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()}\n")
            self.held = True
            for orphan in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                try:
                    orphan.unlink()
                except OSError:  # pragma: no cover
                    pass
            return self
        raise TrlError(f"无法锁定 / cannot lock {self.path}", location=Location(file=str(self.path)))  # pragma: no cover

    def __exit__(self, *exc) -> None:
        if self.held:
            try:
                self.lock.unlink()
            except FileNotFoundError:  # pragma: no cover
                pass
            self.held = False
