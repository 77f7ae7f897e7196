"""A general decision tree of chance nodes: the textbook form of an rNPV (branching outcomes, several
indications), used to check the closed form of :mod:`tlr.valuation.rnpv` and published worked examples.

A :class:`Chance` node pays its ``cost`` when reached (at time ``at``, years) and then goes to one of its
branches with the given probabilities (they must sum to 1); an :class:`Outcome` is a terminal value received
at time ``at``. The expected value discounts each amount by (1 + rate)^(−at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Outcome:
    value: float
    at: float = 0.0


@dataclass(frozen=True)
class Chance:
    cost: float
    branches: tuple[tuple[float, "Node"], ...]
    at: float = 0.0


Node = Union[Chance, Outcome]


def expected_value(node: Node, rate: float = 0.0) -> float:
    """The probability-weighted, discounted value of *node* (recursion over a small, hand-built tree)."""
    if isinstance(node, Outcome):
        return node.value * (1.0 + rate) ** (-node.at)
    total = sum(p for p, _ in node.branches)
    if not math.isclose(total, 1.0, abs_tol=1e-9) or any(p < 0 for p, _ in node.branches):
        raise ValueError(f"branch probabilities must be >= 0 and sum to 1 (got {total})")
    return -node.cost * (1.0 + rate) ** (-node.at) + sum(p * expected_value(child, rate) for p, child in node.branches)


def chain_tree(p, years, cost, launch_value: float) -> Node:
    """The tree of a stage chain (as :func:`tlr.valuation.rnpv.chain_value` sees it): each stage fails to an
    outcome of 0 or passes to the next; *launch_value* is received (undiscounted amount) at launch."""
    start = [sum(years[:k]) for k in range(len(p) + 1)]
    node: Node = Outcome(launch_value, start[-1])
    for k in reversed(range(len(p))):
        node = Chance(cost[k], ((p[k], node), (1.0 - p[k], Outcome(0.0, start[k]))), start[k])
    return node


__all__ = ["Outcome", "Chance", "Node", "expected_value", "chain_tree"]
