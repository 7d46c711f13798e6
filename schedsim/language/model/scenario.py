"""Simulation scenarios: what varies between patients and what they compete for.

A scenario lives in a protocol's ``simulation:`` section or in its own file (``schedsim simulate --scenario``),
so one protocol can be run under several scenarios. Every duration is a distribution: a plain duration (``20d``,
fixed) or one of ``{uniform: [10d, 16d]}``, ``{triangular: [10d, 12d, 16d]}`` (low, mode, high),
``{lognormal: {median: 20d, p95: 30d}}``, ``{exponential: {mean: 30d}}``; samples are whole days.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, field_validator, model_validator

from schedsim.language.model.types import Assumed, DurationField, Id, StrictModel

MAX_HAZARD = 10.0  # events per month: anything above is a typo for a probability or a rate per year


class LogNormalSpec(StrictModel):
    median: DurationField
    p95: DurationField

    @model_validator(mode="after")
    def _check(self) -> LogNormalSpec:
        if not 0 < self.median.approx_days < self.p95.approx_days:
            raise ValueError("a lognormal needs 0 < median < p95")
        return self


class ExponentialSpec(StrictModel):
    mean: DurationField

    @model_validator(mode="after")
    def _check(self) -> ExponentialSpec:
        if self.mean.approx_days <= 0:
            raise ValueError("the mean must be positive")
        return self


class DistributionSpec(StrictModel):
    """Exactly one of: ``fixed``, ``uniform``, ``triangular``, ``lognormal``, ``exponential``."""

    fixed: DurationField | None = None
    uniform: tuple[DurationField, DurationField] | None = None
    triangular: tuple[DurationField, DurationField, DurationField] | None = None
    lognormal: LogNormalSpec | None = None
    exponential: ExponentialSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_duration(cls, data: Any) -> Any:
        return {"fixed": data} if isinstance(data, str | int) else data

    @model_validator(mode="after")
    def _one(self) -> DistributionSpec:
        given = [name for name in ("fixed", "uniform", "triangular", "lognormal", "exponential")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of fixed, uniform, triangular, lognormal, exponential")
        if self.uniform is not None and self.uniform[0].approx_days > self.uniform[1].approx_days:
            raise ValueError("uniform: the low end comes first")
        if self.triangular is not None:
            low, mode, high = (d.approx_days for d in self.triangular)
            if not low <= mode <= high or low == high:
                raise ValueError("triangular: give low ≤ mode ≤ high, low < high")
        return self

    def span_days(self) -> tuple[int, int]:
        """The lowest and highest day counts the distribution is written with (its median and p95, or mean)."""
        if self.fixed is not None:
            values = [self.fixed]
        elif self.uniform is not None:
            values = list(self.uniform)
        elif self.triangular is not None:
            values = list(self.triangular)
        elif self.lognormal is not None:
            values = [self.lognormal.median, self.lognormal.p95]
        else:
            assert self.exponential is not None
            values = [self.exponential.mean]
        days = [value.approx_days for value in values]
        return min(days), max(days)


def _within(spec: DistributionSpec | None, name: str, low: int, high: int) -> None:
    """A distribution's values inside ``low..high`` days (a negative duration, a delay of centuries: refused)."""
    if spec is None:
        return
    first, last = spec.span_days()
    if first < low or last > high:
        raise ValueError(f"{name}: give values from {low}d to {high}d, got {first}d to {last}d")


Distribution = Annotated[DistributionSpec, Field(description="a duration (fixed) or {uniform|triangular|lognormal|"
                                                             "exponential: ...}")]


class StepTiming(StrictModel):
    """How one procedure step varies: its duration (manufacturing) or its block day (engraftment)."""

    duration: Distribution | None = None
    day: Distribution | None = None
    failure: float = Field(0.0, ge=0, le=1, description="probability the step fails (manufacturing) and is redone")
    retries: StrictInt = Field(1, ge=0, le=5, description="how many times a failed step is redone before dropout")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> StepTiming:
        if self.duration is None and self.day is None and not self.failure:
            raise ValueError("give 'duration', 'day' or 'failure'")
        _within(self.duration, "duration", 0, 730)  # a step takes no negative time, and less than two years
        _within(self.day, "day", -365, 365)  # a block day: within a year of the block's day 0
        return self


class CycleDelay(StrictModel):
    """Each cycle after the first starts late with this probability, by a sampled delay."""

    probability: float = Field(ge=0, le=1)
    delay: Distribution
    phases: list[Id] | None = Field(None, description="cycles phases it applies to (default: all)")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> CycleDelay:
        _within(self.delay, "delay", 0, 365)  # a cycle starts late, never early
        return self


class Dropout(StrictModel):
    """Hazards per month of leaving the study during one phase, by cause (competing risks)."""

    progression: float = Field(0.0, ge=0, le=MAX_HAZARD)
    death: float = Field(0.0, ge=0, le=MAX_HAZARD)
    withdrawal: float = Field(0.0, ge=0, le=MAX_HAZARD)
    assumed: Assumed = None


class Enrolment(StrictModel):
    """Poisson arrivals at ``rate_per_month`` (rising linearly over ``ramp_up`` when given), or explicit ``dates``."""

    rate_per_month: float | None = Field(None, ge=0.01, le=10_000, description="patients a month (0.01 to 10,000)")
    ramp_up: DurationField | None = None
    dates: list[date] | None = Field(None, min_length=1)
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> Enrolment:
        if (self.rate_per_month is None) == (self.dates is None):
            raise ValueError("give either 'rate_per_month' or 'dates'")
        if self.ramp_up is not None and self.rate_per_month is None:
            raise ValueError("'ramp_up' goes with 'rate_per_month'")
        if self.ramp_up is not None and not 0 <= self.ramp_up.approx_days <= 3650:
            raise ValueError(f"ramp_up: give 0d to 10y, got {self.ramp_up}")
        return self


class Resources(StrictModel):
    """Shared capacities; absent means unlimited."""

    manufacturing_slots: StrictInt | None = Field(None, ge=1, le=100_000, description="CAR-T products made at once")
    apheresis_chairs: StrictInt | None = Field(None, ge=1, le=100_000, description="apheresis procedures per day")
    transplant_beds: StrictInt | None = Field(None, ge=1, le=100_000, description="ASCT patients in hospital at once")
    visit_slots: StrictInt | None = Field(None, ge=1, le=100_000, description="clinic visits per day")
    assumed: Assumed = None


class Scenario(StrictModel):
    """Everything a cohort simulation varies, enrols and shares."""

    start: date = Field(description="the date enrolment opens")
    enrolment: Enrolment
    steps: dict[Id, StepTiming] = Field(default_factory=dict, description="by step id or role: manufacturing, ...")
    cycle_delay: CycleDelay | None = None
    dropout: dict[Id, Dropout] = Field(default_factory=dict, description="by phase id")
    resources: Resources = Field(default_factory=Resources)
    primary: Literal["outcomes", "last"] = Field(
        "outcomes", description="study completion: the last primary-outcome assessment (or the last event)")
    arms: dict[Id, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        None, description="share of patients in each arm (default: the arms' allocation ratio): {cart: 0.5, ...}")
    branches: dict[Id, dict[Id, Annotated[float, Field(ge=0, le=1)]]] = Field(
        default_factory=dict, description="per decision, each branch's share (default: the protocol's "
                                          "probabilities): {post_asct: {cr: 0.6, no_cr: 0.4}}")
    assumed: Assumed = None

    @field_validator("arms")
    @classmethod
    def _arm_shares(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares and abs(sum(shares.values()) - 1) > 1e-6:
            raise ValueError(f"the arms' shares add up to {sum(shares.values()):g}, not 1")
        return shares

    @field_validator("branches")
    @classmethod
    def _branch_shares(cls, found: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for decision, shares in found.items():
            if abs(sum(shares.values()) - 1) > 1e-6:
                raise ValueError(f"the shares of {decision}'s branches add up to {sum(shares.values()):g}, not 1")
        return found


class DoseLevel(StrictModel):
    id: Id
    dose: str = Field(description="as written: '1.0e6 CAR+ T cells/kg'")


class Escalation(StrictModel):
    """A dose-escalation design: the i3+3 rule over ordered dose levels, cohort by cohort."""

    design: Literal["i3+3"] = "i3+3"
    target: float = Field(gt=0, lt=1, description="target DLT rate p_T")
    ei: tuple[float, float] = Field(description="equivalence interval [EI1, EI2] around the target")
    cohort_size: StrictInt = Field(3, ge=1, le=12)
    max_patients: StrictInt = Field(ge=1, le=1000, description="maximum sample size of the escalation phase")
    dose_levels: list[DoseLevel] = Field(min_length=1, max_length=50, description="lowest first")
    start_level: Id | None = Field(None, description="the first cohort's dose level (default: the lowest)")
    dlt_window: DurationField = Field(description="DLT observation after infusion, e.g. 28d")
    safety: float = Field(0.95, ge=0.5, lt=1, description="exclude a dose when Pr(p > p_T) exceeds this")
    assumed: Assumed = None

    @model_validator(mode="after")
    def _check(self) -> Escalation:
        low, high = self.ei
        if not 0 < low < self.target < high < 1:
            raise ValueError(f"need 0 < EI1 < target < EI2 < 1, got EI [{low}, {high}], target {self.target}")
        ids = [level.id for level in self.dose_levels]
        if len(set(ids)) != len(ids):
            raise ValueError("dose level ids must be unique")
        if self.start_level is not None and self.start_level not in ids:
            raise ValueError(f"start_level {self.start_level!r} is not a dose level ({', '.join(ids)})")
        if self.dlt_window.approx_days <= 0:
            raise ValueError("the DLT window must be positive")
        return self
