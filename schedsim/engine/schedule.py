"""A realised single-patient schedule: every event with its study day, date and window.

``timeline_for`` is the library's main entry point: protocol file (and optional start date) in, schedule out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from schedsim.compile.compiler import compile_file
from schedsim.compile.graph import Advance
from schedsim.compile.ir import Event, PhaseInfo, Timeline, merge_ids
from schedsim.compile.windows import window_of
from schedsim.engine.dates import advance_for, date_of, study_day
from schedsim.engine.subject import EventRecord, run_deterministic
from schedsim.inputs import as_date
from schedsim.tabular import Table, dataframe


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


#: The columns of a timeline's CSV, Excel sheet and DataFrame.
CSV_FIELDS = ["id", "kind", "phase", "label", "day", "date", "window_earliest", "window_latest", "agent",
              "activities", "assumptions"]


@dataclass(frozen=True, repr=False)
class Schedule:
    """One patient's planned schedule, in study-day order.

    ``schedule.to_dataframe()`` gives one row per event (needs pandas), ``schedule.find("maintenance.start")``
    one event; ``schedsim.to_table(schedule)`` the text ``schedsim timeline`` prints."""

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

    def to_dataframe(self) -> Any:
        """One row per event (the CSV columns) as a pandas DataFrame, dates as ``datetime64``."""
        return dataframe(schedule_table(self))

    def __repr__(self) -> str:
        start = f"day 1 = {self.start.isoformat()}" if self.start else "no start date"
        return f"<Schedule {self.timeline.protocol_id}: {len(self.events)} events, {len(self.phases)} phases, {start}>"


def build_schedule(timeline: Timeline, start: date | str | None = None) -> Schedule:
    """Run the engine for one patient (deterministic) and place every event on study days and dates."""
    start = as_date(start, "start")
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


def timeline_for(path: str | Path, start: date | str | None = None, *, arm: str | None = None,
                 branches: Mapping[str, str] | None = None) -> Schedule:
    """Load, validate and compile a protocol file, and schedule one patient starting on ``start`` (day 1: a date or
    "YYYY-MM-DD"; without it, study days only), on the path of ``arm`` and ``branches`` (decision → branch) in a
    study with arms or decisions.

    >>> schedule = timeline_for("protocols/ppcl-vrd-cart-asct-cart2.yaml", "2027-01-04")
    >>> schedule.find("maintenance.start").date
    datetime.date(2027, 12, 28)
    """
    return build_schedule(compile_file(path, arm=arm, branches=branches), as_date(start, "start"))


def schedule_table(schedule: Schedule) -> Table:
    """One row per event (``CSV_FIELDS``): dates as dates (with a start date; else the window is in study days)."""
    rows = []
    for item in schedule.events:
        earliest = latest = None
        if item.earliest is not None and item.latest is not None:
            earliest, latest = ((schedule.date(item.earliest), schedule.date(item.latest)) if schedule.start else
                                (schedule.day(item.earliest), schedule.day(item.latest)))
        rows.append((item.event.id, item.event.kind, item.event.phase, item.event.label, item.day,
                     schedule.date(item.t), earliest, latest, item.event.agent, "; ".join(item.event.activities),
                     " ".join(item.assumptions)))
    return Table("timeline", tuple(CSV_FIELDS), rows)
