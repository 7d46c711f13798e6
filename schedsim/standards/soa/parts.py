"""The pieces of a Schedule of Activities: an activity (a row), a visit (a column), the events of one day (a slot),
and the words an event gives them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from schedsim.compile.ir import Event, Timeline
from schedsim.engine.schedule import ScheduledEvent
from schedsim.standards.soa.groups import group_of

CYCLE = re.compile(r"^(?P<phase>[a-z][a-z0-9_]*)\.c(?P<cycle>\d+)\.d(?P<day>\d+)(?:\.|$)")
_DAY_SUFFIX = re.compile(r"\s*\((?:day|d) ?[+-]?\d+\)$")


def plain_label(event: Event) -> str:
    """An event's label without the day its block gives it ("(day 14)") or, for one of a numbered series
    ("followup.3"), its number ("#3"); "after CAR-T #2" keeps its number."""
    label = _DAY_SUFFIX.sub("", event.label)
    return re.sub(r"\s*#\d+$", "", label) if re.search(r"\.\d+$", event.id) else label



@dataclass(frozen=True, slots=True)
class Activity:
    """A row: what is done, and the group it is listed under."""

    group: str  # one of GROUPS
    name: str


@dataclass(frozen=True, slots=True)
class Visit:
    """A column: one day of the schedule, or a run of days or cycles that repeat it."""

    key: str
    group: str  # the column group: the phase (with its cycles), or "Follow-up"
    label: str  # "C1 D1", "D+0", "D+1–D+14", an assessment's label
    days: tuple[int, ...]  # the study day of each occurrence (one per compressed cycle; first and last of a run)
    dates: tuple[date, ...]  # the target dates of those days, when a start date is given
    window: str  # "-1/+3 d", or "" when the visit has no window
    assumptions: tuple[str, ...]  # the assumptions its events rest on directly
    cells: Mapping[Activity, str] = field(default_factory=dict)  # "X", or the text shown ("days 1–14")

    @property
    def day_text(self) -> str:
        return day_text(self.days, self.key)


def day_text(days: tuple[int, ...], key: str) -> str:
    if ".." in key and len(days) == 2:
        return f"{days[0]}–{days[1]}"
    return ", ".join(str(day) for day in days)



@dataclass
class Slot:
    """The events of one day of one phase (or one assessment outside the phases)."""

    key: tuple
    items: list[ScheduledEvent] = field(default_factory=list)
    cells: dict[Activity, str] = field(default_factory=dict)

    def add(self, item: ScheduledEvent, timeline: Timeline) -> None:
        self.items.append(item)
        for activity in activities_of(item.event, timeline):
            self.cells.setdefault(activity, "X")

    @property
    def t(self) -> int:
        return min(item.t for item in self.items)


def activities_of(event: Event, timeline: Timeline) -> list[Activity]:
    """The rows an event marks: a dose's drug, a procedure step, a visit's or assessment's activities (else its
    label)."""
    if event.kind == "dose":
        name = " ".join(part for part in (drug_name(event.agent) if event.agent else event.label, event.dose) if part)
        return [Activity("treatment", capital(name))]
    if event.activities:
        return [Activity(group_of(name, event.kind), capital(name)) for name in event.activities]
    label = plain_label(event)
    if event.kind == "assessment" and event.id.split(".")[0] in timeline.assessment_labels:
        label = _DAY_SUFFIX.sub("", timeline.assessment_labels[event.id.split(".")[0]])
    return [Activity(group_of(label, event.kind), capital(label))]


def drug_name(agent: str) -> str:
    """An agent id as a drug name: ``g_csf`` → ``G-CSF``, ``bortezomib`` → ``bortezomib``."""
    parts = agent.replace("_", "-").split("-")
    return "-".join(part.upper() if len(part) <= 3 else part for part in parts)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


