"""Files a simulation writes: ``events.csv``, ``summary.json``, and the cohort swimmer and visit-load plots."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.cohort_data import LOAD_KINDS, MARKED_KINDS, Lane, LaneMark, LaneSpan
from schedsim.fileio import write_atomic
from schedsim.sim_records import MISSING, STATUSES
from schedsim.simulation import EVENT_FIELDS, SimulationResult, record_order

MAX_LANES = 200  # the swimmer plot shows the first patients of replicate 0


def events_csv(result: SimulationResult) -> str:
    """The records as CSV text (``events_csv_chunks`` streams it)."""
    return "".join(events_csv_chunks(result))


def events_csv_chunks(result: SimulationResult, rows_per_chunk: int = 50_000) -> Iterator[str]:
    """Two ``#`` lines with the seed and every parameter, the header, then the rows (same order as
    ``records()``), in chunks: millions of rows are formatted from the record columns, not from objects."""
    head = {"protocol": result.protocol, "seed": result.seed, "patients": result.patients,
            "replicates": len(result.replicates)}
    yield "# schedsim simulate " + json.dumps(head, ensure_ascii=False) + "\n"
    yield "# parameters " + json.dumps(result.params.describe(), ensure_ascii=False, sort_keys=True) + "\n"
    yield ",".join(EVENT_FIELDS) + "\n"
    events = result.timeline.events
    names = [f"{e.id},{e.kind}" for e in events]
    zero = result.timeline.conventions.study_day_zero
    base = result.start.toordinal()
    statuses = list(STATUSES)
    for replicate in result.replicates:
        table = replicate.records
        order = record_order(replicate)
        columns = [np.frombuffer(getattr(table, name), dtype=dtype) for name, dtype in (
            ("subject", np.int32), ("event", np.int32), ("target", np.int32), ("actual", np.int32),
            ("status", np.int8), ("reason", np.int32))]
        day1 = np.asarray(replicate.day1, dtype=np.int64)
        reasons = [_csv_cell(text) for text in table.reasons]
        prefix = f"{replicate.replicate},"
        iso: dict[int, str] = {}
        for first in range(0, len(order), rows_per_chunk):  # slice by slice: memory stays flat
            part = order[first:first + rows_per_chunk]
            subject, event, target, actual, status, reason = (column[part] for column in columns)
            done = actual != MISSING
            ordinal = (base + day1[subject] + actual).tolist()
            shown_actual = _study_days(actual, zero).tolist()
            lines = []
            for s, e, t, a, o, ok, st, r in zip(subject.tolist(), event.tolist(), _study_days(target, zero).tolist(),
                                                 shown_actual, ordinal, done.tolist(), status.tolist(),
                                                 reason.tolist(), strict=True):
                if ok:
                    when = iso.get(o) or iso.setdefault(o, date.fromordinal(o).isoformat())
                    lines.append(f"{prefix}{s},{names[e]},{t},{a},{when},{statuses[st]},{reasons[r]}\n")
                else:
                    lines.append(f"{prefix}{s},{names[e]},{t},,,{statuses[st]},{reasons[r]}\n")
            yield "".join(lines)


def _study_days(times: np.ndarray, zero: bool) -> np.ndarray:
    """Times (0 = day 1) as study days: no day 0 unless the protocol counts one."""
    return times if zero else np.where(times >= 0, times + 1, times)


def _csv_cell(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text


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
    for r in result.records(replicate.replicate, limit):
        if r.date is None:
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
    """Clinic events per week of replicate 0 (keyed by Monday), by kind (from the record columns)."""
    if not result.replicates:
        return {}
    replicate = result.replicates[0]
    table = replicate.records
    events = result.timeline.events
    kinds = list(LOAD_KINDS)
    clinic = result.params.visits
    kind_of = np.array([kinds.index(e.kind) if e.kind in kinds and e.id in clinic else -1 for e in events] or [-1],
                       dtype=np.int64)
    event = np.frombuffer(table.event, dtype=np.int32)
    actual = np.frombuffer(table.actual, dtype=np.int32)
    kind = kind_of[event]
    keep = (kind >= 0) & (actual != MISSING)
    ordinal = result.start.toordinal() + np.asarray(replicate.day1, dtype=np.int64)[
        np.frombuffer(table.subject, dtype=np.int32)[keep]] + actual[keep]
    monday = ordinal - (ordinal % 7 + 6) % 7  # proleptic ordinal 1 (1 Jan 1) is a Monday
    pairs, counts = np.unique(np.stack([monday, kind[keep]]), axis=1, return_counts=True)
    load: dict[date, Counter[str]] = {}
    for (week, k), n in zip(pairs.T.tolist(), counts.tolist(), strict=True):
        load.setdefault(date.fromordinal(week), Counter())[kinds[k]] += n
    if not load:
        return load
    weeks = sorted(load)
    every = [weeks[0] + timedelta(weeks=i) for i in range((weeks[-1] - weeks[0]).days // 7 + 1)]
    return {week: load.get(week, Counter()) for week in every}


def write_outputs(result: SimulationResult, folder: str | Path, plots: bool = True) -> list[Path]:
    """``events.csv``, ``summary.json`` and (unless ``plots`` is False) ``swimmer.png`` and ``visit-load.png``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "events.csv", events_csv_chunks(result))
    write_atomic(folder / "summary.json", summary_json(result))
    written = [folder / "events.csv", folder / "summary.json"]
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
