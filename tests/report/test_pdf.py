from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow  # WeasyPrint layout

pypdf = pytest.importorskip("pypdf")


def _text(reader) -> str:
    return "".join(page.extract_text() or "" for page in reader.pages)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def reader(rendered):
    return pypdf.PdfReader(str(rendered["pdf"]))


def test_pdf_contains_chinese_project_names(reader, sample):
    text = _squash(_text(reader))
    assert "执行摘要" in text and "项目排序总表" in text
    for p in sample.projects[1:]:  # the first is the hostile one
        assert _squash(p.name) in text, p.name
        assert _squash(p.applicant) in text
    assert "<script>alert(1)</script>" in text  # shown as text, never executed


def test_pdf_embeds_the_cjk_font_subset(reader):
    embedded = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            desc_font = descendants[0].get_object() if descendants else font
            descriptor = desc_font.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            has_file = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            embedded.append((str(font.get("/BaseFont")), has_file))
    cjk = [(name, ok) for name, ok in embedded if "TLR-Noto-Sans-CJK-SC" in name or "TLRNotoSansCJK" in name]
    assert cjk, embedded
    assert all(ok for _, ok in cjk)
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name, _ in cjk)  # subset tag


def test_pdf_structure(reader):
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)
    walk(reader.outline)
    for want in ["目录", "执行摘要", "项目排序总表", "分档项目", "项目评价详情", "附录一 评价方法", "附录二 审计信息"]:
        assert any(want in t for t in titles), (want, titles)
    n = len(reader.pages)
    assert f"2 / {n}" in reader.pages[1].extract_text()  # page numbers "p / n"
    assert "目录" in reader.pages[1].extract_text()
    # landscape pages for the ranked table
    assert any(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)
    assert reader.metadata.title and "评价报告" in reader.metadata.title


def test_pdf_has_no_external_links(rendered):
    raw = rendered["pdf"].read_bytes()
    assert b"/URI (http" not in raw and b"/URI(http" not in raw


def test_manual_html_and_pdf(tmp_path):
    from tlr.report.render import render_manual
    from tlr.rubric import load_rubric
    from pathlib import Path

    rubric = load_rubric(Path(__file__).resolve().parents[2] / "rubrics" / "fund-screening.yaml")
    paths = render_manual(rubric, tmp_path, formats=["html", "pdf"])
    assert [p.name for p in paths] == ["manual-fund-screening.html", "manual-fund-screening.pdf"]
    html = paths[0].read_text("utf-8")
    for node in rubric.indicators:
        assert f'id="n-{node.id}"' in html
        assert node.label.zh in html
    text = _squash(_text(pypdf.PdfReader(str(paths[1]))))
    assert "技术就绪水平" in text and "专家评分手册" in text
