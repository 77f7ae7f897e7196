"""Text in imported files: control, bidi and invisible characters refused with row and column; safe ids;
exports and terminal output survive bad text already in an old ledger."""

from __future__ import annotations

import json
import re
import sys
import unicodedata

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tlr.safetext import id_problem, terminal_safe, text_problem, xlsx_clean

from .readers_support import HEADER, error_lines, new_campaign, run, snapshot

EVIL = "X\x01\x1b[31mRED"


@pytest.fixture
def campaign(tmp_path):
    return new_campaign(tmp_path)


def _import(kind: str, path, campaign, capsys, *extra):
    """``tlr KIND import``: projects and experts into the campaign, demands into a library in its folder."""
    store = ["--library", campaign / "library.sqlite"] if kind == "demands" else ["--campaign", campaign]
    return run([kind, "import", path, *store, *extra], capsys)


# ----------------------------------------------------------------------------- the reported defect


def test_control_character_name_refused_with_row_and_column(campaign, tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + f"Q1,{EVIL},单位甲,钢铁\n", encoding="utf-8")
    before = snapshot(campaign)
    code, out, err = _import("projects", path, campaign, capsys)
    assert code == 2
    lines = error_lines(err)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: row 2: B (name): error: ")
    assert "U+0001" in lines[0]
    assert "\x01" not in err and "\x1b" not in err          # the message itself never carries the bytes
    assert snapshot(campaign) == before


def test_exports_of_a_refused_file_never_happen_and_exports_work(campaign, tmp_path, capsys):
    """The original report: import exit 0, then every XLSX export crashed. Now the import is refused."""
    path = tmp_path / "p.csv"
    path.write_text(HEADER + f"Q1,{EVIL},单位甲,钢铁\n", encoding="utf-8")
    assert _import("projects", path, campaign, capsys)[0] == 2
    for args in (["export", "scores", "--format", "xlsx", "--out", tmp_path / "s.xlsx"],
                 ["export", "assignments", "--format", "xlsx", "--out", tmp_path / "a.xlsx"],
                 ["sheets", "export", "--all", "--out", tmp_path / "sheets"]):
        code, _out, err = run([*args, "--campaign", campaign], capsys)
        assert code == 0, err


@pytest.mark.parametrize("name, char", [
    ("ok\u202ename", "U+202E"), ("\u202aembedded", "U+202A"), ("iso\u2066late\u2069", "U+2066"),
    ("zero\u200bwidth", "U+200B"), ("清华\u200d大学", "U+200D"), ("soft\u00adhyphen", "U+00AD"),
    ("bom\ufeffinside", "U+FEFF"), ("tag\U000e0041", "U+E0041"), ("c1\x9bcsi", "U+009B"),
    ("two\nlines", "U+000A"), ("tab\there", "U+0009"), ("cr\rhere", "U+000D"), ("ls\u2028here", "U+2028"),
    ("nonchar\uffff", "U+FFFF"),
])
@pytest.mark.parametrize("kind, field", [("projects", "applicant"), ("demands", "enterprise"), ("demands", "phone")])
def test_single_line_fields_refuse_invisible_and_control_characters(campaign, tmp_path, capsys, name, char, kind,
                                                                     field):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"id": "Q1", "name": "好名字", "industry": "钢铁", "description": "描述",
                                 "applicant": "单位", "enterprise": "企业", field: name}]), encoding="utf-8")
    before = snapshot(campaign)
    code, _out, err = _import(kind, path, campaign, capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"{path}: row 1: {field}: error: ") and char in line
    assert snapshot(campaign) == before
    assert not (campaign / "library.sqlite").exists()          # a refused first demand file creates no library


def test_zero_width_joiner_in_an_institution_would_hide_a_conflict(campaign, tmp_path, capsys):
    """Why ZWJ is refused in names: '燕山\u200d大学' is not '燕山大学', so expert E01 would not be recused."""
    from tlr.campaign.vocab import norm_token

    assert norm_token("燕山\u200d大学") != norm_token("燕山大学")
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "Q1,新项目,燕山\u200d大学,钢铁\n", encoding="utf-8")
    code, _out, err = _import("projects", path, campaign, capsys)
    assert code == 2 and "U+200D" in err


@pytest.mark.parametrize("kind, field", [("projects", "summary"), ("demands", "description"),
                                         ("demands", "indicators")])
def test_free_text_allows_line_breaks_and_joiners_but_not_bidi(campaign, tmp_path, capsys, kind, field):
    summary = "第一行\n第二行\t制表\r\n👨\u200d👩\u200d👧 家庭 soft\u00adhyphen"
    base = ({"name": "n", "applicant": "a", "industry": "钢铁"} if kind == "projects" else
            {"name": "n", "enterprise": "e", "industry": "钢铁", "description": "d"})
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"id": "Q1", **base, field: summary}]), encoding="utf-8")
    code, _out, err = _import(kind, path, campaign, capsys)
    assert code == 0, err
    if kind == "projects":
        from tlr.campaign import open_campaign

        with open_campaign(campaign) as led:
            assert led.project("Q1")[field] == summary.strip()
    else:
        from tlr.library.store import open_library

        with open_library(campaign / "library.sqlite") as lib:
            assert lib.rows("demands", "id = 'Q1'")[0][field] == summary.strip()
    path.write_text(json.dumps([{"id": "Q2", **base, field: "abc\u202edef"}]), encoding="utf-8")
    code, _out, err = _import(kind, path, campaign, capsys)
    assert code == 2 and "U+202E" in err and f"row 1: {field}" in err


@pytest.mark.parametrize("bad", ["../x", "a/b", "a\\b", "P 1", "P..1", "-P1", ".P1", "项目1", "P1;P2", "P" * 65,
                                 "Ｐ001"])
def test_ids_outside_the_safe_set_are_refused_naming_the_row(campaign, tmp_path, capsys, bad):
    path = tmp_path / "e.json"
    path.write_text(json.dumps([{"专家编号": "E90", "姓名": "甲", "单位": "某大学", "领域": "钢铁"},
                                {"专家编号": bad, "姓名": "乙", "单位": "某大学", "领域": "钢铁"}],
                               ensure_ascii=False), encoding="utf-8")
    before = snapshot(campaign)
    code, _out, err = _import("experts", path, campaign, capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"{path}: row 2: 专家编号: error: ")
    assert snapshot(campaign) == before


@pytest.mark.parametrize("good", ["P2026-001", "E07", "a.b_c-d", "9", "P" * 64])
def test_safe_ids_accepted(good):
    assert id_problem(good) is None


def test_id_rule_matches_its_documented_regex():
    pattern = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
    for text in ["P1", "a..b", "a.b", "-", "_a", "A" * 64, "A" * 65, "x/y", "é", "1.", "ab-"]:
        assert (id_problem(text) is None) == (pattern.fullmatch(text) is not None and ".." not in text), text


# ----------------------------------------------------------------------------- the character classes


def test_every_format_character_is_refused_in_one_line_text():
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            assert text_problem(f"a{ch}b") is not None, hex(cp)


def test_free_text_refuses_exactly_the_dangerous_ones():
    allowed = set("\t\n\r\u2028\u2029\u00ad\u200c\u200d")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            assert (text_problem(f"a{ch}b", multiline=True) is None) == (ch in allowed), hex(cp)
    for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert "bidirectional" in text_problem(f"x{chr(cp)}", multiline=True)


def test_ordinary_text_passes():
    for text in ["高强钢连铸新工艺", "Müller GmbH", "naïve café", "東京大学", "한국어", "עברית", "العربية", "😀",
                 "葛\U000e0100", "Zhāng Wěi", "①②③", "—…·“”"]:
        assert text_problem(text) is None, text


def test_terminal_safe_escapes_everything_that_could_drive_a_terminal():
    assert terminal_safe(EVIL) == "X\\x01\\x1b[31mRED"
    assert terminal_safe("a\u202eb\u2066c") == "a\\u202eb\\u2066c"
    assert terminal_safe("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd"
    assert terminal_safe("a\nb\tc\rd", newlines=True) == "a\nb\tc\\x0dd"
    assert terminal_safe(None) == "" and terminal_safe(7) == "7"
    for cp in range(0x110000):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            assert ch not in terminal_safe(f"a{ch}b"), hex(cp)


def test_xlsx_clean_leaves_nothing_openpyxl_refuses():
    every_bmp = "".join(chr(cp) for cp in range(0x10000))
    cleaned = xlsx_clean(every_bmp)
    assert ILLEGAL_CHARACTERS_RE.search(cleaned) is None
    assert len(cleaned) == len(every_bmp)                       # replaced, not dropped: the loss stays visible
    removed = {ch for ch, kept in zip(every_bmp, cleaned) if ch != kept}
    assert removed >= {ch for ch in every_bmp if ILLEGAL_CHARACTERS_RE.match(ch)}
    assert "\t" not in removed and "\n" not in removed and "\r" not in removed
    assert xlsx_clean(3.5) == 3.5


# ----------------------------------------------------------------------------- old ledgers


def _plant(campaign, table: str, row_id: str, **fields) -> None:
    """Write text straight into a project or expert row, as a campaign made before imports refused it would
    hold (*table*: ``projects`` or ``experts``)."""
    from tlr.campaign import open_campaign

    with open_campaign(campaign) as led:
        rec = dict(led.project(row_id) if table == "projects" else led.expert(row_id))
        rec.update(fields)
        with led.write(f"{table}.import", info={"test": "planted"}) as tx:
            tx.put(table, [rec])


def test_xlsx_exports_never_crash_on_old_bad_text(campaign, tmp_path, capsys):
    _plant(campaign, "projects", "P001", name=EVIL, applicant="\x00nul\x0bvt")
    _plant(campaign, "experts", "E01", name="专家\x07铃", institution="\x1b]0;title\x07")
    from tlr.campaign import open_campaign, record_score

    with open_campaign(campaign) as led:
        expert = led.conn.execute("SELECT expert_id FROM assignments WHERE project_id = 'P001'").fetchone()[0]
        record_score(led, expert, "P001", "novelty", "4", comment="ok\x01comment")
    for args in (["export", "scores", "--format", "xlsx", "--out", tmp_path / "s.xlsx"],
                 ["export", "assignments", "--format", "xlsx", "--out", tmp_path / "a.xlsx"],
                 ["sheets", "export", "--all", "--out", tmp_path / "sheets"]):
        code, _out, err = run([*args, "--campaign", campaign], capsys)
        assert code == 0, err
    rows = list(load_workbook(tmp_path / "s.xlsx").worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows if r[header.index("project")] == "P001")
    assert row[header.index("project_name")] == "X\ufffd\ufffd[31mRED"
    assert row[header.index("comment")] == "ok\ufffdcomment"
    sheets = sorted((tmp_path / "sheets").glob("*.xlsx"))
    assert sheets and all(load_workbook(p) for p in sheets)
    code, out, _err = run(["export", "scores", "--format", "csv", "--campaign", campaign], capsys)
    assert code == 0 and "\x1b" not in out and "\x01" not in out


def test_cli_listings_print_old_bad_text_escaped(campaign, tmp_path, capsys):
    _plant(campaign, "projects", "P001", name=EVIL + "\u202eevil", applicant="[bold]x[/]")
    _plant(campaign, "experts", "E01", name="专家\x1b[2J")
    for args in (["projects", "list"], ["experts", "list"], ["status"], ["assign", "--list"], ["audit", "log"]):
        code, out, err = run([*args, "--campaign", campaign], capsys)
        assert code == 0, err
        for bad in ("\x1b", "\x01", "\u202e"):
            assert bad not in out and bad not in err, (args, bad)
    code, out, _ = run(["projects", "list", "--campaign", campaign], capsys)
    assert "X\\x01\\x1b[31mRED\\u202eevil" in out and "[bold]x[/]" in out
    code, out, _ = run(["status", "--campaign", campaign], capsys)
    assert "专家\\x1b[2J" in out


def test_rank_and_explain_print_names_literally(campaign, tmp_path, capsys):
    from tlr.campaign import open_campaign
    from tlr.campaign.scoring import import_answers

    _plant(campaign, "projects", "P001", name="[bold]x[/] " + EVIL + "\u202e")
    with open_campaign(campaign) as led:
        pairs = led.conn.execute("SELECT expert_id, project_id FROM assignments").fetchall()
        by_expert: dict[str, list[str]] = {}
        for e, p in pairs:
            by_expert.setdefault(e, []).append(p)
        for k, (e, ps) in enumerate(sorted(by_expert.items())):
            path = tmp_path / f"{e}.csv"
            lines = ["project,indicator,value"]
            for j, p in enumerate(ps):
                lines += [f"{p},novelty,{1 + (k + j) % 5}", f"{p},trl,{1 + (k * j) % 4}", f"{p},market_size,{10 + j}",
                          f"{p},team,是"]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_answers(led, e, path)
    code, out, err = run(["rank", campaign, "--all", "--draws", "50", "--bootstrap", "0"], capsys)
    assert code == 0, err
    assert "P001 [bold]x[/] X\\x01\\x1b[31mRED\\u202e" in out
    code, out2, err = run(["explain", campaign, "P001"], capsys)
    assert code == 0, err
    assert "[bold]x[/] X\\x01\\x1b[31mRED\\u202e" in out2
    for text in (out, out2, err):
        assert "\x1b" not in text and "\x01" not in text and "\u202e" not in text


def test_markup_helper_never_lets_rich_interpret_data():
    from rich.console import Console

    from tlr.cli.kit import safe

    for name in ["[bold]x", "[/]", "[/bold]", "x\\", "[link=file:///etc/passwd]y[/link]", EVIL, "a[", "]"]:
        console = Console(record=True, width=200, color_system=None)
        console.print(f"[bold]{safe(name)}[/bold]")
        assert console.export_text().rstrip("\n") == terminal_safe(name)
