"""Protocol commands: ``validate``, ``timeline``, ``explain`` and ``schema``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    TIMELINE_SUFFIXES,
    ArmOption,
    BomOption,
    BranchOption,
    OutputOption,
    StartOption,
    TimelineFormat,
    date_option,
    emit,
    guard,
    path_choice,
    pick_format,
    with_bom,
)
from schedsim.errors import InputError, Problem


class SchemaKind(StrEnum):
    protocol = "protocol"
    library = "library"
    scenario = "scenario"


def validate(files: Annotated[list[Path], typer.Argument(help="protocol, library or scenario files")]) -> None:
    """Validate protocol, library and scenario files: OK, or every error with file:line and field path (exit 2)."""
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
    format: Annotated[TimelineFormat | None, typer.Option(
        "--format", "-f", help="output format (default: from the -o extension, else table)")] = None,
    output: OutputOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
    bom: BomOption = False,
) -> None:
    """Every dose, procedure, visit and assessment of one patient, by study day (and date with --start)."""
    from schedsim.engine.render import to_csv, to_json, to_table, to_xlsx
    from schedsim.engine.schedule import timeline_for

    def run() -> None:
        fmt = pick_format(format, output, TIMELINE_SUFFIXES, "table")
        if fmt == "xlsx" and output is None:
            raise InputError(Problem("--format", None, "", "an Excel workbook needs a file: give -o timeline.xlsx"))
        render = {"json": to_json, "csv": to_csv, "table": to_table, "xlsx": to_xlsx}[fmt]
        schedule = timeline_for(file, date_option(start, "--start"), **path_choice(arm, branch))
        emit(with_bom(render(schedule), fmt, bom), output)

    guard(run)


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
    kind: Annotated[SchemaKind, typer.Option("--kind", help="protocol, library or scenario file schema")] =
    SchemaKind.protocol,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of protocol, library or scenario files, for editors (packaged beside the library)."""
    from schedsim.language.schema import schema_text

    guard(lambda: pick_format(None, output, {".json": "json"}, "json") and emit(schema_text(kind.value), output))
