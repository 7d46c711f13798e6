"""``schedsim check``: a protocol linter with proofs.

A protocol is compiled (problems the compiler finds that carry a rule id — unknown anchors, loops, duplicate ids,
days outside a cycle — become findings instead of bad input), its timing becomes a simple temporal network with
the rules' links, every conflict is reported with the chain of protocol fields behind it, and the structural rules
run on the planned days. Rules a protocol disables (with a reason) are left out and listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

from schedsim.calendar.clinic import ClinicDays
from schedsim.check.calendars import closed_days, open_ended, partial_cycles, window_bounds
from schedsim.check.design import branch_order
from schedsim.check.findings import Because, CheckReport, Disabled, Finding
from schedsim.check.links import rule_links
from schedsim.check.network import broken_by_plan, find_conflicts, placement_links, planned_times
from schedsim.check.structure import RULE_FUNCTIONS, plan_breaks
from schedsim.compile.compiler import compile_protocol
from schedsim.compile.ir import Origin, Timeline
from schedsim.compile.paths import PathChoice, all_paths
from schedsim.errors import InputError, Problem
from schedsim.inputs import as_date
from schedsim.language.loader import LoadedProtocol, load_protocol
from schedsim.language.rules import RULES


def run_checks(files: Iterable[str | Path], *, actuals: str | Path | None = None, roster: str | Path | None = None,
               start: date | None = None, today: date | None = None, patient_id: str = "patient",
               start_weekday: int | str | None = None, strict: bool = False, arm: str | None = None,
               branches: Mapping[str, str] | None = None, clinic: ClinicDays | None = None) -> CheckReport:
    """What ``schedsim check`` does: protocol files; or one protocol and a patient's ``actuals``; or a ``roster``.

    A study with arms or decisions is checked on every path (only those of ``arm`` and ``branches`` when given; a
    patient's actuals on the patient's arm and branches). ``strict`` turns warnings into errors. ``InputError`` for
    bad input (no protocol, two protocols with actuals).
    """
    files = list(files)
    if roster is not None:
        from schedsim.check.roster import check_roster

        if files or arm is not None or branches:
            raise InputError(Problem(str(files[0]) if files else "--arm", None, "",
                                     "give protocol files or --roster, not both (a roster's rows name their arms)"))
        report = check_roster(roster, today=today)
    elif actuals is not None:
        from schedsim.check.deviations import check_patient_file

        if len(files) != 1:
            raise InputError(Problem("--actuals", None, "", "give exactly one protocol file with --actuals"))
        report = check_patient_file(files[0], actuals, start=start, today=today, patient_id=patient_id, arm=arm,
                                    branches=branches)
    else:
        if not files:
            raise InputError(Problem("check", None, "", "give one or more protocol files (or --roster)"))
        report = check_files(files, start_weekday=start_weekday, start=start, arm=arm, branches=branches, clinic=clinic)
    return report.strict() if strict else report


def check_file(path: str | Path, *, start_weekday: int | str | None = None, start: date | str | None = None,
               arm: str | None = None, branches: Mapping[str, str] | None = None,
               clinic: ClinicDays | None = None) -> CheckReport:
    """Check one protocol file. ``InputError`` for bad input that no rule covers (malformed YAML, unknown fields).

    ``start_weekday`` (0 = Monday) overrides the protocol's ``clinic.start_weekday`` for the closed-day rules, and
    ``start`` (a patient's study day 1) gives them a real date; ``clinic`` says which days the clinic is open (its
    holidays and closures count only with a real ``start``).

    >>> report = check_file("protocols/ppcl-vrd-cart-asct-cart2.yaml", start="2027-01-04")
    >>> report.exit_code, sorted({finding.rule for finding in report.findings})
    (0, ['SCH206', 'SCH209', 'SCH301', 'SCH302', 'SCH303', 'SCH304'])
    """
    try:
        loaded = load_protocol(path)
    except InputError as error:
        return _as_findings(error, str(path))
    return check_protocol(loaded, start_weekday=start_weekday, start=start, arm=arm, branches=branches, clinic=clinic)


def check_files(paths: Iterable[str | Path], *, start_weekday: int | str | None = None, start: date | str | None = None,
                arm: str | None = None, branches: Mapping[str, str] | None = None,
                clinic: ClinicDays | None = None) -> CheckReport:
    """Check several files; ``InputError`` lists the bad input of all of them (checked files are not reported)."""
    report = CheckReport()
    problems: list[Problem] = []
    for path in paths:
        try:
            report = report + check_file(path, start_weekday=start_weekday, start=start, arm=arm, branches=branches,
                                         clinic=clinic)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return report


def check_protocol(loaded: LoadedProtocol, *, start_weekday: int | str | None = None, start: date | str | None = None,
                   arm: str | None = None, branches: Mapping[str, str] | None = None,
                   clinic: ClinicDays | None = None) -> CheckReport:
    """Every enabled rule on a loaded protocol, on each path of its arms and decisions: a finding on some paths only
    names them (``paths``), one on every path does not."""
    start, start_weekday = as_date(start, "start"), weekday_number(start_weekday)
    file = loaded.doc.file
    paths = all_paths(loaded, arm, branches)
    disable = loaded.protocol.checks.disable
    disabled = tuple(Disabled(rule, reason, file, loaded.doc.line(("checks", "disable", rule)))
                     for rule, reason in disable.items())
    found: dict[Finding, list[PathChoice]] = {}
    for path in paths:
        try:
            timeline = compile_protocol(loaded, path)
        except InputError as error:
            report = _as_findings(error, file)
            for finding in report.findings:
                found.setdefault(finding, []).append(path)
            continue
        for finding in _findings(loaded, timeline, start_weekday, start, set(disable), clinic):
            if finding.rule not in disable:
                found.setdefault(finding, []).append(path)
    findings = [replace(f, paths=_named(on, paths)) for f, on in found.items()]
    findings.sort(key=lambda f: (f.file, f.line or 0, f.rule, f.message, f.paths))
    return CheckReport(tuple(findings), disabled, (file,))


def weekday_number(value: int | str | None) -> int | None:
    """A weekday as 0 (Monday) to 6, from that number or a name ("wed", "Wednesday"); ``InputError`` otherwise."""
    if value is None:
        return None
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if isinstance(value, str) and value.strip().lower()[:3] in names:
        return names.index(value.strip().lower()[:3])
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    raise InputError(Problem("start_weekday", None, "", f"not a weekday: {value!r} (0-6, or mon, tue, ... sun)"))


def _named(on: list[PathChoice], paths: list[PathChoice]) -> tuple[str, ...]:
    """The paths a finding is on, briefly: none when it is on every path, ``arm b`` for all of an arm's paths."""
    if len(on) == len(paths):
        return ()
    names: list[str] = []
    for arm in dict.fromkeys(p.arm for p in paths):
        mine = [p for p in on if p.arm == arm]
        if arm is not None and mine and len(mine) == sum(1 for p in paths if p.arm == arm):
            names.append(f"arm {arm}")
        else:
            names.extend(p.label for p in mine)
    return tuple(names)


def _findings(loaded: LoadedProtocol, timeline: Timeline, start_weekday: int | None, start: date | None,
              disabled: set[str], clinic: ClinicDays | None = None) -> list[Finding]:
    times = planned_times(timeline)
    landmarks = {phase.reference for phase in timeline.phases if phase.reference}
    conflicts, holding = find_conflicts(placement_links(timeline), rule_links(timeline, times, disabled), times,
                                        landmarks)
    findings = [Finding.make(c.rule, c.message, c.origin, c.events,
                             [Because(link.text, link.origin) for link in c.links]) for c in conflicts]
    findings.extend(plan_breaks(broken_by_plan(holding, times)))
    context = (loaded, timeline, times)
    for rule in (*RULE_FUNCTIONS, window_bounds, partial_cycles, open_ended, branch_order):
        findings.extend(rule(context))
    findings.extend(closed_days(context, start_weekday, start, clinic))
    return findings


def _as_findings(error: InputError, file: str) -> CheckReport:
    """Compile problems that name a rule become findings; any other problem is bad input (re-raised)."""
    if not all(problem.rule in RULES for problem in error.problems):
        raise error
    findings = tuple(Finding.make(p.rule, p.message, Origin(p.file, p.line, p.field))  # type: ignore[arg-type]
                     for p in error.problems)
    return CheckReport(findings, (), (file,))
