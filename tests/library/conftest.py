"""Shared fixtures of the library tests: a fresh library, demand files, the demo campaign (built once)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

DEMAND_HEADER = "需求编号,需求名称*,企业名称*,所属行业*,所在地区,需求描述*,期望技术指标,期望合作方式,可投入资金（万元）,期望成熟度,联系人,联系电话\n"
DEMANDS = (DEMAND_HEADER
           + "D001,钢渣资源化利用,唐山钢铁公司,钢铁,唐山市,钢渣制备建材,利用率≥90%,技术转让;合作开发,500,TRL6,张三,13800000001\n"
           + "D002,视觉质检系统,迁安机械,高端装备,迁安市,产线缺陷检测,漏检率<1%,许可,\"1,200\",6级,李四,13900000002\n"
           + "D003,锂电回收,石家庄新能源,新能源,石家庄市,退役电池回收,,合作开发,,,,\n")


@pytest.fixture
def lib(tmp_path):
    from tlr.library.store import open_library

    with open_library(tmp_path / "library.sqlite", create=True) as library:
        yield library


@pytest.fixture
def demand_file(tmp_path) -> Path:
    path = tmp_path / "需求.csv"
    path.write_text(DEMANDS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_campaign(tmp_path_factory) -> Path:
    """The example round (58 projects, 12 experts, TRL assessments), built once, reports and robustness skipped."""
    from tlr.app.demo import run_demo

    return run_demo(tmp_path_factory.mktemp("demo") / "out", formats=(), draws=1).campaign


def run(args, capsys) -> tuple[int, str, str]:
    from tlr.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def table_rows(path: Path, table: str) -> list[tuple]:
    """A table read with plain sqlite3 (not through tlr)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        conn.close()


def snapshot(path: Path) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


@pytest.fixture(scope="session")
def round_2027(demo_campaign) -> Path:
    """The example round a year later (examples/round-2027), which the demo runs after the 2026 one."""
    path = demo_campaign.parent / "round-2027"
    assert (path / "campaign.sqlite").is_file()
    return path
