"""XLSX: DOCTYPE/entities and zip bombs refused before parsing; formula, error and non-finite number cells
refused with their address (never read as empty); row and cell caps."""

from __future__ import annotations

import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from tests.timing import budget
from tlr.campaign import open_campaign
from tlr.campaign.tables import read_table
from tlr.errors import InputFileError, ValidationError
from tlr.inputs import Limits, check_xlsx

from .readers_support import error_lines, new_campaign, rewrite_zip, run, snapshot

SHEET_XML = "xl/worksheets/sheet1.xml"
LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')


@pytest.fixture
def campaign(tmp_path):
    return new_campaign(tmp_path)


def _projects_xlsx(path, rows=(("Q1", "新项目", "单位甲", "钢铁"),)):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "applicant", "industry"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _answers_xlsx(path, project: str, values: list):
    """An answers file: header row, then the rows (project, indicator, value); value cells as given."""
    wb = Workbook()
    ws = wb.active
    ws.append(["project", "indicator", "value"])
    for k, (indicator, value) in enumerate(values):
        ws.append([project, indicator, value])
    wb.save(path)
    return path


def _refused(campaign, capsys, args) -> list[str]:
    before = snapshot(campaign)
    started = time.monotonic()
    code, out, err = run([*args, "--campaign", campaign], capsys)
    assert time.monotonic() - started < budget(5)
    assert code == 2, out + err
    assert "Traceback" not in err
    assert snapshot(campaign) == before
    return error_lines(err)


def _assigned(campaign) -> tuple[str, str]:
    with open_campaign(campaign) as led:
        return led.conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY expert_id, project_id "
                                "LIMIT 1").fetchone()


# ----------------------------------------------------------------------------- DOCTYPE / entities


@pytest.mark.parametrize("member", [SHEET_XML, "xl/sharedStrings.xml", "[Content_Types].xml", "xl/workbook.xml",
                                    "docProps/core.xml"])
def test_doctype_in_any_part_refused(campaign, tmp_path, capsys, member):
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    names = zipfile.ZipFile(src).namelist()
    if member not in names:                        # openpyxl writes inline strings: add a shared-strings part
        assert member == "xl/sharedStrings.xml"
    def change(name, data):
        if name == member:
            return LAUGHS + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
        return data
    path = rewrite_zip(src, tmp_path / "dt.xlsx", change)
    if member not in names:
        with zipfile.ZipFile(path, "a") as z:
            z.writestr(member, LAUGHS + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    (line,) = _refused(campaign, capsys, ["projects", "import", path])
    assert line.startswith(f"{path}: error: ") and member in line and "DOCTYPE" in line


def test_doctype_after_comments_and_in_utf16_refused(tmp_path):
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    for prefix, encoding in ((b'<?xml version="1.0"?><!-- a -->\n<!-- b --> ', "utf-8"),
                             (b"", "utf-16")):
        def change(name, data, prefix=prefix, encoding=encoding):
            if name != SHEET_XML:
                return data
            text = (prefix.decode() + '<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">' + data.decode())
            return text.encode(encoding)
        path = rewrite_zip(src, tmp_path / f"dt-{encoding}.xlsx", change)
        with pytest.raises(InputFileError) as info:
            read_table(path)
        assert info.value.code == "xml_doctype"


def test_exotic_xml_encoding_refused(tmp_path):
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    path = rewrite_zip(src, tmp_path / "u7.xlsx", lambda n, d: b'<?xml version="1.0" encoding="UTF-7"?>' + d
                       if n == SHEET_XML else d)
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert "UTF-7" in info.value.message


def test_a_plain_workbook_passes_the_archive_check(tmp_path):
    check_xlsx(_projects_xlsx(tmp_path / "ok.xlsx").read_bytes(), "ok.xlsx")


# ----------------------------------------------------------------------------- zip bombs


def _bomb(src, dst, megabytes: int, row=b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'):
    """The sheet replaced by ``megabytes`` of rows and no <dimension>: compresses by far more than 200:1."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != SHEET_XML:
                zout.writestr(info.filename, data)
                continue
            head = re.sub(rb"<dimension[^>]*/>", b"", data.partition(b"<sheetData>")[0])
            member = zipfile.ZipInfo(SHEET_XML)
            member.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(member, "w", force_zip64=True) as fh:
                fh.write(head + b"<sheetData>")
                chunk = row * (1024 * 1024 // len(row))
                for _ in range(megabytes):
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    return dst


@pytest.mark.slow
def test_860_mb_bomb_without_dimension_refused_at_once(campaign, tmp_path, capsys):
    path = _bomb(_projects_xlsx(tmp_path / "ok.xlsx"), tmp_path / "bomb.xlsx", 860)
    assert path.stat().st_size < 10 * 1024 * 1024
    (line,) = _refused(campaign, capsys, ["projects", "import", path])
    assert "zip bomb" in line


def test_compression_ratio_bomb_refused_from_the_directory(campaign, tmp_path, capsys):
    path = _bomb(_projects_xlsx(tmp_path / "ok.xlsx"), tmp_path / "bomb.xlsx", 40)
    (line,) = _refused(campaign, capsys, ["projects", "import", path])
    assert "zip bomb" in line and SHEET_XML in line and "TLR_MAX_ZIP_RATIO" in line


def test_total_size_cap_is_configurable(campaign, tmp_path, capsys, monkeypatch):
    path = _bomb(_projects_xlsx(tmp_path / "ok.xlsx"), tmp_path / "big.xlsx", 3)
    monkeypatch.setenv("TLR_MAX_XLSX_MB", "2")
    (line,) = _refused(campaign, capsys, ["projects", "import", path])
    assert "2 MB" in line and "TLR_MAX_XLSX_MB" in line


def test_lying_directory_sizes_do_not_help(tmp_path):
    """A member declaring 1000 bytes in the zip directory is cut off there when read: it cannot grow past it."""
    import struct

    src = _projects_xlsx(tmp_path / "ok.xlsx")
    big = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + \
        b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 100_000 + b"</sheetData></worksheet>"
    path = rewrite_zip(src, tmp_path / "liar.xlsx", lambda n, d: big if n == SHEET_XML else d)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    while not data[entry + 46:].startswith(SHEET_XML.encode()):
        entry = data.index(b"PK\x01\x02", entry + 4)
    assert struct.unpack_from("<I", data, entry + 24)[0] == len(big)
    struct.pack_into("<I", data, entry + 24, 1000)             # declared uncompressed size
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET_XML).file_size == 1000
    with pytest.raises(InputFileError) as info:                 # reading stops at the declared size: CRC fails
        read_table(path)
    assert "CRC" in info.value.message


def test_row_and_cell_caps(tmp_path, monkeypatch):
    path = _projects_xlsx(tmp_path / "p.xlsx", rows=[(f"Q{k}", "n", "a", "钢铁") for k in range(20)])
    monkeypatch.setenv("TLR_MAX_ROWS", "10")
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert "10" in info.value.message and info.value.code == "too_large"
    monkeypatch.delenv("TLR_MAX_ROWS")
    monkeypatch.setenv("TLR_MAX_CELLS", "30")
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert "30" in info.value.message


def test_too_many_columns_in_a_row(tmp_path):
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    cells = b"".join(b'<c r="%s2"><v>1</v></c>' % _col(k).encode() for k in range(1, 16386))
    path = rewrite_zip(src, tmp_path / "wide.xlsx", lambda n, d: re.sub(
        rb'<row r="2"[^>]*>.*?</row>', b'<row r="2">' + cells + b"</row>", d, flags=re.S) if n == SHEET_XML else d)
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert "16384" in info.value.message


def test_lying_dimension_does_not_make_a_million_rows(tmp_path):
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    path = rewrite_zip(src, tmp_path / "dim.xlsx", lambda n, d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d) if n == SHEET_XML else d)
    started = time.monotonic()
    table = read_table(path)
    assert time.monotonic() - started < budget(2)
    assert table.headers == ["id", "name", "applicant", "industry"] and len(table.rows) == 1


def _col(index: int) -> str:
    from tlr.campaign.tables import column_letter

    return column_letter(index)


# ----------------------------------------------------------------------------- cells


def test_formula_score_cells_refused_not_saved_as_zero_answers(campaign, tmp_path, capsys):
    expert, project = _assigned(campaign)
    path = _answers_xlsx(tmp_path / "answers.xlsx", project,
                         [("novelty", 4), ("trl", 3), ("market_size", 5), ("team", "是"), ("novelty", "=2+2")])
    lines = _refused(campaign, capsys, ["score", "--expert", expert, "--from", path])
    assert lines == [f"{path}: row 6: C6 (value): error: 公式单元格，其值无法确认 / formula cell: its value cannot be "
                     f"trusted — 请复制后“选择性粘贴为数值” / copy it and paste as values"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_score_cells_refused(campaign, tmp_path, capsys, bad):
    """openpyxl (and pandas) write NaN/inf as an empty <v/>: read back it looked like 'no answer'."""
    expert, project = _assigned(campaign)
    path = _answers_xlsx(tmp_path / "answers.xlsx", project, [("novelty", 4), ("market_size", bad)])
    (line,) = _refused(campaign, capsys, ["score", "--expert", expert, "--from", path])
    assert line.startswith(f"{path}: row 3: C3 (value): error: ") and "NaN" in line


@pytest.mark.parametrize("raw", [b"NaN", b"nan", b"INF", b"-inf", b"1e999", b"Infinity", b"12abc"])
def test_non_finite_numbers_written_in_the_xml_refused(campaign, tmp_path, capsys, raw):
    expert, project = _assigned(campaign)
    src = _answers_xlsx(tmp_path / "a.xlsx", project, [("market_size", 7)])
    path = rewrite_zip(src, tmp_path / "answers.xlsx", lambda n, d: d.replace(b"<v>7</v>", b"<v>" + raw + b"</v>")
                       if n == SHEET_XML else d)
    (line,) = _refused(campaign, capsys, ["score", "--expert", expert, "--from", path])
    assert line.startswith(f"{path}: row 2: C2 (value): error: ") and raw.decode() in line


def test_error_cells_refused(campaign, tmp_path, capsys):
    expert, project = _assigned(campaign)
    src = _answers_xlsx(tmp_path / "a.xlsx", project, [("market_size", 7)])
    path = rewrite_zip(src, tmp_path / "answers.xlsx", lambda n, d: d.replace(
        b'<c r="C2" t="n"><v>7</v></c>', b'<c r="C2" t="e"><v>#DIV/0!</v></c>') if n == SHEET_XML else d)
    (line,) = _refused(campaign, capsys, ["score", "--expert", expert, "--from", path])
    assert line.startswith(f"{path}: row 2: C2 (value): error: ") and "#DIV/0!" in line


def test_formula_in_a_required_project_field_is_a_formula_error(campaign, tmp_path, capsys):
    path = _projects_xlsx(tmp_path / "p.xlsx", rows=[("Q1", '=CONCAT("项目","一")', "单位甲", "钢铁"),
                                                     ('="Q"&ROW()', "n", "a", "钢铁")])
    lines = _refused(campaign, capsys, ["projects", "import", path])
    assert [line.split(": error: ")[0] for line in lines] == [f"{path}: row 2: B2 (name)", f"{path}: row 3: A3 (id)"]
    assert all("formula cell" in line for line in lines) and not any("required field" in line for line in lines)


def test_booleans_and_dates_read_deliberately(tmp_path):
    import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "flag", "when"])
    ws.append(["Q1", True, datetime.date(2026, 3, 1)])
    wb.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert table.rows == [(2, {"id": "Q1", "flag": "true", "when": "2026-03-01T00:00:00"})]
    assert table.kind_of(2, "flag") == "boolean" and table.kind_of(2, "id") == "text"


def test_not_a_zip_and_garbage_members(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputFileError):
        read_table(path)
    src = _projects_xlsx(tmp_path / "ok.xlsx")
    for garbage in (b"", b"<worksheet", b"\xff\xfe\x00", b"<worksheet><sheetData><row><c r='A1' t='s'><v>99</v></c>"
                                                          b"</row></sheetData></worksheet>"):
        bad = rewrite_zip(src, tmp_path / "g.xlsx", lambda n, d, g=garbage: g if n == SHEET_XML else d)
        with pytest.raises((InputFileError, ValidationError)):
            read_table(bad)


def test_a_zip_needing_an_unknown_version_is_refused_not_a_crash(tmp_path):
    """Found by fuzzing: a central directory asking for zip version 19.1 made zipfile raise NotImplementedError."""
    path = _projects_xlsx(tmp_path / "p.xlsx")
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6] = 191  # "version needed to extract": 19.1
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError) as err:
        read_table(path)
    assert err.value.code == "bad_xlsx" and "zip" in err.value.message
