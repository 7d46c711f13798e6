"""Graph work on the anchor network: unknown anchors, circular references, topological order, planning."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

from schedsim.compile.ir import Anchor, Event
from schedsim.errors import CircularReferenceError, Problem, UnknownAnchorError
from schedsim.language.durations import Offset

Advance = Callable[[int, Offset], int]


def nominal_advance(t: int, offset: Offset) -> int:
    """Advance a day count by an offset with average-length calendar months and years."""
    return t + offset.nominal_days


def check_anchors(events: Mapping[str, Event], left_out: Mapping[str, str] | None = None) -> None:
    """Raise ``UnknownAnchorError`` listing every anchor that names no event (with near matches, or why the phase
    it names is not on this path: ``left_out`` maps a phase, assessment or decision id to the reason)."""
    problems = []
    for event in events.values():
        for anchor in (*event.anchors, *((event.limit,) if event.limit else ())):
            if anchor.ref not in events:
                problems.append(_unknown(anchor, events, left_out))
    if problems:
        raise UnknownAnchorError(problems)


def check_refs(anchors: Iterable[Anchor], events: Mapping[str, Event], left_out: Mapping[str, str] | None = None
               ) -> None:
    """Raise ``UnknownAnchorError`` for every anchor in ``anchors`` that names no event."""
    problems = [_unknown(anchor, events, left_out) for anchor in anchors if anchor.ref not in events]
    if problems:
        raise UnknownAnchorError(problems)


def missing_on_path(ref: str, left_out: Mapping[str, str] | None) -> tuple[str, str] | None:
    """(item, why) when ``ref`` names an event of a phase, assessment, time point or decision left off this path."""
    parts = ref.split(".")
    for item in (parts[0], ".".join(parts[:2])):
        if left_out and item in left_out:
            return item, left_out[item]
    return None


def _unknown(anchor: Anchor, events: Mapping[str, Event], left_out: Mapping[str, str] | None = None) -> Problem:
    missing = missing_on_path(anchor.ref, left_out)
    if missing is not None:
        origin = anchor.origin
        return Problem(origin.file, origin.line, origin.field,
                       f"{anchor.ref} is not on this path ({missing[0]} is {missing[1]}): give this item the same "
                       f"'arms' or 'branch', or anchor it on an event every path has", "SCH103")
    close = difflib.get_close_matches(anchor.ref, list(events), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    if "-" in anchor.ref and not close:
        hint = "; put spaces around + and - in anchors ('x.end - 2d')"
    if anchor.ref == "study.horizon":
        hint = "; the protocol declares no 'horizon'"
    origin = anchor.origin
    return Problem(origin.file, origin.line, origin.field, f"unknown anchor {anchor.ref!r}{hint}", "SCH103")


def topological_order(events: Mapping[str, Event], targets: Iterable[str] | None = None) -> list[str]:
    """Events ordered so that every anchor comes before the events it places (stable: protocol order).

    Only ``targets`` and what they depend on when given. Raises ``CircularReferenceError`` naming the loop and
    ``UnknownAnchorError`` for an anchor that names no event.
    """
    order: list[str] = []
    done: set[str] = set()
    on_path: set[str] = set()
    for start in targets if targets is not None else events:
        if start in done:
            continue
        path = [start]
        iterators = [iter(_refs(events[start]))]
        on_path.add(start)
        while iterators:
            anchor = next(iterators[-1], None)
            if anchor is None:
                node = path.pop()
                iterators.pop()
                on_path.discard(node)
                done.add(node)
                order.append(node)
                continue
            child = anchor.ref
            if child in done:
                continue
            if child not in events:
                raise UnknownAnchorError(_unknown(anchor, events))
            if child in on_path:
                raise _circular(events, path[path.index(child):] + [child])
            path.append(child)
            on_path.add(child)
            iterators.append(iter(_refs(events[child])))
    return order


def _refs(event: Event) -> tuple[Anchor, ...]:
    return (*event.anchors, event.limit) if event.limit else event.anchors


def _circular(events: Mapping[str, Event], loop: list[str]) -> CircularReferenceError:
    """``loop`` runs from an event to what it depends on, back to itself; report it in reading order."""
    chain = list(reversed(loop))
    steps = []
    first_origin = None
    for placed, anchor_ref in zip(chain[1:], chain[:-1], strict=True):
        anchor = next(a for a in _refs(events[placed]) if a.ref == anchor_ref)
        first_origin = first_origin or anchor.origin
        steps.append(f"{placed} = {anchor} ({anchor.origin})")
    assert first_origin is not None
    message = "circular reference: " + " → ".join(chain) + "; " + "; ".join(steps)
    return CircularReferenceError(
        Problem(first_origin.file, first_origin.line, first_origin.field, message, "SCH104"))


def plan_times(events: Mapping[str, Event], order: Iterable[str], advance: Advance,
               root_time: int = 0, pins: Mapping[str, int] | None = None) -> dict[str, int]:
    """Time of each event in ``order`` (a topological order): the planned schedule.

    ``pins`` fix the times of events that actually happened; what they place re-anchors on them.
    """
    times: dict[str, int] = {}
    pins = pins or {}
    for event_id in order:
        event = events[event_id]
        if event_id in pins:
            times[event_id] = pins[event_id]
        elif event.rule == "root":
            times[event_id] = root_time
        elif event.rule == "at":
            anchor = event.anchors[0]
            times[event_id] = advance(times[anchor.ref], anchor.offset)
        else:
            times[event_id] = max(advance(times[a.ref], a.offset) for a in event.anchors)
    return times


def beyond_limit(event: Event, times: Mapping[str, int]) -> bool:
    """Whether the plan ``times`` put an event past its limit (a cycle or time point after the horizon): left out."""
    limit = event.limit
    return limit is not None and times[event.id] > nominal_advance(times[limit.ref], limit.offset)
