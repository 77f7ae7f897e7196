"""Every command's help, walked through ``tlr.cli.COMMANDS``: bilingual option help (Chinese first) and an
``Example / 示例`` block in every command and group."""

from __future__ import annotations

import re

import click
import pytest

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


def every_command() -> dict[tuple[str, ...], click.Command]:
    """The root, every group and every command, by path (``("audit", "seal")``)."""
    from tlr.cli import COMMANDS, cli

    ctx = click.Context(cli)
    found: dict[tuple[str, ...], click.Command] = {(): cli}

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        found[path] = cmd
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), path + (name,))

    for name in COMMANDS:
        walk(cli.get_command(ctx, name), (name,))
    return found


COMMANDS_FOUND = every_command()
OPTIONS = [(path, cmd, opt) for path, cmd in COMMANDS_FOUND.items()
           for opt in cmd.get_params(click.Context(cmd)) if isinstance(opt, click.Option)]


def test_the_walk_finds_every_command_and_each_is_a_kit_command():
    from tlr.cli import COMMANDS
    from tlr.cli.kit import Command, Group

    assert {p[0] for p in COMMANDS_FOUND if p} == set(COMMANDS)
    assert ("audit", "seal") in COMMANDS_FOUND and ("trl", "assess") in COMMANDS_FOUND
    assert len(OPTIONS) > 150
    others = [" ".join(p) for p, cmd in COMMANDS_FOUND.items() if p and not isinstance(cmd, (Command, Group))]
    assert others == []                                    # one error path, one help option, one campaign rule


@pytest.mark.parametrize("path, cmd, opt", OPTIONS,
                         ids=[f"{' '.join(p) or 'tlr'} {o.opts[0]}" for p, _c, o in OPTIONS])
def test_option_help_is_bilingual_chinese_first(path, cmd, opt):
    text = opt.help or ""
    zh, sep, en = text.partition("/ ")    # "中文 / English" or "中文（说明）/ English"
    assert sep, f"{' '.join(path)} {opt.opts[0]}: no '/ ' between Chinese and English: {text!r}"
    assert CJK.search(zh), f"{' '.join(path)} {opt.opts[0]}: no Chinese before '/ ': {text!r}"
    assert LATIN.search(en), f"{' '.join(path)} {opt.opts[0]}: no English after '/ ': {text!r}"


@pytest.mark.parametrize("path", list(COMMANDS_FOUND), ids=[" ".join(p) or "tlr" for p in COMMANDS_FOUND])
def test_every_command_has_an_example(path):
    cmd = COMMANDS_FOUND[path]
    help_text = cmd.help or ""
    assert "Example / 示例:" in help_text, f"{' '.join(path)}: no 'Example / 示例:' block"
    block = help_text.split("Example / 示例:", 1)[1]
    examples = [line.strip() for line in block.splitlines() if line.strip().startswith("tlr ")]
    assert examples, f"{' '.join(path)}: the example block shows no `tlr ...` command"
    if path:
        assert any(line.startswith("tlr " + " ".join(path)) for line in examples), \
            f"{' '.join(path)}: no example runs `tlr {' '.join(path)}`"


@pytest.mark.parametrize("path", list(COMMANDS_FOUND), ids=[" ".join(p) or "tlr" for p in COMMANDS_FOUND])
def test_help_renders_bilingual_help_option(path, capsys):
    from tlr.cli import main

    code = main([*path, "--help"])
    out = capsys.readouterr().out
    assert code == 0 and "显示本帮助并退出 / Show this message and exit." in out
