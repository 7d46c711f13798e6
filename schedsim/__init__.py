"""schedsim: clinical-trial treatment protocols as exact timelines.

Typical use::

    from datetime import date
    from schedsim import timeline_for
    schedule = timeline_for("protocols/ppcl-vrd-cart-asct-cart2.yaml", start=date(2027, 1, 4))

The package is the pipeline, one subpackage per stage (see each one's docstring and the import-linter contracts in
pyproject.toml): ``language`` → ``compile`` → ``engine`` → ``calendar`` / ``simulation`` / ``escalation`` /
``importer`` → ``check`` / ``standards`` → ``plots`` → ``cli``; ``errors``, ``fileio``, ``inputs`` and ``version``
are shared.

The names below are imported on first use, so ``import schedsim.errors`` (as the CLI does) stays cheap. No public
name is also the name of a subpackage or module, so ``schedsim.explain`` is always the function.
"""

from __future__ import annotations

import importlib
from typing import Any

from schedsim.version import __version__ as __version__

_MODULES: dict[str, tuple[str, ...]] = {
    "errors": ("CircularReferenceError", "InputError", "Problem", "SchedsimError", "UnknownAnchorError"),
    "language.loader": ("load_protocol",),
    "language.rules": ("RULES",),
    "compile.compiler": ("compile_file", "compile_protocol"),
    "engine.subject": ("EventRecord", "plan", "run_deterministic"),
    "engine.schedule": ("Schedule", "ScheduledEvent", "build_schedule", "timeline_for"),
    "engine.render": ("schedule_to_dict", "to_csv", "to_json", "to_table"),
    "engine.explain": ("explain", "explain_file"),
    "calendar.actuals": ("Actuals", "load_actuals"),
    "calendar.clinic": ("ClinicDays", "load_closures"),
    "calendar.patient": ("CalendarRow", "PatientCalendar", "build_calendar", "calendar_for"),
    "calendar.roster": ("due", "load_roster", "roster_calendars"),
    "calendar.output": ("render_calendars",),
    "check.checker": ("check_file", "check_files", "check_protocol", "run_checks"),
    "check.deviations": ("check_patient", "check_patient_file"),
    "check.roster": ("check_roster",),
    "check.findings": ("CheckReport", "Finding"),
    "simulation.run": ("simulate", "SimulationResult", "SimRecord"),
    "standards.soa.model": ("SoA", "soa_for"),
    "standards.soa.output": ("render_soa",),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}
_STAGES = ("language", "compile", "engine", "calendar", "check", "simulation", "escalation", "importer", "standards",
           "plots", "cli")

__all__ = sorted(_EXPORTS)


def __dir__() -> list[str]:
    """The public names, the stage packages and ``__version__``: what tab completion and ``dir(schedsim)`` show."""
    return sorted({*__all__, *_STAGES, "__version__"})


def __getattr__(name: str) -> Any:
    if name in _STAGES:  # ``schedsim.plots.protocol_gantt`` after a plain ``import schedsim``
        return importlib.import_module(f"schedsim.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'schedsim' has no attribute {name!r}")
    return getattr(importlib.import_module(f"schedsim.{module}"), name)
