"""One truth: the CLI JSON, the report data, the HTML table, the PDF and the terminal table agree, project by
project. Used on a generated round (tests/evaluate/test_committee_paper.py) and on the demo (tests/demo)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from tlr.cli import main

DRAWS = ["--draws", "300", "--seed", "7"]


def run(args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def rank_json(campaign, capsys, *extra) -> dict:
    code, out, err = run(["rank", campaign, "--json", "--all", *DRAWS, *extra], capsys)
    assert code == 0, err
    return json.loads(out)


class RankedTable(HTMLParser):
    """The cells of the report's full ranked table (#ranked-table), row by row, as the reader sees them."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "ranked-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _pct(x):
    return "—" if x is None else f"{100 * x:.0f}%"


def assert_one_truth(campaign: Path, out: Path, capsys) -> None:
    """CLI JSON, the report data, the HTML table and the PDF show the same figures for every project."""
    ranking = rank_json(campaign, capsys)
    code, _, err = run(["report", campaign, "--out", out, "--format", "html,pdf", "--data-json", *DRAWS], capsys)
    assert code == 0, err
    data = json.loads((out / "report-data.json").read_text(encoding="utf-8"))
    paper = {p["id"]: p for p in data["projects"]}
    assert set(paper) == {r["project"] for r in ranking["projects"]}
    for r in ranking["projects"]:
        p = paper[r["project"]]
        assert p["composite"] == r["composite"]
        assert p["tier"] == r["tier"] and p["route"] == r["route"]
        assert p["readiness_level"] == r["readiness"] and p["readiness_source"] == r["readiness_source"]
        assert p["p_top_k"] == r["p_top_k"]
        assert (p["rank"] if p["rank"] is not None else None) == (r["rank"] if r["composite"] is not None else None)
        if r["rank_interval"] is None:
            assert p["rank_interval"] is None
        else:
            assert [p["rank_interval"]["p5"], p["rank_interval"]["p95"]] == r["rank_interval"]
            assert p["rank_interval"]["p50"] == r["simulated_rank_median"]
        assert p["panel"] == r["experts"]
        assert [f["code"] for f in p["flags"]] == [f["code"] for f in r["flags"]]
        assert bool([k for k in p["knockouts"] if k["effect"] == "knockout"]) == r["knocked_out"]
    # the HTML table, cell by cell
    parser = RankedTable()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    rows = [row for row in parser.rows if row]
    assert len(rows) == len(ranking["projects"])
    n_dims = len(data["dimensions"])
    for row, r in zip(rows, ranking["projects"]):
        assert row[0] == (str(r["rank"]) if r["composite"] is not None else "—")
        assert row[1].startswith(r["name"])
        assert row[4] == ("—" if r["readiness"] is None else f"{r['readiness']}{r['readiness_marker']}")
        composite, tier, _route, interval, ptk = row[5 + n_dims: 10 + n_dims]
        assert composite == ("—" if r["composite"] is None else f"{r['composite']:.1f}")
        assert tier == r["tier"]
        assert interval == ("—" if r["rank_interval"] is None else
                            f"{r['rank_interval'][0]:.0f}–{r['rank_interval'][1]:.0f}")
        assert ptk == _pct(r["p_top_k"])
    # the PDF says the same: every project's name and composite are on the ranked-table pages
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(out / "report.pdf").pages))
    for r in ranking["projects"]:  # names wrap inside table cells: compare without white space
        if r["composite"] is not None:
            name = re.sub(r"\s+", "", r["name"])
            assert re.search(rf"{re.escape(name)}.*?{re.escape(format(r['composite'], '.1f'))}", text), r["project"]
    # and the terminal table
    code, table, _ = run(["rank", campaign, "--all", *DRAWS], capsys)
    assert code == 0
    for r in ranking["projects"][:5]:
        line = next(x for x in table.splitlines() if f"{r['project']} " in x)
        assert f"{r['composite']:.1f}" in line and (("—" if r["p_top_k"] is None else f"{r['p_top_k']:.2f}") in line)
