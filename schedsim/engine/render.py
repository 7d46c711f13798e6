"""Renderings of a schedule: the JSON contract, CSV, an Excel workbook, and a table for people."""

from __future__ import annotations

import json
from typing import Any

from schedsim.engine.schedule import CSV_FIELDS as CSV_FIELDS  # the CSV contract, re-exported
from schedsim.engine.schedule import Schedule, ScheduledEvent, schedule_table
from schedsim.tabular import Table, csv_text, workbook_bytes


def _window(schedule: Schedule, item: ScheduledEvent) -> dict[str, Any] | None:
    if item.earliest is None or item.latest is None:
        return None
    if schedule.start is None:
        return {"earliest": schedule.day(item.earliest), "latest": schedule.day(item.latest)}
    return {"earliest": _iso(schedule, item.earliest), "latest": _iso(schedule, item.latest)}


def _iso(schedule: Schedule, t: int) -> str | None:
    day = schedule.date(t)
    return None if day is None else day.isoformat()


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """The ``schedsim timeline --format json`` contract (see README)."""
    timeline = schedule.timeline
    design = timeline.design
    return {
        "protocol": timeline.protocol_id,
        **({"arm": design.arm} if design.arm else {}),
        **({"branches": {d.id: d.branch for d in design.decisions}} if design.decisions else {}),
        "start": None if schedule.start is None else schedule.start.isoformat(),
        "phases": [
            {"id": p.info.id, "start_day": p.start_day, "end_day": p.end_day,
             "start": _iso(schedule, p.start_t), "end": _iso(schedule, p.end_t)}
            for p in schedule.phases
        ],
        "events": [
            {"id": item.event.id, "kind": item.event.kind, "phase": item.event.phase, "label": item.event.label,
             "day": item.day, "date": _iso(schedule, item.t), "window": _window(schedule, item),
             "agent": item.event.agent, "activities": list(item.event.activities)}
            for item in schedule.events
        ],
        "assumptions": [
            {"id": a.id, "file": a.file, "line": a.line, "field": a.field, "rationale": a.rationale,
             "events": [item.event.id for item in schedule.events if a.id in item.assumptions]}
            for a in (timeline.assumptions[i] for i in schedule.used_assumptions)
        ],
    }


def to_json(schedule: Schedule) -> str:
    return json.dumps(schedule_to_dict(schedule), indent=2, ensure_ascii=False) + "\n"


def to_csv(schedule: Schedule, bom: bool = False) -> str:
    return csv_text(schedule_table(schedule), bom)


def to_xlsx(schedule: Schedule) -> bytes:
    """A workbook: the events (typed dates, frozen header), the phases, and the assumptions the dates rest on."""
    phases = Table("phases", ("id", "label", "start_day", "end_day", "start", "end"), [
        (p.info.id, p.info.label, p.start_day, p.end_day, schedule.date(p.start_t), schedule.date(p.end_t))
        for p in schedule.phases])
    timeline = schedule.timeline
    assumptions = Table("assumptions", ("id", "file", "line", "field", "rationale"), [
        (a.id, a.file, a.line, a.field, a.rationale)
        for a in (timeline.assumptions[i] for i in schedule.used_assumptions)])
    return workbook_bytes([schedule_table(schedule), phases, assumptions])


def to_table(schedule: Schedule) -> str:
    """A fixed-width listing; ``*`` marks events resting on assumed values (listed at the end)."""
    timeline = schedule.timeline
    start = schedule.start.isoformat() if schedule.start else "no start date (nominal months)"
    lines = [f"{timeline.title}", f"protocol {timeline.protocol_id} — {timeline.file} — day 1: {start}"]
    design = timeline.design
    if design.arm:
        others = ", ".join(a for a, _ in design.arms if a != design.arm)
        lines.append(f"arm {design.arm}: {design.arm_label} (other arms: {others}; --arm to choose)")
    for decision in design.decisions:
        others = ", ".join(b for b, _ in decision.branches if b != decision.branch)
        lines.append(f"decision {decision.id}: {decision.label} → {decision.branch}: {decision.branch_label} "
                     f"(other branches: {others}; --branch {decision.id}=...)")
    lines.append("")
    lines.append("Phases")
    for p in schedule.phases:
        dates = f"  {p.start_date} → {p.end_date}" if p.start_date else ""
        lines.append(f"  {p.info.id:<16} days {p.start_day:>5} → {p.end_day:<5}{dates}  {p.info.label}")
    lines += ["", "Events"]
    header = f"  {'day':>5}  {'date':<10}  {'kind':<10}  {'window':<23}  {'id':<44}  label"
    lines.append(header)
    for item in schedule.events:
        window = _window(schedule, item)
        window_text = f"{window['earliest']}..{window['latest']}" if window else ""
        date = _iso(schedule, item.t) or ""
        mark = "*" if item.assumptions else " "
        lines.append(f"{mark} {item.day:>5}  {date:<10}  {item.event.kind:<10}  {window_text:<23}  "
                     f"{item.event.id:<44}  {item.event.label}")
    used = schedule.used_assumptions
    if used:
        lines += ["", "* rests on assumed values (run 'schedsim explain' for one event's chain):"]
        for ident in used:
            a = timeline.assumptions[ident]
            lines.append(f"  {a.id:<4} {a.file}:{a.line} {a.field}: {a.rationale}")
    return "\n".join(lines) + "\n"
