"""`tlr match` on two plain files, on a library with a campaign, and `tlr push --demands`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tlr.cli import main

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "matching" / "data"


def _run(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _labels():
    with open(BENCH / "labels.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_two_plain_files_give_the_documented_json_and_the_hand_labelled_answers(capsys):
    code, out, err = _run(["match", "--demands", BENCH / "demands.csv", "--achievements", BENCH / "achievements.csv",
                           "--top", 5, "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert {"matches", "by_achievement", "method", "sources"} <= set(doc)
    first = doc["matches"][0]
    assert set(first) == {"demand", "candidates"} and set(first["candidates"][0]) == {"achievement", "score", "why"}
    assert doc["sources"]["demands"]["file"] == "demands.csv" and len(doc["sources"]["demands"]["sha256"]) == 64
    top5 = {m["demand"]: [c["achievement"] for c in m["candidates"]] for m in doc["matches"]}
    labels = _labels()
    answers = {(r["需求编号"], r["成果编号"]) for r in labels if r["相关度"] == "2"}
    # the labels were decided by reading both texts (benchmarks/matching/README.md)
    assert sum(a in top5[d] for d, a in answers) / len(answers) >= 0.85
    with open(BENCH / "demands.csv", encoding="utf-8") as handle:
        all_demands = [r["需求编号"] for r in csv.DictReader(handle)]
    unanswered = set(all_demands) - {r["需求编号"] for r in labels}
    assert unanswered and all(top5[d] == [] for d in unanswered)      # no forced top K


def test_the_text_output_lists_per_demand_and_per_achievement(capsys):
    args = ["match", "--demands", BENCH / "demands.csv", "--achievements", BENCH / "achievements.csv", "--top", 2]
    code, out, _ = _run(args, capsys)
    assert code == 0 and "D001" in out and "得分 / score" in out and "无得分 ≥ 0.15" in out
    code, out, _ = _run([*args, "--by", "achievement"], capsys)
    assert code == 0 and "A001" in out and "需求 / demand" in out


def test_a_bad_demand_file_is_one_located_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "d.csv"
    bad.write_text("需求名称,企业名称,所属行业,需求描述,期望成熟度\n钢渣利用,甲公司,钢铁,消纳钢渣,12\n", encoding="utf-8")
    code, _out, err = _run(["match", "--demands", bad, "--achievements", BENCH / "achievements.csv"], capsys)
    assert code == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) == 1 and str(bad) in lines[0] and "期望成熟度" in lines[0]


def test_nothing_to_match_says_what_to_give(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TLR_LIBRARY", raising=False)
    code, _out, err = _run(["match", "--demands", BENCH / "demands.csv"], capsys)
    assert code == 2 and "Traceback" not in err and "library" in err


@pytest.mark.slow
def test_library_demands_against_an_audited_campaign(demo: Path, capsys):
    code, out, err = _run(["match", "--library", demo / "library.sqlite", "-C", demo / "round-2026", "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["sources"]["achievements"]["kind"] == "campaign" and doc["audit"]["verified"] is True
    with open(ROOT / "examples" / "round-2026" / "projects.csv", encoding="utf-8") as handle:
        projects = {r["项目编号"] for r in csv.DictReader(handle)}
    listed = {c["achievement"] for m in doc["matches"] for c in m["candidates"]}
    assert listed and listed <= projects


@pytest.mark.slow
def test_push_packs_show_the_matched_demands_and_their_source(demo: Path, tmp_path, capsys):
    out_dir = tmp_path / "push"
    code, _out, err = _run(["push", demo / "round-2026", "--funds", ROOT / "examples" / "funds.yaml",
                            "--demands", ROOT / "examples" / "demands.csv", "--out", out_dir, "--format", "html",
                            "--draws", 50], capsys)
    assert code == 0, err
    rows = []
    for path in out_dir.glob("fund-*.csv"):
        with open(path, encoding="utf-8-sig") as handle:
            rows += list(csv.DictReader(handle))
    column = "匹配的企业需求 / matched demands"
    assert rows and column in rows[0] and any(r[column].startswith("XQ") for r in rows)
    html = next(out_dir.glob("fund-*.html")).read_text(encoding="utf-8")
    assert "demands.csv" in html and "对接需求来源" in html
