"""The CLI kit (tlr/cli/kit): one JSON writer, one table printer, the campaign given positionally or with
-C / TLR_CAMPAIGN, one error path, and the import rules that keep it one kit."""

from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import numpy as np
import pytest

from tlr.cli import main
from tlr.cli.kit import campaign_argument, campaign_option, campaign_pair_argument, command, json_text, print_table

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "tlr" / "cli"


# --------------------------------------------------------------------------- JSON


def test_json_is_strict_utf8_without_float_noise():
    data = {"a": float("nan"), "b": np.float64(0.1) + 0.2, "c": np.array([1.5, np.inf]), "d": np.int64(7),
            "名称": "高强钢", "e": Path("/x/y"), "f": dt.date(2026, 1, 2), "g": {"z", "y"}, "h": (1, 2)}
    text = json_text(data)
    assert json.loads(text) == {"a": None, "b": 0.3, "c": [1.5, None], "d": 7, "名称": "高强钢", "e": "/x/y",
                                "f": "2026-01-02", "g": ["y", "z"], "h": [1, 2]}
    assert "NaN" not in text and "Infinity" not in text and "高强钢" in text     # strict JSON, UTF-8 kept
    assert "0.30000000000000004" not in text


def test_no_command_writes_json_another_way():
    offenders = []
    for path in [*CLI.rglob("*.py"), *(ROOT / "tlr" / "app").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("dumps", "dump") and \
                    isinstance(node.value, ast.Name) and node.value.id == "json":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_a_campaign_listing_prints_nan_free_json(tmp_path, capsys):
    from tlr.campaign import init_campaign
    from tlr.rubric import load_rubric

    init_campaign(tmp_path / "r", load_rubric(ROOT / "tests/campaign/fixtures/mini-rubric.yaml")).close()
    assert main(["campaign", "info", "-C", str(tmp_path / "r"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["counts"]["projects"] == 0 and info["rubric"] == "mini-campaign"


# --------------------------------------------------------------------------- tables


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_table_columns_line_up_in_display_width(capsys):
    rows = [["P001", "高强钢连铸新工艺", 12.5], ["P0002", "x", None], ["P3", "氢燃料电池 stack", 7]]
    print_table(["编号 id", "名称 name", "值"], rows)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + len(rows)                              # header, rule, one line per row
    header, rule, *body = lines
    assert set(rule.strip()) == {"─"}
    assert [line.split()[0] for line in body] == ["P001", "P0002", "P3"]
    # every row's second and third cells start at the same display column as the header's
    starts = [width(header[:header.index("名称")]), width(header[:header.index("值")])]
    for line, row in zip(body, rows):
        assert width(line[:line.index(row[1])]) == starts[0]
        if row[2] is not None:
            assert width(line[:line.index(str(row[2]))]) == starts[1]
    assert all(line == line.rstrip() for line in lines)             # no trailing spaces in a file


def test_a_wide_table_is_never_wrapped_off_a_terminal(capsys):
    long = "很长的说明" * 60 + "end"
    print_table(["a", "b", "c"], [["1", long, "x" * 120]])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and long in lines[2] and lines[2].endswith("x" * 120)


def test_table_cells_are_data_never_markup(capsys):
    print_table(["name"], [["[bold]x[/]"], ["a\x1b[31mred\u202e"], ["[link=file:///etc/passwd]y[/link]"]],
                title="标题 / title")
    out = capsys.readouterr().out
    assert "[bold]x[/]" in out and "[link=file:///etc/passwd]y[/link]" in out
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31mred\\u202e" in out
    assert out.splitlines()[0].strip() == "标题 / title"


# --------------------------------------------------------------------------- the campaign, positionally or -C


@command()
@campaign_argument
def where(campaign):
    """Example / 示例: tlr where"""
    click.echo(f"campaign={campaign}")


@command()
@campaign_pair_argument("project", click.STRING, "PROJECT")
def which(campaign, project):
    """Example / 示例: tlr which"""
    click.echo(f"campaign={campaign} project={project}")


@pytest.mark.parametrize("args, env, expected", [
    (["round-2026"], None, "campaign=round-2026"),
    (["-C", "round-2026"], None, "campaign=round-2026"),
    (["--campaign", "round-2026"], None, "campaign=round-2026"),
    ([], "round-2026", "campaign=round-2026"),
    (["round-2026"], "elsewhere", "campaign=round-2026"),          # given on the command line: it wins
    (["round-2026", "-C", "round-2026"], None, "campaign=round-2026"),   # the same twice is fine
    (["round-2026", "-C", "./round-2026"], None, "campaign=round-2026"),
    ([], None, "campaign=None"),                                     # the current folder, as everywhere
])
def test_the_campaign_arrives_as_one_value(args, env, expected, monkeypatch, tmp_path):
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(where, args, env={"TLR_CAMPAIGN": env})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_two_different_campaigns_are_a_usage_error():
    from click.testing import CliRunner

    result = CliRunner().invoke(where, ["round-2026", "-C", "round-2025"])
    assert result.exit_code == 2
    assert "the campaign is given twice" in result.output and "'round-2026'" in result.output


@pytest.mark.parametrize("args, env, expected", [
    (["round-2026", "P017"], None, "campaign=round-2026 project=P017"),
    (["P017", "-C", "round-2026"], None, "campaign=round-2026 project=P017"),
    (["P017"], "round-2026", "campaign=round-2026 project=P017"),
])
def test_campaign_then_project(args, env, expected):
    from click.testing import CliRunner

    result = CliRunner().invoke(which, args, env={"TLR_CAMPAIGN": env})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


@pytest.mark.parametrize("args, message", [([], "Missing argument '[CAMPAIGN] PROJECT'"),
                                           (["a", "b", "c"], "too many arguments"),
                                           (["a", "P1", "-C", "b"], "the campaign is given twice"),
                                           (["", "P1"], "the path is empty")])
def test_campaign_then_project_refusals(args, message):
    from click.testing import CliRunner

    result = CliRunner().invoke(which, args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("command_", [["rank"], ["explain", "P001"], ["agreement"], ["report", "--out", "o"]])
def test_the_four_commands_take_the_campaign_both_ways(command_, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name, *rest = command_
    assert main([name, str(tmp_path / "a"), *rest, "-C", str(tmp_path / "b")]) == 2
    assert "the campaign is given twice" in capsys.readouterr().err
    for args in ([name, str(tmp_path / "nope"), *rest], [name, *rest, "-C", str(tmp_path / "nope")]):
        assert main(args) == 2                                      # both forms reach the campaign ...
        err = capsys.readouterr().err
        assert "not a tlr campaign" in err and "nope" in err        # ... and name it
    monkeypatch.setenv("TLR_CAMPAIGN", str(tmp_path / "from-env"))
    assert main([name, *rest]) == 2 and "from-env" in capsys.readouterr().err


def test_rank_is_the_same_positionally_with_c_and_from_the_environment(ledger, capsys, monkeypatch):
    from tlr.campaign import record_score

    for e, p in ledger.conn.execute("SELECT expert_id, project_id FROM assignments").fetchall():
        for ind, raw in (("novelty", 1 + int(p[-1]) % 5), ("trl", 1 + int(p[-1]) % 4), ("market_size", 10),
                         ("team", "是")):
            record_score(ledger, e, p, ind, raw)
    path = str(ledger.path.parent)
    opts = ["--json", "--draws", "50", "--bootstrap", "0"]
    outputs = []
    for args, env in (([path, *opts], None), (["-C", path, *opts], None), (opts, path)):
        if env:
            monkeypatch.setenv("TLR_CAMPAIGN", env)
        assert main(["rank", *args]) == 0
        outputs.append(json.loads(capsys.readouterr().out)["projects"])
    assert outputs[0] == outputs[1] == outputs[2] and len(outputs[0]) == 6


# --------------------------------------------------------------------------- one error path, one kit


def test_a_database_failure_in_any_campaign_command_is_one_located_line(tmp_path, capsys):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "campaign.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    for args in (["status"], ["rank"], ["explain", "P1"], ["agreement"], ["projects", "list"]):
        assert main([*args, "-C", str(folder)]) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "campaign.sqlite" in err[0] and "Traceback" not in err[0], args


def _imports(path: Path) -> list[tuple[str, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names]
    return out


def test_command_modules_share_only_the_kit():
    problems = []
    for path in sorted(CLI.glob("*_cmd.py")):
        for module, name in _imports(path):
            if module.startswith("tlr.cli.") and not module.startswith("tlr.cli.kit"):
                problems.append(f"{path.name} imports {module}")
            if module.startswith("tlr.cli") and name.startswith("_"):
                problems.append(f"{path.name} imports the private {module}.{name}")
    assert problems == []
    assert not (CLI / "_output.py").exists() and not (CLI / "_params.py").exists()


def test_the_sessions_do_not_import_click():
    code = ("import sys; import tlr.app.interactive.scoring, tlr.app.interactive.assess, "
            "tlr.app.interactive.checklist; print('click' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "False"
    for path in (ROOT / "tlr" / "app" / "interactive").glob("*.py"):
        assert all(not m.startswith("click") for m, _ in _imports(path)), path.name
    assert all(not m.startswith("click") for m, _ in _imports(ROOT / "tlr" / "trl" / "__init__.py"))
    assert not (ROOT / "tlr" / "trl" / "session.py").exists()
