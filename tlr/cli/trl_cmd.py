"""``tlr trl``: evidence-gated technology readiness assessment (assess, show, ladders)."""

from __future__ import annotations

from pathlib import Path

import click

from tlr.cli.kit import TEXT, PathArg, echo_json, group, json_option, print_table

LANG = click.Choice(["zh", "en"])


@group("trl")
def trl() -> None:
    """技术就绪度评估 / Evidence-gated technology readiness assessment.

    \b
    每个关键技术元素（CTE）按逐级核查清单评定；项目就绪度 = 各 CTE 的最低等级。
    Each critical technology element (CTE) is rated from a cumulative checklist;
    the project is as ready as its least mature CTE. TRLs are never averaged.

    \b
    Example / 示例:
      tlr trl ladders
      tlr trl assess my-project.yaml --ladder trl-cn-development --cte sensor
      tlr trl show examples/trl/assessment.yaml
    """


def _finish(doc, path: Path, *, as_json: bool, lang: str, save: bool) -> int:
    from tlr.trl.assess import evaluate, update_derived
    from tlr.trl.render import render_result
    from tlr.trl.store import save_assessment

    result = evaluate(doc, path.parent, source=str(path))
    if save:
        update_derived(doc, result)
        save_assessment(doc, path)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(render_result(result, lang))
    bad = [e for r in result.ctes for e in r.evidence if e.status in ("missing", "changed")]
    for e in bad:
        what = "证据文件缺失 / evidence file missing" if e.status == "missing" else \
            "证据文件已改动（哈希不符）/ evidence file changed (SHA-256 differs)"
        click.echo(f"{path}: warning: {what}: {e.cte}.{e.item}: {e.target}", err=True)
    return 1 if bad else 0


@trl.command("assess")
@click.argument("file", type=PathArg(dir_okay=False, path_type=Path))
@click.option("--ladder", "ladder_ref", default=None,
              help="阶梯 id 或文件（默认：文件中的，否则 trl-cn-development）/ ladder id (see `tlr trl ladders`) or "
                   "path; default: the file's, else trl-cn-development")
@click.option("--cte", "cte_id", default=None, help="要评估的关键技术元素（新的则创建）/ CTE id to assess (created if new)")
@click.option("--answers", "answers_file", type=PathArg(exists=True, dir_okay=False, path_type=Path), default=None,
              help="非交互：从答案文件导入 / non-interactive: merge answers from this YAML/JSON file")
@click.option("--by", "by", default=None, type=TEXT, help="评估人姓名 / assessor name recorded with each answer")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="界面语言 / prompt language")
@json_option
def assess(file: Path, ladder_ref: str | None, cte_id: str | None, answers_file: Path | None, by: str | None,
           lang: str, as_json: bool) -> None:
    """评估（交互式计算器或导入答案）/ Assess CTEs interactively, or import an answers file.

    Interactive: prompts level by level (descriptor, evidence needed), answers
    y / n / na / percent, Enter keeps the current answer, e = add evidence,
    b = back, s = skip, q = quit. Saves after every answer; run the same command
    again to resume.

    \b
    Example / 示例:
      tlr trl assess project.yaml --ladder trl-cn-development --cte sensor --lang zh
      tlr trl assess project.yaml --answers examples/trl/answers.yaml --by 张三
    """
    from tlr.outputs import check_document
    from tlr.trl.store import load_assessment

    check_document(file)  # written in place: never a folder, a device, a pipe, or under /dev or /proc
    if answers_file is not None:
        from tlr.trl.assess import merge_answers
        from tlr.trl.store import SessionLock

        incoming = load_assessment(answers_file)
        with SessionLock(file):
            base = load_assessment(file) if file.exists() else None
            if ladder_ref and "ladder" not in incoming.model_fields_set:
                incoming.ladder = ladder_ref
            doc = merge_answers(base, incoming, incoming_dir=answers_file.parent, out_dir=file.parent, by=by)
            _finish(doc, file, as_json=as_json, lang=lang, save=True)
        return
    if as_json:
        raise click.UsageError("--json 须与 --answers 一起使用（交互式计算器面对的是人）/ --json needs --answers (the "
                               "interactive calculator talks to a person)")
    from tlr.app.interactive.assess import run_session
    from tlr.cli.kit.terminal import ClickTerminal

    code = run_session(file, ClickTerminal(), ladder_ref=ladder_ref, cte_id=cte_id, lang=lang, by=by)
    if code:
        raise click.exceptions.Exit(code)


@trl.command("show")
@click.argument("file", type=PathArg(dir_okay=False, path_type=Path))
@json_option
@click.option("--lang", type=LANG, default="zh", show_default=True, help="显示语言 / language of the output")
@click.option("--strict", is_flag=True, help="证据缺失或改动时退出码为 1 / exit 1 when evidence is missing or changed")
def show(file: Path, as_json: bool, lang: str, strict: bool) -> None:
    """显示评估结果 / Levels per CTE, project readiness (rule named), what is missing for the next level.

    \b
    Example / 示例:
      tlr trl show examples/trl/assessment.yaml
      tlr trl show examples/trl/assessment.yaml --json --lang en
    """
    from tlr.trl.store import load_assessment

    doc = load_assessment(file)
    findings = _finish(doc, file, as_json=as_json, lang=lang, save=False)
    if strict and findings:
        raise click.exceptions.Exit(1)


@trl.command("ladders")
@click.argument("ladder", required=False)
@json_option
@click.option("--lang", type=LANG, default="zh", show_default=True, help="显示语言 / language of the output")
def ladders(ladder: str | None, as_json: bool, lang: str) -> None:
    """列出或显示就绪度阶梯 / List shipped ladders, or show one with its checklist.

    \b
    Example / 示例:
      tlr trl ladders
      tlr trl ladders trl-cn-development --lang en
    """
    from tlr.text import both
    from tlr.trl.ladders import load_ladder, shipped_ladders
    from tlr.trl.render import render_ladder

    if ladder:
        lad = load_ladder(ladder)
        if as_json:
            echo_json(lad.scale.model_dump(mode="json", exclude_none=True))
        else:
            click.echo(render_ladder(lad, lang))
        return
    rows = []
    for name in shipped_ladders():
        lad = load_ladder(name)
        n = sum(len(level.checklist) for level in lad.levels)
        conf = lad.scale.confidence or "-"
        rows.append({"id": lad.id, "levels": f"{lad.numbers[0]}-{lad.numbers[-1]}", "questions": n,
                     "confidence": conf, "title": both(lad.library.title) if lad.library else lad.id})
    if as_json:
        echo_json(rows)
        return
    print_table(["阶梯 / ladder", "等级 / levels", "问题 / questions", "可信度 / confidence", "名称 / title"],
                [[r["id"], r["levels"], r["questions"], r["confidence"], r["title"]] for r in rows])
