"""`tlr stats topsis|entropy|critic|fuzzy-ahp`: numbers against published or hand-computed values, the method,
its source and the input's SHA-256 in every output, one-line located errors with exit code 2."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest

from tlr.cli import main

# Hwang & Yoon (1981), Multiple Attribute Decision Making, Springer, pp. 133-134: the fighter-aircraft
# example; cost is the cost criterion; weights (0.2, 0.1, 0.1, 0.1, 0.2, 0.3); published closeness
# 0.643, 0.268, 0.613, 0.312 (A1 > A3 > A4 > A2).
AIRCRAFT_CSV = ("aircraft,speed,range,payload,cost,reliability,manoeuvrability\n"
                "A1,2.0,1500,20000,5.5,5,9\nA2,2.5,2700,18000,6.5,3,5\n"
                "A3,1.8,2000,21000,4.5,7,7\nA4,2.2,1800,20000,5.0,5,5\n")
WEIGHTS = "0.2,0.1,0.1,0.1,0.2,0.3"


def run(capsys, *args):
    rc = main(["stats", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def aircraft(tmp_path):
    f = tmp_path / "aircraft.csv"
    f.write_text(AIRCRAFT_CSV, encoding="utf-8")
    return f


def test_topsis_reproduces_hwang_yoon(capsys, aircraft):
    rc, out, _ = run(capsys, "topsis", aircraft, "--weights", WEIGHTS, "--cost", "cost", "--json")
    d = json.loads(out)
    assert rc == 0 and d["method"] == "topsis" and "Hwang" in d["source"] and d["normalisation"] == "vector"
    assert d["input"]["sha256"] == sha(aircraft)
    got = {a["id"]: a for a in d["alternatives"]}
    # the book rounds its intermediate tables to 4 dp, so its 3-dp closeness may be 1 off in the last digit
    for aid, c in zip(["A1", "A2", "A3", "A4"], [0.643, 0.268, 0.613, 0.312]):
        assert got[aid]["closeness"] == pytest.approx(c, abs=6e-4)
    assert [a["id"] for a in d["alternatives"]] == ["A1", "A3", "A4", "A2"]
    assert [a["rank"] for a in d["alternatives"]] == [1, 2, 3, 4]
    assert [c["direction"] for c in d["criteria"]] == ["benefit"] * 3 + ["cost"] + ["benefit"] * 2


def test_topsis_terminal_output_names_method_source_and_sha(capsys, aircraft):
    rc, out, _ = run(capsys, "topsis", aircraft, "--weights", "2,1,1,1,2,3", "--cost", "cost")
    assert rc == 0 and "TOPSIS" in out and "Hwang, C.-L. & Yoon, K. (1981)" in out and sha(aircraft) in out
    assert "0.6433" in out.split("A1", 2)[-1]     # normalised weights 2,1,1,1,2,3 = the published ones


def test_topsis_weight_count_must_match(capsys, aircraft):
    rc, _, err = run(capsys, "topsis", aircraft, "--weights", "0.5,0.5")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "2 weights for 6 criteria" in err and "manoeuvrability" in err


def test_unknown_cost_column_names_it_and_the_columns(capsys, aircraft):
    rc, _, err = run(capsys, "topsis", aircraft, "--weights", WEIGHTS, "--cost", "price")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "'price'" in err and "speed, range, payload, cost, reliability, manoeuvrability" in err


def test_missing_cell_is_refused_with_its_row_and_column(capsys, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,x,y\na,1,\nb,2,3\nc,4,\n", encoding="utf-8")
    for cmd in (["topsis", f, "--weights", "1,1"], ["entropy", f], ["critic", f]):
        rc, _, err = run(capsys, *cmd)
        lines = err.strip().splitlines()
        assert rc == 2 and len(lines) == 2
        assert "row 2: y" in lines[0] and "row 4: y" in lines[1]


def test_entropy_by_hand(capsys, tmp_path):
    f = tmp_path / "e.csv"
    f.write_text("id,a,b\np,1,1\nq,1,2\nr,2,3\n", encoding="utf-8")
    rc, out, _ = run(capsys, "entropy", f, "--json")
    d = json.loads(out)
    # p_a = (1/4, 1/4, 1/2), p_b = (1/6, 2/6, 3/6); e = -sum p ln p / ln 3; d = 1 - e; w = d / sum d
    e_a = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    e_b = -(1 / 6 * math.log(1 / 6) + 1 / 3 * math.log(1 / 3) + 0.5 * math.log(0.5)) / math.log(3)
    w_a = (1 - e_a) / ((1 - e_a) + (1 - e_b))
    assert rc == 0 and d["method"] == "entropy" and d["normalisation"] == "sum" and "Shannon" in d["source"]
    assert d["input"]["sha256"] == sha(f)
    assert [c["entropy"] for c in d["criteria"]] == pytest.approx([e_a, e_b], abs=1e-10)
    assert [c["weight"] for c in d["criteria"]] == pytest.approx([w_a, 1 - w_a], abs=1e-10)
    rc, out, _ = run(capsys, "entropy", f)
    assert rc == 0 and "熵权法 / entropy weights" in out and sha(f) in out


def test_entropy_negative_value_is_located_in_the_file(capsys, tmp_path):
    f = tmp_path / "neg.csv"
    f.write_text("id,a,b\np,1,1\nq,-1,2\nr,2,3\n", encoding="utf-8")
    rc, _, err = run(capsys, "entropy", f)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "neg.csv" in err and "row 3" in err and ": a:" in err


def test_critic_by_hand(capsys, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("id,a,b\np,0,0\nq,1,0\nr,2,3\n", encoding="utf-8")
    # min-max: a = (0, 1/2, 1), sd 1/2; b = (0, 0, 1), sd 1/sqrt(3); r_ab = 0.25 / (0.5 / sqrt(3)) = sqrt(3)/2
    # C_a = 1/2 (1 - r), C_b = 1/sqrt(3) (1 - r) -> w_a = sqrt(3) / (sqrt(3) + 2)
    w_a = math.sqrt(3) / (math.sqrt(3) + 2)
    for extra, sign in (([], 1), (["--cost", "b"], -1)):
        rc, out, _ = run(capsys, "critic", f, *extra, "--json")
        d = json.loads(out)
        assert rc == 0 and d["method"] == "critic" and "Diakoulaki" in d["source"]
        assert [c["weight"] for c in d["criteria"]] == pytest.approx([w_a, 1 - w_a], abs=1e-10)
        assert d["correlation"][0][1] == pytest.approx(sign * math.sqrt(3) / 2, abs=1e-10)
        assert [c["std"] for c in d["criteria"]] == pytest.approx([0.5, 1 / math.sqrt(3)], abs=1e-10)
    assert d["criteria"][1]["direction"] == "cost"


def test_fuzzy_ahp_chang_from_a_tfn_file(capsys, tmp_path):
    from tests.weighting.test_fuzzy_chang import W_HAND

    f = tmp_path / "m.yaml"
    f.write_text("labels: [A, B, C]\ntfn:\n  A: {B: [1, 2, 3], C: [2, 3, 4]}\n  B: {C: [1, 2, 3]}\n",
                 encoding="utf-8")
    rc, out, err = run(capsys, "fuzzy-ahp", f, "--method", "chang", "--json")
    d = json.loads(out)
    assert rc == 0 and err == "" and d["method"] == "fuzzy_ahp_chang" and "Chang, D.-Y. (1996)" in d["source"]
    assert d["input"]["sha256"] == sha(f) and d["input"]["judgements"] == "tfn"
    assert [i["weight"] for i in d["items"]] == pytest.approx(W_HAND, abs=1e-10)
    assert d["items"][0]["fuzzy"] == pytest.approx([8 / 31, 9 / 17, 96 / 95], abs=1e-10)


def test_fuzzy_ahp_buckley_from_a_crisp_matrix_by_hand(capsys, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(",X,Y\nX,1,3\nY,1/3,1\n", encoding="utf-8")
    rc, out, _ = run(capsys, "fuzzy-ahp", f, "--json")
    d = json.loads(out)
    # scale: 3 -> (2, 3, 4), 1/3 -> (1/4, 1/3, 1/2); Buckley: r_X = (sqrt 2, sqrt 3, 2), r_Y = (1/2, 1/sqrt 3, 1/sqrt 2)
    rx = np.array([math.sqrt(2), math.sqrt(3), 2])
    ry = np.array([0.5, 1 / math.sqrt(3), 1 / math.sqrt(2)])
    tot = rx + ry
    wx = np.array([rx[0] / tot[2], rx[1] / tot[1], rx[2] / tot[0]])
    wy = np.array([ry[0] / tot[2], ry[1] / tot[1], ry[2] / tot[0]])
    cx, cy = wx.mean(), wy.mean()
    assert rc == 0 and d["method"] == "fuzzy_ahp_buckley" and d["input"]["judgements"] == "crisp"
    assert d["items"][0]["fuzzy"] == pytest.approx(wx, abs=1e-10)
    assert [i["weight"] for i in d["items"]] == pytest.approx([cx / (cx + cy), cy / (cx + cy)], abs=1e-10)
    assert "(x−1, x, x+1)" in d["tfn_scale"]


def test_fuzzy_ahp_chang_zero_weight_warns(capsys, tmp_path):
    f = tmp_path / "z.csv"
    f.write_text(",A,B,C\nA,1,9,9\nB,1/9,1,1\nC,1/9,1,1\n", encoding="utf-8")
    rc, out, err = run(capsys, "fuzzy-ahp", f, "--method", "chang")
    assert rc == 0 and "warning" in err and "Wang, Luo & Hua 2008" in err and "B, C" in err
    assert "范围分析" in out and sha(f) in out and "0.0000" in out
    rc, out, _ = run(capsys, "fuzzy-ahp", f, "--method", "chang", "--json")
    assert json.loads(out)["zero_weights"] == ["B", "C"]


@pytest.mark.parametrize("content,needle", [
    ("labels: [A, B, C]\ntfn:\n  A: {B: [3, 2, 3]}\n", "tfn.A.B"),
    ("labels: [A, B, C]\ntfn:\n  A: {B: [1, 2, 3]}\n", "A : C is missing"),
    ("labels: [A, B]\ntfn:\n  A: {B: [1, 2]}\n", "[l, m, u]"),
])
def test_fuzzy_ahp_bad_tfn_file_one_line(capsys, tmp_path, content, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(content, encoding="utf-8")
    rc, _, err = run(capsys, "fuzzy-ahp", f)
    assert rc == 2 and needle in err and "bad.yaml" in err and len(err.strip().splitlines()) == 1


def test_fuzzy_ahp_value_off_the_scale(capsys, tmp_path):
    f = tmp_path / "off.csv"
    f.write_text(",A,B\nA,1,2.5\nB,1/2.5,1\n", encoding="utf-8")
    rc, _, err = run(capsys, "fuzzy-ahp", f)
    assert rc == 2 and "off.csv" in err and "row 'A', column 'B'" in err and len(err.strip().splitlines()) == 1


def test_tfn_file_is_refused_by_tlr_ahp(capsys, tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("labels: [A, B]\ntfn:\n  A: {B: [1, 2, 3]}\n", encoding="utf-8")
    rc = main(["ahp", str(f)])
    err = capsys.readouterr().err
    assert rc == 2 and "fuzzy-ahp" in err and len(err.strip().splitlines()) == 1


def test_topsis_reads_xlsx(capsys, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    for line in AIRCRAFT_CSV.strip().splitlines():
        cells = line.split(",")
        ws.append([cells[0], *[float(c) for c in cells[1:]]] if cells[0] != "aircraft" else cells)
    f = tmp_path / "aircraft.xlsx"
    wb.save(f)
    rc, out, _ = run(capsys, "topsis", f, "--weights", WEIGHTS, "--cost", "cost", "--sheet", "data", "--json")
    d = json.loads(out)
    assert rc == 0 and d["input"]["sha256"] == sha(f)
    assert [a["id"] for a in d["alternatives"]] == ["A1", "A3", "A4", "A2"]
    assert d["alternatives"][0]["closeness"] == pytest.approx(0.643, abs=6e-4)


def test_topsis_identical_alternatives_have_no_closeness(capsys, tmp_path):
    f = tmp_path / "same.csv"
    f.write_text("id,x,y\na,1,2\nb,1,2\n", encoding="utf-8")
    rc, out, _ = run(capsys, "topsis", f, "--weights", "1,1", "--json")
    d = json.loads(out)
    # S+ = S- = 0 for both: C = 0/0 is undefined, not 0 or 1
    assert rc == 0 and d["degenerate"] is True
    assert [(a["closeness"], a["rank"]) for a in d["alternatives"]] == [(None, None), (None, None)]
