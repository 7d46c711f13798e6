"""What cohort plots show, as plain data: one lane per patient (swimmer plot) and clinic visits per week.

Built from patient calendars (a roster) here; a simulated cohort can build the same lanes from its records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from schedsim.calendar.patient import PatientCalendar

SortKey = Literal["start", "progress"]
MARKED_KINDS = ("procedure", "assessment")
LOAD_KINDS = ("visit", "assessment", "procedure", "dose")


@dataclass(frozen=True, slots=True)
class LaneSpan:
    phase: str
    label: str
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class LaneMark:
    day: date
    kind: str
    event_id: str
    done: bool


@dataclass(frozen=True)
class Lane:
    label: str
    start: date
    spans: tuple[LaneSpan, ...]
    marks: tuple[LaneMark, ...]
    progress: float  # share of the lane's events already done (0..1)


def lanes_from_calendars(calendars: Iterable[PatientCalendar], sort: SortKey = "start") -> list[Lane]:
    """A lane per patient: each phase from its first to its last event, procedures and assessments as marks."""
    lanes = []
    for calendar in calendars:
        spans = []
        for info in calendar.timeline.phases:
            days = [row.scheduled_date for row in calendar.rows if row.phase == info.id and row.status != "skipped"]
            if days:
                spans.append(LaneSpan(info.id, info.label, min(days), max(days)))
        marks = tuple(LaneMark(row.scheduled_date, row.kind, row.event_id, row.status == "done")
                      for row in calendar.rows if row.kind in MARKED_KINDS and row.status not in ("missed", "skipped"))
        done = sum(row.status == "done" for row in calendar.rows)
        lanes.append(Lane(calendar.patient_id, calendar.start, tuple(spans), marks,
                          done / len(calendar.rows) if calendar.rows else 0.0))
    if sort == "progress":
        lanes.sort(key=lambda lane: (-lane.progress, lane.start, lane.label))
    else:
        lanes.sort(key=lambda lane: (lane.start, lane.label))
    return lanes


def weekly_visit_load(calendars: Iterable[PatientCalendar]) -> dict[date, Counter[str]]:
    """Clinic events per ISO week (keyed by its Monday), by kind; home doses, inpatient and offsite steps left out."""
    load: dict[date, Counter[str]] = {}
    for calendar in calendars:
        for row in calendar.rows:
            if row.setting not in (None, "clinic") or row.status in ("missed", "skipped"):
                continue
            monday = row.scheduled_date - timedelta(days=row.scheduled_date.weekday())
            load.setdefault(monday, Counter())[row.kind] += 1
    if not load:
        return {}
    weeks = sorted(load)
    every = [weeks[0] + timedelta(weeks=i) for i in range((weeks[-1] - weeks[0]).days // 7 + 1)]
    return {week: load.get(week, Counter()) for week in every}


def phase_order(lanes: Sequence[Lane]) -> list[tuple[str, str]]:
    """Phase ids (and labels) in the order they first appear across lanes."""
    seen: dict[str, str] = {}
    for lane in lanes:
        for span in lane.spans:
            seen.setdefault(span.phase, span.label)
    return list(seen.items())
