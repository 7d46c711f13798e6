"""``schedsim import``: a registry record (seed text layout or ClinicalTrials.gov JSON API v2) → a draft protocol.
Registered on the one ``schedsim`` app when ``schedsim.cli`` is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli import OutputOption, _emit, _guard, app


@app.command("import")
def import_command(
    record: Annotated[Path, typer.Argument(help="registry record: seed text layout or JSON API v2 (.json)")],
    output: OutputOption = None,
    report: Annotated[bool, typer.Option("--report", help="print, per outcome, what each time frame was read as")] =
    False,
    library: Annotated[Path | None, typer.Option("--library", help="directory with blocks/*.yaml (default: the "
                                                                   "bundled protocols/)")] = None,
) -> None:
    """Draft a protocol from a registry record; what it cannot read is kept as a commented TODO."""
    from schedsim.import_report import report_text
    from schedsim.importer import import_record

    result = _guard(lambda: import_record(record, output=output, library=library))
    _guard(lambda: _emit(result.text, output))
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
