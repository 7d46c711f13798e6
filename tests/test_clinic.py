"""Clinic days: holidays of several countries, closures, weekdays, moving visits inside their windows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedsim.calendar.clinic import ClinicDays, load_closures, move_to_open_day, parse_open_days, site_days
from schedsim.calendar.patient import build_calendar
from schedsim.compile.compiler import compile_file
from schedsim.errors import InputError

PROTOCOL = """
id: clinic_test
title: Clinic test
conventions: {{month: calendar, year: calendar}}
clinic: {{prefer: {prefer}{move}}}
phases:
  - id: induction
    kind: cycles
    cycle_length: 28d
    cycles: 1
    agents:
      oral: {{dose: 10 mg PO, days: 1-21, setting: home}}
      iv: {{dose: 1 mg IV, days: [11], setting: clinic}}
assessments:
  - id: check
    label: Check-up
    window: "{window}"
    at: induction.start + 10d
  - id: month
    label: One month
    at: induction.start + 1mo
"""


def compile_visit(write: Callable[..., Path], window: str = "-2d/+2d", prefer: str = "nearest",
                  move: str = ""):
    return compile_file(write(PROTOCOL.format(window=window, prefer=prefer, move=move)))


def check_row(timeline, target: date, **clinic):
    """The calendar row of the 'check' visit when its target (day 11) is ``target``."""
    calendar = build_calendar(timeline, target - timedelta(days=10), clinic=ClinicDays(**clinic))
    row = calendar.find("check")
    assert row is not None and row.target_date == target
    return row


def test_us_massachusetts_patriots_day_moves_a_visit_but_not_in_other_states(write) -> None:
    timeline = compile_visit(write)
    patriots_day = date(2027, 4, 19)  # a Monday, a public holiday in Massachusetts only
    row = check_row(timeline, patriots_day, country="US", subdivision="MA")
    assert row.scheduled_date == date(2027, 4, 20)
    assert row.shift_reason == "holiday: Patriots' Day → moved +1d" and not row.flagged
    assert check_row(timeline, patriots_day, country="US").scheduled_date == patriots_day
    assert check_row(timeline, patriots_day).shift_reason == ""


def test_china_national_day_moves_a_visit_inside_its_window(write) -> None:
    national_day = date(2027, 10, 1)  # Friday; the holiday runs on into the next week
    nearest = check_row(compile_visit(write, "-3d/+7d"), national_day, country="CN")
    assert nearest.scheduled_date == date(2027, 9, 30)  # +1 is Saturday, -1 is an open Thursday
    assert nearest.shift_reason == "holiday: National Day → moved -1d"
    later = check_row(compile_visit(write, "-3d/+7d", "later"), national_day, country="CN")
    assert later.scheduled_date > date(2027, 10, 3) and later.scheduled_date.weekday() < 5
    assert ClinicDays(country="CN").is_open(later.scheduled_date)
    assert later.shift_reason.startswith("holiday: National Day → moved +")


def test_germany_good_friday_earlier_later_and_window_exhausted(write) -> None:
    good_friday = date(2027, 3, 26)  # then Saturday, Sunday and Easter Monday are closed
    earlier = check_row(compile_visit(write, "-1d/+3d", "earlier"), good_friday, country="DE")
    assert earlier.scheduled_date == date(2027, 3, 25) and earlier.shift_reason.endswith("moved -1d")
    later = check_row(compile_visit(write, "-0d/+3d", "later"), good_friday, country="DE")
    assert later.scheduled_date == good_friday and later.flagged
    assert later.shift_reason == "holiday: Good Friday, no open day in window -0d/+3d: kept"
    wider = check_row(compile_visit(write, "-0d/+4d", "later"), good_friday, country="DE")
    assert wider.scheduled_date == date(2027, 3, 30) and not wider.flagged


def test_weekends_and_no_window(write) -> None:
    timeline = compile_visit(write)
    saturday = date(2027, 4, 17)
    row = check_row(timeline, saturday)
    assert row.scheduled_date == date(2027, 4, 16) and row.shift_reason == "Saturday → moved -1d"
    calendar = build_calendar(timeline, date(2027, 1, 2))  # 'one month' (no window) falls on Tuesday 2 Feb
    month = calendar.find("month")
    assert month is not None and month.target_date == date(2027, 2, 2) and not month.flagged
    calendar = build_calendar(timeline, date(2027, 1, 6))  # now on Saturday 6 Feb, with no window to move in
    month = calendar.find("month")
    assert month is not None and month.scheduled_date == date(2027, 2, 6) and month.flagged
    assert month.shift_reason == "Saturday, no window to move within: kept"


def test_home_doses_stay_and_clinic_doses_move_unless_the_protocol_says_otherwise(write) -> None:
    start = date(2027, 1, 1)  # a Friday: cycle day 11 (the IV dose) is Monday 11 Jan, day 2 is Saturday
    calendar = build_calendar(compile_visit(write), start, home_doses=True)  # home doses listed one per day
    saturday_dose = calendar.find("induction.c1.d2.oral")
    assert saturday_dose is not None and saturday_dose.scheduled_date == date(2027, 1, 2)
    assert saturday_dose.shift_reason == "" and saturday_dose.activities == ("take oral 10 mg PO at home",)
    saturday_start = date(2027, 1, 6)  # day 11 is Saturday 16 Jan; the IV dose has no window: flagged, kept
    iv = build_calendar(compile_visit(write), saturday_start).find("induction.c1.d11.iv")
    assert iv is not None and iv.flagged and iv.scheduled_date == date(2027, 1, 16)
    not_moved = build_calendar(compile_visit(write, move=", move: [visit]"), saturday_start)
    iv = not_moved.find("induction.c1.d11.iv")
    assert iv is not None and not iv.flagged and iv.shift_reason == ""
    check = not_moved.find("check")  # an assessment, and assessments are not in 'move' now
    assert check is not None and check.scheduled_date == check.target_date


def test_without_home_doses_only_clinic_events_remain(write) -> None:
    calendar = build_calendar(compile_visit(write), date(2027, 1, 4), home_doses=False)
    assert {row.event_id for row in calendar.rows} == {"induction.c1.d11.iv", "check", "month"}


def test_open_days_from_the_protocol_and_from_the_site(write) -> None:
    saturday = date(2027, 4, 17)
    six_days = compile_file(write(PROTOCOL.format(window="±2d", prefer="nearest", move="")
                                  .replace("clinic: {prefer: nearest}",
                                           "clinic: {prefer: nearest, open_days: [mon, tue, wed, thu, fri, sat]}")))
    assert six_days.clinic.open_weekdays == frozenset(range(6))
    assert check_row(six_days, saturday).scheduled_date == saturday
    assert check_row(six_days, saturday, open_weekdays=frozenset(range(5))).scheduled_date == date(2027, 4, 16)


def test_closures_file(tmp_path: Path, write) -> None:
    closures = tmp_path / "closures.csv"
    closures.write_text("date,reason\n2027-04-14,staff training\n2027-12-24..2027-12-31, winter break\n"
                        "# a comment\n\n2027-05-03\n", encoding="utf-8")
    days = load_closures(closures)
    assert days[date(2027, 4, 14)] == "staff training" and days[date(2027, 5, 3)] == "site closed"
    assert all(days[date(2027, 12, d)] == "winter break" for d in range(24, 32)) and len(days) == 10
    row = check_row(compile_visit(write, "-0d/+2d"), date(2027, 4, 14), closures=days)
    assert row.scheduled_date == date(2027, 4, 15) and row.shift_reason == "closure: staff training → moved +1d"
    closures.write_text("2027-04-14\n2027-02-30,bad\n2027-05-09..2027-05-01\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_closures(closures)
    assert [(p.line, p.field) for p in error.value.problems] == [(2, "date"), (3, "date")]
    assert "not a date" in str(error.value) and "ends before it starts" in str(error.value)


def test_unknown_country_and_subdivision_name_the_option() -> None:
    with pytest.raises(InputError, match=r"--country: unknown country code 'XX'"):
        site_days(country="XX")
    with pytest.raises(InputError, match=r"--subdivision: US has no subdivision 'ZZ'"):
        site_days(country="US", subdivision="ZZ")
    with pytest.raises(InputError, match="--open-days"):
        site_days(open_days="monday-friday")
    assert site_days(country="cn").is_open(date(2027, 10, 1)) is False


def test_parse_open_days() -> None:
    assert parse_open_days("mon-fri") == frozenset(range(5))
    assert parse_open_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_open_days("mon, wed,fri") == frozenset({0, 2, 4})


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 5), st.integers(0, 5),
       st.sampled_from(["nearest", "earlier", "later"]))
def test_a_moved_visit_stays_in_its_window_on_an_open_day(target: date, early: int, late: int, prefer: str) -> None:
    clinic = ClinicDays(country="US")
    day, reason, flagged = move_to_open_day(target, early, late, clinic, prefer)  # type: ignore[arg-type]
    assert target - timedelta(days=early) <= day <= target + timedelta(days=late)
    if flagged:
        assert day == target and all(not clinic.is_open(target + timedelta(days=d)) for d in range(-early, late + 1))
    else:
        assert clinic.is_open(day) and (reason == "") == (day == target)
        nearer = [target + timedelta(days=d) for d in range(-early, late + 1) if abs(d) < abs((day - target).days)]
        assert prefer != "nearest" or not any(clinic.is_open(d) for d in nearer)
