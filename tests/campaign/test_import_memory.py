"""Large imports: streamed in two passes, written as an audit entry split into parts, memory bounded.

The parts tests shrink ``PART_ROWS`` so that a 40-row file is written as several audit entries.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlr.campaign import import_answers, import_experts, import_projects, open_campaign, verify_audit
from tlr.campaign import store as ledger_module   # the store writes every ledger (and the library)
from tlr.campaign import schema, tables
from tlr.errors import CampaignError, InputFileError, ValidationError

from .conftest import RUBRIC

HEADER = ["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "项目简介"]
INDUSTRIES = ["钢铁", "新能源", "新材料", "高端装备"]


def project_rows(n: int, start: int = 0) -> list[list[str]]:
    return [[f"P{k:04d}", f"项目{k}：高强钢连铸新工艺", f"申报单位{k % 13}", INDUSTRIES[k % 4], "技术开发和产业化",
             f"合作单位{k % 7}；燕山大学" if k % 3 else "", f"第 {k} 个项目的简介，\n第二行：降低能耗 {k % 50}%。"]
            for k in range(start, start + n)]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def snapshot(path: Path) -> dict[str, list]:
    """Every row of every table, read with plain sqlite3 (not through tlr)."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() for name in names}
    finally:
        conn.close()


def logged(entry: dict, table: str) -> list[dict]:
    """The rows an audit entry wrote into ``table``, as objects: listed one by one (``put``) or as a table
    of values (``rows``, what a streamed write logs: the columns once, the values every row shares once)."""
    payload = entry["payload"]
    rows = list((payload.get("put") or {}).get(table, []))
    streamed = (payload.get("rows") or {}).get(table)
    if streamed:
        rows += [{**streamed["same"], **dict(zip(streamed["columns"], values))} for values in streamed["values"]]
    return rows


def entries(led, action: str) -> list[dict]:
    return [{"seq": seq, "ts": ts, "actor": actor, "action": act, "payload": json.loads(payload),
             "prev_hash": prev, "hash": digest}
            for seq, ts, actor, act, payload, prev, digest in led.conn.execute(
                "SELECT seq, ts, actor, action, payload, prev_hash, hash FROM audit WHERE action = ? ORDER BY seq",
                (action,))]


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(ledger_module, "PART_ROWS", 7)


# --------------------------------------------------------------------------- parts


def test_large_import_is_written_in_parts_that_replay(empty_ledger, tmp_path, small_parts):
    path = write_csv(tmp_path / "p.csv", project_rows(40))
    result = import_projects(empty_ledger, path)
    assert result.count == 40 and result.ids == [f"P{k:04d}" for k in range(40)]
    parts = entries(empty_ledger, "projects.import")
    # 40 rows, at most 7 per entry: 6 consecutive entries, numbered 1..6, the last one saying so
    assert [e["payload"]["part"] for e in parts] == [1, 2, 3, 4, 5, 6]
    assert [e["seq"] for e in parts] == list(range(parts[0]["seq"], parts[0]["seq"] + 6))
    assert [("parts" in e["payload"]) for e in parts] == [False] * 5 + [True] and parts[-1]["payload"]["parts"] == 6
    assert [len(logged(e, "projects")) for e in parts] == [7, 7, 7, 7, 7, 5]
    # a table of values: the columns once, then the values of each row in that order, rows in file order
    first = parts[0]["payload"]["rows"]["projects"]
    assert "put" not in parts[0]["payload"] and first["same"] == {}
    assert first["columns"] == ["id", "seq", "name", "applicant", "industry", "achievement_type", "co_applicants",
                                "excluded_experts", "keywords", "summary", "extra", "region"]
    assert first["values"][1][:3] == ["P0001", 2, "项目1：高强钢连铸新工艺"] and first["values"][1][6] == ["合作单位1", "燕山大学"]
    assert len({e["ts"] for e in parts}) == 1  # one transaction
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    for e in parts:
        assert {k: e["payload"][k] for k in ("file", "sha256", "count", "encoding")} == {
            "file": "p.csv", "sha256": sha, "count": 40, "encoding": "UTF-8"}
    # the rows listed, in order, are exactly the table's
    listed = [r for e in parts for r in logged(e, "projects")]
    assert [r["id"] for r in listed] == [f"P{k:04d}" for k in range(40)]
    table = {p["id"]: p for p in empty_ledger.projects()}
    assert all(table[r["id"]] == r for r in listed)
    assert table["P0005"]["summary"] == "第 5 个项目的简介，\n第二行：降低能耗 5%。"
    assert table["P0004"]["co_applicants"] == ["合作单位4", "燕山大学"]
    # the chain, recomputed here from its definition: sha256(prev + canonical JSON of the entry)
    for e in parts:
        entry = {k: e[k] for k in ("seq", "ts", "actor", "action", "payload")}
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256((e["prev_hash"] + text).encode()).hexdigest() == e["hash"]
    assert [e["prev_hash"] for e in parts[1:]] == [e["hash"] for e in parts[:-1]]
    report = verify_audit(empty_ledger)
    assert report.ok, report.problems


def test_small_import_stays_one_entry(empty_ledger, tmp_path):
    import_projects(empty_ledger, write_csv(tmp_path / "p.csv", project_rows(40)))
    (entry,) = entries(empty_ledger, "projects.import")
    assert "part" not in entry["payload"] and "parts" not in entry["payload"]
    assert len(logged(entry, "projects")) == 40
    assert verify_audit(empty_ledger).ok


def test_parts_are_also_cut_by_size(empty_ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_module, "PART_CHARS", 2_000)
    rows = project_rows(30)
    for r in rows:
        r[6] = "长" * 400
    import_projects(empty_ledger, write_csv(tmp_path / "p.csv", rows))
    parts = entries(empty_ledger, "projects.import")
    assert len(parts) >= 5
    assert all(len(logged(e, "projects")) <= 6 for e in parts)
    assert sum(len(logged(e, "projects")) for e in parts) == 30
    assert verify_audit(empty_ledger).ok


def _tamper(path: Path, *statements: str) -> None:
    """Edit behind the tool's back, then re-create the append-only triggers exactly as the schema does."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for s in statements:
        conn.execute(s)
    for s in schema.MIGRATIONS[0]:
        if s.startswith("CREATE TRIGGER"):
            conn.execute(s)
    conn.commit()
    conn.close()


def _imported_in_parts(tmp_path, rubric) -> tuple[Path, list[dict]]:
    from tlr.campaign import init_campaign

    led = init_campaign(tmp_path / "c", rubric)
    import_projects(led, write_csv(tmp_path / "p.csv", project_rows(40)))
    parts = entries(led, "projects.import")
    assert len(parts) == 6 and verify_audit(led).ok
    led.close()
    return led.path, parts


def _verify(path: Path):
    led = open_campaign(path)
    try:
        return verify_audit(led)
    finally:
        led.close()


def test_tampered_row_of_a_later_part_is_detected(tmp_path, rubric, small_parts):
    path, parts = _imported_in_parts(tmp_path, rubric)
    victim = logged(parts[4], "projects")[3]["id"]  # in the 5th entry
    assert victim == "P0031"
    _tamper(path, f"UPDATE projects SET summary = '改过的简介' WHERE id = '{victim}'")
    report = _verify(path)
    assert report.chain_ok and not report.state_ok
    assert any(p.startswith(f"projects {victim}: summary") and "summary is '改过的简介' in the table" in p
               for p in report.problems), report.problems


def test_tampered_payload_of_a_later_part_breaks_the_chain(tmp_path, rubric, small_parts):
    path, parts = _imported_in_parts(tmp_path, rubric)
    seq = parts[4]["seq"]
    _tamper(path, f"UPDATE audit SET payload = replace(payload, '项目31：', '项目99：') WHERE seq = {seq}")
    report = _verify(path)
    assert not report.chain_ok and report.first_bad_seq == seq


def test_cut_off_last_parts_are_detected(tmp_path, rubric, small_parts):
    """The last two parts and their rows removed: the chain is intact (it is the tail), the tables match
    the shortened log, but the write is visibly incomplete."""
    path, parts = _imported_in_parts(tmp_path, rubric)
    gone = [r["id"] for e in parts[4:] for r in logged(e, "projects")]
    _tamper(path, f"DELETE FROM audit WHERE seq >= {parts[4]['seq']}",
            f"DELETE FROM projects WHERE id IN ({', '.join(repr(g) for g in gone)})")
    report = _verify(path)
    assert report.state_ok and report.schema_ok and not report.ok
    assert any("later parts were cut off" in p for p in report.problems), report.problems


def test_removed_middle_part_is_detected(tmp_path, rubric, small_parts):
    path, parts = _imported_in_parts(tmp_path, rubric)
    _tamper(path, f"DELETE FROM audit WHERE seq = {parts[2]['seq']}")
    report = _verify(path)
    assert not report.chain_ok and report.first_bad_seq == parts[3]["seq"]


def test_refused_late_row_changes_nothing(empty_ledger, tmp_path, small_parts):
    import_experts(empty_ledger, write_csv(tmp_path / "e.csv", [["E01", "专家", "单位", "钢铁"]],
                                           ["专家编号", "姓名", "单位", "领域"]))
    before = snapshot(empty_ledger.path)
    rows = project_rows(40)
    rows[35][3] = "区块链"        # row 37 in Excel (header = row 1), in what would be the 6th part
    rows[38][0] = rows[2][0]      # a duplicate id on row 40
    with pytest.raises(ValidationError) as info:
        import_projects(empty_ledger, write_csv(tmp_path / "p.csv", rows))
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert [(d.location.row, d.location.field, d.code) for d in errors] == [
        (37, "D (行业)", "unknown_industry"), (40, "A (项目编号)", "duplicate")]
    assert "first on row 4" in errors[1].message
    assert snapshot(empty_ledger.path) == before


def test_failure_while_writing_parts_rolls_back_everything(empty_ledger, tmp_path, small_parts, monkeypatch):
    before = snapshot(empty_ledger.path)
    calls = []
    split = ledger_module.Transaction.split

    def failing_split(self):
        calls.append(self.seq)
        if len(calls) == 3:
            raise OSError("disk full")
        split(self)

    monkeypatch.setattr(ledger_module.Transaction, "split", failing_split)
    with pytest.raises(OSError):
        import_projects(empty_ledger, write_csv(tmp_path / "p.csv", project_rows(40)))
    assert len(calls) == 3                      # two parts had been written inside the transaction
    assert snapshot(empty_ledger.path) == before
    monkeypatch.setattr(ledger_module.Transaction, "split", split)
    assert verify_audit(empty_ledger).ok


def test_file_changed_between_the_passes_imports_nothing(empty_ledger, tmp_path, monkeypatch):
    from tlr.campaign import imports

    path = write_csv(tmp_path / "p.csv", project_rows(40))
    before = snapshot(empty_ledger.path)
    validate = imports.validate_rows

    def validate_then_edit(*args, **kwargs):
        plan = validate(*args, **kwargs)
        path.write_bytes(path.read_bytes().replace("项目7：".encode(), "项目X：".encode()))
        return plan

    monkeypatch.setattr(imports, "validate_rows", validate_then_edit)
    with pytest.raises(CampaignError) as info:
        import_projects(empty_ledger, path)
    assert info.value.code == "file_changed"
    assert snapshot(empty_ledger.path) == before


def test_answers_import_in_parts(ledger, tmp_path, monkeypatch):
    """Scores carry the seq of the part that wrote them; a score of a later part edited is detected."""
    from tlr.campaign.scoring import expert_items

    from .conftest import ANSWER

    monkeypatch.setattr(ledger_module, "PART_ROWS", 3)
    items = expert_items(ledger, "E04")
    assert len(items) >= 7
    rows = [[i.project["id"], i.indicator.id, ANSWER[i.indicator.id], f"意见{k}"] for k, i in enumerate(items)]
    path = write_csv(tmp_path / "a.csv", rows, ["project", "indicator", "value", "comment"])
    counts = import_answers(ledger, "E04", path)
    assert counts == {"set": len(rows), "removed": 0, "unchanged": 0}
    parts = entries(ledger, "scores.import")
    assert len(parts) == -(-len(rows) // 3) and parts[-1]["payload"]["set"] == len(rows)
    assert "set" not in parts[0]["payload"]  # known at the end of the write
    for e in parts:
        for r in logged(e, "scores"):
            stored = ledger.conn.execute("SELECT audit_seq, comment FROM scores WHERE expert_id = 'E04' AND "
                                         "project_id = ? AND indicator_id = ?",
                                         (r["project_id"], r["indicator_id"])).fetchone()
            assert stored == (e["seq"], r["comment"])
    assert verify_audit(ledger).ok
    # the same file again: nothing changes, nothing is written but the (empty) entry
    assert import_answers(ledger, "E04", path) == {"set": 0, "removed": 0, "unchanged": len(rows)}
    last = logged(parts[-1], "scores")[-1]
    path_db = ledger.path
    ledger.close()
    _tamper(path_db, f"UPDATE scores SET raw = '1', value = 1 WHERE expert_id = 'E04' AND project_id = "
                     f"'{last['project_id']}' AND indicator_id = '{last['indicator_id']}'")
    report = _verify(path_db)
    assert not report.state_ok and any(last["project_id"] in p and "raw is '1'" in p for p in report.problems)


def test_old_single_entry_import_still_verifies(tmp_path, rubric):
    """A ledger written before parts existed: one entry for a whole import, built here by hand."""
    from tlr.campaign import init_campaign
    from tlr.campaign.chain import canonical, entry_hash

    led = init_campaign(tmp_path / "c", rubric)
    rows = [{"id": f"P{k}", "seq": k, "name": f"项目{k}", "applicant": "单位", "industry": "steel",
             "achievement_type": None, "co_applicants": [], "excluded_experts": [], "keywords": [],
             "summary": "简介", "extra": {}} for k in range(1, 21)]
    seq, prev = led.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    payload = {"file": "p.csv", "sha256": "0" * 64, "encoding": "UTF-8", "count": 20, "put": {"projects": rows}}
    entry = {"seq": seq + 1, "ts": "2025-01-01T00:00:00+00:00", "actor": "user:old", "action": "projects.import",
             "payload": payload}
    led.conn.execute("BEGIN")
    led.conn.executemany("INSERT INTO projects (id, seq, name, applicant, industry, achievement_type, "
                             "co_applicants, excluded_experts, keywords, summary, extra) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(r["id"], r["seq"], r["name"], r["applicant"], r["industry"], None, "[]", "[]", "[]",
                           r["summary"], "{}") for r in rows])
    led.conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)", (seq + 1, entry["ts"], entry["actor"],
                     entry["action"], canonical(payload), prev, entry_hash(prev, entry)))
    led.conn.execute("COMMIT")
    assert verify_audit(led).ok
    led.conn.execute("UPDATE projects SET name = 'x' WHERE id = 'P17'")
    report = verify_audit(led)
    assert not report.ok and any(p.startswith("projects P17: name") and "name is 'x' in the table" in p
                                 for p in report.problems)
    led.close()


# --------------------------------------------------------------------------- problems and warnings


def test_problems_beyond_the_first_thousand_are_counted_not_listed(empty_ledger, tmp_path):
    rows = project_rows(1_500)
    for r in rows:
        r[3] = "区块链"
    rows[1_400][0] = "bad id!"
    with pytest.raises(ValidationError) as info:
        import_projects(empty_ledger, write_csv(tmp_path / "p.csv", rows))
    diags = info.value.diagnostics
    errors = [d for d in diags if d.severity == "error"]
    assert len(errors) == 1_000 and errors[0].location.row == 2 and errors[-1].location.row == 1_001
    assert "1501 problem(s)" in info.value.message
    (note,) = [d for d in diags if d.severity == "note"]
    assert "501 more problem(s) not listed (1501 error(s)" in note.message


def test_row_with_only_a_warning_is_imported(empty_ledger, tmp_path):
    """A warning (unknown excluded expert) never drops the row: all-or-nothing means all."""
    import_experts(empty_ledger, write_csv(tmp_path / "e.csv", [["E01", "专家", "单位", "钢铁"]],
                                           ["专家编号", "姓名", "单位", "领域"]))
    rows = [["P1", "甲", "单位甲", "钢铁", "E99"], ["P2", "乙", "单位乙", "钢铁", ""]]
    result = import_projects(empty_ledger, write_csv(tmp_path / "p.csv", rows,
                                                     ["项目编号", "项目名称", "申报单位", "行业", "回避专家"]))
    assert result.count == 2 and [w.code for w in result.warnings] == ["unknown_expert"]
    assert [p["id"] for p in empty_ledger.projects()] == ["P1", "P2"]
    assert empty_ledger.project("P1")["excluded_experts"] == ["E99"]


# --------------------------------------------------------------------------- memory

CHILD = textwrap.dedent("""
    import sys
    from tlr.campaign import import_projects, init_campaign, open_campaign, verify_audit
    from tlr.rubric import load_rubric
    what, rubric, directory, path = sys.argv[1:5]
    if what == "import":
        led = init_campaign(directory, load_rubric(rubric))
        import_projects(led, path)
    else:
        led = open_campaign(directory)
        assert verify_audit(led).ok
    led.close()
    # this process's own peak (ru_maxrss would include the parent's size when it was forked)
    with open("/proc/self/status") as fh:
        print(next(line.split()[1] for line in fh if line.startswith("VmHWM:")))
""")


def _peak_kb(*args) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, *map(str, args)], capture_output=True, text=True,
                         env={**os.environ, "TLR_ACTOR": "test"}, timeout=300, cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc/self/status (VmHWM)")
def test_peak_memory_grows_far_less_than_the_file(tmp_path):
    """Import (then verify) a 3 MB and a 12 MB projects file, each in a fresh process: the 9 MB more
    input may cost at most 3x as much memory more (measured: about 1x for the import, 1.5x for verify;
    the reader before streaming took 18x and 13x). Compared with each other, so the interpreter's own
    size does not matter."""
    rows = project_rows(40_000)
    for r in rows:
        r[6] = r[6] * 3
    big = write_csv(tmp_path / "big.csv", rows)
    small = write_csv(tmp_path / "small.csv", rows[:10_000])
    growth = big.stat().st_size - small.stat().st_size
    assert growth > 8_000_000
    peak = {name: _peak_kb("import", RUBRIC, tmp_path / name, f) for name, f in (("s", small), ("b", big))}
    assert (peak["b"] - peak["s"]) * 1024 <= 3 * growth, peak
    checked = {name: _peak_kb("verify", RUBRIC, tmp_path / name, "-") for name in ("s", "b")}
    assert (checked["b"] - checked["s"]) * 1024 <= 3 * growth, checked


# --------------------------------------------------------------------------- streamed reading


def reference_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """What a CSV holds, parsed from the whole text with the standard library (the reader before streaming)."""
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    headers = [h.strip() for h in records[0]]
    out = []
    for number, record in enumerate(records[1:], start=2):
        cells = [c.strip() for c in record]
        if any(cells):
            keys = [headers[i] if i < len(headers) else f"#{i + 1}" for i in range(len(cells))]
            out.append((number, dict(zip(keys, cells))))
    return out


CELL = st.text(alphabet=st.sampled_from(list('ab中文, "\r\n;')), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=8),
       ending=st.sampled_from(["\r\n", "\n", "\r"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030",
                                                                                  "utf-16"]),
       chunk=st.sampled_from([1, 2, 3, 7, 64]))
def test_streamed_csv_reads_what_the_whole_text_holds(tmp_path, monkeypatch, rows, ending, encoding, chunk):
    """Line ends (\\r\\n split between two reads, lone \\r), quoted line breaks and multi-byte characters
    cut at any byte: the chunked reader gives the rows the standard library finds in the whole text."""
    monkeypatch.setattr(tables, "CHUNK_BYTES", chunk)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=ending)
    w.writerow(["甲", "乙", "丙", "丁"])
    w.writerows(rows)
    text = buf.getvalue()
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    table = tables.read_table(path, encoding=None if encoding != "gb18030" else "gb18030")
    assert table.rows == reference_rows(text)
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_streamed_table_is_read_again_for_each_pass(tmp_path):
    path = write_csv(tmp_path / "p.csv", project_rows(3))
    table = tables.open_table(path)
    assert table.headers == HEADER
    with pytest.raises(TypeError):
        list(table.rows)  # a streamed table holds no rows
    first, second = list(table.stream()), list(table.stream(checked=False))
    assert first == second and [n for n, _v in first] == [2, 3, 4]
    assert first[1][1]["项目简介"] == "第 1 个项目的简介，\n第二行：降低能耗 1%。"


def test_large_gbk_file_detected_from_its_beginning(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "DETECT_BYTES", 300)
    path = write_csv(tmp_path / "p.csv", project_rows(30), encoding="gbk")
    assert path.stat().st_size > 3_000
    table = tables.read_table(path)
    assert table.encoding == "GB18030" and len(table.rows) == 30
    assert table.rows[29][1]["项目名称"] == "项目29：高强钢连铸新工艺"


def test_large_file_utf8_at_first_then_not_is_refused_with_the_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "DETECT_BYTES", 300)
    rows = project_rows(30)
    data = write_csv(tmp_path / "p.csv", rows).read_bytes()
    lines = data.split(b"\n")
    line = next(k for k, text in enumerate(lines) if text.startswith(b"P0024")) + 1  # a line after the sample
    lines[line - 1] = lines[line - 1].decode().encode("gbk")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputFileError) as info:
        tables.read_table(path)
    assert info.value.location.line == line and f"not valid UTF-8 (from line {line})" in info.value.message
    with pytest.raises(InputFileError, match="not valid UTF-8"):
        tables.open_table(path)  # decided when the file is opened, before any row is read


@pytest.mark.parametrize("encoding, given, bad", [
    ("utf-16-le", "utf-16-le", b"\x00\xdc"),   # a lone low surrogate
    ("utf-8-sig", None, b"\xff"),               # UTF-8 with BOM
    ("utf-8", "utf-8", b"\xc3("),
    ("gb18030", "gb18030", b"\x81\xff"),
])
def test_invalid_bytes_late_in_a_streamed_file_are_located(tmp_path, monkeypatch, encoding, given, bad):
    """The message (line, bytes) is the one the whole-file decoder gives."""
    monkeypatch.setattr(tables, "DETECT_BYTES", 300)
    monkeypatch.setattr(tables, "CHUNK_BYTES", 256)
    data = write_csv(tmp_path / "p.csv", project_rows(30), encoding=encoding).read_bytes()
    at = data.index("项目20".encode(encoding.replace("-sig", "")))
    data = data[:at] + bad + data[at:]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(InputFileError) as whole:
        tables.decode_text(data, str(path), given)
    with pytest.raises(InputFileError) as streamed:
        tables.read_table(path, encoding=given)
    assert streamed.value.message == whole.value.message and streamed.value.location == whole.value.location
    assert whole.value.location.line > 20


@pytest.mark.parametrize("cells", [16_000_000, 0])  # the flat array, and the dict used beyond its size
def test_duplicate_answer_names_its_first_row(ledger, tmp_path, monkeypatch, cells):
    from tlr.campaign import scoring
    from tlr.campaign.scoring import expert_items

    from .conftest import ANSWER

    monkeypatch.setattr(scoring, "FIRST_ARRAY_CELLS", cells)
    a, b = expert_items(ledger, "E04")[:2]
    rows = [[a.project["id"], a.indicator.id, ANSWER[a.indicator.id]],
            [b.project["id"], b.indicator.id, ANSWER[b.indicator.id]],
            [a.project["id"], a.indicator.id, ANSWER[a.indicator.id]]]
    path = write_csv(tmp_path / "a.csv", rows, ["project", "indicator", "value"])
    before = snapshot(ledger.path)
    with pytest.raises(ValidationError) as info:
        import_answers(ledger, "E04", path)
    (d,) = info.value.diagnostics
    assert (d.code, d.location.row, d.location.field) == ("duplicate", 4, "B (indicator)")
    assert f"duplicate answer for {a.project['id']}/{a.indicator.id} (first on row 2)" in d.message
    assert snapshot(ledger.path) == before
