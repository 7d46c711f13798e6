"""Phases of a protocol: repeated treatment cycles (counted, until an end point, or open-ended until progression)
and procedure blocks, each placed after the phase before it, at an anchor, or on a block's day 0."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, model_validator

from schedsim.language.model.design import OnPath
from schedsim.language.model.library import Agent, CycleVisit, Step
from schedsim.language.model.types import (
    AnchorField,
    Assumed,
    EventRef,
    Id,
    NonNegativeDuration,
    PositiveDuration,
)

MAX_CYCLES = 1000


class _Timing(OnPath):
    start: AnchorField | None = Field(None, description="exact start: 'asct.transplant + 100d'")
    after: EventRef | list[EventRef] | None = Field(
        None, description="start the day after this event (or the latest of these), plus 'gap'")
    gap: NonNegativeDuration | None = Field(None, description="full days between 'after' and the start")

    def _check_timing(self) -> None:
        if self.start is not None and self.after is not None:
            raise ValueError("give either 'start' or 'after', not both")
        if self.gap is not None and self.after is None:
            raise ValueError("'gap' goes with 'after'")

    @property
    def after_refs(self) -> list[str]:
        if self.after is None:
            return []
        return [self.after] if isinstance(self.after, str) else list(self.after)


class CyclesPhase(_Timing):
    """Repeated treatment cycles, from a named regimen or defined inline."""

    kind: Literal["cycles"]
    id: Id
    label: str | None = None
    regimen: Id | None = Field(None, description="name of a regimen from this file or an included one")
    cycle_length: PositiveDuration | None = None
    agents: dict[Id, Agent] | None = None
    visits: list[CycleVisit] | None = None
    cycles: StrictInt | None = Field(None, ge=1, le=MAX_CYCLES, description="number of cycles")
    until: AnchorField | None = Field(None, description="repeat cycles until this point (e.g. study.horizon)")
    continues: Id | None = Field(
        None, description="an earlier counted cycles phase whose numbering this one carries on (consolidation cycles "
                          "5-6 after induction cycles 1-4): cycle ranges and labels use the carried-on numbers")
    partial_cycle: Literal["drop", "keep"] | None = Field(
        None, description="with 'until' or 'up_to': a last cycle that the end point cuts short is dropped (default) "
                          "or kept up to the end point")
    stops_on: list[str] | None = Field(
        None, min_length=1, description="open-ended treatment: the events that end it early, not planned "
                                        "(['progression', 'unacceptable toxicity']); with 'up_to' and/or 'max_cycles'")
    up_to: PositiveDuration | None = Field(None, description="open-ended treatment: at most this long from its start")
    max_cycles: StrictInt | None = Field(None, ge=1, le=MAX_CYCLES,
                                         description="open-ended treatment: at most this many cycles")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> CyclesPhase:
        self._check_timing()
        if self.stops_on is not None:
            if self.cycles is not None or self.until is not None:
                raise ValueError("open-ended treatment ('stops_on') is bounded by 'up_to' and/or 'max_cycles', not "
                                 "by 'cycles' or 'until'")
            if self.up_to is None and self.max_cycles is None:
                raise ValueError("open-ended treatment ('stops_on') needs 'up_to' (a duration) or 'max_cycles' "
                                 "(a count): the plan runs to that bound")
        elif self.up_to is not None or self.max_cycles is not None:
            raise ValueError("'up_to' and 'max_cycles' bound open-ended treatment: give 'stops_on' as well")
        elif (self.cycles is None) == (self.until is None):
            raise ValueError("give exactly one of 'cycles' (a count), 'until' (an end point) or 'stops_on' "
                             "(open-ended, with 'up_to'/'max_cycles')")
        if self.partial_cycle is not None and self.until is None and self.up_to is None:
            raise ValueError("'partial_cycle' goes with 'until' or 'up_to' (a counted phase has no partial cycle)")
        inline = self.cycle_length is not None or self.agents is not None
        if self.regimen is not None and inline:
            raise ValueError("give either 'regimen' or an inline cycle_length/agents, not both")
        if self.regimen is None and (self.cycle_length is None or not self.agents):
            raise ValueError("a cycles phase needs 'regimen', or 'cycle_length' and 'agents'")
        return self


class ProcedurePhase(_Timing):
    """A procedure block (CAR-T, ASCT) placed in the protocol."""

    kind: Literal["procedure"]
    id: Id
    label: str | None = None
    block: Id | None = Field(None, description="name of a block from this file or an included one")
    steps: list[Step] | None = Field(None, min_length=1)
    day0: AnchorField | None = Field(None, description="pin the block's day 0: 'asct.transplant + 60d'")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> ProcedurePhase:
        self._check_timing()
        if self.day0 is not None and (self.start is not None or self.after is not None):
            raise ValueError("give one of 'day0', 'start' or 'after'")
        if (self.block is None) == (self.steps is None):
            raise ValueError("give exactly one of 'block' (a named block) or inline 'steps'")
        return self


Phase = Annotated[CyclesPhase | ProcedurePhase, Field(discriminator="kind")]
