"""The protocol language as pydantic models (unknown fields are rejected everywhere)."""

from schedsim.language.model.library import Agent, Block, CycleVisit, Library, Regimen, Step
from schedsim.language.model.protocol import (
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
from schedsim.language.model.scenario import DistributionSpec, Scenario

__all__ = [
    "Agent", "Assessment", "Block", "Checks", "Clinic", "Conventions", "CycleVisit", "CyclesPhase",
    "DistributionSpec", "Library", "Outcome", "Phase", "ProcedurePhase", "Protocol", "Regimen", "Scenario",
    "SourceRecord", "Step", "TimePoint", "TimingConstraint", "WEEKDAYS",
]
