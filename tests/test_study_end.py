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
