"""A demo campaign whose projects carry a 所在地区 (region), built once for the push tests."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

PLACES = ["石家庄市", "唐山市", "迁安市", "衡水市", "辛集市", "保定市", "唐山高新区"]
REGION = "所在地区"
PLANTED = "P2026-009"  # in 唐山市 (row 8), ranked high: its applicant is a spreadsheet formula
FORMULA = '=HYPERLINK("http://example.invalid","x")'


def region_of(index: int) -> str:
    """The region the fixture gives the project in row *index* (0-based) of projects.csv."""
    return PLACES[index % len(PLACES)]


def _examples_with_regions(target: Path) -> Path:
    from tlr.resources import data_dir

    source = data_dir("examples")
    shutil.copytree(source, target)
    path = target / "round-2026" / "projects.csv"
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if REGION not in rows[0]:  # the shipped example may already carry regions
        rows[0].append(REGION)
        for k, row in enumerate(rows[1:]):
            row.append(region_of(k))
    else:  # the example's own regions are replaced: the tests know where each project is
        col = rows[0].index(REGION)
        for k, row in enumerate(rows[1:]):
            row[col] = region_of(k)
    applicant = rows[0].index("申报单位")
    for row in rows[1:]:
        if row[0] == PLANTED:
            row[applicant] = FORMULA
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def push_campaign(tmp_path_factory) -> Path:
    """The demo round (fewer draws), projects with regions; returns the campaign folder."""
    from tlr.app import demo

    base = tmp_path_factory.mktemp("push-demo")
    examples = _examples_with_regions(base / "examples")
    real = demo.data_dir

    def data_dir(name: str) -> Path:
        return examples if name == "examples" else real(name)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "data_dir", data_dir)
        result = demo.run_demo(base / "demo", formats=(), draws=500)
    return result.campaign
