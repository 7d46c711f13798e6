"""Protocol commands: ``validate``, ``timeline``, ``explain`` and ``schema``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    ArmOption,
    BranchOption,
    OutputOption,
    StartOption,
    TextFormat,
    date_option,
    emit,
    guard,
    path_choice,
)


class SchemaKind(StrEnum):
    protocol = "protocol"
    library = "library"


def validate(files: Annotated[list[Path], typer.Argument(help="protocol files")]) -> None:
    """Validate protocol files: OK, or every error with file:line and field path (exit 2)."""
    from schedsim.compile.validate import validate_files

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


def timeline(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    start: StartOption = None,
    format: Annotated[TextFormat, typer.Option("--format", "-f", help="output format")] = TextFormat.table,
    output: OutputOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
) -> None:
    """Every dose, procedure, visit and assessment of one patient, by study day (and date with --start)."""
    from schedsim.engine.render import to_csv, to_json, to_table
    from schedsim.engine.schedule import timeline_for

    render = {TextFormat.json: to_json, TextFormat.csv: to_csv, TextFormat.table: to_table}[format]
    guard(lambda: emit(render(timeline_for(file, date_option(start, "--start"), **path_choice(arm, branch))),
                       output))


def explain(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    event_id: Annotated[str, typer.Argument(help="event id, e.g. maintenance.start")],
    start: StartOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
) -> None:
    """The chain of anchors and offsets that fixes one event's day, with the assumptions it rests on."""
    from schedsim.engine.explain import explain_file

    typer.echo("\n".join(guard(lambda: explain_file(file, event_id, date_option(start, "--start"),
                                                    **path_choice(arm, branch)))))


def schema(
    kind: Annotated[SchemaKind, typer.Option("--kind", help="protocol or library file schema")] = SchemaKind.protocol,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of protocol (or library) files, for editors."""
    from schedsim.language.schema import schema_text

    guard(lambda: emit(schema_text(kind.value), output))
