"""``funds.yaml``: the guidance fund's sub-funds (子基金) with their mandates, and the push-list recipients.

The pydantic models below are the format's single source of truth (field descriptions are bilingual).
:func:`load_funds` reads a file safely (:mod:`tlr.yamlio`: size and alias limits, duplicate keys) and checks
it against the campaign it is applied to, reporting every problem at once, each with file, line, field and
a fix (exit code 2): unknown keys, bad ranges (min above max, TRL outside 1-9, negative money), unknown
industry names, tier or route ids the campaign's rubric does not have, duplicate ids.

This package is pure: the industry vocabulary and the rubric's tiers and routes come in a :class:`Vocabulary`
built by the caller (:mod:`tlr.app.push`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tlr.errors import Diagnostic, Location, ValidationError
from tlr.push.placement import Mandate
from tlr.text import I18nText

FORMAT_VERSION = 1
SAFE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_ITEMS = 500  # funds and recipients each; far above a province's sub-funds and counties

SafeId = Annotated[str, Field(pattern=SAFE_ID, max_length=80,
                              description="标识：字母或数字开头，其后为字母、数字、'.'、'_'、'-'（用作文件名） / id: a "
                                          "letter or digit, then letters, digits, '.', '_', '-' (used in file names)",
                              examples=["biomed", "tangshan"])]
Name = Annotated[Union[I18nText, str], Field(description="名称 {zh: 中文, en: English} / name {zh, en}",
                                             examples=[{"zh": "生物医药产业子基金", "en": "Biomedicine sub-fund"}])]
Level = Annotated[int, Field(ge=1, le=9)]
Money = Annotated[float, Field(ge=0, le=1e9)]
Place = Annotated[str, Field(min_length=1, max_length=100)]
Word = Annotated[str, Field(min_length=1, max_length=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _ordered(pair: tuple | None, what: str) -> None:
    if pair is not None and pair[0] > pair[1]:
        raise ValueError(f"{what} 下限高于上限 / {what}: the lower bound {pair[0]:g} is above the upper bound {pair[1]:g}; "
                         f"write [low, high]")


class Fund(_Strict):
    """A sub-fund and its mandate: what it may invest in."""

    id: SafeId
    name: Name
    industries: list[Word] | None = Field(
        None, min_length=1, description="行业（编号或名称，见 tlr.campaign.vocab）；省略为不限 / industries (ids or names "
                                        "of the campaign vocabulary); omitted = any", examples=[["biomedicine_health"]])
    regions: list[Place] | None = Field(
        None, min_length=1, description="地区（市、县、园区名称，与数据中的“所在地区”写法一致）；省略为不限 / places "
                                        "(city/county/zone names as written in the data); omitted = any",
        examples=[["石家庄市", "辛集市"]])
    trl: tuple[Level, Level] | None = Field(
        None, description="技术就绪水平范围 [低, 高]，含端点；省略为不限 / readiness range [low, high], inclusive; "
                          "omitted = any", examples=[[5, 9]])
    ticket: tuple[Money, Money] | None = Field(
        None, description="单笔金额范围 [低, 高]（万元），成果的申请经费须在其内；省略为不限 / ticket range [low, high] in "
                          "万元: the achievement's ask must fall inside; omitted = any", examples=[[300, 3000]])
    routes: list[Word] | None = Field(
        None, min_length=1, description="支持路径（评价体系的路径编号）；省略为不限 / support routes (the rubric's route "
                                        "ids); omitted = any", examples=[["transfer", "land"]])
    tiers: list[Word] | None = Field(
        None, min_length=1, description="档次（评价体系的档次编号）；省略为评价体系的可资助档次 / tiers (the rubric's tier "
                                        "ids); omitted = the rubric's fundable tiers", examples=[["A", "B"]])
    budget: dict[Annotated[int, Field(ge=2000, le=2100)], Money] | None = Field(
        None, min_length=1, description="年度预算（万元，按年份）：有预算的子基金是组合优化（tlr portfolio）的资金池；省略则"
                                        "只用于推送 / budget per calendar year in 万元: a fund with a budget is a pool of "
                                        "`tlr portfolio`; omitted = push lists only", examples=[{2027: 3000, 2028: 2000}])

    @field_validator("trl", "ticket", mode="before")
    @classmethod
    def _pair(cls, value: Any, info: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) != 2:
            raise ValueError(f"{info.field_name} 须为两个数 [低, 高] / {info.field_name} needs two numbers [low, high], "
                             f"got {len(value)}")
        return value

    @field_validator("trl", "ticket")
    @classmethod
    def _range(cls, value: tuple | None, info: Any) -> tuple | None:
        _ordered(value, info.field_name)
        return value


class Recipient(_Strict):
    """A city, county, high-tech zone or incubator the achievements located in its places are pushed to."""

    id: SafeId
    name: Name
    kind: Literal["city", "county", "zone", "incubator"] | None = Field(
        None, description="类型：city 市 | county 县 | zone 园区 | incubator 孵化器 / kind of recipient")
    regions: list[Place] = Field(min_length=1, description="所辖地区：位于其中任一地区的成果推送给它 / its places: "
                                                           "achievements located in any of them are pushed to it",
                                 examples=[["唐山市", "迁安市", "遵化市", "唐山高新区"]])
    industries: list[Word] | None = Field(
        None, min_length=1, description="关注行业；省略为不限 / industries of interest; omitted = any",
        examples=[["steel", "new_materials"]])


class FundsFile(_Strict):
    """funds.yaml: the sub-funds and the push-list recipients (推送对象)."""

    version: Literal[1] = Field(1, description="格式版本 / format version")
    funds: list[Fund] = Field(default_factory=list, max_length=MAX_ITEMS, description="子基金 / sub-funds")
    recipients: list[Recipient] = Field(default_factory=list, max_length=MAX_ITEMS,
                                        description="推送对象 / recipients")


@dataclass(frozen=True)
class Vocabulary:
    """What a funds.yaml is checked against: the industry vocabulary and the campaign rubric's ids."""

    industry_id: Callable[[str], str | None]  # id, Chinese or English name -> id, or None
    industry_names: str  # shown in the hint, e.g. "钢铁(steel)、…"
    tiers: tuple[str, ...] = ()  # the rubric's tier ids; () = the rubric has no tiers
    fundable_tiers: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Funds:
    """A loaded funds.yaml: the resolved mandates (funds first, then recipients, in file order)."""

    path: str
    sha256: str
    mandates: tuple[Mandate, ...]
    budgets: dict = field(default_factory=dict)   # fund id -> {year: 万元} (pools of `tlr portfolio`)
    budget_lines: dict = field(default_factory=dict)   # fund id -> {year: line in the file}

    @property
    def funds(self) -> tuple[Mandate, ...]:
        return tuple(m for m in self.mandates if m.kind == "fund")

    @property
    def recipients(self) -> tuple[Mandate, ...]:
        return tuple(m for m in self.mandates if m.kind == "recipient")


def _name(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"zh": value, "en": value}
    return {"zh": value.zh or value.en, "en": value.en or value.zh}


def _closest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f" — did you mean '{close[0]}'?" if close else ""


HINTS = {
    "trl": "技术就绪水平为 1-9 级，写成 [低, 高] / readiness levels are 1-9: write trl: [low, high], e.g. [5, 9]",
    "ticket": "金额以万元计、不小于 0，写成 [低, 高] / amounts in 万元, at least 0: write ticket: [low, high], e.g. "
              "[300, 3000]",
    "id": "字母或数字开头，其后为字母、数字、'.'、'_'、'-' / a letter or digit, then letters, digits, '.', '_', '-'",
    "name": "写成 {zh: 中文, en: English} / write name: {zh: 中文, en: English}",
    "regions": "写成地名列表，如 [唐山市, 迁安市] / a list of places, e.g. [唐山市, 迁安市]",
    "industries": "写成行业列表（编号或名称），如 [steel, 新材料]；不限则省略 / a list of industries (ids or names), e.g. "
                  "[steel, 新材料]; leave it out for any",
    "routes": "写成支持路径编号列表，如 [transfer, land]；不限则省略 / a list of route ids, e.g. [transfer, land]; leave "
              "it out for any",
    "tiers": "写成档次编号列表，如 [A, B]；省略则取可资助档次 / a list of tier ids, e.g. [A, B]; leave it out for the "
             "rubric's fundable tiers",
    "kind": "city、county、zone 或 incubator / one of city, county, zone, incubator",
    "budget": "写成 {年份: 万元}，如 {2027: 3000, 2028: 2000}；年份 2000-2100，金额不小于 0 / write budget: {year: 万元}, "
              "e.g. {2027: 3000, 2028: 2000}; years 2000-2100, amounts at least 0",
}


def _with_hint(d: Diagnostic) -> Diagnostic:
    """A pydantic diagnostic with the fix for its field when it came without one."""
    if d.hint:
        return d
    import dataclasses
    import re

    fields = re.findall(r"[A-Za-z_]+", d.location.field or "")
    key = next((f for f in reversed(fields) if f in HINTS), None)
    hint = HINTS[key] if key else "见 docs/push.md 的格式说明 / see the format in docs/push.md"
    return dataclasses.replace(d, hint=hint)


def load_funds(path: str | Path, vocabulary: Vocabulary) -> Funds:
    """Read and check *path*; raise :class:`ValidationError` listing every problem, located."""
    import hashlib

    from tlr.validation import load_model_file

    name = str(path)
    doc, _data, positions, raw = load_model_file(
        path, FundsFile, shape="funds.yaml 须为映射（funds:, recipients:）/ funds.yaml must be a mapping with 'funds:' "
                               "and 'recipients:'", shape_hint="see docs/push.md", shape_code="funds_shape",
        hint=_with_hint, empty={})
    diags: list[Diagnostic] = []
    if not doc.funds and not doc.recipients:
        raise ValidationError([Diagnostic("error", "funds.yaml 没有子基金也没有推送对象 / funds.yaml names no fund and no "
                                                   "recipient", Location(file=name, line=1),
                                          "add a 'funds:' or 'recipients:' list (see docs/push.md)", "funds_empty")])

    def error(where: tuple, message: str, hint: str, code: str) -> None:
        from tlr.yamlio import format_path

        diags.append(Diagnostic("error", message, positions.locate(where, field_name=format_path(where)), hint, code))

    seen: dict[str, tuple] = {}
    for key, items in (("funds", doc.funds), ("recipients", doc.recipients)):
        for k, item in enumerate(items):
            folded = item.id.casefold()
            if folded in seen:
                first = positions.locate(seen[folded]).line
                error((key, k, "id"), f"重复的编号 / duplicate id '{item.id}' (first used on line {first})",
                      "每个子基金与推送对象的编号须唯一（不分大小写，用作文件名）/ every fund and recipient needs its own "
                      "id (case-insensitive: ids name the files)", "duplicate_id")
            else:
                seen[folded] = (key, k, "id")
    mandates: list[Mandate] = []
    for key, items in (("funds", doc.funds), ("recipients", doc.recipients)):
        for k, item in enumerate(items):
            industries = None
            if item.industries is not None:
                resolved = []
                for j, word in enumerate(item.industries):
                    found = vocabulary.industry_id(word)
                    if found is None:
                        error((key, k, "industries", j), f"未知行业 / unknown industry '{word}'",
                              f"use an id or name of: {vocabulary.industry_names}", "unknown_industry")
                    elif found not in resolved:
                        resolved.append(found)
                industries = tuple(resolved)
            routes = tiers = None
            default = False
            if isinstance(item, Fund):
                if item.routes is not None:
                    for j, word in enumerate(item.routes):
                        if word not in vocabulary.routes:
                            known = ", ".join(vocabulary.routes) or "(none: the rubric defines no routes)"
                            error((key, k, "routes", j),
                                  f"评价体系没有支持路径 '{word}' / the campaign's rubric has no route '{word}'"
                                  + _closest(word, list(vocabulary.routes)), f"the rubric's routes: {known}",
                                  "unknown_route")
                    routes = tuple(dict.fromkeys(item.routes))
                if item.tiers is not None:
                    for j, word in enumerate(item.tiers):
                        if word not in vocabulary.tiers:
                            known = ", ".join(vocabulary.tiers) or "(none: the rubric defines no tiers)"
                            error((key, k, "tiers", j),
                                  f"评价体系没有档次 '{word}' / the campaign's rubric has no tier '{word}'"
                                  + _closest(word, list(vocabulary.tiers)), f"the rubric's tiers: {known}",
                                  "unknown_tier")
                    tiers = tuple(dict.fromkeys(item.tiers))
                elif vocabulary.tiers:
                    default = True
                    tiers = vocabulary.fundable_tiers
                    if not tiers:
                        error((key, k), f"子基金 '{item.id}' 未写 tiers，而评价体系没有标记可资助的档次 / fund "
                                        f"'{item.id}' names no tiers and the rubric marks none fundable",
                              f"add e.g. 'tiers: [{vocabulary.tiers[0]}]' (the rubric's tiers: "
                              f"{', '.join(vocabulary.tiers)})", "no_fundable_tiers")
            mandates.append(Mandate(
                id=item.id, kind="fund" if isinstance(item, Fund) else "recipient", name=_name(item.name),
                industries=industries, regions=tuple(item.regions) if item.regions is not None else None,
                trl=tuple(item.trl) if isinstance(item, Fund) and item.trl is not None else None,
                ticket=(tuple(float(x) for x in item.ticket) if isinstance(item, Fund) and item.ticket is not None
                        else None),
                routes=routes, tiers=tiers, tiers_default=default,
                recipient_kind=getattr(item, "kind", None)))
    if diags:
        raise ValidationError(diags)
    budgets = {f.id: {int(y): float(v) for y, v in sorted(f.budget.items())} for f in doc.funds if f.budget}
    lines = {f.id: {int(y): positions.locate(("funds", k, "budget", y)).line for y in f.budget}
             for k, f in enumerate(doc.funds) if f.budget}
    return Funds(name, hashlib.sha256(raw).hexdigest(), tuple(mandates), budgets, lines)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of funds.yaml (for an editor), generated from the models."""
    return FundsFile.model_json_schema()


__all__ = ["FORMAT_VERSION", "Fund", "Funds", "FundsFile", "Recipient", "Vocabulary", "json_schema", "load_funds"]
