"""Reading small user files (actuals, rosters, closures): errors name the file, and CSV rows keep their lines."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from schedsim.errors import InputError, Problem

#: Characters no text in a protocol, roster or actuals file may hold: controls (a terminal would obey them), the
#: line and paragraph separators, and the bidirectional overrides that make text read other than it is.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def unsafe_character(text: str) -> str | None:
    """The first character of ``text`` that no user text may hold, as ``U+001B``; None when there is none."""
    found = UNSAFE_TEXT.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def csv_rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of ``text`` with the line each starts on; ``InputError`` for text that is not CSV."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = []
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                bad = next((c for c in map(unsafe_character, row) if c), None) or next(
                    (f"U+{ord(ch):04X}" for cell in row for ch in cell if ch in "\r\n"), None)  # no line in a cell
                if bad:
                    raise InputError(Problem(name, previous + 1, "", f"the row holds control character {bad}: remove "
                                                                    "it"))
                rows.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as error:
        raise InputError(Problem(name, reader.line_num or None, "", f"not valid CSV: {error}")) from None
    return rows


#: The largest file of each kind the tool reads, in bytes: far above any real one, far below what hurts a machine.
LIMITS = {"protocol": 4_000_000, "library": 4_000_000, "scenario": 1_000_000, "record": 4_000_000,
          "actuals": 16_000_000, "roster": 16_000_000, "closures": 4_000_000}
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


#: The files this run has read (``track_reads``), so that no output overwrites one of them.
_READ: ContextVar[set[Path] | None] = ContextVar("schedsim_files_read", default=None)


_WRITTEN: ContextVar[set[Path] | None] = ContextVar("schedsim_files_written", default=None)


@contextmanager
def track_reads() -> Iterator[set[Path]]:
    """Within the block, every file ``read_input`` reads and every output written is recorded (what the command line
    does per command): no output replaces an input, or another output, of the same run."""
    token = _READ.set(set())
    written = _WRITTEN.set(set())
    try:
        yield _READ.get()  # type: ignore[misc]
    finally:
        _READ.reset(token)
        _WRITTEN.reset(written)


def files_written() -> frozenset[Path]:
    """The outputs written so far in a ``track_reads`` block (resolved paths)."""
    return frozenset(_WRITTEN.get() or ())


def note_written(path: Path) -> None:
    written = _WRITTEN.get()
    if written is not None:
        written.add(path.resolve())


def files_read() -> frozenset[Path]:
    """The files read so far in a ``track_reads`` block (resolved paths); empty outside one."""
    return frozenset(_READ.get() or ())


def read_input(path: str | Path, what: str, name: str | None = None, limit: int | None = None) -> str:
    """The text of a user's ``what`` file (``"roster"``, ``"protocol"``): a regular file of at most ``limit`` bytes
    (``LIMITS[what]`` by default) of UTF-8 text. ``InputError`` when it is missing, not a regular file (a folder, a
    pipe, a device: never read, so never a hang), too large, or not text; the message never quotes the file."""
    name = name or str(path)
    limit = limit or LIMITS.get(what, 4_000_000)
    label = f"{what} file" if what else "file"
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens without waiting
    except FileNotFoundError:
        raise InputError(Problem(name, None, "", f"{label} not found")) from None
    except IsADirectoryError:
        raise InputError(Problem(name, None, "", f"is a folder, not a {label}")) from None
    except (OSError, ValueError) as error:  # permissions, a symlink loop, a name too long, a NUL byte in it
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError(Problem(name, None, "", f"cannot read {label}: {reason}")) from None
    try:
        mode = os.fstat(handle).st_mode
        kind = next((text for test, text in _KINDS if test(mode)), None)
        if kind is not None:
            raise InputError(Problem(name, None, "", f"is {kind}, not a {label}"))
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(handle)
    read = _READ.get()
    if read is not None:
        read.add(Path(path).resolve())
    if len(data) > limit:
        raise InputError(Problem(name, None, "", f"the {label} is larger than {limit:,} bytes"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(Problem(name, None, "", f"not UTF-8 text (byte {error.start} cannot be read)")) from None


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


#: Dates a trial can have: a patient's plan runs decades at most, and the calendar's edges (year 1, year 9999)
#: are never reached by adding years to a start.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def date_problem(day: date) -> str | None:
    """Why ``day`` is no date for a trial (outside ``EARLIEST``..``LATEST``); None when it is fine."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside {EARLIEST.year}-{LATEST.year}, the years a trial's dates can have"


def as_date(value: date | str | None, name: str = "date") -> date | None:
    """A date given as a ``date`` (or ``datetime``, pandas ``Timestamp``) or an ISO string such as "2027-01-04";
    ``InputError`` naming ``name`` otherwise. ``None`` stays ``None``.

    >>> as_date("2027-01-04", "start")
    datetime.date(2027, 1, 4)
    """
    if value is None:
        return None
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is None:
        raise InputError(Problem(name, None, "", f"not a date: {value!r} (a datetime.date or 'YYYY-MM-DD')"))
    problem = date_problem(day)
    if problem:
        raise InputError(Problem(name, None, "", problem))
    return day


#: Folders the user allowed files to be read from beyond the usual ones (``--allow-path``), for this run.
_ALLOWED: ContextVar[tuple[Path, ...]] = ContextVar("schedsim_allowed_paths", default=())


@contextmanager
def allow_paths(folders: Iterable[str | Path]) -> Iterator[None]:
    """Within the block, files under ``folders`` may be named by includes, rosters and protocols too (what the
    command line's ``--allow-path DIR`` does)."""
    token = _ALLOWED.set((*_ALLOWED.get(), *(Path(f).resolve() for f in folders)))
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def within(target: Path, folder: Path, also: Iterable[Path] = ()) -> bool:
    """Whether a file named by a file in ``folder`` may be read: ``target`` (symbolic links followed) lies inside
    that folder's tree, the working folder's, one of ``also`` (the library search path) or a folder allowed by
    ``allow_paths`` — so a protocol, roster or library cannot reach ``/etc/shadow`` or ``../../..``."""
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: nothing to read
        return False
    roots = [folder.resolve(), Path.cwd().resolve(), *(Path(a).resolve() for a in also), *_ALLOWED.get()]
    return any(resolved.is_relative_to(root) for root in roots)


def outside_message(entry: str, what: str) -> str:
    return (f"{what} {entry!r} is outside the folder of the file that names it, the working folder and the library "
            f"path: move it inside, or allow its folder with --allow-path DIR")
