"""The rubric file format: pydantic v2 models, the single source of truth.

A rubric file is YAML. Its top level is a :class:`RubricDocument` (``kind: rubric``,
the default) or a :class:`ScaleLibrary` (``kind: scale_library``: named scales such
as the TRL ladders, imported by rubrics). ``tlr rubric schema`` prints the JSON
Schema generated from these models.

Semantic rules that need the whole tree (unique ids, weights summing to 1, AHP
judgements naming real children, levels without gaps ...) are checked in
:mod:`tlr.rubric.validate`, not here, so that every problem is reported at once
with its file position.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from tlr.text import I18nText

FORMAT_VERSION = 1

ID_PATTERN = r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80,
                          description="Stable identifier: a letter, then letters, digits, '_', '.', '-'.")]


def _text_kind(value: Any) -> str:
    return "i18n" if isinstance(value, dict) or isinstance(value, I18nText) else "str"


Text = Annotated[
    Union[Annotated[str, Tag("str")], Annotated[I18nText, Tag("i18n")]],
    Discriminator(_text_kind),
    Field(description="Plain text, or {zh: 中文, en: English}."),
]


def _parse_ratio(value: Any) -> Any:
    """Accept ``3``, ``2.5``, ``0.333`` and the string fractions ``'1/3'`` used in pairwise judgements."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40 or "e" in text.lower():  # Fraction('1e999999999') would build a huge integer
            raise ValueError(f"expected a number or a fraction like '1/3', got {value[:40]!r}")
        try:
            return float(Fraction(text))
        except (ValueError, ZeroDivisionError, OverflowError):
            raise ValueError(f"expected a number or a fraction like '1/3', got {value!r}") from None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    return value


Ratio = Annotated[float, BeforeValidator(_parse_ratio)]


def _version_str(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"write the version as a quoted string, e.g. version: \"{value}\" "
                         "(YAML reads 1.10 as the number 1.1)")
    return value


class StrictModel(BaseModel):
    """Base of every file-format model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- metadata

AchievementType = Literal["basic_research", "applied_research", "technology_development", "soft_science"]
ACHIEVEMENT_TYPES: dict[str, tuple[str, str]] = {
    "basic_research": ("基础研究", "basic research"),
    "applied_research": ("应用研究", "applied research"),
    "technology_development": ("技术开发和产业化", "technology development and industrialisation"),
    "soft_science": ("软科学", "soft science"),
}

Confidence = Literal["V", "S", "M"]
CONFIDENCE_MEANING = {
    "V": ("已核对原文", "checked against the primary source"),
    "S": ("二手来源", "from a secondary source"),
    "M": ("凭记忆，使用前需核对", "from memory, to be checked before use"),
}


class Source(StrictModel):
    """A standard, paper or guide the rubric draws on, with how well its use was checked."""

    id: Id
    title: Text
    kind: Literal["standard", "paper", "guide", "policy", "book", "web", "other"] = "other"
    ref: str | None = Field(None, description="Standard number or citation, e.g. 'GB/T 22900-2022'.")
    url: str | None = None
    confidence: Confidence = Field(description="V checked against the source, S secondary source, M from memory.")
    note: Text | None = None


# --------------------------------------------------------------------------- scales

EvidenceKind = Literal[
    "test_report", "third_party_test_report", "novelty_search", "user_certificate", "contract",
    "patent", "paper", "standard", "certification", "financial_statement", "design_document",
    "prototype", "site_visit", "other",
]
EVIDENCE_KINDS: dict[str, tuple[str, str]] = {
    "test_report": ("测试报告", "test report"),
    "third_party_test_report": ("第三方检测报告", "third-party test report"),
    "novelty_search": ("查新报告", "novelty search report"),
    "user_certificate": ("用户使用证明", "user certificate"),
    "contract": ("合同", "contract"),
    "patent": ("专利证书", "patent"),
    "paper": ("论文", "paper"),
    "standard": ("标准", "standard"),
    "certification": ("认证/许可", "certification or licence"),
    "financial_statement": ("财务报表", "financial statement"),
    "design_document": ("设计文档", "design document"),
    "prototype": ("样机/样品", "prototype or sample"),
    "site_visit": ("现场考察记录", "site visit record"),
    "other": ("其他", "other"),
}


class ChecklistItem(StrictModel):
    """A yes/no (or percent-complete) question used to decide whether a level is reached."""

    id: Id
    text: Text
    tag: Literal["technical", "manufacturing", "programmatic"] = "technical"
    answer: Literal["yes_no", "percent"] = "yes_no"
    evidence: list[EvidenceKind] = Field(default_factory=list, description="Evidence the answer needs.")
    note: Text | None = None


class Level(StrictModel):
    """One rung of an ordinal ladder (e.g. TRL 4)."""

    level: int
    label: Text
    descriptor: Text | None = None
    evidence: list[Text] = Field(default_factory=list, description="Examples of evidence for this level.")
    points: float | None = Field(None, description="Utility of this level in [0, 1] (a points table); "
                                                    "default: evenly spaced by rank.")
    checklist: list[ChecklistItem] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Source ids for this level's wording.")
    confidence: Confidence | None = Field(None, description="How well this level's wording was checked.")


class LevelsScale(StrictModel):
    """Anchored ordinal ladder (TRL 1-9, MRL 1-10, CRI 1-6 ...). Never averaged."""

    kind: Literal["levels"]
    label: Text | None = None
    abbreviation: str | None = Field(None, description="Short name shown before the level, e.g. 'TRL', 'MRL'.")
    description: Text | None = None
    sources: list[str] = Field(default_factory=list, description="Ids of entries in the file's sources.")
    confidence: Confidence | None = None
    levels: list[Level] = Field(min_length=2)
    green_threshold: float = Field(1.0, ge=0, le=1, description="Checklist share that reaches a level.")
    yellow_threshold: float = Field(0.5, ge=0, le=1, description="Checklist share reported as partial.")
    evidence_required: bool = Field(False, description="是否要求证据：为真时，没有证据（文件哈希或引用）的“是”不计入 / "
                                                       "True: a 'yes' without evidence (a file hash or a reference) "
                                                       "does not count towards a level.")


class Band(StrictModel):
    """A score band with its anchor, e.g. 90-100 重大突破."""

    min: float
    max: float
    label: Text
    descriptor: Text | None = None


class LikertScale(StrictModel):
    """Rating scale from ``min`` to ``max`` in ``step`` with anchor text per point or band."""

    kind: Literal["likert"]
    label: Text | None = None
    min: float = 1
    max: float = 5
    step: float = Field(1, gt=0)
    anchors: dict[float, Text] = Field(default_factory=dict)
    bands: list[Band] = Field(default_factory=list)


class LinearTransform(StrictModel):
    """Utility 0 at ``lower`` and 1 at ``upper`` (reversed for a cost), clipped outside."""

    kind: Literal["linear"]
    lower: float
    upper: float


class Threshold(StrictModel):
    at: float = Field(description="Value from which this utility applies (benefit) or up to which (cost).")
    utility: float = Field(ge=0, le=1)


class ThresholdTransform(StrictModel):
    """Step function: for ``benefit`` the utility of the highest threshold reached (x >= at); for ``cost``
    the utility of the lowest threshold not exceeded (x <= at). ``below`` applies outside every step."""

    kind: Literal["thresholds"]
    below: float = Field(0.0, ge=0, le=1, description="Utility below the first threshold.")
    steps: list[Threshold] = Field(min_length=1)


class PiecewiseTransform(StrictModel):
    """Piecewise-linear utility through ``points`` ([value, utility] pairs), flat outside."""

    kind: Literal["piecewise"]
    points: list[tuple[float, float]] = Field(min_length=2)


Transform = Annotated[Union[LinearTransform, ThresholdTransform, PiecewiseTransform],
                      Field(discriminator="kind")]


class NumericScale(StrictModel):
    """A measured quantity (market size, cost reduction ...) with a utility transform."""

    kind: Literal["numeric"]
    label: Text | None = None
    unit: str | None = None
    direction: Literal["benefit", "cost"] = "benefit"
    min: float | None = Field(None, description="Smallest valid value (input check).")
    max: float | None = Field(None, description="Largest valid value (input check).")
    transform: Transform


class BooleanScale(StrictModel):
    """Yes/no: a must-meet or knock-out criterion."""

    kind: Literal["boolean"]
    label: Text | None = None
    true_label: Text = I18nText(zh="是", en="yes")
    false_label: Text = I18nText(zh="否", en="no")
    pass_value: bool = Field(True, description="The answer that passes (utility 1).")


class Grade(StrictModel):
    id: Id
    label: Text
    value: float = Field(description="Score of this grade, used to turn a grade vector into a number.")


class GradesScale(StrictModel):
    """Named grades (优/良/中/差 ...) for fuzzy comprehensive evaluation: experts give a grade or memberships."""

    kind: Literal["grades"]
    label: Text | None = None
    grades: list[Grade] = Field(min_length=2)


# kind tag -> model of every scale kind the file format accepts: the five built-in kinds, and any
# kind registered through tlr.rubric.kinds.register (which calls register_scale_model).
SCALE_MODELS: dict[str, type[BaseModel]] = {
    "levels": LevelsScale, "likert": LikertScale, "numeric": NumericScale, "boolean": BooleanScale,
    "grades": GradesScale,
}
SCALE_KINDS = ("levels", "likert", "numeric", "boolean", "grades")  # the built-in kinds
SCALE_MODELS_VERSION = 0  # bumped when a kind is registered: cached validators must be rebuilt


class _RegisteredScales:
    """Pydantic marker: the scale union is the models in SCALE_MODELS *when a schema is built*.

    The static union below is what type hints and error-location walking see; the validator and the
    JSON Schema come from the registry, so a kind registered later is part of the file format once
    :func:`register_scale_model` has rebuilt the models that hold scales.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return handler.generate_schema(
            Annotated[Union[tuple(SCALE_MODELS.values())], Field(discriminator="kind")])  # type: ignore[misc]


Scale = Annotated[Union[LevelsScale, LikertScale, NumericScale, BooleanScale, GradesScale], _RegisteredScales()]


def _scale_ref_kind(value: Any) -> str:
    return "inline" if isinstance(value, dict) or isinstance(value, BaseModel) else "ref"


ScaleRef = Annotated[
    Union[Annotated[str, Tag("ref")], Annotated[Scale, Tag("inline")]],
    Discriminator(_scale_ref_kind),
    Field(description="Name of a scale in `scales:` (or an imported library), or an inline scale."),
]

# --------------------------------------------------------------------------- weights

AHPMethod = Literal["eigenvector", "geometric_mean"]


class AHPSpec(StrictModel):
    """Weights of a node's children from pairwise judgements (Saaty's 1-9 scale).

    Give ``judgements`` as ``[a, b, value]`` (a is ``value`` times as important as b;
    ``'1/3'`` fractions allowed) or a full reciprocal ``matrix`` whose rows follow
    ``order`` (default: the children in file order).
    """

    method: AHPMethod = "eigenvector"
    judgements: list[tuple[str, str, Ratio]] | None = None
    matrix: list[list[Ratio]] | None = None
    order: list[str] | None = None
    ri_table: str | None = Field(None, description="Random-index table (see `tlr ahp --help`).")
    cr_max: float | None = Field(None, gt=0, description="Consistency threshold; default per method.")
    allow_incomplete: bool = Field(False, description="Allow missing pairs (connected graph; Harker's method).")


# --------------------------------------------------------------------------- tree


class NodeBase(StrictModel):
    id: Id
    label: Text
    short: Text | None = Field(None, description="Short label for table columns and charts.")
    description: Text | None = None
    weight: float | None = Field(None, description="Direct weight among siblings (non-negative).")
    applies_to: list[AchievementType] | None = Field(None, description="Achievement types; default all.")
    notes: Text | None = None


class Indicator(NodeBase):
    """A leaf of the tree: what an expert scores."""

    scale: ScaleRef
    guidance: Text | None = Field(None, description="How to score: what to look at.")
    points: dict[int, float] | None = Field(
        None,
        description="For a levels scale: this rubric's points table, level -> utility in [0, 1] "
                    "(overrides the scale's own points; a local policy, never arithmetic on levels).",
    )
    role: Literal["score", "axis", "gate"] = Field(
        "score",
        description="score: enters the composite; axis: reported beside it (e.g. TRL as its own axis); "
                    "gate: only used by gates.",
    )


class Dimension(NodeBase):
    """An inner node: a dimension or sub-dimension with children."""

    children: list["Node"]
    ahp: AHPSpec | None = None
    normalize: bool | None = Field(None, description="Rescale the children's direct weights to sum to 1.")
    strength: Text | None = Field(None, description="高分的含义，用于“突出优势”，如 风险低 / How a high score reads "
                                                    "when named as a strength, e.g. {zh: 风险低, en: low risk}.")


def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        if "scale" in value:
            return "indicator"
        if "children" in value:
            return "dimension"
        return "indicator" if "role" in value or "guidance" in value else "dimension"
    return "indicator" if isinstance(value, Indicator) else "dimension"


Node = Annotated[
    Union[Annotated[Dimension, Tag("dimension")], Annotated[Indicator, Tag("indicator")]],
    Discriminator(_node_kind),
]
Dimension.model_rebuild()

# --------------------------------------------------------------------------- rules

Op = Literal["<", "<=", ">", ">=", "==", "!="]


class Condition(StrictModel):
    """A test on a project: ``{ref: trl, op: '<', value: 4}``, or ``all:`` / ``any:`` / ``not:``.

    ``ref`` names an indicator, a dimension, ``composite`` or ``readiness``.
    """

    ref: str | None = None
    op: Op | None = None
    value: float | bool | str | None = None
    all: list["Condition"] | None = None
    any: list["Condition"] | None = None
    not_: "Condition | None" = Field(None, alias="not")


Condition.model_rebuild()


class Gate(StrictModel):
    """A knock-out rule written as data: when ``when`` holds, the project is knocked out (or capped)."""

    id: Id
    label: Text
    when: Condition
    effect: Literal["knockout", "flag"] = "knockout"
    max_tier: str | None = Field(None, description="Instead of a knock-out, cap the tier at this one.")
    route: str | None = Field(None, description="被否决项目转入的支持路径（如低成熟度转研究批）；不写则无支持路径 / "
                                               "The support route a project knocked out by this gate is sent to "
                                               "(e.g. immature work to the research batch); none when omitted.")
    reason: Text | None = None


class Tier(StrictModel):
    """A recommendation tier; tiers are tried in order, the first whose rule holds wins."""

    id: Id
    label: Text
    min_score: float | None = Field(None, description="Minimum composite (on the rubric's score scale).")
    when: Condition | None = None
    description: Text | None = None
    fundable: bool = Field(
        False,
        description="可资助档次：预算选择（tlr rank --budget）只从这些档次中选，资助线取其中最低的分数线 / "
                    "A fundable tier: a budget selection (tlr rank --budget) only funds projects in these tiers, "
                    "and the fundable line is the lowest min_score among them.")


class Route(StrictModel):
    """A support route (research / pilot and transfer / investment and landing), first match wins."""

    id: Id
    label: Text
    short: Text | None = Field(None, description="Short label for table columns.")
    when: Condition | None = None
    description: Text | None = None


class TopsisOptions(StrictModel):
    """TOPSIS settings: which values it compares."""

    mode: Literal["utility", "raw"] = Field(
        "utility", description="utility: the indicators' utilities (0-1, every criterion a benefit; the result "
                               "moves with the utility bounds). raw: the consensus values themselves - numeric "
                               "indicators in their units with their scale's direction (benefit/cost), likert and "
                               "levels indicators on their own scale (higher is better), other kinds by utility.")


class Aggregation(StrictModel):
    """How indicator utilities become one composite score."""

    method: Literal["weighted_sum", "fuzzy", "topsis"] = "weighted_sum"
    grades: str | None = Field(None, description="For fuzzy: the grades scale giving grade values.")
    operator: Literal["weighted_average", "min_max"] = "weighted_average"
    topsis: TopsisOptions = Field(default_factory=TopsisOptions, description="For topsis: utility or raw mode.")


class PanelRules(StrictModel):
    """How a panel's scores become a consensus (review procedure as data)."""

    consensus: Literal["mean", "median", "trimmed_mean", "weighted_mean"] = "mean"
    trim: int = Field(1, ge=0, description="Scores dropped at each end for trimmed_mean.")
    min_after_trim: int = Field(3, ge=1, description="Trim only when at least this many scores remain; "
                                                     "otherwise the median is used and the project flagged.")
    min_experts: int = Field(5, ge=1)
    quorum: float = Field(2 / 3, gt=0, le=1, description="Share of assigned experts who must score.")
    leniency_correction: bool = Field(False, description="Same as calibration: leniency (kept for older rubrics).")
    calibration: Literal["none", "leniency", "additive", "bayesian", "scaled"] | None = Field(
        None,
        description="Rater calibration of the rating and number indicators: none; leniency (each expert's "
                    "scores z-standardised, then the mean); additive (score = quality + expert leniency + noise, "
                    "fitted by weighted least squares); bayesian (the same with leniency and quality shrunk "
                    "towards their averages, variances by empirical Bayes); scaled (score = leniency + expert scale x "
                    "quality + noise: an expert may also spread or compress their scores). Unstated: leniency if "
                    "leniency_correction is true, else none.")

    @model_validator(mode="after")
    def _one_calibration(self) -> "PanelRules":
        stated = self.model_fields_set
        if self.calibration is None or "leniency_correction" not in stated:
            return self
        if self.leniency_correction != (self.calibration == "leniency"):
            raise ValueError(
                f"leniency_correction: {str(self.leniency_correction).lower()} 与 calibration: {self.calibration} "
                f"矛盾 / leniency_correction: {str(self.leniency_correction).lower()} contradicts calibration: "
                f"{self.calibration}; state only calibration")
        return self

    @property
    def calibration_method(self) -> str:
        """The calibration applied: ``calibration`` when stated, else from ``leniency_correction``."""
        if self.calibration is not None:
            return self.calibration
        return "leniency" if self.leniency_correction else "none"


# --------------------------------------------------------------------------- documents


class _DocumentBase(StrictModel):
    format: Literal[1] = Field(FORMAT_VERSION, description="Rubric format version.")
    id: Id
    version: Annotated[str, BeforeValidator(_version_str)]
    description: Text | None = None
    sources: list[Source] = Field(default_factory=list)


class ScaleLibrary(_DocumentBase):
    """A file of named scales (readiness ladders, grade sets) that rubrics can ``imports:``."""

    kind: Literal["scale_library"]
    title: Text
    scales: dict[Id, Scale] = Field(min_length=1)


class ScaleImport(StrictModel):
    """Import a scale library under other scale names (two ladders both called ``trl``, say)."""

    file: str
    rename: dict[str, Id] = Field(default_factory=dict, description="Scale name in the library -> name here.")


class RubricDocument(_DocumentBase):
    """A rubric: the tree of dimensions and indicators, their weights and rules.

    A rubric that ``extends:`` another gives only what changes: ``remove``, ``add``,
    ``replace``, ``update`` and ``weights``.
    """

    kind: Literal["rubric"] = "rubric"
    title: Text | None = Field(None, description="Required, except in a rubric that `extends` another.")
    applies_to: list[AchievementType] = Field(default_factory=list)
    extends: str | None = Field(None, description="Base rubric file, relative to this file.")
    imports: list[Annotated[Union[Annotated[str, Tag("path")], Annotated["ScaleImport", Tag("spec")]],
                            Discriminator(lambda v: "spec" if isinstance(v, (dict, BaseModel)) else "path")]] = Field(
        default_factory=list,
        description="Scale libraries, relative to this file: a path, or {file, rename: {scale: new_name}}.")
    normalize: bool = Field(False, description="Rescale direct weights so siblings sum to 1.")
    score_scale: float = Field(100, gt=0, description="Composite is reported on 0..score_scale.")
    scales: dict[Id, Scale] = Field(default_factory=dict)
    dimensions: list[Node] | None = None
    ahp: AHPSpec | None = Field(None, description="AHP weights of the top-level dimensions.")
    readiness: str | None = Field(
        None,
        description="Id of the levels indicator that is the project's readiness (TRL); conditions refer to it "
                    "as 'readiness'. An evidence-based TRL assessment of the project, when present, is used "
                    "instead of the panel's median.",
    )
    aggregation: Aggregation = Field(default_factory=Aggregation)
    panel: PanelRules = Field(default_factory=PanelRules)
    gates: list[Gate] | None = None
    tiers: list[Tier] | None = None
    routes: list[Route] | None = None
    # -- overrides, only with `extends`
    remove: list[str] = Field(default_factory=list, description="Ids of nodes to remove from the base.")
    add: dict[str, list[Node]] = Field(default_factory=dict,
                                       description="Parent id ('root' for the top) -> nodes to append.")
    replace: list[Node] = Field(default_factory=list, description="Nodes replacing the base node of the same id.")
    update: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                              description="Node id -> fields to change (label, weight, ahp ...).")
    weights: dict[str, float] = Field(default_factory=dict, description="Node id -> new direct weight.")

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if weight < 0:
                raise ValueError(f"weight of '{key}' is negative ({weight})")
        return value


def _document_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "scale_library" if value.get("kind") == "scale_library" else "rubric"
    return "scale_library" if isinstance(value, ScaleLibrary) else "rubric"


AnyDocument = Annotated[
    Union[Annotated[RubricDocument, Tag("rubric")], Annotated[ScaleLibrary, Tag("scale_library")]],
    Discriminator(_document_kind),
]

# tag -> model, for walking error locations through tagged unions
TAGGED_MODELS: dict[str, type[BaseModel]] = {
    "rubric": RubricDocument,
    "spec": ScaleImport,
    "scale_library": ScaleLibrary,
    "dimension": Dimension,
    "indicator": Indicator,
    "i18n": I18nText,
    "levels": LevelsScale,
    "likert": LikertScale,
    "numeric": NumericScale,
    "boolean": BooleanScale,
    "grades": GradesScale,
    "linear": LinearTransform,
    "thresholds": ThresholdTransform,
    "piecewise": PiecewiseTransform,
}


def scale_model_tag(model: type[BaseModel]) -> str:
    """The ``kind`` tag of a scale model (its ``kind: Literal[...]`` field)."""
    from typing import get_args

    field = model.model_fields.get("kind")
    args = get_args(field.annotation) if field is not None else ()
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{model.__name__} needs a field `kind: Literal['<tag>']`")
    return args[0]


def register_scale_model(model: type[BaseModel]) -> None:
    """Make *model* a scale kind of the file format (idempotent); rebuild the models that hold scales."""
    tag = scale_model_tag(model)
    if SCALE_MODELS.get(tag) is model:
        return
    if tag in SCALE_MODELS or tag in TAGGED_MODELS:
        raise ValueError(f"scale kind '{tag}' is already taken by {TAGGED_MODELS.get(tag, SCALE_MODELS.get(tag))}")
    SCALE_MODELS[tag] = model
    TAGGED_MODELS[tag] = model
    _rebuild_scale_holders()


def unregister_scale_model(tag: str) -> None:
    """Withdraw a registered (non built-in) scale kind from the file format."""
    if tag in SCALE_KINDS:
        raise ValueError(f"'{tag}' is a built-in scale kind")
    if SCALE_MODELS.pop(tag, None) is not None:
        TAGGED_MODELS.pop(tag, None)
        _rebuild_scale_holders()


def _rebuild_scale_holders() -> None:
    global SCALE_MODELS_VERSION
    # inner models first: a model's schema reuses the (rebuilt) schemas of the models it holds
    for holder in (Indicator, Dimension, ScaleLibrary, RubricDocument):
        holder.model_rebuild(force=True)
    SCALE_MODELS_VERSION += 1
