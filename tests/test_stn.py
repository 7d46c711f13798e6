"""The simple-temporal-network check against brute force on small random networks."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from schedsim.stn import Edge, distance_edges, negative_cycle

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
