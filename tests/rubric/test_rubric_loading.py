"""Loading valid rubrics: weights, extends overrides, imports, frozen copies, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tlr.cli import main
from tlr.rubric import Rubric, check_rubric, load_rubric, load_scale_library
from tlr.rubric.scales import parse_score

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "rubrics"
SHIPPED = sorted(RUBRICS.glob("*.yaml"))
LIBRARIES = sorted(RUBRICS.glob("*/*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_rubrics_are_valid(path: Path):
    result = check_rubric(path)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    rubric = result.rubric
    assert math.isclose(rubric.global_weights().sum(), 1.0, abs_tol=1e-12)
    assert all(r.consistent for r in rubric.ahp.values())


@pytest.mark.parametrize("path", LIBRARIES, ids=[p.stem for p in LIBRARIES])
def test_shipped_scale_libraries_are_valid(path: Path):
    library = load_scale_library(path)
    assert library.scales


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
id: base
version: "1"
title: {zh: 基础, en: Base}
scales:
  l5: {kind: likert, min: 1, max: 5}
dimensions:
  - id: tech
    label: Tech
    weight: 0.6
    children:
      - {id: novelty, label: Novelty, scale: l5, weight: 0.5}
      - {id: maturity, label: Maturity, scale: l5, weight: 0.5}
  - id: market
    label: Market
    weight: 0.4
    children:
      - {id: size, label: Size, scale: l5, weight: 0.75}
      - {id: growth, label: Growth, scale: l5, weight: 0.25}
"""


def test_global_weight_is_product_of_local_weights(tmp_path: Path):
    rubric = load_rubric(_write(tmp_path, "base.yaml", BASE))
    got = {n.id: n.global_weight for n in rubric.scored_indicators}
    # hand calculation
    assert got == pytest.approx({"novelty": 0.3, "maturity": 0.3, "size": 0.3, "growth": 0.1})


def test_extends_remove_add_update_weights(tmp_path: Path):
    _write(tmp_path, "base.yaml", BASE)
    variant = _write(tmp_path, "variant.yaml", """\
extends: base.yaml
id: variant
version: "2"
remove: [growth]
add:
  tech:
    - {id: team, label: Team, scale: l5, weight: 0.2}
update:
  novelty: {label: {zh: 新颖性, en: Novelty}}
weights: {novelty: 0.4, maturity: 0.4, size: 1.0}
""")
    rubric = load_rubric(variant)
    assert rubric.id == "variant" and rubric.version == "2"
    assert rubric.document.title.zh == "基础"  # inherited
    assert [n.id for n in rubric.indicators] == ["novelty", "maturity", "team", "size"]
    assert rubric.node("novelty").label.zh == "新颖性"
    got = {n.id: n.global_weight for n in rubric.scored_indicators}
    assert got == pytest.approx({"novelty": 0.24, "maturity": 0.24, "team": 0.12, "size": 0.4})


def test_extends_replace_and_normalize(tmp_path: Path):
    _write(tmp_path, "base.yaml", BASE)
    variant = _write(tmp_path, "variant.yaml", """\
extends: base.yaml
id: variant
version: "1"
normalize: true
replace:
  - id: market
    label: Market
    weight: 1
    children:
      - {id: share, label: Share, scale: l5, weight: 3}
      - {id: price, label: Price, scale: l5, weight: 1}
""")
    rubric = load_rubric(variant)
    got = {n.id: n.global_weight for n in rubric.scored_indicators}
    # tech 0.6 and market 1 normalised: 0.375 / 0.625; share:price = 3:1
    assert got == pytest.approx({"novelty": 0.1875, "maturity": 0.1875, "share": 0.46875, "price": 0.15625})


def test_county_variant_is_a_few_lines():
    text = (RUBRICS / "fund-screening-county.yaml").read_text(encoding="utf-8")
    meaningful = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert len(meaningful) <= 30


def test_ahp_weights_match_hand_calculation(tmp_path: Path):
    # For a 3x3 matrix the eigenvector equals the row geometric mean (Saaty 1980): rows
    # (1, 2, 1/2), (1/2, 1, 1/3), (2, 3, 1) -> geometric means 1, (1/6)^(1/3), 6^(1/3).
    path = _write(tmp_path, "ahp.yaml", """\
id: ahp
version: "1"
title: AHP
scales: {l5: {kind: likert}}
ahp:
  judgements: [[a, b, 2], [a, c, "1/2"], [b, c, "1/3"]]
dimensions:
  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}
  - {id: b, label: B, children: [{id: b1, label: B1, scale: l5}]}
  - {id: c, label: C, children: [{id: c1, label: C1, scale: l5}]}
""")
    rubric = load_rubric(path)
    gm = np.array([1.0, (1 / 6) ** (1 / 3), 6 ** (1 / 3)])
    np.testing.assert_allclose([rubric.node(i).local_weight for i in "abc"], gm / gm.sum(), rtol=1e-9)


def test_matrix_form_with_order(tmp_path: Path):
    path = _write(tmp_path, "m.yaml", """\
id: m
version: "1"
title: M
scales: {l5: {kind: likert}}
ahp:
  order: [b, a]
  matrix: [[1, 3], ["1/3", 1]]
dimensions:
  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}
  - {id: b, label: B, children: [{id: b1, label: B1, scale: l5}]}
""")
    rubric = load_rubric(path)
    assert rubric.node("b").local_weight == pytest.approx(0.75)
    assert rubric.node("a").local_weight == pytest.approx(0.25)


def test_inconsistent_ahp_is_a_warning_with_a_repair(tmp_path: Path):
    path = _write(tmp_path, "bad.yaml", """\
id: bad
version: "1"
title: Bad
scales: {l5: {kind: likert}}
ahp:
  judgements: [[a, b, 9], [b, c, 9], [a, c, "1/9"]]
dimensions:
  - {id: a, label: A, children: [{id: a1, label: A1, scale: l5}]}
  - {id: b, label: B, children: [{id: b1, label: B1, scale: l5}]}
  - {id: c, label: C, children: [{id: c1, label: C1, scale: l5}]}
""")
    result = check_rubric(path)
    assert result.ok
    [warning] = result.warnings
    assert "inconsistent" in warning.message and "revisit" in warning.message
    assert warning.location.line == 6
    assert main(["rubric", "check", "--strict", str(path)]) == 1
    assert main(["rubric", "check", str(path)]) == 0


def test_frozen_json_round_trip_keeps_hash_and_weights():
    rubric = load_rubric(RUBRICS / "fund-screening-county.yaml")
    copy = Rubric.from_json(rubric.to_json())
    assert copy.content_hash == rubric.content_hash
    np.testing.assert_allclose(copy.global_weights(), rubric.global_weights())


def test_hash_ignores_layout_but_not_content(tmp_path: Path):
    a = load_rubric(_write(tmp_path, "a.yaml", BASE))
    b = load_rubric(_write(tmp_path, "b.yaml", "# a comment\n" + BASE.replace("    weight: 0.6\n", "    weight: 0.60\n")))
    c = load_rubric(_write(tmp_path, "c.yaml", BASE.replace("Novelty", "Novelty!")))
    assert a.content_hash == b.content_hash != c.content_hash


def test_imports_scale_library(tmp_path: Path):
    ladder = RUBRICS / "readiness" / "trl-cn-development.yaml"
    path = _write(tmp_path, "imp.yaml", f"""\
id: imp
version: "1"
title: Imports
imports: ["{ladder}"]
dimensions:
  - {{id: a, label: A, children: [{{id: trl_cte, label: TRL, scale: trl}}]}}
""")
    rubric = load_rubric(path)
    assert rubric.indicator("trl_cte").scale.kind == "levels"
    assert len(rubric.indicator("trl_cte").scale.levels) == 9


@pytest.mark.parametrize("scale_kind,raw,stored", [
    ("likert", "4", 4.0), ("likert", 3.5, None), ("levels", "7", 7.0), ("levels", "10", None),
    ("boolean", "是", 1.0), ("boolean", "no", 0.0), ("boolean", "maybe", None),
    ("grades", "国内领先", 2.0), ("grades", "intl_leading", 0.0), ("grades", "good", None),
    ("numeric", "12.5", 12.5), ("numeric", "-101", None), ("numeric", "abc", None),
])
def test_parse_score(scale_kind, raw, stored):
    rubric = load_rubric(RUBRICS / "fund-screening.yaml")
    indicator = {"likert": "team", "levels": "trl", "boolean": "ip_clear", "grades": "sota_level",
                 "numeric": "cost_advantage"}[scale_kind]
    scale = rubric.indicator(indicator).scale
    if stored is None:
        with pytest.raises(ValueError):
            parse_score(scale, raw)
    else:
        assert parse_score(scale, raw) == stored


def test_cli_show_json_and_schema(capsys, tmp_path: Path):
    assert main(["rubric", "show", str(RUBRICS / "fund-screening.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "fund-screening"
    assert sum(n["global_weight"] for n in data["nodes"] if n["kind"] == "indicator") == pytest.approx(1.0)
    assert data["ahp"]["root"]["cr"] < 0.1
    out = tmp_path / "schema.json"
    assert main(["rubric", "schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["$schema"].endswith("2020-12/schema")
    assert "RubricDocument" in json.dumps(schema)


def test_cli_missing_file_is_a_clean_error(capsys):
    assert main(["rubric", "show", "no/such/file.yaml"]) == 2
    err = capsys.readouterr().err
    assert "file not found" in err and "Traceback" not in err


@pytest.mark.slow
def test_rubric_doc_lists_every_indicator_and_escapes(tmp_path: Path, capsys):
    assert main(["rubric", "doc", str(RUBRICS / "fund-screening.yaml"), "--out", str(tmp_path), "--format", "html"]) == 0
    html = (tmp_path / "manual-fund-screening.html").read_text(encoding="utf-8")
    rubric = load_rubric(RUBRICS / "fund-screening.yaml")
    for node in rubric.indicators:
        assert node.label.zh in html
    hostile = _write(tmp_path, "hostile.yaml", BASE.replace("label: Novelty", "label: \"<script>alert(1)</script>\""))
    assert main(["rubric", "doc", str(hostile), "--out", str(tmp_path / "h"), "--format", "html"]) == 0
    text = (tmp_path / "h" / "manual-base.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


def test_imports_can_rename_scales_so_two_ladders_coexist(tmp_path: Path):
    readiness = RUBRICS / "readiness"
    path = _write(tmp_path, "two.yaml", f"""\
id: two
version: "1"
title: Two ladders
imports:
  - "{readiness / 'trl-cn-development.yaml'}"
  - {{file: "{readiness / 'trl-basic-research.yaml'}", rename: {{trl: trl_basic}}}}
dimensions:
  - {{id: a, label: A, weight: 0.5, children: [{{id: dev, label: Dev, scale: trl}}]}}
  - {{id: b, label: B, weight: 0.5, children: [{{id: basic, label: Basic, scale: trl_basic}}]}}
""")
    rubric = load_rubric(path)
    assert len(rubric.indicator("dev").scale.levels) == 9
    assert len(rubric.indicator("basic").scale.levels) == 6
    clash = _write(tmp_path, "clash.yaml", path.read_text(encoding="utf-8").replace(", rename: {trl: trl_basic}", ""))
    result = check_rubric(clash)
    assert any("already defined" in d.message for d in result.errors)
    bad = _write(tmp_path, "bad.yaml", path.read_text(encoding="utf-8").replace("rename: {trl:", "rename: {trll:"))
    assert any("no scale 'trll'" in d.message for d in check_rubric(bad).errors)
