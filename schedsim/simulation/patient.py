"""One simulated patient: the patient's events as callbacks on the replicate's simpy environment.

An event is scheduled once everything it is anchored on has fired; it fires at its target (its anchors' actual
times plus offsets) moved by what the scenario adds (sampled block days, cycle delays, shared per-day slots) and,
for steps that hold a shared resource (manufacturing slot, transplant bed), when the resource is granted. Passive
events (nothing waits on them) are dated in bulk and recorded when the patient flushes. Every draw comes from the
patient's named streams. ``schedsim.simulation.engine`` runs the replicate.
"""

from __future__ import annotations

import math
from array import array
from functools import partial

import numpy as np
import simpy

from schedsim.compile.graph import Advance
from schedsim.engine.sampling import stream
from schedsim.simulation.leaving import FIRST, LAST, OnDay, end_of_study, leave
from schedsim.simulation.parameters import Hazard
from schedsim.simulation.records import CANCELLED, EARLY, IN_WINDOW, LATE, MISSING, ON_TIME
from schedsim.simulation.resources import DaySlots, ResourceUse
from schedsim.simulation.state import SharedState


class Patient:
    """One patient's events as callbacks: local time 0 is the patient's study day 1 (global ``offset``)."""

    __slots__ = ("shared", "subject", "offset", "advance", "fired", "waiting", "completion", "dropped", "visits",
                 "streams", "reasons", "bed", "pending", "pending_days", "bounds", "left", "moved")

    def __init__(self, shared: SharedState, subject: int, offset: int, advance: Advance) -> None:
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
        shared.env.timeout(when - now).callbacks.append(partial(self._arrive, i, target))

    def _book(self, i: int, when: int, target: int, now: int, slots: DaySlots) -> int:
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

    def _arrive(self, i: int, target: int, _event: object = None) -> None:
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
        OnDay(shared.env, total, LAST).callbacks.append(lambda _e: self._drop("manufacturing failure", phase))
        return total

    def _fire(self, i: int, target: int) -> None:
        shared = self.shared
        now = int(shared.env.now) - self.offset
        self.fired[i] = now
        key = shared.limit_ids[i]
        if key < 0 or now <= self._bound(key):
            early, late = shared.windows[i]
            status = ON_TIME if now == target else IN_WINDOW if target - early <= now <= target + late else (
                EARLY if now < target else LATE)
            shared.records.add(self.subject, i, target, now, status, self.reasons.get(i, ""))
        hazard = shared.hazards.get(i)
        if hazard is not None:
            self._hazard(hazard)
        if i in shared.produced and i not in self.completion:
            self._produce(i)
        if i == shared.horizon:  # the patient's study ends with this day
            OnDay(shared.env, 1, FIRST).callbacks.append(lambda _e: end_of_study(self))
        if self.bed is not None and self.bed[4] == i:
            self.free_bed()
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

    def flush(self, until: int | None = None, reason: str = "") -> int:
        """Record the passive events dated so far (those after ``until`` are cancelled for ``reason``); how many were
        cancelled."""
        if not self.pending:
            return 0
        shared = self.shared
        events = np.frombuffer(self.pending, dtype=np.int32)
        days = np.frombuffer(self.pending_days, dtype=np.int32)
        actual = days.copy()
        if self.moved:
            actual[list(self.moved)] = list(self.moved.values())
        bounds = np.array([*self._bounds(), math.inf])  # limit id -1 (no limit): the last, infinite
        kept = np.flatnonzero(actual <= bounds[shared.limit_array[events]])
        self.pending, self.pending_days, self.moved = array("i"), array("i"), {}
        on_time = actual[kept] == days[kept]
        if until is not None:
            on_time &= days[kept] <= until
        done = kept[on_time]
        shared.records.extend_on_time(self.subject, events[done], days[done])
        if len(done) == len(kept):
            return 0
        cancelled = 0
        windows, add = shared.windows, shared.records.add
        for i, day, moved in zip(events[kept].tolist(), days[kept].tolist(), actual[kept].tolist(), strict=True):
            if until is not None and moved > until:
                add(self.subject, i, day, MISSING, CANCELLED, reason)
                cancelled += 1
            elif moved != day:
                early, late = windows[i]
                status = IN_WINDOW if day - early <= moved <= day + late else EARLY if moved < day else LATE
                add(self.subject, i, day, moved, status, "no visit slot")
        return cancelled

    def free_bed(self) -> None:
        request, resource, use, since, _release = self.bed  # type: ignore[misc]
        use.busy_days += int(self.shared.env.now) - since
        resource.release(request)
        self.bed = None

    def _bounds(self) -> list[float]:
        """The day each distinct limit bounds (infinite while it cannot be told yet)."""
        return [self._bound(key) for key in range(self.shared.limit_count)]

    def _bound(self, key: int) -> float:
        """The day limit ``key`` bounds: its event's actual day plus the offset, else where its anchors put it
        (cached once known); infinite while its anchors have not fired."""
        bound = self.bounds[key]
        if bound is None:
            ref, offset = self.shared.limit_defs[key]
            base = self.fired[ref]
            if base == MISSING:
                if any(self.fired[j] == MISSING for j, _ in self.shared.anchors[ref]):
                    return math.inf
                base = self._target(ref)
            bound = self.bounds[key] = self.advance(base, offset)
        return bound

    def _hazard(self, hazard: Hazard) -> None:
        if not hazard.rates:
            return
        rng = self.rng("dropout")
        when, cause = min((float(rng.exponential(1 / rate)), cause) for cause, rate in hazard.rates)
        if when < hazard.span:
            OnDay(self.shared.env, int(when), LAST).callbacks.append(lambda _e: self._drop(cause, hazard.phase))

    def _drop(self, cause: str, phase: str) -> None:
        if self.dropped:  # already out of the study, or finished it
            return
        shared = self.shared
        now = int(shared.env.now) - self.offset
        if leave(self, now, f"dropout: {cause} in {phase}"):  # a dropout that cancels nothing: they had finished
            shared.dropouts.append((self.subject, phase, cause, now))
