"""Clinic-day moves that keep every protocol constraint, re-anchoring without false deviations, home doses in their
place, richer calendar rows, whole-cycle shifts and the partial last cycle. Expected dates are written by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from conftest import SEED_000
from typer.testing import CliRunner

from schedsim.calendar.actuals import parse_actuals_csv
from schedsim.calendar.clinic import ClinicDays
from schedsim.calendar.patient import CALENDAR_FIELDS, PatientCalendar, build_calendar, calendar_for
from schedsim.calendar.roster import due, roster_calendars
from schedsim.check.deviations import check_patient
from schedsim.cli import app
from schedsim.compile.compiler import compile_file
from schedsim.errors import InputError

runner = CliRunner()
TIMELINE = compile_file(SEED_000)
MONDAY = date(2027, 1, 4)


def when(cal: PatientCalendar, event_id: str) -> date:
    row = cal.find(event_id)
    assert row is not None, event_id
    return row.scheduled_date


def spacing_breaks(cal: PatientCalendar) -> list[tuple[str, str, int]]:
    """Pairs of consecutive doses of an agent closer than its min_interval."""
    found = []
    for phase in cal.timeline.phases:
        for agent, days, _ in phase.spacing:
            rows = sorted((r for r in cal.rows if r.phase == phase.id and r.agent == agent), key=lambda r: r.order)
            for a, b in zip(rows, rows[1:], strict=False):
                if (b.scheduled_date - a.scheduled_date).days < days:
                    found.append((a.event_id, b.event_id, (b.scheduled_date - a.scheduled_date).days))
    return found


def test_bortezomib_keeps_72_hours_when_day_1_moves_off_a_sunday() -> None:
    """The issue's case: consolidation C1D1 on Sunday 30 May 2027 moved to Monday, day 4 stayed on Wednesday."""
    cal = build_calendar(TIMELINE, MONDAY)
    assert when(cal, "consolidation.c1.d1") == date(2027, 5, 31)  # Monday, with its dose
    assert when(cal, "consolidation.c1.d1.bortezomib") == date(2027, 5, 31)
    assert when(cal, "consolidation.c1.d4.bortezomib") == date(2027, 6, 3)  # Thursday: 72 h after Monday
    assert when(cal, "consolidation.c1.d8.bortezomib") == date(2027, 6, 7)
    d4 = cal.find("consolidation.c1.d4.bortezomib")
    assert d4 is not None and "min_interval" in d4.shift_reason and not d4.flagged
    assert spacing_breaks(cal) == []


def test_a_wednesday_start_keeps_every_dose_spacing() -> None:
    """Before: six bortezomib pairs 48 h apart in induction. Cycle 1 day 4 cannot move (study day 1 is fixed and
    the day after 72 h is Saturday): flagged, with the constraint; in cycles 2 and 3 day 1 moves to Tuesday."""
    cal = build_calendar(TIMELINE, date(2027, 1, 6))
    assert spacing_breaks(cal) == []
    assert (when(cal, "induction.c2.d1.bortezomib"), when(cal, "induction.c2.d4.bortezomib")) == (
        date(2027, 1, 26), date(2027, 1, 29))
    assert (when(cal, "induction.c1.d8.bortezomib"), when(cal, "induction.c1.d11.bortezomib")) == (
        date(2027, 1, 12), date(2027, 1, 15))
    stuck = cal.find("induction.c1.d4.bortezomib")
    assert stuck is not None and stuck.flagged and stuck.scheduled_date == date(2027, 1, 9)
    (conflict,) = [c for c in cal.conflicts if c.events == ("induction.c1.d4.bortezomib",)]
    assert conflict.rule == "SCH208" and any(link.rule == "SCH106" for link in conflict.links)
    assert conflict.origin.file.endswith("vrd.yaml") and conflict.origin.field.endswith("min_interval")


def test_a_us_holiday_moves_the_visit_and_its_doses_together() -> None:
    cal = build_calendar(TIMELINE, MONDAY, clinic=ClinicDays(country="US"))
    # Washington's Birthday, Monday 15 Feb 2027: cycle 3 day 1 (visit and dose) to Tuesday, day 4 to Friday
    assert when(cal, "induction.c3.d1") == when(cal, "induction.c3.d1.bortezomib") == date(2027, 2, 16)
    assert when(cal, "induction.c3.d4.bortezomib") == date(2027, 2, 19)
    # Sunday 30 May, then Memorial Day: no open day in the dose's window; the visit stays with its dose (before,
    # the visit moved to Tuesday and the dose stayed on Sunday), flagged, and the conflict is reported
    assert when(cal, "consolidation.c1.d1") == when(cal, "consolidation.c1.d1.bortezomib") == date(2027, 5, 30)
    visit = cal.find("consolidation.c1.d1")
    assert visit is not None and visit.flagged and visit.shift_reason == "Sunday, no open day in window -0d/+1d: kept"
    conflict = next(c for c in cal.conflicts if "consolidation.c1.d1" in c.events)
    assert conflict.rule == "SCH206" and set(conflict.events) == {"consolidation.c1.d1",
                                                                  "consolidation.c1.d1.bortezomib"}


def test_the_calendar_cli_warns_about_conflicts() -> None:
    result = runner.invoke(app, ["calendar", str(SEED_000), "--start", "2027-01-06", "-f", "csv"])
    assert result.exit_code == 0
    assert "warning: patient: SCH208 induction.c1.d4.bortezomib: Saturday" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r for r in rows if r["event_id"] == "induction.c1.d4.bortezomib"][0]["scheduled_date"] == "2027-01-09"


def test_every_flagged_event_is_named_in_a_warning(tmp_path: Path) -> None:
    """A same-day group shares one conflict: the warning names each of its events."""
    closures = tmp_path / "closures.txt"
    closures.write_text("2027-02-01..2027-02-28,renovation\n", encoding="utf-8")
    protocol = Path(SEED_000).parent / "rrmm-bcma-cart.yaml"
    result = runner.invoke(app, ["calendar", str(protocol), "--start", "2027-01-04", "--closures", str(closures),
                                 "-f", "csv"])
    assert result.exit_code == 0
    flagged = [r["event_id"] for r in csv.DictReader(io.StringIO(result.stdout)) if "kept" in r["shift_reason"]]
    warned = result.stderr
    assert len(flagged) >= 3 and all(event_id in warned for event_id in flagged)


def test_windows_never_open_before_a_fixed_boundary_nor_close_after_the_horizon() -> None:
    cal = build_calendar(TIMELINE, MONDAY)
    first = cal.find("induction.c1.d1")
    assert first is not None and first.window_earliest == MONDAY  # cycle 1 day 1 is study day 1: not before
    maintenance = cal.find("maintenance.c1.d1")  # "R maintenance starts on day 100 after ASCT"
    transplant = cal.find("asct.transplant")
    assert maintenance is not None and transplant is not None
    assert maintenance.window_earliest == transplant.target_date + timedelta(days=100) == maintenance.target_date
    last = cal.find("followup.8")
    assert last is not None and last.window_latest == date(2029, 1, 4)  # the horizon: 2 years from day 1


def test_an_actual_inside_its_window_pins_only_itself() -> None:
    """The post-induction response done early in its window, leukapheresis on its planned day: no false deviation."""
    plan = build_calendar(TIMELINE, MONDAY)
    response, apheresis = plan.find("response.post_induction"), plan.find("cart1.apheresis")
    assert response is not None and apheresis is not None and response.window_earliest is not None
    text = (f"event_id,date\ninduction.c1.d1.bortezomib,{MONDAY}\nresponse.post_induction,{response.window_earliest}\n"
            f"cart1.apheresis,{apheresis.target_date}\n")
    actuals = parse_actuals_csv(text, "actuals.csv")
    cal = build_calendar(TIMELINE, MONDAY, actuals=actuals, today=date(2027, 4, 1))
    moved = cal.find("cart1.apheresis")
    assert moved is not None and moved.target_date == apheresis.target_date and moved.shift_reason == ""
    report = check_patient(TIMELINE, actuals, start=MONDAY)  # no status date: nothing counts as missed
    assert [f for f in report.findings if f.severity == "error"] == []


def test_a_day_1_dose_late_beyond_its_window_restarts_the_cycle() -> None:
    text = "event_id,date\ninduction.c2.d1.bortezomib,2027-01-27\n"  # planned Monday 25 Jan: 2 days late
    cal = build_calendar(TIMELINE, MONDAY, actuals=parse_actuals_csv(text, "a.csv"))
    # the cycle now starts on Wednesday: day 4 is Saturday 30 Jan, Friday would be 48 h after the dose: flagged
    d4 = cal.find("induction.c2.d4.bortezomib")
    assert d4 is not None and d4.scheduled_date == date(2027, 1, 30) and d4.flagged
    assert when(cal, "induction.c2.d8.bortezomib") == date(2027, 2, 2)  # Tuesday, so that Saturday's day 11 can
    assert when(cal, "induction.c2.d11.bortezomib") == date(2027, 2, 5)  # go to Friday
    row = cal.find("induction.c3.d1")
    assert row is not None and row.target_date == date(2027, 2, 17)  # cycle 3 counts from the actual day 1
    assert "re-anchored +2d on induction.c2.d1.bortezomib actual" in row.shift_reason


def test_home_doses_are_summarised_on_the_visit_that_dispenses_them() -> None:
    cal = build_calendar(TIMELINE, MONDAY)
    assert all(row.setting != "home" for row in cal.rows)
    visit = cal.find("induction.c2.d1")
    assert visit is not None
    assert "Lenalidomide 25 mg PO days 1–14: dispensed" in visit.activities
    assert "Dexamethasone 20 mg PO days 1–2, 4–5, 8–9, 11–12: dispensed" in visit.activities
    maintenance = cal.find("maintenance.c3.d1")
    assert maintenance is not None and "Lenalidomide 10 mg PO days 1–21: dispensed" in maintenance.activities
    listed = build_calendar(TIMELINE, MONDAY, home_doses=True, today=date(2029, 6, 1))
    home = [row for row in listed.rows if row.setting == "home"]
    assert len(home) > 300 and {row.status for row in home} == {"past"}  # never "overdue"
    assert "overdue" in {row.status for row in listed.rows}  # clinic visits with no record are


def test_python_due_and_the_cli_agree_by_default() -> None:
    roster = Path(SEED_000).parent / "examples" / "roster.csv"
    site = roster_calendars(roster, today=date(2026, 11, 23))
    rows = due(site.calendars, date(2026, 11, 23), date(2026, 11, 29))
    result = runner.invoke(app, ["due", str(roster), "--week", "2026-W48", "--today", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0
    assert len(rows) == len(list(csv.DictReader(io.StringIO(result.stdout)))) > 0
    assert all(row.setting != "home" for row in rows)


def test_rows_carry_study_day_phase_cycle_setting_and_tag() -> None:
    assert CALENDAR_FIELDS[-5:] == ("study_day", "phase", "cycle", "setting", "tag")
    cal = build_calendar(TIMELINE, MONDAY)
    dose = cal.find("induction.c3.d8.bortezomib")
    assert dose is not None and (dose.day, dose.phase, dose.cycle, dose.tag) == (50, "induction", 3, "C3D8")
    infusion, lymphodepletion = cal.find("cart1.infusion"), cal.find("cart1.lymphodepletion.d-5.fludarabine")
    assert infusion is not None and infusion.tag == "D0" and infusion.to_dict()["setting"] == "inpatient"
    assert lymphodepletion is not None and lymphodepletion.tag == "D-5" and lymphodepletion.cycle is None
    result = runner.invoke(app, ["calendar", str(SEED_000), "--start", "2027-01-04", "-f", "csv"])
    row = next(r for r in csv.DictReader(io.StringIO(result.stdout)) if r["event_id"] == "cart1.followup_visit.d21")
    assert (row["tag"], row["setting"], row["cycle"], row["phase"]) == ("D+21", "clinic", "", "cart1")


SHIFT = """
id: shift
title: Whole cycles follow their day 1
clinic: {{shift: {shift}}}
phases:
  - id: induction
    kind: cycles
    cycles: 3
    cycle_length: 21d
    agents:
      bortezomib: {{dose: 1.3 mg/m² SC, days: [1, 4, 8, 11], min_interval: 3d, window: -1d/+2d}}
      lenalidomide: {{dose: 25 mg PO, days: 1-14, setting: home}}
    visits:
      - {{day: 1, window: -1d/+2d}}
"""


def test_clinic_shift_cycle_moves_the_whole_cycle_with_its_day_1(write) -> None:
    start = date(2027, 1, 6)  # Wednesday: cycle 2 day 1 is Wednesday 27 Jan; closed that day (a site closure)
    site = ClinicDays(closures={date(2027, 1, 27): "site closed"})
    timeline = compile_file(write(SHIFT.format(shift="cycle")))
    cal = build_calendar(timeline, start, clinic=site, home_doses=True)
    assert when(cal, "induction.c2.d1") == date(2027, 1, 28)  # +1: the whole cycle follows
    assert when(cal, "induction.c2.d8.bortezomib") == date(2027, 2, 4)
    assert when(cal, "induction.c2.d2.lenalidomide") == date(2027, 1, 29)
    assert when(cal, "induction.c3.d1") == date(2027, 2, 18)  # cycle 3 counts from cycle 2's actual day 1
    reason = cal.find("induction.c2.d8.bortezomib").shift_reason  # type: ignore[union-attr]
    assert reason.startswith("re-anchored +1d with induction.c2 (its day 1 moved +1d: closure: site closed)")
    fixed = build_calendar(compile_file(write(SHIFT.format(shift="none"), "none.yaml")), start, clinic=site,
                           home_doses=True)
    assert when(fixed, "induction.c2.d1") == date(2027, 1, 28) and when(fixed, "induction.c3.d1") == date(2027, 2, 17)
    # the pills start the day they are dispensed (at the moved day-1 visit), never before: the series follows it
    assert when(fixed, "induction.c2.d1.lenalidomide") == date(2027, 1, 28)
    assert when(fixed, "induction.c2.d2.lenalidomide") == date(2027, 1, 29)
    pill = fixed.find("induction.c2.d14.lenalidomide")
    assert pill is not None and pill.shift_reason == "with induction.c2.d1 +1d (dispensed there)"
    d8 = fixed.find("induction.c2.d8.bortezomib")  # the clinic doses keep their 72 h: day 4 to Monday, day 8 Thursday
    assert d8 is not None and d8.scheduled_date == date(2027, 2, 4) and "min_interval" in d8.shift_reason
    for calendar in (cal, fixed):  # either way, the calendar passes its own check
        entries = "".join(f"{row.event_id},{row.scheduled_date}\n" for row in calendar.rows)
        report = check_patient(calendar.timeline, parse_actuals_csv("event_id,date\n" + entries, "fed-back.csv"),
                               start=start, today=date(2027, 6, 1))
        assert [f for f in report.findings if f.severity == "error"] == []


PARTIAL = """
id: partial
title: Maintenance until the horizon
phases:
  - id: maintenance
    kind: cycles
    cycle_length: 28d
    until: study.horizon{keep}
    agents:
      lenalidomide: {{dose: 10 mg PO, days: 1-21, setting: home}}
    visits:
      - {{day: 1, window: ±3d}}
horizon: maintenance.start + 70d
"""


def test_a_partial_last_cycle_is_dropped_unless_kept(write) -> None:
    dropped = calendar_for(write(PARTIAL.format(keep="")), MONDAY, home_doses=True)
    assert {row.cycle for row in dropped.rows} == {1, 2}  # cycle 3 would have 15 of its 28 days
    kept = calendar_for(write(PARTIAL.format(keep="\n    partial_cycle: keep"), "keep.yaml"), MONDAY, home_doses=True)
    c3 = [row for row in kept.rows if row.cycle == 3]
    assert c3 and max(row.scheduled_date for row in c3) == MONDAY + timedelta(days=70)


def test_partial_cycle_needs_until(write) -> None:
    path = write(PARTIAL.replace("until: study.horizon{keep}", "cycles: 2\n    partial_cycle: keep").format())
    try:
        compile_file(path)
    except InputError as error:
        assert "'partial_cycle' goes with 'until'" in str(error.problems[0])
    else:  # pragma: no cover - the assertion below fails
        raise AssertionError("partial_cycle without until was accepted")


ECHO = SHIFT.format(shift="none") + """
assessments:
  - id: echo
    label: Echocardiogram
    window: ±3d
    at:
      - {id: c2, label: Echo in cycle 2, at: induction.c2.start + 3d}
"""


def test_an_assessment_outside_the_phases_moves_for_its_own_reason(write) -> None:
    """Cycle 2 day 1 is closed (Wednesday 27 Jan, moved to Thursday), so day 4's dose goes past Saturday to Monday
    to keep 72 h; the echocardiogram on the same Saturday is not a dose: it moves to Friday for its own reason.
    Before, it shared the dose's group: moved to Monday "to keep bortezomib min_interval", which it does not have."""
    site = ClinicDays(closures={date(2027, 1, 27): "site closed"})
    cal = build_calendar(compile_file(write(ECHO)), date(2027, 1, 6), clinic=site)
    echo, dose = cal.find("echo.c2"), cal.find("induction.c2.d4.bortezomib")
    assert echo is not None and dose is not None
    assert (echo.scheduled_date, echo.shift_reason) == (date(2027, 1, 29), "Saturday → moved -1d")
    assert dose.scheduled_date == date(2027, 2, 1) and "min_interval" in dose.shift_reason
    visit = cal.find("induction.c2.d1")  # handed out on Thursday, the pills start Thursday: "dispensed", not
    assert visit is not None and "Lenalidomide 25 mg PO days 1–14: dispensed" in visit.activities  # "at home"


def test_home_doses_follow_a_day_1_visit_done_late_in_its_window(write) -> None:
    """The day-1 visit and dose done 2 days late (inside their -1/+2 window) date only themselves, but that is where
    the pills are handed out: cycle 2's home doses start that day. A pill recorded late does not move the cycle."""
    timeline = compile_file(write(SHIFT.format(shift="none")))
    text = ("event_id,date\ninduction.c2.d1,2027-01-27\ninduction.c2.d1.bortezomib,2027-01-27\n"
            "induction.c2.d3.lenalidomide,2027-01-30\n")
    cal = build_calendar(timeline, MONDAY, actuals=parse_actuals_csv(text, "a.csv"), home_doses=True,
                         today=date(2027, 2, 1))
    assert when(cal, "induction.c2.d1") == date(2027, 1, 27)  # planned Monday 25 Jan
    assert when(cal, "induction.c2.d1.lenalidomide") == date(2027, 1, 27)
    assert when(cal, "induction.c2.d14.lenalidomide") == date(2027, 2, 9)
    assert when(cal, "induction.c2.d3.lenalidomide") == date(2027, 1, 30)  # as recorded
    d8 = cal.find("induction.c2.d8.bortezomib")  # the clinic doses keep their targets
    assert d8 is not None and d8.target_date == date(2027, 2, 1) and "re-anchored" not in d8.shift_reason
    assert when(cal, "induction.c3.d1") == date(2027, 2, 15)  # and the next cycle its start
    summary = build_calendar(timeline, MONDAY, actuals=parse_actuals_csv(text, "a.csv"))
    visit = summary.find("induction.c2.d1")
    assert visit is not None and "Lenalidomide 25 mg PO days 1–14: dispensed" in visit.activities


def test_a_late_cycle_1_day_1_is_a_later_start_not_a_deviation() -> None:
    """Cycle 1 day 1 is study day 1, fixed by the start date: its dose recorded beyond its window is refused with
    the way out, as for a protocol whose day 1 is the dose itself. Inside its window it is accepted."""
    late = "event_id,date\ninduction.c1.d1.bortezomib,2027-01-07\n"
    try:
        build_calendar(TIMELINE, MONDAY, actuals=parse_actuals_csv(late, "late.csv"))
    except InputError as error:
        (problem,) = error.problems
        assert (problem.file, problem.line, problem.field) == ("late.csv", 2, "date")
        assert "is on study day 1 (2027-01-04)" in problem.message and "give that start date" in problem.message
    else:  # pragma: no cover - the assertion below fails
        raise AssertionError("a cycle 1 day 1 dose 3 days late was accepted")
    inside = "event_id,date\ninduction.c1.d1.bortezomib,2027-01-05\ninduction.c1.d1.lenalidomide,2027-01-08\n"
    cal = build_calendar(TIMELINE, MONDAY, actuals=parse_actuals_csv(inside, "ok.csv"))
    assert when(cal, "induction.c1.d1.bortezomib") == date(2027, 1, 5)  # a pill taken late at home is accepted
