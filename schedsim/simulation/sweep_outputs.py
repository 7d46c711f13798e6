"""A sweep's tables: the grid, each grid point's events as Parquet partitioned by grid point
(``events/point=K/events.parquet``, hive style: DuckDB and pandas read the folder as one table with a ``point``
column), and a summary per grid point (completion p5/p50/p95, resource utilisation, dropouts) as Parquet and CSV.

Parquet files are written from a canonical table (read back and written again), so the bytes depend on the records
alone, not on which process made them.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from schedsim.simulation.outputs import events_parquet
from schedsim.simulation.sweep import SweepResult
from schedsim.tabular import Table, csv_text

SUMMARY_FILES = ("grid.csv", "summary.csv", "summary.parquet")


def summary_rows(result: SweepResult) -> Table:
    """One row per grid point: its parameters, then completion (date and days from the scenario start, p5/p50/p95),
    each resource's utilisation and the dropouts."""
    rows = []
    resources: list[str] = []
    summaries = [simulation.summary() for simulation in result.results]
    for summary in summaries:
        resources += [name for name in summary.get("resources", {}) if name not in resources]
    for point, (simulation, summary) in enumerate(zip(result.results, summaries, strict=True)):
        start = date.fromisoformat(str(summary["start"]))
        completion = summary.get("completion") or {}
        days = {q: (date.fromisoformat(completion[q]) - start).days if completion.get(q) else None
                for q in ("p5", "p50", "p95")}
        dropouts = sum(sum(causes.values()) for causes in (summary.get("dropouts") or {}).values())
        row: list[Any] = [point, *result.grid.points[point], simulation.patients, len(simulation.replicates),
                          *(completion.get(q) for q in ("p5", "p50", "p95")), *days.values()]
        row += [(summary.get("resources", {}).get(name) or {}).get("utilisation") for name in resources]
        rows.append([*row, dropouts])
    columns = ("point", *result.grid.names, "patients", "replicates", "completion_p5", "completion_p50",
               "completion_p95", "completion_days_p5", "completion_days_p50", "completion_days_p95",
               *(f"{name}_utilisation" for name in resources), "dropouts")
    return Table("summary", columns, rows)


def canonical_parquet(data: bytes) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pq.read_table(io.BytesIO(data)), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_sweep_tables(result: SweepResult, folder: Path) -> list[str]:
    """Write the grid, the events and the summary into ``folder``; the names written (relative to it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    grid = Table("grid", ("point", *result.grid.names), [[i, *p] for i, p in enumerate(result.grid.points)])
    (folder / "grid.csv").write_text(csv_text(grid), encoding="utf-8")
    names = ["grid.csv"]
    for point, simulation in enumerate(result.results):
        part = folder / "events" / f"point={point}"
        part.mkdir(parents=True)
        (part / "events.parquet").write_bytes(canonical_parquet(events_parquet(simulation)))
        names.append(f"events/point={point}/events.parquet")
    summary = summary_rows(result)
    (folder / "summary.csv").write_text(csv_text(summary), encoding="utf-8")
    table = pa.table({name: [row[i] for row in summary.rows] for i, name in enumerate(summary.columns)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    (folder / "summary.parquet").write_bytes(canonical_parquet(sink.getvalue().to_pybytes()))
    return [*names, "summary.csv", "summary.parquet"]
