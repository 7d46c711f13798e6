"""Issue 16, findings 4 and 5: the format follows -o's extension (an unknown one is refused), and every output
loads cleanly where people open it: CSV in pandas with no options, workbooks in openpyxl with typed dates, Parquet
with datetime columns; a byte-order mark only for CSV.
"""

from __future__ import annotations

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


@pytest.mark.parametrize("name", ["t.json", "t.xlsx"])
def test_a_byte_order_mark_is_only_for_csv(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--bom", "-o", str(tmp_path / name)])
    assert result.exit_code == 2 and "a byte-order mark is for CSV files" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_raw_csv_keeps_formulas_for_programs(tmp_path: Path) -> None:
    """``schedsim --raw-csv`` writes cells as they are; without it a formula-like cell gets its leading quote."""
    roster = tmp_path / "r.csv"
    roster.write_text(f"patient_id,protocol,start\n=1+1,{SEED_000},2027-01-04\n", encoding="utf-8")
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert runner.invoke(app, ["calendar", "--roster", str(roster), "-o", str(safe)]).exit_code == 0
    assert runner.invoke(app, ["--raw-csv", "calendar", "--roster", str(roster), "-o", str(raw)]).exit_code == 0
    assert pd.read_csv(safe)["patient_id"].iloc[0] == "'=1+1"
    assert pd.read_csv(raw)["patient_id"].iloc[0] == "=1+1"
    again = tmp_path / "again.csv"  # the option held for its own command only
    runner.invoke(app, ["calendar", "--roster", str(roster), "-o", str(again)])
    assert again.read_text(encoding="utf-8") == safe.read_text(encoding="utf-8")
