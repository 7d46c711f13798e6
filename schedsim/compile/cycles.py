"""Compile treatment cycles: each cycle's start, visits and doses, anchored on the cycle before, counted or repeated
until a bound (a last cycle cut short by the bound is dropped unless ``partial_cycle: keep``)."""

from __future__ import annotations

from collections.abc import Callable

from schedsim.compile.context import CompileContext
from schedsim.compile.ir import Anchor, Event, PhaseInfo, merge_ids
from schedsim.compile.phases import Expansion, phase_start
from schedsim.errors import InputError
from schedsim.language.durations import Offset
from schedsim.language.model import Agent, CyclesPhase, CycleVisit
from schedsim.language.model.types import in_cycles
from schedsim.language.yamlsource import FieldPath, SourceDoc

MAX_CYCLE_DAYS = 365
Limit = Callable[[int], Anchor | None]  # a cycle day's limit (events past it are left out)


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
    first = _first_cycle(ctx, phase, doc, path)
    _check_cycle_days(rdoc, rpath, length, agents, visits, phase.cycles, first)
    spacing = tuple((name, ctx.days(agent.min_interval, rdoc, (*rpath, "agents", name, "min_interval")),
                     ctx.origin(rdoc, (*rpath, "agents", name, "min_interval")))
                    for name, agent in agents.items() if agent.min_interval is not None)
    start = phase_start(ctx, index, phase, previous_end, label)
    end_id = f"{phase.id}.end"
    # an assumed regimen or cycle count moves everything after it: it goes on the timing anchors
    phase_own = ctx.assumed(doc, path, (*path, "regimen"))
    length_assumed = merge_ids(phase_own, ctx.assumed(rdoc, (*rpath, "cycle_length")))

    drop = (phase.until is not None or phase.up_to is not None) and (phase.partial_cycle or "drop") == "drop"

    def generate(count: int, bound: Anchor | None) -> str:
        def limit(day: int) -> Anchor | None:
            """A cycle day's limit: the bound itself, or (partial cycles dropped) the bound less the rest of the
            cycle, so that every day of a cycle that would not end by the bound is left out."""
            if bound is None or not drop:
                return bound
            return Anchor(bound.ref, bound.offset + Offset(-(length - day)), bound.origin, bound.assumptions)

        previous = start.id
        for cycle in range(first, first + count):
            if cycle == first:
                anchor = Anchor(previous, Offset(), ctx.origin(doc, path), phase_own)
            else:
                anchor = Anchor(previous, Offset(length), ctx.origin(rdoc, (*rpath, "cycle_length")), length_assumed)
            cycle_start = ctx.add(Event(
                id=f"{phase.id}.c{cycle}.start", kind="milestone", phase=phase.id, label=f"{label}: cycle {cycle}",
                rule="at", anchors=(anchor,), origin=ctx.origin(doc, path), limit=limit(1), assumptions=phase_own))
            previous = cycle_start.id
            _cycle_visits(ctx, phase.id, cycle, cycle_start.id, rdoc, rpath, visits, limit, phase_own)
            _cycle_doses(ctx, phase.id, cycle, cycle_start.id, rdoc, rpath, agents, limit, phase_own)
        return previous

    stops_on = tuple(phase.stops_on or ())
    counted = phase.cycles if phase.cycles is not None else phase.max_cycles if phase.up_to is None else None
    if counted is not None:  # a count of cycles, or open-ended treatment planned to its maximum number of cycles
        key = "cycles" if phase.cycles is not None else "max_cycles"
        last = generate(counted, None)
        end_anchor = Anchor(last, Offset(length - 1), ctx.origin(doc, (*path, key)),
                            merge_ids(length_assumed, ctx.assumed(doc, (*path, key))))
        ctx.add(Event(id=end_id, kind="milestone", phase=phase.id, label=f"{label}: end", rule="at",
                      anchors=(end_anchor,), origin=ctx.origin(doc, (*path, key)), assumptions=phase_own))
        ctx.phases.append(PhaseInfo(phase.id, "cycles", label, start.id, end_id, ctx.origin(doc, path),
                                    length, counted, spacing=spacing, first_cycle=first,
                                    continues=phase.continues, stops_on=stops_on))
        return None
    if phase.until is not None:
        key = "until"
        bound = ctx.anchor(doc, (*path, key), phase.until.ref, ctx.expr_offset(phase.until))
    else:  # open-ended, up to a duration: the last day of treatment is the day before that much time has passed
        assert phase.up_to is not None
        key = "up_to"
        bound = ctx.anchor(doc, (*path, key), start.id, ctx.offset(phase.up_to) + Offset(-1))
    ctx.add(Event(id=end_id, kind="milestone", phase=phase.id, label=f"{label}: end", rule="at", anchors=(bound,),
                  origin=ctx.origin(doc, (*path, key)), assumptions=phase_own))

    def expand(nominal_start: int, nominal_bound: int) -> None:
        span = max(nominal_bound - nominal_start, 0)
        slack = span // 50 + 3  # calendar months and years can make the real span a little longer
        count = (span + slack) // length + 1
        if count > 1000:
            raise InputError(doc.problem((*path, key), f"'{key}' would repeat {count} cycles (at most 1000)"))
        if phase.max_cycles is not None:
            count = min(count, phase.max_cycles)
        generate(count, bound)
        ctx.phases.append(PhaseInfo(phase.id, "cycles", label, start.id, end_id, ctx.origin(doc, path),
                                    length, None, spacing=spacing, partial_cycle="drop" if drop else "keep",
                                    first_cycle=first, continues=phase.continues, stops_on=stops_on))

    return Expansion(Anchor(start.id, Offset(), start.origin), bound, expand)


def _first_cycle(ctx: CompileContext, phase: CyclesPhase, doc: SourceDoc, path: FieldPath) -> int:
    """1, or the cycle after the last of the phase this one ``continues`` (an earlier phase with a cycle count)."""
    if phase.continues is None:
        return 1
    earlier = next((p for p in ctx.phases if p.id == phase.continues), None)
    if earlier is None or earlier.kind != "cycles" or earlier.cycles is None:
        known = ", ".join(p.id for p in ctx.phases if p.kind == "cycles" and p.cycles is not None) or "none"
        message = (f"'continues' names {phase.continues!r}, which is not an earlier cycles phase with a count of "
                   f"cycles (earlier ones: {known})")
        raise InputError(doc.problem((*path, "continues"), message))
    return earlier.first_cycle + earlier.cycles


def _check_cycle_days(doc: SourceDoc, path: FieldPath, length: int, agents: dict[str, Agent],
                      visits: list[CycleVisit], count: int | None, first: int) -> None:
    for name, agent in agents.items():
        lists = [((*path, "agents", name, "days"), agent.days or ())] + [
            ((*path, "agents", name, "schedule", i, "days"), entry.days)
            for i, entry in enumerate(agent.schedule or ())]
        for where, days in lists:
            outside = [day for day in days if not 1 <= day <= length]
            if outside:
                message = f"dosing day {outside[0]} lies outside the {length}-day cycle (days 1..{length})"
                raise InputError(doc.problem(where, message, "SCH102"))
    for index, visit in enumerate(visits):
        if visit.day > length:
            raise InputError(doc.problem((*path, "visits", index, "day"),
                                         f"visit day {visit.day} lies outside the {length}-day cycle", "SCH102"))
        if count is not None and visit.cycles and any(not first <= c < first + count for c in visit.cycles):
            raise InputError(doc.problem((*path, "visits", index, "cycles"),
                                         f"the phase has cycles {first} to {first + count - 1}"))


def _cycle_visits(ctx: CompileContext, phase_id: str, cycle: int, cycle_start: str, doc: SourceDoc,
                  path: FieldPath, visits: list[CycleVisit], limit: Limit, own: tuple[str, ...]) -> None:
    for index, visit in enumerate(visits):
        if visit.cycles is not None and cycle not in visit.cycles:
            continue
        vpath = (*path, "visits", index)
        template = visit.label or "Cycle {cycle} day {day} visit"
        label = template.replace("{cycle}", str(cycle)).replace("{day}", str(visit.day))
        ctx.add(Event(id=f"{phase_id}.c{cycle}.d{visit.day}", kind=visit.kind, phase=phase_id, label=label,
                      rule="at", anchors=(ctx.anchor(doc, (*vpath, "day"), cycle_start, Offset(visit.day - 1)),),
                      origin=ctx.origin(doc, vpath), window=visit.window, activities=tuple(visit.activities),
                      limit=limit(visit.day), setting="clinic",
                      assumptions=merge_ids(own, ctx.assumed(doc, vpath, (*vpath, "window")))))


def _cycle_doses(ctx: CompileContext, phase_id: str, cycle: int, cycle_start: str, doc: SourceDoc,
                 path: FieldPath, agents: dict[str, Agent], limit: Limit, own: tuple[str, ...]) -> None:
    for name, agent in agents.items():
        dosing = agent.dosing(cycle)
        if dosing is None:  # not given in this cycle
            continue
        days, dose = dosing
        apath = (*path, "agents", name)
        entry = next((i for i, e in enumerate(agent.schedule or ()) if in_cycles(e.cycles, cycle)), None)
        days_path = (*apath, "days") if entry is None else (*apath, "schedule", entry, "days")
        origin, days_origin = ctx.origin(doc, apath), ctx.origin(doc, days_path)
        timing = ctx.assumed(doc, days_path)  # with the schedule entry's and the agent's own
        assumed = merge_ids(own, ctx.assumed(doc, apath, (*apath, "window")))
        label = f"{agent.label or name.capitalize()} {dose}"
        for day in days:
            anchor = Anchor(cycle_start, Offset(day - 1), days_origin, timing)
            ctx.add(Event(id=f"{phase_id}.c{cycle}.d{day}.{name}", kind="dose", phase=phase_id, label=label,
                          rule="at", anchors=(anchor,), origin=origin, agent=name, dose=dose,
                          setting=agent.setting, window=agent.window, limit=limit(day), assumptions=assumed))
