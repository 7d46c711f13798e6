"""Rules of the study design: what follows a decision's branch comes after the decision (SCH116)."""

from __future__ import annotations

from collections.abc import Iterator

from schedsim.check.findings import Because, Finding
from schedsim.check.structure import Context
from schedsim.compile.ir import Origin, Timeline
from schedsim.language.model.design import OnPath
from schedsim.language.yamlsource import format_path


def branch_order(ctx: Context) -> Iterator[Finding]:
    """SCH116: a phase, assessment or time point on a decision's branch planned before the decision is taken."""
    loaded, timeline, times = ctx
    taken = {d.id: d.branch for d in timeline.design.decisions if d.id in times}
    doc = loaded.doc
    for path, item, prefix in _branch_items(loaded.protocol):
        events = _events(timeline, prefix, path[0] == "phases")
        for ref in item.branch or ():
            decision, branch = ref.split(".")
            if taken.get(decision) != branch or not events:
                continue
            first = min(events, key=lambda e: times[e])
            days = times[decision] - times[first]
            if days <= 0:
                continue
            decided = timeline.event(decision)
            yield Finding.make("SCH116", f"{prefix} follows {decision}={branch} but {first} is planned {days} day(s) "
                                         f"before the decision is taken", Origin(doc.file, doc.line(path),
                                                                                 format_path(path)),
                               events=[first, decision], constraints=[Because(f"{decision} = {decided.anchors[0]}",
                                                                              decided.origin)])


def _branch_items(protocol: object) -> Iterator[tuple[tuple[str | int, ...], OnPath, str]]:
    for index, phase in enumerate(protocol.phases):  # type: ignore[attr-defined]
        if phase.branch:
            yield ("phases", index, "branch"), phase, phase.id
    for index, assessment in enumerate(protocol.assessments):  # type: ignore[attr-defined]
        if assessment.branch:
            yield ("assessments", index, "branch"), assessment, assessment.id
        for j, point in enumerate(assessment.at if isinstance(assessment.at, list) else ()):
            if point.branch:
                yield ("assessments", index, "at", j, "branch"), point, f"{assessment.id}.{point.id}"


def _events(timeline: Timeline, prefix: str, phase: bool) -> list[str]:
    if phase:
        return [e.id for e in timeline.events if e.phase == prefix]
    return [e.id for e in timeline.events if e.id == prefix or e.id.startswith(prefix + ".")]
