"""Numeric option types: a number out of range is a usage error naming the option (exit 2), before any work.

Without them a negative ``--seed`` reached numpy as a traceback (exit 70), ``--draws 10**12`` ran until
memory ran out, ``--max-ticket nan`` silently let every project through and ``audit log --limit 10**21``
was reported as a damaged database.
"""

from __future__ import annotations

import math

import click

MAX_DRAWS = 1_000_000        # 100x the default: minutes at worst, never until memory runs out
MAX_BOOTSTRAP = 100_000      # 100x the default
MAX_SEED = 2**63 - 1         # what SQLite and numpy both take
MAX_COUNT = 2**63 - 1        # SQLite integers are 64-bit
MAX_AMOUNT = 1e12            # 万元: 10^16 yuan, far above any fund, far below float trouble


class Integer(click.ParamType):
    """A whole number within ``[lo, hi]`` (either end may be open); the message says which option and range."""

    name = "integer"

    def __init__(self, lo: int | None = None, hi: int | None = None):
        self.lo, self.hi = lo, hi

    def convert(self, value, param, ctx):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip(), 10)
            except ValueError:
                self.fail(f"不是整数 / not a whole number: {value!r}", param, ctx)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            self.fail(f"{value} 超出范围 / is out of range: {self._range()}", param, ctx)
        return value

    def _range(self) -> str:
        if self.hi is None:
            return f"≥ {self.lo}"
        if self.lo is None:
            return f"≤ {self.hi}"
        return f"{self.lo}–{self.hi:,}"


class Amount(click.ParamType):
    """An amount of money in 万元: a number from 0 to :data:`MAX_AMOUNT`; ``nan``, ``inf``, negative and
    astronomical values are refused (1e308 overflowed the report's chart)."""

    name = "number"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"不是数字 / not a number: {value!r}", param, ctx)
        if not math.isfinite(number) or not 0 <= number <= MAX_AMOUNT:
            self.fail(f"须为 0 到 {MAX_AMOUNT:g} 之间的数 / must be a number from 0 to {MAX_AMOUNT:g}, got {value}",
                      param, ctx)
        return number


DRAWS = Integer(1, MAX_DRAWS)
BOOTSTRAP = Integer(0, MAX_BOOTSTRAP)
SEED = Integer(0, MAX_SEED)        # numpy's SeedSequence refuses negative seeds
POSITIVE = Integer(1, MAX_COUNT)
NON_NEGATIVE = Integer(0, MAX_COUNT)
AMOUNT = Amount()


class Text(click.ParamType):
    """Text given on the command line that tlr stores or prints (an id, a reason, a name): one line with no
    control, bidirectional or invisible character (:mod:`tlr.safetext`); ``nonempty``: not blank either.
    Whether an id exists is the command's business (``no expert with id E99``)."""

    name = "text"

    def __init__(self, *, nonempty: bool = False):
        self.nonempty = nonempty

    def convert(self, value, param, ctx):
        from tlr.safetext import text_problem

        text = str(value)
        if self.nonempty and not text.strip():
            self.fail("为空 / is empty", param, ctx)
        problem = text_problem(text)
        if problem:
            self.fail(problem, param, ctx)
        return text


ID = Text(nonempty=True)
TEXT = Text()


class PathArg(click.Path):
    """``click.Path`` that refuses an empty value: ``--out ""`` or ``tlr rubric check ""`` (an unset shell
    variable) would otherwise become the current folder, read or written without a word."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value == "":
            self.fail("路径为空 / the path is empty", param, ctx)
        return super().convert(value, param, ctx)
