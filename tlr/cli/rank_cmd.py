"""``tlr rank``, ``tlr explain``, ``tlr agreement``: the ranking of a campaign, explained."""

from __future__ import annotations

from typing import Any

import click

from tlr.cli._output import JSON_OPTION, LANG_OPTION, console, echo_json

CAMPAIGN_ARG = click.argument("campaign", type=click.Path(exists=False), metavar="CAMPAIGN")
RUBRIC_OPTION = click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), default=None,
                             help="Check that this rubric file still matches the campaign's frozen rubric.")


def _options(draws: int, seed: int, top: int, bootstrap: int):
    from tlr.evaluate import EvaluationOptions

    return EvaluationOptions(draws=draws, seed=seed, top_k=top, bootstrap_draws=bootstrap)


def _run(campaign: str, options, rubric_path: str | None):
    """Open the ledger and evaluate, with a progress line on a terminal."""
    import sys

    from tlr.campaign import open_campaign
    from tlr.campaign.evaluation import evaluate_campaign

    ledger = open_campaign(campaign)
    if sys.stderr.isatty():
        out = console(stderr=True)
        with out.status("评价中 / evaluating…") as status:
            result = evaluate_campaign(ledger, options, rubric_path=rubric_path,
                                       progress=lambda s: status.update(f"评价中 / evaluating: {s}…"))
    else:
        result = evaluate_campaign(ledger, options, rubric_path=rubric_path)
    return ledger, result


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}"


@click.command()
@CAMPAIGN_ARG
@click.option("--top", "top", type=int, default=10, show_default=True, help="k for P(top k); rows shown.")
@click.option("--all", "show_all", is_flag=True, help="Show every project, not only the top k.")
@click.option("--draws", type=int, default=10_000, show_default=True, help="Monte Carlo weight draws.")
@click.option("--bootstrap", type=int, default=1_000, show_default=True, help="Expert-resampling draws (0: off).")
@click.option("--seed", type=int, default=20240601, show_default=True, help="Random seed (same seed, same result).")
@click.option("--budget", type=float, default=None, help="Fund budget: pick the projects that maximise the total "
              "score within it (exact integer program).")
@click.option("--cost-column", default=None, help="Project column holding the requested amount "
              "(default: 申请经费（万元） / requested_funding).")
@click.option("--industries", default=None, help="Fund focus industries, comma-separated (fund fit).")
@click.option("--min-trl", type=int, default=None, help="Fund stage: minimum readiness level (fund fit).")
@click.option("--max-ticket", type=float, default=None, help="Largest single investment (fund fit).")
@click.option("--industry-cap", type=int, default=None, help="At most this many selected projects per industry.")
@RUBRIC_OPTION
@LANG_OPTION
@JSON_OPTION
def rank(campaign: str, top: int, show_all: bool, draws: int, bootstrap: int, seed: int, budget: float | None,
         cost_column: str | None, industries: str | None, min_trl: int | None, max_ticket: float | None,
         industry_cap: int | None, rubric_path: str | None, lang: str, as_json: bool) -> int:
    """排序、分档与排名稳健性 / Rank a campaign: composite, tier, support route and how sure each rank is.

    The rank interval is the 5-95 % range of ranks over Monte Carlo draws of the
    weights (Dirichlet around the rubric's weights); P(top k) the share of draws in
    the top k. Knocked-out projects stay in the list, marked, with their reasons.

    \b
    Example / 示例:
      tlr rank round-2026 --top 10
      tlr rank round-2026 --all --json > ranking.json
    """
    from tlr.text import tr

    options = _options(draws, seed, top, bootstrap)
    from tlr.campaign.evaluation import ranking_rows

    from tlr.campaign.evaluation import fund_fit, select_for_budget

    ledger, ev = _run(campaign, options, rubric_path)
    names = {p["id"]: p for p in ledger.projects()}
    rows = ranking_rows(ev, names, lang)
    focus = [i.strip() for i in industries.split(",") if i.strip()] if industries else None
    fit = None
    if focus or min_trl is not None or max_ticket is not None or budget is not None:
        fit = fund_fit(ev, names, industries=focus, min_trl=min_trl, max_ticket=max_ticket, cost_column=cost_column)
        for row in rows:
            row["fund_fit"] = not fit[row["project"]]
            row["fund_fit_reasons"] = fit[row["project"]]
    selection = None
    if budget is not None:
        selection = select_for_budget(ev, names, budget, cost_column=cost_column, fit=fit, industry_cap=industry_cap)
    if as_json:
        echo_json({"method": ev.method, "notes": list(ev.notes), "projects": rows,
                   **({"selection": selection} if selection is not None else {})})
        return 0
    from rich.table import Table

    out = console()
    rubric = ev.rubric
    out.print(f"[bold]{tr(rubric.title, lang)}[/bold] {rubric.version} — {len(rows)} 个项目 / projects")
    table = Table(show_lines=False)
    zh = lang == "zh"
    for col in (("排名", "rank"), ("项目", "project"), ("综合分", "score"), ("档次", "tier"), ("支持路径", "route"),
                ("TRL", "TRL"), ("排名区间", "rank 5–95%"), (f"P(前{ev.robustness.top_k})", f"P(top {ev.robustness.top_k})"),
                ("说明", "notes")):
        table.add_column(col[0] if zh else col[1])
    shown = rows if show_all else rows[:top]
    for r in shown:
        lo, hi = r["rank_interval"]
        notes = "; ".join(r["knockout_reasons"] + r["flags"])
        table.add_row(str(r["rank"]), f"{r['project']} {r['name'] or ''}", _fmt(r["composite"]),
                      f"{r['tier']} {r['tier_label']}", r["route_label"] or "—",
                      "—" if r["readiness"] is None else f"{r['readiness']}{'*' if r['readiness_source'] == 'assessment' else ''}",
                      f"{lo:.0f}–{hi:.0f}", f"{r['p_top_k']:.2f}", notes)
    out.print(table)
    if len(shown) < len(rows):
        out.print(f"… {len(rows) - len(shown)} more (--all)")
    if selection is not None:
        out.print(f"{'预算内最优组合' if zh else 'best selection within the budget'} "
                  f"({selection['total_cost']:g} / {selection['budget']:g}): {', '.join(selection['selected']) or '—'}")
        out.print(f"{'总分' if zh else 'total score'} {selection['total_score']:.1f}; "
                  f"{'不符合基金条件' if zh else 'not eligible'} {len(selection['not_eligible'])}, "
                  f"{'缺申请金额' if zh else 'without an amount'} {len(selection['no_cost'])}")
    out.print("* TRL 来自有证据的评估 / from an evidence-based assessment" if zh
              else "* TRL from an evidence-based assessment")
    for note in ev.notes:
        click.echo(note, err=True)
    return 0


@click.command()
@CAMPAIGN_ARG
@click.argument("project")
@RUBRIC_OPTION
@LANG_OPTION
@JSON_OPTION
def explain(campaign: str, project: str, rubric_path: str | None, lang: str, as_json: bool) -> int:
    """解释项目得分 / Why a project scored what it did, and what the next tier would take.

    Shows each indicator's contribution to the composite (weight × utility,
    summing to the composite), the gap to the next tier and which single
    indicator could close it, knock-outs and flags.

    \b
    Example / 示例:
      tlr explain round-2026 P017
    """
    from tlr.text import tr

    options = _options(500, 20240601, 10, 0)
    ledger, ev = _run(campaign, options, rubric_path)
    body = ev.explain(project)
    if as_json:
        echo_json(body)
        return 0
    from rich.table import Table

    out = console()
    zh = lang == "zh"
    name = next((p["name"] for p in ledger.projects() if p["id"] == project), "")
    out.print(f"[bold]{project} {name}[/bold] — {'综合分' if zh else 'composite'} {_fmt(body['composite'], 2)}, "
              f"{'档次' if zh else 'tier'} {body['tier']}, {'排名' if zh else 'rank'} {body['rank']}")
    table = Table()
    for col in (("指标", "indicator"), ("共识值", "consensus"), ("效用", "utility"), ("权重", "weight"),
                ("贡献", "contribution"), ("单项可达下一档", "alone reaches next tier")):
        table.add_column(col[0] if zh else col[1])
    for c in body["contributions"]:
        node = ev.rubric.node(c["indicator"])
        table.add_row(f"{c['indicator']} {tr(node.label, lang)}", _fmt(c["consensus"], 2), _fmt(c["utility"], 2),
                      f"{c['weight']:.3f}", _fmt(c["contribution"], 2), "✓" if c["sufficient_alone"] else "")
    out.print(table)
    if body["gap_to_next_tier"] > 0:
        out.print(f"{'距下一档还差' if zh else 'gap to the next tier'}: {body['gap_to_next_tier']:.2f}")
    for item in body.get("neighbours", []):
        swap = item["swap"]
        if swap is None:
            out.print(f"{'与' if zh else 'vs '}{item['neighbour']} (#{item['rank']}): "
                      f"{'单一权重变化无法交换' if zh else 'no single weight change swaps them'}")
        else:
            out.print(f"{'与' if zh else 'vs '}{item['neighbour']} (#{item['rank']}): "
                      f"{swap['indicator']} {swap['label']} {'权重' if zh else 'weight'} "
                      f"{swap['weight']:.3f} → {swap['new_weight']:.3f} "
                      f"{'即可交换名次' if zh else 'swaps the two'}")
    for reason in body["knockouts"]:
        out.print(f"{'一票否决' if zh else 'knock-out'}: {reason}")
    for flag in body["flags"]:
        out.print(f"! {flag}")
    return 0


@click.command()
@CAMPAIGN_ARG
@LANG_OPTION
@JSON_OPTION
def agreement(campaign: str, lang: str, as_json: bool) -> int:
    """专家一致性 / Panel agreement: Kendall's W and ICC per indicator, re-review flags, outlier experts.

    W and ICC are computed over the complete block (experts who scored every
    project on the indicator); with sparse assignments that block may be empty and
    the statistic is reported as not available, never guessed.

    \b
    Example / 示例:
      tlr agreement round-2026
    """
    from tlr.text import tr

    options = _options(200, 20240601, 10, 0)
    ledger, ev = _run(campaign, options, None)
    flags = ev.expert_flags
    experts = []
    if flags is not None:
        for e, eid in enumerate(ev.experts):
            kinds = []
            if flags.systematic[e]:
                kinds.append("lenient" if flags.bias[e] > 0 else "harsh")
            if flags.non_discriminating[e]:
                kinds.append("non_discriminating")
            if flags.erratic[e]:
                kinds.append("erratic")
            experts.append({"expert": eid, "bias": _num(flags.bias[e]), "bias_z": _num(flags.bias_z[e]),
                            "flat_share": _num(flags.flat_share[e]), "corr": _num(flags.corr[e]), "flags": kinds})
    review = [{"project": ev.projects[p], "reasons": ev.review_reasons.get(p, [])} for p in range(len(ev.projects))
              if ev.review[p]]
    data = {"indicators": ev.agreement, "experts": experts, "review": review}
    if as_json:
        echo_json(data)
        return 0
    from rich.table import Table

    out = console()
    zh = lang == "zh"
    table = Table(title="指标一致性 / agreement per indicator")
    for col in ("indicator", "ICC(1) one-way", "projects", "Kendall W", "p", "block e×p"):
        table.add_column(col)
    for iid, entry in ev.agreement.items():
        table.add_row(f"{iid} {tr(ev.rubric.node(iid).label, lang)}", _fmt(entry.get("icc1_oneway"), 3),
                      str(entry.get("icc1_targets", "")), _fmt(entry.get("kendall_w"), 3),
                      _fmt(entry.get("kendall_p"), 3),
                      f"{entry.get('kendall_experts', 0)}×{entry.get('kendall_projects', 0)}")
    out.print(table)
    if experts:
        t2 = Table(title="专家 / experts")
        for col in ("expert", "bias", "z", "flat", "corr", "flags"):
            t2.add_column(col)
        for x in experts:
            t2.add_row(x["expert"], _fmt(x["bias"], 2), _fmt(x["bias_z"], 1), _fmt(x["flat_share"], 2),
                       _fmt(x["corr"], 2), ", ".join(x["flags"]))
        out.print(t2)
    out.print(f"{'需复议项目' if zh else 'projects to re-review'}: {len(review)}")
    for r in review[:30]:
        out.print(f"  {r['project']}: {'; '.join(r['reasons'])}")
    return 0


def _num(x) -> float | None:
    x = float(x)
    return None if x != x else x
