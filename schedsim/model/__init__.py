"""The protocol language as pydantic models (unknown fields are rejected everywhere)."""

from schedsim.model.library import Agent, Block, CycleVisit, Library, Regimen, Step
from schedsim.model.protocol import (
    Assessment,
    Conventions,
    CyclesPhase,
    Outcome,
    Phase,
    ProcedurePhase,
    Protocol,
    SourceRecord,
    TimePoint,
)

__all__ = [
    "Agent", "Assessment", "Block", "Conventions", "CycleVisit", "CyclesPhase", "Library", "Outcome", "Phase",
    "ProcedurePhase", "Protocol", "Regimen", "SourceRecord", "Step", "TimePoint",
]
