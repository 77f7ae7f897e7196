"""The fund options shared by ``tlr rank`` and ``tlr report`` and the terminal view of a budget selection."""

from __future__ import annotations

import click

from tlr.cli.kit.params import AMOUNT, NON_NEGATIVE, POSITIVE

OBJECTIVE_CHOICES = ("above-line", "value-for-money", "sum")  # = tlr.ranking.selection.OBJECTIVES (no numpy here)


def fund_options(f):
    """``--budget --objective --fundable-tiers --cost-column --industries --min-trl --max-ticket --industry-cap``."""
    options = [
        click.option("--budget", type=AMOUNT, default=None,
                     help="基金预算（万元）：按 --objective 选出资助项目，并给出按排名填充的对照、每个未入选候选项目的原因与"
                          "替换、有效前沿 / Fund budget (万元): the projects to fund under --objective, with the "
                          "rank-order fill, why each candidate left out is out, and the efficient frontier."),
        click.option("--objective", type=click.Choice(OBJECTIVE_CHOICES), default="above-line", show_default=True,
                     help="选择目标 / above-line: maximise Σ (composite − fundable line); value-for-money: take "
                          "candidates by value per 万 while they fit; sum: maximise Σ composite (docs/scoring.md §7)."),
        click.option("--fundable-tiers", default=None,
                     help="可资助档次，逗号分隔或 all（默认：评价体系标记为 fundable 的档次）/ Tiers that may be "
                          "funded, comma-separated, or 'all' (default: the tiers the rubric marks fundable)."),
        click.option("--cost-column", default=None, help="申请金额所在列 / Project column holding the requested "
                     "amount (default: 申请经费（万元） / requested_funding)."),
        click.option("--industries", default=None, help="基金关注行业，逗号分隔 / Fund focus industries, comma-separated."),
        click.option("--min-trl", type=NON_NEGATIVE, default=None, help="最低就绪度 / Fund stage: minimum readiness level."),
        click.option("--max-ticket", type=AMOUNT, default=None, help="单笔投资上限 / Largest single investment."),
        click.option("--industry-cap", type=POSITIVE, default=None,
                     help="每个行业最多入选数 / At most this many selected projects per industry."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def split_list(value: str | None) -> list[str] | None:
    return [i.strip() for i in value.split(",") if i.strip()] if value else None


def run_selection(ev, names, *, budget, objective, fundable_tiers, cost_column, industries, min_trl, max_ticket,
                  industry_cap, lang: str = "zh") -> dict:
    """The budget selection dict of :func:`tlr.app.funding.select_for_budget` from the CLI options."""
    from tlr.app.funding import select_for_budget

    return select_for_budget(ev, names, budget, objective=objective, cost_column=cost_column,
                             industries=split_list(industries), min_trl=min_trl, max_ticket=max_ticket,
                             industry_cap=industry_cap, fundable=split_list(fundable_tiers), lang=lang)


def _n(x) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def print_selection(out, sel: dict, names: dict, lang: str = "zh") -> None:
    """The selection in the terminal: rule, objective, selection vs rank-order fill, left-out, frontier."""
    from tlr.cli.kit.output import add_row, new_table, print_table, safe
    from tlr.report.strings import ui

    s = ui(lang)
    key = "zh" if lang == "zh" else "en"
    colon, gap = ("：", "") if key == "zh" else (": ", " ")

    def name(pid: str) -> str:
        return f"{pid} {(names.get(pid) or {}).get('name') or ''}".strip()

    def label(pid: str) -> str:
        return safe(name(pid))

    out.print(f"\n[bold]{s['sel_title']}[/bold] — {s['sel_budget']} {_n(sel['budget'])} {s['sel_unit']}")
    out.print(f"{s['sel_objective']}{colon}{sel['objective']} — {sel['objective_text'][key]}")
    out.print(f"{s['sel_failure']}{colon}{sel['failure_mode'][key]}")
    out.print(f"{s['sel_rule']}{colon}{safe(sel['candidate_rule'][key])}{gap}"
              + s["sel_n_candidates"].format(n=len(sel["candidates"]),
                                            cost=_n(sum(c["cost"] for c in sel["candidates"]))))
    rows = {c["project"]: c for c in sel["candidates"]}
    print_table((s["rank"], s["project"], s["tier"], s["composite"], s["sel_cost"], s["sel_value"]),
                [[rows[pid]["rank"], name(pid), rows[pid]["tier"], f"{rows[pid]['composite']:.1f}",
                  _n(rows[pid]["cost"]), f"{rows[pid]['value']:.1f}"] for pid in sel["selected"]],
                title=s["sel_selected"], out=out)
    if sel["objective"] == "value-for-money":
        lead = s["sel_selected_lead_rule"].format(n=len(sel["selected"]), cost=_n(sel["total_cost"]),
                                                  left=_n(sel["remaining"]), value=f"{sel['total_value']:.1f}",
                                                  optimum=f"{sel['optimum']['total_value']:.1f}")
    else:
        lead = s["sel_selected_lead"].format(n=len(sel["selected"]), cost=_n(sel["total_cost"]),
                                             left=_n(sel["remaining"]), value=f"{sel['total_value']:.1f}")
    out.print(lead)
    fill = sel["rank_fill"]
    out.print(f"{s['sel_rank_fill']}{colon}" + s["sel_rank_fill_lead"].format(
        n=len(fill["selected"]), cost=_n(fill["total_cost"]), value=f"{fill['total_value']:.1f}") + gap
        + safe(_compare(fill["selected"], sel["selected"], s, "、" if key == "zh" else ", ")))
    out.print(f"[bold]{s['sel_left_out']}[/bold]")
    if not sel["left_out"]:
        out.print(f"  {s['sel_none_left_out']}")
    for item in sel["left_out"]:
        out.print(f"  #{item['rank']} {label(item['project'])} ({item['tier']}, {item['composite']:.1f}): "
                  f"{safe(item['explanation'][key])}")
    frontier = sel.get("frontier")
    if frontier:
        cols = [s["sel_from_budget"], s["sel_best_value"], s["sel_rank_fill_value"]]
        if sel["objective"] == "value-for-money":
            cols.append(s["sel_rule_value"])
        cols += [s["sel_projects"], ""]
        ft = new_table(cols, title=s["sel_frontier"])
        for k, pt in enumerate(frontier["points"]):
            cells = [_n(pt["budget"]), f"{pt['value']:.1f}", f"{pt['rank_fill_value']:.1f}"]
            if sel["objective"] == "value-for-money":
                cells.append(f"{pt['rule_value']:.1f}")
            cells += [", ".join(pt["selected"]) or "—", s["sel_here"] if k == frontier["at_budget"] else ""]
            add_row(ft, cells)
        print_table(ft, out=out)
        if not frontier["breakpoints"]:
            out.print(s["sel_frontier_grid"].format(n=len(frontier["points"])))


def _compare(fill: list[str], chosen: list[str], s: dict, sep: str) -> str:
    extra = [p for p in fill if p not in chosen]
    missing = [p for p in chosen if p not in fill]
    if not extra and not missing:
        return s["sel_same"]
    return s["sel_differs"].format(extra=sep.join(extra) or "—", missing=sep.join(missing) or "—")
