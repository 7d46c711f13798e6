"""The protocol: metadata, conventions, ordered phases, assessments, outcomes and horizon."""

from __future__ import annotations

import difflib
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from schedsim.language.model.assessments import Assessment
from schedsim.language.model.design import Arm, ArmAssignment, Decision, OnPath
from schedsim.language.model.library import Block, Regimen, VisitTemplate
from schedsim.language.model.phases import Phase
from schedsim.language.model.scenario import Escalation, Scenario
from schedsim.language.model.types import (
    AnchorField,
    Assumed,
    EventRef,
    Id,
    StrictModel,
)
from schedsim.language.rules import ALWAYS_ON, RULES


class SourceRecord(StrictModel):
    """Where the protocol comes from."""

    seed: str | None = Field(None, description="path of the source record file, relative to the protocol")
    registry: str | None = None
    registry_id: str | None = None
    note: str | None = None


class Conventions(StrictModel):
    """Time conventions. Each has a default; declaring month/year is what a reviewer expects."""

    month: Literal["28d", "30d", "calendar"] | None = Field(
        None, description="what '1 month' means; undeclared counts as calendar (and is flagged by checks)")
    year: Literal["365d", "calendar"] | None = Field(None, description="what '1 year' means")
    study_day_zero: bool = Field(False, description="False (CDISC): day 1 is the first dose, the day before is -1")
    block_day_zero: bool = Field(True, description="True: a block's reference (infusion) is day 0; False: day 1")
    day1: EventRef | None = Field(None, description="event that is study day 1; default: the first phase start")
    assumed: Assumed = None


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MovableKind = Literal["visit", "assessment", "procedure", "dose"]


class Clinic(StrictModel):
    """How visits meet clinic days: which weekdays are open, which way a visit moves, which kinds move."""

    open_days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1,
                                     description="weekdays the clinic is open (default mon-fri)")
    prefer: Literal["nearest", "earlier", "later"] = Field(
        "nearest", description="nearest: target, +1, -1, +2, -2 ...; earlier: earlier days first; later: later first")
    move: list[MovableKind] = Field(
        default_factory=lambda: ["visit", "assessment", "procedure", "dose"],
        description="event kinds moved off closed days (home and inpatient events never move)")
    start_weekday: Weekday | None = Field(
        None, description="the weekday every patient starts on, if fixed: checks which visits meet closed days")
    shift: Literal["none", "cycle"] = Field(
        "none", description="none: a cycle's days keep their targets when day 1 moves off a closed day (or is done "
                            "inside its window); cycle: the whole cycle follows its day 1 (cycle days count from the "
                            "actual day 1)")
    assumed: Assumed = None


class Outcome(StrictModel):
    """An outcome measure of the source record and the assessments that serve it."""

    id: Id
    measure: str
    type: Literal["primary", "secondary", "other"]
    time_frame: str = Field(description="the time frame as the source record states it")
    description: str | None = None
    assessments: list[Id] = Field(default_factory=list, description="ids of assessments that measure it")
    assumed: Assumed = None


class TimingConstraint(OnPath):
    """A rule the schedule must obey: ``event`` not before / not after an anchor (a minimum or maximum gap)."""

    event: EventRef = Field(description="the constrained event, e.g. maintenance.start")
    not_before: AnchorField | None = Field(None, description="earliest allowed: 'cart2.infusion + 28d'")
    not_after: AnchorField | None = Field(None, description="latest allowed: 'asct.transplant + 120d'")
    reason: str | None = Field(None, description="why the rule exists (shown with any conflict)")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> TimingConstraint:
        if self.not_before is None and self.not_after is None:
            raise ValueError("give 'not_before', 'not_after' or both")
        return self


def _known_rule(rule: str) -> str:
    if rule not in RULES:
        close = difflib.get_close_matches(rule, list(RULES), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(f"unknown rule {rule!r}{hint} (`schedsim rules` lists them)")
    if rule in ALWAYS_ON:
        raise ValueError(f"{rule} cannot be disabled: without it the protocol has no timeline to check")
    return rule


def _reason(text: str) -> str:
    if not text.strip():
        raise ValueError("give the reason for disabling the rule")
    return text


class Checks(StrictModel):
    """Check settings: rules switched off for this protocol, each with the reason."""

    disable: dict[Annotated[str, AfterValidator(_known_rule)], Annotated[str, AfterValidator(_reason)]] = Field(
        default_factory=dict, description="rule id → why it does not apply here, e.g. {SCH205: 'exploratory'}")


class Protocol(StrictModel):
    """A treatment protocol's schedule."""

    id: Id
    title: str
    source: SourceRecord = Field(default_factory=SourceRecord)
    conditions: list[str] = Field(default_factory=list)
    interventions: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list, description=(
        "library files with regimens, blocks and standard visits: lib:NAME (the packaged library or SCHEDSIM_PATH, "
        "e.g. lib:vrd) or a path, looked up beside this file, then in SCHEDSIM_PATH"))
    conventions: Conventions = Field(default_factory=Conventions)
    clinic: Clinic = Field(default_factory=Clinic, description="clinic days and how visits move off closed days")
    regimens: dict[Id, Regimen] = Field(default_factory=dict)
    blocks: dict[Id, Block] = Field(default_factory=dict)
    visits: dict[Id, VisitTemplate] = Field(default_factory=dict, description="standard visits, placed by 'use'")
    arms: list[Arm] = Field(default_factory=list, description="the study's arms (none: one arm); phases, "
                                                              "assessments and decisions say 'arms: [..]' when "
                                                              "they are not in every arm")
    arm_assignment: ArmAssignment | None = Field(
        None, description="randomised (by the arms' allocation ratio) or assigned (non-randomised: by criteria, "
                          "cohort or choice); required with arms")
    phases: list[Phase] = Field(min_length=1, max_length=200, description="the phases in order (at most 200)")
    decisions: list[Decision] = Field(default_factory=list, description="decision points (response-adapted "
                                                                        "treatment): items on a branch say "
                                                                        "'branch: decision.branch'")
    assessments: list[Assessment] = Field(default_factory=list, max_length=1000)
    outcomes: list[Outcome] = Field(default_factory=list)
    horizon: AnchorField | Annotated[list[AnchorField], Field(min_length=1)] | None = Field(
        None, description="end of the study: 'induction.start + 2y', or the latest of several: "
                          "[induction.start + 2y, response.post_cart2 + 7d] (the last required assessment's window)")
    constraints: list[TimingConstraint] = Field(
        default_factory=list, description="minimum and maximum gaps the schedule must obey (checked, SCH101)")
    checks: Checks = Field(default_factory=Checks, description="check rules disabled for this protocol, with reasons")
    simulation: Scenario | None = Field(None, description="the default cohort-simulation scenario")
    escalation: Escalation | None = Field(None, description="a dose-escalation design (i3+3)")
