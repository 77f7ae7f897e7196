"""Findings: what a reader must know about a project beyond its score, as codes with parameters.

The numeric results carry :class:`Finding` objects (a code and JSON-ready parameters), never
sentences. Text is made at the edges — CLI, JSON, report — from one catalogue, so the same finding
reads the same everywhere and the Chinese paper carries no English fragments (and vice versa).

>>> Finding("review_sd", {"value": 14.63, "threshold": 12}).text("zh")
'专家意见分歧：综合分标准差 14.6 > 12'
>>> Finding("review_sd", {"value": 14.63, "threshold": 12}).text("en")
'panel disagreement: sd of the experts\\' composites 14.6 > 12'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# code -> (zh template, en template, severity). Templates use str.format with the finding's params;
# a param given as {"zh": ..., "en": ...} (a label) is shown in the reader's language.
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "unscored": ("无人评分", "no scores", "review"),
    "incomplete": ("{missing} 个指标无人评分，综合分按已评指标计算",
                   "{missing} indicator(s) unscored; composite over those scored", "note"),
    "gate_undecided": ("无法判定：{gate}（评分缺失或平票）", "undecided: {gate} (scores missing or tied)", "review"),
    "gate_flag": ("提示：{gate}", "flag: {gate}", "note"),
    "gate_cap": ("{gate}：档次不高于 {tier}", "{gate}: tier capped at {tier}", "note"),
    "review_sd": ("专家意见分歧：综合分标准差 {value:.1f} > {threshold:g}",
                  "panel disagreement: sd of the experts' composites {value:.1f} > {threshold:g}", "review"),
    "review_range": ("专家意见分歧：综合分极差 {value:.1f} > {threshold:g}",
                     "panel disagreement: range of the experts' composites {value:.1f} > {threshold:g}", "review"),
    "below_min_experts": ("评分专家不足：{n} 位 < 最少 {min} 位", "too few experts: {n} < {min}", "review"),
    "below_quorum": ("未达法定人数：{n}/{panel} 位专家完成评分（要求 {quorum:.0%}）",
                     "below quorum: {n} of {panel} experts scored (needs {quorum:.0%})", "review"),
    "note_trim_fallback": ("{cells} 个“项目×指标”单元格的评分不足（去掉最高最低分后少于 {min_after_trim} 个），"
                           "改用中位数", "{cells} project-indicator cells had too few scores for the trimmed mean "
                           "(fewer than {min_after_trim} would remain): the median was used", "method"),
    "note_robustness_weighted_sum": ("排名稳健性按同一组效用的加权求和计算；排序本身采用 {aggregation}",
                                     "rank robustness is computed for the weighted sum of the same utilities; the "
                                     "ranking itself uses {aggregation}", "method"),
    "note_topsis_raw_excluded": ("TOPSIS（原始值）：{projects} 个项目缺少某项原始值，无法计算接近度，未参与排序",
                                 "TOPSIS (raw values): {projects} project(s) lack a raw value and have no closeness; "
                                 "they are not ranked", "method"),
    "note_bootstrap_skipped": ("未进行专家自助重抽样：{reason}", "expert bootstrap skipped: {reason}", "method"),
    "readiness_asserted": ("技术就绪水平为评估人断言，部分“是”缺少证据",
                           "readiness asserted by the assessor: some 'yes' answers lack evidence", "note"),
}

REVIEW = "review"


def _render_param(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping) and ("zh" in value or "en" in value):
        return (value.get(lang) or value.get("zh" if lang == "en" else "en") or "")
    if hasattr(value, "zh") and hasattr(value, "en"):  # I18nText
        return getattr(value, lang) or getattr(value, "zh" if lang == "en" else "en") or ""
    return value


@dataclass(frozen=True)
class Finding:
    """One finding about a project: a code from :data:`CATALOGUE` and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"unknown finding code {self.code!r}")

    @property
    def severity(self) -> str:
        """``review`` (the project needs another look, 需复议) or ``note`` (worth knowing)."""
        return CATALOGUE[self.code][2]

    def text(self, lang: str = "zh") -> str:
        zh, en, _ = CATALOGUE[self.code]
        params = {k: _render_param(v, lang) for k, v in self.params.items()}
        return (zh if lang == "zh" else en).format(**params)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """``{"code", "params", "text"}``; ``text`` in *lang* (both languages when *lang* is None)."""
        params = {k: (dict(_as_mapping(v)) if _is_label(v) else v) for k, v in self.params.items()}
        text: Any = self.text(lang) if lang else {"zh": self.text("zh"), "en": self.text("en")}
        return {"code": self.code, "severity": self.severity, "params": params, "text": text}


def _is_label(value: Any) -> bool:
    return (isinstance(value, Mapping) and ("zh" in value or "en" in value)) or (
        hasattr(value, "zh") and hasattr(value, "en"))


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    return {"zh": value.zh, "en": value.en}


def label(text: Any) -> dict[str, str]:
    """A rubric label (plain string or I18nText) as a ``{"zh", "en"}`` parameter."""
    if text is None:
        return {"zh": "", "en": ""}
    if isinstance(text, str):
        return {"zh": text, "en": text}
    if isinstance(text, Mapping):
        zh, en = text.get("zh"), text.get("en")
    else:
        zh, en = getattr(text, "zh", None), getattr(text, "en", None)
    return {"zh": zh or en or "", "en": en or zh or ""}


__all__ = ["Finding", "CATALOGUE", "REVIEW", "label"]
