"""The simple temporal network of a calendar's moving groups: which days each group may take, given the others.

Nodes are the groups of same-day clinic events that move together (named ``@<target day>:<phase>``) and the fixed events
linked to them; edges are each group's window, the fixed events' days, the links (dose spacing, declared gaps,
anchor order) and the days already chosen. A choice is possible when the network stays consistent
(``schedsim.compile.stn``: no negative cycle); the cycle found when it is not names the constraints in the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from schedsim.calendar.clinic import ClinicDays, Prefer, candidate_days
from schedsim.calendar.constraints import ZERO
from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Origin
from schedsim.compile.stn import Edge, negative_cycle

_NOWHERE = Origin("", None, "")


@dataclass
class Groups:
    """A calendar's moving groups and what constrains them."""

    start: date
    clinic: ClinicDays
    prefer: Prefer
    node: dict[str, str] = field(default_factory=dict)  # event → its node (its group, or itself when fixed)
    time: dict[str, int] = field(default_factory=dict)  # fixed node → its day
    domain: dict[str, tuple[int, int]] = field(default_factory=dict)  # group → earliest and latest day
    members: dict[str, list[str]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def target(self, group: str) -> int:
        return int(group[1:].split(":")[0])

    def at(self, node: str) -> int:
        return self.time[node] if node in self.time else self.target(node)

    def open(self, day: int) -> bool:
        return self.clinic.is_open(self.date(day))

    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def first(self, group: str) -> str:
        return self.members[group][0]


class GroupNetwork:
    """The network of one set of linked groups, and the days each may take."""

    def __init__(self, groups: Groups, chosen: list[str], links: list[Link]) -> None:
        self.groups = groups
        self.order = chosen
        self.edges: list[Edge] = []
        nodes: set[str] = set(chosen)
        for link in links:
            a, b = groups.node[link.source], groups.node[link.target]
            nodes.update((a, b))
            self.edges.extend(Link(a, b, link.lower, link.upper, link.text, link.origin, link.rule).edges())
        for node in sorted(nodes):
            if node in groups.domain:
                lo, hi = groups.domain[node]
                text = f"{groups.first(node)} inside its window {groups.date(lo)}..{groups.date(hi)}"
                self.edges.extend(Link(ZERO, node, lo, hi, text, _NOWHERE).edges())
            else:
                day = groups.time[node]
                self.edges.extend(Link(ZERO, node, day, day, f"{node} on {groups.date(day)}", _NOWHERE).edges())
        self.potential = {node: float(groups.at(node)) for node in nodes}
        self.potential[ZERO] = 0.0
        self.rejected: dict[str, list[Edge]] = {}  # group → the conflict that ruled out its nearest open day
        self._fixes: dict[tuple[str, int], list[Edge]] = {}

    def _candidates(self, group: str) -> list[int]:
        target = self.groups.target(group)
        lo, hi = self.groups.domain[group]
        return [target + k for k in candidate_days(int(target - lo), int(hi - target), self.groups.prefer)]

    def nearest_open(self, group: str) -> int | None:
        return next((day for day in self._candidates(group) if self.groups.open(day)), None)

    def _fix(self, node: str, day: int) -> list[Edge]:
        edges = self._fixes.get((node, day))
        if edges is None:
            text = f"{self.groups.first(node)} on {self.groups.date(day)}"
            edges = self._fixes[(node, day)] = Link(ZERO, node, day, day, text, _NOWHERE).edges()
        return edges

    def cycle(self, placed: Mapping[str, int], explain: bool = False) -> list[Edge] | None:
        """The conflict (a negative cycle) of these choices, or ``None`` when they can all hold; ``explain`` asks for
        the shortest such cycle (the fewest constraints), to tell."""
        extra = [edge for node, day in placed.items() for edge in self._fix(node, day)]
        return negative_cycle(self.edges + extra, self.potential, shrink=explain)

    def first_open(self, group: str, placed: Mapping[str, int]) -> int | None:
        """The first open day (in preference order) that keeps the network consistent with what is placed."""
        for day in self._candidates(group):
            if not self.groups.open(day):
                continue
            cycle = self.cycle({**placed, group: day}, explain=group not in self.rejected)
            if cycle is None:
                return day
            self.rejected.setdefault(group, cycle)
        return None

    def around(self, group: str, placed: Mapping[str, int], stuck: set[str]) -> dict[str, int] | None:
        """Place ``group`` first on each open day in turn and the groups placed before it again around it: each keeps
        its day where it still fits, else takes the first open day that does (those no open day could take before,
        the nearest day the constraints allow)."""
        before = [g for g in self.order if g in placed]
        for day in self._candidates(group):
            if not self.groups.open(day):
                continue
            trial = {group: day}
            if self.cycle(trial) is not None:
                continue
            keep = {other: placed[other] for other in before if self.groups.open(placed[other]) or other in stuck}
            if len(keep) == len(before) and self.cycle({**trial, **keep}) is None:
                return {**placed, **trial}  # the others keep their days: one check, not one each
            for other in before:
                kept = placed[other]
                if (self.groups.open(kept) or other in stuck) and self.cycle({**trial, other: kept}) is None:
                    trial[other] = kept
                    continue
                again = self.first_open(other, trial)
                if again is None and other in stuck:
                    again = self.fallback(other, trial)
                if again is None:
                    break
                trial[other] = again
            else:
                return {**placed, **trial}
        return None

    def fallback(self, group: str, placed: Mapping[str, int]) -> int:
        """No open day keeps the constraints: the target if it keeps them, else the nearest day that does."""
        for day in self._candidates(group):
            cycle = self.cycle({**placed, group: day}, explain=group not in self.rejected)
            if cycle is None:
                return day
            self.rejected.setdefault(group, cycle)
        return self.groups.target(group)  # pragma: no cover - the network was consistent before this group

    def why(self, group: str) -> str:
        """The constraints that ruled out the nearest open day (their texts), or ``""`` when none did."""
        texts = list(dict.fromkeys(link.text for link in self.conflict_links(group) if link.rule is not None))
        return "; ".join(texts)

    def conflict_links(self, group: str) -> tuple[Link, ...]:
        cycle = self.rejected.get(group)
        if cycle is None:
            return ()
        return tuple(dict.fromkeys(edge.label for edge in cycle if edge.label.source != ZERO))
