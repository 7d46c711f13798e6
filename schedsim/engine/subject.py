"""The discrete-event engine: realises a timeline for a subject with simpy and emits flat event records.

Each event fires when the events placing it have fired and its offset has elapsed. An anchor that is planned
later than the event it places (a screening visit set 28 days before day 1) is read from the plan, as a site
would schedule it. Events pushed past their ``limit`` (cycles after the horizon) are recorded as
``beyond_limit`` and left out of calendars.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import simpy

from schedsim.compile.graph import Advance, nominal_advance, plan_times
from schedsim.compile.ir import Anchor, Event, Timeline

Status = Literal["done", "beyond_limit"]


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event as realised for one subject in one replicate (times in days from study day 1)."""

    replicate: int
    subject: int
    event_id: str
    kind: str
    target: int
    actual: int
    status: Status


def plan(timeline: Timeline, advance: Advance = nominal_advance, pins: Mapping[str, int] | None = None
         ) -> dict[str, int]:
    """The planned schedule: each event's time in days from study day 1 (day 1 = 0).

    ``pins`` are times of events that actually happened; everything they place re-anchors on them.
    """
    order = [event.id for event in timeline.events]
    events = {event.id: event for event in timeline.events}
    pins = dict(pins or {})
    pins.pop(timeline.day1, None)  # day 1 is time 0 by definition
    root_time = 0
    for _ in range(8):  # with calendar months the root's offset from day 1 can depend on where it falls
        times = plan_times(events, order, advance, root_time, pins)
        shift = times[timeline.day1]
        if shift == 0:
            return times
        if timeline.root in pins:  # a pinned first event (screening) fixes the chain: day 1 stays at 0
            return plan_times(events, order, advance, root_time, {**pins, timeline.day1: 0})
        root_time -= shift
    raise AssertionError("study day 1 could not be placed")  # pragma: no cover - needs a pathological calendar


class _Subject:
    """Fires one subject's events in simpy, each as soon as what places it has fired."""

    def __init__(self, env: simpy.Environment, timeline: Timeline, advance: Advance, planned: Mapping[str, int],
                 subject: int, replicate: int, sink: list[EventRecord], pins: Mapping[str, int]) -> None:
        self.env, self.timeline, self.advance, self.planned, self.pins = env, timeline, advance, planned, pins
        self.subject, self.replicate, self.sink = subject, replicate, sink
        self.fired: dict[str, int] = {}
        self.waiting: dict[str, int] = {}
        self.children: dict[str, list[str]] = {event.id: [] for event in timeline.events}
        for event in timeline.events:
            forward = {a.ref for a in event.anchors if self._is_forward(a, event.id)}
            self.waiting[event.id] = len(forward)
            for ref in forward:
                self.children[ref].append(event.id)

    def _is_forward(self, anchor: Anchor, event_id: str) -> bool:
        return self.planned[anchor.ref] <= self.planned[event_id]

    def start(self) -> None:
        for event in self.timeline.events:
            if self.waiting[event.id] == 0:
                self._schedule(event.id)

    def _time_of(self, event_id: str) -> int:
        return self.fired.get(event_id, self.planned[event_id])

    def _schedule(self, event_id: str) -> None:
        target = self._target(self.timeline.event(event_id))
        when = self.pins.get(event_id, target)  # a pinned event fires when it actually happened
        delay = max(when - int(self.env.now), 0)
        self.env.timeout(delay).callbacks.append(lambda _event, eid=event_id, tgt=target: self._fire(eid, tgt))

    def _target(self, event: Event) -> int:
        """Where the event's anchors put it, on the times they actually fired."""
        if event.rule == "root":
            target = self.planned[event.id]
        elif len(event.anchors) == 1:
            anchor = event.anchors[0]
            start, offset = self._time_of(anchor.ref), anchor.offset
            target = start + offset.days if not offset.is_calendar else self.advance(start, offset)
        else:
            target = max(self.advance(self._time_of(a.ref), a.offset) for a in event.anchors)
        return target

    def _fire(self, event_id: str, target: int) -> None:
        now = int(self.env.now)
        self.fired[event_id] = now
        event = self.timeline.event(event_id)
        status: Status = "done"
        if event.limit is not None and event_id not in self.pins:  # what happened did happen
            bound = self.advance(self._time_of(event.limit.ref), event.limit.offset)
            if now > bound:
                status = "beyond_limit"
        self.sink.append(EventRecord(self.replicate, self.subject, event_id, event.kind, target, now, status))
        for child in self.children[event_id]:
            self.waiting[child] -= 1
            if self.waiting[child] == 0:
                self._schedule(child)


def run_deterministic(timeline: Timeline, advance: Advance = nominal_advance, subject: int = 0,
                      replicate: int = 0, pins: Mapping[str, int] | None = None) -> list[EventRecord]:
    """Run one subject with nominal offsets; records sorted by day, then protocol order.

    ``pins`` fix the times of events that actually happened (their records keep the re-anchored target);
    every event they place fires relative to them. A pin must not come before the events that place it.
    """
    planned = plan(timeline, advance, pins)
    fixed = {event_id: planned[event_id] for event_id in pins or {}}
    env = simpy.Environment(initial_time=min(planned.values()))
    records: list[EventRecord] = []
    _Subject(env, timeline, advance, planned, subject, replicate, records, fixed).start()
    env.run()
    index = timeline.index
    records.sort(key=lambda r: (r.actual, index[r.event_id]))
    return records
