"""Issue 16, finding 6 and the newcomer review: a command line that fits the shell — version, completion, readable
help, plain error text, scenario schemas, the clinic options wherever clinic days are computed, and clear refusals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import schedsim
from schedsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "protocols" / "ppcl-vrd-cart-asct-cart2.yaml"
ROSTER = ROOT / "protocols" / "examples" / "roster.csv"
SCENARIO = ROOT / "protocols" / "scenarios" / "ppcl-baseline.yaml"
runner = CliRunner()





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


def test_a_scenario_naming_several_unknown_steps_lists_them_all(tmp_path: Path) -> None:
    """Found on the way: the second unknown step of a scenario crashed (a name reused inside the loop)."""
    two_arm = ROOT / "protocols" / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
    result = runner.invoke(app, ["simulate", str(two_arm), "--scenario", str(SCENARIO), "-n", "2", "--no-plots",
                                 "-o", str(tmp_path / "sim")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "steps.manufacturing: no step or role 'manufacturing'" in result.stderr
    assert "dropout.cart2: no phase 'cart2'" in result.stderr


@pytest.mark.parametrize(("source", "kind"), [(ROSTER, "a CSV table"), (SEED_000, "a YAML file")])
def test_import_refuses_files_that_are_plainly_no_record(source: Path, kind: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "draft.yaml")])
    assert result.exit_code == 2 and f"not a registry record: this is {kind}" in result.stderr
    assert not (tmp_path / "draft.yaml").exists()


def test_simulate_refuses_a_file_name_for_its_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(SCENARIO), "-n", "2",
                                 "-o", str(tmp_path / "sim.csv")])
    assert result.exit_code == 2 and "simulate writes a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_calendar_says_what_is_missing() -> None:
    result = runner.invoke(app, ["calendar"])
    assert result.exit_code == 2 and "give a protocol file (with --start) or --roster ROSTER" in result.stderr
