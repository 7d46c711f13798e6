"""What ``schedsim check`` reports: findings (rule, severity, message, where, which events, which constraints),
grouped into a report with the rules a protocol disabled, as text or as the JSON contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from schedsim.ir import Origin
from schedsim.rules import RULES, SEVERITIES, Severity


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
        return data


@dataclass(frozen=True, slots=True)
class Disabled:
    rule: str
    reason: str
    file: str
    line: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "file": self.file, "line": self.line}


@dataclass(frozen=True)
class CheckReport:
    """Findings of one or more files, in file, line and rule order."""

    findings: tuple[Finding, ...] = ()
    disabled: tuple[Disabled, ...] = ()
    checked: tuple[str, ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

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
                           self.checked + other.checked)

    def to_json(self) -> str:
        data = {"findings": [finding.to_dict() for finding in self.findings],
                "disabled": [item.to_dict() for item in self.disabled],
                "summary": {severity: self.count(severity) for severity in SEVERITIES},
                "checked": list(self.checked)}
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
                label = _paint(f"{finding.severity} {finding.rule}", _COLOURS[finding.severity], color)
                lines.append(f"  {where}: {label} {RULES[finding.rule].name}: {who}{finding.message}")
                for because in finding.constraints:
                    lines.append(f"      {because.text}  [{because.origin}]")
        for item in self.disabled:
            where = f"{item.file}:{item.line}" if item.line is not None else item.file
            lines.append(f"{where}: disabled {item.rule} ({RULES[item.rule].name}): {item.reason}")
        summary = ", ".join(f"{self.count(s)} {s}{'s' if self.count(s) != 1 and s != 'info' else ''}"
                            for s in SEVERITIES)
        lines.append(summary)
        return "\n".join(lines) + "\n"


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_CODES = {"red": "31", "yellow": "33", "cyan": "36", "green": "32"}


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m" if enabled else text
