"""Scale kinds: the contract every registered kind keeps, the built-in kinds' own facts, and a toy
kind registered here that rubric loading, evaluation and scoresheets pick up without another edit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pytest
from pydantic import Field, TypeAdapter

from tlr.rubric import kinds
from tlr.rubric.kinds import (
    CONSENSUS_RULES,
    EXPERTS_MEAN,
    FROM_CONSENSUS,
    MAJORITY,
    MEDIAN_LOW,
    PANEL,
    ScaleKind,
    kind_of,
)
from tlr.rubric.model import (
    BooleanScale,
    GradesScale,
    LevelsScale,
    LikertScale,
    NumericScale,
    Scale,
    StrictModel,
    Text,
)
from tlr.text import I18nText, both, tr

CJK = re.compile(r"[\u4e00-\u9fff]")
BUILT_IN = ("levels", "likert", "numeric", "boolean", "grades")
CAMPAIGN_FIXTURES = Path(__file__).parent.parent / "campaign" / "fixtures"


class Recorder:
    """Stands in for the loader's context: collects what a kind reports."""

    def __init__(self):
        self.errors: list[tuple[str, tuple, str]] = []

    def error(self, message, location, hint=None, code="invalid"):
        self.errors.append((message, location, code))


def at(*sub, key=False):
    return sub


def inputs_of(kind: ScaleKind, scale) -> list[str]:
    """What an expert may enter: the drop-down choices, else numbers across the scale's range."""
    choices = kind.choices(scale)
    if choices is not None:
        return choices
    lo, hi = kind.range(scale)
    return [f"{lo + (hi - lo) * k / 4:g}" for k in range(5)]


def assert_contract(kind: ScaleKind, scale) -> None:
    """What every kind promises, whatever it is."""
    assert kind_of(scale) is kind and kind.name == scale.kind
    assert kind.consensus in CONSENSUS_RULES and kind.panel_utility in (FROM_CONSENSUS, EXPERTS_MEAN)
    # the file format knows the kind: the example survives a dump and a validation
    assert TypeAdapter(Scale).validate_python(scale.model_dump(mode="json")) == scale
    # a valid example has nothing to report
    report = Recorder()
    kind.check(scale, report, at, "example")
    assert report.errors == []
    assert kind.choices(scale) is not None or kind.range(scale) is not None, "the contract needs inputs to try"

    raw = inputs_of(kind, scale)
    values = [kind.parse(scale, r) for r in raw]
    assert len(set(values)) == len(raw), "distinct answers are stored as distinct values"
    bounds = kind.range(scale)
    if bounds is not None:
        assert all(bounds[0] <= v <= bounds[1] for v in values)
    for lang in ("zh", "en"):
        labels = [kind.label(scale, v, lang) for v in values]
        assert all(isinstance(t, str) and t.strip() for t in labels)
        assert len(set(labels)) == len(labels), "distinct values read differently"
    # parse -> label round trip: a label read back as an answer means the same value (or is refused)
    for value in values:
        for lang in ("zh", "en"):
            try:
                assert kind.parse(scale, kind.label(scale, value, lang)) == value
            except ValueError:
                pass

    # wrong answers: a ValueError, said in both languages
    for junk in ("", "不是答案 not-an-answer"):
        with pytest.raises(ValueError) as err:
            kind.parse(scale, junk)
        assert " / " in str(err.value) and CJK.search(str(err.value))

    # utility: [0, 1], any shape, one vectorised call equals the calls one by one, NaN stays NaN
    x = np.array(values, dtype=float)
    u = np.asarray(kind.utility(scale, x), dtype=float)
    assert u.shape == x.shape and np.all((u >= 0) & (u <= 1))
    one_by_one = [float(np.asarray(kind.utility(scale, np.array([v])))[0]) for v in values]
    assert u.tolist() == pytest.approx(one_by_one)
    grid = np.stack([x, x[::-1]])
    np.testing.assert_allclose(np.asarray(kind.utility(scale, grid), dtype=float), np.stack([u, u[::-1]]))
    holes = np.array([np.nan, *values, np.nan])
    uh = np.asarray(kind.utility(scale, holes), dtype=float)
    assert np.isnan(uh[0]) and np.isnan(uh[-1]) and uh[1:-1].tolist() == pytest.approx(u.tolist())
    assert np.isnan(np.asarray(kind.utility(scale, np.full((2, 3), np.nan)), dtype=float)).all()

    # what people read: a summary in each language, anchors, a manual entry
    zh, en = kind.describe(scale, "zh"), kind.describe(scale, "en")
    assert zh.strip() and en.strip() and zh != en and CJK.search(zh)
    for text in (lambda t: tr(t, "zh"), lambda t: tr(t, "en"), both):
        lines = kind.anchor_lines(scale, text)
        assert lines and all(isinstance(line, str) and line.strip() for line in lines)
    view = kind.manual_view(scale, "en")
    assert all(set(row) == {"anchor", "label", "text", "detail", "checks"} for row in view["rows"])


def test_anchor_lines_of_levels_and_likert_written_out():
    levels = LevelsScale(kind="levels", levels=[{"level": 1, "label": {"zh": "一", "en": "one"}},
                                                {"level": 2, "label": "two", "descriptor": {"zh": "二级", "en": "rung 2"}}])
    assert kind_of(levels).anchor_lines(levels, lambda t: tr(t, "en")) == ["1  one", "2  two — rung 2"]
    likert = LikertScale(kind="likert", min=0, max=10, step=0.5, anchors={0: "none", 10: {"zh": "满分", "en": "full"}},
                         bands=[{"min": 0, "max": 4.5, "label": "low"},
                                {"min": 5, "max": 10, "label": "high", "descriptor": "top half"}])
    assert kind_of(likert).anchor_lines(likert, lambda t: tr(t, "zh")) == [
        "0–10（步长 / step 0.5）", "0  none", "10  满分", "0–4.5  low", "5–10  high — top half"]


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_kind_is_registered(name):
    kind = next(k for k in kinds.registered() if k.name == name)
    assert kind.model.model_fields["kind"].annotation.__args__ == (name,)


@pytest.mark.parametrize("kind", kinds.registered(), ids=lambda k: k.name)
def test_every_registered_kind_keeps_the_contract(kind):
    assert_contract(kind, kind.example())


# --------------------------------------------------------------------------- the built-in kinds' facts

LIKERT = LikertScale(kind="likert", min=1, max=5)
TRL = LevelsScale(kind="levels", levels=[{"level": k, "label": f"L{k}"} for k in range(1, 10)])
GRADES = GradesScale(kind="grades", grades=[{"id": g, "label": g, "value": v}
                                            for g, v in (("A", 100), ("B", 80), ("C", 60), ("D", 40))])


def numeric(direction="benefit", **transform):
    return NumericScale(kind="numeric", direction=direction, min=-10, max=100,
                        transform=transform or {"kind": "linear", "lower": 0, "upper": 50})


def test_the_consensus_rule_of_each_kind():
    # ordinal kinds are never averaged; yes/no takes the majority; ratings and numbers the panel's rule
    rules = {k.name: (k.consensus, k.interval, k.panel_utility) for k in kinds.registered() if k.name in BUILT_IN}
    assert rules == {"levels": (MEDIAN_LOW, False, FROM_CONSENSUS), "grades": (MEDIAN_LOW, False, EXPERTS_MEAN),
                     "boolean": (MAJORITY, False, FROM_CONSENSUS), "likert": (PANEL, True, FROM_CONSENSUS),
                     "numeric": (PANEL, True, FROM_CONSENSUS)}
    assert [k.name for k in kinds.registered() if k.ladder] == ["levels"]
    assert [k.name for k in kinds.registered() if k.fuzzy_grades] == ["grades"]


@pytest.mark.parametrize("scale, values, expected", [
    (LIKERT, [1, 2, 3, 4, 5], [0, 0.25, 0.5, 0.75, 1]),                       # (x - 1) / 4
    (TRL, [1, 3, 5, 9], [0, 0.25, 0.5, 1]),                                   # evenly spaced by rank: (k - 1) / 8
    (numeric(), [-5, 0, 10, 25, 50, 80], [0, 0, 0.2, 0.5, 1, 1]),             # x / 50, clipped
    (numeric("cost"), [0, 10, 50, 80], [1, 0.8, 0, 0]),                       # 1 - x / 50
    (numeric(kind="piecewise", points=[[0, 0], [10, 0.8], [20, 1]]), [5, 15, 30], [0.4, 0.9, 1]),
    (numeric(kind="thresholds", below=0.1, steps=[{"at": 10, "utility": 0.5}, {"at": 20, "utility": 1}]),
     [9.99, 10, 19, 20], [0.1, 0.5, 0.5, 1]),
    # cost: the utility of the lowest threshold not exceeded (x <= at), 'below' above the last one
    (numeric("cost", kind="thresholds", below=0, steps=[{"at": 10, "utility": 1}, {"at": 20, "utility": 0.5}]),
     [0, 10, 10.01, 20, 20.01], [1, 1, 0.5, 0.5, 0]),
    (BooleanScale(kind="boolean"), [0, 1], [0, 1]),
    (BooleanScale(kind="boolean", pass_value=False), [0, 1], [1, 0]),
    (GRADES, [0, 1, 2, 3], [1, 2 / 3, 1 / 3, 0]),                             # (value - 40) / 60
])
def test_utilities_worked_out_by_hand(scale, values, expected):
    u = kind_of(scale).utility(scale, np.array(values, dtype=float))
    assert u.tolist() == pytest.approx(expected)


@pytest.mark.parametrize("scale", [LIKERT, TRL, numeric(), BooleanScale(kind="boolean"),
                                   LevelsScale(kind="levels", levels=[{"level": 1, "label": "a", "points": 0},
                                                                      {"level": 2, "label": "b", "points": 0.7},
                                                                      {"level": 3, "label": "c", "points": 0.9}])],
                         ids=["likert", "levels", "numeric", "boolean", "levels-points"])
def test_benefit_kinds_never_give_less_for_more(scale):
    kind = kind_of(scale)
    lo, hi = kind.range(scale)
    x = np.array(sorted({kind.parse(scale, r) for r in inputs_of(kind, scale)} | {lo, hi}))
    assert len(x) >= 2
    assert np.all(np.diff(kind.utility(scale, x)) >= 0)


def test_a_better_grade_is_worth_more_whatever_its_position():
    # grades are stored by position; their utility follows the grade's value, here listed worst first
    scale = GradesScale(kind="grades", grades=[{"id": g, "label": g, "value": v} for g, v in
                                               (("D", 40), ("B", 80), ("C", 60), ("A", 100))])
    u = kind_of(scale).utility(scale, np.arange(4.0))
    assert sorted(range(4), key=lambda i: u[i]) == [0, 2, 1, 3]


def test_an_indicator_points_table_overrides_the_scale():
    kind = kind_of(TRL)
    own = {k: (0.0 if k < 4 else 1.0) for k in range(1, 10)}
    assert kind.utility(TRL, np.array([3.0, 4.0]), own).tolist() == [0.0, 1.0]
    report = Recorder()
    kind.check_points(TRL, "trl", {1: 0.0, 2: 1.5}, report, at)
    assert [code for *_, code in report.errors] == ["points_missing", "points_range"]
    report = Recorder()
    kind_of(LIKERT).check_points(LIKERT, "novelty", {1: 0.5}, report, at)
    assert report.errors == [("points 只适用于等级量表 / points apply to a levels scale, 'novelty' uses likert",
                              ("points",), "points_scale")]


def test_labels_and_conditions_of_the_built_in_kinds():
    assert kind_of(TRL).label(TRL, 4.0) == "4 L4"
    assert kind_of(GRADES).label(GRADES, 1.0, "en") == "B"
    assert kind_of(numeric()).label(NumericScale(kind="numeric", unit="亿元", transform={
        "kind": "linear", "lower": 0, "upper": 1}), 12.345) == "12.35 亿元"
    assert kind_of(GRADES).condition_number(GRADES, "C") == 2.0
    assert kind_of(LIKERT).condition_number(LIKERT, True) == 1.0
    assert kind_of(LIKERT).condition_error(LIKERT, "x", "high") is not None
    assert kind_of(GRADES).condition_error(GRADES, "g", "A") is None
    assert kind_of(GRADES).condition_error(GRADES, "g", "Z") is not None
    boolean = BooleanScale(kind="boolean")
    assert kind_of(boolean).condition_error(boolean, "ip", 1) is not None
    assert kind_of(boolean).condition_error(boolean, "ip", False) is None


def test_a_scale_that_is_no_registered_kind_is_refused():
    with pytest.raises(TypeError, match="not a scale"):
        kind_of(object())


def test_a_kind_tag_cannot_be_taken_twice():
    class Impostor(kinds.LikertKind):
        pass

    with pytest.raises(ValueError, match="already registered"):
        kinds.register(Impostor)
    with pytest.raises(ValueError, match="built-in"):
        kinds.unregister("likert")


# --------------------------------------------------------------------------- a toy kind, registered here


class TrafficScale(StrictModel):
    """Red / amber / green, stored 0 / 1 / 2."""

    kind: Literal["traffic"]
    label: Text | None = None
    amber: float = Field(0.5, description="Utility of amber.")


WORDS = (("红", "red"), ("黄", "amber"), ("绿", "green"))


class TrafficKind(ScaleKind):
    name = "traffic"
    model = TrafficScale
    consensus = MEDIAN_LOW

    def range(self, scale):
        return 0.0, 2.0

    def parse(self, scale, raw):
        text = str(raw).strip().lower()
        for index, words in enumerate(WORDS):
            if text in words:
                return float(index)
        raise ValueError(f"请选 红/黄/绿 / answer red, amber or green, got {raw!r}")

    def label(self, scale, value, lang="zh"):
        return WORDS[int(value)][0 if lang == "zh" else 1]

    def describe(self, scale, lang="zh"):
        return "红黄绿灯" if lang == "zh" else "traffic light"

    def utility(self, scale, values, points=None):
        x = np.asarray(values, dtype=float)
        table = np.array([0.0, scale.amber, 1.0])
        return np.where(np.isnan(x), np.nan, table[np.nan_to_num(x).astype(int).clip(0, 2)])

    def choices(self, scale):
        return [en for _, en in WORDS]

    def anchor_lines(self, scale, text):
        return [f"{en}  {text(I18nText(zh=zh, en=en))}" for zh, en in WORDS]

    def check(self, scale, report, at, name):
        if not 0 <= scale.amber <= 1:
            report.error(f"黄灯效用须在 0–1 之间 / amber must be in [0, 1], got {scale.amber:g}", at("amber"),
                         code="traffic_amber")

    @classmethod
    def example(cls):
        return TrafficScale(kind="traffic")


@pytest.fixture
def traffic():
    kinds.register(TrafficKind)
    yield kind_of(TrafficScale(kind="traffic"))
    kinds.unregister("traffic")


TRAFFIC_RUBRIC = """\
id: lights
version: "1"
title: {zh: 红绿灯, en: Lights}
panel: {consensus: mean, min_experts: 1, quorum: 0.5}
scales:
  light: {kind: traffic, label: {zh: 信号, en: Signal}}
  l5: {kind: likert, min: 1, max: 5}
dimensions:
  - id: d
    label: D
    children:
      - {id: signal, label: {zh: 信号, en: Signal}, scale: light, weight: 0.5}
      - {id: caution, label: Caution, weight: 0.25, scale: {kind: traffic, amber: AMBER}}
      - {id: novelty, label: Novelty, scale: l5, weight: 0.25}
"""


def write_rubric(tmp_path, amber="0.25"):
    path = tmp_path / "lights.yaml"
    path.write_text(TRAFFIC_RUBRIC.replace("AMBER", amber), encoding="utf-8")
    return path


def test_the_toy_kind_keeps_the_contract(traffic):
    assert_contract(traffic, TrafficKind.example())
    assert traffic in kinds.registered()


def test_a_registered_kind_is_part_of_the_file_format(traffic, tmp_path, capsys):
    from tlr.cli import main
    from tlr.rubric import load_rubric
    from tlr.rubric.schema import rubric_json_schema

    rubric = load_rubric(write_rubric(tmp_path))
    assert isinstance(rubric.node("signal").scale, TrafficScale)
    assert rubric.node("caution").scale.amber == 0.25
    assert "TrafficScale" in json.dumps(rubric_json_schema())
    # the kind's own check runs with the rubric's, located in the file
    bad = write_rubric(tmp_path, amber="1.5")
    assert main(["rubric", "check", str(bad)]) == 2
    err = capsys.readouterr()
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "amber:" in text)
    assert f"lights.yaml:{line}:" in err.out + err.err and "amber must be in [0, 1], got 1.5" in err.out + err.err


def test_an_unregistered_kind_is_an_unknown_kind(tmp_path):
    from tlr.errors import RubricError
    from tlr.rubric import load_rubric

    with pytest.raises(RubricError) as err:
        load_rubric(write_rubric(tmp_path))
    assert "traffic" in str(err.value.diagnostics)


def test_the_evaluation_takes_the_toy_kinds_rule_and_utility(traffic, tmp_path):
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
    from tlr.rubric import load_rubric

    rubric = load_rubric(write_rubric(tmp_path))
    # the kind's rule is the lower median, never the mean (red 0, amber 1, green 2):
    # x: signal red, green, green -> green -> 1; caution green, amber, amber -> amber -> 0.25 (this
    #    indicator's amber); novelty 5, 4, 3 -> mean 4 -> 0.75
    # y: signal green, red, red -> red -> 0; caution amber, red, green -> amber -> 0.25; novelty 1, 1, 1 -> 0
    values = [[[0, 2, 5], [2, 1, 1]], [[2, 1, 4], [0, 0, 1]], [[2, 1, 3], [0, 2, 1]]]
    cube = ScoreCube.of(values, experts=["a", "b", "c"], projects=["x", "y"],
                        indicators=["signal", "caution", "novelty"])
    ev = evaluate(rubric, cube, options=EvaluationOptions(draws=50, bootstrap_draws=20, seed=1))
    assert ev.consensus.tolist() == [[2, 1, 4], [0, 1, 1]]
    np.testing.assert_allclose(ev.utilities, [[1, 0.25, 0.75], [0, 0.25, 0]])
    assert ev.composite.tolist() == pytest.approx([100 * (0.5 * 1 + 0.25 * 0.25 + 0.25 * 0.75),
                                                   100 * (0.25 * 0.25)])


def test_scoresheets_offer_and_read_the_toy_kinds_answers(traffic, tmp_path):
    from openpyxl import load_workbook

    from tlr.campaign import assign_experts, import_experts, import_projects, init_campaign
    from tlr.campaign.scoring import expert_items
    from tlr.campaign.sheets import COL, LISTS, SHEET, export_sheet, import_sheets
    from tlr.rubric import load_rubric

    led = init_campaign(tmp_path / "round", load_rubric(write_rubric(tmp_path)))
    try:
        import_projects(led, CAMPAIGN_FIXTURES / "projects.csv")
        import_experts(led, CAMPAIGN_FIXTURES / "experts.csv")
        assign_experts(led, 3, seed=1)
        expert = "E04"
        path = export_sheet(led, expert, tmp_path / "E04.xlsx")
        wb = load_workbook(path)
        lists = wb[LISTS]
        columns = {lists.cell(row=1, column=c).value: [lists.cell(row=r, column=c).value for r in range(2, 7)]
                   for c in range(1, lists.max_column + 1)}
        assert columns["signal"][:3] == ["red", "amber", "green"]
        ws = wb[SHEET]
        rows = list(ws.iter_rows(min_row=2))
        signal_rows = [r for r in rows if r[COL["indicator"] - 1].value == "signal"]
        assert signal_rows and "amber  黄 / amber" in signal_rows[0][COL["descriptors"] - 1].value
        answers = {"signal": "green", "caution": "黄", "novelty": "4"}
        for row in rows:
            row[COL["score"] - 1].value = answers[row[COL["indicator"] - 1].value]
        wb.save(path)
        import_sheets(led, [path])
        stored = {(r["indicator_id"], r["value"]) for r in led.rows("scores", f"expert_id = '{expert}'")}
        assert stored == {("signal", 2.0), ("caution", 1.0), ("novelty", 4.0)}
        assert len(expert_items(led, expert)) == len(rows)
    finally:
        led.close()


def test_a_kind_that_leaves_out_part_of_the_protocol_is_refused():
    class Half(ScaleKind):
        name = "traffic"
        model = TrafficScale

        def range(self, scale):
            return 0.0, 2.0

    with pytest.raises(TypeError):
        kinds.register(Half)
    assert "TrafficScale" not in json.dumps(TypeAdapter(Scale).json_schema())


def test_unregistering_restores_the_file_format(tmp_path):
    kinds.register(TrafficKind)
    kinds.unregister("traffic")
    assert all(k.name != "traffic" for k in kinds.registered())
    with pytest.raises(TypeError):
        kind_of(TrafficScale(kind="traffic"))
    assert "TrafficScale" not in json.dumps(TypeAdapter(Scale).json_schema())


def test_cost_thresholds_manual_says_what_the_utility_does():
    scale = numeric("cost", kind="thresholds", below=0, steps=[{"at": 10, "utility": 1}, {"at": 20, "utility": 0.5}])
    view = kind_of(scale).manual_view(scale, "zh")
    texts = [" ".join(str(v) for v in row.values()) for row in view["rows"]]
    assert texts[0].startswith("> 20") and "≤ 10" in texts[1] and "≤ 20" in texts[2]
