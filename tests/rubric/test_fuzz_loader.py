"""Fuzzing the readers: random bytes, YAML-ish text, random structures and mutated real rubrics.

Whatever the input, only :class:`tlr.errors.TlrError` may escape (no KeyError, RecursionError,
OverflowError ...), ``check_rubric`` never raises, and every error it reports names the file.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlr.errors import TlrError
from tlr.rubric import check_rubric, load_rubric
from tlr.yamlio import parse_json

import pytest

pytestmark = pytest.mark.slow  # property-based search over many generated inputs (full suite)

ROOT = Path(__file__).resolve().parents[2]
# TLR_FUZZ_EXAMPLES=5000 runs a long, randomised session; the default is a quick, reproducible one.
_LONG = int(os.environ.get("TLR_FUZZ_EXAMPLES", "0"))


def _fuzz(examples: int):
    return settings(max_examples=_LONG or examples, deadline=None, derandomize=not _LONG, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


FUZZ = _fuzz(100)

KEYS = ["id", "version", "title", "label", "weight", "children", "scale", "scales", "kind", "likert", "levels",
        "level", "anchors", "min", "max", "step", "bands", "dimensions", "gates", "tiers", "routes", "when", "ref",
        "op", "value", "ahp", "judgements", "matrix", "order", "normalize", "points", "role", "sources", "imports",
        "readiness", "aggregation", "method", "grades", "transform", "lower", "upper", "max_tier", "min_score",
        "remove", "add", "replace", "update", "weights", "format", "zh", "en", "all", "any", "not"]
TOKENS = KEYS + [": ", "- ", "\n", "  ", "    ", "[", "]", "{", "}", ", ", "&a ", "*a", "&b ", "*b", "<<: ",
                 ".nan", ".inf", "-.inf", "1", "0.5", "-3", "12", "'1/3'", "likert", "numeric", "boolean", "'x'",
                 '"\\0"', '"\\u202e"', "!!binary ", "!!python/object:os.system ", "!!set ", "? ", "~", "|\n",
                 ">\n", "# c\n", "\t", "9" * 60, "1.0e+999", "---\n", "...\n", "%YAML 1.1\n", "rubric",
                 "scale_library", "l5", "a", "b", "root", "composite", "'<'", "true", "2024-01-01", "\ufeff"]

yamlish = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(KEYS),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2070, exclude_categories=("Cs",)), max_size=12),
)
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.sampled_from(KEYS), scalars), inner, max_size=6)),
    max_leaves=40)


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _check_file(path: Path, *, also_load: bool = True) -> None:
    result = check_rubric(path)  # never raises
    for diagnostic in result.errors:
        assert diagnostic.location.file, diagnostic.format()
        diagnostic.format()
    if also_load:
        try:
            load_rubric(path)
        except TlrError:
            pass


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_random_bytes(tmp_path_factory, raw: bytes):
    path = tmp_path_factory.getbasetemp() / "fuzz-bytes.yaml"
    path.write_bytes(raw)
    _check_file(path)


@FUZZ
@given(text=yamlish)
def test_yaml_ish_text(tmp_path_factory, text: str):
    path = tmp_path_factory.getbasetemp() / "fuzz-text.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_file(path)


@FUZZ
@given(data=structures)
def test_random_structures(tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / "fuzz-structure.yaml"
    try:
        text = _dump(data)
    except yaml.YAMLError:
        return
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_file(path)


BASE = yaml.safe_load((ROOT / "rubrics" / "fund-screening.yaml").read_text(encoding="utf-8"))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


PATHS = [p for p in _paths(BASE) if p]


@_fuzz(25)
@given(choice=st.data())
def test_mutated_real_rubric(tmp_path_factory, choice):
    """A real rubric with a few values replaced, deleted or added: the error-recovery paths."""
    data = copy.deepcopy(BASE)
    for _ in range(choice.draw(st.integers(1, 4))):
        path = choice.draw(st.sampled_from(PATHS))
        parent = data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if parent is None:
            continue
        action = choice.draw(st.sampled_from(["replace", "delete", "add"]))
        try:
            if action == "replace":
                parent[path[-1]] = choice.draw(structures)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[choice.draw(st.sampled_from(KEYS + ["weigth", "lable", "chidren"]))] = choice.draw(structures)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        text = _dump(data)
    except yaml.YAMLError:
        return
    path = tmp_path_factory.getbasetemp() / "fuzz-mutated.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_file(path, also_load=False)


@FUZZ
@given(text=st.one_of(st.text(max_size=400), st.lists(st.sampled_from(
    ['{', '}', '[', ']', ',', ':', '"a"', '"b"', '1', '1e999', 'NaN', '-Infinity', 'true', 'null', '"\\u0000"',
     '"\\ud800"', '9' * 50, ' ', '\n']), max_size=150).map("".join)))
def test_strict_json_reader(text: str):
    try:
        parsed = parse_json("fuzz.json", text)
    except TlrError:
        return
    json.dumps(parsed.data, allow_nan=False)  # what is accepted is plain, finite JSON data
    for _, diagnostic in parsed.problems:
        assert diagnostic.location.file == "fuzz.json"
