"""What a calendar keeps when it moves visits off closed days, and what the moves produce.

The constraints (``calendar_links``): each agent's minimum interval between consecutive doses (SCH106), the declared
gaps (``constraints:``, SCH101), and the order of events anchored on each other (SCH152); windows bounded at phase
starts and the horizon are the moving events' domains. The result: a ``Placement`` per event and the
``MoveConflict``s, in the form the checker reports.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

from schedsim.calendar.facts import facts_of
from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Origin, Timeline

ZERO = "@day1"  # the network's origin: study day 1 (time 0)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a calendar event goes: its day (days from study day 1), why it moved, and whether it is flagged."""

    day: int
    reason: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class MoveConflict:
    """A group of events on a closed day that no open day inside its window can take without breaking a constraint."""

    events: tuple[str, ...]
    message: str
    links: tuple[Link, ...]
    origin: Origin
    rule: str = "SCH208"  # SCH206: no open day in the window at all; SCH208: open days, but constraints forbid them


@dataclass
class Moves:
    """Every calendar event's placement, and the conflicts found."""

    placements: dict[str, Placement] = field(default_factory=dict)
    conflicts: list[MoveConflict] = field(default_factory=list)


def calendar_links(timeline: Timeline, events: Sequence[str], targets: Mapping[str, int], fixed: Mapping[str, int],
                   moving: Container[str]) -> list[Link]:
    """Dose spacing (SCH106), declared gaps (SCH101) and the order of events anchored on each other (SCH152), each
    between two calendar events of which at least one is ``moving`` (the others hold as planned or recorded)."""
    facts = facts_of(timeline)
    present = set(events)
    links: list[Link] = []
    for _phase, agent, days, origin, doses in facts.spaced:
        given = sorted((e for e in doses if e in present), key=lambda e: fixed.get(e, targets[e]))
        for before, after in zip(given, given[1:], strict=False):
            if before not in moving and after not in moving:
                continue
            text = f"{after} at least {days} d after {before} ({agent} min_interval)"
            links.append(Link(before, after, days, math.inf, text, origin, "SCH106"))
    for requirement in timeline.requirements:
        anchor = requirement.anchor
        if requirement.event not in targets or anchor.ref not in targets or (
                requirement.event not in moving and anchor.ref not in moving):
            continue
        days = anchor.offset.nominal_days
        if anchor.offset.is_calendar and requirement.bound == "not_before":  # the gap the dates give, at most
            days = min(days, targets[requirement.event] - targets[anchor.ref])
        elif anchor.offset.is_calendar:
            days = max(days, targets[requirement.event] - targets[anchor.ref])
        reason = f" ({requirement.reason})" if requirement.reason else ""
        if requirement.bound == "not_before":
            text = f"{requirement.event} not before {anchor}{reason}"
            links.append(Link(anchor.ref, requirement.event, days, math.inf, text, requirement.origin, "SCH101"))
        else:
            text = f"{requirement.event} not after {anchor}{reason}"
            links.append(Link(anchor.ref, requirement.event, -math.inf, days, text, requirement.origin, "SCH101"))
    for event_id, ref in facts.anchored:
        if event_id not in present or ref not in present or (event_id not in moving and ref not in moving):
            continue
        anchor = timeline.event(event_id).anchors[0]
        if targets[event_id] >= targets[ref]:
            text = f"{event_id} not before {ref}, which places it ({event_id} = {anchor})"
            links.append(Link(ref, event_id, 0, math.inf, text, anchor.origin, "SCH152"))
        else:
            text = f"{event_id} not after {ref}, which places it ({event_id} = {anchor})"
            links.append(Link(event_id, ref, 0, math.inf, text, anchor.origin, "SCH152"))
    return links
