"""Patient deviation checks: what actually happened to a patient against the plan, re-anchored on the actuals.

Each deviation is a finding of a patient rule (``SCH15x`` errors, ``SCH25x`` warnings) at the actuals file's line,
with the window it broke: early or late out of window (days outside), a dose on a non-dosing day, a date before an
event it follows, a missed visit (recorded, or its window closed without a record as of ``today``), doses of one
agent closer than their minimum interval, a skipped cycle, an unplanned visit. ``schedsim.check.roster`` checks
every patient of a roster.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

from schedsim.calendar.actuals import Actual, Actuals, load_actuals
from schedsim.calendar.patient import CalendarRow, build_calendar
from schedsim.calendar.pins import ResolvedActuals, order_problems, resolve_actuals
from schedsim.check.findings import Because, CheckReport, Finding
from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Origin, Timeline
from schedsim.compile.paths import patient_path
from schedsim.engine.dates import calendar_advance, date_of
from schedsim.engine.subject import EventRecord, plan, run_deterministic
from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date
from schedsim.language.loader import load_protocol

_DOSE_ID = re.compile(r"^(?P<phase>[a-z][a-z0-9_]*)\.c(?P<cycle>\d+)\.d(?P<day>\d+)\.(?P<agent>[a-z][a-z0-9_]*)$")
_NOT_EXPECTED = ("home", "offsite")  # not recorded at the site: never reported missing


def check_patient(timeline: Timeline, actuals: Actuals, *, start: date | str | None = None,
                  today: date | str | None = None,
                  patient_id: str = "patient", disabled: frozenset[str] = frozenset()) -> CheckReport:
    """Every deviation of one patient; ``start`` (study day 1) is read from the day-1 actuals when not given."""
    start, today = as_date(start, "start"), as_date(today, "today")
    unplanned = [e for e in actuals.entries if e.status == "unplanned"]
    off_days = [e for e in actuals.entries if e.status != "unplanned" and _off_day(timeline, e.event_id)]
    set_aside = {id(e) for e in (*unplanned, *off_days)}
    kept = tuple(e for e in actuals.entries if id(e) not in set_aside)
    start = start or infer_start(timeline, kept, actuals.file)
    advance = calendar_advance(start)
    resolved = resolve_actuals(Actuals(actuals.file, kept), timeline, start, advance, today, check_order=False)
    calendar = build_calendar(timeline, start, patient_id=patient_id, today=today, resolved=resolved)
    subject = _Subject(timeline, resolved, patient_id, start)
    findings = [
        *subject.windows(calendar.rows),
        *subject.cycle_starts(run_deterministic(timeline, advance, pins=resolved.pins)),
        *(subject.finding("SCH152", problem.message, resolved.recorded[event_id], [event_id])
          for event_id, problem in order_problems(timeline, resolved, start, advance) if event_id in resolved.recorded),
        *subject.missed(calendar.rows),
        *subject.spacing(calendar.rows),
        *subject.skipped(actuals.entries),
        *(subject.finding("SCH251", f"unplanned visit {e.event_id} on {e.date}", e, []) for e in unplanned),
        *(subject.off_day(e) for e in off_days),
    ]
    findings = sorted((f for f in findings if f.rule not in disabled), key=lambda f: (f.line or 0, f.rule))
    return CheckReport(tuple(findings), (), (actuals.file,))


def check_patient_file(protocol: str | Path, actuals: str | Path, *, start: date | str | None = None,
                       today: date | str | None = None, patient_id: str = "patient", arm: str | None = None,
                       branches: Mapping[str, str] | None = None) -> CheckReport:
    """Load a protocol and an actuals file and check the patient on the patient's arm and branches (the protocol's
    disabled rules stay off)."""
    start, today = as_date(start, "start"), as_date(today, "today")
    loaded = load_protocol(protocol)
    timeline = compile_protocol(loaded, patient_path(loaded, arm, branches))
    return check_patient(timeline, load_actuals(actuals), start=start, today=today, patient_id=patient_id,
                         disabled=frozenset(loaded.protocol.checks.disable))


def infer_start(timeline: Timeline, entries: tuple[Actual, ...], file: str) -> date:
    """Study day 1 from the actuals: the recorded date of an event planned on day 1 (a dose before a visit)."""
    times = plan(timeline)
    day1 = times[timeline.day1]
    rank = {"dose": 0, "procedure": 1}
    candidates = sorted((rank.get(timeline.event(e.event_id).kind, 2), e.line or 0, e.date) for e in entries
                         if e.status == "done" and e.date is not None and e.event_id in timeline.index
                         and times[e.event_id] == day1)
    if not candidates:
        raise InputError(Problem(file, None, "", f"no actual date for study day 1 ({timeline.day1}): give --start"))
    return candidates[0][2]  # type: ignore[return-value]


def _off_day(timeline: Timeline, event_id: str) -> bool:
    """An id like ``induction.c2.d9.bortezomib`` for a cycle and agent that exist, on a day the agent is not given."""
    match = _DOSE_ID.match(event_id)
    if match is None or event_id in timeline.index:
        return False
    prefix = f"{match['phase']}.c{match['cycle']}."
    return f"{prefix}start" in timeline.index and any(
        e.id.startswith(prefix) and e.agent == match["agent"] and e.kind == "dose" for e in timeline.events)


def _early_late(shift: int) -> str:
    """``-1`` → '1 day early', ``3`` → '3 days late'."""
    days = abs(shift)
    return f"{days} day{'s' if days != 1 else ''} {'early' if shift < 0 else 'late'}"


class _Subject:
    """One patient's deviations, each a finding at the actuals line it comes from."""

    def __init__(self, timeline: Timeline, resolved: ResolvedActuals, patient_id: str, start: date) -> None:
        self.timeline = timeline
        self.resolved = resolved
        self.patient_id = patient_id
        self.start = start
        self.dosing_days: dict[tuple[str, str], set[int]] = {}
        for event in timeline.events:
            match = _DOSE_ID.match(event.id)
            if match and event.kind == "dose":
                self.dosing_days.setdefault((match["phase"], match["agent"]), set()).add(int(match["day"]))

    def finding(self, rule: str, message: str, entry: Actual | None, events: list[str],
                because: list[Because] | None = None) -> Finding:
        origin = Origin(entry.file, entry.line, "date") if entry is not None else Origin(self.timeline.file, None, "")
        return Finding.make(rule, message, origin, events, because or [], subject=self.patient_id)

    def _window(self, event_id: str, target: date, earliest: date | None, latest: date | None) -> Because:
        event = self.timeline.event(event_id)
        text = (f"{event_id}: target {target}, window {event.window} ({earliest} to {latest})" if event.window
                else f"{event_id}: target {target}, no window")
        return Because(text, event.origin)

    def windows(self, rows: tuple[CalendarRow, ...]) -> Iterator[Finding]:
        """SCH150 / SCH151: done events outside their window (a dose landing on a non-dosing day is SCH151)."""
        for row in rows:
            if row.status != "done" or row.event_id not in self.resolved.recorded:
                continue
            actual, target = row.scheduled_date, row.target_date
            earliest, latest = row.window_earliest or target, row.window_latest or target
            if earliest <= actual <= latest:
                continue
            entry = self.resolved.recorded[row.event_id]
            how = _early_late((actual - earliest).days if actual < earliest else (actual - latest).days)
            window = self._window(row.event_id, target, row.window_earliest, row.window_latest)
            off = self._cycle_day(row)
            if off is not None:
                yield self.finding("SCH151", f"{row.event_id} given on {actual}, cycle day {off[0]}: not a dosing day "
                                             f"of {row.agent} (days {off[1]}); {how}", entry, [row.event_id], [window])
                continue
            allowed = (f"window {earliest} to {latest} around {target}" if row.window_earliest is not None
                       else f"target {target}, no window")
            yield self.finding("SCH150", f"{row.event_id} done {actual}, {how} ({allowed})", entry, [row.event_id],
                               [window])

    def _cycle_day(self, row: CalendarRow) -> tuple[int, str] | None:
        match = _DOSE_ID.match(row.event_id)
        if match is None or row.agent is None:
            return None
        days = self.dosing_days.get((match["phase"], row.agent), set())
        day = int(match["day"]) + (row.scheduled_date - row.target_date).days
        return None if day in days else (day, ", ".join(map(str, sorted(days))))

    def cycle_starts(self, records: list[EventRecord]) -> Iterator[Finding]:
        """SCH150: a cycle or block that started (from its recorded day-1 event) outside that event's window."""
        targets = {record.event_id: record.target for record in records}
        for milestone, source in self.resolved.propagated.items():
            pinned, target = self.resolved.pins[milestone], targets[milestone]
            event = self.timeline.event(source)
            early, late = (event.window.early, event.window.late) if event.window else (0, 0)
            shift = pinned - target
            if -early <= shift <= late:
                continue
            entry = self.resolved.recorded[source]
            planned = date_of(self.start, target)
            how = _early_late(shift)
            earliest, latest = planned - timedelta(days=early), planned + timedelta(days=late)
            allowed = f"window {earliest} to {latest}" if event.window else "no window"
            yield self.finding("SCH150", f"{milestone.removesuffix('.start')} started {how}: {source} on "
                                         f"{entry.date}, planned {planned} ({allowed})",
                               entry, [source, milestone], [self._window(source, planned, earliest, latest)])

    def missed(self, rows: tuple[CalendarRow, ...]) -> Iterator[Finding]:
        """SCH153: recorded missed, or no record after the window closed (as of today)."""
        for row in rows:
            if row.setting in _NOT_EXPECTED:
                continue
            if row.status == "missed":
                entry = self.resolved.recorded[row.event_id]
                if entry.event_id == row.event_id:
                    yield self.finding("SCH153", f"{row.event_id} missed (planned {row.target_date})", entry,
                                       [row.event_id])
            elif row.status == "overdue":
                closed = row.window_latest or row.target_date
                yield self.finding("SCH153", f"{row.event_id} has no record and its window closed on {closed} "
                                             f"(planned {row.target_date})", None, [row.event_id],
                                   [self._window(row.event_id, row.target_date, row.window_earliest,
                                                 row.window_latest)])
        for entry in {id(e): e for e in self.resolved.recorded.values()}.values():
            if entry.status == "missed" and entry.event_id not in self.timeline.index:
                yield self.finding("SCH153", f"{entry.event_id} missed", entry, [entry.event_id])

    def spacing(self, rows: tuple[CalendarRow, ...]) -> Iterator[Finding]:
        """SCH154: actual doses of an agent closer than its minimum interval."""
        for phase in self.timeline.phases:
            for agent, days, origin in phase.spacing:
                done = sorted((r for r in rows if r.phase == phase.id and r.agent == agent and r.status == "done"),
                              key=lambda r: r.scheduled_date)
                for a, b in zip(done, done[1:], strict=False):
                    gap = (b.scheduled_date - a.scheduled_date).days
                    if gap < days:
                        yield self.finding("SCH154", f"{agent} on {a.scheduled_date} ({a.event_id}) and "
                                                     f"{b.scheduled_date} ({b.event_id}) are {gap} days apart "
                                                     f"(at least {days})", self.resolved.recorded[b.event_id],
                                           [a.event_id, b.event_id], [Because(f"{agent} min_interval {days}d",
                                                                              origin)])

    def skipped(self, entries: tuple[Actual, ...]) -> Iterator[Finding]:
        """SCH250 for a skipped cycle or phase; a skipped single visit counts as missed (SCH153)."""
        for entry in entries:
            if entry.status != "skipped":
                continue
            cancelled = sum(1 for e, s in self.resolved.status.items() if s == "skipped"
                            and self.resolved.recorded.get(e) is entry)
            if entry.event_id in self.timeline.index and not entry.event_id.endswith(".start"):
                yield self.finding("SCH153", f"{entry.event_id} skipped", entry, [entry.event_id])
                continue
            yield self.finding("SCH250", f"{entry.event_id.removesuffix('.start')} skipped ({cancelled} planned "
                                         f"events cancelled)", entry, [entry.event_id])

    def off_day(self, entry: Actual) -> Finding:
        match = _DOSE_ID.match(entry.event_id)
        assert match is not None
        days = sorted(self.dosing_days.get((match["phase"], match["agent"]), set()))
        return self.finding("SCH151", f"{match['agent']} recorded on day {match['day']} of {match['phase']} cycle "
                                      f"{match['cycle']} ({entry.date}): not a dosing day (days "
                                      f"{', '.join(map(str, days))})", entry, [entry.event_id])
