"""Rosters: every patient's calendar, who is due when, bad rows reported with or without --keep-going."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import icalendar
import pytest
from conftest import PROTOCOLS, SEED_000
from typer.testing import CliRunner

from schedsim.calendar.patient import CALENDAR_FIELDS
from schedsim.calendar.roster import due, iso_week, load_roster, roster_calendars
from schedsim.cli import app
from schedsim.errors import InputError

runner = CliRunner()
EXAMPLE = PROTOCOLS / "examples" / "roster.csv"


def roster(tmp_path: Path, *rows: str, header: str = "patient_id,protocol,start,country,actuals") -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_example_roster_builds_every_patient() -> None:
    result = roster_calendars(EXAMPLE, today=date(2026, 11, 23))
    assert [c.patient_id for c in result.calendars] == ["P001", "P002", "P003", "P004"] and not result.problems
    p001 = result.calendars[0]
    assert p001.clinic.country == "CN"
    delayed = p001.find("induction.c3.d1")  # cycle 2 started 7 days late (see P001.actuals.csv)
    assert delayed is not None and delayed.status == "done" and delayed.scheduled_date == date(2026, 7, 20)
    assert p001.find("consolidation.c2.d1").status == "due"  # type: ignore[union-attr]


def test_due_lists_open_visits_in_the_range_sorted_by_date_then_patient() -> None:
    calendars = roster_calendars(EXAMPLE, today=date(2026, 11, 23), home_doses=False).calendars
    first, last = iso_week("2026-W48")
    rows = due(calendars, first, last)
    assert rows and all(first <= r.scheduled_date <= last for r in rows)
    assert [(r.scheduled_date, r.patient_id) for r in rows] == sorted((r.scheduled_date, r.patient_id) for r in rows)
    assert {r.status for r in rows} <= {"due", "upcoming", "overdue"}
    expected = {(c.patient_id, r.event_id) for c in calendars for r in c.rows
                if first <= r.scheduled_date <= last and r.status not in ("done", "missed", "skipped")}
    assert {(r.patient_id, r.event_id) for r in rows} == expected
    assert ("P001", "consolidation.c2.d1") in expected and ("P002", "cart1.apheresis") in expected


def test_due_command_by_week_and_by_dates_agree() -> None:
    by_week = runner.invoke(app, ["due", str(EXAMPLE), "--week", "2026-W48", "--today", "2026-11-23", "-f", "json"])
    by_dates = runner.invoke(app, ["due", str(EXAMPLE), "--from", "2026-11-23", "--to", "2026-11-29",
                                   "--today", "2026-11-23", "-f", "json"])
    assert by_week.exit_code == 0 and by_dates.exit_code == 0, by_week.output + by_dates.output
    rows = json.loads(by_week.stdout)
    assert rows == json.loads(by_dates.stdout) and rows and all(tuple(r) == CALENDAR_FIELDS for r in rows)
    assert not any(r["activities"] and r["activities"][0].startswith("take ") for r in rows)  # no home doses
    table = runner.invoke(app, ["due", str(EXAMPLE), "--week", "2026-W48"])
    assert table.exit_code == 0 and table.stdout.startswith("Visits due 2026-11-23 → 2026-11-29: ")


def test_roster_calendar_formats(tmp_path: Path) -> None:
    out = tmp_path / "all.ics"
    result = runner.invoke(app, ["calendar", "--roster", str(EXAMPLE), "--no-home-doses", "-o", str(out)])
    assert result.exit_code == 0, result.output
    events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    patients = {str(e["summary"]).split(":")[0] for e in events}
    assert patients == {"P001", "P002", "P003", "P004"}
    csv_out = runner.invoke(app, ["calendar", "--roster", str(EXAMPLE), "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert [r["patient_id"] for r in rows] == sorted(r["patient_id"] for r in rows)


def test_a_bad_row_stops_everything_unless_keep_going(tmp_path: Path) -> None:
    path = roster(tmp_path, f"A1,{SEED_000},2027-01-04,CN,", "A2,missing.yaml,2027-01-04,,",
                  f"A3,{SEED_000},2027-02-30,,", f"A4,{SEED_000},2027-03-01,XX,", f"A5,{SEED_000},2027-03-01,US,")
    out = tmp_path / "out.csv"
    strict = runner.invoke(app, ["calendar", "--roster", str(path), "-o", str(out)])
    assert strict.exit_code == 2 and not out.exists()
    messages = [line for line in strict.stderr.splitlines() if line.startswith("error:")]
    assert f"error: {path}:3: protocol: patient A2: protocol file not found" in messages[0]
    assert f"error: {path}:4: start: patient A3: not a date: '2027-02-30'" in messages[1]
    assert f"error: {path}:5: country: patient A4: unknown country code 'XX'" in messages[2]
    lenient = runner.invoke(app, ["calendar", "--roster", str(path), "-o", str(out), "--keep-going"])
    assert lenient.exit_code == 2 and "3 problem(s)" in lenient.stderr
    assert {r["patient_id"] for r in csv.DictReader(out.open(encoding="utf-8"))} == {"A1", "A5"}


def test_roster_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing column 'start'"):
        load_roster(roster(tmp_path, "A1,x.yaml", header="patient_id,protocol"))
    with pytest.raises(InputError, match="unknown column 'site'"):
        load_roster(roster(tmp_path, "A1,x.yaml,2027-01-01,1", header="patient_id,protocol,start,site"))
    entries, problems = load_roster(roster(tmp_path, f"A1,{SEED_000},2027-01-04,,", f"A1,{SEED_000},2027-01-05,,"))
    assert len(entries) == 1 and problems[0].line == 3 and "listed twice" in problems[0].message
    with pytest.raises(InputError, match="roster file not found"):
        load_roster(tmp_path / "nope.csv")


def test_a_row_with_bad_actuals_names_the_actuals_file(tmp_path: Path) -> None:
    actuals = tmp_path / "a1.csv"
    actuals.write_text("event_id,date\ninduction.c9.d1,2027-01-04\n", encoding="utf-8")
    path = roster(tmp_path, f"A1,{SEED_000},2027-01-04,,a1.csv")
    result = runner.invoke(app, ["calendar", "--roster", str(path)])
    assert result.exit_code == 2
    assert f"error: {actuals}:2: event_id: unknown event 'induction.c9.d1'" in result.stderr


def test_iso_week() -> None:
    assert iso_week("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))
    with pytest.raises(ValueError, match="not an ISO week"):
        iso_week("2026-48")
