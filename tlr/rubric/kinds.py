"""Scale kinds: everything tlr does with a score, written once per kind of scale.

The pydantic models in :mod:`tlr.rubric.model` are the file format (what a ``kind: likert`` scale
may say); a :class:`ScaleKind` is the behaviour of that kind, registered under the same ``kind``
tag. Every module that used to switch on the scale's class asks the registry instead::

    kind_of(scale).parse(scale, "4")          # raw answer -> stored number
    kind_of(scale).utility(scale, values)     # stored numbers -> utility in [0, 1], vectorised

What a kind provides:

- ``range``, ``parse``, ``label``, ``describe``: stored values, answers and their display text;
- ``utility`` (numpy, any shape, NaN stays NaN) and ``panel_utility`` (utility of the consensus,
  or the mean of the experts' utilities);
- ``consensus``: ``median_low`` (ordinal: never averaged), ``majority`` (yes/no: a tie is unknown)
  or ``panel`` (the rubric's panel rule); ``interval``: means and spreads of scores make sense
  (expert diagnostics);
- ``choices``, ``anchor_lines``, ``manual_view``: what scoresheets and the scoring manual show;
- ``check``, ``check_points``, ``condition_error``, ``condition_number``: the rubric checks and
  the conditions (gates, tiers, routes) that depend on the kind;
- ``ladder`` (a levels ladder: readiness, points tables, checklists, TRL ladders accept it) and
  ``fuzzy_grades`` (a grade set for fuzzy aggregation);
- ``example()``: a small valid scale of the kind (documentation and the contract tests).

A new kind is its pydantic model (``kind: Literal["x"]``) and one subclass decorated with
:func:`register`; registering adds the model to the file format (:func:`tlr.rubric.model.
register_scale_model`). ``tests/rubric/test_kinds.py`` checks the contract of every registered kind.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tlr.rubric import model as _model
from tlr.rubric.model import (
    BooleanScale,
    GradesScale,
    LevelsScale,
    LikertScale,
    LinearTransform,
    NumericScale,
    PiecewiseTransform,
    ThresholdTransform,
)
from tlr.text import tr

MEDIAN_LOW, MAJORITY, PANEL = "median_low", "majority", "panel"
CONSENSUS_RULES = (MEDIAN_LOW, MAJORITY, PANEL)
FROM_CONSENSUS, EXPERTS_MEAN = "consensus", "experts_mean"

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "通过", "t", "pass"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "不通过", "f", "fail"}

Report = Any                      # has .error(message, location, hint=None, code=...) (a LoadContext)
At = Callable[..., Any]           # at(*sub_path) -> Location of a part of the scale
TextOf = Callable[[Any], str]     # a Text (plain or {zh, en}) -> the string shown


def _fmt(x: float) -> str:
    return f"{x:g}"


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"需要数字 / expected a number, got {raw!r}")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text:
            raise ValueError("值为空 / empty value")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"需要数字 / expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"需要有限数字 / expected a finite number, got {raw!r}")
    return value


def _anchor_line(anchor: str, label: Any, descriptor: Any, text: TextOf) -> str:
    """``anchor  label — descriptor`` (no dash without a descriptor), for :meth:`ScaleKind.anchor_lines`."""
    line = f"{anchor}  {text(label)}"
    return f"{line} — {text(descriptor)}" if descriptor else line


def _row(anchor: str, label: str = "", text: str = "", detail: str = "", checks: list[str] | None = None) -> dict:
    return {"anchor": anchor, "label": label, "text": text, "detail": detail, "checks": checks or []}


class ScaleKind(ABC):
    """The behaviour of one kind of scale. Stateless: every method takes the scale (the model instance)."""

    name: ClassVar[str]                      # the `kind:` tag
    model: ClassVar[type]                    # the pydantic model of the file format
    consensus: ClassVar[str] = PANEL         # median_low | majority | panel
    interval: ClassVar[bool] = False         # means and spreads make sense (expert diagnostics)
    panel_utility: ClassVar[str] = FROM_CONSENSUS  # consensus | experts_mean
    ladder: ClassVar[bool] = False           # an anchored levels ladder (readiness, points, checklists)
    fuzzy_grades: ClassVar[bool] = False     # a grade set for fuzzy aggregation

    # -- values

    @abstractmethod
    def range(self, scale: Any) -> tuple[float, float] | None:
        """The (low, high) of the values the scale stores, where bounded."""

    @abstractmethod
    def parse(self, scale: Any, raw: Any) -> float:
        """An entered answer (``"7"``, ``"是"``, a grade id ...) -> the stored number.

        Raises ``ValueError`` with a bilingual message saying what the scale accepts.
        """

    def label(self, scale: Any, value: float, lang: str = "zh") -> str:
        """Display text of a stored value in *lang*; by default the number."""
        return _fmt(round(float(value), 2))

    @abstractmethod
    def describe(self, scale: Any, lang: str = "zh") -> str:
        """One-line summary in *lang*, e.g. ``李克特 1–5，步长 1`` / ``likert 1–5 step 1``."""

    # -- evaluation

    @abstractmethod
    def utility(self, scale: Any, values: Any, points: Mapping[int, float] | None = None) -> Any:
        """Utility in [0, 1] of stored *values* (array of any shape); NaN stays NaN.

        *points* is the indicator's own points table (level -> utility), for kinds that take one.
        """

    # -- sheets and the scoring manual

    def choices(self, scale: Any) -> list[str] | None:
        """Values offered in a drop-down (each accepted by ``parse``), or None for a free number."""
        return None

    @abstractmethod
    def anchor_lines(self, scale: Any, text: TextOf) -> list[str]:
        """The scale's anchored descriptors, one line each; *text* renders a Text."""

    def manual_view(self, scale: Any, lang: str) -> dict:
        """``{"rows": [{anchor, label, text, detail, checks}], ...}`` for the scoring manual."""
        return {"rows": []}

    # -- rubric checks and conditions

    def check(self, scale: Any, report: Report, at: At, name: str) -> None:
        """Report the kind's own problems of *scale* (named *name*) through ``report.error``."""

    def check_points(self, scale: Any, node_id: str, points: Mapping[int, float], report: Report, at: At) -> None:
        """Check an indicator's ``points:`` table on this scale; *at* locates parts of the indicator."""
        report.error(f"points 只适用于等级量表 / points apply to a levels scale, '{node_id}' uses {scale.kind}",
                     at("points", key=True), code="points_scale")

    def condition_error(self, scale: Any, ref: str, value: Any) -> str | None:
        """Why a condition's ``value`` cannot be compared with indicator *ref* on this scale, or None."""
        if isinstance(value, (bool, str)):
            return f"'{ref}' 是数值型，value 须为数字 / '{ref}' is numeric: compare with a number"
        return None

    def condition_number(self, scale: Any, value: Any) -> float:
        """The stored number a condition's ``value`` stands for."""
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        return float(value)

    @classmethod
    @abstractmethod
    def example(cls) -> Any:
        """A small valid scale of this kind."""


# --------------------------------------------------------------------------- registry

_KINDS: dict[str, ScaleKind] = {}


def register(cls: type[ScaleKind]) -> type[ScaleKind]:
    """Class decorator: register *cls* under its ``name`` and make its model part of the file format."""
    tag = _model.scale_model_tag(cls.model)
    if tag != cls.name:
        raise ValueError(f"{cls.__name__}.name is '{cls.name}' but its model's kind is '{tag}'")
    if cls.consensus not in CONSENSUS_RULES:
        raise ValueError(f"{cls.__name__}.consensus must be one of {CONSENSUS_RULES}, got {cls.consensus!r}")
    if cls.panel_utility not in (FROM_CONSENSUS, EXPERTS_MEAN):
        raise ValueError(f"{cls.__name__}.panel_utility must be '{FROM_CONSENSUS}' or '{EXPERTS_MEAN}'")
    current = _KINDS.get(cls.name)
    if current is not None and type(current) is not cls:
        raise ValueError(f"scale kind '{cls.name}' is already registered ({type(current).__name__})")
    instance = cls()  # a kind that leaves out part of the protocol fails here, before the file format changes
    _model.register_scale_model(cls.model)
    _KINDS[cls.name] = instance
    return cls


def unregister(name: str) -> None:
    """Withdraw a registered kind (a built-in kind cannot be withdrawn)."""
    _model.unregister_scale_model(name)
    _KINDS.pop(name, None)


def kind_of(scale: Any) -> ScaleKind:
    """The registered kind of a scale model instance."""
    try:
        return _KINDS[scale.kind]
    except (AttributeError, KeyError, TypeError):
        raise TypeError(f"not a scale: {scale!r}") from None


def registered() -> tuple[ScaleKind, ...]:
    """Every registered kind, built-in ones first."""
    return tuple(_KINDS.values())


# --------------------------------------------------------------------------- the built-in kinds


def level_numbers(scale: LevelsScale) -> list[int]:
    return [lv.level for lv in scale.levels]


@register
class LevelsKind(ScaleKind):
    """Anchored ordinal ladder (TRL 1-9 ...): looked up in a points table, never averaged."""

    name = "levels"
    model = LevelsScale
    consensus = MEDIAN_LOW
    ladder = True

    def range(self, scale):
        levels = level_numbers(scale)
        return float(min(levels)), float(max(levels))

    def parse(self, scale, raw):
        levels = level_numbers(scale)
        value = _number(raw)
        if value != int(value) or int(value) not in levels:
            raise ValueError(f"等级须为 {levels[0]}–{levels[-1]} 的整数 / level must be a whole number "
                             f"{levels[0]}-{levels[-1]}, got {raw!r}")
        return float(int(value))

    def label(self, scale, value, lang="zh"):
        for lv in scale.levels:
            if lv.level == int(value):
                return f"{lv.level} {tr(lv.label, lang)}"
        return super().label(scale, value, lang)

    def describe(self, scale, lang="zh"):
        zh = lang == "zh"
        levels = level_numbers(scale)
        name = scale.abbreviation or ("等级" if zh else "levels")
        return f"{name} {levels[0]}–{levels[-1]}" + ("（不求平均）" if zh else " (never averaged)")

    def points_table(self, scale: LevelsScale, points: Mapping[int, float] | None = None) -> dict[int, float]:
        """The indicator's own *points*, else the scale's, else evenly spaced by rank."""
        if points:
            return {int(k): float(v) for k, v in points.items()}
        levels = level_numbers(scale)
        if all(lv.points is not None for lv in scale.levels):
            return {lv.level: float(lv.points) for lv in scale.levels}
        n = len(levels) - 1
        return {lv: i / n for i, lv in enumerate(levels)}

    def utility(self, scale, values, points=None):
        import numpy as np

        from tlr.engine import utility

        return utility.levels(np.asarray(values, dtype=float), self.points_table(scale, points))

    def choices(self, scale):
        return [str(lv.level) for lv in scale.levels]

    def anchor_lines(self, scale, text):
        return [_anchor_line(str(lv.level), lv.label, lv.descriptor, text) for lv in scale.levels]

    def manual_view(self, scale, lang):
        abbr = scale.abbreviation or ""
        rows = []
        for lv in scale.levels:
            detail = "；".join(tr(e, lang) for e in lv.evidence) if lv.evidence else ""
            rows.append(_row(f"{abbr} {lv.level}".strip(), tr(lv.label, lang), tr(lv.descriptor, lang), detail,
                             [tr(c.text, lang) for c in lv.checklist]))
        return {"rows": rows}

    def check(self, scale, report, at, name):
        numbers = level_numbers(scale)
        seen: set[int] = set()
        for i, n in enumerate(numbers):
            if n in seen:
                report.error(f"量表 '{name}' 等级重复 / levels scale '{name}': level {n} appears twice",
                             at("levels", i, "level"), code="level_duplicate", hint="each level number once")
            seen.add(n)
        ordered = sorted(seen)
        if numbers != sorted(numbers) and len(seen) == len(numbers):
            report.error(f"量表 '{name}' 等级未按升序排列 / levels scale '{name}': levels must be in ascending order",
                         at("levels"), code="level_order", hint=f"order them {ordered}")
        missing = [n for n in range(ordered[0], ordered[-1] + 1) if n not in seen] if ordered else []
        if missing:
            report.error(f"量表 '{name}' 等级不连续 / levels scale '{name}' has a gap: level(s) "
                         f"{', '.join(map(str, missing))} missing", at("levels"), code="level_gap",
                         hint="levels must be consecutive whole numbers")
        points = [lv.points for lv in scale.levels]
        if any(p is not None for p in points):
            for i, p in enumerate(points):
                if p is None:
                    report.error(f"量表 '{name}' 分值表不完整 / levels scale '{name}': level {numbers[i]} has no "
                                 "points", at("levels", i), code="points_missing",
                                 hint="give `points` on every level or on none")
                elif not 0 <= p <= 1:
                    report.error(f"分值须在 0–1 之间 / points must be in [0, 1], got {p}", at("levels", i, "points"),
                                 code="points_range")
        if scale.yellow_threshold > scale.green_threshold:
            report.error("yellow_threshold 不能大于 green_threshold / yellow_threshold must not exceed "
                         "green_threshold", at("yellow_threshold"), code="threshold_order")
        for i, lv in enumerate(scale.levels):
            question_ids: set[str] = set()
            for j, item in enumerate(lv.checklist):
                if item.id in question_ids:
                    report.error(f"检查项重复 / duplicate checklist id '{item.id}'",
                                 at("levels", i, "checklist", j, "id"), code="duplicate_id")
                question_ids.add(item.id)

    def check_points(self, scale, node_id, points, report, at):
        levels = level_numbers(scale)
        missing = [lv for lv in levels if lv not in points]
        extra = [lv for lv in points if lv not in levels]
        if missing or extra:
            report.error("分值表须覆盖量表的每个等级 / points must give every level of the scale exactly once"
                         + (f"; missing: {missing}" if missing else "") + (f"; unknown: {extra}" if extra else ""),
                         at("points"), code="points_missing")
        for level, value in points.items():
            if not 0 <= value <= 1:
                report.error(f"分值须在 0–1 之间 / points must be in [0, 1], got {value:g} for level {level}",
                             at("points", level), code="points_range")

    @classmethod
    def example(cls):
        return LevelsScale(kind="levels", abbreviation="TRL", levels=[
            {"level": k, "label": {"zh": f"第{k}级", "en": f"level {k}"}} for k in range(1, 10)])


@register
class LikertKind(ScaleKind):
    """Rating from ``min`` to ``max`` in ``step``: rescaled linearly, the panel's rule applies."""

    name = "likert"
    model = LikertScale
    interval = True

    def range(self, scale):
        return scale.min, scale.max

    def parse(self, scale, raw):
        value = _number(raw)
        if not scale.min - 1e-9 <= value <= scale.max + 1e-9:
            raise ValueError(f"评分须在 {_fmt(scale.min)}–{_fmt(scale.max)} 之间 / score must be between "
                             f"{_fmt(scale.min)} and {_fmt(scale.max)}, got {raw!r}")
        steps = (value - scale.min) / scale.step
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(f"评分步长为 {_fmt(scale.step)} / score must be a multiple of {_fmt(scale.step)} "
                             f"from {_fmt(scale.min)}, got {raw!r}")
        return value

    def describe(self, scale, lang="zh"):
        if lang == "zh":
            return f"李克特 {_fmt(scale.min)}–{_fmt(scale.max)}，步长 {_fmt(scale.step)}"
        return f"likert {_fmt(scale.min)}–{_fmt(scale.max)} step {_fmt(scale.step)}"

    def utility(self, scale, values, points=None):
        import numpy as np

        from tlr.engine import utility

        return utility.likert(np.asarray(values, dtype=float), scale.min, scale.max)

    def choices(self, scale):
        n = round((scale.max - scale.min) / scale.step)
        if n <= 40:
            return [f"{scale.min + k * scale.step:g}" for k in range(n + 1)]
        return None

    def anchor_lines(self, scale, text):
        lines = [f"{scale.min:g}–{scale.max:g}（步长 / step {scale.step:g}）"]
        lines += [_anchor_line(f"{value:g}", label, None, text) for value, label in sorted(scale.anchors.items())]
        lines += [_anchor_line(f"{band.min:g}–{band.max:g}", band.label, band.descriptor, text) for band in scale.bands]
        return lines

    def manual_view(self, scale, lang):
        rows = [_row(_fmt(value), tr(label, lang)) for value, label in sorted(scale.anchors.items())]
        rows += [_row(f"{_fmt(band.min)}–{_fmt(band.max)}", tr(band.label, lang), tr(band.descriptor, lang))
                 for band in scale.bands]
        return {"rows": rows}

    def check(self, scale, report, at, name):
        if scale.min >= scale.max:
            report.error(f"量表 '{name}': min 须小于 max / min ({scale.min:g}) must be below max ({scale.max:g})",
                         at("max"), code="scale_range")
            return
        steps = (scale.max - scale.min) / scale.step
        if abs(steps - round(steps)) > 1e-9:
            report.error(f"量表 '{name}': 步长不能整除区间 / step {scale.step:g} does not divide "
                         f"{scale.min:g}..{scale.max:g}", at("step"), code="scale_step")
        for value in scale.anchors:
            off_grid = abs((value - scale.min) / scale.step - round((value - scale.min) / scale.step)) > 1e-9
            if not scale.min <= value <= scale.max or off_grid:
                report.error(f"锚点 {value:g} 不在量表上 / anchor {value:g} is not a point of the scale "
                             f"{scale.min:g}..{scale.max:g} step {scale.step:g}", at("anchors", value),
                             code="anchor_range")
        bands = sorted(scale.bands, key=lambda b: b.min)
        for i, band in enumerate(scale.bands):
            if band.min > band.max or band.min < scale.min or band.max > scale.max:
                report.error(f"分档 {band.min:g}–{band.max:g} 超出量表 / band {band.min:g}-{band.max:g} is outside "
                             f"{scale.min:g}..{scale.max:g} or reversed", at("bands", i), code="band_range")
        for a, b in zip(bands, bands[1:]):
            if b.min <= a.max:
                report.error(f"分档重叠 / bands {a.min:g}-{a.max:g} and {b.min:g}-{b.max:g} overlap",
                             at("bands"), code="band_overlap")

    @classmethod
    def example(cls):
        return LikertScale(kind="likert", min=1, max=5, anchors={1: {"zh": "很差", "en": "poor"},
                                                                 5: {"zh": "很好", "en": "excellent"}})


_DIRECTIONS = {"benefit": ("越大越好", "higher is better"), "cost": ("越小越好", "lower is better")}
_TRANSFORMS = {"linear": ("线性", "linear"), "thresholds": ("分段阈值", "thresholds"),
               "piecewise": ("分段线性", "piecewise linear")}


@register
class NumericKind(ScaleKind):
    """A measured quantity in its unit, turned into a utility by the scale's transform."""

    name = "numeric"
    model = NumericScale
    interval = True

    def range(self, scale):
        if scale.min is not None and scale.max is not None:
            return scale.min, scale.max
        return None

    def parse(self, scale, raw):
        value = _number(raw)
        if scale.min is not None and value < scale.min:
            raise ValueError(f"数值不能小于 {_fmt(scale.min)} / value must be at least {_fmt(scale.min)}, got {raw!r}")
        if scale.max is not None and value > scale.max:
            raise ValueError(f"数值不能大于 {_fmt(scale.max)} / value must be at most {_fmt(scale.max)}, got {raw!r}")
        return value

    def label(self, scale, value, lang="zh"):
        unit = f" {scale.unit}" if scale.unit else ""
        return super().label(scale, value, lang) + unit

    def describe(self, scale, lang="zh"):
        zh = lang == "zh"
        unit = f" [{scale.unit}]" if scale.unit else ""
        direction = _DIRECTIONS.get(scale.direction, (scale.direction, scale.direction))
        kind = _TRANSFORMS.get(scale.transform.kind, (scale.transform.kind, scale.transform.kind))
        return f"数值{unit}，{direction[0]}，{kind[0]}" if zh else f"number{unit}, {direction[1]}, {kind[1]}"

    def utility(self, scale, values, points=None):
        import numpy as np

        from tlr.engine import utility

        x = np.asarray(values, dtype=float)
        t = scale.transform
        if isinstance(t, LinearTransform):
            return utility.linear(x, t.lower, t.upper, scale.direction)
        if isinstance(t, ThresholdTransform):
            cuts = [s.at for s in t.steps]
            if scale.direction == "cost":  # the utility of the lowest threshold not exceeded; above the last: below
                return utility.thresholds(x, cuts, [s.utility for s in t.steps] + [t.below], "cost")
            return utility.thresholds(x, cuts, [t.below] + [s.utility for s in t.steps])
        if isinstance(t, PiecewiseTransform):
            return utility.piecewise(x, [pt[0] for pt in t.points], [pt[1] for pt in t.points])
        raise TypeError(f"no utility for transform {t!r}")  # pragma: no cover

    def anchor_lines(self, scale, text):
        unit = f" {scale.unit}" if scale.unit else ""
        rng = []
        if scale.min is not None:
            rng.append(f"≥ {scale.min:g}")
        if scale.max is not None:
            rng.append(f"≤ {scale.max:g}")
        return [f"数值 / number{unit}" + (f" ({', '.join(rng)})" if rng else "")]

    def manual_view(self, scale, lang):
        unit = scale.unit or ""
        t = scale.transform
        rows = []
        if t.kind == "linear":
            rows.append(_row(f"{_fmt(t.lower)} {unit}", "0"))
            rows.append(_row(f"{_fmt(t.upper)} {unit}", "100"))
        elif t.kind == "thresholds":
            edge = t.steps[0].at if scale.direction == "benefit" else t.steps[-1].at
            rows.append(_row(f"{'<' if scale.direction == 'benefit' else '>'} {_fmt(edge)} {unit}", _fmt(100 * t.below)))
            for st in t.steps:
                rows.append(_row(f"{'≥' if scale.direction == 'benefit' else '≤'} {_fmt(st.at)} {unit}",
                                 _fmt(100 * st.utility)))
        else:
            rows += [_row(f"{_fmt(x)} {unit}", _fmt(100 * u)) for x, u in t.points]
        return {"rows": rows, "numeric": True, "unit": unit}

    def check(self, scale, report, at, name):
        if scale.min is not None and scale.max is not None and scale.min >= scale.max:
            report.error(f"量表 '{name}': min 须小于 max / min must be below max", at("max"), code="scale_range")
        t = scale.transform
        if isinstance(t, LinearTransform) and t.lower >= t.upper:
            report.error(f"线性变换 lower 须小于 upper / linear transform: lower ({t.lower:g}) must be below upper "
                         f"({t.upper:g})", at("transform", "upper"),
                         hint="for a cost indicator keep lower < upper and set direction: cost", code="transform")
        elif isinstance(t, ThresholdTransform):
            ats = [s.at for s in t.steps]
            if any(b <= a for a, b in zip(ats, ats[1:])):
                report.error("阈值须严格递增 / thresholds must be strictly increasing in 'at'",
                             at("transform", "steps"), code="transform")
        elif isinstance(t, PiecewiseTransform):
            xs = [p[0] for p in t.points]
            if any(b <= a for a, b in zip(xs, xs[1:])):
                report.error("分段点须按数值严格递增 / piecewise points must have strictly increasing values",
                             at("transform", "points"), code="transform")
            for i, (_, u) in enumerate(t.points):
                if not 0 <= u <= 1:
                    report.error(f"效用须在 0–1 之间 / utility must be in [0, 1], got {u:g}",
                                 at("transform", "points", i), code="transform")

    @classmethod
    def example(cls):
        return NumericScale(kind="numeric", unit="亿元", min=0, max=100,
                            transform={"kind": "linear", "lower": 0, "upper": 50})


@register
class BooleanKind(ScaleKind):
    """Yes/no: stored 1/0; the pass value has utility 1; a panel takes the majority, a tie is unknown."""

    name = "boolean"
    model = BooleanScale
    consensus = MAJORITY

    def range(self, scale):
        return 0.0, 1.0

    def parse(self, scale, raw):
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        text = str(raw).strip().lower()
        if text in TRUE_WORDS or text in (tr(scale.true_label, "zh").lower(), tr(scale.true_label, "en").lower()):
            return 1.0
        if text in FALSE_WORDS or text in (tr(scale.false_label, "zh").lower(), tr(scale.false_label, "en").lower()):
            return 0.0
        raise ValueError(f"请回答 是/否 / answer yes or no, got {raw!r}")

    def label(self, scale, value, lang="zh"):
        return tr(scale.true_label if value >= 0.5 else scale.false_label, lang)

    def describe(self, scale, lang="zh"):
        return "是/否" if lang == "zh" else "yes/no"

    def utility(self, scale, values, points=None):
        import numpy as np

        x = np.asarray(values, dtype=float)
        return x if scale.pass_value else np.where(np.isnan(x), np.nan, 1.0 - x)

    def choices(self, scale):
        return [tr(scale.true_label, "zh"), tr(scale.false_label, "zh")]

    def anchor_lines(self, scale, text):
        return [f"{text(scale.true_label)} / {text(scale.false_label)}"]

    def manual_view(self, scale, lang):
        passes, fails = ("通过", "不通过") if lang == "zh" else ("passes", "fails")
        yes, no = (passes, fails) if scale.pass_value else (fails, passes)
        return {"rows": [_row(tr(scale.true_label, lang), text=yes), _row(tr(scale.false_label, lang), text=no)]}

    def condition_error(self, scale, ref, value):
        if not isinstance(value, bool):
            return f"'{ref}' 为是/否指标，value 须为 true/false / '{ref}' is boolean: compare with true or false"
        return None

    @classmethod
    def example(cls):
        return BooleanScale(kind="boolean")


@register
class GradesKind(ScaleKind):
    """Named grades (优/良/中/差 ...), stored as the grade's position; ordinal, never averaged.

    The panel's utility is the mean of the experts' grade utilities (the fuzzy-comprehensive reading).
    """

    name = "grades"
    model = GradesScale
    consensus = MEDIAN_LOW
    panel_utility = EXPERTS_MEAN
    fuzzy_grades = True

    def range(self, scale):
        return 0.0, float(len(scale.grades) - 1)

    def parse(self, scale, raw):
        text = str(raw).strip()
        for index, grade in enumerate(scale.grades):
            if text in (grade.id, tr(grade.label, "zh"), tr(grade.label, "en")):
                return float(index)
        names = ", ".join(f"{g.id} ({tr(g.label, 'zh')})" for g in scale.grades)
        raise ValueError(f"未知等级 / unknown grade {raw!r}: expected one of {names}")

    def label(self, scale, value, lang="zh"):
        if 0 <= int(value) < len(scale.grades):
            return tr(scale.grades[int(value)].label, lang)
        return super().label(scale, value, lang)

    def describe(self, scale, lang="zh"):
        return ("等第 " if lang == "zh" else "grades ") + "/".join(tr(g.label, lang) for g in scale.grades)

    def grade_utilities(self, scale: GradesScale) -> Any:
        """Utility of each grade: its value rescaled to [0, 1] between the lowest and highest (all 1 if equal)."""
        import numpy as np

        values = np.array([g.value for g in scale.grades], dtype=float)
        lo, hi = values.min(), values.max()
        return (values - lo) / (hi - lo) if hi > lo else np.ones_like(values)

    def utility(self, scale, values, points=None):
        import numpy as np

        x = np.asarray(values, dtype=float)
        norm = self.grade_utilities(scale)
        idx = np.nan_to_num(x, nan=0).astype(int)
        return np.where(np.isnan(x), np.nan, norm[np.clip(idx, 0, len(norm) - 1)])

    def choices(self, scale):
        return [g.id for g in scale.grades]

    def anchor_lines(self, scale, text):
        return [f"{g.id}  {text(g.label)}" for g in scale.grades]

    def manual_view(self, scale, lang):
        return {"rows": [_row(_fmt(g.value), tr(g.label, lang)) for g in scale.grades]}

    def check(self, scale, report, at, name):
        seen_ids: set[str] = set()
        for i, grade in enumerate(scale.grades):
            if grade.id in seen_ids:
                report.error(f"等级标识重复 / duplicate grade id '{grade.id}'", at("grades", i, "id"),
                             code="duplicate_id")
            seen_ids.add(grade.id)

    def condition_error(self, scale, ref, value):
        if not isinstance(value, str) or value not in [g.id for g in scale.grades]:
            return f"'{ref}' 的取值须为等级标识 / value must be a grade id of '{ref}'"
        return None

    def condition_number(self, scale, value):
        if isinstance(value, str):
            for index, grade in enumerate(scale.grades):
                if grade.id == value:
                    return float(index)
            raise KeyError(f"unknown grade '{value}'")
        return super().condition_number(scale, value)

    @classmethod
    def example(cls):
        return GradesScale(kind="grades", grades=[
            {"id": "A", "label": {"zh": "优", "en": "excellent"}, "value": 95},
            {"id": "B", "label": {"zh": "良", "en": "good"}, "value": 80},
            {"id": "C", "label": {"zh": "中", "en": "fair"}, "value": 65},
            {"id": "D", "label": {"zh": "差", "en": "poor"}, "value": 40}])


__all__ = ["ScaleKind", "register", "unregister", "kind_of", "registered", "level_numbers", "LevelsKind",
           "LikertKind", "NumericKind", "BooleanKind", "GradesKind", "MEDIAN_LOW", "MAJORITY", "PANEL",
           "FROM_CONSENSUS", "EXPERTS_MEAN", "TRUE_WORDS", "FALSE_WORDS"]
