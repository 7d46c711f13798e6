"""What actually happened to a patient: actual dates that pin events, and missed or skipped visits.

A CSV file with the header ``event_id,date,status`` (status optional: ``done``, ``missed``, ``skipped``, or
``unplanned`` for a visit the protocol does not plan, under any id), or
the same as YAML: a list of ``{event_id, date, status}`` mappings, or a mapping ``event_id: date`` (or
``event_id: {date, status}``). ``missed`` and ``skipped`` need no date and may name a phase (``cart2``) or a
cycle (``induction.c3``) as well as an event; skipping an event skips the events under it (``induction.c3.start``
skips all of cycle 3), and cycle numbering is kept.

Resolving actuals against a timeline (``resolve_actuals``) checks every id and date, and pins the cycle or block
start an event begins: a cycle starts on the date of its recorded day-1 dose (or, failing that, its day-1 visit),
so a cycle delayed 7 days moves every later cycle and whatever is anchored on them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from schedsim.compile.graph import Advance
from schedsim.compile.ir import Event, Timeline
from schedsim.engine.subject import plan
from schedsim.errors import InputError, Problem
from schedsim.inputs import csv_records, csv_rows, read_input
from schedsim.language.yamlsource import parse_yaml

ActualStatus = Literal["done", "missed", "skipped", "unplanned"]
STATUSES: tuple[ActualStatus, ...] = ("done", "missed", "skipped", "unplanned")
_PRIORITY = {"dose": 0, "procedure": 1}  # which pinned event best says when a cycle or block started


@dataclass(frozen=True, slots=True)
class Actual:
    """One line of an actuals file."""

    event_id: str
    date: date | None
    status: ActualStatus
    file: str
    line: int | None

    def problem(self, field: str, message: str) -> Problem:
        return Problem(self.file, self.line, field, message)


@dataclass(frozen=True)
class Actuals:
    """A patient's actuals file, parsed (ids not yet checked against a protocol)."""

    file: str
    entries: tuple[Actual, ...] = ()


@dataclass(frozen=True)
class ResolvedActuals:
    """Actuals checked against a timeline: pinned times (days from day 1) and recorded statuses per event."""

    pins: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, Actual] = field(default_factory=dict)  # event id → the line that pinned or marked it
    propagated: dict[str, str] = field(default_factory=dict)  # milestone → the pinned event that dated it
    status: dict[str, ActualStatus] = field(default_factory=dict)


def load_actuals(path: str | Path, display: str | None = None) -> Actuals:
    """Read an actuals file (``.csv``, or ``.yaml``/``.yml``); ``InputError`` naming file and line if malformed."""
    name = display or str(path)
    text = read_input(path, "actuals", name)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        return parse_actuals_yaml(text, name)
    return parse_actuals_csv(text, name)


def parse_actuals_csv(text: str, name: str) -> Actuals:
    rows = csv_rows(text, name)
    if not rows:
        return Actuals(name)
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    if columns[:2] != ["event_id", "date"] or columns[2:] not in ([], ["status"]):
        message = f"expected the header 'event_id,date,status' (status optional), got {','.join(header)!r}"
        raise InputError(Problem(name, header_line, "header", message))
    entries: list[Actual] = []
    problems: list[Problem] = []
    for number, cells in csv_records(rows, columns, name, problems):
        _entry(name, number, cells["event_id"], cells["date"] or None, cells.get("status") or None, entries, problems)
    return _finish(name, entries, problems)


def parse_actuals_yaml(text: str, name: str) -> Actuals:
    doc = parse_yaml(text, name)
    data = doc.data
    entries: list[Actual] = []
    problems: list[Problem] = []
    if data is None:
        return Actuals(name)
    if isinstance(data, dict):
        for event_id, value in data.items():
            path = (event_id,)
            if isinstance(value, dict):
                unknown = sorted(set(value) - {"date", "status"})
                if unknown:
                    problems.append(doc.problem((*path, unknown[0]), "unknown field (expected date, status)"))
                    continue
                _entry(name, doc.line(path), event_id, value.get("date"), value.get("status"), entries, problems)
            else:
                _entry(name, doc.line(path), event_id, value, None, entries, problems)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            path = (index,)
            if not isinstance(item, dict) or "event_id" not in item:
                problems.append(doc.problem(path, "expected a mapping with event_id, date and status"))
                continue
            unknown = sorted(set(item) - {"event_id", "date", "status"})
            if unknown:
                problems.append(doc.problem((*path, unknown[0]), "unknown field (expected event_id, date, status)"))
                continue
            _entry(name, doc.line(path), item["event_id"], item.get("date"), item.get("status"), entries, problems)
    else:
        raise InputError(Problem(name, 1, "", "expected a list of {event_id, date, status} or a mapping id: date"))
    return _finish(name, entries, problems)


def _entry(name: str, line: int | None, event_id: Any, when: Any, status: Any, entries: list[Actual],
           problems: list[Problem]) -> None:
    if not isinstance(event_id, str) or not event_id.strip():
        problems.append(Problem(name, line, "event_id", "missing event id"))
        return
    status_text = str(status).strip().lower() if status is not None else "done"
    if status_text not in STATUSES:
        problems.append(Problem(name, line, "status",
                                f"unknown status {status!r} (expected done, missed, skipped or unplanned)"))
        return
    day: date | None
    if when is None or when == "":
        day = None
    elif isinstance(when, date):
        day = when
    else:
        try:
            day = date.fromisoformat(str(when).strip())
        except ValueError:
            problems.append(Problem(name, line, "date", f"not a date: {when!r} (expected YYYY-MM-DD)"))
            return
    if day is None and status_text in ("done", "unplanned"):
        problems.append(Problem(name, line, "date", f"{event_id}: a {status_text} event needs its date"))
        return
    entries.append(Actual(event_id.strip(), day, status_text, name, line))  # type: ignore[arg-type]


def _finish(name: str, entries: list[Actual], problems: list[Problem]) -> Actuals:
    seen: dict[str, Actual] = {}
    for entry in entries:
        first = seen.setdefault(entry.event_id, entry)
        if first is not entry:
            problems.append(entry.problem("event_id", f"{entry.event_id} is listed twice (first on line {first.line})"))
    if problems:
        raise InputError(problems)
    return Actuals(name, tuple(entries))


def resolve_actuals(actuals: Actuals, timeline: Timeline, start: date, advance: Advance,
                    today: date | None = None, check_order: bool = True) -> ResolvedActuals:
    """Check actuals against a timeline and turn them into pins and statuses; ``InputError`` lists every problem.

    ``unplanned`` entries (visits the protocol does not plan) are left out. With ``check_order=False`` an actual
    dated before an event it follows is accepted (``order_problems`` then lists them, as deviations).
    """
    groups = _groups(timeline)
    problems: list[Problem] = []
    resolved = ResolvedActuals()
    for entry in actuals.entries:
        if entry.status == "unplanned":
            continue
        known = entry.event_id in timeline.index
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
            resolved.pins[entry.event_id] = t
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
    _propagate(timeline, resolved)
    if check_order:
        problems = [problem for _, problem in order_problems(timeline, resolved, start, advance)]
        if problems:
            raise InputError(problems)
    return resolved


def order_problems(timeline: Timeline, resolved: ResolvedActuals, start: date, advance: Advance
                   ) -> list[tuple[str, Problem]]:
    """Pinned events dated before an event they follow: (event id, problem at the actual's line)."""
    times = plan(timeline, advance, resolved.pins)
    found = ((event_id, _order_problem(timeline, resolved, times, start, event_id)) for event_id in resolved.pins)
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


def _day1_group(timeline: Timeline) -> set[str]:
    """Day 1 and the milestones placed on it with no offset (the first cycle's start): fixed by the start date."""
    group = {timeline.day1}
    for event in timeline.events:
        if event.kind == "milestone" and event.rule == "at" and len(event.anchors) == 1:
            anchor = event.anchors[0]
            if anchor.ref in group and anchor.offset.nominal_days == 0 and not anchor.offset.is_calendar:
                group.add(event.id)
    return group


def _propagate(timeline: Timeline, resolved: ResolvedActuals) -> None:
    """Pin each cycle or block start on the pinned event that begins it (dose first, then procedure, then visit)."""
    fixed = _day1_group(timeline)
    candidates: dict[str, tuple[int, int, str]] = {}
    for event_id, t in resolved.pins.items():
        rank = _PRIORITY.get(timeline.event(event_id).kind, 2)
        current: Event = timeline.event(event_id)
        while current.rule == "at" and len(current.anchors) == 1:
            anchor = current.anchors[0]
            if anchor.offset.nominal_days != 0 or anchor.offset.is_calendar:
                break
            parent = timeline.event(anchor.ref)
            if parent.kind != "milestone" or parent.id in fixed or parent.id in resolved.recorded:
                break
            best = candidates.get(parent.id)
            if best is None or (rank, t) < best[:2]:
                candidates[parent.id] = (rank, t, event_id)
            current = parent
    for milestone, (_, t, source) in candidates.items():
        resolved.pins[milestone] = t
        resolved.propagated[milestone] = source


def _order_problem(timeline: Timeline, resolved: ResolvedActuals, times: dict[str, int], start: date,
                   event_id: str) -> Problem | None:
    """A pinned event dated before an event it follows (beyond its window's early side) is impossible."""
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
            how = "actual" if anchor.ref in resolved.pins else "planned"
            source = resolved.propagated.get(event_id)
            what = f"{source} on {when} would start {event_id}" if source else f"{event_id} on {when} is"
            return entry.problem("date", f"{what} before {anchor.ref} ({how} {anchor_when}), which it follows "
                                         f"({event_id} = {anchor})")
    return None
