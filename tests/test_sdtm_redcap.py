"""Issue 19: SDTM trial design datasets (TA, TE, TV, TD, TS) as Dataset-JSON v1.1 and SAS XPT v5, read back; REDCap
arms, events and instrument-event mappings in REDCap's import columns, and a REDCap record export turned back into
actuals that the calendar reads."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schedsim.calendar.actuals import load_actuals
from schedsim.cli import app
from schedsim.engine.schedule import timeline_for
from schedsim.standards.datasets import write_sdtm
from schedsim.standards.redcap import EVENT_COLUMNS, actuals_from_redcap, redcap_project

ROOT = Path(__file__).resolve().parents[1]
PPCL = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
TWO_ARM = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"


def read_json(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def test_sdtm_datasets_read_back_with_their_variables_and_types(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat", reason="pyreadstat is installed by make test (the sdtm extra)")
    written = write_sdtm(PPCL, tmp_path / "sdtm")
    assert sorted(p.name for p in written) == sorted(f"{n}.{s}" for n in ("ta", "te", "tv", "td", "ts")
                                                     for s in ("json", "xpt"))
    expected = {"TA": ["STUDYID", "DOMAIN", "ARMCD", "ARM", "TAETORD", "ETCD", "ELEMENT", "TABRANCH", "TATRANS",
                       "EPOCH"],
                "TE": ["STUDYID", "DOMAIN", "ETCD", "ELEMENT", "TESTRL", "TEENRL", "TEDUR"],
                "TV": ["STUDYID", "DOMAIN", "VISITNUM", "VISIT", "VISITDY", "ARMCD", "ARM", "TVSTRL", "TVENRL"],
                "TD": ["STUDYID", "DOMAIN", "TDORDER", "TDANCVAR", "TDSTOFF", "TDTGTPAI", "TDMINPAI", "TDMAXPAI",
                       "TDNUMRPT"],
                "TS": ["STUDYID", "DOMAIN", "TSSEQ", "TSPARMCD", "TSPARM", "TSVAL"]}
    for name, variables in expected.items():
        frame, meta = pyreadstat.read_xport(str(tmp_path / "sdtm" / f"{name.lower()}.xpt"))
        assert list(frame.columns) == variables and meta.table_name == name
        document = read_json(tmp_path / "sdtm", name.lower())
        assert [c["name"] for c in document["columns"]] == variables
        assert document["datasetJSONVersion"] == "1.1.0" and document["records"] == len(document["rows"]) == len(frame)
        assert set(frame["DOMAIN"]) == {name}
        for column in document["columns"]:
            numeric = str(frame[column["name"]].dtype) == "float64"
            assert numeric == (column["dataType"] == "integer"), column["name"]


def test_cycles_are_repeated_elements_and_visits_are_the_plan(tmp_path: Path) -> None:
    write_sdtm(PPCL, tmp_path / "sdtm", ("json",))
    ta = read_json(tmp_path / "sdtm", "ta")
    rows = [dict(zip([c["name"] for c in ta["columns"]], row, strict=True)) for row in ta["rows"]]
    induction = [r for r in rows if r["ETCD"] == "INDUCTIO"]
    assert [r["TAETORD"] for r in induction] == [1, 2, 3]  # VRd induction x3: one element, repeated
    assert [r["TAETORD"] for r in rows] == list(range(1, len(rows) + 1))
    te = read_json(tmp_path / "sdtm", "te")
    durations = {row[2]: row[6] for row in te["rows"]}
    assert durations["INDUCTIO"] == "P3W"  # a 21-day cycle
    tv = read_json(tmp_path / "sdtm", "tv")
    schedule = timeline_for(PPCL)
    clinic = sorted({e.day for e in schedule.events
                     if e.event.kind != "milestone" and e.event.setting not in ("home", "offsite")})
    assert [row[4] for row in tv["rows"]] == clinic
    td = read_json(tmp_path / "sdtm", "td")
    first = td["rows"][0]
    assert first[3] == "RFSTDTC" and first[4] == "P62D"  # response after induction: study day 63
    ts = {row[3]: row[5] for row in read_json(tmp_path / "sdtm", "ts")["rows"]}
    assert ts["NARMS"] == "1" and ts["STYPE"] == "INTERVENTIONAL" and ts["TITLE"].startswith("A Study of VRD")


def test_two_arms_and_reproducible_files(tmp_path: Path) -> None:
    first = write_sdtm(TWO_ARM, tmp_path / "a")
    second = write_sdtm(TWO_ARM, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    ta = read_json(tmp_path / "a", "ta")
    assert {row[2] for row in ta["rows"]} == {"CART", "ASCT"}
    assert {row[5] for row in read_json(tmp_path / "a", "ts")["rows"] if row[3] == "RANDOM"} == {"Y"}


def test_redcap_files_have_redcaps_columns(tmp_path: Path) -> None:
    project = redcap_project(TWO_ARM)
    files = project.files()
    events = list(csv.DictReader(io.StringIO(files["events.csv"])))
    assert list(events[0]) == list(EVENT_COLUMNS)
    assert {e["arm_num"] for e in events} == {"1", "2"}
    assert [a["name"] for a in csv.DictReader(io.StringIO(files["arms.csv"]))] == [
        label for _, label in timeline_for(TWO_ARM).timeline.design.arms]
    uniques = {(e["arm_num"], e["unique_event_name"]) for e in events}
    assert len(uniques) == len(events)  # unique within each arm
    assert all(e["unique_event_name"].endswith(f"_arm_{e['arm_num']}") for e in events)
    assert all(len(e["event_name"]) <= 50 for e in events)
    mappings = list(csv.DictReader(io.StringIO(files["instrument_designation.csv"])))
    assert mappings and {(m["arm_num"], m["unique_event_name"]) for m in mappings} <= uniques
    ppcl = list(csv.DictReader(io.StringIO(redcap_project(PPCL).files()["events.csv"])))
    first = ppcl[0]  # cycle 1 day 1 of induction: day 1, window 0/+3 days
    assert (first["day_offset"], first["offset_min"], first["offset_max"]) == ("0", "0", "3")
    schedule = timeline_for(PPCL)
    assert [int(e["day_offset"]) for e in ppcl] == sorted(
        {e.t for e in schedule.events if e.event.kind != "milestone" and e.event.setting not in ("home", "offsite")})


def test_a_redcap_export_becomes_actuals_the_calendar_reads(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["export", "redcap", str(PPCL), "-o", str(tmp_path / "rc")]).exit_code == 0
    events = list(csv.DictReader((tmp_path / "rc" / "events.csv").open(encoding="utf-8")))
    start = date(2027, 1, 4)
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:  # what REDCap's "raw data" export looks like
        writer = csv.writer(handle)
        writer.writerow(["record_id", "redcap_event_name", "redcap_repeat_instrument", "visit_date"])
        for event in events[:6]:
            late = 1 if event is events[1] else 0  # one visit a day late
            day = start + timedelta(days=int(event["day_offset"]) + late)
            writer.writerow(["P001", event["unique_event_name"], "", day.isoformat()])
        writer.writerow(["P002", events[0]["unique_event_name"], "", start.isoformat()])
    out = tmp_path / "P001.actuals.csv"
    mapping = str(tmp_path / "rc" / "actuals-map.yaml")
    result = runner.invoke(app, ["actuals", "from-redcap", str(export), "--map", mapping, "--record", "P001", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    actuals = load_actuals(out)
    schedule = timeline_for(PPCL)
    days = {e.event.id: e.t for e in schedule.events}
    first_six = {int(e["day_offset"]) for e in events[:6]}
    same_days = {e.event.id for e in schedule.events if e.t in first_six and e.event.kind != "milestone"
                 and e.event.setting not in ("home", "offsite")}
    assert {a.event_id for a in actuals.entries} == same_days  # a visit done: every event of that day done
    late = {a.event_id: a.date for a in actuals.entries}
    assert late[events[1]["custom_event_label"]] == start + timedelta(days=days[events[1]["custom_event_label"]] + 1)
    found = actuals_from_redcap(export, tmp_path / "rc" / "actuals-map.yaml")
    assert set(found.records) == {"P001", "P002"} and found.warnings == []
    for extra, says in (([], "holds 2 records with dates: choose one with --record (P001, P002)"),
                        (["--record", "P009"], "record 'P009' has no dated event the map names")):
        refused = runner.invoke(app, ["actuals", "from-redcap", str(export), "--map", mapping, *extra])
        assert refused.exit_code == 2 and says in " ".join(refused.output.split()), refused.output
    result = runner.invoke(app, ["check", str(PPCL), "--start", "2027-01-04", "--actuals", str(out)])
    assert result.exit_code in (0, 1), result.output  # checked (2 would be an unreadable actuals file)
    assert "SCH153" not in result.output  # no dose of a done visit reported missed
    result = runner.invoke(app, ["calendar", str(PPCL), "--start", "2027-01-04", "--actuals", str(out)])
    assert result.exit_code == 0, result.output
    ambiguous = runner.invoke(app, ["actuals", "from-redcap", str(export), "--map",
                                    str(tmp_path / "rc" / "actuals-map.yaml")])
    assert ambiguous.exit_code == 2 and "P001" in ambiguous.output


def test_bad_redcap_dates_name_the_line(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["export", "redcap", str(PPCL), "-o", str(tmp_path / "rc")])
    first = next(csv.DictReader((tmp_path / "rc" / "events.csv").open(encoding="utf-8")))
    export = tmp_path / "export.csv"
    export.write_text(f"record_id,redcap_event_name,visit_date\nP001,{first['unique_event_name']},2027-02-30\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["actuals", "from-redcap", str(export), "--map",
                                 str(tmp_path / "rc" / "actuals-map.yaml"), "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 2 and "export.csv:2" in result.output and "visit_date" in result.output
    assert not (tmp_path / "a.csv").exists()
