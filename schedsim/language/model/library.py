"""Reusable treatment building blocks: cycle regimens (VRd, R maintenance) and procedure blocks (CAR-T, ASCT).

They live in library files that protocols ``include`` (or in a protocol's own ``regimens:``/``blocks:``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, model_validator

from schedsim.language.anchors import AnchorExpr
from schedsim.language.model.types import (
    Assumed,
    CycleRanges,
    DayList,
    Id,
    PositiveDuration,
    StrictModel,
    WindowField,
    in_cycles,
    require_unique,
)

EventKind = Literal["dose", "procedure", "assessment", "visit", "milestone"]
StepRole = Literal["apheresis", "manufacturing", "bridging", "lymphodepletion", "infusion", "mobilisation",
                   "collection", "conditioning", "transplant", "engraftment", "monitoring"]
#: Step ids that say their role by themselves (a step may also give ``role`` explicitly).
ROLE_BY_ID: dict[str, StepRole] = {
    "apheresis": "apheresis", "leukapheresis": "apheresis", "manufacturing": "manufacturing",
    "bridging": "bridging", "lymphodepletion": "lymphodepletion", "infusion": "infusion",
    "mobilisation": "mobilisation", "mobilization": "mobilisation", "stem_cell_apheresis": "collection",
    "collection": "collection", "conditioning": "conditioning", "transplant": "transplant",
    "stem_cell_infusion": "transplant", "engraftment": "engraftment",
}


class Dosing(StrictModel):
    """The days (and dose) of an agent in a range of cycles: daratumumab weekly in cycles 1-2, then every 2 weeks."""

    cycles: CycleRanges = Field(description="the cycles: '1-2', '3-6', '7-' (cycle 7 on)")
    days: DayList = Field(description="cycle days in these cycles: [1, 8, 15, 22] or '1-21'")
    dose: str | None = Field(None, description="the dose in these cycles, when it differs (a step-up)")
    assumed: Assumed = None


class Agent(StrictModel):
    """One drug of a regimen: its dose text and the cycle days it is given on (which may differ by cycle)."""

    dose: str = Field(description="dose, route and unit as written, e.g. '1.3 mg/m² SC'")
    days: DayList | None = Field(None, description="cycle days, 1-based: [1, 4, 8, 11] or '1-14' (or 'schedule')")
    schedule: list[Dosing] | None = Field(
        None, min_length=1, description="days (and dose) by cycle range, instead of 'days': "
                                        "[{cycles: 1-2, days: [1, 8, 15, 22]}, {cycles: 3-, days: [1]}]")
    cycles: CycleRanges | None = Field(None, description="the cycles it is given in (all when absent): '1-4'")
    label: str | None = None
    setting: Literal["clinic", "home", "inpatient"] = Field(
        "clinic", description="where it is given: clinic (moved off closed days), home or inpatient (never moved)")
    window: WindowField | None = Field(None, description="how far a dosing day may move: '-1d/+1d'")
    min_interval: PositiveDuration | None = Field(
        None, description="shortest time between two doses (checked by SCH106/SCH154): bortezomib '3d' (72 h)")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> Agent:
        if (self.days is None) == (self.schedule is None):
            raise ValueError("give either 'days' or a 'schedule' of days by cycle range")
        ranges = sorted(r for entry in self.schedule or () for r in entry.cycles)
        for (_, last), (first, _) in zip(ranges, ranges[1:], strict=False):
            if last is None or first <= last:
                raise ValueError(f"schedule cycle ranges overlap: cycle {first} is in two of them")
        return self

    def dosing(self, cycle: int) -> tuple[tuple[int, ...], str] | None:
        """The days and dose of this agent in ``cycle``, or ``None`` when it is not given in that cycle."""
        if self.cycles is not None and not in_cycles(self.cycles, cycle):
            return None
        if self.schedule is None:
            return self.days or (), self.dose
        entry = next((e for e in self.schedule if in_cycles(e.cycles, cycle)), None)
        return None if entry is None else (entry.days, entry.dose or self.dose)

    @property
    def all_days(self) -> tuple[int, ...]:
        """Every cycle day it is given on in some cycle."""
        return tuple(sorted({d for entry in self.schedule or () for d in entry.days} | set(self.days or ())))


class CycleVisit(StrictModel):
    """A visit on a given day of every cycle (or of the listed cycles)."""

    day: StrictInt = Field(ge=1, description="cycle day, 1-based")
    label: str | None = Field(None, description="may use {cycle} and {day}: 'Cycle {cycle} day {day} visit'")
    kind: Literal["visit", "assessment"] = "visit"
    window: WindowField | None = None
    activities: list[str] = Field(default_factory=list)
    cycles: list[int] | None = Field(None, description="cycle numbers having this visit; all when absent")
    assumed: Assumed = None


class Regimen(StrictModel):
    """A repeating cycle: its length, the agents and their days, and per-cycle visits."""

    label: str
    cycle_length: PositiveDuration
    agents: dict[Id, Agent] = Field(min_length=1)
    visits: list[CycleVisit] = Field(default_factory=list)
    assumed: Assumed = None


class Step(StrictModel):
    """A named step of a procedure block, on days relative to the block's day 0."""

    id: Id
    label: str | None = None
    kind: EventKind = "procedure"
    day: StrictInt | None = Field(None, description="block day (day 0 = the block's reference, e.g. infusion)")
    days: DayList | None = Field(None, description="several block days: one event per day")
    until_day: StrictInt | None = Field(None, description="last block day of a step that spans days (one event)")
    agents: dict[Id, str] | None = Field(None, description="for dose steps: agent → dose text")
    window: WindowField | None = None
    setting: Literal["clinic", "home", "inpatient", "offsite"] = Field(
        "clinic", description="clinic (moved off closed days within its window); home, inpatient or offsite "
                              "(manufacturing: not a patient visit) are never moved")
    activities: list[str] = Field(default_factory=list)
    role: StepRole | None = Field(None, description="what the step is, for the CAR-T and ASCT sequence checks "
                                                    "(default: from the id, e.g. 'apheresis', 'conditioning')")
    assumed: Assumed = None

    @property
    def effective_role(self) -> StepRole | None:
        return self.role or ROLE_BY_ID.get(self.id)

    @model_validator(mode="after")
    def _one_timing(self) -> Step:
        if (self.day is None) == (self.days is None):
            raise ValueError("give exactly one of 'day' or 'days'")
        if self.until_day is not None:
            if self.day is None:
                raise ValueError("'until_day' goes with 'day' (a span), not with 'days'")
            if self.until_day < self.day:
                raise ValueError(f"until_day {self.until_day} is before day {self.day}")
        if self.agents and self.kind != "dose":
            raise ValueError("only a step of kind 'dose' has agents")
        return self

    @property
    def block_days(self) -> tuple[int, ...]:
        return self.days if self.days is not None else (self.day,)  # type: ignore[return-value]


class Block(StrictModel):
    """A procedure block such as CAR-T or ASCT: steps around a day 0."""

    label: str
    reference: Id | None = Field(None, description="the step that is the block's day 0 (e.g. infusion)")
    steps: list[Step] = Field(min_length=1)
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check_steps(self) -> Block:
        ids = [step.id for step in self.steps]
        require_unique("duplicate step id(s)", ids)
        if self.reference is not None and self.reference not in ids:
            raise ValueError(f"reference {self.reference!r} is not one of the steps ({', '.join(ids)})")
        return self


def _template_anchor(text: str) -> str:
    """An anchor of a visit template: an event id, or ``$anchor`` (the event the protocol names), plus offsets."""
    AnchorExpr.parse(text.replace("$anchor", "anchor", 1) if text.lstrip().startswith("$anchor") else text)
    return text


TemplateAnchor = Annotated[str, AfterValidator(_template_anchor), Field(
    description="'$anchor - 28d' ($anchor: the event the protocol gives in 'anchor'), or an event id such as "
                "study.horizon")]


class VisitTemplate(StrictModel):
    """A standard visit (screening, consent, baseline, eligibility re-check, end of treatment, end of study,
    long-term follow-up) that protocols place with ``- {use: screening, anchor: induction.start}``."""

    label: str
    kind: Literal["assessment", "visit"] = "visit"
    activities: list[str] = Field(default_factory=list)
    setting: Literal["clinic", "inpatient", "home", "offsite"] = "clinic"
    window: WindowField | None = None
    at: TemplateAnchor | None = None
    every: PositiveDuration | None = None
    from_: TemplateAnchor | None = Field(None, alias="from")
    until: TemplateAnchor | None = None
    include_from: bool = False
    assumed: Assumed = None

    @model_validator(mode="after")
    def _placed(self) -> VisitTemplate:
        repeating = (self.every, self.from_, self.until)
        if (self.at is None) == all(part is None for part in repeating) or (
                self.at is None and any(part is None for part in repeating)):
            raise ValueError("give 'at', or all of 'every', 'from' and 'until'")
        return self


class Library(StrictModel):
    """A file of shared regimens, blocks and standard visits, included by protocols."""

    description: str | None = None
    include: list[str] = Field(default_factory=list, description="other library files: lib:NAME or a path")
    regimens: dict[Id, Regimen] = Field(default_factory=dict)
    blocks: dict[Id, Block] = Field(default_factory=dict)
    visits: dict[Id, VisitTemplate] = Field(default_factory=dict, description="standard visits, placed by 'use'")
