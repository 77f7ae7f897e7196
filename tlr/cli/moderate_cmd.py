"""``tlr moderate``: outlying scores, audited exclusions and overrides, and re-scoring rounds (复议)."""

from __future__ import annotations

import click

from tlr.cli.kit import (ID, TEXT, Group, add_row, campaign_option, console, echo_json, json_option, new_table,
                         plain, print_table)
from tlr.cli.kit.params import Integer

MODERATOR_HELP = ("审核人姓名（默认取 TLR_MODERATOR，否则登录用户）/ who moderates (default: $TLR_MODERATOR, else the "
                  "login user); recorded with the action")
REASON_HELP = "必填：写明理由 / required: the written reason"


class Threshold(click.ParamType):
    name = "z"

    def convert(self, value, param, ctx):
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"不是数字 / not a number: {value!r}", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"须为正数 / must be a positive number, got {value}", param, ctx)
        return number


def _campaign(ctx: click.Context, campaign: str | None) -> str | None:
    """The sub-command's -C, else the one given to ``tlr moderate`` itself."""
    while campaign is None and ctx.parent is not None:
        ctx = ctx.parent
        campaign = ctx.params.get("campaign")
    return campaign


def _open(campaign: str | None):
    from tlr.campaign import open_campaign

    return open_campaign(campaign)


def _list_options(f):
    f = json_option(f)
    f = click.option("--limit", type=Integer(1, None), default=None, metavar="N",
                     help="最多列出 N 条 / list at most N scores")(f)
    f = click.option("--indicator", "indicators", type=ID, multiple=True, metavar="ID",
                     help="只看这些指标（可重复）/ only these indicators (repeatable)")(f)
    f = click.option("--threshold", type=Threshold(), default=None, metavar="Z",
                     help="|标准化残差| 不小于 Z 的评分列为可疑，默认 2.5 / list scores with |standardised residual| "
                          "≥ Z (default 2.5: about 1 score in 80 under normal noise)")(f)
    return campaign_option(f)


@click.group(cls=Group, invoke_without_command=True)
@_list_options
@click.pass_context
def moderate(ctx: click.Context, campaign, threshold, indicators, limit, as_json) -> None:
    """复核 / Moderation: outlier scores, audited exclusions and re-scoring (复议).

    Without a sub-command: the scores the additive rater-effects model marks as
    outliers (as `tlr moderate list`). A moderator may exclude or override one
    score, always with a written reason; every action is an audit entry and the
    score itself is never changed. `rescore open` starts a second scoring round
    for projects after the panel's discussion, the first round kept.

    \b
    Example / 示例:
      tlr moderate -C round-2026
      tlr moderate exclude P017 E04 novelty --reason "评分与意见相反 / score contradicts the comment"
      tlr moderate override P017 E04 trl 4 --reason "专家来函更正 / expert's written correction"
      tlr moderate undo P017 E04 novelty --reason "复核后保留 / kept after review"
      tlr moderate rescore open --projects P017,P023 --reason "评审会讨论 / panel discussion"
      tlr moderate changes --projects P017
    """
    if ctx.invoked_subcommand is None:
        _list(campaign, threshold, indicators, limit, as_json)


@moderate.command("list")
@_list_options
@click.pass_context
def list_(ctx: click.Context, campaign, threshold, indicators, limit, as_json) -> None:
    """可疑评分 / The scores the rater-effects model marks as outliers, largest |z| first.

    Per indicator, the scores (as utilities 0–1) are fitted by
    y = quality[project] + leniency[expert] + noise (noise sd per expert); a
    score is listed when its standardised residual |z| ≥ --threshold (default
    2.5). Where the model cannot be fitted (an expert with fewer than 3 scores,
    experts in groups sharing no project) that indicator uses the score minus
    the other experts' mean on the project, divided by 1.4826 × the median
    absolute deviation of those residuals (method loo_mad); it is said so.

    \b
    Example / 示例:
      tlr moderate list -C round-2026 --threshold 3 --json
    """
    _list(_campaign(ctx, campaign), threshold, indicators, limit, as_json)


def _list(campaign, threshold, indicators, limit, as_json) -> None:
    from tlr.campaign.outliers import DEFAULT_THRESHOLD, find_outliers

    with _open(campaign) as ledger:
        if indicators:
            known = [i.id for i in ledger.rubric.indicators]
            bad = [i for i in indicators if i not in known]
            if bad:
                from tlr.errors import CampaignError

                raise CampaignError(f"未知指标 / unknown indicator '{bad[0]}'", code="unknown_indicator",
                                    hint="指标 / indicators: " + ", ".join(known))
        report = find_outliers(ledger, threshold=threshold or DEFAULT_THRESHOLD,
                               indicators=list(dict.fromkeys(indicators)) or None)
    rows = report.rows[:limit] if limit else report.rows
    if as_json:
        echo_json({**report.to_dict(), "outliers": rows, "total": len(report.rows)})
        return
    if report.refusals:
        names = ", ".join(report.refusals)
        first = next(iter(report.refusals.values()))
        click.echo(f"评分者效应模型未用于指标 {names}，改用留一均值残差（loo_mad）/ the rater-effects model refused "
                   f"indicator(s) {plain(names)}; they use the leave-one-out residual (loo_mad) — {plain(first)}",
                   err=True)
    additive = [i for i, m in report.methods.items() if m == "additive"]
    click.echo(f"可疑评分 / outlying scores: {len(report.rows)} 条 of {report.checked} (|z| ≥ {report.threshold:g}); "
               f"模型 / model: additive {', '.join(additive) or '—'}"
               + (f"; loo_mad {', '.join(report.refusals)}" if report.refusals else ""))
    if not rows:
        return
    table = new_table(["项目 project", "专家 expert", "指标 indicator", "评分 score", "效用 utility",
                       "拟合 fitted", "残差 residual", "z", "方法 method", "意见 comment"])
    for r in rows:
        mark = " (改判 override)" if r["moderation"] == "override" else ""
        add_row(table, [r["project"], r["expert"], r["indicator"], f"{r['score']:g}{mark}", f"{r['utility']:.3f}",
                        _f(r["fitted"]), _f(r["residual"]), f"{r['z']:+.2f}", r["method"], r["comment"]])
    print_table(table)
    if len(rows) < len(report.rows):
        click.echo(f"… 另有 {len(report.rows) - len(rows)} 条 / {len(report.rows) - len(rows)} more")


def _f(x) -> str:
    return "—" if x is None else f"{x:.3f}"


def _action_options(f):
    f = json_option(f)
    f = click.option("--moderator", type=TEXT, default=None, metavar="NAME", help=MODERATOR_HELP)(f)
    f = click.option("--reason", type=TEXT, default=None, metavar="TEXT", help=REASON_HELP)(f)
    return campaign_option(f)


def _said(verb: str, m, as_json: bool) -> None:
    if as_json:
        echo_json(m.to_dict())
        return
    what = f"{m.project_id} {m.expert_id} {m.indicator_id}"
    override = f" → {plain(m.raw)}" if m.action == "override" else ""
    click.echo(f"{verb}: {plain(what)}（评分 / score {m.score_value:g}{override}）— {plain(m.reason)}  "
               f"[{plain(m.moderator)}, 审计 / audit #{m.audit_seq}]")


@moderate.command("exclude")
@click.argument("project", type=ID)
@click.argument("expert", type=ID)
@click.argument("indicator", type=ID)
@_action_options
@click.pass_context
def exclude(ctx, project, expert, indicator, campaign, reason, moderator, as_json) -> None:
    """剔除一个评分 / Leave one score out of the evaluation, with a written reason (audited).

    The score stays in the ledger unchanged; the evaluation treats it as not
    given. Undo with `tlr moderate undo`.

    \b
    Example / 示例:
      tlr moderate exclude P017 E04 novelty --reason "利益冲突后补报 / conflict declared afterwards"
    """
    from tlr.campaign.moderation import moderate as act

    with _open(_campaign(ctx, campaign)) as ledger:
        m = act(ledger, "exclude", project, expert, indicator, reason=reason, moderator=moderator)
    _said("已剔除 / excluded", m, as_json)


@moderate.command("override", context_settings={"ignore_unknown_options": True})   # VALUE may be -1
@click.argument("project", type=ID)
@click.argument("expert", type=ID)
@click.argument("indicator", type=ID)
@click.argument("value", type=ID)
@_action_options
@click.pass_context
def override(ctx, project, expert, indicator, value, campaign, reason, moderator, as_json) -> None:
    """改判一个评分 / Replace one score in the evaluation by VALUE, with a written reason (audited).

    VALUE is checked against the indicator's scale like any score. The
    expert's score stays in the ledger unchanged.

    \b
    Example / 示例:
      tlr moderate override P017 E04 trl 4 --reason "专家来函更正 / expert's written correction"
    """
    from tlr.campaign.moderation import moderate as act

    with _open(_campaign(ctx, campaign)) as ledger:
        m = act(ledger, "override", project, expert, indicator, value=value, reason=reason, moderator=moderator)
    _said("已改判 / overridden", m, as_json)


@moderate.command("undo")
@click.argument("project", type=ID)
@click.argument("expert", type=ID)
@click.argument("indicator", type=ID)
@_action_options
@click.pass_context
def undo(ctx, project, expert, indicator, campaign, reason, moderator, as_json) -> None:
    """撤销处理 / End the exclusion or override of one score, with a written reason (audited).

    \b
    Example / 示例:
      tlr moderate undo P017 E04 novelty --reason "复核后保留 / kept after review"
    """
    from tlr.campaign.moderation import undo as act

    with _open(_campaign(ctx, campaign)) as ledger:
        m = act(ledger, project, expert, indicator, reason=reason, moderator=moderator)
    _said("已撤销 / undone", m, as_json)


@moderate.command("history")
@campaign_option
@json_option
@click.pass_context
def history(ctx, campaign, as_json) -> None:
    """处理记录 / Every moderation action, and the ones in force (applied or stale).

    A moderation is stale when the expert has changed the score since (e.g. in
    a re-scoring round): it is kept on record but no longer applied.

    \b
    Example / 示例:
      tlr moderate history --json
    """
    from tlr.campaign.moderation import current_moderations
    from tlr.campaign.moderation import history as all_actions

    with _open(_campaign(ctx, campaign)) as ledger:
        actions = all_actions(ledger)
        in_force = current_moderations(ledger)
    if as_json:
        echo_json({"actions": actions, "in_force": [m.to_dict() for m in in_force]})
        return
    if not actions:
        click.echo("没有处理记录 / no moderation yet")
        return
    table = new_table(["#", "时间 time", "操作 action", "项目 project", "专家 expert", "指标 indicator",
                       "原分 score", "改判 value", "理由 reason", "审核人 moderator"])
    for a in actions:
        add_row(table, [a["id"], a["created_at"][:19], a["action"], a["project_id"], a["expert_id"],
                        a["indicator_id"], "—" if a["score_value"] is None else f"{a['score_value']:g}",
                        a["raw"] or "", a["reason"], a["moderator"]])
    print_table(table)
    stale = [m for m in in_force if not m.active]
    click.echo(f"生效 / in force: {len(in_force) - len(stale)}；失效（评分已改）/ stale (score changed since): "
               f"{len(stale)}")


@moderate.group("rescore", cls=Group)
def rescore() -> None:
    """复议 / Re-scoring rounds: score projects again after discussion, the first round kept.

    \b
    Example / 示例:
      tlr moderate rescore open --projects P017,P023 --reason "评审会讨论 / panel discussion"
      tlr moderate changes --projects P017
    """


def _split(ctx, param, value):
    if value is None:
        return None
    return [p.strip() for p in value.split(",") if p.strip()]


@rescore.command("open")
@campaign_option
@click.option("--projects", type=TEXT, default=None, callback=_split, metavar="ID,…",
              help="要复议的项目，逗号分隔 / the projects to score again, comma-separated")
@click.option("--reason", type=TEXT, default="", metavar="TEXT", help="开启复议的原因（可选）/ why (optional)")
@json_option
@click.pass_context
def rescore_open(ctx, campaign, projects, reason, as_json) -> None:
    """开启复议轮 / Open the next scoring round for projects (all or none, audited).

    Every answer of the round closed is kept as it was; answers entered
    afterwards (tlr score, answer files, scoresheets) are the new round's. The
    evaluation uses each expert's latest answer; an answer not given again
    stands. `tlr moderate changes` shows round 1 → round 2.

    \b
    Example / 示例:
      tlr moderate rescore open --projects P017,P023 --reason "评审会讨论 / panel discussion"
    """
    from tlr.campaign.rounds import open_rescore

    with _open(_campaign(ctx, campaign)) as ledger:
        opened = open_rescore(ledger, projects or [], reason=reason)
    if as_json:
        echo_json({"opened": [{"project": p, **v} for p, v in opened.items()], "reason": reason})
        return
    for p, v in opened.items():
        click.echo(f"已开启复议 / re-scoring opened: {plain(p)} 第 {v['round']} 轮 / round {v['round']}"
                   f"（保留上一轮 {v['kept']} 个评分 / {v['kept']} answers of the previous round kept）")


@moderate.command("changes")
@campaign_option
@click.option("--projects", type=TEXT, default=None, callback=_split, metavar="ID,…",
              help="只看这些项目 / only these projects (default: every re-scored project)")
@json_option
@click.pass_context
def changes(ctx, campaign, projects, as_json) -> None:
    """复议前后 / Per expert and indicator: the previous round's score → the new round's, and the change.

    "kept" marks an answer not given again (the earlier one stands).

    \b
    Example / 示例:
      tlr moderate changes --projects P017 --json
    """
    from tlr.campaign.rounds import round_changes

    with _open(_campaign(ctx, campaign)) as ledger:
        rows = round_changes(ledger, projects)
    if as_json:
        echo_json({"changes": rows})
        return
    if not rows:
        click.echo("没有复议的项目 / no project has been re-scored")
        return
    table = new_table(["项目 project", "专家 expert", "指标 indicator", "轮次 rounds", "前 before", "后 after",
                       "变化 change", ""])
    for r in rows:
        state = ("撤回 withdrawn" if r["withdrawn"] else "" if r["rescored"] else "沿用 kept")
        add_row(table, [r["project"], r["expert"], r["indicator"], f"{r['round_before']} → {r['round_after']}",
                        r["before_raw"] or "—", r["after_raw"] or "—",
                        "—" if r["change"] is None else f"{r['change']:+g}", state])
    out = console()
    print_table(table, out=out)
