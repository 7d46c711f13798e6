"""schedsim: clinical-trial treatment protocols as exact timelines.

Typical use::

    from datetime import date
    from schedsim import timeline_for
    schedule = timeline_for("protocols/ppcl-vrd-cart-asct-cart2.yaml", start=date(2027, 1, 4))

Names are imported on first use, so ``import schedsim.errors`` (as the CLI does) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "compile_file": "compiler", "compile_protocol": "compiler",
    "EventRecord": "engine", "plan": "engine", "run_deterministic": "engine",
    "Actuals": "actuals", "load_actuals": "actuals",
    "ClinicDays": "clinic", "load_closures": "clinic",
    "CalendarRow": "patient_calendar", "PatientCalendar": "patient_calendar", "build_calendar": "patient_calendar",
    "calendar_for": "patient_calendar",
    "due": "roster", "load_roster": "roster", "roster_calendars": "roster",
    "render_calendars": "calendar_output",
    "check_file": "check", "check_files": "check", "check_protocol": "check", "run_checks": "check",
    "check_patient": "deviations", "check_patient_file": "deviations", "check_roster": "deviations",
    "CheckReport": "findings", "Finding": "findings", "RULES": "rules",
    "simulate": "simulation", "SimulationResult": "simulation", "SimRecord": "simulation",
    "CircularReferenceError": "errors", "InputError": "errors", "Problem": "errors", "SchedsimError": "errors",
    "UnknownAnchorError": "errors",
    "explain": "explain", "explain_file": "explain",
    "load_protocol": "loader",
    "schedule_to_dict": "render", "to_csv": "render", "to_json": "render", "to_table": "render",
    "Schedule": "schedule", "ScheduledEvent": "schedule", "build_schedule": "schedule", "timeline_for": "schedule",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'schedsim' has no attribute {name!r}")
    return getattr(importlib.import_module(f"schedsim.{module}"), name)
