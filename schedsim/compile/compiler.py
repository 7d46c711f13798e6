"""Compile a loaded protocol into the timeline IR (``Timeline``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from schedsim.compile.blocks import compile_procedure
from schedsim.compile.context import CompileContext
from schedsim.compile.cycles import compile_cycles
from schedsim.compile.design import add_decisions, design_of
from schedsim.compile.graph import (
    beyond_limit,
    check_anchors,
    check_refs,
    missing_on_path,
    nominal_advance,
    plan_times,
    topological_order,
)
from schedsim.compile.ir import Anchor, ClinicPolicy, Conventions, Event, Requirement, Timeline, merge_ids
from schedsim.compile.paths import PathChoice, choose_path, left_out, on_path
from schedsim.compile.phases import Expansion
from schedsim.errors import InputError, Problem
from schedsim.language.anchors import AnchorExpr
from schedsim.language.durations import MAX_DAYS, Offset
from schedsim.language.loader import LoadedProtocol, load_protocol
from schedsim.language.model import WEEKDAYS, Assessment, Clinic, CyclesPhase, TimingConstraint

HORIZON_ID = "study.horizon"
MAX_REPEATS = 2000


def compile_file(path: str | Path, *, arm: str | None = None, branches: Mapping[str, str] | None = None
                 ) -> Timeline:
    """Load, validate and compile a protocol file (the path of ``arm`` and ``branches``: see ``compile_protocol``)."""
    loaded = load_protocol(path)
    return compile_protocol(loaded, choose_path(loaded, arm, branches))


def compile_protocol(loaded: LoadedProtocol, path: PathChoice | None = None) -> Timeline:
    """Turn a validated protocol into its timeline IR; raises ``InputError`` for unresolvable anchors.

    A study with arms or decisions is compiled one path at a time: ``path`` (default: the first arm, each decision's
    default branch) selects the phases, decisions, assessments and constraints on it.
    """
    path = path if path is not None else choose_path(loaded)
    ctx = CompileContext(loaded, path)
    protocol = loaded.protocol
    chosen = path.chosen
    items = (*protocol.phases, *protocol.decisions, *protocol.assessments)
    kept = {item.id for item in items if on_path(item, path.arm, chosen)}  # an id may be one item per arm or branch
    ctx.left_out.update({item.id: left_out(item, path.arm, chosen) for item in items if item.id not in kept})
    for assessment in protocol.assessments:  # time points only in some arms or branches
        for point in assessment.at if isinstance(assessment.at, list) else ():
            if not on_path(point, path.arm, chosen):
                ctx.left_out[f"{assessment.id}.{point.id}"] = left_out(point, path.arm, chosen)
    expansions: list[Expansion] = []
    previous_end: str | None = None
    for index, phase in enumerate(protocol.phases):
        if not on_path(phase, path.arm, chosen):
            continue
        if isinstance(phase, CyclesPhase):
            expansion = compile_cycles(ctx, index, phase, previous_end)
            if expansion is not None:
                expansions.append(expansion)
        else:
            compile_procedure(ctx, index, phase, previous_end)
        previous_end = f"{phase.id}.end"
    decisions = add_decisions(ctx, path)
    for index, assessment in enumerate(protocol.assessments):
        if not on_path(assessment, path.arm, chosen):
            continue
        expansion = _compile_assessment(ctx, index, assessment)
        if expansion is not None:
            expansions.append(expansion)
    if protocol.horizon is not None:
        _horizon(ctx, protocol.horizon)

    if expansions:  # repeated events need the nominal times of their start and bound: plan those once
        anchors = [anchor for e in expansions for anchor in (e.start, e.bound)]
        check_refs(anchors, ctx.events, ctx.left_out)
        times = plan_times(ctx.events, topological_order(ctx.events, [a.ref for a in anchors]), nominal_advance)
        for expansion in expansions:
            bound = nominal_advance(times[expansion.bound.ref], expansion.bound.offset)
            expansion.generate(times[expansion.start.ref], bound)
    check_anchors(ctx.events, ctx.left_out)
    order = topological_order(ctx.events)
    events = tuple(ctx.events[i] for i in order)

    first = next(phase.id for phase in protocol.phases if on_path(phase, path.arm, chosen))
    day1 = protocol.conventions.day1 or f"{first}.start"
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
        requirements=_requirements(ctx, protocol.constraints, path),
        assessment_labels={a.id: a.label for a in protocol.assessments},
        dlt_window=round(protocol.escalation.dlt_window.approx_days) if protocol.escalation is not None else None,
        design=design_of(protocol, path, decisions, ctx.left_out))


def _horizon(ctx: CompileContext, horizon: AnchorExpr | list[AnchorExpr]) -> None:
    """The end of study: one point, or the latest of several (rule "after"); in a list, the points on phases that are
    not on this path are left out (the latest of those the patient has)."""
    points = horizon if isinstance(horizon, list) else [horizon]
    paths = [("horizon", i) if isinstance(horizon, list) else ("horizon",) for i in range(len(points))]
    kept = [(path, point) for path, point in zip(paths, points, strict=True)
            if len(points) == 1 or missing_on_path(point.ref, ctx.left_out) is None]
    if not kept:
        raise InputError(ctx.doc.problem(("horizon",), "no point of the horizon is on this path: add one every "
                                                       "path has (e.g. the first phase's start + 2y)"))
    ends = tuple(ctx.anchor(ctx.doc, path, point.ref, ctx.expr_offset(point), extra_paths=[("horizon",)])
                 for path, point in kept)
    ctx.add(Event(id=HORIZON_ID, kind="milestone", phase=None, label="End of study (horizon)",
                  rule="after" if len(ends) > 1 else "at", anchors=ends, origin=ctx.origin(ctx.doc, ("horizon",)),
                  assumptions=merge_ids(*(end.assumptions for end in ends))))


def _clinic_policy(clinic: Clinic) -> ClinicPolicy:
    start = None if clinic.start_weekday is None else WEEKDAYS.index(clinic.start_weekday)
    return ClinicPolicy(frozenset(WEEKDAYS.index(day) for day in clinic.open_days), clinic.prefer,
                        frozenset(clinic.move), start, clinic.shift)


def _requirements(ctx: CompileContext, constraints: list[TimingConstraint], choice: PathChoice
                  ) -> tuple[Requirement, ...]:
    """The protocol's declared constraints on this path, their anchors checked against the events."""
    found: list[Requirement] = []
    refs: list[Anchor] = []
    for index, constraint in enumerate(constraints):
        if not on_path(constraint, choice.arm, choice.chosen):
            continue
        path = ("constraints", index)
        refs.append(ctx.anchor(ctx.doc, (*path, "event"), constraint.event, Offset()))
        for bound in ("not_before", "not_after"):
            expr = getattr(constraint, bound)
            if expr is None:
                continue
            anchor = ctx.anchor(ctx.doc, (*path, bound), expr.ref, ctx.expr_offset(expr))
            refs.append(anchor)
            found.append(Requirement(constraint.event, anchor, bound, ctx.origin(ctx.doc, path), constraint.reason))
    check_refs(refs, ctx.events, ctx.left_out)
    return tuple(found)


def _compile_assessment(ctx: CompileContext, index: int, assessment: Assessment) -> Expansion | None:
    doc, path = ctx.doc, ("assessments", index)
    template = ctx.loaded.templates.get(index)  # a standard visit: what its template assumes, its events rest on
    inherited = ctx.assumed(template.doc, template.path, *((*template.path, key) for key in (
        "window", "at", "every", "from", "until"))) if template is not None else ()
    own = merge_ids(ctx.assumed(doc, path, (*path, "window")), inherited)
    common = {"kind": assessment.kind, "phase": None, "activities": tuple(assessment.activities),
              "setting": assessment.setting}

    def written(key: str) -> tuple[str | int, ...]:  # a standard visit's timing: where the protocol gave 'anchor'
        return (*path, "anchor") if template is not None else (*path, key)

    if assessment.at is not None and not isinstance(assessment.at, list):
        anchor = ctx.anchor(doc, written("at"), assessment.at.ref, ctx.expr_offset(assessment.at))
        ctx.add(Event(id=assessment.id, label=assessment.label, rule="at", anchors=(anchor,),
                      origin=ctx.origin(doc, path), window=assessment.window, assumptions=own, **common))
        return None
    if isinstance(assessment.at, list):
        for j, point in enumerate(assessment.at):
            if not on_path(point, ctx.path.arm, ctx.path.chosen):
                continue
            ppath = (*path, "at", j)
            anchor = ctx.anchor(doc, (*ppath, "at"), point.at.ref, ctx.expr_offset(point.at))
            label = point.label or f"{assessment.label}: {point.id.replace('_', ' ')}"
            ctx.add(Event(id=f"{assessment.id}.{point.id}", label=label, rule="at", anchors=(anchor,),
                          origin=ctx.origin(doc, ppath), window=point.window or assessment.window,
                          assumptions=ctx.assumed(doc, ppath, (*path, "window")), **common))
        return None
    assert assessment.every is not None and assessment.from_ is not None and assessment.until is not None
    period = ctx.offset(assessment.every)
    start = ctx.anchor(doc, written("from"), assessment.from_.ref, ctx.expr_offset(assessment.from_))
    bound = ctx.anchor(doc, written("until"), assessment.until.ref, ctx.expr_offset(assessment.until))
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
        if beyond_limit(event, times):  # a candidate past its bound (the horizon) is left out, never planned
            continue
        if abs(times[event.id] - origin) > MAX_DAYS:
            years = abs(times[event.id] - origin) / 365.25
            where = event.anchors[0].origin if event.anchors else event.origin
            raise InputError(Problem(where.file, where.line, where.field,
                                     f"{event.id} falls {years:.0f} years from study day 1 (at most 50)"))

