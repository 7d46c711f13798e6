"""The clinic visit days of one patient's plan, as the visit lists of SDTM (TV) and REDCap (events) show them: one per
day with its events, a name ("VRd induction C1 D4", else the visit's label), and the window of its main event.

>>> from schedsim.engine.schedule import timeline_for
>>> [v.name for v in clinic_days(timeline_for("protocols/ppcl-vrd-cart-asct-cart2.yaml"))][:2]
['VRd induction C1 D1', 'VRd induction C1 D4']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schedsim.engine.schedule import Schedule, ScheduledEvent

_CYCLE = re.compile(r"^[a-z0-9_]+\.c(\d+)\.d(\d+)")


@dataclass(frozen=True, slots=True)
class VisitDay:
    t: int  # days from study day 1
    day: int  # the study day
    name: str
    main: ScheduledEvent  # the event that names the day: its visit, else its first event with a window
    items: tuple[ScheduledEvent, ...]
    early: int  # window: days before
    late: int  # and after


def clinic_days(schedule: Schedule) -> list[VisitDay]:
    days: dict[int, list[ScheduledEvent]] = {}
    for item in schedule.events:
        if item.event.kind != "milestone" and item.event.setting not in ("home", "offsite"):  # not patient visits
            days.setdefault(item.t, []).append(item)
    out = []
    for t, items in sorted(days.items()):
        main = next((i for i in items if i.event.kind == "visit"),
                    next((i for i in items if i.earliest is not None), items[0]))
        cycle = _CYCLE.match(main.event.id)
        phase = next((p.label for p in schedule.timeline.phases if p.id == main.event.phase), "")
        name = (f"{phase} C{cycle[1]} D{cycle[2]}" if cycle
                else re.sub(r"\s*\((?:day|d) ?[+-]?\d+\)$", "", main.event.label))
        early = t - main.earliest if main.earliest is not None else 0
        late = main.latest - t if main.latest is not None else 0
        out.append(VisitDay(t, main.day, name, main, tuple(items), early, late))
    return out
