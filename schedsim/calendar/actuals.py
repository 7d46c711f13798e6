"""What actually happened to a patient: actual dates that pin events, and missed or skipped visits.

A CSV file with the header ``event_id,date,status`` (status optional: ``done``, ``missed``, ``skipped``, or
``unplanned`` for a visit the protocol does not plan, under any id), or
the same as YAML: a list of ``{event_id, date, status}`` mappings, or a mapping ``event_id: date`` (or
``event_id: {date, status}``). ``missed`` and ``skipped`` need no date and may name a phase (``cart2``) or a
cycle (``induction.c3``) as well as an event; skipping an event skips the events under it (``induction.c3.start``
skips all of cycle 3), and cycle numbering is kept.

Resolving actuals against a timeline (what each date pins, and what re-anchors on it) is
``schedsim.calendar.pins.resolve_actuals``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from schedsim.errors import InputError, Problem
from schedsim.inputs import csv_records, csv_rows, date_problem, read_input
from schedsim.language.yamlsource import parse_yaml

ActualStatus = Literal["done", "missed", "skipped", "unplanned"]
STATUSES: tuple[ActualStatus, ...] = ("done", "missed", "skipped", "unplanned")


@dataclass(frozen=True, slots=True)
class Actual:
    """One line of an actuals file."""

    event_id: str
    date: date | None
    status: ActualStatus
    file: str
    line: int | None

    def problem(self, field: str, message: str) -> Problem:
        return Problem(self.file, self.line, field, message)


@dataclass(frozen=True)
class Actuals:
    """A patient's actuals file, parsed (ids not yet checked against a protocol)."""

    file: str
    entries: tuple[Actual, ...] = ()


def load_actuals(path: str | Path, display: str | None = None) -> Actuals:
    """Read an actuals file (``.csv``, or ``.yaml``/``.yml``); ``InputError`` naming file and line if malformed."""
    name = display or str(path)
    text = read_input(path, "actuals", name)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        return parse_actuals_yaml(text, name)
    return parse_actuals_csv(text, name)


def parse_actuals_csv(text: str, name: str) -> Actuals:
    rows = csv_rows(text, name)
    if not rows:
        return Actuals(name)
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    if columns[:2] != ["event_id", "date"] or columns[2:] not in ([], ["status"]):
        message = f"expected the header 'event_id,date,status' (status optional), got {','.join(header)!r}"
        raise InputError(Problem(name, header_line, "header", message))
    entries: list[Actual] = []
    problems: list[Problem] = []
    for number, cells in csv_records(rows, columns, name, problems):
        _entry(name, number, cells["event_id"], cells["date"] or None, cells.get("status") or None, entries, problems)
    return _finish(name, entries, problems)


def parse_actuals_yaml(text: str, name: str) -> Actuals:
    doc = parse_yaml(text, name)
    data = doc.data
    entries: list[Actual] = []
    problems: list[Problem] = []
    if data is None:
        return Actuals(name)
    if isinstance(data, dict):
        for event_id, value in data.items():
            path = (event_id,)
            if isinstance(value, dict):
                unknown = sorted(set(value) - {"date", "status"})
                if unknown:
                    problems.append(doc.problem((*path, unknown[0]), "unknown field (expected date, status)"))
                    continue
                _entry(name, doc.line(path), event_id, value.get("date"), value.get("status"), entries, problems)
            else:
                _entry(name, doc.line(path), event_id, value, None, entries, problems)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            path = (index,)
            if not isinstance(item, dict) or "event_id" not in item:
                problems.append(doc.problem(path, "expected a mapping with event_id, date and status"))
                continue
            unknown = sorted(set(item) - {"event_id", "date", "status"})
            if unknown:
                problems.append(doc.problem((*path, unknown[0]), "unknown field (expected event_id, date, status)"))
                continue
            _entry(name, doc.line(path), item["event_id"], item.get("date"), item.get("status"), entries, problems)
    else:
        raise InputError(Problem(name, 1, "", "expected a list of {event_id, date, status} or a mapping id: date"))
    return _finish(name, entries, problems)


def _entry(name: str, line: int | None, event_id: Any, when: Any, status: Any, entries: list[Actual],
           problems: list[Problem]) -> None:
    if not isinstance(event_id, str) or not event_id.strip():
        problems.append(Problem(name, line, "event_id", "missing event id"))
        return
    status_text = str(status).strip().lower() if status is not None else "done"
    if status_text not in STATUSES:
        problems.append(Problem(name, line, "status",
                                f"unknown status {status!r} (expected done, missed, skipped or unplanned)"))
        return
    day: date | None
    if when is None or when == "":
        day = None
    elif isinstance(when, date):
        day = when
    else:
        try:
            day = date.fromisoformat(str(when).strip())
            if date_problem(day):
                raise ValueError
        except ValueError:
            problems.append(Problem(name, line, "date", f"not a date: {when!r} (expected YYYY-MM-DD)"))
            return
    if day is None and status_text in ("done", "unplanned"):
        problems.append(Problem(name, line, "date", f"{event_id}: a {status_text} event needs its date"))
        return
    entries.append(Actual(event_id.strip(), day, status_text, name, line))  # type: ignore[arg-type]


def _finish(name: str, entries: list[Actual], problems: list[Problem]) -> Actuals:
    seen: dict[str, Actual] = {}
    for entry in entries:
        first = seen.setdefault(entry.event_id, entry)
        if first is not entry:
            problems.append(entry.problem("event_id", f"{entry.event_id} is listed twice (first on line {first.line})"))
    if problems:
        raise InputError(problems)
    return Actuals(name, tuple(entries))
