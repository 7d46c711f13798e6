"""A scenario resolved against a compiled protocol: which events sample their day or duration, which cycles may be
delayed, where patients may drop out, which events use which shared resource, what counts as study completion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from schedsim.compile.ir import Timeline
from schedsim.engine.sampling import Distribution, stream
from schedsim.engine.subject import plan
from schedsim.errors import InputError, Problem
from schedsim.language.durations import DAYS_PER_MONTH
from schedsim.language.loader import LoadedProtocol, validate_model
from schedsim.language.model import Scenario
from schedsim.language.yamlsource import FieldPath, SourceDoc, load_yaml

CAUSES = ("progression", "death", "withdrawal")


@dataclass(frozen=True)
class Hazard:
    """Dropout during one phase: daily hazard per cause, from the phase's start for ``span`` days."""

    phase: str
    rates: tuple[tuple[str, float], ...]
    span: int


@dataclass(frozen=True)
class SimParameters:
    scenario: Scenario
    source: str  # where the scenario was read: "protocol.yaml simulation" or the scenario file
    step_days: dict[str, tuple[Distribution, int]] = field(default_factory=dict)  # event → (day law, planned day)
    step_durations: dict[str, tuple[Distribution, int]] = field(default_factory=dict)  # event → (law, planned)
    failures: dict[str, tuple[float, int]] = field(default_factory=dict)  # event → (probability, retries)
    cycle_delay: tuple[float, Distribution, frozenset[str]] | None = None
    hazards: dict[str, Hazard] = field(default_factory=dict)  # phase start event → hazard
    manufacturing: frozenset[str] = frozenset()
    beds: dict[str, str] = field(default_factory=dict)  # conditioning event → the event that frees the bed
    chairs: frozenset[str] = frozenset()
    visits: frozenset[str] = frozenset()
    primary: tuple[str, ...] = ()
    arm_shares: dict[str, float] = field(default_factory=dict)  # arm → share of patients (a study with arms)
    branch_shares: dict[str, dict[str, float]] = field(default_factory=dict)  # decision → branch → share

    def describe(self) -> dict[str, Any]:
        """Every parameter, as written into ``summary.json`` and the head of ``events.csv``."""
        data = self.scenario.model_dump(mode="json", exclude_none=True)
        data["source"] = self.source
        if self.arm_shares:  # the shares in effect (the scenario's, else the allocation ratio)
            data["arms"] = {arm: round(share, 6) for arm, share in self.arm_shares.items()}
        if self.branch_shares:  # the scenario's, else the protocol's probabilities, else equal shares
            data["branches"] = {d: {b: round(p, 6) for b, p in shares.items()} for d, shares in
                                self.branch_shares.items()}
        return data


@dataclass(frozen=True)
class Known:
    """What some path of the study has: a scenario naming a step or phase of another arm or branch is not wrong."""

    steps: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()


def references(timelines: Sequence[Timeline]) -> Known:
    """Steps, roles and phases of every path's timeline."""
    steps = {name for t in timelines for e in t.events for name in (e.step, e.role) if name}
    return Known(frozenset(steps), frozenset(p.id for t in timelines for p in t.phases))


def load_scenario(loaded: LoadedProtocol, timeline: Timeline, path: str | Path | SourceDoc | None = None,
                  known: Known | None = None) -> SimParameters:
    """The scenario of ``path`` (a file, or one parsed already: a sweep's grid point), else the protocol's
    ``simulation:`` section, resolved against the timeline (a step or phase it names that only ``known`` paths have is
    left out of this one)."""
    if path is not None:
        doc = path if isinstance(path, SourceDoc) else load_yaml(Path(path), str(path))
        return resolve(validate_model(Scenario, doc), timeline, loaded, doc, (), doc.file, known)
    scenario = loaded.protocol.simulation
    if scenario is None:
        raise InputError(loaded.doc.problem((), "the protocol has no 'simulation:' section: give --scenario FILE"))
    return resolve(scenario, timeline, loaded, loaded.doc, ("simulation",), f"{loaded.doc.file} simulation", known)


def deterministic(start: Any, timeline: Timeline, loaded: LoadedProtocol, dates: list[Any]) -> SimParameters:
    """No randomness and no limits: every patient follows the plan (enrolled on ``dates``)."""
    scenario = Scenario.model_validate({"start": start, "enrolment": {"dates": dates}})
    return resolve(scenario, timeline, loaded, loaded.doc, ("simulation",), "deterministic")


def resolve(scenario: Scenario, timeline: Timeline, loaded: LoadedProtocol, doc: SourceDoc, at: FieldPath,
            source: str, known: Known | None = None) -> SimParameters:
    known = known or Known()
    problems: list[Problem] = []
    step_days: dict[str, tuple[Distribution, int]] = {}
    step_durations: dict[str, tuple[Distribution, int]] = {}
    failures: dict[str, tuple[float, int]] = {}
    phase_ids = {phase.id for phase in timeline.phases}
    planned = plan(timeline)
    references = {phase.id: phase.reference for phase in timeline.phases}
    for key, timing in scenario.steps.items():
        events = [e for e in timeline.events if key in (e.step, e.role)]
        if not events and key in known.steps:  # a step of another arm or branch
            continue
        if not events:
            names = sorted({e.step for e in timeline.events if e.step} | {e.role for e in timeline.events if e.role})
            problems.append(doc.problem((*at, "steps", key), f"no step or role {key!r} in {timeline.file} (steps: "
                                                             f"{', '.join(names)})"))
            continue
        for event in events:
            if timing.day is not None:  # a block day: counted from the block's day 0 (the transplant)
                reference = references.get(event.phase or "")
                block_day = planned[event.id] - (planned[reference] if reference else 0)
                step_days[event.id] = (Distribution.from_spec(timing.day), block_day)
            if timing.duration is not None:
                step_durations[event.id] = (Distribution.from_spec(timing.duration), event.duration)
            if timing.failure:
                failures[event.id] = (timing.failure, timing.retries)
    cycle_delay = None
    if scenario.cycle_delay is not None:
        wanted = scenario.cycle_delay.phases
        for j, name in enumerate(wanted or []):
            if name not in phase_ids and name not in known.phases:
                problems.append(doc.problem((*at, "cycle_delay", "phases", j), f"no phase {name!r}"))
        starts = frozenset(e.id for e in timeline.events if _is_later_cycle_start(e.id)
                           and (wanted is None or e.phase in wanted))
        cycle_delay = (scenario.cycle_delay.probability, Distribution.from_spec(scenario.cycle_delay.delay), starts)
    hazards = {}
    for name, dropout in scenario.dropout.items():
        phase = next((p for p in timeline.phases if p.id == name), None)
        if phase is None and name in known.phases:
            continue
        if phase is None:
            problems.append(doc.problem((*at, "dropout", name), f"no phase {name!r} (phases: "
                                                                f"{', '.join(sorted(phase_ids))})"))
            continue
        rates = tuple((cause, getattr(dropout, cause) / DAYS_PER_MONTH) for cause in CAUSES if getattr(dropout, cause))
        hazards[phase.start] = Hazard(phase.id, rates, planned[phase.end] - planned[phase.start] + 1)
    arm_shares, branch_shares = _design_shares(scenario, loaded, doc, at, problems)
    if problems:
        raise InputError(problems)
    beds = {}
    for phase in timeline.phases:
        for event in timeline.events:
            if event.phase == phase.id and event.role == "conditioning":
                beds[event.id] = phase.end
                break
    return SimParameters(
        scenario=scenario, source=source, step_days=step_days, step_durations=step_durations, failures=failures,
        cycle_delay=cycle_delay, hazards=hazards,
        manufacturing=frozenset(e.id for e in timeline.events if e.role == "manufacturing"),
        beds=beds, chairs=frozenset(e.id for e in timeline.events if e.role in ("apheresis", "collection")),
        visits=frozenset(e.id for e in timeline.events if e.kind != "milestone" and e.setting in (None, "clinic")),
        primary=_primary(timeline, loaded), arm_shares=arm_shares, branch_shares=branch_shares)


def _design_shares(scenario: Scenario, loaded: LoadedProtocol, doc: SourceDoc, at: FieldPath,
                   problems: list[Problem]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Each arm's share (the scenario's, else the allocation ratio) and each decision's branch shares (the
    scenario's, else the protocol's probabilities, else equal)."""
    protocol = loaded.protocol
    allocation = {arm.id: float(arm.allocation) for arm in protocol.arms}
    arms = dict(scenario.arms) if scenario.arms is not None else allocation
    if scenario.arms is not None and set(scenario.arms) != set(allocation):
        names = ", ".join(allocation) or "none: the protocol has no arms"
        problems.append(doc.problem((*at, "arms"), f"give a share for each arm ({names})"))
    total = sum(arms.values()) or 1.0
    branches = {}
    decisions = {d.id: d for d in protocol.decisions}
    for name, given in scenario.branches.items():
        decision = decisions.get(name)
        if decision is None:
            problems.append(doc.problem((*at, "branches", name), f"no decision {name!r} in {protocol.id} "
                                                                 f"(decisions: {', '.join(decisions) or 'none'})"))
        elif set(given) != {b.id for b in decision.branches}:
            problems.append(doc.problem((*at, "branches", name), f"give a share for each branch of {name} "
                                                                 f"({', '.join(b.id for b in decision.branches)})"))
    for name, decision in decisions.items():
        branches[name] = dict(scenario.branches.get(name) or decision.probabilities())
    return {arm: share / total for arm, share in arms.items()}, branches


def _is_later_cycle_start(event_id: str) -> bool:
    parts = event_id.split(".")
    return len(parts) == 3 and parts[2] == "start" and parts[1][:1] == "c" and parts[1][1:].isdigit() and \
        parts[1] != "c1"


def _primary(timeline: Timeline, loaded: LoadedProtocol) -> tuple[str, ...]:
    """Events of the assessments that primary outcomes list (all assessments when no outcome is primary)."""
    names = {a for o in loaded.protocol.outcomes if o.type == "primary" for a in o.assessments}
    names = names or {a.id for a in loaded.protocol.assessments}
    return tuple(e.id for e in timeline.events if e.id in names or e.id.split(".")[0] in names
                 and e.phase is None)


def enrolment_days(params: SimParameters, patients: int, seed: int, replicate: int) -> list[int]:
    """Day 1 of each patient, in days from the scenario start: explicit dates, or Poisson arrivals (with ramp-up)."""
    enrolment = params.scenario.enrolment
    start: date = params.scenario.start
    if enrolment.dates is not None:
        return [(day - start).days for day in sorted(enrolment.dates)[:patients]]
    assert enrolment.rate_per_month is not None
    rng = stream(seed, replicate, 0, "enrolment")
    mean_gap = DAYS_PER_MONTH / enrolment.rate_per_month
    ramp = enrolment.ramp_up.approx_days if enrolment.ramp_up is not None else 0.0
    days, t = [], 0.0
    while len(days) < patients:
        t += float(rng.exponential(mean_gap))
        if ramp and t < ramp and rng.random() >= t / ramp:  # thinning: the rate rises linearly to full
            continue
        days.append(int(t))
    return days
