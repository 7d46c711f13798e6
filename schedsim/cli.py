"""The ``schedsim`` command line: each command parses options and calls one library function."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from schedsim.errors import InputError, Problem, SchedsimError

if TYPE_CHECKING:
    from schedsim.clinic import ClinicDays

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Clinical-trial protocols as exact timelines. Exit codes: 0 ok, 1 findings, 2 bad input.")
T = TypeVar("T")


class TextFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class SchemaKind(StrEnum):
    protocol = "protocol"
    library = "library"


def _guard(action: Callable[[], T]) -> T:
    """Run ``action``; turn bad input into messages on stderr and exit code 2 (never a traceback)."""
    try:
        return action()
    except InputError as error:
        for problem in error.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2) from None
    except SchedsimError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except OSError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _date_option(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from schedsim.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise InputError(Problem(option, None, "", str(error))) from None


def _emit(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.flush()
        else:
            sys.stdout.write(text)
    else:
        from schedsim.fileio import write_atomic

        write_atomic(output, text)


StartOption = Annotated[str | None, typer.Option("--start", help="date of study day 1 (YYYY-MM-DD)")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file instead of stdout")]


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="protocol files")]) -> None:
    """Validate protocol files: OK, or every error with file:line and field path (exit 2)."""
    from schedsim.validate import validate_files

    failed = False
    for file, problems in validate_files(files):
        if problems:
            failed = True
            for problem in problems:
                typer.echo(f"error: {problem}", err=True)
        else:
            typer.echo(f"OK {file}")
    if failed:
        raise typer.Exit(2)


@app.command()
def timeline(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    start: StartOption = None,
    format: Annotated[TextFormat, typer.Option("--format", "-f", help="output format")] = TextFormat.table,
    output: OutputOption = None,
) -> None:
    """Every dose, procedure, visit and assessment of one patient, by study day (and date with --start)."""
    from schedsim.render import to_csv, to_json, to_table
    from schedsim.schedule import timeline_for

    render = {TextFormat.json: to_json, TextFormat.csv: to_csv, TextFormat.table: to_table}[format]
    _guard(lambda: _emit(render(timeline_for(file, _date_option(start, "--start"))), output))


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    event_id: Annotated[str, typer.Argument(help="event id, e.g. maintenance.start")],
    start: StartOption = None,
) -> None:
    """The chain of anchors and offsets that fixes one event's day, with the assumptions it rests on."""
    from schedsim.explain import explain_file

    typer.echo("\n".join(_guard(lambda: explain_file(file, event_id, _date_option(start, "--start")))))


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Option("--kind", help="protocol or library file schema")] = SchemaKind.protocol,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of protocol (or library) files, for editors."""
    from schedsim.schema import schema_text

    _guard(lambda: _emit(schema_text(kind.value), output))


class CalendarFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    ics = "ics"
    md = "md"
    html = "html"


class Layout(StrEnum):
    agenda = "agenda"
    month = "month"


def _report(problems: tuple[Problem, ...]) -> None:
    """Rows skipped with --keep-going: reported, and exit code 2 after the good output is written."""
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        typer.echo(f"error: {len(problems)} problem(s); the output holds every other patient", err=True)
        raise typer.Exit(2)


TodayOption = Annotated[str | None, typer.Option("--today", help="status date: done, missed, overdue, due, upcoming")]
CountryOption = Annotated[str | None, typer.Option("--country", help="public holidays of this country (ISO code)")]
SubdivisionOption = Annotated[str | None, typer.Option("--subdivision", help="state or province, e.g. MA")]
ClosuresOption = Annotated[Path | None, typer.Option("--closures", help="file of closure dates: date[,reason]")]
OpenDaysOption = Annotated[str | None, typer.Option("--open-days", help="clinic weekdays, e.g. mon-fri (default: "
                                                                         "the protocol's)")]
KeepGoingOption = Annotated[bool, typer.Option("--keep-going", help="report bad roster rows, keep the other patients")]


@app.command()
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
    home_doses: Annotated[bool, typer.Option(help="include drugs taken at home")] = True,
    format: Annotated[CalendarFormat | None, typer.Option(
        "--format", "-f", help="output format (default: from the -o extension, else table)")] = None,
    layout: Annotated[Layout, typer.Option("--layout", help="HTML: agenda or month grid")] = Layout.agenda,
    keep_going: KeepGoingOption = False,
    output: OutputOption = None,
) -> None:
    """A patient's visit calendar on clinic days (or every roster patient's), re-anchored on actual dates."""
    from schedsim.calendar_output import make_calendars, output_format, render_calendars

    def run() -> tuple[Problem, ...]:
        result = make_calendars(
            file, roster=roster, start=_date_option(start, "--start"), patient_id=patient, actuals=actuals,
            site=site_days(country, subdivision, closures, open_days), today=_date_option(today, "--today"),
            home_doses=home_doses, keep_going=keep_going)
        fmt = output_format(format.value if format else None, output)
        _emit(render_calendars(result.calendars, fmt, layout.value), output)
        return result.problems

    _report(_guard(run))


@app.command()
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
    home_doses: Annotated[bool, typer.Option(help="include drugs taken at home")] = False,
    format: Annotated[TextFormat, typer.Option("--format", "-f", help="output format")] = TextFormat.table,
    keep_going: KeepGoingOption = False,
    output: OutputOption = None,
) -> None:
    """Every visit due in a date range across a roster's patients, sorted, with windows and activities."""
    from schedsim.calendar_output import due_report

    def run() -> tuple[Problem, ...]:
        text, problems = due_report(
            roster, first=_date_option(first, "--from"), last=_date_option(last, "--to"), week=week,
            site=site_days(country, subdivision, closures, open_days), today=_date_option(today, "--today"),
            home_doses=home_doses, keep_going=keep_going, fmt=format.value)
        _emit(text, output)
        return problems

    _report(_guard(run))


class SwimmerSort(StrEnum):
    start = "start"
    progress = "progress"


ImageOption = Annotated[Path, typer.Option("--output", "-o", help="image file: .png, .svg or .pdf")]
FromOption = Annotated[str | None, typer.Option("--from", help="zoom: first study day (63) or date")]
ToOption = Annotated[str | None, typer.Option("--to", help="zoom: last study day or date")]


@app.command()
def gantt(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: ImageOption,
    start: StartOption = None,
    first: FromOption = None,
    last: ToOption = None,
) -> None:
    """The protocol's Gantt chart: phases, cycles, dosing days, steps, assessments with windows, milestones."""
    from schedsim.plots import protocol_gantt

    _guard(lambda: protocol_gantt(file, output, _date_option(start, "--start"), first, last))


@app.command("patient-gantt")
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
    home_doses: Annotated[bool, typer.Option(help="include drugs taken at home")] = False,
    first: FromOption = None,
    last: ToOption = None,
) -> None:
    """A patient's Gantt chart: actual versus planned, closed days shaded, today, out-of-window visits."""
    from schedsim.plots import patient_gantt as draw

    _guard(lambda: draw(file, _date_option(start, "--start"), output, first=first, last=last, patient_id=patient,
                        actuals=actuals, today=_date_option(today, "--today"),
                        clinic=site_days(country, subdivision, closures, open_days), home_doses=home_doses))


@app.command()
def swimmer(
    roster: Annotated[Path, typer.Argument(help="roster CSV")],
    output: ImageOption,
    today: TodayOption = None,
    sort: Annotated[SwimmerSort, typer.Option("--sort", help="order lanes by start date or progress")] =
    SwimmerSort.start,
    country: CountryOption = None,
) -> None:
    """A swimmer plot of a roster: one lane per patient, phases coloured, procedures and assessments marked."""
    from schedsim.plots import roster_swimmer

    _guard(lambda: roster_swimmer(roster, output, site=site_days(country), today=_date_option(today, "--today"),
                                  sort=sort.value))


@app.command("visit-load")
def visit_load(
    roster: Annotated[Path, typer.Argument(help="roster CSV")],
    output: ImageOption,
    today: TodayOption = None,
    country: CountryOption = None,
) -> None:
    """Clinic events per week across a roster's patients, stacked by kind."""
    from schedsim.plots import roster_visit_load

    _guard(lambda: roster_visit_load(roster, output, site=site_days(country), today=_date_option(today, "--today")))


def site_days(country: str | None, subdivision: str | None = None, closures: Path | None = None,
              open_days: str | None = None) -> ClinicDays:
    """The site's clinic days from the command-line options (imported here: only calendars need them)."""
    from schedsim.clinic import site_days as make

    return make(country, subdivision, closures, open_days)


# The other command modules register themselves on the app: check, rules, simulate, escalation; import.
from schedsim import cli_analysis, cli_import  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
