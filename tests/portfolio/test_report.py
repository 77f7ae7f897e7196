"""The report's portfolio section: present with the solved numbers only when --portfolio is given."""

from __future__ import annotations

import re
import shutil

import pytest

from .campaign import build


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return build(tmp_path_factory.mktemp("portfolio-report") / "c").parent


def test_the_section_shows_the_selection_and_pool_use(case, tmp_path, capsys):
    from tlr.cli import main

    c = tmp_path / "c"
    shutil.copytree(case, c)
    args = ["report", str(c / "round"), "--format", "html", "--top", "0", "--draws", "50", "--lang", "en"]
    assert main(args + ["--out", str(tmp_path / "plain")]) == 0
    assert 'id="portfolio"' not in (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["portfolio", str(c / "round"), "--funds", str(c / "funds.yaml"), "--spec", str(c / "portfolio.yaml"),
                 "--draws", "50", "--json"]) == 0
    import json

    solved = json.loads(capsys.readouterr().out)
    assert main(args + ["--out", str(tmp_path / "pf"), "--portfolio", str(c / "portfolio.yaml"), "--funds",
                        str(c / "funds.yaml")]) == 0
    html = (tmp_path / "pf" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="chapter" id="portfolio">'):]
    section = section[:section.index("</section>")]
    assert 'href="#portfolio"' in html                                   # in the table of contents
    for pool in solved["pools"]:
        assert pool["id"] in section
        for p in pool["projects"]:
            assert p["project"] in section
    assert f"{solved['funded']} funded" in section
    assert section.count("<svg") == 2                                    # frontier and value for money
    assert re.search(r"P08.*no funding ask", section, re.S)


def test_portfolio_without_funds_is_refused(case, tmp_path, capsys):
    from tlr.cli import main

    code = main(["report", str(case / "round"), "--out", str(tmp_path / "r"), "--format", "html", "--portfolio",
                 str(case / "portfolio.yaml")])
    assert code == 2 and "--funds" in capsys.readouterr().err
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())
