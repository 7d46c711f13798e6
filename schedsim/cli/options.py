"""What every command shares: option types, date parsing, writing to a file or stdout, and turning bad
input into messages and exit code 2. Command modules import from here and from no other command module."""

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
    from schedsim.calendar.clinic import ClinicDays

T = TypeVar("T")


class TextFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def guard(action: Callable[[], T]) -> T:
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


def date_option(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from schedsim.engine.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise InputError(Problem(option, None, "", str(error))) from None


def emit(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.flush()
        else:
            sys.stdout.write(text)
    else:
        from schedsim.fileio import write_atomic

        write_atomic(output, text)


def report_problems(problems: tuple[Problem, ...]) -> None:
    """Rows skipped with --keep-going: reported, and exit code 2 after the good output is written."""
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        typer.echo(f"error: {len(problems)} problem(s); the output holds every other patient", err=True)
        raise typer.Exit(2)


def path_choice(arm: str | None, branch: list[str] | None) -> dict[str, object]:
    """``--arm`` and ``--branch decision=branch`` (repeated) as keyword arguments of the library functions."""
    branches: dict[str, str] = {}
    for text in branch or ():
        decision, sep, chosen = text.partition("=")
        if not sep or not decision.strip() or not chosen.strip():
            hint = f" ({text.replace('.', '=', 1)})" if "." in text and "=" not in text else ""
            raise InputError(Problem("--branch", None, "", f"expected decision=branch{hint}, got {text!r}"))
        decision, chosen = decision.strip(), chosen.strip()
        if branches.get(decision, chosen) != chosen:
            raise InputError(Problem("--branch", None, "", f"decision {decision!r} is given two branches "
                                                           f"({branches[decision]} and {chosen})"))
        branches[decision] = chosen
    return {"arm": arm, "branches": branches or None}


def site_days(country: str | None, subdivision: str | None = None, closures: Path | None = None,
              open_days: str | None = None) -> ClinicDays:
    """The site's clinic days from the command-line options (imported here: only calendars need them)."""
    from schedsim.calendar.clinic import site_days as make

    return make(country, subdivision, closures, open_days)


StartOption = Annotated[str | None, typer.Option("--start", help="date of study day 1 (YYYY-MM-DD)")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file instead of stdout")]
TodayOption = Annotated[str | None, typer.Option("--today", help="status date: done, missed, overdue, due, upcoming")]
CountryOption = Annotated[str | None, typer.Option("--country", help="public holidays of this country (ISO code)")]
SubdivisionOption = Annotated[str | None, typer.Option("--subdivision", help="state or province, e.g. MA")]
ClosuresOption = Annotated[Path | None, typer.Option("--closures", help="file of closure dates: date[,reason]")]
OpenDaysOption = Annotated[str | None, typer.Option("--open-days", help="clinic weekdays, e.g. mon-fri (default: "
                                                                         "the protocol's)")]
KeepGoingOption = Annotated[bool, typer.Option("--keep-going", help="report bad roster rows, keep the other patients")]
ImageOption = Annotated[Path, typer.Option("--output", "-o", help="image file: .png, .svg or .pdf")]
FromOption = Annotated[str | None, typer.Option("--from", help="zoom: first study day (63) or date")]
ToOption = Annotated[str | None, typer.Option("--to", help="zoom: last study day or date")]
ArmOption = Annotated[str | None, typer.Option("--arm", help="the arm to follow (default: the first arm)")]
PatientArmOption = Annotated[str | None, typer.Option(
    "--arm", help="the patient's arm (required when the protocol has arms)")]
BranchOption = Annotated[list[str] | None, typer.Option(
    "--branch", help="decision=branch, the branch to follow (repeat for several decisions; default: each "
                     "decision's default branch)")]
HomeDosesOption = Annotated[bool, typer.Option(
    help="list drugs taken at home one per day (default: summarised on the visit that dispenses them)")]
