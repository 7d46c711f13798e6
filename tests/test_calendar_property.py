"""The calendar passes its own check: its dates, fed back as a patient's actual dates, give no error-level deviation,
and no agent's doses are closer than its minimum interval, for every bundled protocol, any start date (every
weekday), countries with dense holiday calendars, site closures and dates already recorded.

``make test`` runs a bounded number of examples; ``make bench`` runs many more (``SCHEDSIM_EXAMPLES``).
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

import pytest
from conftest import BUNDLED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedsim.calendar.actuals import parse_actuals_csv
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import PatientCalendar, build_calendar
from schedsim.check.deviations import check_patient
from schedsim.compile.compiler import compile_file

EXAMPLES = int(os.environ.get("SCHEDSIM_EXAMPLES", "30"))
TIMELINES = {path.name: compile_file(path) for path in BUNDLED}
COUNTRIES = [None, "CN", "US", "DE", "JP", "IN"]


def errors_when_fed_back(calendar: PatientCalendar) -> list[str]:
    """Error-level deviations of a patient whose actual dates are exactly the calendar's."""
    lines = "".join(f"{row.event_id},{row.scheduled_date}\n" for row in calendar.rows)
    actuals = parse_actuals_csv("event_id,date\n" + lines, "fed-back.csv")
    today = max(row.scheduled_date for row in calendar.rows) + timedelta(days=1)
    report = check_patient(calendar.timeline, actuals, start=calendar.start, today=today)
    return [f"{f.rule} {f.message}" for f in report.findings if f.severity == "error"]


def spacing_breaks(calendar: PatientCalendar) -> list[str]:
    found = []
    for phase in calendar.timeline.phases:
        for agent, days, _ in phase.spacing:
            dates = sorted(r.scheduled_date for r in calendar.rows if r.phase == phase.id and r.agent == agent)
            found += [f"{agent} {a} {b}" for a, b in zip(dates, dates[1:], strict=False) if (b - a).days < days]
    return found


@pytest.mark.parametrize("weekday", range(7), ids=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
@pytest.mark.parametrize("name", sorted(TIMELINES))
def test_every_bundled_protocol_every_start_weekday(name: str, weekday: int) -> None:
    calendar = build_calendar(TIMELINES[name], date(2027, 1, 4) + timedelta(days=weekday), home_doses=True)
    assert errors_when_fed_back(calendar) == []
    assert spacing_breaks(calendar) == []


@st.composite
def closures(draw: st.DrawFn) -> dict[date, str]:
    found: dict[date, str] = {}
    for offset, length in draw(st.lists(st.tuples(st.integers(0, 760), st.integers(1, 10)), max_size=3)):
        for day in range(length):
            found[date(2027, 1, 1) + timedelta(days=offset + day)] = "site closed"
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(TIMELINES)), start=st.dates(date(2026, 12, 1), date(2027, 2, 28)),
       country=st.sampled_from(COUNTRIES), closed=closures(), share=st.floats(0, 0.4), seed=st.integers(0, 2**16))
def test_the_calendar_passes_its_own_check(name: str, start: date, country: str | None, closed: dict[date, str],
                                           share: float, seed: int) -> None:
    timeline = TIMELINES[name]
    clinic = ClinicDays(country=country, closures=closed)
    planned = build_calendar(timeline, start, clinic=clinic, home_doses=True)
    # the first events already happened: doses of spaced agents as the calendar said, visits anywhere in the window
    rng = random.Random(seed)
    lines = []
    for row in planned.rows[: int(len(planned.rows) * share)]:
        spaced = any(agent == row.agent for phase in timeline.phases for agent, _, _ in phase.spacing)
        day = row.scheduled_date
        if not spaced and row.window_earliest is not None and row.window_latest is not None:
            day = row.window_earliest + timedelta(days=rng.randint(0, (row.window_latest - row.window_earliest).days))
        lines.append(f"{row.event_id},{day}\n")
    actuals = parse_actuals_csv("event_id,date\n" + "".join(lines), "recorded.csv")
    calendar = build_calendar(timeline, start, clinic=clinic, home_doses=True, actuals=actuals)
    assert errors_when_fed_back(calendar) == []
    assert spacing_breaks(calendar) == []
    for row in calendar.rows:  # windows stay on the right side of their bounds
        if row.window_earliest is not None and row.window_latest is not None:
            assert row.window_earliest <= row.target_date <= row.window_latest
