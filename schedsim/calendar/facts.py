"""What calendars need to know about a protocol's events that does not depend on the patient: computed once per
compiled timeline (a roster of a thousand patients on one protocol reads them a thousand times).

Per event: its cycle and cycle tag (``C3D8``), the line a dose shows (``give bortezomib 1.3 mg/m² SC``), whether it
moves off closed days, and for a home dose its series (phase and cycle or step, agent) and day number. Per protocol:
the doses of each agent with a minimum interval, and the pairs of events anchored on each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.compile.ir import Event, Origin, Timeline

_CYCLE = re.compile(r"^[a-z][a-z0-9_]*\.c(?P<cycle>\d+)\.(?:d(?P<day>\d+)|start)(?:\.|$)")
_DAY = re.compile(r"\.c(?P<cycle>\d+)\.d(?P<day>-?\d+)\.|\.d(?P<block>-?\d+)(?:\.|$)")


@dataclass(frozen=True, slots=True)
class EventFacts:
    cycle: int | None
    tag: str  # the cycle tag (C3D8); procedure steps get theirs from the patient's days
    activity: tuple[str, ...]  # the event's activities, or the line a dose shows
    moves: bool  # a clinic event of a kind the protocol moves off closed days
    series: tuple[str, str] | None  # a home dose: (phase and cycle or step, agent)
    day: int | None  # a dose's day number in its cycle or block


@dataclass(frozen=True)
class Facts:
    events: dict[str, EventFacts]
    spaced: tuple[tuple[str, str, int, Origin, tuple[str, ...]], ...]  # (phase, agent, days, origin, dose ids)
    anchored: tuple[tuple[str, str], ...]  # (event, the non-milestone event its 'at' anchor names)


def facts_of(timeline: Timeline) -> Facts:
    cached: Facts | None = timeline.__dict__.get("_calendar_facts")
    if cached is None:
        cached = _facts(timeline)
        object.__setattr__(timeline, "_calendar_facts", cached)
    return cached


def moves_with(event: Event, timeline: Timeline) -> bool:
    """Clinic events of a kind the protocol moves; home, inpatient and offsite events happen on any day."""
    return event.setting in (None, "clinic") and event.kind in timeline.clinic.move


def cycle_of(event_id: str) -> int | None:
    """
    >>> cycle_of("induction.c3.d8.bortezomib"), cycle_of("cart1.infusion")
    (3, None)
    """
    match = _CYCLE.match(event_id)
    return int(match["cycle"]) if match else None


def _facts(timeline: Timeline) -> Facts:
    events: dict[str, EventFacts] = {}
    kinds = {event.id: event.kind for event in timeline.events}
    anchored = []
    for event in timeline.events:
        match = _CYCLE.match(event.id)
        cycle = int(match["cycle"]) if match else None
        tag = "" if match is None else f"C{match['cycle']}D{match['day']}" if match["day"] else f"C{match['cycle']}"
        day_match = _DAY.search(event.id)
        day = None if day_match is None else int(day_match["day"] if day_match["day"] is not None
                                                  else day_match["block"])
        series = None
        if event.setting == "home" and event.kind == "dose" and event.agent is not None and day_match is not None:
            head = event.id[: day_match.start()] + (f".c{day_match['cycle']}" if day_match["cycle"] else "")
            series = (head, event.agent)
        events[event.id] = EventFacts(cycle, tag, event.activities or _dose_activity(event),
                                      moves_with(event, timeline), series, day)
        if event.rule == "at" and event.kind != "milestone" and kinds[event.anchors[0].ref] != "milestone":
            anchored.append((event.id, event.anchors[0].ref))
    spaced = []
    for phase in timeline.phases:
        for agent, days, origin in phase.spacing:
            doses = tuple(e.id for e in timeline.events
                          if e.phase == phase.id and e.agent == agent and e.kind == "dose")
            spaced.append((phase.id, agent, days, origin, doses))
    return Facts(events, tuple(spaced), tuple(anchored))


def _dose_activity(event: Event) -> tuple[str, ...]:
    if event.kind == "dose" and event.agent:
        verb = "take" if event.setting == "home" else "give"
        return (f"{verb} {event.agent} {event.dose or ''}".strip() + (" at home" if event.setting == "home" else ""),)
    return ()
