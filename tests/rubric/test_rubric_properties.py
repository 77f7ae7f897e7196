"""Property tests (hypothesis): weight normalisation and tree invariants on random rubrics."""

from __future__ import annotations

import math
import random

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlr.rubric import rubric_from_data

import pytest

pytestmark = pytest.mark.slow  # property-based search over many generated inputs (full suite)

weights = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def trees(draw, depth=0, counter=None):
    counter = counter if counter is not None else [0]
    n = draw(st.integers(1, 4))
    nodes = []
    for _ in range(n):
        counter[0] += 1
        node_id = f"n{counter[0]}"
        if depth < 3 and draw(st.booleans()):
            nodes.append({"id": node_id, "label": node_id, "weight": draw(weights),
                          "children": draw(trees(depth + 1, counter))})
        else:
            nodes.append({"id": node_id, "label": node_id, "weight": draw(weights), "scale": "l5"})
    return nodes


def _document(tree):
    return {"id": "prop", "version": "1", "title": "Property", "normalize": True,
            "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}}, "dimensions": tree}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_normalised_weights_form_a_distribution(tree):
    rubric = rubric_from_data(_document(tree))
    # siblings' local weights sum to 1 and keep the ratios the author wrote
    for parent in [None] + [n.id for n in rubric.dimensions]:
        children = rubric.children(parent)
        local = np.array([c.local_weight for c in children])
        raw = np.array([c.model.weight for c in children])
        assert math.isclose(local.sum(), 1.0, rel_tol=1e-12)
        np.testing.assert_allclose(local, raw / raw.sum(), rtol=1e-12)
    # global weights of the leaves sum to 1; each is the product of local weights on its path
    assert math.isclose(rubric.global_weights().sum(), 1.0, rel_tol=1e-9)
    for node in rubric.nodes:
        product = math.prod(rubric.node(a).local_weight for a in node.path)
        assert math.isclose(node.global_weight, product, rel_tol=1e-12)
    # a dimension's global weight is the sum of its children's
    for dim in rubric.dimensions:
        assert math.isclose(dim.global_weight, sum(c.global_weight for c in rubric.children(dim.id)), rel_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(trees(), st.randoms(use_true_random=False))
def test_sibling_order_does_not_change_weights(tree, rnd: random.Random):
    def shuffled(nodes):
        nodes = [dict(n) for n in nodes]
        rnd.shuffle(nodes)
        for n in nodes:
            if "children" in n:
                n["children"] = shuffled(n["children"])
        return nodes

    a = rubric_from_data(_document(tree))
    b = rubric_from_data(_document(shuffled(tree)))
    wa = {n.id: n.global_weight for n in a.nodes}
    wb = {n.id: n.global_weight for n in b.nodes}
    assert wa.keys() == wb.keys()
    for key in wa:
        assert math.isclose(wa[key], wb[key], rel_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(trees(), st.floats(min_value=0.001, max_value=1000))
def test_scaling_all_weights_changes_nothing(tree, factor):
    def scaled(nodes):
        out = []
        for n in nodes:
            n = dict(n, weight=n["weight"] * factor)
            if "children" in n:
                n["children"] = scaled(n["children"])
            out.append(n)
        return out

    a = rubric_from_data(_document(tree))
    b = rubric_from_data(_document(scaled(tree)))
    np.testing.assert_allclose(a.global_weights(), b.global_weights(), rtol=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees())
def test_tree_invariants_and_yaml_round_trip(tmp_path_factory, tree):
    rubric = rubric_from_data(_document(tree))
    ids = [n.id for n in rubric.nodes]
    assert len(ids) == len(set(ids))
    for node in rubric.nodes:
        assert node.path[-1] == node.id
        assert node.depth == len(node.path) - 1
        assert node.parent == (node.path[-2] if len(node.path) > 1 else None)
        assert (node.kind == "dimension") == bool(rubric.children(node.id))
    # writing the document as YAML in another style and loading it gives the same hash
    from tlr.rubric import load_rubric

    path = tmp_path_factory.mktemp("rt") / "r.yaml"
    path.write_text(yaml.safe_dump(_document(tree), allow_unicode=True, default_flow_style=True), encoding="utf-8")
    assert load_rubric(path).content_hash == rubric.content_hash
