"""A PDF laid out in parts on several processes is the PDF laid out whole: the same pages with the same
text (page numbers and running headers included), bookmarks, links and named destinations (issue 16)."""

from __future__ import annotations

import sys
import warnings

import pytest

pytest.importorskip("weasyprint")
from pypdf import PdfReader  # noqa: E402

from tlr.report import pdf_parts, render  # noqa: E402
from tlr.report.sample import sample_report  # noqa: E402

TOP = 9
CUTS = [("main", 3), ("tail", 3, 6), ("tail", 6, 9)]


def _render(data, out, monkeypatch, cuts):
    monkeypatch.setattr(pdf_parts, "plan", lambda *a, **k: cuts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (path,) = render.render_report(data, out, formats=["pdf"], top=TOP)
    return PdfReader(path), path.read_bytes()


def _outline(reader, items=None, depth=0, out=None):
    out = [] if out is None else out
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            _outline(reader, item, depth + 1, out)
        else:
            out.append((depth, str(item.title), reader.get_destination_page_number(item), round(float(item.top), 1)))
    return out


def _links(reader):
    return [(i, [round(float(v), 1) for v in a.get_object()["/Rect"]], str(a.get_object().get("/Dest")))
            for i, page in enumerate(reader.pages) for a in page.get("/Annots", None) or []
            if a.get_object().get("/Subtype") == "/Link"]


def _dests(reader):
    return {name: (reader.get_destination_page_number(d), round(float(d.top), 1))
            for name, d in reader.named_destinations.items()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    data = sample_report(24, seed=5)
    with pytest.MonkeyPatch.context() as mp:
        whole = _render(data, tmp_path_factory.mktemp("whole"), mp, None)
        parts = _render(data, tmp_path_factory.mktemp("parts"), mp, CUTS)
        again = _render(data, tmp_path_factory.mktemp("again"), mp, CUTS)
    return whole, parts, again, data


def test_parts_give_the_same_pages_numbers_and_headers(rendered):
    (whole, _), (parts, _), _, _ = rendered
    assert len(parts.pages) == len(whole.pages) > 2 * TOP
    n = len(whole.pages)
    texts = [p.extract_text() for p in parts.pages]
    assert texts == [p.extract_text() for p in whole.pages]
    # the numbering crosses the cuts: every page after the cover says "k / n"
    assert all(f"{k} / {n}" in text for k, text in enumerate(texts, 1) if k > 1)
    # each of the later parts' first pages carries the running headers it would have inherited
    title = whole.metadata.title
    assert all(title in text for text in texts[1:])


def test_parts_give_the_same_bookmarks_links_and_destinations(rendered):
    (whole, _), (parts, _), _, data = rendered
    assert _outline(parts) == _outline(whole)
    depth, label, _page, _top = _outline(whole)[-1]
    assert depth == 1  # the last profile's bookmark sits under the profiles chapter
    assert _links(parts) == _links(whole) and len(_links(whole)) >= TOP
    assert _dests(parts) == _dests(whole)
    # every link to a profile, in whichever part, reaches the page that profile starts on
    names = {f"p-{i}": p.name for i, p in enumerate(data.ranked()[:TOP], 1)}
    dests = _dests(parts)
    reached = {name for _page, _rect, name in _links(parts) if name in names}
    assert reached == set(names)
    for name in reached:
        assert names[name] in parts.pages[dests[name][0]].extract_text()
    assert parts.metadata == whole.metadata
    assert parts.trailer["/Root"].get("/Lang") == whole.trailer["/Root"].get("/Lang")


def test_parts_are_reproducible_byte_for_byte(rendered):
    _, (_, first), (_, second), _ = rendered
    assert first == second


def test_a_failed_part_falls_back_to_the_whole_layout(tmp_path, monkeypatch, rendered):
    (_, whole), _, _, data = rendered
    monkeypatch.setattr(pdf_parts, "_child_command", lambda *fds: [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(pdf_parts.PartsFailed):
        pdf_parts.write_pdf(["<p>a</p>", "<p>b</p>"], render.default_templates_dir())
    _, pdf = _render(data, tmp_path, monkeypatch, CUTS)
    assert pdf == whole


def test_an_error_inside_a_part_is_reported_not_hung(monkeypatch):
    # a part whose job cannot be read (not a pickle) answers with an error: the parent raises, at once
    monkeypatch.setattr(pdf_parts, "_child_command", lambda job, msg: [
        sys.executable, "-c",
        f"import os, pickle; os.read({job}, 1 << 20); f = os.fdopen({msg}, 'wb'); "
        f"pickle.dump(('error', 'boom'), f); f.close()"])
    with pytest.raises(pdf_parts.PartsFailed, match="boom"):
        pdf_parts.write_pdf(["<p>a</p>", "<p>b</p>"], render.default_templates_dir())


def test_a_part_process_that_cannot_start_is_a_refusal(monkeypatch):
    monkeypatch.setattr(pdf_parts, "_child_command", lambda *fds: ["/nonexistent/python"])
    with pytest.raises(pdf_parts.PartsFailed, match="cannot start"):
        pdf_parts.write_pdf(["<p>a</p>", "<p>b</p>"], render.default_templates_dir())


def test_without_the_margin_step_the_parts_refuse(monkeypatch):
    from weasyprint import layout

    monkeypatch.delattr(layout, "make_margin_boxes")
    with pytest.raises(pdf_parts.PartsFailed):
        with pdf_parts._numbered_margins(lambda pages: (0, pages)):
            pass


def test_numbering_is_asked_once_with_the_page_count(tmp_path):
    asked = []
    pdf = pdf_parts._lay_out(
        "<style>@page { @bottom-center { content: counter(page) ' / ' counter(pages) } }</style>"
        "<p>one</p><p style='break-before: page'>two</p>",
        render.default_templates_dir(), b"", lambda pages: asked.append(pages) or (40, 99))
    assert asked == [2]
    (tmp_path / "x.pdf").write_bytes(pdf)
    texts = [p.extract_text() for p in PdfReader(tmp_path / "x.pdf").pages]
    assert "41 / 99" in texts[0] and "42 / 99" in texts[1]


@pytest.mark.parametrize("n_profiles,n_rows,workers,expected", [
    (100, 1000, 1, None),            # one core: nothing to gain
    (0, 10, 4, None),                # no profiles
    (10, 1000, 2, None),             # under MIN_TAIL_COST of profiles to hand out
    (100, 1000, 2, [("main", 16), ("tail", 16, 100)]),  # the 1,000-project paper on two cores
    (100, 1000, 4, [("main", 1), ("tail", 1, 34), ("tail", 34, 67), ("tail", 67, 100)]),
    (30, 30, 2, [("main", 9), ("tail", 9, 30)]),
])
def test_plan_cases(n_profiles, n_rows, workers, expected):
    assert pdf_parts.plan(n_profiles, n_rows, workers) == expected


@pytest.mark.parametrize("workers", [2, 3, 4, 8])
@pytest.mark.parametrize("n_profiles,n_rows", [(30, 30), (60, 200), (100, 1000), (100, 60), (400, 5000)])
def test_plan_covers_every_profile_once_and_balances(workers, n_profiles, n_rows):
    cuts = pdf_parts.plan(n_profiles, n_rows, workers)
    assert cuts is not None and len(cuts) <= min(workers, 4)
    kind, k = cuts[0]
    assert kind == "main" and k >= 1  # the chapter heading keeps its first profile
    bounds = [k] + [b for _kind, _a, b in cuts[1:]]
    assert [a for _kind, a, _b in cuts[1:]] == bounds[:-1] and bounds[-1] == n_profiles
    assert all(b > a for _kind, a, b in cuts[1:])
    # estimated costs: the tails differ by at most one profile; the first part is within one profile of
    # them, unless its fixed work alone is already more than a fair share (then it holds one profile)
    main = pdf_parts.FIXED_COST + n_rows * pdf_parts.ROW_COST + k * pdf_parts.PROFILE_COST
    tails = [(b - a) * pdf_parts.PROFILE_COST for _kind, a, b in cuts[1:]]
    assert max(tails) - min(tails) <= pdf_parts.PROFILE_COST + 1e-9
    if k > 1:
        assert abs(max(tails) - main) <= 2 * pdf_parts.PROFILE_COST + 1e-9
