"""What a Gantt chart shows, as plain data: rows of bars and marks, and milestone lines.

Built from a schedule (the protocol's plan) or a patient calendar, without matplotlib: plots draw these rows
and compute no schedule themselves. Times ``t`` are days from study day 1 (day 1 is ``t = 0``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from schedsim.compile.ir import Event, PhaseInfo, Timeline

if TYPE_CHECKING:
    from schedsim.calendar.patient import CalendarRow, PatientCalendar
    from schedsim.engine.schedule import Schedule

RowKind = Literal["phase", "agent", "step", "assessment"]
_CYCLE = re.compile(r"^[a-z0-9_]+\.c(\d+)\.")


@dataclass(frozen=True, slots=True)
class Span:
    """A bar from day ``t0`` to day ``t1`` inclusive."""

    t0: int
    t1: int
    label: str = ""
    assumed: bool = False


@dataclass(frozen=True, slots=True)
class Mark:
    """One event on a row: at ``t``, with its window (days before/after) and, for patients, what happened."""

    t: int
    event_id: str
    kind: str
    early: int | None = None
    late: int | None = None
    assumed: bool = False
    status: str = "planned"
    planned_t: int | None = None  # patients: where the plan had it, when that differs
    out_of_window: bool = False
    label: str = ""  # a named time point of an assessment ("post induction"): which one it is
    window_assumed: bool = False  # the window drawn is an assumed value (the day itself is not)


@dataclass
class GanttRow:
    key: str
    label: str
    kind: RowKind
    spans: list[Span] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    assumed: bool = False


@dataclass(frozen=True, slots=True)
class Milestone:
    t: int
    label: str
    event_id: str
    kind: Literal["line", "decision"] = "line"


@dataclass(frozen=True, slots=True)
class Band:
    """A stretch of days drawn across every row: the DLT window after the infusion."""

    t0: int
    t1: int
    label: str


@dataclass(frozen=True)
class GanttData:
    title: str
    start: date | None
    rows: tuple[GanttRow, ...]
    milestones: tuple[Milestone, ...]
    day_zero: bool = False  # the protocol counts a study day 0
    today: date | None = None
    patient: PatientCalendar | None = None
    bands: tuple[Band, ...] = ()
    heading: str = ""  # a panel's name when several are drawn together (the arm, the branch)

    def row(self, key: str) -> GanttRow:
        return next(row for row in self.rows if row.key == key)

    def extent(self) -> tuple[int, int]:
        """First and last day with something on the chart (bars, marks, planned positions)."""
        marks = [m for row in self.rows for m in row.marks]
        spans = [s for row in self.rows for s in row.spans]
        firsts = [m.t - (m.early or 0) for m in marks] + [s.t0 for s in spans]  # windows too: none is cut off
        lasts = [m.t + (m.late or 0) for m in marks] + [s.t1 for s in spans] + [
            m.planned_t for m in marks if m.planned_t is not None]
        return min(firsts, default=0), max(lasts, default=1)


def protocol_gantt_data(schedule: Schedule) -> GanttData:
    """Rows of a protocol Gantt: each phase (cycles as segments), its agents or steps, then each assessment."""
    timeline = schedule.timeline
    times = {item.event.id: item.t for item in schedule.events}
    items = [(item.event, item.t) for item in schedule.events]
    bounded = {item.event.id: (item.t - item.earliest, item.latest - item.t) for item in schedule.events
               if item.earliest is not None and item.latest is not None}  # as calendars use them (SCH303)
    rows = _rows(timeline, items, lambda event, t: _mark(timeline, event, t, bounded.get(event.id)))
    for phase in schedule.phases:
        row = next(r for r in rows if r.key == phase.info.id)
        starts = sorted((times[e.id], int(e.id.split(".")[1][1:])) for e in timeline.events
                        if _cycle_start(e, phase.info) and e.id in times)
        row.spans = _phase_spans(timeline, phase.info, phase.start_t, phase.end_t, starts)
        row.assumed = row.assumed or any(s.assumed for s in row.spans)
    milestones = _milestones(timeline, times)
    title = f"{timeline.title} ({timeline.protocol_id})" + _path_note(timeline)
    return GanttData(title, schedule.start, tuple(rows), milestones, timeline.conventions.study_day_zero,
                     bands=_bands(timeline, times), heading=_heading(timeline))


def patient_gantt_data(calendar: PatientCalendar) -> GanttData:
    """The same rows for a patient's calendar: where visits are scheduled or happened, and where the plan had them."""
    timeline, start = calendar.timeline, calendar.start
    by_id = {row.event_id: row for row in calendar.rows}

    def mark(event: Event, t: int) -> Mark:
        row = by_id[event.id]
        planned = (row.planned_date - start).days
        day, window = assumed_parts(timeline, event)
        return Mark(t, event.id, event.kind, _days(row.target_date, row.window_earliest),
                    _days(row.window_latest, row.target_date), day, row.status,
                    planned if planned != t else None, row.out_of_window, window_assumed=window)

    items = [(timeline.event(row.event_id), (row.scheduled_date - start).days) for row in calendar.rows]
    rows = _rows(timeline, items, mark)
    for info in timeline.phases:
        row = next((r for r in rows if r.key == info.id), None)
        in_phase = [(r.scheduled_date - start).days for r in calendar.rows if r.phase == info.id]
        if row is None or not in_phase:
            continue
        cycle_starts = sorted((min((r.scheduled_date - start).days for r in calendar.rows
                                   if _cycle_of(r) == (info.id, k)), k) for k in _cycles(calendar.rows, info.id))
        row.spans = _phase_spans(timeline, info, min(in_phase), max(in_phase), cycle_starts, clip=False)
    times = {r.event_id: (r.scheduled_date - start).days for r in calendar.rows}
    milestones = _milestones(timeline, times)
    title = f"Patient {calendar.patient_id}: {timeline.title} ({timeline.protocol_id})" + _path_note(timeline)
    return GanttData(title, start, tuple(rows), milestones, timeline.conventions.study_day_zero, calendar.today,
                     calendar, _bands(timeline, times), _heading(timeline))


def _rows(timeline: Timeline, items: Iterable[tuple[Event, int]], mark: Callable[[Event, int], Mark]
          ) -> list[GanttRow]:
    """Rows in protocol order: phase, then its agents (cycles) or steps (procedures); then assessments."""
    rows: dict[str, GanttRow] = {}
    for info in timeline.phases:
        rows[info.id] = GanttRow(info.id, info.label, "phase")
    later: dict[str, GanttRow] = {}
    for event, t in sorted(items, key=lambda item: timeline.index[item[0].id]):
        if event.kind == "milestone":
            continue
        if event.phase is None:
            group = event.id.split(".")[0]
            row = later.setdefault(group, GanttRow(group, group.replace("_", " ").capitalize(), "assessment"))
        elif event.step is not None:
            key = f"{event.phase}.{event.step}"
            label = re.sub(r" \(day -?\d+\)$", "", event.label.split(":")[0])
            row = rows.setdefault(key, GanttRow(key, label, "step"))
        elif event.kind == "dose" and event.agent:
            key = f"{event.phase}.{event.agent}"
            row = rows.setdefault(key, GanttRow(key, event.agent.replace("_", " "), "agent"))
        else:
            row = rows[event.phase]
        item = mark(event, t)
        row.marks.append(item)
        row.assumed = row.assumed or item.assumed
    ordered = []
    for info in timeline.phases:  # a phase's own rows follow it, in the order they first appear
        ordered.append(rows[info.id])
        ordered += [row for key, row in rows.items() if key.startswith(info.id + ".")]
    for row in later.values():
        labels = {re.sub(r" #\d+$", "", timeline.event(m.event_id).label) for m in row.marks}
        if row.key in timeline.assessment_labels:  # the assessment's own label, not its id ("Mrd", "Il6")
            row.label = timeline.assessment_labels[row.key]
        elif len(labels) == 1:
            row.label = labels.pop()
        named = [m for m in row.marks if not re.fullmatch(r"[a-z0-9_]+\.(\d+|t\d+)", m.event_id)]
        if len(row.marks) > 1 and named:  # time points with names: say which is which
            row.marks[:] = [replace(m, label=m.event_id.split(".", 1)[1].replace("_", " ")) if m in named else m
                            for m in row.marks]
    ordered += sorted(later.values(), key=lambda r: min((m.t for m in r.marks), default=0))
    for row in ordered:
        if row.kind == "step":
            _step_span(row, timeline)
    return ordered


def _step_span(row: GanttRow, timeline: Timeline) -> None:
    """A step that lasts several days (manufacturing) is a bar, not a mark."""
    for mark in list(row.marks):
        duration = timeline.event(mark.event_id).duration
        if duration > 1:
            row.spans.append(Span(mark.t, mark.t + duration - 1, "", mark.assumed))
            row.marks.remove(mark)


def _mark(timeline: Timeline, event: Event, t: int, window: tuple[int, int] | None) -> Mark:
    day, assumed_window = assumed_parts(timeline, event)
    return Mark(t, event.id, event.kind, window[0] if window else None, window[1] if window else None,
                day, window_assumed=assumed_window)


def assumed_parts(timeline: Timeline, event: Event) -> tuple[bool, bool]:
    """Whether the event's own day (its offset, its step, its dosing days, its phase's start) and whether its window
    rest on an assumed value, told apart: an assumed window does not make the day an assumption. Assumptions
    further up its chain of anchors mark the rows where they are made, not every row below them."""
    own = event.own_assumptions
    windows = {i for i in own if timeline.assumptions[i].field.rsplit(".", 1)[-1] == "window"}
    return bool(set(own) - windows), bool(windows)


def _phase_spans(timeline: Timeline, info: PhaseInfo, start_t: int, end_t: int,
                 cycle_starts: list[tuple[int, int]], clip: bool = True) -> list[Span]:
    """The phase bar, or one bar per cycle (the last clipped to the phase end when ``clip``), each labelled with its
    own number (carried on from an earlier phase, or after a skipped cycle): ``cycle_starts`` are (day, number)."""
    if info.kind != "cycles" or not info.cycle_length or not cycle_starts:
        assumed = bool(timeline.event(info.start).own_assumptions)
        return [Span(start_t, end_t, "", assumed)]
    cycle_assumed = any(timeline.event(e.id).own_assumptions for e in timeline.events if _cycle_start(e, info))
    spans = []
    for k, (t0, number) in enumerate(cycle_starts):
        t1 = t0 + info.cycle_length - 1
        if k + 1 < len(cycle_starts):
            t1 = min(t1, cycle_starts[k + 1][0] - 1)
        elif clip:
            t1 = min(t1, max(end_t, t0))
        spans.append(Span(t0, t1, f"C{number}", cycle_assumed))
    return spans


def _cycle_start(event: Event, info: PhaseInfo) -> bool:
    return event.phase == info.id and event.kind == "milestone" and bool(re.match(r"^.+\.c\d+\.start$", event.id))


def _cycle_of(row: CalendarRow) -> tuple[str, int] | None:
    match = _CYCLE.match(row.event_id)
    return (row.phase or "", int(match.group(1))) if match else None


def _cycles(rows: Iterable[CalendarRow], phase: str) -> list[int]:
    return sorted({c[1] for c in (_cycle_of(r) for r in rows) if c is not None and c[0] == phase})


def _milestones(timeline: Timeline, times: dict[str, int]) -> tuple[Milestone, ...]:
    """Lines worth labelling: each block's day 0 (the infusions, ASCT) and each cycles phase's start."""
    found = []
    for info in timeline.phases:
        if info.reference is not None and info.reference in times:
            found.append(Milestone(times[info.reference], f"{info.label} day 0", info.reference))
        elif info.kind == "cycles":
            first = min((t for event_id, t in times.items() if event_id.startswith(info.id + ".")), default=None)
            if first is not None:
                found.append(Milestone(first, f"{info.label} start", info.start))
    if timeline.horizon is not None and timeline.horizon in times:
        found.append(Milestone(times[timeline.horizon], "End of study (horizon)", timeline.horizon))
    for decision in timeline.design.decisions:
        if decision.id in times:
            found.append(Milestone(times[decision.id], f"{decision.label} → {decision.branch_label}", decision.id,
                                   "decision"))
    return tuple(sorted(found, key=lambda m: m.t))


def _bands(timeline: Timeline, times: dict[str, int]) -> tuple[Band, ...]:
    """The DLT window after each infusion, when the protocol escalates doses."""
    if timeline.dlt_window is None:
        return ()
    infusions = [e.id for e in timeline.events if e.role == "infusion" and e.id in times]
    return tuple(Band(times[i], times[i] + timeline.dlt_window, f"DLT window ({timeline.dlt_window} d)")
                 for i in infusions)


def _heading(timeline: Timeline) -> str:
    """A panel's name: the arm's label, and the branches taken."""
    design = timeline.design
    parts = ([f"Arm {design.arm_label}"] if design.arm else []) + [f"{d.label} → {d.branch_label}"
                                                                   for d in design.decisions]
    return "; ".join(parts)


def _path_note(timeline: Timeline) -> str:
    """What the title says of the path drawn: — arm A: …; branch …"""
    heading = _heading(timeline)
    return f" — {heading}" if heading else ""


def _days(later: date | None, earlier: date | None) -> int | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).days
