"""Compiler semantics on small protocols: cycles, anchoring, blocks, repetition, conventions, provenance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from conftest import MINIMAL

from schedsim.compile.compiler import compile_file
from schedsim.engine.schedule import build_schedule, timeline_for


def days(path: Path, start: date | None = None) -> dict[str, int]:
    return {item.event.id: item.day for item in timeline_for(path, start).events}


def test_cycles_days_and_end(write: Callable[..., Path]) -> None:
    d = days(write(MINIMAL))
    assert d["induction.start"] == 1
    assert d["induction.c2.start"] == 22 and d["induction.c3.start"] == 43
    assert d["induction.c2.d8.drug_a"] == 29
    assert d["induction.end"] == 63  # 3 cycles of 21 days end on day 63
    doses = [k for k in d if k.endswith(".drug_a")]
    assert len(doses) == 9


def test_after_gap_start_and_day0(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
  - id: rest_then_block
    kind: procedure
    after: induction.end
    gap: 14d
    steps:
      - {id: collect, day: -10}
      - {id: give, day: 0}
      - {id: check, kind: visit, days: [1, 7], window: -1d/+1d}
  - id: pinned
    kind: procedure
    day0: rest_then_block.give + 30d
    steps:
      - {id: prep, kind: dose, days: -2..-1, agents: {x: 1 mg, y: 2 mg}}
      - {id: give, day: 0}
  - id: exact
    kind: cycles
    start: pinned.give + 100d
    cycle_length: 2w
    cycles: 2
    agents: {z: {dose: 5 mg, days: 1-3}}
""")
    d = days(path)
    assert d["rest_then_block.start"] == d["rest_then_block.collect"] == 63 + 15
    assert d["rest_then_block.give"] == 63 + 15 + 10
    assert d["rest_then_block.check.d7"] == d["rest_then_block.give"] + 7
    assert d["rest_then_block.end"] == d["rest_then_block.check.d7"]
    assert d["pinned.give"] == d["rest_then_block.give"] + 30
    assert d["pinned.prep.d-2.x"] == d["pinned.prep.d-2.y"] == d["pinned.give"] - 2
    assert d["pinned.start"] == d["pinned.give"] - 2
    assert d["exact.start"] == d["pinned.give"] + 100
    assert d["exact.end"] == d["exact.start"] + 27


def test_block_day_one_convention(write: Callable[..., Path]) -> None:
    path = write(MINIMAL.replace("conventions: {month: 30d, year: 365d}",
                                 "conventions: {month: 30d, year: 365d, block_day_zero: false}") + """
  - id: cart
    kind: procedure
    steps:
      - {id: ld, kind: dose, days: [-3, -1], agents: {flu: 30 mg/m2}}
      - {id: infusion, day: 1}
      - {id: visit, kind: visit, day: 2}
""")
    d = days(path)
    assert d["cart.infusion"] - d["cart.ld.d-1.flu"] == 1  # day -1 is the day before day 1
    assert d["cart.infusion"] - d["cart.ld.d-3.flu"] == 3
    assert d["cart.visit"] - d["cart.infusion"] == 1


def test_study_day_before_day_one_is_negative(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
assessments:
  - {id: screening, label: Screening, at: induction.start - 14d, window: -14d/+0d}
  - {id: baseline, label: Baseline, at: induction.start - 1d}
""")
    schedule = timeline_for(path, date(2027, 3, 1))
    screening, baseline = schedule.find("screening"), schedule.find("baseline")
    assert screening is not None and baseline is not None
    assert (screening.day, baseline.day) == (-14, -1)
    assert baseline.date == date(2027, 2, 28) and screening.date == date(2027, 2, 15)


def test_until_horizon_and_repeating_assessments(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
  - id: maintenance
    kind: cycles
    start: induction.end + 30d
    until: study.horizon
    cycle_length: 28d
    agents: {r: {dose: 10 mg, days: 1-21, setting: home}}
horizon: induction.start + 1y
assessments:
  - {id: fu, label: Follow-up, every: 3mo, from: induction.start, until: study.horizon}
""")
    d = days(path)
    horizon = d["study.horizon"]
    assert horizon == 366
    assert max(v for k, v in d.items() if k.startswith("maintenance.")) == horizon  # truncated at the horizon
    assert d["maintenance.end"] == horizon
    assert [d[f"fu.{k}"] for k in range(1, 5)] == [91, 181, 271, 361]
    assert "fu.5" not in d


def test_calendar_months_honoured_with_start(write: Callable[..., Path]) -> None:
    path = write(MINIMAL.replace("{month: 30d, year: 365d}", "{month: calendar, year: calendar}") + """
assessments:
  - {id: m1, label: One month, at: induction.start + 1mo}
  - {id: y2, label: Two years, at: induction.start + 2y}
""")
    by_date = {e.event.id: e.date for e in timeline_for(path, date(2027, 1, 31)).events}
    assert by_date["m1"] == date(2027, 2, 28)
    assert by_date["y2"] == date(2029, 1, 31)
    nominal = days(path)
    assert nominal["m1"] == 31  # 30 nominal days after day 1 without a start date


def test_month_conventions_28_and_30_days(write: Callable[..., Path]) -> None:
    for month, expected in (("28d", 1 + 28 * 6), ("30d", 1 + 30 * 6)):
        path = write(MINIMAL.replace("month: 30d", f"month: {month}") + """
assessments:
  - {id: m6, label: Six months, at: induction.start + 6mo}
""", name=f"p{month}.yaml")
        assert days(path, date(2027, 1, 31))["m6"] == expected


def test_after_several_events_waits_for_the_latest(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
  - id: side
    kind: procedure
    start: induction.start + 100d
    steps: [{id: only, day: 0}]
  - id: joined
    kind: procedure
    after: [induction.end, side.end]
    steps: [{id: only, day: 0}]
""")
    d = days(path)
    assert d["joined.only"] == d["side.end"] + 1 == 102


def test_provenance_and_assumptions(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
  - id: later
    kind: procedure
    after: induction.end
    gap: {value: 7d, assumed: "not stated; one week"}
    steps: [{id: x, day: 0}]
assessments:
  - {id: check, label: Check, at: later.x + 1d}
""")
    timeline = compile_file(path)
    gap_assumption = next(a for a in timeline.assumptions.values() if a.field == "phases.1.gap")
    assert gap_assumption.rationale == "not stated; one week" and gap_assumption.line == 15
    assert gap_assumption.id in timeline.assumptions_of("check")
    assert timeline.assumptions_of("induction.end") == ()
    start = timeline.event("later.start")
    assert start.anchors[0].origin.field == "phases.1.after" and start.anchors[0].origin.line == 14
    constraint = next(c for c in timeline.constraints if c.target == "later.start")
    assert (constraint.source, constraint.lower, constraint.upper) == ("induction.end", 8.0, float("inf"))


def test_schedule_is_deterministic(write: Callable[..., Path]) -> None:
    path = write(MINIMAL)
    first = build_schedule(compile_file(path), date(2027, 1, 4))
    second = build_schedule(compile_file(path), date(2027, 1, 4))
    assert [(e.event.id, e.t) for e in first.events] == [(e.event.id, e.t) for e in second.events]


def test_one_line_repetition_and_plain_time_points(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """
horizon: induction.start + 1y
assessments:
  - {id: fu, label: Follow-up, every: 3mo from induction.start until study.horizon}
  - {id: pk, label: PK, at: [induction.start + 7d, induction.end]}
""")
    d = days(path)
    assert [d[f"fu.{k}"] for k in range(1, 5)] == [91, 181, 271, 361]
    assert (d["pk.t1"], d["pk.t2"]) == (8, 63)
