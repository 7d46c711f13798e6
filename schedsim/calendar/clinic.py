"""Clinic days: open weekdays, public holidays (from the ``holidays`` package) and site closures.

A visit whose target falls on a closed day moves to an open day inside its window:

>>> from datetime import date
>>> clinic = ClinicDays()
>>> clinic.closed_reason(date(2027, 4, 17))
'Saturday'
>>> move_to_open_day(date(2027, 4, 17), 2, 2, clinic, "nearest")  # Sat: +1 is Sunday, -1 is Friday
(datetime.date(2027, 4, 16), 'Saturday → moved -1d', False)
>>> move_to_open_day(date(2027, 4, 17), 0, 0, clinic, "nearest")
(datetime.date(2027, 4, 17), 'Saturday, no open day in window -0d/+0d: kept', True)
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date, date_problem, read_input

Prefer = Literal["nearest", "earlier", "later"]
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_CLOSED_DAYS = 20_000  # closure days in one file: over fifty years of every day
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.lru_cache(maxsize=64)
def holiday_calendar(country: str, subdivision: str | None = None) -> Any:
    """The ``holidays`` calendar of a country (ISO 3166 code) and optional subdivision; ``ValueError`` if unknown."""
    import holidays  # imported here: only calendars with a country need it

    code = country.strip().upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise ValueError(f"unknown country code {country!r} (ISO 3166-1 alpha-2, e.g. CN, US, DE)")
    subdivisions = supported[code]
    if subdivision is not None and subdivision not in subdivisions:
        known = ", ".join(subdivisions[:12]) + (" ..." if len(subdivisions) > 12 else "")
        raise ValueError(f"{code} has no subdivision {subdivision!r} (known: {known or 'none'})")
    return holidays.country_holidays(code, subdiv=subdivision)


@dataclass(frozen=True)
class ClinicDays:
    """When the clinic is open: weekdays (0 = Monday), minus public holidays and listed closures.

    ``open_weekdays`` left ``None`` means "as the protocol says" (see ``for_protocol``), Monday to Friday by default.
    """

    open_weekdays: frozenset[int] | None = None
    country: str | None = None
    subdivision: str | None = None
    closures: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.open_weekdays, str):  # "mon-fri", as the command line takes it
            object.__setattr__(self, "open_weekdays", parse_open_days(self.open_weekdays))
        elif self.open_weekdays is not None:
            days = frozenset(WEEKDAY_CODES.index(d[:3].lower()) if isinstance(d, str) else int(d)
                             for d in self.open_weekdays)
            if not days <= set(range(7)):
                raise ValueError(f"open weekdays are 0 (Monday) to 6 (Sunday), got {sorted(days)}")
            object.__setattr__(self, "open_weekdays", days)
        if any(not isinstance(day, date) for day in self.closures):  # ISO strings: dates like every other
            object.__setattr__(self, "closures", {as_date(day, "closures"): reason  # type: ignore[misc]
                                                  for day, reason in self.closures.items()})
        if self.country is not None:
            holiday_calendar(self.country, self.subdivision)  # fail early on an unknown code
        elif self.subdivision is not None:
            raise ValueError("a subdivision needs a country")

    @property
    def description(self) -> str:
        days = ", ".join(WEEKDAY_CODES[d] for d in sorted(self.weekdays))
        region = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        where = f"; holidays: {region}" if region else ""
        closures = f"; {len(self.closures)} closure day(s)" if self.closures else ""
        return f"open {days}{where}{closures}"

    def closed_reason(self, day: date) -> str | None:
        """Why the clinic is closed on ``day`` (closure, holiday, weekday), or ``None`` when it is open."""
        if day in self.closures:
            return f"closure: {self.closures[day]}"
        if self.country is not None:
            name = holiday_calendar(self.country, self.subdivision).get(day)
            if name:
                return f"holiday: {name}"
        if day.weekday() not in self.weekdays:
            return DAY_NAMES[day.weekday()]
        return None

    def is_open(self, day: date) -> bool:
        return self.closed_reason(day) is None

    @property
    def weekdays(self) -> frozenset[int]:
        return self.open_weekdays if self.open_weekdays is not None else frozenset(range(5))

    def for_protocol(self, open_weekdays: frozenset[int]) -> ClinicDays:
        """These clinic days with the protocol's open weekdays, unless the site set its own."""
        if self.open_weekdays is not None:
            return self
        return ClinicDays(open_weekdays, self.country, self.subdivision, self.closures)


def candidate_days(early: int, late: int, prefer: Prefer) -> Iterator[int]:
    """Day offsets to try, in order: ``nearest`` 0, +1, -1, +2, -2 ...; ``earlier`` 0, -1 ... then +1 ...

    >>> list(candidate_days(2, 3, "nearest")), list(candidate_days(2, 3, "earlier"))
    ([0, 1, -1, 2, -2, 3], [0, -1, -2, 1, 2, 3])
    >>> list(candidate_days(1, 2, "later"))
    [0, 1, 2, -1]
    """
    yield 0
    if prefer == "earlier":
        yield from (-d for d in range(1, early + 1))
        yield from range(1, late + 1)
    elif prefer == "later":
        yield from range(1, late + 1)
        yield from (-d for d in range(1, early + 1))
    else:
        for d in range(1, max(early, late) + 1):
            if d <= late:
                yield d
            if d <= early:
                yield -d


def move_to_open_day(target: date, early: int | None, late: int | None, clinic: ClinicDays,
                     prefer: Prefer) -> tuple[date, str, bool]:
    """The open day inside the window nearest ``target`` (as preferred), why it moved, and whether it is flagged.

    Without an open day in the window the target is kept and flagged. ``early``/``late`` are ``None`` when the
    event has no window.
    """
    reason = clinic.closed_reason(target)
    if reason is None:
        return target, "", False
    if early is None or late is None:
        return target, f"{reason}, no window to move within: kept", True
    for offset in candidate_days(early, late, prefer):
        day = target + timedelta(days=offset)
        if clinic.is_open(day):
            return day, f"{reason} → moved {offset:+d}d", False
    return target, f"{reason}, no open day in window -{early}d/+{late}d: kept", True


def parse_open_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``mon,tue,thu`` or ``mon-sat`` as weekday numbers (0 = Monday).

    >>> sorted(parse_open_days("mon-fri")), sorted(parse_open_days("sun,mon"))
    ([0, 1, 2, 3, 4], [0, 6])
    """
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        first, _, last = part.partition("-")
        if first not in WEEKDAY_CODES or (last and last not in WEEKDAY_CODES):
            raise ValueError(f"expected weekdays such as 'mon-fri' or 'mon,wed,fri', got {text!r}")
        start, end = WEEKDAY_CODES.index(first), WEEKDAY_CODES.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    return frozenset(days)


def load_closures(path: str | Path) -> dict[date, str]:
    """Closure dates from a file: one ``date[,reason]`` or ``first..last[,reason]`` per line, ``#`` comments.

    An optional header ``date,reason`` is skipped. Raises ``InputError`` naming the line of a bad date.
    """
    name = str(path)
    text = read_input(path, "closures", name)
    closures: dict[date, str] = {}
    problems = []
    for number, row in _rows(text, name):
        first = row[0].strip()
        if number == 1 and first.lower() == "date":
            continue
        reason = ",".join(row[1:]).strip() or "site closed"
        try:
            for day in _date_range(first):
                closures[day] = reason
        except ValueError as error:
            problems.append(Problem(name, number, "date", str(error)))
        if len(closures) > MAX_CLOSED_DAYS:
            break
    if len(closures) > MAX_CLOSED_DAYS:
        problems.append(Problem(name, None, "", f"{len(closures):,} closed days; at most {MAX_CLOSED_DAYS:,}"))
    if problems:
        raise InputError(problems)
    return closures


def _rows(text: str, name: str) -> Iterable[tuple[int, list[str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        if stripped:
            try:
                yield number, next(csv.reader([stripped]))
            except csv.Error as error:  # a field longer than the csv module allows
                raise InputError(Problem(name, number, "", f"not a closure line: {error}")) from None


def _date_range(text: str) -> list[date]:
    first, sep, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if sep else start
    except ValueError:
        shown = repr(text) if len(text) <= 25 else "this line"  # a date is short: a long line is never echoed back
        message = f"not a date or date range: {shown} (expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)"
        raise ValueError(message) from None
    if end < start:
        raise ValueError(f"date range {text!r} ends before it starts")
    problem = date_problem(start) or date_problem(end)
    if problem:
        raise ValueError(problem)
    if (end - start).days > 366:
        raise ValueError(f"date range {text!r} is longer than a year")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def site_days(country: str | None = None, subdivision: str | None = None, closures: str | Path | None = None,
              open_days: str | None = None) -> ClinicDays:
    """Clinic days from command-line style options; ``InputError`` naming the option that is wrong."""
    weekdays = None
    if open_days is not None:
        try:
            weekdays = parse_open_days(open_days)
        except ValueError as error:
            raise InputError(Problem("--open-days", None, "", str(error))) from None
    closed = load_closures(closures) if closures is not None else {}
    try:
        return ClinicDays(weekdays, country, subdivision, closed)
    except ValueError as error:
        option = "--subdivision" if subdivision is not None and "subdivision" in str(error) else "--country"
        raise InputError(Problem(option, None, "", str(error))) from None
