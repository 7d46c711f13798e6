"""The CDISC DDF conformance rules that bind a USDM schedule, checked on a USDM v4.0 document (a ``Wrapper``):

- DDF00006 a timing window is all of label, lower and upper, or none;
- DDF00008 a scheduled activity instance refers to a default condition or a timeline exit, not both;
- DDF00009 each schedule timeline has an anchor: an instance referenced by a Fixed Reference timing;
- DDF00012 a study design has exactly one main timeline;
- DDF00025 an anchor (Fixed Reference) timing has no window;
- DDF00036 a Fixed Reference timing is Start to Start;
- DDF00060-62 a timing's value and window limits are non-negative ISO 8601 durations;
- DDF00108 each timeline has at least one exit;
and that every id a timeline refers to exists. The rule texts are CDISC's (DDF conformance rules, USDM v4.0).

>>> check_rules({"study": {"versions": [{"studyDesigns": [{"scheduleTimelines": []}]}]}})
[('DDF00012', 'study design 1 has 0 main timelines (exactly one is required)')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_DURATION = re.compile(r"^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
FIXED = "C201358"
START_TO_START = "C201355"


def check_rules(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule id, message) for every break of the schedule rules; empty when the document conforms."""
    found: list[tuple[str, str]] = []
    for number, design in enumerate(_designs(document), 1):
        timelines = design.get("scheduleTimelines") or []
        mains = sum(bool(t.get("mainTimeline")) for t in timelines)
        if mains != 1:
            found.append(("DDF00012", f"study design {number} has {mains} main timelines (exactly one is required)"))
        known = {item["id"] for item in _everything(design) if isinstance(item, dict) and "id" in item}
        for timeline in timelines:
            found += _timeline(timeline, known)
    return found


def _designs(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for version in (document.get("study") or {}).get("versions") or []:
        yield from version.get("studyDesigns") or []


def _everything(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _timeline(timeline: dict[str, Any], known: set[str]) -> list[tuple[str, str]]:
    name = timeline.get("name", timeline.get("id"))
    found = []
    if not timeline.get("exits"):
        found.append(("DDF00108", f"timeline {name!r} has no exit"))
    timings = timeline.get("timings") or []
    if not any(_code(t.get("type")) == FIXED for t in timings):
        found.append(("DDF00009", f"timeline {name!r} has no anchor (no Fixed Reference timing)"))
    for instance in timeline.get("instances") or []:
        if instance.get("instanceType") == "ScheduledActivityInstance" and bool(
                instance.get("defaultConditionId")) == bool(instance.get("timelineExitId")):
            found.append(("DDF00008", f"instance {instance.get('name')!r} of {name!r} has "
                                      f"{'both' if instance.get('timelineExitId') else 'neither'} a default condition "
                                      "and a timeline exit"))
        for key in ("defaultConditionId", "timelineExitId", "timelineId", "encounterId", "epochId"):
            if instance.get(key) and instance[key] not in known:
                found.append(("reference", f"instance {instance.get('name')!r} refers to unknown {key} "
                                           f"{instance[key]!r}"))
    for timing in timings:
        label = f"timing {timing.get('name')!r} of {name!r}"
        window = [timing.get(k) for k in ("windowLabel", "windowLower", "windowUpper")]
        if any(window) and not all(window):
            found.append(("DDF00006", f"{label} defines only part of its window"))
        if _code(timing.get("type")) == FIXED:
            if any(window):
                found.append(("DDF00025", f"{label} is an anchor (Fixed Reference) with a window"))
            if _code(timing.get("relativeToFrom")) != START_TO_START:
                found.append(("DDF00036", f"{label} is a Fixed Reference that is not Start to Start"))
        if not _DURATION.match(str(timing.get("value") or "")):
            found.append(("DDF00060", f"{label} value {timing.get('value')!r} is no non-negative ISO 8601 duration"))
        for key, rule in (("windowLower", "DDF00061"), ("windowUpper", "DDF00062")):
            if timing.get(key) and not _DURATION.match(str(timing[key])):
                found.append((rule, f"{label} {key} {timing[key]!r} is no non-negative ISO 8601 duration"))
        for key in ("relativeFromScheduledInstanceId", "relativeToScheduledInstanceId"):
            if timing.get(key) and timing[key] not in known:
                found.append(("reference", f"{label} refers to unknown {key} {timing[key]!r}"))
    return found


def _code(value: Any) -> str | None:
    return value.get("code") if isinstance(value, dict) else None
