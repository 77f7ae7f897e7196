"""The report's valuation chapter (估值): the data of ``partials/valuation.html.j2``.

The numbers are :func:`tlr.app.valuation.value_campaign`'s, made from the report's own evaluation with the
report's ``--draws`` and ``--seed``: the same numbers as ``tlr value --json`` with those arguments. The chapter
appears only when valuation inputs exist (an inputs file, or valuation columns in the project import).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("估值", "Valuation"),
    "lead": ("单位：万元。rNPV 为按技术就绪阶段的决策树计算的风险调整净现值（各阶段成本、年限、成功概率），区间为输入不确定性下的"
             " P10–P90；收益法为分成率法（风险累加折现率），成本法下限为重置成本 × 成新率；价格区间取两者之间。方法与默认值来源见"
             " docs/valuation.md。",
             "In 万元. rNPV: risk-adjusted NPV over the readiness stages still ahead (cost, duration and probability "
             "of success of each), with P10–P90 over the inputs' ranges; income approach: revenue share (分成率) at a "
             "build-up rate; cost floor: replacement cost × 成新率; the price interval lies between them. Method "
             "and the defaults' sources: docs/valuation.md."),
    "project": ("项目", "Project"), "trl": ("TRL", "TRL"), "p_market": ("上市概率", "P(market)"),
    "mean": ("rNPV 均值", "rNPV mean"), "range": ("P10–P90", "P10–P90"), "p_positive": ("P(rNPV>0)", "P(rNPV>0)"),
    "income": ("收益法", "Income approach"), "floor": ("成本下限", "Cost floor"),
    "interval": ("价格区间", "Price interval"), "missing": ("缺少的输入", "Missing inputs"),
    "not_valued": ("未估值（缺少输入）", "Not valued (inputs missing)"),
    "overview": ("rNPV 区间（P10–P90，点为 P50）", "rNPV ranges (P10–P90, dot at P50)"),
    "tornado": ("敏感性（龙卷风图）：各输入取低值（红）与高值（蓝）、其余取最可能值时的 rNPV",
                "Tornado: rNPV with each input at its low (red) and high (blue) end, the others at their mode"),
    "low_end": ("低值", "low end"), "high_end": ("高值", "high end"),
    "stages": ("待完成的阶段", "Stages still ahead"), "stage": ("阶段", "Stage"), "cost": ("成本", "Cost"),
    "years": ("年限", "Years"), "p": ("成功概率", "P(success)"), "source": ("来源", "Source"),
    "confidence": ("可信度", "Confidence"), "inputs": ("输入及来源", "Inputs and their sources"),
    "input": ("输入", "Input"), "low": ("低", "Low"), "mode": ("最可能", "Mode"), "high": ("高", "High"),
    "outcome": ("实际结果分布（各阶段按概率成败）", "Realised outcomes (stages pass or fail by their probability)"),
    "method": ("方法", "Method"), "no_stage": ("无（已上市）", "none (on the market)"),
}
SOURCE_LABELS = {"default": ("内置默认", "packaged default"), "rubric": ("评价体系", "rubric"),
                 "industry": ("行业默认", "industry default"), "project": ("项目", "project")}
TRL_SOURCE_LABELS = {"assessed": ("评估", "assessed"), "panel": ("专家组", "panel"), "declared": ("申报", "declared")}
INPUT_NAMES = {"p": ("成功概率", "P(success)"), "years": ("年限", "duration")}


# the packaged stage defaults' ids (tlr/valuation/data/stage_defaults.yaml); a rubric's own ids show as written
STAGE_NAMES = {"research": ("研究", "research"), "proof": ("概念验证", "proof of concept"),
               "pilot": ("中试", "pilot"), "demonstration": ("示范应用", "demonstration"),
               "industrialisation": ("产业化", "industrialisation"), "discovery": ("药物发现", "discovery"),
               "preclinical": ("临床前", "preclinical"), "phase1": ("I 期临床", "phase I"),
               "phase2": ("II 期临床", "phase II"), "phase3": ("III 期临床及审评", "phase III and review"),
               "launch": ("上市", "launch")}
CONFIDENCE = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}
NO_SOURCE = "none (judgement)"
INTERVAL_NOTES = {"income_below_cost": ("收益法价值低于成本下限：收益难以收回成本", "the income value is below the cost "
                                                                         "floor: earnings do not recover the cost")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def has_inputs(ledger) -> bool:
    """Whether any project of the campaign carries a valuation column in its import."""
    from tlr.app.valuation import input_name

    return any(input_name(str(h)) for p in ledger.projects() for h in (p.get("extra") or {}))


def campaign_valuation(ledger, evaluation, *, inputs_path: str | Path | None = None, inputs=None,
                       draws: int = 10_000, seed: int = 20240601, audit=None, encoding: str | None = None):
    """The campaign's valuation for the report, or None when no valuation input exists. *inputs*: an inputs
    file already read (:func:`tlr.app.valuation.read_inputs`), else *inputs_path*. Without either, the import's
    columns are used when they all read as valuation inputs; if one does not, None (the caller says so)."""
    from tlr.app.valuation import value_campaign

    from tlr.errors import ValidationError

    explicit = inputs is not None or inputs_path is not None
    if not explicit and not has_inputs(ledger):
        return None
    try:
        return value_campaign(ledger, inputs_path=inputs_path, inputs=inputs, draws=draws, seed=seed,
                              evaluation=evaluation, audit=audit, allow_unverified=True, encoding=encoding)
    except ValidationError:
        if explicit:
            raise
        return None   # columns that merely look like valuation inputs (prose in 市场规模 …) never stop a report


def section(valuation, lang: str = "zh") -> dict[str, Any]:
    """The chapter's data (JSON-ready): labels in *lang*, every valued project, and each page's rows."""
    from tlr.app.valuation import INPUTS
    from tlr.text import pick

    doc = valuation.to_dict()
    labels = pick(STRINGS, lang)

    def input_label(name: str) -> str:
        if name in INPUTS:
            return _pick(INPUTS[name][:2], lang)
        return _pick(INPUT_NAMES.get(name, (name, name)), lang)

    projects = []
    for p in doc["projects"]:
        stage_names = {s["id"]: _pick(STAGE_NAMES.get(s["id"], (s["id"], s["id"])), lang) for s in p["stages"]}
        projects.append({
            "id": p["id"], "name": p["name"] or p["id"], "trl": p["trl"],
            "trl_source": _pick(TRL_SOURCE_LABELS[p["trl_source"]], lang) if p["trl_source"] else None,
            "p_market": p["p_market"], "rnpv": p["rnpv"], "outcome": p["outcome"], "income": p["income"],
            "cost_floor": p["cost_floor"], "interval": p["interval"],
            "interval_note": _pick(INTERVAL_NOTES[p["interval_note"]], lang) if p.get("interval_note") else None,
            "missing": [input_label(m) if m != "trl" else "TRL" for m in p["missing"]],
            "stages": [{**s, "name": stage_names[s["id"]], "source_label": _pick(SOURCE_LABELS[s["source"]], lang),
                        "confidence_label": _pick(CONFIDENCE.get(s["confidence"], (s["confidence"],) * 2), lang),
                        "reference": (_pick(("无公开来源（判断）", NO_SOURCE), lang) if s["reference"] == NO_SOURCE
                                      else s["reference"])} for s in p["stages"]],
            "inputs": [{"label": input_label(k), "unit": INPUTS[k][2] if k in INPUTS else "", **v,
                        "source_label": _pick(SOURCE_LABELS[v["source"]], lang)} for k, v in p["inputs"].items()],
            "tornado": [{"label": input_label(t["input"]) + (f" · {stage_names.get(t['stage'], t['stage'])}"
                                                             if t["stage"] else ""),
                         "low": t["low"], "high": t["high"], "base": t["base"]} for t in p.get("tornado", [])],
        })
    m = doc["method"]
    method = [
        (f"{m['draws']} 次抽样，种子 {m['seed']}，{m['distribution']} 分布；rNPV 折现率 {m['discount_rate']['mode']:.0%}"
         f"（{_pick(SOURCE_LABELS[m['discount_rate']['source']], lang)}）；收益法折现率 {m['income_rate']['value']:.1%}"
         f"（无风险 {m['income_rate']['risk_free']['mode']:.1%} + 风险报酬）" if lang == "zh" else
         f"{m['draws']} draws, seed {m['seed']}, {m['distribution']}; rNPV discount rate "
         f"{m['discount_rate']['mode']:.0%} ({_pick(SOURCE_LABELS[m['discount_rate']['source']], lang)}); income "
         f"approach rate {m['income_rate']['value']:.1%} (risk-free {m['income_rate']['risk_free']['mode']:.1%} + "
         f"premiums)"),
        (f"阶段默认值 {m['stage_defaults']['file']}（sha256 {m['stage_defaults']['sha256'][:12]}…）"
         if lang == "zh" else
         f"stage defaults {m['stage_defaults']['file']} (sha256 {m['stage_defaults']['sha256'][:12]}…)"),
    ]
    inputs = doc["sources"].get("inputs")
    if inputs:
        method.append(f"{'输入文件' if lang == 'zh' else 'inputs file'} {Path(inputs['path']).name} "
                      f"(sha256 {inputs['sha256'][:12]}…)")
    return {"labels": labels, "method": method, "projects": projects, "tool": doc["tool"]}


__all__ = ["campaign_valuation", "section", "has_inputs", "STRINGS"]
