"""``tlr stats icc|kendall|alpha``: exit codes, --json numbers equal to the library's (and to the published
values), located one-line errors."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from tlr.cli import main

# Shrout & Fleiss (1979) Table 2: 6 targets (rows) x 4 judges (columns); a 7th, incomplete row is added
SF_CSV = ("target,J1,J2,J3,J4\nS1,9,2,5,8\nS2,6,1,3,2\nS3,8,4,6,8\nS4,7,1,2,6\nS5,10,5,6,9\nS6,6,2,4,7\n"
          "S7,5,,3,\n")
SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
nan = np.nan


@pytest.fixture
def sf_csv(tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(SF_CSV, encoding="utf-8")
    return path


def run_json(capsys, *argv):
    code = main(["stats", *map(str, argv), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_icc_json_matches_psych_and_the_library(sf_csv, capsys):
    from tlr.panel.agreement import icc

    data = run_json(capsys, "icc", sf_csv)
    assert data["method"] == "icc" and "Shrout" in data["source"] and "McGraw" in data["source"]
    assert data["input"]["sha256"] == hashlib.sha256(sf_csv.read_bytes()).hexdigest()
    assert data["used"] == {"subjects": 6, "raters": 4, "dropped_rows": 1}
    forms = {f["name"]: f for f in data["forms"]}
    assert list(forms) == ["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"]
    # psych::ICC as printed (see tests/panel/test_icc_inference.py): ICC(2,1) .29, F 11.0 on 5 and 15, p .00013,
    # bounds .019 .76
    a1 = forms["ICC(2,1)"]
    assert a1["mcgraw_wong"] == "ICC(A,1)"
    assert round(a1["icc"], 2) == .29 and round(a1["F"], 1) == 11.0 and (a1["df1"], a1["df2"]) == (5, 15)
    assert round(a1["p"], 5) == .00013 and round(a1["ci_low"], 3) == .019 and round(a1["ci_high"], 2) == .76
    lib = icc(SF.T)
    for f in data["forms"]:
        form = lib.forms[f["form"]]
        assert f["icc"] == pytest.approx(float(form.value), rel=1e-10)
        assert f["ci_low"] == pytest.approx(float(form.ci_low), rel=1e-10)
        assert f["df2_ci"] == pytest.approx(float(form.df2_ci), rel=1e-10)


def test_icc_form_and_confidence_options(sf_csv, capsys):
    data = run_json(capsys, "icc", sf_csv, "--form", "A,1;C,k", "--confidence", "0.9")
    assert [f["name"] for f in data["forms"]] == ["ICC(2,1)", "ICC(3,k)"]
    assert data["confidence"] == 0.9
    data = run_json(capsys, "icc", sf_csv, "--form", "3,1")
    assert [f["mcgraw_wong"] for f in data["forms"]] == ["ICC(C,1)"]


def test_icc_table_output_names_method_source_and_hash(sf_csv, capsys):
    assert main(["stats", "icc", str(sf_csv)]) == 0
    out = capsys.readouterr().out
    assert "intraclass correlation" in out and "Shrout" in out
    assert hashlib.sha256(sf_csv.read_bytes()).hexdigest() in out
    assert "ICC(A,1)" in out and "incomplete rows dropped: 1" in out


def test_kendall_json_matches_published_example(tmp_path, capsys):
    """irr::kendall example (6 subjects x 3 raters): W = 0.568, Chisq(5) = 8.52, p = 0.13 (exactly 1074/1890)."""
    path = tmp_path / "k.csv"
    path.write_text("s,r1,r2,r3\na,1,1,2\nb,6,5,3\nc,3,6,6\nd,2,2,5\ne,5,4,4\nf,4,3,1\ng,,2,\n", encoding="utf-8")
    data = run_json(capsys, "kendall", path)
    assert data["W"] == pytest.approx(1074 / 1890)
    assert round(data["chi2"], 2) == 8.52 and data["df"] == 5 and round(data["p"], 2) == 0.13
    assert data["used"] == {"subjects": 6, "raters": 3, "dropped_rows": 1}
    assert "Kendall" in data["source"] and data["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    reverse = run_json(capsys, "kendall", path, "--lower-is-better")
    assert reverse["W"] == pytest.approx(1074 / 1890) and reverse["higher_is_better"] is False
    assert main(["stats", "kendall", str(path)]) == 0
    assert "incomplete rows dropped: 1" in capsys.readouterr().out


def test_alpha_json_matches_krippendorff_2011(tmp_path, capsys):
    """Krippendorff (2011) reliability data, units as rows: ordinal .815, interval .849, nominal .743."""
    rows = [[1, 1, nan, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4],
            [1, 1, 2, 1], [2, 2, 2, 2], [nan, 5, 5, 5], [nan, nan, 1, 1], [nan, 3, nan, nan]]
    text = "unit,A,B,C,D\n" + "".join(
        f"u{i + 1}," + ",".join("" if np.isnan(v) else str(int(v)) for v in row) + "\n" for i, row in enumerate(rows))
    path = tmp_path / "k2011.csv"
    path.write_text(text, encoding="utf-8")
    for level, value in (("ordinal", .815), ("interval", .849), ("nominal", .743)):
        data = run_json(capsys, "alpha", path, "--level", level, "--bootstrap", "200", "--seed", "5")
        assert round(data["alpha"], 3) == value and data["level"] == level
        assert data["used"] == {"subjects": 11, "raters": 4, "values": 40, "dropped_rows": 1}
        assert data["bootstrap"]["seed"] == 5 and data["bootstrap"]["draws"] == 200
        assert data["ci_low"] < data["alpha"] <= data["ci_high"]
        assert "Krippendorff" in data["source"] and "Hayes" in data["source"]
    from tlr.panel.krippendorff import krippendorff_alpha

    lib = krippendorff_alpha(np.array(rows).T, level="interval", bootstrap=200, seed=5)
    data = run_json(capsys, "alpha", path, "--bootstrap", "200", "--seed", "5")
    assert (data["ci_low"], data["ci_high"]) == pytest.approx((float(lib.ci_low), float(lib.ci_high)), rel=1e-10)
    none = run_json(capsys, "alpha", path, "--bootstrap", "0")
    assert none["ci_low"] is None and none["bootstrap"]["seed"] is None


def _one_error_line(capsys, argv, *needles):
    code = main(["stats", *map(str, argv)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    for needle in needles:
        assert needle in err[0], err[0]
    return err[0]


def test_malformed_table_is_one_located_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("id,r1,r2\nS1,9,x\nS2,1,2\n", encoding="utf-8")
    for sub in ("icc", "kendall", "alpha"):
        _one_error_line(capsys, [sub, path], str(path), "row 2", "r2", "'x'")


def test_undefined_statistics_exit_2(tmp_path, capsys):
    sparse = tmp_path / "sparse.csv"
    sparse.write_text("id,a,b,c\nS1,1,,\nS2,,3,\nS3,,,4\n", encoding="utf-8")
    _one_error_line(capsys, ["alpha", sparse], "no pairable values")
    _one_error_line(capsys, ["kendall", sparse], "0 complete row", "2 rows")
    _one_error_line(capsys, ["icc", sparse], "ICC is not defined")
    flat = tmp_path / "flat.csv"
    flat.write_text("id,a,b\nS1,3,3\nS2,3,3\n", encoding="utf-8")
    _one_error_line(capsys, ["alpha", flat], "not defined")
    _one_error_line(capsys, ["kendall", flat], "not defined")
    _one_error_line(capsys, ["icc", flat], "ICC is not defined")
    one = tmp_path / "one.csv"
    one.write_text("id,a,b\nS1,1,2\nS2,3,\n", encoding="utf-8")
    _one_error_line(capsys, ["kendall", one], "only 1 complete row")
    _one_error_line(capsys, ["alpha", tmp_path / "missing.csv"], "missing.csv")


@pytest.mark.parametrize("argv", [["icc", "--form", "4,1"], ["icc", "--confidence", "1.5"],
                                  ["alpha", "--level", "ratio"], ["alpha", "--bootstrap", "-1"],
                                  ["alpha", "--seed", "-3"]])
def test_bad_options_are_usage_errors(sf_csv, capsys, argv):
    code = main(["stats", argv[0], str(sf_csv), *argv[1:]])
    assert code == 2
    assert "Error" in capsys.readouterr().err


def test_xlsx_input(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "评分"
    ws.append(["target", "J1", "J2", "J3", "J4"])
    for i, row in enumerate(SF):
        ws.append([f"S{i + 1}", *map(int, row)])
    wb.save(tmp_path / "sf.xlsx")
    data = run_json(capsys, "icc", tmp_path / "sf.xlsx", "--sheet", "评分", "--form", "3,1")
    assert round(data["forms"][0]["icc"], 2) == .71


def test_group_lists_only_modules_that_exist():
    import click

    from tlr.cli.stats_cmd import stats

    names = stats.list_commands(click.Context(stats))
    assert {"icc", "kendall", "alpha"} <= set(names)
    import importlib.util

    for name in ("topsis", "entropy", "critic", "fuzzy-ahp"):
        assert (name in names) == (importlib.util.find_spec("tlr.cli.stats_mcda") is not None)
