"""Compile procedure blocks (CAR-T, ASCT): steps on block days around day 0, a backbone of procedures and doses each
placed after the one before, and visits and assessments hanging off it."""

from __future__ import annotations

from schedsim.compile.context import CompileContext
from schedsim.compile.ir import Anchor, Event, PhaseInfo, merge_ids
from schedsim.compile.phases import phase_start
from schedsim.errors import InputError
from schedsim.language.durations import Offset
from schedsim.language.model import ProcedurePhase, Step


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
