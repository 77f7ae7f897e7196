"""`tlr rubric check` reports every independent mistake in one run; only dependent checks are skipped.

The expected locations were read off the files by hand (the ``# expect:`` lines of
``planted/six-mistakes.yaml``), never taken from the tool's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlr.cli import main
from tlr.rubric import check_rubric

PLANTED = Path(__file__).parent / "planted" / "six-mistakes.yaml"
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$")


def _expectations(path: Path) -> list[tuple[int, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            out.append((int(match[1]), int(match[2]), match[3]))
    return out


def test_six_planted_mistakes_of_six_kinds_are_all_reported_in_one_run():
    expected = _expectations(PLANTED)
    assert len(expected) == 6
    result = check_rubric(PLANTED)
    assert result.rubric is None
    for line, column, message in expected:
        hits = [d for d in result.errors if d.location.line == line and d.location.column == column
                and message in d.message]
        assert hits, f"{line}:{column} {message!r} not reported; got:\n" + "\n".join(
            d.format() for d in result.diagnostics)
    assert len(result.errors) == 6, "\n".join(d.format() for d in result.errors)
    assert len({d.code for d in result.errors}) == 6


def test_cli_prints_one_line_per_planted_mistake(capsys):
    code = main(["rubric", "check", str(PLANTED)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) == 6
    assert sorted(int(line.split(":")[1]) for line in lines) == sorted(e[0] for e in _expectations(PLANTED))


def _check(tmp_path: Path, text: str, name: str = "r.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_rubric(path)


HEAD = 'id: r\nversion: "1"\ntitle: R\nscales: {l5: {kind: likert, min: 1, max: 5}}\n'


def test_a_dependent_error_is_skipped_and_counted_in_one_note(tmp_path: Path):
    # a's weight cannot be read: "the top-level weights sum to 0.5" would only repeat that mistake.
    result = _check(tmp_path, HEAD + (
        "dimensions:\n"
        "  - {id: a, label: A, weight: heavy, children: [{id: a1, label: A1, scale: l5}]}\n"   # line 6
        "  - {id: b, label: B, weight: 0.5, children: [{id: b1, label: B1, scale: l5}]}\n"))
    assert [(d.location.line, d.code) for d in result.errors] == [(6, "float_parsing")]
    notes = [d for d in result.diagnostics if d.severity == "note"]
    assert len(notes) == 1 and "1 further check(s) skipped" in notes[0].message and "root" in notes[0].message
    assert result.diagnostics[-1] is notes[0]


def test_a_misspelt_weight_hides_only_the_missing_weight(tmp_path: Path):
    result = _check(tmp_path, HEAD + (
        "dimensions:\n"
        "  - id: a\n"
        "    label: A\n"
        "    weight: 1\n"
        "    children:\n"
        "      - {id: a1, label: A1, scale: l5, weigth: 0.5}\n"     # line 10: the misspelling
        "      - {id: a2, label: A2, scale: l5, weight: 0.5}\n"
        "  - id: b\n"
        "    label: B\n"
        "    weight: 0.5\n"                                          # 1 + 0.5 is not 1: reported at line 8
        "    children: [{id: b1, label: B1, scale: l5}]\n"))
    by_line = {(d.location.line, d.code) for d in result.errors}
    assert by_line == {(10, "extra_forbidden"), (8, "weight_sum")}, "\n".join(d.format() for d in result.errors)
    assert not any(d.code == "weight_missing" for d in result.errors)


def test_an_unknown_key_does_not_hide_a_weight_sum_among_its_siblings(tmp_path: Path):
    result = _check(tmp_path, HEAD + (
        "dimensions:\n"
        "  - {id: a, label: A, weight: 0.7, remark: x, children: [{id: a1, label: A1, scale: l5}]}\n"  # line 6
        "  - {id: b, label: B, weight: 0.7, children: [{id: b1, label: B1, scale: l5}]}\n"))
    codes = sorted((d.location.line, d.code) for d in result.errors)
    assert codes == [(6, "extra_forbidden"), (6, "weight_sum")]


def test_pruned_list_items_do_not_shift_the_location_of_later_ones(tmp_path: Path):
    result = _check(tmp_path, HEAD + (
        "dimensions:\n"
        "  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}\n"
        "routes:\n"
        "  - {id: r1, label: R1, when: {ref: a1, op: '<<', value: 2}}\n"             # line 8: bad op
        "  - {id: r2, label: R2, when: {ref: zz, op: '<', value: 2}}\n"))            # line 9: unknown ref
    assert sorted((d.location.line, d.code) for d in result.errors) == [(8, "literal_error"), (9, "unknown_ref")]


def test_a_misspelt_required_key_is_reported_once(tmp_path: Path):
    result = _check(tmp_path, HEAD + (
        "dimensions:\n"
        "  - {id: a, lable: A, children: [{id: a1, label: A1, scale: l5}]}\n"))
    assert [(d.location.line, d.code) for d in result.errors] == [(6, "extra_forbidden")]
    assert "did you mean 'label'" in result.errors[0].message


def test_a_valid_rubric_has_no_note(tmp_path: Path):
    result = _check(tmp_path, HEAD + "dimensions:\n  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}\n")
    assert result.ok and not [d for d in result.diagnostics if d.severity == "note"]


def test_json_output_lists_the_note(capsys):
    import json

    code = main(["rubric", "check", "--json", str(Path(__file__).parent / "broken" / "hostile-nan-weight.yaml")])
    out = json.loads(capsys.readouterr().out)
    assert code == 2
    assert out[0]["notes"] and out[0]["notes"][0]["code"] == "checks_skipped"


def test_an_unreadable_id_hides_the_ahp_judgements_that_name_it(tmp_path: Path):
    result = _check(tmp_path, HEAD + (
        "ahp:\n"
        "  judgements: [[a, b, 3], [a, c, 2], [b, c, 1]]\n"
        "dimensions:\n"
        "  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}\n"
        "  - {id: {x: 1}, label: B, children: [{id: b1, label: B1, scale: l5}]}\n"     # line 9
        "  - {id: c, label: C, children: [{id: c1, label: C1, scale: l5}]}\n"))
    assert [(d.location.line, d.location.column) for d in result.errors] == [(9, 10)]
    assert "weights under root" in result.diagnostics[-1].message


HIDING = {   # a broken definition hides the checks that depend on it (but no independent one): the note names them
    "missing-scale-library": (
        "imports: [no-such-library.yaml]\n"                                                           # line 5
        "dimensions:\n"
        "  - {id: a, label: A, weight: 0.5, children: [{id: a1, label: A1, scale: trl}]}\n"
        "  - {id: b, label: B, weight: 0.6, children: [{id: b1, label: B1, scale: mrl}]}\n",         # line 8
        [(5, "import_missing"), (7, "weight_sum")], ["'a1'", "'b1'"]),
    "broken-tier-not-unknown-gate-ref": (
        "dimensions:\n"
        "  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}\n"
        "gates:\n"
        "  - {id: g, label: G, when: {ref: a2, op: '<', value: 2}, max_tier: t1}\n"     # line 8: a2 unknown
        "tiers:\n"
        "  - {id: t1, label: T1, min_score: lots}\n",                                   # line 10
        [(8, "unknown_ref"), (10, "float_parsing")], ["'t1'"]),
    "broken-route": (
        "dimensions:\n"
        "  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}\n"
        "gates:\n"
        "  - {id: g, label: G, when: {ref: a1, op: '<', value: 2}, route: research}\n"
        "routes:\n"
        "  - {id: research, label: R, when: {ref: a1, op: '~', value: 2}}\n",           # line 10: bad op
        [(10, "literal_error")], ["'research'"]),
}


@pytest.mark.parametrize("body, errors, named", HIDING.values(), ids=HIDING.keys())
def test_a_broken_definition_hides_what_depends_on_it(tmp_path: Path, body, errors, named):
    result = _check(tmp_path, HEAD + body)
    assert sorted((d.location.line, d.code) for d in result.errors) == errors
    note = result.diagnostics[-1]
    assert note.severity == "note" and all(words in note.message for words in named), note.message
