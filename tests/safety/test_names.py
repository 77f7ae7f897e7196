"""The file-name sanitiser and the join that proves a path stays inside the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlr.outputs import MAX_NAME_BYTES, OutputError, join_under, safe_name, safe_names

WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}

HOSTILE = [
    "../../../../tmp/ESCAPED", "..", ".", "", "/", "/etc/passwd", "C:\\Windows\\system32", "C:evil", "a\0b", "\0",
    "x" * 5000, "专" * 300, "CON", "con.txt", "Nul.tar.gz", "LPT9", "COM¹", "AUX ", "trailing.", "trailing ",
    ".hidden", "-rf", "--out", "a/b", "a\\b", "line\nbreak", "tab\tname", "rtl\u202eexe.txt", "e\u0301", "\u00e9",
    "~", "~root", "$HOME", "*?<>|\":", " ", "....", "..\\..\\x", "\udcff",
]


def _check_is_one_safe_component(name: str) -> None:
    assert name and name not in (".", "..")
    assert not any(c in name for c in "/\\\0:*?\"<>|") and not any(ord(c) < 32 for c in name)
    assert not name.startswith((".", "-", "_")) and not name.endswith((".", " "))
    assert name.split(".")[0].casefold() not in WINDOWS_DEVICES
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_becomes_one_file_directly_inside_the_folder(text, tmp_path):
    name = safe_name(text, ".xlsx")
    _check_is_one_safe_component(name[: -len(".xlsx")])
    path = join_under(tmp_path, name)
    path.write_bytes(b"x")                                   # the real file system accepts it ...
    assert [p.name for p in tmp_path.iterdir()] == [name]   # ... and it is directly inside the folder
    assert path.resolve().parent == tmp_path.resolve()


def test_safe_text_is_kept_and_changed_text_is_marked():
    assert safe_name("E07") == "E07" and safe_name("P2026-001", ".csv") == "P2026-001.csv"
    assert safe_name("专家甲") == "专家甲"                    # Chinese ids stay readable
    assert safe_name("../../../../tmp/ESCAPED").startswith("tmp_ESCAPED-")
    # two ids cleaned to the same text still get different names (the digest of the original text)
    assert safe_name("a/b") != safe_name("a:b") != safe_name("a b")


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_a_safe_name_that_maps_to_itself(text):
    name = safe_name(text)
    _check_is_one_safe_component(name)
    assert safe_name(name) == name


@given(st.lists(st.text(min_size=0, max_size=20), max_size=30))
@settings(max_examples=200, deadline=None)
def test_a_batch_of_ids_gets_distinct_names_even_ignoring_case(texts):
    names = safe_names(texts, ".xlsx")
    assert set(names) == set(texts)
    assert len({n.casefold() for n in names.values()}) == len(names)


def test_names_differing_only_by_case_do_not_overwrite_each_other(tmp_path):
    names = safe_names(["E07", "e07", "E08"], ".xlsx")
    assert names["E08"] == "E08.xlsx"
    assert names["E07"].casefold() != names["e07"].casefold()


@pytest.mark.parametrize("part", ["..", ".", "", "../x", "a/b", "a\\b", "/etc/passwd", "x\0y", "C:x"])
def test_join_under_refuses_anything_but_one_plain_component(part, tmp_path):
    with pytest.raises(OutputError):
        join_under(tmp_path, part)


def test_join_under_refuses_a_symlink_that_leads_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    os.symlink(outside / "f.txt", root / "f.txt")
    with pytest.raises(OutputError):
        join_under(root, "link", "x.csv")
    with pytest.raises(OutputError):
        join_under(root, "f.txt")
    assert join_under(root, "ok.csv") == root.resolve() / "ok.csv"


def test_report_output_names_must_already_be_safe(tmp_path):
    from tlr.report.errors import ReportError
    from tlr.report.render import output_path

    assert output_path(tmp_path, "report.html") == Path(tmp_path).resolve() / "report.html"
    for bad in ["../x.html", "a/b.html", "/etc/x", "..", ".hidden", "CON.html", "x\0.html"]:
        with pytest.raises(ReportError):
            output_path(tmp_path, bad)
