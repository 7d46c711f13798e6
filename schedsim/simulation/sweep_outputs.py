"""A sweep's tables: the grid; each grid point's events and each patient's milestones as Parquet partitioned by grid
point (``events/point=K/events.parquet``, ``patient_milestones/point=K/patient_milestones.parquet``, hive style:
DuckDB and pandas read a folder as one table with a ``point`` column); a summary per grid point (completion
p5/p50/p95, resource utilisation, dropouts) and the milestones' quantiles per grid point, each as Parquet and CSV.

Parquet files are written from a canonical table (read back and written again), so the bytes depend on the records
alone, not on which process made them.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from schedsim.errors import InputError, Problem
from schedsim.simulation.outputs import LONG_WAIT, events_parquet, record_columns, study_days
from schedsim.simulation.records import CANCELLED, MISSING
from schedsim.simulation.run import SimulationResult
from schedsim.simulation.summary import QUANTILES, milestone_events
from schedsim.simulation.sweep import SweepResult
from schedsim.tabular import Table, csv_text

SUMMARY_FILES = ("grid.csv", "summary.csv", "summary.parquet", "milestone_summary.csv", "milestone_summary.parquet")
PARTITIONS = ("events", "patient_milestones")


def require_pyarrow(command: str) -> None:
    """Before any work: a sweep's tables are Parquet, which needs pyarrow (the ``sweep`` extra)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(Problem(command, None, "", "writes Parquet files, which needs pyarrow: install "
                                                    "schedsim[sweep]")) from None


def summary_rows(result: SweepResult) -> Table:
    """One row per grid point: its parameters, then completion (date and days from the scenario start, p5/p50/p95),
    each resource's utilisation and the dropouts."""
    rows = []
    resources: list[str] = []
    summaries = result.summaries
    for summary in summaries:
        resources += [name for name in summary.get("resources", {}) if name not in resources]
    for point, (simulation, summary) in enumerate(zip(result.results, summaries, strict=True)):
        start = date.fromisoformat(str(summary["start"]))
        completion = summary.get("completion") or {}
        days = {q: (date.fromisoformat(completion[q]) - start).days if completion.get(q) else None
                for q in ("p5", "p50", "p95")}
        dropouts = sum(sum(causes.values()) for causes in (summary.get("dropouts") or {}).values())
        row: list[Any] = [point, *result.grid.shown(point), simulation.patients, len(simulation.replicates),
                          *(_date(completion.get(q)) for q in ("p5", "p50", "p95")), *days.values()]
        row += [(summary.get("resources", {}).get(name) or {}).get("utilisation") for name in resources]
        rows.append([*row, dropouts])
    columns = ("point", *result.grid.names, "patients", "replicates", "completion_p5", "completion_p50",
               "completion_p95", "completion_days_p5", "completion_days_p50", "completion_days_p95",
               *(f"{name}_utilisation" for name in resources), "dropouts")
    return Table("summary", columns, rows)


def sweep_lines(result: SweepResult) -> list[str]:
    """A few lines for the terminal: each grid point's study completion (p50, p5–p95) and its dropouts, and a note
    when patients waited long for a manufacturing slot."""
    summaries = result.summaries
    table = summary_rows(result)
    at = {name: i for i, name in enumerate(table.columns)}
    lines = []
    for row in table.rows:
        values = ", ".join(f"{name}={row[at[name]]}" for name in result.grid.names)
        p5, p50, p95 = (row[at[f"completion_{q}"]] for q in ("p5", "p50", "p95"))
        lines.append(f"point {row[0]} ({values}): completion p50 {p50} (p5 {p5}, p95 {p95}), "
                     f"{row[at['dropouts']]} dropouts")
    waits = [((s["resources"].get("manufacturing_slots") or {}).get("queueing_days") or {}).get("max") or 0
             for s in summaries]
    long = [point for point, wait in enumerate(waits) if wait > LONG_WAIT]
    if long:
        lines.append(f"note: at points {', '.join(map(str, long))} patients waited up to {max(waits)} d for a "
                     f"manufacturing slot; bridging therapy, and progression or death while waiting, are not "
                     f"simulated beyond the dropout hazards given")
    return lines


def milestone_rows(result: SweepResult) -> Table:
    """One row per grid point and milestone (each block's day 0, the primary assessments, every milestone event):
    how many patient-replicates reached it, and its study day and date at p5/p50/p95."""
    rows = []
    for point, summary in enumerate(result.summaries):
        for milestone, found in (summary.get("milestones") or {}).items():
            dates = found.get("dates") or {}
            rows.append([point, *result.grid.shown(point), milestone, found.get("reached", 0),
                         *(found.get(q) for q in QUANTILES), *(_date(dates.get(q)) for q in QUANTILES)])
    columns = ("point", *result.grid.names, "milestone", "reached", "study_day_p5", "study_day_p50",
               "study_day_p95", "date_p5", "date_p50", "date_p95")
    return Table("milestone_summary", columns, rows)


def _date(text: str | None) -> date | None:
    """An ISO date of the summary as a date: a date column in Parquet, ISO text in CSV."""
    return date.fromisoformat(text) if text else None


def patient_milestones_parquet(simulation: SimulationResult) -> bytes:
    """Each patient's milestones (one row per replicate, patient and milestone): the study day and date it was
    reached, or nulls and ``reached`` false when the patient left the study before it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    zero = simulation.timeline.conventions.study_day_zero
    base = simulation.start.toordinal() - date(1970, 1, 1).toordinal()
    wanted = np.asarray(milestone_events(simulation), dtype=np.int32)
    ids = pa.array([simulation.events[i].id for i in range(len(simulation.events))])
    parts = []
    for replicate, _reasons, subject, event, _target, actual, status, _reason, day1 in record_columns(simulation):
        keep = np.isin(event, wanted)
        subject, event, actual = subject[keep], event[keep], actual[keep]
        done = (status[keep] != CANCELLED) & (actual != MISSING)
        days = (base + day1[subject] + actual).astype(np.int32)
        parts.append(pa.table({
            "replicate": pa.array(np.full(len(subject), replicate, dtype=np.int64)),
            "subject": pa.array(subject.astype(np.int64)),
            "milestone": pa.DictionaryArray.from_arrays(pa.array(event), ids),
            "reached": pa.array(done),
            "study_day": pa.array(study_days(actual, zero).astype(np.int64), mask=~done),
            "date": pa.array(days, type=pa.int32(), mask=~done).cast(pa.date32()).cast(pa.timestamp("s")),
        }))
    table = pa.concat_tables(parts, promote_options="permissive") if parts else pa.table({})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def table_parquet(table: Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = pa.table({name: [row[i] for row in table.rows] for i, name in enumerate(table.columns)})
    sink = pa.BufferOutputStream()
    pq.write_table(data, sink, compression="zstd")
    return canonical_parquet(sink.getvalue().to_pybytes())


def canonical_parquet(data: bytes) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pq.read_table(io.BytesIO(data)), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_sweep_tables(result: SweepResult, folder: Path) -> list[str]:
    """Write the grid, the events, the patients' milestones and the summaries into ``folder``; the names written
    (relative to it)."""
    grid = Table("grid", ("point", *result.grid.names),
                 [[i, *result.grid.shown(i)] for i in range(len(result.grid.points))])
    (folder / "grid.csv").write_text(csv_text(grid), encoding="utf-8")
    names = ["grid.csv"]
    for point, simulation in enumerate(result.results):
        for name, content in (("events", events_parquet(simulation)),
                              ("patient_milestones", patient_milestones_parquet(simulation))):
            part = folder / name / f"point={point}"
            part.mkdir(parents=True)
            (part / f"{name}.parquet").write_bytes(canonical_parquet(content))
            names.append(f"{name}/point={point}/{name}.parquet")
    for table in (summary_rows(result), milestone_rows(result)):
        (folder / f"{table.name}.csv").write_text(csv_text(table), encoding="utf-8")
        (folder / f"{table.name}.parquet").write_bytes(table_parquet(table))
        names += [f"{table.name}.csv", f"{table.name}.parquet"]
    return names
