"""Every command and subcommand of the CLI (found by click introspection of ``tlr.cli.COMMANDS``) with
hostile arguments: odd paths for every path parameter, odd numbers for every numeric one, odd ids for every
id, and ``-C`` pointing at things that are not a usable campaign.

Each command first runs once with valid arguments (exit 0), so every variant tests the one hostile value.
For every variant: the top-level guard is never reached (no exit 70, no traceback, no raw control
character on the terminal), the exit code is 0, 1 or 2, a refusal's error lines name what is wrong (the
value, or the option), a refused command leaves the campaign unchanged, and nothing is written outside
the test's folder.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from .conftest import copy_campaign, corpus, dump

LONG = "a" * 5000


def leaves() -> dict[tuple[str, ...], click.Command]:
    """Every runnable command, by its path (``("audit", "seal")``), from ``tlr --help`` downwards."""
    from tlr.cli import COMMANDS, cli

    ctx = click.Context(cli)
    found: dict[tuple[str, ...], click.Command] = {}

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), path + (name,))
        else:
            found[path] = cmd

    for name in COMMANDS:
        walk(cli.get_command(ctx, name), (name,))
    return found


PUSH_FUNDS = Path(__file__).resolve().parents[1] / "push" / "data" / "funds-minimal.yaml"  # fits any rubric
PORTFOLIO = Path(__file__).resolve().parents[1] / "portfolio" / "data"

# Valid arguments per command, by parameter name ({c} campaign copy, {t} the case's folder, {k} corpus).
BASE: dict[tuple[str, ...], dict[str, object]] = {
    ("rubric", "check"): {"files": ["{k}/rubrics/base.yaml"]},
    ("rubric", "doc"): {"file": "{k}/rubrics/base.yaml", "out_dir": "{t}/manual", "formats": "html"},
    ("rubric", "schema"): {"out_file": "{t}/schema.json"},
    ("rubric", "new"): {"name": "my-rubric", "dimensions": "tech,market", "out_file": "{t}/new-rubric.yaml"},
    ("rubric", "show"): {"file": "{k}/rubrics/base.yaml"},
    ("rubric", "diff"): {"old": "{k}/rubrics/base.yaml", "new": "{k}/rubrics/base.yaml", "campaign": "{c}",
                         "top": 3, "html_file": "{t}/diff.html"},
    ("ahp",): {"files": ["{k}/ahp/leader.csv"]},
    ("trl", "assess"): {"file": "{t}/assessment.yaml", "answers_file": "{k}/trl/answers.yaml"},
    ("trl", "ladders"): {"ladder": "trl-nasa"},
    ("trl", "show"): {"file": "{k}/trl/example.yaml"},
    ("campaign", "info"): {"campaign": "{c}"},
    ("campaign", "init"): {"directory": "{t}/round", "rubric_path": "{k}/rubrics/base.yaml"},
    ("campaign", "trl-list"): {"campaign": "{c}", "project_id": "P001"},
    ("campaign", "trl-record"): {"file": "{k}/trl/example.yaml", "project_id": "P001", "campaign": "{c}"},
    ("projects", "import"): {"file": "{k}/projects/csv-valid.csv", "campaign": "{c}"},
    ("projects", "list"): {"campaign": "{c}"},
    ("experts", "import"): {"file": "{k}/experts/csv-valid.csv", "campaign": "{c}"},
    ("experts", "list"): {"campaign": "{c}"},
    ("assign",): {"campaign": "{c}", "per_project": 3, "dry_run": True, "reason": "sweep"},
    ("score",): {"expert_id": "E01", "from_file": "{k}/answers/valid.csv", "campaign": "{c}"},
    ("sheets", "export"): {"experts_": ["E01"], "out": "{t}/sheets", "campaign": "{c}"},
    ("sheets", "import"): {"files": ["{k}/sheets/filled.xlsx"], "campaign": "{c}"},
    ("status",): {"campaign": "{c}", "expert_id": "E01"},
    ("export", "assignments"): {"campaign": "{c}", "out": "{t}/assignments.csv"},
    ("export", "scores"): {"campaign": "{c}", "out": "{t}/scores.csv"},
    ("audit", "keygen"): {"out": "{t}/key.pem"},
    ("audit", "log"): {"campaign": "{c}", "limit": 5},
    ("audit", "seal"): {"campaign": "{c}", "key_file": "{k}/key.hmac"},
    ("audit", "verify"): {"campaign": "{c}"},
    ("rank",): {"campaign": "{c}", "draws": 50, "bootstrap": 0},
    ("explain",): {"campaign": "{c}", "project": "P001"},
    ("agreement",): {"campaign": "{c}"},
    ("report",): {"campaign": "{c}", "out_dir": "{t}/report", "formats": "html", "draws": 50, "top": 2},
    ("demo",): {"out_dir": "{t}/demo", "formats": "html", "draws": 50},
    ("stats", "topsis"): {"table": "{k}/stats/aircraft.csv", "weights": "0.2,0.1,0.1,0.1,0.2,0.3", "cost": "cost"},
    ("stats", "entropy"): {"table": "{k}/stats/aircraft.csv", "cost": "cost"},
    ("stats", "critic"): {"table": "{k}/stats/aircraft.csv"},
    ("stats", "fuzzy-ahp"): {"matrix": "{k}/ahp/leader.csv", "method": "chang"},
    ("stats", "icc"): {"table": "{k}/stats/ratings.csv"},
    ("stats", "kendall"): {"table": "{k}/stats/ratings.csv"},
    ("stats", "alpha"): {"table": "{k}/stats/ratings.csv", "bootstrap": 100},
    ("feedback",): {"campaign": "{c}", "out_dir": "{t}/letters", "formats": "html", "draws": 50,
                    "project_ids": "P001"},
    ("push",): {"campaign": "{c}", "funds_path": str(PUSH_FUNDS), "out_dir": "{t}/push", "formats": "html",
                "draws": 50},
    ("portfolio",): {"campaign": "{c}", "funds_path": str(PORTFOLIO / "funds-sweep.yaml"),
                     "spec_path": str(PORTFOLIO / "portfolio-sweep.yaml"), "draws": 50},
    ("moderate", "list"): {"campaign": "{c}"},
    ("moderate", "exclude"): {"project": "P002", "expert": "E04", "indicator": "novelty", "reason": "sweep",
                              "campaign": "{c}"},
    ("moderate", "override"): {"project": "P002", "expert": "E04", "indicator": "novelty", "value": "3",
                               "reason": "sweep", "campaign": "{c}"},
    ("moderate", "undo"): {"project": "P003", "expert": "E03", "indicator": "novelty", "reason": "sweep",
                           "campaign": "{c}"},
    ("moderate", "history"): {"campaign": "{c}"},
    ("moderate", "rescore", "open"): {"projects": "P001", "reason": "sweep", "campaign": "{c}"},
    ("moderate", "changes"): {"campaign": "{c}"},
    ("weights", "survey"): {"rubric_path": "{k}/rubrics/base.yaml", "experts_file": "{k}/experts/csv-valid.csv",
                            "out_dir": "{t}/wround", "all_nodes": True},
    ("weights", "answer"): {"campaign": "{c}", "expert_id": "E101", "from_file": "{c}/answers.csv"},
    ("weights", "status"): {"campaign": "{c}"},
    ("weights", "aggregate"): {"campaign": "{c}", "out_file": "{t}/new.yaml"},
    ("weights", "sheets"): {"campaign": "{c}", "experts_": ["E101"], "out_dir": "{t}/wsheets"},
    ("match",): {"demands_path": "{k}/demands/csv-valid.csv", "library": "{c}/library.sqlite", "top": 3},
    ("demands", "import"): {"file": "{k}/demands/csv-valid.csv", "library": "{c}/library.sqlite"},
    ("demands", "list"): {"library": "{c}/library.sqlite", "industry": "钢铁", "status": "open"},
    ("demands", "show"): {"demand_id": "D001", "library": "{c}/library.sqlite"},
    ("demands", "status"): {"demand_id": "D001", "status": "matched", "reason": "sweep", "library": "{c}/library.sqlite"},
    ("library", "add-round"): {"campaign": "{c}", "library": "{c}/library.sqlite", "year": 2026},
    ("library", "import"): {"file": "{k}/library/achievements.csv", "library": "{c}/library.sqlite"},
    ("library", "links"): {"library": "{c}/library.sqlite"},
    ("library", "link"): {"new": "A101", "old": "A001", "library": "{c}/library.sqlite"},
    ("library", "show"): {"achievement_id": "A001", "library": "{c}/library.sqlite"},
    ("library", "list"): {"library": "{c}/library.sqlite", "min_trl": 3, "tier": "A", "region": "唐山"},
    ("library", "verify"): {"library": "{c}/library.sqlite"},
    ("follow-up", "import"): {"file": "{k}/follow-up/csv-valid.csv", "library": "{c}/library.sqlite",
                              "as_of": "2027-12-31"},
    ("follow-up", "show"): {"achievement_id": "A001", "library": "{c}/library.sqlite"},
    ("follow-up", "backtest"): {"library": "{c}/library.sqlite", "draws": 200, "stages_path": "{k}/follow-up/stages.yaml"},
    ("value",): {"campaign": "{c}", "draws": 200, "seed": 1, "top": 3},
}
# commands whose valid call needs another campaign than the base one (a weighting round)
CAMPAIGN_OF = {("weights", "answer"): "weights", ("weights", "status"): "weights", ("weights", "aggregate"): "weights",
               ("weights", "sheets"): "weights"}
SLOW = {("report",), ("demo",), ("rubric", "doc"), ("feedback",), ("push",)}     # a valid run renders a document: seconds, not ms


def argv(path: tuple[str, ...], cmd: click.Command, values: dict[str, object]) -> list[str]:
    out = list(path)
    for param in cmd.params:
        if param.name not in values:
            continue
        value = values[param.name]
        if isinstance(param, click.Argument):
            out += [str(v) for v in value] if isinstance(value, list) else [str(value)]
        elif getattr(param, "is_flag", False) and not param.secondary_opts:
            if value:
                out.append(param.opts[0])
        else:
            for v in value if isinstance(value, list) else [value]:
                out += [param.opts[0], str(v)]
    return out


@dataclass
class Variant:
    id: str
    path: tuple[str, ...]
    values: dict[str, object]
    param: str | None                   # the parameter made hostile
    value: object = None
    expect: set[int] = field(default_factory=lambda: {0, 1, 2})
    campaign: str = "base"              # which campaign {c} copies
    stdin: str | None = None
    slow: bool = False


def _is_path(param: click.Parameter) -> bool:
    return isinstance(param.type, click.Path) or param.name == "campaign"


def _is_number(param: click.Parameter) -> bool:
    from tlr.cli.kit.params import Amount, Integer

    return isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType, Integer, Amount))


ID_PARAMS = {"expert_id", "project_id", "experts_", "project", "cte", "assessor", "ladder", "action", "heads",
             "adds", "removes", "recusals", "reason", "name", "organisation", "fundable_tiers", "cost_column",
             "industries", "ri", "expert_weights", "by", "encoding", "weights", "cost", "project_ids", "dimensions",
             "demand_id", "achievement_id", "new", "old", "round_name", "industry", "tier", "region"}
ODD_PATHS = {"missing": "{t}/no/such/thing", "folder": "{t}", "dev-null": "/dev/null", "fifo": "{t}/fifo",
             "proc-mem": "/proc/self/mem", "newline": "{t}/new\nline", "long": "{t}/" + LONG, "empty": ""}
ODD_NUMBERS = ["-1", "0", "-5", str(10**12), "nan", "inf", "1e308", "x", "99999999999999999999999"]
ODD_IDS = ["../x", "", "E01\x1b[31m", "\u202eE01", "x" * 300, "P001/../../etc"]


def variants() -> list[Variant]:
    found = leaves()
    missing = set(found) - set(BASE)
    assert not missing, f"commands without a sweep baseline: {sorted(missing)}"
    out: list[Variant] = []
    for path, cmd in found.items():
        base = BASE[path]
        name = " ".join(path)
        slow = path in SLOW
        own = CAMPAIGN_OF.get(path, "base")
        out.append(Variant(f"{name}: valid", path, base, None, expect={0}, slow=slow, campaign=own))
        for param in cmd.params:
            if param.name in ("help",):
                continue
            if _is_path(param):
                for label, value in ODD_PATHS.items():
                    vals = {**base, param.name: [value] if param.nargs == -1 else value}
                    out.append(Variant(f"{name}: {param.name}={label}", path, vals, param.name, value, slow=slow,
                                       campaign=own))
            elif _is_number(param):
                for value in ODD_NUMBERS:
                    out.append(Variant(f"{name}: {param.name}={value}", path, {**base, param.name: value}, param.name,
                                       value, slow=slow, campaign=own))
            elif param.name in ID_PARAMS:
                for k, value in enumerate(ODD_IDS):
                    vals = {**base, param.name: [value] if param.multiple else value}
                    out.append(Variant(f"{name}: {param.name}=odd{k}", path, vals, param.name, value, slow=slow,
                                       campaign=own))
        if "campaign" in {p.name for p in cmd.params}:
            for state in CAMPAIGN_STATES:
                out.append(Variant(f"{name}: campaign={state}", path, base, "campaign", state, campaign=state,
                                   expect={2} if state in ("foreign-sqlite", "garbage-sqlite") else {0, 1, 2},
                                   slow=slow))
    # the interactive commands, with a person who quits at once
    out.append(Variant("score: interactive, quit", ("score",), {"expert_id": "E01", "campaign": "{c}"}, None,
                       expect={0}, stdin="q\n"))
    # standard input that ends mid-dialogue is an interruption: exit 130, what was answered is kept (documented)
    out.append(Variant("score: interactive, end of input", ("score",), {"expert_id": "E01", "campaign": "{c}"}, None,
                       expect={130}, stdin=""))
    out.append(Variant("weights answer: interactive, quit", ("weights", "answer"),
                       {"expert_id": "E101", "campaign": "{c}", "restart": True}, None, expect={0}, stdin="q\n",
                       campaign="weights"))
    out.append(Variant("weights answer: interactive, end of input", ("weights", "answer"),
                       {"expert_id": "E101", "campaign": "{c}", "restart": True}, None, expect={130}, stdin="",
                       campaign="weights"))
    out.append(Variant("weights answer: interactive, hostile", ("weights", "answer"),
                       {"expert_id": "E101", "campaign": "{c}", "restart": True}, None, expect={0},
                       stdin="0\n-1\n10\nabc\n1/0\n\x1b[31m\nq\n", campaign="weights"))
    out.append(Variant("trl assess: interactive, quit", ("trl", "assess"),
                       {"file": "{t}/a.yaml", "ladder_ref": "trl-nasa", "cte_id": "sensor"}, None, expect={0, 1},
                       stdin="\n\n\n\n\n\nq\n"))
    out.append(Variant("trl assess: interactive, end of input", ("trl", "assess"),
                       {"file": "{t}/a.yaml", "ladder_ref": "trl-nasa", "cte_id": "sensor"}, None, expect={130},
                       stdin=""))
    return out


CAMPAIGN_STATES = ("foreign-sqlite", "garbage-sqlite", "damaged-rubric", "no-rubric-row", "empty", "projects-only",
                   "no-assignments", "no-scores")


@pytest.fixture(scope="session")
def campaigns(request, tmp_path_factory) -> dict[str, Path]:
    """The base campaign and campaigns that are not usable, or not yet usable, for every command."""
    from tlr.campaign import (
        assign_experts,
        import_experts,
        import_projects,
        init_campaign,
    )
    from tlr.rubric import load_rubric

    cases, root = corpus(request.config)
    base = root / "campaign"
    made = tmp_path_factory.mktemp("campaign-states")
    out = {"base": base}
    foreign = made / "foreign-sqlite"
    foreign.mkdir()
    conn = sqlite3.connect(foreign / "campaign.sqlite")
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    out["foreign-sqlite"] = foreign
    garbage = made / "garbage-sqlite"
    garbage.mkdir()
    (garbage / "campaign.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    out["garbage-sqlite"] = garbage
    for state, sql in (("damaged-rubric", "UPDATE rubric SET document = '{\"id\": 5}'"),
                       ("no-rubric-row", "DELETE FROM rubric")):
        folder = copy_campaign(base, made / state)
        conn = sqlite3.connect(folder / "campaign.sqlite")
        conn.execute(sql)
        conn.commit()
        conn.close()
        out[state] = folder
    rubric = load_rubric(root / "rubrics/base.yaml")
    for state, steps in (("empty", 0), ("projects-only", 1), ("no-assignments", 2), ("no-scores", 3)):
        with init_campaign(made / state, rubric) as led:
            if steps >= 1:
                import_projects(led, root / "projects/csv-valid.csv")
            if steps >= 2:
                import_experts(led, root / "experts/csv-valid.csv")
            if steps >= 3:
                assign_experts(led, 2, seed=1)
        out[state] = made / state
    out["weights"] = _weights_round(root, made / "weights")
    if not (root / "key.hmac").exists():
        from tlr.campaign.seal import keygen

        keygen(root / "key.hmac", use_hmac=True)
    return out


def _weights_round(root: Path, folder: Path) -> Path:
    """A weighting round on the corpus rubric (every node) with every expert's answers, and answers.csv."""
    from tlr.campaign.weighting_round import create_round, record
    from tlr.rubric import load_rubric

    ledger, result, nodes = create_round(folder, load_rubric(root / "rubrics/base.yaml"),
                                         root / "experts/csv-valid.csv", scope="all")
    with ledger:
        for k, expert in enumerate(result.ids):
            record(ledger, expert, [(n, a, b, 1.0 + (k + i) % 3, "x") for n in nodes
                                    for i, (a, b) in enumerate(n.pairs())], source="sweep")
    lines = ["node,a,b,value"] + [f"{n.node},{a},{b},2" for n in nodes for a, b in n.pairs()]
    (folder / "answers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


FAST_SHARE = 6


def pytest_generate_tests(metafunc):
    if "variant" in metafunc.fixturenames:
        # the fast inner loop runs each command's valid call and every FAST_SHARE-th hostile variant
        metafunc.parametrize("variant", [pytest.param(v, id=v.id.replace("\n", "\\n"), marks=[pytest.mark.slow]
                                                      if v.slow or (v.param is not None and k % FAST_SHARE) else [])
                                         for k, v in enumerate(variants())])


def _fill(value: object, corpus_root: Path, campaign: Path | None, tmp: Path) -> object:
    if isinstance(value, list):
        return [_fill(v, corpus_root, campaign, tmp) for v in value]
    if not isinstance(value, str):
        return value
    value = value.replace("{k}", str(corpus_root)).replace("{t}", str(tmp))
    return value.replace("{c}", str(campaign)) if campaign is not None else value


def _names_it(line: str, variant: Variant, filled: object) -> bool:
    """The error line names the hostile value or its parameter."""
    from tlr.safetext import terminal_safe

    cmd = leaves()[variant.path]
    param = next(p for p in cmd.params if p.name == variant.param)
    names = [o for o in getattr(param, "opts", [])] + [param.name.upper(), (param.metavar or "").strip("[]."),
                                                          param.human_readable_name]
    if filled in ("", None):  # nothing to quote: the line must say that it is empty
        return any(n and n in line for n in names) or "empty" in line or "为空" in line
    texts = [str(filled), os.path.basename(str(filled)), terminal_safe(str(filled)),
             terminal_safe(os.path.basename(str(filled)))]
    return any(n and n in line for n in names + texts)


def test_cli_variant(variant, campaigns, corpus_root, tmp_path, contained):
    from tlr.cli import main  # noqa: F401  (imported before arming the write guard)

    work = tmp_path / "work"
    work.mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(work / "fifo")
    (work / "new\nline").write_bytes((corpus_root / "projects/csv-valid.csv").read_bytes())
    uses = any("{c}" in str(v) for v in variant.values.values()) or variant.param == "campaign"
    campaign = copy_campaign(campaigns[variant.campaign], tmp_path / "campaign") if uses else None
    values = {k: _fill(v, corpus_root, campaign, work) for k, v in variant.values.items()}
    cmd = leaves()[variant.path]
    args = argv(variant.path, cmd, values)
    before = dump(campaign) if campaign is not None and variant.campaign in ("base", "weights") else None
    what = f"{variant.id}: tlr {' '.join(a[:80] for a in args)!r}"
    code, errors, err = contained(args, work, what, variant.expect, stdin=variant.stdin)
    if code == 2:
        if variant.param is not None and variant.param != "campaign":
            filled = values.get(variant.param)
            filled = filled[0] if isinstance(filled, list) else filled
            assert any(_names_it(e, variant, filled) for e in errors), \
                f"{what}: no error line names {variant.param} or its value\n{err[-1500:]}"
        if before is not None:
            assert dump(campaign) == before, f"{what}: a refused command changed the campaign"
