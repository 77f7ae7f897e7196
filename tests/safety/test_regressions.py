"""The reported defects, reproduced exactly, and what --out promises on every command.

1. `tlr demo --out X --force` deleted all of X when it held `reports/` or `round-2026/` (a git clone too).
2. An expert id like `../../../../tmp/ESCAPED` made `tlr sheets export --all` write outside --out.
3. Tracebacks instead of one line + exit 2 for bad --out targets; `report --out /proc/x` failed only
   after the whole ranking.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.timing import budget
from tlr.outputs import MANIFEST, safe_name

from .conftest import FIXTURES, as_nobody, one_line, run_cli, snapshot, tlr_process

RUBRIC = FIXTURES / "mini-rubric.yaml"


# ------------------------------------------------------------------------------ 1. demo --force


@pytest.mark.parametrize("marker", ["reports", "round-2026"])
def test_demo_force_never_deletes_a_file_tlr_did_not_write(marker, tmp_path, monkeypatch, capsys):
    # mkdir -p x/reports && echo keep > x/important.txt && tlr demo --out x --force
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x" / marker).mkdir(parents=True)
    (tmp_path / "x" / "important.txt").write_text("keep\n")
    before = snapshot(tmp_path)
    code, _, err = run_cli(["demo", "--out", "x", "--force"], capsys)
    assert code == 2
    line = one_line(err)
    assert "important.txt" in line and "nothing was deleted" in line and "--out" in line
    assert snapshot(tmp_path) == before
    assert (tmp_path / "x" / "important.txt").read_bytes() == b"keep\n"


def test_demo_force_in_a_git_clone_deletes_nothing(tmp_path, monkeypatch, capsys):
    # in a git clone: tlr demo --out . --force
    repo = tmp_path / "clone"
    (repo / "reports").mkdir(parents=True)
    (repo / "README.md").write_text("# project\n")
    (repo / "reports" / "q1.html").write_text("<p>last quarter</p>")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    before = snapshot(repo)
    code, _, err = run_cli(["demo", "--out", ".", "--force"], capsys)
    assert code == 2
    line = one_line(err)
    assert ".git/" in line and "in all" in line
    assert snapshot(repo) == before                          # every file, .git included, byte for byte
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_demo_without_force_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run_cli(["demo", "--out", tmp_path], capsys)
    assert code == 2 and "not empty" in one_line(err)
    assert snapshot(tmp_path) == {"keep.txt": b"mine"}


@pytest.mark.slow
def test_demo_force_replaces_its_own_output_and_only_that(tmp_path, capsys):
    from tlr.campaign import open_campaign, record_score

    out = tmp_path / "demo"
    args = ["demo", "--out", out, "--format", "html", "--draws", "100"]
    assert run_cli(args, capsys)[0] == 0
    # the ledger changes after the demo (an expert corrects an answer): it is still tlr's own
    with open_campaign(out / "round-2026") as ledger:
        expert, project, indicator = ledger.conn.execute(
            "SELECT expert_id, project_id, indicator_id FROM scores LIMIT 1").fetchone()
        raw = ledger.conn.execute("SELECT raw FROM scores WHERE expert_id=? AND project_id=? AND indicator_id=?",
                                  (expert, project, indicator)).fetchone()[0]
        record_score(ledger, expert, project, indicator, raw, comment="corrected")
    (out / "answers" / "E01-notes.txt").write_text("the secretary's notes")
    before = snapshot(out)
    code, _, err = run_cli([*args, "--force"], capsys)
    assert code == 2 and "answers/E01-notes.txt" in one_line(err)
    assert snapshot(out) == before
    (out / "answers" / "E01-notes.txt").unlink()
    assert run_cli([*args, "--force"], capsys)[0] == 0
    assert (out / "reports" / "report.html").is_file() and (out / "round-2026" / "campaign.sqlite").is_file()
    # a report into the demo's folder replaces tlr's own report.html; someone else's is refused before ranking
    assert run_cli(["report", out / "round-2026", "--out", out / "reports", "--format", "html", "--draws", "50",
                    "--top", "1"], capsys)[0] == 0
    (out / "reports" / "report.html").write_text("edited")
    code, _, err = run_cli(["report", out / "round-2026", "--out", out / "reports", "--format", "html"], capsys)
    assert code == 2 and "was not written by tlr" in one_line(err)
    assert (out / "reports" / "report.html").read_text() == "edited"


# ------------------------------------------------------------------------------ 2. names from data


def _add_expert(campaign: Path, expert_id: str) -> None:
    """Straight into the ledger: the import's id rules are a separate defence, this one must hold alone."""
    from tlr.campaign import open_campaign

    with open_campaign(campaign) as ledger:
        project = ledger.projects()[0]["id"]
        with ledger.write("experts.import", actor="test") as tx:
            tx.put("experts", [{"id": expert_id, "seq": 900 + len(ledger.experts()), "name": "x",
                                "institution": "y"}])
            tx.put("assignments", [{"expert_id": expert_id, "project_id": project, "source": "manual",
                                    "created_at": "2026-01-01T00:00:00Z"}])


def test_a_hostile_expert_id_cannot_write_outside_out(campaign, tmp_path, monkeypatch, capsys):
    # expert id ../../../../tmp/ESCAPED; tlr sheets export --all --out out
    hostile = "../../../../tmp/ESCAPED"
    _add_expert(campaign, hostile)
    work = tmp_path / "a" / "b"      # the old code landed in a/tmp/ESCAPED.xlsx from here: inside tmp_path
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    escaped = Path("/tmp/ESCAPED.xlsx")
    existed = escaped.exists()
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("round")}
    code, _, err = run_cli(["sheets", "export", "--all", "--out", "out", "-C", campaign], capsys)
    assert code == 0, err
    after = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("round")}
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k == "a/b/out" or k.startswith("a/b/out/") for k in changed)
    out = work / "out"
    assert all(p.is_file() and p.parent == out for p in out.iterdir())           # no sub-folder either
    assert (out / f"scoresheet-{safe_name(hostile)}.xlsx").is_file()
    assert escaped.exists() == existed


def test_ids_differing_only_by_case_get_two_sheets(campaign, tmp_path, capsys):
    _add_expert(campaign, "Ex")
    _add_expert(campaign, "eX")
    code, _, err = run_cli(["sheets", "export", "-e", "Ex", "-e", "eX", "--out", tmp_path / "s", "-C", campaign],
                           capsys)
    assert code == 0, err
    sheets = sorted(p.name for p in (tmp_path / "s").iterdir() if p.name != MANIFEST)
    assert len(sheets) == 2 and len({s.casefold() for s in sheets}) == 2


# ------------------------------------------------------------------------------ 3. bad --out targets


def test_export_into_a_missing_folder(campaign, tmp_path, monkeypatch, capsys):
    # tlr export ... --out missing/dir/x.csv
    monkeypatch.chdir(tmp_path)
    for what in ("scores", "assignments"):
        code, _, err = run_cli(["export", what, "-C", campaign, "--out", "missing/dir/x.csv"], capsys)
        assert code == 2
        assert one_line(err).startswith("missing/dir/x.csv: error:") and "does not exist" in err
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("argv", [
    ["export", "scores", "--out", "/dev/full"],
    ["export", "assignments", "--format", "xlsx", "--out", "/dev/full"],
    ["score", "--checklists", "--out", "/dev/full"],
    ["rubric", "schema", "--out", "/dev/full"],
    ["sheets", "export", "--all", "--out", "/dev/full"],
])
def test_dev_full(argv, campaign, capsys):
    code, _, err = run_cli([*argv, *(["-C", campaign] if argv[0] != "rubric" else [])], capsys)
    assert code == 2 and "/dev/full" in one_line(err)
    assert Path("/dev/full").is_char_device()


def test_sheets_export_into_an_existing_file(campaign, tmp_path, capsys):
    # tlr sheets export --out existing-file
    existing = tmp_path / "existing-file"
    existing.write_bytes(b"mine")
    code, _, err = run_cli(["sheets", "export", "--all", "--out", existing, "-C", campaign], capsys)
    assert code == 2 and "a folder is expected" in one_line(err)
    assert existing.read_bytes() == b"mine"


@pytest.mark.parametrize("argv", [
    ["report", "{campaign}", "--out", "/proc/x"],
    ["report", "{campaign}", "--out", "/sys/x", "--format", "html"],
    ["demo", "--out", "/proc/x"],
    ["rubric", "doc", str(RUBRIC), "--out", "/proc/x"],
    ["sheets", "export", "--all", "-C", "{campaign}", "--out", "/proc/x"],
])
def test_system_places_fail_at_once_before_any_work(argv, campaign, monkeypatch, capsys):
    # tlr report --out /proc/x: failed only after the whole ranking ran
    import tlr.app.evaluation as evaluation
    import tlr.report.render as render

    def never(*_a, **_k):
        raise AssertionError("the work started before the output folder was checked")

    monkeypatch.setattr(evaluation, "evaluate_campaign", never)
    monkeypatch.setattr(render, "render_manual", never)
    start = time.perf_counter()
    code, _, err = run_cli([a.format(campaign=campaign) for a in argv], capsys)
    elapsed = time.perf_counter() - start
    assert code == 2 and "system location" in one_line(err)
    assert elapsed < budget(1.0), elapsed


def test_report_into_proc_fails_fast_in_a_fresh_process(campaign, tmp_path):
    start = time.perf_counter()
    result = tlr_process(["report", campaign, "--out", "/proc/x"], [], cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert result.returncode == 2 and "/proc/x" in one_line(result.stderr)
    assert elapsed < budget(3.0), elapsed   # interpreter start-up included; the ranking alone takes longer


def test_report_refuses_someone_elses_report_before_ranking(campaign, tmp_path, monkeypatch, capsys):
    import tlr.app.evaluation as evaluation

    monkeypatch.setattr(evaluation, "evaluate_campaign", lambda *a, **k: pytest.fail("ranking ran"))
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "report.html").write_text("the board's annotated copy")
    code, _, err = run_cli(["report", campaign, "--out", tmp_path / "r", "--format", "html"], capsys)
    assert code == 2 and "report.html" in one_line(err)
    assert (tmp_path / "r" / "report.html").read_text() == "the board's annotated copy"


@pytest.fixture
def read_only_folder():
    """A folder nobody but root may write in, under a folder everyone can enter."""
    base = Path(tempfile.mkdtemp(prefix="tlr-ro-", dir="/tmp"))
    base.chmod(0o755)
    ro = base / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    yield ro
    ro.chmod(0o755)
    shutil.rmtree(base)


@pytest.mark.parametrize("argv", [
    ["rubric", "schema", "--out", "{ro}/schema.json"],
    ["rubric", "doc", str(RUBRIC), "--out", "{ro}/manual", "--format", "html"],
    ["report", "{campaign}", "--out", "{ro}"],
    ["report", "{campaign}", "--out", "{ro}/new/deeper"],
    ["demo", "--out", "{ro}/demo"],
    ["export", "scores", "-C", "{campaign}", "--out", "{ro}/scores.csv"],
    ["sheets", "export", "--all", "-C", "{campaign}", "--out", "{ro}"],
    ["score", "--checklists", "-C", "{campaign}", "--out", "{ro}/answers.csv"],
])
def test_read_only_folders(argv, campaign, read_only_folder):
    prefix = as_nobody()
    if prefix is None:
        pytest.skip("running as root, and no unprivileged user can run tlr here (setpriv missing, or the "
                    "environment is private to root): root ignores write permissions")
    args = [a.format(ro=read_only_folder, campaign=campaign) for a in argv]
    result = tlr_process(args, prefix, cwd=read_only_folder.parent)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in one_line(result.stderr)
    assert list(read_only_folder.iterdir()) == []


@pytest.mark.parametrize("code_", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_a_write_that_fails_after_the_checks_is_one_line(code_, campaign, tmp_path, monkeypatch, capsys):
    import tlr.outputs as outputs

    def fail(path, data):
        raise OSError(code_, os.strerror(code_), str(path))

    monkeypatch.setattr(outputs, "atomic_write_bytes", fail)
    for argv in (["export", "scores", "--out", tmp_path / "x.csv"], ["sheets", "export", "--all", "--out", tmp_path],
                 ["score", "--checklists", "--out", tmp_path / "c.json"]):
        code, _, err = run_cli([*argv, "-C", campaign], capsys)
        assert code == 2, err
        assert str(tmp_path) in one_line(err) and "cannot" in err


# ------------------------------------------------------------------------------ one explicit output file


def test_an_explicit_output_file_is_replaced_only_if_tlr_wrote_it(campaign, tmp_path, capsys):
    target = tmp_path / "scores.csv"
    target.write_bytes(b"my own spreadsheet")
    code, _, err = run_cli(["export", "scores", "-C", campaign, "--out", target], capsys)
    assert code == 2 and "was not written by tlr" in one_line(err)
    assert target.read_bytes() == b"my own spreadsheet"
    target.unlink()
    assert run_cli(["export", "scores", "-C", campaign, "--out", target], capsys)[0] == 0
    first = target.read_bytes()
    assert run_cli(["export", "scores", "-C", campaign, "--out", target], capsys)[0] == 0   # re-export: tlr's own
    assert target.read_bytes() == first
    target.write_bytes(first + b"a note typed into the export\r\n")
    code, _, err = run_cli(["export", "scores", "-C", campaign, "--out", target], capsys)
    assert code == 2 and target.read_bytes().endswith(b"a note typed into the export\r\n")


def test_out_naming_a_folder_where_a_file_is_expected(campaign, tmp_path, capsys):
    # click's own check of `--out FILE` answers first: its usage message, exit 2, no traceback
    for argv in (["export", "scores", "-C", campaign], ["rubric", "schema"], ["score", "--checklists", "-C", campaign]):
        code, _, err = run_cli([*argv, "--out", tmp_path], capsys)
        assert code == 2 and "is a directory" in err and "Traceback" not in err
    from tlr.outputs import OutputError, check_file

    with pytest.raises(OutputError, match="a file name is expected"):   # the library's own check, without click
        check_file(tmp_path)
