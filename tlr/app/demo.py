"""The whole pipeline on the bundled example round, into a fresh folder: what ``tlr demo`` runs.

campaign -> projects and experts -> conflict-aware assignment -> each assigned expert's answers
(from examples/round-2026/opinions.csv) -> a recusal -> TRL assessments -> ranking -> reports.
Every step goes through the same library calls a real round uses; nothing is written outside
the output folder.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tlr.errors import TlrError
from tlr.resources import data_dir

ROUND = "round-2026"
NEXT_ROUND = "round-2027"
RUBRIC = "fund-screening.yaml"
ASSIGN_SEED = 2026
PER_PROJECT = 5
DEMO_ACTOR = "demo"
VALUATION = "valuation.csv"
VALUE_SEED = 20240601
FOLLOW_UP = "follow-up.csv"
PORTFOLIO = "portfolio.yaml"
# the example's outcomes are dated through 2027 (a year after the 2026 round): the demo reads them as of its end
FOLLOW_UP_AS_OF = "2027-12-31"


@dataclass
class DemoResult:
    out: Path
    campaign: Path
    reports: list[Path] = field(default_factory=list)
    ranking_json: Path | None = None
    valuation_json: Path | None = None
    portfolio_json: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    batches: dict = field(default_factory=dict)    # the four-batches steps: second round, library, matching, push


def prepare_out(out: Path, force: bool) -> None:
    """An empty *out*, or one --force may clear: only files tlr wrote are deleted, and only when
    nothing else is there (:func:`tlr.outputs.clear_folder`); otherwise refuse, deleting nothing."""
    from tlr.outputs import check_folder, clear_folder, make_folder

    check_folder(out)
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise TlrError(f"输出目录不为空 / output folder is not empty: {out}",
                           hint="换一个新的 --out 目录，或加 --force 替换上次的演示输出（只删除 tlr 写的文件）/ choose a "
                                "new --out folder, or add --force to replace a previous demo output (only files tlr "
                                "wrote are deleted)")
        clear_folder(out)
    make_folder(out)


def run_demo(out: str | Path, *, lang: str = "zh", formats: tuple[str, ...] = ("html", "pdf"), force: bool = False,
             draws: int = 10_000, step: Callable[[str], None] | None = None) -> DemoResult:
    """Run the example round end to end into *out*; returns where everything went."""
    from tlr.app.evaluation import evaluate_campaign
    from tlr.evaluation import EvaluationOptions
    from tlr.rubric import load_rubric

    say = step or (lambda _s: None)
    out = Path(out).resolve()
    prepare_out(out, force)
    examples = data_dir("examples")
    source = examples / ROUND
    if not (source / "projects.csv").is_file():
        raise TlrError(f"找不到示例数据 / example data not found: {source}",
                       hint="reinstall tlr, or run `python examples/generate_round.py` in a checkout")
    from tlr.outputs import write_file

    result = DemoResult(out=out, campaign=out / ROUND)

    say("建立评价批次 / creating the campaign")
    rubric = load_rubric(data_dir("rubrics") / RUBRIC)
    ledger, n_answers, pairs = run_round(source, result.campaign, rubric, "2026年度“四个一批”项目评价（示例）",
                                         answers_dir=out / "answers", say=say,
                                         extra_trl=[("P2026-015", examples / "trl" / "assessment.yaml")])

    say("排序与稳健性分析 / ranking and robustness")
    evaluation = evaluate_campaign(ledger, EvaluationOptions(draws=draws), progress=lambda s: say(f"  {s}"))
    result.counts = {"projects": len(evaluation.projects), "experts": len(evaluation.experts),
                     "answers": n_answers, "assessments": pairs}
    from tlr.app.records import completeness_summary, project_records
    from tlr.numeric.results import json_text

    result.ranking_json = out / "ranking.json"
    write_file(result.ranking_json, json_text(
        {"method": evaluation.method, "notes": [n.to_dict(lang) for n in evaluation.notes],
         "completeness": completeness_summary(evaluation, ledger.experts()),
         "projects": project_records(evaluation, {p["id"]: p for p in ledger.projects()}, lang)}) + "\n")

    if (examples / NEXT_ROUND / "projects.csv").is_file():
        result.batches = run_batches(out, examples, rubric, ledger, lang=lang, formats=formats, draws=draws, say=say)

    valuation = None
    if (source / VALUATION).is_file():
        say("成果估值（风险调整净现值、收益法、成本法）/ valuation (rNPV, income and cost approaches)")
        from tlr.app.valuation import value_campaign

        valuation = value_campaign(ledger, inputs_path=source / VALUATION, draws=min(draws, 10_000), seed=VALUE_SEED,
                                   evaluation=evaluation)
        result.valuation_json = out / "valuation.json"
        write_file(result.valuation_json, json_text(valuation.to_dict()) + "\n")

    portfolio = None
    if (examples / PORTFOLIO).is_file() and (examples / "funds.yaml").is_file():
        say("资助组合：多资金池、分年度、分期拨付 / the portfolio across pools and years, with tranches")
        portfolio = run_portfolio(ledger, evaluation, examples, valuation, out / "portfolio", lang=lang)
        result.portfolio_json = out / "portfolio" / "portfolio.json"

    if formats:
        say("生成报告 / rendering the reports")
        from tlr.app.report_data import build_report_data
        from tlr.report.render import render_report

        from tlr.app.audit_gate import check_audit

        library = result.batches.get("library") if result.batches else None
        data = build_report_data(ledger, evaluation, lang=lang, audit=check_audit(ledger), valuation=valuation,
                                 followup_library=str(library) if library else None)
        if portfolio is not None:
            from tlr.app.report_portfolio import portfolio_section

            data = type(data).model_validate({**data.model_dump(), "portfolio": portfolio_section(portfolio, lang)})
        result.reports = render_report(data, out / "reports", formats=formats, lang=lang)
    return result


def run_portfolio(ledger, evaluation, examples: Path, valuation, out: Path, *, lang: str) -> dict:
    """The example's portfolio (examples/portfolio.yaml over the pools with a budget in funds.yaml), valued with
    the demo's own valuation: portfolio.json and its two charts in *out*; returns the portfolio."""
    from tlr.app.audit_gate import check_audit
    from tlr.app.portfolio import build_portfolio, spec_vocabulary
    from tlr.app.portfolio_charts import write_outputs
    from tlr.app.push import vocabulary
    from tlr.app.report_portfolio import with_valuation
    from tlr.portfolio.spec import load_spec
    from tlr.push.model import load_funds

    inputs = {"funds": load_funds(examples / "funds.yaml", vocabulary(ledger.rubric)),
              "spec": load_spec(examples / PORTFOLIO, spec_vocabulary(ledger)), "values": None, "source": None}
    if valuation is not None:
        inputs = with_valuation(inputs, valuation)
    data = build_portfolio(ledger, evaluation, inputs["funds"], inputs["spec"], values=inputs["values"],
                           values_source=inputs["source"], frontier_points=20, audit=check_audit(ledger), lang=lang)
    write_outputs(data, out, lang)
    return data


def run_batches(out: Path, examples: Path, rubric, ledger, *, lang: str, formats: tuple[str, ...], draws: int,
                say: Callable[[str], None]) -> dict:
    """The four batches beyond one round: the same achievements a year later, the achievement library across
    both rounds (returning achievements linked by id or by name + applicant), the enterprise demand list,
    matching both ways, and push lists per sub-fund and recipient with the matched demands."""
    from tlr.app.evaluation import evaluate_campaign
    from tlr.app.library_round import add_campaign_round
    from tlr.app.matching import load_sources, run_match
    from tlr.app.push import build_push, render_push, vocabulary
    from tlr.app.report_data import build_report_data
    from tlr.app.audit_gate import check_audit
    from tlr.evaluation import EvaluationOptions
    from tlr.library.demands import import_demands
    from tlr.library.store import open_library
    from tlr.numeric.results import json_text
    from tlr.outputs import record_ledger, write_file
    from tlr.push.model import load_funds

    say("第二轮：一年后的评价批次 / the next round, a year later")
    ledger2, n_answers, _ = run_round(examples / NEXT_ROUND, out / NEXT_ROUND, rubric,
                                      "2027年度“四个一批”项目评价（示例）", answers_dir=out / "answers-2027", say=say)

    say("成果库：两轮评价与企业需求清单 / the achievement library: both rounds and the demand list")
    lib = open_library(out / "library.sqlite", create=True, actor=DEMO_ACTOR)
    record_ledger(lib.path)
    try:
        first = add_campaign_round(lib, ledger, actor=DEMO_ACTOR)
        # the example's returning achievements with a new id are the same name and applicant: confirmed here at
        # once (a real round lists them with `tlr library links` and confirms each)
        second = add_campaign_round(lib, ledger2, accept_links=True, actor=DEMO_ACTOR)
        demands = import_demands(lib, examples / "demands.csv", actor=DEMO_ACTOR)
        followed = None
        if (examples / FOLLOW_UP).is_file():
            say("投后跟踪：2026 年资助成果一年后的进展 / follow-up: the 2026 round's funded achievements a year on")
            from tlr.library.followup import Target, import_followup

            followed = import_followup(Target.library(lib), examples / FOLLOW_UP, as_of=FOLLOW_UP_AS_OF,
                                       actor=DEMO_ACTOR)

        say("成果与需求对接 / matching achievements and demands")
        sources = load_sources(library=lib)
        match_result, lexicon = run_match(sources, top=5)
        matches_json = out / "matches.json"
        write_file(matches_json, json_text({**match_result.to_dict(),
                                            "sources": {**sources.basis, **lexicon}}) + "\n")
        demand_list = sources.demands
        demands_basis = sources.basis["demands"]
        from tlr.app.followup import followups_for

        # the 2027 round's returning achievements carry their 2027 outcomes into its push packs
        followups, followups_basis = followups_for(lib, [p["id"] for p in ledger2.projects()], as_of=FOLLOW_UP_AS_OF)
    finally:
        lib.close()
    packs: list[Path] = []
    if formats:
        say("推送清单（第二轮）/ push lists for the latest round")
        funds = load_funds(examples / "funds.yaml", vocabulary(ledger2.rubric))
        audit = check_audit(ledger2)
        evaluation = evaluate_campaign(ledger2, EvaluationOptions(draws=draws))
        data = build_push(ledger2, evaluation, funds, lang=lang, audit=audit, demand_list=demand_list,
                          demands_basis=demands_basis, followups=followups, followups_basis=followups_basis)
        valuation = None
        if (examples / NEXT_ROUND / VALUATION).is_file():   # each achievement's valuation page in its packs
            from tlr.app.report_valuation import campaign_valuation

            valuation = campaign_valuation(ledger2, evaluation, inputs_path=examples / NEXT_ROUND / VALUATION,
                                           draws=min(draws, 10_000), seed=VALUE_SEED, audit=audit)
        report = build_report_data(ledger2, evaluation, lang=lang, audit=audit, valuation=valuation)
        # HTML packs (with their CSV and XLSX lists) keep the demo quick; `tlr push` writes the PDFs as well
        written = render_push(data, report, out / "push", formats=tuple(f for f in formats if f == "html") or ("html",))
        packs = [Path(f["path"]) for f in written if f["kind"] == "index"]
    listed = sum(len(r.candidates) for r in match_result.matches)
    return {"next_round": out / NEXT_ROUND, "answers": n_answers, "library": out / "library.sqlite",
            "rounds": [first, second], "demands": demands.count,
            "follow_up": followed["imported"] if followed is not None else 0, "matches": matches_json, "pairs": listed,
            "unanswered": sum(not r.candidates for r in match_result.matches), "push_index": packs[0] if packs else None}


def run_round(source: Path, campaign: Path, rubric, name: str, *, answers_dir: Path,
              say: Callable[[str], None], extra_trl: list[tuple[str, Path]] = ()):
    """One example round from *source* into *campaign*: projects and experts, conflict-aware assignment, the
    assigned experts' answers (written to *answers_dir*, then imported), late recusals, TRL assessments.
    Returns (ledger, answers imported, TRL assessments recorded)."""
    from tlr.campaign import (assign_experts, import_answers, import_experts, import_projects, init_campaign,
                              record_trl_assessment)
    from tlr.campaign.assign import recuse
    from tlr.outputs import join_under, make_folder, record_ledger, safe_names, write_file
    from tlr.trl import load_assessment

    make_folder(campaign)
    ledger = init_campaign(campaign, rubric, name=name, actor=DEMO_ACTOR)
    record_ledger(ledger.path)

    say("导入项目与专家 / importing projects and experts")
    import_projects(ledger, source / "projects.csv", actor=DEMO_ACTOR)
    import_experts(ledger, source / "experts.csv", actor=DEMO_ACTOR)

    say("分配专家（回避冲突）/ assigning experts, honouring conflicts")
    assign_experts(ledger, PER_PROJECT, seed=ASSIGN_SEED, actor=DEMO_ACTOR)
    assigned: dict[str, set[str]] = defaultdict(set)
    for expert, project in ledger.assignment_pairs():
        assigned[expert].add(project)

    say("录入专家评分 / importing the experts' answers")
    make_folder(answers_dir)
    by_expert: dict[str, list[list[str]]] = defaultdict(list)
    with open(source / "opinions.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["project"] in assigned.get(row["expert"], ()):
                by_expert[row["expert"]].append([row["project"], row["indicator"], row["value"], row["comment"]])
    n_answers = 0
    names = safe_names(by_expert, ".csv")
    for expert in sorted(by_expert):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["project", "indicator", "value", "comment"])
        writer.writerows(by_expert[expert])
        path = write_file(join_under(answers_dir, names[expert]), buffer.getvalue())
        import_answers(ledger, expert, path, actor=DEMO_ACTOR)
        n_answers += len(by_expert[expert])

    if (source / "recusals.csv").is_file():
        say("记录回避 / recording a late recusal")
        with open(source / "recusals.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["project"] in assigned.get(row["expert"], ()):
                    recuse(ledger, row["expert"], row["project"], reason=row["reason"], actor=DEMO_ACTOR)

    say("登记技术就绪度评估 / recording TRL assessments")
    pairs = [(f.stem, f) for f in sorted((source / "trl").glob("*.yaml"))] + list(extra_trl)
    for project_id, path in pairs:
        record_trl_assessment(ledger, project_id, "*", load_assessment(path), assessor="省科技评估中心评估组",
                              actor=DEMO_ACTOR)
    return ledger, n_answers, len(pairs)
