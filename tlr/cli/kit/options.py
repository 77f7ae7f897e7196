"""The options several commands share, each described once (Chinese first, then English)."""

from __future__ import annotations

import click

from tlr.cli.kit.commands import CAMPAIGN_ARG, CampaignPairArgument
from tlr.cli.kit.params import PathArg

CAMPAIGN_ENV = "TLR_CAMPAIGN"
CAMPAIGN_HELP = ("批次目录（或其 campaign.sqlite）；默认取环境变量 TLR_CAMPAIGN，否则当前目录 / campaign directory "
                 "(or its campaign.sqlite); default: $TLR_CAMPAIGN, else the current directory")


def campaign_option(f):
    """``-C/--campaign DIR`` (else ``$TLR_CAMPAIGN``, else the current directory): the parameter ``campaign``."""
    return click.option("--campaign", "-C", "campaign", envvar=CAMPAIGN_ENV, default=None, metavar="DIR",
                        help=CAMPAIGN_HELP)(f)


def campaign_argument(f):
    """``[CAMPAIGN]`` positionally as well as ``-C/--campaign`` (``tlr rank round-2026``); both arrive as
    ``campaign`` (:func:`tlr.cli.kit.commands.merge_campaign`)."""
    f = campaign_option(f)
    return click.argument(CAMPAIGN_ARG, required=False, metavar="[CAMPAIGN]", type=PathArg(exists=False))(f)


def campaign_pair_argument(name: str, item_type: click.ParamType, metavar: str):
    """``[CAMPAIGN] NAME`` (``tlr explain round-2026 P017`` or ``tlr explain P017 -C round-2026``)."""
    def decorate(f):
        f = campaign_option(f)
        return click.argument(name, cls=CampaignPairArgument, item_type=item_type,
                              metavar=f"[CAMPAIGN] {metavar}")(f)
    return decorate


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="输出 JSON 而不是表格 / print JSON instead of a table")(f)


def lang_option(f):
    return click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                        help="显示语言 / language of labels")(f)


def encoding_option(f):
    return click.option("--encoding", default=None, metavar="NAME",
                        help="CSV/JSON 文件的文字编码（无法自动识别时），如 big5、shift_jis、cp1252 / the text encoding of "
                             "a CSV/JSON file when it is not detected, e.g. big5, shift_jis, cp1252")(f)


REPORT_FORMATS = ("html", "pdf")


def parse_formats(ctx, param, value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in formats if f not in REPORT_FORMATS]
    if bad or not formats:
        raise click.BadParameter(f"未知格式 / unknown format(s) {', '.join(bad) or repr(value)}: "
                                 f"用 html、pdf 或 html,pdf / use html, pdf or html,pdf", ctx, param)
    return formats


def formats_option(f):
    """``--format html,pdf``: the parameter ``formats``, a tuple of formats."""
    return click.option("--format", "formats", default="html,pdf", show_default=True, callback=parse_formats,
                        help="输出格式：html、pdf 或 html,pdf / html, pdf or html,pdf")(f)


LIBRARY_HELP = ("成果库文件（或其所在目录）；默认取环境变量 TLR_LIBRARY，否则当前目录的 library.sqlite / the library file "
                "(or its folder); default: $TLR_LIBRARY, else library.sqlite in the current folder")


def library_option(f):
    return click.option("--library", "library", envvar="TLR_LIBRARY", default=None, metavar="PATH",
                        type=PathArg(exists=False), help=LIBRARY_HELP)(f)


ENGINE_CHOICES = ("local", "dask")   # = tlr.parallel.ENGINES (not imported: --help stays fast)


def engine_options(f):
    """``--engine local|dask``, ``--scheduler ADDRESS``, ``--workers N``: where the Monte Carlo runs."""
    f = click.option("--workers", type=click.IntRange(1, 256), default=2, show_default=True,
                     help="--engine dask 且未给 --scheduler 时，本机集群的工作进程数 / worker processes of the local "
                          "Dask cluster (--engine dask without --scheduler).")(f)
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask 调度器地址，如 tcp://10.0.0.5:8786；不给则在本机启动集群 / address of a Dask "
                          "scheduler, e.g. tcp://10.0.0.5:8786; default: start a cluster on this machine.")(f)
    return click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="local", show_default=True,
                        help="蒙特卡洛在哪里运行：本进程或 Dask 集群（结果逐位相同；需 pip install \"tlr[dask]\"）/ "
                             "where the Monte Carlo runs: this process or a Dask cluster (the same result, bit "
                             "for bit; needs pip install \"tlr[dask]\").")(f)
