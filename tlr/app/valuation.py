"""``tlr value``: a campaign's (or a plain table's) projects valued as ranges — rNPV over readiness stages,
the income approach, the cost floor, a price interval — with every input's source (docs/valuation.md).

Inputs, per project, the first found wins: the ``--inputs`` file (YAML, CSV or XLSX keyed by project id), the
project import's extra columns (市场规模（万元） …), then the rubric's ``valuation:`` section, then the packaged
defaults (:mod:`tlr.valuation.defaults`). Project inputs have no default: a project without them is listed
with ``rnpv: null`` and the names in ``missing`` — never a silent zero. Readiness comes from the campaign's
evaluation (the assessed TRL beats the panel's), else from a declared TRL column.

A campaign is verified first (:func:`tlr.app.audit_gate.check_audit`), as for the report. The numbers are
made by :func:`tlr.valuation.simulate.value_portfolio` with the given draws and seed; the report's valuation
page calls :func:`value_campaign` with the same arguments, so both show the same numbers.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence  # noqa: UP035 - as the rest of tlr

from tlr.errors import Diagnostic, Location, TlrError, ValidationError

# input -> (zh, en, unit, kind); kind: money (万元, >= 0), fraction (0..1), years (> 0)
INPUTS: dict[str, tuple[str, str, str, str]] = {
    "market_size": ("市场规模", "market size", "万元/年", "money"),
    "market_share": ("市场份额", "market share", "", "fraction"),
    "margin": ("利润率", "profit margin", "", "fraction"),
    "rd_cost": ("后续研发投入", "remaining R&D cost", "万元", "money"),
    "royalty": ("分成率", "revenue share", "", "fraction"),
    "replacement_cost": ("重置成本", "replacement cost", "万元", "money"),
    "newness": ("成新率", "newness (1 − obsolescence)", "", "fraction"),
    "commercial_life": ("收益年限", "commercial life", "年", "years"),
    "tax_rate": ("所得税率", "income tax rate", "", "fraction"),
}
REQUIRED = ("market_size", "market_share", "margin", "rd_cost")   # the rNPV needs these (and a TRL)
PROJECT_ONLY = ("market_size", "market_share", "margin", "rd_cost", "royalty", "replacement_cost", "newness")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "market_size": ("市场规模（万元）", "市场规模", "年市场规模（万元）", "目标市场规模（万元）", "market_size", "market size"),
    "market_share": ("市场份额", "预期市场份额", "market_share", "market share"),
    "margin": ("毛利率", "利润率", "净利率", "margin", "profit_margin"),
    "rd_cost": ("研发投入（万元）", "研发投入", "后续研发投入（万元）", "剩余研发投入（万元）", "rd_cost", "r&d cost"),
    "royalty": ("分成率", "销售收入分成率", "技术分成率", "royalty", "revenue_share"),
    "replacement_cost": ("重置成本（万元）", "重置成本", "replacement_cost"),
    "newness": ("成新率", "newness"),
    "commercial_life": ("收益年限", "收益期", "commercial_life"),
    "tax_rate": ("所得税率", "tax_rate"),
}
ID_HEADERS = ("项目编号", "项目ID", "编号", "id", "project", "project_id")
NAME_HEADERS = ("项目名称", "名称", "name")
INDUSTRY_HEADERS = ("行业", "所属行业", "industry")
TRL_HEADERS = ("TRL", "技术就绪度", "技术就绪水平", "readiness")
TRL_SOURCES = {"assessment": "assessed", "asserted": "assessed", "panel": "panel"}
SOURCES = ("default", "rubric", "industry", "project")
TABLE_SUFFIXES = (".csv", ".xlsx", ".json")
YAML_SUFFIXES = (".yaml", ".yml")
_TILDES = re.compile(r"\s*[~～〜]\s*")


def _norm(text: str) -> str:
    from tlr.campaign.tables import norm_header

    return norm_header(text)


_LOOKUP = {_norm(h): name for name, hs in SYNONYMS.items() for h in hs}
_LOOKUP.update({_norm(name): name for name in INPUTS})


def input_name(header: str) -> str | None:
    """The input a column header (or YAML key) names, by its bilingual synonyms; None if none."""
    return _LOOKUP.get(_norm(header))


# --------------------------------------------------------------------------- one value


@dataclass(frozen=True)
class Given:
    """An input's value: a fixed number (low = mode = high) or a range, and where it came from."""

    low: float
    mode: float
    high: float
    source: str                 # default | rubric | industry | project
    where: str = ""             # the file (or ledger) it was read from, for the report

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "mode": self.mode, "high": self.high, "source": self.source}


def _number(text: str, kind: str) -> float:
    t = text.strip().replace(",", "").replace("，", "")
    percent = t.endswith(("%", "％"))
    if percent:
        t = t[:-1].strip()
    try:
        x = float(t)
    except ValueError:
        raise ValueError(f"不是数字 / not a number: {text.strip()[:40]!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"不是有限的数 / not a finite number: {text.strip()[:40]!r}")
    if percent:
        if kind != "fraction":
            raise ValueError(f"这里不用百分数 / a percentage is not expected here: {text.strip()[:40]!r}")
        x /= 100.0
    return x


def parse_value(value: Any, kind: str) -> tuple[float, float, float]:
    """(low, mode, high) from a cell or YAML value: ``1200``, ``800~2000`` (mode midway), ``800~1200~2000``,
    ``5%``, ``[800, 2000]``, ``[800, 1200, 2000]`` or ``{low:, mode:, high:}``. Raises ValueError (a sentence)."""
    if isinstance(value, bool):
        raise ValueError("应为数字或区间 / expected a number or a range")
    if isinstance(value, Mapping):
        unknown = set(value) - {"low", "mode", "high"}
        if unknown or not {"low", "high"} <= set(value):
            raise ValueError("区间写作 {low:, mode:, high:} / write a range as {low:, mode:, high:}")
        parts = [value["low"], value.get("mode", None), value["high"]]
        parts = [p for p in parts if p is not None]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    elif isinstance(value, (int, float)):
        parts = [value]
    elif isinstance(value, str):
        parts = _TILDES.split(value.strip())
    else:
        raise ValueError("应为数字或区间 / expected a number or a range")
    if not 1 <= len(parts) <= 3:
        raise ValueError("区间为 低~高 或 低~最可能~高 / a range is low~high or low~mode~high")
    nums = [_number(str(p), kind) if isinstance(p, str) else float(p) if not isinstance(p, bool) else math.nan
            for p in parts]
    if any(not math.isfinite(x) for x in nums):
        raise ValueError("应为有限的数 / expected finite numbers")
    low, high = nums[0], nums[-1]
    mode = nums[1] if len(nums) == 3 else (low + high) / 2.0
    if not low <= mode <= high:
        raise ValueError(f"区间须 低 ≤ 最可能 ≤ 高 / a range needs low <= mode <= high (got {low:g}, {mode:g}, {high:g})")
    if low < 0:
        raise ValueError("不能为负 / cannot be negative")
    if kind == "fraction" and high > 1:
        raise ValueError("应在 0 到 1 之间（写 5% 或 0.05）/ must be between 0 and 1 (write 5% or 0.05)")
    if kind == "years" and not 0 < low <= 50:
        raise ValueError("年数应在 0 到 50 之间 / years must be above 0 and at most 50")
    return low, mode, high


# --------------------------------------------------------------------------- the inputs file


@dataclass
class ProjectRow:
    """What a table or YAML file gives for one project."""

    values: dict[str, Given] = field(default_factory=dict)
    name: str | None = None
    industry: str | None = None
    trl: float | None = None
    stages: tuple | None = None       # the project's own readiness stages (YAML ``stages:``), replacing the defaults


@dataclass
class InputsFile:
    path: str
    sha256: str
    rows: dict[str, ProjectRow]


def _trl(value: Any) -> float:
    try:
        x = float(str(value).strip().upper().removeprefix("TRL").strip()) if not isinstance(value, (int, float)) \
            else float(value)
    except ValueError:
        raise ValueError(f"TRL 应为 1 到 9 的数 / TRL must be a number from 1 to 9: {str(value)[:20]!r}") from None
    if not (math.isfinite(x) and 1 <= x <= 9):
        raise ValueError("TRL 应为 1 到 9 / TRL must be from 1 to 9")
    return x


def read_inputs(path: str | Path, *, encoding: str | None = None) -> InputsFile:
    """Read a valuation inputs file (YAML, or a CSV/XLSX/JSON table keyed by project id); every bad value is
    one located line (ValidationError, exit 2)."""
    p = Path(path)
    if p.suffix.lower() in YAML_SUFFIXES:
        return _read_yaml(p)
    if p.suffix.lower() in TABLE_SUFFIXES:
        return _read_table(p, encoding)
    from tlr.errors import InputFileError

    raise InputFileError(f"估值输入文件应为 YAML、CSV 或 XLSX / a valuation inputs file is YAML, CSV or XLSX: {p.name}",
                         location=Location(file=str(p)), hint="use .yaml, .csv or .xlsx", code="bad_suffix")


def _bad(problems: list[Diagnostic], message: str, location: Location, hint: str | None = None) -> None:
    problems.append(Diagnostic("error", message, location, hint, "bad_value"))


def _read_table(p: Path, encoding: str | None) -> InputsFile:
    from tlr.campaign.tables import read_table

    table = read_table(p, encoding=encoding)
    headers = {h: _norm(h) for h in table.headers}
    id_col = next((h for h in table.headers if headers[h] in {_norm(x) for x in ID_HEADERS}), None)
    problems: list[Diagnostic] = []
    if id_col is None:
        raise ValidationError([Diagnostic("error", "缺少项目编号列 / no project id column", Location(file=str(p)),
                                          f"add a column named {' / '.join(ID_HEADERS[:2])} or id", "no_id")])

    def col(names: Sequence[str]) -> str | None:
        wanted = {_norm(x) for x in names}
        return next((h for h in table.headers if headers[h] in wanted), None)

    name_col, industry_col, trl_col = col(NAME_HEADERS), col(INDUSTRY_HEADERS), col(TRL_HEADERS)
    inputs = {h: input_name(h) for h in table.headers if input_name(h)}
    rows: dict[str, ProjectRow] = {}
    for number, values in table.rows:
        pid = (values.get(id_col) or "").strip()
        if not pid:
            if any((v or "").strip() for v in values.values()):
                _bad(problems, "缺少项目编号 / the project id is empty", table.where(number, id_col),
                     "fill in the project id or delete the row")
            continue
        if pid in rows:
            _bad(problems, f"项目编号重复 / project id '{pid}' appears twice", table.where(number, id_col),
                 "give each project one row")
            continue
        row = ProjectRow(name=(values.get(name_col) or "").strip() or None if name_col else None,
                         industry=(values.get(industry_col) or "").strip() or None if industry_col else None)
        if trl_col and (values.get(trl_col) or "").strip():
            try:
                row.trl = _trl(values[trl_col])
            except ValueError as exc:
                _bad(problems, str(exc), table.where(number, trl_col), "write a level such as 4 or TRL4")
        for header, name in inputs.items():
            text = (values.get(header) or "").strip()
            if not text:
                continue
            try:
                lo, mo, hi = parse_value(text, INPUTS[name][3])
            except ValueError as exc:
                _bad(problems, f"{INPUTS[name][0]} / {INPUTS[name][1]}: {exc}", table.where(number, header),
                     "write a number, low~high or low~mode~high (e.g. 800~1200~2000)")
                continue
            row.values[name] = Given(lo, mo, hi, "project", p.name)
        rows[pid] = row
    if problems:
        raise ValidationError(problems)
    return InputsFile(str(p), table.sha256 or _sha256(p), rows)


def _sha256(p: Path) -> str:
    from tlr.inputs import read_input

    return hashlib.sha256(read_input(p)).hexdigest()


def _read_yaml(p: Path) -> InputsFile:
    from tlr.yamlio import load_document

    data, positions = load_document(p)
    projects = data.get("projects", data) if isinstance(data, dict) else None
    prefix: tuple = ("projects",) if isinstance(data, dict) and "projects" in data else ()
    if not isinstance(projects, dict):
        raise ValidationError([Diagnostic("error", "应为 项目编号 -> 输入 的映射 / expected a mapping of project id -> "
                                          "inputs", positions.locate(prefix), "see docs/valuation.md", "bad_shape")])
    problems: list[Diagnostic] = []
    rows: dict[str, ProjectRow] = {}
    for pid, values in projects.items():
        where = (*prefix, pid)
        if not isinstance(values, dict):
            _bad(problems, "应为输入的映射 / expected a mapping of inputs", positions.locate(where),
                 "e.g. market_size: [800, 1200, 2000]")
            continue
        row = ProjectRow()
        for key, value in values.items():
            loc = positions.locate((*where, key))
            k = _norm(str(key))
            if k in {_norm(x) for x in NAME_HEADERS}:
                row.name = str(value)
            elif k in {_norm(x) for x in INDUSTRY_HEADERS}:
                row.industry = str(value)
            elif k in {_norm(x) for x in TRL_HEADERS}:
                try:
                    row.trl = _trl(value)
                except ValueError as exc:
                    _bad(problems, str(exc), loc, "write a level such as 4")
            elif k == _norm("stages") or k == _norm("阶段"):
                row.stages = _project_stages(value, positions, (*where, key), problems, p.name)
            elif input_name(str(key)):
                name = input_name(str(key))
                try:
                    lo, mo, hi = parse_value(value, INPUTS[name][3])
                except ValueError as exc:
                    _bad(problems, f"{INPUTS[name][0]} / {INPUTS[name][1]}: {exc}", loc,
                         "write a number, [low, high], [low, mode, high] or {low:, mode:, high:}")
                    continue
                row.values[name] = Given(lo, mo, hi, "project", p.name)
            else:
                _bad(problems, f"未知输入 / unknown input '{key}'", loc,
                     "one of " + ", ".join(INPUTS) + ", name, industry, trl, stages")
        rows[str(pid)] = row
    if problems:
        raise ValidationError(problems)
    return InputsFile(str(p), _sha256(p), rows)


def _project_stages(value: Any, positions, where: tuple, problems: list[Diagnostic], file: str) -> tuple | None:
    """A project's own stages (the rubric's stage format, docs/valuation.md), in order and contiguous."""
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticValidationError

    from tlr.rubric.model import ValuationStage
    from tlr.valuation.defaults import stage_from_dict

    if not isinstance(value, list) or not value:
        _bad(problems, "stages 应为阶段列表 / stages must be a list of stages", positions.locate(where),
             "e.g. - {id: pilot, from_trl: 4, to_trl: 6, p_success: 0.5, years: [1, 2, 3], cost_share: 0.4}")
        return None
    try:
        stages = TypeAdapter(list[ValuationStage]).validate_python(value)
    except PydanticValidationError as exc:
        for err in exc.errors():
            _bad(problems, f"stages: {err['msg']}", positions.locate((*where, *err["loc"])),
                 "see the stage format in docs/valuation.md")
        return None
    for k in range(1, len(stages)):
        if stages[k].from_trl != stages[k - 1].to_trl:
            _bad(problems, f"阶段不连续 / stage {stages[k].id} starts at TRL {stages[k].from_trl}, the one before ends "
                           f"at {stages[k - 1].to_trl}", positions.locate((*where, k)),
                 "each stage starts where the one before ends")
            return None
    return tuple(stage_from_dict({**st.model_dump(exclude_none=True), "source": st.source or file}, "project")
                 for st in stages)


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """The valuation's parameters after the rubric's ``valuation:`` section is laid over the defaults."""

    values: dict[str, Given]          # discount_rate, risk_free, ramp_years, profit_share, commercial_life, tax_rate
    premiums: dict[str, float]
    premiums_source: str
    distribution: str
    distribution_source: str
    rubric_stages: tuple | None
    rubric_industries: dict[str, Any]

    @property
    def income_rate(self) -> float:
        return self.values["risk_free"].mode + sum(self.premiums.values())


def settings(rubric_doc: Any = None) -> Settings:
    from tlr.valuation.defaults import load_defaults, stage_from_dict

    d = load_defaults()
    v = getattr(rubric_doc, "valuation", None) if rubric_doc is not None else None
    values = {}
    for name in ("discount_rate", "risk_free", "ramp_years", "profit_share", "commercial_life", "tax_rate"):
        stated = getattr(v, name, None) if v is not None else None
        x, source = (stated, "rubric") if stated is not None else (d.value(name), "default")
        values[name] = Given(float(x), float(x), float(x), source)
    prem = v.risk_premiums if v is not None and v.risk_premiums is not None else None
    stages = None
    if v is not None and v.stages:
        stages = tuple(stage_from_dict(s.model_dump(), "rubric") for s in v.stages)
    industries = {}
    if v is not None and v.industries:
        for key, ind in v.industries.items():
            industries[key] = (tuple(ind.match), tuple(stage_from_dict(s.model_dump(), "industry") for s in ind.stages))
    dist = v.distribution if v is not None and v.distribution else None
    return Settings(values, dict(prem) if prem is not None else dict(d.value("risk_premiums")),
                    "rubric" if prem is not None else "default", dist or "triangular",
                    "rubric" if dist else "default", stages, industries)


def _same_industry(industry: str, names: Sequence[str]) -> bool:
    """Whether *industry* (a code such as ``new_materials`` or a label such as 新材料) is one of *names*."""
    from tlr.campaign.vocab import industry_id

    code = industry_id(industry) or industry
    return any(industry == n or code == (industry_id(n) or n) for n in names)


def stages_for(s: Settings, industry: str | None):
    """A project's stage list: the rubric's industry override, the packaged industry override, the rubric's
    stages, else the packaged stages."""
    from tlr.valuation.defaults import load_defaults

    d = load_defaults()
    if industry:
        for key, (match, stages) in s.rubric_industries.items():
            if _same_industry(industry, (key, *match)):
                return stages
        for ind in d.industries:
            if _same_industry(industry, (ind.id, *ind.match)):
                return ind.stages
    return s.rubric_stages if s.rubric_stages is not None else d.stages


# --------------------------------------------------------------------------- valuing


@dataclass(frozen=True)
class Subject:
    """One project to value: identity, readiness and the inputs found for it."""

    id: str
    name: str | None
    industry: str | None
    trl: float | None
    trl_source: str | None
    given: dict[str, Given]
    stages: tuple | None = None       # the project's own stages (inputs file), else the defaults by industry


@dataclass
class CampaignValuation:
    """The valuation of a campaign (or a plain table): ``to_dict()`` is contract 1 (docs/valuation.md)."""

    data: dict[str, Any]
    tornado: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in self.data["projects"]}

    def to_dict(self) -> dict[str, Any]:
        return self.data


def _from_extra(extra: Mapping[str, Any]) -> tuple[dict[str, Given], float | None, list[tuple[str, str, str]]]:
    found: dict[str, Given] = {}
    bad: list[tuple[str, str, str]] = []
    trl = None
    trl_keys = {_norm(x) for x in TRL_HEADERS}
    for header, raw in (extra or {}).items():
        if raw in (None, ""):
            continue
        if _norm(str(header)) in trl_keys:
            try:
                trl = _trl(raw)
            except ValueError as exc:
                bad.append((str(header), str(raw), str(exc)))
            continue
        name = input_name(str(header))
        if name is None or name in found:
            continue
        try:
            lo, mo, hi = parse_value(raw if not isinstance(raw, (list, dict)) else str(raw), INPUTS[name][3])
        except ValueError as exc:
            bad.append((str(header), str(raw), str(exc)))
            continue
        found[name] = Given(lo, mo, hi, "project", "import")
    return found, trl, bad


def value_subjects(subjects: Sequence[Subject], sett: Settings, *, draws: int, seed: int,
                   distribution: str | None = None, top_tornado: int = 8) -> tuple[list[dict], dict]:
    """Value *subjects*; returns (the projects of contract 1, the method)."""
    import numpy as np

    from tlr.valuation.defaults import stage_arrays
    from tlr.valuation.simulate import PortfolioInputs, Ranged, tornado, value_portfolio

    kind = distribution or sett.distribution
    rows: list[dict] = []
    computable: list[int] = []
    resolved: list[dict[str, Given]] = []
    for i, s in enumerate(subjects):
        given: dict[str, Given] = {}
        missing: list[str] = []
        for name in INPUTS:
            if name in s.given:
                given[name] = s.given[name]
            elif name in sett.values:
                given[name] = sett.values[name]
            elif name == "royalty" and ("margin" in s.given):
                share, margin = sett.values["profit_share"], s.given["margin"]
                given[name] = Given(share.mode * margin.low, share.mode * margin.mode, share.mode * margin.high,
                                    share.source)
            elif name in PROJECT_ONLY:
                missing.append(name)
        if s.trl is None:
            missing.insert(0, "trl")
        resolved.append(given)
        row = {"id": s.id, "name": s.name, "industry": s.industry,
               "trl": (int(s.trl) if s.trl is not None and float(s.trl).is_integer() else s.trl),
               "trl_source": s.trl_source, "stages": [], "p_market": None, "rnpv": None, "outcome": None,
               "income": None, "cost_floor": None, "interval": None, "interval_note": None,
               "inputs": {k: g.to_dict() for k, g in given.items()}, "missing": missing}
        if s.trl is not None and all(k in given for k in REQUIRED):
            computable.append(i)
        rows.append(row)
    for i, row in enumerate(rows):   # the cost floor needs no simulation
        g = resolved[i]
        if "replacement_cost" in g and "newness" in g:
            row["cost_floor"] = g["replacement_cost"].mode * g["newness"].mode
    method = {"draws": draws, "seed": seed, "distribution": kind,
              "discount_rate": sett.values["discount_rate"].to_dict(),
              "income_rate": {"value": sett.income_rate, "risk_free": sett.values["risk_free"].to_dict(),
                              "premiums": dict(sett.premiums), "source": sett.premiums_source},
              "commercial_life": sett.values["commercial_life"].to_dict(),
              "ramp_years": sett.values["ramp_years"].to_dict(), "tax_rate": sett.values["tax_rate"].to_dict(),
              "profit_share": sett.values["profit_share"].to_dict(),
              "sampled": "rnpv: the risk-adjusted value over the input ranges (independent draws); outcome: each "
                         "stage played out as a Bernoulli draw; income: the income approach over the input ranges",
              "interval": "cost floor (重置成本 × 成新率) to the income approach's value (收益法); interval_note "
                          "income_below_cost when the income value is the lower end",
              "stage_defaults": _defaults_identity()}
    if not computable:
        return rows, method
    subs = [subjects[i] for i in computable]
    res = [resolved[i] for i in computable]
    stage_lists = [s.stages or stages_for(sett, s.industry) for s in subs]
    arrays = stage_arrays(None, [s.trl for s in subs], stage_lists=stage_lists)

    def ranged(name: str) -> Ranged:
        return Ranged.of([g[name].low for g in res], [g[name].mode for g in res], [g[name].high for g in res])

    n = len(subs)
    royalty = Ranged.of(*[[g["royalty"].low if "royalty" in g else np.nan for g in res],
                          [g["royalty"].mode if "royalty" in g else np.nan for g in res],
                          [g["royalty"].high if "royalty" in g else np.nan for g in res]])
    inp = PortfolioInputs(
        market_size=ranged("market_size"), market_share=ranged("market_share"), margin=ranged("margin"),
        rd_cost=ranged("rd_cost"), p=arrays.p, years=arrays.years, cost_share=arrays.cost_share,
        rate=np.full(n, sett.values["discount_rate"].mode), life=np.array([g["commercial_life"].mode for g in res]),
        ramp=np.full(n, sett.values["ramp_years"].mode), royalty=royalty,
        income_rate=np.full(n, sett.income_rate), tax=np.array([g["tax_rate"].mode for g in res]))
    val = value_portfolio(inp, draws=draws, seed=seed, kind=kind)
    torn = tornado(inp)
    for j, i in enumerate(computable):
        row = rows[i]
        stages = arrays.stages[j]
        rd = res[j]["rd_cost"].mode
        row["stages"] = [{"id": st.id, "from_trl": _level(st.from_trl), "to_trl": _level(st.to_trl),
                          "cost": rd * float(arrays.cost_share[j, k]), "years": st.years[1],
                          "years_range": list(st.years), "p_success": st.p_success,
                          "p_range": [st.p_low, st.p_high], "source": st.origin, "confidence": st.confidence,
                          "reference": st.source, "note": st.note}
                         for k, st in enumerate(stages)]
        row["p_market"] = float(val.at_mode.p_market[j])
        row["rnpv"] = {**val.rnpv.row(j), "at_mode": float(val.at_mode.value[j])}
        row["outcome"] = val.outcome.row(j) if val.outcome is not None else None
        if "royalty" in res[j]:
            row["income"] = {"value": float(val.income_at_mode[j]), **val.income.row(j)}
        if row["cost_floor"] is not None and row["income"] is not None:
            row["interval"] = sorted([row["cost_floor"], row["income"]["value"]])
            if row["income"]["value"] < row["cost_floor"]:   # said, never hidden by the sort
                row["interval_note"] = "income_below_cost"
        row["tornado"] = [{"input": name, "stage": stages[k].id if k is not None else None,
                           "low": lo, "high": hi, "base": float(torn.base[j])}
                          for name, k, lo, hi in torn.ranked(j)[:top_tornado]]
    return rows, method


def _level(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 6)


def _defaults_identity() -> dict[str, Any]:
    from importlib.resources import files

    data = files("tlr.valuation").joinpath("data", "stage_defaults.yaml").read_bytes()
    return {"file": "tlr/valuation/data/stage_defaults.yaml", "version": 1, "sha256": hashlib.sha256(data).hexdigest()}


def _document(rows: list[dict], method: dict, sources: dict, audit=None) -> CampaignValuation:
    from tlr import __version__

    doc = {"tool": f"tlr {__version__}", "method": method, "sources": sources, "projects": rows}
    if audit is not None:
        doc["audit"] = audit.to_dict()
        doc["stamp"] = audit.stamp
    return CampaignValuation(doc)


def value_campaign(ledger_or_dir: Any, *, inputs_path: str | Path | None = None, draws: int = 10_000,
                   seed: int = 20240601, distribution: str | None = None, evaluation: Any = None,
                   allow_unverified: bool = False, audit: Any = None, encoding: str | None = None,
                   inputs: InputsFile | None = None) -> CampaignValuation:
    """Value every project of a campaign (contract 1). *evaluation*: an evaluation already made (the report's);
    else readiness is evaluated here (cheaply: readiness does not depend on the ranking's draws)."""
    from tlr.app.audit_gate import check_audit
    from tlr.campaign import open_campaign
    from tlr.campaign.ledger import Ledger

    own = not isinstance(ledger_or_dir, Ledger)
    ledger = open_campaign(ledger_or_dir) if own else ledger_or_dir
    try:
        if inputs is None and inputs_path is not None:
            inputs = read_inputs(inputs_path, encoding=encoding)    # a bad file fails before anything slow
        if audit is None:
            audit = check_audit(ledger, allow_unverified=allow_unverified)
        readiness = _readiness(ledger, evaluation)
        file_rows = inputs.rows if inputs is not None else {}
        projects = ledger.projects()
        known = {p["id"] for p in projects}
        unknown = [pid for pid in file_rows if pid not in known]
        if unknown:
            raise ValidationError([Diagnostic("error", f"项目编号不在本批次中 / project '{pid}' is not in this campaign",
                                              Location(file=inputs.path, field=pid),
                                              "check the id (tlr export) or remove the row", "unknown_project")
                                   for pid in unknown[:20]])
        subjects = []
        problems: list[Diagnostic] = []
        for prow in projects:
            pid = prow["id"]
            found, declared, bad = _from_extra(prow.get("extra") or {})
            frow = file_rows.get(pid)
            overridden = set(frow.values) if frow else set()
            for header, raw, problem in bad:   # a bad imported cell counts unless --inputs gives that input
                if input_name(header) not in overridden and not (input_name(header) is None and frow
                                                                 and frow.trl is not None):
                    problems.append(Diagnostic(
                        "error", f"{header}: {problem}", Location(file=str(ledger.path), field=f"{pid}: {header}"),
                        "give the value in --inputs (it wins over the import), or fix the projects file and import "
                        "again", "bad_value"))
            given = {**found, **(frow.values if frow else {})}
            level, source = readiness.get(pid, (math.nan, "none"))
            trl, trl_source = (float(level), TRL_SOURCES.get(source, source)) if not math.isnan(level) else (None, None)
            if trl is None:
                declared = frow.trl if frow and frow.trl is not None else declared
                trl, trl_source = (declared, "declared") if declared is not None else (None, None)
            subjects.append(Subject(pid, prow.get("name"), prow.get("industry"), trl, trl_source, given,
                                    frow.stages if frow else None))
        if problems:
            raise ValidationError(problems)
        sett = settings(ledger.rubric.document)
        rows, method = value_subjects(subjects, sett, draws=draws, seed=seed, distribution=distribution)
        last = ledger.audit_head()
        sources = {"rubric": ledger.rubric.content_hash, "ledger_audit_head": last[1] if last else None,
                   "inputs": {"path": inputs.path, "sha256": inputs.sha256} if inputs is not None else None,
                   "campaign": str(ledger.meta.get("name") or "")}
        return _document(rows, method, sources, audit)
    finally:
        if own:
            ledger.close()


def _readiness(ledger, evaluation) -> dict[str, tuple[float, str]]:
    """project -> (TRL, source) from *evaluation* (made here when None). A round nobody has scored yet still
    has its evidence-based assessments (``tlr trl``); projects without either take a declared TRL column."""
    from tlr.numeric.errors import NoScoresError

    if evaluation is None:
        from tlr.app.evaluation import evaluate_campaign
        from tlr.evaluation import EvaluationOptions

        try:
            evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=1, bootstrap_draws=0))
        except NoScoresError:
            from tlr.campaign.trl import assessed_readiness

            return {pid: (float(r.level), "assessment" if r.basis == "evidenced" else "asserted")
                    for pid, r in assessed_readiness(ledger).items()}
    ev = evaluation
    return {pid: (float(ev.readiness[k]), ev.readiness_source[k]) for k, pid in enumerate(ev.projects)}


def value_file(path: str | Path, *, draws: int = 10_000, seed: int = 20240601, distribution: str | None = None,
               encoding: str | None = None) -> CampaignValuation:
    """Value the projects of a plain inputs table (no campaign): readiness from its TRL column, industry from
    its 行业 column, the packaged defaults for everything else."""
    inputs = read_inputs(path, encoding=encoding)
    subjects = [Subject(pid, r.name, r.industry, r.trl, "declared" if r.trl is not None else None, dict(r.values),
                        r.stages)
                for pid, r in inputs.rows.items()]
    rows, method = value_subjects(subjects, settings(None), draws=draws, seed=seed, distribution=distribution)
    sources = {"rubric": None, "ledger_audit_head": None, "inputs": {"path": inputs.path, "sha256": inputs.sha256}}
    return _document(rows, method, sources)


__all__ = ["INPUTS", "SYNONYMS", "Given", "CampaignValuation", "parse_value", "read_inputs", "value_campaign",
           "value_file", "value_subjects", "settings", "input_name"]
