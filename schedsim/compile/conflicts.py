"""Constraints as links "B − A ∈ [l, u]" that name the protocol field behind them, and a conflict (a negative cycle
of the simple temporal network, ``schedsim.compile.stn``) told as a chain of those fields: what a rule demands, but
how the protocol places the events, and by how many days it falls short. ``schedsim check`` and the calendars'
clinic-day moves report conflicts in this one form.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from schedsim.compile.ir import Origin
from schedsim.compile.stn import Edge, distance_edges

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
    return f"{node_name(later)} {relation} {node_name(earlier)} {sign} {_days(abs(gap))}"


def node_name(node: str) -> str:
    return node[: -len(TARGET)] + " (target)" if node.endswith(TARGET) else node


def _days(value: float) -> str:
    return f"{value:g}d"
