"""`tlr rubric new`: a scaffold from a shipped template, cut to the dimensions chosen, that passes
`tlr rubric check --strict` and validates against the schema written next to it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tlr.cli import main
from tlr.cli.kit import json_text
from tlr.rubric import check_rubric
from tlr.rubric.scaffold import _rescaled
from tlr.rubric.schema import SCHEMA_FILE, rubric_json_schema

ROOT = Path(__file__).resolve().parents[2]
FUND = ROOT / "rubrics/fund-screening.yaml"
FIVE = ROOT / "rubrics/gbt44731-five-value.yaml"

CASES = [
    ("blank", None, ["technology", "market", "team"]),
    ("blank", "tech,市场,team_2", ["tech", "市场", "team_2"]),
    ("five-value", None, ["science", "technology", "economic", "social_cultural", "transfer"]),
    ("five-value", "economic,technology", ["economic", "technology"]),
    ("fund-screening", None, ["maturity", "advancedness", "feasibility", "market", "industrialisation", "risk"]),
    ("fund-screening", "market,risk,feasibility", ["market", "risk", "feasibility"]),
    ("fund-screening", "maturity", ["maturity"]),
]


def _new(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "r.yaml"
    return main(["rubric", "new", "my-rubric", "--out", str(out), *args]), out


@pytest.mark.parametrize(("template", "dims", "expected"), CASES, ids=[f"{t}-{d}" for t, d, _ in CASES])
def test_scaffold_passes_strict_check_and_the_schema(tmp_path, template, dims, expected):
    code, out = _new(tmp_path, "--template", template, *(["--dimensions", dims] if dims else []))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
    assert main(["rubric", "check", "--strict", str(out)]) == 0
    result = check_rubric(out)
    assert result.ok and not result.warnings
    assert result.rubric.id == "my-rubric"
    data = yaml.safe_load(text)
    assert [d["id"] for d in data["dimensions"]] == expected
    assert "imports" not in data               # the libraries are copied in: the file works anywhere
    schema = json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema == json.loads(json_text(rubric_json_schema()))  # what `tlr rubric schema` writes
    validator = jsonschema.Draft202012Validator(schema)
    errors = [e.message[:200] for e in validator.iter_errors(json.loads(json.dumps(data, default=str)))]
    assert errors == []


def test_whole_template_has_the_templates_indicators(tmp_path):
    for template, source in (("fund-screening", FUND), ("five-value", FIVE)):
        code, out = _new(tmp_path, "--template", template, "--force")
        assert code == 0
        assert len(check_rubric(out).rubric.indicators) == len(check_rubric(source).rubric.indicators)


def test_cut_keeps_the_templates_judgements_among_the_chosen(tmp_path):
    code, out = _new(tmp_path, "--template", "fund-screening", "--dimensions", "market,risk,feasibility")
    assert code == 0
    template = yaml.safe_load(FUND.read_text(encoding="utf-8"))
    chosen = {"market", "risk", "feasibility"}
    expected = [j for j in template["ahp"]["judgements"] if {j[0], j[1]} <= chosen]
    assert len(expected) == 3  # a complete set for three dimensions
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["ahp"]["judgements"] == expected


def test_cut_drops_what_referred_to_a_removed_dimension(tmp_path):
    # fund-screening: `trl` (readiness) is in `maturity`; the trl_floor gate, tier A's condition and the
    # research and transfer routes name it; ip_unclear names ip_clear (in feasibility)
    code, out = _new(tmp_path, "--template", "fund-screening", "--dimensions", "market,risk,feasibility")
    assert code == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "readiness" not in data
    assert [g["id"] for g in data["gates"]] == ["ip_unclear", "blocker"]
    tier_a = data["tiers"][0]
    assert tier_a["id"] == "A" and "when" not in tier_a and tier_a["min_score"] == 80
    assert [r["id"] for r in data["routes"]] == ["land"]


def test_one_dimension_gets_the_whole_weight(tmp_path):
    code, out = _new(tmp_path, "--template", "fund-screening", "--dimensions", "maturity")
    assert code == 0
    rubric = check_rubric(out).rubric
    assert [n.global_weight for n in rubric.nodes if n.parent is None] == [1.0]


def test_blank_dimensions_weigh_the_same(tmp_path):
    code, out = _new(tmp_path, "--dimensions", "a,b,c,d")
    assert code == 0
    weights = [n.global_weight for n in check_rubric(out).rubric.indicators]
    assert weights == pytest.approx([0.25] * 4)


def test_rescaled_weights_sum_to_one_and_keep_proportions():
    dims = [{"id": k} for k in "abc"]
    shares = [d["weight"] for d in _rescaled(dims, [0.2, 0.1, 0.1])]
    assert sum(shares) == pytest.approx(1, abs=1e-9)
    assert shares == pytest.approx([0.5, 0.25, 0.25])


def test_never_overwrites_without_force(tmp_path, capsys):
    out = tmp_path / "r.yaml"
    out.write_text("mine\n", encoding="utf-8")
    assert main(["rubric", "new", "my-rubric", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert len([line for line in err.splitlines() if "error" in line]) == 1 and "r.yaml" in err and "--force" in err
    assert not (tmp_path / SCHEMA_FILE).exists()   # nothing written when refused
    assert main(["rubric", "new", "my-rubric", "--out", str(out), "--force"]) == 0
    assert check_rubric(out).ok


def test_a_different_schema_file_is_kept_without_force(tmp_path, capsys):
    schema = tmp_path / SCHEMA_FILE
    schema.write_text("{}\n", encoding="utf-8")
    code, out = _new(tmp_path, "--json")
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema_state"] == "stale" and schema.read_text(encoding="utf-8") == "{}\n"
    code, _ = _new(tmp_path, "--json", "--force")
    report = json.loads(capsys.readouterr().out)
    assert report["schema_state"] == "written"
    assert json.loads(schema.read_text(encoding="utf-8"))["$id"] == rubric_json_schema()["$id"]


def test_json_says_what_was_written(tmp_path, capsys):
    code, out = _new(tmp_path, "--template", "five-value", "--dimensions", "economic", "--json")
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"rubric": str(out), "id": "my-rubric", "template": "five-value", "dimensions": ["economic"],
                      "indicators": len(check_rubric(out).rubric.indicators),
                      "schema": str(tmp_path / SCHEMA_FILE), "schema_state": "written"}


@pytest.mark.parametrize(("args", "field"), [
    (["1st"], "NAME"),
    (["ok", "--dimensions", "a,a"], "--dimensions"),
    (["ok", "--dimensions", ",,"], "--dimensions"),
    (["ok", "--dimensions", "a b"], "--dimensions"),
    (["ok", "--dimensions", "root"], "--dimensions"),
    (["ok", "--template", "fund-screening", "--dimensions", "markt"], "--dimensions"),
])
def test_bad_arguments_one_line_exit_2(tmp_path, capsys, args, field):
    code = main(["rubric", "new", *args, "--out", str(tmp_path / "r.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{field}: error:") and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_unknown_dimension_hint_lists_the_templates_dimensions(tmp_path, capsys):
    main(["rubric", "new", "ok", "--template", "fund-screening", "--dimensions", "markt", "--out",
          str(tmp_path / "r.yaml")])
    err = capsys.readouterr().err
    assert "maturity, advancedness, feasibility, market, industrialisation, risk" in err


def test_help_is_bilingual_with_an_example(capsys):
    assert main(["rubric", "new", "--help"]) == 0
    text = capsys.readouterr().out
    assert "新建评价体系" in text and "Scaffold" in text and "tlr rubric new my-fund" in text


def test_the_schema_written_beside_is_tlrs_own_and_can_be_refreshed(tmp_path):
    code, _ = _new(tmp_path)
    assert code == 0
    schema = tmp_path / SCHEMA_FILE
    assert main(["rubric", "schema", "--out", str(schema)]) == 0   # refused for a file tlr did not write
    code, out = _new(tmp_path, "--force")
    assert code == 0 and check_rubric(out).ok
