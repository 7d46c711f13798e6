"""Issue 16: the Python API in a notebook (finding 3 and the newcomer review): dates as dates or ISO strings
everywhere, one argument order, results that print well, progress counted per patient (finding 7), optional extras
named when missing.
"""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import schedsim
from schedsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
ROSTER = ROOT / "protocols" / "examples" / "roster.csv"
ACTUALS = ROOT / "protocols" / "examples" / "P001.actuals.csv"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
runner = CliRunner()


def test_explain_is_the_function_and_prints_as_the_command_does() -> None:
    from schedsim import explain

    schedule = schedsim.timeline_for(SEED_000, "2027-01-04")
    why = explain(schedule, "maintenance.start")
    assert callable(explain) and str(why).splitlines() == list(why)
    assert repr(why) == str(why)  # a notebook shows the lines, not a list's repr
    cli = runner.invoke(app, ["explain", str(SEED_000), "maintenance.start", "--start", "2027-01-04"])
    assert cli.stdout == str(why) + "\n"


def test_dates_are_dates_or_iso_strings_everywhere() -> None:
    as_text = schedsim.timeline_for(SEED_000, start="2027-01-04")
    as_date = schedsim.timeline_for(SEED_000, start=date(2027, 1, 4))
    assert [(e.event.id, e.date) for e in as_text.events] == [(e.event.id, e.date) for e in as_date.events]
    calendar = schedsim.calendar_for(SEED_000, "2026-06-01", actuals=ACTUALS, today="2026-11-23")
    assert calendar.start == date(2026, 6, 1) and calendar.today == date(2026, 11, 23)
    site = schedsim.roster_calendars(ROSTER, today="2026-11-23")
    assert schedsim.due(site.calendars, "2026-11-23", "2026-11-29") == schedsim.due(
        site.calendars, date(2026, 11, 23), date(2026, 11, 29))
    report = schedsim.check_patient_file(SEED_000, ACTUALS, today="2026-11-21", patient_id="P001")
    assert report.count("error") == 3
    with pytest.raises(schedsim.InputError) as caught:
        schedsim.timeline_for(SEED_000, start="04/01/2027")
    assert str(caught.value.problems[0]) == "start: not a date: '04/01/2027' (a datetime.date or 'YYYY-MM-DD')"


def test_every_export_is_listed_for_tab_completion() -> None:
    listed = dir(schedsim)
    assert set(schedsim.__all__) <= set(listed) and len(schedsim.__all__) >= 40
    for name in schedsim.__all__:
        assert getattr(schedsim, name) is not None


def test_the_gantt_functions_take_protocol_start_output_in_that_order(tmp_path: Path) -> None:
    from schedsim.plots import patient_gantt, protocol_gantt

    for function in (protocol_gantt, patient_gantt):
        assert list(inspect.signature(function).parameters)[:3] == ["protocol", "start", "output"]
    protocol_gantt(SEED_000, "2027-01-04", tmp_path / "protocol.png", first=1, last=63)
    patient_gantt(SEED_000, "2026-06-01", tmp_path / "patient.png", actuals=ACTUALS, today="2026-11-23")
    assert (tmp_path / "protocol.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "patient.png").read_bytes()[:4] == b"\x89PNG"


def test_results_print_as_one_line_summaries() -> None:
    schedule = schedsim.timeline_for(SEED_000, "2027-01-04")
    assert repr(schedule) == "<Schedule ppcl_vrd_cart_asct_cart2: 542 events, 6 phases, day 1 = 2027-01-04>"
    calendar = schedsim.calendar_for(SEED_000, "2026-06-01", patient_id="P001")
    assert repr(calendar).startswith("<PatientCalendar P001: ppcl_vrd_cart_asct_cart2, ")



def test_clinic_days_take_iso_strings_and_weekday_names() -> None:
    clinic = schedsim.ClinicDays(open_weekdays="mon-fri", closures={"2026-06-04": "staff day"})
    assert clinic.open_weekdays == frozenset(range(5)) and date(2026, 6, 4) in clinic.closures
    calendar = schedsim.calendar_for(SEED_000, "2026-06-01", clinic=clinic)
    row = calendar.find("induction.c1.d4.bortezomib")
    assert row.scheduled_date == date(2026, 6, 5) and "closure: staff day" in row.shift_reason
    assert schedsim.ClinicDays(open_weekdays=["mon", "wed"]).open_weekdays == frozenset({0, 2})


def test_lower_level_functions_take_iso_strings_and_weekday_names() -> None:
    from schedsim.compile.compiler import compile_file

    timeline = compile_file(SEED_000)
    assert schedsim.build_schedule(timeline, "2027-01-04").start == date(2027, 1, 4)
    report = schedsim.check_patient(timeline, schedsim.load_actuals(ACTUALS), start="2026-06-01", today="2026-11-21")
    assert report.count("error") == 3
    by_name = schedsim.check_file(SEED_000, start_weekday="wed")
    assert by_name.findings == schedsim.check_file(SEED_000, start_weekday=2).findings
    with pytest.raises(schedsim.InputError, match="not a weekday: 'someday'"):
        schedsim.check_file(SEED_000, start_weekday="someday")


def test_reports_and_simulations_print_one_line() -> None:
    report = schedsim.check_file(SEED_000)
    assert repr(report) == ("<CheckReport protocols/ppcl-vrd-cart-asct-cart2.yaml: 0 error(s), 0 warning(s), "
                            f"{report.count('info')} info; exit code 0>".replace("protocols/", f"{ROOT}/protocols/"))
    assert str(report) == report.to_text()
    result = schedsim.simulate(SEED_000, scenario=SCENARIO, patients=2, seed=1)
    assert repr(result) == ("<SimulationResult ppcl_vrd_cart_asct_cart2: 2 patients x 1 replicates, seed 1; "
                            ".summary(), .records(), .to_dataframe()>")



@pytest.mark.parametrize(("replicates", "workers"), [(1, 1), (3, 1), (3, 2)])
def test_progress_counts_patients_of_all_replicates(replicates: int, workers: int) -> None:
    calls: list[tuple[int, int]] = []
    schedsim.simulate(SEED_000, scenario=SCENARIO, patients=6, replicates=replicates, workers=workers, seed=2,
                      progress=lambda done, total: calls.append((done, total)))
    total = 6 * replicates
    assert {t for _, t in calls} == {total} and calls[-1][0] == total
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    if workers == 1:
        assert done == list(range(1, total + 1))  # every patient moves the bar, within a replicate too
    else:
        assert done == list(range(6, total + 1, 6))  # worker processes report each replicate's patients at once


def test_the_optional_extras_are_named_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas and pyarrow are optional: without them the message says what to install, and nothing is written."""
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    with pytest.raises(schedsim.SchedsimError, match=r"pip install 'schedsim\[pandas\]'"):
        schedsim.timeline_for(SEED_000).to_dataframe()
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(SCENARIO), "-n", "2", "--no-plots",
                                 "--format", "parquet", "-o", str(tmp_path / "sim")])
    assert result.exit_code == 2 and "pip install 'schedsim[parquet]'" in result.stderr
    assert not (tmp_path / "sim").exists()
