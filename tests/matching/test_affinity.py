"""Text affinity of people with items (pure)."""

from __future__ import annotations

import numpy as np

from tlr.matching.affinity import Item, Person, affinity


def test_a_clear_fit_scores_higher_and_values_lie_in_unit_interval():
    people = [Person("E1", fields=("钢铁",), text="长期从事钢渣微粉、冶金固废资源化利用研究"),
              Person("E2", fields=("生物医药与健康",), text="单克隆抗体药物与疫苗工艺开发"),
              Person("E3")]
    items = [Item("P1", "转炉渣制备混凝土掺合料，钢渣资源化利用"), Item("P2", "抗体药物连续流纯化工艺"),
             Item("P3", "")]
    m = affinity(people, items)
    assert m.shape == (3, 3)
    assert ((m >= 0) & (m <= 1)).all()
    assert m[0, 0] > m[1, 0] and m[1, 1] > m[0, 1]
    assert (m[2] == 0).all() and (m[:, 2] == 0).all()     # an empty profile or item has no affinity
    np.testing.assert_array_equal(m, affinity(people, items))   # deterministic


def test_synonyms_count_through_the_lexicon():
    m = affinity([Person("E1", text="锂离子电池回收")], [Item("P1", "锂电回收")])
    assert m[0, 0] > 0.5


def test_empty_sides():
    assert affinity([], [Item("P1", "x")]).shape == (0, 1)
    assert affinity([Person("E1")], []).shape == (1, 0)
