"""Clinic-day moves that keep every constraint of the protocol.

A calendar is a schedule of the protocol's network: moving a visit off a closed day must keep each agent's minimum
interval between doses, the declared gaps (``constraints:``), the order of events anchored on each other, and the
window's bounds (never before its phase starts, never after the horizon). Events of one day at the clinic (a
cycle-day visit, its doses and its assessments) move together as one group.

Groups that constraints link are placed together, in date order. Each goes on its target when that day is open and
the network stays consistent (``schedsim.calendar.network``: later groups may still move inside their windows), else
on the open day inside its window, nearest first as ``clinic.prefer`` orders them, that keeps it consistent. When no
open day does, the groups placed before it are placed again around it (the neighbours move within their windows).
When nothing works the group keeps its target, or the nearest day that keeps every constraint, is flagged, and the
conflict is kept with the constraints that forbid each open day (``MoveConflict``: ``schedsim check`` reports it as
SCH206 when no day of the window is open, SCH208 when open days break a constraint).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

from schedsim.calendar.clinic import ClinicDays, candidate_days
from schedsim.calendar.constraints import MoveConflict, Moves, Placement, calendar_links
from schedsim.calendar.facts import facts_of
from schedsim.calendar.network import GroupNetwork, Groups
from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Timeline
from schedsim.compile.windows import window_of


def place_events(timeline: Timeline, start: date, targets: Mapping[str, int], events: Sequence[str],
                 fixed: Mapping[str, int], clinic: ClinicDays) -> Moves:
    """Place the calendar's ``events`` (ids) on clinic days; events with no placement stay on their target.

    ``targets`` holds every event's target time (milestones too: phase starts and the horizon bound the windows);
    ``fixed`` the recorded times of events that happened (they do not move, but constrain the others).
    """
    return _Placer(timeline, start, targets, events, fixed, clinic).run()


class _Placer:
    def __init__(self, timeline: Timeline, start: date, targets: Mapping[str, int], events: Sequence[str],
                 fixed: Mapping[str, int], clinic: ClinicDays) -> None:
        self.timeline = timeline
        self.moves = Moves()
        self.groups = Groups(start, clinic, timeline.clinic.prefer)
        facts = facts_of(timeline).events
        for event_id in events:
            if event_id not in fixed and facts[event_id].moves:
                self._classify(event_id, targets)
        groups = self.groups
        for link in calendar_links(timeline, events, targets, fixed, groups.node):  # links to moving events
            for end in (link.source, link.target):
                if end not in groups.node:
                    groups.node[end] = end
                    groups.time[end] = fixed.get(end, targets[end])
            if not self._always_holds(link):
                groups.links.append(link)

    def _classify(self, event_id: str, targets: Mapping[str, int]) -> None:
        """A moving event joins its day's group, with its window bounded at its phase start and the horizon."""
        event = self.timeline.event(event_id)
        target = targets[event_id]
        window = window_of(self.timeline, event, targets)
        groups = self.groups
        if window is None or window == (0, 0):
            reason = groups.clinic.closed_reason(groups.date(target))
            if reason is not None:
                room = "no window to move within" if window is None else "no open day in window -0d/+0d"
                text = f"{reason}, {room}: kept"
                self.moves.placements[event_id] = Placement(target, text, True)
                self.moves.conflicts.append(MoveConflict((event_id,), text, (), event.origin, "SCH206"))
            return
        # one group per phase and clinic day: its events move together (an assessment outside any phase, alone)
        key = f"@{target}:{event.phase if event.phase is not None else event_id}"
        groups.members.setdefault(key, []).append(event_id)
        groups.node[event_id] = key
        lo, hi = groups.domain.get(key, (-math.inf, math.inf))
        groups.domain[key] = (max(lo, target - window[0]), min(hi, target + window[1]))  # type: ignore[assignment]

    def run(self) -> Moves:
        groups = self.groups
        for component, links in self._components():
            ordered = sorted(component, key=lambda g: (groups.target(g), g))
            if all(groups.open(groups.target(g)) for g in ordered) and all(self._holds(link) for link in links):
                for group in ordered:
                    self._record(group, groups.target(group), "", False)
                continue
            if not links:  # a group on its own: its window is all that binds it
                self._alone(ordered[0])
                continue
            self._solve(ordered, links)
        return self.moves

    def _components(self) -> list[tuple[set[str], list[Link]]]:
        """Groups linked by constraints (through each other), each with the links that touch it."""
        groups = self.groups
        parent = {group: group for group in groups.domain}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for link in groups.links:
            a, b = groups.node[link.source], groups.node[link.target]
            if a in parent and b in parent:
                parent[find(a)] = find(b)
        members: dict[str, set[str]] = {}
        for group in groups.domain:
            members.setdefault(find(group), set()).add(group)
        touching: dict[str, list[Link]] = {}
        for link in groups.links:
            node = next(n for n in (groups.node[link.source], groups.node[link.target]) if n in parent)
            touching.setdefault(find(node), []).append(link)
        return [(found, touching.get(root, [])) for root, found in members.items()]

    def _always_holds(self, link: Link) -> bool:
        """Whether a link holds whatever days its ends take inside their windows (it can never bind: left out)."""
        (a_lo, a_hi), (b_lo, b_hi) = (self._span(self.groups.node[end]) for end in (link.source, link.target))
        return b_lo - a_hi >= link.lower and b_hi - a_lo <= link.upper

    def _span(self, node: str) -> tuple[float, float]:
        groups = self.groups
        if node in groups.time:
            return groups.time[node], groups.time[node]
        return groups.domain[node]

    def _holds(self, link: Link) -> bool:
        groups = self.groups
        gap = groups.at(groups.node[link.target]) - groups.at(groups.node[link.source])
        return link.lower <= gap <= link.upper

    def _solve(self, ordered: list[str], links: list[Link]) -> None:
        network = GroupNetwork(self.groups, ordered, links)
        placed: dict[str, int] = {}
        stuck: set[str] = set()
        for group in ordered:
            day = network.first_open(group, placed)
            if day is None:
                again = network.around(group, placed, stuck)
                if again is not None:
                    placed = again
                    continue
                day = network.fallback(group, placed)
                stuck.add(group)
            placed[group] = day
        for group in ordered:
            self._settle(group, placed[group], group in stuck, network)

    def _alone(self, group: str) -> None:
        """A group no constraint links to another: the nearest open day in its window, else its target, flagged."""
        groups = self.groups
        target = groups.target(group)
        lo, hi = groups.domain[group]
        day = next((target + k for k in candidate_days(int(target - lo), int(hi - target), groups.prefer)
                    if groups.open(target + k)), None)
        closed = groups.clinic.closed_reason(groups.date(target))
        if day is not None:
            self._record(group, day, f"{closed} → moved {day - target:+d}d" if day != target else "", False)
            return
        reason = f"{closed}, no open day in window -{target - lo:g}d/+{hi - target:g}d: kept"
        self._record(group, target, reason, True)
        origin = self.timeline.event(groups.first(group)).origin
        self.moves.conflicts.append(MoveConflict(tuple(groups.members[group]), reason, (), origin, "SCH206"))

    def _settle(self, group: str, day: int, stuck: bool, network: GroupNetwork) -> None:
        """Record where a group went and why; a group no open day could take is flagged and a conflict."""
        groups = self.groups
        target = groups.target(group)
        shift = day - target
        closed = groups.clinic.closed_reason(groups.date(target))
        why = network.why(group)
        if not stuck:
            if shift == 0:
                reason = ""
            elif closed is not None:
                reason = f"{closed} → moved {shift:+d}d"
                if why and day != network.nearest_open(group):
                    reason += f" (nearer open days break: {why})"
            else:
                reason = f"moved {shift:+d}d to keep: {why}"
            self._record(group, day, reason, False)
            return
        lo, hi = groups.domain[group]
        room = network.nearest_open(group) is not None
        head = (f"{closed}, " if closed else "") + (
            "every open day in its window breaks a constraint" if room
            else f"no open day in window -{target - lo:g}d/+{hi - target:g}d")
        if shift == 0:
            reason = f"{head}: kept" + (f" ({why})" if why else "")
        else:
            onto = groups.clinic.closed_reason(groups.date(day))
            reason = f"{head}: moved {shift:+d}d onto a closed day ({onto}) to keep: {why}"
        self._record(group, day, reason, True)
        links = network.conflict_links(group)
        origin = next((link.origin for link in links if link.rule), self.timeline.event(groups.first(group)).origin)
        rule = "SCH208" if room else "SCH206"
        self.moves.conflicts.append(MoveConflict(tuple(groups.members[group]), reason, links, origin, rule))

    def _record(self, group: str, day: int, reason: str, flagged: bool) -> None:
        for event_id in self.groups.members[group]:
            self.moves.placements[event_id] = Placement(day, reason, flagged)
