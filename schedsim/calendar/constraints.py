"""What a calendar keeps when it moves visits off closed days, and what the moves produce.

The constraints (``calendar_links``): each agent's minimum interval between consecutive doses (SCH106), the declared
gaps (``constraints:``, SCH101), and the order of events anchored on each other (SCH152); windows bounded at phase
starts and the horizon are the moving events' domains. The result: a ``Placement`` per event and the
``MoveConflict``s, in the form the checker reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Event, Origin, Timeline

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


def moves_with(event: Event, timeline: Timeline) -> bool:
    """Clinic events of a kind the protocol moves; home, inpatient and offsite events happen on any day."""
    return event.setting in (None, "clinic") and event.kind in timeline.clinic.move


def calendar_links(timeline: Timeline, events: Sequence[str], targets: Mapping[str, int], fixed: Mapping[str, int]
           ) -> list[Link]:
    """Dose spacing (SCH106), declared gaps (SCH101) and the order of events anchored on each other."""
    present = set(events)
    links: list[Link] = []
    for phase in timeline.phases:
        for agent, days, origin in phase.spacing:
            doses = sorted((e for e in events if (ev := timeline.event(e)).phase == phase.id and ev.agent == agent
                            and ev.kind == "dose"), key=lambda e: (fixed.get(e, targets[e]), timeline.index[e]))
            for before, after in zip(doses, doses[1:], strict=False):
                text = f"{after} at least {days} d after {before} ({agent} min_interval)"
                links.append(Link(before, after, days, math.inf, text, origin, "SCH106"))
    for requirement in timeline.requirements:
        anchor = requirement.anchor
        if requirement.event not in targets or anchor.ref not in targets:
            continue
        days = targets[requirement.event] - targets[anchor.ref] if anchor.offset.is_calendar else \
            anchor.offset.nominal_days
        if anchor.offset.is_calendar:  # the planned gap stands for "anchor + offset" on these dates
            days = min(days, anchor.offset.nominal_days) if requirement.bound == "not_before" else days
        reason = f" ({requirement.reason})" if requirement.reason else ""
        if requirement.bound == "not_before":
            text = f"{requirement.event} not before {anchor}{reason}"
            links.append(Link(anchor.ref, requirement.event, days, math.inf, text, requirement.origin, "SCH101"))
        else:
            text = f"{requirement.event} not after {anchor}{reason}"
            links.append(Link(anchor.ref, requirement.event, -math.inf, days, text, requirement.origin, "SCH101"))
    for event_id in events:
        event = timeline.event(event_id)
        if event.rule != "at" or event.anchors[0].ref not in present:
            continue
        anchor = event.anchors[0]
        text = f"{event_id} not before {anchor.ref}, which places it ({event_id} = {anchor})"
        if targets[event_id] >= targets[anchor.ref]:
            links.append(Link(anchor.ref, event_id, 0, math.inf, text, anchor.origin, "SCH152"))
        else:
            text = f"{event_id} not after {anchor.ref}, which places it ({event_id} = {anchor})"
            links.append(Link(event_id, anchor.ref, 0, math.inf, text, anchor.origin, "SCH152"))
    return links
