"""The protocol language as pydantic models (unknown fields are rejected everywhere)."""

from schedsim.model.library import Agent, Block, CycleVisit, Library, Regimen, Step
from schedsim.model.protocol import (
    WEEKDAYS,
    Assessment,
    Checks,
    Clinic,
    Conventions,
    CyclesPhase,
    Outcome,
    Phase,
    ProcedurePhase,
    Protocol,
    SourceRecord,
    TimePoint,
    TimingConstraint,
)

__all__ = [
    "WEEKDAYS", "Agent", "Assessment", "Block", "Clinic",
    "Conventions", "CycleVisit", "CyclesPhase", "Library", "Outcome", "Phase",
    "ProcedurePhase", "Protocol", "Regimen", "SourceRecord", "Step", "TimePoint", "TimingConstraint", "Checks",
]
