"""The plan of many patients at once: each event's date for every start date, with numpy, exactly as the engine dates
one patient at a time (``schedsim.engine.schedule.build_schedule``): the same anchors in the same order, calendar
months and years applied to real dates (clipped to the month's end), study day 1 placed first when calendar offsets
before it depend on where it falls, and events past their limit (a cycle after the horizon) left out.

No randomness and no clinic moves: the protocol's plan for N patients with their start dates, for rosters of
thousands (``make bench`` compares it with looping the engine).

>>> from schedsim.compile.compiler import compile_file
>>> plan = plan_dates(compile_file("protocols/ppcl-vrd-cart-asct-cart2.yaml"), ["2027-01-04", "2027-02-01"])
>>> [str(d) for d in plan["maintenance.start"]]
['2027-12-28', '2028-01-25']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from schedsim.compile.ir import Timeline
from schedsim.language.durations import Offset

NOT_PLANNED = np.datetime64("NaT")


def _advance(starts: np.ndarray, t: np.ndarray, offset: Offset) -> np.ndarray:
    """Times ``t`` (days from each patient's day 1) moved by ``offset``: days as they are, months and years on the
    calendar (years and months together, the day clipped to the month's end, then the days)."""
    if not offset.is_calendar:
        return t + offset.days
    day = starts + t.astype("timedelta64[D]")
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    moved = month + np.timedelta64(12 * offset.years + offset.months, "M")
    length = ((moved + np.timedelta64(1, "M")).astype("datetime64[D]") - moved.astype("datetime64[D]")).astype(np.int64)
    result = moved.astype("datetime64[D]") + np.minimum(day_of_month, length - 1).astype("timedelta64[D]")
    return (result + np.timedelta64(offset.days, "D") - starts).astype(np.int64)


def plan_times(timeline: Timeline, starts: np.ndarray) -> dict[str, np.ndarray]:
    """Each event's time (days from study day 1) for every start date (``datetime64[D]``)."""
    root = np.zeros(len(starts), dtype=np.int64)
    for _ in range(8):  # calendar offsets before day 1: its place can shift the root
        times: dict[str, np.ndarray] = {}
        for event in timeline.events:
            if event.rule == "root":
                times[event.id] = root.copy()
            elif event.rule == "at":
                anchor = event.anchors[0]
                times[event.id] = _advance(starts, times[anchor.ref], anchor.offset)
            else:
                times[event.id] = np.max([_advance(starts, times[a.ref], a.offset) for a in event.anchors], axis=0)
        shift = times[timeline.day1]
        if not shift.any():
            return times
        root -= shift
    raise AssertionError("study day 1 could not be placed")  # pragma: no cover - needs a pathological calendar


def plan_dates(timeline: Timeline, starts: Sequence[date | str] | np.ndarray) -> dict[str, np.ndarray]:
    """Each event's date (``datetime64[D]``) for every start date; ``NaT`` where the engine leaves the event out
    (past its limit)."""
    days = np.asarray([np.datetime64(str(s), "D") for s in starts] if not isinstance(starts, np.ndarray)
                      else starts.astype("datetime64[D]"))
    times = plan_times(timeline, days)
    dates: dict[str, np.ndarray] = {}
    for event in timeline.events:
        when = days + times[event.id].astype("timedelta64[D]")
        if event.limit is not None:
            bound = _advance(days, times[event.limit.ref], event.limit.offset)
            when = np.where(times[event.id] > bound, NOT_PLANNED, when)
        dates[event.id] = when
    return dates
