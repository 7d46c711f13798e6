"""``simulate``: a cohort simulated, its tables and (unless ``--no-plots``) its plots written to a folder; ``sweep``:
the simulation over a grid of scenarios, on Dask."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import BomOption, guard, path_choice
from schedsim.errors import InputError, Problem

#: Extensions of files, never of the output folder simulate writes.
FILE_SUFFIXES = {".csv", ".json", ".parquet", ".txt", ".xlsx", ".png", ".svg", ".pdf", ".html", ".yaml", ".md"}


class EventsFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def simulate(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for events.csv (or .parquet), summary.json "
                                                                "and plots")],
    scenario: Annotated[Path | None, typer.Option("--scenario", help="scenario file (default: the protocol's "
                                                                     "simulation: section)")] = None,
    patients: Annotated[int, typer.Option("--patients", "-n", help="patients per replicate")] = 20,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="independent replicates")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="master seed: same seed, same files")] = 0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes (results do not depend on it)")]
    = 1,
    plots: Annotated[bool, typer.Option(help="also write swimmer.png and visit-load.png")] = True,
    arm: Annotated[str | None, typer.Option("--arm", help="every patient in this arm (default: drawn by the "
                                                           "allocation ratio)")] = None,
    branch: Annotated[list[str] | None, typer.Option(
        "--branch", help="decision=branch for every patient (default: drawn from the branch shares)")] = None,
    format: Annotated[EventsFormat, typer.Option(
        "--format", "-f", help="the events table: csv, or parquet (typed columns; needs pyarrow)")] =
    EventsFormat.csv,
    bom: BomOption = False,
) -> None:
    """Simulate a cohort: enrolment, delays, dropouts, shared resources; forecasts and visit load."""
    from schedsim.plots.simulation import write_outputs
    from schedsim.simulation.outputs import describe
    from schedsim.simulation.run import simulate as run

    def go() -> str:
        suffix = output.suffix.lower()
        if suffix in FILE_SUFFIXES and not output.is_dir():
            raise InputError(Problem("--output", None, "", f"{output} names a {suffix} file; simulate writes a folder "
                                                           "(events.csv, summary.json, plots): give -o FOLDER"))
        from schedsim.fileio import folder_target
        from schedsim.plots.simulation import RUN_FILES

        folder_target(output, RUN_FILES)  # before minutes of work: a wrong folder is said at once
        options = dict(patients=patients, replicates=replicates, seed=seed, scenario=scenario, workers=workers,
                       **path_choice(arm, branch))
        if sys.stderr.isatty():  # patients done of patients x replicates, with the time left
            with typer.progressbar(length=patients * replicates, label="simulating patients", show_eta=True,
                                   show_pos=True, file=sys.stderr) as bar:
                seen = [0]

                def progress(done: int, total: int) -> None:
                    bar.update(done - seen[0])
                    seen[0] = done

                result = run(file, progress=progress, **options)  # type: ignore[arg-type]
        else:
            result = run(file, **options)  # type: ignore[arg-type]
        write_outputs(result, output, plots=plots, events=format.value, bom=bom)
        return describe(result.summary())

    typer.echo(guard(go), nl=False)


def sweep(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    scenario: Annotated[Path, typer.Option("--scenario", help="the scenario the grid varies")],
    grid: Annotated[Path, typer.Option("--grid", metavar="FILE", help="grid file: 'parameters: {name: [values]}' "
                                                                      "(every combination) or 'points: [...]'")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR", help="folder for grid.csv, summary and "
                                                                               "milestone_summary (.csv, .parquet),"
                                                                               " events/ and patient_milestones/ "
                                                                               "(point=K/) and sweep.png")],
    patients: Annotated[int, typer.Option("--patients", "-n", help="patients per replicate")] = 20,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="replicates per grid point")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="master seed: same seed, same files")] = 0,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="a Dask LocalCluster of this many workers"
                                                                        " (without it or --scheduler: this process"
                                                                        " alone, no Dask); the files do not "
                                                                        "depend on it")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="an existing Dask "
                                                  "scheduler (tcp://host:8786); its workers must see the files")]
    = None,
    plots: Annotated[bool, typer.Option(help="also write sweep.png")] = True,
) -> None:
    """Simulate a grid of scenarios (enrolment rate x manufacturing slots x ...) with replicates, on Dask."""
    from schedsim.fileio import folder_target
    from schedsim.plots.sweep import SWEEP_FILES, write_sweep
    from schedsim.simulation.grid import load_grid
    from schedsim.simulation.sweep import sweep as run
    from schedsim.simulation.sweep_outputs import require_pyarrow, sweep_lines

    def go() -> None:
        if output.suffix:
            raise InputError(Problem("--output", None, "", f"{output} has an extension; sweep writes a folder"))
        folder_target(output, SWEEP_FILES)
        require_pyarrow("sweep")
        result = run(file, scenario, load_grid(grid), patients=patients, replicates=replicates, seed=seed,
                     workers=workers, scheduler=scheduler)
        for path in write_sweep(result, output, plots):
            if path.suffix != ".parquet" or path.parent == output:
                typer.echo(f"wrote {path}")
        for name in ("events", "patient_milestones"):
            typer.echo(f"wrote {output / name} ({len(result.results)} grid points, partitioned by point)")
        for line in sweep_lines(result):
            typer.echo(line)

    guard(go)
