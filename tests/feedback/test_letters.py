"""Feedback letters: the figures against hand calculations, the cohort bands against their definition, and
the bytes of every letter (HTML, and PDF text) free of any expert's or other project's identity."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from .conftest import (
    DIMENSION_OF,
    KNOCKED_OUT,
    N_EXPERTS,
    N_PROJECTS,
    THRESHOLDS,
    UNSCORED,
    WEIGHTS,
    expected,
    expert,
    identity_markers,
    project,
)

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(scope="module")
def evaluated(round_dir):
    from tlr.app.audit_gate import check_audit
    from tlr.app.evaluation import evaluate_campaign
    from tlr.campaign import open_campaign
    from tlr.evaluation import EvaluationOptions

    ledger = open_campaign(round_dir)
    audit = check_audit(ledger)
    ev = evaluate_campaign(ledger, EvaluationOptions(draws=200, seed=1))
    yield ledger, ev, audit
    ledger.close()


@pytest.fixture(scope="module")
def letters(evaluated):
    from tlr.app.feedback import build_letters

    ledger, ev, audit = evaluated
    return {lang: {x.project: x.data for x in build_letters(ledger, ev, lang=lang, audit=audit)} for lang in ("zh", "en")}


@pytest.fixture(scope="module")
def html(evaluated, tmp_path_factory):
    """Every letter rendered to HTML, in both languages: {lang: {project: text}}."""
    from tlr.app.feedback import build_letters, render_letters

    ledger, ev, audit = evaluated
    out = {}
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"letters-{lang}")
        written = render_letters(build_letters(ledger, ev, lang=lang, audit=audit), folder, formats=("html",),
                                 lang=lang)
        out[lang] = {item["project"]: Path(item["files"][0]["path"]).read_text(encoding="utf-8") for item in written}
    return out


def my_band(value: float, cohort: list[float]) -> str:
    """The documented definition, written again: strictly above / below, as a share of the cohort."""
    above = len([v for v in cohort if v > value + 1e-9])
    below = len([v for v in cohort if v < value - 1e-9])
    n = len(cohort)
    if above / n < 0.10:
        return "top10"
    if above / n < 0.25:
        return "top25"
    if below / n < 0.25:
        return "bottom25"
    return "middle"


# --------------------------------------------------------------------------------------------- figures


def test_every_project_gets_one_letter_best_first(letters):
    zh = letters["zh"]
    composites = [expected(k)["composite"] for k in range(N_PROJECTS)]
    order = sorted(range(N_PROJECTS), key=lambda k: -composites[k])
    assert list(zh) == [project(k)["id"] for k in order] + [project(UNSCORED)["id"]]  # the unscored one last


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tier_composite_rank_and_thresholds_match_hand_calculation(letters, lang):
    composites = [expected(k)["composite"] for k in range(N_PROJECTS)]
    for k in range(N_PROJECTS):
        d = letters[lang][project(k)["id"]]
        want = expected(k)
        assert d["composite"] == pytest.approx(want["composite"], abs=1e-9)
        assert d["tier"] == want["tier"], k
        assert d["rank"] == 1 + sum(c > composites[k] + 1e-9 for c in composites)
        assert d["n_ranked"] == N_PROJECTS
        assert [(t["code"], t["min_score"]) for t in d["tiers"]] == [("A", THRESHOLDS["A"]), ("B", THRESHOLDS["B"]),
                                                                     ("C", None)]
        assert [t["code"] for t in d["tiers"] if t["current"]] == [want["tier"]]
        assert d["knocked_out"] == (k == KNOCKED_OUT)


def test_a_project_nobody_scored_is_told_so(letters, html):
    d = letters["zh"][project(UNSCORED)["id"]]
    assert not d["scored"] and d["composite"] is None and d["rank"] is None
    assert d["dimensions"] == d["strengths"] == d["weaknesses"] == [] and d["next_tier"] is None
    assert "本项目未获专家评分，未参与排序。" in html["zh"][project(UNSCORED)["id"]]
    assert "received no expert scores" in html["en"][project(UNSCORED)["id"]]


def test_dimension_bands_match_the_cohort(letters):
    cohort = {dim: [expected(k)["dims"][dim] for k in range(N_PROJECTS)] for dim in DIMENSION_OF.values()}
    seen = set()
    for k in range(N_PROJECTS):
        d = letters["zh"][project(k)["id"]]
        assert [x["id"] for x in d["dimensions"]] == ["tech", "market", "team"]
        for x in d["dimensions"]:
            assert x["score"] == pytest.approx(expected(k)["dims"][x["id"]], abs=1e-9)
            assert x["band"] == my_band(expected(k)["dims"][x["id"]], cohort[x["id"]]), (k, x)
            seen.add(x["band"])
    assert seen == {"top10", "top25", "middle", "bottom25"}  # the round exercises every band


def test_band_definition_by_hand():
    from tlr.app.feedback import band

    cohort = list(range(1, 21))  # 20 values
    assert [band(v, cohort) for v in (20, 19, 18, 16, 15, 6, 5, 1)] == [
        "top10", "top10", "top25", "top25", "middle", "middle", "bottom25", "bottom25"]
    assert band(3, [3, 3, 3, 3, 3]) == "top10"  # ties count in the project's favour
    assert band(1, [1, 2, 3, 4]) is None  # fewer than MIN_COHORT values: no band
    assert band(None, cohort) is None


def test_strengths_are_high_and_weaknesses_low_in_the_cohort(letters):
    for k in range(N_PROJECTS):
        d = letters["zh"][project(k)["id"]]
        for key, worse in (("strengths", False), ("weaknesses", True)):
            for point in d[key]:
                ind = point["indicator"]
                mine = expected(k)["dims"][DIMENSION_OF[ind]]
                cohort = [expected(q)["dims"][DIMENSION_OF[ind]] for q in range(N_PROJECTS)]
                beyond = sum((v < mine - 1e-9) if worse else (v > mine + 1e-9) for v in cohort)
                assert beyond / N_PROJECTS < 0.5, (k, key, point)  # in the better (worse) half
                assert point["score"] == pytest.approx(mine, abs=1e-9)
        assert not {p["indicator"] for p in d["strengths"]} & {p["indicator"] for p in d["weaknesses"]}


def test_comments_come_with_their_indicator(letters):
    d = letters["zh"][project(4)["id"]]
    by_indicator = {p["indicator"]: p["comments"] for p in d["strengths"] + d["weaknesses"] + d["other_comments"]}
    assert len(by_indicator["novelty"]) == N_EXPERTS  # every expert commented on novelty
    assert len(by_indicator["team_q"]) == 1  # one expert commented on the team
    assert "demand" not in {p["indicator"] for p in d["other_comments"]}


def test_next_tier_gap_and_cheapest_indicators_by_hand(letters):
    for k in range(N_PROJECTS):
        d = letters["zh"][project(k)["id"]]
        want = expected(k)
        n = d["next_tier"]
        if k == KNOCKED_OUT:
            assert n is None
            continue
        if want["tier"] == "A":
            assert n == {"at_top": True}
            continue
        target = "A" if want["tier"] == "B" else "B"
        gap = THRESHOLDS[target] - want["composite"]
        assert n["code"] == target and n["min_score"] == THRESHOLDS[target]
        assert n["gap"] == pytest.approx(gap, abs=1e-9)
        # an indicator alone can close the gap iff its weight times its headroom (out of 100) reaches it
        now = {ind: want["dims"][DIMENSION_OF[ind]] for ind in WEIGHTS}
        alone = {ind for ind in WEIGHTS if WEIGHTS[ind] * (100 - now[ind]) >= gap - 1e-9}
        shown = {o["indicator"]: o for o in n["options"]}
        if alone:
            assert not n["combined"] and set(shown) == alone
            for ind, o in shown.items():
                assert o["now"] == pytest.approx(now[ind], abs=1e-9)
                assert o["needed"] == pytest.approx(now[ind] + gap / WEIGHTS[ind], abs=1e-9)
            rises = [o["needed"] - o["now"] for o in n["options"]]
            assert rises == sorted(rises)  # cheapest first
        else:
            assert n["combined"]
            gained = sum(WEIGHTS[ind] * (o["needed"] - o["now"]) for ind, o in shown.items())
            assert gained == pytest.approx(gap, abs=1e-9)


def test_knocked_out_letter_names_the_gate_and_its_rule(letters):
    for lang, rule, reason in (("zh", "权属清晰 == 否", "权属不清的成果不能进入基金"),
                               ("en", "Clear IP == no", "the fund cannot invest in unclear ownership")):
        d = letters[lang][project(KNOCKED_OUT)["id"]]
        assert d["knockouts"] == [{"gate": "ip_gate", "label": "知识产权权属不清" if lang == "zh" else
                                   "IP ownership unclear", "rule": rule, "reason": reason}]
    assert all(not letters["zh"][project(k)["id"]]["knockouts"] for k in range(N_PROJECTS) if k != KNOCKED_OUT)


def test_letters_carry_the_rubric_and_ledger_hashes(letters, evaluated, html):
    from tlr import __version__

    ledger = evaluated[0]
    footer = letters["zh"][project(0)["id"]]["footer"]
    assert footer["rubric_hash"] == ledger.rubric.content_hash
    from tlr.campaign import score_cube

    assert footer["scores_hash"] == score_cube(ledger).content_hash()
    assert footer["audit_head"] == ledger.audit_head()[1]
    assert footer["tool_version"] == __version__ and footer["verified"] is True and footer["stamp"] is None
    text = html["zh"][project(0)["id"]]
    for value in (footer["rubric_hash"], footer["scores_hash"], footer["audit_head"], f"tlr {__version__}"):
        assert value in text


def test_same_figures_as_the_report(evaluated, letters):
    from tlr.app.report_data import build_report_data

    ledger, ev, audit = evaluated
    report = {p.id: p for p in build_report_data(ledger, ev, lang="zh", audit=audit).projects}
    for pid, d in letters["zh"].items():
        p = report[pid]
        assert (d["composite"], d["tier"], d["rank"], d["readiness"]["level"], d["readiness"]["source"]) == (
            p.composite, p.tier, p.rank, p.readiness_level, p.readiness_source)
        if d["scored"]:
            assert {x["id"]: x["score"] for x in d["dimensions"]} == p.dimension_scores


# --------------------------------------------------------------------------------------------- anonymity


def _forbidden(k: int) -> list[str]:
    markers = [m for i in range(N_EXPERTS) for m in identity_markers(expert(i))]
    return markers + [m for q in range(N_PROJECTS + 1) if q != k for m in identity_markers(project(q))]


def test_scrubber_replaces_every_identity_but_keeps_the_own_project():
    from tlr.app.feedback import Scrubber

    scrub = Scrubber([expert(i) for i in range(N_EXPERTS)], [project(k) for k in range(N_PROJECTS)])
    text = scrub(comment_text := "Xpname02 Widget beats XPID03 and xpid04; Xename1 Marker (XEID1) of Xeorg1 "
                                 "Institute, xemail1@example.org. Own XPID01 Xpname01 Widget of Xpapp01 Ltd. "
                                 "XPID011 is not an id.", "XPID01", "en")
    assert text == ("another project beats another project and another project; an expert (an expert) of an "
                    "organisation, an expert. Own XPID01 Xpname01 Widget of Xpapp01 Ltd. XPID011 is not an id.")
    assert scrub(comment_text, "XPID01", "zh").startswith("另一项目 beats 另一项目 and 另一项目; 某专家 (某专家) of 某单位")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_letters_name_no_expert_and_no_other_project(html, lang, letters):
    composites = {k: f"{expected(k)['composite']:.1f}" for k in range(N_PROJECTS)}
    for k in range(N_PROJECTS + 1):
        text = html[lang][project(k)["id"]]
        folded = text.casefold()
        for marker in _forbidden(k):
            assert marker.casefold() not in folded, (k, marker)
        assert project(k)["id"] in text and project(k)["name"] in text  # its own identity stays
        if k not in (KNOCKED_OUT, UNSCORED):
            assert ("某专家" if lang == "zh" else "an expert") in text  # the comments are there, scrubbed
        # no other project's score: thresholds aside, none of their composites is printed
        allowed = {"75.0", "50.0", composites.get(k)}
        for q, c in composites.items():
            if q != k and c not in allowed:
                assert c not in text, (k, q, c)


def test_english_letters_have_no_chinese_labels(html, letters):
    from tlr.app.feedback import BANDS, STRINGS

    assert all(zh and en and not CJK.search(en) for zh, en in list(STRINGS.values()) + list(BANDS.values()))
    for pid, text in html["en"].items():
        assert not CJK.search(text), (pid, CJK.findall(text)[:5])
        scored = pid != project(UNSCORED)["id"]
        for word in ("Tiers of this round", "Basis of this letter") + (
                ("Composite score", "Position per dimension", "Strengths", "Areas to improve") if scored else ()):
            assert word in text
    assert "top 10%" in "".join(html["en"].values())


def test_the_shared_font_subset_covers_every_character_shown(evaluated, tmp_path, monkeypatch):
    """One font subset serves all the letters of a round: it must hold every character any of them shows
    (the round's name included, here in Chinese in an English letter)."""
    from tlr.app.feedback import build_letters, font_chars, render_letters

    ledger, ev, audit = evaluated
    monkeypatch.setitem(ledger.meta, "name", "测试轮次（第一批）")
    for lang in ("zh", "en"):
        letters = build_letters(ledger, ev, lang=lang, audit=audit)
        chars = font_chars(letters, lang)
        written = render_letters(letters[:3], tmp_path / lang, formats=("html",), lang=lang, chars=chars)
        for item in written:
            text = Path(item["files"][0]["path"]).read_text(encoding="utf-8")
            assert "测试轮次（第一批）" in text
            shown = set(re.sub(r'url\("data:[^"]*"\)', "", text))
            assert shown <= chars | {chr(c) for c in range(0x20, 0x7F)} | {"\n"}, (lang, shown - chars)


def test_chinese_letters_use_chinese_labels(html):
    text = html["zh"][project(4)["id"]]
    for word in ("评审意见反馈函", "综合得分", "各维度在全部参评项目中的位置", "前 10%", "后 25%", "评价依据"):
        assert word in text


@pytest.mark.slow
def test_pdf_letters_name_no_expert_and_no_other_project(evaluated, tmp_path):
    """Three letters as PDF (a top-tier one, a mid one, the knocked-out one): their extracted text."""
    pypdf = pytest.importorskip("pypdf")
    ledger, ev, audit = evaluated
    chosen = [project(k)["id"] for k in (0, 4, KNOCKED_OUT)]
    try:
        _check_pdf_letters(pypdf, ledger, ev, audit, chosen, tmp_path)
    finally:
        # WeasyPrint removes its temporary font folder when its font configuration is collected: collect now,
        # not during a later test that watches for writes outside its folder (tests/hostile)
        import gc

        gc.collect()


def _check_pdf_letters(pypdf, ledger, ev, audit, chosen, tmp_path):
    from tlr.app.feedback import build_letters, render_letters

    for lang in ("zh", "en"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            written = render_letters(build_letters(ledger, ev, chosen, lang=lang, audit=audit), tmp_path / lang,
                                     formats=("pdf",), lang=lang)
        assert [w["project"] for w in written] == chosen
        for item in written:
            k = int(item["project"][-2:])
            raw = Path(item["files"][0]["path"]).read_bytes()
            assert raw.startswith(b"%PDF")
            text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(item["files"][0]["path"]).pages)
            squashed = re.sub(r"\s+", "", text).casefold()
            for marker in _forbidden(k):
                assert marker.casefold() not in squashed, (lang, k, marker)
                assert marker.encode() not in raw
            assert project(k)["id"].casefold() in squashed
            assert f"{expected(k)['composite']:.1f}" in text
