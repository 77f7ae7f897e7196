"""The report's portfolio section (资助组合): the data of ``partials/portfolio.html.j2``, language made.

Built from the JSON-ready dict of :func:`tlr.app.portfolio.build_portfolio` (the same numbers as
``tlr portfolio --json``), with the two charts as SVG. Shown only when the report is made with ``--portfolio``.
"""

from __future__ import annotations

from typing import Any

from tlr.text import pick

STRINGS = {
    "title": ("资助组合", "Portfolio"),
    "lead": ("按 portfolio.yaml 的规则，在 funds.yaml 中带预算的资金池之间、分年度选出资助项目（精确混合整数规划，HiGHS 求解）。",
             "The projects each pool funds, year by year, under the rules of portfolio.yaml (an exact mixed-integer "
             "program solved with HiGHS)."),
    "objective": ("目标", "Objective"),
    "failure": ("已知缺陷", "Known failure"),
    "status": ("求解", "Solver"),
    "status_text": ("{status}，相对间隙 {gap}（要求 ≤ {asked}），求解 {solves} 次", "{status}, relative gap {gap} "
                                                                      "(asked ≤ {asked}), {solves} solve(s)"),
    "totals": ("合计", "Totals"),
    "totals_text": ("入选 {n} 项，承诺 {committed} 万元；各池各年预算合计 {budget} 万元；目标值 {value}",
                    "{n} funded, {committed} 万元 committed; budgets (all pools and years) {budget} 万元; objective "
                    "{value}"),
    "budget_use": ("预算占用", "Budget use"),
    "budget_use_expected": ("后续各笔按达成里程碑的概率计（期望成本）：若更多项目达成里程碑，某年实际支出可能超出预算，“全额”一列即最坏情况。",
                            "later tranches at expected cost (amount × probability of reaching the milestone): if "
                            "more projects reach their milestones than expected, a year's spending can exceed its "
                            "budget; the 'in full' column is the worst case."),
    "budget_use_worst": ("各笔均按全额计（最坏情况），不会超支。", "every tranche counted in full (worst case): never "
                                                             "exceeded."),
    "pool_use": ("资金池使用", "Pool use"),
    "pool": ("资金池", "Pool"),
    "year": ("年份", "Year"),
    "budget": ("预算", "Budget"),
    "counted": ("计入", "Counted"),
    "full": ("全额", "In full"),
    "remaining": ("剩余", "Left"),
    "selection": ("入选项目", "Selection"),
    "project": ("项目", "Project"),
    "rank": ("排名", "Rank"),
    "ask": ("申请（万元）", "Ask (万元)"),
    "share": ("比例", "Share"),
    "value": ("价值", "Value"),
    "none": ("无", "none"),
    "quotas": ("配额", "Quotas"),
    "quota": ("配额", "Quota"),
    "measure": ("口径", "Measure"),
    "achieved": ("实际", "Achieved"),
    "binding": ("约束生效", "Binding"),
    "left_out": ("未入选的项目及原因", "Left out, and why"),
    "why": ("原因", "Why"),
    "summary_no_pool": ("另有 {n} 项不符合任何资金池的投向。", "{n} more fit no pool's mandate."),
    "summary_blocked": ("另有 {n} 项触发一票否决或无人评分。", "{n} more are knocked out or not scored."),
    "charts": ("有效前沿与性价比", "Frontier and value for money"),
    "no_value": ("以下项目无估值，不能在 rNPV 目标下入选：", "These projects have no value and cannot be chosen under an "
                                                       "rNPV objective: "),
}


def portfolio_section(data: dict, lang: str = "zh") -> dict[str, Any]:
    """The section's content: strings, facts, tables and the charts (SVG)."""
    from tlr.app.portfolio_charts import frontier_chart, vfm_chart

    s = pick(STRINGS, lang)
    key = "zh" if lang == "zh" else "en"
    years = [str(y) for y in data["years"]]
    summarised = {"no_pool": 0, "blocked": 0}
    left = []
    for item in data["left_out"]:
        if item["reason"] == "no_pool":
            summarised["no_pool"] += 1
        elif item["reason"].startswith("blocked_"):
            summarised["blocked"] += 1
        else:
            left.append({"project": item["project"], "name": item["name"] or "", "rank": item["rank"],
                         "ticket": item["ticket"], "why": item["text"][key]})
    notes = []
    if summarised["no_pool"]:
        notes.append(s["summary_no_pool"].format(n=summarised["no_pool"]))
    if summarised["blocked"]:
        notes.append(s["summary_blocked"].format(n=summarised["blocked"]))
    charts = {"vfm": vfm_chart(data, lang, fmt="svg").decode("utf-8")}
    if data.get("frontier"):
        charts["frontier"] = frontier_chart(data, lang, fmt="svg").decode("utf-8")
    gap = data["mip_gap"]
    return {
        "s": s, "years": years, "objective": data["objective"], "objective_text": data["objective_text"][key],
        "failure": data["failure_mode"][key],
        "status": s["status_text"].format(status=data["status"], gap=f"{gap:.2%}" if gap is not None else "—",
                                          asked=f"{data['gap_asked']:.2%}", solves=data["solves"]),
        "totals": s["totals_text"].format(n=data["funded"], committed=f"{data['total_committed']:g}",
                                          budget=f"{data['budget_total']:g}", value=f"{data['value']:.4g}"),
        "budget_use": s["budget_use_expected"] if data["budget_use"] == "expected" else s["budget_use_worst"],
        "pools": [{"id": p["id"], "name": p["name"].get(key) or p["id"],
                   "years": [{"year": y, **p["years"][y]} for y in years],
                   "projects": [{**row, "years": [row["by_year"][y] for y in years]} for row in p["projects"]]}
                  for p in data["pools"]],
        "quotas": data["quotas"], "left_out": left, "notes": notes,
        "no_value": [x["project"] for x in data.get("no_value") or []], "charts": charts,
    }


def read_inputs(ledger, portfolio_path: str | None, funds_path: str | None, values_path: str | None) -> dict:
    """The report's --portfolio, --funds and --values read and checked (before the evaluation)."""
    from tlr.errors import TlrError

    if portfolio_path is None or funds_path is None:
        missing = "--funds" if portfolio_path is not None else "--portfolio"
        given = "--portfolio" if portfolio_path is not None else ("--funds" if funds_path is not None else "--values")
        raise TlrError(f"{given} 需要同时给出 {missing} / {given} needs {missing} as well",
                       hint="tlr report CAMPAIGN --out DIR --portfolio portfolio.yaml --funds funds.yaml "
                            "[--values value.json]", code="usage")
    from tlr.app.portfolio import read_values, spec_vocabulary
    from tlr.app.push import vocabulary
    from tlr.portfolio.spec import load_spec
    from tlr.push.model import load_funds

    funds = load_funds(funds_path, vocabulary(ledger.rubric))
    spec = load_spec(portfolio_path, spec_vocabulary(ledger))
    values = source = None
    if values_path is not None:
        from tlr.outputs import sha256_file

        values = read_values(values_path)
        source = {"path": values_path, "sha256": sha256_file(values_path)}
    return {"funds": funds, "spec": spec, "values": values, "source": source}


def with_valuation(inputs: dict, valuation) -> dict:
    """*inputs* valued with the report's own valuation (:class:`tlr.app.valuation.CampaignValuation`): the
    portfolio and the valuation chapter then show one set of numbers."""
    from tlr.app.portfolio import values_from

    doc = valuation.to_dict()
    given = (doc.get("sources") or {}).get("inputs") or {}
    source = {"path": "tlr value (本报告的估值章节 / this report's valuation chapter)",
              "sha256": given.get("sha256"), "inputs": given.get("path"), "draws": doc["method"]["draws"],
              "seed": doc["method"]["seed"]}
    return {**inputs, "values": values_from(doc, source["path"]), "source": source}


def section_for(ledger, evaluation, inputs: dict, audit, lang: str) -> dict:
    """The section of the portfolio solved on *evaluation* (a 20-point frontier)."""
    from tlr.app.portfolio import build_portfolio

    data = build_portfolio(ledger, evaluation, inputs["funds"], inputs["spec"], values=inputs["values"],
                           values_source=inputs["source"], frontier_points=20, audit=audit, lang=lang)
    return portfolio_section(data, lang)
