"""``tlr feedback``: one feedback letter per applicant (HTML and PDF), from the evaluation the report uses."""

from __future__ import annotations

import sys

import click

from tlr.cli.kit import (
    DRAWS,
    SEED,
    PathArg,
    campaign_argument,
    command,
    echo_json,
    formats_option,
    json_option,
    lang_option,
    plain,
)


def _split_ids(ctx, param, value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = [x.strip() for x in value.split(",") if x.strip()]
    if not ids:
        raise click.BadParameter("给出至少一个项目编号 / give at least one project id, e.g. P001,P007", ctx, param)
    return list(dict.fromkeys(ids))


class _Bar:
    """Letters written so far on stderr: a progress bar on a terminal, nothing otherwise (or with --json)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet or not sys.stderr.isatty()
        self.progress = self.task = None

    def __enter__(self):
        if not self.quiet:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            from tlr.cli.kit import console

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=console(stderr=True), transient=True)
            self.progress.__enter__()
            self.task = self.progress.add_task("排序 / ranking", total=None)  # a pulse until the letters start
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description="反馈函 / letters", completed=done, total=total)

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)


@command()
@campaign_argument
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False),
              help="反馈函写入的目录（只写这个目录）/ folder to write the letters into (only this folder is written)")
@click.option("--projects", "project_ids", default=None, callback=_split_ids, metavar="ID,…",
              help="只为这些项目写反馈函（逗号分隔；默认全部）/ write letters for these projects only (comma-separated; "
                   "default: every project)")
@formats_option
@click.option("--draws", type=DRAWS, default=10_000, show_default=True,
              help="权重蒙特卡洛抽样次数（与报告相同）/ Monte Carlo weight draws (as for the report)")
@click.option("--seed", type=SEED, default=20240601, show_default=True,
              help="随机种子（与报告相同）/ random seed (as for the report)")
@click.option("--allow-unverified", is_flag=True,
              help="审计未通过时仍生成反馈函，每页标注“审计未通过” / write the letters even when `tlr audit verify` "
                   "fails; every page is stamped 'audit failed'.")
@lang_option
@json_option
def feedback(campaign: str | None, out_dir: str, project_ids: list[str] | None, formats: tuple[str, ...], draws: int,
             seed: int, allow_unverified: bool, lang: str, as_json: bool) -> int:
    """反馈函 / Feedback letters to applicants, one per project (HTML and PDF).

    Each letter gives the project's tier with the thresholds the rubric applied, its
    composite score and rank, its readiness, its position per dimension within the
    cohort (前 10% / 前 25% / 中间 / 后 25%), its strengths and weaknesses with the
    experts' comments on them, and what would move it up one tier (or the knock-out
    rule that stopped it). Letters never name an expert or another project:
    comments are shown without their author and scrubbed of every expert's name,
    id and organisation and of other projects' names and ids. The evaluation is the
    report's (same --draws and --seed); the audit trail is verified first (exit 2
    unless --allow-unverified, which stamps every page).

    \b
    Example / 示例:
      tlr feedback round-2026 --out letters/
      tlr feedback -C round-2026 --out letters-en/ --lang en --projects P2026-007,P2026-021
    """
    from tlr.app.feedback import (
        build_letters,
        check_projects,
        font_chars,
        letter_names,
        render_letters,
    )
    from tlr.outputs import check_folder

    check_folder(out_dir)  # before the ranking: a bad --out fails at once
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions

    ledger = open_campaign(campaign)
    click.get_current_context().call_on_close(ledger.close)
    audit = check_audit(ledger, allow_unverified=allow_unverified)
    known = [p["id"] for p in ledger.projects()]
    if project_ids is not None:  # before the (slow) evaluation
        check_projects(known, project_ids)
    names = letter_names(known if project_ids is None else project_ids)
    check_folder(out_dir, names=[f"{stem}.{f}" for stem in names.values() for f in formats])
    with _Bar(as_json) as bar:
        evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=draws, seed=seed))
        letters = build_letters(ledger, evaluation, lang=lang, audit=audit)  # all: one font subset for the round
        chars = font_chars(letters, lang)
        if project_ids is not None:
            chosen = set(project_ids)
            letters = [x for x in letters if x.project in chosen]
        written = render_letters(letters, out_dir, formats=formats, lang=lang, chars=chars, progress=bar)
    if as_json:
        echo_json({"letters": written, "audit": audit.to_dict()})
    else:
        for item in written:
            for f in item["files"]:
                click.echo(f"已生成 / written: {plain(f['path'])}")
        click.echo(f"共 {len(written)} 封反馈函 / {len(written)} letter(s)")
    return 0
