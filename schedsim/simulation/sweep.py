"""Scenario sweeps: the cohort simulation over a grid of scenario parameters (enrolment rate × manufacturing slots ×
dropout ...), each grid point with its replicates, run serially or on Dask distributed (a LocalCluster, or an
existing scheduler).

The grid (``schedsim.simulation.grid``) names scenario parameters and their values. Every task is one or a few
replicates of one grid point; each replicate's random streams derive from (seed, grid point, replicate) alone — the
grid point's seed is ``SeedSequence(seed, spawn_key=(point,))`` — so the results are the same bit for bit whatever
runs them, in whatever order: the serial loop, one Dask worker or many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.errors import InputError, Problem
from schedsim.inputs import read_input
from schedsim.language.loader import load_protocol
from schedsim.language.yamlsource import SourceDoc, parse_yaml
from schedsim.simulation.cohort import Cohort, cohort_from, compile_paths
from schedsim.simulation.engine import ReplicateResult
from schedsim.simulation.executors import DaskCluster, Serial
from schedsim.simulation.grid import Grid, point_scenario
from schedsim.simulation.run import SimulationResult, _run, checked_cohort, size_problems, workers_problems


def point_seed(seed: int, point: int) -> int:
    """The master seed of one grid point: from (seed, point) alone."""
    return int(np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(1, dtype=np.uint32)[0])


#: (protocol, scenario text, patients, point, point seed, first replicate, replicates): a few replicates of one grid
#: point, each with its own random streams, so that a task is worth sending to a worker.
Task = tuple[str, str, int, int, int, int, int]
_cohorts: dict[tuple[str, str, int], Cohort] = {}  # per process: each grid point's cohort
_compiled: dict[str, tuple[Any, Any]] = {}  # per process: each protocol, loaded and compiled once


def cohort_for(protocol: str, scenario: str, patients: int) -> Cohort:
    """The cohort of a grid point (its scenario's text), made once per process from the protocol compiled once."""
    key = (protocol, scenario, patients)
    if key not in _cohorts:
        if protocol not in _compiled:
            loaded = load_protocol(protocol)
            _compiled[protocol] = (loaded, compile_paths(loaded))
        loaded, compiled = _compiled[protocol]
        doc = parse_yaml(scenario, "scenario")
        _cohorts[key] = checked_cohort(cohort_from(loaded, compiled, doc), patients)
    return _cohorts[key]


def run_task(task: Task) -> list[tuple[int, int, ReplicateResult]]:
    """Replicates of one grid point (in whatever process runs it): (point, replicate, its records) each."""
    protocol, scenario, patients, point, seed, first, count = task
    cohort = cohort_for(protocol, scenario, patients)
    return [(point, replicate, _run((protocol, None, patients, seed, replicate), cohort, None))
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

    @cached_property
    def summaries(self) -> list[dict[str, Any]]:
        """Each grid point's ``summary()``, made once for the tables, the plot and the terminal."""
        return [simulation.summary() for simulation in self.results]


def sweep(protocol: str | Path, scenario: str | Path, grid: Grid, *, patients: int, replicates: int, seed: int = 0,
          workers: int | None = None, scheduler: str | None = None) -> SweepResult:
    """Simulate every grid point ``replicates`` times: in this process (no ``workers``, no ``scheduler``), on a Dask
    LocalCluster of ``workers`` processes, or on the Dask scheduler at ``scheduler`` (its workers must see the
    protocol's files). The results are the same whichever runs them."""
    problems = size_problems(patients, replicates, seed, len(grid.points)) + workers_problems(workers)
    if workers is not None and scheduler is not None:
        problems.append(Problem("--workers", None, "", "give --workers (a cluster on this machine) or --scheduler "
                                                       "(an existing one), not both"))
    if problems:
        raise InputError(problems)
    base = parse_yaml(read_input(scenario, "scenario"), str(scenario))
    texts = [point_scenario(base.data, grid, point) for point in range(len(grid.points))]
    cohorts = []
    for point, text in enumerate(texts):  # every point checked before any runs: a bad value is said at once
        try:
            cohorts.append(cohort_for(str(protocol), text, patients))
        except InputError as error:
            raise InputError([_blame(grid, point, base, p) for p in error.problems]) from None
    tasks = _tasks(str(protocol), texts, patients, seed, replicates, 8 if scheduler else workers or 1)
    results = [SimulationResult(str(protocol), cohort.timelines[0], cohort.params[0], point_seed(seed, point),
                                patients, cohort=cohort if len(cohort.paths) > 1 else None)
               for point, cohort in enumerate(cohorts)]
    for done in run_tasks(tasks, workers=workers, scheduler=scheduler):  # in task order: point, then replicate
        for point, _replicate, records in done:
            results[point].replicates.append(records)
    return SweepResult(grid, seed, results)


def _blame(grid: Grid, point: int, base: SourceDoc, problem: Problem) -> Problem:
    """A problem the scenario of a grid point has: at the grid's line when a swept value causes it (the field is
    the parameter, inside it, or holds it), else at the base scenario's line of the field."""
    field = problem.field or ""
    for name in grid.names:
        if field == name or field.startswith(f"{name}.") or (field and name.startswith(f"{field}.")):
            return grid.problem(point, name, problem.message)
    where = ", ".join(f"{k}={v}" for k, v in zip(grid.names, grid.shown(point), strict=True))
    path = tuple(int(part) if part.isdigit() else part for part in field.split(".")) if field else ()
    return Problem(base.file, base.line(path), field, f"{problem.message} (grid point {point}: {where})")


def run_tasks(tasks: Sequence[Task], *, workers: int | None = None, scheduler: str | None = None
              ) -> list[list[tuple[int, int, ReplicateResult]]]:
    """The tasks' results in task order: in this process (neither ``workers`` nor ``scheduler``), or on Dask
    distributed (``schedsim.simulation.executors``)."""
    executor = Serial() if scheduler is None and workers is None else DaskCluster(workers or 1, scheduler)
    return list(executor.imap(run_task, tasks))
