"""Shared state of one compilation: conventions, provenance, assumption ids and the growing event table."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from schedsim.compile.ir import Anchor, AssumptionInfo, Event, Origin, PhaseInfo, merge_ids
from schedsim.compile.paths import PathChoice
from schedsim.errors import InputError, Problem
from schedsim.language.anchors import AnchorExpr
from schedsim.language.durations import Duration, Offset
from schedsim.language.loader import LoadedProtocol, Named
from schedsim.language.yamlsource import FieldPath, SourceDoc, format_path

MAX_EVENTS = 100_000


class CompileContext:
    """Everything the phase and assessment compilers share."""

    def __init__(self, loaded: LoadedProtocol, path: PathChoice | None = None) -> None:
        self.loaded = loaded
        self.path = path or PathChoice()
        self.doc = loaded.doc
        conventions = loaded.protocol.conventions
        self.month = conventions.month or "calendar"
        self.year = conventions.year or "calendar"
        self.block_day_zero = conventions.block_day_zero
        self.events: dict[str, Event] = {}
        self.phases: list[PhaseInfo] = []
        self.left_out: dict[str, str] = {}  # phase, assessment or decision not on the compiled path → why
        self.assumptions: dict[str, AssumptionInfo] = {}
        self._assumption_ids: dict[tuple[str, FieldPath], str] = {}
        self._origins: dict[tuple[str, FieldPath], Origin] = {}
        self._assumed: dict[tuple[str, tuple[FieldPath, ...]], tuple[str, ...]] = {}
        for doc in loaded.docs:
            for path, rationale in doc.assumptions.items():
                ident = f"A{len(self.assumptions) + 1}"
                self._assumption_ids[(doc.file, path)] = ident
                self.assumptions[ident] = AssumptionInfo(ident, doc.file, doc.line(path), format_path(path), rationale)

    # -- time -----------------------------------------------------------------------------------------------
    def offset(self, duration: Duration) -> Offset:
        """A written duration as an offset under the protocol's month and year conventions."""
        n = duration.amount
        if duration.unit == "d":
            return Offset(days=n)
        if duration.unit == "w":
            return Offset(days=7 * n)
        if duration.unit == "mo":
            return Offset(months=n) if self.month == "calendar" else Offset(days=int(self.month[:-1]) * n)
        return Offset(years=n) if self.year == "calendar" else Offset(days=365 * n)

    def expr_offset(self, expr: AnchorExpr) -> Offset:
        total = Offset()
        for term in expr.terms:
            total = total + self.offset(term)
        return total

    def days(self, duration: Duration, doc: SourceDoc, path: FieldPath) -> int:
        """A duration that must be a whole number of days (cycle lengths): days or weeks only."""
        if duration.unit not in ("d", "w"):
            raise InputError(doc.problem(path, f"give this in days or weeks (e.g. 28d), not {duration}"))
        return self.offset(duration).days

    # -- provenance -----------------------------------------------------------------------------------------
    def origin(self, doc: SourceDoc, path: FieldPath) -> Origin:
        key = (doc.file, path)
        origin = self._origins.get(key)
        if origin is None:
            origin = self._origins[key] = Origin(doc.file, doc.line(path), format_path(path))
        return origin

    def assumed(self, doc: SourceDoc, *paths: FieldPath) -> tuple[str, ...]:
        """Ids of the assumptions marked at any of ``paths`` or their ancestors."""
        key = (doc.file, paths)
        found = self._assumed.get(key)
        if found is None:
            ids = {self._assumption_ids[(doc.file, p)] for path in paths for p, _ in doc.assumptions_at(path)}
            found = self._assumed[key] = merge_ids(ids)
        return found

    def anchor(self, doc: SourceDoc, path: FieldPath, ref: str, offset: Offset,
               extra_paths: Iterable[FieldPath] = ()) -> Anchor:
        return Anchor(ref, offset, self.origin(doc, path), self.assumed(doc, path, *extra_paths))

    # -- events ---------------------------------------------------------------------------------------------
    def add(self, event: Event) -> Event:
        existing = self.events.get(event.id)
        if existing is not None:
            message = f"event id {event.id!r} is defined twice (first at {existing.origin})"
            raise InputError(_problem(event.origin, message, "SCH105"))
        if len(self.events) >= MAX_EVENTS:
            raise InputError(_problem(event.origin, f"the protocol makes more than {MAX_EVENTS} events"))
        self.events[event.id] = event
        return event

    def lookup(self, kind: str, name: str, path: FieldPath) -> Named:
        table = self.loaded.regimens if kind == "regimen" else self.loaded.blocks
        if name in table:
            return table[name]
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.6)
        known = ", ".join(sorted(table)) or "none defined"
        hint = f"; did you mean {' or '.join(close)}?" if close else f" (known: {known})"
        raise InputError(self.doc.problem(path, f"unknown {kind} {name!r}{hint}"))



def _problem(origin: Origin, message: str, rule: str | None = None) -> Problem:
    return Problem(origin.file, origin.line, origin.field, message, rule)
