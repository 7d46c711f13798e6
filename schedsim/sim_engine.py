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
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import simpy

from schedsim.dates import calendar_advance
from schedsim.engine import plan
from schedsim.graph import Advance
from schedsim.ir import Timeline
from schedsim.sampling import stream
from schedsim.sim_params import Hazard, SimParameters

STATUSES = ("on_time", "in_window", "early", "late", "cancelled")
ON_TIME, IN_WINDOW, EARLY, LATE, CANCELLED = range(5)
MISSING = -(2**31)  # no actual day (cancelled)
DAYS_PER_MONTH = 365.2425 / 12


class RecordTable:
    """One replicate's event records as parallel integer columns (about 25 bytes a record)."""

    def __init__(self) -> None:
        self.subject = array("i")
        self.event = array("i")
        self.target = array("i")
        self.actual = array("i")
        self.status = array("b")
        self.reason = array("i")
        self.reasons: list[str] = [""]
        self._reason_index: dict[str, int] = {"": 0}

    def add(self, subject: int, event: int, target: int, actual: int, status: int, reason: str) -> None:
        code = self._reason_index.get(reason)
        if code is None:
            code = self._reason_index[reason] = len(self.reasons)
            self.reasons.append(reason)
        self.subject.append(subject)
        self.event.append(event)
        self.target.append(target)
        self.actual.append(actual)
        self.status.append(status)
        self.reason.append(code)

    def extend_on_time(self, subject: int, events: list[int], days: list[int]) -> None:
        """Many records at once, each on its target day with no reason."""
        count = len(events)
        self.subject.extend([subject] * count)
        self.event.extend(events)
        self.target.extend(days)
        self.actual.extend(days)
        self.status.frombytes(bytes(count))
        self.reason.frombytes(bytes(count * self.reason.itemsize))

    def __len__(self) -> int:
        return len(self.subject)


@dataclass
class ResourceUse:
    """How a shared resource was used: total busy (or booked) days, each wait, moves in and out of window."""

    name: str
    capacity: int
    busy_days: int = 0
    waits: list[int] = field(default_factory=list)
    moved_in_window: int = 0
    moved_out_of_window: int = 0


@dataclass
class ReplicateResult:
    replicate: int
    records: RecordTable
    day1: list[int]  # each subject's day 1, in days from the scenario start
    dropouts: list[tuple[int, str, str, int]]  # (subject, phase, cause, local day)
    resources: dict[str, ResourceUse]
    end: int  # the last simulated day


class _Shared:
    """What every patient of a replicate shares: the timeline's structure, parameters, resources, records."""

    def __init__(self, timeline: Timeline, params: SimParameters, env: simpy.Environment, seed: int,
                 replicate: int) -> None:
        self.timeline, self.params, self.env, self.seed, self.replicate = timeline, params, env, seed, replicate
        events = timeline.events
        self.ids = [event.id for event in events]
        self.index = timeline.index
        nominal = plan(timeline)
        self.nominal = [nominal[e.id] for e in events]
        self.anchors = [[(self.index[a.ref], a.offset) for a in e.anchors] for e in events]
        self.limits = [(self.index[e.limit.ref], e.limit.offset) if e.limit else None for e in events]
        self.simple = [(self.index[e.anchors[0].ref], e.anchors[0].offset.days)
                       if len(e.anchors) == 1 and not e.anchors[0].offset.is_calendar else None for e in events]
        unique_limits = list(dict.fromkeys(limit for limit in self.limits if limit is not None))
        self.limit_ids = [unique_limits.index(limit) if limit is not None else -1 for limit in self.limits]
        self.limit_count = len(unique_limits)
        self.rules = [e.rule for e in events]
        self.windows = [(e.window.early, e.window.late) if e.window else (0, 0) for e in events]
        self.children: list[list[int]] = [[] for _ in events]
        self.waiting = [0] * len(events)
        for i, event in enumerate(events):
            for a in event.anchors:
                j = self.index[a.ref]
                if nominal[a.ref] <= nominal[event.id]:
                    self.children[j].append(i)
                    self.waiting[i] += 1
        self.included = [self._included(i, nominal) for i in range(len(events))]
        self.roots = [i for i in range(len(events)) if self.waiting[i] == 0]
        self.unfired = array("i", [MISSING]) * len(events)
        self.records = RecordTable()
        self.dropouts: list[tuple[int, str, str, int]] = []
        res = params.scenario.resources
        self.use: dict[str, ResourceUse] = {}
        self.manufacturing = self._resource("manufacturing_slots", res.manufacturing_slots)
        self.beds = self._resource("transplant_beds", res.transplant_beds)
        self.chairs = _DaySlots(self._use("apheresis_chairs", res.apheresis_chairs)) if res.apheresis_chairs else None
        self.slots = _DaySlots(self._use("visit_slots", res.visit_slots)) if res.visit_slots else None
        by_id = params.step_days, params.step_durations, params.failures
        self.step_days = {self.index[k]: v for k, v in by_id[0].items()}
        self.step_durations = {self.index[k]: v for k, v in by_id[1].items()}
        self.failures = {self.index[k]: v for k, v in by_id[2].items()}
        delay = params.cycle_delay
        self.cycle_delay = (delay[0], delay[1], {self.index[k] for k in delay[2]}) if delay else None
        self.hazards = {self.index[k]: v for k, v in params.hazards.items()}
        self.manufactured = {self.index[k] for k in params.manufacturing}
        self.bed_release = {self.index[k]: self.index[v] for k, v in params.beds.items()}
        self.chair_events = {self.index[k] for k in params.chairs}
        self.visit_events = {self.index[k] for k in params.visits}
        active = (set(self.step_days) | set(self.step_durations) | set(self.failures) | set(self.hazards)
                  | set(self.bed_release) | set(self.bed_release.values())
                  | (self.cycle_delay[2] if self.cycle_delay else set())
                  | (self.manufactured if self.manufacturing else set())
                  | (self.chair_events if self.chairs else set()))
        # a passive event places nothing and meets nothing random: it is dated by arithmetic when its anchors have
        # fired (and its visit slot booked then, as an active event's is), without a simpy timeout of its own
        self.passive = [not self.children[i] and i not in active and i not in self.roots for i in range(len(events))]
        self.patients: list[_Patient] = []
        # children dated by one addition (passive, anchored on the parent alone, no visit slot to book) go in bulk
        self.bulk: list[tuple[list[int], list[int]]] = []
        self.others: list[list[int]] = []
        for i in range(len(events)):
            bulk = [c for c in self.children[i] if self.passive[c] and self.simple[c] is not None
                    and not (self.slots and c in self.visit_events)]
            self.bulk.append((bulk, [self.simple[c][1] for c in bulk]))  # type: ignore[index]
            self.others.append([c for c in self.children[i] if c not in set(bulk)])
        self.active_count = sum(1 for flag in self.passive if not flag)

    def _included(self, i: int, nominal: dict[str, int]) -> bool:
        limit = self.limits[i]
        if limit is None:
            return True
        ref, offset = limit
        return nominal[self.ids[i]] <= nominal[self.ids[ref]] + offset.nominal_days

    def _use(self, name: str, capacity: int | None) -> ResourceUse:
        use = self.use[name] = ResourceUse(name, capacity or 0)
        return use

    def _resource(self, name: str, capacity: int | None) -> tuple[simpy.Resource, ResourceUse] | None:
        if capacity is None:
            return None
        return simpy.Resource(self.env, capacity), self._use(name, capacity)


class _DaySlots:
    """A per-day capacity (visit slots, apheresis chairs): book the nearest free day inside the window."""

    def __init__(self, use: ResourceUse) -> None:
        self.use = use
        self.booked: dict[int, int] = {}

    def book(self, wanted: int, earliest: int, latest: int, now: int) -> int:
        capacity, booked = self.use.capacity, self.booked
        low = max(earliest, now)
        for step in range(0, 2 * max(latest - earliest, 0) + 1):
            day = wanted + (step + 1) // 2 if step % 2 else wanted - step // 2
            if low <= day <= latest and booked.get(day, 0) < capacity:
                break
        else:
            day = max(latest + 1, low)
            while booked.get(day, 0) >= capacity:
                day += 1
        booked[day] = booked.get(day, 0) + 1
        self.use.busy_days += 1
        if day != wanted:
            if earliest <= day <= latest:
                self.use.moved_in_window += 1
            else:
                self.use.moved_out_of_window += 1
        return day


class _Patient:
    """One patient's events as callbacks: local time 0 is the patient's study day 1 (global ``offset``)."""

    __slots__ = ("shared", "subject", "offset", "advance", "fired", "waiting", "completion", "dropped", "visits",
                 "streams", "reasons", "bed", "pending", "pending_days", "bounds", "left", "moved")

    def __init__(self, shared: _Shared, subject: int, offset: int, advance: Advance) -> None:
        self.shared, self.subject, self.offset, self.advance = shared, subject, offset, advance
        self.fired = array("i", shared.unfired)  # compact: ten thousand patients stay small (MISSING: not yet)
        self.waiting = array("i", shared.waiting)
        self.completion: dict[int, int] = {}  # event → days its completion was delayed (manufacturing)
        self.dropped = False
        self.visits: dict[int, int] = {}  # target day → booked day (one visit slot per patient-day)
        self.streams: dict[str, np.random.Generator] = {}
        self.reasons: dict[int, str] = {}
        self.bed: object = None
        self.pending = array("i")  # passive events dated but not yet recorded ...
        self.pending_days = array("i")  # ... and their days
        self.moved: dict[int, int] = {}  # pending position → the day a visit slot moved it to
        self.bounds: list[int | None] = [None] * shared.limit_count  # the day each distinct limit bounds
        self.left = shared.active_count  # events still to fire with a timeout: at 0 the patient is finished

    def rng(self, name: str) -> np.random.Generator:
        found = self.streams.get(name)
        if found is None:
            shared = self.shared
            found = self.streams[name] = stream(shared.seed, shared.replicate, self.subject, name)
        return found

    def start(self) -> None:
        for i in self.shared.roots:
            self._schedule(i)

    def _target(self, i: int) -> int:
        shared = self.shared
        simple = shared.simple[i]
        if simple is not None and simple[0] not in self.completion:
            return self.fired[simple[0]] + simple[1]
        anchors = shared.anchors[i]
        if not anchors:
            return shared.nominal[i]
        best = None
        for j, offset in anchors:
            base = self.fired[j]
            assert base != MISSING
            at = base + offset.days if not offset.is_calendar else self.advance(base, offset)
            delay = self.completion.get(j)
            if delay and offset.days > 0:
                at += delay
            best = at if best is None or at > best else best
        assert best is not None
        return best

    def _schedule(self, i: int) -> None:
        if self.dropped:
            return
        shared = self.shared
        now = int(shared.env.now) - self.offset
        target = self._target(i)
        when, reason = target, ""
        law = shared.step_days.get(i)
        if law is not None:
            when = target + law[0].sample(self.rng("steps")) - law[1]
            reason = "sampled day"
        delay = shared.cycle_delay
        if delay is not None and i in delay[2] and self.rng("cycle_delay").random() < delay[0]:
            when = target + delay[1].sample(self.rng("cycle_delay"))
            reason = "cycle delay"
        when = max(when, now)
        slots = shared.chairs if i in shared.chair_events else shared.slots if i in shared.visit_events else None
        if slots is not None:
            booked = self._book(i, when, target, now, slots)
            if booked != when:
                reason = "no apheresis chair" if slots is shared.chairs else "no visit slot"
                when = booked
        if reason:
            self.reasons[i] = reason
        shared.env.timeout(when - now).callbacks.append(lambda _e, i=i, t=target: self._arrive(i, t))

    def _book(self, i: int, when: int, target: int, now: int, slots: _DaySlots) -> int:
        """The day a shared per-day slot is free, inside the window if any is; one visit slot per patient-day."""
        shared = self.shared
        visit = slots is shared.slots
        booked = self.visits.get(when) if visit else None
        if booked is None:  # the slots are shared: book in days of the study, not of the patient
            early, late = shared.windows[i]
            o = self.offset
            booked = slots.book(when + o, target - early + o, target + late + o, now + o) - o
            if visit:
                self.visits[when] = booked
        return booked

    def _arrive(self, i: int, target: int) -> None:
        if self.dropped:
            return
        shared = self.shared
        held = shared.manufacturing if i in shared.manufactured else shared.beds if i in shared.bed_release else None
        if held is None:
            self._fire(i, target)
            return
        resource, use = held
        asked = int(shared.env.now)
        request = resource.request()
        request.callbacks.append(lambda _e: self._granted(i, target, request, asked, held))

    def _granted(self, i: int, target: int, request: simpy.resources.resource.Request, asked: int,
                 held: tuple[simpy.Resource, ResourceUse]) -> None:
        resource, use = held
        shared = self.shared
        now = int(shared.env.now)
        use.waits.append(now - asked)
        if self.dropped:
            resource.release(request)
            return
        if now > asked:
            self.reasons[i] = f"waited for {use.name.replace('_', ' ').removesuffix('s')}"
        if held is shared.manufacturing:
            days = self._produce(i)
            use.busy_days += days
            shared.env.timeout(days).callbacks.append(lambda _e: resource.release(request))
        else:
            self.bed = (request, resource, use, now, shared.bed_release[i])
        self._fire(i, target)

    def _produce(self, i: int) -> int:
        """Days a step with a sampled duration takes, failed runs redone; the delay over the plan goes on what
        follows it. When every run fails the patient leaves the study as the last one ends."""
        shared = self.shared
        law = shared.step_durations.get(i)
        planned = law[1] if law else shared.timeline.events[i].duration
        probability, retries = shared.failures.get(i, (0.0, 0))
        total = 0
        for _run in range(retries + 1):
            total += law[0].sample(self.rng("steps")) if law else planned
            if not probability or self.rng("failure").random() >= probability:
                self.completion[i] = total - planned
                return total
        self.completion[i] = total - planned
        phase = self.shared.timeline.events[i].phase or ""
        shared.env.timeout(total).callbacks.append(lambda _e: self._drop("manufacturing failure", phase))
        return total

    def _fire(self, i: int, target: int) -> None:
        shared = self.shared
        now = int(shared.env.now) - self.offset
        self.fired[i] = now
        if self._within_limit(i, now):
            early, late = shared.windows[i]
            status = ON_TIME if now == target else IN_WINDOW if target - early <= now <= target + late else (
                EARLY if now < target else LATE)
            shared.records.add(self.subject, i, target, now, status, self.reasons.get(i, ""))
        hazard = shared.hazards.get(i)
        if hazard is not None:
            self._hazard(hazard)
        if i not in self.completion and (i in shared.step_durations or i in shared.failures):
            self._produce(i)
        if self.bed is not None and self.bed[4] == i:
            self._free_bed()
        self.left -= 1
        passive, simple, waiting = shared.passive, shared.simple, self.waiting
        pending, pending_days = self.pending, self.pending_days
        delay = self.completion.get(i, 0) if self.completion else 0
        bulk, offsets = shared.bulk[i]
        if bulk:
            pending.extend(bulk)
            if delay:
                pending_days.extend([now + d + (delay if d > 0 else 0) for d in offsets])
            else:
                pending_days.extend([now + d for d in offsets])
        slots, visits = shared.slots, shared.visit_events
        for child in shared.others[i]:
            waiting[child] -= 1
            if waiting[child] == 0:
                if passive[child]:
                    offset = simple[child]
                    if offset is None:
                        day = self._target(child)
                    else:  # anchored on this event alone
                        day = now + offset[1] + (delay if offset[1] > 0 else 0)
                    if slots is not None and child in visits:
                        booked = self._book(child, day, day, now, slots)
                        if booked != day:
                            self.moved[len(pending)] = booked
                    pending.append(child)
                    pending_days.append(day)
                else:
                    self._schedule(child)
        if self.left == 0:
            self._finish()

    def _finish(self) -> None:
        """Every event has fired: record the rest and let go of the patient's working state."""
        self.flush()
        self.dropped = True  # nothing more can happen to this patient (a pending dropout timer is ignored)
        self.fired = self.waiting = self.pending = self.pending_days = array("i")
        self.streams, self.reasons, self.visits, self.completion = {}, {}, {}, {}

    def flush(self, until: int | None = None) -> None:
        """Record the passive events dated so far (those after ``until`` are cancelled, with the dropout)."""
        if not self.pending:
            return
        shared = self.shared
        limit_ids, moved = shared.limit_ids, self.moved
        bounds = self._bounds()
        if moved:
            kept = [(i, day, moved.get(k, day)) for k, (i, day) in enumerate(zip(self.pending, self.pending_days,
                                                                                strict=True))
                    if limit_ids[i] < 0 or moved.get(k, day) <= bounds[limit_ids[i]]]
        else:
            kept = [(i, day, day) for i, day in zip(self.pending, self.pending_days, strict=True)
                    if limit_ids[i] < 0 or day <= bounds[limit_ids[i]]]
        self.pending, self.pending_days, self.moved = array("i"), array("i"), {}
        done = [(i, day) for i, day, actual in kept if day == actual and (until is None or day <= until)]
        shared.records.extend_on_time(self.subject, [i for i, _ in done], [day for _, day in done])
        if len(done) == len(kept):
            return
        windows, add = shared.windows, shared.records.add
        reason = "" if until is None else f"dropout: {shared.dropouts[-1][2]} in {shared.dropouts[-1][1]}"
        for i, day, actual in kept:
            if until is not None and actual > until:
                add(self.subject, i, day, MISSING, CANCELLED, reason)
            elif actual != day:
                early, late = windows[i]
                status = IN_WINDOW if day - early <= actual <= day + late else EARLY if actual < day else LATE
                add(self.subject, i, day, actual, status, "no visit slot")

    def _free_bed(self) -> None:
        request, resource, use, since, _release = self.bed  # type: ignore[misc]
        use.busy_days += int(self.shared.env.now) - since
        resource.release(request)
        self.bed = None

    def _bounds(self) -> list[float]:
        """The day each distinct limit bounds (infinite while it cannot be told yet)."""
        shared = self.shared
        found: list[float] = []
        for key in range(shared.limit_count):
            event = shared.limit_ids.index(key)
            found.append(math.inf if self._within_limit(event, 0) and self.bounds[key] is None
                         else self.bounds[key])  # type: ignore[arg-type]
        return found

    def _within_limit(self, i: int, now: int) -> bool:
        limit = self.shared.limits[i]
        if limit is None:
            return True
        key = self.shared.limit_ids[i]
        bound = self.bounds[key]
        if bound is None:
            ref, offset = limit
            base = self.fired[ref]
            if base == MISSING:  # not fired yet: where its anchors put it, if they have fired
                if any(self.fired[j] == MISSING for j, _ in self.shared.anchors[ref]):
                    return True
                base = self._target(ref)
            bound = self.bounds[key] = self.advance(base, offset)
        return now <= bound

    def _hazard(self, hazard: Hazard) -> None:
        if not hazard.rates:
            return
        rng = self.rng("dropout")
        when, cause = min((float(rng.exponential(1 / rate)), cause) for cause, rate in hazard.rates)
        if when < hazard.span:
            self.shared.env.timeout(int(when)).callbacks.append(lambda _e: self._drop(cause, hazard.phase))

    def _drop(self, cause: str, phase: str) -> None:
        if self.dropped:  # already out of the study, or finished it
            return
        shared = self.shared
        now = int(shared.env.now) - self.offset
        self.dropped = True
        shared.dropouts.append((self.subject, phase, cause, now))
        reason = f"dropout: {cause} in {phase}"
        dated = set(self.pending)
        self.flush(until=now)
        for i, fired in enumerate(self.fired):
            if fired == MISSING and shared.included[i] and i not in dated:
                shared.records.add(self.subject, i, shared.nominal[i], MISSING, CANCELLED, reason)
        if self.bed is not None:
            self._free_bed()
        self.fired = self.waiting = self.pending = self.pending_days = array("i")
        self.streams, self.reasons, self.visits, self.completion = {}, {}, {}, {}


def simulate_replicate(timeline: Timeline, params: SimParameters, day1: list[int], seed: int, replicate: int,
                       on_patient: Callable[[int], None] | None = None) -> ReplicateResult:
    """Run every patient (day 1 of patient ``k`` on day ``day1[k]`` after the scenario start) to the end."""
    start = params.scenario.start
    first = min(plan(timeline).values())
    env = simpy.Environment(initial_time=min(0, first + (min(day1) if day1 else 0)))
    shared = _Shared(timeline, params, env, seed, replicate)
    advances: dict[int, Advance] = {}

    def enrol(subject: int, offset: int) -> None:
        advance = advances.get(offset)
        if advance is None:
            advance = advances[offset] = calendar_advance(start + timedelta(days=offset))
        patient = _Patient(shared, subject, offset, advance)
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
