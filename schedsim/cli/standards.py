"""Standards commands: ``soa`` (the Schedule of Activities) and ``export usdm|sdtm|redcap``."""

from __future__ import annotations

import re
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


export_app = typer.Typer(help="Write a protocol in a standard's format: CDISC USDM v4.0, SDTM trial design, REDCap.",
                         no_args_is_help=True)


def export_usdm(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: OutputOption = None,
) -> None:
    """The protocol as a CDISC USDM v4.0 study (JSON, valid against the DDF API schema): arms, epochs, encounters,
    activities and schedule timelines with their timings and windows; cycles as sub-timelines."""
    from schedsim.standards.usdm import usdm_json

    def run() -> None:
        pick_format(None, output, {".json": "json"}, "json")
        emit(usdm_json(file), output)

    guard(run)


class SdtmFormat(StrEnum):
    json = "json"
    xpt = "xpt"
    both = "both"


def export_sdtm(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR", help="folder to write (new, or an earlier "
                                                                               "run's)")],
    format: Annotated[SdtmFormat, typer.Option("--format", "-f", help="Dataset-JSON v1.1, SAS XPT v5, or both")] =
    SdtmFormat.both,
    created: Annotated[str, typer.Option("--created", metavar="DATETIME", help="Dataset-JSON creation time "
                                                                               "(YYYY-MM-DDThh:mm:ss)")] =
    "2000-01-01T00:00:00",
) -> None:
    """SDTM trial design datasets (TA, TE, TV, TD, TS) as Dataset-JSON v1.1 and SAS XPT version 5 files."""
    from schedsim.standards.datasets import write_sdtm

    def run() -> None:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", created):
            raise InputError(Problem("--created", None, "", f"{created!r} is not YYYY-MM-DDThh:mm:ss"))
        formats = ("json", "xpt") if format is SdtmFormat.both else (format.value,)
        for path in write_sdtm(file, output, formats, created):
            typer.echo(f"wrote {path}")

    guard(run)


def export_redcap(
    file: Annotated[Path, typer.Argument(help="protocol file")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR", help="folder to write (new, or an earlier "
                                                                               "run's)")],
) -> None:
    """REDCap arms, events (day offsets and windows) and an instrument-event mapping template, in REDCap's import
    format, and a map for turning REDCap record exports into actuals."""
    from schedsim.standards.redcap import write_redcap

    def run() -> None:
        for path in write_redcap(file, output):
            typer.echo(f"wrote {path}")

    guard(run)


actuals_app = typer.Typer(help="Actual dates from other systems.", no_args_is_help=True)


def actuals_from_redcap_command(
    export: Annotated[Path, typer.Argument(help="REDCap record export (CSV, raw data)")],
    map_file: Annotated[Path, typer.Option("--map", metavar="FILE", help="actuals map: REDCap event -> protocol "
                                                                          "event and date field (export redcap "
                                                                          "writes one)")],
    record: Annotated[str | None, typer.Option("--record", help="the record (patient) to convert, when the export "
                                                                "holds several")] = None,
    output: OutputOption = None,
) -> None:
    """Turn a REDCap record export into an actuals CSV (event_id,date,status) for calendar --actuals."""
    from schedsim.standards.redcap import actuals_from_redcap

    def run() -> None:
        pick_format(None, output, {".csv": "csv"}, "csv")
        found = actuals_from_redcap(export, map_file)
        chosen = found.of(record, str(export))
        for warning in found.warnings:
            typer.echo(f"warning: {warning}", err=True)
        emit(chosen, output)

    guard(run)
