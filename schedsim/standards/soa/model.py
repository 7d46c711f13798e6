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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from schedsim.calendar.home import day_ranges
from schedsim.compile.compiler import compile_file
from schedsim.compile.ir import Event, PhaseInfo, Timeline
from schedsim.engine.dates import date_of, study_day
from schedsim.engine.schedule import ScheduledEvent, build_schedule
from schedsim.inputs import as_date
from schedsim.standards.soa.groups import GROUPS, group_of

_CYCLE = re.compile(r"^(?P<phase>[a-z][a-z0-9_]*)\.c(?P<cycle>\d+)\.d(?P<day>\d+)(?:\.|$)")
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
        return _day_text(self.days, self.key)


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
    slots: dict[tuple, _Slot] = {}
    home: list[tuple[ScheduledEvent, tuple]] = []
    for item in schedule.events:
        event = item.event
        if event.kind == "milestone":
            continue
        key = _slot_key(event, item.t, phases, times)
        if event.setting == "home" and event.kind == "dose":
            home.append((item, key))
            continue
        slot = slots.setdefault(key, _Slot(key))
        slot.add(item, timeline)
    _place_home_doses(home, slots)
    spans = [(p.start_t, p.end_t, p.info) for p in schedule.phases]
    visits = _visits(slots, phases, timeline, spans)
    used = sorted({a for visit in visits for a in visit.assumptions}, key=lambda a: int(a[1:]))
    activities = sorted({a for visit in visits for a in visit.cells},
                        key=lambda a: (GROUPS.index(a.group), _first_use(a, visits), a.name))
    notes = _notes(timeline, visits, bool(home))
    return SoA(timeline.protocol_id, timeline.title, timeline.design.label, start, tuple(visits), tuple(activities),
               {a: timeline.assumptions[a].rationale for a in used if a in timeline.assumptions}, tuple(notes))


@dataclass
class _Slot:
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
        return [Activity("treatment", _capital(name))]
    if event.activities:
        return [Activity(group_of(name, event.kind), _capital(name)) for name in event.activities]
    label = plain_label(event)
    if event.kind == "assessment" and event.id.split(".")[0] in timeline.assessment_labels:
        label = _DAY_SUFFIX.sub("", timeline.assessment_labels[event.id.split(".")[0]])
    return [Activity(group_of(label, event.kind), _capital(label))]


def drug_name(agent: str) -> str:
    """An agent id as a drug name: ``g_csf`` → ``G-CSF``, ``bortezomib`` → ``bortezomib``."""
    parts = agent.replace("_", "-").split("-")
    return "-".join(part.upper() if len(part) <= 3 else part for part in parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _slot_key(event: Event, t: int, phases: Mapping[str, PhaseInfo], times: Mapping[str, int]) -> tuple:
    info = phases.get(event.phase or "")
    if info is not None and info.kind == "cycles":
        match = _CYCLE.match(event.id)
        if match:
            return ("cycle", info.id, int(match["cycle"]), int(match["day"]))
    if info is not None:
        reference = times.get(info.reference or "", times.get(info.start, t))
        return ("block", info.id, t - reference)
    return ("other", "", t)


def _place_home_doses(home: list[tuple[ScheduledEvent, tuple]], slots: dict[tuple, _Slot]) -> None:
    """Each home series (a cycle's or a step's doses of one drug) becomes one cell on its first clinic day."""
    series: dict[tuple, list[tuple[ScheduledEvent, tuple]]] = {}
    for item, key in home:
        head = key[:3] if key[0] == "cycle" else key[:2]
        series.setdefault((head, item.event.agent, item.event.dose), []).append((item, key))
    for (head, agent, dose), items in series.items():
        days = [key[3] if key[0] == "cycle" else key[-1] for _, key in items]
        same = sorted((k for k in slots if k[: len(head)] == head), key=lambda k: slots[k].t)
        target = same[0] if same else min((key for _, key in items), key=lambda k: k[-1])
        slot = slots.setdefault(target, _Slot(target, [items[0][0]]))
        drug = drug_name(agent) if agent else items[0][0].event.label
        name = _capital(" ".join(p for p in (drug, dose) if p)) + " (at home)"
        slot.cells[Activity("treatment", name)] = f"days {day_ranges(days)}"


def _visits(slots: Mapping[tuple, _Slot], phases: Mapping[str, PhaseInfo], timeline: Timeline,
            spans: list[tuple[int, int, PhaseInfo]]) -> list[Visit]:
    columns: list[tuple[int, int, Visit]] = []
    cycles: dict[str, dict[int, list[_Slot]]] = {}
    blocks: dict[str, list[_Slot]] = {}
    for key, slot in slots.items():
        if key[0] == "cycle":
            cycles.setdefault(key[1], {}).setdefault(key[2], []).append(slot)
        elif key[0] == "block":
            blocks.setdefault(key[1], []).append(slot)
        else:
            labels = list(dict.fromkeys(plain_label(item.event) for item in slot.items))
            label = labels[0] if len(labels) == 1 else " + ".join(labels)
            day = study_day(slot.t, timeline.conventions.study_day_zero)
            columns.append((slot.t, 0, _visit(f"day{day}", _group_at(slot.t, spans), label, [slot], timeline)))
    for phase, by_cycle in cycles.items():
        columns += _cycle_columns(phases[phase], by_cycle, timeline)
    for phase, items in blocks.items():
        columns += _block_columns(phases[phase], sorted(items, key=lambda s: s.key[2]), timeline)
    columns.sort(key=lambda c: (c[0], c[1]))
    return _merge_follow_up([visit for _, _, visit in columns])


def _group_at(t: int, spans: list[tuple[int, int, PhaseInfo]]) -> str:
    """The column group of a day outside the phases' own days: the procedure block running then, "Screening" before
    the first phase, else "Follow-up"."""
    for start, end, info in spans:
        if start <= t <= end and info.kind == "procedure":
            return info.label
    return "Screening" if spans and t < min(start for start, _, _ in spans) else "Follow-up"


def _cycle_columns(info: PhaseInfo, by_cycle: Mapping[int, list[_Slot]], timeline: Timeline
                   ) -> list[tuple[int, int, Visit]]:
    pattern = {c: tuple((s.key[3], _window_text(s), tuple(sorted((a.name, v) for a, v in s.cells.items())))
                        for s in sorted(slots, key=lambda s: s.key[3])) for c, slots in by_cycle.items()}
    runs: list[list[int]] = []
    for cycle in sorted(by_cycle):
        if runs and runs[-1][-1] == cycle - 1 and pattern[runs[-1][0]] == pattern[cycle]:
            runs[-1].append(cycle)
        else:
            runs.append([cycle])
    out = []
    for run in runs:
        name = f"C{run[0]}" if len(run) == 1 else f"C{run[0]}–C{run[-1]}"
        group = f"{info.label} {name}"
        first = sorted(by_cycle[run[0]], key=lambda s: s.key[3])
        for order, slot in enumerate(first):
            day = slot.key[3]
            same = [next(s for s in by_cycle[c] if s.key[3] == day) for c in run]
            key = f"{info.id}.c{run[0]}" + (f"-{run[-1]}" if len(run) > 1 else "") + f".d{day}"
            out.append((slot.t, order, _visit(key, group, f"D{day}", same, timeline)))
    return out


def _block_columns(info: PhaseInfo, slots: list[_Slot], timeline: Timeline) -> list[tuple[int, int, Visit]]:
    runs: list[list[_Slot]] = []
    for slot in slots:
        previous = runs[-1][-1] if runs else None
        if (previous is not None and slot.key[2] == previous.key[2] + 1 and slot.cells == previous.cells
                and not _has_window(slot) and not _has_window(previous)):
            runs[-1].append(slot)
        else:
            runs.append([slot])
    out = []
    for order, run in enumerate(runs):
        first, last = run[0].key[2], run[-1].key[2]
        label = f"D{first:+d}" if first == last else f"D{first:+d}–D{last:+d}"
        key = f"{info.id}.d{first:+d}" + ("" if first == last else f"..{last:+d}")
        visit = _visit(key, info.label, label, run, timeline, span=len(run) > 1)
        out.append((run[0].t, order, visit))
    return out


def _window_text(slot: _Slot) -> str:
    """The declared window of the slot's main event (its visit, else its first event with one): "−1/+3 d" (a minus
    sign, not a hyphen: no spreadsheet reads it as a formula)."""
    events = [item.event for item in slot.items]
    main = next((e for e in events if e.kind == "visit" and e.window is not None),
                next((e for e in events if e.window is not None), None))
    if main is None or main.window is None or main.window.early == main.window.late == 0:
        return ""
    early, late = main.window.early, main.window.late
    return f"{'−' + str(early) if early else '0'}/+{late} d"


def _has_window(slot: _Slot) -> bool:
    return any(item.earliest is not None and item.earliest != item.latest for item in slot.items)


def _visit(key: str, group: str, label: str, slots: list[_Slot], timeline: Timeline, span: bool = False) -> Visit:
    """A column from the slots it stands for: several cycles (one occurrence each) or a run of days (first, last)."""
    days_t = [slots[0].t, slots[-1].t] if span else [slot.t for slot in slots]
    first = slots[0]
    window = _window_text(first)
    start = first.items[0].date.fromordinal(first.items[0].date.toordinal() - first.items[0].t) \
        if first.items[0].date is not None else None
    dates = tuple(date_of(start, t) for t in days_t) if start is not None else ()
    day_zero = timeline.conventions.study_day_zero
    assumptions = sorted({a for slot in slots for item in slot.items for a in item.event.own_assumptions},
                         key=lambda a: int(a[1:]))
    return Visit(key, group, label, tuple(study_day(t, day_zero) for t in days_t), dates, window,
                 tuple(assumptions), dict(first.cells))


def _merge_follow_up(visits: list[Visit]) -> list[Visit]:
    """Assessments outside the phases are "Follow-up" columns; one between two columns of the same phase joins
    that phase's group, so a phase's header is not cut in two."""
    out = list(visits)
    for index, visit in enumerate(out):
        if visit.group != "Follow-up" or index == 0 or index == len(out) - 1:
            continue
        before, after = out[index - 1].group, out[index + 1].group
        if before == after and before != "Follow-up":
            out[index] = Visit(visit.key, before, visit.label, visit.days, visit.dates, visit.window,
                               visit.assumptions, visit.cells)
    return out


def _first_use(activity: Activity, visits: list[Visit]) -> int:
    return next((i for i, visit in enumerate(visits) if activity in visit.cells), len(visits))


def _day_text(days: tuple[int, ...], key: str) -> str:
    if ".." in key and len(days) == 2:
        return f"{days[0]}–{days[1]}"
    return ", ".join(str(day) for day in days)


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
