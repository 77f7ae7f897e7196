"""Reading and atomically writing assessment documents (YAML or JSON, by file extension)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import yaml

from tlr.errors import Location
from tlr.fsutil import atomic_write_text
from tlr.trl.errors import AssessmentFileError
from tlr.trl.model import Assessment

__all__ = ["load_assessment", "save_assessment", "dump_text", "atomic_write_text", "is_json"]


def is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def load_assessment(path: str | Path) -> Assessment:
    """Read and validate an assessment (or answers) document; every error names the file, line and field.

    Read through :mod:`tlr.yamlio` with its limits (regular file, size, nesting, aliases; strict
    JSON for ``.json``; no NaN, no control characters).
    """
    import pydantic

    from tlr.errors import Diagnostic, TlrError
    from tlr.yamlio import load_document, many

    path = Path(path)
    try:
        data, positions = load_document(path, as_json=is_json(path))
    except TlrError as exc:
        raise many(AssessmentFileError, exc.diagnostics) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AssessmentFileError("评估文件的顶层必须是映射 / the top level must be a mapping",
                                  location=Location(file=str(path), line=1, column=1))
    try:
        return Assessment.model_validate(data)
    except pydantic.ValidationError as exc:
        from tlr.validation import data_path

        diagnostics = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            located = positions.locate(data_path(data, loc))
            field = ".".join(str(p) for p in loc) or None
            msg = err["msg"].removeprefix("Value error, ")
            diagnostics.append(Diagnostic("error", f"评估文件无效 / invalid assessment document: {msg}",
                                          Location(file=str(path), line=located.line, column=located.column,
                                                   field=field), code=err["type"]))
        raise many(AssessmentFileError, diagnostics) from None


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

        def cannot(exc: OSError) -> TrlError:  # /proc, a read-only folder, a name too long ...: one located line
            return TrlError(f"无法锁定 / cannot lock {self.path}: {exc.strerror}", location=Location(file=str(self.path)),
                            hint="评估文件须放在可写的普通目录中 / keep the assessment in an ordinary folder you can write to")

        try:
            self.lock.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a part of the path is a file
            raise cannot(NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))) from None
        except OSError as exc:
            raise cannot(exc) from None
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
                except OSError as exc:       # e.g. FILE.lock is a folder
                    raise cannot(exc) from None
                continue
            except OSError as exc:
                raise cannot(exc) from None
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
