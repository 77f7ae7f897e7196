"""Rubrics: the YAML format (:mod:`tlr.rubric.model`), loading, validation and the resolved tree.

>>> from tlr.rubric import load_rubric
>>> rubric = load_rubric("rubrics/fund-screening.yaml")      # doctest: +SKIP
>>> [(n.id, round(n.global_weight, 3)) for n in rubric.scored_indicators]  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tlr.errors import Diagnostic, Location, RubricError
from tlr.rubric.model import RubricDocument, ScaleLibrary
from tlr.rubric.rubric import NodeInfo, Rubric

__all__ = ["load_rubric", "check_rubric", "load_scale_library", "rubric_from_data", "Rubric", "NodeInfo",
           "RubricDocument", "ScaleLibrary", "CheckResult"]


class CheckResult:
    """Outcome of checking one file: the rubric (when valid) and every diagnostic."""

    def __init__(self, path: str, rubric: Rubric | None, diagnostics: list[Diagnostic],
                 library: ScaleLibrary | None = None):
        self.path = path
        self.rubric = rubric
        self.library = library
        self.diagnostics = diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _finish(document: RubricDocument, ctx: Any, name: str) -> Rubric | None:
    from tlr.rubric.rubric import build_nodes
    from tlr.rubric.validate import validate_document

    resolutions = validate_document(document, ctx, name)
    if ctx.failed:
        return None
    local = {r.node_id: dict(zip(r.child_ids, map(float, r.weights))) for r in resolutions}
    ahp = {r.node_id: r.ahp for r in resolutions if r.ahp is not None}
    warnings = tuple(d for d in ctx.diagnostics if d.severity == "warning")
    return Rubric(document, build_nodes(document, local), ahp, warnings, tuple(ctx.files))


def check_rubric(path: str | Path) -> CheckResult:
    """Load and validate a rubric or scale library; never raises for problems in the file.

    The problems are in ``diagnostics``; ``rubric`` (or ``library`` for a scale
    library) is set when the file is valid.
    """
    from tlr.errors import TlrError
    from tlr.rubric.loader import LoadContext, parse_document, resolve_document

    ctx = LoadContext()
    try:
        parsed = parse_document(Path(path), ctx)
        if isinstance(parsed, ScaleLibrary):
            _check_library(parsed, ctx, str(path))
            return CheckResult(str(path), None, _with_note(ctx, str(path)), None if ctx.failed else parsed)
        document = resolve_document(path, ctx, document=parsed) if parsed is not None else None
    except TlrError as exc:  # unreadable file, not UTF-8 ...
        return CheckResult(str(path), None, ctx.diagnostics + exc.diagnostics)
    # The semantic checks run even after schema errors (on the repaired document): every independent
    # mistake is reported in one run; checks that depend on a failed part are skipped and counted.
    rubric = _finish(document, ctx, str(path)) if document is not None else None
    return CheckResult(str(path), rubric, _with_note(ctx, str(path)))


def _check_library(document: ScaleLibrary, ctx: Any, name: str) -> None:
    from tlr.rubric.validate import _Where, check_scales

    check_scales(document, ctx, _Where(ctx, name))


def _with_note(ctx: Any, name: str) -> list[Diagnostic]:
    """The diagnostics in file order, then the line counting the checks skipped because of errors."""
    out = _sorted(ctx.diagnostics)
    note = ctx.damage.note(name) if ctx.failed else None
    return out + [note] if note is not None else out


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple:
        loc = d.location
        return (loc.file or "", loc.line or 0, loc.column or 0)

    return sorted(diagnostics, key=key)


def load_rubric(path: str | Path) -> Rubric:
    """Load, merge and validate a rubric; raise :class:`tlr.errors.RubricError` listing every error."""
    result = check_rubric(path)
    if result.rubric is None:
        raise RubricError(result.diagnostics)
    return result.rubric


def load_scale_library(path: str | Path) -> ScaleLibrary:
    """Load and validate a ``kind: scale_library`` file (e.g. a TRL ladder)."""
    from tlr.rubric.loader import LoadContext, parse_document

    ctx = LoadContext()
    document = parse_document(Path(path), ctx)
    if document is not None and not isinstance(document, ScaleLibrary):
        ctx.error("不是量表库 / not a scale library (expected `kind: scale_library`)",
                  Location(file=str(path), line=1, column=1), code="not_library")
    if document is not None and isinstance(document, ScaleLibrary):
        _check_library(document, ctx, str(path))
    if ctx.failed or document is None:
        raise RubricError(_with_note(ctx, str(path)))
    return document


def rubric_from_data(data: dict, name: str = "<rubric>") -> Rubric:
    """Build a rubric from an already-parsed resolved document (e.g. a campaign's frozen JSON copy)."""
    from pydantic import TypeAdapter, ValidationError as PydanticValidationError

    from tlr.rubric.loader import LoadContext
    from tlr.rubric.model import TAGGED_MODELS, AnyDocument
    from tlr.validation import diagnostics_from_pydantic
    from tlr.yamlio import Positions

    ctx = LoadContext()
    try:
        document = TypeAdapter(RubricDocument).validate_python(data)
    except PydanticValidationError as exc:
        raise RubricError(diagnostics_from_pydantic(exc, data, Positions(name), AnyDocument, TAGGED_MODELS)) from None
    rubric = _finish(document, ctx, name)
    if rubric is None:
        raise RubricError(_sorted(ctx.diagnostics))
    return rubric
