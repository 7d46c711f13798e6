"""What every patient of one simulated replicate shares: the timeline's structure as index lists, the scenario's
parameters by event index, the shared resources and the record table."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import simpy

from schedsim.compile.ir import Timeline
from schedsim.engine.subject import plan
from schedsim.simulation.parameters import SimParameters
from schedsim.simulation.records import MISSING, RecordTable
from schedsim.simulation.resources import DaySlots, ResourceUse


class SharedState:
    """What every patient of a replicate shares: the timeline's structure, parameters, resources, records."""

    def __init__(self, timeline: Timeline, params: SimParameters, env: simpy.Environment, seed: int,
                 replicate: int, common: SharedState | None = None) -> None:
        """``common``: the state of another path of the same study (its arm or branch), whose resources, dropouts
        and patients this one shares; records stay per path (their event numbers are this timeline's)."""
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
        self.limit_array = np.array(self.limit_ids, dtype=np.intp)
        self.limit_defs = unique_limits  # key → (limit event, offset)
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
        for i, event in enumerate(events):  # placed before its anchor (screening 14 days before day 1): the event
            forward = [(j, offset) for (j, offset), a in zip(self.anchors[i], event.anchors, strict=True)  # cannot
                       if nominal[a.ref] <= nominal[event.id]]  # wait for it, so the plan dates it
            if len(forward) < len(self.anchors[i]):
                self.anchors[i] = forward
                self.simple[i] = None
        self.included = [self._included(i, nominal) for i in range(len(events))]
        self.included_mask = np.array(self.included, dtype=bool)  # the same two as arrays: a dropout cancels
        self.nominal_days = np.array(self.nominal, dtype=np.int32)  # every event still to come in one go
        self.roots = [i for i in range(len(events)) if self.waiting[i] == 0]
        self.unfired = array("i", [MISSING]) * len(events)
        self.records = RecordTable()
        self.patients: list[Any] = []  # the replicate's patients (simulation.patient.Patient)
        self.dropouts: list[tuple[int, str, str, int]] = []
        res = params.scenario.resources
        self.use: dict[str, ResourceUse] = {}
        if common is not None:  # one study: every path's patients compete for the same slots and beds
            self.patients, self.dropouts, self.use = common.patients, common.dropouts, common.use
            self.manufacturing, self.beds, self.chairs, self.slots = (common.manufacturing, common.beds,
                                                                      common.chairs, common.slots)
        else:
            self.manufacturing = self._resource("manufacturing_slots", res.manufacturing_slots)
            self.beds = self._resource("transplant_beds", res.transplant_beds)
            self.chairs = DaySlots(self._use("apheresis_chairs", res.apheresis_chairs)) if res.apheresis_chairs \
                else None
            self.slots = DaySlots(self._use("visit_slots", res.visit_slots)) if res.visit_slots else None
        by_id = params.step_days, params.step_durations, params.failures
        self.step_days = {self.index[k]: v for k, v in by_id[0].items()}
        self.step_durations = {self.index[k]: v for k, v in by_id[1].items()}
        self.failures = {self.index[k]: v for k, v in by_id[2].items()}
        self.produced = set(self.step_durations) | set(self.failures)  # steps that take a time of their own
        delay = params.cycle_delay
        self.cycle_delay = (delay[0], delay[1], {self.index[k] for k in delay[2]}) if delay else None
        self.hazards = {self.index[k]: v for k, v in params.hazards.items()}
        self.manufactured = {self.index[k] for k in params.manufacturing}
        self.bed_release = {self.index[k]: self.index[v] for k, v in params.beds.items()}
        self.chair_events = {self.index[k] for k in params.chairs}
        self.visit_events = {self.index[k] for k in params.visits}
        self.horizon = self.index[timeline.horizon] if timeline.horizon in self.index else -1
        self.phase_ends = {self.index[p.end]: self.index[p.start] for p in timeline.phases
                           if p.end in self.index and p.start in self.index}  # a phase's end → its start
        ends_study = {self.horizon} if self.horizon >= 0 else set()  # it fires: the patient's study ends with its day
        active = (ends_study | set(self.step_days) | set(self.step_durations) | set(self.failures) | set(self.hazards)
                  | set(self.bed_release) | set(self.bed_release.values())
                  | (self.cycle_delay[2] if self.cycle_delay else set())
                  | (self.manufactured if self.manufacturing else set())
                  | (self.chair_events if self.chairs else set()))
        # a passive event places nothing and meets nothing random: it is dated by arithmetic when its anchors have
        # fired (and its visit slot booked then, as an active event's is), without a simpy timeout of its own
        self.passive = [not self.children[i] and i not in active and i not in self.roots for i in range(len(events))]
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
