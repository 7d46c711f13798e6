"""``import``: a registry record (seed text layout or ClinicalTrials.gov JSON API v2) becomes a draft protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import OutputOption, emit, guard, pick_format


def import_command(
    record: Annotated[Path, typer.Argument(help="registry record: seed text layout or JSON API v2 (.json); or the word "
                                                "'usdm' followed by a CDISC USDM v4.0 JSON file")],
    usdm_file: Annotated[Path | None, typer.Argument(metavar="[USDM_FILE]", help="after 'usdm': the study JSON",
                                                     show_default=False)] = None,
    output: OutputOption = None,
    report: Annotated[bool, typer.Option("--report", help="print, per outcome, what each time frame was read as")] =
    False,
    library: Annotated[Path | None, typer.Option(
        "--library", help="folder of library files to include (vrd.yaml, cart.yaml, ...; default: the packaged "
                          "library)")] = None,
) -> None:
    """Draft a protocol from a registry record (what it cannot read is kept as a commented TODO), or make one from a
    CDISC USDM v4.0 study: `schedsim import usdm study.json -o protocol.yaml`."""
    if str(record) == "usdm" or usdm_file is not None:
        _import_usdm(record, usdm_file, output)
        return
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


def _import_usdm(word: Path, file: Path | None, output: Path | None) -> None:
    from schedsim.errors import InputError, Problem
    from schedsim.standards.usdm.reader import protocol_from_usdm

    def run() -> None:
        if str(word) != "usdm" or file is None:
            raise InputError(Problem(str(word), None, "", "give 'usdm' and then the USDM JSON file: "
                                                          "schedsim import usdm study.json -o protocol.yaml"))
        pick_format(None, output, {".yaml": "yaml", ".yml": "yaml"}, "yaml")
        result = protocol_from_usdm(file)
        emit(result.text, output)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)

    guard(run)
