"""``tlr rubric``: check, show, scaffold, compare and export the schema of rubric files."""

from __future__ import annotations

import click

from tlr.cli.kit import (POSITIVE, PathArg, add_row, console, echo_json, echo_written, formats_option, group,
                         json_option, json_text, lang_option, new_table, print_table, safe)


@group()
def rubric() -> None:
    """评价指标体系 / Rubrics: check, show, schema, new, diff.

    \b
    Example / 示例:
      tlr rubric new my-fund --template fund-screening
      tlr rubric check rubrics/*.yaml
      tlr rubric show rubrics/fund-screening.yaml --lang en
      tlr rubric schema > tlr-rubric.schema.json
      tlr rubric diff rubrics/fund-screening.yaml new.yaml -C demo-out/round-2026
    """


@rubric.command()
@click.argument("files", nargs=-1, required=True, type=PathArg(dir_okay=False))
@click.option("--strict", is_flag=True,
              help="警告（如 AHP CR > 0.1）也算失败（退出码 1）/ treat warnings (e.g. AHP CR > 0.1) as failures (exit 1)")
@json_option
def check(files: tuple[str, ...], strict: bool, as_json: bool) -> int:
    """检查评价体系文件 / Validate rubric files and report every problem at once.

    Each problem is one line: file:line:column: severity: field: message — hint.
    Exit code 0 when all files are valid, 2 when any has errors, 1 when only
    warnings were found and --strict is given.

    \b
    Example / 示例:
      tlr rubric check rubrics/*.yaml
      tlr rubric check my-rubric.yaml --strict --json
    """
    from tlr.rubric import check_rubric

    results = [check_rubric(path) for path in files]
    if as_json:
        echo_json([
            {
                "file": r.path,
                "ok": r.ok,
                "kind": "scale_library" if r.library else "rubric",
                "rubric": ({"id": r.rubric.id, "version": r.rubric.version, "content_hash": r.rubric.content_hash,
                            "indicators": len(r.rubric.indicators)} if r.rubric else None),
                "errors": [d.to_dict() for d in r.errors],
                "warnings": [d.to_dict() for d in r.warnings],
                "notes": [d.to_dict() for d in r.diagnostics if d.severity == "note"],
            }
            for r in results
        ])
    else:
        for r in results:
            for d in r.diagnostics:
                click.echo(d.format(), err=True)
            if r.library is not None:
                click.echo(f"✓ {r.path}: 有效量表库 / valid scale library — {r.library.id} {r.library.version}, "
                           f"{len(r.library.scales)} 个量表 / scale(s)")
            elif r.ok:
                tail = f", {len(r.warnings)} 个警告 / warning(s)" if r.warnings else ""
                click.echo(f"✓ {r.path}: 有效 / valid — {r.rubric.id} {r.rubric.version}, "
                           f"{len(r.rubric.indicators)} 个指标 / indicators{tail}")
            else:
                click.echo(f"✗ {r.path}: {len(r.errors)} 个错误 / error(s)", err=True)
    if any(not r.ok for r in results):
        return 2
    if strict and any(r.warnings for r in results):
        return 1
    return 0


def _weights_json(rub) -> dict:
    from tlr.text import tr

    nodes = []
    for n in rub.nodes:
        item = {
            "id": n.id, "kind": n.kind, "parent": n.parent, "depth": n.depth,
            "label": {"zh": tr(n.label, "zh"), "en": tr(n.label, "en")},
            "local_weight": n.local_weight, "global_weight": n.global_weight,
        }
        if n.kind == "indicator":
            from tlr.rubric.scales import describe_scale

            item["role"] = n.role
            item["scale"] = describe_scale(n.scale)
        nodes.append(item)
    ahp = {}
    for node_id, res in rub.ahp.items():
        ahp[node_id] = {
            "method": res.method, "ri_table": res.ri_table, "threshold": res.threshold,
            "consistency_measure": res.consistency_measure, "lambda_max": res.lambda_max, "ci": res.ci,
            "cr": res.cr, "gci": res.gci, "consistent": res.consistent,
        }
    return {
        "id": rub.id, "version": rub.version, "title": {"zh": tr(rub.title, "zh"), "en": tr(rub.title, "en")},
        "content_hash": rub.content_hash, "files": [{"path": p, "sha256": h} for p, h in rub.files],
        "nodes": nodes, "ahp": ahp,
        "panel": _panel_rules(rub),
        "gates": [g.id for g in rub.document.gates or []],
        "tiers": [t.id for t in rub.document.tiers or []],
        "routes": [r.id for r in rub.document.routes or []],
        "warnings": [d.to_dict() for d in rub.warnings],
    }


PANEL_RULE_NAMES = {"consensus": "共识方法 / consensus", "trim": "每端去掉 / trimmed per end",
                    "min_after_trim": "去掉后至少保留 / must remain after trimming",
                    "min_experts": "最少专家数 / minimum experts", "quorum": "法定人数 / quorum",
                    "leniency_correction": "宽严校正 / leniency correction",
                    "calibration": "评分校正 / rater calibration"}


def _panel_rules(rub) -> dict:
    """The effective panel rules, each marked with whether the rubric states it or its default applies."""
    defaults = set(rub.panel_defaults)
    panel = rub.document.panel
    # calibration: the one applied (an unstated calibration follows leniency_correction)
    return {name: {"value": panel.calibration_method if name == "calibration" else getattr(panel, name),
                   "default": name in defaults} for name in PANEL_RULE_NAMES}


@rubric.command()
@click.argument("file", type=PathArg(dir_okay=False))
@lang_option
@json_option
def show(file: str, lang: str, as_json: bool) -> int:
    """展示指标树与权重 / Show the tree with local and global weights and AHP consistency.

    Also the effective panel rules (consensus, trimming, minimum experts, quorum),
    each marked "默认 / default" when the rubric does not state it.

    \b
    Example / 示例:
      tlr rubric show rubrics/fund-screening.yaml
      tlr rubric show rubrics/fund-screening-county.yaml --lang en --json
    """
    from rich.tree import Tree

    from tlr.errors import RubricError
    from tlr.rubric import check_rubric
    from tlr.rubric.scales import describe_scale
    from tlr.text import tr

    result = check_rubric(file)
    if not result.ok:
        raise RubricError(result.diagnostics)
    if result.library is not None:
        return _show_library(result.library, lang, as_json)
    rub = result.rubric
    if as_json:
        echo_json(_weights_json(rub))
        return 0
    out = console()
    out.print(f"[bold]{safe(tr(rub.title, lang))}[/bold]  ({safe(rub.id)} {safe(rub.version)})")
    out.print(f"sha256 {rub.content_hash}")

    def ahp_note(node_id: str) -> str:
        res = rub.ahp.get(node_id)
        if res is None:
            return ""
        mark = "✓" if res.consistent else "✗"
        measure = str(res.consistency_measure).upper()
        value = float(res.gci) if measure == "GCI" else float(res.cr)
        return (f"  \\[AHP {res.method}, {measure} = {value:.3f} {mark} "
                f"(≤ {float(res.threshold):.2f}, RI {res.ri_table})]")

    tree = Tree(f"{safe(rub.id)}  局部权重 local / 全局权重 global{ahp_note('root')}")
    branches = {None: tree}
    for n in rub.nodes:
        label = safe(tr(n.label, lang))
        if n.kind == "dimension":
            text = f"[bold]{safe(n.id)}[/bold] {label}  {n.local_weight:.4f} / {n.global_weight:.4f}{ahp_note(n.id)}"
        elif n.role == "score":
            text = (f"{safe(n.id)} {label}  {n.local_weight:.4f} / {n.global_weight:.4f}  · "
                    f"{safe(describe_scale(n.scale, lang))}")
        else:
            text = f"{safe(n.id)} {label}  ({n.role}) · {safe(describe_scale(n.scale, lang))}"
        branches[n.id] = branches[n.parent].add(text)
    out.print(tree)
    doc = rub.document
    table = new_table(("rule", "value", "source"), title="专家组规则 / panel rules")
    for name, rule in _panel_rules(rub).items():
        value = rule["value"]
        shown = f"{value:.2f}" if name == "quorum" else str(value).lower() if isinstance(value, bool) else str(value)
        add_row(table, [PANEL_RULE_NAMES[name], shown, "默认 / default" if rule["default"] else "评价体系 / rubric"])
    print_table(table, out=out)
    if doc.gates:
        print_table(("id", "label", "effect"),
                    [[g.id, tr(g.label, lang), g.effect + (f" (≤ {g.max_tier})" if g.max_tier else "")
                      + (f" → {g.route}" if g.route else "")] for g in doc.gates], title="一票否决 / gates", out=out)
    if doc.tiers:
        print_table(("id", "label", "min score"),
                    [[t.id, tr(t.label, lang), "" if t.min_score is None else f"{t.min_score:g}"] for t in doc.tiers],
                    title="推荐档次 / tiers", out=out)
    for d in rub.warnings:
        click.echo(d.format(), err=True)
    return 0


@rubric.command()
@click.option("--out", "out_file", type=PathArg(dir_okay=False),
              help="写入这个文件而不是标准输出 / write to this file instead of standard output")
def schema(out_file: str | None) -> int:
    """输出 JSON Schema / Print the JSON Schema of the rubric format (for editor completion).

    \b
    Example / 示例:
      tlr rubric schema --out tlr-rubric.schema.json
    Then in VS Code (YAML extension), first line of a rubric:
      # yaml-language-server: $schema=./tlr-rubric.schema.json
    """
    from tlr.rubric.schema import rubric_json_schema

    if out_file:
        from tlr.outputs import check_file

        check_file(out_file)
    text = json_text(rubric_json_schema())
    if out_file:
        from tlr.outputs import write_file

        write_file(out_file, text + "\n")
        click.echo(f"已写入 / written: {out_file}")
    else:
        click.echo(text)
    return 0


@rubric.command()
@click.argument("name")
@click.option("--template", type=click.Choice(["five-value", "fund-screening", "blank"]), default="blank",
              show_default=True,
              help="起点：GB/T 44731 五元价值、基金筛选（含否决规则、档次、路径）或空白 / start from the five-value "
                   "(GB/T 44731), the fund-screening (gates, tiers, routes) or a blank rubric")
@click.option("--dimensions",
              help="逗号分隔的顶层维度：模板中要保留的维度（按此顺序），空白模板中要新建的维度 / comma-separated "
                   "top-level dimensions: those of the template to keep (in this order), or those a blank rubric "
                   "gets")
@click.option("--out", "out_file", type=PathArg(dir_okay=False),
              help="写入的文件（默认 NAME.yaml）/ file to write (default NAME.yaml)")
@click.option("--force", is_flag=True,
              help="覆盖已有文件 / replace an existing file (and a stale schema file next to it)")
@json_option
def new(name: str, template: str, dimensions: str | None, out_file: str | None, force: bool, as_json: bool) -> int:
    """新建评价体系 / Scaffold a new rubric from a shipped template.

    The file's first line points the editor (VS Code with the YAML extension) at the JSON
    Schema, written next to it as tlr-rubric.schema.json: completion, hover help in Chinese
    and English, and errors while typing. The result passes `tlr rubric check --strict`.
    An existing file is never replaced without --force.

    \b
    Example / 示例:
      tlr rubric new my-fund --template fund-screening --dimensions maturity,market,risk
      tlr rubric new pilot --template blank --dimensions tech,market,team --out rubrics/pilot.yaml
    """
    from pathlib import Path

    from tlr.rubric.scaffold import parse_dimensions, scaffold
    from tlr.rubric.schema import SCHEMA_FILE

    result = scaffold(name, template, parse_dimensions(dimensions), f"./{SCHEMA_FILE}")
    out = Path(out_file) if out_file else Path(f"{name}.yaml")
    _write_new(out, result.text, force)
    schema_path, schema_state = _write_schema_beside(out, force)
    if as_json:
        echo_json({"rubric": str(out), "id": name, "template": template, "dimensions": list(result.dimensions),
                   "indicators": result.indicators, "schema": str(schema_path), "schema_state": schema_state})
        return 0
    click.echo(f"已生成 / written: {safe(str(out))} — {len(result.dimensions)} 个维度 / dimensions, "
               f"{result.indicators} 个指标 / indicators")
    if schema_state == "written":
        click.echo(f"已生成 / written: {safe(str(schema_path))}")
    elif schema_state == "stale":
        click.echo(f"warning: {safe(str(schema_path))}: 已存在且与本版本不同，未覆盖 / exists and differs from this "
                   "version's schema; kept — rerun with --force to replace it (or delete it and run tlr rubric "
                   "schema --out)", err=True)
    click.echo(f"下一步 / next: tlr rubric check --strict {safe(str(out))}")
    return 0


def _write_new(path, text: str, force: bool) -> None:
    """Write a file the user asked for: never over an existing one without *force*, never over a non-file."""
    import os
    import stat

    from tlr.errors import Location
    from tlr.fsutil import atomic_write_text
    from tlr.outputs import OutputError, check_file, reported

    with reported(path, "read"):
        exists = os.path.lexists(path)
        mode = os.lstat(path).st_mode if exists else 0
    if not exists:
        check_file(path)
    elif not force:
        raise OutputError("文件已存在 / the file exists", location=Location(file=str(path)), code="exists",
                          hint="加 --force 覆盖，或用 --out 换个文件名 / add --force to replace it, or choose "
                               "another name with --out")
    elif not stat.S_ISREG(mode):
        raise OutputError("不是普通文件，tlr 不写入 / not a regular file: tlr does not write to it",
                          location=Location(file=str(path)), code="bad_output", hint="give an ordinary file path")
    with reported(path):
        atomic_write_text(path, text)


def _write_schema_beside(rubric_path, force: bool):
    """Write tlr-rubric.schema.json next to the rubric: (path, 'written' | 'current' | 'stale')."""
    import os
    import stat

    from tlr.errors import TlrError
    from tlr.outputs import owned_by_tlr, write_file
    from tlr.rubric.schema import SCHEMA_FILE, rubric_json_schema
    from tlr.yamlio import read_bytes

    path = rubric_path.parent / SCHEMA_FILE
    text = json_text(rubric_json_schema()) + "\n"
    if os.path.lexists(path):
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):  # a folder, a pipe, a symlink: never replaced
                return path, "stale"
            if read_bytes(path) == text.encode("utf-8"):
                return path, "current"
        except (TlrError, OSError):
            return path, "stale"
        if not owned_by_tlr(path):  # someone's own file: replaced only when asked
            if not force:
                return path, "stale"
            _write_new(path, text, force=True)
            return path, "written"
    write_file(path, text)  # recorded as tlr's, so `tlr rubric schema --out` may refresh it later
    return path, "written"


def _show_library(library, lang: str, as_json: bool) -> int:
    """Show a scale library: every scale, its levels or points, and the sources with confidence marks."""
    from tlr.rubric.kinds import kind_of
    from tlr.rubric.model import CONFIDENCE_MEANING
    from tlr.text import tr

    if as_json:
        echo_json({"kind": "scale_library", **library.model_dump(mode="json", by_alias=True, exclude_none=True)})
        return 0
    out = console()
    out.print(f"[bold]{safe(tr(library.title, lang))}[/bold]  ({safe(library.id)} {safe(library.version)}, "
              f"scale library)")
    for source in library.sources:
        meaning = CONFIDENCE_MEANING[source.confidence][0 if lang == "zh" else 1]
        out.print(f"  \\[{source.confidence}] {safe(source.ref or '')} {safe(tr(source.title, lang))} — {meaning}")
    for name, scale in library.scales.items():
        if kind_of(scale).ladder:
            print_table(("level", "label", "descriptor", "checklist"),
                        [[lv.level, tr(lv.label, lang), tr(lv.descriptor, lang), len(lv.checklist)]
                         for lv in scale.levels], title=safe(f"{name}: {tr(scale.label, lang)}"), out=out)
        else:
            out.print(f"{safe(name)}: {scale.kind}")
    return 0


@rubric.command()
@click.argument("file", type=PathArg(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=PathArg(file_okay=False),
              help="手册写入的目录（只写这个目录）/ folder to write the manual into (only this folder is written)")
@formats_option
@click.option("--templates", "templates_dir", type=PathArg(file_okay=False, exists=True), default=None,
              help="用这个目录中的 Jinja2 模板代替自带模板 / use these Jinja2 templates instead of the shipped ones")
@lang_option
@json_option
def doc(file: str, out_dir: str, formats: tuple[str, ...], templates_dir: str | None, lang: str, as_json: bool) -> int:
    """专家评分手册 / Render a rubric as the scoring manual experts score with (HTML, PDF).

    Every dimension and indicator with its weight, its scale, the anchor text of
    every point or level, the evidence each level needs, and the knock-out rules.

    \b
    Example / 示例:
      tlr rubric doc rubrics/fund-screening.yaml --out manual/ --format pdf
    """
    from tlr.outputs import check_folder
    from tlr.report.render import render_manual
    from tlr.rubric import load_rubric

    check_folder(out_dir)  # the file names (from the rubric id) are checked again once it is loaded
    written = render_manual(load_rubric(file), out_dir, formats=formats, lang=lang, templates_dir=templates_dir)
    echo_written(written, as_json)
    return 0


@rubric.command("diff")
@click.argument("old", type=PathArg(dir_okay=False))
@click.argument("new", type=PathArg(dir_okay=False))
@click.option("--campaign", "-C", "campaign", default=None, metavar="DIR", type=PathArg(exists=False),
              help="用 NEW 重新评价这个批次，比较排名与档次 / re-evaluate this campaign under NEW and compare its "
                   "ranking and tiers")
@click.option("--top", "top", type=POSITIVE, default=10, show_default=True,
              help="比较前 k 名的重合 / k of the top-k overlap")
@click.option("--all", "show_all", is_flag=True,
              help="列出全部项目（默认只列名次或档次有变化的）/ list every project (default: only those whose rank "
                   "or tier changed)")
@click.option("--html", "html_file", type=PathArg(dir_okay=False), default=None,
              help="另写一个 HTML 页面 / also write an HTML page to this file")
@click.option("--allow-unverified", is_flag=True,
              help="批次审计未通过时仍比较，并标注“审计未通过” / With -C: compare even when `tlr audit verify` "
                   "fails, stamped 'audit failed'.")
@lang_option
@json_option
def diff(old: str, new: str, campaign: str | None, top: int, show_all: bool, html_file: str | None,
         allow_unverified: bool, lang: str, as_json: bool) -> int:
    """比较两个评价体系版本 / What a rubric edit does: structure, weights and (with -C) a round's ranking.

    Lists indicators and dimensions added, removed or relabelled, local and global
    weights before → after, scale, gate, tier, route, panel and aggregation changes.
    With --campaign the round is re-evaluated under NEW (scores carried over by
    indicator id; indicators new in NEW count as missing) and compared with its
    own ranking: rank and tier of each project, top-k and fundable-tier overlap,
    Kendall's tau.

    \b
    Example / 示例:
      tlr rubric diff rubrics/fund-screening.yaml rubrics/fund-screening-county.yaml
      tlr rubric diff old.yaml new.yaml -C round-2026 --top 10 --html diff.html
    """
    from tlr.rubric import load_rubric
    from tlr.rubric.diff import diff_rubrics

    if html_file:
        from tlr.outputs import check_file

        check_file(html_file, option="--html")
    old_rubric, new_rubric = load_rubric(old), load_rubric(new)
    result = diff_rubrics(old_rubric, new_rubric)
    impact = audit = None
    if campaign is not None:
        from tlr.app.audit_gate import check_audit
        from tlr.app.rubric_impact import rubric_impact
        from tlr.campaign import open_campaign

        ledger = open_campaign(campaign)
        click.get_current_context().call_on_close(ledger.close)
        audit = check_audit(ledger, allow_unverified=allow_unverified)
        impact = rubric_impact(ledger, old_rubric, new_rubric, top_k=top)
    stamp = audit.stamp if audit is not None else None
    if html_file:
        from tlr.outputs import write_file
        from tlr.report.rubric_diff import render_rubric_diff

        write_file(html_file, render_rubric_diff(result, old_rubric, new_rubric, impact, lang=lang, stamp=stamp))
    if as_json:
        body = result.to_dict()
        body["files"] = {"old": old, "new": new}
        body["impact"] = impact.to_dict() if impact is not None else None
        body["audit"] = audit.to_dict() if audit is not None else None
        if html_file:
            body["written"] = [html_file]
        echo_json(body)
        return 0
    _print_diff(result, old_rubric, new_rubric, lang)
    if stamp:
        console().print(f"[bold red]{stamp['zh']} / {stamp['en']}[/bold red]: {safe(audit.problems[0])}")
    if impact is not None:
        _print_impact(impact, lang, show_all)
    if html_file:
        click.echo(f"已生成 / written: {html_file}")
    return 0


def _node_label(rub, node_id: str | None, lang: str) -> str:
    from tlr.text import tr

    if node_id is None:
        return ""
    try:
        return tr(rub.node(node_id).label, lang)
    except KeyError:
        return ""


def _print_diff(result, old_rubric, new_rubric, lang: str) -> None:
    from tlr.rubric.diff import CHANGE_WORDS, SECTIONS, value_text

    out = console()
    o, n = result.old, result.new
    out.print(f"{safe(o['id'])} {safe(o['version'])} (sha256 {o['content_hash'][:12]}…) → "
              f"{safe(n['id'])} {safe(n['version'])} (sha256 {n['content_hash'][:12]}…)")
    if result.empty:
        out.print("无变化 / no changes" + ("（内容相同 / same content）" if result.same_content else ""))
        return
    rows = []
    for c in result.changes:
        zh, en = SECTIONS[c.section]
        word = CHANGE_WORDS[c.change]
        rows.append([f"{zh} / {en}", c.id or "", f"{word[0]} / {word[1]}", c.field or "",
                     value_text(c.before, lang), value_text(c.after, lang)])
    if rows:
        print_table(("section", "id", "change", "field", "before", "after"), rows,
                    title="结构变化 / structural changes", out=out)
    weights = result.weight_changes
    if weights:
        def w(x):
            return "—" if x is None else f"{x:.4f}"

        print_table(("id", "label", "kind", "local before", "local after", "global before", "global after"),
                    [[r.id if r.after_id in (None, r.id) else f"{r.id} → {r.after_id}",
                      _node_label(new_rubric, r.after_id, lang) or _node_label(old_rubric, r.id, lang),
                      r.kind, w(r.local_before), w(r.local_after), w(r.global_before), w(r.global_after)]
                     for r in weights], title="权重变化 / weight changes", out=out)


def _print_impact(impact, lang: str, show_all: bool) -> None:
    out = console()
    if impact.old_matches_frozen:
        out.print("OLD 与批次冻结的评价体系一致 / OLD is the campaign's frozen rubric "
                  f"(sha256 {impact.baseline['content_hash'][:12]}…)")
    else:
        b = impact.baseline
        out.print(f"注意 / note: OLD 与批次冻结的评价体系不同，“之前”的排名用的是批次冻结版本 / OLD differs from the "
                  f"campaign's frozen rubric; 'before' is the campaign's own ranking under {safe(b['id'])} "
                  f"{safe(b['version'])} (sha256 {b['content_hash'][:12]}…)")
    if impact.missing:
        out.print(f"无评分（按缺失处理：综合分在已有指标上重新归一，项目标为不完整）/ no scores (treated as missing: the "
                  f"composite is renormalised over the indicators present, projects flagged incomplete): "
                  f"{safe(', '.join(impact.missing))}")
    for d in impact.dropped:
        why = ("量表类型改变 / scale kind changed" if d["reason"] == "scale_kind"
               else f"超出新量表范围 / outside the new scale's range {d.get('range')}")
        out.print(f"未沿用的评分 / scores not carried over: {safe(d['id'])} — {d['cells']} ({why})")
    if impact.unused:
        out.print(f"NEW 中已无的指标（其评分不再使用）/ indicators NEW no longer has (their scores unused): "
                  f"{safe(', '.join(impact.unused))}")
    tau = "—" if impact.tau is None else f"{impact.tau:.4f}"
    out.print(f"Kendall τ-b = {tau} (n = {impact.n_projects}) · 前 {impact.top_k} 名重合 / top-{impact.top_k} "
              f"overlap {impact.top_overlap}/{impact.top_k} · 可资助档次 / fundable tiers "
              f"({safe(','.join(impact.fundable_tiers_before))} → {safe(','.join(impact.fundable_tiers_after))}): "
              f"{len(impact.fundable_before)} → {len(impact.fundable_after)}, 重合 / overlap {impact.fundable_overlap}")
    moved = [p for p in impact.projects if show_all or p.rank_change or p.tier_before != p.tier_after]

    def score(x):
        return "—" if x is None else f"{x:.1f}"

    print_table(("project", "name", "score before", "score after", "rank before", "rank after", "Δ rank",
                 "tier before", "tier after"),
                [[p.id, p.name, score(p.composite_before), score(p.composite_after), p.rank_before, p.rank_after,
                  f"{p.rank_change:+d}" if p.rank_change else "0", p.tier_before,
                  p.tier_after + (" *" if p.tier_after != p.tier_before else "")] for p in moved],
                title=f"名次与档次变化 / rank and tier movement ({len(moved)}/{impact.n_projects})", out=out)
    print_table(("tier before", "tier after", "projects"),
                [[a, b, n] for a, row in impact.tier_moves.items() for b, n in row.items()],
                title="档次流向 / tier moves", out=out)
