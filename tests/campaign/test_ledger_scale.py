"""National scale (issue 16): the whole panel's answers in one file, the streamed status, the audit replay in
SQLite and the readers' shortcuts, each shown on small inputs to give what the simpler method gives
(benchmarks/bench_ledger_scale.py runs them on 100,000 projects and 2,500,000 answers)."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from tlr.campaign import audit, campaign_status, import_answers, open_campaign, record_score, scoring, verify_audit
from tlr.campaign import store as store_module
from tlr.campaign.tables import open_table
from tlr.errors import CampaignError, ValidationError

from .conftest import ANSWER, run_cli
from .support import edit_behind, new_round
from .test_import_memory import entries, logged, snapshot, write_csv

PANEL = ["专家编号", "项目编号", "指标编号", "评分", "意见"]
STORED = "SELECT expert_id, project_id, indicator_id, value, raw, comment, evidence, source FROM scores ORDER BY 1, 2, 3"


def panel_rows(led) -> list[list[str]]:
    """Every active expert's answer to every indicator of every project assigned to them, project by
    project (as an online review system exports them); every third answer with a comment."""
    rows = []
    for e, p in led.conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY project_id, expert_id"):
        for i, v in ANSWER.items():
            rows.append([e, p, i, v, f"意见 {e}/{p}" if len(rows) % 3 == 0 else ""])
    return rows


# --------------------------------------------------------------------------- the panel's answers in one file


def test_panel_file_stores_what_each_experts_file_stores(tmp_path):
    one, each = new_round(tmp_path / "one"), new_round(tmp_path / "each")
    try:
        rows = panel_rows(one)
        assert len({r[0] for r in rows}) > 3 and len(rows) > 40
        assert import_answers(one, None, write_csv(tmp_path / "panel.csv", rows, PANEL)) == {
            "set": len(rows), "removed": 0, "unchanged": 0}
        for e in sorted({r[0] for r in rows}):
            mine = [r[1:] for r in rows if r[0] == e]
            import_answers(each, e, write_csv(tmp_path / f"{e}.csv", mine, PANEL[1:]))
        assert one.conn.execute(STORED).fetchall() == each.conn.execute(STORED).fetchall()
        assert len(one.conn.execute(STORED).fetchall()) == len(rows)
        (entry,) = entries(one, "scores.import")
        assert "expert" not in entry["payload"] and entry["payload"]["set"] == len(rows)
        assert entry["payload"]["rows"]["scores"]["same"] == {"scored_at": entry["ts"], "source": "file"}
        assert [[r["expert_id"], r["project_id"], r["indicator_id"], r["raw"], r["comment"]]
                for r in logged(entry, "scores")] == rows        # logged in file order, as given
        assert verify_audit(one).ok and verify_audit(each).ok
    finally:
        one.close()
        each.close()


def test_panel_file_refused_whole_with_each_problem_located(ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "PART_ROWS", 5)   # many parts written before the first problem
    rows = panel_rows(ledger)
    e, p = rows[0][0], rows[0][1]
    other = next(q for (q,) in ledger.conn.execute("SELECT id FROM projects") if
                 not ledger.conn.execute("SELECT 1 FROM assignments WHERE expert_id = ? AND project_id = ?",
                                         (e, q)).fetchone())
    n = len(rows) + 2   # the row number of the first bad row (the header is row 1)
    bad = rows + [["E99", p, "novelty", "4", ""], ["", p, "novelty", "4", ""], [e, other, "novelty", "4", ""],
                  [e, p, "novelty", "3", ""], [rows[1][0], rows[1][1], rows[1][2], "", ""],   # empty: not given
                  [rows[5][0], rows[5][1], "novelty", "9", ""]]
    path = write_csv(tmp_path / "panel.csv", bad, PANEL)
    before = snapshot(ledger.path)
    with pytest.raises(ValidationError) as info:
        import_answers(ledger, None, path)
    got = [(d.code, d.location.row, d.location.field) for d in info.value.diagnostics]
    assert got == [("unknown_expert", n, "A (专家编号)"), ("missing_value", n + 1, "A (专家编号)"),
                   ("not_assigned", n + 2, "B (项目编号)"), ("duplicate", n + 3, "C (指标编号)"),
                   ("invalid_value", n + 5, "D (评分)")]
    assert f"duplicate answer for {e}/{p}/novelty (first on row 2)" in info.value.diagnostics[3].message
    assert "5 problem(s), no score imported" in info.value.message
    assert snapshot(ledger.path) == before
    with pytest.raises(ValidationError) as checked:   # --dry-run finds the same
        import_answers(ledger, None, path, dry_run=True)
    assert [(d.code, d.location.row) for d in checked.value.diagnostics] == [(c, r) for c, r, _f in got]


def test_panel_file_needs_its_expert_column(ledger, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [[r[1], r[2], r[3]] for r in panel_rows(ledger)], ["项目编号", "指标编号", "评分"])
    with pytest.raises(ValidationError) as info:
        import_answers(ledger, None, path)
    (d,) = info.value.diagnostics
    assert d.code == "missing_column" and "'expert'" in d.message and "--expert" in d.hint
    code, _out, err = run_cli(["score", "--from", path, "--campaign", ledger.path.parent], capsys)
    assert code == 2 and "missing required column 'expert'" in err and "Traceback" not in err


def test_panel_file_again_changes_nothing_and_a_changed_answer_only_itself(ledger, tmp_path):
    rows = panel_rows(ledger)
    path = write_csv(tmp_path / "panel.csv", rows, PANEL)
    import_answers(ledger, None, path)
    first = ledger.conn.execute("SELECT * FROM scores ORDER BY 1, 2, 3").fetchall()
    assert import_answers(ledger, None, path) == {"set": 0, "removed": 0, "unchanged": len(rows)}
    assert ledger.conn.execute("SELECT * FROM scores ORDER BY 1, 2, 3").fetchall() == first   # times kept
    assert rows[4][2] == "novelty"
    rows[4][3] = "2"
    counts = import_answers(ledger, None, write_csv(tmp_path / "panel2.csv", rows, PANEL))
    assert counts == {"set": 1, "removed": 0, "unchanged": len(rows) - 1}
    assert ledger.conn.execute("SELECT raw FROM scores WHERE expert_id = ? AND project_id = ? AND indicator_id = ?",
                               rows[4][:3]).fetchone() == ("2",)
    assert verify_audit(ledger).ok


def test_file_changed_during_the_import_imports_nothing(ledger, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "panel.csv", panel_rows(ledger), PANEL)
    before = snapshot(ledger.path)
    hashed = scoring.file_sha256

    def hash_then_edit(p):
        digest = hashed(p)
        with open(p, "ab") as fh:
            fh.write(b"\r\n")
        return digest

    monkeypatch.setattr(scoring, "file_sha256", hash_then_edit)
    with pytest.raises(CampaignError) as info:
        import_answers(ledger, None, path)
    assert info.value.code == "file_changed" and snapshot(ledger.path) == before


# --------------------------------------------------------------------------- status, streamed


def _dense_status(led) -> dict:
    """``campaign_status`` as it was: every answer in an (experts, projects, indicators) array (the
    reference the streamed status is compared with)."""
    import numpy as np

    from tlr.panel.completeness import completeness

    summary = led.rubric_summary()
    conn = led.conn
    projects = conn.execute("SELECT id, achievement_type FROM projects ORDER BY seq").fetchall()
    experts = [e for (e,) in conn.execute("SELECT id FROM experts ORDER BY seq")]
    inds = summary["indicators"]
    app = np.array([[not at or i["applies_to"] is None or at in i["applies_to"] for i in inds] for _p, at in projects])
    per_project = {p: int(app[k].sum()) for k, (p, _at) in enumerate(projects)}
    counts = {(e, p): n for e, p, n in conn.execute("SELECT expert_id, project_id, count(*) FROM scores "
                                                     "GROUP BY expert_id, project_id")}
    out = {"experts": {e: [0] * 7 for e in experts}, "projects": {p: [0] * 4 for p, _at in projects}}
    for e, p in conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY expert_id, project_id"):
        n, exp = counts.get((e, p), 0), per_project[p]
        es, ps = out["experts"][e], out["projects"][p]
        es[0] += 1
        ps[0] += 1
        es[1] += min(n, exp)
        es[2] += exp
        k = 3 if n >= exp else 4 if n > 0 else 5
        es[k] += 1
        ps[1 if n >= exp else 2 if n > 0 else 3] += 1
    for e, _p in conn.execute("SELECT expert_id, project_id FROM recusals"):
        out["experts"][e][6] += 1
    ei = {e: k for k, e in enumerate(experts)}
    pi = {p: k for k, (p, _at) in enumerate(projects)}
    ii = {i["id"]: k for k, i in enumerate(inds)}
    answered = np.zeros((len(experts), len(projects), len(inds)), dtype=bool)
    for e, p, i in conn.execute("SELECT expert_id, project_id, indicator_id FROM scores"):
        if e in ei and p in pi and i in ii:
            answered[ei[e], pi[p], ii[i]] = True
    active = np.zeros((len(experts), len(projects)), dtype=bool)
    for e, p in conn.execute("SELECT expert_id, project_id FROM assignments"):
        active[ei[e], pi[p]] = True
    cov = completeness(answered, active, app, quorum=summary["panel"]["quorum"],
                       min_experts=summary["panel"]["min_experts"])
    for k, (p, _at) in enumerate(projects):
        out["projects"][p] += [int(cov.experts_behind[k]), bool(cov.quorum_met[k]), bool(cov.min_experts_met[k])]
    return out


def _streamed_status(led) -> dict:
    st = campaign_status(led)
    return {"experts": {e.id: [e.assigned, e.answers, e.expected, e.done, e.partial, e.missing, e.recused]
                        for e in st.experts},
            "projects": {p.id: [p.assigned, p.done, p.partial, p.missing, p.experts_behind, p.quorum_met,
                                p.min_experts_met] for p in st.projects}}


def test_streamed_status_is_the_dense_one(tmp_path):
    from tlr.rubric import load_rubric

    from .support import RUBRIC

    text = RUBRIC.read_text(encoding="utf-8").replace(
        "      - {id: team,", "      - {id: team, applies_to: [technology_development],")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    led = new_round(tmp_path / "c", load_rubric(tmp_path / "r.yaml"))
    pairs = led.conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY project_id, expert_id").fetchall()
    types = dict(led.conn.execute("SELECT id, achievement_type FROM projects"))
    assert {types[p] for _e, p in pairs} >= {"technology_development", "applied_research"}
    for k, (e, p) in enumerate(pairs):   # complete, partial, one answer, none
        for i in list(ANSWER)[: (4, 2, 1, 0)[k % 4]]:
            if i != "team" or types[p] == "technology_development":
                record_score(led, e, p, i, ANSWER[i])
    # behind the tool's back: an answer to an indicator not applicable, to one not in the rubric, by an expert
    # not assigned, by an expert not in the pool
    e0, p0 = next((e, p) for e, p in pairs if types[p] == "applied_research")
    unassigned = next((e, p) for e in {e for e, _p in pairs} for p in types if (e, p) not in set(pairs))
    row = "'1', '1', '', '', '2026-01-01', 'file', 1"
    path = edit_behind(led, f"INSERT OR REPLACE INTO scores VALUES ('{e0}', '{p0}', 'team', {row})",
                       f"INSERT INTO scores VALUES ('{pairs[3][0]}', '{pairs[3][1]}', 'ghost', {row})",
                       f"INSERT INTO scores VALUES ('{unassigned[0]}', '{unassigned[1]}', 'novelty', {row})",
                       f"INSERT INTO scores VALUES ('E99', '{p0}', 'novelty', {row})")
    led = open_campaign(path)
    try:
        want, got = _dense_status(led), _streamed_status(led)
        assert got == want
        assert {tuple(v[4:]) for v in got["projects"].values()} >= {(3, True, True), (2, True, False)}
    finally:
        led.close()


def test_status_table_is_print_tables(ledger, capsys):
    from rich.console import Console

    from tlr.cli.campaign_cmd import _long_table
    from tlr.cli.kit import print_table

    headers = ["expert", "name", "n", "missing"]
    rows = [["E01", "专家一号", 5, "P001 P002"], ["E0002", "x[bold]y\u202e", None, ""], ["E3", "a\tb", 1234567, None],
            ["E4", "ｆｕｌｌ　ｗｉｄｔｈ", 0, "🙂"]]
    buf = io.StringIO()
    print_table(headers, rows, out=Console(file=buf, width=160, no_color=True, highlight=False, soft_wrap=True))
    _long_table(headers, rows)
    assert capsys.readouterr().out == buf.getvalue()
    record_score(ledger, "E04", next(p for (p,) in ledger.conn.execute(
        "SELECT project_id FROM assignments WHERE expert_id = 'E04'")), "novelty", "4")
    code, out, _ = run_cli(["status", "--campaign", ledger.path.parent], capsys)
    assert code == 0 and "E04" in out and "─" * 20 in out


# --------------------------------------------------------------------------- the audit replay in SQLite


def _append(led, action: str, payload: dict) -> None:
    from tlr.campaign.chain import canonical, entry_hash

    seq, prev = led.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    entry = {"seq": seq + 1, "ts": "2026-01-01T00:00:00+00:00", "actor": "user:hand", "action": action,
             "payload": payload}
    led.conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)", (seq + 1, entry["ts"], entry["actor"], action,
                                                                       canonical(payload), prev, entry_hash(prev, entry)))


def _both(led) -> tuple[dict, dict]:
    """The report by the SQL replay and by the digest replay."""
    sql = verify_audit(led).to_dict()
    start = audit._SqlReplay.start
    audit._SqlReplay.start = classmethod(lambda cls, _led: None)
    try:
        return sql, verify_audit(led).to_dict()
    finally:
        audit._SqlReplay.start = start


# a score's value (a REAL column) and comment (TEXT) as logged and as stored, and whether the digest replay (the
# definition) finds them the same: the SQL replay must report exactly what it reports
CASES = [(4, "x", 4.0, "x", True), (4.5, "x", 4.5, "x", True), ("4", "x", 4.0, "x", False),
         (4.0, True, 4.0, 1, False), (4.0, "1", 4.0, 1, True), (-0.0, "x", 0.0, "x", True),
         (4.0, 1, 4.0, 1.0, False), (4.0, "x", 4.0, b"x", False), (2 ** 62 + 1, "x", 2 ** 62 + 1, "x", True),
         (4.0, "true", 4.0, "true", True), (4.0, "a\x00b", 4.0, "a\x00b", True), (4.0, "a\x00b", 4.0, "a", False)]


@pytest.fixture(scope="module")
def blank_campaign(tmp_path_factory, rubric_module):
    from tlr.campaign import init_campaign

    directory = tmp_path_factory.mktemp("blank") / "round"
    init_campaign(directory, rubric_module).close()
    return directory


@pytest.fixture(scope="module")
def rubric_module():
    from tlr.rubric import load_rubric

    from .support import RUBRIC

    return load_rubric(RUBRIC)


@pytest.mark.parametrize("form", ["put", "rows"])
@pytest.mark.parametrize("value, comment, stored_value, stored_comment, same", CASES)
def test_sql_replay_agrees_with_the_digest_replay(blank_campaign, tmp_path, form, value, comment, stored_value,
                                                  stored_comment, same):
    row = {"expert_id": "E1", "project_id": "P1", "indicator_id": "novelty", "value": value, "raw": "4",
           "comment": comment, "evidence": "", "scored_at": "t", "source": "file"}
    if form == "put":
        payload = {"put": {"scores": [row]}}
    else:
        columns = ["expert_id", "project_id", "indicator_id", "value", "raw", "comment"]
        payload = {"rows": {"scores": {"columns": columns, "same": {"evidence": "", "scored_at": "t", "source": "file"},
                                       "values": [[row[c] for c in columns]]}}}
    import shutil

    shutil.copytree(blank_campaign, tmp_path / "round")
    led = open_campaign(tmp_path / "round")
    led.conn.execute("BEGIN")
    _append(led, "scores.import", payload)
    seq = led.conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    led.conn.execute("INSERT INTO scores VALUES ('E1', 'P1', 'novelty', ?, '4', ?, '', 't', 'file', ?)",
                     (stored_value, stored_comment, seq))
    led.conn.execute("COMMIT")
    sql, digest = _both(led)
    led.close()
    assert sql == digest
    assert digest["state_ok"] is same, digest["problems"]


def test_rows_logged_as_a_table_replay_with_defaults_and_json_columns(empty_ledger):
    rows = [{"id": f"P{k}", "seq": k, "name": f"项目{k}", "applicant": "单位", "industry": "steel",
             "achievement_type": None, "co_applicants": ["甲", "乙"] if k % 2 else [], "excluded_experts": [],
             "keywords": ["钢"], "summary": "简介\n第二行", "extra": {"b": 1, "a": [2]}} for k in range(1, 6)]
    with empty_ledger.write("projects.import", info={"note": "\x00tlr-rows-0\x00"}) as tx:   # the mark, in a value
        assert tx.put_stream("projects", iter(rows)) == 5
    (entry,) = entries(empty_ledger, "projects.import")
    assert entry["payload"]["note"] == "\x00tlr-rows-0\x00"
    assert logged(entry, "projects") == [{**r, "region": ""} for r in rows]    # region: added by a migration
    assert [p["co_applicants"] for p in empty_ledger.projects()] == [r["co_applicants"] for r in rows]
    sql, digest = _both(empty_ledger)
    assert sql == digest and sql["ok"]
    path = edit_behind(empty_ledger, "UPDATE projects SET extra = '{\"a\": [2], \"b\": 1.0}' WHERE id = 'P3'",
                       "UPDATE projects SET name = '改' WHERE id = 'P4'")
    led = open_campaign(path)
    try:
        sql, digest = _both(led)
        assert sql == digest and not sql["state_ok"]
        assert [p for p in sql["problems"] if p.startswith("projects")] == [
            "projects P4: name 为 '改'，审计日志记录为 '项目4' / name is '改' in the table but '项目4' in the audit log"]
    finally:
        led.close()


# --------------------------------------------------------------------------- the readers' shortcuts


def test_a_printable_text_holds_nothing_either_policy_refuses():
    from tlr.safetext import bad_characters

    every = "".join(map(chr, range(0x110000)))
    printable = "".join(c for c in every if c.isprintable())
    assert bad_characters("free").search(printable) is None and bad_characters("line").search(printable) is None
    line_only = set(bad_characters("line").findall(every)) - set(bad_characters("free").findall(every))
    assert line_only == set(scoring._LINE_ONLY.findall(every))


def test_streamed_values_are_the_streamed_rows(tmp_path):
    text = ("\ufeff专家编号,项目编号,指标编号,评分\r\n E1 ,P1,novelty,4\r\n\r\n,,,\r\nE2,P2\r\n"
            'E3,P3,trl,"3\r\n",extra,cells\r\nE4,"P4, 乙",team,是\r\n')
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode("utf-8"))
    table = open_table(path)
    pick = ["专家编号", "评分", None, "意见", "项目编号"]
    rows = [(n, tuple(values.get(h, "") if h else "" for h in pick)) for n, values in table.stream()]
    assert list(table.stream_values(pick)) == rows
    assert [n for n, _v in rows] == [2, 5, 6, 7] and rows[2][1] == ("E3", "3", "", "", "P3")
    assert rows[3][1] == ("E4", "是", "", "", "P4, 乙")
    sha = table.sha256
    assert sha and list(table.stream_values(pick, checked=False)) == rows and table.sha256 == sha


def test_two_streams_into_one_table_are_two_parts(empty_ledger):
    experts = [{"id": f"E{k}", "seq": k, "name": f"专家{k}", "institution": "单位", "fields": ["steel"],
                "conflict_orgs": [], "conflict_projects": [], "title": "", "email": "", "extra": {}} for k in range(4)]
    with empty_ledger.write("experts.import") as tx:
        tx.put_stream("experts", iter(experts[:2]))
        tx.put_stream("experts", ([e["id"], e["seq"], e["name"], e["institution"], e["fields"]] for e in experts[2:]),
                      columns=["id", "seq", "name", "institution", "fields"],
                      same={"title": "教授", "email": "", "conflict_orgs": [], "conflict_projects": [], "extra": {}})
    parts = entries(empty_ledger, "experts.import")
    assert [e["payload"]["part"] for e in parts] == [1, 2] and parts[1]["payload"]["parts"] == 2
    assert parts[1]["payload"]["rows"]["experts"]["same"]["title"] == "教授"
    assert [e["title"] for e in empty_ledger.experts()] == ["", "", "教授", "教授"]
    assert [r for e in parts for r in logged(e, "experts")] == experts[:2] + [{**e, "title": "教授"} for e in experts[2:]]
    assert verify_audit(empty_ledger).ok


# --------------------------------------------------------------------------- schema 9: older tools refuse


def test_a_tlr_of_schema_8_refuses_a_ledger_with_streamed_rows(tmp_path, monkeypatch):
    """Streamed rows are logged as a table of values, which a tlr of schema 8 would not replay (its audit
    verify would report the rows as tampered with): from schema 9 on it refuses the ledger instead."""
    from tlr.campaign import schema

    led = new_round(tmp_path / "r")
    try:
        import_answers(led, None, write_csv(tmp_path / "panel.csv", panel_rows(led), PANEL))
        assert any("rows" in e["payload"] for e in entries(led, "scores.import"))
        path = led.path
    finally:
        led.close()
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 8)
    with pytest.raises(CampaignError) as info:
        open_campaign(path)
    assert info.value.code == "schema_too_new" and "schema 9 > 8" in str(info.value)


def test_a_schema_8_ledger_opens_as_9_and_verifies(tmp_path, monkeypatch):
    from tlr.campaign import schema

    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
        m.setattr(schema, "SCHEMA_VERSION", 8)
        led = new_round(tmp_path / "r")
        path = led.path
        led.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
    conn.close()
    with open_campaign(path) as led:
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION == 9
        assert verify_audit(led).ok
