"""The timeline IR: events, the anchors that place them, constraints, provenance and assumptions.

Events form a temporal constraint network. Each event is placed by a rule over anchors ("at" one anchor plus an
offset, or "after" the latest of several); every anchor is also a constraint "B − A ∈ [l, u]" in nominal days.
Times are whole days counted from the protocol's root event; only the date module turns them into dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from schedsim.language.durations import Offset, Window


def merge_ids(*groups: Iterable[str]) -> tuple[str, ...]:
    """Assumption ids of several groups, unique and in numeric order (A2 before A10)."""
    return tuple(sorted({i for group in groups for i in group}, key=lambda a: int(a[1:])))


EventKind = Literal["dose", "procedure", "assessment", "visit", "milestone"]
Rule = Literal["root", "at", "after"]


@dataclass(frozen=True, slots=True)
class Origin:
    """The protocol field that made something: file, line and field path."""

    file: str
    line: int | None
    field: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.field}".rstrip()


@dataclass(frozen=True, slots=True)
class Anchor:
    """``ref`` + ``offset``: one term of an event's placement, with where it was written."""

    ref: str
    offset: Offset
    origin: Origin
    assumptions: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.ref} {self.offset}".rstrip()


@dataclass(frozen=True, slots=True)
class Event:
    """One planned thing: a dose, procedure, assessment, visit or milestone."""

    id: str
    kind: EventKind
    phase: str | None
    label: str
    rule: Rule
    anchors: tuple[Anchor, ...]
    origin: Origin
    window: Window | None = None
    agent: str | None = None
    dose: str | None = None
    setting: str | None = None
    activities: tuple[str, ...] = ()
    duration: int = 1
    limit: Anchor | None = None
    assumptions: tuple[str, ...] = ()
    step: str | None = None  # the procedure step it belongs to (``apheresis``), for rows in plots
    role: str | None = None  # what its step is (``apheresis``, ``conditioning``), for the sequence checks

    @property
    def own_assumptions(self) -> tuple[str, ...]:
        """Assumptions made at this event or its direct anchors (not further up the chain)."""
        return merge_ids(self.assumptions, *(anchor.assumptions for anchor in self.anchors))


@dataclass(frozen=True, slots=True)
class Constraint:
    """``target − source ∈ [lower, upper]`` days (nominal), made by ``origin``."""

    source: str
    target: str
    lower: float
    upper: float
    origin: Origin
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PhaseInfo:
    """A phase's span (its start and end events) and, for cycles, the cycle structure."""

    id: str
    kind: Literal["cycles", "procedure"]
    label: str
    start: str
    end: str
    origin: Origin
    cycle_length: int | None = None
    cycles: int | None = None
    reference: str | None = None  # a procedure block's day-0 event (the infusion, the transplant)
    spacing: tuple[tuple[str, int, Origin], ...] = ()  # (agent, minimum days between doses, where it is said)
    partial_cycle: Literal["drop", "keep"] | None = None  # cycles repeated until a bound: a cut-short last cycle
    first_cycle: int = 1  # the number of its first cycle (> 1 when it carries on an earlier phase's numbering)
    continues: str | None = None  # the phase whose cycle numbering it carries on
    stops_on: tuple[str, ...] = ()  # open-ended treatment: what ends it early (planned to its bound)


@dataclass(frozen=True, slots=True)
class Requirement:
    """A declared rule: ``event`` not before (or not after) ``anchor`` — a minimum or maximum gap."""

    event: str
    anchor: Anchor
    bound: Literal["not_before", "not_after"]
    origin: Origin
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AssumptionInfo:
    """A value the source does not state, as marked in a protocol or library file."""

    id: str
    file: str
    line: int | None
    field: str
    rationale: str


@dataclass(frozen=True, slots=True)
class Conventions:
    month: str
    year: str
    month_declared: bool
    year_declared: bool
    study_day_zero: bool
    block_day_zero: bool


@dataclass(frozen=True, slots=True)
class ClinicPolicy:
    """The protocol's clinic rules: open weekdays (0 = Monday), which way visits move, which kinds move."""

    open_weekdays: frozenset[int] = frozenset(range(5))
    prefer: Literal["nearest", "earlier", "later"] = "nearest"
    move: frozenset[str] = frozenset({"visit", "assessment", "procedure", "dose"})
    start_weekday: int | None = None  # the weekday every patient starts on, when the protocol fixes it
    shift: Literal["none", "cycle"] = "none"  # cycle: a cycle's days follow its day 1 when it moves or is done late


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    """A decision point on the compiled path: its question, the branch taken, and every branch (id, label)."""

    id: str
    label: str
    branch: str
    branches: tuple[tuple[str, str], ...]

    @property
    def branch_label(self) -> str:
        return dict(self.branches)[self.branch]


@dataclass(frozen=True, slots=True)
class DesignInfo:
    """Which path of the study design a timeline is: its arm (of all the arms) and the branches taken."""

    arm: str | None = None
    arms: tuple[tuple[str, str], ...] = ()  # (id, label) of every arm
    assignment: str | None = None  # randomised or assigned
    decisions: tuple[DecisionInfo, ...] = ()
    left_out: tuple[tuple[str, str], ...] = ()  # phases, assessments, time points and decisions on other paths: why

    def elsewhere(self, event_id: str) -> str | None:
        """Why an event id is not on this path, when it names a phase or assessment of another arm or branch:
        ``'asct is only in arm asct: choose the path with --arm or --branch'``."""
        parts = event_id.split(".")
        found = dict(self.left_out)
        for item in (".".join(parts[:2]), parts[0]):
            if item in found:
                return f"{item} is {found[item]}: choose the path with --arm or --branch"
        return None

    @property
    def arm_label(self) -> str | None:
        return dict(self.arms).get(self.arm or "")

    @property
    def label(self) -> str:
        """``arm b, post_consolidation=no_cr`` (empty for a study with one path)."""
        return ", ".join(([f"arm {self.arm}"] if self.arm else []) + [f"{d.id}={d.branch}" for d in self.decisions])


@dataclass(frozen=True)
class Timeline:
    """A compiled protocol: events in topological order (anchors before the events they place)."""

    protocol_id: str
    title: str
    file: str
    conventions: Conventions
    root: str
    day1: str
    horizon: str | None
    events: tuple[Event, ...]
    phases: tuple[PhaseInfo, ...]
    assumptions: dict[str, AssumptionInfo]
    clinic: ClinicPolicy = ClinicPolicy()
    requirements: tuple[Requirement, ...] = ()
    assessment_labels: dict[str, str] = field(default_factory=dict)  # assessment id → its label (rows of charts)
    dlt_window: int | None = None  # days of DLT observation after infusion, when the protocol escalates doses
    design: DesignInfo = DesignInfo()  # the arm and branches this timeline follows
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {event.id: i for i, event in enumerate(self.events)})

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """Every anchor as a constraint ``target − source ∈ [lower, upper]`` in nominal days (built on first use)."""
        cached: tuple[Constraint, ...] | None = self.__dict__.get("_constraints")
        if cached is None:
            built = []
            for event in self.events:
                for anchor in event.anchors:
                    lower = float(anchor.offset.nominal_days)
                    upper = lower if event.rule == "at" else float("inf")
                    built.append(Constraint(anchor.ref, event.id, lower, upper, anchor.origin, anchor.assumptions))
            cached = tuple(built)
            object.__setattr__(self, "_constraints", cached)
        return cached

    def event(self, event_id: str) -> Event:
        return self.events[self.index[event_id]]

    def assumptions_of(self, event_id: str) -> tuple[str, ...]:
        """Assumptions the event rests on: its own (dose, window, ...) and every anchor's along its chain."""
        cache: dict[str, tuple[str, ...]] = self.__dict__.setdefault("_assumptions_of", {})
        found = cache.get(event_id)
        if found is None:
            found = cache[event_id] = merge_ids(self.event(event_id).assumptions, self._chain_assumptions()[event_id])
        return found

    def _chain_assumptions(self) -> dict[str, frozenset[str]]:
        """Per event, the assumptions of all anchors that place it, transitively (one pass, topological order)."""
        cached: dict[str, frozenset[str]] | None = self.__dict__.get("_chain")
        if cached is None:
            cached = {}
            for event in self.events:
                found: set[str] = set()
                for anchor in event.anchors:
                    found.update(anchor.assumptions)
                    found.update(cached[anchor.ref])
                cached[event.id] = frozenset(found)
            object.__setattr__(self, "_chain", cached)
        return cached
