"""Protocol rules that look at structure and the planned days rather than at the constraint network: outcomes and
assessments, cycle counts against the source text, windows, conventions, assumptions (the rules that build calendars
are ``schedsim.check.calendars``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

from schedsim.check.findings import Because, Finding
from schedsim.check.links import ordered_phases
from schedsim.compile.conflicts import Link
from schedsim.compile.graph import beyond_limit
from schedsim.compile.ir import Event, Origin, Timeline
from schedsim.inputs import within
from schedsim.language.loader import LoadedProtocol
from schedsim.language.yamlsource import format_path

Context = tuple[LoadedProtocol, Timeline, dict[str, int]]
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12}
_CYCLES_TEXT = re.compile(
    r"\b(?P<count>\d+|" + "|".join(_NUMBERS) + r")\s+(?:(?P<length>\d+)[- ]day\s+)?cycles?\s+of\s+(?P<what>[^.;]*)",
    re.IGNORECASE)
_GENERIC = {"cycle", "cycles", "therapy", "regimen", "treatment", "based", "with", "phase"}


def outcomes(ctx: Context) -> Iterator[Finding]:
    """SCH113: each outcome lists existing assessments and has a time frame."""
    loaded, _, _ = ctx
    known = [assessment.id for assessment in loaded.protocol.assessments]
    for index, outcome in enumerate(loaded.protocol.outcomes):
        path = ("outcomes", index)
        if not outcome.time_frame.strip():
            yield _finding("SCH113", f"outcome {outcome.id} has no time frame", loaded, (*path, "time_frame"))
        if not outcome.assessments:
            yield _finding("SCH113", f"outcome {outcome.id} ({outcome.measure}) lists no assessment that measures "
                                     f"it (time frame: {outcome.time_frame})", loaded, path)
        for j, name in enumerate(outcome.assessments):
            if name not in known:
                close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
                hint = f"; did you mean {' or '.join(close)}?" if close else ""
                yield _finding("SCH113", f"outcome {outcome.id} lists unknown assessment {name!r}{hint}", loaded,
                               (*path, "assessments", j))


def unused_assessments(ctx: Context) -> Iterator[Finding]:
    """SCH205: assessments that no outcome lists (standard visits such as screening are study conduct: left out)."""
    loaded, _, _ = ctx
    used = {name for outcome in loaded.protocol.outcomes for name in outcome.assessments}
    for index, assessment in enumerate(loaded.protocol.assessments):
        if assessment.id not in used and index not in loaded.templates:
            yield _finding("SCH205", f"no outcome lists assessment {assessment.id} ({assessment.label})", loaded,
                           ("assessments", index))


def cycle_counts(ctx: Context) -> Iterator[Finding]:
    """SCH114: "3 cycles of induction" in the quoted source text against the phase's cycles and cycle length."""
    loaded, timeline, _ = ctx
    note = loaded.protocol.source.note or ""
    note_line = loaded.doc.line(("source", "note"))
    phases = {phase.id: phase for phase in timeline.phases if phase.kind == "cycles"}
    for match in _CYCLES_TEXT.finditer(note):
        what = match.group("what").lower()
        words = what.split()[:6]
        count_text = match.group("count").lower()
        count = _NUMBERS.get(count_text) or int(count_text)
        best = None
        for phase in phases.values():
            keys = {phase.id.lower()} | {w for w in re.split(r"\W+", phase.label.lower()) if len(w) > 4} - _GENERIC
            hits = [i for i, word in enumerate(words) if any(key in word for key in keys)]
            if hits and (best is None or hits[0] < best[0]):
                best = (hits[0], phase)
        if best is None:
            continue
        phase = best[1]
        index = next(i for i, p in enumerate(loaded.protocol.phases) if p.id == phase.id)
        quote = match.group(0).strip()[:80]
        if phase.cycles is not None and phase.cycles != count:
            yield _finding("SCH114", f"{phase.id} has {phase.cycles} cycles but the source says \"{quote}\" "
                                     f"(source.note, line {note_line})", loaded, ("phases", index, "cycles"))
        length = match.group("length")
        if length and phase.cycle_length is not None and int(length) != phase.cycle_length:
            yield _finding("SCH114", f"{phase.id} has {phase.cycle_length}-day cycles but the source says \"{quote}\" "
                                     f"(source.note, line {note_line})", loaded, ("phases", index))


def window_overlaps(ctx: Context) -> Iterator[Finding]:
    """SCH202: consecutive visits of one schedule whose windows share days."""
    _, timeline, times = ctx
    series: dict[str, list[Event]] = {}
    for event in timeline.events:
        if event.window is not None and event.kind != "milestone":
            series.setdefault(series_key(event), []).append(event)
    for events in series.values():
        events.sort(key=lambda e: (times[e.id], timeline.index[e.id]))
        pairs = [(a, b) for a, b in zip(events, events[1:], strict=False)
                 if times[a.id] + a.window.late >= times[b.id] - b.window.early]  # type: ignore[union-attr]
        if pairs:
            a, b = pairs[0]
            more = f" ({len(pairs)} such pairs)" if len(pairs) > 1 else ""
            yield Finding.make("SCH202", f"windows of {a.id} ({a.window}) and {b.id} ({b.window}), "
                                         f"{times[b.id] - times[a.id]} days apart, overlap{more}", b.origin,
                               events=[x for pair in pairs for x in (pair[0].id, pair[1].id)])


def window_crossings(ctx: Context) -> Iterator[Finding]:
    """SCH203: a visit window reaching into the previous or next phase."""
    _, timeline, times = ctx
    phases = ordered_phases(timeline)
    position = {phase.id: i for i, phase in enumerate(phases)}
    for event in timeline.events:
        if event.window is None or event.phase is None or event.kind == "milestone":
            continue
        i = position[event.phase]
        t = times[event.id]
        if (i + 1 < len(phases) and t + event.window.late >= times[phases[i + 1].start] > t
                and phases[i + 1].continues != phases[i].id):
            nxt = phases[i + 1]
            yield Finding.make("SCH203", f"the window of {event.id} ({event.window}) reaches {nxt.label} "
                                         f"({nxt.start}, {times[nxt.start] - t} days after it)", event.origin,
                               events=[event.id, nxt.start])
        if i > 0 and t - event.window.early <= times[phases[i - 1].end] < t and phases[i].continues != phases[i - 1].id:
            before = phases[i - 1]
            yield Finding.make("SCH203", f"the window of {event.id} ({event.window}) reaches back into "
                                         f"{before.label} ({before.end}, {t - times[before.end]} days before it)",
                               event.origin, events=[event.id, before.end])


def conventions(ctx: Context) -> Iterator[Finding]:
    """SCH204: months or years used without a declared convention."""
    _, timeline, _ = ctx
    anchors = [a for e in timeline.events for a in (*e.anchors, *((e.limit,) if e.limit else ()))]
    anchors += [r.anchor for r in timeline.requirements]
    for unit, declared, used in (("month", timeline.conventions.month_declared, lambda a: a.offset.months),
                                 ("year", timeline.conventions.year_declared, lambda a: a.offset.years)):
        first = next((a for a in anchors if used(a)), None)
        if first is not None and not declared:
            meaning = timeline.conventions.month if unit == "month" else timeline.conventions.year
            yield Finding.make("SCH204", f"'{first}' counts {unit}s but conventions.{unit} is not declared "
                                         f"(read as {meaning})", first.origin)


def time_point_order(ctx: Context) -> Iterator[Finding]:
    """SCH207: a list of time points gives distinct dates in the order written."""
    loaded, timeline, times = ctx
    for index, assessment in enumerate(loaded.protocol.assessments):
        if not isinstance(assessment.at, list):
            continue
        points = [f"{assessment.id}.{point.id}" for point in assessment.at]
        for j, (a, b) in enumerate(zip(points, points[1:], strict=False), start=1):
            if a in timeline.index and b in timeline.index and times[b] <= times[a]:
                how = "the same day as" if times[b] == times[a] else f"{times[a] - times[b]} days before"
                yield _finding("SCH207", f"{b} falls {how} {a}, which is listed before it", loaded,
                               ("assessments", index, "at", j), events=[a, b])


def assumptions(ctx: Context) -> Iterator[Finding]:
    """SCH302: the assumed values, for a reviewer to confirm."""
    loaded, timeline, _ = ctx
    if not timeline.assumptions:
        return
    because = [Because(f"{info.id}: {info.rationale}", Origin(info.file, info.line, info.field))
               for info in timeline.assumptions.values()]
    yield Finding.make("SCH302", f"{len(because)} values are assumed (not stated by the source record)",
                       Origin(loaded.doc.file, None, ""), constraints=because)


def plan_breaks(broken: list[tuple[Link, int]]) -> Iterator[Finding]:
    """SCH201: rules the planned days break though the network can meet them (by moving inside windows)."""
    for link, gap in broken:
        yield Finding.make("SCH201", f"as planned, {link.target} is {gap:+d} days from {link.source}, breaking "
                                     f"{link.rule}: {link.text}; only moving events inside their windows meets it",
                           link.origin, events=[link.source, link.target],
                           constraints=[Because(link.text, link.origin)])


def series_key(event: Event) -> str:
    """The schedule an event repeats in: cycle numbers, block days and repeat counters replaced by ``*``.

    >>> from schedsim.compile.ir import Event, Origin
    >>> series_key(Event("induction.c2.d8.bortezomib", "dose", "induction", "", "at", (), Origin("f", 1, "")))
    'induction.c*.d*.bortezomib'
    """
    key = re.sub(r"\.c\d+(?=\.|$)", ".c*", event.id)
    key = re.sub(r"\.d-?\d+(?=\.|$)", ".d*", key)
    key = re.sub(r"\.\d+$", ".*", key)
    if event.phase is None and "." in key:
        key = key.split(".")[0] + ".*"
    return key


def assessment_extent(ctx: Context) -> Iterator[Finding]:
    """SCH117: an assessment that plans no event (a series whose ``until`` comes before its ``from``, time points
    all past the horizon); SCH118: one planned more than two years before study day 1."""
    loaded, timeline, times = ctx
    day1 = times[timeline.day1]
    design = timeline.design
    for index, assessment in enumerate(loaded.protocol.assessments):
        mine = [e for e in timeline.events if e.id == assessment.id or e.id.startswith(f"{assessment.id}.")]
        if not mine and design.elsewhere(assessment.id) is not None:
            continue  # an assessment of another arm or branch
        planned = [e for e in mine if e.id in times and not beyond_limit(e, times)]
        path = ("assessments", index)
        if not planned:
            why = (" (its series ends before it starts)" if assessment.every is not None else
                   " (every time point lies past the study horizon)")
            yield _finding("SCH117", f"assessment {assessment.id} ({assessment.label}) plans no visit{why}", loaded,
                           (*path, "until") if assessment.every is not None else path)
            continue
        first = min(planned, key=lambda e: times[e.id])
        if times[first.id] - day1 < -730:
            yield _finding("SCH118", f"{first.id} falls {(day1 - times[first.id]) / 365.25:.0f} years before study "
                                     f"day 1", loaded, path, [first.id])


def source_record(ctx: Context) -> Iterator[Finding]:
    """SCH210: ``source.seed`` names a file that is not there (a protocol copied without its record)."""
    loaded, _, _ = ctx
    seed = loaded.protocol.source.seed
    if seed is None:
        return
    where = loaded.path.parent / seed
    if not within(where, loaded.path.parent):  # never probed: no answer to "does this file exist?"
        yield _finding("SCH210", f"source record {seed!r} is outside the protocol's folder and the working folder",
                       loaded, ("source", "seed"))
    elif not where.is_file():
        yield _finding("SCH210", f"source record {seed!r} not found beside the protocol", loaded, ("source", "seed"))


def _finding(rule: str, message: str, loaded: LoadedProtocol, path: tuple[str | int, ...],
             events: list[str] | None = None) -> Finding:
    doc = loaded.doc
    return Finding.make(rule, message, Origin(doc.file, doc.line(path), format_path(path)), events=events or [])


Rule = Callable[[Context], Iterator[Finding]]
def dlt_coverage(ctx: Context) -> Iterator[Finding]:
    """SCH115: the DLT assessments end on the last day of the escalation's DLT window after the infusion."""
    loaded, timeline, times = ctx
    escalation = loaded.protocol.escalation
    infusion = next((e for e in timeline.events if e.role == "infusion"), None)
    if escalation is None or infusion is None:
        return
    ids = {a.id for a in loaded.protocol.assessments if "dlt" in a.id.lower() or "dlt" in (a.label or "").lower()}
    dlt = [e for e in timeline.events if e.id.split(".")[0] in ids and e.phase is None and not beyond_limit(e, times)]
    window = round(escalation.dlt_window.approx_days)
    if not dlt:
        yield _finding("SCH115", f"no DLT assessment covers the {window}-day DLT window (an assessment whose id or "
                                 "label says DLT)", loaded, ("escalation", "dlt_window"))
        return
    last = max(dlt, key=lambda e: times[e.id])
    covered = times[last.id] - times[infusion.id]
    if covered != window:
        how = "before it ends" if covered < window else "after it has ended"
        yield Finding.make("SCH115", f"the DLT assessments end {covered} days after {infusion.id} ({last.id}), "
                                     f"{how}: the escalation's dlt_window is {window} days", last.origin,
                           events=[last.id, infusion.id])


RULE_FUNCTIONS: tuple[Rule, ...] = (outcomes, unused_assessments, cycle_counts, window_overlaps, window_crossings,
                                    conventions, time_point_order, assumptions, dlt_coverage, source_record,
                                    assessment_extent)
