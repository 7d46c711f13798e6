"""Short names a site's schedule uses: ``C3D8`` (cycle 3, day 8), ``C3`` (cycle 3's start), ``D-5``/``D0``/``D+21``
(days of a procedure block around its day 0).

>>> cycle_of("induction.c3.d8.bortezomib"), cycle_of("cart1.infusion")
(3, None)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from schedsim.compile.ir import Event, PhaseInfo, Timeline

_CYCLE = re.compile(r"^[a-z][a-z0-9_]*\.c(?P<cycle>\d+)\.(?:d(?P<day>\d+)|start)(?:\.|$)")


def cycle_of(event_id: str) -> int | None:
    match = _CYCLE.match(event_id)
    return int(match["cycle"]) if match else None


def tag_of(timeline: Timeline, event: Event, times: Mapping[str, int]) -> str:
    """The event's short tag: cycle and day for cycle events, the block day for procedure steps, else ``""``."""
    match = _CYCLE.match(event.id)
    if match:
        return f"C{match['cycle']}D{match['day']}" if match["day"] else f"C{match['cycle']}"
    phase = _phases(timeline).get(event.phase) if event.phase is not None else None
    if phase is None or phase.kind != "procedure" or phase.reference not in times or event.id not in times:
        return ""
    day = times[event.id] - times[phase.reference]  # type: ignore[index]
    if not timeline.conventions.block_day_zero and day >= 0:
        day += 1
    return "D0" if day == 0 else f"D{day:+d}"


def _phases(timeline: Timeline) -> dict[str, PhaseInfo]:
    cached: dict[str, PhaseInfo] | None = timeline.__dict__.get("_phase_info")
    if cached is None:
        cached = {phase.id: phase for phase in timeline.phases}
        object.__setattr__(timeline, "_phase_info", cached)
    return cached
