"""The command line: the JSON contract, CSV and table output, explain, schema, atomic output files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROTOCOLS, SEED_000
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.engine.render import CSV_FIELDS
from schedsim.language.schema import schema_text

runner = CliRunner()
EVENT_KEYS = {"id", "kind", "phase", "label", "day", "date", "window", "agent", "activities"}
PHASE_KEYS = {"id", "start_day", "end_day", "start", "end"}


def timeline_json(*args: str) -> dict:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_contract_with_start_date() -> None:
    data = timeline_json("--start", "2027-01-04")
    assert {"protocol", "start", "phases", "events"} <= set(data)
    assert data["protocol"] == "ppcl_vrd_cart_asct_cart2" and data["start"] == "2027-01-04"
    assert all(set(p) == PHASE_KEYS for p in data["phases"])
    assert [p["id"] for p in data["phases"]] == ["induction", "cart1", "consolidation", "asct", "cart2",
                                                  "maintenance"]
    assert all(set(e) == EVENT_KEYS for e in data["events"])
    assert {e["kind"] for e in data["events"]} == {"dose", "procedure", "assessment", "visit", "milestone"}
    ids = [e["id"] for e in data["events"]]
    assert len(ids) == len(set(ids))
    by_id = {e["id"]: e for e in data["events"]}
    assert by_id["induction.start"]["date"] == "2027-01-04" and by_id["induction.start"]["day"] == 1
    assert by_id["induction.c2.d1.bortezomib"]["agent"] == "bortezomib"
    assert by_id["induction.c2.d1"]["window"] == {"earliest": "2027-01-24", "latest": "2027-01-28"}
    assert by_id["response.post_cart1"]["activities"][0] == "serum and urine protein electrophoresis"
    days = [e["day"] for e in data["events"]]
    assert days == sorted(days)
    phase_days = {p["id"]: (p["start_day"], p["end_day"]) for p in data["phases"]}
    assert phase_days["induction"] == (1, 63)
    assert by_id["maintenance.start"]["day"] - by_id["asct.transplant"]["day"] == 100


def test_json_without_start_has_days_only() -> None:
    data = timeline_json()
    assert data["start"] is None
    assert all(e["date"] is None for e in data["events"])
    assert all(p["start"] is None and p["end"] is None for p in data["phases"])
    window = next(e["window"] for e in data["events"] if e["id"] == "induction.c2.d1")
    assert window == {"earliest": 21, "latest": 25}


def test_assumptions_are_listed_with_the_events_they_move() -> None:
    data = timeline_json("--start", "2027-01-04")
    gap = next(a for a in data["assumptions"] if a["field"] == "phases.1.gap")
    assert gap["file"].endswith("ppcl-vrd-cart-asct-cart2.yaml") and gap["line"] == 39
    assert "cart1.infusion" in gap["events"] and "maintenance.start" in gap["events"]
    assert "induction.c1.d1.bortezomib" not in gap["events"]


def test_csv_and_table() -> None:
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "csv", "--start", "2027-01-04"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == CSV_FIELDS
    row = next(r for r in rows if r["id"] == "maintenance.start")
    assert row["date"] == "2027-12-28" and row["day"] == "359" and row["assumptions"]
    table = runner.invoke(app, ["timeline", str(SEED_000), "--start", "2027-01-04"])
    assert table.exit_code == 0
    assert "maintenance.start" in table.stdout and "2027-12-28" in table.stdout
    assert "* rests on assumed values" in table.stdout


def test_output_file_is_written_atomically(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "timeline.json"  # a typo in a path creates no folders
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", "-o", str(missing)])
    assert result.exit_code == 2 and "does not exist" in result.stderr and not missing.parent.exists()
    target = tmp_path / "nested" / "timeline.json"
    target.parent.mkdir()
    result = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["protocol"] == "ppcl_vrd_cart_asct_cart2"
    assert [p.name for p in target.parent.iterdir()] == ["timeline.json"]  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # permissions of an ordinary new file


def test_same_input_same_bytes() -> None:
    first = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", "--start", "2027-01-04"])
    second = runner.invoke(app, ["timeline", str(SEED_000), "--format", "json", "--start", "2027-01-04"])
    assert first.stdout == second.stdout


def test_explain_names_the_chain_and_assumptions() -> None:
    result = runner.invoke(app, ["explain", str(SEED_000), "maintenance.start", "--start", "2027-01-04"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "maintenance.start — Lenalidomide maintenance: start: day 359 (2027-12-28)"
    assert lines[1].startswith("  maintenance.start = asct.transplant + 100d  →  day 359 (2027-12-28)")
    assert "phases.5.start" in lines[1]
    assert any(line.startswith("  asct.start = consolidation.end + 29d") and "[assumed]" in line for line in lines)
    assert any("induction.start is the protocol's first event" in line for line in lines)
    assert "Rests on these assumed values:" in lines
    assert any("phases.3.gap" in line and "4 weeks" in line for line in lines)


def test_explain_unknown_event() -> None:
    result = runner.invoke(app, ["explain", str(SEED_000), "cart1.infusoin"])
    assert result.exit_code == 2
    assert "no event 'cart1.infusoin'" in result.stderr and "did you mean cart1.infusion" in result.stderr


def test_validate_bundled_protocols_and_libraries() -> None:
    files = [str(p) for p in sorted(PROTOCOLS.glob("*.yaml")) + sorted((PROTOCOLS / "blocks").glob("*.yaml"))
             + sorted((PROTOCOLS / "scenarios").glob("*.yaml"))]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("OK ") == len(files)


@pytest.mark.parametrize("kind", ["protocol", "library", "scenario"])
def test_committed_schema_is_current(kind: str) -> None:
    committed = (PROTOCOLS / f"schedsim-{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), "run: schedsim schema --kind {kind} -o protocols/schedsim-{kind}.schema.json"
    result = runner.invoke(app, ["schema", "--kind", kind])
    assert result.exit_code == 0 and json.loads(result.stdout)["title"] == f"schedsim {kind}"


def test_schema_accepts_assumed_wrapper() -> None:
    schema = json.loads(schema_text("protocol"))
    gap = schema["$defs"]["ProcedurePhase"]["properties"]["gap"]
    wrapper = gap["anyOf"][-1]
    assert wrapper["required"] == ["value", "assumed"] and wrapper["additionalProperties"] is False
    assert schema["additionalProperties"] is False


def test_timeline_does_not_import_plotting() -> None:
    code = ("import sys; from schedsim.cli import main; sys.argv = ['schedsim', 'timeline', sys.argv[1], "
            "'--format', 'json']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('MATPLOTLIB' if any(m.startswith('matplotlib') for m in sys.modules) else 'CLEAN', "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(SEED_000)], capture_output=True, text=True, check=True)
    assert result.stderr.strip().endswith("CLEAN")
    assert json.loads(result.stdout)["protocol"] == "ppcl_vrd_cart_asct_cart2"
