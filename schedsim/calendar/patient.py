"""A patient's visit calendar: every visit, dose, procedure and assessment on a real date.

``build_calendar`` runs the engine for one patient from a start date (study day 1), re-anchored on what actually
happened (actuals), then moves visits off closed clinic days inside their windows keeping every protocol constraint,
and gives each a status as of a given day. Rows carry the export contract's fields (``CALENDAR_FIELDS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from schedsim.calendar.actuals import Actuals, load_actuals
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.constraints import MoveConflict
from schedsim.calendar.facts import facts_of
from schedsim.calendar.home import Dated, HomeDose, dispenser_shifts, dispensing
from schedsim.calendar.moves import place_events
from schedsim.calendar.pins import ResolvedActuals, resolve_actuals
from schedsim.calendar.rows import CALENDAR_FIELDS as CALENDAR_FIELDS  # re-exported: the export contract
from schedsim.calendar.rows import STATUSES as STATUSES
from schedsim.calendar.rows import CalendarRow
from schedsim.calendar.shifts import cycle_shifts
from schedsim.calendar.tags import tag_of
from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Event, Timeline
from schedsim.compile.paths import patient_path
from schedsim.compile.windows import window_of
from schedsim.engine.dates import calendar_advance, date_of, study_day
from schedsim.engine.subject import plan, run_deterministic
from schedsim.inputs import as_date
from schedsim.language.loader import load_protocol
from schedsim.tabular import Table, dataframe


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
    conflicts: tuple[MoveConflict, ...] = ()  # closed-day moves that no open day could make without breaking a rule

    def find(self, event_id: str) -> CalendarRow | None:
        return next((row for row in self.rows if row.event_id == event_id), None)

    def to_dataframe(self) -> Any:
        """One row per visit (the CSV columns) as a pandas DataFrame, dates as ``datetime64``."""
        return dataframe(Table(self.patient_id, CALENDAR_FIELDS, [row.values() for row in self.rows]))

    def __repr__(self) -> str:
        return (f"<PatientCalendar {self.patient_id}: {self.timeline.protocol_id}, {len(self.rows)} rows from "
                f"{self.start.isoformat()}>")


def build_calendar(timeline: Timeline, start: date | str, *, patient_id: str = "patient",
                   actuals: Actuals | None = None, clinic: ClinicDays | None = None, today: date | str | None = None,
                   home_doses: bool = False,
                   arm: str | None = None, resolved: ResolvedActuals | None = None) -> PatientCalendar:
    """The patient's calendar from ``start`` (the date of study day 1).

    ``actuals`` pin what happened (``InputError`` for unknown ids, bad dates or an actual before its predecessor;
    what re-anchors on them: ``schedsim.calendar.pins``); ``clinic`` says which days are open (Monday to Friday
    when absent) and visits move off closed days keeping every protocol constraint (``schedsim.calendar.moves``);
    ``today`` gives each visit a status (done, missed, skipped, overdue, due, upcoming; ``planned`` without it);
    drugs taken at home are summarised on the visit that dispenses them, or listed one per day with
    ``home_doses=True``. ``resolved``: actuals already resolved (instead of ``actuals``).
    """
    start, today = as_date(start, "start"), as_date(today, "today")
    advance = calendar_advance(start)
    if resolved is None:
        resolved = resolve_actuals(actuals, timeline, start, advance, today) if actuals else ResolvedActuals()
    clinic = (clinic or ClinicDays()).for_protocol(timeline.clinic.open_weekdays)
    pins = dict(resolved.pins)
    shifts = cycle_shifts(timeline, start, advance, pins, clinic) if timeline.clinic.shift == "cycle" else {}
    pins.update({milestone: t for milestone, (t, _) in shifts.items()})
    base = plan(timeline, advance) if pins else None
    records = [r for r in run_deterministic(timeline, advance, pins=pins) if r.status == "done"]
    times = {r.event_id: r.actual if r.kind == "milestone" else r.target for r in records}
    happened = resolved.actual_times
    kept = [r.event_id for r in records if r.kind != "milestone"
            and resolved.status.get(r.event_id) not in ("missed", "skipped")]
    moves = place_events(timeline, start, times, kept, {e: happened[e] for e in kept if e in happened}, clinic)
    causes = _causes(timeline, resolved, shifts) if pins else {}
    day_zero = timeline.conventions.study_day_zero
    facts = facts_of(timeline).events
    rows, clinic_days, home = [], [], []
    for record in records:
        if record.kind == "milestone":
            continue
        event = timeline.event(record.event_id)
        fact = facts[event.id]
        status = resolved.status.get(event.id)
        if fact.series is not None and status not in ("missed", "skipped"):
            home.append((event.id, HomeDose(fact.series, event.label, fact.day, event.phase,
                                            happened.get(event.id, record.target))))
        if not home_doses and fact.series is not None:  # summarised on the visit that dispenses it
            continue
        target = date_of(start, record.target)
        window = window_of(timeline, event, times) if event.window is not None else None
        earliest = None if window is None else target - timedelta(days=window[0])
        latest = None if window is None else target + timedelta(days=window[1])
        reasons = []
        if base is not None and record.target != base[event.id] and event.id not in resolved.pins:
            reasons.append(f"re-anchored {record.target - base[event.id]:+d}d {causes.get(event.id, '')}".rstrip())
        placement = moves.placements.get(event.id)
        if status == "done":
            scheduled = date_of(start, happened[event.id])
            shift = happened[event.id] - record.target
            if shift:
                outside = window is None or not -window[0] <= shift <= window[1]
                reasons.append(f"actual {shift:+d}d from target" + (" (outside window)" if outside else ""))
        elif placement is not None:
            scheduled = date_of(start, placement.day)
            if placement.reason:
                reasons.append(placement.reason)
        else:
            scheduled = target
        if event.setting in (None, "clinic") and status not in ("missed", "skipped"):
            clinic_days.append(Dated(event.id, event.phase, event.kind, (scheduled - start).days,
                                     (scheduled - target).days))
        rows.append(CalendarRow(
            patient_id=patient_id, event_id=event.id, label=event.label, kind=event.kind, target_date=target,
            scheduled_date=scheduled, window_earliest=earliest, window_latest=latest,
            shift_reason="; ".join(reasons), status=_status(status, today, scheduled, earliest, latest, event),
            activities=fact.activity, assumptions=timeline.assumptions_of(event.id), phase=event.phase,
            setting=event.setting, day=study_day(record.target, day_zero),
            flagged=placement is not None and placement.flagged, order=timeline.index[event.id],
            planned_date=date_of(start, base[event.id]) if base is not None else target, step=event.step,
            agent=event.agent, cycle=fact.cycle, tag=fact.tag or tag_of(timeline, event, times)))
    moved = dispenser_shifts(clinic_days, [dose for _, dose in home])
    if moved and home_doses:
        rows = [_with_dispenser(row, moved, timeline, today) if row.event_id not in resolved.status else row
                for row in rows]
    pills = [dose._replace(time=dose.time + moved[dose.series][1]) if dose.series in moved and event_id not in
             happened else dose for event_id, dose in home]
    if pills and not home_doses:
        lines = dispensing(clinic_days, pills)
        rows = [replace(row, activities=(*row.activities, *lines[row.event_id])) if row.event_id in lines else row
                for row in rows]
    rows.sort(key=lambda row: (row.scheduled_date, row.order))
    return PatientCalendar(patient_id, timeline, start, today, clinic, tuple(rows), arm or timeline.design.arm,
                           tuple(moves.conflicts))


def calendar_for(path: str | Path, start: date | str, *, actuals: str | Path | None = None, arm: str | None = None,
                 branches: Mapping[str, str] | None = None, **options: Any) -> PatientCalendar:
    """Load and compile a protocol file (and an actuals file) and build the patient's calendar; in a study with arms
    ``arm`` is required, and ``branches`` (decision → branch) says which way each decision went (default: its
    default branch). ``options`` are ``build_calendar``'s (patient_id, clinic, today, home_doses).

    >>> calendar = calendar_for("protocols/ppcl-vrd-cart-asct-cart2.yaml", "2026-06-01", today="2026-06-15")
    >>> row = calendar.find("induction.c2.d1")
    >>> row.scheduled_date, row.status, row.tag
    (datetime.date(2026, 6, 22), 'upcoming', 'C2D1')
    """
    loaded = load_protocol(path)
    timeline = compile_protocol(loaded, patient_path(loaded, arm, branches))
    recorded = load_actuals(actuals) if actuals is not None else None
    return build_calendar(timeline, start, actuals=recorded, **options)


def _with_dispenser(row: CalendarRow, moved: dict[tuple[str, str], tuple[str, int]], timeline: Timeline,
                    today: date | None) -> CalendarRow:
    """A home dose moved with the visit that dispenses its cycle's pills (``with induction.c2.d1 +1d``)."""
    series = facts_of(timeline).events[row.event_id].series
    if series not in moved:
        return row
    visit, shift = moved[series]
    scheduled = row.scheduled_date + timedelta(days=shift)
    reason = "; ".join(filter(None, (row.shift_reason, f"with {visit} {shift:+d}d (dispensed there)")))
    status = _status(None, today, scheduled, row.window_earliest, row.window_latest, timeline.event(row.event_id))
    return replace(row, scheduled_date=scheduled, shift_reason=reason, status=status)


def _status(recorded: str | None, today: date | None, scheduled: date, earliest: date | None,
            latest: date | None, event: Event) -> str:
    """As of ``today``: what was recorded, else upcoming (window not open yet), due (open) or overdue (closed).

    What is not done at the site (home doses, offsite manufacturing) is ``past`` once its day is gone, never overdue.
    """
    if recorded is not None:
        return recorded
    if today is None:
        return "planned"
    if today < min(earliest or scheduled, scheduled):
        return "upcoming"
    if today <= max(latest or scheduled, scheduled):
        return "due"
    return "past" if event.setting in ("home", "offsite") else "overdue"


def _causes(timeline: Timeline, resolved: ResolvedActuals, shifts: dict[str, tuple[int, str]]) -> dict[str, str]:
    """For each event, why its target moved: every recorded date (or shifted cycle) it goes back to along its anchors
    ("on induction.c2.d1.bortezomib, cart1.lymphodepletion.d-5.fludarabine actuals")."""
    sources: dict[str, tuple[str, ...]] = {}
    for event in timeline.events:
        if event.id in shifts:
            sources[event.id] = (shifts[event.id][1],)
        elif event.id in resolved.pins:
            sources[event.id] = (resolved.propagated.get(event.id, event.id),)
        else:
            sources[event.id] = tuple(dict.fromkeys(s for anchor in event.anchors for s in sources.get(anchor.ref, ())))
    said = {}
    for event_id, found in sources.items():
        actuals = [s for s in found if not s.startswith("with ")]
        parts = [*(s for s in found if s.startswith("with ")),
                 *([f"on {', '.join(actuals)} actual{'s' if len(actuals) > 1 else ''}"] if actuals else [])]
        if parts:
            said[event_id] = "; ".join(parts)
    return said
