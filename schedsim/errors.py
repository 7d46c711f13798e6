"""The one exception hierarchy of schedsim.

``SchedsimError`` is the root. ``InputError`` means the user's input is wrong (exit code 2): it carries one
or more ``Problem`` entries, each naming the file, line and field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as it can be."""

    file: str
    line: int | None
    field: str
    message: str
    rule: str | None = None  # the check rule (``SCH103``) when ``schedsim check`` reports it as a finding

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SchedsimError(Exception):
    """Root of every error schedsim raises on purpose."""


class InputError(SchedsimError):
    """Bad input: malformed YAML, unknown fields, impossible values, unresolved anchors."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownAnchorError(InputError):
    """An anchor names an event that the protocol does not define."""


class CircularReferenceError(InputError):
    """Anchors refer to each other in a loop; the message names the whole chain."""
