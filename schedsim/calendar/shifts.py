"""``clinic.shift: cycle``: when a cycle's day 1 falls on a closed day, the whole cycle moves with it.

The cycle's start is placed on the open day its day-1 events move to (inside their windows, nearest first as
``clinic.prefer`` orders them), and everything the protocol places on that start follows: the cycle's later days and
the cycles after it, exactly as when a day-1 date is recorded. Cycles are shifted in date order, each on the
schedule the shifts before it made.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from schedsim.calendar.clinic import ClinicDays, candidate_days
from schedsim.calendar.facts import moves_with
from schedsim.calendar.pins import day1_group
from schedsim.compile.graph import Advance
from schedsim.compile.ir import Timeline
from schedsim.compile.windows import window_of
from schedsim.engine.subject import plan

_CYCLE_START = re.compile(r"^[a-z][a-z0-9_]*\.c\d+\.start$")


def cycle_shifts(timeline: Timeline, start: date, advance: Advance, pins: dict[str, int], clinic: ClinicDays
                 ) -> dict[str, tuple[int, str]]:
    """Cycle start → (its shifted time, why), for each cycle whose day 1 is moved off a closed day."""
    starts = [e.id for e in timeline.events if _CYCLE_START.match(e.id) and e.id not in pins]
    fixed = day1_group(timeline)
    firsts = {s: [e for e in timeline.events if e.rule == "at" and e.anchors[0].ref == s
                  and e.anchors[0].offset.nominal_days == 0 and moves_with(e, timeline)] for s in starts}
    shifts: dict[str, tuple[int, str]] = {}
    tried: set[str] = set()
    while True:
        times = plan(timeline, advance, {**pins, **{s: t for s, (t, _) in shifts.items()}})
        pending = sorted((s for s in starts if s not in shifts and s not in tried and s not in fixed and firsts[s]),
                         key=lambda s: times[s])
        for cycle_start in pending:
            tried.add(cycle_start)
            t = times[cycle_start]
            closed = clinic.closed_reason(start + timedelta(days=t))
            if closed is None:
                continue
            windows = [window_of(timeline, e, times) or (0, 0) for e in firsts[cycle_start]]
            early, late = min(w[0] for w in windows), min(w[1] for w in windows)
            move = next((k for k in candidate_days(early, late, timeline.clinic.prefer)
                         if k and clinic.is_open(start + timedelta(days=t + k))), None)
            if move is not None:
                cycle = cycle_start.removesuffix(".start")
                shifts[cycle_start] = (t + move, f"with {cycle} (its day 1 moved {move:+d}d: {closed})")
                break
        else:
            return shifts
