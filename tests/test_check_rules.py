"""Every check rule against a fixture that triggers it and one that does not (tests/fixtures/checks/).

Protocol fixtures change ``base.yaml`` (which no rule flags) in one place; patient fixtures are actuals files for
``base.yaml`` started on Monday 2027-01-04.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from schedsim.check.checker import check_file
from schedsim.check.deviations import check_patient_file
from schedsim.check.findings import CheckReport
from schedsim.language.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
BASE = FIXTURES / "base.yaml"
START = date(2027, 1, 4)
PROTOCOL_RULES = sorted(rule for rule, info in RULES.items() if info.scope == "protocol")
PATIENT_RULES = sorted(rule for rule, info in RULES.items() if info.scope == "patient")


def rules_of(report: CheckReport) -> set[str]:
    return {finding.rule for finding in report.findings}


def clean_fixture(rule: str) -> Path:
    """The rule's own near-miss fixture when there is one, else the base protocol."""
    own = FIXTURES / f"{rule.lower()}_clean.yaml"
    return own if own.is_file() else BASE


def test_base_protocol_triggers_nothing() -> None:
    assert check_file(BASE).findings == ()


def test_every_rule_has_fixtures() -> None:
    for rule in PROTOCOL_RULES:
        assert (FIXTURES / f"{rule.lower()}_trigger.yaml").is_file(), rule
    for rule in PATIENT_RULES:
        assert (FIXTURES / "actuals" / f"{rule.lower()}_trigger.csv").is_file(), rule
        assert (FIXTURES / "actuals" / f"{rule.lower()}_clean.csv").is_file(), rule


@pytest.mark.parametrize("rule", PROTOCOL_RULES)
def test_protocol_rule_triggers_on_its_fixture(rule: str) -> None:
    report = check_file(FIXTURES / f"{rule.lower()}_trigger.yaml")
    assert rule in rules_of(report)
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.severity == RULES[rule].severity
    assert finding.line is not None or rule == "SCH302"
    assert finding.message


@pytest.mark.parametrize("rule", PROTOCOL_RULES)
def test_protocol_rule_does_not_trigger_on_the_clean_fixture(rule: str) -> None:
    assert rule not in rules_of(check_file(clean_fixture(rule)))


@pytest.mark.parametrize("rule", PATIENT_RULES)
def test_patient_rule_triggers_on_its_actuals(rule: str) -> None:
    report = check_patient_file(BASE, FIXTURES / "actuals" / f"{rule.lower()}_trigger.csv", start=START)
    assert rule in rules_of(report)
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.file.endswith(f"{rule.lower()}_trigger.csv") and finding.subject == "patient"


@pytest.mark.parametrize("rule", PATIENT_RULES)
def test_patient_rule_does_not_trigger_on_clean_actuals(rule: str) -> None:
    report = check_patient_file(BASE, FIXTURES / "actuals" / f"{rule.lower()}_clean.csv", start=START)
    assert report.findings == ()


def test_start_is_read_from_the_day1_actual() -> None:
    inferred = check_patient_file(BASE, FIXTURES / "actuals" / "sch150_trigger.csv")
    given = check_patient_file(BASE, FIXTURES / "actuals" / "sch150_trigger.csv", start=START)
    assert inferred == given


def test_overdue_visits_are_missed_as_of_today() -> None:
    actuals = FIXTURES / "actuals" / "sch251_clean.csv"  # only the first dose recorded
    assert check_patient_file(BASE, actuals, start=START, today=date(2027, 1, 5)).findings == ()
    report = check_patient_file(BASE, actuals, start=START, today=date(2027, 1, 20))
    missed = {f.events[0] for f in report.findings if f.rule == "SCH153"}
    # d4 (6 Jan, window to 8 Jan), d8 (11 Jan, to 12 Jan) and d11 (14 Jan, to 15 Jan) have closed; d1's visit too
    assert missed == {"induction.c1.d4.bortezomib", "induction.c1.d8.bortezomib", "induction.c1.d11.bortezomib",
                      "induction.c1.d1"}
    assert all("window closed" in f.message for f in report.findings)


def test_conflict_explains_the_chain_with_fields() -> None:
    finding = next(f for f in check_file(FIXTURES / "sch110_trigger.yaml").findings if f.rule == "SCH110")
    assert finding.message == ("maintenance.start must come after cart.end (Maintenance after CAR-T and its "
                               "monitoring), but cart.end ≥ cart.infusion + 13d and maintenance.start = cart.infusion "
                               "+ 10d: 4 days short")
    fields = [c.origin.field for c in finding.constraints]
    assert "phases.2.start" in fields  # maintenance.start = cart.infusion + 10d, where it is written
    assert all(c.origin.line is not None for c in finding.constraints)


def test_declared_constraint_conflict_names_its_reason() -> None:
    finding = next(f for f in check_file(FIXTURES / "sch101_trigger.yaml").findings if f.rule == "SCH101")
    assert finding.message.startswith("maintenance.start must not come before cart.infusion + 60d (maintenance 60 "
                                      "days after CAR-T), but maintenance.start = cart.infusion + 30d")
    assert finding.message.endswith("30 days short")
    assert finding.field == "constraints.0"


def test_horizon_conflict_names_the_time_point() -> None:
    finding = next(f for f in check_file(FIXTURES / "sch112_trigger.yaml").findings if f.rule == "SCH112")
    assert "response.t2" in finding.events and "study.horizon" in finding.events
    assert finding.message.startswith("response.t2 must fall on or before study.horizon")


def test_compile_problems_become_findings_with_the_rule_id() -> None:
    report = check_file(FIXTURES / "sch103_trigger.yaml")
    (finding,) = report.findings
    assert finding.rule == "SCH103" and "did you mean cart.infusion" in finding.message
    assert finding.field == "assessments.0.at.1.at" and report.exit_code == 1
