"""Drugs taken at home, summarised on the clinic visit that dispenses them.

A calendar shows what happens at the clinic; the home doses of a cycle (or of a block step) become one line on the
clinic event that hands them out: the cycle's own first clinic event (its day-1 visit), else the latest clinic
event of the same phase on or before the first dose, else the phase's first clinic event, else the nearest clinic
event before, else after. A line on an event after the first dose says "at home" rather than "dispensed".

>>> day_ranges([1, 2, 3, 4, 8, 9, 11, 12])
'1–4, 8–9, 11–12'
>>> day_ranges([-21, -20, -19, -18, -17])
'-21–-17'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from schedsim.compile.ir import Event

_DAY = re.compile(r"\.c(?P<cycle>\d+)\.d(?P<day>-?\d+)\.|\.d(?P<block>-?\d+)(?:\.|$)")


@dataclass(frozen=True, slots=True)
class Dated:
    """A calendar event with its scheduled time (days from day 1) and whether it happens at the clinic."""

    event: Event
    time: int
    clinic: bool


def day_ranges(days: Sequence[int]) -> str:
    """Day numbers as runs: ``1–14``, ``1, 4, 8, 11``."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def series_of(event: Event) -> tuple[str, str] | None:
    """The series a home dose belongs to (its phase and cycle or step, and its agent), or ``None``."""
    match = _DAY.search(event.id)
    if match is None or event.agent is None:
        return None
    head = event.id[: match.start()] + (f".c{match['cycle']}" if match["cycle"] else "")
    return head, event.agent


def dispensing(events: Sequence[Dated]) -> dict[str, tuple[str, ...]]:
    """Clinic event id → the home-dose lines it dispenses (``Lenalidomide 25 mg PO days 1–14: dispensed``)."""
    series: dict[tuple[str, str], list[Dated]] = {}
    for item in events:
        if item.event.setting == "home" and item.event.kind == "dose":
            key = series_of(item.event)
            if key is not None:
                series.setdefault(key, []).append(item)
    clinic = sorted((item for item in events if item.clinic), key=lambda item: item.time)
    times = [item.time for item in clinic]
    lines: dict[str, list[str]] = {}
    for (head, _agent), doses in series.items():
        first = min(doses, key=lambda item: item.time)
        where = _dispenser(clinic, times, first, head)
        if where is None:
            continue
        days = [_day(item.event) for item in doses]
        how = "dispensed" if where.time <= first.time else "at home"
        text = f"{first.event.label} days {day_ranges([d for d in days if d is not None])}: {how}"
        lines.setdefault(where.event.id, []).append(text)
    return {event_id: tuple(texts) for event_id, texts in lines.items()}


def _dispenser(clinic: list[Dated], times: list[int], first: Dated, head: str) -> Dated | None:
    own = [item for item in clinic if item.event.id.startswith(head + ".")]
    if own:  # the cycle's first clinic day, its visit before its doses
        return min(own, key=lambda item: (item.time, item.event.kind != "visit"))
    upto = bisect.bisect_right(times, first.time)
    phase = first.event.phase
    before = [item for item in clinic[:upto] if item.event.phase == phase]
    if before:
        return before[-1]
    later = [item for item in clinic[upto:] if item.event.phase == phase]
    if later:
        return later[0]
    if upto:
        return clinic[upto - 1]
    return clinic[upto] if upto < len(clinic) else None


def _day(event: Event) -> int | None:
    match = _DAY.search(event.id)
    if match is None:
        return None
    return int(match["day"] if match["day"] is not None else match["block"])
