"""funds.yaml: the models, and every problem reported at once with file, line, field and a fix."""

from __future__ import annotations

import textwrap

import pytest

from tlr.campaign.vocab import industry_id, industry_names
from tlr.errors import ValidationError
from tlr.push.model import Vocabulary, json_schema, load_funds

VOCAB = Vocabulary(industry_id, industry_names(), tiers=("A", "B", "C", "D"), fundable_tiers=("A", "B"),
                   routes=("research", "transfer", "land"))


def write(tmp_path, text: str):
    path = tmp_path / "funds.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(tmp_path, text: str, vocab: Vocabulary = VOCAB) -> list:
    path = write(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        load_funds(path, vocab)
    diags = info.value.diagnostics
    assert all(d.location.file == str(path) for d in diags)
    assert all(d.hint for d in diags), diags
    return [(d.code, d.location.line, d.location.field) for d in diags]


GOOD = """
version: 1
funds:
  - id: biomed
    name: {zh: 生物医药产业子基金, en: Biomedicine sub-fund}
    industries: [生物医药, new_materials]
    regions: [石家庄市, 辛集市]
    trl: [5, 9]
    ticket: [300, 3000]
    routes: [transfer, land]
  - id: open
    name: 任意
recipients:
  - id: tangshan
    name: {zh: 唐山市, en: Tangshan}
    kind: city
    regions: [唐山市, 迁安市]
    industries: [steel]
"""


def test_a_good_file_resolves_names_and_defaults(tmp_path):
    funds = load_funds(write(tmp_path, GOOD), VOCAB)
    biomed, opened, tangshan = funds.mandates
    assert biomed.industries == ("biomedicine_health", "new_materials")  # 生物医药 is a synonym
    assert biomed.trl == (5, 9) and biomed.ticket == (300.0, 3000.0)
    assert biomed.tiers == ("A", "B") and biomed.tiers_default  # omitted: the rubric's fundable tiers
    assert opened.industries is None and opened.regions is None and opened.trl is None and opened.routes is None
    assert opened.name == {"zh": "任意", "en": "任意"}
    assert tangshan.kind == "recipient" and tangshan.recipient_kind == "city" and tangshan.tiers is None
    assert [m.id for m in funds.funds] == ["biomed", "open"] and [m.id for m in funds.recipients] == ["tangshan"]
    import hashlib

    assert funds.sha256 == hashlib.sha256((tmp_path / "funds.yaml").read_bytes()).hexdigest()


def test_semantic_problems_are_all_located(tmp_path):
    found = problems(tmp_path, """
        funds:
          - id: a
            name: A
            industries: [steel, 钢铁x]
            routes: [transfer, lnad]
            tiers: [A, Z]
          - id: A
            name: again
        recipients:
          - id: r
            name: R
            regions: [唐山市]
            industries: [nope]
        """)
    assert found == [
        ("duplicate_id", 7, "funds[1].id"),
        ("unknown_industry", 4, "funds[0].industries[1]"),
        ("unknown_route", 5, "funds[0].routes[1]"),
        ("unknown_tier", 6, "funds[0].tiers[1]"),
        ("unknown_industry", 13, "recipients[0].industries[0]"),
    ]


def test_a_misspelt_route_gets_a_suggestion(tmp_path):
    path = write(tmp_path, "funds:\n  - {id: a, name: A, routes: [lnad]}\n")
    with pytest.raises(ValidationError) as info:
        load_funds(path, VOCAB)
    assert "did you mean 'land'" in info.value.diagnostics[0].message


@pytest.mark.parametrize("body, code, line, field", [
    ("  - {id: a, name: A, trl: [7, 5]}", "value_error", 2, "funds[0].trl"),
    ("  - {id: a, name: A, ticket: [3000, 300]}", "value_error", 2, "funds[0].ticket"),
    ("  - {id: a, name: A, trl: [5, 10]}", "less_than_equal", 2, "funds[0].trl[1]"),
    ("  - {id: a, name: A, trl: [0, 5]}", "greater_than_equal", 2, "funds[0].trl[0]"),
    ("  - {id: a, name: A, ticket: [-1, 5]}", "greater_than_equal", 2, "funds[0].ticket[0]"),
    ("  - {id: a, name: A, trl: [5]}", "value_error", 2, "funds[0].trl"),
    ("  - {id: a, name: A, colour: red}", "extra_forbidden", 2, "funds[0].colour"),
    ("  - {id: ../x, name: A}", "string_pattern_mismatch", 2, "funds[0].id"),
    ("  - {id: a}", "missing", 2, "funds[0].name"),
    ("  - {id: a, name: A, industries: []}", "too_short", 2, "funds[0].industries"),
])
def test_structural_problems_are_located(tmp_path, body, code, line, field):
    found = problems(tmp_path, "funds:\n" + body + "\n")
    assert (code, line, field) in found


def test_the_range_message_says_which_bound(tmp_path):
    path = write(tmp_path, "funds:\n  - {id: a, name: A, trl: [7, 5]}\n")
    with pytest.raises(ValidationError) as info:
        load_funds(path, VOCAB)
    assert "lower bound 7 is above the upper bound 5" in info.value.diagnostics[0].message


def test_a_recipient_needs_regions(tmp_path):
    assert ("missing", 2, "recipients[0].regions") in problems(tmp_path, "recipients:\n  - {id: r, name: R}\n")


def test_no_tiers_and_no_fundable_tier_is_an_error_at_the_fund(tmp_path):
    vocab = Vocabulary(industry_id, industry_names(), tiers=("A", "B"), fundable_tiers=(), routes=())
    found = problems(tmp_path, "funds:\n  - id: a\n    name: A\n", vocab)
    assert found == [("no_fundable_tiers", 2, "funds[0]")]


def test_a_rubric_without_tiers_leaves_tiers_open(tmp_path):
    vocab = Vocabulary(industry_id, industry_names())
    funds = load_funds(write(tmp_path, "funds:\n  - {id: a, name: A}\n"), vocab)
    assert funds.mandates[0].tiers is None


def test_an_empty_file_and_a_list_are_refused(tmp_path):
    assert problems(tmp_path, "# nothing\n") == [("funds_empty", 1, None)]
    assert problems(tmp_path, "- a\n- b\n") == [("funds_shape", 1, None)]


def test_yaml_safety_applies(tmp_path):
    found = problems(tmp_path, "funds:\n  - {id: a, name: A}\nfunds: []\n")
    assert found[0][0] == "duplicate_key" and found[0][1] == 3


def test_the_schema_names_every_field_in_both_languages():
    schema = json_schema()
    fund = schema["$defs"]["Fund"]["properties"]
    assert set(fund) == {"id", "name", "industries", "regions", "trl", "ticket", "routes", "tiers", "budget"}
    assert all(" / " in fund[k]["description"] for k in fund if k != "name")
