"""Patient calendars: month arithmetic on real dates, invariants for any start date, actuals never crash it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import SEED_000
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedsim.calendar.actuals import parse_actuals_csv
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import build_calendar
from schedsim.compile.compiler import compile_file
from schedsim.errors import InputError

MONTHS = """
id: months
title: Month arithmetic
conventions: {{month: {month}, year: {year}}}
phases:
  - id: treatment
    kind: cycles
    cycle_length: 28d
    cycles: 1
    agents:
      drug: {{dose: 1 mg, days: [1], setting: home}}
assessments:
  - {{id: one_month, label: One month, at: treatment.start + 1mo}}
  - {{id: two_months, label: Two months, at: treatment.start + 2mo}}
  - {{id: one_year, label: One year, at: treatment.start + 1y}}
  - {{id: month_and_day, label: One month and a day, at: treatment.start + 1mo + 1d}}
"""
SATURDAYS_OPEN = ClinicDays(open_weekdays=frozenset(range(7)))  # no moving: the arithmetic alone


def targets(write, start: date, month: str = "calendar", year: str = "calendar") -> dict[str, date]:
    timeline = compile_file(write(MONTHS.format(month=month, year=year)))
    return {row.event_id: row.target_date for row in build_calendar(timeline, start, clinic=SATURDAYS_OPEN).rows}


@pytest.mark.parametrize(("start", "one_month", "two_months", "one_year"), [
    (date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2028, 1, 31)),  # clipped, then not
    (date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2029, 1, 31)),  # leap year
    (date(2028, 2, 29), date(2028, 3, 29), date(2028, 4, 29), date(2029, 2, 28)),  # leap day + 1 year
    (date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31), date(2028, 3, 31)),
    (date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 12, 31)),  # across a year end
])
def test_calendar_months_and_years(write, start: date, one_month: date, two_months: date, one_year: date) -> None:
    got = targets(write, start)
    assert (got["one_month"], got["two_months"], got["one_year"]) == (one_month, two_months, one_year)
    assert got["month_and_day"] == one_month + timedelta(days=1)


def test_fixed_length_months_and_years(write) -> None:
    got = targets(write, date(2027, 1, 31), month="30d", year="365d")
    assert got["one_month"] == date(2027, 3, 2) and got["two_months"] == date(2027, 4, 1)
    assert got["one_year"] == date(2028, 1, 31)
    assert targets(write, date(2028, 1, 31), month="28d", year="365d")["one_year"] == date(2029, 1, 30)  # leap


TIMELINE = compile_file(SEED_000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(date(2020, 1, 1), date(2040, 12, 31)), st.sampled_from([None, "US", "CN", "DE", "GB", "JP"]))
def test_calendar_invariants_for_any_start(start: date, country: str | None) -> None:
    calendar = build_calendar(TIMELINE, start, clinic=ClinicDays(country=country))
    assert calendar.rows[0].event_id == "induction.c1.d1" or calendar.rows[0].target_date == start
    dates = [row.scheduled_date for row in calendar.rows]
    assert dates == sorted(dates)
    for row in calendar.rows:
        if row.window_earliest is not None and row.window_latest is not None:
            assert row.window_earliest <= row.target_date <= row.window_latest
            if not row.flagged:
                assert row.window_earliest <= row.scheduled_date <= row.window_latest
        moved = row.scheduled_date != row.target_date
        assert moved == ("moved" in row.shift_reason)
        # a flagged row may go to a closed day, but only to keep a constraint (never to break one)
        if (moved and not row.flagged) or (row.setting == "clinic" and not row.flagged and row.window_earliest):
            assert calendar.clinic.is_open(row.scheduled_date)
        if moved and row.flagged and not calendar.clinic.is_open(row.scheduled_date):
            assert "to keep" in row.shift_reason


LINE = st.one_of(
    st.text(max_size=30),
    st.builds(lambda e, d, s: f"{e},{d},{s}",
              st.sampled_from(["induction.c1.d1", "induction.c2.d1.bortezomib", "cart1.infusion", "cart2", "x.y",
                               "induction.c3", "maintenance.c5.start", ""]),
              st.one_of(st.dates(date(2026, 1, 1), date(2029, 12, 31)).map(str), st.sampled_from(["", "2027-02-30"])),
              st.sampled_from(["", "done", "missed", "skipped", "DONE", "maybe"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=6))
def test_any_actuals_file_gives_a_calendar_or_a_clear_error(lines: list[str]) -> None:
    text = "\n".join(["event_id,date,status", *lines]) + "\n"
    try:
        calendar = build_calendar(TIMELINE, date(2027, 1, 4), actuals=parse_actuals_csv(text, "a.csv"),
                                  today=date(2029, 12, 31))
    except InputError as error:
        assert error.problems and all(p.file == "a.csv" and p.message for p in error.problems)
    else:
        assert calendar.rows
