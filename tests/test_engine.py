"""The simpy engine realises exactly the IR's nominal offsets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED
from hypothesis import given, settings
from hypothesis import strategies as st

from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Timeline
from schedsim.engine.dates import advance_for, calendar_advance
from schedsim.engine.subject import plan, run_deterministic


def chain_sum(timeline: Timeline, event_id: str) -> int:
    """Independent check: the sum of nominal offsets along the binding anchors, back to the root."""
    event = timeline.event(event_id)
    if event.rule == "root":
        return 0
    return max(chain_sum(timeline, a.ref) + a.offset.nominal_days for a in event.anchors)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
@pytest.mark.parametrize("start", [None, date(2027, 1, 4), date(2028, 1, 31), date(2030, 12, 31)])
def test_engine_equals_plan_for_bundled_protocols(path: Path, start: date | None) -> None:
    timeline = compile_file(path)
    advance = advance_for(start)
    planned = plan(timeline, advance)
    records = run_deterministic(timeline, advance)
    assert len(records) == len(timeline.events)
    assert {r.event_id: r.actual for r in records} == planned
    assert all(r.target == r.actual for r in records)
    if start is None:
        root = chain_sum(timeline, timeline.day1)
        assert all(planned[e.id] == chain_sum(timeline, e.id) - root for e in timeline.events)


def test_records_are_in_day_order_and_repeatable() -> None:
    timeline = compile_file(BUNDLED[0])
    first, second = run_deterministic(timeline), run_deterministic(timeline)
    assert first == second
    assert [r.actual for r in first] == sorted(r.actual for r in first)


def test_limit_drops_events_past_their_bound() -> None:
    timeline = compile_file(BUNDLED[0])
    records = run_deterministic(timeline)
    horizon = next(r.actual for r in records if r.event_id == "study.horizon")
    beyond = [r for r in records if r.status == "beyond_limit"]
    assert beyond and all(r.actual > horizon or r.event_id.startswith(("car_persistence", "maintenance.c14."))
                          for r in beyond)
    # partial_cycle: drop (the default): the whole last cycle goes, as it would end after the horizon
    c14 = next(r.actual for r in records if r.event_id == "maintenance.c14.start")
    assert c14 <= horizon < c14 + 27 and {r.status for r in records if r.event_id.startswith("maintenance.c14.")} == {
        "beyond_limit"}
    assert all(r.actual <= horizon for r in records if r.status == "done" and r.event_id.startswith("maintenance"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 60), st.integers(0, 40), st.integers(1, 4)), min_size=1, max_size=5),
       st.dates(date(2020, 1, 1), date(2035, 12, 31)))
def test_engine_matches_plan_on_random_protocols(tmp_path_factory: pytest.TempPathFactory,
                                                 phases: list[tuple[int, int, int]], start: date) -> None:
    lines = ["id: random", "title: Random", "conventions: {month: calendar, year: calendar}", "phases:"]
    for index, (length, gap, count) in enumerate(phases):
        lines += [f"  - id: p{index}", "    kind: cycles", f"    cycle_length: {length}d", f"    cycles: {count}",
                  f"    agents: {{a: {{dose: 1 mg, days: [1, {length}]}}}}"]
        if index:
            lines.append(f"    after: p{index - 1}.end\n    gap: {gap}d")
    lines += ["assessments:", "  - {id: m, label: M, every: 1mo, from: p0.start, until: p0.start + 1y}"]
    path = tmp_path_factory.mktemp("random") / "p.yaml"
    path.write_text("\n".join(lines) + "\n")
    timeline = compile_file(path)
    advance = calendar_advance(start)
    records = run_deterministic(timeline, advance)
    assert {r.event_id: r.actual for r in records} == plan(timeline, advance)
    last_end = max(r.actual for r in records if r.event_id.endswith(".end"))
    # day 1 to the last day: every cycle day, plus each rest gap and the day after each phase end
    expected = sum(length * count for length, _, count in phases) + sum(gap for _, gap, _ in phases[1:]) - 1
    assert last_end == expected


