"""Plot commands: ``gantt``, ``patient-gantt``, ``swimmer`` and ``visit-load`` (matplotlib is imported only when
one of them runs)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    ArmOption,
    BranchOption,
    ClosuresOption,
    CountryOption,
    FromOption,
    HomeDosesOption,
    ImageOption,
    OpenDaysOption,
    PatientArmOption,
    StartOption,
    SubdivisionOption,
    TodayOption,
    ToOption,
    date_option,
    guard,
    path_choice,
    site_days,
)


class SwimmerSort(StrEnum):
    start = "start"
    progress = "progress"


def gantt(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: ImageOption,
    start: StartOption = None,
    first: FromOption = None,
    last: ToOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
    side_by_side: Annotated[bool, typer.Option(
        "--side-by-side", help="every arm and branch in its own panel on one time axis")] = False,
) -> None:
    """The protocol's Gantt chart: phases, cycles, dosing days, steps, assessments with windows, milestones."""
    from schedsim.plots.charts import protocol_gantt

    guard(lambda: protocol_gantt(file, date_option(start, "--start"), output, first=first, last=last,
                                 side_by_side=side_by_side, **path_choice(arm, branch)))


def patient_gantt(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: ImageOption,
    start: Annotated[str, typer.Option("--start", help="date of study day 1 (YYYY-MM-DD)")],
    patient: Annotated[str, typer.Option("--patient", help="patient id")] = "patient",
    actuals: Annotated[Path | None, typer.Option("--actuals", help="CSV/YAML of event_id,date,status")] = None,
    today: TodayOption = None,
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
    home_doses: HomeDosesOption = False,
    first: FromOption = None,
    last: ToOption = None,
    arm: PatientArmOption = None,
    branch: BranchOption = None,
) -> None:
    """A patient's Gantt chart: actual versus planned, closed days shaded, today, out-of-window visits."""
    from schedsim.plots.charts import patient_gantt as draw

    guard(lambda: draw(file, date_option(start, "--start"), output, first=first, last=last, patient_id=patient,
                        actuals=actuals, today=date_option(today, "--today"),
                        clinic=site_days(country, subdivision, closures, open_days), home_doses=home_doses,
                        **path_choice(arm, branch)))


def swimmer(
    roster: Annotated[Path, typer.Argument(help="roster CSV")],
    output: ImageOption,
    today: TodayOption = None,
    sort: Annotated[SwimmerSort, typer.Option("--sort", help="order lanes by start date or progress")] =
    SwimmerSort.start,
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
) -> None:
    """A swimmer plot of a roster: one lane per patient, phases coloured, procedures and assessments marked."""
    from schedsim.plots.charts import roster_swimmer

    guard(lambda: roster_swimmer(roster, output, clinic=site_days(country, subdivision, closures, open_days),
                                  today=date_option(today, "--today"), sort=sort.value))


def visit_load(
    roster: Annotated[Path, typer.Argument(help="roster CSV")],
    output: ImageOption,
    today: TodayOption = None,
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
) -> None:
    """Clinic events per week across a roster's patients, stacked by kind."""
    from schedsim.plots.charts import roster_visit_load

    guard(lambda: roster_visit_load(roster, output, clinic=site_days(country, subdivision, closures, open_days),
                                    today=date_option(today, "--today")))


def report(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="the page to write (.html)")],
    start: StartOption = None,
    scenario: Annotated[Path | None, typer.Option("--scenario", help="add a simulated milestone forecast")] = None,
    patients: Annotated[int, typer.Option("--patients", "-n", help="with --scenario: patients per replicate")] = 20,
    replicates: Annotated[int, typer.Option("--replicates", "-r", help="with --scenario: replicates")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="with --scenario: the seed")] = 0,
    arm: ArmOption = None,
    branch: BranchOption = None,
) -> None:
    """One self-contained HTML page about a protocol: an interactive Gantt (zoom, pan, hover for the chain of
    anchors), the Schedule of Activities, check findings, assumptions and, with --scenario, the forecast."""
    from schedsim.errors import InputError, Problem
    from schedsim.fileio import write_atomic
    from schedsim.plots.report import report_html

    def run() -> None:
        if output.suffix.lower() not in (".html", ".htm"):
            raise InputError(Problem(str(output), None, "", "the report is an HTML page: give -o report.html"))
        if scenario is None and (patients, replicates, seed) != (20, 5, 0):
            raise InputError(Problem("--patients", None, "", "-n, -r and --seed are for the forecast: give "
                                                             "--scenario too"))
        write_atomic(output, report_html(file, date_option(start, "--start"), scenario, patients, replicates, seed,
                                         **path_choice(arm, branch)))  # type: ignore[arg-type]

    guard(run)
