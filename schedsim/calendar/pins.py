"""What actual dates pin, and what re-anchors on them.

An actual date pins its event. What the protocol places after that event re-anchors on the actual date only when
the date lies outside the event's window (a delay or an advance the schedule must absorb); inside its window, the
actual date is the tolerance the window grants, and everything else keeps its target. A cycle's or block's *start*
is dated by the event that begins it (its day-1 dose, else procedure, else visit) by the same rule: a cycle done 9
days late moves every later cycle, a day-1 visit done the day after a closed Sunday moves nothing else. With
``clinic.shift: cycle`` the cycle always follows its day 1 (cycle days count from the actual day 1). A phase's end
is never dated by an event placed on it: the response assessment done early in its window at the end of induction
does not say that induction ended early.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from schedsim.calendar.actuals import Actual, Actuals, ActualStatus
from schedsim.compile.graph import Advance
from schedsim.compile.ir import Event, Timeline
from schedsim.compile.windows import window_of
from schedsim.engine.subject import plan
from schedsim.errors import InputError, Problem

_PRIORITY = {"dose": 0, "procedure": 1}  # which recorded event best says when a cycle or block started


@dataclass(frozen=True)
class ResolvedActuals:
    """Actuals checked against a timeline: times in days from day 1, and recorded statuses per event.

    ``pins`` are the dates the schedule re-anchors on (the engine places what follows on them); ``held`` are dates
    recorded inside their window, which date their own event and nothing else.
    """

    pins: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, Actual] = field(default_factory=dict)  # event id → the line that pinned or marked it
    propagated: dict[str, str] = field(default_factory=dict)  # start milestone → the recorded event that dated it
    status: dict[str, ActualStatus] = field(default_factory=dict)

    @property
    def actual_times(self) -> dict[str, int]:
        """Every recorded date (held or pinned), and the starts the recorded dates moved."""
        return {**self.held, **self.pins}


def resolve_actuals(actuals: Actuals, timeline: Timeline, start: date, advance: Advance,
                    today: date | None = None, check_order: bool = True) -> ResolvedActuals:
    """Check actuals against a timeline and turn them into pins and statuses; ``InputError`` lists every problem.

    ``unplanned`` entries (visits the protocol does not plan) are left out. With ``check_order=False`` an actual
    dated before an event it follows is accepted (``order_problems`` then lists them, as deviations).
    """
    groups = _groups(timeline)
    on_day1 = _on_day1(timeline)
    planned: dict[str, int] | None = None
    problems: list[Problem] = []
    resolved = ResolvedActuals()
    started = any(e.status == "done" and e.date == start and e.event_id in on_day1 | {timeline.day1}
                  for e in actuals.entries)  # something recorded on day 1: a later day-1 event is a deviation
    done: dict[str, int] = {}
    for entry in actuals.entries:
        if entry.status == "unplanned":
            continue
        known = entry.event_id in timeline.index
        if not known and entry.event_id not in groups and timeline.design.elsewhere(entry.event_id):
            elsewhere = timeline.design.elsewhere(entry.event_id)
            problems.append(entry.problem("event_id", f"{entry.event_id} is not on the patient's path: {elsewhere}"))
            continue
        if not known and entry.event_id not in groups:
            close = difflib.get_close_matches(entry.event_id, [*timeline.index, *groups], n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            problems.append(entry.problem("event_id", f"unknown event {entry.event_id!r} in {timeline.file}{hint}"))
            continue
        if entry.date is not None and today is not None and entry.date > today and entry.status == "done":
            problems.append(entry.problem("date", f"{entry.event_id} on {entry.date} is after today ({today})"))
            continue
        if entry.status == "done":
            if not known:
                message = f"{entry.event_id} is a phase or cycle: give the date of one of its events"
                problems.append(entry.problem("event_id", message))
                continue
            t = (entry.date - start).days  # type: ignore[operator]
            if entry.event_id == timeline.day1 and t != 0:
                problems.append(entry.problem("date", f"{entry.event_id} is study day 1, which is {start}; "
                                                      f"to start the patient on {entry.date}, give that start date"))
                continue
            if entry.event_id in on_day1 and not started:
                planned = planned if planned is not None else plan(timeline, advance)
                event = timeline.event(entry.event_id)
                if not _inside(timeline, event, t, planned):
                    problems.append(entry.problem("date", f"{entry.event_id} is on study day 1 ({start}), outside "
                                                          f"its window on {entry.date}; to start the patient on "
                                                          f"{entry.date}, give that start date"))
                    continue
            done[entry.event_id] = t
            resolved.recorded[entry.event_id] = entry
            resolved.status[entry.event_id] = "done"
            continue
        prefix = groups.get(entry.event_id) or (_cycle_prefix(entry.event_id) if known else None)
        for event in timeline.events:
            if event.id == entry.event_id or (prefix is not None and event.id.startswith(prefix)) or (
                    entry.status == "skipped" and event.id.startswith(entry.event_id + ".")):
                resolved.status.setdefault(event.id, entry.status)
                resolved.recorded.setdefault(event.id, entry)
    if problems:
        raise InputError(problems)
    _place(timeline, resolved, done, advance)
    if check_order:
        problems = [problem for _, problem in order_problems(timeline, resolved, start, advance)]
        if problems:
            raise InputError(problems)
    return resolved


def _place(timeline: Timeline, resolved: ResolvedActuals, done: dict[str, int], advance: Advance) -> None:
    """Decide, in schedule order, which recorded dates re-anchor what follows (``pins``) and which do not."""
    if not done:
        return
    starters = _starters(timeline, done, resolved)
    follow = timeline.clinic.shift == "cycle"
    times = plan(timeline, advance)
    for event in timeline.events:
        found = starters.get(event.id)
        if found is not None:  # a cycle or block start: dated by the recorded event that begins it
            _, t, source = found
            if follow or not _inside(timeline, timeline.event(source), t, times):
                resolved.pins[event.id] = t
                resolved.propagated[event.id] = source
                times = plan(timeline, advance, resolved.pins)
        t = done.get(event.id)
        if t is None:
            continue
        if event.id == timeline.day1 or _inside(timeline, event, t, times):
            resolved.held[event.id] = t
        else:
            resolved.pins[event.id] = t
            times = plan(timeline, advance, resolved.pins)


def _inside(timeline: Timeline, event: Event, t: int, times: dict[str, int]) -> bool:
    """Whether a recorded time lies inside the event's window (its bounded window) around its current target."""
    shift = t - times[event.id]
    window = window_of(timeline, event, times)
    if window is None:
        return shift == 0
    return -window[0] <= shift <= window[1]


def _starters(timeline: Timeline, done: dict[str, int], resolved: ResolvedActuals) -> dict[str, tuple[int, int, str]]:
    """Each cycle or block start → (rank, time, id) of the recorded event that best dates it: one placed on it with no
    offset, a dose before a procedure before a visit, the earliest first (never a pill taken at home). Day 1 is fixed by
    the start date."""
    fixed = day1_group(timeline)
    found: dict[str, tuple[int, int, str]] = {}
    for event_id, t in done.items():
        current = timeline.event(event_id)
        if current.setting == "home":  # a pill taken at home does not say when the cycle started
            continue
        rank = _PRIORITY.get(current.kind, 2)
        while current.rule == "at" and len(current.anchors) == 1:
            anchor = current.anchors[0]
            if anchor.offset.nominal_days != 0 or anchor.offset.is_calendar:
                break
            parent = timeline.event(anchor.ref)
            if (parent.kind != "milestone" or not parent.id.endswith(".start") or parent.id in fixed
                    or parent.id in resolved.recorded):
                break
            best = found.get(parent.id)
            if best is None or (rank, t) < best[:2]:
                found[parent.id] = (rank, t, event_id)
            current = parent
    return found


def order_problems(timeline: Timeline, resolved: ResolvedActuals, start: date, advance: Advance
                   ) -> list[tuple[str, Problem]]:
    """Recorded events dated before an event they follow: (event id, problem at the actual's line)."""
    times = {**plan(timeline, advance, resolved.pins), **resolved.held}
    recorded = [event_id for event_id in timeline.index if event_id in resolved.actual_times]
    found = ((event_id, _order_problem(timeline, resolved, times, start, event_id)) for event_id in recorded)
    return [(event_id, problem) for event_id, problem in found if problem is not None]


def _groups(timeline: Timeline) -> dict[str, str]:
    """Phase and cycle ids (``cart2``, ``induction.c3``) → the id prefix of their events."""
    groups = {phase.id: phase.id + "." for phase in timeline.phases}
    for event in timeline.events:
        prefix = _cycle_prefix(event.id)
        if prefix is not None:
            groups[prefix[:-1]] = prefix
    return groups


def _cycle_prefix(event_id: str) -> str | None:
    """``induction.c3.start`` → ``induction.c3.`` (skipping a cycle's start skips the cycle)."""
    if event_id.endswith(".start") and event_id.count(".") == 2:
        middle = event_id.split(".")[1]
        if middle[:1] == "c" and middle[1:].isdigit():
            return event_id[: -len("start")]
    return None


def _on_day1(timeline: Timeline) -> set[str]:
    """Events placed on study day 1 with no offset (cycle 1's day-1 visit and doses): dated by the start date.
    Pills taken at home are left out: a first pill taken a day late is a deviation, not a later start."""
    group = day1_group(timeline)
    found: set[str] = set()
    for event in timeline.events:  # in schedule order: an anchor comes before what is placed on it
        if event.rule == "at" and len(event.anchors) == 1 and event.id != timeline.day1 and event.setting != "home":
            anchor = event.anchors[0]
            if (anchor.ref in group or anchor.ref in found) and anchor.offset.nominal_days == 0 \
                    and not anchor.offset.is_calendar:
                found.add(event.id)
    return found - group


def day1_group(timeline: Timeline) -> set[str]:
    """Day 1 and the milestones placed on it with no offset (the first cycle's start): fixed by the start date."""
    group = {timeline.day1}
    for event in timeline.events:
        if event.kind == "milestone" and event.rule == "at" and len(event.anchors) == 1:
            anchor = event.anchors[0]
            if anchor.ref in group and anchor.offset.nominal_days == 0 and not anchor.offset.is_calendar:
                group.add(event.id)
    return group


def _order_problem(timeline: Timeline, resolved: ResolvedActuals, times: dict[str, int], start: date,
                   event_id: str) -> Problem | None:
    """A recorded event dated before an event it follows (beyond its window's early side) is impossible."""
    event = timeline.event(event_id)
    entry = resolved.recorded.get(event_id) or resolved.recorded[resolved.propagated[event_id]]
    early = event.window.early if event.window is not None else 0
    for anchor in event.anchors:
        if anchor.offset.nominal_days < 0:
            continue  # placed before its anchor (lymphodepletion before infusion): not a predecessor
        before = times[anchor.ref]
        if times[event_id] + early < before:
            when = start.fromordinal(start.toordinal() + times[event_id])
            anchor_when = start.fromordinal(start.toordinal() + before)
            how = "actual" if anchor.ref in resolved.actual_times else "planned"
            source = resolved.propagated.get(event_id)
            what = f"{source} on {when} would start {event_id}" if source else f"{event_id} on {when} is"
            return entry.problem("date", f"{what} before {anchor.ref} ({how} {anchor_when}), which it follows "
                                         f"({event_id} = {anchor})")
    return None
