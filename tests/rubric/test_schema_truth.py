"""`tlr rubric schema` tells the truth: a standard Draft 2020-12 validator (``jsonschema``) agrees with
``tlr rubric check`` wherever a schema can.

- every rubric and scale library the project ships or tests with (rubrics/, tests/, examples/) validates;
- every file of the broken corpora (tests/rubric/broken/, the rubric cases of tests/hostile/generate.py) is
  refused by the schema, except the files listed below, each with the reason a JSON Schema cannot see the
  mistake; the test asserts the list is exactly the set the schema accepts, so it cannot go stale.

Files are read with the project's own YAML/JSON reader (tlr.yamlio); a file that reader refuses (syntax,
encoding, NaN, control characters, alias bombs ...) never reaches a schema, so it is listed as such.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from tlr.cli.kit import json_text
from tlr.errors import TlrError
from tlr.rubric import check_rubric
from tlr.rubric.model import RATIO_PATTERN, _parse_ratio
from tlr.rubric.schema import rubric_json_schema
from tlr.yamlio import parse_json, parse_yaml, read_text

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parent / "broken"

# Not a document the schema sees: the project's reader refuses the file before any model or schema.
READER_REFUSES = "refused by the YAML reader (syntax, encoding, limits, non-finite numbers, control characters)"
CROSS_REF = "a reference to another part of the rubric or another file (a schema sees one value at a time)"
WHOLE_TREE = "a rule over several values (sums, order, uniqueness, ranges between fields, tree depth)"

# tests/rubric/broken/: the files a JSON Schema cannot refuse, and why
BROKEN_SCHEMA_CANNOT_SEE = {
    "ahp-and-weights": WHOLE_TREE,          # AHP on a dimension whose children also have direct weights
    "ahp-disconnected": WHOLE_TREE,         # the judgement graph does not connect the children
    "ahp-duplicate-pair": WHOLE_TREE,       # (a, b) and (b, a) both judged
    "ahp-incomplete": WHOLE_TREE,           # a missing pair
    "ahp-not-reciprocal": WHOLE_TREE,       # matrix[a][b] * matrix[b][a] != 1
    "ahp-unknown-child": CROSS_REF,
    "anchor-off-scale": WHOLE_TREE,         # anchor key outside min..max of the same scale
    "boolean-gate-value": CROSS_REF,        # the value's type depends on the scale of the indicator named
    "cycle-a": CROSS_REF,
    "cycle-b": CROSS_REF,
    "duplicate-id": WHOLE_TREE,
    "duplicate-key": READER_REFUSES,
    # a variant may fill an empty dimension with `add`, so `children: []` is not wrong on its own
    "empty-dimension": WHOLE_TREE,
    "extends-missing": CROSS_REF,
    "extends-unknown-node": CROSS_REF,
    "gate-unknown-ref": CROSS_REF,
    "hostile-alias-bomb": READER_REFUSES,
    "hostile-bidi-in-label": READER_REFUSES,
    "hostile-deep-tree": READER_REFUSES,
    "hostile-escape-in-label": READER_REFUSES,
    "hostile-huge-weight": READER_REFUSES,
    "hostile-inf-anchor-key": READER_REFUSES,
    "hostile-inf-max": READER_REFUSES,
    "hostile-nan-anchor-key": READER_REFUSES,
    "hostile-nan-weight": READER_REFUSES,
    "hostile-neg-inf-min": READER_REFUSES,
    "hostile-nul-in-label": READER_REFUSES,
    "hostile-recursive-alias": READER_REFUSES,
    "hostile-tree-33-levels": WHOLE_TREE,   # the tree is deeper than 32 levels
    "levels-duplicate": WHOLE_TREE,
    "levels-gap": WHOLE_TREE,
    "linear-bounds": WHOLE_TREE,            # lower must be below upper
    "not-utf8": READER_REFUSES,
    "piecewise-order": WHOLE_TREE,          # values strictly increasing
    "points-incomplete": CROSS_REF,         # the points table must give every level of the scale named
    "scale-library-as-rubric-import": CROSS_REF,
    "syntax-error": READER_REFUSES,
    "tab-indent": READER_REFUSES,
    "unknown-route": CROSS_REF,
    "unknown-scale": CROSS_REF,
    "unknown-tier": CROSS_REF,
    "weight-missing": WHOLE_TREE,           # some siblings weighted, one not
    "weights-sum": WHOLE_TREE,
}

# tests/hostile/generate.py, rubric cases refused by `tlr rubric check`: those a JSON Schema cannot refuse
HOSTILE_SCHEMA_CANNOT_SEE = {
    **dict.fromkeys([
        "syntax-unclosed-flow", "tab-indent", "whitespace-only", "binary-junk", "nul-in-middle", "png-named-yaml",
        "zip-named-yaml",
        "multi-document", "python-name-tag", "binary-tag", "complex-key", "duplicate-key", "weight-nan",
        "weight-inf", "min-neg-inf", "weight-huge-int", "level-huge", "anchor-key-nan", "deep-flow-150",
        "alias-bomb", "alias-recursive", "merge-bomb", "values-200k", "over-5mb", "label-escape", "label-bidi",
        "label-nul", "label-surrogate", "label-raw-c1", "utf16le-bom", "utf16le-nobom", "gbk", "latin1",
        "overlong-utf8", "json-nan", "json-dup-key", "json-trailing-comma"], READER_REFUSES),
    **dict.fromkeys(["duplicate-id", "weight-sum-two", "likert-min-over-max", "tree-40-levels"], WHOLE_TREE),
    **dict.fromkeys(["unknown-scale", "tier-unknown-ref", "extends-cycle", "extends-self", "extends-missing",
                     "extends-dev-zero", "extends-dir", "extends-traversal", "imports-dev-zero", "imports-rubric",
                     "ahp-unknown-child"], CROSS_REF),
}


def _json_view(value):
    """The data as a YAML language server hands it to a JSON Schema: mapping keys are strings."""
    if isinstance(value, dict):
        return {(str(k).lower() if isinstance(k, bool) else str(k)): _json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_view(v) for v in value]
    return value


READER_REFUSED = object()


def read_document(path: Path):
    """The document as the project's reader gives it, or READER_REFUSED."""
    try:
        text = read_text(path)
        parsed = (parse_json if path.suffix.lower() == ".json" else parse_yaml)(str(path), text)
    except TlrError:
        return READER_REFUSED
    if parsed.problems:
        return READER_REFUSED
    return _json_view(parsed.data)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(json_text(rubric_json_schema()))  # the schema as `tlr rubric schema` writes it
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_accepts(validator, path: Path) -> bool:
    data = read_document(path)
    return data is READER_REFUSED or validator.is_valid(data)


def _rubric_like(path: Path) -> bool:
    """A YAML file in tests/ or examples/ that is a rubric or scale library (not an AHP file, a TRL assessment ...)."""
    try:
        data = parse_yaml(str(path), read_text(path)).data
    except TlrError:
        return False
    return isinstance(data, dict) and ("dimensions" in data or "extends" in data or data.get("kind") in
                                       ("rubric", "scale_library"))


def _valid_files() -> list[Path]:
    shipped = sorted((ROOT / "rubrics").rglob("*.yaml"))
    others = [p for folder in ("tests", "examples") for p in sorted((ROOT / folder).rglob("*.yaml"))
              if BROKEN not in p.parents and _rubric_like(p)]
    return shipped + [p for p in others if check_rubric(p).ok or check_rubric(p).library is not None]


VALID = _valid_files()


def test_the_corpus_of_valid_files_is_what_we_think():
    names = {p.relative_to(ROOT).as_posix() for p in VALID}
    assert "rubrics/fund-screening.yaml" in names            # AHP judgements with '1/2' fractions
    assert "rubrics/fund-screening-county.yaml" in names     # a variant (extends)
    assert "rubrics/readiness/trl-nasa.yaml" in names        # a scale library
    assert "tests/campaign/fixtures/mini-rubric.yaml" in names
    assert len(VALID) >= 20


@pytest.mark.parametrize("path", VALID, ids=[p.relative_to(ROOT).as_posix() for p in VALID])
def test_every_valid_rubric_validates(validator, path: Path):
    result = check_rubric(path)
    assert result.ok, [d.format() for d in result.diagnostics]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
              for e in validator.iter_errors(read_document(path))]
    assert errors == []


def test_broken_corpus_refused_by_the_schema_unless_listed(validator):
    files = sorted(BROKEN.glob("*.yaml"))
    assert all(not check_rubric(p).ok for p in files)
    accepted = {p.stem for p in files if schema_accepts(validator, p)}
    assert accepted == set(BROKEN_SCHEMA_CANNOT_SEE), (
        f"refused now, drop from the list: {sorted(set(BROKEN_SCHEMA_CANNOT_SEE) - accepted)}; "
        f"accepted, but not listed: {sorted(accepted - set(BROKEN_SCHEMA_CANNOT_SEE))}")
    # the schema does refuse a good part of the corpus: unknown keys, bad ids, wrong types ...
    assert {"unknown-key", "unknown-key-top", "lang-key-typo", "bad-id", "bad-scale-kind", "wrong-type",
            "version-number", "negative-weight", "missing-title", "patch-without-extends",
            "ahp-out-of-range", "comma-in-flow-text"} <= {p.stem for p in files} - accepted


def _hostile_rubric_cases(root: Path):
    import sys

    sys.path.insert(0, str(ROOT))
    try:
        from tests.hostile.generate import REFUSED, Corpus, rubrics
    finally:
        sys.path.remove(str(ROOT))
    corpus = Corpus(root)
    rubrics(corpus)
    for case in corpus.cases:
        path = root / case.files[0]
        if case.expect == REFUSED and case.args[:2] == ["rubric", "check"] and path.is_file() \
                and not path.is_symlink():
            yield case.id.split("/", 1)[1], path


def test_hostile_rubrics_refused_by_the_schema_unless_listed(validator, tmp_path):
    cases = dict(_hostile_rubric_cases(tmp_path))
    assert len(cases) > 40
    accepted = {name for name, path in cases.items() if schema_accepts(validator, path)}
    assert accepted == set(HOSTILE_SCHEMA_CANNOT_SEE), (
        f"refused now, drop from the list: {sorted(set(HOSTILE_SCHEMA_CANNOT_SEE) - accepted)}; "
        f"accepted, but not listed: {sorted(accepted - set(HOSTILE_SCHEMA_CANNOT_SEE))}")


def _doc(**extra):
    base = {"id": "t", "version": "1", "title": "T", "scales": {"l5": {"kind": "likert"}},
            "dimensions": [{"id": "a", "label": "A", "children": [
                {"id": "a1", "label": "A1", "scale": "l5"}, {"id": "a2", "label": "A2", "scale": "l5"}]}]}
    base.update(extra)
    return base


@pytest.mark.parametrize("text", ["3", "1/3", " 1/9 ", "2.5", ".5", "5.", "+3", "1_0/3", "9/1"])
def test_ratio_pattern_accepts_what_the_loader_reads(text):
    import re

    assert re.fullmatch(RATIO_PATTERN, text)
    assert float(Fraction(text.strip())) == _parse_ratio(text)  # and the loader reads it as that fraction


@pytest.mark.parametrize("text", ["1e3", "one", "1/", "/3", "1/3/4", "-1/3", "1 / 3", "", "0x10", "0", "1/0", "0/3"])
def test_ratio_pattern_refuses_what_the_loader_refuses_or_is_negative(text, validator):
    import re

    assert not re.fullmatch(RATIO_PATTERN, text)
    try:
        value = _parse_ratio(text)
    except ValueError:
        return
    assert value <= 0  # '-1/3' and '0' read, but no judgement <= 0 passes check


def test_kind_defaults_to_rubric_and_a_library_needs_its_own_keys(validator):
    assert validator.is_valid(_doc())
    assert validator.is_valid(_doc(kind="rubric"))
    assert not validator.is_valid(_doc(kind="scale_library"))   # a library has no dimensions
    assert not validator.is_valid(_doc(kind="rubrik"))
    library = {"kind": "scale_library", "id": "lib", "version": "1", "title": "L",
               "scales": {"l5": {"kind": "likert"}}}
    assert validator.is_valid(library)
    assert not validator.is_valid({**library, "scales": {}})    # min one scale
    assert not validator.is_valid({**library, "scales": {"5 points": {"kind": "likert"}}})  # not an id


def test_variants_need_no_title_and_patches_need_extends(validator):
    variant = {"id": "v", "version": "1", "extends": "base.yaml", "remove": ["a2"], "weights": {"a1": 1}}
    assert validator.is_valid(variant)
    assert not validator.is_valid({**variant, "weights": {"a1": -1}})
    no_extends = {k: v for k, v in variant.items() if k != "extends"}
    assert not validator.is_valid({**no_extends, "title": "T", "dimensions": []})
    assert validator.is_valid(_doc(remove=[], add={}))           # empty overrides are harmless, as in check
    assert validator.is_valid(_doc(extends=""))                   # '' extends nothing: a plain rubric
    assert not validator.is_valid(_doc(extends="", remove=["a2"]))
    assert not validator.is_valid({k: v for k, v in _doc().items() if k != "title"})


def test_judgements_accept_fractions_within_saaty_scale(validator):
    def with_ahp(value):
        doc = _doc()
        doc["dimensions"][0]["ahp"] = {"judgements": [["a1", "a2", value]]}
        return doc

    for value in (3, 9, "1/9", "1/3", 0.5, "2"):
        assert validator.is_valid(with_ahp(value)), value
    for value in (12, 0, -3, 0.1, "one", "1e3", True):
        assert not validator.is_valid(with_ahp(value)), value


def test_the_schema_is_written_as_json():
    text = json.dumps(rubric_json_schema(), ensure_ascii=False)
    assert json.loads(text)["$schema"].endswith("2020-12/schema")


def test_known_disagreement_check_coerces_quoted_scalars(validator, tmp_path):
    """The one known direction where check is laxer than the schema, on purpose.

    pydantic's lax mode lets check read ``max: "5"`` as 5 and ``normalize: "yes"`` as true; the schema
    states the canonical types, so an editor flags these spellings. Should check become strict, this test
    tells: the rubric below is then refused by both.
    """
    path = tmp_path / "lax.yaml"
    lax = ('id: lax\nversion: "1"\ntitle: Lax\nscales: {l5: {kind: likert, max: "5"}}\nnormalize: "yes"\n'
           'dimensions:\n  - {id: a, label: A, weight: "1.0", children: [{id: a1, label: A1, scale: l5}]}\n')
    for quoted, plain in ((None, None), ('"5"', "5"), ('"yes"', "true"), ('"1.0"', "1.0")):
        if quoted:
            lax = lax.replace(quoted, plain)
        path.write_text(lax, encoding="utf-8")
        assert check_rubric(path).ok
        assert validator.is_valid(read_document(path)) == (quoted == '"1.0"')  # valid once all three are plain
