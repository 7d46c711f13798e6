"""Decision points as milestones on the compiled path, and what the timeline says of its arm and branches."""

from __future__ import annotations

from schedsim.compile.context import CompileContext
from schedsim.compile.ir import DecisionInfo, DesignInfo, Event
from schedsim.compile.paths import PathChoice, on_path
from schedsim.language.model import Protocol


def add_decisions(ctx: CompileContext, path: PathChoice) -> tuple[DecisionInfo, ...]:
    """Each decision on the path becomes a milestone (its id) at its time point, labelled with the branch taken."""
    chosen = path.chosen
    found = []
    for index, decision in enumerate(ctx.loaded.protocol.decisions):
        if not on_path(decision, path.arm, chosen):
            continue
        branch = chosen[decision.id]
        info = DecisionInfo(decision.id, decision.label, branch, tuple((b.id, b.label) for b in decision.branches))
        where = ("decisions", index)
        anchor = ctx.anchor(ctx.doc, (*where, "at"), decision.at.ref, ctx.expr_offset(decision.at))
        ctx.add(Event(id=decision.id, kind="milestone", phase=None, label=f"{decision.label} → {info.branch_label}",
                      rule="at", anchors=(anchor,), origin=ctx.origin(ctx.doc, where),
                      assumptions=ctx.assumed(ctx.doc, where)))
        found.append(info)
    return tuple(found)


def design_of(protocol: Protocol, path: PathChoice, decisions: tuple[DecisionInfo, ...],
              left_out: dict[str, str]) -> DesignInfo:
    return DesignInfo(path.arm, tuple((arm.id, arm.label) for arm in protocol.arms), protocol.arm_assignment,
                      decisions, tuple(sorted(left_out.items())))
