"""Arms and decision points through the commands a site uses: calendars and rosters by arm and branch, the Gantt
drawn side by side, simulations that draw each patient's path (same on any number of workers), check --roster."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from conftest import PROTOCOLS
from typer.testing import CliRunner

from schedsim.calendar.patient import calendar_for
from schedsim.calendar.roster import roster_calendars
from schedsim.cli import app
from schedsim.errors import InputError
from schedsim.simulation.outputs import subjects_csv
from schedsim.simulation.run import simulate

runner = CliRunner()
TWO_ARM = PROTOCOLS / "examples" / "two-arm-dvrd-cart-vs-asct.yaml"
ADAPTED = PROTOCOLS / "examples" / "response-adapted-cart2.yaml"
START = date(2027, 1, 4)


def test_a_calendar_needs_the_patients_arm(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calendar", str(TWO_ARM), "--start", "2027-01-04"])
    assert result.exit_code == 2 and "has arms (cart, asct): name the patient's arm" in result.output
    cal = calendar_for(TWO_ARM, START, arm="asct")
    assert cal.arm == "asct" and cal.find("asct.transplant") is not None and cal.find("cart.infusion") is None
    roster = tmp_path / "roster.csv"
    roster.write_text(f"patient_id,protocol,start,arm,branches\nP1,{TWO_ARM},2027-01-04,cart,\n"
                      f"P2,{TWO_ARM},2027-01-11,asct,\nP3,{ADAPTED},2027-01-11,,post_asct=no_cr\n"
                      f"P4,{TWO_ARM},2027-01-11,,\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        roster_calendars(roster)
    (problem,) = error.value.problems
    assert (problem.line, problem.field) == (5, "arm") and "patient P4" in problem.message
    site = roster_calendars(roster, keep_going=True)
    by_patient = {c.patient_id: c for c in site.calendars}
    assert by_patient["P1"].find("cart.infusion") is not None
    assert by_patient["P2"].find("asct.transplant") is not None
    assert by_patient["P3"].find("cart2.infusion") is not None


def test_gantt_draws_arms_side_by_side(tmp_path: Path) -> None:
    from schedsim.plots.charts import protocol_gantt

    figure = protocol_gantt(TWO_ARM, START, tmp_path / "arms.png", side_by_side=True)
    headings = [t.get_text() for t in figure.texts if t.get_gid() == "panel"]
    assert headings == ["Arm A: D-VRd x6, cilta-cel, R maintenance", "Arm B: D-VRd x4, ASCT, D-VRd x2, R maintenance"]
    assert len(figure.axes) == 2 and (tmp_path / "arms.png").stat().st_size > 10_000
    left = [ax.get_xlim() for ax in figure.axes]
    assert left[0] == left[1]  # one time axis
    branch = protocol_gantt(ADAPTED, branches={"post_asct": "no_cr"})
    labels = [t.get_text() for t in branch.axes[0].texts if t.get_gid() == "milestone"]
    assert "◆ CR at day +90 after ASCT? → No CR: CAR-T #2, then maintenance" in labels
    title = branch._suptitle.get_text().replace("\n", " ")  # type: ignore[union-attr]  (wrapped)
    assert title.endswith("— CR at day +90 after ASCT? → No CR: CAR-T #2, then maintenance")


def test_simulation_draws_each_patients_path(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 20}\nbranches:\n"
                        "  post_asct: {cr: 0.25, no_cr: 0.75}\n", encoding="utf-8")
    result = simulate(ADAPTED, patients=400, seed=3, scenario=scenario)
    summary = result.summary()
    counts = summary["paths"]
    assert sum(counts.values()) == 400 and 240 < counts["post_asct=no_cr"] < 360  # 300 expected
    rows = list(csv.DictReader(io.StringIO(subjects_csv(result))))
    no_cr = {int(r["subject"]) for r in rows if r["post_asct"] == "no_cr"}
    with_cart2 = {r.subject for r in result.records() if r.event_id == "cart2.infusion"}
    assert with_cart2 == no_cr  # CAR-T #2 for exactly the patients drawn into that branch
    assert simulate(ADAPTED, patients=400, seed=3, scenario=scenario).summary() == summary  # same seed, same
    fixed = simulate(ADAPTED, patients=20, seed=3, scenario=scenario, branches={"post_asct": "cr"})
    assert fixed.cohort is None and not any(r.event_id.startswith("cart2.") for r in fixed.records())


def test_arm_shares_from_the_allocation_or_the_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 20}\ndropout:\n  cart: {withdrawal: 0.01}\n",
                        encoding="utf-8")  # a phase of arm A only: fine for the study
    counts = simulate(TWO_ARM, patients=300, seed=1, scenario=scenario).summary()["paths"]
    assert 120 < counts["arm cart"] < 180 and counts["arm cart"] + counts["arm asct"] == 300  # 1:1
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 20}\narms: {cart: 1.0, asct: 0.0}\n",
                        encoding="utf-8")
    assert simulate(TWO_ARM, patients=50, seed=1, scenario=scenario).summary()["paths"] == {"arm cart": 50,
                                                                                         "arm asct": 0}
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 20}\ndropout:\n  cartt: {withdrawal: 0.01}\n",
                        encoding="utf-8")
    with pytest.raises(InputError) as error:
        simulate(TWO_ARM, patients=5, scenario=scenario)
    assert error.value.problems[0].line == 4 and "no phase 'cartt'" in error.value.problems[0].message


def test_simulation_is_the_same_on_any_number_of_workers(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 8}\nresources: {transplant_beds: 1}\n",
                        encoding="utf-8")
    outputs = []
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        result = runner.invoke(app, ["simulate", str(TWO_ARM), "--scenario", str(scenario), "-n", "30", "-r", "2",
                                     "-w", str(workers), "-o", str(folder), "--no-plots"])
        assert result.exit_code == 0, result.output
        outputs.append({name: (folder / name).read_bytes() for name in ("events.csv", "summary.json",
                                                                        "subjects.csv")})
    assert outputs[0] == outputs[1]


def test_simulated_patients_have_their_screening_before_day_1(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 10}\n", encoding="utf-8")
    result = simulate(TWO_ARM, patients=30, seed=2, scenario=scenario, arm="cart")
    consent = [r for r in result.records() if r.event_id == "consent"]
    assert len(consent) == 30 and {r.actual_day for r in consent} == {-35}  # 28 days before apheresis (day -7)


def test_patient_commands_follow_the_arm_and_branch(tmp_path: Path) -> None:
    out = tmp_path / "patient.png"
    result = runner.invoke(app, ["patient-gantt", str(TWO_ARM), "--start", "2027-01-04", "--arm", "asct", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000
    result = runner.invoke(app, ["calendar", str(ADAPTED), "--start", "2027-01-04", "--branch", "post_asct=no_cr",
                                 "-f", "csv"])
    assert result.exit_code == 0, result.output
    ids = {row["event_id"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert "cart2.infusion" in ids and "response.post_cart2" in ids
    missing = runner.invoke(app, ["patient-gantt", str(TWO_ARM), "--start", "2027-01-04", "-o",
                                  str(tmp_path / "x.png")])
    assert missing.exit_code == 2 and "name the patient's arm" in missing.output
    assert not (tmp_path / "x.png").exists()


def test_check_roster_reports_every_bad_row(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"patient_id,protocol,start,arm,branches\nP1,{TWO_ARM},2027-01-04,cart,\n"
                      f"P2,{TWO_ARM},2027-01-11,,\nP3,{ADAPTED},2027-01-11,x,\nP4,{ADAPTED},2027-01-11,,"
                      f"post_asct=cr;post_asct=no_cr\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--roster", str(roster)])
    assert result.exit_code == 2
    assert ":3: arm: patient P2" in result.output and ":4: arm: patient P3" in result.output
    assert ":5: branches: patient P4: a decision is given twice" in result.output


def test_simulation_summary_per_path(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("start: 2027-01-04\nenrolment: {rate_per_month: 20}\n", encoding="utf-8")
    summary = simulate(TWO_ARM, patients=60, seed=4, scenario=scenario).summary()
    cart, asct = summary["by_path"]["arm cart"], summary["by_path"]["arm asct"]
    assert cart["patients"] + asct["patients"] == 60
    assert cart["milestones"]["induction.end"]["p50"] == 168 and asct["milestones"]["induction.end"]["p50"] == 112
    assert "asct.transplant" in asct["milestones"] and "asct.transplant" not in cart["milestones"]
    assert summary["parameters"]["arms"] == {"cart": 0.5, "asct": 0.5}  # the shares in effect are recorded
