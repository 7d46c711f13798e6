"""Standards commands: ``soa`` (the Schedule of Activities)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    ArmOption,
    BomOption,
    BranchOption,
    OutputOption,
    StartOption,
    date_option,
    emit,
    guard,
    path_choice,
    pick_format,
    with_bom,
)
from schedsim.errors import InputError, Problem


class SoaFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"


def soa(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    start: StartOption = None,
    format: Annotated[SoaFormat | None, typer.Option(
        "--format", "-f", help="output format (default: from the -o extension, else text)")] = None,
    output: OutputOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
    bom: BomOption = False,
) -> None:
    """The Schedule of Activities: activities by group as rows, visits as columns (study day, date with --start,
    window), repeated cycles compressed; text, Markdown, CSV, Excel or a printable HTML page."""
    from schedsim.standards.soa import SOA_SUFFIXES, render_soa, soa_for

    def run() -> None:
        fmt = pick_format(format, output, SOA_SUFFIXES, "text")
        if fmt == "xlsx" and output is None:
            raise InputError(Problem("--format", None, "", "an Excel workbook needs a file: give -o soa.xlsx"))
        table = soa_for(file, date_option(start, "--start"), **path_choice(arm, branch))
        emit(with_bom(render_soa(table, fmt), fmt, bom), output)

    guard(run)
