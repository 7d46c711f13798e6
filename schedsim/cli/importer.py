"""``import``: a registry record (seed text layout or ClinicalTrials.gov JSON API v2) becomes a draft protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import OutputOption, emit, guard, pick_format


def import_command(
    record: Annotated[Path, typer.Argument(help="registry record: seed text layout or JSON API v2 (.json)")],
    output: OutputOption = None,
    report: Annotated[bool, typer.Option("--report", help="print, per outcome, what each time frame was read as")] =
    False,
    library: Annotated[Path | None, typer.Option(
        "--library", help="folder of library files to include (vrd.yaml, cart.yaml, ...; default: the packaged "
                          "library)")] = None,
) -> None:
    """Draft a protocol from a registry record; what it cannot read is kept as a commented TODO."""
    from schedsim.importer.draft import import_record
    from schedsim.importer.report import report_text

    guard(lambda: pick_format(None, output, {".yaml": "yaml", ".yml": "yaml"}, "yaml"))
    result = guard(lambda: import_record(record, output=output, library=library))
    guard(lambda: emit(result.text, output))
    if report:
        text = report_text(result, str(output) if output is not None else "(stdout)")
        if output is None:
            typer.echo(text, err=True, nl=False)
        else:
            typer.echo(text, nl=False)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for problem in result.problems:
        typer.echo(f"warning: the draft does not validate yet: {problem}", err=True)
