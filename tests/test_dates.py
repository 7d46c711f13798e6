from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedsim.engine.dates import add_offset, calendar_advance, parse_date, study_day
from schedsim.language.durations import Offset


def test_calendar_month_clips_to_month_end() -> None:
    assert add_offset(date(2027, 1, 31), Offset(months=1)) == date(2027, 2, 28)
    assert add_offset(date(2028, 1, 31), Offset(months=1)) == date(2028, 2, 29)
    assert add_offset(date(2028, 2, 29), Offset(years=1)) == date(2029, 2, 28)


def test_calendar_advance_counts_real_days() -> None:
    advance = calendar_advance(date(2027, 1, 4))
    assert advance(0, Offset(years=2)) == (date(2029, 1, 4) - date(2027, 1, 4)).days == 731
    assert advance(10, Offset(days=5)) == 15


def test_study_days_have_no_day_zero() -> None:
    assert [study_day(t) for t in (-2, -1, 0, 1)] == [-2, -1, 1, 2]
    assert [study_day(t, day_zero=True) for t in (-1, 0, 1)] == [-1, 0, 1]


@given(st.dates(date(1990, 1, 1), date(2080, 12, 31)), st.integers(0, 40))
def test_months_never_go_backwards(start: date, months: int) -> None:
    advance = calendar_advance(start)
    assert advance(0, Offset(months=months)) <= advance(0, Offset(months=months + 1))
    moved = start + timedelta(days=advance(0, Offset(months=months)))
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months


def test_parse_date() -> None:
    assert parse_date("2027-01-04") == date(2027, 1, 4)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("2027-02-30")
