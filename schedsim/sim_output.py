"""Files a simulation writes: ``events.csv``, ``summary.json``, and the cohort swimmer and visit-load plots."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from schedsim.cohort_data import LOAD_KINDS, MARKED_KINDS, Lane, LaneMark, LaneSpan
from schedsim.fileio import write_atomic
from schedsim.simulate import EVENT_FIELDS, SimulationResult

MAX_LANES = 200  # the swimmer plot shows the first patients of replicate 0


def events_csv(result: SimulationResult) -> str:
    """The records as CSV: two ``#`` lines with the seed and every parameter, then the header and the rows."""
    out = io.StringIO()
    head = {"protocol": result.protocol, "seed": result.seed, "patients": result.patients,
            "replicates": len(result.replicates)}
    out.write("# schedsim simulate " + json.dumps(head, ensure_ascii=False) + "\n")
    out.write("# parameters " + json.dumps(result.params.describe(), ensure_ascii=False, sort_keys=True) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    iso: dict[date, str] = {}
    for r in result.records():
        when = "" if r.date is None else iso.get(r.date) or iso.setdefault(r.date, r.date.isoformat())
        writer.writerow((r.replicate, r.subject, r.event_id, r.kind, r.target_day,
                         "" if r.actual_day is None else r.actual_day, when, r.window_status, r.shift_reason))
    return out.getvalue()


def summary_json(result: SimulationResult) -> str:
    return json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n"


def lanes(result: SimulationResult, limit: int = MAX_LANES) -> list[Lane]:
    """Swimmer lanes of replicate 0's first patients: phases from first to last event, procedures and assessments."""
    if not result.replicates:
        return []
    replicate = result.replicates[0]
    labels = {phase.id: phase.label for phase in result.timeline.phases}
    spans: dict[int, dict[str, list[date]]] = {}
    marks: dict[int, list[LaneMark]] = {}
    for r in result.records():
        if r.replicate != replicate.replicate or r.subject >= limit or r.date is None:
            continue
        event = result.timeline.event(r.event_id)
        if event.phase is not None:
            spans.setdefault(r.subject, {}).setdefault(event.phase, []).append(r.date)
        if r.kind in MARKED_KINDS:
            marks.setdefault(r.subject, []).append(LaneMark(r.date, r.kind, r.event_id, True))
    found = []
    for subject in sorted(spans):
        phase_spans = tuple(LaneSpan(phase, labels[phase], min(days), max(days))
                            for phase, days in sorted(spans[subject].items(), key=lambda kv: min(kv[1])))
        found.append(Lane(f"#{subject}", result.day1_date(replicate, subject), phase_spans,
                          tuple(marks.get(subject, ())), 1.0))
    return found


def visit_load(result: SimulationResult) -> dict[date, Counter[str]]:
    """Clinic events per week of replicate 0 (keyed by Monday), by kind."""
    load: dict[date, Counter[str]] = {}
    if not result.replicates:
        return load
    for r in result.records():
        if r.replicate != result.replicates[0].replicate or r.date is None or r.kind not in LOAD_KINDS:
            continue
        if result.timeline.event(r.event_id).setting not in (None, "clinic"):
            continue
        monday = r.date - timedelta(days=r.date.weekday())
        load.setdefault(monday, Counter())[r.kind] += 1
    if not load:
        return load
    weeks = sorted(load)
    every = [weeks[0] + timedelta(weeks=i) for i in range((weeks[-1] - weeks[0]).days // 7 + 1)]
    return {week: load.get(week, Counter()) for week in every}


def write_outputs(result: SimulationResult, folder: str | Path, plots: bool = True) -> list[Path]:
    """``events.csv``, ``summary.json`` and (unless ``plots`` is False) ``swimmer.png`` and ``visit-load.png``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("events.csv", events_csv(result)), ("summary.json", summary_json(result))):
        write_atomic(folder / name, text)
        written.append(folder / name)
    if plots:
        from schedsim.plot_cohort import swimmer_figure, visit_load_figure
        from schedsim.plot_common import save_figure

        title = f"{result.timeline.title[:60]}: simulated cohort (replicate 0, seed {result.seed})"
        save_figure(swimmer_figure(lanes(result), title=title), folder / "swimmer.png")
        save_figure(visit_load_figure(visit_load(result), title="Simulated clinic visits per week (replicate 0)"),
                    folder / "visit-load.png")
        written += [folder / "swimmer.png", folder / "visit-load.png"]
    return written


def describe(summary: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    lines = [f"seed {summary['seed']}: {summary['patients']} patients x {summary['replicates']} replicates"]
    if summary["completion"]:
        c = summary["completion"]
        lines.append(f"study completion (last primary assessment): p5 {c['p5']}, median {c['p50']}, p95 {c['p95']}")
    if summary["visit_load_per_week"]:
        v = summary["visit_load_per_week"]
        lines.append(f"clinic visits per week: mean {v['mean']}, p95 {v['p95']}")
    for name, use in summary["resources"].items():
        queue = use["queueing_days"]
        if queue is not None:
            lines.append(f"{name}: utilisation {use['utilisation']:.0%}, {queue['waited']} of {use['uses']} waited "
                         f"(mean {queue['mean']} d, max {queue['max']} d)")
        else:
            lines.append(f"{name}: utilisation {use['utilisation']:.0%}, {use['moved_in_window']} moved inside the "
                         f"window, {use['moved_out_of_window']} outside")
    dropped = sum(sum(c.values()) for c in summary["dropouts"].values())
    lines.append(f"dropouts: {dropped}; deviations: {sum(summary['deviations'].values())}")
    return "\n".join(lines) + "\n"
