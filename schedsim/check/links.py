"""What the timing rules demand, as network links: declared constraints, dose spacing, phase order, the CAR-T and
ASCT sequences, maintenance after treatment, CAR-T after engraftment, and time points inside the horizon.

Each builder returns ``Link``s tagged with its rule id; ``schedsim.check.network`` finds which of them cannot hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from schedsim.check.network import target_of
from schedsim.compile.conflicts import Link
from schedsim.compile.ir import Event, PhaseInfo, Timeline

INF = math.inf
Builder = Callable[[Timeline, dict[str, int]], list[Link]]


def declared(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH101: the protocol's ``constraints:`` (not before / not after an anchor)."""
    links = []
    for requirement in timeline.requirements:
        anchor = requirement.anchor
        days = anchor.offset.nominal_days
        reason = f" ({requirement.reason})" if requirement.reason else ""
        if requirement.bound == "not_before":
            text = f"{requirement.event} must not come before {anchor.ref} {anchor.offset}".rstrip() + reason
            links.append(Link(anchor.ref, requirement.event, days, INF, text, requirement.origin, "SCH101"))
        else:
            text = f"{requirement.event} must not come after {anchor.ref} {anchor.offset}".rstrip() + reason
            links.append(Link(anchor.ref, requirement.event, -INF, days, text, requirement.origin, "SCH101"))
    return links


def dose_spacing(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH106: consecutive doses of an agent with a ``min_interval`` are at least that far apart."""
    links = []
    for phase in timeline.phases:
        for agent, days, origin in phase.spacing:
            doses = sorted((e for e in timeline.events if e.phase == phase.id and e.agent == agent
                            and e.kind == "dose"), key=lambda e: (times[e.id], timeline.index[e.id]))
            for before, after in zip(doses, doses[1:], strict=False):
                text = f"{after.id} must come at least {days} d after {before.id} ({agent} min_interval)"
                links.append(Link(before.id, after.id, days, INF, text, origin, "SCH106"))
    return links


def phase_order(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH107 (consecutive phases do not overlap) and SCH110 (maintenance after every earlier phase)."""
    phases = ordered_phases(timeline)
    links = []
    for position, phase in enumerate(phases[1:], start=1):
        if is_maintenance(phase):
            for earlier in phases[:position]:
                text = (f"{phase.start} must come after {earlier.end} ({phase.label} after {earlier.label} "
                        f"and its monitoring)")
                links.append(Link(earlier.end, phase.start, 1, INF, text, phase.origin, "SCH110"))
            continue
        previous = phases[position - 1]
        text = f"{phase.start} must come after {previous.end} (phases run in the order written)"
        links.append(Link(previous.end, phase.start, 1, INF, text, phase.origin, "SCH107"))
    return links


def procedure_sequences(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH108 (apheresis < lymphodepletion < infusion, vein-to-vein ≥ manufacturing, bridging before
    lymphodepletion) and SCH109 (mobilisation ≤ collection < conditioning on day −2/−1 < stem cells)."""
    links: list[Link] = []
    for phase in timeline.phases:
        roles = _roles(timeline, phase, times)
        order = _Order(roles, links)
        order.add("apheresis", "manufacturing", 0, INF, "manufacturing starts from the apheresis product", "SCH108")
        order.add("apheresis", "lymphodepletion", 1, INF, "apheresis before lymphodepletion", "SCH108")
        if "lymphodepletion" in roles:
            order.add("lymphodepletion", "infusion", 1, INF, "lymphodepletion before infusion", "SCH108")
        else:
            order.add("apheresis", "infusion", 1, INF, "apheresis before infusion", "SCH108")
        order.add("bridging", "lymphodepletion", 1, INF, "bridging ends before lymphodepletion", "SCH108")
        if "manufacturing" in roles and "infusion" in roles:
            making = roles["manufacturing"][0]
            infusion = roles["infusion"][0]
            text = (f"{infusion.id} must come at least {making.duration} d after {making.id} (vein-to-vein at least "
                    f"the {making.duration}-day manufacturing)")
            links.append(Link(making.id, infusion.id, making.duration, INF, text, infusion.origin, "SCH108"))
        order.add("mobilisation", "collection", 0, INF, "collection after mobilisation starts", "SCH109",
                  from_start=True)
        order.add("collection", "conditioning", 1, INF, "cells collected before conditioning", "SCH109")
        order.add("conditioning", "transplant", 1, 2, "conditioning on day -2 or -1", "SCH109")
        order.add("transplant", "engraftment", 1, INF, "engraftment after the stem-cell infusion", "SCH109",
                  from_start=True)
    return links


class _Order:
    """Adds "the ``second`` role comes l..u days after the ``first``" links for the roles a block has."""

    def __init__(self, roles: dict[str, list[Event]], links: list[Link]) -> None:
        self.roles = roles
        self.links = links

    def add(self, before: str, after: str, lower: float, upper: float, why: str, rule: str,
            from_start: bool = False) -> None:
        """``after``'s first event comes lower..upper days after ``before``'s last (or first) event."""
        if before not in self.roles or after not in self.roles:
            return
        a = self.roles[before][0 if from_start else -1]
        b = self.roles[after][0]
        bound = f"{lower:g}" if upper == INF else f"{lower:g}–{upper:g}"
        text = f"{b.id} must come {bound} d after {a.id} ({why})"
        self.links.append(Link(a.id, b.id, lower, upper, text, b.origin, rule))


def engraftment(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH111: CAR-T lymphodepletion (or infusion) after an earlier ASCT's engraftment window has closed."""
    links = []
    phases = ordered_phases(timeline)
    for position, phase in enumerate(phases):
        roles = _roles(timeline, phase, times)
        starts = roles.get("lymphodepletion") or roles.get("infusion")
        if not starts:
            continue
        for earlier in phases[:position]:
            engrafted = _roles(timeline, earlier, times).get("engraftment")
            if not engrafted:
                continue
            event = engrafted[0]
            late = event.window.late if event.window is not None else 0
            text = (f"{starts[0].id} must come after {event.id}'s window closes (+{late} d): CAR-T waits for "
                    f"engraftment")
            links.append(Link(target_of(event), starts[0].id, late + 1, INF, text, starts[0].origin, "SCH111"))
    return links


def horizon(timeline: Timeline, times: dict[str, int]) -> list[Link]:
    """SCH112: every anchored assessment or visit, and every counted phase's end, on or before the horizon."""
    if timeline.horizon is None:
        return []
    links = []
    ends = {phase.end for phase in timeline.phases if phase.cycles is not None or phase.kind == "procedure"}
    for event in timeline.events:
        anchored = event.kind in ("assessment", "visit") and event.phase is None and event.limit is None
        if not anchored and event.id not in ends:
            continue
        text = f"{event.id} must fall on or before {timeline.horizon} (inside the study)"
        links.append(Link(target_of(event), timeline.horizon, 0, INF, text, event.origin, "SCH112"))
    return links


BUILDERS: tuple[Builder, ...] = (declared, dose_spacing, phase_order, procedure_sequences, engraftment, horizon)


def rule_links(timeline: Timeline, times: dict[str, int], disabled: set[str]) -> list[Link]:
    """Every enabled rule's links."""
    links = [link for builder in BUILDERS for link in builder(timeline, times)]
    return [link for link in links if link.rule not in disabled]


def ordered_phases(timeline: Timeline) -> list[PhaseInfo]:
    """Phases in the order the protocol writes them (phases repeated until a bound are compiled last)."""
    return sorted(timeline.phases, key=lambda phase: (phase.origin.line or 0))


def is_maintenance(phase: PhaseInfo) -> bool:
    """A maintenance phase: named so, or cycles repeated until a bound rather than counted."""
    return "mainten" in f"{phase.id} {phase.label}".lower() or (phase.kind == "cycles" and phase.cycles is None)


def _roles(timeline: Timeline, phase: PhaseInfo, times: dict[str, int]) -> dict[str, list[Event]]:
    """The phase's events by step role, each list in planned order."""
    found: dict[str, list[Event]] = {}
    for event in timeline.events:
        if event.phase == phase.id and event.role is not None:
            found.setdefault(event.role, []).append(event)
    for events in found.values():
        events.sort(key=lambda e: (times[e.id], timeline.index[e.id]))
    return found
