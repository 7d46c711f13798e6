"""A simulation's tables: ``events.csv`` (streamed from the record columns) and ``summary.json``, and a few lines
for the terminal. Its plots are drawn by ``schedsim.plots.simulation``, which writes the whole output folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.fileio import write_atomic
from schedsim.simulation.records import MISSING, STATUSES
from schedsim.simulation.run import EVENT_FIELDS, SimulationResult, record_order


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
    names = [f"{e.id},{e.kind}" for e in result.events]
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


def subjects_csv(result: SimulationResult) -> str:
    """One row per simulated patient: replicate, subject, day-1 date, arm and the branch taken at each decision."""
    cohort = result.cohort
    decisions = list(dict.fromkeys(d for path in cohort.paths for d, _ in path.branches)) if cohort else []
    lines = [",".join(["replicate", "subject", "day1", "arm", *decisions]) + "\n"]
    for replicate in result.replicates:
        for subject in range(len(replicate.day1)):
            path = cohort.paths[replicate.paths[subject]] if cohort is not None and replicate.paths else None
            chosen = path.chosen if path is not None else {}
            cells = [str(replicate.replicate), str(subject), result.day1_date(replicate, subject).isoformat(),
                     (path.arm or "") if path is not None else "", *(chosen.get(d, "") for d in decisions)]
            lines.append(",".join(cells) + "\n")
    return "".join(lines)


def write_tables(result: SimulationResult, folder: str | Path) -> list[Path]:
    """``events.csv``, ``summary.json`` and, for a study with arms or decisions, ``subjects.csv`` (each patient's
    arm and branches) in ``folder`` (created if needed), each written atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "events.csv", events_csv_chunks(result))
    write_atomic(folder / "summary.json", summary_json(result))
    written = [folder / "events.csv", folder / "summary.json"]
    if result.cohort is not None:
        write_atomic(folder / "subjects.csv", subjects_csv(result))
        written.append(folder / "subjects.csv")
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
    for label, count in summary.get("paths", {}).items():
        lines.append(f"{label}: {count} patients")
    dropped = sum(sum(c.values()) for c in summary["dropouts"].values())
    lines.append(f"dropouts: {dropped}; deviations: {sum(summary['deviations'].values())}")
    return "\n".join(lines) + "\n"
