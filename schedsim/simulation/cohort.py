"""A cohort over a study design: every path (arm and branches) compiled once, the share of patients on each, and
one table of events that the records of every path index.

Each patient's path is drawn when the replicate starts, from the replicate's own stream: the arm by the allocation
ratio (or the scenario's ``arms`` shares), each decision's branch by the scenario's ``branches`` shares (else the
protocol's branch probabilities, else equal shares). Drawing the branch up front is the same, in distribution, as
drawing it at the decision: nothing the simulation does changes a patient's response.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Event, Timeline
from schedsim.compile.paths import PathChoice, all_paths
from schedsim.engine.sampling import stream
from schedsim.language.loader import LoadedProtocol
from schedsim.language.yamlsource import SourceDoc
from schedsim.simulation.parameters import SimParameters, load_scenario, references


@dataclass(frozen=True)
class Cohort:
    """The paths a patient may follow, their timelines and resolved parameters, and who goes where."""

    paths: tuple[PathChoice, ...]
    timelines: tuple[Timeline, ...]
    params: tuple[SimParameters, ...]
    weights: tuple[float, ...]  # share of patients on each path
    events: tuple[Event, ...]  # every path's events, each id once: what the records' event numbers index
    maps: tuple[tuple[int, ...], ...]  # per path: its event position → position in ``events``

    def draw(self, patients: int, seed: int, replicate: int) -> list[int]:
        """Each patient's path (index into ``paths``), drawn from the replicate's stream."""
        if len(self.paths) == 1:
            return [0] * patients
        rng = stream(seed, replicate, 0, "paths")
        return rng.choice(len(self.paths), size=patients, p=np.asarray(self.weights)).tolist()


def prepare_cohort(loaded: LoadedProtocol, scenario: str | Path | None, arm: str | None = None,
                   branches: Mapping[str, str] | None = None) -> Cohort:
    """Compile every path (only those of ``arm`` and ``branches`` when given) and resolve the scenario on each."""
    return cohort_from(loaded, compile_paths(loaded, arm, branches), scenario, arm, branches)


Compiled = tuple[tuple[PathChoice, ...], tuple[Timeline, ...], Sequence[Timeline]]  # paths, their timelines, every


def compile_paths(loaded: LoadedProtocol, arm: str | None = None, branches: Mapping[str, str] | None = None
                  ) -> Compiled:
    """The paths a cohort follows and their timelines (and every path's, which a scenario may name): compiled once
    for many scenarios (a sweep)."""
    paths = tuple(all_paths(loaded, arm, branches))
    timelines = tuple(compile_protocol(loaded, path) for path in paths)
    every = timelines if arm is None and not branches else [compile_protocol(loaded, p) for p in all_paths(loaded)]
    return paths, timelines, every


def cohort_from(loaded: LoadedProtocol, compiled: Compiled, scenario: str | Path | SourceDoc | None,
                arm: str | None = None, branches: Mapping[str, str] | None = None) -> Cohort:
    """A cohort of compiled paths under one scenario."""
    paths, timelines, every = compiled
    known = references(every)  # a scenario for the study may name another arm's phases
    params = tuple(load_scenario(loaded, timeline, scenario, known) for timeline in timelines)
    weights = _weights(params[0], paths, arm, branches or {})
    events: dict[str, Event] = {}
    for timeline in timelines:
        for event in timeline.events:
            events.setdefault(event.id, event)
    index = {event_id: i for i, event_id in enumerate(events)}
    maps = tuple(tuple(index[e.id] for e in timeline.events) for timeline in timelines)
    return Cohort(paths, timelines, params, weights, tuple(events.values()), maps)


def _weights(params: SimParameters, paths: tuple[PathChoice, ...], arm: str | None, fixed: Mapping[str, str]
             ) -> tuple[float, ...]:
    """Each path's share: its arm's share times the share of each branch on the way (a fixed choice counts 1)."""
    weights = []
    for path in paths:
        weight = 1.0 if arm is not None or path.arm is None else params.arm_shares[path.arm]
        for decision, branch in path.branches:
            weight *= 1.0 if decision in fixed else params.branch_shares[decision][branch]
        weights.append(weight)
    total = sum(weights) or 1.0
    return tuple(w / total for w in weights)
