"""The `tlr ahp` command: JSON keys, human table, one-line errors with exit code 2."""

import json
from pathlib import Path

import numpy as np
import pytest

from tlr.cli import main

DATA = Path(__file__).parent / "data"


def run(capsys, *args):
    rc = main(["ahp", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_has_the_required_keys_in_label_order(capsys):
    rc, out, err = run(capsys, DATA / "leader.csv", "--ri", "saaty1980", "--json")
    assert rc == 0
    d = json.loads(out)
    for key in ("labels", "weights", "lambda_max", "ci", "cr", "ri_table", "method", "consistent", "suggestions"):
        assert key in d
    assert d["labels"] == ["Experience", "Education", "Charisma", "Age"]
    assert d["weights"] == pytest.approx([0.547569, 0.126555, 0.269950, 0.055926], abs=1e-6)
    assert d["ri_table"] == "saaty1980" and d["method"] == "eigenvector" and d["consistent"] is True
    assert round(d["cr"], 3) == 0.044
    assert isinstance(d["suggestions"], list) and d["suggestions"][0]["row"] == "Experience"


def test_yaml_upper_triangle_equals_csv(capsys):
    _, out1, _ = run(capsys, DATA / "leader.csv", "--json")
    _, out2, _ = run(capsys, DATA / "leader.yaml", "--json")
    assert json.loads(out1)["weights"] == pytest.approx(json.loads(out2)["weights"], abs=1e-12)


def test_human_output_is_a_table(capsys):
    rc, out, _ = run(capsys, DATA / "leader.csv", "--method", "geometric_mean")
    assert rc == 0
    assert "权重 / weight" in out and "Experience" in out and "GCI" in out and "alonso_lamata2006" in out


def test_help_has_an_example(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "tlr ahp criteria.csv" in out and "--group" in out


def test_non_reciprocal_one_line_exit_2(capsys):
    rc, out, err = run(capsys, DATA / "nonreciprocal.csv")
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "nonreciprocal.csv" in lines[0] and "row 'B', column 'C'" in lines[0]
    assert "Traceback" not in err


def test_repair_upper(capsys):
    rc, _, err = run(capsys, DATA / "upper.csv")
    assert rc == 2 and "--repair upper" in err
    rc, out, _ = run(capsys, DATA / "upper.csv", "--repair", "upper", "--json")
    assert rc == 0 and json.loads(out)["labels"] == ["A", "B", "C"]


@pytest.mark.parametrize("content,needle", [
    (",A,B\nA,1,2\nB,1/2,1,7\n", "square"),
    (",A,B\nA,1,0\nB,1/2,1\n", "row 'A', column 'B'"),
    (",A,B\nA,1,x\nB,1/2,1\n", "row 'A', column 'B'"),
    (",A,B\nA,1,nan\nB,nan,1\n", "row 'A', column 'B'"),
    (",A,B\nA,1,inf\nB,0,1\n", "row 'A', column 'B'"),
    (",A,B\nB,1,2\nA,1/2,1\n", "row label"),
])
def test_bad_csv_one_line_exit_2(capsys, tmp_path, content, needle):
    f = tmp_path / "m.csv"
    f.write_text(content, encoding="utf-8")
    rc, _, err = run(capsys, f)
    assert rc == 2
    assert needle in err and len(err.strip().splitlines()) == 1


def test_n_beyond_table_exit_2(capsys, tmp_path):
    labels = [f"c{i}" for i in range(16)]
    rows = [",".join([""] + labels)] + [",".join([l] + ["1"] * 16) for l in labels]
    f = tmp_path / "big.csv"
    f.write_text("\n".join(rows), encoding="utf-8")
    rc, _, err = run(capsys, f, "--ri", "saaty1980")
    assert rc == 2 and "n ≤ 15" in err


def test_out_of_scale_warns_but_succeeds(capsys, tmp_path):
    f = tmp_path / "w.csv"
    f.write_text(",A,B\nA,1,12\nB,1/12,1\n", encoding="utf-8")
    rc, _, err = run(capsys, f)
    assert rc == 0 and "1/9..9" in err
    rc, _, _ = run(capsys, f, "--strict")
    assert rc == 1


def test_gbk_csv_is_read(capsys, tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes(",技术,市场\n技术,1,3\n市场,1/3,1\n".encode("gb18030"))
    rc, out, _ = run(capsys, f, "--json")
    assert rc == 0 and json.loads(out)["labels"] == ["技术", "市场"]


def test_group_aij_and_aip(capsys, tmp_path):
    files = []
    for i, m in enumerate([(2, 4, 2), (3, 5, 2), (2, 6, 3)]):
        f = tmp_path / f"e{i}.csv"
        a, b, c = m
        f.write_text(f",X,Y,Z\nX,1,{a},{b}\nY,1/{a},1,{c}\nZ,1/{b},1/{c},1\n", encoding="utf-8")
        files.append(f)
    rc, out, _ = run(capsys, *files, "--group", "aij", "--expert-weights", "2,1,1", "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["labels"] == ["X", "Y", "Z"] and len(d["experts"]) == 3 and d["group"] == "aij"
    assert d["experts"][0]["weight"] == pytest.approx(0.5)
    for key in ("weights", "lambda_max", "ci", "cr", "ri_table", "method", "consistent", "suggestions", "consensus"):
        assert key in d
    rc2, out2, _ = run(capsys, *files, "--group", "aip", "--method", "geometric_mean", "--expert-weights", "2,1,1",
                       "--json")
    rc3, out3, _ = run(capsys, *files, "--group", "aij", "--method", "geometric_mean", "--expert-weights", "2,1,1",
                       "--json")
    assert json.loads(out2)["weights"] == pytest.approx(json.loads(out3)["weights"], abs=1e-12)
    rc, out, _ = run(capsys, *files, "--group", "aip")
    assert rc == 0 and "共识度 / consensus" in out
    rc, _, err = run(capsys, *files, "--group", "aij", "--expert-weights", "1,1")
    assert rc == 2 and len(err.strip().splitlines()) == 1


def test_missing_file_exit_2(capsys, tmp_path):
    rc, _, err = run(capsys, tmp_path / "nope.csv")
    assert rc == 2 and "nope.csv" in err


@pytest.mark.parametrize("content,needle", [
    ("labels: [A, B]\nmatrix:\n  - [1, 2]\n", "square"),
    ("labels: [A, B]\njudgements:\n  A: {C: 2}\n", "'C'"),
    ("labels: [A, B]\njudgements:\n  A: {B: two}\n", "judgements.A.B"),
    ("labels: [A, B\n", "YAML"),
    ("just a string\n", "labels"),
])
def test_bad_yaml_one_line_exit_2(capsys, tmp_path, content, needle):
    f = tmp_path / "m.yaml"
    f.write_text(content, encoding="utf-8")
    rc, _, err = run(capsys, f)
    assert rc == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_missing_harker_from_the_command_line(capsys, tmp_path):
    f = tmp_path / "inc.csv"
    f.write_text(",A,B,C,D\nA,1,1,5,2\nB,1,1,3,4\nC,1/5,1/3,1,\nD,1/2,1/4,,1\n", encoding="utf-8")
    rc, _, err = run(capsys, f)
    assert rc == 2 and "--missing harker" in err
    rc, out, _ = run(capsys, f, "--missing", "optimal", "--json")
    d = json.loads(out)
    assert rc == 0 and d["missing"] == "optimal" and d["completed"][2][3] == pytest.approx(0.730297, rel=1e-5)


def test_several_files_without_group_are_analysed_separately(capsys):
    rc, out, _ = run(capsys, DATA / "leader.csv", DATA / "leader.yaml", "--json")
    d = json.loads(out)
    assert rc == 0 and isinstance(d, list) and len(d) == 2 and d[1]["file"].endswith("leader.yaml")


def test_usage_errors_exit_2(capsys):
    rc, _, err = run(capsys, DATA / "leader.csv", "--ri", "saaty2099")
    assert rc == 2 and "saaty1980" in err           # the hint lists the valid tables
    rc, _, err = run(capsys, DATA / "leader.csv", "--expert-weights", "1,2")
    assert rc == 2 and "--group" in err
    rc, _, _ = run(capsys, DATA / "leader.csv", "--method", "power")
    assert rc == 2


@pytest.mark.parametrize("sep", [";", "\t", "，"])
def test_other_separators(capsys, tmp_path, sep):
    f = tmp_path / "s.csv"
    f.write_text(sep.join(["", "A", "B"]) + "\n" + sep.join(["A", "1", "3"]) + "\n" + sep.join(["B", "1/3", "1"]) + "\n",
                 encoding="utf-8")
    rc, out, _ = run(capsys, f, "--json")
    assert rc == 0 and json.loads(out)["weights"] == pytest.approx([0.75, 0.25])


def _consistent_experts(tmp_path):
    """Three consistent matrices with known priorities: (4,2,1)/7, (1,1,1)/3, (6,3,1)/10."""
    files = []
    for i, (xy, xz, yz) in enumerate([(2, 4, 2), (1, 1, 1), (2, 6, 3)]):
        f = tmp_path / f"c{i}.csv"
        f.write_text(f",X,Y,Z\nX,1,{xy},{xz}\nY,1/{xy},1,{yz}\nZ,1/{xz},1/{yz},1\n", encoding="utf-8")
        files.append(f)
    return files


def test_group_aip_arithmetic_mean_and_the_combined_matrix(capsys, tmp_path):
    files = _consistent_experts(tmp_path)
    rc, out, _ = run(capsys, *files, "--group", "aip", "--aip-mean", "arithmetic", "--expert-weights", "2,1,1",
                     "--json")
    d = json.loads(out)
    assert rc == 0 and d["aip_mean"] == "arithmetic"
    w = 0.5 * np.array([4, 2, 1]) / 7 + 0.25 * np.array([1, 1, 1]) / 3 + 0.25 * np.array([6, 3, 1]) / 10
    assert d["weights"] == pytest.approx(w, abs=1e-9)
    # geometric (default): normalised weighted geometric mean of the same vectors
    rc, out, _ = run(capsys, *files, "--group", "aip", "--expert-weights", "2,1,1", "--json")
    g = np.exp(0.5 * np.log(np.array([4, 2, 1]) / 7) + 0.25 * np.log(np.ones(3) / 3)
               + 0.25 * np.log(np.array([6, 3, 1]) / 10))
    assert json.loads(out)["aip_mean"] == "geometric"
    assert json.loads(out)["weights"] == pytest.approx(g / g.sum(), abs=1e-9)
    # combined judgements: element-wise weighted geometric mean, e.g. X:Z = 4^0.5 * 1^0.25 * 6^0.25
    C = np.array(d["combined_matrix"])
    assert C[0, 1] == pytest.approx(2 ** 0.75) and C[0, 2] == pytest.approx(2 * 6 ** 0.25)
    assert C[1, 2] == pytest.approx(2 ** 0.5 * 3 ** 0.25) and C[2, 0] == pytest.approx(1 / (2 * 6 ** 0.25))
    assert d["combined_matrix_used"] is False
    rc, out, _ = run(capsys, *files, "--group", "aij", "--expert-weights", "2,1,1", "--json")
    d = json.loads(out)
    assert d["combined_matrix_used"] is True and d["combined_matrix"][0][2] == pytest.approx(2 * 6 ** 0.25)


def test_group_terminal_output_shows_the_combined_matrix(capsys, tmp_path):
    files = _consistent_experts(tmp_path)
    rc, out, _ = run(capsys, *files, "--group", "aij")
    assert rc == 0 and "combined judgement matrix" in out and "集结判断矩阵" in out
    rc, out, _ = run(capsys, *files, "--group", "aip", "--aip-mean", "arithmetic")
    assert rc == 0 and "AIP, arithmetic mean" in out and "for reference" in out


def test_aip_mean_needs_group_aip(capsys, tmp_path):
    files = _consistent_experts(tmp_path)
    rc, _, err = run(capsys, *files, "--group", "aij", "--aip-mean", "arithmetic")
    assert rc == 2 and "--aip-mean" in err and len(err.strip().splitlines()) == 1


def test_missing_judgement_hint_names_every_completion_method(capsys, tmp_path):
    f = tmp_path / "inc.csv"
    f.write_text(",A,B,C,D\nA,1,1,5,2\nB,1,1,3,4\nC,1/5,1/3,1,\nD,1/2,1/4,,1\n", encoding="utf-8")
    rc, _, err = run(capsys, f)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    for name in ("--missing harker", "Harker 1987", "LLSM", "--missing optimal", "Bozóki"):
        assert name in err
