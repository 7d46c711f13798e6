"""Cohort simulation: the Python API behind ``schedsim simulate``.

``simulate`` runs replicates (in worker processes when asked; the result does not depend on how many), and returns
a ``SimulationResult``: flat ``SimRecord``s (or a pandas DataFrame when pandas is installed) and a summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Timeline
from schedsim.engine.dates import study_day
from schedsim.errors import InputError, Problem
from schedsim.language.loader import load_protocol
from schedsim.simulation.engine import ReplicateResult, simulate_replicate
from schedsim.simulation.parameters import SimParameters, enrolment_days, load_scenario
from schedsim.simulation.records import MISSING, STATUSES

EVENT_FIELDS = ("replicate", "subject", "event_id", "kind", "target_day", "actual_day", "date", "window_status",
                "shift_reason")
MAX_PATIENTS = 1_000_000
MAX_REPLICATES = 10_000
Progress = Callable[[int, int], None]  # (done, total)


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


@dataclass
class SimulationResult:
    """What a simulation produced; ``records()`` and ``summary()`` read it, ``to_dataframe()`` for pandas users."""

    protocol: str
    timeline: Timeline
    params: SimParameters
    seed: int
    patients: int
    replicates: list[ReplicateResult] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.params.scenario.start

    def day1_date(self, replicate: ReplicateResult, subject: int) -> date:
        return self.start + timedelta(days=replicate.day1[subject])

    def records(self, replicate: int | None = None, subjects: int | None = None) -> Iterator[SimRecord]:
        """Every record (of one replicate, of its first ``subjects`` patients), by replicate, subject, day and
        protocol order."""
        events = self.timeline.events
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
        """The records as a pandas DataFrame (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise InputError(Problem("to_dataframe", None, "", "pandas is not installed (pip install pandas); "
                                                              "records() gives the same rows")) from None
        return pandas.DataFrame([_as_dict(r) for r in self.records()], columns=list(EVENT_FIELDS))

    def summary(self) -> dict[str, Any]:
        from schedsim.simulation.summary import summarise

        return summarise(self)


def _as_dict(record: SimRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in EVENT_FIELDS}


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
             scenario: str | Path | None = None, workers: int = 1, progress: Progress | None = None
             ) -> SimulationResult:
    """Simulate ``patients`` per replicate under the protocol's scenario (or ``scenario``, a file)."""
    problems = []
    if not 1 <= patients <= MAX_PATIENTS:
        problems.append(Problem("--patients", None, "", f"give 1 to {MAX_PATIENTS:,} patients, not {patients}"))
    if not 1 <= replicates <= MAX_REPLICATES:
        problems.append(Problem("--replicates", None, "", f"give 1 to {MAX_REPLICATES:,} replicates"))
    if not 1 <= workers <= 256:
        problems.append(Problem("--workers", None, "", "give 1 to 256 workers"))
    if seed < 0:
        problems.append(Problem("--seed", None, "", "the seed is a non-negative integer"))
    if problems:
        raise InputError(problems)
    timeline, params = _prepare(protocol, scenario, patients)
    result = SimulationResult(str(protocol), timeline, params, seed, patients)
    jobs = [(str(protocol), None if scenario is None else str(scenario), patients, seed, r) for r in range(replicates)]
    if workers == 1 or replicates == 1:
        for job in jobs:
            result.replicates.append(_run(job, timeline, params, progress if replicates == 1 else None))
            if progress is not None and replicates > 1:
                progress(len(result.replicates), replicates)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replicates), initializer=_start_worker,
                                 initargs=(str(protocol), None if scenario is None else str(scenario), patients)
                                 ) as pool:
            for done, replicate in enumerate(pool.map(_run_job, jobs), start=1):
                result.replicates.append(replicate)
                if progress is not None:
                    progress(done, replicates)
    return result


def _prepare(protocol: str | Path, scenario: str | Path | None, patients: int) -> tuple[Timeline, SimParameters]:
    loaded = load_protocol(protocol)
    timeline = compile_protocol(loaded)
    params = load_scenario(loaded, timeline, scenario)
    dates = params.scenario.enrolment.dates
    if dates is not None:
        if patients > len(dates):
            raise InputError(Problem("--patients", None, "", f"the scenario enrols on {len(dates)} dates; "
                                                              f"{patients} patients asked"))
        early = [day for day in dates if day < params.scenario.start]
        if early:
            raise InputError(Problem(params.source, None, "enrolment.dates",
                                     f"{early[0]} is before the scenario start {params.scenario.start}"))
    return timeline, params


def _run(job: tuple[str, str | None, int, int, int], timeline: Timeline, params: SimParameters,
         progress: Progress | None) -> ReplicateResult:
    _, _, patients, seed, replicate = job
    day1 = enrolment_days(params, patients, seed, replicate)
    on_patient = (lambda subject: progress(subject + 1, patients)) if progress is not None else None
    return simulate_replicate(timeline, params, day1, seed, replicate, on_patient)


_worker_inputs: list[tuple[Timeline, SimParameters]] = []  # in a worker process only: its compiled protocol


def _start_worker(protocol: str, scenario: str | None, patients: int) -> None:
    """Each worker process compiles the protocol once, for all the replicates it runs."""
    _worker_inputs.append(_prepare(protocol, scenario, patients))


def _run_job(job: tuple[str, str | None, int, int, int]) -> ReplicateResult:
    """In a worker process: run one replicate on the protocol it compiled at start."""
    timeline, params = _worker_inputs[-1]
    return _run(job, timeline, params, None)
