"""Cohort simulation: deterministic mode, reproducibility, monotonic behaviour, distributions, an exact queue."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_000
from typer.testing import CliRunner

from schedsim.cli import app
from schedsim.engine.dates import calendar_advance, time_of_study_day
from schedsim.engine.sampling import Distribution, stream
from schedsim.engine.subject import run_deterministic
from schedsim.language.model import DistributionSpec
from schedsim.plots.simulation import write_outputs
from schedsim.simulation.outputs import events_csv, summary_json
from schedsim.simulation.parameters import enrolment_days
from schedsim.simulation.run import EVENT_FIELDS, simulate

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "sim"
TINY = FIXTURES / "tiny.yaml"
COHORT = FIXTURES / "cohort.yaml"


def scenario(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_subject(result, event_id: str) -> dict[int, int | None]:  # type: ignore[no-untyped-def]
    return {r.subject: r.actual_day for r in result.records() if r.event_id == event_id}


def test_deterministic_mode_equals_the_single_patient_timeline(tmp_path: Path) -> None:
    starts = [date(2027, 1, 4), date(2027, 1, 31), date(2027, 3, 1)]
    dates = ", ".join(d.isoformat() for d in starts)
    path = scenario(tmp_path, f"start: 2027-01-04\nenrolment: {{dates: [{dates}]}}\n")
    result = simulate(SEED_000, patients=3, scenario=path, seed=1)
    records = list(result.records())
    assert {r.window_status for r in records} == {"on_time"} and not any(r.shift_reason for r in records)
    for subject, start in enumerate(starts):
        expected = sorted((r.event_id, r.target, r.actual) for r in run_deterministic(
            result.timeline, calendar_advance(start)) if r.status == "done")
        mine = sorted((r.event_id, time_of_study_day(r.target_day), time_of_study_day(r.actual_day))  # type: ignore[arg-type]
                      for r in records if r.subject == subject)
        assert mine == expected
        day1 = next(r for r in records if r.subject == subject and r.actual_day == 1)
        assert day1.date == start


def test_tiny_scenario_has_the_exact_queue() -> None:
    """Two patients on the same day, one 14-day manufacturing slot: the second product waits exactly 14 days."""
    result = simulate(TINY, patients=2, seed=5)
    rows = {(r.subject, r.event_id): r for r in result.records()}
    first, second = rows[0, "cart.manufacturing"], rows[1, "cart.manufacturing"]
    assert (first.target_day, first.actual_day, first.window_status, first.shift_reason) == (2, 2, "on_time", "")
    assert (second.target_day, second.actual_day, second.window_status) == (2, 16, "late")
    assert second.shift_reason == "waited for manufacturing slot"
    assert rows[0, "cart.infusion"].actual_day == 21 and rows[1, "cart.infusion"].actual_day == 35
    assert rows[1, "cart.infusion"].date == date(2027, 1, 4) + timedelta(days=34)
    assert rows[1, "cart.infusion"].window_status == "on_time"  # re-anchored on the late product: on time
    summary = result.summary()
    slot = summary["resources"]["manufacturing_slots"]
    assert slot["queueing_days"] == {"mean": 7.0, "p95": 13.3, "max": 14, "waited": 1}
    assert slot["uses"] == 2
    assert summary["milestones"]["cart.infusion"]["p50"] == 28.0  # study days 21 and 35
    # the last primary assessment: patient 2's response, 28 days after its infusion (time 34 + 28 = 62)
    assert summary["completion"] == {"p5": "2027-03-07", "p50": "2027-03-07", "p95": "2027-03-07"}


def test_same_seed_same_files_with_one_or_two_workers(tmp_path: Path) -> None:
    one = simulate(SEED_000, patients=4, replicates=3, seed=11, scenario=COHORT, workers=1)
    two = simulate(SEED_000, patients=4, replicates=3, seed=11, scenario=COHORT, workers=2)
    assert events_csv(one) == events_csv(two) and summary_json(one) == summary_json(two)
    other = simulate(SEED_000, patients=4, replicates=3, seed=12, scenario=COHORT)
    assert events_csv(other) != events_csv(one)
    write_outputs(one, tmp_path / "a", plots=False)
    write_outputs(simulate(SEED_000, patients=4, replicates=3, seed=11, scenario=COHORT), tmp_path / "b", plots=False)
    for name in ("events.csv", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_adding_a_subject_leaves_the_others_draws_alone(tmp_path: Path) -> None:
    text = COHORT.read_text(encoding="utf-8").replace(
        "resources: {manufacturing_slots: 2, apheresis_chairs: 1, transplant_beds: 2, visit_slots: 8}", "")
    unlimited = scenario(tmp_path, text)
    three = list(simulate(SEED_000, patients=3, seed=4, scenario=unlimited).records())
    four = [r for r in simulate(SEED_000, patients=4, seed=4, scenario=unlimited).records() if r.subject < 3]
    assert three == four


def test_more_manufacturing_slots_never_delay_an_infusion(tmp_path: Path) -> None:
    """With manufacturing the only shared resource, the first products form a first-come-first-served queue with
    the same arrivals and run times whatever the slots: more slots never delay anyone's CAR-T #1 infusion."""
    base = COHORT.read_text(encoding="utf-8").replace(
        "resources: {manufacturing_slots: 2, apheresis_chairs: 1, transplant_beds: 2, visit_slots: 8}",
        "resources: {manufacturing_slots: SLOTS}")
    results = {}
    for slots in (1, 2, 4):
        path = scenario(tmp_path, base.replace("SLOTS", str(slots)), f"slots{slots}.yaml")
        results[slots] = simulate(SEED_000, patients=12, seed=8, scenario=path)
    few, some, many = (by_subject(results[s], "cart1.infusion") for s in (1, 2, 4))
    compared = 0
    for subject, day in some.items():
        if day is not None and few.get(subject) is not None and many.get(subject) is not None:
            assert many[subject] <= day <= few[subject]  # type: ignore[operator]
            compared += 1
    assert compared >= 8
    both = [s for s in few if few[s] is not None and many.get(s) is not None]
    assert sum(few[s] for s in both) > sum(many[s] for s in both)  # type: ignore[misc]
    waits = [results[s].summary()["resources"]["manufacturing_slots"]["queueing_days"]["mean"] for s in (1, 2, 4)]
    assert waits[0] > waits[1] >= waits[2]


def test_higher_dropout_means_fewer_completed_assessments(tmp_path: Path) -> None:
    base = COHORT.read_text(encoding="utf-8")
    completed = []
    for hazard in (0.0, 0.02, 0.1):
        path = scenario(tmp_path, base.replace("maintenance: {progression: 0.02, withdrawal: 0.01}",
                                               f"maintenance: {{progression: {hazard}}}"), f"h{hazard}.yaml")
        result = simulate(SEED_000, patients=15, seed=3, scenario=path)
        completed.append(sum(1 for r in result.records() if r.event_id.startswith("followup.")
                             and r.window_status != "cancelled"))
    assert completed[0] > completed[1] > completed[2]


def test_dropout_cancels_later_events_with_the_reason(tmp_path: Path) -> None:
    path = scenario(tmp_path, "start: 2027-01-04\nenrolment: {dates: [2027-01-04]}\n"
                              "dropout: {induction: {death: 10}}\n")
    result = simulate(SEED_000, patients=1, seed=2, scenario=path)
    records = list(result.records())
    cancelled = [r for r in records if r.window_status == "cancelled"]
    done = [r for r in records if r.window_status != "cancelled"]
    assert cancelled and all(r.shift_reason == "dropout: death in induction" for r in cancelled)
    assert all(r.actual_day is None and r.date is None for r in cancelled)
    (dropout,) = result.replicates[0].dropouts
    assert max(r.actual_day for r in done) <= dropout[3] + 1  # type: ignore[operator]  (study day = time + 1)
    assert result.summary()["dropouts"] == {"induction": {"death": 1}}


def test_manufacturing_that_always_fails_ends_the_patient(tmp_path: Path) -> None:
    path = scenario(tmp_path, "start: 2027-01-04\nenrolment: {dates: [2027-01-04]}\n"
                              "steps: {manufacturing: {failure: 1.0, retries: 1}}\n")
    result = simulate(SEED_000, patients=1, seed=2, scenario=path)
    assert result.replicates[0].dropouts[0][1:3] == ("cart1", "manufacturing failure")
    statuses = {r.event_id: r.window_status for r in result.records()}
    assert statuses["cart1.infusion"] == "cancelled" and statuses["cart1.apheresis"] == "on_time"


def test_visit_slots_move_visits_inside_their_window(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8").replace("resources: {manufacturing_slots: 1}",
                                                    "resources: {visit_slots: 1}").replace(
        "agents: {fludarabine: 30 mg/m² IV}", "agents: {fludarabine: 30 mg/m² IV}, setting: inpatient")
    path = tmp_path / "slots.yaml"
    path.write_text(text, encoding="utf-8")
    rows = {(r.subject, r.event_id): r for r in simulate(path, patients=2, seed=1).records()}
    second = rows[1, "cart.followup_visit.d7"]
    assert (second.window_status, second.shift_reason) == ("in_window", "no visit slot")
    assert abs(second.actual_day - second.target_day) == 1  # type: ignore[operator]


@pytest.mark.parametrize(("spec", "mean", "q50", "q95"), [
    ({"lognormal": {"median": "20d", "p95": "30d"}}, None, 20, 30),
    ({"triangular": ["10d", "12d", "16d"]}, 38 / 3, None, None),
    ({"uniform": ["1d", "7d"]}, 4.0, 4, None),
    ({"exponential": {"mean": "30d"}}, 30.0, 30 * np.log(2), 30 * np.log(20)),
])
def test_sampled_distributions_match_their_parameters(spec: dict, mean: float | None, q50: float | None,
                                                      q95: float | None) -> None:
    law = Distribution.from_spec(DistributionSpec.model_validate(spec))
    rng = stream(1, 0, 0, "test")
    draws = np.array([law.sample(rng) for _ in range(20_000)])
    if mean is not None:
        assert abs(draws.mean() - mean) < 0.03 * mean + 0.1
        assert abs(law.mean - mean) < 1e-9
    if q50 is not None:
        assert abs(np.percentile(draws, 50) - q50) <= 0.05 * q50 + 0.5  # whole days: half a day of rounding
    if q95 is not None:
        assert abs(np.percentile(draws, 95) - q95) <= 0.05 * q95 + 0.5


def test_enrolment_rate_and_ramp_up(tmp_path: Path) -> None:
    from schedsim.compile.compiler import compile_protocol
    from schedsim.language.loader import load_protocol
    from schedsim.simulation.parameters import load_scenario

    loaded = load_protocol(SEED_000)
    timeline = compile_protocol(loaded)
    steady = load_scenario(loaded, timeline, scenario(tmp_path, "start: 2027-01-04\nenrolment: {rate_per_month: 5}\n"))
    days = enrolment_days(steady, 3000, seed=9, replicate=0)
    assert days == sorted(days) and days[:100] == enrolment_days(steady, 100, seed=9, replicate=0)
    per_month = len(days) / (days[-1] / (365.2425 / 12))
    assert abs(per_month - 5) < 0.3
    ramped = load_scenario(loaded, timeline, scenario(
        tmp_path, "start: 2027-01-04\nenrolment: {rate_per_month: 5, ramp_up: 6mo}\n", "ramp.yaml"))
    # the rate rises linearly to 5 a month over 6 months: about 3.7 arrivals in the first 91 days, not 15
    early = [sum(1 for d in enrolment_days(ramped, 30, seed=9, replicate=r) if d < 91) for r in range(300)]
    assert 3.2 < sum(early) / len(early) < 4.3


def test_cli_writes_events_and_summary_with_seed_and_parameters(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(COHORT), "--patients", "3",
                                 "--replicates", "2", "--seed", "21", "-o", str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    lines = (out / "events.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(EVENT_FIELDS)  # a CSV's first line is its header; the run is in summary.json
    assert not any(line.startswith("#") for line in lines)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["resources"]["manufacturing_slots"] == 2
    assert {"seed", "patients", "replicates", "parameters", "milestones", "completion"} <= set(summary)
    assert summary["seed"] == 21 and summary["patients"] == 3 and summary["replicates"] == 2
    assert set(summary["milestones"]["cart2.infusion"]) >= {"p5", "p50", "p95"}
    assert set(summary["completion"]) == {"p5", "p50", "p95"}
    assert {"visit_load_per_week", "resources", "deviations", "dropouts", "enrolment_days"} <= set(summary)


def test_cli_writes_the_cohort_plots(tmp_path: Path) -> None:
    out = tmp_path / "plots"
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(COHORT), "-n", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("swimmer.png", "visit-load.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "message"), [
    (["-n", "0"], "give 1 to"),
    (["--workers", "0"], "workers (the CPUs here)"),
    (["--scenario", "missing.yaml"], "missing.yaml"),
])
def test_cli_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "never"
    result = runner.invoke(app, ["simulate", str(SEED_000), "-o", str(out), *args])
    assert result.exit_code == 2 and message in result.output and not out.exists()


def test_scenario_errors_name_the_line(tmp_path: Path) -> None:
    path = scenario(tmp_path, "start: 2027-01-04\nenrolment: {rate_per_month: 2}\nsteps:\n  manufacturng: "
                              "{duration: 20d}\n")
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(path), "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and f"{path}:4: steps.manufacturng" in result.output
    bad = scenario(tmp_path, "start: 2027-01-04\nenrolment: {rate_per_month: 2}\nresources: {beds: 3}\n", "b.yaml")
    result = runner.invoke(app, ["simulate", str(SEED_000), "--scenario", str(bad), "-o", str(tmp_path / "y")])
    assert result.exit_code == 2 and "unknown field 'beds'" in result.output
    no_section = runner.invoke(app, ["simulate", str(SEED_000), "-o", str(tmp_path / "z")])
    assert no_section.exit_code == 2 and "no 'simulation:' section" in no_section.output


def test_records_as_dataframe_when_pandas_is_there() -> None:
    result = simulate(TINY, patients=2, seed=5)
    try:
        import pandas  # noqa: F401
    except ImportError:
        from schedsim.errors import InputError

        with pytest.raises(InputError, match="pandas is not installed"):
            result.to_dataframe()
        return
    frame = result.to_dataframe()  # pragma: no cover - pandas is optional
    assert list(frame.columns) == list(EVENT_FIELDS) and len(frame) == len(list(result.records()))


def test_events_csv_rows_are_the_records() -> None:
    """The CSV is formatted from the record columns; it must say exactly what ``records()`` says."""
    import csv
    import io

    result = simulate(SEED_000, patients=6, replicates=2, seed=13, scenario=COHORT)
    rows = list(csv.DictReader(io.StringIO(events_csv(result))))
    records = list(result.records())
    assert len(rows) == len(records) and any(r.window_status == "cancelled" for r in records)
    for row, record in zip(rows, records, strict=True):
        expected = {name: "" if getattr(record, name) is None else str(getattr(record, name))
                    for name in EVENT_FIELDS}
        assert row == expected


@pytest.mark.parametrize("protocol", sorted((SEED_000.parent).glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_protocol_simulates(protocol: Path, tmp_path: Path) -> None:
    """Each bundled protocol runs under its bundled scenario (VRd protocols: ppcl-baseline; autologous CAR-T only:
    cart-only; the off-the-shelf CT0596: allogeneic-cart)."""
    scenarios = SEED_000.parent / "scenarios"
    name = ("ppcl-baseline.yaml" if "asct" in protocol.stem else "allogeneic-cart.yaml" if "ct0596" in protocol.stem
            else "cart-only.yaml")
    result = simulate(protocol, patients=5, seed=2, scenario=scenarios / name)
    records = list(result.records())
    assert {r.subject for r in records} == set(range(5))
    infusions = [r for r in records if r.event_id.endswith(".infusion") and r.window_status != "cancelled"]
    assert infusions and all(r.date is not None for r in infusions)
    assert result.summary()["milestones"]


def test_a_long_wait_for_manufacturing_is_pointed_out(tmp_path: Path) -> None:
    """Waits past four weeks for a manufacturing slot: the terminal says bridging is not simulated; short ones: no."""
    from schedsim.simulation.outputs import LONG_WAIT, describe

    text = COHORT.read_text(encoding="utf-8")
    notes = {}
    for slots in (1, 8):
        path = scenario(tmp_path, text.replace("manufacturing_slots: 2", f"manufacturing_slots: {slots}"),
                        f"s{slots}.yaml")
        summary = simulate(SEED_000, patients=12, seed=8, scenario=path).summary()
        longest = summary["resources"]["manufacturing_slots"]["queueing_days"]["max"]
        notes[slots] = (longest, "not simulated" in describe(summary))
    assert notes[1][0] > LONG_WAIT and notes[1][1]
    assert notes[8][0] <= LONG_WAIT and not notes[8][1]
