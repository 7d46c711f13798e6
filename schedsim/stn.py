"""Simple temporal networks: consistency of "B − A ∈ [l, u]" constraints, and the conflict when there is none.

The distance graph has an edge A → B of weight u and an edge B → A of weight −l for each constraint; the network
is consistent iff that graph has no negative cycle (Dechter, Meiri & Pearl 1991). A simple negative cycle is a
minimal conflict: drop any one of its constraints and that cycle is gone.

>>> conflict = negative_cycle([Edge("a", "b", 5, "b ≤ a + 5"), Edge("b", "a", -7, "b ≥ a + 7")])
>>> [edge.label for edge in conflict], sum(edge.weight for edge in conflict)
(['b ≤ a + 5', 'b ≥ a + 7'], -2)
>>> negative_cycle([Edge("a", "b", 5, ""), Edge("b", "a", -3, "")]) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Edge:
    """``target − source ≤ weight`` in the distance graph; ``label`` says which constraint made it."""

    source: Hashable
    target: Hashable
    weight: float
    label: Any = None


def distance_edges(source: Hashable, target: Hashable, lower: float, upper: float, label: Any = None) -> list[Edge]:
    """The distance-graph edges of ``target − source ∈ [lower, upper]`` (infinite bounds make no edge)."""
    edges = []
    if upper != math.inf:
        edges.append(Edge(source, target, float(upper), label))
    if lower != -math.inf:
        edges.append(Edge(target, source, -float(lower), label))
    return edges


def negative_cycle(edges: Sequence[Edge]) -> list[Edge] | None:
    """A simple negative cycle of the distance graph (its edges in order), or ``None`` if the network is consistent.

    Bellman–Ford from a virtual source joined to every node, O(V·E); the cycle is recovered from the predecessor
    edges of a node relaxed in the V-th round.
    """
    nodes = list(dict.fromkeys(n for edge in edges for n in (edge.source, edge.target)))
    distance = dict.fromkeys(nodes, 0.0)
    predecessor: dict[Hashable, Edge] = {}
    changed: Hashable | None = None
    for _ in range(len(nodes)):
        changed = None
        for edge in edges:
            candidate = distance[edge.source] + edge.weight
            if candidate < distance[edge.target] - 1e-9:
                distance[edge.target] = candidate
                predecessor[edge.target] = edge
                changed = edge.target
        if changed is None:
            return None
    assert changed is not None
    node = changed
    for _ in range(len(nodes)):  # walk back far enough to be on the cycle itself
        node = predecessor[node].source
    cycle = []
    current = node
    while True:
        edge = predecessor[current]
        cycle.append(edge)
        current = edge.source
        if current == node:
            break
    cycle.reverse()
    return cycle


def is_consistent(edges: Iterable[Edge]) -> bool:
    return negative_cycle(list(edges)) is None
