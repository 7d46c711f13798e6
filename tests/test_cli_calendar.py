"""The calendar command: formats by option or extension, status dates, bad input (exit 2, no output file)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from conftest import SEED_000
from typer.testing import CliRunner

from schedsim.calendar.patient import CALENDAR_FIELDS
from schedsim.cli import app

runner = CliRunner()
BASE = ["calendar", str(SEED_000), "--start", "2027-01-04"]


@pytest.mark.parametrize("suffix", ["csv", "json", "ics", "md", "html"])
def test_format_follows_the_output_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"patient.{suffix}"
    result = runner.invoke(app, [*BASE, "--patient", "P7", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes()
    explicit = runner.invoke(app, [*BASE, "--patient", "P7", "--format", suffix])
    assert explicit.stdout_bytes == text  # same bytes to stdout as to the file
    if suffix == "csv":
        assert tuple(next(csv.reader(text.decode().splitlines()))) == CALENDAR_FIELDS
    elif suffix == "json":
        assert json.loads(text)[0]["patient_id"] == "P7"
    elif suffix == "ics":
        assert len(list(icalendar.Calendar.from_ical(text).walk("VEVENT"))) > 100
    elif suffix == "md":
        assert text.startswith(b"# Patient P7: ")
    else:
        assert text.startswith(b"<!DOCTYPE html>") and b"</html>" in text


def test_table_with_holidays_and_status(tmp_path: Path) -> None:
    actuals = tmp_path / "a.csv"
    actuals.write_text("event_id,date\ninduction.c1.d1,2027-01-04\n", encoding="utf-8")
    result = runner.invoke(app, [*BASE, "--country", "US", "--subdivision", "MA", "--today", "2027-01-05",
                                 "--actuals", str(actuals), "--no-home-doses"])
    assert result.exit_code == 0, result.output
    assert "holidays: US-MA; status as of 2027-01-05" in result.stdout
    lines = result.stdout.splitlines()
    assert any("induction.c1.d1 " in line and " done " in line for line in lines)
    assert any("induction.c3.d1 " in line and "Washington's Birthday → moved +1d" in line for line in lines)
    assert not any("lenalidomide" in line for line in lines)


def test_html_month_layout(tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    assert runner.invoke(app, [*BASE, "--layout", "month", "-o", str(out)]).exit_code == 0
    assert 'class="grid"' in out.read_text(encoding="utf-8")


BAD = {
    "no_start": ([], "--start", "needs --start"),
    "bad_start": (["--start", "2027-13-01"], "--start", "not a date"),
    "bad_today": (["--start", "2027-01-04", "--today", "tomorrow"], "--today", "not a date"),
    "unknown_country": (["--start", "2027-01-04", "--country", "ZZ"], "--country", "unknown country code 'ZZ'"),
    "bad_subdivision": (["--start", "2027-01-04", "--country", "CN", "--subdivision", "XX"], "--subdivision",
                        "CN has no subdivision 'XX'"),
    "missing_actuals": (["--start", "2027-01-04", "--actuals", "nowhere.csv"], "nowhere.csv", "not found"),
    "missing_closures": (["--start", "2027-01-04", "--closures", "nowhere.txt"], "nowhere.txt", "not found"),
    "roster_and_protocol": (["--roster", "r.csv"], "command line", "not both"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_without_output(tmp_path: Path, case: str) -> None:
    args, where, message = BAD[case]
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["calendar", str(SEED_000), *args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"error: {where}" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_actuals_before_their_predecessor_exit_2(tmp_path: Path) -> None:
    actuals = tmp_path / "a.csv"
    actuals.write_text("event_id,date,status\ncart1.infusion,2027-04-17,done\nconsolidation.c1.d1,2027-04-01,done\n",
                       encoding="utf-8")
    out = tmp_path / "out.ics"
    result = runner.invoke(app, [*BASE, "--actuals", str(actuals), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert (f"error: {actuals}:3: date: consolidation.c1.d1 on 2027-04-01 would start consolidation.start before "
            "cart1.end (planned 2027-05-15)") in result.stderr


def test_calendar_does_not_import_plotting() -> None:
    code = ("import sys; from schedsim.cli import main; sys.argv = ['schedsim', 'calendar', sys.argv[1], "
            "'--start', '2027-01-04', '--country', 'CN', '--format', 'ics']\ntry:\n    main()\nexcept SystemExit:\n"
            "    pass\nprint('MATPLOTLIB' if any(m.startswith('matplotlib') for m in sys.modules) else 'CLEAN', "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(SEED_000)], capture_output=True, check=True)
    assert result.stderr.decode().strip().endswith("CLEAN")
    assert result.stdout.startswith(b"BEGIN:VCALENDAR")
