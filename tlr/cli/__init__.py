"""The ``tlr`` command: a thin click layer over the library.

Sub-commands live in their own modules and are imported only when invoked, so
``tlr --help`` starts fast (no numpy, pandas or pydantic at start-up).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys

import click

from tlr import __version__

# name -> (module, attribute, one-line help shown by `tlr --help`; zh first)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "rubric": ("tlr.cli.rubric_cmd", "rubric", "评价指标体系：检查、展示、新建、比较 / Check, show, scaffold, compare and document rubrics."),
    "ahp": ("tlr.cli.ahp_cmd", "ahp", "层次分析法权重与一致性 / AHP weights, consistency and repairs."),
    "trl": ("tlr.cli.trl_cmd", "trl", "技术就绪度评估 / Evidence-gated technology readiness assessment."),
    "campaign": ("tlr.cli.campaign_cmd", "campaign", "评价批次 / Create and inspect an evaluation round."),
    "projects": ("tlr.cli.campaign_cmd", "projects", "导入项目 / Import projects into a campaign."),
    "experts": ("tlr.cli.campaign_cmd", "experts", "导入专家 / Import experts into a campaign."),
    "assign": ("tlr.cli.campaign_cmd", "assign", "分配专家（含回避）/ Assign experts, honouring conflicts."),
    "score": ("tlr.cli.score_cmd", "score", "专家打分 / Score assigned projects (interactive or from a file)."),
    "sheets": ("tlr.cli.score_cmd", "sheets", "Excel 评分表 / Export and import XLSX scoresheets."),
    "status": ("tlr.cli.campaign_cmd", "status", "进度 / Scoring progress per expert and project."),
    "export": ("tlr.cli.campaign_cmd", "export", "导出 / Export campaign data."),
    "audit": ("tlr.cli.campaign_cmd", "audit", "审计 / Verify the hash-chained audit log."),
    "rank": ("tlr.cli.rank_cmd", "rank", "排序与分档 / Consensus, composite, tiers and rank robustness."),
    "explain": ("tlr.cli.rank_cmd", "explain", "解释 / Why a project scored what it did."),
    "agreement": ("tlr.cli.rank_cmd", "agreement", "专家一致性 / Panel agreement and outlier experts."),
    "report": ("tlr.cli.report_cmd", "report", "报告 / HTML and PDF reports for the fund."),
    "stats": ("tlr.cli.stats_cmd", "stats", "统计方法 / Agreement statistics and decision methods on plain tables."),
    "feedback": ("tlr.cli.feedback_cmd", "feedback", "反馈函 / Feedback letters to applicants."),
    "push": ("tlr.cli.push_cmd", "push", "推送清单 / Recommendation packs per sub-fund and per region."),
    "portfolio": ("tlr.cli.portfolio_cmd", "portfolio", "资助组合 / Portfolio across pools and years: exact, with the gap."),
    "moderate": ("tlr.cli.moderate_cmd", "moderate", "复核 / Moderation: outlier scores, audited exclusions and re-scoring."),
    "weights": ("tlr.cli.weights_cmd", "weights", "权重征询 / Weights elicited from a panel by pairwise comparison."),
    "demands": ("tlr.cli.library_cmd", "demands", "企业需求清单 / Enterprise technology demands: import, status, list."),
    "library": ("tlr.cli.library_cmd", "library", "成果库 / The achievement library across rounds, stage-wise support."),
    "match": ("tlr.cli.match_cmd", "match", "成果与需求对接 / Match achievements and enterprise demands, with reasons."),
    "follow-up": ("tlr.cli.followup_cmd", "follow_up", "投后跟踪 / Follow-up of funded achievements: outcomes and the back-test."),
    "value": ("tlr.cli.value_cmd", "value", "估值区间 / Each project's value as a range: rNPV, income approach, cost floor."),
    "demo": ("tlr.cli.report_cmd", "demo", "演示 / Run the whole pipeline on the bundled example."),
}


def _available(name: str) -> bool:
    module = COMMANDS[name][0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # pragma: no cover
        return False


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出 / Show this message and exit."   # = tlr.cli.kit.commands.HELP_OPTION_HELP
        return option

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module_name, attr, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="tlr", help="显示版本并退出 / Show the version and exit.")
def cli() -> None:
    """tlr — 科技成果评价与评投联动排序 / technology evaluation and investment ranking.

    \b
    Example / 示例:
      tlr rubric check rubrics/*.yaml
      tlr rubric show rubrics/fund-screening.yaml
      tlr demo --out demo-out

    Exit codes: 0 success, 1 completed with findings (e.g. --strict warnings),
    2 bad input or usage, 70 internal error (a bug in tlr: please report it with
    the saved traceback), 130 interrupted.
    """


INTERNAL_ERROR = 70  # EX_SOFTWARE: only ever a bug in tlr, never the user's input
DEBUG_ENV = "TLR_DEBUG"


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the CLI, turning user errors into one-line messages and exit code 2.

    Anything else that escapes a command is a bug: one line naming a saved traceback, exit code 70
    (set ``TLR_DEBUG=1`` to get the exception itself).
    """
    from tlr.errors import TlrError

    try:
        rv = cli.main(args=argv, prog_name="tlr", standalone_mode=False)
    except TlrError as exc:
        click.echo(exc.format(), err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("已中止 / aborted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("已中止 / interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:  # pragma: no cover - `tlr ... | head`
        return 0
    except Exception as exc:
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        saved = save_traceback(exc, argv)
        where = str(saved) if saved else "（未能保存回溯 / the traceback could not be saved）"
        click.echo(f"内部错误，请报告 / internal error — please report: {where}", err=True)
        return INTERNAL_ERROR
    return rv if isinstance(rv, int) else 0


def crash_folders() -> list:
    """Where a traceback may be saved, in order: the user's cache, then the temp folder — never the
    current folder."""
    import tempfile
    from pathlib import Path

    here = Path.cwd().resolve() if os.path.isdir(".") else None
    folders = []
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(cache):  # the XDG spec ignores a relative value
        folders.append(Path(cache) / "tlr")
    try:
        folders.append(Path.home() / ".cache" / "tlr")
    except (RuntimeError, KeyError):  # pragma: no cover - no home directory
        pass
    tmp = Path(tempfile.gettempdir())
    if here is None or tmp.resolve() != here:  # gettempdir() falls back to the current folder
        folders.append(tmp / f"tlr-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    return [f for f in folders if here is None or f.resolve() != here]


def save_traceback(exc: BaseException, argv: list[str] | None) -> object:
    """Write the traceback (and the tool and Python versions, the arguments) to a private file."""
    import platform
    import tempfile
    import time
    import traceback

    text = (f"tlr {__version__}\npython {platform.python_version()} {platform.platform()}\n"
            f"argv {sys.argv[:1] + list(argv if argv is not None else sys.argv[1:])!r}\n\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    for folder in crash_folders():
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=time.strftime("crash-%Y%m%d-%H%M%S-"), suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return name
        except OSError:
            continue
    return None


# The commands multiply small arrays (a campaign's projects x indicators, chunks of weight draws): a BLAS
# thread pool only adds hand-over latency, on a busy machine ~0.3 s of a `tlr rank`; results are identical.
SINGLE_THREAD_BLAS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run() -> None:  # pragma: no cover - thin wrapper used by the console script
    for name in SINGLE_THREAD_BLAS:  # before numpy loads its BLAS; a user's own setting wins
        os.environ.setdefault(name, "1")
    # One short-lived command: the young generation is collected less often while the libraries load
    # (their objects live until exit anyway), and what is left at exit is not traversed again.
    gc.set_threshold(100_000, 20, 20)
    code = main()
    gc.freeze()
    sys.exit(code)
