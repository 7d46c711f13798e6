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
from dataclasses import dataclass

from schedsim.check.stn import EPSILON, Edge, distance_edges, negative_cycle
from schedsim.compile.graph import nominal_advance, plan_times
from schedsim.compile.ir import Event, Origin, Timeline

MAX_CONFLICTS = 25
TARGET = "@target"


@dataclass(frozen=True, slots=True)
class Link:
    """``target − source ∈ [lower, upper]`` (days); ``rule`` is None for how the protocol places events."""

    source: str
    target: str
    lower: float
    upper: float
    text: str
    origin: Origin
    rule: str | None = None

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    def edges(self) -> list[Edge]:
        return distance_edges(self.source, self.target, self.lower, self.upper, self)


@dataclass(frozen=True)
class Conflict:
    """A negative cycle: the rule that reports it, its links in order, and the sentence that explains it."""

    rule: str
    links: tuple[Link, ...]
    message: str
    origin: Origin
    events: tuple[str, ...]


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
        links.append(Link(anchor.ref, node, days, days, f"{_node_name(node)} = {anchor}", anchor.origin))
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


def describe(cycle: list[Edge], landmarks: Collection[str] = ()) -> Conflict:
    """Tell a negative cycle as: what the rule demands, but how the protocol places the events, and by how much."""
    first = next((i for i, edge in enumerate(cycle) if edge.label.rule is not None), 0)
    ordered = cycle[first:] + cycle[:first]
    demands: list[str] = []
    facts: list[str] = []
    run: list[Edge] = []

    def close_run() -> None:
        if run:
            facts.append(_run_sentence(run))
            run.clear()

    for edge in ordered:
        link: Link = edge.label
        if link.rule is not None:
            close_run()
            if link.text not in demands:
                demands.append(link.text)
            continue
        if run and (_upward(run[-1]) != _upward(edge) or edge.source in landmarks):
            close_run()
        run.append(edge)
    close_run()
    short = -sum(edge.weight for edge in cycle)
    message = "; ".join(demands)
    if facts:
        message += ", but " + " and ".join(facts)
    message += f": {short:g} days short"
    links = tuple(dict.fromkeys(edge.label for edge in ordered))
    rule_link = next((link for link in links if link.rule is not None), links[0])
    events = tuple(dict.fromkeys(node.removesuffix(TARGET) for edge in ordered for node in (edge.source, edge.target)))
    return Conflict(rule_link.rule or "SCH101", links, message, rule_link.origin, events)


def _upward(edge: Edge) -> bool:
    """True for an edge from a link's later event back to its earlier one (a lower bound, read upwards)."""
    return edge.source == edge.label.target


def _run_sentence(run: list[Edge]) -> str:
    """Consecutive placement edges in one direction as one relation between the run's two ends."""
    total = sum(edge.weight for edge in run)
    exact = all(edge.label.exact for edge in run)
    if len(run) == 1:
        link: Link = run[0].label
        if link.exact:
            return link.text
    if _upward(run[0]):  # from a later event up to what it is anchored on: later ≥ earlier + (−total)
        later, earlier, gap, relation = run[0].source, run[-1].target, -total, "=" if exact else "≥"
    else:  # down the anchors: later ≤ earlier + total
        earlier, later, gap, relation = run[0].source, run[-1].target, total, "=" if exact else "≤"
    sign = "+" if gap >= 0 else "-"
    return f"{_node_name(later)} {relation} {_node_name(earlier)} {sign} {_days(abs(gap))}"


def _node_name(node: str) -> str:
    return node[: -len(TARGET)] + " (target)" if node.endswith(TARGET) else node


def _days(value: float) -> str:
    return f"{value:g}d"
