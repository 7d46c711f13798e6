"""A realised single-patient schedule: every event with its study day, date and window.

``timeline_for`` is the library's main entry point: protocol file (and optional start date) in, schedule out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from schedsim.compile.compiler import compile_file
from schedsim.compile.graph import Advance
from schedsim.compile.ir import Event, PhaseInfo, Timeline, merge_ids
from schedsim.compile.windows import window_of
from schedsim.engine.dates import advance_for, date_of, study_day
from schedsim.engine.subject import EventRecord, run_deterministic


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """An event placed in time: ``t`` counts days from study day 1; dates only when a start date is known."""

    event: Event
    t: int
    day: int
    date: date | None
    earliest: int | None
    latest: int | None
    assumptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScheduledPhase:
    info: PhaseInfo
    start_t: int
    end_t: int
    start_day: int
    end_day: int
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class Schedule:
    """One patient's planned schedule, in study-day order."""

    timeline: Timeline
    start: date | None
    events: tuple[ScheduledEvent, ...]
    phases: tuple[ScheduledPhase, ...]
    records: tuple[EventRecord, ...]
    advance: Advance = field(repr=False, compare=False)

    @property
    def used_assumptions(self) -> tuple[str, ...]:
        """Ids of every assumption some scheduled event rests on, in order."""
        return merge_ids(*(item.assumptions for item in self.events))

    def day(self, t: int) -> int:
        return study_day(t, self.timeline.conventions.study_day_zero)

    def date(self, t: int) -> date | None:
        return None if self.start is None else date_of(self.start, t)

    def find(self, event_id: str) -> ScheduledEvent | None:
        return next((e for e in self.events if e.event.id == event_id), None)


def build_schedule(timeline: Timeline, start: date | None = None) -> Schedule:
    """Run the engine for one patient (deterministic) and place every event on study days and dates."""
    advance = advance_for(start)
    records = run_deterministic(timeline, advance)
    day_zero = timeline.conventions.study_day_zero
    times = {record.event_id: record.actual for record in records}
    events = []
    for record in records:
        if record.status != "done":
            continue
        event = timeline.event(record.event_id)
        window = window_of(timeline, event, times)  # bounded: not before its phase starts, not after the horizon
        events.append(ScheduledEvent(
            event=event, t=record.actual, day=study_day(record.actual, day_zero),
            date=None if start is None else date_of(start, record.actual),
            earliest=None if window is None else record.actual - window[0],
            latest=None if window is None else record.actual + window[1],
            assumptions=timeline.assumptions_of(event.id)))
    phases = []
    for info in timeline.phases:
        start_t, end_t = times[info.start], times[info.end]
        phases.append(ScheduledPhase(
            info, start_t, end_t, study_day(start_t, day_zero), study_day(end_t, day_zero),
            None if start is None else date_of(start, start_t), None if start is None else date_of(start, end_t)))
    return Schedule(timeline, start, tuple(events), tuple(phases), tuple(records), advance)


def timeline_for(path: str | Path, start: date | None = None, *, arm: str | None = None,
                 branches: Mapping[str, str] | None = None) -> Schedule:
    """Load, validate and compile a protocol file, and schedule one patient starting on ``start`` (day 1), on the
    path of ``arm`` and ``branches`` (decision → branch) in a study with arms or decisions."""
    return build_schedule(compile_file(path, arm=arm, branches=branches), start)
