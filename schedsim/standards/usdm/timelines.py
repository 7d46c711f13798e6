"""USDM schedule timelines from a compiled timeline: instances, encounters, activities and timings (see ``export``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schedsim.compile.ir import Event, Timeline
from schedsim.engine.schedule import ScheduledEvent, build_schedule
from schedsim.language.durations import Offset
from schedsim.standards.soa.model import activities_of
from schedsim.standards.usdm.codes import (
    ENCOUNTER_VISIT,
    START_TO_START,
    TIMING_TYPE,
    iso_days,
)
from schedsim.standards.usdm.decisions import DecisionParts
from schedsim.standards.usdm.design import DesignParts

_CYCLE = re.compile(r"^(?P<phase>[a-z][a-z0-9_]*)\.c(?P<cycle>\d+)\.d(?P<day>\d+)(?:\.|$)")


@dataclass
class _Visit:
    """The events of one visit day (or of one cycle day in a cycle pattern)."""

    t: int
    items: list[ScheduledEvent] = field(default_factory=list)

    @property
    def main(self) -> ScheduledEvent:
        """The event that names the visit: its visit event, else its first event with a window, else its first."""
        return next((i for i in self.items if i.event.kind == "visit"),
                    next((i for i in self.items if i.earliest is not None), self.items[0]))


class TimelineBuilder(DecisionParts, DesignParts):
    """Builds the timelines of one study design (see ``export``)."""

    # --- timelines ----------------------------------------------------------------------------------------------

    def timeline(self, timeline: Timeline, name: str, main: bool, branch: tuple[str, str] | None = None
                 ) -> dict[str, Any]:
        """A schedule timeline of one path; ``branch`` (decision, branch): only what follows that decision, which
        the main timeline's decision leads to."""
        schedule = build_schedule(timeline)
        visits: dict[tuple, _Visit] = {}
        for item in schedule.events:
            if item.event.kind == "milestone" or item.event.setting in ("home", "offsite"):
                continue  # drugs taken at home and manufacturing are no encounters
            match = _CYCLE.match(item.event.id)
            phase = next((p for p in timeline.phases if p.id == item.event.phase), None)
            if match and phase is not None and phase.kind == "cycles":
                key: tuple = ("cycle", phase.id, int(match["cycle"]), int(match["day"]))
            else:
                key = ("day", item.event.phase or "", item.t)
            visits.setdefault(key, _Visit(item.t)).items.append(item)
        record = self._new_timeline(name, main)
        steps: list[tuple[int, int, dict[str, Any]]] = []  # (time, order, instance)
        by_event: dict[str, str] = {}
        for key, visit in sorted(((k, v) for k, v in visits.items() if k[0] == "day"), key=lambda kv: kv[1].t):
            instance = self._instance(visit, timeline, key[1])
            by_event.update({item.event.id: instance["id"] for item in visit.items})
            steps.append((visit.t, 1, instance))
        steps += self._cycles(timeline, visits)
        times = {item.event.id: item.t for item in schedule.events}
        if main:
            for decision in timeline.design.decisions:
                if decision.id in times:  # after the day's instances: a decision reads what they find
                    steps.append((times[decision.id], 2, self._decision(decision)))
        if branch is not None and branch[0] in times:
            steps = [step for step in steps if step[0] > times[branch[0]]]
            self.entries[branch] = record["id"]
            self.decision_times[branch[0]] = times[branch[0]]
        steps.sort(key=lambda s: (s[0], s[1]))
        self._chain(record, steps)
        self._timings(record, steps, timeline, by_event, times)
        return record

    def _new_timeline(self, name: str, main: bool) -> dict[str, Any]:
        record = {"id": self.ids.next("ScheduleTimeline"), "extensionAttributes": [], "name": name, "label": name,
                  "description": name, "mainTimeline": main, "entryCondition": "Patient enrolled", "entryId": "",
                  "exits": [{"id": self.ids.next("ScheduleTimelineExit"), "extensionAttributes": [],
                             "instanceType": "ScheduleTimelineExit"}],
                  "timings": [], "instances": [], "plannedDuration": None, "instanceType": "ScheduleTimeline"}
        self.design["scheduleTimelines"].append(record)
        return record

    def _instance(self, visit: _Visit, timeline: Timeline, phase: str, label: str | None = None,
                  name: str | None = None) -> dict[str, Any]:
        main = visit.main.event
        names = [a.name for item in visit.items for a in activities_of(item.event, timeline)]
        encounter = {"id": self.ids.next("Encounter"), "extensionAttributes": [], "name": name or main.id,
                     "label": label or _label(main), "description": main.label,
                     "type": self.ids.code(ENCOUNTER_VISIT), "previousId": None, "nextId": None,
                     "scheduledAtId": None, "environmentalSettings": [], "contactModes": [],
                     "transitionStartRule": None, "transitionEndRule": None, "notes": [],
                     "instanceType": "Encounter"}
        self.design["encounters"].append(encounter)
        instance = {"id": self.ids.next("ScheduledActivityInstance"), "extensionAttributes": [],
                    "name": name or main.id,
                    "label": encounter["label"], "description": main.label, "defaultConditionId": None,
                    "epochId": self.epochs.get(phase, self.epochs.get("")), "timelineId": None,
                    "timelineExitId": None, "activityIds": list(dict.fromkeys(self.activity(n) for n in names)),
                    "encounterId": encounter["id"], "instanceType": "ScheduledActivityInstance"}
        window = visit.main
        if window.earliest is not None and window.latest is not None and (window.earliest, window.latest) != (
                window.t, window.t):
            self.windows[instance["id"]] = (window.t - window.earliest, window.latest - window.t)
        return instance

    def _cycles(self, timeline: Timeline, visits: dict[tuple, _Visit]) -> list[tuple[int, int, dict[str, Any]]]:
        """One instance per cycle on the timeline, referring to the sub-timeline of its days (shared by cycles
        with the same days and activities)."""
        steps = []
        for info in timeline.phases:
            cycles: dict[int, dict[int, _Visit]] = {}
            for key, visit in visits.items():
                if key[0] == "cycle" and key[1] == info.id:
                    cycles.setdefault(key[2], {})[key[3]] = visit
            subs: dict[tuple, str] = {}
            for cycle in sorted(cycles):
                days = cycles[cycle]
                pattern = tuple((d, tuple(sorted(a.name for i in v.items for a in activities_of(i.event, timeline))))
                                for d, v in sorted(days.items()))
                if pattern not in subs:
                    subs[pattern] = self._cycle_timeline(info.id, info.label, cycle, days, timeline)
                first_day = min(days)
                start = days[first_day].t - (first_day - 1)
                instance = {"id": self.ids.next("ScheduledActivityInstance"), "extensionAttributes": [],
                            "name": f"{info.id}.c{cycle}", "label": f"{info.label} cycle {cycle}",
                            "description": f"Cycle {cycle} of {info.label}", "defaultConditionId": None,
                            "epochId": self.epochs.get(info.id), "timelineId": subs[pattern],
                            "timelineExitId": None, "activityIds": [], "encounterId": None,
                            "instanceType": "ScheduledActivityInstance"}
                main = days[first_day].main  # the cycle's day-1 window is the cycle's own
                if main.earliest is not None and main.latest is not None and main.latest > main.earliest:
                    self.windows[instance["id"]] = (main.t - main.earliest, main.latest - main.t)
                steps.append((start, 1, instance))
        return steps

    def _cycle_timeline(self, phase: str, label: str, cycle: int, days: dict[int, _Visit], timeline: Timeline
                        ) -> str:
        record = self._new_timeline(f"{label}: cycle days (as cycle {cycle})", main=False)
        record["entryCondition"] = f"Day 1 of a {label} cycle"
        steps = [(day, 1, self._instance(visit, timeline, phase, f"{label} D{day}", f"{phase}.d{day}"))
                 for day, visit in sorted(days.items())]
        self._chain(record, steps)
        anchor = steps[0][2]["id"]
        for position, (day, _order, instance) in enumerate(steps):
            if position == 0:
                record["timings"].append(self._timing("fixed", iso_days(day), instance["id"], instance["id"]))
            else:
                timing = self._timing("after", iso_days(day - steps[0][0]), instance["id"], anchor)
                self._window(timing, instance["id"])
                record["timings"].append(timing)
        return record["id"]

    # --- order and timings --------------------------------------------------------------------------------------

    def _chain(self, record: dict[str, Any], steps: list[tuple[int, int, dict[str, Any]]]) -> None:
        instances = [s[2] for s in steps]
        record["instances"] = instances
        record["entryId"] = instances[0]["id"] if instances else ""
        for here, there in zip(instances, instances[1:], strict=False):
            here["defaultConditionId"] = there["id"]
        if instances:
            instances[-1]["defaultConditionId"] = None
            if instances[-1]["instanceType"] == "ScheduledActivityInstance":
                instances[-1]["timelineExitId"] = record["exits"][0]["id"]

    def _timings(self, record: dict[str, Any], steps: list[tuple[int, int, dict[str, Any]]], timeline: Timeline,
                 by_event: dict[str, str], times: dict[str, int]) -> None:
        timed = [s for s in steps if s[2]["instanceType"] == "ScheduledActivityInstance"]
        if not timed:
            return
        anchor_t, _, anchor = min(timed, key=lambda s: (s[0] < 0, abs(s[0])))
        self.anchor_times[record["id"]] = anchor_t
        record["timings"].append(self._timing("fixed", iso_days(anchor_t + 1), anchor["id"], anchor["id"]))
        at = {s[2]["id"]: s[0] for s in timed}
        previous_cycle: dict[str, tuple[int, str]] = {}
        for t, _order, instance in timed:
            if instance is anchor:
                continue
            ref, value = anchor["id"], None
            if instance["timelineId"] is not None:  # a cycle: timed from the phase's previous cycle
                phase = instance["name"].rsplit(".", 1)[0]
                if phase in previous_cycle:
                    ref = previous_cycle[phase][1]
                previous_cycle[phase] = (t, instance["id"])
            else:
                event = timeline.event(instance["name"])
                source = event.anchors[0] if event.rule == "at" and event.anchors else None
                if source is not None and source.ref in by_event and by_event[source.ref] != instance["id"]:
                    ref = by_event[source.ref]
                    value = _iso_offset(source.offset)
            gap = t - at[ref]
            timing = self._timing("after" if gap >= 0 else "before", value or iso_days(gap), instance["id"], ref)
            self._window(timing, instance["id"])
            record["timings"].append(timing)

    def _window(self, timing: dict[str, Any], instance: str) -> None:
        """A window, all three parts (DDF00006), as non-negative durations (DDF00061-62); never on an anchor."""
        if instance in self.windows:
            early, late = self.windows[instance]
            timing.update(windowLower=iso_days(early), windowUpper=iso_days(late),
                          windowLabel=f"-{early}..+{late} days")

    def _timing(self, kind: str, value: str, instance: str, ref: str) -> dict[str, Any]:
        label = {"fixed": "Anchor", "after": f"{value} after", "before": f"{value} before"}[kind]
        return {"id": self.ids.next("Timing"), "extensionAttributes": [], "name": f"TIM{self.ids.counts['Timing'] + 1}",
                "label": label, "description": label, "type": self.ids.code(TIMING_TYPE[kind]), "value": value,
                "valueLabel": value, "relativeToFrom": self.ids.code(START_TO_START),
                "relativeFromScheduledInstanceId": instance, "relativeToScheduledInstanceId": ref,
                "windowLower": None, "windowUpper": None, "windowLabel": None, "instanceType": "Timing"}


def _label(event: Event) -> str:
    return re.sub(r"\s*\((?:day|d) ?[+-]?\d+\)$", "", event.label)


def _iso_offset(offset: Offset) -> str | None:
    """A protocol offset as an ISO 8601 duration when it is non-negative and in one unit (``6mo`` → ``P6M``)."""
    if offset.days < 0 or offset.months < 0 or offset.years < 0:
        return None
    if offset.years and not offset.months and not offset.days:
        return f"P{offset.years}Y"
    if offset.months and not offset.years and not offset.days:
        return f"P{offset.months}M"
    if not offset.months and not offset.years:
        return iso_days(offset.days)
    return None
