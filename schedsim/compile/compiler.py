"""Compile a loaded protocol into the timeline IR (``Timeline``)."""

from __future__ import annotations

from pathlib import Path

from schedsim.compile.blocks import compile_procedure
from schedsim.compile.context import CompileContext
from schedsim.compile.cycles import compile_cycles
from schedsim.compile.graph import check_anchors, check_refs, nominal_advance, plan_times, topological_order
from schedsim.compile.ir import Anchor, ClinicPolicy, Conventions, Event, Requirement, Timeline, merge_ids
from schedsim.compile.phases import Expansion
from schedsim.errors import InputError, Problem
from schedsim.language.durations import MAX_DAYS, Offset
from schedsim.language.loader import LoadedProtocol, load_protocol
from schedsim.language.model import WEEKDAYS, Assessment, Clinic, CyclesPhase, TimingConstraint

HORIZON_ID = "study.horizon"
MAX_REPEATS = 2000


def compile_file(path: str | Path) -> Timeline:
    """Load, validate and compile a protocol file."""
    return compile_protocol(load_protocol(path))


def compile_protocol(loaded: LoadedProtocol) -> Timeline:
    """Turn a validated protocol into its timeline IR; raises ``InputError`` for unresolvable anchors."""
    ctx = CompileContext(loaded)
    protocol = loaded.protocol
    expansions: list[Expansion] = []
    previous_end: str | None = None
    for index, phase in enumerate(protocol.phases):
        if isinstance(phase, CyclesPhase):
            expansion = compile_cycles(ctx, index, phase, previous_end)
            if expansion is not None:
                expansions.append(expansion)
        else:
            compile_procedure(ctx, index, phase, previous_end)
        previous_end = f"{phase.id}.end"
    for index, assessment in enumerate(protocol.assessments):
        expansion = _compile_assessment(ctx, index, assessment)
        if expansion is not None:
            expansions.append(expansion)
    if protocol.horizon is not None:  # one point, or the latest of several (rule "after")
        points = protocol.horizon if isinstance(protocol.horizon, list) else [protocol.horizon]
        paths = [("horizon", i) if isinstance(protocol.horizon, list) else ("horizon",) for i in range(len(points))]
        ends = tuple(ctx.anchor(ctx.doc, path, point.ref, ctx.expr_offset(point), extra_paths=[("horizon",)])
                     for path, point in zip(paths, points, strict=True))
        ctx.add(Event(id=HORIZON_ID, kind="milestone", phase=None, label="End of study (horizon)",
                      rule="after" if len(ends) > 1 else "at", anchors=ends, origin=ctx.origin(ctx.doc, ("horizon",)),
                      assumptions=merge_ids(*(end.assumptions for end in ends))))

    if expansions:  # repeated events need the nominal times of their start and bound: plan those once
        anchors = [anchor for e in expansions for anchor in (e.start, e.bound)]
        check_refs(anchors, ctx.events)
        times = plan_times(ctx.events, topological_order(ctx.events, [a.ref for a in anchors]), nominal_advance)
        for expansion in expansions:
            bound = nominal_advance(times[expansion.bound.ref], expansion.bound.offset)
            expansion.generate(times[expansion.start.ref], bound)
    check_anchors(ctx.events)
    order = topological_order(ctx.events)
    events = tuple(ctx.events[i] for i in order)

    day1 = protocol.conventions.day1 or f"{protocol.phases[0].id}.start"
    if day1 not in ctx.events:
        raise InputError(ctx.doc.problem(("conventions", "day1"), f"unknown event {day1!r}", "SCH103"))
    root = next(e.id for e in events if e.rule == "root")
    _check_extent(ctx, events, day1)
    conventions = protocol.conventions
    return Timeline(
        protocol_id=protocol.id, title=protocol.title, file=ctx.doc.file,
        conventions=Conventions(ctx.month, ctx.year, conventions.month is not None, conventions.year is not None,
                                conventions.study_day_zero, conventions.block_day_zero),
        root=root, day1=day1, horizon=HORIZON_ID if protocol.horizon is not None else None,
        events=events, phases=tuple(ctx.phases),
        assumptions=ctx.assumptions, clinic=_clinic_policy(protocol.clinic),
        requirements=_requirements(ctx, protocol.constraints),
        assessment_labels={a.id: a.label for a in protocol.assessments},
        dlt_window=round(protocol.escalation.dlt_window.approx_days) if protocol.escalation is not None else None)


def _clinic_policy(clinic: Clinic) -> ClinicPolicy:
    start = None if clinic.start_weekday is None else WEEKDAYS.index(clinic.start_weekday)
    return ClinicPolicy(frozenset(WEEKDAYS.index(day) for day in clinic.open_days), clinic.prefer,
                        frozenset(clinic.move), start, clinic.shift)


def _requirements(ctx: CompileContext, constraints: list[TimingConstraint]) -> tuple[Requirement, ...]:
    """The protocol's declared constraints, their anchors checked against the events."""
    found: list[Requirement] = []
    refs: list[Anchor] = []
    for index, constraint in enumerate(constraints):
        path = ("constraints", index)
        refs.append(ctx.anchor(ctx.doc, (*path, "event"), constraint.event, Offset()))
        for bound in ("not_before", "not_after"):
            expr = getattr(constraint, bound)
            if expr is None:
                continue
            anchor = ctx.anchor(ctx.doc, (*path, bound), expr.ref, ctx.expr_offset(expr))
            refs.append(anchor)
            found.append(Requirement(constraint.event, anchor, bound, ctx.origin(ctx.doc, path), constraint.reason))
    check_refs(refs, ctx.events)
    return tuple(found)


def _compile_assessment(ctx: CompileContext, index: int, assessment: Assessment) -> Expansion | None:
    doc, path = ctx.doc, ("assessments", index)
    own = ctx.assumed(doc, path, (*path, "window"))
    common = {"kind": assessment.kind, "phase": None, "activities": tuple(assessment.activities),
              "setting": assessment.setting}
    if assessment.at is not None and not isinstance(assessment.at, list):
        anchor = ctx.anchor(doc, (*path, "at"), assessment.at.ref, ctx.expr_offset(assessment.at))
        ctx.add(Event(id=assessment.id, label=assessment.label, rule="at", anchors=(anchor,),
                      origin=ctx.origin(doc, path), window=assessment.window, assumptions=own, **common))
        return None
    if isinstance(assessment.at, list):
        for j, point in enumerate(assessment.at):
            ppath = (*path, "at", j)
            anchor = ctx.anchor(doc, (*ppath, "at"), point.at.ref, ctx.expr_offset(point.at))
            label = point.label or f"{assessment.label}: {point.id.replace('_', ' ')}"
            ctx.add(Event(id=f"{assessment.id}.{point.id}", label=label, rule="at", anchors=(anchor,),
                          origin=ctx.origin(doc, ppath), window=point.window or assessment.window,
                          assumptions=ctx.assumed(doc, ppath, (*path, "window")), **common))
        return None
    assert assessment.every is not None and assessment.from_ is not None and assessment.until is not None
    period = ctx.offset(assessment.every)
    start = ctx.anchor(doc, (*path, "from"), assessment.from_.ref, ctx.expr_offset(assessment.from_))
    bound = ctx.anchor(doc, (*path, "until"), assessment.until.ref, ctx.expr_offset(assessment.until))
    every_assumed = ctx.assumed(doc, (*path, "every"))

    def expand(nominal_from: int, nominal_bound: int) -> None:
        first = nominal_advance(nominal_from, start.offset)
        span = max(nominal_bound - first, 0)
        count = (span + span // 50 + 3) // period.nominal_days + 1
        if count > MAX_REPEATS:
            raise InputError(doc.problem((*path, "every"), f"repeats {count} times (at most {MAX_REPEATS})"))
        for k in range(0 if assessment.include_from else 1, count + 1):
            anchor = ctx.anchor(doc, (*path, "every"), start.ref, start.offset + period.scaled(k),
                                extra_paths=[(*path, "from")])
            ctx.add(Event(id=f"{assessment.id}.{k}", label=f"{assessment.label} #{k}", rule="at", anchors=(anchor,),
                          origin=ctx.origin(doc, path), window=assessment.window, limit=bound,
                          assumptions=merge_ids(own, every_assumed), **common))

    return Expansion(start, bound, expand)


def _check_extent(ctx: CompileContext, events: tuple[Event, ...], day1: str) -> None:
    """Refuse absurd timelines (an event more than 50 years from day 1), naming the field responsible."""
    by_id = {e.id: e for e in events}
    times = plan_times(by_id, [e.id for e in events], nominal_advance)
    origin = times[day1]
    for event in events:
        if abs(times[event.id] - origin) > MAX_DAYS:
            years = abs(times[event.id] - origin) / 365.25
            where = event.anchors[0].origin if event.anchors else event.origin
            raise InputError(Problem(where.file, where.line, where.field,
                                     f"{event.id} falls {years:.0f} years from study day 1 (at most 50)"))

