"""Scenario sweeps: the cohort simulation over a grid of scenario parameters (enrolment rate × manufacturing slots ×
dropout ...), each grid point with its replicates, run serially or on Dask distributed (a LocalCluster, or an
existing scheduler).

A grid file names scenario parameters by their path in the scenario and gives their values, as a full factorial
(``parameters: {enrolment.rate_per_month: [2, 4, 6], resources.manufacturing_slots: [1, 2]}``) or as listed points
(``points: [{enrolment.rate_per_month: 2, resources.manufacturing_slots: 1}, ...]``). Every task is one replicate of
one grid point; its random streams derive from (seed, grid point, replicate) alone — the grid point's seed is
``SeedSequence(seed, spawn_key=(point,))`` — so the results are the same bit for bit whatever runs them, in whatever
order: the serial loop, one Dask worker or many.

>>> grid = grid_of({"parameters": {"enrolment.rate_per_month": [2, 4], "resources.manufacturing_slots": [1, 2]}})
>>> grid.names, len(grid.points)
(('enrolment.rate_per_month', 'resources.manufacturing_slots'), 4)
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from schedsim.errors import InputError, Problem
from schedsim.inputs import read_input
from schedsim.language.loader import load_protocol
from schedsim.language.yamlsource import parse_yaml
from schedsim.simulation.cohort import Cohort, cohort_from, compile_paths
from schedsim.simulation.engine import ReplicateResult
from schedsim.simulation.executors import DaskCluster, Serial
from schedsim.simulation.run import MAX_PATIENT_RUNS, SimulationResult, _run, checked_cohort

MAX_POINTS = 1000


@dataclass(frozen=True)
class Grid:
    names: tuple[str, ...]
    points: tuple[tuple[Any, ...], ...]

    def values(self, point: int) -> dict[str, Any]:
        return dict(zip(self.names, self.points[point], strict=True))


def grid_of(data: Any, source: str = "grid") -> Grid:
    """A grid from its YAML data: ``parameters`` (every combination) or ``points`` (the ones listed)."""
    if not isinstance(data, dict) or (("parameters" in data) == ("points" in data)):
        raise InputError(Problem(source, None, "", "a grid gives either 'parameters' (name: [values]) or 'points' "
                                                   "(a list of {name: value})"))
    if "parameters" in data:
        parameters = data["parameters"]
        if not isinstance(parameters, dict) or not parameters or not all(
                isinstance(v, list) and v for v in parameters.values()):
            raise InputError(Problem(source, None, "parameters", "give each parameter a non-empty list of values"))
        names = tuple(str(name) for name in parameters)
        points = tuple(itertools.product(*parameters.values()))
    else:
        listed = data["points"]
        if not isinstance(listed, list) or not listed or not all(isinstance(p, dict) for p in listed):
            raise InputError(Problem(source, None, "points", "give a list of {parameter: value} mappings"))
        names = tuple(dict.fromkeys(str(name) for point in listed for name in point))
        missing = [i for i, point in enumerate(listed) if set(map(str, point)) != set(names)]
        if missing:
            raise InputError(Problem(source, None, f"points.{missing[0]}", f"every point gives {', '.join(names)}"))
        points = tuple(tuple(point[name] for name in names) for point in listed)
    if len(points) > MAX_POINTS:
        raise InputError(Problem(source, None, "", f"{len(points)} grid points: at most {MAX_POINTS}"))
    return Grid(names, points)


def load_grid(path: str | Path) -> Grid:
    return grid_of(parse_yaml(read_input(path, "scenario"), str(path)).data, str(path))


def point_scenario(base: dict[str, Any], values: dict[str, Any]) -> str:
    """The scenario YAML of a grid point: the base scenario with the point's values set at their paths."""
    data = yaml.safe_load(yaml.safe_dump(base))
    for name, value in values.items():
        node = data
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(Problem("grid", None, name, f"{part!r} is no section of the scenario"))
        node[parts[-1]] = value
    return yaml.safe_dump(data, sort_keys=False)


def point_seed(seed: int, point: int) -> int:
    """The master seed of one grid point: from (seed, point) alone."""
    return int(np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(1, dtype=np.uint32)[0])


#: (protocol, scenario text, patients, point, point seed, first replicate, replicates): a few replicates of one grid
#: point, each with its own random streams, so that a task is worth sending to a worker.
Task = tuple[str, str, int, int, int, int, int]
_cohorts: dict[tuple[str, str, int], Any] = {}  # per process: each grid point's cohort
_compiled: dict[str, tuple[Any, Any]] = {}  # per process: each protocol, loaded and compiled once


def cohort_for(protocol: str, scenario: str, patients: int) -> Cohort:
    """The cohort of a grid point (its scenario's text), the protocol compiled once per process."""
    if protocol not in _compiled:
        loaded = load_protocol(protocol)
        _compiled[protocol] = (loaded, compile_paths(loaded))
    loaded, compiled = _compiled[protocol]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(scenario, encoding="utf-8")
        return checked_cohort(cohort_from(loaded, compiled, path), patients)


def run_task(task: Task) -> list[tuple[int, int, ReplicateResult]]:
    """Replicates of one grid point (in whatever process runs it): (point, replicate, its records) each."""
    protocol, scenario, patients, point, seed, first, count = task
    key = (protocol, scenario, patients)
    if key not in _cohorts:
        _cohorts[key] = cohort_for(protocol, scenario, patients)
    return [(point, replicate, _run((protocol, None, patients, seed, replicate), _cohorts[key], None))
            for replicate in range(first, first + count)]


def _tasks(protocol: str, texts: list[str], patients: int, seed: int, replicates: int, workers: int) -> list[Task]:
    """Each grid point's replicates in chunks: about eight tasks a worker, so that points of unequal cost (a fast
    enrolment simulates longer) still share out evenly, and few enough that sending them costs little. The results
    do not depend on the chunks."""
    chunks = max(1, min(replicates, -(-8 * max(workers, 1) // max(len(texts), 1))))
    size = -(-replicates // chunks)
    return [(protocol, text, patients, point, point_seed(seed, point), first, min(size, replicates - first))
            for point, text in enumerate(texts) for first in range(0, replicates, size)]


@dataclass
class SweepResult:
    """Each grid point's simulation (its replicates in order) with the point's parameter values."""

    grid: Grid
    seed: int
    results: list[SimulationResult]


def sweep(protocol: str | Path, scenario: str | Path, grid: Grid, *, patients: int, replicates: int, seed: int = 0,
          workers: int | None = None, scheduler: str | None = None) -> SweepResult:
    """Simulate every grid point ``replicates`` times: in this process (no ``workers``, no ``scheduler``), on a Dask
    LocalCluster of ``workers`` processes, or on the Dask scheduler at ``scheduler`` (its workers must see the
    protocol's files). The results are the same whichever runs them."""
    if patients * replicates * len(grid.points) > MAX_PATIENT_RUNS:
        raise InputError(Problem("--replicates", None, "", f"{patients:,} patients x {replicates:,} replicates x "
                                                          f"{len(grid.points)} grid points is more than "
                                                          f"{MAX_PATIENT_RUNS:,} simulated patients: give fewer"))
    base = parse_yaml(read_input(scenario, "scenario"), str(scenario)).data
    texts = [point_scenario(base, grid.values(point)) for point in range(len(grid.points))]
    cohorts = []
    for point, text in enumerate(texts):  # every point checked before any runs: a bad value is said at once
        try:
            cohorts.append(cohort_for(str(protocol), text, patients))
        except InputError as error:
            where = ", ".join(f"{k}={v}" for k, v in grid.values(point).items())
            raise InputError([Problem(str(scenario), None, f"grid point {point} ({where})", p.message)
                              for p in error.problems]) from None
    tasks = _tasks(str(protocol), texts, patients, seed, replicates, 8 if scheduler else workers or 1)
    outcomes = [outcome for done in run_tasks(tasks, workers=workers, scheduler=scheduler) for outcome in done]
    results = []
    for point, cohort in enumerate(cohorts):
        result = SimulationResult(str(protocol), cohort.timelines[0], cohort.params[0], point_seed(seed, point),
                                  patients, cohort=cohort if len(cohort.paths) > 1 else None)
        result.replicates = [r for p, _, r in sorted(outcomes, key=lambda o: (o[0], o[1])) if p == point]
        results.append(result)
    return SweepResult(grid, seed, results)


def run_tasks(tasks: Sequence[Task], *, workers: int | None = None, scheduler: str | None = None
              ) -> list[list[tuple[int, int, ReplicateResult]]]:
    """The tasks' results in task order: in this process (neither ``workers`` nor ``scheduler``), or on Dask
    distributed (``schedsim.simulation.executors``)."""
    executor = Serial() if scheduler is None and workers is None else DaskCluster(workers or 1, scheduler)
    return list(executor.imap(run_task, tasks))
