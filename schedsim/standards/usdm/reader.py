"""A CDISC USDM v4.0 study as a schedsim protocol: the first study design's main timeline becomes the schedule.

The instance the Fixed Reference timing anchors becomes study day 1 (a one-step ``study`` phase, with that visit's
activities); every other scheduled activity instance becomes a visit (an assessment of kind ``visit`` with its
encounter's label and its activities) placed by its timing: ``After P2W`` from the instance it is relative to, a
window from ``windowLower``/``windowUpper``. An instance that runs a sub-timeline (USDM's way of writing cycles) is a
visit, and that sub-timeline's instances are visits placed from it. Arms become ``arms:``. What has no place in a
schedsim protocol (decision instances, other timelines, windows shorter than a day) is said in a comment and a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schedsim.errors import InputError, Problem
from schedsim.inputs import read_input
from schedsim.standards.usdm.codes import days_of_iso


@dataclass
class UsdmImport:
    """The protocol text and what could not be carried over."""

    text: str
    warnings: list[str] = field(default_factory=list)


def protocol_from_usdm(path: str | Path) -> UsdmImport:
    source = str(path)
    text = read_input(path, "USDM")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(Problem(source, error.lineno, "", f"not valid JSON: {error.msg}")) from None
    try:
        design = document["study"]["versions"][0]["studyDesigns"][0]
        timelines = design["scheduleTimelines"]
        main = next(t for t in timelines if t.get("mainTimeline"))
    except (KeyError, IndexError, TypeError, StopIteration):
        raise InputError(Problem(source, None, "study.versions[0].studyDesigns[0].scheduleTimelines",
                                 "not a USDM study with a main schedule timeline")) from None
    return _Reader(source, document, design, timelines).read(main)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "visit"
    base = base if base[0].isalpha() else f"v_{base}"
    ident, number = base, 2
    while ident in taken:
        ident, number = f"{base}_{number}", number + 1
    taken.add(ident)
    return ident


class _Reader:
    def __init__(self, source: str, document: dict[str, Any], design: dict[str, Any],
                 timelines: list[dict[str, Any]]) -> None:
        self.source, self.document, self.design = source, document, design
        self.timelines = {t["id"]: t for t in timelines}
        self.encounters = {e["id"]: e for e in design.get("encounters") or []}
        self.activities = {a["id"]: a.get("label") or a.get("name") for a in design.get("activities") or []}
        self.warnings: list[str] = []
        self.ids: set[str] = {"study", "schedule"}
        self.visits: list[dict[str, Any]] = []
        self.anchor_step: dict[str, Any] | None = None
        self.used_subtimelines: set[str] = set()

    def read(self, main: dict[str, Any]) -> UsdmImport:
        self._timeline(main, parent=None)
        for other in self.timelines.values():
            if not other.get("mainTimeline") and other["id"] not in self.used_subtimelines:
                self.warnings.append(f"timeline {other.get('name')!r} is not the main timeline nor run by one of its "
                                     "instances: not imported")
        return UsdmImport(self._render(), self.warnings)

    def _timeline(self, timeline: dict[str, Any], parent: str | None) -> dict[str, str]:
        """Visit ids of the timeline's instances; ``parent``: the visit that runs it (a sub-timeline)."""
        instances = {i["id"]: i for i in timeline.get("instances") or []}
        timings = {t["relativeFromScheduledInstanceId"]: t for t in timeline.get("timings") or []}
        fixed = next((t for t in timeline.get("timings") or [] if (t.get("type") or {}).get("code") == "C201358"
                      or (t.get("type") or {}).get("decode") == "Fixed Reference"), None)
        if fixed is None:
            raise InputError(Problem(self.source, None, f"timeline {timeline.get('name')!r}",
                                     "has no Fixed Reference timing (DDF00009): nothing to count days from"))
        anchor = fixed["relativeFromScheduledInstanceId"]
        ids: dict[str, str] = {}
        for instance in instances.values():
            if instance.get("instanceType") == "ScheduledDecisionInstance":
                branches = len(instance.get("conditionAssignments") or [])
                self.warnings.append(f"decision {instance.get('name')!r} ({branches} branches) is not imported: add "
                                     "it under `decisions:`")
                continue
            ids[instance["id"]] = _slug(instance.get("name") or instance["id"], self.ids)
        anchor_day = days_of_iso(fixed.get("value") or "P1D")
        for instance_id, instance in instances.items():
            if instance_id not in ids:
                continue
            visit = self._visit(instance, ids[instance_id])
            if instance_id == anchor and parent is None:
                visit["step"] = True
                self.anchor_step = visit
                continue
            if instance_id == anchor:
                visit["at"] = parent if anchor_day <= 1 else f"{parent} + {anchor_day - 1}d"
            else:
                timing = timings.get(instance_id)
                where = f"timeline {timeline.get('name')!r}, instance {instance.get('name')!r}"
                if timing is None:
                    raise InputError(Problem(self.source, None, where, "has no timing: nothing places it"))
                target = timing.get("relativeToScheduledInstanceId")
                ref = "schedule.day1" if target == anchor and parent is None else ids.get(target, "")
                if not ref:
                    raise InputError(Problem(self.source, None, f"{where}, timing {timing.get('name')!r}",
                                             f"relativeToScheduledInstanceId {target!r} names no instance of the "
                                             "timeline"))
                visit["at"] = self._at(ref, timing, where)
                visit["window"] = self._window(timing, instance, where)
            self.visits.append(visit)
            if instance.get("timelineId") in self.timelines:
                self.used_subtimelines.add(instance["timelineId"])
                self._timeline(self.timelines[instance["timelineId"]], parent=visit["id"])
        return ids

    def _visit(self, instance: dict[str, Any], ident: str) -> dict[str, Any]:
        encounter = self.encounters.get(instance.get("encounterId") or "", {})
        label = encounter.get("label") or instance.get("label") or instance.get("name") or ident
        activities = [self.activities[a] for a in instance.get("activityIds") or [] if a in self.activities]
        return {"id": ident, "label": label, "activities": list(dict.fromkeys(activities)), "window": None,
                "note": instance.get("description") or ""}

    def _duration(self, text: Any, where: str, key: str) -> int:
        """Days of a timing's ISO 8601 duration; ``InputError`` naming the timing when it is none."""
        try:
            if not isinstance(text, str) or not text.startswith("P"):
                raise ValueError
            return days_of_iso(text)
        except ValueError:
            raise InputError(Problem(self.source, None, f"{where}, {key}",
                                     f"{text!r} is no non-negative ISO 8601 duration (such as P2W or P3D)")) from None

    def _at(self, ref: str, timing: dict[str, Any], where: str) -> str:
        value = timing.get("value")
        days = self._duration(value, where, "value")
        if re.search(r"T\d", value) and days * 24 != sum(int(h) for h in re.findall(r"(\d+)H", value)):
            self.warnings.append(f"{where}: value {value} is not whole days: read as {days} day(s)")
        kind = (timing.get("type") or {}).get("decode", "After")
        sign = "-" if kind.startswith("Before") else "+"
        months = re.fullmatch(r"P(\d+)M", value)
        years = re.fullmatch(r"P(\d+)Y", value)
        weeks = re.fullmatch(r"P(\d+)W", value)
        amount = (f"{months[1]}mo" if months else f"{years[1]}y" if years else f"{weeks[1]}w" if weeks
                  else f"{days}d")
        return ref if amount in ("0d", "0w") else f"{ref} {sign} {amount}"

    def _window(self, timing: dict[str, Any], instance: dict[str, Any], where: str) -> str | None:
        lower, upper = timing.get("windowLower"), timing.get("windowUpper")
        if not lower and not upper:
            return None
        early = self._duration(lower or "P0D", where, "windowLower")
        late = self._duration(upper or "P0D", where, "windowUpper")
        if early == late == 0:
            self.warnings.append(f"instance {instance.get('name')!r}: window {timing.get('windowLabel') or ''!r} "
                                 f"({lower}, {upper}) is shorter than a day: not imported (windows are in days)")
            return None
        return f"-{early}d/+{late}d"

    def _render(self) -> str:
        study = self.document["study"]
        version = study["versions"][0]
        titles = {(t.get("type") or {}).get("decode", ""): t.get("text") for t in version.get("titles") or []
                  if t.get("text")}
        title = (titles.get("Official Study Title") or next(iter(titles.values()), None) or study.get("name")
                 or "USDM study")
        protocol_id = _slug(study.get("name") or "usdm_study", set())
        out = [f"# Imported by `schedsim import usdm` from {Path(self.source).name} (USDM "
               f"{self.document.get('usdmVersion', '?')}): the main timeline of study design "
               f"{_q(self.design.get('name', ''))}.", f"id: {protocol_id}", f"title: {_q(title)}",
               "source:", f"  note: {_q('USDM study ' + str(study.get('name')))}"]
        arms = self.design.get("arms") or []
        if len(arms) > 1:
            taken: set[str] = set()
            out += ["arms:"]
            for arm in arms:
                out += [f"  - id: {_slug(arm.get('name') or arm['id'], taken)}",
                        f"    label: {_q(arm.get('label') or arm.get('name') or arm['id'])}"]
                if arm.get("description"):
                    out.append(f"    description: {_q(arm['description'])}")
            randomised = re.search(r"randomi[sz]", json.dumps([self.design, list(self.activities.values())]), re.I)
            out.append(f"arm_assignment: {'randomised' if randomised else 'assigned'}")
        step = self.anchor_step or {"id": "day1", "label": "Day 1", "activities": []}
        out += ["", "conventions:", "  day1: schedule.day1   # the Fixed Reference (anchor) instance", "", "phases:",
                "  - id: schedule", "    kind: procedure", "    label: Study schedule", "    steps:",
                "      - id: day1", "        kind: visit", f"        label: {_q(step['label'])}", "        day: 0"]
        if step["activities"]:
            out.append(f"        activities: [{', '.join(_q(a) for a in step['activities'])}]")
        out += ["", "assessments:"]
        for visit in self.visits:
            out += [f"  - id: {visit['id']}", "    kind: visit", f"    label: {_q(visit['label'])}"]
            if visit["activities"]:
                out.append(f"    activities: [{', '.join(_q(a) for a in visit['activities'])}]")
            out.append(f"    at: {visit['at']}")
            if visit["window"]:
                out.append(f"    window: {visit['window']}")
        out += ["", "# The study ends with the latest visit's window (USDM states no horizon).",
                f"horizon: [{', '.join(self._horizon())}]"]
        out += [f"# warning: {w}" for w in self.warnings]
        return "\n".join(out) + "\n"

    def _horizon(self) -> list[str]:
        ends = [f"{v['id']} + {v['window'].split('+')[1]}" if v["window"] else v["id"] for v in self.visits]
        return ends or ["schedule.day1"]
