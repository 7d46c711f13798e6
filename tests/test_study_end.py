"""A simulated patient's study ends at the horizon, and leaves a day whole: delays that push events past the
patient's horizon cancel them ("after the study horizon", not a dropout; a phase that never started does not end
either); a dropout takes effect after the day's events, so no day is split between done and cancelled."""

from __future__ import annotations

from pathlib import Path

from conftest import SEED_000

from schedsim.engine.subject import plan
from schedsim.simulation.leaving import AFTER_HORIZON
from schedsim.simulation.run import simulate

QUEUE = """start: 2027-01-04
enrolment: {dates: [2027-01-04, 2027-01-04]}
steps: {manufacturing: {duration: {fixed: 250d}}}
resources: {manufacturing_slots: 1}
"""


def records_of(result):  # type: ignore[no-untyped-def]
    found: dict[int, dict[str, object]] = {}
    for record in result.records():
        found.setdefault(record.subject, {})[record.event_id] = record
    return found


def test_events_pushed_past_the_horizon_are_cancelled(tmp_path: Path) -> None:
    """Two patients, one manufacturing slot, 250 days a product: the second waits 250 days for CAR-T #1 (infused on
    study day 584), and ASCT, CAR-T #2 and maintenance fall after the 2-year horizon."""
    path = tmp_path / "queue.yaml"
    path.write_text(QUEUE, encoding="utf-8")
    result = simulate(SEED_000, patients=2, seed=1, scenario=path)
    patients = records_of(result)
    for events in patients.values():
        horizon = events["study.horizon"].actual_day  # type: ignore[attr-defined]
        assert horizon == 732  # 2029-01-04, two calendar years (731 days: 2028 is a leap year) after day 1
        assert all(r.actual_day <= horizon for r in events.values() if r.actual_day is not None)  # type: ignore[attr-defined]
    first, last = patients[0], patients[1]
    assert first["maintenance.start"].window_status == "on_time"  # type: ignore[attr-defined]
    assert first["maintenance.end"].window_status == "on_time"  # type: ignore[attr-defined]
    assert last["cart1.infusion"].actual_day == 584  # type: ignore[attr-defined]
    for late in ("asct.transplant", "cart2.infusion", "maintenance.start", "maintenance.end"):
        record = last[late]
        assert record.window_status == "cancelled" and record.shift_reason == AFTER_HORIZON, late  # type: ignore[attr-defined]
    # the end of study is no dropout
    assert result.summary()["dropouts"] == {} and result.replicates[0].dropouts == []


def test_a_dropout_leaves_its_day_whole(tmp_path: Path) -> None:
    """Dropouts in the first days of induction (nothing else random: every event on its planned day): every event of
    the dropout's day and before is done, every later one cancelled — the day is never split."""
    path = tmp_path / "dropout.yaml"
    path.write_text("start: 2027-01-04\nenrolment: {dates: [2027-01-04, 2027-01-04, 2027-01-04, 2027-01-04]}\n"
                    "dropout: {induction: {death: 10}}\n", encoding="utf-8")
    result = simulate(SEED_000, patients=4, seed=2, scenario=path)
    nominal = plan(result.timeline)
    dropouts = result.replicates[0].dropouts
    assert len(dropouts) == 4 and any(day == 0 for *_, day in dropouts)  # one on day 1 itself
    everyone = records_of(result)
    for subject, _phase, cause, day in dropouts:
        assert cause == "death"
        events = everyone[subject]
        on_the_day = [e for e in events if nominal[e] == day]
        assert len(on_the_day) >= 2  # a dosing day: the day's doses and visit
        assert all(events[e].window_status == "on_time" for e in events if nominal[e] <= day)  # type: ignore[attr-defined]
        later = [e for e in events if nominal[e] > day]
        assert later and all(events[e].window_status == "cancelled" for e in later)  # type: ignore[attr-defined]


def test_a_dropout_that_cancels_nothing_is_no_dropout(tmp_path: Path) -> None:
    """Found by a review: in one grid point of a sweep (seed 1, enrolment 2/month, 2 manufacturing slots),
    replicate 1's patient 8 drew 'progression in maintenance' on their horizon day, after every event of theirs had
    happened. Nothing is left to cancel: they finished the study and are not counted among the dropouts."""
    from schedsim.inputs import read_input
    from schedsim.language.yamlsource import parse_yaml
    from schedsim.simulation.grid import grid_of, point_scenario
    from schedsim.simulation.sweep import point_seed

    scenario = Path(SEED_000).parent / "scenarios" / "ppcl-baseline.yaml"
    base = parse_yaml(read_input(scenario, "scenario"), str(scenario)).data
    grid = grid_of({"parameters": {"enrolment.rate_per_month": [2, 4, 6], "resources.manufacturing_slots": [1, 2]}})
    path = tmp_path / "point1.yaml"
    path.write_text(point_scenario(base, grid, 1), encoding="utf-8")
    result = simulate(SEED_000, patients=30, replicates=2, seed=point_seed(1, 1), scenario=path)
    mine = [r for r in result.records() if r.replicate == 1 and r.subject == 8]
    assert len(mine) > 500 and all(r.window_status != "cancelled" for r in mine)
    assert not [d for d in result.replicates[1].dropouts if d[0] == 8]
    for replicate in result.replicates:  # every dropout counted cancels something of its patient's
        cancelled = {r.subject for r in result.records() if r.replicate == replicate.replicate
                     and r.shift_reason.startswith("dropout")}
        assert {d[0] for d in replicate.dropouts} == cancelled
