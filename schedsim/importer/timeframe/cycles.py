"""Readers of the time points a time frame names in treatment cycles: "C1D1", "Cycle 2 Day 15", "day 23 of cycle 1",
"cycle 1" (its first day to its end), "end of cycle 6", "before cycle 3", "36 cycles" (the end of the last).

>>> [p.describe() for p in read_cycle("day 23 of cycle 1")]
['point start(C1) day 23']
"""

from __future__ import annotations

import re

from schedsim.importer.timeframe.points import Point
from schedsim.importer.timeframe.words import Anchor, phase_of
from schedsim.language.durations import Duration

_CYCLE = re.compile(r"^(?:at |on |by )?(?:cycle|c) ?(?P<c>\d+),? ?(?:day|d) ?(?P<d>\d+)(?: of (?P<p>.+))?$")
_DAY_OF_CYCLE = re.compile(r"^(?:at |on )?day (?P<d>\d+) of (?:cycle|c|course) ?(?P<c>\d+)$")
_CYCLES_COUNT = re.compile(r"^(?:up to |for |after |over )?(?P<c>\d+) (?:cycles|courses)$")
_CYCLE_END = re.compile(r"^(?:at |by )?(?:the )?(?:end of|completion of|after) (?:cycle|course) (?P<c>\d+)"
                        r"(?: of (?P<p>.+))?$|^after (?P<c2>\d+) (?:cycles|courses)(?: of (?P<p2>.+))?$")
_CYCLE_START = re.compile(r"^(?:before|prior to|at the start of|start of) (?:cycle|course) (?P<c>\d+)"
                          r"(?: of (?P<p>.+))?$")


def read_cycle(text: str) -> list[Point] | None:
    """The cycle time points of one item, or None when it names no cycle."""
    match = _DAY_OF_CYCLE.match(text)
    if match:
        day = int(match["d"])
        anchor = Anchor("cycle_start", cycle=int(match["c"]))
        return [Point("point", anchor, Duration(day - 1, "d"), day_number=day, text=text)]
    match = re.match(r"^(?:during |over |throughout )?(?:the )?(?:cycle|course) (?P<c>\d+)$", text)
    if match:  # "cycle 1": from its first day to its end
        cycle = int(match["c"])
        return [Point("from", Anchor("cycle_start", cycle=cycle), Duration(0, "d"), day_number=1, text=text),
                Point("to", Anchor("cycle_end", cycle=cycle), text=text)]
    match = _CYCLES_COUNT.match(text)
    if match:  # "36 cycles": the end of the last of them
        return [Point("point", Anchor("cycle_end", cycle=int(match["c"])), text=text)]
    match = _CYCLE.match(text)
    if match:
        phase = phase_of(match["p"]) if match["p"] else None
        if match["p"] and phase is None:
            return None
        anchor = Anchor("cycle_start", phase=phase, cycle=int(match["c"]))
        day = int(match["d"])
        return [Point("point", anchor, Duration(day - 1, "d"), day_number=day, text=text)]
    for pattern, kind, point_kind in ((_CYCLE_END, "cycle_end", "point"), (_CYCLE_START, "cycle_start", "before")):
        match = pattern.match(text)
        if not match:
            continue
        cycle = int(match["c"] or match.groupdict().get("c2"))
        phase_text = match["p"] or match.groupdict().get("p2")
        phase = phase_of(phase_text) if phase_text else None
        if phase_text and phase is None:
            return None
        return [Point(point_kind, Anchor(kind, phase=phase, cycle=cycle), text=text)]
    return None
