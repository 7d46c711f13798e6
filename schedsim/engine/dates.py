"""Study days and dates: the only module that knows calendars.

Internally a time ``t`` counts days from study day 1 (``t = 0``). Study days follow the CDISC convention by
default: day 1 is the first dose, the day before is day −1, there is no day 0.

>>> study_day(0), study_day(62), study_day(-1)
(1, 63, -1)
>>> study_day(0, day_zero=True)
0
>>> from datetime import date
>>> advance = calendar_advance(date(2027, 1, 31))
>>> advance(0, Offset(months=1))  # 31 Jan + 1 calendar month = 28 Feb
28
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from schedsim.compile.graph import Advance, nominal_advance
from schedsim.inputs import date_problem
from schedsim.language.durations import Offset


def study_day(t: int, day_zero: bool = False) -> int:
    """Study day of time ``t`` (days since day 1)."""
    if day_zero:
        return t
    return t + 1 if t >= 0 else t


def time_of_study_day(day: int, day_zero: bool = False) -> int:
    """Inverse of ``study_day``: days from study day 1.

    >>> time_of_study_day(1), time_of_study_day(63), time_of_study_day(-1)
    (0, 62, -1)
    """
    if day_zero or day < 0:
        return day
    if day == 0:
        raise ValueError("there is no study day 0 (day 1 is the first dose, the day before is day -1)")
    return day - 1


def date_of(start: date, t: int) -> date:
    """Date of time ``t`` when time 0 falls on ``start``."""
    return start + timedelta(days=t)


def add_offset(day: date, offset: Offset) -> date:
    """Calendar arithmetic: years, then months (clipped to month end), then days."""
    return _shift(day, offset.years, offset.months) + timedelta(days=offset.days)


@lru_cache(maxsize=1 << 16)
def _shift(day: date, years: int, months: int) -> date:
    """``day`` moved by calendar years and months (a pure function, remembered: a cohort asks the same few
    thousand questions again and again)."""
    return day + relativedelta(years=years, months=months)


def calendar_advance(start: date) -> Advance:
    """An ``Advance`` that applies calendar months and years exactly, time 0 being ``start``."""

    def advance(t: int, offset: Offset) -> int:
        if not offset.is_calendar:
            return t + offset.days
        return (add_offset(date_of(start, t), offset) - start).days

    return advance


def advance_for(start: date | None) -> Advance:
    """Exact calendar arithmetic when the date of day 1 is known; average months and years otherwise."""
    return calendar_advance(start) if start is not None else nominal_advance


def parse_date(text: str) -> date:
    """ISO date ``YYYY-MM-DD``; ``ValueError`` with a readable message otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None
    problem = date_problem(day)
    if problem:
        raise ValueError(problem)
    return day
