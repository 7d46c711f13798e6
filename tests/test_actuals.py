"""Actual dates: parsing, checking, re-anchoring what follows, statuses as of a day, skipped cycles."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import SEED_000
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from schedsim.calendar.actuals import load_actuals, parse_actuals_csv, parse_actuals_yaml
from schedsim.calendar.patient import PatientCalendar, build_calendar
from schedsim.compile.compiler import compile_file
from schedsim.errors import InputError

START = date(2027, 1, 4)
TIMELINE = compile_file(SEED_000)


def calendar(csv_text: str | None = None, today: date | None = None) -> PatientCalendar:
    actuals = parse_actuals_csv(csv_text, "actuals.csv") if csv_text is not None else None
    return build_calendar(TIMELINE, START, actuals=actuals, today=today)


PLAN = {row.event_id: row for row in calendar().rows}


def moved(cal: PatientCalendar, event_id: str) -> int:
    row = cal.find(event_id)
    assert row is not None, event_id
    return (row.target_date - PLAN[event_id].target_date).days


def test_a_cycle_delayed_7_days_moves_everything_after_it_and_nothing_anchored_elsewhere() -> None:
    delayed = calendar("event_id,date\ninduction.c2.d1.bortezomib,2027-02-01\n")  # planned 2027-01-25
    assert delayed.find("induction.c2.d1.bortezomib").scheduled_date == date(2027, 2, 1)  # type: ignore[union-attr]
    for event_id in ("induction.c2.d1", "induction.c2.d8.bortezomib", "induction.c3.d1", "response.post_induction",
                     "cart1.apheresis", "cart1.infusion", "cart1.followup_visit.d28", "consolidation.c1.d1",
                     "asct.transplant", "cart2.infusion", "maintenance.c1.d1", "car_persistence.1"):
        assert moved(delayed, event_id) == 7, event_id
    reason = delayed.find("cart1.infusion").shift_reason  # type: ignore[union-attr]
    assert reason.startswith("re-anchored +7d on induction.c2.d1.bortezomib actual")
    for event_id in ("induction.c1.d8.bortezomib", "followup.1", "followup.4", "survival_landmark"):
        assert moved(delayed, event_id) == 0, event_id  # anchored on day 1, not on cycle 2


def test_a_delayed_car_t_infusion_moves_its_follow_up_and_what_comes_after() -> None:
    planned_infusion = PLAN["cart1.infusion"].target_date
    actual = planned_infusion + timedelta(days=5)
    delayed = calendar(f"event_id,date,status\ncart1.infusion,{actual},done\n")
    row = delayed.find("cart1.infusion")
    assert row is not None and row.scheduled_date == actual and row.status == "done"
    assert row.shift_reason == "actual +5d from target (outside window)"
    for event_id in ("cart1.inpatient_monitoring.d1", "cart1.followup_visit.d21", "consolidation.c1.d1",
                     "asct.transplant", "cart2.infusion", "maintenance.c1.d1"):
        assert moved(delayed, event_id) == 5, event_id
    one_month = delayed.find("response.post_cart1")
    assert one_month is not None and one_month.target_date == actual + relativedelta(months=1)
    for event_id in ("cart1.lymphodepletion.d-3.fludarabine", "cart1.apheresis", "induction.c3.d1", "followup.2"):
        assert moved(delayed, event_id) == 0, event_id  # before the infusion, or anchored elsewhere


@settings(max_examples=15, deadline=None)
@given(st.integers(-1, 40))
def test_a_cycle_started_outside_its_window_moves_the_consolidation_by_exactly_that_much(delay: int) -> None:
    """Day 1's bortezomib has a -1d/+1d window: inside it the cycle keeps its days; beyond it the cycle starts on the
    actual date and everything after follows."""
    actual = PLAN["induction.c3.d1.bortezomib"].target_date + timedelta(days=delay)
    delayed = calendar(f"event_id,date\ninduction.c3.d1.bortezomib,{actual}\n")
    assert moved(delayed, "consolidation.c2.d4.bortezomib") == (delay if delay > 1 else 0)
    assert moved(delayed, "followup.3") == 0


def test_statuses_as_of_a_day() -> None:
    text = ("event_id,date,status\ninduction.c1.d1,2027-01-04,done\ninduction.c2.d1,,missed\n"
            "induction.c2.d1.bortezomib,2027-01-26,done\n")
    cal = calendar(text, today=date(2027, 2, 15))
    status = {row.event_id: row.status for row in cal.rows}
    assert status["induction.c1.d1"] == "done" and status["induction.c2.d1"] == "missed"
    assert status["induction.c1.d4.bortezomib"] == "overdue"  # window closed, nothing recorded
    # cycle 2's day-1 dose a day late is inside its -1d/+1d window: cycle 3 keeps its day, and its window is open
    c3 = cal.find("induction.c3.d1")
    assert c3 is not None and c3.target_date == date(2027, 2, 15) and c3.status == "due"
    assert status["cart1.apheresis"] == "upcoming"
    assert {row.status for row in calendar().rows} == {"planned"}


def test_skipped_cycles_keep_their_numbers() -> None:
    skipped = calendar("event_id,date,status\nmaintenance.c3,,skipped\n")
    c3 = [row for row in skipped.rows if row.event_id.startswith("maintenance.c3.")]
    assert c3 and {row.status for row in c3} == {"skipped"}
    c4 = skipped.find("maintenance.c4.d1")
    assert c4 is not None and c4.label == "Maintenance cycle 4 visit" and c4.status == "planned"
    assert moved(skipped, "maintenance.c4.d1") == 0  # the skipped cycle's time still passes
    by_start = calendar("event_id,date,status\ninduction.c2.start,,skipped\n")
    assert by_start.find("induction.c2.d8.bortezomib").status == "skipped"  # type: ignore[union-attr]
    assert by_start.find("induction.c3.d1").status == "planned"  # type: ignore[union-attr]
    whole_phase = calendar("event_id,date,status\ncart2,,skipped\n")
    assert {row.status for row in whole_phase.rows if row.phase == "cart2"} == {"skipped"}


def test_csv_and_yaml_actuals_agree(tmp_path: Path) -> None:
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("event_id,date,status\ninduction.c1.d1,2027-01-04,done\ncart2,,skipped\n", encoding="utf-8")
    as_list = tmp_path / "a.yaml"
    as_list.write_text("- {event_id: induction.c1.d1, date: 2027-01-04}\n- {event_id: cart2, status: skipped}\n",
                       encoding="utf-8")
    as_mapping = tmp_path / "b.yml"
    as_mapping.write_text("induction.c1.d1: 2027-01-04\ncart2: {status: skipped}\n", encoding="utf-8")
    parsed = [[(a.event_id, a.date, a.status) for a in load_actuals(p).entries] for p in (csv_file, as_list,
                                                                                         as_mapping)]
    assert parsed[0] == parsed[1] == parsed[2] == [("induction.c1.d1", date(2027, 1, 4), "done"),
                                                   ("cart2", None, "skipped")]


BAD = {
    "not_a_date": ("event_id,date\ninduction.c1.d1,2027-02-30\n", 2, "date", "not a date"),
    "unknown_status": ("event_id,date,status\ninduction.c1.d1,2027-01-04,cancelled\n", 2, "status",
                       "unknown status"),
    "done_without_date": ("event_id,date,status\n\ninduction.c1.d1,,done\n", 3, "date", "needs its date"),
    "twice": ("event_id,date\ninduction.c1.d1,2027-01-04\ninduction.c1.d1,2027-01-05\n", 3, "event_id",
              "listed twice"),
    "bad_header": ("event,when\ninduction.c1.d1,2027-01-04\n", 1, "header", "expected the header"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_actuals_name_the_line(case: str) -> None:
    text, line, field, message = BAD[case]
    with pytest.raises(InputError) as error:
        parse_actuals_csv(text, "actuals.csv")
    problem = error.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("actuals.csv", line, field)
    assert message in problem.message


AGAINST_PROTOCOL = {
    "unknown_event": ("event_id,date\ninduction.c1.d1,2027-01-04\ncart1.infusoin,2027-04-17\n", 3, "event_id",
                      "unknown event 'cart1.infusoin'", "did you mean cart1.infusion"),
    "before_predecessor": ("event_id,date\ninduction.c2.d1.bortezomib,2027-02-01\n"
                           "induction.c3.d1.bortezomib,2027-01-30\n", 3, "date",
                           "induction.c3.d1.bortezomib on 2027-01-30 would start induction.c3.start before",
                           "induction.c2.start (actual 2027-02-01)"),
    "after_today": ("event_id,date\ncart1.infusion,2027-05-01\n", 2, "date", "after today", "2027-04-20"),
    "day_one": ("event_id,date\ninduction.start,2027-01-05\n", 2, "date", "is study day 1", "2027-01-04"),
    "date_for_a_cycle": ("event_id,date\ninduction.c2,2027-01-25\n", 2, "event_id", "is a phase or cycle", ""),
}


@pytest.mark.parametrize("case", sorted(AGAINST_PROTOCOL))
def test_actuals_that_contradict_the_protocol(case: str) -> None:
    text, line, field, message, detail = AGAINST_PROTOCOL[case]
    with pytest.raises(InputError) as error:
        calendar(text, today=date(2027, 4, 20))
    problem = error.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("actuals.csv", line, field)
    assert message in problem.message and detail in problem.message


def test_yaml_actuals_errors_name_the_line() -> None:
    with pytest.raises(InputError) as error:
        parse_actuals_yaml("induction.c1.d1: 2027-01-04\ncart1.infusion: {date: 2027-04-17, state: done}\n",
                           "a.yaml")
    problem = error.value.problems[0]
    assert (problem.line, problem.field) == (2, "cart1.infusion.state")
