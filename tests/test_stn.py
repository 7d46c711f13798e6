"""The simple-temporal-network check against brute force on small random networks."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from schedsim.compile.stn import Edge, distance_edges, negative_cycle

NODES = ("a", "b", "c")
CONSTRAINT = st.tuples(st.sampled_from(NODES), st.sampled_from(NODES), st.integers(-6, 6), st.integers(0, 6)).filter(
    lambda c: c[0] != c[1])


def brute_force_consistent(constraints: list[tuple[str, str, int, int]]) -> bool:
    """Try every integer schedule with a at 0 (times are relative) and b, c within ±24: each constraint spans at
    most 12 days, so any solution has one there."""
    for tb, tc in itertools.product(range(-24, 25), repeat=2):
        t = {"a": 0, "b": tb, "c": tc}
        if all(low <= t[b] - t[a] <= low + width for a, b, low, width in constraints):
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(st.lists(CONSTRAINT, min_size=1, max_size=5))
def test_negative_cycle_iff_brute_force_finds_no_schedule(constraints: list[tuple[str, str, int, int]]) -> None:
    edges = [e for i, (a, b, low, width) in enumerate(constraints)
             for e in distance_edges(a, b, low, low + width, i)]
    cycle = negative_cycle(edges)
    assert (cycle is None) == brute_force_consistent(constraints)
    if cycle is not None:
        assert sum(edge.weight for edge in cycle) < 0
        assert all(x.target == y.source for x, y in zip(cycle, cycle[1:] + cycle[:1], strict=True))  # a cycle
        assert len({edge.source for edge in cycle}) == len(cycle)  # simple: each node once


def test_infinite_bounds_make_no_edge() -> None:
    assert distance_edges("a", "b", 1, math.inf, "after") == [Edge("b", "a", -1.0, "after")]
    assert negative_cycle(distance_edges("a", "b", 1, math.inf) + distance_edges("b", "a", 1, math.inf)) is not None


def floyd_warshall_consistent(edges: list[Edge]) -> bool:
    """The textbook test: all-pairs shortest paths, then a negative diagonal means a negative cycle."""
    nodes = sorted({n for e in edges for n in (e.source, e.target)})
    dist = {(a, b): (0.0 if a == b else math.inf) for a in nodes for b in nodes}
    for e in edges:
        dist[e.source, e.target] = min(dist[e.source, e.target], e.weight)
    for k in nodes:
        for i in nodes:
            for j in nodes:
                if dist[i, k] + dist[k, j] < dist[i, j]:
                    dist[i, j] = dist[i, k] + dist[k, j]
    return all(dist[n, n] >= 0 for n in nodes)


BIG = st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(-20, 20), st.integers(0, 10)).filter(
    lambda c: c[0] != c[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(BIG, min_size=1, max_size=30), st.lists(st.integers(-50, 50), min_size=12, max_size=12))
def test_larger_networks_agree_with_floyd_warshall(constraints: list[tuple[int, int, int, int]],
                                                  labels: list[int]) -> None:
    """Whatever labels the search starts from (a plan is a guess), the answer is the textbook one."""
    edges = [e for i, (a, b, low, width) in enumerate(constraints) for e in distance_edges(a, b, low, low + width, i)]
    cycle = negative_cycle(edges, dict(enumerate(labels)))
    assert (cycle is None) == floyd_warshall_consistent(edges)
    if cycle is not None:
        assert sum(edge.weight for edge in cycle) < 0
        assert all(x.target == y.source for x, y in zip(cycle, cycle[1:] + cycle[:1], strict=True))
        assert len({edge.source for edge in cycle}) == len(cycle)


def test_conflict_is_shrunk_to_the_shortest_cycle_on_its_nodes() -> None:
    """A long chain a→b→c→d with a direct contradiction a–d: the two-constraint conflict is reported when the
    shorter cycle exists among the found cycle's nodes."""
    edges = (distance_edges("a", "b", 10, 10, "ab") + distance_edges("b", "c", 10, 10, "bc")
             + distance_edges("c", "d", 10, 10, "cd") + distance_edges("a", "d", 0, 5, "ad")
             + distance_edges("b", "d", 0, 5, "bd"))
    cycle = negative_cycle(edges)
    assert cycle is not None
    # three constraints conflict (b→c→d against b–d ≤ 5, or a→b, b–d ≥ 0 against a–d ≤ 5); a→b→c→d against a–d
    # (four) is not the smallest
    assert len(cycle) == 3 and sum(edge.weight for edge in cycle) < 0
