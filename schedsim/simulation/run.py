"""Cohort simulation: the Python API behind ``schedsim simulate``.

``simulate`` runs replicates (in worker processes when asked; the result does not depend on how many), and returns
a ``SimulationResult``: flat ``SimRecord``s (or a pandas DataFrame when pandas is installed) and a summary.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.compile.ir import Event, Timeline
from schedsim.engine.dates import study_day
from schedsim.errors import InputError, Problem
from schedsim.language.loader import load_protocol
from schedsim.simulation.cohort import Cohort, prepare_cohort
from schedsim.simulation.engine import ReplicateResult, simulate_replicate
from schedsim.simulation.executors import Processes
from schedsim.simulation.parameters import SimParameters, enrolment_days
from schedsim.simulation.records import MISSING, STATUSES
from schedsim.tabular import Table, dataframe

EVENT_FIELDS = ("replicate", "subject", "event_id", "kind", "target_day", "actual_day", "date", "window_status",
                "shift_reason")
MAX_PATIENTS = 20_000  # per replicate: about 2 GB at the most (10,000 patients: 4.8 million events)
MAX_PATIENT_RUNS = 200_000  # patients x replicates: about ten minutes on one core
MAX_ENROLMENT_MONTHS = 50 * 12  # an enrolment longer than 50 years is no plan
MAX_REPLICATES = 10_000
Progress = Callable[[int, int], None]  # (patients done, patients in all replicates)


@dataclass(frozen=True, slots=True)
class SimRecord:
    """One event of one patient in one replicate: study days, the date, how it met its window and why it moved."""

    replicate: int
    subject: int
    event_id: str
    kind: str
    target_day: int
    actual_day: int | None
    date: date | None
    window_status: str
    shift_reason: str


@dataclass(repr=False)
class SimulationResult:
    """What a simulation produced; ``records()`` and ``summary()`` read it, ``to_dataframe()`` for pandas users.

    A study with arms or decisions has a ``cohort`` of paths: ``timeline`` and ``params`` are then its first path's,
    and ``events`` is every path's events (what the records' event numbers index).
    """

    protocol: str
    timeline: Timeline
    params: SimParameters
    seed: int
    patients: int
    replicates: list[ReplicateResult] = field(default_factory=list)
    cohort: Cohort | None = None

    def __repr__(self) -> str:
        return (f"<SimulationResult {self.timeline.protocol_id}: {self.patients} patients x {len(self.replicates)} "
                f"replicates, seed {self.seed}; .summary(), .records(), .to_dataframe()>")

    @property
    def start(self) -> date:
        return self.params.scenario.start

    @property
    def events(self) -> tuple[Event, ...]:
        return self.cohort.events if self.cohort is not None else self.timeline.events

    def event(self, event_id: str) -> Event:
        """An event of any path, by id."""
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {e.id: e for e in self.events}
        return index[event_id]

    @property
    def all_params(self) -> tuple[SimParameters, ...]:
        return self.cohort.params if self.cohort is not None else (self.params,)

    def path_label(self, replicate: ReplicateResult, subject: int) -> str:
        """The subject's arm and branches (empty for a study with one path)."""
        if self.cohort is None or not replicate.paths:
            return ""
        return self.cohort.paths[replicate.paths[subject]].label

    def day1_date(self, replicate: ReplicateResult, subject: int) -> date:
        return self.start + timedelta(days=replicate.day1[subject])

    def records(self, replicate: int | None = None, subjects: int | None = None) -> Iterator[SimRecord]:
        """Every record (of one replicate, of its first ``subjects`` patients), by replicate, subject, day and
        protocol order."""
        events = self.events
        zero = self.timeline.conventions.study_day_zero
        for result in self.replicates:
            if replicate is not None and result.replicate != replicate:
                continue
            table = result.records
            for k in record_order(result, subjects):
                subject, i = table.subject[k], table.event[k]
                actual = table.actual[k]
                event = events[i]
                day1 = self.day1_date(result, subject)
                yield SimRecord(result.replicate, subject, event.id, event.kind, study_day(table.target[k], zero),
                                None if actual == MISSING else study_day(actual, zero),
                                None if actual == MISSING else day1 + timedelta(days=actual),
                                STATUSES[table.status[k]], table.reasons[table.reason[k]])

    def to_dataframe(self) -> Any:
        """The records (the ``events.csv`` columns) as a pandas DataFrame, ``date`` as ``datetime64`` (pandas is
        optional: ``pip install 'schedsim[pandas]'``; ``records()`` gives the same rows)."""
        rows = [tuple(getattr(r, name) or None if name == "shift_reason" else getattr(r, name)  # empty: missing,
                      for name in EVENT_FIELDS) for r in self.records()]  # as read_csv reads an empty cell
        return dataframe(Table("events", EVENT_FIELDS, rows))

    def summary(self) -> dict[str, Any]:
        from schedsim.simulation.summary import summarise

        return summarise(self)



def record_order(result: ReplicateResult, subjects: int | None = None) -> np.ndarray:
    """Record positions sorted by subject, actual (else target) day and protocol order (only the first
    ``subjects`` patients when given)."""
    table = result.records
    subject = np.frombuffer(table.subject, dtype=np.int32)
    actual = np.frombuffer(table.actual, dtype=np.int32)
    day = np.where(actual != MISSING, actual, np.frombuffer(table.target, dtype=np.int32))
    order = np.lexsort((np.frombuffer(table.event, dtype=np.int32), day, subject))
    return order if subjects is None else order[subject[order] < subjects]


def simulate(protocol: str | Path, *, patients: int, replicates: int = 1, seed: int = 0,
             scenario: str | Path | None = None, workers: int = 1, progress: Progress | None = None,
             arm: str | None = None, branches: Mapping[str, str] | None = None) -> SimulationResult:
    """Simulate ``patients`` per replicate under the protocol's scenario (or ``scenario``, a file).

    In a study with arms or decisions each patient follows a path drawn from the arms' shares and the branches'
    shares (``schedsim.simulation.cohort``); ``arm`` and ``branches`` fix them for every patient instead.
    ``progress(done, total)`` is called as patients finish (``total`` = patients x replicates; with worker
    processes, a replicate's patients at once when it ends).

    >>> result = simulate("protocols/ppcl-vrd-cart-asct-cart2.yaml", patients=3, seed=1,
    ...                   scenario="protocols/scenarios/ppcl-baseline.yaml")
    >>> result.summary()["patients"], sorted(result.summary()["completion"])
    (3, ['p5', 'p50', 'p95'])
    """
    problems = size_problems(patients, replicates, seed) + workers_problems(workers)
    if problems:
        raise InputError(problems)
    choice = (arm, tuple(sorted((branches or {}).items())))
    cohort = _prepare(protocol, scenario, patients, choice)
    result = SimulationResult(str(protocol), cohort.timelines[0], cohort.params[0], seed, patients,
                              cohort=cohort if len(cohort.paths) > 1 else None)
    jobs = [(str(protocol), None if scenario is None else str(scenario), patients, seed, r) for r in range(replicates)]
    total = patients * replicates
    if workers == 1 or replicates == 1:
        for job in jobs:
            offset = len(result.replicates) * patients
            counted = None if progress is None else (lambda done, _, o=offset: progress(o + done, total))
            result.replicates.append(_run(job, cohort, counted))
    else:  # worker processes (schedsim.simulation.executors): each compiles the protocol once
        executor = Processes(workers, _start_worker, (str(protocol), None if scenario is None else str(scenario),
                                                      patients, choice))
        for done, replicate in enumerate(executor.imap(_run_job, jobs), start=1):
            result.replicates.append(replicate)
            if progress is not None:
                progress(done * patients, total)
    return result


def size_problems(patients: int, replicates: int, seed: int, points: int = 1) -> list[Problem]:
    """What is wrong with a run's size (``points``: a sweep's grid points), each named by its option."""
    problems = []
    if not 1 <= patients <= MAX_PATIENTS:
        problems.append(Problem("--patients", None, "", f"give 1 to {MAX_PATIENTS:,}, not {patients:,}"))
    if not 1 <= replicates <= MAX_REPLICATES:
        problems.append(Problem("--replicates", None, "", f"give 1 to {MAX_REPLICATES:,}, not {replicates:,}"))
    elif patients * replicates * points > MAX_PATIENT_RUNS:
        grid = f" x {points:,} grid points" if points > 1 else ""
        problems.append(Problem("--replicates", None, "", f"{patients:,} patients x {replicates:,} replicates{grid} "
                                                          f"is more than {MAX_PATIENT_RUNS:,} simulated patients "
                                                          f"(hours of work): give fewer"))
    if seed < 0:
        problems.append(Problem("--seed", None, "", f"give a seed of 0 or more, not {seed}"))
    return problems


def workers_problems(workers: int | None) -> list[Problem]:
    """Worker processes on this machine: 1 to its CPUs (``None``: none asked for)."""
    cpus = os.cpu_count() or 1
    if workers is not None and not 1 <= workers <= cpus:
        return [Problem("--workers", None, "", f"give 1 to {cpus} workers (the CPUs here), not {workers}")]
    return []


Choice = tuple[str | None, tuple[tuple[str, str], ...]]  # the arm and branches fixed for every patient


def _prepare(protocol: str | Path, scenario: str | Path | None, patients: int, choice: Choice) -> Cohort:
    loaded = load_protocol(protocol)
    return checked_cohort(prepare_cohort(loaded, scenario, choice[0], dict(choice[1]) or None), patients)


def checked_cohort(cohort: Cohort, patients: int) -> Cohort:
    """The cohort, once its scenario can enrol ``patients`` (before minutes are spent on it)."""
    params = cohort.params[0]
    dates = params.scenario.enrolment.dates
    rate = params.scenario.enrolment.rate_per_month
    if rate is not None and patients / rate > MAX_ENROLMENT_MONTHS:  # before minutes are spent on it
        raise InputError(Problem("--patients", None, "", f"{patients:,} patients at {rate:g} a month take about "
                                                          f"{patients / rate / 12:,.0f} years to enrol: give fewer "
                                                          f"patients or a higher enrolment rate"))
    if dates is not None:
        if patients > len(dates):
            raise InputError(Problem("--patients", None, "", f"the scenario enrols on {len(dates)} dates; "
                                                              f"{patients} patients asked"))
        early = [day for day in dates if day < params.scenario.start]
        if early:
            raise InputError(Problem(params.source, None, "enrolment.dates",
                                     f"{early[0]} is before the scenario start {params.scenario.start}"))
    return cohort


def _run(job: tuple[str, str | None, int, int, int], cohort: Cohort, progress: Progress | None) -> ReplicateResult:
    _, _, patients, seed, replicate = job
    params = cohort.params[0]
    day1 = enrolment_days(params, patients, seed, replicate)
    on_patient = (lambda subject: progress(subject + 1, patients)) if progress is not None else None
    if len(cohort.paths) == 1:
        return simulate_replicate(cohort.timelines[0], params, day1, seed, replicate, on_patient)
    return simulate_replicate(cohort.timelines, cohort.params, day1, seed, replicate, on_patient,
                              cohort.draw(patients, seed, replicate), cohort.maps)


_worker_inputs: list[Cohort] = []  # in a worker process only: its compiled protocol


def _start_worker(protocol: str, scenario: str | None, patients: int, choice: Choice) -> None:
    """Each worker process compiles the protocol once, for all the replicates it runs; on Linux it asks to be sent
    SIGTERM when its parent dies, so a killed run (even by SIGKILL) leaves no worker behind."""
    _die_with_parent()
    _worker_inputs.append(_prepare(protocol, scenario, patients, choice))


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not inherit the command's handler
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown stops the workers
        pass


def _run_job(job: tuple[str, str | None, int, int, int]) -> ReplicateResult:
    """In a worker process: run one replicate on the protocol it compiled at start."""
    return _run(job, _worker_inputs[-1], None)
