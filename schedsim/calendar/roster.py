"""Many patients: a roster file, every patient's calendar, and who is due when.

A roster is a CSV file with the header ``patient_id,protocol,start`` and optionally ``arm``, ``branches``,
``country``, ``subdivision`` and ``actuals`` (paths are relative to the roster file). A row's country overrides the
site's. In a study with arms each row names its arm; ``branches`` (``post_asct=no_cr``, several separated by ``;``)
says which way the patient's decisions went (a decision not yet taken follows its default branch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from schedsim.calendar.actuals import load_actuals
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import CALENDAR_FIELDS, CalendarRow, PatientCalendar, build_calendar
from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Timeline
from schedsim.compile.paths import patient_path
from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date, csv_records, csv_rows, date_problem, outside_message, read_input, within
from schedsim.language.loader import load_protocol
from schedsim.tabular import Table, dataframe

REQUIRED = ("patient_id", "protocol", "start")
OPTIONAL = ("arm", "branches", "country", "subdivision", "actuals")
MAX_PATIENTS = 100_000


@dataclass(frozen=True, slots=True)
class RosterEntry:
    patient_id: str
    protocol: Path
    start: date
    arm: str | None
    branches: tuple[tuple[str, str], ...]
    country: str | None
    subdivision: str | None
    actuals: Path | None
    file: str
    line: int

    def problem(self, field: str, message: str) -> Problem:
        return Problem(self.file, self.line, field, f"patient {self.patient_id}: {message}")

    def contained(self) -> None:
        """The row's protocol and actuals lie where a roster may name files (``schedsim.inputs.within``: the
        roster's folder tree, the working folder, an allowed path); ``InputError`` at the row otherwise."""
        folder = Path(self.file).parent
        for field, path in (("protocol", self.protocol), ("actuals", self.actuals)):
            if path is not None and not within(path, folder):
                raise InputError(self.problem(field, outside_message(str(path), f"{field} file")))


@dataclass(frozen=True)
class RosterResult:
    """The calendars that could be built, and the problems of the rows that could not (with ``keep_going``)."""

    calendars: tuple[PatientCalendar, ...]
    problems: tuple[Problem, ...] = ()

    def to_dataframe(self) -> Any:
        """Every patient's visits in one pandas DataFrame (the calendar CSV's columns), dates as ``datetime64``."""
        rows = [row.values() for calendar in self.calendars for row in calendar.rows]
        return dataframe(Table("roster", CALENDAR_FIELDS, rows))


def load_roster(path: str | Path) -> tuple[list[RosterEntry], list[Problem]]:
    """Parse a roster: its good rows and a problem per bad row; ``InputError`` when the file itself is unusable."""
    name = str(path)
    text = read_input(path, "roster", name)
    rows = csv_rows(text, name)
    if not rows:
        raise InputError(Problem(name, None, "", "the roster is empty (expected a header: patient_id,protocol,start)"))
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in (*REQUIRED, *OPTIONAL)]
    missing = [c for c in REQUIRED if c not in columns]
    if unknown or missing or len(set(columns)) != len(columns):
        detail = (f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}" if missing
                  else "a column is repeated")
        raise InputError(Problem(name, header_line, "header",
                                 f"{detail}; columns are {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"))
    if len(rows) - 1 > MAX_PATIENTS:
        raise InputError(Problem(name, None, "", f"{len(rows) - 1} patients (at most {MAX_PATIENTS})"))
    base = Path(path).parent
    entries: list[RosterEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, cells in csv_records(rows, columns, name, problems):
        patient = cells["patient_id"]
        if not patient:
            problems.append(Problem(name, number, "patient_id", "missing patient id"))
            continue
        if patient in seen:
            problems.append(Problem(name, number, "patient_id", f"patient {patient} is listed twice (first on line "
                                                                f"{seen[patient]})"))
            continue
        seen[patient] = number
        try:
            start = date.fromisoformat(cells["start"])
            if date_problem(start):
                raise ValueError
        except ValueError:
            problems.append(Problem(name, number, "start", f"patient {patient}: not a date: {cells['start']!r} "
                                                           f"(expected YYYY-MM-DD)"))
            continue
        if not cells["protocol"]:
            problems.append(Problem(name, number, "protocol", f"patient {patient}: no protocol file"))
            continue
        pairs = [part.partition("=") for part in (cells.get("branches") or "").split(";") if part.strip()]
        if any(not sep or not d.strip() or not b.strip() for d, sep, b in pairs):
            problems.append(Problem(name, number, "branches", f"patient {patient}: expected decision=branch "
                                                              f"(several separated by ';'), got "
                                                              f"{cells['branches']!r}"))
            continue
        branches = tuple((d.strip(), b.strip()) for d, _, b in pairs)
        if len(dict(branches)) < len(branches):
            problems.append(Problem(name, number, "branches", f"patient {patient}: a decision is given twice in "
                                                              f"{cells['branches']!r}"))
            continue
        entries.append(RosterEntry(
            patient, base / cells["protocol"], start, cells.get("arm") or None, branches, cells.get("country") or None,
            cells.get("subdivision") or None, base / cells["actuals"] if cells.get("actuals") else None, name, number))
    return entries, problems


def roster_calendars(path: str | Path, *, clinic: ClinicDays | None = None, today: date | str | None = None,
                     home_doses: bool = False, keep_going: bool = False) -> RosterResult:
    """Every patient's calendar. A bad row raises ``InputError`` (all bad rows listed), or with ``keep_going`` is
    reported in the result while the other patients' calendars are still built.

    >>> site = roster_calendars("protocols/examples/roster.csv", today="2026-11-23")
    >>> [calendar.patient_id for calendar in site.calendars]
    ['P001', 'P002', 'P003', 'P004']
    """
    today = as_date(today, "today")
    entries, problems = load_roster(path)
    site = clinic or ClinicDays()
    timelines: dict[tuple[Path, str | None, tuple[tuple[str, str], ...]], Timeline | InputError] = {}
    calendars = []
    for entry in entries:
        try:
            calendars.append(_patient(entry, site, today, home_doses, timelines))
        except InputError as error:
            problems.extend(error.problems)
    if problems and not keep_going:
        raise InputError(sorted(problems, key=lambda p: (p.file != str(path), p.line or 0)))
    return RosterResult(tuple(calendars), tuple(problems))


def _patient(entry: RosterEntry, site: ClinicDays, today: date | None, home_doses: bool,
             timelines: dict[tuple[Path, str | None, tuple[tuple[str, str], ...]], Timeline | InputError]
             ) -> PatientCalendar:
    entry.contained()
    if not entry.protocol.is_file():
        raise InputError(entry.problem("protocol", f"protocol file not found: {entry.protocol}"))
    key = (entry.protocol, entry.arm, entry.branches)
    timeline = timelines.get(key)
    if timeline is None:
        timeline = timelines[key] = _compile(entry)
    if isinstance(timeline, InputError):
        choice = [p for p in timeline.problems if p.file in ("arm", "branches")]
        if choice:  # the row's arm or branches do not fit its protocol: said at the row
            raise InputError([entry.problem(p.file, p.message) for p in choice])
        raise InputError([entry.problem("protocol", f"{entry.protocol} is not a valid protocol"),
                          *timeline.problems])
    if entry.actuals is not None and not entry.actuals.is_file():
        raise InputError(entry.problem("actuals", f"actuals file not found: {entry.actuals}"))
    try:
        clinic = ClinicDays(site.open_weekdays, entry.country or site.country,
                            entry.subdivision if entry.country else entry.subdivision or site.subdivision,
                            site.closures)
    except ValueError as error:
        raise InputError(entry.problem("country", str(error))) from None
    actuals = load_actuals(entry.actuals) if entry.actuals is not None else None
    return build_calendar(timeline, entry.start, patient_id=entry.patient_id, actuals=actuals, clinic=clinic,
                          today=today, home_doses=home_doses, arm=entry.arm)


def _compile(entry: RosterEntry) -> Timeline | InputError:
    """The timeline of the row's protocol on its arm and branches (an ``InputError`` to report at the row); problems
    with the arm or branches come back with ``file`` set to the roster column."""
    try:
        loaded = load_protocol(entry.protocol)
    except InputError as error:
        return error
    try:
        path = patient_path(loaded, entry.arm, dict(entry.branches) or None)
    except InputError as error:
        column = {"--arm": "arm", "--branch": "branches"}
        return InputError([Problem(column.get(p.file, "arm"), None, "", p.message) for p in error.problems])
    try:
        return compile_protocol(loaded, path)
    except InputError as error:
        return error


def due(calendars: Iterable[PatientCalendar], first: date | str, last: date | str) -> list[CalendarRow]:
    """Visits scheduled between ``first`` and ``last`` (inclusive) that are still to do, by date then patient.

    >>> site = roster_calendars("protocols/examples/roster.csv", today="2026-11-23")
    >>> [(row.patient_id, row.label) for row in due(site.calendars, "2026-11-23", "2026-11-23")][:2]
    [('P002', 'Leukapheresis'), ('P003', 'Cycle 3 day 1 visit')]
    """
    first, last = as_date(first, "first"), as_date(last, "last")  # type: ignore[assignment]
    rows = [row for calendar in calendars for row in calendar.rows
            if first <= row.scheduled_date <= last and row.status not in ("done", "missed", "skipped")]
    return sorted(rows, key=lambda row: (row.scheduled_date, row.patient_id, row.order))


def iso_week(text: str) -> tuple[date, date]:
    """``2026-W48`` → its Monday and Sunday.

    >>> iso_week("2026-W48")
    (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))
    """
    year, _, week = text.strip().upper().partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W48)") from None
    problem = date_problem(monday)
    if problem:
        raise ValueError(problem)
    return monday, monday + timedelta(days=6)

