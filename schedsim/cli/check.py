"""Check commands: ``check`` (protocols, or patients' actual dates) and ``rules`` (the rule catalogue)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schedsim.cli.options import (
    REPORT_SUFFIXES,
    ArmOption,
    BranchOption,
    ClosuresOption,
    CountryOption,
    OpenDaysOption,
    OutputOption,
    ReportFormat,
    SubdivisionOption,
    date_option,
    emit,
    guard,
    path_choice,
    pick_format,
    site_days,
)
from schedsim.errors import InputError, Problem


class RulesFormat(StrEnum):
    text = "text"
    md = "md"


def check(
    files: Annotated[list[Path] | None, typer.Argument(help="protocol files")] = None,
    format: Annotated[ReportFormat | None, typer.Option(
        "--format", "-f", help="text (coloured on a terminal) or json (default: from the -o extension)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="warnings count as errors (exit 1)")] = False,
    start_weekday: Annotated[str | None, typer.Option(
        "--start-weekday", help="every patient starts on this weekday (mon..sun): check closed-day visits")] = None,
    actuals: Annotated[Path | None, typer.Option("--actuals", help="a patient's actual dates: report deviations")] =
    None,
    roster: Annotated[Path | None, typer.Option("--roster", help="roster CSV: every patient's deviations")] = None,
    start: Annotated[str | None, typer.Option("--start", help="date of study day 1: with --actuals (default: the "
                                                              "day-1 actual), or a patient start date for the "
                                                              "closed-day rules")] = None,
    today: Annotated[str | None, typer.Option("--today", help="with --actuals/--roster: visits whose window closed "
                                                              "before this date without a record are missed")] = None,
    patient: Annotated[str, typer.Option("--patient", help="patient id (with --actuals)")] = "patient",
    country: CountryOption = None,
    subdivision: SubdivisionOption = None,
    closures: ClosuresOption = None,
    open_days: OpenDaysOption = None,
    output: OutputOption = None,
    arm: ArmOption = None,
    branch: BranchOption = None,
) -> None:
    """Check protocols for schedule contradictions (with the chain of fields behind each), or a patient's actual
    dates for deviations. Exit 0 clean, 1 errors, 2 bad input."""
    from schedsim.check.checker import run_checks

    def run() -> int:
        pick_format(format, output, REPORT_SUFFIXES, "text")  # a bad -o is said before any work
        report = run_checks(files or [], actuals=actuals, roster=roster, start=date_option(start, "--start"),
                            today=date_option(today, "--today"), patient_id=patient,
                            start_weekday=_weekday(start_weekday), strict=strict,
                            clinic=site_days(country, subdivision, closures, open_days), **path_choice(arm, branch))
        fmt = pick_format(format, output, REPORT_SUFFIXES, "text")
        color = fmt == "text" and output is None and sys.stdout.isatty()
        emit(report.to_json() if fmt == "json" else report.to_text(color), output)
        return report.exit_code

    code = guard(run)
    if code:
        raise typer.Exit(code)


def rules(
    format: Annotated[RulesFormat | None, typer.Option(
        "--format", "-f", help="text or md (Markdown table; default: from the -o extension)")] = None,
    output: OutputOption = None,
) -> None:
    """The check rules: id, severity, why, and how to fix."""
    from schedsim.language.rules import rules_markdown, rules_table

    def run() -> None:
        fmt = pick_format(format, output, {".txt": "text", ".md": "md"}, "text")
        emit(rules_markdown() if fmt == "md" else rules_table(), output)

    guard(run)


def _weekday(text: str | None) -> int | None:
    if text is None:
        return None
    from schedsim.language.model import WEEKDAYS

    name = text.strip().lower()[:3]
    if name not in WEEKDAYS:
        raise InputError(Problem("--start-weekday", None, "", f"not a weekday: {text!r} (mon, tue, ... sun)"))
    return WEEKDAYS.index(name)  # type: ignore[arg-type]
