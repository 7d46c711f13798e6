"""``schedsim check``: the bundled protocols, the broken seed-000 copy, disabling rules, output contracts, exit codes,
patient and roster deviation reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BUNDLED, PROTOCOLS, ROOT, SEED_000
from typer.testing import CliRunner

from schedsim.check.checker import check_file
from schedsim.cli import app
from schedsim.language.rules import RULES, rules_markdown

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "checks"
FINDING_KEYS = {"rule", "severity", "message", "file", "line", "field", "events", "constraints"}


def broken_seed_000(tmp_path: Path, cart2: str = "90d", maintenance: str = "60d") -> Path:
    """Seed 000 with CAR-T #2 at ASCT + ``cart2`` and maintenance at ASCT + ``maintenance`` (record path absolute)."""
    text = SEED_000.read_text(encoding="utf-8")
    replacements = {
        "value: asct.transplant + 60d": f"value: asct.transplant + {cart2}",
        "start: asct.transplant + 100d": f"start: asct.transplant + {maintenance}",
        "seed: ../seeds/": f"seed: {ROOT / 'seeds'}/",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "broken-seed-000.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("protocol", BUNDLED, ids=lambda p: p.name)
def test_bundled_protocols_check_clean(protocol: Path) -> None:
    report = check_file(protocol)
    assert report.count("error") == 0 and report.count("warning") == 0, report.to_text()
    # only notes for reviewers: the assumptions, windows bounded at a phase start or the horizon, the last cycle
    assert {f.rule for f in report.findings} <= {"SCH302", "SCH303", "SCH304"}


def test_broken_seed_000_reports_the_maintenance_cart2_chain(tmp_path: Path) -> None:
    report = check_file(broken_seed_000(tmp_path))
    errors = [f for f in report.findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["SCH110"]
    (finding,) = errors
    assert finding.message == (
        "maintenance.start must come after cart2.end (Lenalidomide maintenance after CAR-T #2 and its monitoring), "
        "but cart2.end ≥ cart2.infusion + 26d and cart2.infusion = asct.transplant + 90d and maintenance.start = "
        "asct.transplant + 60d: 57 days short")
    fields = {c.origin.field for c in finding.constraints}
    assert {"phases.4.day0", "phases.5.start"} <= fields  # the two protocol lines a reviewer must look at
    day0 = next(c for c in finding.constraints if c.origin.field == "phases.4.day0")
    assert day0.text == "cart2.start = asct.transplant + 85d" and day0.origin.line is not None  # lymphodepletion at -5
    assert {"maintenance.start", "cart2.infusion", "asct.transplant"} <= set(finding.events)


def test_seed_000_with_maintenance_at_day_100_and_cart2_at_day_90_still_conflicts(tmp_path: Path) -> None:
    """CAR-T #2 at +90 leaves its 28-day monitoring running at +100: a 19-day conflict, and nothing else."""
    report = check_file(broken_seed_000(tmp_path, maintenance="100d"))
    (finding,) = [f for f in report.findings if f.severity == "error"]
    assert finding.rule == "SCH110" and finding.message.endswith(": 17 days short")
    assert check_file(broken_seed_000(tmp_path, cart2="60d", maintenance="100d")).count("error") == 0


def test_disabled_rule_is_left_out_and_listed(tmp_path: Path) -> None:
    text = (FIXTURES / "sch205_trigger.yaml").read_text(encoding="utf-8")
    path = tmp_path / "disabled.yaml"
    (tmp_path / "blocks.yaml").write_text((FIXTURES / "blocks.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path.write_text(text + "checks:\n  disable:\n    SCH205: quality of life is exploratory\n", encoding="utf-8")
    report = check_file(path)
    assert "SCH205" not in {f.rule for f in report.findings}
    (disabled,) = report.disabled
    assert (disabled.rule, disabled.reason, disabled.line) == ("SCH205", "quality of life is exploratory",
                                                               text.count("\n") + 3)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and "disabled SCH205 (assessment-without-outcome): quality of life" in result.output


@pytest.mark.parametrize(("entry", "message"), [
    ("SCH999: typo", "unknown rule 'SCH999'"),
    ("SCH205: ''", "give the reason"),
    ("SCH103: we know", "SCH103 cannot be disabled"),
])
def test_bad_disable_entries_are_bad_input(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "blocks.yaml").write_text((FIXTURES / "blocks.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bad.yaml"
    text = (FIXTURES / "base.yaml").read_text(encoding="utf-8")
    path.write_text(text + f"checks:\n  disable:\n    {entry}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and message in result.output
    assert f"{path}:{text.count(chr(10)) + 3}: checks.disable.{entry.split(':')[0]}" in result.output


def test_json_contract_and_exit_codes(tmp_path: Path) -> None:
    clean = runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), "--format", "json"])
    assert clean.exit_code == 0 and json.loads(clean.output)["findings"] == []
    result = runner.invoke(app, ["check", str(FIXTURES / "sch110_trigger.yaml"), "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    (finding,) = [f for f in data["findings"] if f["severity"] != "info"]  # and notes (SCH303/SCH304)
    assert set(finding) == FINDING_KEYS and finding["severity"] == "error" and finding["rule"] == "SCH110"
    assert isinstance(finding["line"], int) and finding["events"][0] == "maintenance.start"
    assert {"constraint", "file", "line", "field"} == set(finding["constraints"][0])
    assert {k: v for k, v in data["summary"].items() if k != "info"} == {"error": 1, "warning": 0}


def test_warnings_exit_0_unless_strict() -> None:
    warning = str(FIXTURES / "sch205_trigger.yaml")
    assert runner.invoke(app, ["check", warning]).exit_code == 0
    strict = runner.invoke(app, ["check", warning, "--strict", "-f", "json"])
    assert strict.exit_code == 1
    assert [f["severity"] for f in json.loads(strict.output)["findings"] if f["severity"] != "info"] == ["error"]


def test_text_output_is_grouped_and_plain_when_not_a_terminal() -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), str(FIXTURES / "sch110_trigger.yaml")])
    assert result.exit_code == 1 and "\x1b[" not in result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("base.yaml: clean")
    assert "error SCH110 maintenance-after-treatment: maintenance.start must come after cart.end" in result.output
    assert lines[-1].startswith("1 error, 0 warnings, ")


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: t\nphases: [{id: a, kind: cycles, cycle_length: 21d}]\nunknown_field: 1\n")
    output = tmp_path / "report.json"
    result = runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), str(bad), "-o", str(output)])
    assert result.exit_code == 2 and f"{bad}:4: unknown_field" in result.output and not output.exists()
    assert "Traceback" not in result.output
    assert runner.invoke(app, ["check"]).exit_code == 2
    assert runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), "--start-weekday", "someday"]).exit_code == 2


def test_start_weekday_option_enables_the_closed_day_rules() -> None:
    fixture = str(FIXTURES / "sch206_trigger.yaml")
    result = runner.invoke(app, ["check", fixture, "-f", "json"])
    assert "SCH206" in {f["rule"] for f in json.loads(result.output)["findings"]}
    base = str(FIXTURES / "base.yaml")
    assert json.loads(runner.invoke(app, ["check", base, "-f", "json"]).output)["findings"] == []
    friday = json.loads(runner.invoke(app, ["check", base, "-f", "json", "--start-weekday", "fri"]).output)
    assert {f["rule"] for f in friday["findings"]} >= {"SCH301"}


def test_patient_actuals_through_the_cli() -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), "--actuals",
                                 str(FIXTURES / "actuals" / "sch150_trigger.csv"), "--patient", "P9", "-f", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["findings"]
    assert finding["rule"] == "SCH150" and finding["patient"] == "P9" and finding["line"] == 3
    assert finding["constraints"][0]["constraint"].startswith("induction.c1.d1: target 2027-01-04, window -0d/+2d")
    assert json.loads(result.output)["deviations"]["by_patient"] == {"P9": {"SCH150": 1}}
    two = runner.invoke(app, ["check", str(FIXTURES / "base.yaml"), str(SEED_000), "--actuals",
                              str(FIXTURES / "actuals" / "sch150_trigger.csv")])
    assert two.exit_code == 2 and "exactly one protocol" in two.output


def test_roster_summarises_deviations_per_patient_and_visit() -> None:
    roster = PROTOCOLS / "examples" / "roster.csv"
    result = runner.invoke(app, ["check", "--roster", str(roster), "--today", "2026-11-21", "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    by_patient = data["deviations"]["by_patient"]
    assert set(by_patient) == {"P001", "P002"}  # P003 and P004 have no actuals file
    assert sum(sum(c.values()) for c in by_patient.values()) == len(data["findings"])
    by_visit = data["deviations"]["by_visit"]
    assert by_visit["induction.c2.d1.bortezomib"] == {"SCH150": 1}  # P001's cycle 2 started 7 days late
    assert by_visit["induction.c2.d8.bortezomib"] == {"SCH153": 1}  # P002 missed it
    assert data["notes"] == ["not checked (no actuals file): P003, P004"]
    text = runner.invoke(app, ["check", "--roster", str(roster), "--today", "2026-11-21"]).output
    assert "deviations per patient:" in text and "deviations per visit:" in text


def test_rules_catalogue_is_documented() -> None:
    """docs/rules.md is the generated catalogue; every rule has a rationale and a fix."""
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()
    for rule in RULES.values():
        assert rule.rationale.strip() and rule.fix.strip()
        assert rule.severity == {"1": "error", "2": "warning", "3": "info"}[rule.id[3]]
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0 and all(rule in result.output for rule in RULES)


def test_text_is_coloured_only_when_asked() -> None:
    report = check_file(FIXTURES / "sch110_trigger.yaml")
    coloured = report.to_text(color=True)
    assert "\x1b[31merror SCH110\x1b[0m" in coloured
    assert "\x1b[" not in report.to_text()
