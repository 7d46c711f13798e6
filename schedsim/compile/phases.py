"""Compile phases: what cycles and procedure blocks share (a phase's start; events generated until a bound).

Treatment cycles are ``schedsim.compile.cycles``, procedure blocks ``schedsim.compile.blocks``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schedsim.compile.context import CompileContext
from schedsim.compile.ir import Anchor, Event
from schedsim.language.durations import Offset
from schedsim.language.model import CyclesPhase, ProcedurePhase


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
