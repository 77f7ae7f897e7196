"""``tlr rank``, ``tlr explain``, ``tlr agreement``: the ranking of a campaign, explained."""

from __future__ import annotations

from typing import Any

import click

from tlr.cli.kit import (BOOTSTRAP, DRAWS, ID, POSITIVE, SEED, PathArg, add_row, campaign_argument,
                         campaign_pair_argument, command, console, echo_json, engine_options, json_option, lang_option,
                         new_table,
                         print_table, safe)
from tlr.cli.kit.fund import fund_options

RUBRIC_OPTION = click.option("--rubric", "rubric_path", type=PathArg(dir_okay=False), default=None,
                             help="核对评价体系文件与批次冻结版本一致 / Check that this rubric file still matches "
                                  "the campaign's frozen rubric.")
UNVERIFIED_OPTION = click.option(
    "--allow-unverified", is_flag=True,
    help="审计未通过时仍输出，并标注“审计未通过” / Produce results even when `tlr audit verify` fails, stamped "
         "'audit failed'.")


def _options(draws: int, seed: int, top: int, bootstrap: int, engine: str = "local", scheduler: str | None = None,
             workers: int = 2):
    from tlr.evaluation import EvaluationOptions

    return EvaluationOptions(draws=draws, seed=seed, top_k=top, bootstrap_draws=bootstrap, engine=engine,
                             scheduler=scheduler, workers=workers)


def _run(campaign: str | None, options, rubric_path: str | None, allow_unverified: bool = False, check: bool = True):
    """Open the ledger, verify its audit trail, and evaluate (a progress line on a terminal).

    Returns (ledger, evaluation, audit status or None when *check* is off)."""
    import sys

    from tlr.app.audit_gate import check_audit
    from tlr.campaign import open_campaign
    from tlr.app.evaluation import evaluate_campaign

    ledger = open_campaign(campaign)
    click.get_current_context().call_on_close(ledger.close)  # checkpoint and close when the command ends
    audit = check_audit(ledger, allow_unverified=allow_unverified) if check else None
    if sys.stderr.isatty():
        out = console(stderr=True)
        with out.status("评价中 / evaluating…") as status:
            result = evaluate_campaign(ledger, options, rubric_path=rubric_path,
                                       progress=lambda s: status.update(f"评价中 / evaluating: {s}…"))
    else:
        result = evaluate_campaign(ledger, options, rubric_path=rubric_path)
    return ledger, result, audit


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}"


@command()
@campaign_argument
@click.option("--top", "top", type=POSITIVE, default=10, show_default=True,
              help="P(前k) 的 k，并显示前 k 行 / k for P(top k); rows shown.")
@click.option("--all", "show_all", is_flag=True, help="显示全部项目 / Show every project, not only the top k.")
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="权重蒙特卡洛抽样次数 / Monte Carlo weight draws.")
@click.option("--bootstrap", type=BOOTSTRAP, default=1_000, show_default=True,
              help="专家自助重抽样次数（0 关闭）/ Expert-resampling draws (0: off).")
@click.option("--seed", type=SEED, default=20240601, show_default=True,
              help="随机种子（同种子同结果）/ Random seed (same seed, same result).")
@engine_options
@fund_options
@RUBRIC_OPTION
@UNVERIFIED_OPTION
@lang_option
@json_option
def rank(campaign: str | None, top: int, show_all: bool, draws: int, bootstrap: int, seed: int, engine: str,
         scheduler: str | None, workers: int, budget: float | None,
         objective: str, fundable_tiers: str | None, cost_column: str | None, industries: str | None,
         min_trl: int | None, max_ticket: float | None, industry_cap: int | None, rubric_path: str | None,
         allow_unverified: bool, lang: str, as_json: bool) -> int:
    """排序、分档与排名稳健性 / Rank a campaign: composite, tier, support route and how sure each rank is.

    The audit trail is verified first (refused on failure unless --allow-unverified).
    The rank interval is the 5-95 % range of ranks over Monte Carlo draws of the
    weights (Dirichlet around the rubric's weights); P(top k) the share of draws in
    the top k. Knocked-out projects stay in the list by score, marked ×, with no
    support route and no P(top k). TRL marks: * evidence-based assessment,
    † assessor-asserted assessment (some 'yes' without evidence).

    With --budget: the projects to fund under --objective (default above-line:
    the most value above the fundable line), beside the rank-order fill, why
    every fundable candidate left out is out and what swap would bring it in,
    and the efficient frontier (budget -> best value). docs/scoring.md §7.

    \b
    Example / 示例:
      tlr rank round-2026 --top 10
      tlr rank -C round-2026 --all --json > ranking.json
      TLR_CAMPAIGN=round-2026 tlr rank --budget 5000 --min-trl 5
      tlr rank round-2026 --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from tlr.app.records import completeness_summary, project_records
    from tlr.app.funding import fund_fit
    from tlr.cli.kit.fund import print_selection, run_selection, split_list
    from tlr.text import tr

    options = _options(draws, seed, top, bootstrap, engine, scheduler, workers)
    ledger, ev, audit = _run(campaign, options, rubric_path, allow_unverified)
    names = {p["id"]: p for p in ledger.projects()}
    rows = project_records(ev, names, lang)
    completeness = completeness_summary(ev, ledger.experts())
    focus = split_list(industries)
    if focus or min_trl is not None or max_ticket is not None or budget is not None:
        fit = fund_fit(ev, names, industries=focus, min_trl=min_trl, max_ticket=max_ticket, cost_column=cost_column)
        for row in rows:
            row["fund_fit"] = not fit[row["project"]]
            row["fund_fit_reasons"] = fit[row["project"]]
    selection = None
    if budget is not None:
        selection = run_selection(ev, names, budget=budget, objective=objective, fundable_tiers=fundable_tiers,
                                  cost_column=cost_column, industries=industries, min_trl=min_trl,
                                  max_ticket=max_ticket, industry_cap=industry_cap, lang=lang)
    if as_json:
        echo_json({"audit": audit.to_dict(), "method": ev.method, "notes": [n.to_dict(lang) for n in ev.notes],
                   "completeness": completeness, "projects": rows,
                   **({"selection": selection} if selection is not None else {})})
        return 0
    out = console()
    zh = lang == "zh"
    rubric = ev.rubric
    if audit.stamp:
        out.print(f"[bold red]{audit.stamp['zh']} / {audit.stamp['en']}[/bold red]: {safe(audit.problems[0])}")
    out.print(f"[bold]{safe(tr(rubric.title, lang))}[/bold] {safe(rubric.version)} — {len(rows)} "
              f"{'个项目' if zh else 'projects'}")
    k = ev.robustness.top_k
    table = new_table([col[0] if zh else col[1] for col in (
        ("排名", "rank"), ("项目", "project"), ("综合分", "score"), ("档次", "tier"), ("支持路径", "route"),
        ("TRL", "TRL"), ("排名区间", "rank 5–95%"), (f"P(前{k})", f"P(top {k})"), ("说明", "notes"))])
    shown = rows if show_all else rows[:top]
    for r in shown:
        interval = r["rank_interval"]
        notes = [("× " + ("一票否决：" if zh else "knock-out: ") + x["label"]) for x in r["knockouts"]]
        notes += [f["text"] for f in r["flags"]]
        add_row(table, [str(r["rank"]) + (" ×" if r["knocked_out"] else ""), f"{r['project']} {r['name'] or ''}",
                        _fmt(r["composite"]), f"{r['tier']} {r['tier_label'] or ''}",
                        r.get("route_short") or r["route_label"] or "—",
                        "—" if r["readiness"] is None else f"{r['readiness']}{r['readiness_marker']}",
                        "—" if interval is None else f"{interval[0]:.0f}–{interval[1]:.0f}",
                        "—" if r["p_top_k"] is None else f"{r['p_top_k']:.2f}", "; ".join(notes)])
    print_table(table, out=out)
    if len(shown) < len(rows):
        out.print(f"… {'另有' if zh else ''}{len(rows) - len(shown)} {'个（--all 显示全部）' if zh else 'more (--all)'}")
    if selection is not None:
        print_selection(out, selection, names, lang)
    for line in legend_lines(ev, completeness, audit, lang):
        out.print(line)
    return 0


def legend_lines(ev, completeness: dict | None, audit, lang: str) -> list[str]:
    """What the table's marks mean, how complete the answers are, and how the method was applied."""
    zh = lang == "zh"
    lines = ["TRL: * 有证据的评估　† 评估人断言（部分“是”无证据）　无标记：专家组中位数" if zh else
             "TRL: * evidence-based assessment  † assessor-asserted (some 'yes' without evidence)  "
             "unmarked: panel median",
             "排名区间：权重模拟中排名的 5%–95% 分位；× 一票否决（按得分列出，不进入推荐，不计入选概率）" if zh else
             "rank 5–95%: ranks over the weight simulation; × knocked out (listed by score, never recommended, no P(top k))"]
    if completeness is not None:
        lines.append(completeness_line(completeness, lang))
    for note in ev.notes:
        lines.append(note.text(lang))
    if audit is not None and audit.verified:
        lines.append(("审计已核验，末端哈希 " if zh else "audit verified, chain head ") + audit.head[:16] + "…")
    return lines


def completeness_line(c: dict, lang: str) -> str:
    """One sentence on answers expected against received, silent experts and projects short of experts."""
    zh = lang == "zh"
    share = f"{100 * c['share']:.0f}%" if c["share"] is not None else "—"
    parts = [f"评分完整性：应收 {c['answers_expected']} 条，实收 {c['answers_received']} 条（{share}）" if zh else
             f"completeness: {c['answers_received']} of {c['answers_expected']} answers ({share})"]
    if c["silent_experts"]:
        parts.append(("未提交任何评分的专家：" if zh else "experts with no answer: ") + ", ".join(c["silent_experts"]))
    if c["projects_below_quorum"]:
        n = len(c["projects_below_quorum"])
        parts.append(f"{n} 个项目未达法定人数" if zh else f"{n} project(s) below quorum")
    if c["projects_below_min_experts"]:
        n = len(c["projects_below_min_experts"])
        parts.append(f"{n} 个项目评分专家少于 {c['min_experts']} 位" if zh else
                     f"{n} project(s) with fewer than {c['min_experts']} experts")
    return ("；" if zh else "; ").join(parts)


@command()
@campaign_pair_argument("project", ID, "PROJECT")
@RUBRIC_OPTION
@UNVERIFIED_OPTION
@lang_option
@json_option
def explain(campaign: str | None, project: str, rubric_path: str | None, allow_unverified: bool, lang: str,
            as_json: bool) -> int:
    """解释项目得分 / Why a project scored what it did, and what the next tier would take.

    Shows each indicator's contribution to the composite (weight × utility,
    summing to the composite), the gap to the next tier and which single
    indicator could close it, knock-outs and flags.

    \b
    Example / 示例:
      tlr explain round-2026 P017
      tlr explain -C round-2026 P017 --lang en
    """
    from tlr.app.explain import explain_project
    from tlr.text import tr

    options = _options(500, 20240601, 10, 0)
    ledger, ev, audit = _run(campaign, options, rubric_path, allow_unverified)
    body = explain_project(ev, project, lang)
    if as_json:
        echo_json({**body, "audit": audit.to_dict()})
        return 0
    out = console()
    zh = lang == "zh"
    name = next((p["name"] for p in ledger.projects() if p["id"] == project), "")
    if audit.stamp:
        out.print(f"[bold red]{audit.stamp['zh']} / {audit.stamp['en']}[/bold red]: {safe(audit.problems[0])}")
    out.print(f"[bold]{safe(project)} {safe(name)}[/bold] — {'综合分' if zh else 'composite'} "
              f"{_fmt(body['composite'], 2)}, {'档次' if zh else 'tier'} {body['tier']}, "
              f"{'排名' if zh else 'rank'} {body['rank']}{' ×' if body.get('knocked_out') else ''}")
    print_table([col[0] if zh else col[1] for col in (
        ("指标", "indicator"), ("共识值", "consensus"), ("效用", "utility"), ("权重", "weight"),
        ("贡献", "contribution"), ("单项可达下一档", "alone reaches next tier"))],
        [[f"{c['indicator']} {tr(ev.rubric.node(c['indicator']).label, lang)}", _fmt(c["consensus"], 2),
          _fmt(c["utility"], 2), f"{c['weight']:.3f}", _fmt(c["contribution"], 2),
          "✓" if c["sufficient_alone"] else ""] for c in body["contributions"]], out=out)
    if body["gap_to_next_tier"] > 0:
        out.print(f"{'距下一档还差' if zh else 'gap to the next tier'}: {body['gap_to_next_tier']:.2f}")
    for item in body.get("neighbours", []):
        swap = item["swap"]
        if swap is None:
            out.print(f"{'与' if zh else 'vs '}{safe(item['neighbour'])} (#{item['rank']}): "
                      f"{'单一权重变化无法交换' if zh else 'no single weight change swaps them'}")
        else:
            out.print(f"{'与' if zh else 'vs '}{safe(item['neighbour'])} (#{item['rank']}): "
                      f"{safe(swap['indicator'])} {safe(swap['label'])} {'权重' if zh else 'weight'} "
                      f"{swap['weight']:.3f} → {swap['new_weight']:.3f} "
                      f"{'即可交换名次' if zh else 'swaps the two'}")
    for item in body["knockouts"]:
        out.print(f"× {'一票否决' if zh else 'knock-out'}: {safe(item['label'][lang])}")
    for flag in body["flags"]:
        out.print(f"! {safe(flag['text'][lang])}")
    return 0


@command()
@campaign_argument
@UNVERIFIED_OPTION
@lang_option
@json_option
def agreement(campaign: str | None, allow_unverified: bool, lang: str, as_json: bool) -> int:
    """专家一致性 / Panel agreement: Krippendorff's alpha, ICC and Kendall's W per indicator, outlier experts.

    Krippendorff's alpha (ordinal for levels such as TRL, interval for scores) is
    the headline: it takes any pattern of missing scores, so it works when each
    expert scored only some projects; its 95% interval resamples projects with a
    fixed seed. W and the two-way ICC are computed over the complete block
    (experts who scored every project on the indicator); with sparse assignments
    that block may be empty and they are reported as not available, never guessed.
    Advisory: nothing here changes a rank.

    \b
    Example / 示例:
      tlr agreement round-2026
      tlr agreement -C round-2026 --json
    """
    from tlr.text import tr

    options = _options(200, 20240601, 10, 0)
    ledger, ev, audit = _run(campaign, options, None, allow_unverified)
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
    review = [{"project": ev.projects[p], "reasons": [f.to_dict(lang) for f in ev.flags(p) if f.severity == "review"]}
              for p in range(len(ev.projects)) if ev.review[p]]
    headline = _headline(ev.agreement)
    data = {"audit": audit.to_dict(), "indicators": ev.agreement, "experts": experts, "review": review,
            "headline": headline}
    if as_json:
        echo_json(data)
        return 0
    out = console()
    zh = lang == "zh"
    indicators = {iid: entry for iid, entry in ev.agreement.items() if isinstance(entry, dict)}
    print_table(("indicator", "α", "level", "α 95% CI", "design", "ICC(1) one-way", "projects", "ICC(A,1)",
                 "Kendall W", "p", "block e×p"),
                [[f"{iid} {tr(ev.rubric.node(iid).label, lang)}", _fmt(entry.get("alpha"), 3),
                  entry.get("alpha_level", ""), _ci(entry), entry.get("design", ""),
                  _fmt(entry.get("icc1_oneway"), 3), str(entry.get("icc1_targets", "")), _fmt(entry.get("icc2_1"), 3),
                  _fmt(entry.get("kendall_w"), 3), _fmt(entry.get("kendall_p"), 3),
                  f"{entry.get('kendall_experts', 0)}×{entry.get('kendall_projects', 0)}"]
                 for iid, entry in indicators.items()], title="指标一致性 / agreement per indicator", out=out)
    if headline["reason"]:
        out.print(f"{'主要统计量' if zh else 'headline'}: Krippendorff α — {safe(headline['reason'][lang])}")
    if experts:
        print_table(("expert", "bias", "z", "flat", "corr", "flags"),
                    [[x["expert"], _fmt(x["bias"], 2), _fmt(x["bias_z"], 1), _fmt(x["flat_share"], 2),
                      _fmt(x["corr"], 2), ", ".join(x["flags"])] for x in experts], title="专家 / experts", out=out)
    out.print(f"{'需复议项目' if zh else 'projects to re-review'}: {len(review)}")
    for r in review[:30]:
        out.print(f"  {safe(r['project'])}: {safe('; '.join(x['text'] for x in r['reasons']))}")
    return 0


def _num(x) -> float | None:
    x = float(x)
    return None if x != x else x


def _ci(entry: dict) -> str:
    low, high = entry.get("alpha_ci_low"), entry.get("alpha_ci_high")
    return "" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _headline(indicators: dict) -> dict:
    """Which statistic leads and why, over all indicators: sparse if any indicator's design is sparse."""
    designs = {entry.get("design") for entry in indicators.values() if isinstance(entry, dict)}
    design = "sparse" if "sparse" in designs else "complete" if "complete" in designs else "none"
    reason = next((entry["headline_reason"] for entry in indicators.values()
                   if isinstance(entry, dict) and entry.get("design") == design and "headline_reason" in entry), None)
    return {"statistic": "krippendorff_alpha", "design": design, "reason": reason}
