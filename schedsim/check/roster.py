"""Every patient of a roster checked against the protocol on the patient's arm and branches, with the deviations
summarised per patient and per visit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from schedsim.calendar.roster import RosterEntry, load_roster
from schedsim.check.deviations import check_patient_file
from schedsim.check.findings import CheckReport
from schedsim.compile.paths import patient_path
from schedsim.errors import InputError
from schedsim.inputs import as_date
from schedsim.language.loader import load_protocol

_COLUMNS = {"--arm": "arm", "--branch": "branches"}


def check_roster(path: str | Path, *, today: date | str | None = None) -> CheckReport:
    """Every roster patient that has an actuals file; the others are listed as not checked."""
    today = as_date(today, "today")
    entries, problems = load_roster(path)
    report = CheckReport()
    unchecked = []
    for entry in entries:  # every row's problems are collected, then reported together
        try:
            entry.contained()
            for file, what in ((entry.protocol, "protocol"), (entry.actuals, "actuals")):
                if file is not None and not file.is_file():
                    raise InputError(entry.problem(what, f"{what} file not found: {file}"))
            if entry.actuals is None:
                _path(entry)  # no dates to check, but the row's arm and branches must fit its protocol
                unchecked.append(entry.patient_id)
                continue
            report = report + _patient(entry, today)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file != str(path), p.line or 0)))
    notes = (f"not checked (no actuals file): {', '.join(unchecked)}",) if unchecked else ()
    return CheckReport(report.findings, (), report.checked, notes, roster=True)


def _path(entry: RosterEntry) -> None:
    with _at_row(entry):
        patient_path(load_protocol(entry.protocol), entry.arm, dict(entry.branches) or None)


def _patient(entry: RosterEntry, today: date | None) -> CheckReport:
    assert entry.actuals is not None
    with _at_row(entry):
        return check_patient_file(entry.protocol, entry.actuals, start=entry.start, today=today,
                                  patient_id=entry.patient_id, arm=entry.arm, branches=dict(entry.branches) or None)


@contextmanager
def _at_row(entry: RosterEntry) -> Iterator[None]:
    """The row's arm or branches do not fit its protocol: said at the row's line and column."""
    try:
        yield
    except InputError as error:
        if all(problem.file in _COLUMNS for problem in error.problems):
            raise InputError([entry.problem(_COLUMNS[p.file], p.message) for p in error.problems]) from None
        raise
