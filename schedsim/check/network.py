"""The protocol as a simple temporal network, its conflicts, and each conflict told as a chain of protocol fields.

Placement links say how the compiled timeline places events (an ``at`` anchor is ``B − A = offset``, widened by
B's window; an ``after`` anchor is ``B − A ≥ offset``); rule links say what the check rules demand (declared
constraints, phase order, the CAR-T and ASCT sequences, the horizon, dose spacing). Placement alone is always
consistent (the plan is a solution), so every negative cycle holds at least one rule link: that rule reports it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable, Sequence

from schedsim.compile.conflicts import TARGET, Conflict, Link, describe, node_name
from schedsim.compile.graph import nominal_advance, plan_times
from schedsim.compile.ir import Event, Timeline
from schedsim.compile.stn import EPSILON, Edge, negative_cycle

MAX_CONFLICTS = 25


def target_of(event: Event) -> str:
    """The network node of an event's target day: its own node unless a window lets the event move."""
    return event.id + TARGET if _has_window(event) else event.id


def _has_window(event: Event) -> bool:
    return event.rule == "at" and event.window is not None and (event.window.early or event.window.late) > 0


def placement_links(timeline: Timeline) -> list[Link]:
    """How the timeline places each event, as links (a windowed event gets a target node and a window link)."""
    links: list[Link] = []
    for event in timeline.events:
        if event.rule == "root":
            continue
        if event.rule == "after":
            for anchor in event.anchors:
                days = anchor.offset.nominal_days
                links.append(Link(anchor.ref, event.id, days, math.inf, f"{event.id} ≥ {anchor}", anchor.origin))
            continue
        anchor = event.anchors[0]
        days = anchor.offset.nominal_days
        node = target_of(event)
        if node != event.id:
            window = event.window
            assert window is not None
            links.append(Link(node, event.id, -window.early, window.late,
                              f"{event.id} within {window} of its target", event.origin))
        links.append(Link(anchor.ref, node, days, days, f"{node_name(node)} = {anchor}", anchor.origin))
    return links


def planned_times(timeline: Timeline) -> dict[str, int]:
    """Nominal day of every node (targets included), from the timeline's root."""
    events = {event.id: event for event in timeline.events}
    times = plan_times(events, [event.id for event in timeline.events], nominal_advance)
    for event in timeline.events:
        if _has_window(event):
            times[event.id + TARGET] = times[event.id]
    return times


def find_conflicts(placement: Sequence[Link], rules: Sequence[Link], times: dict[str, int],
                   landmarks: Collection[str] = (), limit: int = MAX_CONFLICTS) -> tuple[list[Conflict], list[Link]]:
    """Every conflict (up to ``limit``), dropping the rule links of each before looking for the next.

    A negative cycle may pass through several rule links; when one of them conflicts with the placement on its
    own, it is reported alone with the tightest chain of placements against it (a shortest path), so each finding
    names one rule and the fewest protocol fields. Chains are told in steps that stop at ``landmarks`` (a block's
    day 0, such as the CAR-T infusion). Returns the conflicts and the rule links left, which hold.
    """
    base = [edge for link in placement for edge in link.edges()]
    paths = _Paths(base, times)
    active = list(rules)
    conflicts: list[Conflict] = []
    while len(conflicts) < limit:
        cycle = negative_cycle(base + [edge for link in active for edge in link.edges()], times)
        if cycle is None:
            break
        in_cycle = list(dict.fromkeys(edge.label for edge in cycle if edge.label.rule is not None))
        alone = next((c for c in (paths.against(link) for link in in_cycle) if c is not None), None)
        conflict = describe(alone if alone is not None else cycle, landmarks)
        conflicts.append(conflict)
        culprits = {id(link) for link in conflict.links if link.rule is not None}
        active = [link for link in active if id(link) not in culprits]
    return conflicts, active


class _Paths:
    """Shortest paths over the placement edges alone (Dijkstra, made non-negative by the plan's potentials)."""

    def __init__(self, edges: list[Edge], times: dict[str, int]) -> None:
        self.times = times
        self.outgoing: dict[str, list[Edge]] = {}
        for edge in edges:
            self.outgoing.setdefault(edge.source, []).append(edge)

    def against(self, link: Link) -> list[Edge] | None:
        """The negative cycle of ``link`` with the placements alone, if it has one."""
        for edge in link.edges():
            path = self.shortest(edge.target, edge.source)
            if path is not None and edge.weight + sum(e.weight for e in path) < -EPSILON:
                return [edge, *path]
        return None

    def shortest(self, source: str, target: str) -> list[Edge] | None:
        h = self.times
        best = {source: 0.0}
        via: dict[str, Edge] = {}
        heap = [(0.0, source)]
        done: set[str] = set()
        while heap:
            reduced, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == target:
                path = []
                while node != source:
                    edge = via[node]
                    path.append(edge)
                    node = edge.source
                return path[::-1]
            for edge in self.outgoing.get(node, ()):
                value = reduced + edge.weight + h[edge.source] - h[edge.target]
                if value < best.get(edge.target, math.inf) - EPSILON:
                    best[edge.target] = value
                    via[edge.target] = edge
                    heapq.heappush(heap, (value, edge.target))
        return None


def broken_by_plan(rules: Iterable[Link], times: dict[str, int]) -> list[tuple[Link, int]]:
    """Rule links the planned (nominal) days break, with the planned gap."""
    broken = []
    for link in rules:
        gap = times[link.target] - times[link.source]
        if not link.lower <= gap <= link.upper:
            broken.append((link, gap))
    return broken


