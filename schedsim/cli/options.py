"""What every command shares: option types, date parsing, writing to a file or stdout, and turning bad
input into messages and exit code 2. Command modules import from here and from no other command module."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from schedsim.errors import InputError, Problem, SchedsimError

if TYPE_CHECKING:
    from schedsim.calendar.clinic import ClinicDays

T = TypeVar("T")


class TextFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


#: Output extensions and the format each names, by command kind (``-o`` decides when ``--format`` is not given).
TEXT_SUFFIXES = {".txt": "table", ".json": "json", ".csv": "csv"}
TIMELINE_SUFFIXES = {**TEXT_SUFFIXES, ".xlsx": "xlsx"}
REPORT_SUFFIXES = {".txt": "text", ".json": "json"}


def pick_format(given: StrEnum | None, output: Path | None, suffixes: dict[str, str], default: str) -> str:
    """``--format`` when given, else the format ``-o``'s extension names, else ``default``; an unknown extension or
    one that contradicts ``--format`` is bad input (exit 2, the known extensions listed)."""
    from schedsim.fileio import format_for

    return format_for(output, None if given is None else given.value, suffixes, default)


def with_bom(text: str | bytes, fmt: str, bom: bool) -> str | bytes:
    """CSV text with a UTF-8 byte-order mark when ``--bom`` asks for one (Excel on Windows then reads UTF-8)."""
    if not bom:
        return text
    if fmt != "csv" or not isinstance(text, str):
        raise InputError(Problem("--bom", None, "", f"a byte-order mark is for CSV files, not {fmt}"))
    from schedsim.tabular import BOM

    return BOM + text


#: What help shows after an option or argument, by name (else by kind: FILE, N, NUMBER, TEXT; nothing for a flag).
METAVARS = {
    "start": "DATE", "today": "DATE", "first": "DATE", "last": "DATE", "week": "YYYY-Www", "arm": "ARM",
    "branch": "DECISION=BRANCH", "country": "CC", "subdivision": "CODE", "open_days": "DAYS", "patient": "ID",
    "start_weekday": "WEEKDAY", "true_dlt": "P1,P2,...", "ei": "LOW,HIGH", "library": "FOLDER", "event_id": "EVENT",
    "roster": "ROSTER", "record": "RECORD", "target": "RATE", "safety": "PROBABILITY", "rate": "PER_MONTH",
    "output": "FILE|DIR", "gantt": "FILE",
}


def _metavar(param: Any) -> str | None:
    if getattr(param, "is_flag", False):
        return ""  # a flag takes no value: nothing to show
    kind = _kind(param)
    if kind == "choice":
        return None  # help lists the choices
    name = METAVARS.get(param.name or "") or {"path": "FILE", "int": "N", "float": "NUMBER"}.get(kind, "TEXT")
    if getattr(param, "param_type_name", "") == "argument":
        return name  # help adds "..." to an argument that takes several
    return f"{name}..." if param.multiple or param.nargs == -1 else name


def _kind(param: Any) -> str:
    """choice, path, int, float or str: from typer's own type description, or click's parameter type."""
    described = getattr(param, "type_descriptor", None)
    if described is not None:
        if described.is_choice:
            return "choice"
        annotation = described.annotation
        inner = getattr(annotation, "__args__", (annotation,))[0] if described.is_list else annotation
        return {Path: "path", int: "int", float: "float"}.get(inner, "str")
    name = param.type.name
    return {"integer": "int", "text": "str"}.get(name, name)


class _ReadableHelp:
    """Help that names what each option takes (DATE, FILE, ARM) instead of Python types, and nothing after flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.metavar is None:
                param.metavar = _metavar(param)
            if getattr(param, "param_type_name", "") == "argument":
                param.display_type_rich = _no_type  # the name says it (FILE): no Python type beside it
        return params

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except Exception as error:  # a usage error: said without the type checker's prefix ("Value error, ...")
            message = getattr(error, "message", None)
            if isinstance(message, str):
                error.message = message.replace("Value error, ", "")  # type: ignore[attr-defined]
            raise


def _no_type(ctx: Any) -> None:
    return None


class Command(_ReadableHelp, TyperCommand):
    pass


class Group(_ReadableHelp, TyperGroup):
    pass


def guard(action: Callable[[], T]) -> T:
    """Run ``action``; turn bad input into messages on stderr and exit code 2 (never a traceback). The files it reads
    are tracked, so that no output of the run overwrites one of them."""
    from schedsim.inputs import track_reads

    try:
        with track_reads():
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
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", help="write to this file instead of stdout (its extension names the format)")]
TodayOption = Annotated[str | None, typer.Option("--today", help="status date: done, missed, overdue, due, upcoming")]
CountryOption = Annotated[str | None, typer.Option("--country", help="public holidays of this country (ISO code)")]
SubdivisionOption = Annotated[str | None, typer.Option("--subdivision", help="state or province, e.g. MA")]
ClosuresOption = Annotated[Path | None, typer.Option("--closures", help="file of closure dates: date[,reason]")]
OpenDaysOption = Annotated[str | None, typer.Option("--open-days", help="clinic weekdays, e.g. mon-fri (default: "
                                                                         "the protocol's)")]
BomOption = Annotated[bool, typer.Option("--bom", help="CSV: start with a UTF-8 byte-order mark, for Excel on "
                                                       "Windows")]
KeepGoingOption = Annotated[bool, typer.Option("--keep-going", help="report bad roster rows, keep the other patients")]
ImageOption = Annotated[Path, typer.Option("--output", "-o", help="image file: .png, .svg or .pdf")]
FromOption = Annotated[str | None, typer.Option("--from", metavar="DAY|DATE",
                                               help="zoom: first study day (63) or date")]
ToOption = Annotated[str | None, typer.Option("--to", metavar="DAY|DATE", help="zoom: last study day or date")]
ArmOption = Annotated[str | None, typer.Option("--arm", help="the arm to follow (default: the first arm)")]
PatientArmOption = Annotated[str | None, typer.Option(
    "--arm", help="the patient's arm (required when the protocol has arms)")]
BranchOption = Annotated[list[str] | None, typer.Option(
    "--branch", help="decision=branch, the branch to follow (repeat for several decisions; default: each "
                     "decision's default branch)")]
HomeDosesOption = Annotated[bool, typer.Option(
    help="list drugs taken at home one per day (default: summarised on the visit that dispenses them)")]
