"""The protocol language as pydantic models (unknown fields are rejected everywhere)."""

from schedsim.language.model.assessments import Assessment, TimePoint
from schedsim.language.model.library import Agent, Block, CycleVisit, Dosing, Library, Regimen, Step, VisitTemplate
from schedsim.language.model.phases import CyclesPhase, Phase, ProcedurePhase
from schedsim.language.model.protocol import (
    WEEKDAYS,
    Checks,
    Clinic,
    Conventions,
    Outcome,
    Protocol,
    SourceRecord,
    TimingConstraint,
)
from schedsim.language.model.scenario import DistributionSpec, Scenario

__all__ = [
    "Agent", "Assessment", "Block", "Checks", "Clinic", "Conventions", "CycleVisit", "CyclesPhase", "Dosing",
    "DistributionSpec", "Library", "Outcome", "Phase", "ProcedurePhase", "Protocol", "Regimen", "Scenario",
    "SourceRecord", "Step", "TimePoint", "TimingConstraint", "VisitTemplate", "WEEKDAYS",
]
