"""Simple temporal networks: consistency of "B − A ∈ [l, u]" constraints, and the conflict when there is none.

The distance graph has an edge A → B of weight u and an edge B → A of weight −l for each constraint; the network
is consistent iff that graph has no negative cycle (Dechter, Meiri & Pearl 1991). A simple negative cycle is an
irreducible conflict: drop any one of its constraints and that cycle is gone.

>>> conflict = negative_cycle([Edge("a", "b", 5, "b ≤ a + 5"), Edge("b", "a", -7, "b ≥ a + 7")])
>>> [edge.label for edge in conflict], sum(edge.weight for edge in conflict)
(['b ≤ a + 5', 'b ≥ a + 7'], -2)
>>> negative_cycle([Edge("a", "b", 5, ""), Edge("b", "a", -3, "")]) is None
True
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EPSILON = 1e-9
SHRINK_LIMIT = 40  # look for a shorter conflict among the nodes of a cycle up to this size


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


def negative_cycle(edges: Sequence[Edge], potential: Mapping[Hashable, float] | None = None,
                   shrink: bool = True) -> list[Edge] | None:
    """A simple negative cycle of the distance graph (its edges in order), or ``None`` if the network is consistent.

    Queue-based Bellman–Ford (label correcting) with Goldberg's amortised cycle detection: after every V relaxations
    the parent graph is searched for a cycle, and any cycle there is negative. Labels start at ``potential`` (0 for
    nodes it leaves out): a good guess such as a planned schedule, which satisfies most constraints already, leaves
    only the violated ones to correct, so a consistent protocol is confirmed in one pass over the edges. The worst
    case stays O(V·E). A cycle found is then shrunk to the fewest constraints that still conflict among its nodes
    (``shrink=False`` when only whether there is one matters).
    """
    nodes = list(dict.fromkeys(n for edge in edges for n in (edge.source, edge.target)))
    index = {node: i for i, node in enumerate(nodes)}
    count = len(nodes)
    sources = [index[edge.source] for edge in edges]
    targets = [index[edge.target] for edge in edges]
    weights = [float(edge.weight) for edge in edges]
    outgoing: list[list[int]] = [[] for _ in range(count)]
    for e, s in enumerate(sources):
        outgoing[s].append(e)
    start = potential or {}
    distance = [float(start.get(node, 0.0)) for node in nodes]
    parent = [-1] * count  # the edge that last lowered each node's distance
    queue = deque(range(count))
    queued = [True] * count
    relaxations = 0
    while queue:
        u = queue.popleft()
        queued[u] = False
        du = distance[u]
        for e in outgoing[u]:
            v = targets[e]
            candidate = du + weights[e]
            if candidate < distance[v] - EPSILON:
                distance[v] = candidate
                parent[v] = e
                relaxations += 1
                if relaxations >= count:
                    relaxations = 0
                    cycle = _parent_cycle(parent, sources, count)
                    if cycle is not None:
                        shortest = _shrink(cycle, edges, sources, targets, weights) if shrink else cycle
                        return [edges[e] for e in shortest]
                if not queued[v]:
                    queued[v] = True
                    queue.append(v)
    return None


def _parent_cycle(parent: list[int], sources: list[int], count: int) -> list[int] | None:
    """A cycle of the parent graph as edge indices in forward order, or ``None``: O(V) colouring walk."""
    state = [0] * count  # 0 unseen, 1 on the current walk, 2 done
    for start in range(count):
        if state[start]:
            continue
        walk = []
        node = start
        while node != -1 and state[node] == 0:
            state[node] = 1
            walk.append(node)
            e = parent[node]
            node = sources[e] if e != -1 else -1
        if node != -1 and state[node] == 1:  # came back onto this walk: a cycle through ``node``
            cycle_edges = []
            current = node
            while True:
                e = parent[current]
                cycle_edges.append(e)
                current = sources[e]
                if current == node:
                    break
            cycle_edges.reverse()
            return cycle_edges
        for visited in walk:
            state[visited] = 2
    return None


def _shrink(cycle: list[int], edges: Sequence[Edge], sources: list[int], targets: list[int],
            weights: list[float]) -> list[int]:
    """The negative cycle with the fewest edges among the nodes of ``cycle`` (``cycle`` itself when it is long).

    Walks of exactly k edges are tried for k = 2, 3, ...: the first negative closed walk found is a simple cycle
    (a shorter negative one would have been found before), so the result is minimal in length on those nodes.
    """
    members = {sources[e] for e in cycle}
    if len(cycle) <= 2 or len(members) > SHRINK_LIMIT:
        return cycle
    local = [e for e in range(len(edges)) if sources[e] in members and targets[e] in members]
    best: list[int] | None = None
    for start in sorted(members):
        reach: dict[int, tuple[float, list[int]]] = {start: (0.0, [])}
        for _length in range(1, len(cycle) if best is None else len(best)):
            step: dict[int, tuple[float, list[int]]] = {}
            for e in local:
                here = reach.get(sources[e])
                if here is None:
                    continue
                value = here[0] + weights[e]
                known = step.get(targets[e])
                if known is None or value < known[0]:
                    step[targets[e]] = (value, [*here[1], e])
            back = step.get(start)
            if back is not None and back[0] < -EPSILON:
                best = back[1]
                break
            reach = step
    return best if best is not None and len(best) < len(cycle) else cycle


def is_consistent(edges: Iterable[Edge]) -> bool:
    return negative_cycle(list(edges)) is None
