"""Issue 16, findings 3-7: the Python API in a notebook, output files chosen by -o's extension, outputs that load
cleanly into pandas and Excel, a command line that fits the shell, and a progress bar that moves per patient.
(Finding 1 and 8: tests/test_wheel.py; finding 9 and the tutorial: tests/test_docs.py.)"""

from __future__ import annotations

import inspect
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import schedsim
from schedsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
ROSTER = ROOT / "protocols" / "examples" / "roster.csv"
ACTUALS = ROOT / "protocols" / "examples" / "P001.actuals.csv"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
RECORD = next((ROOT / "seeds").glob("000_*.txt"))
runner = CliRunner()


# -- finding 3: the Python API ---------------------------------------------------------------------------------------

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


# -- finding 4: -o's extension names the format, an unknown one is refused ------------------------------------------

UNKNOWN = [
    (["timeline", str(SEED_000)], ".txt (table), .json (json), .csv (csv), .xlsx (xlsx)"),
    (["calendar", str(SEED_000), "--start", "2027-01-04"], ".ics (ics), .md (md), .html (html)"),
    (["due", str(ROSTER), "--week", "2026-W48"], ".txt (table), .json (json), .csv (csv)"),
    (["check", str(SEED_000)], ".txt (text), .json (json)"),
    (["rules"], ".txt (text), .md (md)"),
    (["schema"], ".json (json)"),
    (["import", str(RECORD)], ".yaml (yaml), .yml (yaml)"),
    (["escalation", "table", "--target", "0.3", "--ei", "0.25,0.35"], ".txt (text), .csv (csv), .json (json)"),
]


@pytest.mark.parametrize(("args", "known"), UNKNOWN, ids=lambda a: a[0] if isinstance(a, list) else "")
def test_an_unknown_output_extension_is_bad_input(args: list[str], known: str, tmp_path: Path) -> None:
    target = tmp_path / "out.xyz"
    result = runner.invoke(app, [*args, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "unknown extension '.xyz'; known: " in result.stderr and known in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_images_refuse_an_unknown_extension(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gantt", str(SEED_000), "-o", str(tmp_path / "g.jpg")])
    assert result.exit_code == 2 and "unknown image type '.jpg': use .png, .svg or .pdf" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "name", "first"), [
    (["timeline", str(SEED_000), "--start", "2027-01-04"], "t.csv", "id,kind,phase,label,day,date,"),
    (["timeline", str(SEED_000)], "t.json", '{\n  "protocol": "ppcl_vrd_cart_asct_cart2"'),
    (["calendar", str(SEED_000), "--start", "2027-01-04"], "c.csv", "patient_id,event_id,label,kind,target_date,"),
    (["calendar", str(SEED_000), "--start", "2027-01-04"], "c.md", "# Patient patient"),
    (["due", str(ROSTER), "--week", "2026-W48"], "d.json", "["),
    (["check", str(SEED_000)], "c.json", '{\n  "findings"'),
    (["rules"], "r.md", "# schedsim check rules"),
])
def test_the_extension_picks_the_format(args: list[str], name: str, first: str, tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "-o", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(first)


def test_format_and_extension_that_disagree_are_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "t.csv names the csv format but --format is json" in result.stderr
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "table", "-o", str(tmp_path / "t.log")])
    assert result.exit_code == 0  # --format given: any extension the format does not contradict


# -- finding 5 and the output contracts: pandas, Excel, Parquet -----------------------------------------------------

def _csv_outputs(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """Every CSV the tool writes, with the columns it must have."""
    from schedsim.calendar.patient import CALENDAR_FIELDS
    from schedsim.engine.render import CSV_FIELDS
    from schedsim.simulation.run import EVENT_FIELDS

    runs = {
        "timeline": (["timeline", str(SEED_000), "--start", "2027-01-04", "-o"], "timeline.csv", CSV_FIELDS),
        "timeline-bom": (["timeline", str(SEED_000), "--bom", "-o"], "timeline-bom.csv", CSV_FIELDS),
        "calendar": (["calendar", "--roster", str(ROSTER), "-o"], "calendar.csv", CALENDAR_FIELDS),
        "due": (["due", str(ROSTER), "--week", "2026-W48", "-o"], "due.csv", CALENDAR_FIELDS),
        "escalation": (["escalation", "table", "--target", "0.3", "--ei", "0.25,0.35", "-o"], "i3.csv", None),
    }
    found = {}
    for key, (args, name, columns) in runs.items():
        result = runner.invoke(app, [*args, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        found[key] = (tmp_path / name, list(columns) if columns else [])
    sim = tmp_path / "sim"
    two_arm = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 3}\n", encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(two_arm), "--scenario", str(scenario), "-n", "4", "--seed", "3",
                                 "--bom", "--no-plots", "-o", str(sim)])
    assert result.exit_code == 0, result.output
    found["events"] = (sim / "events.csv", list(EVENT_FIELDS))
    found["subjects"] = (sim / "subjects.csv", ["replicate", "subject", "day1", "arm"])
    return found


def test_every_csv_reads_with_plain_read_csv(tmp_path: Path) -> None:
    for key, (path, columns) in _csv_outputs(tmp_path).items():
        frame = pd.read_csv(path)
        assert len(frame) > 0, key
        if columns:
            assert list(frame.columns)[:len(columns)] == columns, key
        assert not any(str(c).startswith(("#", "\ufeff")) for c in frame.columns), key
    bom = (tmp_path / "timeline-bom.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfid,kind,")
    assert not (tmp_path / "timeline.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_calendar_workbook_has_typed_dates_a_frozen_header_and_a_sheet_per_patient(tmp_path: Path) -> None:
    target = tmp_path / "site.xlsx"
    result = runner.invoke(app, ["calendar", "--roster", str(ROSTER), "--today", "2026-11-23", "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["P001", "P002", "P003", "P004"]
    sheet = book["P001"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["patient_id", "event_id", "label", "kind", "target_date", "scheduled_date"]
    assert sheet.freeze_panes == "A2"
    cell = sheet.cell(row=2, column=header.index("scheduled_date") + 1)
    assert cell.is_date and cell.value.date() == date(2026, 6, 1) and cell.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=header.index("study_day") + 1).value == 1
    again = tmp_path / "again.xlsx"
    runner.invoke(app, ["calendar", "--roster", str(ROSTER), "--today", "2026-11-23", "-o", str(again)])
    assert again.read_bytes() == target.read_bytes()  # reproducible: no "now" inside


def test_a_timeline_workbook_and_the_dataframes_agree_with_the_csv(tmp_path: Path) -> None:
    target = tmp_path / "timeline.xlsx"
    assert runner.invoke(app, ["timeline", str(SEED_000), "--start", "2027-01-04", "-o", str(target)]).exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["timeline", "phases", "assumptions"]
    from_excel = pd.read_excel(target, sheet_name="timeline")
    schedule = schedsim.timeline_for(SEED_000, "2027-01-04")
    frame = schedule.to_dataframe()
    from_csv = pd.read_csv(io.StringIO(schedsim.to_csv(schedule)), parse_dates=["date"])
    assert list(frame["id"]) == list(from_excel["id"]) == list(from_csv["id"])
    assert str(frame["date"].dtype).startswith("datetime64") and str(from_excel["date"].dtype).startswith("datetime64")
    assert (frame["date"] == from_csv["date"]).all()
    calendar = schedsim.calendar_for(SEED_000, "2026-06-01", actuals=ACTUALS, today="2026-11-23")
    visits = calendar.to_dataframe()
    assert len(visits) == len(calendar.rows) and str(visits["scheduled_date"].dtype).startswith("datetime64")
    assert schedsim.roster_calendars(ROSTER).to_dataframe()["patient_id"].nunique() == 4


def test_excel_needs_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "xlsx"])
    assert result.exit_code == 2 and "an Excel workbook needs a file: give -o timeline.xlsx" in result.stderr


def test_simulated_events_as_parquet_with_typed_columns(tmp_path: Path) -> None:
    csv_run, parquet_run = tmp_path / "csv", tmp_path / "parquet"
    for folder, extra in ((csv_run, []), (parquet_run, ["--format", "parquet"])):
        result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(SCENARIO), "-n", "5", "-r", "2",
                                     "--seed", "4", "--no-plots", "-o", str(folder), *extra])
        assert result.exit_code == 0, result.output
    assert not (parquet_run / "events.csv").exists() and (parquet_run / "summary.json").exists()
    typed = pd.read_parquet(parquet_run / "events.parquet")
    plain = pd.read_csv(csv_run / "events.csv", parse_dates=["date"])
    assert str(typed["date"].dtype).startswith("datetime64") and str(typed["replicate"].dtype) == "int64"
    assert list(typed.columns) == list(plain.columns) and len(typed) == len(plain)
    assert list(typed["event_id"].astype(str)) == list(plain["event_id"])
    assert (typed["date"].fillna(pd.Timestamp(0)) == plain["date"].fillna(pd.Timestamp(0))).all()
    assert typed["shift_reason"].isna().sum() == plain["shift_reason"].isna().sum() > 0  # empty is missing in both
    assert list(typed["shift_reason"].astype(object).fillna("")) == list(plain["shift_reason"].fillna(""))
    summary = json.loads((parquet_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 4 and "parameters" in summary


# -- finding 6: a command line that fits the shell --------------------------------------------------------------------

def _help_texts() -> dict[str, str]:
    texts = {"": runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout}
    names = ["validate", "timeline", "explain", "schema", "calendar", "due", "gantt", "patient-gantt", "swimmer",
             "visit-load", "check", "rules", "simulate", "import", "escalation table", "escalation simulate"]
    for name in names:
        texts[name] = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"}).stdout
    return texts


def test_help_names_values_not_python_types() -> None:
    for name, text in _help_texts().items():
        for python_type in ("<str>", "<path>", "<int>", "<float>", "<bool>", "list[", "<list"):
            assert python_type not in text, f"{name or 'schedsim'} --help shows {python_type}"
    timeline = _help_texts()["timeline"]
    assert "DATE" in timeline and "FILE" in timeline and "DECISION=BRANCH" in timeline


def test_version_and_completion() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"schedsim {schedsim.__version__}\n"
    assert "--install-completion" in _help_texts()[""]


def test_a_bad_format_is_said_plainly() -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "xml"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "'xml' is not one of 'table', 'json', 'csv', 'xlsx'" in result.output
    assert "Value error" not in result.output


def test_schema_for_scenarios_describes_the_bundled_scenarios() -> None:
    result = runner.invoke(app, ["schema", "--kind", "scenario"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "schedsim scenario"
    assert {"start", "enrolment"} <= set(schema["required"]) and "resources" in schema["properties"]


@pytest.mark.parametrize("command", ["swimmer", "visit-load"])
def test_roster_plots_take_every_clinic_option(command: str, tmp_path: Path) -> None:
    closures = tmp_path / "closures.txt"
    closures.write_text("2026-11-24,site audit\n", encoding="utf-8")
    result = runner.invoke(app, [command, str(ROSTER), "-o", str(tmp_path / "p.png"), "--country", "US",
                                 "--subdivision", "MA", "--closures", str(closures), "--open-days", "mon-fri"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, [command, str(ROSTER), "-o", str(tmp_path / "q.png"), "--closures",
                              str(tmp_path / "missing.txt")])
    assert bad.exit_code == 2 and "missing.txt" in bad.stderr and not (tmp_path / "q.png").exists()


def test_check_takes_the_clinic_options_for_a_real_start(tmp_path: Path) -> None:
    """A closure on the day cycle 2 starts (Monday 2027-01-25 for a 2027-01-04 start) moves its visit: reported
    for that start date; a start weekday alone has no dates, so closures do not apply to it."""
    closures = tmp_path / "closures.txt"
    closures.write_text("2027-01-25,pharmacy inventory\n", encoding="utf-8")
    args = ["check", str(SEED_000), "--format", "json"]
    plain = json.loads(runner.invoke(app, [*args, "--start", "2027-01-04"]).stdout)
    closed = json.loads(runner.invoke(app, [*args, "--start", "2027-01-04", "--closures", str(closures)]).stdout)
    new = [f for f in closed["findings"] if f not in plain["findings"]]
    assert new and any("induction.c2.d1" in " ".join(f["events"]) for f in new), new
    weekday = [*args, "--start-weekday", "mon"]
    assert json.loads(runner.invoke(app, [*weekday, "--closures", str(closures)]).stdout) == \
        json.loads(runner.invoke(app, weekday).stdout)
    bad = runner.invoke(app, [*args, "--country", "XX"])
    assert bad.exit_code == 2 and "--country" in bad.stderr


# -- finding 7: progress per patient ---------------------------------------------------------------------------------

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


def test_a_scenario_naming_several_unknown_steps_lists_them_all(tmp_path: Path) -> None:
    """Found on the way: the second unknown step of a scenario crashed (a name reused inside the loop)."""
    two_arm = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
    result = runner.invoke(app, ["simulate", str(two_arm), "--scenario", str(SCENARIO), "-n", "2", "--no-plots",
                                 "-o", str(tmp_path / "sim")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "steps.manufacturing: no step or role 'manufacturing'" in result.stderr
    assert "dropout.cart2: no phase 'cart2'" in result.stderr


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


# -- found by the newcomer review of this issue -----------------------------------------------------------------------

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


@pytest.mark.parametrize(("source", "kind"), [(ROSTER, "a CSV table"), (SEED_000, "a YAML file")])
def test_import_refuses_files_that_are_plainly_no_record(source: Path, kind: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "draft.yaml")])
    assert result.exit_code == 2 and f"not a registry record: this is {kind}" in result.stderr
    assert not (tmp_path / "draft.yaml").exists()


def test_reports_and_simulations_print_one_line() -> None:
    report = schedsim.check_file(SEED_000)
    assert repr(report) == ("<CheckReport protocols/ppcl-vrd-cart-asct-cart2.yaml: 0 error(s), 0 warning(s), "
                            f"{report.count('info')} info; exit code 0>".replace("protocols/", f"{ROOT}/protocols/"))
    assert str(report) == report.to_text()
    result = schedsim.simulate(SEED_000, scenario=SCENARIO, patients=2, seed=1)
    assert repr(result) == ("<SimulationResult ppcl_vrd_cart_asct_cart2: 2 patients x 1 replicates, seed 1; "
                            ".summary(), .records(), .to_dataframe()>")


def test_simulate_refuses_a_file_name_for_its_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(SCENARIO), "-n", "2",
                                 "-o", str(tmp_path / "sim.csv")])
    assert result.exit_code == 2 and "simulate writes a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_calendar_says_what_is_missing() -> None:
    result = runner.invoke(app, ["calendar"])
    assert result.exit_code == 2 and "give a protocol file (with --start) or --roster ROSTER" in result.stderr


@pytest.mark.parametrize("name", ["t.json", "t.xlsx"])
def test_a_byte_order_mark_is_only_for_csv(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--bom", "-o", str(tmp_path / name)])
    assert result.exit_code == 2 and "a byte-order mark is for CSV files" in result.stderr
    assert list(tmp_path.iterdir()) == []
