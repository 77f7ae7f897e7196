"""Fuzzing the readers: random bytes, random CSV/JSON/XLSX. Only TlrError may escape, and whatever is
imported obeys the text and id rules."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tlr.campaign.tables import read_table
from tlr.errors import TlrError
from tlr.safetext import id_problem, text_problem

from .readers_support import new_campaign

pytestmark = pytest.mark.slow  # property-based search over many generated inputs (full suite)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
FUZZ_IMPORT = settings(FUZZ, max_examples=60)   # each example imports into a ledger
SUFFIXES = [".csv", ".json", ".xlsx", ".txt", ""]
HEADERS = ["id", "name", "applicant", "industry", "summary", "keywords", "项目编号", "项目名称", "申报单位", "行业",
           "co_applicants", "achievement_type", "成果类型", "备注",
           # demand files (tlr demands import): the same readers and import machinery
           "enterprise", "description", "需求名称", "企业名称", "需求描述", "期望成熟度", "可投入资金（万元）", "期望合作方式",
           "联系电话"]
KINDS = ["projects", "demands"]   # every structured-import fuzz runs on both
TRICKY = "\x00\x01\x1b\x7f\x85\x9b\u00ad\u200b\u200d\u202e\u2066\u2028\ufeff\ufffe\U000e0041,;\"'\n\r\t=+-@[]{}/\\.."
text = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(TRICKY),
                                  st.sampled_from("钢铁新材料燕山大学P0123456789")), max_size=20)


def _read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        return read_table(path)
    except TlrError:
        return None


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Where each kind of file is imported: the campaign ledger (projects), the library (demands)."""
    from tlr.campaign import open_campaign
    from tlr.library.store import open_library

    directory = new_campaign(tmp_path_factory.mktemp("fuzz"))
    led = open_campaign(directory)
    lib = open_library(directory / "library.sqlite", create=True)
    yield {"projects": led, "demands": lib}
    led.close()
    lib.close()


# kind -> (import function, one-line text columns, multi-line text columns, list columns); table = kind
CHECKED = {
    "projects": ("tlr.campaign.imports:import_projects", ("name", "applicant", "industry"), ("summary",),
                 ("co_applicants", "keywords")),
    "demands": ("tlr.library.demands:import_demands", ("name", "enterprise", "industry", "region", "contact", "phone"),
                ("description", "indicators"), ("cooperation", "keywords")),
}


def _import(stores, kind: str, tmp_path, name: str, data: bytes) -> None:
    import importlib

    target, lines, multiline, lists = CHECKED[kind]
    module, _, fn = target.partition(":")
    store = stores[kind]
    path = tmp_path / name
    path.write_bytes(data)
    try:
        result = getattr(importlib.import_module(module), fn)(store, path)
    except TlrError:
        return
    for pid in result.ids:
        (row,) = store.rows(kind, "id = ?", (pid,))
        assert id_problem(row["id"]) is None
        for key in lines:
            assert text_problem(row[key]) is None
        for key in multiline:
            assert text_problem(row[key] or "", multiline=True) is None
        assert all(text_problem(x) is None for key in lists for x in row[key])
        if kind == "demands":
            assert row["budget"] is None or row["budget"] >= 0
            assert row["min_trl"] is None or 1 <= row["min_trl"] <= 9


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path, data, suffix):
    _read(tmp_path, "in" + suffix, data)


@FUZZ
@given(prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"[", b"{", b"PK\x03\x04",
                               b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
       data=st.binary(max_size=500), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_behind_magic_prefixes(tmp_path, prefix, data, suffix):
    _read(tmp_path, "in" + suffix, prefix + data)


@FUZZ_IMPORT
@given(rows=st.lists(st.lists(text, min_size=0, max_size=6), min_size=0, max_size=6),
       header=st.lists(st.sampled_from(HEADERS) | text, min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1", "cp1252", "big5"]),
       delimiter=st.sampled_from([",", "\t", ";"]))
@pytest.mark.parametrize("kind", KINDS)
def test_structured_csv_import(stores, kind, tmp_path, rows, header, encoding, delimiter):
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    _import(stores, kind, tmp_path, "p.csv", data)


json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner,
                                                                                                     max_size=3),
                          max_leaves=8)


@FUZZ_IMPORT
@given(items=st.lists(st.dictionaries(st.sampled_from(HEADERS) | text, json_value, max_size=7), max_size=5),
       wrap=st.booleans(), duplicate=st.booleans(), raw_tail=st.sampled_from(["", "NaN", "[[[[", "\"\\ud800\"",
                                                                              "1e999", "-Infinity"]))
@pytest.mark.parametrize("kind", KINDS)
def test_structured_json_import(stores, kind, tmp_path, items, wrap, duplicate, raw_tail):
    doc = {kind: items} if wrap else items
    text_ = json.dumps(doc, ensure_ascii=random.random() < 0.5, allow_nan=True)
    if duplicate and '{"' in text_:
        text_ = text_.replace('{"', '{"id": "D1", "id": "D2", "', 1)
    if raw_tail and text_.endswith("]"):
        text_ = text_[:-1] + ("," if text_ != "[]" else "") + raw_tail + "]"
    _import(stores, kind, tmp_path, "p.json", text_.encode("utf-8", errors="surrogatepass"))


def _xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "applicant", "industry"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BASE_XLSX = _xlsx_bytes([["Q1", "名称", "单位", "钢铁"], ["Q2", 3.5, True, "=1+1"]])


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(BASE_XLSX) - 1), st.integers(0, 255)), max_size=8),
       cut=st.integers(0, len(BASE_XLSX)))
def test_mutated_xlsx(tmp_path, flips, cut):
    data = bytearray(BASE_XLSX)
    for pos, value in flips:
        data[pos] = value
    _read(tmp_path, "in.xlsx", bytes(data[:cut] if cut > 20 else data))


@FUZZ
@given(sheet=st.text(alphabet=st.sampled_from(list('<>/="\'&;!?[]xcvrtsfe is 0123456789ABCDEF-.')), max_size=300))
def test_random_sheet_xml(tmp_path, sheet):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE_XLSX)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.split(b"<sheetData>")[0] + b"<sheetData>" + sheet.encode() + b"</sheetData></worksheet>"
            zout.writestr(info.filename, data)
    assume(len(buf.getvalue()) > 0)
    _read(tmp_path, "in.xlsx", buf.getvalue())
