"""Pure, cumulative, evidence-gated level determination (AFRL-calculator style). Never an average of levels.

Rules (see ``docs/trl.md``):

* A question's score is 1 for ``yes``, 0 for ``no`` or unanswered, ``p/100`` for a percent answer;
  ``na`` (not applicable) removes it from the level's denominator.
* A level's *share* is the sum of its applicable questions' scores divided by their number. The level
  is **green** when share >= green threshold (default 1.0 = 100 %), **yellow** when share >= yellow
  threshold, else **red**.
* A level with no applicable question (none in the ladder, or every one answered ``na``) cannot be
  reached on no evidence: it is green only when *asserted* explicitly (with a written justification
  in the assessment document), otherwise red.
* **Cumulative**: the achieved level is the highest level that is green *and* every level below it
  is green. Green levels above the first non-green one are reported but do not count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Union

from tlr.errors import Location
from tlr.rubric.model import EVIDENCE_KINDS, ChecklistItem, LevelsScale
from tlr.text import Text, tr
from tlr.trl.errors import AnswerError
from tlr.trl.ladders import Ladder, ladder_from_scale

__all__ = ["AnswerValue", "parse_answer", "question_score", "Missing", "LevelResult", "Determination",
           "determine_level", "State"]

AnswerValue = Union[Literal["yes", "no", "na"], float]
State = Literal["green", "yellow", "red"]
EPS = 1e-9

_YES = {"y", "yes", "true", "1.0", "是", "对", "满足", "是的"}
_NO = {"n", "no", "false", "否", "不", "不满足"}
_NA = {"na", "n/a", "n.a.", "not applicable", "-", "不适用", "无关"}


def parse_answer(raw: Any, item: ChecklistItem | None = None, *, location: Location | None = None) -> AnswerValue:
    """Normalise an answer: ``yes``/``no``/``na`` (also y, n, 是, 否, 不适用, booleans) or a percent 0-100.

    Percent answers (``80``, ``'80%'``) are accepted only by questions with ``answer: percent``;
    such questions also take yes (=100) and no (=0).
    """
    where = location or Location()
    qid = f" '{item.id}'" if item is not None else ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _YES:
            return "yes"
        if text in _NO:
            return "no"
        if text in _NA:
            return "na"
        number_text = text[:-1].strip() if text.endswith("%") else text
        try:
            raw = float(number_text)
        except ValueError:
            raise AnswerError(f"无法识别的答案 / unrecognised answer{qid}: {raw!r}", location=where,
                              hint="answer yes, no, na (not applicable) or a percent 0-100") from None
    if isinstance(raw, (int, float)):
        value = float(raw)
        if math.isnan(value) or value < 0 or value > 100:
            raise AnswerError(f"百分比超出 0-100 / percent outside 0-100{qid}: {raw}", location=where)
        if item is not None and item.answer != "percent":
            raise AnswerError(f"该问题只接受 是/否/不适用 / question{qid} takes yes, no or na, not a percent ({raw})",
                              location=where, hint="percent answers are for questions marked 'answer: percent'")
        return value
    if raw is None:
        raise AnswerError(f"答案为空 / empty answer{qid}", location=where)
    raise AnswerError(f"无法识别的答案 / unrecognised answer{qid}: {raw!r}", location=where)


def question_score(value: AnswerValue | None) -> float | None:
    """1 / 0 / fraction for an answer; ``None`` for not applicable; 0 when unanswered."""
    if value is None or value == "no":
        return 0.0
    if value == "yes":
        return 1.0
    if value == "na":
        return None
    return float(value) / 100.0


@dataclass(frozen=True)
class Missing:
    """A question not fully met (unanswered, no, or partly complete) and the evidence it needs."""

    question: str
    level: int
    text: Text
    tag: str
    evidence: tuple[str, ...]
    answer: AnswerValue | None

    def describe(self, lang: str = "zh") -> str:
        kinds = ", ".join(EVIDENCE_KINDS[k][0 if lang == "zh" else 1] for k in self.evidence) or "-"
        return f"{self.question}: {tr(self.text, lang)}  [{kinds}]"


@dataclass(frozen=True)
class LevelResult:
    """The state of one level of the ladder for one element."""

    level: int
    label: Text
    state: State
    share: float | None            # None when the level has no applicable question
    n_questions: int
    n_applicable: int
    n_answered: int
    basis: Literal["checklist", "assertion", "none"]
    missing: tuple[Missing, ...] = ()


@dataclass(frozen=True)
class Determination:
    """Result of :func:`determine_level`."""

    ladder: str
    achieved: int | None            # None: not even the first level is reached
    levels: tuple[LevelResult, ...]
    next_level: int | None          # None: top of the ladder reached
    green: float
    yellow: float
    rule: str = "cumulative"
    not_counted: tuple[int, ...] = field(default=())   # green levels above the first non-green level

    @property
    def next(self) -> LevelResult | None:
        for result in self.levels:
            if result.level == self.next_level:
                return result
        return None

    def level(self, number: int) -> LevelResult:
        for result in self.levels:
            if result.level == number:
                return result
        raise KeyError(number)

    def to_dict(self) -> dict[str, Any]:
        def text(value: Any) -> Any:
            return value if isinstance(value, str) or value is None else value.model_dump(exclude_none=True)

        levels = []
        for r in self.levels:
            d = asdict(r)
            d["label"] = text(r.label)
            d["missing"] = [{**asdict(m), "text": text(m.text), "evidence": list(m.evidence)} for m in r.missing]
            levels.append(d)
        nxt = self.next
        return {
            "ladder": self.ladder, "rule": self.rule, "green_threshold": self.green,
            "yellow_threshold": self.yellow, "achieved": self.achieved, "next_level": self.next_level,
            "next_state": nxt.state if nxt else None, "next_share": nxt.share if nxt else None,
            "missing_for_next": [m for lv in levels if lv["level"] == self.next_level for m in lv["missing"]],
            "not_counted": list(self.not_counted), "levels": levels,
        }


def _as_ladder(ladder: Ladder | LevelsScale) -> Ladder:
    return ladder if isinstance(ladder, Ladder) else ladder_from_scale(ladder)


def determine_level(ladder: Ladder | LevelsScale, answers: Mapping[str, Any], *, green: float | None = None,
                    yellow: float | None = None, asserted: Iterable[int] = (),
                    source: str | None = None) -> Determination:
    """Achieved level of one element from its checklist answers (cumulative, thresholded).

    ``answers`` maps question id -> answer (anything :func:`parse_answer` takes). ``asserted`` lists
    levels explicitly asserted (only allowed for levels without applicable questions). ``green`` and
    ``yellow`` override the ladder's thresholds (shares in [0, 1]). Unknown question ids or levels,
    percent outside 0-100 and a ladder with a gap raise a :class:`~tlr.errors.TlrError`.
    """
    lad = _as_ladder(ladder)
    g = lad.scale.green_threshold if green is None else float(green)
    y = lad.scale.yellow_threshold if yellow is None else float(yellow)
    if not (0 <= y <= g <= 1):
        raise AnswerError(f"阈值无效 / invalid thresholds: need 0 <= yellow ({y}) <= green ({g}) <= 1")
    known = {item.id: item for _, item in lad.questions()}
    values: dict[str, AnswerValue] = {}
    for qid, raw in answers.items():
        where = Location(file=source, field=f"answers.{qid}")
        if qid not in known:
            raise AnswerError(f"未知问题 / unknown question '{qid}' (ladder {lad.id})", location=where,
                              hint=f"questions are named like '{next(iter(known), 'trl1.q1')}'; "
                                   "see `tlr trl show --ladder`")
        values[qid] = parse_answer(raw, known[qid], location=where)
    asserted_set = set()
    for number in asserted:
        if int(number) not in lad.numbers:
            raise AnswerError(f"未知等级 / unknown level {number} (ladder {lad.id} has levels "
                              f"{lad.numbers[0]}-{lad.numbers[-1]})", location=Location(file=source, field="assertions"))
        asserted_set.add(int(number))

    results: list[LevelResult] = []
    for level in lad.levels:
        scores, missing, answered = [], [], 0
        for item in level.checklist:
            value = values.get(item.id)
            if value is not None:
                answered += 1
            score = question_score(value)
            if score is None:
                continue
            scores.append(score)
            if score < 1 - EPS:
                missing.append(Missing(item.id, level.level, item.text, item.tag, tuple(item.evidence), value))
        if scores:
            if level.level in asserted_set:
                raise AnswerError(f"等级 {level.level} 有适用的核查问题，不能直接断言 / level {level.level} has "
                                  "applicable checklist questions: answer them instead of asserting the level",
                                  location=Location(file=source, field="assertions"))
            share = sum(scores) / len(scores)
            state: State = "green" if share >= g - EPS else "yellow" if share >= y - EPS else "red"
            basis = "checklist"
        else:
            share = None
            state = "green" if level.level in asserted_set else "red"
            basis = "assertion" if level.level in asserted_set else "none"
        results.append(LevelResult(level.level, level.label, state, share, len(level.checklist), len(scores),
                                   answered, basis, tuple(missing)))

    achieved = None
    for result in results:
        if result.state != "green":
            break
        achieved = result.level
    numbers = lad.numbers
    if achieved is None:
        next_level = numbers[0]
    else:
        next_level = achieved + 1 if achieved + 1 in numbers else None
    not_counted = tuple(r.level for r in results if r.state == "green" and next_level is not None
                        and r.level > next_level)
    return Determination(lad.id, achieved, tuple(results), next_level, g, y, "cumulative", not_counted)
