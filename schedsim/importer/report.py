"""The importer's report: per outcome, each time point as read (phrase class, anchor, offset, window) and the
draft anchor it became, or why a piece was not read; then the phases recognised and the warnings."""

from __future__ import annotations

from schedsim.importer.draft import ImportResult
from schedsim.importer.phases import LIBRARY
from schedsim.importer.timeframe.parse import Point
from schedsim.importer.timeframe.words import original_case

_CLASSES = {"until": "(f) until", "from": "(b) window start", "to": "(b) window end", "horizon": "(c) horizon"}


def phrase_class(point: Point) -> str:
    """The DOMAIN.md class of a time point: (a) point ... (g) target ± window."""
    if point.kind in _CLASSES:
        return _CLASSES[point.kind]
    if point.window is not None:
        return "(g) target ± window"
    if point.anchor.kind in ("phase_start", "phase_end", "cycle_start", "cycle_end") or point.kind == "before":
        return "(e) phase anchor"
    return "(a) point"


def report_text(result: ImportResult, draft_name: str = "draft") -> str:
    lines = [f"Draft {draft_name}: " + ("valid" if not result.problems else f"{len(result.problems)} problem(s)")
             + f", {result.todo_count} TODO(s)", "", "Phases:"]
    if not result.phases:
        lines.append("  (none recognised: a placeholder phase was written)")
    for phase in result.phases:
        what = LIBRARY[phase.block or phase.regimen][1] if (phase.block or phase.regimen) else "inline placeholder"
        count = f" x{phase.cycles}" if phase.cycles else (" until the horizon" if phase.kind == "cycles" else "")
        lines.append(f"  {phase.id:<14} {phase.kind:<9} {what}{count}  <- {phase.source!r}")
    lines += ["", "Outcomes in the record, and how they were read (full: every time point placed; partly: the rest "
                  "is a TODO; unread: a TODO with the record's words):"]
    for kind, count in result.accounting().items():
        lines.append(f"  {kind:<10} {count['record']:>3} in the record: {count['full']} full, {count['partly']} "
                     f"partly, {count['unread']} unread")
    lines += ["", "Outcomes:"]
    for report in result.outcomes:
        entry = report.outcome
        pieces = len(report.frame.points) + len(report.frame.unparsed)
        listed = f" (d) list of {pieces}" if pieces > 1 else ""
        lines.append(f"  [{entry.type}] {report.outcome_id}: {entry.measure}")
        lines.append(f"    time frame: {entry.time_frame!r}{listed}")
        for resolved in report.resolved:
            point = resolved.point
            target = resolved.expr if resolved.expr is not None else f"NOT PLACED: {resolved.reason}"
            text = original_case(point.text, entry.time_frame)
            lines.append(f"    {phrase_class(point):<22} {text!r} -> {target}")
            lines.append(f"      read as: {point.describe()}" + (f"; {resolved.note}" if resolved.note else ""))
        for piece, reason in report.frame.unparsed:
            lines.append(f"    {'not parsed':<22} {piece!r}: {reason}")
        if not entry.time_frame:
            lines.append("    no time frame in the record")
        if report.assessment:
            lines.append(f"    assessment: {report.assessment}")
    if result.problems:
        lines += ["", "Problems in the draft:", *(f"  {p}" for p in result.problems)]
    if result.warnings:
        lines += ["", "Warnings:", *(f"  {w}" for w in result.warnings)]
    return "\n".join(lines) + "\n"
