from __future__ import annotations

import warnings

import pytest
from pydantic import ValidationError

from tlr.report import fonts
from tlr.report.errors import ReportError
from tlr.report.model import ReportData
from tlr.report.sample import INDUSTRIES, sample_report


def test_sample_is_deterministic_and_complete():
    a, b = sample_report(40, seed=3), sample_report(40, seed=3)
    assert a == b
    assert {p.industry for p in a.projects} == set(INDUSTRIES)
    s = a.compute_summary()
    assert s.n_projects == 40 and sum(s.per_tier.values()) == 40 and sum(s.per_industry.values()) == 40
    ranked = [p.rank for p in a.ranked() if p.rank is not None]
    assert ranked == list(range(1, len(ranked) + 1))


def test_json_round_trip():
    data = sample_report(6)
    assert ReportData.model_validate_json(data.model_dump_json()) == data


def test_contract_rejects_unknown_tier_and_duplicates():
    raw = sample_report(3).model_dump()
    raw["projects"][0]["tier"] = "Z"
    with pytest.raises(ValidationError, match="unknown tier"):
        ReportData.model_validate(raw)
    raw = sample_report(3).model_dump()
    raw["projects"][1]["id"] = raw["projects"][0]["id"]
    with pytest.raises(ValidationError, match="duplicate"):
        ReportData.model_validate(raw)


def test_font_is_shipped_with_licence():
    path = fonts.font_path()
    assert path.stat().st_size < 6_000_000
    assert (path.parent / fonts.LICENCE_FILE).read_text("utf-8").count("SIL OPEN FONT LICENSE Version 1.1") >= 1
    cov = fonts.coverage()
    for ch in "钢铁高端装备信息智能新能源新材料节能环保生物医药与健康县域特色产业，。（）《》“”、·—ABCxyz0123456789%":
        assert ord(ch) in cov, ch
    # Simplified forms: 汉字 in the SC cmap, and GBK's traditional forms are still covered
    assert ord("钢") in cov and ord("鋼") in cov


def test_missing_font_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError) as exc:
        fonts.font_path(tmp_path)
    assert "font" in exc.value.message
    (tmp_path / fonts.FONT_FILE).write_bytes(b"not a font")
    with pytest.raises(ReportError):
        fonts.font_path(tmp_path)


@pytest.mark.slow
def test_missing_glyph_warns_and_names_the_project(tmp_path):
    from tlr.report.render import render_report

    data = sample_report(3)
    data.projects[1].name = "𠀀𪚥新型装置"  # CJK Ext. B: outside the font
    with pytest.warns(fonts.MissingGlyphWarning, match=data.projects[1].id):
        render_report(data, tmp_path, formats=["html"], top=0)
    assert (tmp_path / "report.html").exists()


def test_url_fetcher_refuses_network_and_foreign_files(tmp_path):
    from tlr.report.render import make_url_fetcher

    fetcher = make_url_fetcher([fonts.FONTS_DIR])
    for url in ["http://example.com/x.css", "https://example.com/f.otf", "ftp://example.com/a",
                "data:text/css,body{}", (tmp_path / "x.css").as_uri(), "file://remotehost/etc/passwd"]:
        with pytest.raises(ReportError):
            fetcher.local_path(url)
    assert fetcher.local_path(fonts.font_path().as_uri()) == fonts.font_path()
    if hasattr(fetcher, "fetch"):
        with pytest.raises(ReportError):
            fetcher.fetch("http://example.com/x.css")


def test_charts_are_deterministic_outlines():
    from tlr.report import charts

    args = (["成熟度", "先进性", "可行性", "市场", "产业化", "风险"], [80, 70, 60, 50, 90, 40], [60] * 6)
    a = charts.radar(*args, value_name="本项目", reference_name="全体中位数")
    b = charts.radar(*args, value_name="本项目", reference_name="全体中位数")
    assert a == b and a.startswith("<svg")
    assert "<text" not in a  # glyphs as paths: renders the same everywhere
    assert "Date" not in a and "<metadata" not in a
