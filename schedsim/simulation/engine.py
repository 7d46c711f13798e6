"""The cohort engine: one simpy environment per replicate, every patient a set of callbacks on it.

An event fires once what places it has fired, at its target (its anchors' actual times plus offsets) moved by
what the scenario adds: a sampled block day (engraftment), a cycle delay, the wait for a shared resource
(manufacturing slot, transplant bed) or for a day with a free apheresis chair or visit slot (inside the window when
possible; outside only when it must). A sampled duration (manufacturing) delays what follows the step; a failed
step is redone. A patient who drops out has every later event recorded as cancelled. Records are compact columns
(``RecordTable``); nothing is global, every draw comes from the patient's named streams.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import simpy

from schedsim.compile.graph import Advance
from schedsim.compile.ir import Timeline
from schedsim.engine.dates import calendar_advance
from schedsim.engine.subject import plan
from schedsim.simulation.parameters import SimParameters
from schedsim.simulation.patient import Patient
from schedsim.simulation.records import RecordTable, merge
from schedsim.simulation.resources import ResourceUse
from schedsim.simulation.state import SharedState


@dataclass
class ReplicateResult:
    replicate: int
    records: RecordTable
    day1: list[int]  # each subject's day 1, in days from the scenario start
    dropouts: list[tuple[int, str, str, int]]  # (subject, phase, cause, local day)
    resources: dict[str, ResourceUse]
    end: int  # the last simulated day
    paths: list[int] = field(default_factory=list)  # a study with arms or decisions: each subject's path


def simulate_replicate(timeline: Timeline | Sequence[Timeline], params: SimParameters | Sequence[SimParameters],
                       day1: list[int], seed: int, replicate: int, on_patient: Callable[[int], None] | None = None,
                       paths: Sequence[int] | None = None, maps: Sequence[Sequence[int]] | None = None
                       ) -> ReplicateResult:
    """Run every patient (day 1 of patient ``k`` on day ``day1[k]`` after the scenario start) to the end.

    A study with arms or decisions gives one timeline (and parameters) per path, each patient's path (``paths``)
    and, per path, where its events are in the cohort's event table (``maps``): the paths share resources.
    """
    timelines = [timeline] if isinstance(timeline, Timeline) else list(timeline)
    parameters = [params] if isinstance(params, SimParameters) else list(params)
    start = parameters[0].scenario.start
    firsts = [min(plan(t).values()) for t in timelines]
    env = simpy.Environment(initial_time=min(0, min(firsts) + (min(day1) if day1 else 0)))
    states = [SharedState(timelines[0], parameters[0], env, seed, replicate)]
    states += [SharedState(t, p, env, seed, replicate, states[0]) for t, p in zip(timelines[1:], parameters[1:],
                                                                                   strict=True)]
    shared = states[0]
    advances: dict[int, Advance] = {}
    path_of = list(paths) if paths is not None else [0] * len(day1)

    def enrol(subject: int, offset: int) -> None:
        advance = advances.get(offset)
        if advance is None:
            advance = advances[offset] = calendar_advance(start + timedelta(days=offset))
        patient = Patient(states[path_of[subject]], subject, offset, advance)
        shared.patients.append(patient)
        patient.start()
        if on_patient is not None:
            on_patient(subject)

    for subject, offset in enumerate(day1):
        first = firsts[path_of[subject]]
        env.timeout(offset + first - env.now).callbacks.append(lambda _e, s=subject, o=offset: enrol(s, o))
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived callbacks: the cyclic collector would rescan them all, again and again
    try:
        env.run()
    finally:
        if collecting:
            gc.enable()
    for patient in shared.patients:
        patient.flush()
    records = shared.records if len(states) == 1 else merge([s.records for s in states], maps or [])
    return ReplicateResult(replicate, records, list(day1), shared.dropouts, shared.use, int(env.now),
                           path_of if len(states) > 1 else [])
