"""``simulate``: a cohort simulated, its tables and (unless ``--no-plots``) its plots written to a folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import guard, path_choice


def simulate(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for events.csv, summary.json and plots")],
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
) -> None:
    """Simulate a cohort: enrolment, delays, dropouts, shared resources; forecasts and visit load."""
    from schedsim.plots.simulation import write_outputs
    from schedsim.simulation.outputs import describe
    from schedsim.simulation.run import simulate as run

    def go() -> str:
        if sys.stderr.isatty():
            with typer.progressbar(length=replicates if replicates > 1 else patients, label="simulating",
                                   file=sys.stderr) as bar:
                seen = [0]

                def progress(done: int, total: int) -> None:
                    bar.update(done - seen[0])
                    seen[0] = done

                result = run(file, patients=patients, replicates=replicates, seed=seed, scenario=scenario,
                             workers=workers, progress=progress, **path_choice(arm, branch))
        else:
            result = run(file, patients=patients, replicates=replicates, seed=seed, scenario=scenario,
                         workers=workers, **path_choice(arm, branch))
        write_outputs(result, output, plots=plots)
        return describe(result.summary())

    typer.echo(guard(go), nl=False)
