"""Rules that look at calendars: closed-day moves, bounded windows and the last cycle before an end point.

The closed-day rules build the calendar a patient starting on the protocol's ``clinic.start_weekday`` (or
``--start-weekday``) would get, with the same constraint-aware moves ``schedsim calendar`` makes, so the checker
and the calendar agree: SCH301 lists the visits that move off closed days, SCH206 those with no open day in their
window, SCH208 those whose open days every one breaks a constraint (with the constraints). Events whose weekday
depends on the real date (placed in calendar months or years) are left out: only the start weekday is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.facts import moves_with
from schedsim.calendar.patient import PatientCalendar, build_calendar
from schedsim.check.findings import Because, Finding
from schedsim.check.structure import Context, series_key
from schedsim.compile.graph import beyond_limit
from schedsim.compile.ir import Event, Timeline
from schedsim.compile.windows import window_of
from schedsim.engine.dates import study_day
from schedsim.language.model import WEEKDAYS

MONDAY = date(2027, 1, 4)  # any Monday: the check's calendars start on the weekday asked for, in this week


def closed_days(ctx: Context, start_weekday: int | None, start: date | None = None,
                clinic: ClinicDays | None = None) -> Iterator[Finding]:
    """SCH301 / SCH206 / SCH208 / SCH209: for a fixed start weekday (or a real start date), what the calendar does
    with visits on closed days, and the key procedures that fall on them. ``clinic``'s open weekdays always count;
    its holidays and closures only for a real ``start`` (a start weekday has no dates)."""
    _, timeline, _ = ctx
    weekday = start.weekday() if start is not None else (
        timeline.clinic.start_weekday if start_weekday is None else start_weekday)
    if weekday is None:
        return
    clinic = clinic or ClinicDays()
    if start is None:
        clinic = ClinicDays(clinic.open_weekdays)
    calendar = build_calendar(timeline, start or MONDAY + timedelta(days=weekday), clinic=clinic)
    dated = _calendar_dependent(timeline) if start is None else set()  # a real date dates them all
    start_name = f"{start} ({WEEKDAYS[weekday]})" if start is not None else WEEKDAYS[weekday]
    yield from _key_procedures(timeline, calendar, dated, start_name)
    moved: dict[str, list[str]] = {}
    for row in calendar.rows:
        off_closed = row.scheduled_date != row.target_date and not calendar.clinic.is_open(row.target_date)
        if off_closed and not row.flagged and row.event_id not in dated:
            moved.setdefault(series_key(timeline.event(row.event_id)), []).append(row.event_id)
    for key, events in moved.items():
        first = timeline.event(events[0])
        yield Finding.make("SCH301", f"{_what(key, events)} on a closed day ({_days(calendar, events)}) for a "
                                     f"{start_name} start, and can move inside the window", first.origin, events=events)
    conflicts: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for conflict in calendar.conflicts:
        if conflict.events[0] not in dated:
            key = (conflict.rule, series_key(timeline.event(conflict.events[0])))
            conflicts.setdefault(key, []).append(conflict.events)
    by_events = {c.events: c for c in calendar.conflicts}
    for (rule, key), groups in conflicts.items():
        events = [event_id for group in groups for event_id in group]
        conflict = by_events[groups[0]]
        if rule == "SCH206":
            tail = "with no open day inside the window"
        else:
            texts = "; ".join(dict.fromkeys(link.text for link in conflict.links if link.rule)) or conflict.message
            tail = f"and every open day in its window breaks: {texts}"
        yield Finding.make(rule, f"{_what(key, events)} on a closed day ({_days(calendar, events)}) for a "
                                 f"{start_name} start, {tail}", conflict.origin, events=events,
                           constraints=[Because(link.text, link.origin) for link in conflict.links if link.rule])


KEY_ROLES = ("apheresis", "collection", "lymphodepletion", "infusion", "conditioning", "transplant")


def _key_procedures(timeline: Timeline, calendar: PatientCalendar, dated: set[str], start_name: str
                    ) -> Iterator[Finding]:
    """SCH209: a key procedure that never moves (an inpatient CAR-T or stem-cell infusion, conditioning) on a closed
    day: one finding per step and day."""
    found: dict[tuple[str, date], list[str]] = {}
    for row in calendar.rows:
        event = timeline.event(row.event_id)
        if (event.role in KEY_ROLES and not moves_with(event, timeline) and row.event_id not in dated
                and not calendar.clinic.is_open(row.scheduled_date)):  # (moving ones: SCH206/SCH208/SCH301)
            found.setdefault((f"{event.phase}.{event.step}", row.scheduled_date), []).append(row.event_id)
    for (step, day), events in found.items():
        event = timeline.event(events[0])
        label = event.label.split(":")[0]
        yield Finding.make("SCH209", f"{step} ({label}) falls on {day} ({calendar.clinic.closed_reason(day)}) for a "
                                     f"{start_name} start", event.origin, events=events)


def window_bounds(ctx: Context) -> Iterator[Finding]:
    """SCH303: windows that open before their phase starts or close after the horizon (calendars use the rest)."""
    _, timeline, times = ctx
    found: dict[tuple[str, str], list[Event]] = {}
    for event in timeline.events:
        if event.window is None or event.kind == "milestone" or beyond_limit(event, times):
            continue
        early, late = window_of(timeline, event, times)  # type: ignore[misc]
        if early < event.window.early:
            found.setdefault((series_key(event), "start"), []).append(event)
        if late < event.window.late:
            found.setdefault((series_key(event), "horizon"), []).append(event)
    for (key, side), events in found.items():
        first = events[0]
        early, late = window_of(timeline, first, times)  # type: ignore[misc]
        assert first.window is not None
        if side == "start":
            bound = next(p.start for p in timeline.phases if p.id == first.phase)
            where = f"opens {first.window.early - early} day(s) before {bound}, where its phase starts"
        else:
            where = f"closes {first.window.late - late} day(s) after the study horizon ({timeline.horizon})"
        yield Finding.make("SCH303", f"the window of {_what(key, [e.id for e in events])} ({first.window}) {where}: "
                                     f"calendars use -{early}d/+{late}d", first.origin,
                           events=[e.id for e in events])


def partial_cycles(ctx: Context) -> Iterator[Finding]:
    """SCH304: cycles repeated until an end point leave a last cycle cut short: dropped or kept, as declared."""
    _, timeline, times = ctx
    for phase in timeline.phases:
        if phase.partial_cycle is None or phase.cycle_length is None:
            continue
        bound = times[phase.end]
        starts = sorted(times[e.id] for e in timeline.events if re.fullmatch(rf"{phase.id}\.c\d+\.start", e.id))
        last = max((t for t in starts if t <= bound), default=None)
        if last is None or last + phase.cycle_length - 1 <= bound:
            continue
        number = starts.index(last) + 1
        inside = bound - last + 1
        what = "dropped" if phase.partial_cycle == "drop" else f"kept for its first {inside} days"
        end = timeline.event(phase.end).anchors[0]
        yield Finding.make("SCH304", f"{phase.label}: cycle {number} would have only {inside} of its "
                                     f"{phase.cycle_length} days before {end}: {what} (partial_cycle: "
                                     f"{phase.partial_cycle})", phase.origin,
                           events=[f"{phase.id}.c{number}.start", phase.end])


def open_ended(ctx: Context) -> Iterator[Finding]:
    """SCH305: treatment until progression (or toxicity), planned to its bound: say what the plan assumes."""
    _, timeline, times = ctx

    def day(t: int) -> int:  # times count from the root event; study days from day 1 (not the same when the
        return study_day(t - times[timeline.day1], timeline.conventions.study_day_zero)  # study starts before it)

    for phase in timeline.phases:
        if not phase.stops_on:
            continue
        starts = sorted(times[e.id] for e in timeline.events if re.fullmatch(rf"{phase.id}\.c\d+\.start", e.id)
                        and not beyond_limit(e, times))
        last = phase.first_cycle + len(starts) - 1
        yield Finding.make("SCH305", f"{phase.label} runs until {' or '.join(phase.stops_on)}; planned to its bound: "
                                     f"cycles {phase.first_cycle}-{last}, study days {day(times[phase.start])} to "
                                     f"{day(times[phase.end])}", phase.origin, events=[phase.start, phase.end])


def _what(key: str, events: list[str]) -> str:
    return events[0] if len(events) == 1 else f"{key} ({len(events)} events)"


def _days(calendar: PatientCalendar, events: list[str]) -> str:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    found = [row.target_date.weekday() for row in calendar.rows if row.event_id in events]
    return "/".join(dict.fromkeys(names[d] for d in found))


def _calendar_dependent(timeline: Timeline) -> set[str]:
    """Events whose distance from day 1 involves calendar months or years (their weekday depends on the date)."""
    found: set[str] = set()
    for event in timeline.events:
        if any(anchor.offset.is_calendar or anchor.ref in found for anchor in event.anchors):
            found.add(event.id)
    return found
