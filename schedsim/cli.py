"""The ``schedsim`` command line: each command parses options and calls one library function."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from schedsim.errors import InputError, Problem, SchedsimError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Clinical-trial protocols as exact timelines. Exit codes: 0 ok, 1 findings, 2 bad input.")
T = TypeVar("T")


class TimelineFormat(StrEnum):
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


def _start_date(text: str | None) -> date | None:
    if text is None:
        return None
    from schedsim.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise InputError(Problem("--start", None, "", str(error))) from None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
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
    format: Annotated[TimelineFormat, typer.Option("--format", "-f", help="output format")] = TimelineFormat.table,
    output: OutputOption = None,
) -> None:
    """Every dose, procedure, visit and assessment of one patient, by study day (and date with --start)."""
    from schedsim.render import to_csv, to_json, to_table
    from schedsim.schedule import timeline_for

    render = {TimelineFormat.json: to_json, TimelineFormat.csv: to_csv, TimelineFormat.table: to_table}[format]
    _guard(lambda: _emit(render(timeline_for(file, _start_date(start))), output))


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    event_id: Annotated[str, typer.Argument(help="event id, e.g. maintenance.start")],
    start: StartOption = None,
) -> None:
    """The chain of anchors and offsets that fixes one event's day, with the assumptions it rests on."""
    from schedsim.explain import explain_file

    typer.echo("\n".join(_guard(lambda: explain_file(file, event_id, _start_date(start)))))


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Option("--kind", help="protocol or library file schema")] = SchemaKind.protocol,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of protocol (or library) files, for editors."""
    from schedsim.schema import schema_text

    _guard(lambda: _emit(schema_text(kind.value), output))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
