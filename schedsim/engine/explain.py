"""Explain one event's date: the chain of anchors and offsets that fixes it, and the assumptions it rests on."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from schedsim.engine.schedule import Schedule, timeline_for
from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date


class Explanation(tuple[str, ...]):
    """The lines of an explanation; ``print()`` (and a notebook) shows them as ``schedsim explain`` does."""

    __slots__ = ()

    def __str__(self) -> str:
        return "\n".join(self)

    def __repr__(self) -> str:
        return str(self)


def explain(schedule: Schedule, event_id: str) -> Explanation:
    """Lines such as ``maintenance.start = asct.transplant + 100d  →  day 359 (file:line field)``: the chain from the
    event back to the protocol's first event, then the assumed values it rests on."""
    timeline = schedule.timeline
    if event_id not in timeline.index:
        close = difflib.get_close_matches(event_id, list(timeline.index), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        elsewhere = timeline.design.elsewhere(event_id)
        if elsewhere is not None:
            raise InputError(Problem(timeline.file, None, "EVENT_ID", f"{event_id} is not on this path: {elsewhere}"))
        raise InputError(Problem(timeline.file, None, "EVENT_ID", f"no event {event_id!r} in the protocol{hint}"))
    times = {record.event_id: record.actual for record in schedule.records}
    target = timeline.event(event_id)
    lines = [f"{event_id} — {target.label}: {_when(schedule, times[event_id])}"]
    current = target
    while True:
        if current.rule == "root":
            lines.append(f"  {current.id} is the protocol's first event ({current.origin})")
            break
        binding = max(current.anchors, key=lambda a: schedule.advance(times[a.ref], a.offset))
        terms = [str(a) for a in current.anchors]
        formula = terms[0] if len(terms) == 1 else "latest of (" + ", ".join(terms) + ")"
        mark = " [assumed]" if binding.assumptions else ""
        lines.append(f"  {current.id} = {formula}  →  {_when(schedule, times[current.id])}"
                     f"{mark}  ({binding.origin})")
        current = timeline.event(binding.ref)
    assumptions = timeline.assumptions_of(event_id)
    if assumptions:
        lines.append("Rests on these assumed values:")
        for ident in assumptions:
            a = timeline.assumptions[ident]
            lines.append(f"  {a.id}  {a.file}:{a.line} {a.field}: {a.rationale}")
    else:
        lines.append("Rests on no assumed value.")
    return Explanation(lines)


def _when(schedule: Schedule, t: int) -> str:
    date = schedule.date(t)
    return f"day {schedule.day(t)}" + (f" ({date.isoformat()})" if date else "")


def explain_file(path: str | Path, event_id: str, start: date | str | None = None, *, arm: str | None = None,
                 branches: Mapping[str, str] | None = None) -> Explanation:
    """``explain`` for a protocol file (what ``schedsim explain`` prints), on one arm's and branches' path.

    >>> print(explain_file("protocols/ppcl-vrd-cart-asct-cart2.yaml", "maintenance.start", "2027-01-04")[1][:69])
      maintenance.start = asct.transplant + 100d  →  day 359 (2027-12-28)
    """
    return explain(timeline_for(path, as_date(start, "start"), arm=arm, branches=branches), event_id)
