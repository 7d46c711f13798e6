"""A simulation's tables: ``events.csv`` (streamed from the record columns; its first line is the header) or
``events.parquet`` (typed columns, needs pyarrow), ``summary.json`` (the run: protocol, seed, patients, every
parameter, and the forecasts), ``subjects.csv``, and a few lines for the terminal. Its plots are drawn by
``schedsim.plots.simulation``, which writes the whole output folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.errors import InputError, Problem, SchedsimError
from schedsim.fileio import write_atomic
from schedsim.simulation.records import MISSING, STATUSES
from schedsim.simulation.run import EVENT_FIELDS, SimulationResult, record_order
from schedsim.tabular import BOM, safe_cell


def events_csv(result: SimulationResult) -> str:
    """The records as CSV text (``events_csv_chunks`` streams it)."""
    return "".join(events_csv_chunks(result))


def events_csv_chunks(result: SimulationResult, rows_per_chunk: int = 50_000, bom: bool = False) -> Iterator[str]:
    """The header, then the rows (same order as ``records()``), in chunks: millions of rows are formatted from the
    record columns, not from objects. The run's seed and parameters are in ``summary.json``, beside it."""
    yield (BOM if bom else "") + ",".join(EVENT_FIELDS) + "\n"
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
            shown_actual = study_days(actual, zero).tolist()
            lines = []
            for s, e, t, a, o, ok, st, r in zip(subject.tolist(), event.tolist(), study_days(target, zero).tolist(),
                                                 shown_actual, ordinal, done.tolist(), status.tolist(),
                                                 reason.tolist(), strict=True):
                if ok:
                    when = iso.get(o) or iso.setdefault(o, date.fromordinal(o).isoformat())
                    lines.append(f"{prefix}{s},{names[e]},{t},{a},{when},{statuses[st]},{reasons[r]}\n")
                else:
                    lines.append(f"{prefix}{s},{names[e]},{t},,,{statuses[st]},{reasons[r]}\n")
            yield "".join(lines)


def record_columns(result: SimulationResult) -> Iterator[tuple[Any, ...]]:
    """Per replicate, in record order: (replicate, reasons, subject, event, target, actual, status, reason, day1)."""
    for replicate in result.replicates:
        table = replicate.records
        order = record_order(replicate)
        columns = [np.frombuffer(getattr(table, name), dtype=dtype)[order] for name, dtype in (
            ("subject", np.int32), ("event", np.int32), ("target", np.int32), ("actual", np.int32),
            ("status", np.int8), ("reason", np.int32))]
        yield (replicate.replicate, table.reasons, *columns, np.asarray(replicate.day1, dtype=np.int64))


def events_parquet(result: SimulationResult) -> bytes:
    """The records as a Parquet file with typed columns: integers, ``date`` as a date (null when not done),
    event ids, kinds, statuses and reasons as dictionary-encoded strings (needs pyarrow: ``pip install
    'schedsim[parquet]'``); the same rows and order as ``events.csv``, ``date`` a timestamp at midnight (pandas
    reads it as datetime64)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SchedsimError("--format parquet needs pyarrow: pip install 'schedsim[parquet]'") from None
    zero = result.timeline.conventions.study_day_zero
    epoch = date(1970, 1, 1).toordinal()
    base = result.start.toordinal() - epoch
    ids = pa.array([e.id for e in result.events])
    kinds = pa.array([e.kind for e in result.events])
    statuses = pa.array(list(STATUSES))
    parts = []
    for replicate, reasons, subject, event, target, actual, status, reason, day1 in record_columns(result):
        done = actual != MISSING
        days = (base + day1[subject] + actual).astype(np.int32)
        parts.append(pa.table({
            "replicate": pa.array(np.full(len(subject), replicate, dtype=np.int64)),
            "subject": pa.array(subject.astype(np.int64)),
            "event_id": pa.DictionaryArray.from_arrays(pa.array(event), ids),
            "kind": pa.DictionaryArray.from_arrays(pa.array(event), kinds),
            "target_day": pa.array(study_days(target, zero).astype(np.int64)),
            "actual_day": pa.array(study_days(actual, zero).astype(np.int64), mask=~done),
            "date": pa.array(days, type=pa.int32(), mask=~done).cast(pa.date32()).cast(pa.timestamp("s")),
            "window_status": pa.DictionaryArray.from_arrays(pa.array(status.astype(np.int32)), statuses),
            "shift_reason": pa.array([r or None for r in reasons], pa.string()).take(pa.array(reason))
            .dictionary_encode(),  # no reason: missing, as read_csv reads an empty cell
        }))
    table = pa.concat_tables(parts, promote_options="permissive") if parts else pa.table({})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def study_days(times: np.ndarray, zero: bool) -> np.ndarray:
    """Times (0 = day 1) as study days: no day 0 unless the protocol counts one."""
    return times if zero else np.where(times >= 0, times + 1, times)


def _csv_cell(text: str) -> str:
    text = safe_cell(text)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text


def summary_json(result: SimulationResult) -> str:
    return json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n"


def subjects_csv(result: SimulationResult, bom: bool = False) -> str:
    """One row per simulated patient: replicate, subject, day-1 date, arm and the branch taken at each decision."""
    cohort = result.cohort
    decisions = list(dict.fromkeys(d for path in cohort.paths for d, _ in path.branches)) if cohort else []
    lines = [(BOM if bom else "") + ",".join(["replicate", "subject", "day1", "arm", *decisions]) + "\n"]
    for replicate in result.replicates:
        for subject in range(len(replicate.day1)):
            path = cohort.paths[replicate.paths[subject]] if cohort is not None and replicate.paths else None
            chosen = path.chosen if path is not None else {}
            cells = [str(replicate.replicate), str(subject), result.day1_date(replicate, subject).isoformat(),
                     (path.arm or "") if path is not None else "", *(chosen.get(d, "") for d in decisions)]
            lines.append(",".join(cells) + "\n")
    return "".join(lines)


def write_tables(result: SimulationResult, folder: str | Path, events: str = "csv", bom: bool = False) -> list[Path]:
    """``events.csv`` (or with ``events="parquet"`` ``events.parquet``), ``summary.json`` and, for a study with arms
    or decisions, ``subjects.csv`` (each patient's arm and branches) in ``folder`` (created if needed), each written
    atomically; ``bom`` starts the CSV files with a UTF-8 byte-order mark (Excel on Windows)."""
    folder = Path(folder)
    if events == "parquet":
        content: bytes | Iterator[str] = events_parquet(result)  # before any file: no pyarrow, nothing written
        target = folder / "events.parquet"
    else:
        content, target = events_csv_chunks(result, bom=bom), folder / "events.csv"
    if not folder.is_dir():
        if not folder.parent.is_dir():
            raise InputError(Problem(str(folder), None, "", f"cannot write: folder {str(folder.parent)!r} does not "
                                                            "exist"))
        folder.mkdir()
    write_atomic(target, content)
    write_atomic(folder / "summary.json", summary_json(result))
    written = [target, folder / "summary.json"]
    if result.cohort is not None:
        write_atomic(folder / "subjects.csv", subjects_csv(result, bom))
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
    longest = summary["resources"].get("manufacturing_slots", {}).get("queueing_days") or {}
    if (longest.get("max") or 0) > LONG_WAIT:
        lines.append(f"note: some patients waited up to {longest['max']} d for a manufacturing slot; bridging "
                     f"therapy, and progression or death while waiting, are not simulated beyond the dropout "
                     f"hazards given: add slots, or read these forecasts with care")
    return "\n".join(lines) + "\n"


LONG_WAIT = 28  # days waiting for a manufacturing slot past which a forecast warns (four weeks)
