"""Windows inside their bounds: an event's window never opens before its phase starts, nor closes after the horizon.

A phase's start is a boundary the protocol fixes ("maintenance starts on day 100 after ASCT"; cycle 1 day 1 is study
day 1), and the horizon ends the study: a declared window that reaches past either is clipped there, on the side
that crosses (the target itself always stays inside). Calendars move visits, and checks judge actual dates, within
these windows; ``schedsim check`` lists every window it clips (SCH303).

>>> from schedsim.language.durations import Window
>>> clip(Window(3, 3), target=100, floor=100, ceiling=None), clip(Window(7, 7), 728, None, 731)
((0, 3), (7, 3))
"""

from __future__ import annotations

from collections.abc import Mapping

from schedsim.compile.ir import Event, Timeline
from schedsim.language.durations import Window


def clip(window: Window, target: int, floor: int | None, ceiling: int | None) -> tuple[int, int]:
    """``(early, late)`` of ``window`` around ``target``, not before ``floor`` and not after ``ceiling``."""
    early, late = window.early, window.late
    if floor is not None:
        early = max(0, min(early, target - floor))
    if ceiling is not None:
        late = max(0, min(late, ceiling - target))
    return early, late


def phase_starts(timeline: Timeline) -> dict[str, str]:
    """Phase id → the id of its start event (computed once per timeline)."""
    cached: dict[str, str] | None = timeline.__dict__.get("_phase_starts")
    if cached is None:
        cached = {phase.id: phase.start for phase in timeline.phases}
        object.__setattr__(timeline, "_phase_starts", cached)
    return cached


def bounds_of(timeline: Timeline, event: Event, times: Mapping[str, int]) -> tuple[int | None, int | None]:
    """The floor (its phase's start) and ceiling (the horizon) of an event's window, in the days of ``times``."""
    start = phase_starts(timeline).get(event.phase) if event.phase is not None else None
    floor = times.get(start) if start is not None else None
    ceiling = times.get(timeline.horizon) if timeline.horizon is not None else None
    return floor, ceiling


def window_of(timeline: Timeline, event: Event, times: Mapping[str, int]) -> tuple[int, int] | None:
    """The event's ``(early, late)`` window clipped at its bounds, or ``None`` when it has no window."""
    if event.window is None:
        return None
    floor, ceiling = bounds_of(timeline, event, times)
    return clip(event.window, times[event.id], floor, ceiling)
