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
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tlr.text import I18nText

FORMAT_VERSION = 1

ID_PATTERN = r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$"
ID_MAX = 80
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX,
                          description="稳定标识：以字母或汉字开头，其后为字母、数字、汉字、'_'、'.'、'-' / "
                                      "stable identifier: a letter (or 汉字), then letters, digits, '_', '.', '-'",
                          examples=["tech", "market_size", "技术"])]


def _text_kind(value: Any) -> str:
    return "i18n" if isinstance(value, dict) or isinstance(value, I18nText) else "str"


Text = Annotated[
    Union[Annotated[str, Tag("str")], Annotated[I18nText, Tag("i18n")]],
    Discriminator(_text_kind),
    Field(description="文本：一段文字，或 {zh: 中文, en: English} / text: plain text, or {zh: 中文, en: English}",
          examples=["技术先进性", {"zh": "技术先进性", "en": "Technical advancement"}]),
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


# tlr.rubric.validate accepts 1/9 - 1e-12 .. 9 + 1e-12; the schema's bounds are a hair wider so that they
# survive the 12 significant digits of tlr's JSON writer (`tlr rubric schema`)
SAATY_BOUNDS = (0.11111111111, 9.00000000001)
# What Fraction() reads, without exponents (refused above) and without zero (never a judgement): '3', '2.5',
# '.5', '5.', '1/3', ' 1/3 ', '+3', '1_000'.
_DIGITS = r"[0-9]+(?:_[0-9]+)*"
_NONZERO = r"(?=[0-9_]*[1-9])"
RATIO_PATTERN = (rf"^\s*\+?(?:{_NONZERO}{_DIGITS}/{_NONZERO}{_DIGITS}"
                 rf"|(?=[0-9_.]*[1-9])(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS}))\s*$")

Ratio = Annotated[float, BeforeValidator(_parse_ratio), WithJsonSchema({
    "anyOf": [{"type": "number", "minimum": SAATY_BOUNDS[0], "maximum": SAATY_BOUNDS[1]},
              {"type": "string", "pattern": RATIO_PATTERN, "maxLength": 40}],
    "description": "Saaty 1–9 标度的判断值：数字或分数字符串 / a judgement on Saaty's 1-9 scale: a number, "
                   "or a fraction string such as '1/3'",
    "examples": [3, "1/3", 0.5],
})]


def _keys(**name: Any) -> Any:
    """JSON Schema hint for a mapping field: every key is a string matching *name* (a JSON Schema).

    pydantic writes constrained keys as ``patternProperties``, which lets any other key through; a key the
    loader refuses must be refused by the schema too.
    """

    def hint(schema: dict[str, Any]) -> None:
        for part in (schema, *schema.get("anyOf", ())):
            if part.get("type") == "object":
                values = part.pop("patternProperties", None)
                if values:
                    part["additionalProperties"] = next(iter(values.values()))
                part["propertyNames"] = name

    return hint


NUMBER_KEY = r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
INTEGER_KEY = r"^[-+]?[0-9]+$"


def _choices(zh: str, en: str, choices: dict[str, tuple[str, str]]) -> str:
    """A bilingual description naming every allowed value: '中文：v 含义；… / English: v meaning; …'."""
    return (zh + "：" + "；".join(f"{k} {z}" for k, (z, _) in choices.items()) + " / "
            + en + ": " + "; ".join(f"{k} {e}" for k, (_, e) in choices.items()))


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


SOURCE_KINDS = {"standard": ("标准", "standard"), "paper": ("论文", "paper"), "guide": ("指南", "guide"),
                "policy": ("政策文件", "policy"), "book": ("书籍", "book"), "web": ("网页", "web page"),
                "other": ("其他", "other")}


class Source(StrictModel):
    """A standard, paper or guide the rubric draws on, with how well its use was checked."""

    id: Id = Field(description="来源标识，供 sources: [id] 引用 / source id, referred to by sources: [id]",
                   examples=["gbt22900"])
    title: Text = Field(description="来源标题 / title of the source")
    kind: Literal["standard", "paper", "guide", "policy", "book", "web", "other"] = Field(
        "other", description=_choices("来源类型", "kind of source", SOURCE_KINDS))
    ref: str | None = Field(None, description="标准编号或引文，如 GB/T 22900-2022 / standard number or citation, "
                                              "e.g. 'GB/T 22900-2022'", examples=["GB/T 22900-2022"])
    url: str | None = Field(None, description="来源网址 / web address of the source")
    confidence: Confidence = Field(description=_choices("核对程度", "how well its use was checked",
                                                        CONFIDENCE_MEANING))
    note: Text | None = Field(None, description="备注 / note")


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

    id: Id = Field(description="检查项标识 / checklist item id")
    text: Text = Field(description="检查问题 / the question asked")
    tag: Literal["technical", "manufacturing", "programmatic"] = Field(
        "technical", description=_choices("问题类别", "kind of question", {
            "technical": ("技术", "technical"), "manufacturing": ("制造", "manufacturing"),
            "programmatic": ("项目管理", "programmatic")}))
    answer: Literal["yes_no", "percent"] = Field(
        "yes_no", description=_choices("回答方式", "how it is answered", {
            "yes_no": ("是/否", "yes or no"), "percent": ("完成百分比", "percent complete")}))
    evidence: list[EvidenceKind] = Field(default_factory=list, description=_choices(
        "回答所需证据", "evidence the answer needs", EVIDENCE_KINDS))
    note: Text | None = Field(None, description="备注 / note")


class Level(StrictModel):
    """One rung of an ordinal ladder (e.g. TRL 4)."""

    level: int = Field(description="等级序号（从低到高，不得跳级）/ level number (low to high, no gaps)",
                       examples=[4])
    label: Text = Field(description="等级名称 / name of the level", examples=[{"zh": "实验室验证", "en": "Lab validation"}])
    descriptor: Text | None = Field(None, description="达到该等级的描述 / what reaching this level means")
    evidence: list[Text] = Field(default_factory=list, description="该等级的证据示例 / examples of evidence for "
                                                                   "this level")
    points: float | None = Field(None, description="该等级的效用 [0, 1]（分值表）；默认按等级均匀分布 / utility of "
                                                    "this level in [0, 1] (a points table); default: evenly spaced "
                                                    "by rank")
    checklist: list[ChecklistItem] = Field(default_factory=list, description="判定是否达到该等级的检查项 / questions "
                                                                             "deciding whether the level is reached")
    sources: list[str] = Field(default_factory=list, description="该等级措辞的来源标识 / source ids for this "
                                                                 "level's wording")
    confidence: Confidence | None = Field(None, description=_choices("该等级措辞的核对程度", "how well this "
                                                                     "level's wording was checked", CONFIDENCE_MEANING))


class LevelsScale(StrictModel):
    """Anchored ordinal ladder (TRL 1-9, MRL 1-10, CRI 1-6 ...). Never averaged."""

    kind: Literal["levels"] = Field(description="量表类型：levels 有锚定描述的等级（不取平均）/ scale kind: levels, an "
                                                "anchored ordinal ladder (never averaged)")
    label: Text | None = Field(None, description="量表名称 / name of the scale")
    abbreviation: str | None = Field(None, description="等级前显示的简称，如 TRL、MRL / short name shown before the "
                                                       "level, e.g. 'TRL', 'MRL'", examples=["TRL"])
    description: Text | None = Field(None, description="量表说明 / description of the scale")
    sources: list[str] = Field(default_factory=list, description="本文件 sources 中的来源标识 / ids of entries in the "
                                                                 "file's sources")
    confidence: Confidence | None = Field(None, description=_choices("核对程度", "how well it was checked",
                                                                     CONFIDENCE_MEANING))
    levels: list[Level] = Field(min_length=2, description="各等级，从低到高 / the levels, low to high")
    green_threshold: float = Field(1.0, ge=0, le=1, description="达到某等级所需的检查项比例 / checklist share that "
                                                                "reaches a level")
    yellow_threshold: float = Field(0.5, ge=0, le=1, description="报告为“部分达到”的检查项比例 / checklist share "
                                                                 "reported as partial")
    evidence_required: bool = Field(False, description="是否要求证据：为真时，没有证据（文件哈希或引用）的“是”不计入 / "
                                                       "True: a 'yes' without evidence (a file hash or a reference) "
                                                       "does not count towards a level.")


class Band(StrictModel):
    """A score band with its anchor, e.g. 90-100 重大突破."""

    min: float = Field(description="分段下限 / lowest score of the band")
    max: float = Field(description="分段上限 / highest score of the band")
    label: Text = Field(description="分段名称 / name of the band", examples=[{"zh": "重大突破", "en": "breakthrough"}])
    descriptor: Text | None = Field(None, description="分段描述 / what a score in this band means")


class LikertScale(StrictModel):
    """Rating scale from ``min`` to ``max`` in ``step`` with anchor text per point or band."""

    kind: Literal["likert"] = Field(description="量表类型：likert 评分（min 到 max，步长 step）/ scale kind: likert, "
                                                "a rating from min to max in steps")
    label: Text | None = Field(None, description="量表名称 / name of the scale")
    min: float = Field(1, description="最低分 / lowest score")
    max: float = Field(5, description="最高分 / highest score")
    step: float = Field(1, gt=0, description="步长 / step between scores")
    anchors: dict[float, Text] = Field(default_factory=dict, description="分值 -> 锚定描述 / score -> anchor text",
                                       json_schema_extra=_keys(pattern=NUMBER_KEY),
                                       examples=[{1: {"zh": "很差", "en": "poor"}, 5: {"zh": "优秀", "en": "excellent"}}])
    bands: list[Band] = Field(default_factory=list, description="分数段及其描述，如 90-100 重大突破 / score bands "
                                                                "with their anchors, e.g. 90-100 breakthrough")


class LinearTransform(StrictModel):
    """Utility 0 at ``lower`` and 1 at ``upper`` (reversed for a cost), clipped outside."""

    kind: Literal["linear"] = Field(description="变换类型：linear 线性 / transform kind: linear")
    lower: float = Field(description="效用为 0 的值（成本型为 1）/ value with utility 0 (1 for a cost)")
    upper: float = Field(description="效用为 1 的值（成本型为 0）/ value with utility 1 (0 for a cost)")


class Threshold(StrictModel):
    """One step of a threshold transform."""

    at: float = Field(description="效益型：从该值起适用；成本型：到该值为止适用 / value from which this utility "
                                  "applies (benefit) or up to which (cost)")
    utility: float = Field(ge=0, le=1, description="该段的效用 [0, 1] / utility of this step in [0, 1]")


class ThresholdTransform(StrictModel):
    """Step function: for ``benefit`` the utility of the highest threshold reached (x >= at); for ``cost``
    the utility of the lowest threshold not exceeded (x <= at). ``below`` applies outside every step."""

    kind: Literal["thresholds"] = Field(description="变换类型：thresholds 阶梯 / transform kind: thresholds (steps)")
    below: float = Field(0.0, ge=0, le=1, description="低于第一个阈值时的效用 / utility below the first threshold")
    steps: list[Threshold] = Field(min_length=1, description="阶梯：阈值与效用 / the steps: threshold and utility")


class PiecewiseTransform(StrictModel):
    """Piecewise-linear utility through ``points`` ([value, utility] pairs), flat outside."""

    kind: Literal["piecewise"] = Field(description="变换类型：piecewise 分段线性 / transform kind: piecewise linear")
    points: list[tuple[float, float]] = Field(min_length=2, description="[值, 效用] 点，值严格递增 / [value, utility] "
                                                                        "points, values strictly increasing",
                                              examples=[[[0, 0], [10, 0.6], [100, 1]]])


Transform = Annotated[Union[LinearTransform, ThresholdTransform, PiecewiseTransform],
                      Field(discriminator="kind")]


class NumericScale(StrictModel):
    """A measured quantity (market size, cost reduction ...) with a utility transform."""

    kind: Literal["numeric"] = Field(description="量表类型：numeric 数值（经效用变换）/ scale kind: numeric, a measured "
                                                 "quantity with a utility transform")
    label: Text | None = Field(None, description="量表名称 / name of the scale")
    unit: str | None = Field(None, description="单位 / unit", examples=["亿元", "%"])
    direction: Literal["benefit", "cost"] = Field("benefit", description=_choices("方向", "direction", {
        "benefit": ("效益型，越大越好", "higher is better"), "cost": ("成本型，越小越好", "lower is better")}))
    min: float | None = Field(None, description="最小有效值（输入检查）/ smallest valid value (input check)")
    max: float | None = Field(None, description="最大有效值（输入检查）/ largest valid value (input check)")
    transform: Transform = Field(description="效用变换：linear、thresholds 或 piecewise / utility transform: linear, "
                                             "thresholds or piecewise")


class BooleanScale(StrictModel):
    """Yes/no: a must-meet or knock-out criterion."""

    kind: Literal["boolean"] = Field(description="量表类型：boolean 是/否（必备或否决条件）/ scale kind: boolean, yes or "
                                                 "no (a must-meet or knock-out criterion)")
    label: Text | None = Field(None, description="量表名称 / name of the scale")
    true_label: Text = Field(I18nText(zh="是", en="yes"), description="“是”的显示文字 / how 'yes' is shown")
    false_label: Text = Field(I18nText(zh="否", en="no"), description="“否”的显示文字 / how 'no' is shown")
    pass_value: bool = Field(True, description="通过的回答（效用 1）/ the answer that passes (utility 1)")


class Grade(StrictModel):
    """One named grade of a grades scale."""

    id: Id = Field(description="等级标识 / grade id", examples=["good"])
    label: Text = Field(description="等级名称 / name of the grade", examples=[{"zh": "良", "en": "good"}])
    value: float = Field(description="该等级的分值，用于把等级向量化为一个数 / score of this grade, used to turn a "
                                     "grade vector into a number")


class GradesScale(StrictModel):
    """Named grades (优/良/中/差 ...) for fuzzy comprehensive evaluation: experts give a grade or memberships."""

    kind: Literal["grades"] = Field(description="量表类型：grades 评语等级（模糊综合评价）/ scale kind: grades, named "
                                                "grades for fuzzy comprehensive evaluation")
    label: Text | None = Field(None, description="量表名称 / name of the scale")
    grades: list[Grade] = Field(min_length=2, description="各等级，如 优/良/中/差 / the grades, e.g. excellent, good, "
                                                          "fair, poor")


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
    Field(description="量表：scales 中（或导入的量表库中）的量表名称，或直接写出的量表 / the scale: the name of a scale "
                      "in `scales:` (or an imported library), or an inline scale", examples=["likert5"]),
]

# --------------------------------------------------------------------------- weights

AHPMethod = Literal["eigenvector", "geometric_mean"]


class AHPSpec(StrictModel):
    """Weights of a node's children from pairwise judgements (Saaty's 1-9 scale).

    Give ``judgements`` as ``[a, b, value]`` (a is ``value`` times as important as b;
    ``'1/3'`` fractions allowed) or a full reciprocal ``matrix`` whose rows follow
    ``order`` (default: the children in file order).
    """

    method: AHPMethod = Field("eigenvector", description=_choices("求权方法", "weighting method", {
        "eigenvector": ("特征向量法（Saaty）", "principal eigenvector (Saaty)"),
        "geometric_mean": ("几何平均法", "row geometric mean")}))
    judgements: list[tuple[str, str, Ratio]] | None = Field(
        None, description="两两比较 [a, b, 值]：a 比 b 重要的倍数（1-9，或 '1/3' 等分数）/ pairwise judgements "
                          "[a, b, value]: a is value times as important as b (1-9, or fractions such as '1/3')",
        examples=[[["tech", "market", 3], ["tech", "team", "1/2"]]])
    matrix: list[list[Ratio]] | None = Field(
        None, description="完整的互反判断矩阵，行列顺序见 order / full reciprocal judgement matrix, rows and columns "
                          "in the order of `order`", examples=[[[1, 3], ["1/3", 1]]])
    order: list[str] | None = Field(None, description="矩阵行列对应的子节点标识（默认文件中的顺序）/ child ids of the "
                                                      "matrix rows (default: the children in file order)")
    ri_table: str | None = Field(None, description="随机一致性指标表（见 tlr ahp --help）/ random-index table (see "
                                                   "`tlr ahp --help`)")
    cr_max: float | None = Field(None, gt=0, description="一致性阈值；默认依方法而定 / consistency threshold; default "
                                                         "per method")
    allow_incomplete: bool = Field(False, description="允许缺少部分比较（比较图须连通，Harker 法）/ allow missing pairs "
                                                      "(connected comparisons; Harker's method)")


# --------------------------------------------------------------------------- tree


class NodeBase(StrictModel):
    """What dimensions and indicators share."""

    id: Id = Field(description="节点标识，在整个评价体系中唯一 / node id, unique in the whole rubric",
                   examples=["tech", "market_size"])
    label: Text = Field(description="名称 / name", examples=[{"zh": "技术先进性", "en": "Technical advancement"}])
    short: Text | None = Field(None, description="简称，用于表格列和图表 / short label for table columns and charts")
    description: Text | None = Field(None, description="说明 / description")
    weight: float | None = Field(None, description="在同级节点中的直接权重（非负）/ direct weight among siblings "
                                                   "(non-negative)", json_schema_extra={"minimum": 0},
                                 examples=[0.3])
    applies_to: list[AchievementType] | None = Field(None, description=_choices(
        "适用的成果类型，默认全部", "achievement types it applies to, default all", ACHIEVEMENT_TYPES))
    notes: Text | None = Field(None, description="备注 / notes")


class Indicator(NodeBase):
    """A leaf of the tree: what an expert scores."""

    scale: ScaleRef
    guidance: Text | None = Field(None, description="评分指引：看什么 / how to score: what to look at")
    points: dict[int, float] | None = Field(
        None,
        description="等级量表的分值表：等级 -> 效用 [0, 1]（覆盖量表自带分值；是本地政策，不是对等级做算术）/ "
                    "for a levels scale: this rubric's points table, level -> utility in [0, 1] "
                    "(overrides the scale's own points; a local policy, never arithmetic on levels)",
        json_schema_extra=_keys(pattern=INTEGER_KEY), examples=[{1: 0, 4: 0.5, 9: 1}],
    )
    role: Literal["score", "axis", "gate"] = Field(
        "score",
        description=_choices("作用", "role", {
            "score": ("计入综合得分", "enters the composite"),
            "axis": ("在综合得分旁单独报告（如 TRL 作为独立维度）", "reported beside it (e.g. TRL as its own axis)"),
            "gate": ("只用于否决规则", "only used by gates")}),
    )


class Dimension(NodeBase):
    """An inner node: a dimension or sub-dimension with children."""

    children: list["Node"] = Field(description="子节点：维度或指标 / children: dimensions or indicators")
    ahp: AHPSpec | None = Field(None, description="用层次分析法（AHP）确定子节点权重 / weights of the children by "
                                                  "AHP pairwise judgements")
    normalize: bool | None = Field(None, description="把子节点的直接权重缩放到和为 1 / rescale the children's direct "
                                                     "weights to sum to 1")
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

    ref: str | None = Field(None, description="比较对象：指标、维度、composite（综合得分）或 readiness（就绪度）/ what "
                                              "is compared: an indicator, a dimension, composite or readiness",
                            examples=["trl", "composite"])
    op: Op | None = Field(None, description="比较运算符：< <= > >= == != / comparison operator: < <= > >= == !=")
    value: float | bool | str | None = Field(None, description="比较的值（数字、true/false 或文字）/ value compared "
                                                               "with (a number, true/false or text)")
    all: list["Condition"] | None = Field(None, description="全部成立 / all of these hold")
    any: list["Condition"] | None = Field(None, description="任一成立 / any of these holds")
    not_: "Condition | None" = Field(None, alias="not", description="不成立 / this does not hold")


Condition.model_rebuild()


class Gate(StrictModel):
    """A knock-out rule written as data: when ``when`` holds, the project is knocked out (or capped)."""

    id: Id = Field(description="否决规则标识 / gate id")
    label: Text = Field(description="名称 / name")
    when: Condition = Field(description="触发条件 / the condition that triggers it",
                            examples=[{"ref": "trl", "op": "<", "value": 4}])
    effect: Literal["knockout", "flag"] = Field("knockout", description=_choices("效果", "effect", {
        "knockout": ("一票否决", "knocked out"), "flag": ("仅标记提醒", "flagged only")}))
    max_tier: str | None = Field(None, description="不否决，而把档次封顶于此档 / instead of a knock-out, cap the tier "
                                                   "at this one")
    route: str | None = Field(None, description="被否决项目转入的支持路径（如低成熟度转研究批）；不写则无支持路径 / "
                                               "The support route a project knocked out by this gate is sent to "
                                               "(e.g. immature work to the research batch); none when omitted.")
    reason: Text | None = Field(None, description="否决理由（写入报告）/ reason (shown in reports)")


class Tier(StrictModel):
    """A recommendation tier; tiers are tried in order, the first whose rule holds wins."""

    id: Id = Field(description="档次标识 / tier id", examples=["A"])
    label: Text = Field(description="名称 / name", examples=[{"zh": "优先支持", "en": "priority"}])
    min_score: float | None = Field(None, description="最低综合得分（按 score_scale 计）/ minimum composite (on the "
                                                      "rubric's score scale)", examples=[80])
    when: Condition | None = Field(None, description="另外须成立的条件 / a further condition that must hold")
    description: Text | None = Field(None, description="说明 / description")
    fundable: bool = Field(
        False,
        description="可资助档次：预算选择（tlr rank --budget）只从这些档次中选，资助线取其中最低的分数线 / "
                    "A fundable tier: a budget selection (tlr rank --budget) only funds projects in these tiers, "
                    "and the fundable line is the lowest min_score among them.")


class Route(StrictModel):
    """A support route (research / pilot and transfer / investment and landing), first match wins."""

    id: Id = Field(description="支持路径标识 / route id", examples=["research"])
    label: Text = Field(description="名称 / name")
    short: Text | None = Field(None, description="简称，用于表格列 / short label for table columns")
    when: Condition | None = Field(None, description="进入该路径的条件 / the condition for this route")
    description: Text | None = Field(None, description="说明 / description")


class TopsisOptions(StrictModel):
    """TOPSIS settings: which values it compares."""

    mode: Literal["utility", "raw"] = Field(
        "utility", description="比较的值：utility 各指标效用（0-1，均为效益型）；raw 共识原值（数值指标按单位与方向，"
                               "评分与等级指标按其量表）/ "
                               "utility: the indicators' utilities (0-1, every criterion a benefit; the result "
                               "moves with the utility bounds). raw: the consensus values themselves - numeric "
                               "indicators in their units with their scale's direction (benefit/cost), likert and "
                               "levels indicators on their own scale (higher is better), other kinds by utility.")


class Aggregation(StrictModel):
    """How indicator utilities become one composite score."""

    method: Literal["weighted_sum", "fuzzy", "topsis"] = Field("weighted_sum", description=_choices(
        "综合方法", "aggregation method", {"weighted_sum": ("加权求和", "weighted sum"),
                                          "fuzzy": ("模糊综合评价", "fuzzy comprehensive evaluation"),
                                          "topsis": ("逼近理想解排序法", "TOPSIS, closeness to the ideal")}))
    grades: str | None = Field(None, description="模糊评价用的评语等级量表（给出等级分值）/ for fuzzy: the grades scale "
                                                 "giving grade values")
    operator: Literal["weighted_average", "min_max"] = Field("weighted_average", description=_choices(
        "模糊合成算子", "fuzzy composition operator", {
            "weighted_average": ("加权平均 M(·,⊕)", "weighted average M(·,⊕)"),
            "min_max": ("取小取大 M(∧,∨)", "min-max M(∧,∨)")}))
    topsis: TopsisOptions = Field(default_factory=TopsisOptions, description="TOPSIS 设置：utility 或 raw / for "
                                                                             "topsis: utility or raw mode")


class PanelRules(StrictModel):
    """How a panel's scores become a consensus (review procedure as data)."""

    consensus: Literal["mean", "median", "trimmed_mean", "weighted_mean"] = Field("mean", description=_choices(
        "共识方法", "consensus", {"mean": ("平均", "mean"), "median": ("中位数", "median"),
                                 "trimmed_mean": ("去掉最高最低后平均", "trimmed mean"),
                                 "weighted_mean": ("按专家权重加权平均", "mean weighted by expert weights")}))
    trim: int = Field(1, ge=0, description="trimmed_mean 每端去掉的分数个数 / scores dropped at each end for "
                                           "trimmed_mean")
    min_after_trim: int = Field(3, ge=1, description="去掉后至少保留这么多分数才去掉，否则取中位数并标记项目 / trim only "
                                                     "when at least this many scores remain; otherwise the median is "
                                                     "used and the project flagged")
    min_experts: int = Field(5, ge=1, description="每个项目最少专家数 / minimum experts per project")
    quorum: float = Field(2 / 3, gt=0, le=1, description="须评分的已分配专家比例 / share of assigned experts who must "
                                                         "score")
    leniency_correction: bool = Field(False, description="等同 calibration: leniency（为旧评价体系保留）/ same as "
                                                         "calibration: leniency (kept for older rubrics)")
    calibration: Literal["none", "leniency", "additive", "bayesian", "scaled"] | None = Field(
        None,
        description="评分与数值指标的专家校正：none 不校正；leniency 每位专家的分数标准化后平均；additive 加性模型"
                    "（分数 = 质量 + 专家宽严 + 噪声，加权最小二乘）；bayesian 同上并经验贝叶斯收缩；scaled 另估专家尺度"
                    "（专家可能拉开或压缩分数）；不写时 leniency_correction 为真则 leniency，否则 none / "
                    "Rater calibration of the rating and number indicators: none; leniency (each expert's "
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


# --------------------------------------------------------------------------- valuation (docs/valuation.md)

Fraction01 = Annotated[float, Field(ge=0, le=1)]


class ValuationStage(StrictModel):
    """A readiness stage of the rNPV decision tree (replaces the packaged default of the same path)."""

    id: Id = Field(description="阶段标识 / stage id", examples=["pilot"])
    from_trl: int = Field(ge=1, le=8, description="起始 TRL / readiness at the stage's start")
    to_trl: int = Field(ge=2, le=9, description="结束 TRL（成功时达到）/ readiness reached when the stage succeeds")
    p_success: Fraction01 = Field(description="成功概率（0-1）/ probability of success (0-1)")
    p_range: list[Fraction01] | None = Field(None, min_length=2, max_length=2,
                                             description="成功概率的合理区间 [低, 高] / plausible range [low, high]")
    years: float | list[Annotated[float, Field(ge=0, le=50)]] = Field(
        description="持续年数：一个数，或 [低, 最可能, 高] / duration in years: a number, or [low, mode, high]")
    cost_share: float = Field(gt=0, le=1, description="剩余研发投入中本阶段所占比例 / share of the remaining R&D cost "
                                                      "paid at the stage's start")
    source: str | None = Field(None, max_length=500, description="数据来源 / where the numbers come from")
    confidence: Literal["low", "medium", "high"] = Field(
        "low", description=_choices("可信度", "confidence", {"low": ("无可靠来源，判断", "no good source, judgement"),
                                                             "medium": ("由来源推得", "derived from a source"),
                                                             "high": ("来源中原有", "printed in the source")}))
    note: str | None = Field(None, max_length=2000, description="说明 / note")

    @model_validator(mode="after")
    def _ordered(self) -> "ValuationStage":
        if self.to_trl <= self.from_trl:
            raise ValueError(f"to_trl ({self.to_trl}) must be above from_trl ({self.from_trl})")
        if isinstance(self.years, list) and (len(self.years) != 3 or not self.years[0] <= self.years[1] <= self.years[2]):
            raise ValueError("years must be one number or [low, mode, high] with low <= mode <= high")
        if isinstance(self.years, (int, float)) and not 0 <= self.years <= 50:
            raise ValueError("years must be between 0 and 50")
        if self.p_range is not None and not self.p_range[0] <= self.p_success <= self.p_range[1]:
            raise ValueError("p_range must be [low, high] around p_success")
        return self


class ValuationIndustry(StrictModel):
    """Stages for the projects of some industries (e.g. clinical phases for biomedicine)."""

    match: list[str] = Field(min_length=1, description="适用的行业名称（与项目的行业一致）/ industry names it "
                                                       "applies to (as in the projects' industry)")
    stages: list[ValuationStage] = Field(min_length=1, description="这些行业的阶段 / the stages of these industries")


class ValuationSettings(StrictModel):
    """Defaults of ``tlr value``; every key optional (unstated: the packaged defaults, docs/valuation.md)."""

    discount_rate: float | None = Field(None, gt=0, le=1, description="风险调整净现值的折现率 / rNPV discount rate")
    risk_free: float | None = Field(None, ge=0, le=1, description="收益法：无风险报酬率 / income approach: "
                                                                 "risk-free rate")
    risk_premiums: dict[Id, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        None, description="收益法：各项风险报酬率（技术、市场、资金、管理…）/ income approach: risk premiums "
                          "(technology, market, finance, management ...)")
    commercial_life: float | None = Field(None, gt=0, le=50, description="上市后的收益年限 / years of profits "
                                                                         "after launch")
    ramp_years: float | None = Field(None, ge=0, le=50, description="达到满产的年数（线性爬坡）/ years to full uptake "
                                                                     "(linear ramp)")
    tax_rate: float | None = Field(None, ge=0, lt=1, description="所得税率 / income tax rate")
    profit_share: float | None = Field(None, gt=0, le=1, description="利润分成率：项目未给分成率时，分成率 = 利润"
                                                                     "分成率 × 利润率 / profit share: the revenue "
                                                                     "share is profit share × margin when the "
                                                                     "project gives none")
    distribution: Literal["triangular", "pert"] | None = Field(None, description=_choices(
        "区间输入的分布", "distribution of ranged inputs", {"triangular": ("三角分布", "triangular"),
                                                            "pert": ("PERT 分布", "PERT (Beta)")}))
    stages: list[ValuationStage] | None = Field(None, description="替换内置的阶段 / replaces the packaged stages")
    industries: dict[Id, ValuationIndustry] | None = Field(
        None, description="按行业替换阶段 / stages by industry (replace the packaged industry overrides of the same "
                          "id)", json_schema_extra=_keys(pattern=ID_PATTERN, maxLength=ID_MAX))


# --------------------------------------------------------------------------- documents


class _DocumentBase(StrictModel):
    format: Literal[1] = Field(FORMAT_VERSION, description="文件格式版本，目前为 1 / file format version, currently 1")
    id: Id = Field(description="文件标识 / id of this file", examples=["fund-screening"])
    version: Annotated[str, BeforeValidator(_version_str)] = Field(
        description="版本号，写成带引号的字符串（YAML 把 1.10 读作 1.1）/ version, written as a quoted string "
                    "(YAML reads 1.10 as the number 1.1)", examples=["1.0.0"])
    description: Text | None = Field(None, description="说明 / description")
    sources: list[Source] = Field(default_factory=list, description="引用的标准、论文、指南 / standards, papers and "
                                                                    "guides it draws on")


class ScaleLibrary(_DocumentBase):
    """A file of named scales (readiness ladders, grade sets) that rubrics can ``imports:``."""

    kind: Literal["scale_library"] = Field(description="文件类型：scale_library 量表库 / kind of file: a scale library")
    title: Text = Field(description="标题 / title")
    scales: dict[Id, Scale] = Field(min_length=1, description="量表名称 -> 量表 / scale name -> scale",
                                    json_schema_extra=_keys(pattern=ID_PATTERN, maxLength=ID_MAX))


class ScaleImport(StrictModel):
    """Import a scale library under other scale names (two ladders both called ``trl``, say)."""

    file: str = Field(description="量表库文件，相对于本文件 / the scale library file, relative to this file",
                      examples=["readiness/trl-nasa.yaml"])
    rename: dict[str, Id] = Field(default_factory=dict, description="量表库中的名称 -> 本文件中的名称 / scale name "
                                                                    "in the library -> name here",
                                  examples=[{"trl": "trl_nasa"}])


_PATCH_KEYS = {"remove": "maxItems", "add": "maxProperties", "replace": "maxItems", "update": "maxProperties",
               "weights": "maxProperties"}
# What the loader requires of a rubric that extends nothing (tlr.rubric.loader.resolve_document): a title and
# dimensions, and no overrides (an empty override is allowed). `extends: ""` extends nothing.
_WITHOUT_EXTENDS = {
    "if": {"properties": {"extends": {"type": "string", "minLength": 1}}, "required": ["extends"]},
    "else": {"required": ["title", "dimensions"],
             "properties": {"title": {"not": {"type": "null"}}, "dimensions": {"type": "array"},
                            **{key: {limit: 0} for key, limit in _PATCH_KEYS.items()}}},
}


class RubricDocument(_DocumentBase):
    """A rubric: the tree of dimensions and indicators, their weights and rules.

    A rubric that ``extends:`` another gives only what changes: ``remove``, ``add``,
    ``replace``, ``update`` and ``weights``.
    """

    model_config = ConfigDict(json_schema_extra=_WITHOUT_EXTENDS)

    kind: Literal["rubric"] = Field("rubric", description="文件类型：rubric 评价体系（默认）/ kind of file: rubric "
                                                          "(the default)")
    title: Text | None = Field(None, description="标题；继承（extends）其他评价体系时可省略 / title; required, except "
                                                 "in a rubric that extends another")
    applies_to: list[AchievementType] = Field(default_factory=list, description=_choices(
        "适用的成果类型", "achievement types it applies to", ACHIEVEMENT_TYPES))
    extends: str | None = Field(None, description="基础评价体系文件，相对于本文件；本文件只写改动 / base rubric file, "
                                                  "relative to this file; this file gives only what changes",
                                examples=["fund-screening.yaml"])
    imports: list[Annotated[Union[Annotated[str, Tag("path")], Annotated["ScaleImport", Tag("spec")]],
                            Discriminator(lambda v: "spec" if isinstance(v, (dict, BaseModel)) else "path")]] = Field(
        default_factory=list,
        description="导入的量表库，相对于本文件：路径，或 {file, rename: {量表: 新名称}} / scale libraries, relative to "
                    "this file: a path, or {file, rename: {scale: new_name}}",
        examples=[["readiness/trl-nasa.yaml"]])
    normalize: bool = Field(False, description="把直接权重缩放到同级之和为 1 / rescale direct weights so siblings sum "
                                               "to 1")
    score_scale: float = Field(100, gt=0, description="综合得分的满分（报告为 0..score_scale）/ the composite is "
                                                      "reported on 0..score_scale")
    scales: dict[Id, Scale] = Field(default_factory=dict, description="量表名称 -> 量表 / scale name -> scale",
                                    json_schema_extra=_keys(pattern=ID_PATTERN, maxLength=ID_MAX))
    dimensions: list[Node] | None = Field(None, description="指标树：维度（children）与指标（scale）/ the tree: "
                                                            "dimensions (with children) and indicators (with a scale)")
    ahp: AHPSpec | None = Field(None, description="用 AHP 确定顶层维度的权重 / AHP weights of the top-level dimensions")
    readiness: str | None = Field(
        None,
        description="作为项目就绪度（TRL）的等级指标标识，条件中称 readiness；有基于证据的 TRL 评估时用它代替专家组中位数 / "
                    "Id of the levels indicator that is the project's readiness (TRL); conditions refer to it "
                    "as 'readiness'. An evidence-based TRL assessment of the project, when present, is used "
                    "instead of the panel's median.",
    )
    aggregation: Aggregation = Field(default_factory=Aggregation,
                                     description="指标效用如何合成综合得分 / how indicator utilities become one composite")
    panel: PanelRules = Field(default_factory=PanelRules, description="专家组规则：共识、去极值、法定人数、校正 / panel "
                                                                      "rules: consensus, trimming, quorum, calibration")
    valuation: ValuationSettings | None = Field(None, description="估值（tlr value）的默认参数；不写则用内置默认值 / "
                                                                 "defaults of the valuation (tlr value); unstated: "
                                                                 "the packaged defaults")
    gates: list[Gate] | None = Field(None, description="一票否决规则 / knock-out rules")
    tiers: list[Tier] | None = Field(None, description="推荐档次，按顺序匹配 / recommendation tiers, first match wins")
    routes: list[Route] | None = Field(None, description="支持路径，按顺序匹配 / support routes, first match wins")
    # -- overrides, only with `extends`
    remove: list[str] = Field(default_factory=list, description="仅用于 extends：从基础体系删除的节点标识 / with "
                                                                "extends only: ids of nodes to remove from the base")
    add: dict[str, list[Node]] = Field(default_factory=dict,
                                       description="仅用于 extends：父节点标识（顶层为 root）-> 追加的节点 / with "
                                                   "extends only: parent id ('root' for the top) -> nodes to append")
    replace: list[Node] = Field(default_factory=list, description="仅用于 extends：替换基础体系中同标识节点的节点 / "
                                                                  "with extends only: nodes replacing the base node "
                                                                  "of the same id")
    update: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                              description="仅用于 extends：节点标识 -> 要改的字段（label、weight、ahp …）/ "
                                                          "with extends only: node id -> fields to change (label, "
                                                          "weight, ahp ...)")
    weights: dict[str, float] = Field(default_factory=dict, description="仅用于 extends：节点标识 -> 新的直接权重 / "
                                                                        "with extends only: node id -> new direct "
                                                                        "weight",
                                      json_schema_extra={"additionalProperties": {"type": "number", "minimum": 0}})

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
