"""Patient calendars as iCalendar (RFC 5545) files, written with the ``icalendar`` package.

One all-day VEVENT per visit. Its UID is derived from protocol, patient and event id only, so the same visit keeps
its UID when dates move: a calendar app that imports the file again updates the visit instead of duplicating it.
DTSTAMP is the ``stamp`` date given (else the status date ``--today``, else the start date): never the clock, so
the same inputs give the same bytes, and a file made on a later day carries the later stamp. SEQUENCE grows the same
way (``sequence``): with the stamp's day and with the patient's recorded events, so a file made later, or after more
actual dates were entered, supersedes the earlier one in a calendar app. SUMMARY starts with the visit's tag (C3D8).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from schedsim.calendar.patient import CalendarRow, PatientCalendar
from schedsim.version import __version__

EPOCH = date(2020, 1, 1)  # SEQUENCE counts days from here
NAMESPACE = uuid.UUID("6f1c1c52-2a5e-4d6b-9a57-5c8d3f0e7b11")  # schedsim's own UUID namespace: never change it


def visit_uid(protocol_id: str, patient_id: str, event_id: str) -> str:
    """A stable UID for one visit of one patient.

    >>> visit_uid("p", "001", "cart1.infusion") == visit_uid("p", "001", "cart1.infusion")
    True
    >>> visit_uid("p", "001", "cart1.infusion") != visit_uid("p", "002", "cart1.infusion")
    True
    """
    return f"{uuid.uuid5(NAMESPACE, f'{protocol_id}/{patient_id}/{event_id}')}@schedsim"


def sequence(stamp: date, recorded: int) -> int:
    """The iCalendar SEQUENCE of a file stamped ``stamp`` for a patient with ``recorded`` events on record.

    >>> sequence(date(2026, 11, 23), 12) < sequence(date(2026, 11, 23), 13) < sequence(date(2026, 11, 24), 0)
    True
    """
    return max(0, (stamp - EPOCH).days) * 1000 + min(recorded, 999)


def calendars_to_ics(calendars: Sequence[PatientCalendar], stamp: date | None = None) -> bytes:
    """One VCALENDAR with every visit of every calendar given."""
    from icalendar import Calendar, Event

    ical = Calendar()
    ical.add("prodid", f"-//schedsim//schedsim {__version__}//EN")
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    if len(calendars) == 1:
        only = calendars[0]
        ical.add("x-wr-calname", f"{only.timeline.protocol_id} — patient {only.patient_id}")
    for calendar in calendars:
        when = stamp or calendar.today or calendar.start
        dtstamp = datetime(when.year, when.month, when.day, tzinfo=UTC)
        revision = sequence(when, sum(row.status in ("done", "missed", "skipped") for row in calendar.rows))
        for row in calendar.rows:
            event = Event()
            event.add("uid", visit_uid(calendar.timeline.protocol_id, calendar.patient_id, row.event_id))
            event.add("dtstamp", dtstamp)
            event.add("sequence", revision)
            event.add("dtstart", row.scheduled_date)
            event.add("dtend", row.scheduled_date + timedelta(days=1))
            event.add("summary", f"{calendar.patient_id}: {row.tag + ' ' if row.tag else ''}{row.label}")
            event.add("description", _description(row))
            event.add("categories", [row.kind])
            event.add("transp", "TRANSPARENT")
            if row.status in ("missed", "skipped"):
                event.add("status", "CANCELLED")
            else:
                event.add("status", "CONFIRMED" if row.status == "done" else "TENTATIVE")
            ical.add_component(event)
    return ical.to_ical()


def _description(row: CalendarRow) -> str:
    where = f", {row.tag}" if row.tag else ""
    lines = [f"Event: {row.event_id} ({row.kind}, study day {row.day}{where}, {row.setting or 'clinic'})",
             f"Target: {row.target_date}"]
    if row.window_earliest and row.window_latest:
        lines.append(f"Window: {row.window_earliest} to {row.window_latest}")
    if row.activities:
        lines.append("Activities: " + "; ".join(row.activities))
    lines.append(f"Status: {row.status}")
    if row.shift_reason:
        lines.append(f"Note: {row.shift_reason}")
    return "\n".join(lines)
