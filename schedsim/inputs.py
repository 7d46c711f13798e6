"""Reading small user files (actuals, rosters, closures): errors name the file, and CSV rows keep their lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from schedsim.errors import InputError, Problem


def csv_rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of ``text`` with the line each starts on; ``InputError`` for text that is not CSV."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = []
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as error:
        raise InputError(Problem(name, reader.line_num or None, "", f"not valid CSV: {error}")) from None
    return rows


def read_input(path: str | Path, what: str, name: str | None = None) -> str:
    """The text of a user's ``what`` file (``"roster"``); ``InputError`` when it is missing or unreadable."""
    name = name or str(path)
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(Problem(name, None, "", f"{what} file not found")) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(Problem(name, None, "", f"cannot read {what} file: {error}")) from None


def csv_records(rows: list[tuple[int, list[str]]], columns: list[str], name: str,
                problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows after the header as ``column → stripped cell`` (missing cells empty); ``#`` lines are comments.

    A row with more fields than the header is recorded in ``problems`` and skipped.
    """
    for number, row in rows[1:]:
        if row[0].lstrip().startswith("#"):
            continue
        if len(row) > len(columns):
            problems.append(Problem(name, number, "", f"{len(row)} fields, the header has {len(columns)}"))
            continue
        yield number, dict(zip(columns, [c.strip() for c in row] + [""] * (len(columns) - len(row)), strict=True))


def as_date(value: date | str | None, name: str = "date") -> date | None:
    """A date given as a ``date`` (or ``datetime``, pandas ``Timestamp``) or an ISO string such as "2027-01-04";
    ``InputError`` naming ``name`` otherwise. ``None`` stays ``None``.

    >>> as_date("2027-01-04", "start")
    datetime.date(2027, 1, 4)
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(Problem(name, None, "", f"not a date: {value!r} (a datetime.date or 'YYYY-MM-DD')"))
