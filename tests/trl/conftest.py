from __future__ import annotations

from pathlib import Path

import pytest

from tlr.rubric.model import ChecklistItem, Level, LevelsScale
from tlr.trl.ladders import ladder_from_scale

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "trl"


def make_ladder(spec: dict[int, int], green: float = 1.0, yellow: float = 0.5, percent: set[str] = frozenset()):
    """A ladder with ``spec[level]`` yes/no questions per level (ids L{level}.q{i})."""
    levels = []
    for number, count in spec.items():
        items = [ChecklistItem(id=f"L{number}.q{i}", text=f"question {number}.{i}", evidence=["test_report"],
                               answer="percent" if f"L{number}.q{i}" in percent else "yes_no")
                 for i in range(1, count + 1)]
        levels.append(Level(level=number, label=f"level {number}", checklist=items))
    return ladder_from_scale(LevelsScale(kind="levels", levels=levels, green_threshold=green, yellow_threshold=yellow))


@pytest.fixture
def ladder3():
    return make_ladder({1: 2, 2: 2, 3: 3, 4: 2})
