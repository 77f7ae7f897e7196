"""``portfolio.yaml``: the committee's rules for a portfolio (years, objective, tranches, quotas, dependencies,
exclusions, partial funding, must-include / must-exclude with reasons).

The pydantic models are the format's single source of truth (bilingual field descriptions). :func:`load_spec`
reads a file safely (:mod:`tlr.yamlio`) and checks it against the campaign (a :class:`SpecVocabulary` built by
the caller), reporting every problem at once with file, line, field and a fix (exit code 2). The pools and
their budgets are in funds.yaml (``budget:`` per fund); money is in 万元. docs/portfolio.md.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tlr.errors import Diagnostic, Location, ValidationError

FORMAT_VERSION = 1
OBJECTIVES = ("above-line", "value-for-money", "rnpv")
Year = Annotated[int, Field(ge=2000, le=2100)]
ProjectId = Annotated[str, Field(min_length=1, max_length=80, description="项目编号 / project id",
                                 examples=["P2026-007"])]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="理由 / reason")]
Share = Annotated[float, Field(gt=0, le=1)]
Milestone = Union[Annotated[int, Field(ge=1, le=9)], Annotated[str, Field(pattern=r"^\+[1-8]$")]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Tranches(_Strict):
    """How a ticket is paid over the years: shares per year, later tranches released on a TRL milestone."""

    split: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        min_length=1, max_length=10, description="每年支付的份额（从第一年起，合计为 1）/ share of the ticket paid each "
                                                 "year from the first (sums to 1)", examples=[[0.6, 0.4]])
    milestones: list[Milestone] = Field(
        default_factory=list, description="第 2 笔起各笔的拨付里程碑：绝对 TRL（如 6）或相对当前 TRL（如 \"+1\"）/ the "
                                          "milestone releasing each tranche from the second: an absolute TRL (6) or "
                                          "relative to the project's TRL (\"+1\")", examples=[["+1"]])
    p_default: float | None = Field(
        None, ge=0, le=1, description="项目无阶段概率（估值 JSON 中无 stages）时采用的里程碑达成概率；省略则按全额计 / "
                                      "probability of reaching a milestone for a project without stages in the "
                                      "valuation JSON; omitted = the tranche is counted in full")

    @model_validator(mode="after")
    def _shape(self) -> Tranches:
        if abs(sum(self.split) - 1.0) > 1e-6:
            raise ValueError(f"split 合计须为 1 / split must sum to 1, got {sum(self.split):g}")
        if len(self.milestones) != len(self.split) - 1:
            raise ValueError(f"milestones 须比 split 少一个（第一笔签约即付）/ milestones needs one entry per tranche "
                             f"after the first: {len(self.split) - 1}, got {len(self.milestones)}")
        return self


class Partial(_Strict):
    """Projects that may be funded in part (value and budget use scale with the share)."""

    min_share: Share = Field(description="最低资助比例 (0, 1] / the smallest share of the ticket funded", examples=[0.5])
    projects: list[ProjectId] | None = Field(None, min_length=1, description="可部分资助的项目；省略为全部 / the projects "
                                                                             "that may be funded in part; omitted = all")


class QuotaSpec(_Strict):
    """A lower and/or upper bound on a group of projects."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80)] = Field(
        description="配额编号 / quota id", examples=["biomed-min"])
    by: Literal["industry", "route", "region", "all"] = Field(
        description="分组：industry 行业 | route 支持路径 | region 所在地区 | all 全部 / group by")
    values: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, min_length=1, description="组内的行业、路径或地区（by: all 时省略）/ the industries, routes or places in the "
                                        "group (omitted for by: all)", examples=[["biomedicine_health"]])
    measure: Literal["count", "money", "share"] = Field(
        "count", description="count 项目数 | money 承诺金额（万元，全额）| share 占全部承诺金额的比例 / count funded, money "
                             "committed (万元, full tranches), share of all money committed")
    min: float | None = Field(None, ge=0, le=1e9, description="下限 / lower bound")
    max: float | None = Field(None, ge=0, le=1e9, description="上限 / upper bound")
    reason: Reason | None = None

    @model_validator(mode="after")
    def _bounds(self) -> QuotaSpec:
        if self.min is None and self.max is None:
            raise ValueError("配额须有 min 或 max / a quota needs a min or a max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} 高于 max {self.max:g} / min is above max")
        if self.measure == "share" and any(b is not None and b > 1 for b in (self.min, self.max)):
            raise ValueError("share 的界限在 0 与 1 之间 / share bounds are fractions between 0 and 1")
        if (self.by == "all") != (self.values is None):
            raise ValueError("by: all 不写 values；其余须写 values / by: all takes no values; the others need values")
        return self


class Dependency(_Strict):
    """Project ``project`` is funded only if ``needs`` is."""

    project: ProjectId
    needs: ProjectId
    reason: Reason | None = None


class Exclusion(_Strict):
    """At most one of ``projects`` is funded."""

    projects: list[ProjectId] = Field(min_length=2, max_length=100)
    reason: Reason | None = None


class Pick(_Strict):
    """A project the committee includes or excludes, and why."""

    project: ProjectId
    reason: Reason


class Solver(_Strict):
    gap: float = Field(1e-4, ge=0, le=0.1, description="允许的相对最优间隙 / relative optimality gap accepted")
    time_limit: float = Field(60, gt=0, le=3600, description="求解时限（秒）/ time limit in seconds")


class PortfolioFile(_Strict):
    """portfolio.yaml."""

    version: Literal[1] = Field(1, description="格式版本 / format version")
    years: list[Year] = Field(min_length=1, max_length=10, description="组合覆盖的年份（日历年，升序）/ the years the "
                                                                       "portfolio spans (calendar years, ascending)",
                              examples=[[2027, 2028]])
    objective: Literal["above-line", "value-for-money", "rnpv"] = Field(
        "above-line", description="目标：above-line 资助线以上的综合得分之和 | value-for-money 每万元风险调整净现值 | "
                                  "rnpv 风险调整净现值之和 / objective: Σ composite above the fundable line, rNPV per "
                                  "万元, or Σ rNPV")
    budget_use: Literal["expected", "worst-case"] = Field(
        "expected", description="预算占用：expected 后续各笔按达成概率计 | worst-case 全额计 / budget use: later "
                                "tranches at expected cost, or in full")
    tranches: Tranches | None = Field(None, description="分笔拨付；省略为第一年一次付清 / staged tranches; omitted = "
                                                         "paid in full in the first year")
    partial: Partial | None = Field(None, description="部分资助 / partial funding")
    quotas: list[QuotaSpec] = Field(default_factory=list, max_length=200, description="配额 / quotas")
    dependencies: list[Dependency] = Field(default_factory=list, max_length=1000, description="依赖 / dependencies")
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=1000, description="互斥 / exclusions")
    must_include: list[Pick] = Field(default_factory=list, max_length=1000, description="必选（含理由）/ must-include")
    must_exclude: list[Pick] = Field(default_factory=list, max_length=1000, description="必排（含理由）/ must-exclude")
    solver: Solver = Field(default_factory=Solver, description="求解器设置 / solver settings")

    @field_validator("years")
    @classmethod
    def _ascending(cls, years: list[int]) -> list[int]:
        if any(b <= a for a, b in zip(years, years[1:])):
            raise ValueError("年份须升序且不重复 / years must be ascending, without repeats")
        return years

    @model_validator(mode="after")
    def _fits(self) -> PortfolioFile:
        if self.tranches is not None and len(self.tranches.split) > len(self.years):
            raise ValueError(f"tranches.split 有 {len(self.tranches.split)} 笔而 years 只有 {len(self.years)} 年 / "
                             f"more tranches than years")
        return self


@dataclass(frozen=True)
class SpecVocabulary:
    """What portfolio.yaml is checked against: the campaign's project ids, industries and routes."""

    projects: tuple[str, ...]
    industry_id: Callable[[str], str | None]
    industry_names: str
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A loaded portfolio.yaml with industries resolved, and where each rule is written (for messages)."""

    path: str
    sha256: str
    doc: PortfolioFile
    quota_values: dict = field(default_factory=dict)   # quota id -> resolved values (industry ids ...)
    where: dict = field(default_factory=dict)          # ("quota", k) | ("dependency", k) | ... -> Location


HINTS = {
    "years": "写成年份列表，如 [2027, 2028] / a list of years, e.g. [2027, 2028]",
    "objective": "above-line、value-for-money 或 rnpv / one of above-line, value-for-money, rnpv",
    "budget_use": "expected 或 worst-case / expected or worst-case",
    "split": "如 [0.6, 0.4]：第一年 60%，第二年 40% / e.g. [0.6, 0.4]: 60 % in the first year, 40 % in the second",
    "milestones": "如 [\"+1\"]（比当前 TRL 高一级）或 [6] / e.g. [\"+1\"] (one level above the project's TRL) or [6]",
    "tranches": "如 {split: [0.6, 0.4], milestones: [\"+1\"]} / e.g. {split: [0.6, 0.4], milestones: [\"+1\"]}",
    "min_share": "0 到 1 之间，如 0.5 / between 0 and 1, e.g. 0.5",
    "quotas": "如 {id: biomed, by: industry, values: [biomedicine_health], measure: count, min: 1} / e.g. {id: biomed, "
              "by: industry, values: [biomedicine_health], measure: count, min: 1}",
    "reason": "写明理由 / write the reason",
    "project": "本批次的项目编号 / a project id of this campaign",
    "gap": "0 到 0.1，如 0.0001 / between 0 and 0.1, e.g. 0.0001",
}


def _with_hint(d: Diagnostic) -> Diagnostic:
    if d.hint:
        return d
    import dataclasses
    import re

    fields = re.findall(r"[A-Za-z_]+", d.location.field or "")
    key = next((f for f in reversed(fields) if f in HINTS), None)
    return dataclasses.replace(d, hint=HINTS[key] if key else "见 docs/portfolio.md / see docs/portfolio.md")


def _closest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


def load_spec(path: str | Path, vocabulary: SpecVocabulary) -> Spec:
    """Read and check *path*; raise :class:`ValidationError` listing every problem, located."""
    import hashlib

    from tlr.validation import load_model_file
    from tlr.yamlio import format_path

    name = str(path)
    doc, _data, positions, raw = load_model_file(
        path, PortfolioFile, shape="portfolio.yaml 须为映射（years:, objective: …）/ portfolio.yaml must be a mapping "
                                  "(years:, objective: …)", shape_hint="see docs/portfolio.md",
        shape_code="portfolio_shape", hint=_with_hint)
    diags: list[Diagnostic] = []

    def at(where: tuple) -> Location:
        return positions.locate(where, field_name=format_path(where))

    def error(where: tuple, message: str, hint: str, code: str) -> None:
        diags.append(Diagnostic("error", message, at(where), hint, code))

    known = set(vocabulary.projects)

    def project(where: tuple, pid: str) -> None:
        if pid not in known:
            error(where, f"本批次没有项目 '{pid}' / the campaign has no project '{pid}'" + _closest(pid, known),
                  "use a project id of this campaign (`tlr projects list`)", "unknown_project")

    where: dict = {}
    for k, d in enumerate(doc.dependencies):
        project(("dependencies", k, "project"), d.project)
        project(("dependencies", k, "needs"), d.needs)
        if d.project == d.needs:
            error(("dependencies", k), f"项目依赖自身 / project '{d.project}' needs itself", "remove the entry",
                  "self_dependency")
        where[("dependency", k)] = at(("dependencies", k))
    for k, e in enumerate(doc.exclusions):
        for j, pid in enumerate(e.projects):
            project(("exclusions", k, "projects", j), pid)
        where[("exclusion", k)] = at(("exclusions", k))
    picked: dict[str, tuple] = {}
    for key in ("must_include", "must_exclude"):
        for k, p in enumerate(getattr(doc, key)):
            project((key, k, "project"), p.project)
            other = picked.get(p.project)
            if other is not None:
                first = at(other).line
                error((key, k, "project"), f"项目 '{p.project}' 已列于第 {first} 行 / project '{p.project}' is already "
                                           f"listed on line {first}",
                      "list each project once, in must_include or must_exclude", "duplicate_pick")
            picked.setdefault(p.project, (key, k, "project"))
            where[(key, p.project)] = at((key, k))
    if doc.partial is not None and doc.partial.projects is not None:
        for j, pid in enumerate(doc.partial.projects):
            project(("partial", "projects", j), pid)
    quota_values: dict = {}
    seen: dict[str, int] = {}
    for k, q in enumerate(doc.quotas):
        if q.id in seen:
            error(("quotas", k, "id"), f"重复的配额编号 / duplicate quota id '{q.id}'", "give every quota its own id",
                  "duplicate_quota")
        seen.setdefault(q.id, k)
        resolved = []
        for j, word in enumerate(q.values or []):
            if q.by == "industry":
                found = vocabulary.industry_id(word)
                if found is None:
                    error(("quotas", k, "values", j), f"未知行业 / unknown industry '{word}'",
                          f"use an id or name of: {vocabulary.industry_names}", "unknown_industry")
                    continue
                resolved.append(found)
            elif q.by == "route":
                if word not in vocabulary.routes:
                    known_routes = ", ".join(vocabulary.routes) or "(none: the rubric defines no routes)"
                    error(("quotas", k, "values", j), f"评价体系没有支持路径 '{word}' / the rubric has no route '{word}'"
                          + _closest(word, vocabulary.routes), f"the rubric's routes: {known_routes}", "unknown_route")
                    continue
                resolved.append(word)
            else:
                resolved.append(word)
        quota_values[q.id] = tuple(dict.fromkeys(resolved))
        where[("quota", k)] = at(("quotas", k))
        for bound in ("min", "max"):
            where[("quota", k, bound)] = at(("quotas", k, bound))
    where[("tranches",)] = at(("tranches",))
    if diags:
        raise ValidationError(diags)
    return Spec(name, hashlib.sha256(raw).hexdigest(), doc, quota_values, where)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of portfolio.yaml (for an editor), generated from the models."""
    return PortfolioFile.model_json_schema()


__all__ = ["FORMAT_VERSION", "OBJECTIVES", "PortfolioFile", "Spec", "SpecVocabulary", "json_schema", "load_spec"]
