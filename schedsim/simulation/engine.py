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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import simpy

from schedsim.compile.graph import Advance
from schedsim.compile.ir import Timeline
from schedsim.engine.dates import calendar_advance
from schedsim.engine.subject import plan
from schedsim.simulation.parameters import SimParameters
from schedsim.simulation.patient import Patient
from schedsim.simulation.records import RecordTable
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


def simulate_replicate(timeline: Timeline, params: SimParameters, day1: list[int], seed: int, replicate: int,
                       on_patient: Callable[[int], None] | None = None) -> ReplicateResult:
    """Run every patient (day 1 of patient ``k`` on day ``day1[k]`` after the scenario start) to the end."""
    start = params.scenario.start
    first = min(plan(timeline).values())
    env = simpy.Environment(initial_time=min(0, first + (min(day1) if day1 else 0)))
    shared = SharedState(timeline, params, env, seed, replicate)
    advances: dict[int, Advance] = {}

    def enrol(subject: int, offset: int) -> None:
        advance = advances.get(offset)
        if advance is None:
            advance = advances[offset] = calendar_advance(start + timedelta(days=offset))
        patient = Patient(shared, subject, offset, advance)
        shared.patients.append(patient)
        patient.start()
        if on_patient is not None:
            on_patient(subject)

    for subject, offset in enumerate(day1):
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
    return ReplicateResult(replicate, shared.records, list(day1), shared.dropouts, shared.use, int(env.now))
