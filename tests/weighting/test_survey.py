"""A weighting round (`tlr weights`) end to end from files: 5 experts, AIJ and AIP checked against hand
computations, the new rubric version, provenance, the audit chain, hostile answers, incomplete answers."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tlr.cli import main

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "fund-screening.yaml"
EXPERTS = ["E01", "E02", "E03", "E04", "E05"]
RI3 = 0.5245   # random index for n = 3, Alonso & Lamata (2006), tlr's default table
SCALE = ["1", "2", "3", "4", "5", "1/2", "1/3", "1/4", "1/5"]

# root (6 dimensions, eigenvector), industrialisation (3, eigenvector), risk (3, geometric mean)
NODES = {
    "root": ["maturity", "advancedness", "feasibility", "market", "industrialisation", "risk"],
    "industrialisation": ["industry_fit", "scale_up", "economic_benefit"],
    "risk": ["tech_risk", "market_risk", "policy_risk"],
}


def perron(a):
    vals, vecs = np.linalg.eig(np.asarray(a, dtype=float))
    j = int(np.argmax(vals.real))
    v = np.abs(vecs[:, j].real)
    return v / v.sum(), float(vals[j].real)


def frac(text: str) -> float:
    num, _, den = text.partition("/")
    return float(num) / float(den or 1)


def judgements(seed: int) -> dict[str, dict[tuple[str, str], str]]:
    """One expert's answers as typed: node -> (a, b) -> text (a over b)."""
    rng = np.random.default_rng(seed)
    return {node: {(kids[i], kids[j]): str(rng.choice(SCALE)) for i in range(len(kids))
                   for j in range(i + 1, len(kids))} for node, kids in NODES.items()}


def write_answers(path: Path, given: dict, *, flip_every: int = 0, drop: int = 0) -> None:
    """As a CSV; every ``flip_every``-th pair written the other way round (b, a, reciprocal) and the last
    ``drop`` pairs left out."""
    rows = []
    for node, pairs in given.items():
        for (a, b), text in pairs.items():
            rows.append([node, a, b, text])
    if flip_every:
        for k in range(0, len(rows), flip_every):
            node, a, b, text = rows[k]
            num, _, den = text.partition("/")
            rows[k] = [node, b, a, f"{den}/{num}" if den else f"1/{num}"]
    rows = rows[:len(rows) - drop] if drop else rows
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["node", "a", "b", "value"])
        w.writerows(rows)


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """A round of 5 experts, all answers recorded from files (expert k answers with seed k)."""
    tmp = tmp_path_factory.mktemp("round")
    experts = tmp / "experts.csv"
    experts.write_text("专家编号,姓名,单位,领域\n" + "".join(f"{e},专家{e},单位{e},新材料\n" for e in EXPERTS),
                       encoding="utf-8")
    rnd = tmp / "round"
    assert main(["weights", "survey", "--rubric", str(RUBRIC), "--experts", str(experts), "--out", str(rnd)]) == 0
    given = {}
    for k, e in enumerate(EXPERTS, start=1):
        given[e] = judgements(k)
        path = tmp / f"{e}.csv"
        write_answers(path, given[e], flip_every=4)
        assert main(["weights", "answer", "-C", str(rnd), "--expert", e, "--from", str(path)]) == 0
    return tmp, rnd, given


def matrix_of(kids, pairs):
    n = len(kids)
    m = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            v = frac(pairs[(kids[i], kids[j])])
            m[i, j], m[j, i] = v, 1 / v
    return m


def local_weights(rubric, node):
    kids = NODES[node]
    return np.array([rubric.node(c).local_weight for c in kids])


def test_answers_are_stored_in_the_childrens_order_whichever_way_given(panel):
    _tmp, rnd, given = panel
    conn = sqlite3.connect(rnd / "campaign.sqlite")
    rows = {(e, n, a, b): v for e, n, a, b, v in
            conn.execute("SELECT expert_id, node_id, item_a, item_b, value FROM pairwise_answers")}
    conn.close()
    assert len(rows) == 5 * (15 + 3 + 3)
    for e in EXPERTS:
        for node, pairs in given[e].items():
            for (a, b), text in pairs.items():
                assert rows[(e, node, a, b)] == pytest.approx(frac(text), rel=1e-12)


def test_aij_matches_the_geometric_mean_of_the_five_judgements(panel, capsys):
    from tlr.rubric import load_rubric

    tmp, rnd, given = panel
    out = tmp / "aij.yaml"
    assert main(["weights", "aggregate", "-C", str(rnd), "--method", "aij", "--out", str(out)]) == 0
    assert main(["rubric", "check", str(out)]) == 0
    new = load_rubric(out)
    for node in ("industrialisation", "root"):
        kids = NODES[node]
        mats = np.array([matrix_of(kids, given[e][node]) for e in EXPERTS])
        group = np.exp(np.log(mats).mean(0))             # geometric mean of the 5 judgements per pair
        w, _ = perron(group)
        assert local_weights(new, node) == pytest.approx(w, abs=2e-6)
    # risk uses the row geometric mean (its rubric's method): priorities of the aggregated matrix
    kids = NODES["risk"]
    group = np.exp(np.log(np.array([matrix_of(kids, given[e]["risk"]) for e in EXPERTS])).mean(0))
    g = np.exp(np.log(group).mean(1))
    assert local_weights(new, "risk") == pytest.approx(g / g.sum(), abs=2e-6)
    assert new.document.ahp.judgements is not None and new.document.ahp.method == "eigenvector"


def test_aip_matches_the_mean_of_the_experts_priorities(panel):
    from tlr.rubric import load_rubric

    tmp, rnd, given = panel
    for mean in ("geometric", "arithmetic"):
        out = tmp / f"aip-{mean}.yaml"
        assert main(["weights", "aggregate", "-C", str(rnd), "--method", "aip", "--aip-mean", mean,
                     "--out", str(out)]) == 0
        assert main(["rubric", "check", str(out)]) == 0
        new = load_rubric(out)
        kids = NODES["industrialisation"]
        ind = np.array([perron(matrix_of(kids, given[e]["industrialisation"]))[0] for e in EXPERTS])
        if mean == "geometric":
            g = np.exp(np.log(ind).mean(0))
            want = g / g.sum()
        else:
            want = ind.mean(0)
        assert local_weights(new, "industrialisation") == pytest.approx(want, abs=1e-9)
        # AIP has no group matrix: the weights are written as direct weights, the ahp: block is gone
        node = next(d for d in new.document.dimensions if d.id == "industrialisation")
        assert node.ahp is None and all(c.weight is not None for c in node.children)


def test_expert_weights_give_the_weighted_geometric_mean(panel):
    from tlr.rubric import load_rubric

    tmp, rnd, given = panel
    lam = {"E01": 4, "E02": 1, "E03": 1, "E04": 1, "E05": 3}
    wfile = tmp / "ew.csv"
    wfile.write_text("expert,weight\n" + "".join(f"{e},{v}\n" for e, v in lam.items()), encoding="utf-8")
    out = tmp / "aij-weighted.yaml"
    assert main(["weights", "aggregate", "-C", str(rnd), "--expert-weights", str(wfile), "--out", str(out)]) == 0
    kids = NODES["industrialisation"]
    mats = np.array([matrix_of(kids, given[e]["industrialisation"]) for e in EXPERTS])
    lw = np.array([lam[e] for e in EXPERTS], dtype=float)
    lw /= lw.sum()
    group = np.exp(np.tensordot(lw, np.log(mats), axes=1))
    assert local_weights(load_rubric(out), "industrialisation") == pytest.approx(perron(group)[0], abs=2e-6)
    text = out.read_text(encoding="utf-8")
    assert "E01=4" in text and "E05=3" in text


def test_new_version_carries_provenance(panel, capsys):
    import json

    import yaml

    tmp, rnd, _given = panel
    out = tmp / "prov.yaml"
    capsys.readouterr()
    assert main(["weights", "aggregate", "-C", str(rnd), "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["version"] == "1.1.0"                      # fund-screening is 1.0.0
    conn = sqlite3.connect(rnd / "campaign.sqlite")
    round_id = dict(conn.execute("SELECT key, value FROM meta"))["campaign_id"]
    head = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    conn.close()
    src = doc["sources"][-1]
    assert round_id in src["ref"] and head[:16] in src["note"]["en"]
    assert all(e in src["note"]["en"] for e in EXPERTS) and "AIJ" in src["note"]["en"]
    from tlr.rubric import load_rubric

    assert [s["id"] for s in doc["sources"][:-1]] == [s.id for s in load_rubric(RUBRIC).document.sources]
    # consensus and the most divergent expert per node, in the JSON report
    for rec in info["nodes"]:
        assert 0 <= rec["consensus"] <= 1 and rec["most_divergent"]["expert"] in EXPERTS
        d = {e: v["distance"] for e, v in rec["individual"].items()}
        assert rec["most_divergent"]["expert"] == max(d, key=d.get)


def test_audit_chain_verifies_and_covers_the_answers(panel, tmp_path):
    import shutil

    _tmp, rnd, _given = panel
    assert main(["audit", "verify", "-C", str(rnd)]) == 0
    copy = tmp_path / "copy"
    shutil.copytree(rnd, copy)
    conn = sqlite3.connect(copy / "campaign.sqlite")
    conn.execute("UPDATE pairwise_answers SET value = 9 WHERE expert_id = 'E03' AND node_id = 'risk'")
    conn.commit()
    conn.close()
    assert main(["audit", "verify", "-C", str(copy)]) != 0


def test_status_reports_each_experts_cr(panel, capsys):
    import json

    _tmp, rnd, given = panel
    capsys.readouterr()
    assert main(["weights", "status", "-C", str(rnd), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    rec = next(r for r in info["experts"] if r["expert"] == "E02")
    ind = next(n for n in rec["nodes"] if n["node"] == "industrialisation")
    _, lam = perron(matrix_of(NODES["industrialisation"], given["E02"]["industrialisation"]))
    assert ind["answered"] == ind["asked"] == 3
    assert ind["cr"] == pytest.approx((lam - 3) / 2 / RI3, abs=1e-6)


# --------------------------------------------------------------------------- refusals


@pytest.fixture()
def fresh(tmp_path):
    experts = tmp_path / "experts.csv"
    experts.write_text("id,name,institution,fields\nE01,甲,单位甲,新材料\nE02,乙,单位乙,新材料\n", encoding="utf-8")
    rnd = tmp_path / "round"
    assert main(["weights", "survey", "-r", str(RUBRIC), "--experts", str(experts), "--out", str(rnd)]) == 0
    return tmp_path, rnd


def count(rnd) -> int:
    conn = sqlite3.connect(rnd / "campaign.sqlite")
    n = conn.execute("SELECT count(*) FROM pairwise_answers").fetchone()[0]
    conn.close()
    return n


@pytest.mark.parametrize("value, words", [("0", "positive"), ("-3", "positive"), ("10", "scale"), ("1/10", "scale"),
                                          ("abc", "not a judgement"), ("1/0", "zero"), ("1e3", "not a judgement")])
def test_hostile_answer_is_one_located_line(fresh, capsys, value, words):
    tmp, rnd = fresh
    f = tmp / "bad.csv"
    f.write_text(f"node,a,b,value\nrisk,tech_risk,market_risk,2\nrisk,tech_risk,policy_risk,{value}\n",
                 encoding="utf-8")
    capsys.readouterr()
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "bad.csv" in err[0] and "row 3" in err[0] and "value" in err[0] and words in err[0]
    assert count(rnd) == 0                               # all or nothing: the good row is not recorded either


def test_unknown_node_and_child_are_named(fresh, capsys):
    tmp, rnd = fresh
    f = tmp / "bad.csv"
    f.write_text("node,a,b,value\nnosuch,x,y,2\nrisk,tech_risk,gate,3\nrisk,tech_risk,tech_risk,3\n",
                 encoding="utf-8")
    capsys.readouterr()
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "nosuch" in err[0] and "'gate'" in err[1] and "itself" in err[2]


def test_incomplete_answers_are_refused_unless_allowed(fresh, capsys):
    from tlr.rubric import load_rubric

    tmp, rnd = fresh
    for e, seed in (("E01", 1), ("E02", 2)):
        f = tmp / f"{e}.csv"
        write_answers(f, judgements(seed), drop=1 if e == "E02" else 0)     # E02 leaves out one risk pair
        assert main(["weights", "answer", "-C", str(rnd), "--expert", e, "--from", str(f)]) == 0
    out = tmp / "new.yaml"
    capsys.readouterr()
    assert main(["weights", "aggregate", "-C", str(rnd), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "E02" in err[0] and "risk" in err[0] and "--allow-incomplete" in err[0]
    assert not out.exists()
    assert main(["weights", "aggregate", "-C", str(rnd), "--out", str(out), "--allow-incomplete"]) == 0
    assert "Harker" in capsys.readouterr().out
    assert main(["rubric", "check", str(out)]) == 0
    assert load_rubric(out).version == "1.1.0"
    # two pairs missing around policy_risk: nothing links it to the others, which cannot be completed
    f = tmp / "E01-less.csv"
    write_answers(f, {"risk": {("tech_risk", "market_risk"): "2"}})
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f)]) == 0
    from tlr.campaign import open_campaign
    from tlr.campaign.weighting_round import forget, round_nodes

    with open_campaign(rnd) as led:
        risk = next(n for n in round_nodes(led)[1] if n.node == "risk")
        forget(led, "E01", risk, "tech_risk", "policy_risk")
        forget(led, "E01", risk, "market_risk", "policy_risk")
    capsys.readouterr()
    assert main(["weights", "aggregate", "-C", str(rnd), "--out", str(tmp / "x.yaml"), "--allow-incomplete"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "E01" in err[0] and "node risk" in err[0] and "policy_risk" in err[0]


def test_a_campaign_that_is_not_a_round_is_refused(tmp_path, capsys):
    assert main(["campaign", "init", str(tmp_path / "c"), "--rubric", str(RUBRIC)]) == 0
    capsys.readouterr()
    assert main(["weights", "status", "-C", str(tmp_path / "c")]) == 2
    assert "not a weighting round" in capsys.readouterr().err


def test_a_bad_experts_file_leaves_nothing(tmp_path, capsys):
    bad = tmp_path / "experts.csv"
    bad.write_text("id,name,institution,fields\nE01,甲,,新材料\n", encoding="utf-8")
    assert main(["weights", "survey", "-r", str(RUBRIC), "--experts", str(bad), "--out", str(tmp_path / "r")]) == 2
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------- the inconsistency hint


def test_inconsistency_hint_names_the_judgement_and_a_value_that_helps(fresh, capsys):
    tmp, rnd = fresh
    f = tmp / "e.yaml"
    # industry_fit > scale_up > economic_benefit, but economic_benefit >> industry_fit: circular
    f.write_text("answers:\n  industrialisation:\n    - [industry_fit, scale_up, 3]\n"
                 "    - [scale_up, economic_benefit, a 明显重要]\n    - [industry_fit, economic_benefit, b5]\n",
                 encoding="utf-8")
    capsys.readouterr()
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f), "--json"]) == 0
    import json

    rec = next(n for n in json.loads(capsys.readouterr().out)["nodes"] if n["node"] == "industrialisation")
    m = np.array([[1, 3, 1 / 5], [1 / 3, 1, 5], [5, 1 / 5, 1]])
    _, lam = perron(m)
    assert rec["cr"] == pytest.approx((lam - 3) / 2 / RI3, rel=1e-6)
    assert not rec["consistent"]
    fix = rec["fix"]
    kids = NODES["industrialisation"]
    i, j = kids.index(fix["a"]), kids.index(fix["b"])
    fixed = m.copy()
    fixed[i, j], fixed[j, i] = fix["suggested"], 1 / fix["suggested"]
    _, lam2 = perron(fixed)
    assert lam2 < lam and fix["cr_after"] == pytest.approx(rec["cr"] * (lam2 - 3) / (lam - 3), rel=1e-6)
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(f)]) == 0
    text = capsys.readouterr().out
    assert f"revisit ({fix['a']}, {fix['b']})" in text


def test_verbal_scale_both_directions():
    from tlr.weighting.survey import AnswerError, parse_answer

    assert parse_answer("a 明显重要", "x", "y") == 5
    assert parse_answer("b 稍微重要", "x", "y") == pytest.approx(1 / 3)
    assert parse_answer("y 极端重要", "x", "y") == pytest.approx(1 / 9)
    assert parse_answer("同等重要", "x", "y") == 1
    assert parse_answer("b very strong", "x", "y") == pytest.approx(1 / 7)
    assert parse_answer("a4", "x", "y") == 4 and parse_answer("1/6", "x", "y") == pytest.approx(1 / 6)
    for bad in ("0", "-1", "10", "0.1", "x 十分重要", "nan", "inf", "1e3"):
        with pytest.raises(AnswerError):
            parse_answer(bad, "x", "y")


# --------------------------------------------------------------------------- XLSX sheets


def test_sheet_filled_in_excel_is_recorded(fresh, capsys):
    from openpyxl import load_workbook

    tmp, rnd = fresh
    assert main(["weights", "sheets", "-C", str(rnd), "--all", "--out", str(tmp / "sheets")]) == 0
    path = tmp / "sheets" / "weights-E01.xlsx"
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["expert", "node", "a", "b"] and header[-1] == "value"
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 21 and all(r[0].value == "E01" and r[6].value is None for r in rows)
    typed = {}
    for k, r in enumerate(rows[:5]):                     # five pairs answered, the rest left blank
        text = ["a 明显重要", "b3", "1/2", "同等重要", "7"][k]
        r[6].value = text
        typed[(r[1].value, r[2].value, r[3].value)] = {"a 明显重要": 5, "b3": 1 / 3, "1/2": 0.5, "同等重要": 1,
                                                        "7": 7}[text]
    wb.save(path)
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E01", "--from", str(path)]) == 0
    conn = sqlite3.connect(rnd / "campaign.sqlite")
    got = {(n, a, b): v for n, a, b, v in conn.execute(
        "SELECT node_id, item_a, item_b, value FROM pairwise_answers WHERE expert_id = 'E01'")}
    conn.close()
    assert got == pytest.approx(typed)
    capsys.readouterr()
    assert main(["weights", "answer", "-C", str(rnd), "--expert", "E02", "--from", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "E01" in err[0] and "row 2" in err[0]
