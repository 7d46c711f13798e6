"""Short names a site's schedule uses: ``C3D8`` (cycle 3, day 8), ``C3`` (cycle 3's start), ``D-5``/``D0``/``D+21``
(days of a procedure block around its day 0)."""

from __future__ import annotations

from collections.abc import Mapping

from schedsim.calendar.facts import facts_of
from schedsim.compile.ir import Event, PhaseInfo, Timeline


def tag_of(timeline: Timeline, event: Event, times: Mapping[str, int]) -> str:
    """The event's short tag: cycle and day for cycle events, the block day for procedure steps, else ``""``."""
    tag = facts_of(timeline).events[event.id].tag
    if tag:
        return tag
    phase = _procedures(timeline).get(event.phase) if event.phase is not None else None
    if phase is None or phase.reference not in times or event.id not in times:
        return ""
    day = times[event.id] - times[phase.reference]  # type: ignore[index]
    if not timeline.conventions.block_day_zero and day >= 0:
        day += 1
    return "D0" if day == 0 else f"D{day:+d}"


def _procedures(timeline: Timeline) -> dict[str, PhaseInfo]:
    cached: dict[str, PhaseInfo] | None = timeline.__dict__.get("_procedure_phases")
    if cached is None:
        cached = {phase.id: phase for phase in timeline.phases if phase.kind == "procedure"}
        object.__setattr__(timeline, "_procedure_phases", cached)
    return cached
