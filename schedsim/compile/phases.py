"""Compile phases: treatment cycles and procedure blocks, each into dated events anchored on each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schedsim.compile.context import CompileContext
from schedsim.compile.ir import Anchor, Event, PhaseInfo, merge_ids
from schedsim.errors import InputError
from schedsim.language.durations import Offset
from schedsim.language.model import Agent, CyclesPhase, CycleVisit, ProcedurePhase, Step
from schedsim.language.yamlsource import FieldPath, SourceDoc

MAX_CYCLE_DAYS = 365


@dataclass(frozen=True, slots=True)
class Expansion:
    """Events that repeat until a bound: generated once the rest of the timeline can be planned."""

    start: Anchor
    bound: Anchor
    generate: Callable[[int, int], None]  # (nominal start, nominal bound) → adds events


def phase_start(ctx: CompileContext, index: int, phase: CyclesPhase | ProcedurePhase, previous_end: str | None,
                label: str, day0_shift: int = 0) -> Event:
    """The ``<phase>.start`` milestone, placed by ``start``, ``after``/``gap``, ``day0`` or the previous phase."""
    doc, path = ctx.doc, ("phases", index)
    origin = ctx.origin(doc, path)
    own = ctx.assumed(doc, path)
    common = {"id": f"{phase.id}.start", "kind": "milestone", "phase": phase.id, "label": f"{label}: start",
              "origin": origin, "assumptions": own}
    day0 = getattr(phase, "day0", None)
    if day0 is not None:
        anchor = ctx.anchor(doc, (*path, "day0"), day0.ref, ctx.expr_offset(day0) + Offset(day0_shift))
        return ctx.add(Event(rule="at", anchors=(anchor,), **common))
    if phase.start is not None:
        anchor = ctx.anchor(doc, (*path, "start"), phase.start.ref, ctx.expr_offset(phase.start))
        return ctx.add(Event(rule="at", anchors=(anchor,), **common))
    refs = phase.after_refs or ([previous_end] if previous_end else [])
    if not refs:
        return ctx.add(Event(rule="root", anchors=(), **common))
    gap = ctx.offset(phase.gap) if phase.gap is not None else Offset()
    field_path = (*path, "after") if phase.after is not None else path
    anchors = tuple(ctx.anchor(doc, field_path, ref, Offset(1) + gap, extra_paths=[(*path, "gap")])
                    for ref in refs)
    return ctx.add(Event(rule="after", anchors=anchors, **common))


def compile_cycles(ctx: CompileContext, index: int, phase: CyclesPhase, previous_end: str | None) -> Expansion | None:
    doc, path = ctx.doc, ("phases", index)
    if phase.regimen is not None:
        named = ctx.lookup("regimen", phase.regimen, (*path, "regimen"))
        regimen = named.value
        rdoc, rpath = named.doc, named.path
        length_duration, agents, visits = regimen.cycle_length, regimen.agents, regimen.visits  # type: ignore[union-attr]
        label = phase.label or regimen.label
    else:
        rdoc, rpath = doc, path
        length_duration, agents, visits = phase.cycle_length, phase.agents or {}, phase.visits or []
        label = phase.label or phase.id
    assert length_duration is not None
    length = ctx.days(length_duration, rdoc, (*rpath, "cycle_length"))
    if length > MAX_CYCLE_DAYS:
        raise InputError(rdoc.problem((*rpath, "cycle_length"), f"a {length}-day cycle is longer than a year"))
    _check_cycle_days(rdoc, rpath, length, agents, visits, phase.cycles)
    spacing = tuple((name, ctx.days(agent.min_interval, rdoc, (*rpath, "agents", name, "min_interval")),
                     ctx.origin(rdoc, (*rpath, "agents", name, "min_interval")))
                    for name, agent in agents.items() if agent.min_interval is not None)
    start = phase_start(ctx, index, phase, previous_end, label)
    end_id = f"{phase.id}.end"
    # an assumed regimen or cycle count moves everything after it: it goes on the timing anchors
    phase_own = ctx.assumed(doc, path, (*path, "regimen"))
    length_assumed = merge_ids(phase_own, ctx.assumed(rdoc, (*rpath, "cycle_length")))

    def generate(count: int, limit: Anchor | None) -> str:
        previous = start.id
        for cycle in range(1, count + 1):
            if cycle == 1:
                anchor = Anchor(previous, Offset(), ctx.origin(doc, path), phase_own)
            else:
                anchor = Anchor(previous, Offset(length), ctx.origin(rdoc, (*rpath, "cycle_length")), length_assumed)
            cycle_start = ctx.add(Event(
                id=f"{phase.id}.c{cycle}.start", kind="milestone", phase=phase.id, label=f"{label}: cycle {cycle}",
                rule="at", anchors=(anchor,), origin=ctx.origin(doc, path), limit=limit, assumptions=phase_own))
            previous = cycle_start.id
            _cycle_visits(ctx, phase.id, cycle, cycle_start.id, rdoc, rpath, visits, limit, phase_own)
            _cycle_doses(ctx, phase.id, cycle, cycle_start.id, rdoc, rpath, agents, limit, phase_own)
        return previous

    if phase.cycles is not None:
        last = generate(phase.cycles, None)
        end_anchor = Anchor(last, Offset(length - 1), ctx.origin(doc, (*path, "cycles")),
                            merge_ids(length_assumed, ctx.assumed(doc, (*path, "cycles"))))
        ctx.add(Event(id=end_id, kind="milestone", phase=phase.id, label=f"{label}: end", rule="at",
                      anchors=(end_anchor,),
                      origin=ctx.origin(doc, (*path, "cycles")), assumptions=phase_own))
        ctx.phases.append(PhaseInfo(phase.id, "cycles", label, start.id, end_id, ctx.origin(doc, path),
                                    length, phase.cycles, spacing=spacing))
        return None
    assert phase.until is not None
    bound = ctx.anchor(doc, (*path, "until"), phase.until.ref, ctx.expr_offset(phase.until))
    ctx.add(Event(id=end_id, kind="milestone", phase=phase.id, label=f"{label}: end", rule="at", anchors=(bound,),
                  origin=ctx.origin(doc, (*path, "until")), assumptions=phase_own))

    def expand(nominal_start: int, nominal_bound: int) -> None:
        span = max(nominal_bound - nominal_start, 0)
        slack = span // 50 + 3  # calendar months and years can make the real span a little longer
        count = (span + slack) // length + 1
        if count > 1000:
            raise InputError(doc.problem((*path, "until"), f"'until' would repeat {count} cycles (at most 1000)"))
        generate(count, bound)
        ctx.phases.append(PhaseInfo(phase.id, "cycles", label, start.id, end_id, ctx.origin(doc, path),
                                    length, None, spacing=spacing))

    return Expansion(Anchor(start.id, Offset(), start.origin), bound, expand)


def _check_cycle_days(doc: SourceDoc, path: FieldPath, length: int, agents: dict[str, Agent],
                      visits: list[CycleVisit], count: int | None) -> None:
    for name, agent in agents.items():
        outside = [day for day in agent.days if not 1 <= day <= length]
        if outside:
            message = f"dosing day {outside[0]} lies outside the {length}-day cycle (days 1..{length})"
            raise InputError(doc.problem((*path, "agents", name, "days"), message, "SCH102"))
    for index, visit in enumerate(visits):
        if visit.day > length:
            raise InputError(doc.problem((*path, "visits", index, "day"),
                                         f"visit day {visit.day} lies outside the {length}-day cycle", "SCH102"))
        if count is not None and visit.cycles and any(not 1 <= c <= count for c in visit.cycles):
            raise InputError(doc.problem((*path, "visits", index, "cycles"), f"the phase has {count} cycles"))


def _cycle_visits(ctx: CompileContext, phase_id: str, cycle: int, cycle_start: str, doc: SourceDoc,
                  path: FieldPath, visits: list[CycleVisit], limit: Anchor | None, own: tuple[str, ...]) -> None:
    for index, visit in enumerate(visits):
        if visit.cycles is not None and cycle not in visit.cycles:
            continue
        vpath = (*path, "visits", index)
        template = visit.label or "Cycle {cycle} day {day} visit"
        label = template.replace("{cycle}", str(cycle)).replace("{day}", str(visit.day))
        ctx.add(Event(id=f"{phase_id}.c{cycle}.d{visit.day}", kind=visit.kind, phase=phase_id, label=label,
                      rule="at", anchors=(ctx.anchor(doc, (*vpath, "day"), cycle_start, Offset(visit.day - 1)),),
                      origin=ctx.origin(doc, vpath), window=visit.window, activities=tuple(visit.activities),
                      limit=limit, setting="clinic",
                      assumptions=merge_ids(own, ctx.assumed(doc, vpath, (*vpath, "window")))))


def _cycle_doses(ctx: CompileContext, phase_id: str, cycle: int, cycle_start: str, doc: SourceDoc,
                 path: FieldPath, agents: dict[str, Agent], limit: Anchor | None, own: tuple[str, ...]) -> None:
    for name, agent in agents.items():
        apath = (*path, "agents", name)
        origin, days_origin = ctx.origin(doc, apath), ctx.origin(doc, (*apath, "days"))
        timing = ctx.assumed(doc, (*apath, "days"))
        assumed = merge_ids(own, ctx.assumed(doc, apath, (*apath, "window")))
        label = f"{agent.label or name.capitalize()} {agent.dose}"
        for day in agent.days:
            anchor = Anchor(cycle_start, Offset(day - 1), days_origin, timing)
            ctx.add(Event(id=f"{phase_id}.c{cycle}.d{day}.{name}", kind="dose", phase=phase_id, label=label,
                          rule="at", anchors=(anchor,), origin=origin, agent=name, dose=agent.dose,
                          setting=agent.setting, window=agent.window, limit=limit, assumptions=assumed))


def compile_procedure(ctx: CompileContext, index: int, phase: ProcedurePhase, previous_end: str | None) -> None:
    doc, path = ctx.doc, ("phases", index)
    if phase.block is not None:
        named = ctx.lookup("block", phase.block, (*path, "block"))
        block = named.value
        bdoc, bpath = named.doc, named.path
        steps: list[Step] = block.steps  # type: ignore[union-attr]
        label = phase.label or block.label
    else:
        bdoc, bpath, steps, label = doc, path, phase.steps or [], phase.label or phase.id

    def block_offset(day: int, step_index: int, key: str) -> int:
        if ctx.block_day_zero:
            return day
        if day == 0:
            raise InputError(bdoc.problem((*bpath, "steps", step_index, key),
                                          "block day 0 does not exist when conventions.block_day_zero is false"))
        return day - 1 if day > 0 else day

    spans = []
    for j, step in enumerate(steps):
        key = "days" if step.days is not None else "day"
        offsets = [block_offset(day, j, key) for day in step.block_days]
        end = block_offset(step.until_day, j, "until_day") if step.until_day is not None else offsets[-1]
        spans.append((offsets, end))
    order = sorted(range(len(steps)), key=lambda j: (spans[j][0][0], j))
    first = spans[order[0]][0][0]
    start = phase_start(ctx, index, phase, previous_end, label, day0_shift=first)
    phase_own = ctx.assumed(doc, path, (*path, "block"))

    # Procedures, doses and milestones form the block's backbone, each placed after the previous one;
    # visits and assessments hang off the backbone step before them, so they never move what follows.
    backbone_id, backbone_offset = start.id, first
    last_end, last_ref, last_ref_offset = first, start.id, first
    for j in order:
        step, (offsets, end) = steps[j], spans[j]
        spath = (*bpath, "steps", j)
        key = "days" if step.days is not None else "day"
        step_first: str | None = None
        for day, offset in zip(step.block_days, offsets, strict=True):
            ref, base = (backbone_id, backbone_offset) if step_first is None else (step_first, offsets[0])
            anchor = ctx.anchor(bdoc, (*spath, key), ref, Offset(offset - base), extra_paths=[(*spath, "until_day")])
            if ref == start.id and phase_own:
                anchor = Anchor(anchor.ref, anchor.offset, anchor.origin, merge_ids(anchor.assumptions, phase_own))
            suffix = f".d{day}" if step.days is not None else ""
            targets = list((step.agents or {}).items()) or [(None, None)]
            for agent, dose in targets:
                event_id = f"{phase.id}.{step.id}{suffix}" + (f".{agent}" if agent else "")
                name = step.label or step.id.replace("_", " ").capitalize()
                event = ctx.add(Event(
                    id=event_id, kind=step.kind, phase=phase.id,
                    label=name + (f": {agent} {dose}" if agent else "") + (f" (day {day})" if suffix else ""),
                    rule="at", anchors=(anchor,), origin=ctx.origin(bdoc, spath), window=step.window,
                    agent=agent, dose=dose, activities=tuple(step.activities),
                    duration=end - offsets[0] + 1 if step.until_day is not None else 1,
                    setting=step.setting, step=step.id, role=step.effective_role,
                    assumptions=merge_ids(phase_own, ctx.assumed(bdoc, spath, (*spath, "window")))))
                if step_first is None:
                    step_first = event.id
        assert step_first is not None
        if step.kind not in ("visit", "assessment"):
            backbone_id, backbone_offset = step_first, offsets[0]
        if end >= last_end:
            last_end, last_ref, last_ref_offset = end, step_first, offsets[0]
    end_id = f"{phase.id}.end"
    ctx.add(Event(id=end_id, kind="milestone", phase=phase.id, label=f"{label}: end", rule="at",
                  anchors=(ctx.anchor(bdoc, bpath, last_ref, Offset(last_end - last_ref_offset)),),
                  origin=ctx.origin(doc, path), assumptions=phase_own))
    reference = _reference_event(ctx, phase.id, steps, block.reference if phase.block is not None else None)
    ctx.phases.append(PhaseInfo(phase.id, "procedure", label, start.id, end_id, ctx.origin(doc, path),
                                reference=reference))


def _reference_event(ctx: CompileContext, phase_id: str, steps: list[Step], reference: str | None) -> str | None:
    """The event of the block's day 0: the named reference step, else the step on day 0."""
    step = next((s for s in steps if s.id == reference), None) or next((s for s in steps if 0 in s.block_days), None)
    if step is None:
        return None
    return next((e.id for e in ctx.events.values() if e.phase == phase_id and e.step == step.id), None)
