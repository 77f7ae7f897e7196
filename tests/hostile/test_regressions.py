"""One test per bug the hostile corpus and the CLI sweep found, each checking the fact that was wrong
(exit 70, a hang, a file written in /dev, a misleading message, a raw escape on the terminal), and the
self-tests of the machinery the corpus relies on (the write guard, the campaign dump, the raw-character
check)."""

from __future__ import annotations

import os
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from tests.timing import budget

from .conftest import (
    _RAW,
    Hung,
    assert_no_crash,
    copy_campaign,
    corpus,
    dump,
    error_lines,
    run_tlr,
    time_limit,
)


@pytest.fixture
def root(request) -> Path:
    return corpus(request.config)[1]


@pytest.fixture
def camp(root, tmp_path) -> Path:
    return copy_campaign(root / "campaign", tmp_path / "round")


@pytest.fixture
def tlr(capsys, monkeypatch, user_env, tmp_path):
    """Run tlr as a user would (guard active); assert it never crashed; return (code, out, err)."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)

    def run(*args, stdin=None, limit=60):
        code, out, err = run_tlr([str(a) for a in args], capsys, monkeypatch, stdin=stdin, limit=limit)
        assert_no_crash(code, out, err, user_env, " ".join(map(str, args)))
        return code, out, err
    return run


def _one_error(err: str) -> str:
    lines = error_lines(err)
    assert lines, err
    return lines[-1]


# --------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("option, value", [("--seed", "-5"), ("--draws", str(10**12)), ("--draws", "0"),
                                           ("--top", "0"), ("--bootstrap", "-1"), ("--budget", "nan"),
                                           ("--budget", "1e308"), ("--max-ticket", "nan"), ("--max-ticket", "-5"),
                                           ("--industry-cap", "0"), ("--min-trl", "-1")])
def test_rank_numbers_out_of_range_name_the_option_at_once(tlr, camp, option, value):
    # before: --seed -5 was exit 70 (numpy), --draws 10**12 ran until memory ran out, --top 0 said "top_k",
    # --bootstrap -1 / --max-ticket nan / --industry-cap 0 were silently accepted
    start = time.perf_counter()
    code, _out, err = tlr("rank", camp, option, value, limit=20)
    assert code == 2
    assert f"'{option}'" in _one_error(err) and value in err
    assert time.perf_counter() - start < budget(5)


def test_report_budget_1e308_is_refused_not_an_overflowing_chart(tlr, camp, tmp_path):
    code, _out, err = tlr("report", camp, "--out", tmp_path / "rep", "--format", "html", "--budget", "1e308")
    assert code == 2 and "'--budget'" in err and not (tmp_path / "rep").exists()


def test_audit_log_huge_limit_is_a_usage_error_not_a_damaged_database(tlr, camp):
    code, _out, err = tlr("audit", "log", "-C", camp, "--limit", str(10**21))
    assert code == 2 and "'--limit'" in err and "database" not in err


def test_assign_max_load_above_the_number_of_projects_is_no_cap(tlr, root, tmp_path):
    from tlr.campaign import import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    with init_campaign(tmp_path / "fresh", load_rubric(root / "rubrics/base.yaml")) as led:
        import_projects(led, root / "projects/csv-valid.csv")
        import_experts(led, root / "experts/csv-valid.csv")
    # before: "no assignment with at most 1000000000000 projects per expert (None)"; the cap never ran
    code, huge, err = tlr("assign", "-C", tmp_path / "fresh", "-n", "2", "--max-load", str(10**12), "--dry-run",
                          "--json")
    assert code == 0, err
    code, two, _ = tlr("assign", "-C", tmp_path / "fresh", "-n", "2", "--max-load", "2", "--dry-run", "--json")
    import json

    # 2 projects x 2 experts from a pool of 2: each expert takes both projects whatever the cap above 2
    assert json.loads(huge)["added"] == json.loads(two)["added"] == 4


def test_assign_per_project_beyond_64_bits_is_refused(tlr, camp):
    code, _out, err = tlr("assign", "-C", camp, "-n", "99999999999999999999999", "--dry-run")
    assert code == 2 and "'--per-project'" in err


def test_ahp_judgement_1e308_warns_nothing_on_the_terminal(tlr, root):
    # before: "RuntimeWarning: overflow encountered in multiply" with a source path on stderr
    code, _out, err = tlr("ahp", root / "ahp/huge.csv")   # run_tlr fails on any visible warning
    assert code == 2 and "not reciprocal" in err


# --------------------------------------------------------------------------------------- paths


def test_audit_keygen_empty_out_or_folder(tlr, tmp_path):
    code, _out, err = tlr("audit", "keygen", "--out", "")
    assert code == 2 and "empty" in err                           # before: exit 70 (Path('.').with_name)
    (tmp_path / "keys").mkdir()
    code, _out, err = tlr("audit", "keygen", "--out", tmp_path / "keys")
    assert code == 2 and list((tmp_path / "keys").iterdir()) == []


def test_audit_seal_key_fifo_is_refused_not_waited_for(tlr, camp, tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "key.fifo")
    before = dump(camp)
    code, _out, err = tlr("audit", "seal", "-C", camp, "--key", tmp_path / "key.fifo", limit=10)  # before: hung
    assert code == 2 and "FIFO" in err and dump(camp) == before


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_trl_assess_never_writes_next_to_a_device(tlr, root):
    # before: as root, /dev/null.lock was created (and removed) in /dev; /proc/self/mem was exit 70
    for target in ("/dev/null", "/proc/self/mem"):
        code, _out, err = tlr("trl", "assess", target, "--answers", root / "trl/answers.yaml")
        assert code == 2 and target in _one_error(err)
        assert not os.path.lexists(target + ".lock")


def test_trl_assess_lock_that_is_a_folder(tlr, root, tmp_path):
    (tmp_path / "a.yaml.lock").mkdir()
    code, _out, err = tlr("trl", "assess", tmp_path / "a.yaml", "--answers", root / "trl/answers.yaml")
    assert code == 2 and "cannot lock" in err and (tmp_path / "a.yaml.lock").is_dir()


def test_trl_assess_under_a_file(tlr, root, tmp_path):
    (tmp_path / "plain").write_text("x")
    code, _out, err = tlr("trl", "assess", tmp_path / "plain/a.yaml", "--answers", root / "trl/answers.yaml")
    assert code == 2 and (tmp_path / "plain").read_text() == "x"


@pytest.mark.parametrize("command", [["campaign", "info", "-C"], ["status", "-C"], ["rank"]])
def test_campaign_path_too_long_is_not_a_campaign(tlr, tmp_path, command):
    code, _out, err = tlr(*command, tmp_path / ("a" * 5000))   # before: exit 70 (ENAMETOOLONG from is_dir)
    assert code == 2 and "not a tlr campaign" in err and "too long" in err


@pytest.mark.parametrize("target", ["/dev/null", "/proc/self/x", "LONG", ""])
def test_campaign_init_in_impossible_places(tlr, root, tmp_path, target):
    target = str(tmp_path / ("a" * 5000)) if target == "LONG" else target
    code, _out, err = tlr("campaign", "init", target, "--rubric", root / "rubrics/base.yaml")
    assert code == 2, err                    # before: exit 70 for the first three; "" made a campaign in the cwd
    assert list(Path.cwd().iterdir()) == []


def test_campaign_init_name_must_be_safe_text(tlr, root, tmp_path):
    code, _out, err = tlr("campaign", "init", tmp_path / "r1", "--rubric", root / "rubrics/base.yaml",
                          "--name", "2026\u202e批")
    assert code == 2 and "--name" in err and "U+202E" in err and not (tmp_path / "r1").exists()
    code, _out, err = tlr("campaign", "init", tmp_path / "r\x1b[2J", "--rubric", root / "rubrics/base.yaml")
    assert code == 2 and "DIRECTORY" in err


@pytest.mark.parametrize("args", [["report", "{c}", "--out", "", "--format", "html"],
                                  ["sheets", "export", "-e", "E01", "--out", "", "-C", "{c}"],
                                  ["rubric", "schema", "--out", ""],
                                  ["score", "--expert", "E01", "--from", "", "-C", "{c}"],
                                  ["rubric", "check", ""], ["ahp", ""], ["sheets", "import", "", "-C", "{c}"]])
def test_an_empty_path_is_refused_never_the_current_folder(tlr, camp, args):
    # before: report/sheets export wrote into the current folder, score --from "" started the interactive
    # session (exit 130 at end of input), the readers said "is a directory: ."
    code, _out, err = tlr(*[str(camp) if a == "{c}" else a for a in args])
    assert code == 2 and "empty" in err
    assert list(Path.cwd().iterdir()) == []


def test_demo_out_too_long(tlr, tmp_path):
    code, _out, err = tlr("demo", "--out", tmp_path / ("a" * 5000), "--format", "html")
    assert code == 2 and "too long" in err                     # before: exit 70


def test_trl_ladder_name_too_long(tlr):
    code, _out, err = tlr("trl", "ladders", "x" * 300)
    assert code == 2 and "unknown ladder" in err               # before: exit 70


# --------------------------------------------------------------------------------------- scoresheets


def test_sheets_import_names_what_a_special_file_is(tlr, camp, tmp_path):
    code, _out, err = tlr("sheets", "import", "/dev/null", "-C", camp)
    assert code == 2 and "not a regular file" in err and "not found" not in err   # before: "file not found"
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "s.xlsx")
        code, _out, err = tlr("sheets", "import", tmp_path / "s.xlsx", "-C", camp, limit=10)
        assert code == 2 and "FIFO" in err


def test_sheets_import_checks_the_archive_before_parsing(tlr, camp, root, tmp_path):
    # before: a returned sheet went straight to openpyxl, without the zip-bomb and DOCTYPE checks
    before = dump(camp)
    start = time.perf_counter()
    code, _out, err = tlr("sheets", "import", root / "sheets/zip-bomb.xlsx", "-C", camp)
    assert code == 2 and "zip bomb" in err and time.perf_counter() - start < budget(5)
    code, _out, err = tlr("sheets", "import", root / "sheets/doctype.xlsx", "-C", camp)
    assert code == 2 and "DOCTYPE" in err
    assert dump(camp) == before


@pytest.mark.parametrize("text, code_point", [("批准\u202e准批", "U+202E"), ("x\u009b2Jy", "U+009B")])
def test_returned_comments_follow_the_text_policy(tlr, camp, root, tmp_path, text, code_point):
    from openpyxl import load_workbook

    wb = load_workbook(root / "sheets/filled.xlsx")
    ws = wb["评分表 Scores"]
    ws.cell(2, 7).value = text
    wb.save(tmp_path / "E01.xlsx")
    before = dump(camp)
    code, _out, err = tlr("sheets", "import", tmp_path / "E01.xlsx", "-C", camp)
    assert code == 2
    line = _one_error(err)
    assert "row 2" in line and "G (意见 Comment)" in line and code_point in line   # before: stored as given
    assert dump(camp) == before


def test_sheets_export_all_without_assignments_says_so(tlr, root, tmp_path):
    from tlr.campaign import import_experts, import_projects, init_campaign
    from tlr.rubric import load_rubric

    with init_campaign(tmp_path / "r", load_rubric(root / "rubrics/base.yaml")) as led:
        import_projects(led, root / "projects/csv-valid.csv")
        import_experts(led, root / "experts/csv-valid.csv")
    code, _out, err = tlr("sheets", "export", "--all", "--out", tmp_path / "out", "-C", tmp_path / "r")
    assert code == 2 and "no expert has assigned projects" in err and "--expert E or --all" not in err


def test_sheets_export_an_expert_named_twice_gets_one_sheet(tlr, camp, tmp_path):
    code, out, _err = tlr("sheets", "export", "-e", "E01", "-e", "E01", "--out", tmp_path / "s", "-C", camp)
    assert code == 0 and out.count("E01:") == 1
    conn = sqlite3.connect(camp / "campaign.sqlite")
    try:   # the base campaign issued one sheet to E01; this export one more
        assert conn.execute("SELECT count(*) FROM sheet_exports WHERE expert_id = 'E01'").fetchone()[0] == 2
    finally:
        conn.close()


# --------------------------------------------------------------------------------------- ids and text


@pytest.mark.parametrize("args, said", [(["status", "--expert", "E99"], "no expert with id E99"),
                                        (["status", "--project", "P999"], "no project with id P999"),
                                        (["campaign", "trl-list", "--project", "P999"], "no project with id P999")])
def test_unknown_id_filters_are_errors_not_empty_tables(tlr, camp, args, said):
    code, out, err = tlr(*args, "-C", camp)            # before: exit 0 and an empty table
    assert code == 2 and said in err and out == ""


@pytest.mark.parametrize("args", [["status", "--expert", ""], ["score", "--expert", "\u202eE01"],
                                  ["explain", "{c}", "E01\x1b[31m"], ["campaign", "trl-list", "--project", ""]])
def test_odd_ids_on_the_command_line_name_the_option(tlr, camp, args):
    args = [str(camp) if a == "{c}" else a for a in args]
    code, out, err = tlr(*args, *([] if "explain" in args else ["-C", camp]))
    assert code == 2 and ("--expert" in err or "--project" in err or "PROJECT" in err)
    assert _RAW.search(out + err) is None


def test_assign_pair_without_colon_names_the_option(tlr, camp):
    code, _out, err = tlr("assign", "-C", camp, "--add", "E01", "--reason", "r")
    assert code == 2 and "--add" in _one_error(err)


def test_error_lines_escape_whatever_they_quote():
    # before: a file name with a line break split one problem over two lines; an id with ESC reached the terminal
    from tlr.errors import Diagnostic, Location

    line = Diagnostic("error", "no expert with id E01\x1b[31m", Location(file="a/new\nline.csv", row=2)).format()
    assert "\n" not in line and "\x1b" not in line
    assert line == "a/new\\x0aline.csv: row 2: error: no expert with id E01\\x1b[31m"


# --------------------------------------------------------------------------------------- readers


def test_json_rubric_is_strict_json(tlr, root):
    code, _out, err = tlr("rubric", "check", root / "rubrics/json-trailing-comma.json")
    assert code == 2 and "JSON syntax error" in err          # before: read as YAML, trailing comma accepted
    code, _out, _err = tlr("rubric", "check", root / "rubrics/json-valid.json")
    assert code == 0


def test_csv_column_limit_is_excels(tlr, camp, tmp_path):
    header = "id,name,applicant,industry," + ",".join(f"c{k}" for k in range(16_380))
    ok = header + "\nP201,x,y,steel" + "," * 16_380 + "\n"
    assert len(ok.splitlines()[0].split(",")) == 16_384
    (tmp_path / "ok.csv").write_text(ok, encoding="utf-8")
    (tmp_path / "wide.csv").write_text(header + ",c16380\nP202,x,y,steel\n", encoding="utf-8")
    code, _out, err = tlr("projects", "import", tmp_path / "ok.csv", "-C", camp, "--dry-run")
    assert code == 0, err
    code, _out, err = tlr("projects", "import", tmp_path / "wide.csv", "-C", camp)
    assert code == 2 and "row 1" in err and "16384 columns" in err


def test_required_list_of_separators_only_is_empty(tlr, camp, tmp_path):
    (tmp_path / "e.csv").write_text("id,name,institution,fields\nE201,周敏,复旦大学,;；、\n", encoding="utf-8")
    before = dump(camp)
    code, _out, err = tlr("experts", "import", tmp_path / "e.csv", "-C", camp)
    assert code == 2 and "row 2" in err and "required field 'fields' is empty" in err   # before: imported
    assert dump(camp) == before


@pytest.mark.parametrize("text, words", [(",A,A\nA,1,3\nA,1/3,1\n", "named twice"),
                                         (",A,B\u202e\nA,1,3\nB\u202e,1/3,1\n", "U+202E")])
def test_ahp_csv_labels_are_checked(tlr, tmp_path, text, words):
    (tmp_path / "m.csv").write_text(text, encoding="utf-8")
    code, out, err = tlr("ahp", tmp_path / "m.csv")            # before: weights printed, the RLO raw
    assert code == 2 and words in err and "m.csv:1:" in _one_error(err)
    assert out == ""


# --------------------------------------------------------------------------------------- the machinery


def test_write_guard_sees_writes_outside(write_guard, tmp_path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    inside = tmp_path / "inside"
    write_guard.arm(inside.parent)
    try:
        (inside.parent / "ok.txt").write_text("fine")
        (elsewhere / "bad.txt").write_text("not fine")
        os.mkdir(elsewhere / "bad-dir")
        sqlite3.connect(elsewhere / "x.sqlite").close()
    finally:
        seen = write_guard.disarm()
    assert {e for e, _ in seen} == {"open", "os.mkdir", "sqlite3.connect"}
    assert all(str(elsewhere) in p for _e, p in seen)


def test_dump_sees_any_change(camp):
    before = dump(camp)
    conn = sqlite3.connect(camp / "campaign.sqlite")
    conn.execute("UPDATE experts SET name = name || ' ' WHERE id = 'E01'")
    conn.commit()
    conn.close()
    assert dump(camp) != before


def test_raw_character_check_and_time_limit():
    assert _RAW.search("ok 中文 \t\n") is None
    assert all(_RAW.search(f"x{c}y") for c in ("\x1b", "\x07", "\u202e", "\u2066", "\x9b", "\x00"))
    with pytest.raises(Hung):
        with time_limit(1, "sleep"):
            time.sleep(5)


def test_corpus_is_big_enough_and_every_case_has_a_file(root):
    cases, _ = corpus()
    assert len({f for c in cases for f in c.files}) >= 250
    kinds = {c.kind for c in cases}
    assert kinds == {"rubric", "projects", "experts", "demands", "follow-up", "answers", "sheets", "trl", "ahp",
                     "stats"}
    for c in cases:
        assert c.expect in (0, 1, 2)
        for f in c.files:
            assert os.path.lexists(root / f), f
    with zipfile.ZipFile(root / "sheets/filled.xlsx") as z:
        assert "xl/workbook.xml" in z.namelist()


@pytest.mark.parametrize("data", ["项目编号,项目名称\nP1,甲\n".encode("gbk"), "id,name\nP1,x\n".encode("utf-16-le")])
def test_encoding_utf16_without_a_bom(tlr, camp, tmp_path, data):
    # after the streaming CSV reader: 'utf-16' wants a BOM and raised a plain UnicodeError (exit 70)
    (tmp_path / "p.csv").write_bytes(data)
    before = dump(camp)
    code, _out, err = tlr("projects", "import", tmp_path / "p.csv", "-C", camp, "--encoding", "utf-16")
    assert code == 2 and "not valid UTF-16" in err and "p.csv:1:" in _one_error(err)
    assert dump(camp) == before
