"""Clinic-day moves that keep every constraint of the protocol.

A calendar is a schedule of the protocol's network: moving a visit off a closed day must keep each agent's minimum
interval between doses, the declared gaps (``constraints:``), the order of events anchored on each other, and the
window's bounds (never before its phase starts, never after the horizon). Events of one day at the clinic (a
cycle-day visit, its doses and its assessments) move together as one group.

Groups that constraints link are placed together, in date order. Each goes on its target when that day is open and
the network stays consistent (a simple temporal network, ``schedsim.compile.stn``: later groups may still move inside
their windows), else on the open day inside its window, nearest first as ``clinic.prefer`` orders them, that keeps it
consistent. When no open day does, the groups placed before it are placed again around it (the neighbours move
within their windows). When nothing works the group keeps its target, or the nearest day that keeps every
constraint, is flagged, and the conflict is told with the constraints that forbid each open day (``MoveConflict``:
``schedsim check`` reports it as SCH208).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from schedsim.calendar.clinic import ClinicDays, candidate_days
from schedsim.calendar.constraints import ZERO, MoveConflict, Moves, Placement, calendar_links, moves_with
from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Origin, Timeline
from schedsim.compile.stn import Edge, negative_cycle
from schedsim.compile.windows import window_of


def place_events(timeline: Timeline, start: date, targets: Mapping[str, int], events: Sequence[str],
                 fixed: Mapping[str, int], clinic: ClinicDays) -> Moves:
    """Place the calendar's ``events`` (ids) on clinic days.

    ``targets`` holds every event's target time (milestones too: phase starts and the horizon bound the windows);
    ``fixed`` the recorded times of events that happened (they do not move, but constrain the others).
    """
    return _Placer(timeline, start, targets, events, fixed, clinic).run()


class _Placer:
    def __init__(self, timeline: Timeline, start: date, targets: Mapping[str, int], events: Sequence[str],
                 fixed: Mapping[str, int], clinic: ClinicDays) -> None:
        self.timeline, self.start, self.targets, self.clinic = timeline, start, targets, clinic
        self.prefer = timeline.clinic.prefer
        self.moves = Moves()
        self.node: dict[str, str] = {}  # event → its network node (a group's first event, or itself)
        self.time: dict[str, int] = {}  # fixed node → its time
        self.domain: dict[str, tuple[int, int]] = {}  # group node → earliest and latest day
        self.members: dict[str, list[str]] = {}
        for event_id in events:
            self._classify(event_id, fixed)
        self.links = [link for link in calendar_links(timeline, events, targets, fixed) if self._relevant(link)]

    # --- what can move -------------------------------------------------------------------------------------

    def _classify(self, event_id: str, fixed: Mapping[str, int]) -> None:
        event = self.timeline.event(event_id)
        target = self.targets[event_id]
        if event_id in fixed:
            self._fix(event_id, fixed[event_id])
            return
        if not moves_with(event, self.timeline):
            self._fix(event_id, target)
            return
        window = window_of(self.timeline, event, self.targets)
        if window is None or window == (0, 0):
            self._fix(event_id, target)
            reason = self.clinic.closed_reason(self._date(target))
            if reason is not None:
                room = "no window to move within" if window is None else "no open day in window -0d/+0d"
                text = f"{reason}, {room}: kept"
                self.moves.placements[event_id] = Placement(target, text, True)
                self.moves.conflicts.append(MoveConflict((event_id,), text, (), event.origin, "SCH206"))
            return
        key = f"@{target}"  # one group per clinic day: its events move together
        lo, hi = target - window[0], target + window[1]
        members = self.members.setdefault(key, [])
        members.append(event_id)
        self.node[event_id] = key
        previous = self.domain.get(key, (-math.inf, math.inf))
        self.domain[key] = (max(previous[0], lo), min(previous[1], hi))  # type: ignore[assignment]

    def _fix(self, event_id: str, day: int) -> None:
        self.node[event_id] = event_id
        self.time[event_id] = day
        self.moves.placements[event_id] = Placement(day)

    def _relevant(self, link: Link) -> bool:
        return link.source in self.node and link.target in self.node and (
            self.node[link.source] in self.domain or self.node[link.target] in self.domain)

    # --- placing -------------------------------------------------------------------------------------------

    def run(self) -> Moves:
        for component in self._components():
            groups = sorted(component, key=lambda g: (self._target(g), g))
            if all(self._open(self._target(g)) for g in groups) and self._holds_at_targets(groups):
                for group in groups:
                    self._settle(group, self._target(group), "")
                continue
            self._solve(groups)
        return self.moves

    def _components(self) -> list[set[str]]:
        parent = {group: group for group in self.domain}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for link in self.links:
            a, b = self.node[link.source], self.node[link.target]
            if a in parent and b in parent:
                parent[find(a)] = find(b)
        found: dict[str, set[str]] = {}
        for group in self.domain:
            found.setdefault(find(group), set()).add(group)
        return list(found.values())

    def _holds_at_targets(self, groups: Iterable[str]) -> bool:
        chosen = set(groups)
        for link in self.links:
            a, b = self.node[link.source], self.node[link.target]
            if a in chosen or b in chosen:
                gap = self._at(b) - self._at(a)
                if not link.lower <= gap <= link.upper:
                    return False
        return True

    def _solve(self, groups: list[str]) -> None:
        network = _Network(self, groups)
        placed: dict[str, int] = {}
        stuck: set[str] = set()
        for group in groups:
            day = network.first_open(group, placed)
            if day is None:
                again = network.around(group, placed, stuck)
                if again is not None:
                    placed = again
                    continue
                day = network.fallback(group, placed)
                stuck.add(group)
            placed[group] = day
        for group in groups:
            self._settle(group, placed[group], group in stuck, network)

    def _settle(self, group: str, day: int, stuck: bool, network: _Network | None = None) -> None:
        """Record where a group went and why; a group no open day could take is flagged and a conflict."""
        target = self._target(group)
        shift = day - target
        closed = self.clinic.closed_reason(self._date(target))
        why = network.why(group) if network is not None else ""
        if not stuck:
            if shift == 0:
                reason = ""
            elif closed is not None:
                reason = f"{closed} → moved {shift:+d}d"
                if network is not None and why and day != network.nearest_open(group):
                    reason += f" (nearer open days break: {why})"
            else:
                reason = f"moved {shift:+d}d to keep: {why}"
            self._record(group, day, reason, False)
            return
        assert network is not None
        lo, hi = self.domain[group]
        room = network.nearest_open(group) is not None
        rule = "SCH208" if room else "SCH206"
        head = (f"{closed}, " if closed else "") + (
            "every open day in its window breaks a constraint" if room
            else f"no open day in window -{target - lo:g}d/+{hi - target:g}d")
        if shift == 0:
            reason = f"{head}: kept" + (f" ({why})" if why else "")
        else:
            reason = f"{head}: moved {shift:+d}d to {self.clinic.closed_reason(self._date(day))} to keep: {why}"
        self._record(group, day, reason, True)
        links = network.conflict_links(group)
        first = self.timeline.event(group_first(self, group))
        origin = next((link.origin for link in links if link.rule), first.origin)
        self.moves.conflicts.append(MoveConflict(tuple(self.members[group]), reason, links, origin, rule))

    def _record(self, group: str, day: int, reason: str, flagged: bool) -> None:
        for event_id in self.members[group]:
            self.moves.placements[event_id] = Placement(day, reason, flagged)

    def _target(self, group: str) -> int:
        return int(group[1:])

    def _at(self, node: str) -> int:
        return self.time[node] if node in self.time else self._target(node)

    def _open(self, day: int) -> bool:
        return self.clinic.is_open(self._date(day))

    def _date(self, day: int) -> date:
        return self.start + timedelta(days=day)


def group_first(placer: _Placer, group: str) -> str:
    return placer.members[group][0]


class _Network:
    """The simple temporal network of one set of linked groups: their windows, the fixed events they touch, the
    links, and the days already chosen (each an exact edge from the origin)."""

    def __init__(self, placer: _Placer, groups: list[str]) -> None:
        self.placer = placer
        self.groups = groups
        chosen = set(groups)
        links = [link for link in placer.links
                 if placer.node[link.source] in chosen or placer.node[link.target] in chosen]
        self.edges: list[Edge] = []
        nodes: set[str] = set(groups)
        for link in links:
            a, b = placer.node[link.source], placer.node[link.target]
            nodes.update((a, b))
            node_link = Link(a, b, link.lower, link.upper, link.text, link.origin, link.rule)
            self.edges.extend(node_link.edges())
        for node in sorted(nodes):
            if node in placer.domain:
                lo, hi = placer.domain[node]
                text = f"{group_first(placer, node)} inside its window {placer._date(lo)}..{placer._date(hi)}"
                self.edges.extend(Link(ZERO, node, lo, hi, text, Origin("", None, "")).edges())
            else:
                day = placer.time[node]
                self.edges.extend(Link(ZERO, node, day, day, f"{node} on {placer._date(day)}",
                                       Origin("", None, "")).edges())
        self.potential = {node: float(placer._at(node)) for node in nodes}
        self.potential[ZERO] = 0.0
        self.rejected: dict[str, list[Edge]] = {}  # group → the conflict that ruled out its nearest open day

    def _candidates(self, group: str) -> list[int]:
        target = self.placer._target(group)
        lo, hi = self.placer.domain[group]
        return [target + k for k in candidate_days(int(target - lo), int(hi - target), self.placer.prefer)]

    def nearest_open(self, group: str) -> int | None:
        return next((day for day in self._candidates(group) if self.placer._open(day)), None)

    def _cycle(self, placed: Mapping[str, int]) -> list[Edge] | None:
        extra = [edge for node, day in placed.items()
                 for edge in Link(ZERO, node, day, day, f"{group_first(self.placer, node)} on "
                                                       f"{self.placer._date(day)}", Origin("", None, "")).edges()]
        return negative_cycle(self.edges + extra, self.potential)

    def first_open(self, group: str, placed: Mapping[str, int]) -> int | None:
        """The first open day (in preference order) that keeps the network consistent with what is placed."""
        for day in self._candidates(group):
            if not self.placer._open(day):
                continue
            cycle = self._cycle({**placed, group: day})
            if cycle is None:
                return day
            self.rejected.setdefault(group, cycle)
        return None

    def around(self, group: str, placed: Mapping[str, int], stuck: set[str]) -> dict[str, int] | None:
        """Place ``group`` first on each open day in turn and the groups placed before it again around it: each on
        an open day again (those no open day could take before, where the constraints let them)."""
        before = [g for g in self.groups if g in placed]
        for day in self._candidates(group):
            if not self.placer._open(day):
                continue
            trial = {group: day}
            if self._cycle(trial) is not None:
                continue
            for other in before:  # each keeps its day where it still fits, else the first open day that does
                kept = placed[other]
                if (self.placer._open(kept) or other in stuck) and self._cycle({**trial, other: kept}) is None:
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
            cycle = self._cycle({**placed, group: day})
            if cycle is None:
                return day
            self.rejected.setdefault(group, cycle)
        return self.placer._target(group)  # pragma: no cover - the network was consistent before this group

    def why(self, group: str) -> str:
        """The constraints that ruled out the nearest open day (their texts), or the window when none did."""
        links = self.conflict_links(group)
        texts = list(dict.fromkeys(link.text for link in links if link.rule is not None))
        return "; ".join(texts)

    def conflict_links(self, group: str) -> tuple[Link, ...]:
        cycle = self.rejected.get(group)
        if cycle is None:
            return ()
        return tuple(dict.fromkeys(edge.label for edge in cycle if edge.label.source != ZERO))
