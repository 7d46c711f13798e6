"""Calendars for the command line and notebooks: one patient or a roster in, a chosen format out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import CALENDAR_FIELDS, PatientCalendar, calendar_for
from schedsim.calendar.roster import RosterResult, roster_calendars
from schedsim.errors import InputError, Problem
from schedsim.fileio import format_for
from schedsim.tabular import Table, workbook_bytes

FORMATS = ("table", "csv", "json", "ics", "md", "html", "xlsx")
SUFFIXES = {".txt": "table", ".csv": "csv", ".json": "json", ".ics": "ics", ".md": "md", ".html": "html",
            ".htm": "html", ".xlsx": "xlsx"}


def make_calendars(protocol: str | Path | None = None, *, roster: str | Path | None = None,
                   start: date | None = None, patient_id: str = "patient", actuals: str | Path | None = None,
                   clinic: ClinicDays | None = None, today: date | None = None, home_doses: bool = False,
                   keep_going: bool = False, arm: str | None = None, branches: Mapping[str, str] | None = None
                   ) -> RosterResult:
    """One patient's calendar (protocol, start, optional actuals, the arm and branches) or every roster patient's
    (each row says its arm and branches)."""
    if protocol is None and roster is None:
        raise InputError(Problem("command line", None, "", "give a protocol file (with --start) or --roster ROSTER"))
    if protocol is not None and roster is not None:
        raise InputError(Problem("command line", None, "", "give a protocol file or --roster, not both"))
    if roster is not None:
        if start is not None or actuals is not None or arm is not None or branches:
            raise InputError(Problem("command line", None, "", "--start, --actuals, --arm and --branch come from the "
                                                               "roster's rows"))
        return roster_calendars(roster, clinic=clinic, today=today, home_doses=home_doses, keep_going=keep_going)
    if start is None:
        raise InputError(Problem("--start", None, "", "a patient calendar needs --start (the date of study day 1)"))
    assert protocol is not None
    calendar = calendar_for(protocol, start, actuals=actuals, patient_id=patient_id, clinic=clinic, today=today,
                            home_doses=home_doses, arm=arm, branches=branches)
    return RosterResult((calendar,))


def output_format(given: str | None, output: str | Path | None) -> str:
    """The format asked for, else the one the output file's extension names, else a table (an unknown extension
    is bad input)."""
    return format_for(output, given, SUFFIXES, "table")


def render_calendars(calendars: Sequence[PatientCalendar], fmt: str, layout: str = "agenda") -> str | bytes:
    """``calendars`` in one of ``FORMATS`` (ICS and Excel as bytes, the others as text).

    >>> from schedsim.calendar.patient import calendar_for
    >>> calendar = calendar_for("protocols/ppcl-vrd-cart-asct-cart2.yaml", "2027-01-04")
    >>> render_calendars([calendar], "csv").splitlines()[0]
    'patient_id,event_id,label,kind,target_date,scheduled_date,window_earliest,window_latest,shift_reason,status,activities,assumptions,study_day,phase,cycle,setting,tag'
    >>> render_calendars([calendar], "xlsx")[:2]
    b'PK'
    """
    from schedsim.calendar import export

    if fmt == "csv":
        return export.rows_to_csv(export.all_rows(calendars))
    if fmt == "json":
        return export.rows_to_json(export.all_rows(calendars))
    if fmt == "md":
        return export.calendars_to_markdown(calendars)
    if fmt == "ics":
        from schedsim.calendar.ics import calendars_to_ics

        return calendars_to_ics(calendars)
    if fmt == "xlsx":  # one sheet per patient
        return workbook_bytes([Table(c.patient_id, CALENDAR_FIELDS, [row.values() for row in c.rows])
                               for c in calendars])
    if fmt == "html":
        from schedsim.calendar.html import calendars_to_html

        return calendars_to_html(calendars, "month" if layout == "month" else "agenda")
    return export.calendars_to_table(calendars)


def due_report(roster: str | Path, *, first: date | None = None, last: date | None = None, week: str | None = None,
               clinic: ClinicDays | None = None, today: date | None = None, home_doses: bool = False,
               keep_going: bool = False, fmt: str = "table") -> tuple[str, tuple[Problem, ...]]:
    """The visits due in ``first..last`` (or an ISO ``week``) across a roster, rendered, and any skipped rows."""
    from schedsim.calendar import export
    from schedsim.calendar.roster import due, iso_week

    if week is not None:
        if first is not None or last is not None:
            raise InputError(Problem("--week", None, "", "give --week or --from/--to, not both"))
        try:
            first, last = iso_week(week)
        except ValueError as error:
            raise InputError(Problem("--week", None, "", str(error))) from None
    if first is None or last is None:
        raise InputError(Problem("--from", None, "", "give --from and --to (or --week)"))
    if last < first:
        raise InputError(Problem("--to", None, "", f"{last} is before --from {first}"))
    result = roster_calendars(roster, clinic=clinic, today=today, home_doses=home_doses, keep_going=keep_going)
    rows = due(result.calendars, first, last)
    if fmt == "csv":
        text = export.rows_to_csv(rows)
    elif fmt == "json":
        text = export.rows_to_json(rows)
    else:
        text = export.due_to_table(rows, first, last)
    return text, result.problems
