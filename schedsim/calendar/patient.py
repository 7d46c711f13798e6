"""A patient's visit calendar: every visit, dose, procedure and assessment on a real date.

``build_calendar`` runs the engine for one patient from a start date (study day 1), re-anchored on what actually
happened (actuals), then moves each visit off closed clinic days inside its window, and gives each a status as of
a given day. Rows carry the export contract's fields (``CALENDAR_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from schedsim.calendar.actuals import Actuals, ResolvedActuals, load_actuals, resolve_actuals
from schedsim.calendar.clinic import ClinicDays, move_to_open_day
from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Event, Timeline
from schedsim.engine.dates import calendar_advance, date_of, study_day
from schedsim.engine.subject import plan, run_deterministic

CALENDAR_FIELDS = ("patient_id", "event_id", "label", "kind", "target_date", "scheduled_date", "window_earliest",
                   "window_latest", "shift_reason", "status", "activities", "assumptions")
STATUSES = ("done", "missed", "skipped", "overdue", "due", "upcoming", "planned")


@dataclass(frozen=True, slots=True)
class CalendarRow:
    """One visit (or dose, procedure, assessment) of one patient on its scheduled date."""

    patient_id: str
    event_id: str
    label: str
    kind: str
    target_date: date
    scheduled_date: date
    window_earliest: date | None
    window_latest: date | None
    shift_reason: str
    status: str
    activities: tuple[str, ...]
    assumptions: tuple[str, ...]
    phase: str | None
    setting: str | None
    day: int
    flagged: bool
    order: int
    planned_date: date  # where the plan put it before any actual date re-anchored it
    step: str | None = None
    agent: str | None = None

    @property
    def out_of_window(self) -> bool:
        """Scheduled (or done) outside its window, or flagged on a closed day."""
        if self.flagged:
            return True
        if self.window_earliest is None or self.window_latest is None:
            return self.status == "done" and self.scheduled_date != self.target_date
        return not self.window_earliest <= self.scheduled_date <= self.window_latest

    def to_dict(self) -> dict[str, Any]:
        """The export contract: exactly ``CALENDAR_FIELDS``, dates ISO 8601, lists as lists."""
        return {
            "patient_id": self.patient_id, "event_id": self.event_id, "label": self.label, "kind": self.kind,
            "target_date": self.target_date.isoformat(), "scheduled_date": self.scheduled_date.isoformat(),
            "window_earliest": _iso(self.window_earliest), "window_latest": _iso(self.window_latest),
            "shift_reason": self.shift_reason, "status": self.status, "activities": list(self.activities),
            "assumptions": list(self.assumptions),
        }


@dataclass(frozen=True)
class PatientCalendar:
    """One patient's calendar, in scheduled-date order."""

    patient_id: str
    timeline: Timeline
    start: date
    today: date | None
    clinic: ClinicDays
    rows: tuple[CalendarRow, ...]
    arm: str | None = None

    def find(self, event_id: str) -> CalendarRow | None:
        return next((row for row in self.rows if row.event_id == event_id), None)


def build_calendar(timeline: Timeline, start: date, *, patient_id: str = "patient", actuals: Actuals | None = None,
                   clinic: ClinicDays | None = None, today: date | None = None, home_doses: bool = True,
                   arm: str | None = None, resolved: ResolvedActuals | None = None) -> PatientCalendar:
    """The patient's calendar from ``start`` (the date of study day 1).

    ``actuals`` pin what happened (everything anchored on a pinned event re-anchors; ``InputError`` for unknown ids,
    bad dates or an actual before its predecessor); ``clinic`` says which days are open (Monday to Friday when
    absent); ``today`` gives each visit a status (done, missed, skipped, overdue, due, upcoming; ``planned`` without
    it); ``home_doses=False`` leaves out drugs taken at home. ``resolved``: actuals already resolved (instead of
    ``actuals``).
    """
    advance = calendar_advance(start)
    if resolved is None:
        resolved = resolve_actuals(actuals, timeline, start, advance, today) if actuals else ResolvedActuals()
    clinic = (clinic or ClinicDays()).for_protocol(timeline.clinic.open_weekdays)
    base = plan(timeline, advance) if resolved.pins else None
    records = run_deterministic(timeline, advance, pins=resolved.pins)
    causes = _causes(timeline, resolved) if resolved.pins else {}
    day_zero = timeline.conventions.study_day_zero
    rows = []
    for record in records:
        event = timeline.event(record.event_id)
        if record.status != "done" or event.kind == "milestone":
            continue
        if not home_doses and event.setting == "home":
            continue
        target = date_of(start, record.target)
        window = event.window
        earliest = None if window is None else target - timedelta(days=window.early)
        latest = None if window is None else target + timedelta(days=window.late)
        reasons = []
        if base is not None and record.target != base[event.id] and event.id not in resolved.pins:
            moved = record.target - base[event.id]
            reasons.append(f"re-anchored {moved:+d}d on {causes.get(event.id, '?')} actual")
        status = resolved.status.get(event.id)
        flagged = False
        if status == "done":
            scheduled = date_of(start, record.actual)
            if record.actual != record.target:
                outside = earliest is not None and latest is not None and not earliest <= scheduled <= latest
                reasons.append(f"actual {record.actual - record.target:+d}d from target"
                               + (" (outside window)" if outside or window is None else ""))
        elif _moves(event, timeline):
            scheduled, reason, flagged = move_to_open_day(
                target, None if window is None else window.early, None if window is None else window.late,
                clinic, timeline.clinic.prefer)
            if reason:
                reasons.append(reason)
        else:
            scheduled = target
        rows.append(CalendarRow(
            patient_id=patient_id, event_id=event.id, label=event.label, kind=event.kind, target_date=target,
            scheduled_date=scheduled, window_earliest=earliest, window_latest=latest,
            shift_reason="; ".join(reasons), status=_status(status, today, scheduled, earliest, latest),
            activities=event.activities or _dose_activity(event),
            assumptions=timeline.assumptions_of(event.id), phase=event.phase, setting=event.setting,
            day=study_day(record.target, day_zero), flagged=flagged, order=timeline.index[event.id],
            planned_date=date_of(start, base[event.id]) if base is not None else target, step=event.step,
            agent=event.agent))
    rows.sort(key=lambda row: (row.scheduled_date, row.order))
    return PatientCalendar(patient_id, timeline, start, today, clinic, tuple(rows), arm)


def calendar_for(path: str | Path, start: date, *, actuals: str | Path | None = None, **options: Any
                 ) -> PatientCalendar:
    """Load and compile a protocol file (and an actuals file) and build the patient's calendar."""
    loaded = load_actuals(actuals) if actuals is not None else None
    return build_calendar(compile_file(path), start, actuals=loaded, **options)


def _moves(event: Event, timeline: Timeline) -> bool:
    """Clinic events of a kind the protocol moves; home and inpatient events happen on any day."""
    return event.setting in (None, "clinic") and event.kind in timeline.clinic.move


def _dose_activity(event: Event) -> tuple[str, ...]:
    if event.kind == "dose" and event.agent:
        verb = "take" if event.setting == "home" else "give"
        return (f"{verb} {event.agent} {event.dose or ''}".strip() + (" at home" if event.setting == "home" else ""),)
    return ()


def _status(recorded: str | None, today: date | None, scheduled: date, earliest: date | None,
            latest: date | None) -> str:
    """As of ``today``: what was recorded, else upcoming (window not open yet), due (open) or overdue (closed)."""
    if recorded is not None:
        return recorded
    if today is None:
        return "planned"
    if today < min(earliest or scheduled, scheduled):
        return "upcoming"
    if today <= max(latest or scheduled, scheduled):
        return "due"
    return "overdue"


def _causes(timeline: Timeline, resolved: ResolvedActuals) -> dict[str, str]:
    """For each event, the pinned event its placement goes back to (the first one along its anchors)."""
    causes: dict[str, str] = {}
    for event in timeline.events:
        if event.id in resolved.pins:
            causes[event.id] = resolved.propagated.get(event.id, event.id)
            continue
        for anchor in event.anchors:
            cause = causes.get(anchor.ref)
            if cause is not None:
                causes[event.id] = cause
                break
    return causes


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
