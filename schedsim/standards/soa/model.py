"""The Schedule of Activities as a table: visits (columns) and activities (rows) of one path of a protocol.

A visit is what happens on one day: in a cycles phase a cycle day (``C2 D4``), in a procedure block a block day
(``D+0`` is the infusion or the transplant), outside the phases an assessment (``Response after induction``).
Consecutive cycles with the same days and activities share one column group (``C1–C3``); consecutive block days
with the same activities and no window share one column (``D+1–D+14``). Drugs taken at home are one row, marked on
the cycle's first clinic day with their days (``days 1–14``).

>>> soa = soa_for("protocols/rrmm-bcma-cart.yaml")
>>> [group for group in soa.groups][:2]
['BCMA CAR-T', 'Follow-up']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schedsim.calendar.home import day_ranges
from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Event, PhaseInfo, Timeline
from schedsim.engine.schedule import ScheduledEvent, build_schedule
from schedsim.inputs import as_date
from schedsim.standards.soa.columns import build_columns
from schedsim.standards.soa.groups import GROUPS
from schedsim.standards.soa.parts import CYCLE, Activity, Slot, Visit, activities_of, capital, drug_name, plain_label

__all__ = ["Activity", "SoA", "Visit", "activities_of", "build_soa", "plain_label", "soa_for"]


@dataclass(frozen=True)
class SoA:
    """The Schedule of Activities of one path of a protocol."""

    protocol_id: str
    title: str
    path: str  # "arm cart, post_consolidation=no_cr", or "" for a study with one path
    start: date | None
    visits: tuple[Visit, ...]
    activities: tuple[Activity, ...]
    assumptions: Mapping[str, str]  # id → rationale, for the footnotes
    notes: tuple[str, ...]  # general footnotes (conventions, home doses, compressed cycles)

    @property
    def groups(self) -> list[str]:
        """The column groups in order (consecutive visits of one group share its header)."""
        out: list[str] = []
        for visit in self.visits:
            if not out or out[-1] != visit.group:
                out.append(visit.group)
        return out

    def cell(self, activity: Activity, visit: Visit) -> str:
        return visit.cells.get(activity, "")

    def __repr__(self) -> str:
        return f"<SoA {self.protocol_id}: {len(self.activities)} activities, {len(self.visits)} visits>"


def soa_for(path: str | Path, start: date | str | None = None, *, arm: str | None = None,
            branches: Mapping[str, str] | None = None) -> SoA:
    """The Schedule of Activities of a protocol file (of one arm and branches when it has several paths); with
    ``start`` (day 1) each visit also has its target date."""
    return build_soa(compile_file(path, arm=arm, branches=branches), as_date(start, "start"))


def build_soa(timeline: Timeline, start: date | None = None) -> SoA:
    schedule = build_schedule(timeline, start)
    phases = {info.id: info for info in timeline.phases}
    times = {item.event.id: item.t for item in schedule.events}
    slots: dict[tuple, Slot] = {}
    home: list[tuple[ScheduledEvent, tuple]] = []
    for item in schedule.events:
        event = item.event
        if event.kind == "milestone":
            continue
        key = _slot_key(event, item.t, phases, times)
        if event.setting == "home" and event.kind == "dose":
            home.append((item, key))
            continue
        slot = slots.setdefault(key, Slot(key))
        slot.add(item, timeline)
    _place_home_doses(home, slots)
    spans = [(p.start_t, p.end_t, p.info) for p in schedule.phases]
    visits = build_columns(slots, phases, timeline, spans)
    used = sorted({a for visit in visits for a in visit.assumptions}, key=lambda a: int(a[1:]))
    activities = sorted({a for visit in visits for a in visit.cells},
                        key=lambda a: (GROUPS.index(a.group), _first_use(a, visits), a.name))
    notes = _notes(timeline, visits, bool(home))
    return SoA(timeline.protocol_id, timeline.title, timeline.design.label, start, tuple(visits), tuple(activities),
               {a: timeline.assumptions[a].rationale for a in used if a in timeline.assumptions}, tuple(notes))


def _slot_key(event: Event, t: int, phases: Mapping[str, PhaseInfo], times: Mapping[str, int]) -> tuple:
    info = phases.get(event.phase or "")
    if info is not None and info.kind == "cycles":
        match = CYCLE.match(event.id)
        if match:
            return ("cycle", info.id, int(match["cycle"]), int(match["day"]))
    if info is not None:
        reference = times.get(info.reference or "", times.get(info.start, t))
        return ("block", info.id, t - reference)
    return ("other", "", t)


def _place_home_doses(home: list[tuple[ScheduledEvent, tuple]], slots: dict[tuple, Slot]) -> None:
    """Each home series (a cycle's or a step's doses of one drug) becomes one cell on its first clinic day."""
    series: dict[tuple, list[tuple[ScheduledEvent, tuple]]] = {}
    for item, key in home:
        head = key[:3] if key[0] == "cycle" else key[:2]
        series.setdefault((head, item.event.agent, item.event.dose), []).append((item, key))
    for (head, agent, dose), items in series.items():
        days = [key[3] if key[0] == "cycle" else key[-1] for _, key in items]
        same = sorted((k for k in slots if k[: len(head)] == head), key=lambda k: slots[k].t)
        target = same[0] if same else min((key for _, key in items), key=lambda k: k[-1])
        slot = slots.setdefault(target, Slot(target, [items[0][0]]))
        drug = drug_name(agent) if agent else items[0][0].event.label
        name = capital(" ".join(p for p in (drug, dose) if p)) + " (at home)"
        slot.cells[Activity("treatment", name)] = f"days {day_ranges(days)}"


def _first_use(activity: Activity, visits: list[Visit]) -> int:
    return next((i for i, visit in enumerate(visits) if activity in visit.cells), len(visits))


def _notes(timeline: Timeline, visits: list[Visit], home: bool) -> list[str]:
    notes = []
    if any("–C" in visit.group for visit in visits):
        notes.append("Cycles with the same days and activities share one column group; the study day row lists the "
                     "day of each cycle.")
    if any(".." in visit.key for visit in visits):
        notes.append("D+1–D+14: the same activities every day of the run (first and last study day shown).")
    if home:
        notes.append("Drugs taken at home are dispensed on the cycle's first clinic day; the cell gives their days.")
    notes.append("D+N: days counted from the block's day 0 (the infusion or the transplant); "
                 "windows: days before/after the target.")
    return notes
