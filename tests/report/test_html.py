from __future__ import annotations

import re
import warnings

import pytest

from tlr.report.errors import ReportError
from tlr.report.render import render_report
from tlr.report.sample import sample_report

from .conftest import HOSTILE

SECTIONS = ["cover", "toc", "summary", "ranked", "tiers", "profiles", "methodology", "audit"]


@pytest.mark.slow  # renders the PDF
def test_writes_only_the_asked_files(rendered):
    import hashlib
    import json

    names = sorted(p.name for p in rendered["out"].iterdir())
    assert names == [".tlr-manifest.json", "report.html", "report.pdf"]  # + tlr's record of what it wrote
    recorded = json.loads((rendered["out"] / ".tlr-manifest.json").read_text("utf-8"))["files"]
    assert {n: e["sha256"] for n, e in recorded.items()} == {
        n: hashlib.sha256((rendered["out"] / n).read_bytes()).hexdigest() for n in ("report.html", "report.pdf")}
    assert {"charts", "html", "pdf"} <= set(rendered["stages"])


def test_hostile_names_are_escaped(rendered_html):
    html = rendered_html["html"].read_text("utf-8")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>&" not in html  # the hostile applicant
    # the only scripts are ours: one inline block, no src
    assert len(re.findall(r"<script\b", html)) == 1
    assert not re.search(r"<script[^>]*\bsrc=", html)


def test_every_section_present(rendered_html):
    html = rendered_html["html"].read_text("utf-8")
    for sid in SECTIONS:
        assert f'id="{sid}"' in html, sid
    assert html.count('class="profile"') == 4  # top=4


def test_self_contained_no_network(rendered_html):
    html = rendered_html["html"].read_text("utf-8")
    assert "<link" not in html and "<img" not in html and "@import" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//|file:)""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:|//|file:)", html, re.I)
    # the font travels inside the HTML, cut to the document's characters
    faces = re.findall(r"@font-face \{[^}]*\}", html)
    assert len(faces) == 1 and 'src: url("data:font/' in faces[0]
    assert len(html.encode()) < 2_000_000


def test_ids_unique(rendered_html):
    html = rendered_html["html"].read_text("utf-8")
    ids = re.findall(r'\bid="([^"]+)"', html)
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes


def test_full_ranked_table_has_every_project(rendered_html, sample):
    html = rendered_html["html"].read_text("utf-8")
    body = html.split('id="ranked-table"', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr data-tier=") == len(sample.projects)
    for p in sample.projects[1:]:
        assert p.name in html


@pytest.mark.slow
def test_same_data_same_bytes(sample, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = render_report(sample, tmp_path / "a", formats=["html"], top=2)[0].read_bytes()
        b = render_report(sample_report(12, seed=7, hostile=True), tmp_path / "b", formats=["html"], top=2)[0].read_bytes()
    assert a == b


def test_english(tmp_path):
    data = sample_report(5, seed=1)
    html = render_report(data, tmp_path, formats=["html"], lang="en", top=1)[0].read_text("utf-8")
    assert "Executive summary" in html and 'lang="en"' in html
    assert "Appendix A. Methodology" in html


def test_output_stays_under_out(sample, tmp_path):
    from tlr.report.render import output_path

    for bad in ["../x.html", "a/b.html", "/etc/x", "..", ".hidden"]:
        with pytest.raises(ReportError):
            output_path(tmp_path, bad)
    with pytest.raises(ReportError):
        render_report(sample, tmp_path, formats=["html"], basename="../evil")
    assert not (tmp_path.parent / "evil.html").exists()


def test_missing_templates_is_a_clear_error(sample, tmp_path):
    with pytest.raises(ReportError) as exc:
        render_report(sample, tmp_path / "out", formats=["html"], templates_dir=tmp_path / "nope")
    assert "template" in exc.value.message and exc.value.exit_code == 2
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError) as exc:
        render_report(sample, tmp_path / "out", formats=["html"], templates_dir=tmp_path / "empty")
    assert "report.html.j2" in exc.value.message
    assert not (tmp_path / "out" / "report.html").exists()


@pytest.mark.slow
def test_template_override(sample, tmp_path):
    from tlr.report.render import default_templates_dir
    import shutil

    tdir = tmp_path / "tpl"
    shutil.copytree(default_templates_dir(), tdir)
    cover = tdir / "partials" / "cover.html.j2"
    cover.write_text(cover.read_text("utf-8").replace('<div class="rule"></div>', '<div class="rule"></div>自定义封面'),
                     "utf-8")
    html = render_report(sample, tmp_path / "out", formats=["html"], top=0, templates_dir=tdir)[0].read_text("utf-8")
    assert "自定义封面" in html and 'id="profiles"' not in html


def test_bad_format_and_lang(sample, tmp_path):
    with pytest.raises(ReportError):
        render_report(sample, tmp_path, formats=["docx"])
    with pytest.raises(ReportError):
        render_report(sample, tmp_path, formats=["html"], lang="fr")
