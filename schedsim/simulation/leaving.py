"""How a patient leaves the study before every event has fired: a dropout (a sampled cause, counted among the
dropouts) or the end of the study at the horizon (the patient's participation ends on the horizon's day: whatever
the simulated delays pushed past it is recorded as cancelled, "after the study horizon", and is no dropout)."""

from __future__ import annotations

from array import array
from typing import Any, Protocol

import numpy as np
import simpy
from simpy.core import NORMAL, URGENT

from schedsim.simulation.records import MISSING
from schedsim.simulation.state import SharedState


class Patient(Protocol):
    """What leaving needs of ``schedsim.simulation.patient.Patient`` (which uses this module)."""

    shared: SharedState
    subject: int
    offset: int
    dropped: bool
    fired: array[int]
    waiting: array[int]
    pending: array[int]
    pending_days: array[int]
    moved: dict[int, int]
    bed: object
    streams: dict[str, Any]
    reasons: dict[int, str]
    visits: dict[int, int]
    completion: dict[int, int]

    def flush(self, until: int | None = None, reason: str = "") -> int: ...

    def free_bed(self) -> None: ...

AFTER_HORIZON = "after the study horizon"


class OnDay(simpy.Event):
    """An event ``delay`` days from now, processed before (``FIRST``) or after (``LAST``) every ordinary event of
    that day: the end of study comes before anything more happens on the day after the horizon; a dropout comes
    after the day's events, so that a day's events are never split between done and cancelled."""

    def __init__(self, env: simpy.Environment, delay: int, priority: int) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, priority, delay)


FIRST, LAST = URGENT, NORMAL + 1


def leave(patient: Patient, until: int, reason: str, unstarted: frozenset[int] = frozenset()) -> int:
    """The patient leaves after day ``until``: the events dated up to it are recorded, every later one is cancelled
    for ``reason``, and so are the events in ``unstarted`` whatever their day (the end of a phase that never
    started); the patient's bed is freed and their working state let go. How many events were cancelled."""
    shared = patient.shared
    patient.dropped = True
    for k, i in enumerate(patient.pending):
        if i in unstarted:
            patient.moved[k] = until + 1
    dated = np.frombuffer(patient.pending, dtype=np.int32).copy()
    cancelled = patient.flush(until=until, reason=reason)
    left = (np.frombuffer(patient.fired, dtype=np.int32) == MISSING) & shared.included_mask
    left[dated] = False
    events = np.flatnonzero(left)
    shared.records.extend_cancelled(patient.subject, events, shared.nominal_days[events], reason)
    if patient.bed is not None:
        patient.free_bed()
    patient.fired = patient.waiting = patient.pending = patient.pending_days = array("i")
    patient.streams, patient.reasons, patient.visits, patient.completion = {}, {}, {}, {}
    return cancelled + len(events)


def end_of_study(patient: Patient) -> None:
    """The day after the patient's horizon: they leave the study (unless they have finished or left already); a
    phase whose start the delays pushed past the horizon does not end on it either."""
    if patient.dropped:
        return
    fired = patient.fired
    unstarted = frozenset(end for end, start in patient.shared.phase_ends.items() if fired[start] == MISSING)
    leave(patient, int(patient.shared.env.now) - patient.offset - 1, AFTER_HORIZON, unstarted)
