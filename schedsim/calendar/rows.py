"""One row of a patient's calendar: a visit, dose, procedure or assessment on its scheduled date, with the
export contract's fields (``CALENDAR_FIELDS``, the columns of every calendar CSV, JSON, workbook and DataFrame)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

CALENDAR_FIELDS = ("patient_id", "event_id", "label", "kind", "target_date", "scheduled_date", "window_earliest",
                   "window_latest", "shift_reason", "status", "activities", "assumptions", "study_day", "phase",
                   "cycle", "setting", "tag")
STATUSES = ("done", "missed", "skipped", "overdue", "due", "upcoming", "planned", "past")


@dataclass(frozen=True, slots=True)
class CalendarRow:
    """One visit (or dose, procedure, assessment) of one patient on its scheduled date."""

    patient_id: str
    event_id: str
    label: str
    kind: str
    target_date: date
    scheduled_date: date
    window_earliest: date | None
    window_latest: date | None
    shift_reason: str
    status: str
    activities: tuple[str, ...]
    assumptions: tuple[str, ...]
    phase: str | None
    setting: str | None
    day: int
    flagged: bool
    order: int
    planned_date: date  # where the plan put it before any actual date re-anchored it
    step: str | None = None
    agent: str | None = None
    cycle: int | None = None
    tag: str = ""  # short name on a site's schedule: C3D8 (cycle 3 day 8), D+21 (block day 21)

    def values(self) -> tuple[Any, ...]:
        """The row's ``CALENDAR_FIELDS`` as typed values (dates as dates) for CSV, Excel and DataFrames."""
        return (self.patient_id, self.event_id, self.label, self.kind, self.target_date, self.scheduled_date,
                self.window_earliest, self.window_latest, self.shift_reason, self.status, "; ".join(self.activities),
                " ".join(self.assumptions), self.day, self.phase, self.cycle, self.setting or "clinic", self.tag)

    @property
    def out_of_window(self) -> bool:
        """Scheduled (or done) outside its window, or flagged on a closed day."""
        if self.flagged:
            return True
        if self.window_earliest is None or self.window_latest is None:
            return self.status == "done" and self.scheduled_date != self.target_date
        return not self.window_earliest <= self.scheduled_date <= self.window_latest

    def to_dict(self) -> dict[str, Any]:
        """The export contract: exactly ``CALENDAR_FIELDS``, dates ISO 8601, lists as lists."""
        return {
            "patient_id": self.patient_id, "event_id": self.event_id, "label": self.label, "kind": self.kind,
            "target_date": self.target_date.isoformat(), "scheduled_date": self.scheduled_date.isoformat(),
            "window_earliest": _iso(self.window_earliest), "window_latest": _iso(self.window_latest),
            "shift_reason": self.shift_reason, "status": self.status, "activities": list(self.activities),
            "assumptions": list(self.assumptions), "study_day": self.day, "phase": self.phase, "cycle": self.cycle,
            "setting": self.setting or "clinic", "tag": self.tag,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
