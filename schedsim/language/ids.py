"""The ids a protocol must keep apart, checked after validation so that each problem names its own line: phases,
assessments and decisions (one per arm or branch may share an id), arms, and the design's own rules (two or more
arms, how patients get one; ids that are columns of simulation outputs)."""

from __future__ import annotations

from schedsim.errors import Problem
from schedsim.language.model import Protocol
from schedsim.language.model.design import OnPath
from schedsim.language.yamlsource import SourceDoc

RESERVED = {"study": "study.horizon"}
DECISION_RESERVED = ("arm", "replicate", "subject", "day1")  # columns of subjects.csv


def id_problems(protocol: Protocol, doc: SourceDoc) -> list[Problem]:
    """Every repeated or reserved id and every broken design rule, at the line of the field at fault."""
    problems: list[Problem] = []
    seen: dict[str, list[tuple[tuple[str | int, ...], OnPath]]] = {}
    for name in ("phases", "assessments", "decisions"):
        for index, item in enumerate(getattr(protocol, name)):
            path = (name, index, "id")
            if item.id in RESERVED:
                problems.append(doc.problem(path, f"{item.id!r} is reserved ({RESERVED[item.id]})"))
            earlier = seen.setdefault(item.id, [])
            clash = next((p for p, other in earlier if not _apart(other, item)), None)
            if clash is not None:
                problems.append(doc.problem(path, f"id {item.id!r} is used twice (first at line {doc.line(clash)}): "
                                                  f"phase, assessment and decision ids must be unique, or one per "
                                                  f"arm or branch (disjoint 'arms' or 'branch')", "SCH105"))
            earlier.append((path, item))
    for index, decision in enumerate(protocol.decisions):
        if decision.id in DECISION_RESERVED:
            problems.append(doc.problem(("decisions", index, "id"), f"{decision.id!r} names a column of the "
                                                                     f"simulation's subjects.csv: choose another id"))
    arms: dict[str, int] = {}
    for index, arm in enumerate(protocol.arms):
        if arm.id in arms:
            problems.append(doc.problem(("arms", index, "id"), f"arm {arm.id!r} is listed twice (first at line "
                                                               f"{doc.line(('arms', arms[arm.id], 'id'))})", "SCH105"))
        arms.setdefault(arm.id, index)
    if len(protocol.arms) == 1:
        problems.append(doc.problem(("arms",), "one arm is no arm: give two or more arms, or none"))
    if protocol.arms and protocol.arm_assignment is None:
        problems.append(doc.problem(("arms",), "say how patients get their arm: arm_assignment: randomised (by "
                                               "allocation) or assigned (non-randomised)"))
    if not protocol.arms and protocol.arm_assignment is not None:
        problems.append(doc.problem(("arm_assignment",), "'arm_assignment' goes with 'arms'"))
    return problems


def _apart(a: OnPath, b: OnPath) -> bool:
    """Whether no path has both: they name different arms, or different branches of one decision."""
    if a.arms is not None and b.arms is not None and not set(a.arms) & set(b.arms):
        return True
    decisions = {ref.split(".")[0] for ref in a.branch or ()} & {ref.split(".")[0] for ref in b.branch or ()}
    return any(not {r for r in a.branch or () if r.startswith(d + ".")} & set(b.branch or ()) for d in decisions)
