"""Every patient of a roster checked against the protocol on the patient's arm and branches, with the deviations
summarised per patient and per visit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schedsim.calendar.roster import RosterEntry, load_roster
from schedsim.check.deviations import check_patient_file
from schedsim.check.findings import CheckReport
from schedsim.errors import InputError

_COLUMNS = {"--arm": "arm", "--branch": "branches"}


def check_roster(path: str | Path, *, today: date | None = None) -> CheckReport:
    """Every roster patient that has an actuals file; the others are listed as not checked."""
    entries, problems = load_roster(path)
    if problems:
        raise InputError(problems)
    report = CheckReport()
    unchecked = []
    for entry in entries:
        if entry.actuals is None:
            unchecked.append(entry.patient_id)
            continue
        for file, what in ((entry.protocol, "protocol"), (entry.actuals, "actuals")):
            if not file.is_file():
                raise InputError(entry.problem(what, f"{what} file not found: {file}"))
        report = report + _patient(entry, today)
    notes = (f"not checked (no actuals file): {', '.join(unchecked)}",) if unchecked else ()
    return CheckReport(report.findings, (), report.checked, notes, roster=True)


def _patient(entry: RosterEntry, today: date | None) -> CheckReport:
    assert entry.actuals is not None
    try:
        return check_patient_file(entry.protocol, entry.actuals, start=entry.start, today=today,
                                  patient_id=entry.patient_id, arm=entry.arm, branches=dict(entry.branches) or None)
    except InputError as error:  # the row's arm or branches do not fit its protocol: said at the row
        if all(problem.file in _COLUMNS for problem in error.problems):
            raise InputError([entry.problem(_COLUMNS[p.file], p.message) for p in error.problems]) from None
        raise
