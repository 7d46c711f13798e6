"""What ``schedsim check`` reports: findings (rule, severity, message, where, which events, which constraints),
grouped into a report with the rules a protocol disabled, as text or as the JSON contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from schedsim.compile.ir import Origin
from schedsim.language.rules import RULES, SEVERITIES, Severity


@dataclass(frozen=True, slots=True)
class Because:
    """One constraint a finding rests on, and the protocol field that made it."""

    text: str
    origin: Origin

    def to_dict(self) -> dict[str, Any]:
        return {"constraint": self.text, "file": self.origin.file, "line": self.origin.line,
                "field": self.origin.field}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    file: str
    line: int | None
    field: str = ""
    events: tuple[str, ...] = ()
    constraints: tuple[Because, ...] = ()
    severity: Severity = "error"
    subject: str | None = None  # the patient, for deviation findings
    paths: tuple[str, ...] = ()  # a study with arms or decisions: the paths it is found on (empty: every path)

    @classmethod
    def make(cls, rule: str, message: str, origin: Origin, events: Iterable[str] = (),
             constraints: Iterable[Because] = (), subject: str | None = None) -> Finding:
        return cls(rule, message, origin.file, origin.line, origin.field, tuple(events), tuple(constraints),
                   RULES[rule].severity, subject)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule, "severity": self.severity, "message": self.message, "file": self.file,
            "line": self.line, "field": self.field, "events": list(self.events),
            "constraints": [c.to_dict() for c in self.constraints]}
        if self.subject is not None:
            data["patient"] = self.subject
        if self.paths:
            data["paths"] = list(self.paths)
        return data


@dataclass(frozen=True, slots=True)
class Disabled:
    rule: str
    reason: str
    file: str
    line: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "file": self.file, "line": self.line}


@dataclass(frozen=True, repr=False)
class CheckReport:
    """Findings of one or more files, in file, line and rule order; ``print(report)`` shows what ``schedsim check``
    prints, ``repr`` a one-line summary."""

    findings: tuple[Finding, ...] = ()
    disabled: tuple[Disabled, ...] = ()
    checked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    roster: bool = False  # summarise deviations per patient and per visit

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def __repr__(self) -> str:
        files = ", ".join(self.checked) or "nothing"
        return (f"<CheckReport {files}: {self.count('error')} error(s), {self.count('warning')} warning(s), "
                f"{self.count('info')} info; exit code {self.exit_code}>")

    def __str__(self) -> str:
        return self.to_text()

    @property
    def exit_code(self) -> int:
        """1 when any finding is an error, else 0."""
        return 1 if self.count("error") else 0

    def strict(self) -> CheckReport:
        """Warnings become errors (for protocol authors' CI)."""
        return replace(self, findings=tuple(replace(f, severity="error") if f.severity == "warning" else f
                                            for f in self.findings))

    def __add__(self, other: CheckReport) -> CheckReport:
        return CheckReport(self.findings + other.findings, self.disabled + other.disabled,
                           self.checked + other.checked, self.notes + other.notes, self.roster or other.roster)

    def deviations(self) -> dict[str, dict[str, dict[str, int]]]:
        """Deviation counts by rule, per patient and per visit (event id)."""
        by_patient: dict[str, dict[str, int]] = {}
        by_visit: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            if finding.subject is None:
                continue
            counts = by_patient.setdefault(finding.subject, {})
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
            if finding.events:
                visit = by_visit.setdefault(finding.events[0], {})
                visit[finding.rule] = visit.get(finding.rule, 0) + 1
        return {"by_patient": _sorted(by_patient), "by_visit": _sorted(by_visit)}

    def to_json(self) -> str:
        data = {"findings": [finding.to_dict() for finding in self.findings],
                "disabled": [item.to_dict() for item in self.disabled],
                "summary": {severity: self.count(severity) for severity in SEVERITIES},
                "checked": list(self.checked)}
        if self.roster or any(f.subject is not None for f in self.findings):
            data["deviations"] = self.deviations()
        if self.notes:
            data["notes"] = list(self.notes)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def to_text(self, color: bool = False) -> str:
        """Grouped by file, errors first; each finding with the chain of constraints behind it."""
        lines: list[str] = []
        rank = {severity: i for i, severity in enumerate(SEVERITIES)}
        for file in dict.fromkeys([*self.checked, *(f.file for f in self.findings)]):
            mine = sorted((f for f in self.findings if f.file == file),
                          key=lambda f: (rank[f.severity], f.line or 0, f.rule))
            if not mine:
                lines.append(f"{file}: {_paint('clean', 'green', color)}")
                continue
            lines.append(f"{file}:")
            for finding in mine:
                where = f"{file}:{finding.line}" if finding.line is not None else file
                who = f"patient {finding.subject}: " if finding.subject else ""
                who += f"[{'; '.join(finding.paths)}] " if finding.paths else ""
                label = _paint(f"{finding.severity} {finding.rule}", _COLOURS[finding.severity], color)
                lines.append(f"  {where}: {label} {RULES[finding.rule].name}: {who}{finding.message}")
                shown = finding.constraints[:TEXT_CONSTRAINTS] if finding.severity != "info" else ()
                for because in shown:
                    lines.append(f"      {because.text}  [{because.origin}]")
                if len(finding.constraints) > len(shown):
                    more = "more " if shown else ""
                    lines.append(f"      ... {len(finding.constraints) - len(shown)} {more}listed by --format json")
        for item in self.disabled:
            where = f"{item.file}:{item.line}" if item.line is not None else item.file
            lines.append(f"{where}: disabled {item.rule} ({RULES[item.rule].name}): {item.reason}")
        if self.roster:
            lines.extend(self._summary_lines())
        lines.extend(self.notes)
        summary = ", ".join(f"{self.count(s)} {s}{'s' if self.count(s) != 1 and s != 'info' else ''}"
                            for s in SEVERITIES)
        lines.append(summary)
        return "\n".join(lines) + "\n"


    def _summary_lines(self) -> list[str]:
        summary = self.deviations()
        lines = ["deviations per patient:"]
        for title, table in (("patient", summary["by_patient"]), ("visit", summary["by_visit"])):
            if title == "visit":
                lines.append("deviations per visit:")
            if not table:
                lines.append("  none")
            for key, counts in table.items():
                detail = ", ".join(f"{rule} {RULES[rule].name} {n}" for rule, n in counts.items())
                lines.append(f"  {key}: {sum(counts.values())} ({detail})")
        return lines


def _sorted(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {key: dict(sorted(table[key].items())) for key in sorted(table)}


TEXT_CONSTRAINTS = 12  # the text report shows this many constraints of an error or warning (none of an info)
_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_CODES = {"red": "31", "yellow": "33", "cyan": "36", "green": "32"}


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m" if enabled else text
