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
from collections.abc import Sequence
from typing import NamedTuple


class Dated(NamedTuple):
    """A clinic event on its scheduled time (days from day 1)."""

    event_id: str
    phase: str | None
    kind: str
    time: int
    shift: int = 0  # days its scheduled day lies from its target (moved off a closed day, or done in its window)


class HomeDose(NamedTuple):
    """A dose taken at home: its series (phase and cycle or step, agent), label, day number and time."""

    series: tuple[str, str]
    label: str
    day: int | None
    phase: str | None
    time: int


def day_ranges(days: Sequence[int]) -> str:
    """Day numbers as runs: ``1–14``, ``1, 4, 8, 11``."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def dispensing(clinic: Sequence[Dated], doses: Sequence[HomeDose]) -> dict[str, tuple[str, ...]]:
    """Clinic event id → the home-dose lines it dispenses (``Lenalidomide 25 mg PO days 1–14: dispensed``)."""
    series: dict[tuple[str, str], list[HomeDose]] = {}
    for dose in doses:
        series.setdefault(dose.series, []).append(dose)
    ordered = sorted(clinic, key=lambda item: item.time)
    times = [item.time for item in ordered]
    by_head = _by_head(ordered)
    lines: dict[str, list[str]] = {}
    for (head, _agent), items in series.items():
        first = min(items, key=lambda item: item.time)
        where = _dispenser(ordered, times, first, by_head.get(head, []))
        if where is None:
            continue
        how = "dispensed" if where.time <= first.time else "at home"
        days = day_ranges([item.day for item in items if item.day is not None])
        lines.setdefault(where.event_id, []).append(f"{first.label} days {days}: {how}")
    return {event_id: tuple(texts) for event_id, texts in lines.items()}


def dispenser_shifts(clinic: Sequence[Dated], doses: Sequence[HomeDose]) -> dict[tuple[str, str], tuple[str, int]]:
    """Series → (the cycle's day-1 visit, days it moved) for each cycle whose day-1 visit is later than its target.

    Pills are never taken before they are handed out: when the visit that dispenses them moves later (off a closed
    day, or done later inside its window), the cycle's home doses move with it. A visit moved earlier hands the pills
    out ahead of the cycle's day 1, and they start on their own days.
    """
    own = _by_head(sorted(clinic, key=lambda item: item.time))
    firsts: dict[tuple[str, str], int] = {}
    for dose in doses:
        firsts[dose.series] = min(dose.time, firsts.get(dose.series, dose.time))
    found = {}
    for series, first in firsts.items():
        items = own.get(series[0])
        if not items:
            continue
        where = min(items, key=lambda item: (item.time, item.kind != "visit"))
        if where.shift > 0 and where.time - where.shift <= first:  # handed out before the first pill was due
            found[series] = (where.event_id, where.shift)
    return found


def _by_head(ordered: Sequence[Dated]) -> dict[str, list[Dated]]:
    """``induction.c2`` → that cycle's clinic events, in time order."""
    by_head: dict[str, list[Dated]] = {}
    for item in ordered:
        by_head.setdefault(".".join(item.event_id.split(".")[:2]), []).append(item)
    return by_head


def _dispenser(clinic: list[Dated], times: list[int], first: HomeDose, own: list[Dated]) -> Dated | None:
    if own:  # the cycle's first clinic day, its visit before its doses
        return min(own, key=lambda item: (item.time, item.kind != "visit"))
    upto = bisect.bisect_right(times, first.time)
    before = [item for item in clinic[:upto] if item.phase == first.phase]
    if before:
        return before[-1]
    later = [item for item in clinic[upto:] if item.phase == first.phase]
    if later:
        return later[0]
    if upto:
        return clinic[upto - 1]
    return clinic[upto] if upto < len(clinic) else None
