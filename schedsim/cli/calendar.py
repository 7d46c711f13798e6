"""Calendar commands: ``calendar`` (one patient or a roster) and ``due`` (visits due across a roster)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    TEXT_SUFFIXES,
    BomOption,
    BranchOption,
    ClosuresOption,
    CountryOption,
    HomeDosesOption,
    KeepGoingOption,
    OpenDaysOption,
    OutputOption,
    PatientArmOption,
    StartOption,
    SubdivisionOption,
    TextFormat,
    TodayOption,
    date_option,
    emit,
    guard,
    path_choice,
    pick_format,
    report_problems,
    site_days,
    with_bom,
)
from schedsim.errors import InputError, Problem


class CalendarFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    ics = "ics"
    md = "md"
    html = "html"
    xlsx = "xlsx"


class Layout(StrEnum):
    agenda = "agenda"
    month = "month"


def calendar(
    file: Annotated[Path | None, typer.Argument(help="protocol file (or use --roster)")] = None,
    start: StartOption = None,
    patient: Annotated[str, typer.Option("--patient", help="patient id")] = "patient",
    actuals: Annotated[Path | None, typer.Option("--actuals", help="CSV/YAML of event_id,date,status")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="CSV of patient_id,protocol,start,...")] = None,
    today: TodayOption = None,
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
    home_doses: HomeDosesOption = False,
    format: Annotated[CalendarFormat | None, typer.Option(
        "--format", "-f", help="output format (default: from the -o extension, else table)")] = None,
    layout: Annotated[Layout, typer.Option("--layout", help="HTML: agenda or month grid")] = Layout.agenda,
    keep_going: KeepGoingOption = False,
    output: OutputOption = None,
    arm: PatientArmOption = None,
    branch: BranchOption = None,
    bom: BomOption = False,
) -> None:
    """A patient's visit calendar on clinic days (or every roster patient's), re-anchored on actual dates."""
    from schedsim.calendar.output import make_calendars, output_format, render_calendars

    def run() -> tuple[Problem, ...]:
        result = make_calendars(
            file, roster=roster, start=date_option(start, "--start"), patient_id=patient, actuals=actuals,
            clinic=site_days(country, subdivision, closures, open_days), today=date_option(today, "--today"),
            home_doses=home_doses, keep_going=keep_going, **path_choice(arm, branch))
        fmt = output_format(format.value if format else None, output)
        if fmt == "xlsx" and output is None:
            raise InputError(Problem("--format", None, "", "an Excel workbook needs a file: give -o calendar.xlsx"))
        for calendar in result.calendars:  # moves that no open day could make: said on stderr, flagged in the file
            for conflict in calendar.conflicts:
                events = ", ".join(conflict.events)  # a group's events share one conflict: name them all
                typer.echo(f"warning: {calendar.patient_id}: {conflict.rule} {events}: {conflict.message}", err=True)
        emit(with_bom(render_calendars(result.calendars, fmt, layout.value), fmt, bom), output)
        return result.problems

    report_problems(guard(run))


def due(
    roster: Annotated[Path, typer.Argument(help="roster CSV: patient_id,protocol,start[,arm,country,...]")],
    first: Annotated[str | None, typer.Option("--from", help="first date (YYYY-MM-DD)")] = None,
    last: Annotated[str | None, typer.Option("--to", help="last date (YYYY-MM-DD)")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO week instead of --from/--to, e.g. 2026-W48")] = None,
    today: TodayOption = None,
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
    home_doses: HomeDosesOption = False,
    format: Annotated[TextFormat | None, typer.Option(
        "--format", "-f", help="output format (default: from the -o extension, else table)")] = None,
    keep_going: KeepGoingOption = False,
    output: OutputOption = None,
    bom: BomOption = False,
) -> None:
    """Every visit due in a date range across a roster's patients, sorted, with windows and activities."""
    from schedsim.calendar.output import due_report

    def run() -> tuple[Problem, ...]:
        fmt = pick_format(format, output, TEXT_SUFFIXES, "table")
        text, problems = due_report(
            roster, first=date_option(first, "--from"), last=date_option(last, "--to"), week=week,
            clinic=site_days(country, subdivision, closures, open_days), today=date_option(today, "--today"),
            home_doses=home_doses, keep_going=keep_going, fmt=fmt)
        emit(with_bom(text, fmt, bom), output)
        return problems

    report_problems(guard(run))
